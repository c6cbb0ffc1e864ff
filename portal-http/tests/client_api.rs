//! The client-side JSON API through the router: dashboard, work, approvals, updates, decisions,
//! tasks, requests, threads and invoices — for every client role, staff, anonymous callers,
//! another client and another tenant.

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
use serde_json::{Value, json};
use support::client_work::{World, seed};
use support::{Portal, Reply};
use time::Duration;
use tower::ServiceExt as _;

/// A signed-in caller of one tenant.
struct Api<'a> {
    portal: &'a Portal,
    tenant: &'static str,
    cookie: String,
}

impl Api<'_> {
    fn url(&self, path: &str) -> String {
        format!("/{}/api/v1{path}", self.tenant)
    }

    async fn get(&self, path: &str) -> Reply {
        self.portal.get(&self.url(path), Some(&self.cookie)).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.portal
            .post(&self.url(path), body, Some(&self.cookie))
            .await
    }

    /// A GET that must succeed; its JSON.
    async fn ok(&self, path: &str) -> Value {
        let reply = self.get(path).await;
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.text);
        reply.json()
    }
}

async fn signed_in<'a>(portal: &'a Portal, tenant: &'static str, email: &str) -> Api<'a> {
    Api {
        portal,
        tenant,
        cookie: portal.login(tenant, email).await,
    }
}

async fn setup() -> (Portal, World) {
    let portal = Portal::new().await;
    let world = seed(&portal).await;
    (portal, world)
}

fn missing() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn items(value: &Value) -> &Vec<Value> {
    value["items"].as_array().unwrap()
}

fn decision(sha: &str) -> Value {
    json!({
        "decision": "approve",
        "comment": "Looks good",
        "signature": "Alice Approver",
        "version_sha256": sha,
    })
}

/// Every GET route of the area, with client A's ids.
fn get_routes(world: &World) -> Vec<String> {
    let a = &world.a;
    vec![
        format!("/projects/{}", a.project),
        format!("/projects/{}/milestones", a.project),
        format!("/milestones/{}", a.milestone),
        format!("/milestones/{}/deliverables", a.milestone),
        format!("/deliverables/{}", a.deliverable),
        format!("/projects/{}/updates", a.project),
        format!("/projects/{}/decisions", a.project),
        format!("/projects/{}/tasks", a.project),
        format!("/approvals/{}", a.approval),
        format!("/requests/{}", a.request),
        format!("/requests/{}/messages", a.request),
        format!("/threads/project/{}/messages", a.project),
        format!("/threads/approval/{}/messages", a.approval),
        format!("/invoices/{}", a.invoice),
    ]
}

/// The same routes with a fresh id in place of A's.
fn missing_routes(world: &World) -> Vec<String> {
    let a = &world.a;
    get_routes(world)
        .into_iter()
        .map(|route| {
            let mut route = route;
            for id in [
                a.project.to_string(),
                a.milestone.to_string(),
                a.deliverable.to_string(),
                a.approval.to_string(),
                a.request.to_string(),
                a.invoice.to_string(),
            ] {
                route = route.replace(&id, &missing());
            }
            route
        })
        .collect()
}

/// Every list route of the area.
const LISTS: [&str; 5] = [
    "/dashboard",
    "/projects",
    "/approvals",
    "/requests",
    "/invoices",
];

#[tokio::test]
async fn anonymous_callers_get_401_on_every_route_sec_25() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let mut paths: Vec<String> = LISTS.iter().map(ToString::to_string).collect();
    paths.extend(get_routes(&world));
    for path in paths {
        let reply = portal.get(&format!("/acme/api/v1{path}"), None).await;
        assert_eq!(reply.status, 401, "GET {path}");
        assert_eq!(reply.error_code(), "unauthenticated");
    }
    for path in [
        format!("/approvals/{}/decision", a.approval),
        format!("/tasks/{}/done", a.client_task),
        format!("/tasks/{}/reopen", a.client_task),
        "/requests".to_owned(),
        format!("/requests/{}/messages", a.request),
        format!("/threads/project/{}/messages", a.project),
    ] {
        let reply = portal
            .post(&format!("/acme/api/v1{path}"), json!({}), None)
            .await;
        assert_eq!(reply.status, 401, "POST {path}");
    }
}

