//! The requests pages: a contact's client's requests (open first, who asked, last activity) and
//! nothing of other clients or tenants; submitting one (only with `submit_requests`, with the
//! form token, every mistake next to its field); a request's conversation without internal
//! messages; replying; reopening a resolved request; German.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]
#![cfg(feature = "pages")]

mod pages_support;
mod support;

use pages_support::{
    assert_shows, audited, form_token, get, input_value, location, missing, post_form, seeded,
    sign_in,
};
use portal_core::model::AuditContext;
use portal_core::state::RequestStatus;
use portal_core::{RequestId, TenantScope};
use support::Portal;
use support::staff_api::NOBODY;

/// What a contact of acme's client A must never see.
const FOREIGN_TO_CLIENT_A: [&str; 3] = ["canary-internal", "canary-acme-b", "canary-globex"];

/// Moves a request as the system would (the team's moves are not these pages').
async fn move_request(portal: &Portal, id: RequestId, to: RequestStatus) {
    portal
        .stores
        .requests
        .move_request(
            &TenantScope::dangerous_system(portal.acme),
            id,
            to,
            &AuditContext::default(),
        )
        .await
        .unwrap();
}

/// The id in a `…/requests/{id}?notice=…` location.
fn request_id(location: &str) -> RequestId {
    let rest = location.split("/requests/").nth(1).unwrap();
    rest.split('?').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_contact_sees_their_clients_requests_open_first_and_nothing_else() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert!(
        overview.contains("href=\"/acme/requests\">Requests</a>"),
        "{overview}"
    );

    // A second request, then the first resolved: the open one comes first.
    let token = form_token(&portal, &jar).await;
    let submitted = post_form(
        &portal,
        "/acme/requests",
        &[
            ("csrf_token", &token),
            ("title", "Second canary-acme-a"),
            ("body", "More"),
            ("project_id", ""),
        ],
        &jar,
    )
    .await;
    assert_eq!(submitted.status, 303, "{}", submitted.text);
    move_request(&portal, world.a.request, RequestStatus::InProgress).await;
    move_request(&portal, world.a.request, RequestStatus::Resolved).await;

    let page = get(&portal, "/acme/requests", &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert_shows(
        html,
        &[
            "<h1 class=\"page__title\">Requests</h1>",
            "href=\"/acme/requests/new\"",
            &format!(
                "href=\"/acme/requests/{}\">New page canary-acme-a</a>",
                world.a.request
            ),
            "Asked by Approver",
            "Asked by You",
            "Last activity <time datetime=\"",
            "Website canary-acme-a",
            ">Resolved</span>",
            ">Open</span>",
        ],
    );
    let second = html.find("Second canary-acme-a").unwrap();
    let done = html.find("Resolved and closed").unwrap();
    let first = html.find("New page canary-acme-a").unwrap();
    assert!(second < done && done < first, "open first: {html}");
    for canary in FOREIGN_TO_CLIENT_A {
        assert!(!html.contains(canary), "sees {canary}: {html}");
    }
}

#[tokio::test]
async fn the_team_sees_every_clients_requests_and_cannot_submit_here() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", "manager@acme.test").await;
    let html = get(&portal, "/acme/requests", &jar, None).await.text;
    assert!(html.contains("New page canary-acme-a"), "{html}");
    assert!(html.contains("New page canary-acme-b"), "{html}");
    assert!(
        html.contains("Client canary-acme-b"),
        "staff see the client: {html}"
    );
    assert!(!html.contains("canary-globex"), "{html}");
    assert!(!html.contains("/acme/requests/new"), "{html}");
    let reply = get(&portal, "/acme/requests/new", &jar, None).await;
    assert_eq!(reply.status, 404);
    // Staff see the request's internal messages, marked.
    let html = get(
        &portal,
        &format!("/acme/requests/{}", world.a.request),
        &jar,
        None,
    )
    .await
    .text;
    assert!(html.contains("Cheap fix canary-internal-acme-a"), "{html}");
    assert!(html.contains(">Internal</span>"), "{html}");
}

