//! The sync API through the router: batch upserts by external id with per-item results,
//! idempotency keys (replay, mismatch, in progress), and who may call it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::body::Body;
use axum::http::{Request, header};
use portal_core::model::{AuditContext, ClientInput, ProjectInput, ProjectStatus};
use portal_core::{
    ClientId, DisplayName, Email, MembershipKind, Permission, PermissionSet, Side, TenantId,
    TenantScope, UserId,
};
use portal_storage::{AuditFilter, IdempotencyBegin, InvoiceFilter, Page, ProjectFilter};
use serde_json::{Value, json};
use support::api_keys::api_key;
use support::{Portal, Reply};

const PATH: &str = "/acme/api/v1/sync/batch";

/// Every permission a full sync needs: new objects are internal (`view_internal`), an
/// integration works on every client (`access_all_clients`), and finding a stored parent by
/// external id is reading it (`view_projects`, `view_milestones`).
const SYNC: &[Permission] = &[
    Permission::AccessAllClients,
    Permission::ViewInternal,
    Permission::ManageClients,
    Permission::ManageProjects,
    Permission::ManageMilestones,
    Permission::ManageDeliverables,
    Permission::ManageInvoices,
    Permission::ViewProjects,
    Permission::ViewMilestones,
    Permission::ViewFinancials,
];

/// How a request signs in.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    Key(&'a str),
    Cookie(&'a str),
}

/// A sync request with a raw body.
async fn send_raw(
    portal: &Portal,
    path: &str,
    auth: Auth<'_>,
    idempotency_key: Option<&str>,
    body: String,
) -> Reply {
    let mut request = Request::post(path)
        .header(header::HOST, "portal.example.com")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin");
    match auth {
        Auth::None => {}
        Auth::Key(key) => request = request.header(header::AUTHORIZATION, format!("Bearer {key}")),
        Auth::Cookie(cookie) => request = request.header(header::COOKIE, cookie),
    }
    if let Some(key) = idempotency_key {
        request = request.header("idempotency-key", key);
    }
    portal.send(request.body(Body::from(body)).unwrap()).await
}

async fn send(portal: &Portal, auth: Auth<'_>, idempotency_key: &str, body: &Value) -> Reply {
    send_raw(portal, PATH, auth, Some(idempotency_key), body.to_string()).await
}

/// A fresh idempotency key.
fn fresh() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The full tree of one client's work, named by external ids.
fn tree() -> Value {
    json!({ "items": [
        { "kind": "client", "external_id": "crm-1", "name": "Initech" },
        { "kind": "project", "external_id": "pm-1", "client_external_id": "crm-1",
          "name": "Website", "description": "The relaunch", "status": "active",
          "schedule": { "start": "2030-01-01", "end": "2030-06-30" },
          "budget": { "amount_minor": 5_000_000, "currency": "EUR" } },
        { "kind": "milestone", "external_id": "pm-1-m1", "project_external_id": "pm-1",
          "title": "Discovery", "due_on": "2030-02-01", "position": 1 },
        { "kind": "milestone", "external_id": "pm-1-m2", "project_external_id": "pm-1",
          "title": "Design", "position": 2 },
        { "kind": "deliverable", "external_id": "pm-1-d1", "milestone_external_id": "pm-1-m1",
          "title": "Research report", "due_on": "2030-01-25" },
        { "kind": "invoice", "external_id": "bill-1", "client_external_id": "crm-1",
          "project_external_id": "pm-1", "number": "INV-001",
          "amount": { "amount_minor": 120_000, "currency": "EUR" }, "status": "open",
          "issued_on": "2030-01-05", "due_on": "2030-02-05",
          "payment_url": "https://pay.example.com/inv/1", "internal_note": "slow payer" },
    ]})
}

fn system(tenant: TenantId) -> TenantScope {
    TenantScope::dangerous_system(tenant)
}

/// Everything the sync can touch in a tenant, and its audit log: equal snapshots mean nothing
/// changed (updates move `updated_at` and write audit events).
async fn snapshot(portal: &Portal, tenant: TenantId) -> String {
    let stores = &portal.stores;
    let scope = system(tenant);
    let page = Page::first(200).unwrap();
    let clients = stores.clients.list_clients(&scope, page).await.unwrap();
    let projects = stores
        .projects
        .list_projects(&scope, ProjectFilter::default(), page)
        .await
        .unwrap();
    let mut milestones = Vec::new();
    let mut deliverables = Vec::new();
    for project in &projects.items {
        let listed = stores
            .milestones
            .list_milestones(&scope, project.id, page)
            .await
            .unwrap();
        for milestone in &listed.items {
            deliverables.push(
                stores
                    .deliverables
                    .list_deliverables(&scope, milestone.id, page)
                    .await
                    .unwrap(),
            );
        }
        milestones.push(listed);
    }
    let invoices = stores
        .invoices
        .list_invoices(&scope, InvoiceFilter::default(), page)
        .await
        .unwrap();
    // Refusals are audited (`authz.denied`); what must not change is everything else.
    let audit: Vec<_> = stores
        .audit
        .list_events(&scope, AuditFilter::default(), page)
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|event| event.action != portal_http::denials::AUTHZ_DENIED)
        .collect();
    format!("{clients:?}\n{projects:?}\n{milestones:?}\n{deliverables:?}\n{invoices:?}\n{audit:?}")
}

