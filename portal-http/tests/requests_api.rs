//! A request's status through the JSON API: `POST /requests/{id}/reopen` (a client follows up
//! on a resolved request) and `PUT /requests/{id}/status` (the team triages, resolves, closes
//! and reopens) — for contacts of every kind, the team, API keys, another client and another
//! tenant, with the audit rows the moves write and proof that refused moves change nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use portal_core::model::{Actor, AuditEvent};
use portal_core::{Permission, RequestId, TenantId, TenantScope, UserId};
use serde_json::{Value, json};
use support::Reply;
use support::api_keys::api_key;
use support::staff_api::{Auth, NOBODY, Team, acme, call, globex};

/// `PUT /requests/{id}/status` on acme, signed in by `cookie`.
async fn put_status(s: &Team, id: &str, status: &str, cookie: &str) -> Reply {
    s.send(
        Method::PUT,
        &acme(&format!("/requests/{id}/status")),
        Some(json!({ "status": status })),
        cookie,
    )
    .await
}

/// `POST /requests/{id}/reopen` on acme, signed in by `cookie`.
async fn reopen(s: &Team, id: &str, cookie: &str) -> Reply {
    s.send(
        Method::POST,
        &acme(&format!("/requests/{id}/reopen")),
        None,
        cookie,
    )
    .await
}

/// A move the caller must be allowed: its answer shows the new status.
async fn moved(s: &Team, id: &str, status: &str, cookie: &str) {
    let reply = put_status(s, id, status, cookie).await;
    assert_eq!(reply.status, 200, "to {status}: {}", reply.text);
    assert_eq!(reply.json()["status"], status, "{}", reply.text);
    assert_eq!(reply.json()["id"], id, "{}", reply.text);
}

/// The status of acme's request `id`, as the store has it.
async fn status_of(s: &Team, tenant: TenantId, id: RequestId) -> &'static str {
    let request = s
        .portal
        .stores
        .requests
        .request(&TenantScope::dangerous_system(tenant), id)
        .await
        .unwrap()
        .unwrap();
    portal_core::state::StateMachine::name(request.status)
}

/// The `request.moved` events of `tenant` about request `id`, oldest first.
async fn moves_of(s: &Team, tenant: TenantId, id: RequestId) -> Vec<AuditEvent> {
    let mut events = s
        .portal
        .audit_events(tenant, "request.moved")
        .await
        .into_iter()
        .filter(|event| event.object.as_ref().map(|object| object.id) == Some(*id.as_uuid()))
        .collect::<Vec<_>>();
    events.sort_by_key(|event| event.seq);
    events
}

