//! The team's routes for the work itself — projects, milestones, deliverables, updates,
//! decisions, tasks, publishing, approval requests, invoices and share links — through the
//! router, with the refusals each role and other tenants get.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::http::Method;
use portal_core::model::AuditContext;
use portal_core::{
    BuiltinRole, ClientId, DisplayName, Permission, PermissionSet, Side, TenantScope,
};
use serde_json::{Value, json};
use support::Portal;
use support::client_work;
use support::staff_api::{Auth, Team, acme, call, globex};

/// Makes `email` a member of staff assigned to `client`, and returns their cookie.
async fn assigned_member(portal: &Portal, email: &str, client: ClientId) -> String {
    let user = client_work::person(
        &portal.stores,
        portal.acme,
        email,
        BuiltinRole::Member,
        None,
    )
    .await;
    let system = TenantScope::dangerous_system(portal.acme);
    let membership = client_work::membership_of(&portal.stores, portal.acme, user).await;
    portal
        .stores
        .memberships
        .assign_clients(
            &system,
            membership.id,
            vec![client],
            &AuditContext::default(),
        )
        .await
        .unwrap();
    portal.login("acme", email).await
}

/// The seeded world, with a member of staff assigned to client A (no `manage_projects`,
/// `publish`, `create_share_links` or finance permissions) as the member.
async fn setup() -> Team {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    let member = assigned_member(&portal, "worker@acme.test", world.a.client).await;
    Team::with_member(portal, world, member).await
}

#[tokio::test]
async fn projects_are_created_edited_and_published_by_the_team() {
    let s = setup().await;
    let a = s.world.a.client;
    let project = s
        .created(
            "/projects",
            json!({
                "client_id": a,
                "name": "Rebrand",
                "description": "New look",
                "schedule": { "start": "2030-01-01", "end": "2030-03-31" },
                "budget": { "amount_minor": 1_500_000, "currency": "eur" },
            }),
        )
        .await;
    let id = project["id"].as_str().unwrap().to_owned();
    assert_eq!(project["visibility"], "internal");
    assert_eq!(project["status"], "active");
    assert_eq!(
        project["budget"],
        json!({ "amount_minor": 1_500_000, "currency": "EUR" })
    );
    assert_eq!(
        project["schedule"],
        json!({ "start": "2030-01-01", "end": "2030-03-31" })
    );

    let viewer = s.portal.login("acme", &s.world.a.contact("viewer")).await;
    let hidden = s
        .portal
        .get(&acme(&format!("/projects/{id}")), Some(&viewer))
        .await;
    assert_eq!(
        hidden.status, 404,
        "an internal project is not the client's to see"
    );

    let patched = s
        .send(
            Method::PATCH,
            &acme(&format!("/projects/{id}")),
            Some(json!({ "status": "on_hold", "schedule": null })),
            &s.owner,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["status"], "on_hold");
    assert_eq!(patched.json()["schedule"], Value::Null);
    assert_eq!(patched.json()["name"], "Rebrand", "absent fields stay");
    assert_eq!(patched.json()["budget"]["amount_minor"], 1_500_000);

    let backwards = s
        .send(
            Method::PATCH,
            &acme(&format!("/projects/{id}")),
            Some(json!({ "schedule": { "start": "2030-02-01", "end": "2030-01-01" } })),
            &s.owner,
        )
        .await;
    assert_eq!(backwards.status, 422);
    assert_eq!(backwards.json()["error"]["fields"], json!(["schedule"]));
    let moved = s
        .send(
            Method::PATCH,
            &acme(&format!("/projects/{id}")),
            Some(json!({ "client_id": s.world.b.client })),
            &s.owner,
        )
        .await;
    assert_eq!(moved.status, 422, "the client is fixed (SEC-28)");

    let published = s
        .send(
            Method::PUT,
            &acme(&format!("/projects/{id}/visibility")),
            Some(json!({ "visibility": "shared" })),
            &s.owner,
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.text);
    assert_eq!(published.json()["visibility"], "shared");
    let shown = s
        .portal
        .get(&acme(&format!("/projects/{id}")), Some(&viewer))
        .await;
    assert_eq!(shown.status, 200, "published: {}", shown.text);
    let withdrawn = s
        .send(
            Method::PUT,
            &acme(&format!("/projects/{id}/visibility")),
            Some(json!({ "visibility": "internal" })),
            &s.owner,
        )
        .await;
    assert_eq!(withdrawn.json()["visibility"], "internal");
    let hidden = s
        .portal
        .get(&acme(&format!("/projects/{id}")), Some(&viewer))
        .await;
    assert_eq!(hidden.status, 404, "withdrawn again");
}