#[tokio::test]
async fn a_request_shows_its_details_and_shared_replies_never_internal_ones() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let page = get(
        &portal,
        &format!("/acme/requests/{}", world.a.request),
        &jar,
        None,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert_shows(
        html,
        &[
            "<h1 class=\"page__title\">New page canary-acme-a</h1>",
            "Please add a page canary-acme-a",
            "Asked by Approver",
            "On it canary-acme-a",
            "<span class=\"message__author\">Acme Agency</span>",
            "Website canary-acme-a",
        ],
    );
    for canary in FOREIGN_TO_CLIENT_A {
        assert!(!html.contains(canary), "sees {canary}: {html}");
    }
    // A viewer neither replies nor reopens.
    assert!(!html.contains("name=\"body\""), "{html}");
    assert!(!html.contains("/reopen"), "{html}");
}

#[tokio::test]
async fn another_clients_or_tenants_request_and_unknown_ids_are_the_same_404() {
    let (portal, world) = seeded().await;
    let missing = missing(&portal).await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    for id in [
        world.b.request.to_string(),
        world.globex.request.to_string(),
        NOBODY.to_owned(),
        "not-an-id".to_owned(),
    ] {
        let reply = get(&portal, &format!("/acme/requests/{id}"), &jar, None).await;
        assert_eq!(reply.status, 404, "{id}");
        assert_eq!(reply.text, missing, "{id}: like any missing page");
    }
    let token = form_token(&portal, &jar).await;
    for action in ["messages", "reopen"] {
        let reply = post_form(
            &portal,
            &format!("/acme/requests/{}/{action}", world.b.request),
            &[("csrf_token", &token), ("body", "Hi")],
            &jar,
        )
        .await;
        assert_eq!(reply.status, 404, "{action}");
        assert_eq!(reply.text, missing, "{action}");
    }
}

#[tokio::test]
async fn submitting_a_request_checks_the_token_and_every_field() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let form = get(&portal, "/acme/requests/new", &jar, None).await;
    assert_eq!(form.status, 200, "{}", form.text);
    let html = &form.text;
    assert!(
        html.contains("<h1 class=\"page__title\">New request</h1>"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<option value=\"{}\">Website canary-acme-a</option>",
            world.a.project
        )),
        "{html}"
    );
    for canary in FOREIGN_TO_CLIENT_A {
        assert!(!html.contains(canary), "offers {canary}: {html}");
    }
    let token = input_value(html, "csrf_token");
    let project = world.a.project.to_string();

    let refused = post_form(
        &portal,
        "/acme/requests",
        &[("title", "No token"), ("body", "x")],
        &jar,
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text);

    let blank = post_form(
        &portal,
        "/acme/requests",
        &[
            ("csrf_token", &token),
            ("title", " "),
            ("body", ""),
            ("project_id", &project),
        ],
        &jar,
    )
    .await;
    assert_eq!(blank.status, 422, "{}", blank.text);
    let html = &blank.text;
    assert!(html.contains("Please check the form"), "{html}");
    assert!(
        html.contains(
            "aria-describedby=\"request-title-hint request-title-error\" aria-invalid=\"true\""
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<p class=\"field__error\" id=\"request-title-error\">Please fill this in.</p>"
        ),
        "{html}"
    );
    assert!(
        html.contains("aria-invalid=\"true\" aria-describedby=\"request-body-error\""),
        "{html}"
    );
    assert!(
        html.contains(
            "<p class=\"field__error\" id=\"request-body-error\">Please fill this in.</p>"
        ),
        "{html}"
    );
    assert!(
        html.contains(&format!("<option value=\"{project}\" selected>")),
        "the chosen project is kept: {html}"
    );
    let too_long = "x".repeat(201);
    let long = post_form(
        &portal,
        "/acme/requests",
        &[
            ("csrf_token", &token),
            ("title", &too_long),
            ("body", "Fine"),
        ],
        &jar,
    )
    .await;
    assert_eq!(long.status, 422);
    assert!(
        long.text.contains("Please use at most 200 characters."),
        "{}",
        long.text
    );
    assert!(
        long.text.contains(&format!("value=\"{too_long}\"")),
        "kept: {}",
        long.text
    );
    assert!(
        long.text.contains(">\nFine</textarea>"),
        "kept: {}",
        long.text
    );
    assert!(!long.text.contains("request-body-error"), "{}", long.text);

    let posted = post_form(
        &portal,
        "/acme/requests",
        &[
            ("csrf_token", &token),
            ("title", "Careers page canary-acme-a"),
            ("body", "With open roles.\nThanks"),
            ("project_id", &project),
        ],
        &jar,
    )
    .await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    assert!(
        location(&posted).ends_with("?notice=notice-requests-submitted"),
        "{}",
        location(&posted)
    );
    let id = request_id(location(&posted));
    let html = get(&portal, location(&posted), &jar, None).await.text;
    assert!(
        html.contains("Your request was sent to the team."),
        "{html}"
    );
    assert!(html.contains("Careers page canary-acme-a"), "{html}");
    assert!(html.contains("With open roles.\nThanks"), "{html}");
    assert!(html.contains(">Open</span>"), "{html}");

    let stored = portal
        .stores
        .requests
        .request(&TenantScope::dangerous_system(portal.acme), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.client, world.a.client);
    assert_eq!(stored.project, Some(world.a.project));
    let events = audited(&portal, portal.acme, "request.submitted").await;
    assert!(
        events
            .iter()
            .any(|event| event.object.as_ref().is_some_and(|o| o.id == *id.as_uuid())),
        "{events:?}"
    );
    let list = get(&portal, "/acme/requests", &jar, None).await.text;
    assert!(list.contains("Careers page canary-acme-a"), "{list}");
}