#[tokio::test]
async fn the_dashboard_says_what_is_done_in_progress_waiting_and_next() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;
    let reply = approver.get("/dashboard").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let board = reply.json();

    let projects = board["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1, "only A's shared project");
    assert_eq!(projects[0]["id"], a.project.to_string());
    assert_eq!(projects[0]["progress"]["milestones_total"], 2);
    assert_eq!(projects[0]["progress"]["milestones_completed"], 1);
    assert!(
        projects[0].get("budget").is_none(),
        "an approver sees no money"
    );

    let approvals = board["pending_approvals"].as_array().unwrap();
    assert_eq!(approvals.len(), 1);
    assert_eq!(approvals[0]["id"], a.approval.to_string());
    assert_eq!(approvals[0]["can_decide"], true);
    assert_eq!(approvals[0]["version_sha256"], a.version_sha());

    let steps = board["next_steps"].as_array().unwrap();
    let step_ids: Vec<&str> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
    let expected = [a.team_task.to_string(), a.client_task.to_string()];
    assert_eq!(
        step_ids,
        expected.iter().map(String::as_str).collect::<Vec<_>>(),
        "open shared tasks, soonest due first"
    );
    assert_eq!(board["latest_updates"].as_array().unwrap().len(), 1);
    assert_eq!(board["latest_updates"][0]["id"], a.update.to_string());
    assert_eq!(board["recent_documents"].as_array().unwrap().len(), 1);
    assert_eq!(board["recent_documents"][0]["id"], a.document.to_string());
    assert!(
        board["open_invoices"].is_null(),
        "an approver may not see invoices"
    );
    assert!(!reply.text.contains("canary-internal"), "{}", reply.text);
    assert!(!reply.text.contains("canary-acme-b"), "{}", reply.text);
}

#[tokio::test]
async fn the_dashboard_shows_open_invoices_only_to_finance_roles_sec_28() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let finance = signed_in(&portal, "acme", &a.contact("finance")).await;
    let board = finance.ok("/dashboard").await;
    let invoices = board["open_invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 1, "the open invoice, not the draft");
    assert_eq!(invoices[0]["id"], a.invoice.to_string());
    assert!(invoices[0].get("internal_note").is_none());
    assert!(invoices[0].get("external_id").is_none());
    assert_eq!(
        board["projects"][0]["budget"],
        json!({ "amount_minor": 5_000_000, "currency": "EUR" })
    );
    assert_eq!(board["pending_approvals"][0]["can_decide"], false);

    for role in ["viewer", "approver"] {
        let contact = signed_in(&portal, "acme", &a.contact(role)).await;
        let board = contact.ok("/dashboard").await;
        assert!(board["open_invoices"].is_null(), "{role}");
    }
    let member = signed_in(&portal, "acme", "member@acme.test").await;
    let board = member.ok("/dashboard").await;
    assert!(board["open_invoices"].is_null(), "a member has no invoices");
    assert_eq!(board["projects"], json!([]), "a member reaches no client");
}