#[tokio::test]
async fn project_writes_are_refused_to_contacts_members_and_other_tenants_sec_25_sec_26() {
    let s = setup().await;
    let a = s.world.a.client;
    let project = s.world.a.project.to_string();
    let before = s
        .portal
        .get(&acme(&format!("/projects/{project}")), Some(&s.owner))
        .await
        .text;
    let anonymous = call(
        &s.portal,
        Method::POST,
        &acme("/projects"),
        Some(json!({ "client_id": a, "name": "X" })),
        Auth::None,
    )
    .await;
    assert_eq!(anonymous.status, 401);
    let by_contact = s
        .send(
            Method::POST,
            &acme("/projects"),
            Some(json!({ "client_id": a, "name": "X" })),
            &s.contact,
        )
        .await;
    assert_eq!(by_contact.status, 403);
    let by_member = s
        .send(
            Method::POST,
            &acme("/projects"),
            Some(json!({ "client_id": a, "name": "X" })),
            &s.member,
        )
        .await;
    assert_eq!(
        by_member.status, 403,
        "no manage_projects: {}",
        by_member.text
    );
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/projects/{project}"),
            json!({ "name": "Hijacked" }),
        ),
        (
            Method::PUT,
            format!("/projects/{project}/visibility"),
            json!({ "visibility": "internal" }),
        ),
    ] {
        let reply = s
            .send(method.clone(), &acme(&path), Some(body.clone()), &s.member)
            .await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.text);
        let reply = s.send(method, &acme(&path), Some(body), &s.contact).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.text);
    }
    s.foreign_is_missing(
        Method::PATCH,
        "/projects/{}",
        &project,
        Some(json!({ "name": "Hijacked" })),
    )
    .await;
    s.foreign_is_missing(
        Method::PUT,
        "/projects/{}/visibility",
        &project,
        Some(json!({ "visibility": "internal" })),
    )
    .await;
    s.foreign_is_missing(
        Method::POST,
        "/projects/{}/milestones",
        &project,
        Some(json!({ "title": "X" })),
    )
    .await;
    let into_foreign_client = s
        .send(
            Method::POST,
            &globex("/projects"),
            Some(json!({ "client_id": a, "name": "X" })),
            &s.foreign,
        )
        .await;
    assert_eq!(
        into_foreign_client.status, 404,
        "a foreign parent id is refused (SEC-27)"
    );
    assert_eq!(
        s.portal
            .get(&acme(&format!("/projects/{project}")), Some(&s.owner))
            .await
            .text,
        before,
        "nothing changed"
    );
    let listed = s
        .portal
        .get(&acme("/projects?limit=200"), Some(&s.owner))
        .await;
    assert!(!listed.text.contains("\"X\""), "no project was created");
}