#[tokio::test]
async fn a_viewer_has_no_form_and_cannot_submit() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let html = get(&portal, "/acme/requests", &jar, None).await.text;
    assert!(
        html.contains("New page canary-acme-a"),
        "a viewer reads: {html}"
    );
    assert!(!html.contains("/acme/requests/new"), "{html}");
    assert_eq!(
        get(&portal, "/acme/requests/new", &jar, None).await.status,
        404
    );
    let token = form_token(&portal, &jar).await;
    let before = audited(&portal, portal.acme, "request.submitted")
        .await
        .len();
    let refused = post_form(
        &portal,
        "/acme/requests",
        &[("csrf_token", &token), ("title", "Sneaky"), ("body", "x")],
        &jar,
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(
        audited(&portal, portal.acme, "request.submitted")
            .await
            .len(),
        before
    );
    let html = get(&portal, "/acme/requests", &jar, None).await.text;
    assert!(!html.contains("Sneaky"), "{html}");
}

#[tokio::test]
async fn replying_needs_the_token_and_text() {
    let (portal, world) = seeded().await;
    let path = format!("/acme/requests/{}", world.a.request);
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let page = get(&portal, &path, &jar, None).await.text;
    assert!(
        page.contains(&format!("action=\"{path}/messages\"")),
        "{page}"
    );
    let token = input_value(&page, "csrf_token");

    let refused = post_form(
        &portal,
        &format!("{path}/messages"),
        &[("body", "Hi")],
        &jar,
    )
    .await;
    assert_eq!(refused.status, 403);
    let blank = post_form(
        &portal,
        &format!("{path}/messages"),
        &[("csrf_token", &token), ("body", "")],
        &jar,
    )
    .await;
    assert_eq!(blank.status, 422, "{}", blank.text);
    assert!(
        blank.text.contains(
            "<p class=\"field__error\" id=\"message-body-error\">Please fill this in.</p>"
        ),
        "{}",
        blank.text
    );
    assert!(
        blank.text.contains("Please add a page canary-acme-a"),
        "the request shows"
    );

    let before = audited(&portal, portal.acme, "message.posted").await.len();
    let replied = post_form(
        &portal,
        &format!("{path}/messages"),
        &[("csrf_token", &token), ("body", "Thanks canary-acme-a")],
        &jar,
    )
    .await;
    assert_eq!(replied.status, 303, "{}", replied.text);
    assert_eq!(
        location(&replied),
        format!("{path}?notice=notice-requests-replied")
    );
    let html = get(&portal, location(&replied), &jar, None).await.text;
    assert!(html.contains("Your reply was sent."), "{html}");
    let mine = html.find("Thanks canary-acme-a").unwrap();
    assert!(
        html.find("On it canary-acme-a").unwrap() < mine,
        "newest last"
    );
    assert_eq!(
        audited(&portal, portal.acme, "message.posted").await.len(),
        before + 1
    );
}