/// The dashboard is served from memory while nothing changed, yet another person's write shows
/// on the very next request (the cache is checked against the stores' change stamp).
#[tokio::test]
async fn the_dashboard_shows_another_persons_change_at_once() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;
    let manager = signed_in(&portal, "acme", "manager@acme.test").await;
    let first = approver.ok("/dashboard").await;
    assert_eq!(
        approver.ok("/dashboard").await,
        first,
        "unchanged, answered alike"
    );
    assert_eq!(first["next_steps"].as_array().unwrap().len(), 2);

    let done = manager
        .post(&format!("/tasks/{}/done", a.team_task), json!({}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let after = approver.ok("/dashboard").await;
    let steps: Vec<&str> = after["next_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [a.client_task.to_string()],
        "the team's task is done"
    );

    // Each caller gets their own answer: the finance contact's holds invoices, the approver's
    // (asked first, so cached) does not.
    let finance = signed_in(&portal, "acme", &a.contact("finance")).await;
    assert!(finance.ok("/dashboard").await["open_invoices"].is_array());
    assert!(approver.ok("/dashboard").await["open_invoices"].is_null());
}

#[tokio::test]
async fn staff_dashboards_and_lists_include_internal_work() {
    let (portal, world) = setup().await;
    let manager = signed_in(&portal, "acme", "manager@acme.test").await;
    let reply = manager.get("/dashboard").await;
    assert_eq!(reply.status, 200);
    let board = reply.json();
    assert_eq!(
        board["projects"].as_array().unwrap().len(),
        4,
        "both clients, shared and internal"
    );
    assert_eq!(board["open_invoices"].as_array().unwrap().len(), 2);
    assert!(reply.text.contains("canary-internal-acme-a"));
    assert!(reply.text.contains("canary-acme-b"));
    assert!(board["open_invoices"][0]["internal_note"].is_string());

    let project = manager
        .ok(&format!("/projects/{}", world.a.internal_project))
        .await;
    assert_eq!(project["visibility"], "internal");
    let shared = manager.ok(&format!("/projects/{}", world.a.project)).await;
    assert_eq!(shared["external_id"], "ext-canary-internal-acme-a");
}

#[tokio::test]
async fn contacts_see_their_shared_work_and_no_internal_fields_sec_28() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;

    let projects = approver.ok("/projects").await;
    assert_eq!(items(&projects).len(), 1);
    assert_eq!(items(&projects)[0]["progress"]["milestones_total"], 2);
    assert!(projects["next_cursor"].is_null());

    let project = approver.ok(&format!("/projects/{}", a.project)).await;
    assert_eq!(project["client_id"], a.client.to_string());
    assert_eq!(project["status"], "active");
    for field in ["budget", "external_id"] {
        assert!(project.get(field).is_none(), "{field} leaked: {project}");
    }

    let milestones = approver
        .ok(&format!("/projects/{}/milestones", a.project))
        .await;
    let ids: Vec<&str> = items(&milestones)
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&a.internal_milestone.to_string().as_str()));
    let milestone = approver.ok(&format!("/milestones/{}", a.milestone)).await;
    assert_eq!(milestone["status"], "in_progress");
    assert_eq!(milestone["due_on"], "2030-01-01");

    let deliverables = approver
        .ok(&format!("/milestones/{}/deliverables", a.milestone))
        .await;
    assert_eq!(items(&deliverables).len(), 1);
    let deliverable = approver
        .ok(&format!("/deliverables/{}", a.deliverable))
        .await;
    assert_eq!(deliverable["status"], "in_review");
    assert_eq!(deliverable["project_id"], a.project.to_string());

    let updates = approver
        .ok(&format!("/projects/{}/updates", a.project))
        .await;
    assert_eq!(items(&updates).len(), 1, "the draft stays hidden");
    let decisions = approver
        .ok(&format!("/projects/{}/decisions", a.project))
        .await;
    assert_eq!(items(&decisions).len(), 1);
    assert_eq!(items(&decisions)[0]["decided_on"], "2026-01-15");
    let tasks = approver.ok(&format!("/projects/{}/tasks", a.project)).await;
    assert_eq!(items(&tasks).len(), 2);

    let paged = approver.ok("/projects?limit=1").await;
    assert_eq!(items(&paged).len(), 1);
    let bad_limit = approver.get("/projects?limit=0").await;
    assert_eq!(bad_limit.status, 422);
    let bad_client = approver.get("/projects?client_id=nope").await;
    assert_eq!(bad_client.status, 422);
    assert_eq!(bad_client.json()["error"]["fields"], json!(["client_id"]));

    // Internal objects answer exactly like missing ones.
    let not_found = approver.get(&format!("/projects/{}", missing())).await;
    assert_eq!(not_found.status, 404);
    for path in [
        format!("/projects/{}", a.internal_project),
        format!("/milestones/{}", a.internal_milestone),
        format!("/projects/{}/milestones", a.internal_project),
        format!("/projects/{}/updates", a.internal_project),
    ] {
        let reply = approver.get(&path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.text, not_found.text, "{path}");
    }
    for list in [&projects, &milestones, &updates, &decisions, &tasks] {
        assert!(!list.to_string().contains("canary-internal"), "{list}");
    }
}

#[tokio::test]
async fn another_clients_and_another_tenants_objects_answer_like_missing_ones_sec_26() {
    let (portal, world) = setup().await;
    let outsiders = [
        signed_in(&portal, "acme", &world.b.contact("client_admin")).await,
        signed_in(&portal, "acme", &world.b.contact("finance")).await,
        signed_in(&portal, "acme", "member@acme.test").await,
        signed_in(&portal, "globex", "gil@globex.test").await,
        signed_in(&portal, "globex", &world.globex.contact("finance")).await,
    ];
    let routes = get_routes(&world);
    let missing_routes = missing_routes(&world);
    for outsider in &outsiders {
        for (route, missing_route) in routes.iter().zip(&missing_routes) {
            let foreign = outsider.get(route).await;
            let absent = outsider.get(missing_route).await;
            assert_eq!(foreign.status, 404, "{} {route}", outsider.tenant);
            assert_eq!(absent.status, 404, "{} {missing_route}", outsider.tenant);
            assert_eq!(foreign.text, absent.text, "{route}");
        }
    }
    // The same for every write, and none of them changed anything.
    let a = &world.a;
    for outsider in &outsiders {
        for (path, body) in [
            (
                format!("/approvals/{}/decision", a.approval),
                decision(&a.version_sha()),
            ),
            (format!("/tasks/{}/done", a.client_task), json!({})),
            (
                format!("/requests/{}/messages", a.request),
                json!({ "body": "hi" }),
            ),
            (
                format!("/threads/project/{}/messages", a.project),
                json!({ "body": "hi" }),
            ),
            (
                "/requests".to_owned(),
                json!({ "project_id": a.project.to_string(), "title": "x", "body": "y" }),
            ),
        ] {
            let reply = outsider.post(&path, body).await;
            assert_eq!(
                reply.status, 404,
                "{} POST {path}: {}",
                outsider.tenant, reply.text
            );
            assert_eq!(reply.error_code(), "not_found");
        }
    }
    let manager = signed_in(&portal, "acme", "manager@acme.test").await;
    let approval = manager.ok(&format!("/approvals/{}", a.approval)).await;
    assert_eq!(approval["status"], "pending");
    let tasks = manager.ok(&format!("/projects/{}/tasks", a.project)).await;
    assert!(items(&tasks).iter().all(|task| task["status"] == "open"));
    let messages = manager
        .ok(&format!("/requests/{}/messages", a.request))
        .await;
    assert_eq!(items(&messages).len(), 2, "no message was added");
    let requests = manager.ok("/requests").await;
    assert_eq!(items(&requests).len(), 2, "one seeded request per client");
}