/// `(from, to)` of each move.
fn steps(events: &[AuditEvent]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|event| {
            (
                event.details["from"].as_str().unwrap().to_owned(),
                event.details["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The user a session belongs to.
async fn user_of(s: &Team, cookie: &str) -> UserId {
    let me = s.portal.get(&acme("/me"), Some(cookie)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    me.json()["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_contact_reopens_a_resolved_request_and_the_move_is_audited() {
    let s = Team::new().await;
    let request = s.world.a.request;
    let id = request.to_string();
    let manager = s.portal.login("acme", "manager@acme.test").await;

    // Open: there is nothing to reopen.
    let open = reopen(&s, &id, &s.contact).await;
    assert_eq!(open.status, 409, "{}", open.text);
    assert_eq!(open.error_code(), "conflict");
    assert!(
        open.text.contains("only a resolved request"),
        "{}",
        open.text
    );
    assert!(moves_of(&s, s.portal.acme, request).await.is_empty());

    moved(&s, &id, "in_progress", &manager).await;
    let in_progress = reopen(&s, &id, &s.contact).await;
    assert_eq!(in_progress.status, 409, "{}", in_progress.text);
    moved(&s, &id, "resolved", &manager).await;

    // A viewer may read the request but not follow up on it.
    let viewer = s.portal.login("acme", &s.world.a.contact("viewer")).await;
    let refused = reopen(&s, &id, &viewer).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.error_code(), "forbidden");
    assert_eq!(status_of(&s, s.portal.acme, request).await, "resolved");

    let reopened = reopen(&s, &id, &s.contact).await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    let body = reopened.json();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["status"], "open");
    assert_eq!(body["client_id"], s.world.a.client.to_string());
    let fetched = s
        .portal
        .get(&acme(&format!("/requests/{id}")), Some(&s.contact))
        .await;
    assert_eq!(fetched.json()["status"], "open", "{}", fetched.text);

    let events = moves_of(&s, s.portal.acme, request).await;
    assert_eq!(
        steps(&events),
        [
            ("open".into(), "in_progress".into()),
            ("in_progress".into(), "resolved".into()),
            ("resolved".into(), "open".into()),
        ]
    );
    let contact = user_of(&s, &s.contact).await;
    assert_eq!(events[2].actor, Actor::User(contact));
    assert_eq!(
        events[1].actor,
        Actor::User(user_of(&s, &manager).await),
        "the team's moves are the manager's"
    );

    // Open again: a second reopen is a conflict and writes nothing.
    let again = reopen(&s, &id, &s.contact).await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(moves_of(&s, s.portal.acme, request).await.len(), 3);
}

#[tokio::test]
async fn a_contact_cannot_move_a_request_except_back_to_open() {
    let s = Team::new().await;
    let request = s.world.a.request;
    let id = request.to_string();
    let approver = s.portal.login("acme", &s.world.a.contact("approver")).await;
    for cookie in [&s.contact, &approver] {
        for status in ["in_progress", "resolved", "closed", "open"] {
            let refused = put_status(&s, &id, status, cookie).await;
            assert_eq!(refused.status, 403, "{status}: {}", refused.text);
            assert_eq!(refused.error_code(), "forbidden");
        }
    }
    assert_eq!(status_of(&s, s.portal.acme, request).await, "open");
    assert!(moves_of(&s, s.portal.acme, request).await.is_empty());

    // The store lets a contact make the one move `POST …/reopen` makes, by either route.
    let manager = s.portal.login("acme", "manager@acme.test").await;
    moved(&s, &id, "resolved", &manager).await;
    moved(&s, &id, "open", &s.contact).await;
    let events = moves_of(&s, s.portal.acme, request).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].actor, Actor::User(user_of(&s, &s.contact).await));
}

#[tokio::test]
async fn the_team_moves_a_request_through_its_states() {
    let s = Team::new().await;
    let manager = s.portal.login("acme", "manager@acme.test").await;
    let a = s.world.a.request;
    let id = a.to_string();
    for status in ["in_progress", "resolved", "open", "closed"] {
        moved(&s, &id, status, &manager).await;
    }
    // Closed is final.
    for status in ["open", "in_progress", "resolved", "closed"] {
        let refused = put_status(&s, &id, status, &manager).await;
        assert_eq!(refused.status, 409, "closed → {status}: {}", refused.text);
        assert_eq!(refused.error_code(), "conflict");
    }
    let closed = reopen(&s, &id, &manager).await;
    assert_eq!(closed.status, 409, "{}", closed.text);
    let events = moves_of(&s, s.portal.acme, a).await;
    assert_eq!(
        steps(&events),
        [
            ("open".into(), "in_progress".into()),
            ("in_progress".into(), "resolved".into()),
            ("resolved".into(), "open".into()),
            ("open".into(), "closed".into()),
        ]
    );
    let manager_id = user_of(&s, &manager).await;
    assert!(
        events
            .iter()
            .all(|event| event.actor == Actor::User(manager_id))
    );

    // B's request: straight to resolved, which may go back to open but not to closed; the
    // team may also use the reopen route.
    let b = s.world.b.request;
    let id = b.to_string();
    let same = put_status(&s, &id, "open", &manager).await;
    assert_eq!(same.status, 409, "open → open: {}", same.text);
    moved(&s, &id, "resolved", &manager).await;
    for status in ["closed", "in_progress"] {
        let refused = put_status(&s, &id, status, &manager).await;
        assert_eq!(refused.status, 409, "resolved → {status}: {}", refused.text);
    }
    let reopened = reopen(&s, &id, &s.owner).await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(reopened.json()["status"], "open");
    moved(&s, &id, "in_progress", &manager).await;
    let back = put_status(&s, &id, "open", &manager).await;
    assert_eq!(back.status, 409, "in_progress → open: {}", back.text);
    assert_eq!(
        steps(&moves_of(&s, s.portal.acme, b).await),
        [
            ("open".into(), "resolved".into()),
            ("resolved".into(), "open".into()),
            ("open".into(), "in_progress".into()),
        ]
    );
    assert_eq!(status_of(&s, s.portal.acme, b).await, "in_progress");
}

#[tokio::test]
async fn a_bad_status_body_is_refused_with_what_was_wrong() {
    let s = Team::new().await;
    let request = s.world.a.request;
    let path = acme(&format!("/requests/{request}/status"));
    for body in [
        json!({ "status": "done" }),
        json!({ "status": "" }),
        json!({}),
        json!({ "status": "closed", "reason": "spam" }),
    ] {
        let refused = s
            .send(Method::PUT, &path, Some(body.clone()), &s.owner)
            .await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.text);
        assert_eq!(refused.error_code(), "invalid");
        assert!(
            !refused.json()["error"]["message"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    let no_json = s
        .portal
        .send(
            Request::put(&path)
                .header(header::HOST, "portal.example.com")
                .header(header::COOKIE, &s.owner)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("status=closed"))
                .unwrap(),
        )
        .await;
    assert_eq!(no_json.status, 415, "{}", no_json.text);
    let broken = s
        .portal
        .send(
            Request::put(&path)
                .header(header::HOST, "portal.example.com")
                .header(header::COOKIE, &s.owner)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{\"status\":"))
                .unwrap(),
        )
        .await;
    assert_eq!(broken.status, 400, "{}", broken.text);
    // A cross-site write is refused before anything is read.
    let cross_site = s
        .portal
        .send(
            Request::put(&path)
                .header(header::HOST, "portal.example.com")
                .header(header::COOKIE, &s.owner)
                .header("sec-fetch-site", "cross-site")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({ "status": "closed" }).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(cross_site.status, 403, "{}", cross_site.text);
    assert_eq!(status_of(&s, s.portal.acme, request).await, "open");
    assert!(moves_of(&s, s.portal.acme, request).await.is_empty());
}

#[tokio::test]
async fn another_clients_or_tenants_request_is_the_missing_404() {
    let s = Team::new().await;
    let (a, b) = (s.world.a.request, s.world.b.request);
    let body = Some(json!({ "status": "closed" }));
    for (method, template, body) in [
        (Method::PUT, "/requests/{}/status", body.clone()),
        (Method::POST, "/requests/{}/reopen", None),
    ] {
        let path = |id: &str| acme(&template.replace("{}", id));
        // A's contact and B's request.
        let missing = s
            .missing(method.clone(), &path(NOBODY), body.clone(), &s.contact)
            .await;
        let foreign = s
            .send(
                method.clone(),
                &path(&b.to_string()),
                body.clone(),
                &s.contact,
            )
            .await;
        assert_eq!(foreign.status, 404, "{template}: {}", foreign.text);
        assert_eq!(foreign.text, missing.text, "{template}");
        let malformed = s
            .send(method.clone(), &path("not-an-id"), body.clone(), &s.contact)
            .await;
        assert_eq!(malformed.text, missing.text, "{template}");
        // A member of staff assigned to no client, and A's request.
        let missing = s
            .missing(method.clone(), &path(NOBODY), body.clone(), &s.member)
            .await;
        let unassigned = s
            .send(
                method.clone(),
                &path(&a.to_string()),
                body.clone(),
                &s.member,
            )
            .await;
        assert_eq!(unassigned.status, 404, "{template}: {}", unassigned.text);
        assert_eq!(unassigned.text, missing.text, "{template}");
        // Globex's owner, through globex, and acme's request.
        s.foreign_is_missing(method.clone(), template, &a.to_string(), body.clone())
            .await;
        // And through acme's path the globex session opens nothing.
        let other_tenant = s
            .send(
                method.clone(),
                &path(&a.to_string()),
                body.clone(),
                &s.foreign,
            )
            .await;
        assert_eq!(
            other_tenant.status, 401,
            "{template}: {}",
            other_tenant.text
        );
        let anonymous = s
            .anonymous(method.clone(), &path(&a.to_string()), body.clone())
            .await;
        assert_eq!(anonymous.status, 401, "{template}: {}", anonymous.text);
        // The globex request is out of acme's reach whoever asks.
        let globex_request = s
            .send(
                method,
                &path(&s.world.globex.request.to_string()),
                body.clone(),
                &s.owner,
            )
            .await;
        assert_eq!(globex_request.status, 404, "{template}");
    }
    assert_eq!(status_of(&s, s.portal.acme, a).await, "open");
    assert_eq!(status_of(&s, s.portal.acme, b).await, "open");
    let globex_id = s.world.globex.request;
    assert_eq!(status_of(&s, s.portal.globex, globex_id).await, "open");
    assert!(moves_of(&s, s.portal.acme, a).await.is_empty());
    assert!(moves_of(&s, s.portal.acme, b).await.is_empty());
    assert!(moves_of(&s, s.portal.globex, globex_id).await.is_empty());
    // Globex's own request moves for globex's owner, through globex.
    let moved = s
        .send(
            Method::PUT,
            &globex(&format!("/requests/{globex_id}/status")),
            Some(json!({ "status": "in_progress" })),
            &s.foreign,
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moves_of(&s, s.portal.globex, globex_id).await.len(), 1);
    assert!(moves_of(&s, s.portal.acme, a).await.is_empty());
}

#[tokio::test]
async fn an_api_key_moves_requests_only_with_manage_requests() {
    let s = Team::new().await;
    let request = s.world.a.request;
    let path = acme(&format!("/requests/{request}/status"));
    let body = || Some(json!({ "status": "in_progress" }));
    // Both keys reach every client, as the owner who made them does.
    let reader = api_key(
        &s.portal,
        s.portal.acme,
        s.portal.ada,
        &[Permission::AccessAllClients, Permission::ViewRequests],
    )
    .await;
    let refused = call(&s.portal, Method::PUT, &path, body(), Auth::Bearer(&reader)).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let reopen_path = acme(&format!("/requests/{request}/reopen"));
    let refused = call(
        &s.portal,
        Method::POST,
        &reopen_path,
        None,
        Auth::Bearer(&reader),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(moves_of(&s, s.portal.acme, request).await.is_empty());

    let manager = api_key(
        &s.portal,
        s.portal.acme,
        s.portal.ada,
        &[
            Permission::AccessAllClients,
            Permission::ViewRequests,
            Permission::ManageRequests,
        ],
    )
    .await;
    let moved = call(
        &s.portal,
        Method::PUT,
        &path,
        body(),
        Auth::Bearer(&manager),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json()["status"], "in_progress");
    assert_eq!(moves_of(&s, s.portal.acme, request).await.len(), 1);
}

#[tokio::test]
async fn the_openapi_document_describes_both_routes() {
    let s = Team::new().await;
    let doc = s.portal.get("/acme/api/v1/openapi.json", None).await.json();
    let codes = |operation: &Value| -> Vec<String> {
        operation["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let reopen = &doc["paths"]["/api/v1/requests/{request_id}/reopen"]["post"];
    assert_eq!(reopen["tags"], json!(["requests"]));
    // Besides its own answers, every route documents the edge's (408, 429, 500).
    assert_eq!(
        codes(reopen),
        ["200", "401", "403", "404", "408", "409", "429", "500"]
    );
    let status = &doc["paths"]["/api/v1/requests/{request_id}/status"]["put"];
    assert_eq!(status["tags"], json!(["requests"]));
    // … and a route with a JSON body the refusals of its body (400, 413, 415, 422).
    assert_eq!(
        codes(status),
        [
            "200", "400", "401", "403", "404", "408", "409", "413", "415", "422", "429", "500"
        ]
    );
    let body = status["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap();
    assert_eq!(body, "#/components/schemas/RequestStatusBody");
    let schema = &doc["components"]["schemas"]["RequestStatusBody"];
    assert_eq!(schema["required"], json!(["status"]));
    for operation in [reopen, status] {
        assert_eq!(
            operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/RequestView"
        );
    }
}