#[tokio::test]
async fn a_resolved_request_can_be_reopened_by_the_client() {
    let (portal, world) = seeded().await;
    let path = format!("/acme/requests/{}", world.a.request);
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let html = get(&portal, &path, &jar, None).await.text;
    assert!(!html.contains("/reopen"), "an open request: {html}");
    let token = input_value(&html, "csrf_token");

    // Not resolved: refused, with why, and nothing changes.
    let refused = post_form(
        &portal,
        &format!("{path}/reopen"),
        &[("csrf_token", &token)],
        &jar,
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused
            .text
            .contains("<div class=\"notice notice--error request__notice\" role=\"alert\"><p>This changed in the meantime."),
        "{}",
        refused.text
    );

    move_request(&portal, world.a.request, RequestStatus::InProgress).await;
    move_request(&portal, world.a.request, RequestStatus::Resolved).await;
    let html = get(&portal, &path, &jar, None).await.text;
    assert!(html.contains(">Resolved</span>"), "{html}");
    assert!(
        html.contains(&format!("action=\"{path}/reopen\"")),
        "{html}"
    );

    let without = post_form(&portal, &format!("{path}/reopen"), &[], &jar).await;
    assert_eq!(without.status, 403);
    // A viewer is offered no form, and the store refuses one posted anyway.
    let viewer = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let html = get(&portal, &path, &viewer, None).await.text;
    assert!(!html.contains("/reopen"), "{html}");
    let viewer_token = input_value(&html, "csrf_token");
    let refused = post_form(
        &portal,
        &format!("{path}/reopen"),
        &[("csrf_token", &viewer_token)],
        &viewer,
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let reopened = post_form(
        &portal,
        &format!("{path}/reopen"),
        &[("csrf_token", &token)],
        &jar,
    )
    .await;
    assert_eq!(reopened.status, 303, "{}", reopened.text);
    assert_eq!(
        location(&reopened),
        format!("{path}?notice=notice-requests-reopened")
    );
    let html = get(&portal, location(&reopened), &jar, None).await.text;
    assert!(html.contains("The request is open again."), "{html}");
    assert!(html.contains(">Open</span>"), "{html}");
    assert!(!html.contains("/reopen"), "{html}");
    let moves = audited(&portal, portal.acme, "request.moved").await;
    assert_eq!(moves[0].details["to"], "open", "{moves:?}");
    assert_eq!(
        moves[0].object.as_ref().unwrap().id,
        *world.a.request.as_uuid()
    );
}

#[tokio::test]
async fn requests_speak_german() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let html = get(&portal, "/acme/requests", &jar, Some("de")).await.text;
    assert_shows(
        &html,
        &[
            "<h1 class=\"page__title\">Anfragen</h1>",
            "Offene Anfragen",
            "Gestellt von Approver",
            "Letzte Aktivität",
            "Neue Anfrage",
            ">Offen</span>",
        ],
    );
    let html = get(&portal, "/acme/requests/new", &jar, Some("de"))
        .await
        .text;
    assert_shows(
        &html,
        &["Titel", "Kein bestimmtes Projekt", "Anfrage senden"],
    );
    for english in [
        "Requests",
        "Open requests",
        "Asked by",
        "Send request",
        "Title",
    ] {
        assert!(!html.contains(english), "{english} in German: {html}");
    }
}