#[tokio::test]
async fn budgets_are_finance_fields_for_the_team_too_sec_28() {
    let s = setup().await;
    // A producer may run projects but not see money.
    let system = TenantScope::dangerous_system(s.portal.acme);
    let producer = s
        .portal
        .stores
        .memberships
        .create_role(
            &system,
            DisplayName::parse("Producer").unwrap(),
            Side::Staff,
            PermissionSet::from_slice(&[
                Permission::ViewProjects,
                Permission::ManageProjects,
                Permission::ViewInternal,
                Permission::AccessAllClients,
            ]),
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let user = client_work::person(
        &s.portal.stores,
        s.portal.acme,
        "producer@acme.test",
        BuiltinRole::Member,
        None,
    )
    .await;
    let membership = s
        .portal
        .stores
        .memberships
        .list_memberships(&system, None, portal_storage::Page::first(200).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.user == user)
        .unwrap();
    s.portal
        .stores
        .memberships
        .change_role(
            &system,
            membership.id,
            producer.id(),
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let cookie = s.portal.login("acme", "producer@acme.test").await;
    let project = s.world.a.project;
    let renamed = s
        .send(
            Method::PATCH,
            &acme(&format!("/projects/{project}")),
            Some(json!({ "name": "Website v2" })),
            &cookie,
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.json()["budget"], Value::Null, "{}", renamed.text);
    assert!(!renamed.text.contains("5000000"), "{}", renamed.text);
    for budget in [json!({ "amount_minor": 1, "currency": "EUR" }), Value::Null] {
        let refused = s
            .send(
                Method::PATCH,
                &acme(&format!("/projects/{project}")),
                Some(json!({ "budget": budget })),
                &cookie,
            )
            .await;
        assert_eq!(refused.status, 403, "{}", refused.text);
    }
    let seen = s
        .send(
            Method::PATCH,
            &acme(&format!("/projects/{project}")),
            Some(json!({})),
            &s.owner,
        )
        .await;
    assert_eq!(
        seen.json()["budget"]["amount_minor"],
        5_000_000,
        "the producer's edits kept the budget"
    );
}

#[tokio::test]
async fn milestones_and_deliverables_move_through_their_states() {
    let s = setup().await;
    let project = s.world.a.project;
    let milestone = s
        .created(
            &format!("/projects/{project}/milestones"),
            json!({ "title": "Launch", "due_on": "2030-06-30", "position": 9 }),
        )
        .await;
    let m = milestone["id"].as_str().unwrap().to_owned();
    assert_eq!(milestone["status"], "planned");
    assert_eq!(milestone["visibility"], "internal");
    assert_eq!(milestone["due_on"], "2030-06-30");

    let bad_day = s
        .send(
            Method::POST,
            &acme(&format!("/projects/{project}/milestones")),
            Some(json!({ "title": "Launch", "due_on": "30/06/2030" })),
            &s.owner,
        )
        .await;
    assert_eq!(bad_day.json()["error"]["fields"], json!(["due_on"]));
    let patched = s
        .send(
            Method::PATCH,
            &acme(&format!("/milestones/{m}")),
            Some(json!({ "due_on": null, "title": "Go live" })),
            &s.owner,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["due_on"], Value::Null);
    assert_eq!(patched.json()["position"], 9);
    let started = s
        .send(
            Method::PUT,
            &acme(&format!("/milestones/{m}/status")),
            Some(json!({ "status": "in_progress" })),
            &s.owner,
        )
        .await;
    assert_eq!(started.json()["status"], "in_progress");
    let illegal = s
        .send(
            Method::PUT,
            &acme(&format!("/milestones/{m}/status")),
            Some(json!({ "status": "planned" })),
            &s.owner,
        )
        .await;
    assert_eq!(illegal.status, 409, "{}", illegal.text);
    let shared = s
        .send(
            Method::PUT,
            &acme(&format!("/milestones/{m}/visibility")),
            Some(json!({ "visibility": "shared" })),
            &s.owner,
        )
        .await;
    assert_eq!(shared.json()["visibility"], "shared");

    // The assigned member may manage milestones and deliverables, but not publish.
    let deliverable = s
        .send(
            Method::POST,
            &acme(&format!("/milestones/{m}/deliverables")),
            Some(json!({ "title": "Press kit", "due_on": "2030-06-01" })),
            &s.member,
        )
        .await;
    assert_eq!(deliverable.status, 201, "{}", deliverable.text);
    let d = deliverable.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(deliverable.json()["status"], "not_started");
    let renamed = s
        .send(
            Method::PATCH,
            &acme(&format!("/deliverables/{d}")),
            Some(json!({ "title": "Press kit v2" })),
            &s.member,
        )
        .await;
    assert_eq!(renamed.json()["title"], "Press kit v2");
    let moving = s
        .send(
            Method::PUT,
            &acme(&format!("/deliverables/{d}/status")),
            Some(json!({ "status": "in_progress" })),
            &s.member,
        )
        .await;
    assert_eq!(moving.json()["status"], "in_progress", "{}", moving.text);
    let self_approved = s
        .send(
            Method::PUT,
            &acme(&format!("/deliverables/{d}/status")),
            Some(json!({ "status": "approved" })),
            &s.owner,
        )
        .await;
    assert_eq!(
        self_approved.status, 422,
        "only the client approves: {}",
        self_approved.text
    );
    let unpublished = s
        .send(
            Method::PUT,
            &acme(&format!("/deliverables/{d}/visibility")),
            Some(json!({ "visibility": "shared" })),
            &s.member,
        )
        .await;
    assert_eq!(unpublished.status, 403, "no publish: {}", unpublished.text);
    let published = s
        .send(
            Method::PUT,
            &acme(&format!("/deliverables/{d}/visibility")),
            Some(json!({ "visibility": "shared" })),
            &s.owner,
        )
        .await;
    assert_eq!(published.json()["visibility"], "shared");

    for (method, path, body) in [
        (Method::PATCH, "/milestones/{}", json!({ "title": "X" })),
        (
            Method::PUT,
            "/milestones/{}/status",
            json!({ "status": "completed" }),
        ),
        (
            Method::PUT,
            "/milestones/{}/visibility",
            json!({ "visibility": "internal" }),
        ),
        (
            Method::POST,
            "/milestones/{}/deliverables",
            json!({ "title": "X" }),
        ),
    ] {
        s.foreign_is_missing(method.clone(), path, &m, Some(body.clone()))
            .await;
        let by_contact = s
            .send(
                method,
                &acme(&path.replace("{}", &m)),
                Some(body),
                &s.contact,
            )
            .await;
        assert_eq!(by_contact.status, 403, "{path}");
    }
    for (method, path, body) in [
        (Method::PATCH, "/deliverables/{}", json!({ "title": "X" })),
        (
            Method::PUT,
            "/deliverables/{}/status",
            json!({ "status": "delivered" }),
        ),
        (
            Method::PUT,
            "/deliverables/{}/visibility",
            json!({ "visibility": "internal" }),
        ),
    ] {
        s.foreign_is_missing(method, path, &d, Some(body)).await;
    }
    let unchanged = s
        .portal
        .get(&acme(&format!("/milestones/{m}")), Some(&s.owner))
        .await;
    assert_eq!(unchanged.json()["title"], "Go live", "{}", unchanged.text);
}

#[tokio::test]
async fn updates_decisions_and_tasks_are_written_internal_and_published() {
    let s = setup().await;
    let project = s.world.a.project;
    let viewer = s.portal.login("acme", &s.world.a.contact("viewer")).await;
    for (kind, body) in [
        (
            "updates",
            json!({ "title": "Week 12 canary-draft", "body": "All good" }),
        ),
        (
            "decisions",
            json!({ "title": "Blue it is canary-draft", "body": "Agreed", "decided_on": "2030-01-15" }),
        ),
        (
            "tasks",
            json!({ "title": "Send logo canary-draft", "owner": "client", "due_on": "2030-02-01" }),
        ),
    ] {
        let item = s
            .created(&format!("/projects/{project}/{kind}"), body.clone())
            .await;
        let id = item["id"].as_str().unwrap().to_owned();
        assert_eq!(item["visibility"], "internal", "{kind}");
        let seen = s
            .portal
            .get(&acme(&format!("/projects/{project}/{kind}")), Some(&viewer))
            .await;
        assert!(
            !seen.text.contains("canary-draft"),
            "{kind} draft leaked: {}",
            seen.text
        );

        let by_member = s
            .send(
                Method::PUT,
                &acme(&format!("/{kind}/{id}/visibility")),
                Some(json!({ "visibility": "shared" })),
                &s.member,
            )
            .await;
        assert_eq!(by_member.status, 403, "{kind}: {}", by_member.text);
        s.foreign_is_missing(
            Method::PUT,
            &format!("/{kind}/{{}}/visibility"),
            &id,
            Some(json!({ "visibility": "shared" })),
        )
        .await;
        let by_contact = s
            .send(
                Method::POST,
                &acme(&format!("/projects/{project}/{kind}")),
                Some(body),
                &s.contact,
            )
            .await;
        assert_eq!(by_contact.status, 403, "{kind}");
        let seen = s
            .portal
            .get(&acme(&format!("/projects/{project}/{kind}")), Some(&viewer))
            .await;
        assert!(
            !seen.text.contains("canary-draft"),
            "{kind}: refusals published nothing"
        );

        let published = s
            .send(
                Method::PUT,
                &acme(&format!("/{kind}/{id}/visibility")),
                Some(json!({ "visibility": "shared" })),
                &s.owner,
            )
            .await;
        assert_eq!(published.status, 200, "{kind}: {}", published.text);
        let seen = s
            .portal
            .get(&acme(&format!("/projects/{project}/{kind}")), Some(&viewer))
            .await;
        assert!(
            seen.text.contains("canary-draft"),
            "{kind} published: {}",
            seen.text
        );
    }
    let task = s
        .send(
            Method::POST,
            &acme(&format!("/projects/{project}/tasks")),
            Some(json!({ "title": "X", "owner": "nobody" })),
            &s.owner,
        )
        .await;
    assert_eq!(task.status, 422);
    s.foreign_is_missing(
        Method::POST,
        "/projects/{}/updates",
        &project.to_string(),
        Some(json!({ "title": "X", "body": "Y" })),
    )
    .await;
}

#[tokio::test]
async fn approvals_are_requested_and_cancelled_by_the_team() {
    let s = setup().await;
    let system = TenantScope::dangerous_system(s.portal.acme);
    let version = s
        .portal
        .stores
        .documents
        .document(&system, s.world.a.document)
        .await
        .unwrap()
        .unwrap()
        .current_version
        .unwrap();
    let deliverable = s
        .created(
            &format!("/milestones/{}/deliverables", s.world.a.milestone),
            json!({ "title": "Logo" }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moved = s
        .send(
            Method::PUT,
            &acme(&format!("/deliverables/{deliverable}/status")),
            Some(json!({ "status": "in_progress" })),
            &s.owner,
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let body = json!({
        "document_version_id": version,
        "deliverable_id": deliverable,
        "message": "Please check the logo",
        "due_at": "2030-01-31T12:00:00Z",
    });
    let by_contact = s
        .send(
            Method::POST,
            &acme("/approvals"),
            Some(body.clone()),
            &s.contact,
        )
        .await;
    assert_eq!(by_contact.status, 403);
    let foreign = s
        .send(
            Method::POST,
            &globex("/approvals"),
            Some(body.clone()),
            &s.foreign,
        )
        .await;
    assert_eq!(
        foreign.status, 404,
        "another tenant's version: {}",
        foreign.text
    );

    let approval = s.created("/approvals", body).await;
    let id = approval["id"].as_str().unwrap().to_owned();
    assert_eq!(approval["status"], "pending");
    assert_eq!(approval["version_sha256"], s.world.a.version_sha());
    assert_eq!(approval["due_at"], "2030-01-31T12:00:00Z");
    let in_review = s
        .portal
        .get(
            &acme(&format!("/deliverables/{deliverable}")),
            Some(&s.owner),
        )
        .await;
    assert_eq!(
        in_review.json()["status"],
        "in_review",
        "{}",
        in_review.text
    );

    s.foreign_is_missing(Method::POST, "/approvals/{}/cancel", &id, None)
        .await;
    let by_contact = s
        .send(
            Method::POST,
            &acme(&format!("/approvals/{id}/cancel")),
            None,
            &s.contact,
        )
        .await;
    assert_eq!(by_contact.status, 403);
    let still = s
        .portal
        .get(&acme(&format!("/approvals/{id}")), Some(&s.owner))
        .await;
    assert_eq!(still.json()["status"], "pending", "{}", still.text);

    let cancelled = s
        .send(
            Method::POST,
            &acme(&format!("/approvals/{id}/cancel")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_eq!(cancelled.json()["status"], "cancelled");
    let again = s
        .send(
            Method::POST,
            &acme(&format!("/approvals/{id}/cancel")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    let back = s
        .portal
        .get(
            &acme(&format!("/deliverables/{deliverable}")),
            Some(&s.owner),
        )
        .await;
    assert_eq!(back.json()["status"], "in_progress");
}

#[tokio::test]
async fn invoices_are_entered_by_finance_admins_with_an_internal_note() {
    let s = setup().await;
    let a = s.world.a.client;
    let body = json!({
        "client_id": a,
        "project_id": s.world.a.project,
        "number": "INV-2030-001",
        "amount": { "amount_minor": 125_000, "currency": "EUR" },
        "due_on": "2030-02-28",
        "payment_url": "https://pay.example/inv-1",
        "internal_note": "canary-note discount agreed",
    });
    let invoice = s.created("/invoices", body.clone()).await;
    let id = invoice["id"].as_str().unwrap().to_owned();
    assert_eq!(invoice["status"], "draft");
    assert_eq!(invoice["internal_note"], "canary-note discount agreed");

    let finance = s.portal.login("acme", &s.world.a.contact("finance")).await;
    let as_client = s
        .portal
        .get(&acme(&format!("/invoices/{id}")), Some(&finance))
        .await;
    assert_eq!(as_client.status, 404, "a draft is internal");

    let issued = s
        .send(
            Method::PATCH,
            &acme(&format!("/invoices/{id}")),
            Some(json!({ "status": "open", "issued_on": "2030-01-31" })),
            &s.owner,
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.text);
    assert_eq!(issued.json()["status"], "open");
    assert_eq!(issued.json()["number"], "INV-2030-001");
    let as_client = s
        .portal
        .get(&acme(&format!("/invoices/{id}")), Some(&finance))
        .await;
    assert_eq!(as_client.status, 200, "{}", as_client.text);
    assert!(
        !as_client.text.contains("canary-note"),
        "SEC-28: {}",
        as_client.text
    );
    let backwards = s
        .send(
            Method::PATCH,
            &acme(&format!("/invoices/{id}")),
            Some(json!({ "status": "draft" })),
            &s.owner,
        )
        .await;
    assert_eq!(backwards.status, 409, "{}", backwards.text);

    let manager = s.portal.login("acme", "manager@acme.test").await;
    let mut other = body.clone();
    other["number"] = json!("INV-X");
    let by_manager = s
        .send(
            Method::POST,
            &acme("/invoices"),
            Some(other.clone()),
            &manager,
        )
        .await;
    assert_eq!(
        by_manager.status, 403,
        "no manage_invoices: {}",
        by_manager.text
    );
    let by_member = s
        .send(
            Method::POST,
            &acme("/invoices"),
            Some(other.clone()),
            &s.member,
        )
        .await;
    assert!(matches!(by_member.status, 403 | 404), "{}", by_member.text);
    let by_contact = s
        .send(Method::POST, &acme("/invoices"), Some(other), &finance)
        .await;
    assert_eq!(by_contact.status, 403);
    s.foreign_is_missing(
        Method::PATCH,
        "/invoices/{}",
        &id,
        Some(json!({ "number": "HIJACK" })),
    )
    .await;
    let after = s
        .send(
            Method::PATCH,
            &acme(&format!("/invoices/{id}")),
            Some(json!({})),
            &s.owner,
        )
        .await;
    assert_eq!(
        after.json()["number"],
        "INV-2030-001",
        "refusals changed nothing"
    );
    let listed = s
        .portal
        .get(&acme("/invoices?limit=200"), Some(&s.owner))
        .await;
    assert!(!listed.text.contains("INV-X"), "{}", listed.text);
}

#[tokio::test]
async fn share_links_show_their_token_once_and_are_revoked() {
    let s = setup().await;
    let project = s.world.a.project;
    let created = s
        .created(
            "/share-links",
            json!({ "project_id": project, "expires_in_days": 3, "max_uses": 5 }),
        )
        .await;
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 40, "{token}");
    let id = created["link"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["link"]["max_uses"], 5);
    assert_eq!(created["link"]["allow_download"], false);

    let listed = s.portal.get(&acme("/share-links"), Some(&s.owner)).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert!(listed.text.contains(&id));
    assert!(
        !listed.text.contains(&token),
        "the token is shown only once"
    );

    let too_long = s
        .send(
            Method::POST,
            &acme("/share-links"),
            Some(json!({ "project_id": project, "expires_in_days": 365 })),
            &s.owner,
        )
        .await;
    assert_eq!(too_long.status, 422);
    let by_member = s
        .send(
            Method::POST,
            &acme("/share-links"),
            Some(json!({ "project_id": project })),
            &s.member,
        )
        .await;
    assert_eq!(
        by_member.status, 403,
        "no create_share_links: {}",
        by_member.text
    );
    let by_contact = s
        .send(
            Method::POST,
            &acme("/share-links"),
            Some(json!({ "project_id": project })),
            &s.contact,
        )
        .await;
    assert_eq!(by_contact.status, 403);
    let foreign = s
        .send(
            Method::POST,
            &globex("/share-links"),
            Some(json!({ "project_id": project })),
            &s.foreign,
        )
        .await;
    assert_eq!(foreign.status, 404, "{}", foreign.text);
    s.foreign_is_missing(Method::POST, "/share-links/{}/revoke", &id, None)
        .await;
    let by_member = s
        .send(
            Method::POST,
            &acme(&format!("/share-links/{id}/revoke")),
            None,
            &s.member,
        )
        .await;
    assert_eq!(by_member.status, 403);
    let links = s
        .portal
        .get(&acme("/share-links"), Some(&s.owner))
        .await
        .json();
    assert_eq!(
        links["items"].as_array().unwrap().len(),
        1,
        "refusals made no link"
    );
    assert_eq!(links["items"][0]["revoked_at"], Value::Null);

    let revoked = s
        .send(
            Method::POST,
            &acme(&format!("/share-links/{id}/revoke")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_ne!(revoked.json()["revoked_at"], Value::Null);
}