#[tokio::test]
async fn no_acme_canary_ever_reaches_globex_sec_27() {
    let (portal, world) = setup().await;
    let mut callers = vec![
        signed_in(&portal, "globex", "gil@globex.test").await,
        signed_in(&portal, "globex", "manager@globex.test").await,
    ];
    for role in ["client_admin", "approver", "finance", "viewer"] {
        callers.push(signed_in(&portal, "globex", &world.globex.contact(role)).await);
    }
    let g = &world.globex;
    let mut paths: Vec<String> = LISTS.iter().map(ToString::to_string).collect();
    paths.extend([
        format!("/projects/{}", g.project),
        format!("/projects/{}/milestones", g.project),
        format!("/projects/{}/updates", g.project),
        format!("/projects/{}/decisions", g.project),
        format!("/projects/{}/tasks", g.project),
        format!("/threads/project/{}/messages", g.project),
        format!("/requests/{}/messages", g.request),
    ]);
    paths.extend(get_routes(&world));
    // A header naming acme changes nothing: the tenant comes from the path and the session.
    for caller in &callers {
        for path in &paths {
            let request = Request::get(caller.url(path))
                .header(header::HOST, "portal.example.com")
                .header(header::COOKIE, &caller.cookie)
                .header("x-tenant-id", world.a.tenant.to_string())
                .body(Body::empty())
                .unwrap();
            let reply = portal.send(request).await;
            assert!(
                !reply.text.contains("canary-acme"),
                "{path} leaked acme data: {}",
                reply.text
            );
        }
    }
    let gil = &callers[0];
    let board = gil.ok("/dashboard").await;
    assert!(
        board.to_string().contains("canary-globex-g"),
        "globex sees its own work"
    );
}

#[tokio::test]
async fn approving_binds_the_decision_to_the_versions_sha256_sec_30() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;
    let path = format!("/approvals/{}/decision", a.approval);

    let other = "ab".repeat(32);
    let wrong = approver.post(&path, decision(&other)).await;
    assert_eq!(wrong.status, 409, "{}", wrong.text);
    let still = approver.ok(&format!("/approvals/{}", a.approval)).await;
    assert_eq!(still["status"], "pending");

    let reply = approver
        .post(&path, decision(&a.version_sha().to_uppercase()))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let approval = reply.json();
    assert_eq!(approval["status"], "approved");
    assert_eq!(approval["signature"], "Alice Approver");
    assert_eq!(approval["comment"], "Looks good");
    assert_eq!(approval["can_decide"], false);
    assert!(approval["decided_at"].is_string());
    let deliverable = approver
        .ok(&format!("/deliverables/{}", a.deliverable))
        .await;
    assert_eq!(deliverable["status"], "approved");

    let again = approver.post(&path, decision(&a.version_sha())).await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.error_code(), "conflict");
    let pending = approver.ok("/approvals?status=pending").await;
    assert_eq!(items(&pending).len(), 0);
    let approved = approver.ok("/approvals?status=approved").await;
    assert_eq!(items(&approved).len(), 1);
}

#[tokio::test]
async fn requesting_changes_is_a_decision_too() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let admin = signed_in(&portal, "acme", &a.contact("client_admin")).await;
    let reply = admin
        .post(
            &format!("/approvals/{}/decision", a.approval),
            json!({
                "decision": "request_changes",
                "signature": "Carla Admin",
                "version_sha256": a.version_sha(),
            }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["status"], "changes_requested");
    assert!(reply.json()["comment"].is_null());
    let deliverable = admin.ok(&format!("/deliverables/{}", a.deliverable)).await;
    assert_eq!(deliverable["status"], "changes_requested");
}