fn statuses(reply: &Reply) -> Vec<String> {
    reply.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["status"].as_str().unwrap().to_owned())
        .collect()
}

/// A member of staff of `tenant` holding a custom role with `permissions` (and
/// `manage_api_keys`), assigned to `clients` only.
async fn assigned_staff(
    portal: &Portal,
    tenant: TenantId,
    permissions: &[Permission],
    clients: Vec<ClientId>,
) -> UserId {
    let stores = &portal.stores;
    let sys = system(tenant);
    let ctx = AuditContext::default();
    let role = stores
        .memberships
        .create_role(
            &sys,
            DisplayName::parse(&format!("Integrator {}", uuid::Uuid::new_v4().simple())).unwrap(),
            Side::Staff,
            PermissionSet::from_slice(permissions)
                .with(Permission::ManageApiKeys)
                .with(Permission::ViewInternal),
            &ctx,
        )
        .await
        .unwrap();
    let user = stores
        .identities
        .create_user(
            &sys,
            portal_core::model::NewUser {
                email: Email::parse(&format!("int-{}@acme.test", uuid::Uuid::new_v4().simple()))
                    .unwrap(),
                name: DisplayName::parse("Integrator").unwrap(),
                side: Side::Staff,
            },
            &ctx,
        )
        .await
        .unwrap();
    stores
        .memberships
        .add_membership(
            &sys,
            user.id,
            role.id(),
            MembershipKind::Staff {
                assigned_clients: clients,
            },
            &ctx,
        )
        .await
        .unwrap();
    user.id
}