#[tokio::test]
async fn approving_needs_a_recent_login_sec_20() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;
    portal.clock.advance(Duration::minutes(11));
    let path = format!("/approvals/{}/decision", a.approval);
    let stale = approver.post(&path, decision(&a.version_sha())).await;
    assert_eq!(stale.status, 403, "{}", stale.text);
    assert_eq!(stale.error_code(), "reauth_required");
    let approval = approver.ok(&format!("/approvals/{}", a.approval)).await;
    assert_eq!(approval["status"], "pending", "the session still reads");

    let fresh = signed_in(&portal, "acme", &a.contact("approver")).await;
    let reply = fresh.post(&path, decision(&a.version_sha())).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn twenty_concurrent_approvals_have_exactly_one_winner_sec_30() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;
    let url = approver.url(&format!("/approvals/{}/decision", a.approval));
    let body = decision(&a.version_sha()).to_string();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let request = Request::post(&url)
            .header(header::HOST, "portal.example.com")
            .header(header::CONTENT_TYPE, "application/json")
            .header("sec-fetch-site", "same-origin")
            .header(header::COOKIE, &approver.cookie)
            .body(Body::from(body.clone()))
            .unwrap();
        let router = portal.router.clone();
        tasks.spawn(async move { router.oneshot(request).await.unwrap().status().as_u16() });
    }
    let mut statuses = tasks.join_all().await;
    statuses.sort_unstable();
    assert_eq!(statuses[0], 200);
    assert_eq!(statuses[1..], [409; 19], "{statuses:?}");
}

#[tokio::test]
async fn roles_without_the_permission_may_not_decide_and_nothing_changes_sec_26() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let path = format!("/approvals/{}/decision", a.approval);
    for role in ["viewer", "finance"] {
        let contact = signed_in(&portal, "acme", &a.contact(role)).await;
        let reply = contact.post(&path, decision(&a.version_sha())).await;
        assert_eq!(reply.status, 403, "{role}: {}", reply.text);
        assert_eq!(reply.error_code(), "forbidden");
    }
    // Staff never sign in the client's name.
    let manager = signed_in(&portal, "acme", "manager@acme.test").await;
    let reply = manager.post(&path, decision(&a.version_sha())).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    let approval = manager.ok(&format!("/approvals/{}", a.approval)).await;
    assert_eq!(approval["status"], "pending");
    assert!(approval["decided_by"].is_null());
}

#[tokio::test]
async fn decision_bodies_are_checked_field_by_field_sec_28() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;
    let path = format!("/approvals/{}/decision", a.approval);

    let mut extra = decision(&a.version_sha());
    extra["status"] = json!("approved");
    let reply = approver.post(&path, extra).await;
    assert_eq!(reply.status, 422, "unknown fields are refused");

    let mut blank = decision(&a.version_sha());
    blank["signature"] = json!("   ");
    let reply = approver.post(&path, blank).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["error"]["fields"], json!(["signature"]));

    let reply = approver.post(&path, decision("not-a-digest")).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["error"]["fields"], json!(["version_sha256"]));

    let mut long = decision(&a.version_sha());
    long["comment"] = json!("x".repeat(20_001));
    let reply = approver.post(&path, long).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["error"]["fields"], json!(["comment"]));

    let mut unknown = decision(&a.version_sha());
    unknown["decision"] = json!("maybe");
    assert_eq!(approver.post(&path, unknown).await.status, 422);

    let plain = Request::post(approver.url(&path))
        .header(header::HOST, "portal.example.com")
        .header(header::CONTENT_TYPE, "text/plain")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &approver.cookie)
        .body(Body::from(decision(&a.version_sha()).to_string()))
        .unwrap();
    assert_eq!(portal.send(plain).await.status, 415);

    let approval = approver.ok(&format!("/approvals/{}", a.approval)).await;
    assert_eq!(approval["status"], "pending");
}

#[tokio::test]
async fn tasks_are_marked_done_and_reopened_by_their_own_side() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;

    let done = approver
        .post(&format!("/tasks/{}/done", a.client_task), json!({}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json()["status"], "done");
    let twice = approver
        .post(&format!("/tasks/{}/done", a.client_task), json!({}))
        .await;
    assert_eq!(twice.status, 409);
    let board = approver.ok("/dashboard").await;
    assert_eq!(board["next_steps"].as_array().unwrap().len(), 1);
    let reopened = approver
        .post(&format!("/tasks/{}/reopen", a.client_task), json!({}))
        .await;
    assert_eq!(reopened.status, 200);
    assert_eq!(reopened.json()["status"], "open");

    let teams = approver
        .post(&format!("/tasks/{}/done", a.team_task), json!({}))
        .await;
    assert_eq!(teams.status, 403, "the team's task is the team's move");
    let viewer = signed_in(&portal, "acme", &a.contact("viewer")).await;
    let reply = viewer
        .post(&format!("/tasks/{}/done", a.client_task), json!({}))
        .await;
    assert_eq!(reply.status, 403, "a viewer changes nothing");
    let hidden = approver
        .post(&format!("/tasks/{}/done", a.internal_task), json!({}))
        .await;
    assert_eq!(hidden.status, 404);

    let manager = signed_in(&portal, "acme", "manager@acme.test").await;
    let reply = manager
        .post(&format!("/tasks/{}/done", a.team_task), json!({}))
        .await;
    assert_eq!(reply.status, 200);
    let tasks = manager.ok(&format!("/projects/{}/tasks", a.project)).await;
    let open: Vec<&Value> = items(&tasks)
        .iter()
        .filter(|task| task["status"] == "open")
        .collect();
    assert_eq!(open.len(), 2, "the client's task and the internal one");
}

#[tokio::test]
async fn contacts_submit_list_and_reply_to_requests() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;

    let reply = approver
        .post(
            "/requests",
            json!({ "title": "A new logo", "body": "Could you draw one?" }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let created = reply.json();
    assert_eq!(created["client_id"], a.client.to_string());
    assert_eq!(created["status"], "open");
    let id = created["id"].as_str().unwrap().to_owned();

    let with_project = approver
        .post(
            "/requests",
            json!({ "project_id": a.project.to_string(), "title": "Footer", "body": "Bigger" }),
        )
        .await;
    assert_eq!(with_project.status, 201, "{}", with_project.text);
    assert_eq!(with_project.json()["project_id"], a.project.to_string());

    let list = approver.ok("/requests").await;
    assert_eq!(items(&list).len(), 3);
    let open = approver.ok("/requests?status=open").await;
    assert_eq!(items(&open).len(), 3);
    let fetched = approver.ok(&format!("/requests/{id}")).await;
    assert_eq!(fetched["title"], "A new logo");

    let posted = approver
        .post(
            &format!("/requests/{id}/messages"),
            json!({ "body": "Any news?" }),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    assert_eq!(posted.json()["visibility"], "shared");

    let seeded = approver
        .ok(&format!("/requests/{}/messages", a.request))
        .await;
    assert_eq!(items(&seeded).len(), 1, "the internal note stays internal");
    assert!(!seeded.to_string().contains("canary-internal"));

    for (body, field) in [
        (json!({ "title": " ", "body": "x" }), "title"),
        (json!({ "title": "x", "body": "" }), "body"),
        (
            json!({ "title": "x", "body": "y", "project_id": "nope" }),
            "project_id",
        ),
    ] {
        let reply = approver.post("/requests", body).await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        assert_eq!(reply.json()["error"]["fields"], json!([field]));
    }
    let mass = approver
        .post(
            "/requests",
            json!({ "title": "x", "body": "y", "status": "resolved" }),
        )
        .await;
    assert_eq!(mass.status, 422, "no mass assignment");

    let viewer = signed_in(&portal, "acme", &a.contact("viewer")).await;
    let refused = viewer
        .post("/requests", json!({ "title": "x", "body": "y" }))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let silent = viewer
        .post(
            &format!("/requests/{id}/messages"),
            json!({ "body": "hello" }),
        )
        .await;
    assert_eq!(silent.status, 403, "a viewer may not comment");
    let list = approver.ok("/requests").await;
    assert_eq!(items(&list).len(), 3, "the refused writes added nothing");

    let b_contact = signed_in(&portal, "acme", &world.b.contact("approver")).await;
    let foreign = b_contact
        .post(
            "/requests",
            json!({ "client_id": a.client.to_string(), "title": "x", "body": "y" }),
        )
        .await;
    assert_eq!(foreign.status, 404, "{}", foreign.text);
}

#[tokio::test]
async fn internal_messages_stay_internal_sec_28() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let thread = format!("/threads/project/{}/messages", a.project);
    let approver = signed_in(&portal, "acme", &a.contact("approver")).await;
    let manager = signed_in(&portal, "acme", "manager@acme.test").await;

    let seen = approver.ok(&thread).await;
    assert_eq!(items(&seen).len(), 1);
    assert!(!seen.to_string().contains("canary-internal"));
    let all = manager.ok(&thread).await;
    assert_eq!(items(&all).len(), 2);

    // A contact cannot whisper to the team: their messages are always shared.
    let posted = approver
        .post(
            &thread,
            json!({ "body": "Thanks!", "visibility": "internal" }),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text);
    assert_eq!(posted.json()["visibility"], "shared");

    // Staff messages are internal unless published on purpose.
    let note = manager
        .post(&thread, json!({ "body": "Note canary-internal-new" }))
        .await;
    assert_eq!(note.status, 201);
    assert_eq!(note.json()["visibility"], "internal");
    let shared = manager
        .post(
            &thread,
            json!({ "body": "Shipped", "visibility": "shared" }),
        )
        .await;
    assert_eq!(shared.status, 201);

    let seen = approver.ok(&thread).await;
    let bodies: Vec<&str> = items(&seen)
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert!(bodies.contains(&"Shipped"));
    assert!(!seen.to_string().contains("canary-internal"));

    let approval_thread = approver
        .ok(&format!("/threads/approval/{}/messages", a.approval))
        .await;
    assert_eq!(items(&approval_thread).len(), 0, "no thread opened yet");
    let internal_subject = approver
        .get(&format!("/threads/task/{}/messages", a.internal_task))
        .await;
    assert_eq!(internal_subject.status, 404);
    let bad_kind = approver
        .get(&format!("/threads/invoice/{}/messages", a.invoice))
        .await;
    assert_eq!(bad_kind.status, 404);
    let blank = approver.post(&thread, json!({ "body": "  " })).await;
    assert_eq!(blank.status, 422);
    assert_eq!(blank.json()["error"]["fields"], json!(["body"]));
    let viewer = signed_in(&portal, "acme", &a.contact("viewer")).await;
    assert_eq!(
        viewer.post(&thread, json!({ "body": "hi" })).await.status,
        403
    );
}

#[tokio::test]
async fn invoices_are_for_finance_roles_and_carry_no_internal_note_sec_28() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let finance = signed_in(&portal, "acme", &a.contact("finance")).await;

    let list = finance.get("/invoices").await;
    assert_eq!(list.status, 200);
    let list_json = list.json();
    assert_eq!(items(&list_json).len(), 1, "drafts are the team's");
    assert!(!list.text.contains("internal_note"), "{}", list.text);
    assert!(!list.text.contains("canary-internal"), "{}", list.text);

    let reply = finance.get(&format!("/invoices/{}", a.invoice)).await;
    assert_eq!(reply.status, 200);
    let invoice = reply.json();
    assert_eq!(
        invoice["amount"],
        json!({ "amount_minor": 120_000, "currency": "EUR" })
    );
    assert_eq!(invoice["status"], "open");
    assert_eq!(invoice["state"], "open");
    assert_eq!(invoice["due_on"], "2099-01-31");
    assert_eq!(invoice["payment_url"], "https://pay.example.com/inv/1");
    for field in ["internal_note", "external_id"] {
        assert!(invoice.get(field).is_none(), "{field}: {invoice}");
    }
    let draft = finance.get(&format!("/invoices/{}", a.draft_invoice)).await;
    assert_eq!(draft.status, 404);

    let admin = signed_in(&portal, "acme", &a.contact("client_admin")).await;
    assert_eq!(items(&admin.ok("/invoices").await).len(), 1);

    for role in ["viewer", "approver"] {
        let contact = signed_in(&portal, "acme", &a.contact(role)).await;
        assert_eq!(items(&contact.ok("/invoices").await).len(), 0, "{role}");
        let reply = contact.get(&format!("/invoices/{}", a.invoice)).await;
        assert_eq!(reply.status, 403, "{role}: {}", reply.text);
    }

    let manager = signed_in(&portal, "acme", "manager@acme.test").await;
    let staff_view = manager.ok(&format!("/invoices/{}", a.invoice)).await;
    assert!(staff_view["internal_note"].is_string());
    assert!(staff_view["external_id"].is_string());
    let all = manager
        .ok(&format!("/invoices?client_id={}", a.client))
        .await;
    assert_eq!(items(&all).len(), 2, "staff see drafts");
    let open = manager
        .ok(&format!("/invoices?client_id={}&status=open", a.client))
        .await;
    assert_eq!(items(&open).len(), 1);
}