async fn client_of(portal: &Portal, tenant: TenantId, name: &str, external_id: &str) -> ClientId {
    portal
        .stores
        .clients
        .create_client(
            &system(tenant),
            ClientInput {
                name: DisplayName::parse(name).unwrap(),
                external_id: Some(external_id.to_owned()),
                branding: None,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn a_batch_creates_a_client_its_project_milestones_deliverable_and_invoice() {
    let portal = Portal::new().await;
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let reply = send(&portal, Auth::Key(&key), &fresh(), &tree()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.headers.get("idempotent-replayed").is_none());
    assert_eq!(statuses(&reply), vec!["created"; 6], "{}", reply.text);
    let results = reply.json()["results"].clone();
    for (index, (kind, external_id)) in [
        ("client", "crm-1"),
        ("project", "pm-1"),
        ("milestone", "pm-1-m1"),
        ("milestone", "pm-1-m2"),
        ("deliverable", "pm-1-d1"),
        ("invoice", "bill-1"),
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(results[index]["index"], index);
        assert_eq!(results[index]["kind"], kind);
        assert_eq!(results[index]["external_id"], external_id);
        assert!(results[index]["id"].is_string());
        assert!(results[index].get("error").is_none());
    }

    // The tree hangs together as the external ids said.
    let stores = &portal.stores;
    let sys = system(portal.acme);
    let id = |n: usize| {
        results[n]["id"]
            .as_str()
            .unwrap()
            .parse::<uuid::Uuid>()
            .unwrap()
    };
    let client = ClientId::from_uuid(id(0));
    let project = stores
        .projects
        .project(&sys, portal_core::ProjectId::from_uuid(id(1)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(project.client, client);
    assert_eq!(project.external_id.as_deref(), Some("pm-1"));
    assert_eq!(project.budget.unwrap().amount_minor, 5_000_000);
    assert_eq!(
        project.visibility,
        portal_core::Visibility::Internal,
        "synced work stays internal until published"
    );
    let milestones = stores
        .milestones
        .list_milestones(&sys, project.id, Page::default())
        .await
        .unwrap();
    assert_eq!(milestones.items.len(), 2);
    let deliverable = stores
        .deliverables
        .deliverable(&sys, portal_core::DeliverableId::from_uuid(id(4)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(*deliverable.milestone.as_uuid(), id(2));
    let invoice = stores
        .invoices
        .invoice(&sys, portal_core::InvoiceId::from_uuid(id(5)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (invoice.client, invoice.project),
        (client, Some(project.id))
    );
    assert_eq!(invoice.internal_note.as_deref(), Some("slow payer"));

    // A later batch (another key) finds them by external id: all updated, same ids.
    let again = send(&portal, Auth::Key(&key), &fresh(), &tree()).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(statuses(&again), vec!["updated"; 6]);
    for n in 0..6 {
        assert_eq!(again.json()["results"][n]["id"], results[n]["id"]);
    }
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_the_response_and_changes_nothing() {
    let portal = Portal::new().await;
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let idempotency_key = fresh();
    let first = send(&portal, Auth::Key(&key), &idempotency_key, &tree()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let before = snapshot(&portal, portal.acme).await;

    let replay = send(&portal, Auth::Key(&key), &idempotency_key, &tree()).await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.text, first.text, "byte for byte");
    assert_eq!(replay.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(
        replay.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    assert_eq!(
        statuses(&replay),
        vec!["created"; 6],
        "the first run's answer"
    );

    // The same request, serialised differently (key order, white space), is the same request.
    let reordered = tree()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let mut fields: Vec<_> = item.as_object().unwrap().iter().collect();
            fields.reverse();
            let fields: Vec<String> = fields
                .into_iter()
                .map(|(name, value)| format!("{}: {value}", Value::from(name.as_str())))
                .collect();
            format!("{{ {} }}", fields.join(",\n  "))
        })
        .collect::<Vec<_>>();
    let body = format!("{{\n \"items\" : [ {} ] }}", reordered.join(" , "));
    let replay = send_raw(&portal, PATH, Auth::Key(&key), Some(&idempotency_key), body).await;
    assert_eq!(replay.status, 200, "{}", replay.text);
    assert_eq!(replay.text, first.text);
    assert_eq!(replay.headers.get("idempotent-replayed").unwrap(), "true");

    assert_eq!(snapshot(&portal, portal.acme).await, before);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused_and_changes_nothing() {
    let portal = Portal::new().await;
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let idempotency_key = fresh();
    let first = send(&portal, Auth::Key(&key), &idempotency_key, &tree()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let before = snapshot(&portal, portal.acme).await;

    let renamed = json!({ "items": [
        { "kind": "client", "external_id": "crm-1", "name": "Initrode" },
    ]});
    let reply = send(&portal, Auth::Key(&key), &idempotency_key, &renamed).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.error_code(), "invalid");
    assert_eq!(reply.json()["error"]["fields"], json!(["idempotency_key"]));
    assert_eq!(snapshot(&portal, portal.acme).await, before);

    // Another caller of the same tenant reusing the key never gets the first caller's answer.
    let other = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let before = snapshot(&portal, portal.acme).await;
    let reply = send(&portal, Auth::Key(&other), &idempotency_key, &tree()).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.json()["error"]["fields"], json!(["idempotency_key"]));
    assert_eq!(snapshot(&portal, portal.acme).await, before);
}

#[tokio::test]
async fn the_key_is_required_and_checked() {
    let portal = Portal::new().await;
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let before = snapshot(&portal, portal.acme).await;

    let reply = send_raw(&portal, PATH, Auth::Key(&key), None, tree().to_string()).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.error_code(), "bad_request");

    for bad in ["k".repeat(256), String::new()] {
        let reply = send(&portal, Auth::Key(&key), &bad, &tree()).await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        assert_eq!(reply.json()["error"]["fields"], json!(["idempotency_key"]));
    }
    assert_eq!(snapshot(&portal, portal.acme).await, before);

    // The batch itself: 1 to 1,000 items, nothing else.
    for body in [
        json!({ "items": [] }),
        json!({ "items": vec![json!({ "kind": "client" }); 1_001] }),
    ] {
        let reply = send(&portal, Auth::Key(&key), &fresh(), &body).await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        assert_eq!(reply.json()["error"]["fields"], json!(["items"]));
    }
    let reply = send(
        &portal,
        Auth::Key(&key),
        &fresh(),
        &json!({ "items": [], "tenant_id": portal.globex.to_string() }),
    )
    .await;
    assert_eq!(reply.status, 422, "unknown fields are refused (SEC-28)");
    let reply = send_raw(&portal, PATH, Auth::Key(&key), Some(&fresh()), "{".into()).await;
    assert_eq!(reply.status, 400);
    assert_eq!(snapshot(&portal, portal.acme).await, before);
}

#[tokio::test]
async fn a_batch_of_1000_items_is_applied_whole() {
    let portal = Portal::new().await;
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let items: Vec<Value> = (0..1_000)
        .map(|n| json!({ "kind": "client", "external_id": format!("crm-{n}"), "name": format!("Client {n}") }))
        .collect();
    let reply = send(
        &portal,
        Auth::Key(&key),
        &fresh(),
        &json!({ "items": items }),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let results = reply.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 1_000);
    assert!(results.iter().all(|result| result["status"] == "created"));
    assert_eq!(results[999]["index"], 999);
    assert_eq!(results[999]["external_id"], "crm-999");
    let stored = portal
        .stores
        .clients
        .client_by_external_id(&system(portal.acme), "crm-999")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(results[999]["id"], stored.id.to_string());
}

#[tokio::test]
async fn one_bad_item_fails_alone_and_the_others_apply_sec_28() {
    let portal = Portal::new().await;
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let body = json!({ "items": [
        { "kind": "client", "external_id": "crm-1", "name": "Initech" },
        { "kind": "project", "external_id": "pm-bad", "client_external_id": "crm-1", "name": "  " },
        { "kind": "milestone", "external_id": "m-orphan", "project_external_id": "pm-bad",
          "title": "Never" },
        { "kind": "invoice", "external_id": "bill-x", "client_external_id": "crm-1",
          "number": "INV-9", "amount": { "amount_minor": 100, "currency": "XXQ" } },
        { "kind": "spaceship", "external_id": "s-1" },
        { "kind": "client", "external_id": "crm-2", "name": "Hooli", "visibility": "shared" },
        { "kind": "project", "external_id": "pm-both", "client_external_id": "crm-1",
          "client_id": uuid::Uuid::now_v7().to_string(), "name": "Ambiguous" },
        { "kind": "project", "external_id": "pm-ok", "client_external_id": "crm-1",
          "name": "Intranet" },
        "not an object",
    ]});
    let reply = send(&portal, Auth::Key(&key), &fresh(), &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        statuses(&reply),
        vec![
            "created", "failed", "failed", "failed", "failed", "failed", "failed", "created",
            "failed"
        ],
        "{}",
        reply.text
    );
    let results = &reply.json()["results"];
    let error = |n: usize| results[n]["error"].clone();
    assert_eq!(error(1)["code"], "invalid");
    assert_eq!(error(1)["fields"], json!(["name"]));
    assert_eq!(error(2)["fields"], json!(["project_external_id"]));
    assert_eq!(error(3)["fields"], json!(["amount"]));
    assert_eq!(results[4]["kind"], "spaceship");
    assert_eq!(error(4)["code"], "invalid");
    assert!(
        error(5)["message"].as_str().unwrap().contains("visibility"),
        "no mass assignment: {}",
        error(5)
    );
    assert_eq!(
        error(6)["fields"],
        json!(["client_external_id", "client_id"])
    );
    assert_eq!(results[8]["kind"], Value::Null);
    assert!(results[1].get("id").is_none());

    // The failed items left nothing behind; the good ones are there.
    let sys = system(portal.acme);
    let projects = portal
        .stores
        .projects
        .list_projects(&sys, ProjectFilter::default(), Page::default())
        .await
        .unwrap();
    let names: Vec<_> = projects
        .items
        .iter()
        .map(|project| project.external_id.clone().unwrap())
        .collect();
    assert_eq!(names, vec!["pm-ok".to_owned()]);
    let clients = portal
        .stores
        .clients
        .list_clients(&sys, Page::default())
        .await
        .unwrap();
    assert_eq!(clients.items.len(), 1);
    let invoices = portal
        .stores
        .invoices
        .list_invoices(&sys, InvoiceFilter::default(), Page::default())
        .await
        .unwrap();
    assert!(invoices.items.is_empty());
}

#[tokio::test]
async fn parents_stored_before_are_found_by_external_id_and_branding_is_kept() {
    let portal = Portal::new().await;
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let first = send(&portal, Auth::Key(&key), &fresh(), &tree()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let client = ClientId::from_uuid(
        first.json()["results"][0]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    );
    // The team brands the client in the portal; the CRM knows nothing of it.
    let sys = system(portal.acme);
    let stored = portal
        .stores
        .clients
        .client(&sys, client)
        .await
        .unwrap()
        .unwrap();
    let branding = Some(portal_core::model::Branding {
        display_name: DisplayName::parse("Initech portal").unwrap(),
        ..portal.stores.tenants.tenant(&sys).await.unwrap().branding
    });
    portal
        .stores
        .clients
        .update_client(
            &sys,
            client,
            ClientInput {
                name: stored.name,
                external_id: stored.external_id,
                branding: branding.clone(),
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();

    let milestone_id = first.json()["results"][2]["id"].clone();
    let later = json!({ "items": [
        { "kind": "client", "external_id": "crm-1", "name": "Initech Ltd" },
        { "kind": "invoice", "external_id": "bill-2", "client_external_id": "crm-1",
          "project_external_id": "pm-1", "number": "INV-002",
          "amount": { "amount_minor": 990, "currency": "EUR" } },
        { "kind": "milestone", "external_id": "pm-1-m3", "project_external_id": "pm-1",
          "title": "Build" },
        { "kind": "deliverable", "external_id": "pm-1-d2", "milestone_id": milestone_id,
          "title": "Wireframes" },
        { "kind": "deliverable", "external_id": "pm-1-d3", "milestone_external_id": "pm-1-m1",
          "title": "By external id across batches" },
        { "kind": "project", "external_id": "pm-1", "client_external_id": "crm-1",
          "name": "Website" },
    ]});
    let reply = send(&portal, Auth::Key(&key), &fresh(), &later).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        statuses(&reply),
        vec![
            "updated", "created", "created", "created", "created", "updated"
        ],
        "{}",
        reply.text
    );
    let updated = portal
        .stores
        .clients
        .client(&sys, client)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.name.as_str(), "Initech Ltd");
    assert_eq!(updated.branding, branding, "the portal's branding stays");
    let project = portal
        .stores
        .projects
        .list_projects(&sys, ProjectFilter::default(), Page::default())
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(
        project.budget.map(|money| money.amount_minor),
        Some(5_000_000),
        "an absent budget keeps the stored one"
    );
    assert_eq!(project.status, ProjectStatus::Active);
}

/// The portal id in result `n` of a reply.
fn result_id(reply: &Reply, n: usize) -> uuid::Uuid {
    reply.json()["results"][n]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_deliverable_names_a_milestone_of_an_earlier_batch_by_external_id() {
    let portal = Portal::new().await;
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let first = send(&portal, Auth::Key(&key), &fresh(), &tree()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let (discovery, design) = (result_id(&first, 2), result_id(&first, 3));

    let later = json!({ "items": [
        { "kind": "deliverable", "external_id": "pm-1-d2", "milestone_external_id": "pm-1-m2",
          "title": "Wireframes" },
        { "kind": "deliverable", "external_id": "pm-1-d3", "milestone_external_id": "pm-1-m2",
          "title": "Style guide" },
        { "kind": "deliverable", "external_id": "pm-1-d1", "milestone_external_id": "pm-1-m1",
          "title": "Research report, revised" },
        { "kind": "deliverable", "external_id": "pm-1-d4", "milestone_external_id": "pm-1-m9",
          "title": "Under no milestone" },
    ]});
    let reply = send(&portal, Auth::Key(&key), &fresh(), &later).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        statuses(&reply),
        vec!["created", "created", "updated", "failed"],
        "{}",
        reply.text
    );
    assert_eq!(
        result_id(&reply, 2),
        result_id(&first, 4),
        "the same deliverable"
    );
    let error = &reply.json()["results"][3]["error"];
    assert_eq!(error["code"], "invalid");
    assert_eq!(error["fields"], json!(["milestone_external_id"]));

    let sys = system(portal.acme);
    for (n, milestone) in [(0, design), (1, design), (2, discovery)] {
        let deliverable = portal
            .stores
            .deliverables
            .deliverable(
                &sys,
                portal_core::DeliverableId::from_uuid(result_id(&reply, n)),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(*deliverable.milestone.as_uuid(), milestone, "item {n}");
    }

    // Finding a stored milestone by external id is reading it: without `view_milestones` the
    // item is refused, while the portal id still names it.
    let unseeing: Vec<Permission> = SYNC
        .iter()
        .copied()
        .filter(|permission| *permission != Permission::ViewMilestones)
        .collect();
    let key = api_key(&portal, portal.acme, portal.ada, &unseeing).await;
    let body = json!({ "items": [
        { "kind": "deliverable", "external_id": "pm-1-d5", "milestone_external_id": "pm-1-m2",
          "title": "Prototype" },
        { "kind": "deliverable", "external_id": "pm-1-d5", "milestone_id": design.to_string(),
          "title": "Prototype" },
    ]});
    let reply = send(&portal, Auth::Key(&key), &fresh(), &body).await;
    assert_eq!(
        statuses(&reply),
        vec!["failed", "created"],
        "{}",
        reply.text
    );
    assert_eq!(reply.json()["results"][0]["error"]["code"], "forbidden");
}

#[tokio::test]
async fn parents_of_another_tenant_or_client_by_external_id_fail_like_missing_ones_sec_26() {
    let portal = Portal::new().await;
    // Globex holds a client, project and milestone under the external ids acme will name.
    let globex_key = api_key(&portal, portal.globex, globex_owner(&portal).await, SYNC).await;
    let reply = send_raw(
        &portal,
        "/globex/api/v1/sync/batch",
        Auth::Key(&globex_key),
        Some(&fresh()),
        tree().to_string(),
    )
    .await;
    assert_eq!(statuses(&reply), vec!["created"; 6], "{}", reply.text);

    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let before = snapshot(&portal, portal.acme).await;
    let body = json!({ "items": [
        { "kind": "project", "external_id": "p1", "client_external_id": "crm-1", "name": "X" },
        { "kind": "project", "external_id": "p2", "client_external_id": "crm-none", "name": "X" },
        { "kind": "milestone", "external_id": "m1", "project_external_id": "pm-1", "title": "X" },
        { "kind": "milestone", "external_id": "m2", "project_external_id": "pm-none",
          "title": "X" },
        { "kind": "deliverable", "external_id": "d1", "milestone_external_id": "pm-1-m1",
          "title": "X" },
        { "kind": "deliverable", "external_id": "d2", "milestone_external_id": "pm-none-m1",
          "title": "X" },
        { "kind": "invoice", "external_id": "b1", "client_external_id": "crm-1",
          "number": "INV-1", "amount": { "amount_minor": 100, "currency": "EUR" } },
        { "kind": "invoice", "external_id": "b2", "client_external_id": "crm-none",
          "number": "INV-2", "amount": { "amount_minor": 100, "currency": "EUR" } },
    ]});
    let reply = send(&portal, Auth::Key(&key), &fresh(), &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(statuses(&reply), vec!["failed"; 8], "{}", reply.text);
    let error = |n: usize| reply.json()["results"][n]["error"].clone();
    for (foreign, missing, field) in [
        (0, 1, "client_external_id"),
        (2, 3, "project_external_id"),
        (4, 5, "milestone_external_id"),
        (6, 7, "client_external_id"),
    ] {
        assert_eq!(error(missing)["code"], "invalid", "{}", reply.text);
        assert_eq!(error(missing)["fields"], json!([field]));
        assert_eq!(
            error(foreign),
            error(missing),
            "another tenant's answers as a missing one"
        );
    }
    assert!(!reply.text.contains("Initech"), "{}", reply.text);
    assert_eq!(snapshot(&portal, portal.acme).await, before);

    // Within the tenant, a milestone of a client the caller is not assigned to is missing too.
    let own = client_of(&portal, portal.acme, "Assigned", "crm-a").await;
    let other = client_of(&portal, portal.acme, "Not assigned", "crm-b").await;
    let sys = system(portal.acme);
    let theirs = portal
        .stores
        .projects
        .create_project(
            &sys,
            ProjectInput {
                client: other,
                name: DisplayName::parse("Theirs").unwrap(),
                description: String::new(),
                status: ProjectStatus::Active,
                schedule: None,
                budget: None,
                external_id: Some("pm-b".into()),
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    portal
        .stores
        .milestones
        .create_milestone(
            &sys,
            portal_core::model::MilestoneInput {
                project: theirs.id,
                title: DisplayName::parse("Their milestone").unwrap(),
                due_on: None,
                position: 1,
                external_id: Some("ms-b".into()),
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let permissions = [
        Permission::ManageDeliverables,
        Permission::ViewMilestones,
        Permission::ViewDeliverables,
    ];
    let integrator = assigned_staff(&portal, portal.acme, &permissions, vec![own]).await;
    let mut key_permissions = permissions.to_vec();
    key_permissions.push(Permission::ViewInternal);
    let key = api_key(&portal, portal.acme, integrator, &key_permissions).await;
    let before = snapshot(&portal, portal.acme).await;
    let body = json!({ "items": [
        { "kind": "deliverable", "external_id": "d1", "milestone_external_id": "ms-b",
          "title": "X" },
        { "kind": "deliverable", "external_id": "d2", "milestone_external_id": "ms-none",
          "title": "X" },
    ]});
    let reply = send(&portal, Auth::Key(&key), &fresh(), &body).await;
    assert_eq!(statuses(&reply), vec!["failed"; 2], "{}", reply.text);
    let error = |n: usize| reply.json()["results"][n]["error"].clone();
    assert_eq!(error(1)["fields"], json!(["milestone_external_id"]));
    assert_eq!(error(0), error(1));
    assert!(!reply.text.contains("Their milestone"));
    assert_eq!(snapshot(&portal, portal.acme).await, before);
}

#[tokio::test]
async fn anonymous_and_another_tenants_key_are_unauthenticated_sec_27() {
    let portal = Portal::new().await;
    let gil =
        support::client_work::scope_of(&portal.stores, portal.globex, globex_owner(&portal).await)
            .await;
    let globex_key = api_key(
        &portal,
        portal.globex,
        gil.principal().user_id().unwrap(),
        SYNC,
    )
    .await;
    let before = snapshot(&portal, portal.acme).await;
    let idempotency_key = fresh();

    let reply = send(&portal, Auth::None, &idempotency_key, &tree()).await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(reply.error_code(), "unauthenticated");
    let reply = send(&portal, Auth::Key(&globex_key), &idempotency_key, &tree()).await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(reply.error_code(), "unauthenticated");
    let reply = send(
        &portal,
        Auth::Key("ptk_notakeyatall_xyz"),
        &idempotency_key,
        &tree(),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(snapshot(&portal, portal.acme).await, before);

    // The refused requests claimed nothing: acme's own key with that key runs afresh.
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let reply = send(&portal, Auth::Key(&key), &idempotency_key, &tree()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.headers.get("idempotent-replayed").is_none());
    // And globex's key works in globex, with the same idempotency key: tenants never share.
    let reply = send_raw(
        &portal,
        "/globex/api/v1/sync/batch",
        Auth::Key(&globex_key),
        Some(&idempotency_key),
        tree().to_string(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.headers.get("idempotent-replayed").is_none());
    assert_eq!(statuses(&reply), vec!["created"; 6]);
}

async fn globex_owner(portal: &Portal) -> UserId {
    portal
        .stores
        .identities
        .credentials_by_email(portal.globex, &Email::parse("gil@globex.test").unwrap())
        .await
        .unwrap()
        .unwrap()
        .user
        .id
}

#[tokio::test]
async fn a_key_without_the_permissions_fails_every_item_and_changes_nothing_sec_25() {
    let portal = Portal::new().await;
    let reader = api_key(
        &portal,
        portal.acme,
        portal.ada,
        &[
            Permission::AccessAllClients,
            Permission::ViewInternal,
            Permission::ViewProjects,
        ],
    )
    .await;
    // Without view_internal a key cannot even see the (internal) objects it would write.
    let blind = api_key(
        &portal,
        portal.acme,
        portal.ada,
        &[Permission::ViewProjects],
    )
    .await;
    let before = snapshot(&portal, portal.acme).await;
    let reply = send(&portal, Auth::Key(&reader), &fresh(), &tree()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(statuses(&reply), vec!["failed"; 6]);
    for result in reply.json()["results"].as_array().unwrap() {
        assert!(
            ["forbidden", "invalid"].contains(&result["error"]["code"].as_str().unwrap()),
            "{result}"
        );
    }
    assert_eq!(reply.json()["results"][0]["error"]["code"], "forbidden");
    let reply = send(&portal, Auth::Key(&blind), &fresh(), &tree()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(statuses(&reply), vec!["failed"; 6]);
    assert_eq!(snapshot(&portal, portal.acme).await, before);

    // Writing a budget is seeing it: without view_financials a budget is refused (SEC-28).
    let client = client_of(&portal, portal.acme, "Initech", "crm-1").await;
    let key = api_key(
        &portal,
        portal.acme,
        portal.ada,
        &[
            Permission::AccessAllClients,
            Permission::ViewInternal,
            Permission::ManageProjects,
            Permission::ViewProjects,
        ],
    )
    .await;
    let before = snapshot(&portal, portal.acme).await;
    let body = json!({ "items": [
        { "kind": "project", "external_id": "pm-1", "client_id": client.to_string(),
          "name": "Website", "budget": { "amount_minor": 1, "currency": "EUR" } },
    ]});
    let reply = send(&portal, Auth::Key(&key), &fresh(), &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["results"][0]["error"]["code"], "forbidden");
    assert_eq!(snapshot(&portal, portal.acme).await, before);
}

#[tokio::test]
async fn a_contact_is_refused_and_staff_sessions_may_sync_sec_25() {
    let portal = Portal::new().await;
    let world = support::client_work::seed(&portal).await;
    let cookie = portal.login("acme", &world.a.contact("client_admin")).await;
    let before = snapshot(&portal, portal.acme).await;
    let reply = send(&portal, Auth::Cookie(&cookie), &fresh(), &tree()).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(reply.error_code(), "forbidden");
    assert_eq!(snapshot(&portal, portal.acme).await, before);

    let cookie = portal.login("acme", "ada@acme.test").await;
    let reply = send(&portal, Auth::Cookie(&cookie), &fresh(), &tree()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(statuses(&reply), vec!["created"; 6]);
}

#[tokio::test]
async fn foreign_parents_answer_like_missing_ones_sec_26() {
    let portal = Portal::new().await;
    let globex_client = client_of(&portal, portal.globex, "Globex client", "crm-g").await;
    let own = client_of(&portal, portal.acme, "Assigned", "crm-a").await;
    let other = client_of(&portal, portal.acme, "Not assigned", "crm-b").await;
    let other_project = portal
        .stores
        .projects
        .create_project(
            &system(portal.acme),
            ProjectInput {
                client: other,
                name: DisplayName::parse("Theirs").unwrap(),
                description: String::new(),
                status: ProjectStatus::Active,
                schedule: None,
                budget: None,
                external_id: Some("pm-b".into()),
            },
            &AuditContext::default(),
        )
        .await
        .unwrap()
        .id;
    let integrator = assigned_staff(
        &portal,
        portal.acme,
        &[
            Permission::ManageProjects,
            Permission::ManageMilestones,
            Permission::ViewProjects,
            Permission::ViewMilestones,
        ],
        vec![own],
    )
    .await;
    let key = api_key(
        &portal,
        portal.acme,
        integrator,
        &[
            Permission::ManageProjects,
            Permission::ManageMilestones,
            Permission::ViewProjects,
            Permission::ViewMilestones,
            Permission::ViewInternal,
        ],
    )
    .await;
    let before = snapshot(&portal, portal.acme).await;
    let project = |external_id: &str, parent: Value| {
        let mut item = json!({ "kind": "project", "external_id": external_id, "name": "X" });
        item.as_object_mut()
            .unwrap()
            .extend(parent.as_object().unwrap().clone());
        item
    };
    let body = json!({ "items": [
        project("p1", json!({ "client_id": globex_client.to_string() })),
        project("p2", json!({ "client_id": other.to_string() })),
        project("p3", json!({ "client_id": ClientId::new().to_string() })),
        project("p4", json!({ "client_external_id": "crm-g" })),
        project("p5", json!({ "client_external_id": "crm-b" })),
        project("p6", json!({ "client_external_id": "crm-nowhere" })),
        { "kind": "milestone", "external_id": "m1", "project_id": other_project.to_string(),
          "title": "Into theirs" },
        { "kind": "milestone", "external_id": "m2",
          "project_id": portal_core::ProjectId::new().to_string(), "title": "Into nothing" },
        { "kind": "milestone", "external_id": "m3", "project_external_id": "pm-b",
          "title": "Into theirs by external id" },
        { "kind": "milestone", "external_id": "m4", "project_external_id": "pm-nowhere",
          "title": "Into nothing by external id" },
    ]});
    let reply = send(&portal, Auth::Key(&key), &fresh(), &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(statuses(&reply), vec!["failed"; 10], "{}", reply.text);
    let error = |n: usize| reply.json()["results"][n]["error"].clone();
    // Another tenant's or another client's id answers exactly as a missing one.
    assert_eq!(error(2)["code"], "not_found");
    assert_eq!(error(0), error(2));
    assert_eq!(error(1), error(2));
    assert_eq!(error(3), error(5));
    assert_eq!(error(4), error(5));
    assert_eq!(error(7)["code"], "not_found");
    assert_eq!(error(6), error(7));
    assert_eq!(error(8), error(9));
    assert!(!reply.text.contains("Globex client") && !reply.text.contains("Theirs"));
    assert_eq!(snapshot(&portal, portal.acme).await, before);

    // Its own client works.
    let body = json!({ "items": [project("p7", json!({ "client_external_id": "crm-a" }))] });
    let reply = send(&portal, Auth::Key(&key), &fresh(), &body).await;
    assert_eq!(statuses(&reply), vec!["created"], "{}", reply.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_key_run_once() {
    let portal = std::sync::Arc::new(Portal::new().await);
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let idempotency_key = fresh();
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let (portal, key, idempotency_key) =
                (portal.clone(), key.clone(), idempotency_key.clone());
            tokio::spawn(
                async move { send(&portal, Auth::Key(&key), &idempotency_key, &tree()).await },
            )
        })
        .collect();
    let mut replies = Vec::new();
    for attempt in attempts {
        replies.push(attempt.await.unwrap());
    }
    let fresh_runs = replies
        .iter()
        .filter(|reply| reply.status == 200 && reply.headers.get("idempotent-replayed").is_none())
        .count();
    assert_eq!(fresh_runs, 1);
    for reply in &replies {
        match reply.status {
            200 => assert_eq!(
                statuses(reply),
                vec!["created"; 6],
                "replays carry the first answer"
            ),
            409 => assert_eq!(reply.error_code(), "conflict"),
            other => panic!("unexpected {other}: {}", reply.text),
        }
    }
    let clients = portal
        .stores
        .clients
        .list_clients(&system(portal.acme), Page::default())
        .await
        .unwrap();
    assert_eq!(clients.items.len(), 1, "the batch ran once");
}

#[tokio::test]
async fn a_request_still_running_elsewhere_is_a_conflict_and_an_abandoned_one_runs_again() {
    let portal = Portal::new().await;
    let key = api_key(&portal, portal.acme, portal.ada, SYNC).await;
    let key_id = portal
        .stores
        .api_keys
        .api_key_by_prefix(&key[4..16])
        .await
        .unwrap()
        .unwrap()
        .id;
    let idempotency_key = fresh();
    // Another replica runs the same request under the key: begun, not finished.
    let hash = portal_http::api::sync::batch_request_hash(&format!("api_key:{key_id}"), &tree());
    let sys = system(portal.acme);
    let store = &portal.stores.idempotency;
    let begin = |hash| {
        store.begin_idempotent(
            &sys,
            &idempotency_key,
            hash,
            time::OffsetDateTime::now_utc(),
            time::Duration::hours(24),
        )
    };
    assert_eq!(begin(&hash).await.unwrap(), IdempotencyBegin::Started);
    let before = snapshot(&portal, portal.acme).await;
    let reply = send(&portal, Auth::Key(&key), &idempotency_key, &tree()).await;
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert_eq!(reply.error_code(), "conflict");
    assert_eq!(snapshot(&portal, portal.acme).await, before);

    // That attempt fails and frees the key: the retry runs, and its answer is kept.
    store
        .abandon_idempotent(&sys, &idempotency_key)
        .await
        .unwrap();
    let reply = send(&portal, Auth::Key(&key), &idempotency_key, &tree()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.headers.get("idempotent-replayed").is_none());
    assert!(matches!(
        begin(&hash).await.unwrap(),
        IdempotencyBegin::Completed { status: 200, body } if body == reply.text.as_bytes()
    ));
}

#[tokio::test]
async fn the_route_is_documented_with_its_key_header() {
    let portal = Portal::new().await;
    let document = portal.get("/acme/api/v1/openapi.json", None).await.json();
    let operation = &document["paths"]["/api/v1/sync/batch"]["post"];
    assert_eq!(operation["tags"], json!(["sync"]));
    let parameter = &operation["parameters"][0];
    assert_eq!(
        (&parameter["name"], &parameter["in"], &parameter["required"]),
        (&json!("Idempotency-Key"), &json!("header"), &json!(true))
    );
    let schemas = &document["components"]["schemas"];
    assert_eq!(schemas["SyncItem"]["oneOf"].as_array().unwrap().len(), 5);
    // Each item's schema names its own kind and refuses other fields, so exactly one matches.
    for (schema, kind) in [
        ("ClientItem", "client"),
        ("ProjectItem", "project"),
        ("MilestoneItem", "milestone"),
        ("DeliverableItem", "deliverable"),
        ("InvoiceItem", "invoice"),
    ] {
        let schema = &schemas[schema];
        assert_eq!(schema["additionalProperties"], json!(false), "{schema}");
        let kind_schema = &schema["properties"]["kind"];
        let kind_schema = match kind_schema.get("$ref") {
            Some(reference) => &schemas[reference.as_str().unwrap().rsplit('/').next().unwrap()],
            None => kind_schema,
        };
        assert_eq!(kind_schema["enum"], json!([kind]), "{kind_schema}");
    }
}