#[tokio::test]
async fn the_openapi_document_lists_the_client_routes() {
    let (portal, _world) = setup().await;
    let reply = portal.get("/acme/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, 200);
    let paths = &reply.json()["paths"];
    for path in [
        "/api/v1/dashboard",
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/milestones",
        "/api/v1/milestones/{milestone_id}",
        "/api/v1/milestones/{milestone_id}/deliverables",
        "/api/v1/deliverables/{deliverable_id}",
        "/api/v1/projects/{project_id}/updates",
        "/api/v1/projects/{project_id}/decisions",
        "/api/v1/projects/{project_id}/tasks",
        "/api/v1/tasks/{task_id}/done",
        "/api/v1/tasks/{task_id}/reopen",
        "/api/v1/approvals",
        "/api/v1/approvals/{approval_id}",
        "/api/v1/approvals/{approval_id}/decision",
        "/api/v1/requests",
        "/api/v1/requests/{request_id}",
        "/api/v1/requests/{request_id}/messages",
        "/api/v1/threads/{kind}/{subject_id}/messages",
        "/api/v1/invoices",
        "/api/v1/invoices/{invoice_id}",
    ] {
        assert!(paths.get(path).is_some(), "{path} missing");
    }
    assert!(paths["/api/v1/requests"].get("post").is_some());
    assert!(paths["/api/v1/requests"].get("get").is_some());
}

/// The component a `$ref` names.
fn component<'a>(doc: &'a Value, reference: &Value) -> &'a Value {
    let name = reference
        .as_str()
        .unwrap()
        .trim_start_matches("#/components/schemas/");
    &doc["components"]["schemas"][name]
}

/// Checks that `value` has only the documented properties and every required one.
fn conforms(schema: &Value, value: &Value, route: &str) {
    let properties = schema["properties"].as_object().unwrap();
    let object = value.as_object().unwrap();
    for key in object.keys() {
        assert!(
            properties.contains_key(key),
            "{route}: `{key}` is undocumented"
        );
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let required = required.as_str().unwrap();
        assert!(
            object.contains_key(required),
            "{route}: `{required}` missing"
        );
    }
}

#[tokio::test]
async fn answers_match_their_documented_schemas() {
    let (portal, world) = setup().await;
    let a = &world.a;
    let doc = portal.get("/acme/api/v1/openapi.json", None).await.json();
    // Staff see every field, so every documented optional field is exercised.
    let manager = signed_in(&portal, "acme", "manager@acme.test").await;
    let routes = [
        ("/dashboard", "/dashboard".to_owned()),
        ("/projects", "/projects".to_owned()),
        ("/projects/{project_id}", format!("/projects/{}", a.project)),
        (
            "/projects/{project_id}/milestones",
            format!("/projects/{}/milestones", a.project),
        ),
        (
            "/milestones/{milestone_id}",
            format!("/milestones/{}", a.milestone),
        ),
        (
            "/milestones/{milestone_id}/deliverables",
            format!("/milestones/{}/deliverables", a.milestone),
        ),
        (
            "/deliverables/{deliverable_id}",
            format!("/deliverables/{}", a.deliverable),
        ),
        (
            "/projects/{project_id}/updates",
            format!("/projects/{}/updates", a.project),
        ),
        (
            "/projects/{project_id}/decisions",
            format!("/projects/{}/decisions", a.project),
        ),
        (
            "/projects/{project_id}/tasks",
            format!("/projects/{}/tasks", a.project),
        ),
        ("/approvals", "/approvals".to_owned()),
        (
            "/approvals/{approval_id}",
            format!("/approvals/{}", a.approval),
        ),
        ("/requests", "/requests".to_owned()),
        ("/requests/{request_id}", format!("/requests/{}", a.request)),
        (
            "/requests/{request_id}/messages",
            format!("/requests/{}/messages", a.request),
        ),
        (
            "/threads/{kind}/{subject_id}/messages",
            format!("/threads/project/{}/messages", a.project),
        ),
        ("/invoices", "/invoices".to_owned()),
        ("/invoices/{invoice_id}", format!("/invoices/{}", a.invoice)),
    ];
    for (template, path) in routes {
        let answer = manager.ok(&path).await;
        let reference = &doc["paths"][format!("/api/v1{template}")]["get"]["responses"]["200"]["content"]
            ["application/json"]["schema"]["$ref"];
        let schema = component(&doc, reference);
        conforms(schema, &answer, template);
        if let Some(element) = schema["properties"]["items"]["items"].get("$ref") {
            let element = component(&doc, element);
            assert!(!items(&answer).is_empty(), "{template}: nothing to check");
            for item in items(&answer) {
                conforms(element, item, template);
            }
        }
    }
}

/// A cross-tenant attempt — globex's manager asking for acme's project by its real id — is
/// answered like a missing id and recorded as `authz.denied` in the caller's own chain (where
/// the caller's tenant can see who probes), and nothing of it reaches acme's chain (SEC-40).
#[tokio::test]
async fn a_cross_tenant_attempt_is_audited_in_the_callers_chain_sec_40() {
    let (portal, world) = setup().await;
    let acme_before = portal.audit_events(portal.acme, "authz.denied").await.len();
    let manager = signed_in(&portal, "globex", "manager@globex.test").await;

    let foreign = manager.get(&format!("/projects/{}", world.a.project)).await;
    let absent = manager.get(&format!("/projects/{}", missing())).await;
    assert_eq!(foreign.status, 404);
    assert_eq!(
        foreign.json(),
        absent.json(),
        "a foreign id reads as a missing one"
    );

    let globex_denied = portal.audit_events(portal.globex, "authz.denied").await;
    assert_eq!(globex_denied.len(), 2, "{globex_denied:?}");
    for event in &globex_denied {
        assert_eq!(event.details["route"], "/api/v1/projects/{project_id}");
        assert_eq!(event.details["status"], 404);
        assert_eq!(format!("{:?}", event.outcome), "Denied");
        assert!(
            !event
                .details
                .to_string()
                .contains(&world.a.project.to_string()),
            "the event names the route, not the probed id: {event:?}"
        );
    }
    assert_eq!(
        portal.audit_events(portal.acme, "authz.denied").await.len(),
        acme_before
    );
}
