//! The message pages: the conversations a contact may see, by project, and nothing of other
//! clients or tenants; internal staff messages never reach a contact (not even as a thread that
//! only holds them); posting needs the form token and `comment`, a blank message is the form
//! again (422) with the message next to the field, and a posted one shows newest last, audited.

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
    assert_shows, form_token, get, input_value, location, missing, post_form, seeded, sign_in,
    user_id,
};
use portal_core::model::{AuditContext, NewMessage, ThreadSubject};
use portal_core::{TenantScope, Visibility};
use portal_storage::{AuditFilter, Page};
use support::Portal;
use support::client_work::scope_of;
use support::staff_api::NOBODY;

/// What a contact of acme's client A must never see.
const FOREIGN_TO_CLIENT_A: [&str; 3] = ["canary-internal", "canary-acme-b", "canary-globex"];

/// A message posted by acme's manager on `subject`.
async fn staff_message(portal: &Portal, subject: ThreadSubject, body: &str, shared: bool) {
    let manager = user_id(portal, "manager@acme.test").await;
    let scope = scope_of(&portal.stores, portal.acme, manager).await;
    portal
        .stores
        .threads
        .post_message(
            &scope,
            NewMessage {
                subject,
                body: body.to_owned(),
                visibility: if shared {
                    Visibility::Shared
                } else {
                    Visibility::Internal
                },
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_contact_sees_their_conversations_by_project_and_nothing_else() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert!(
        overview.contains("href=\"/acme/messages\">Messages</a>"),
        "{overview}"
    );

    let page = get(&portal, "/acme/messages", &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert_shows(
        html,
        &[
            "<h1 class=\"page__title\">Messages</h1>",
            // The project's own conversation, with its newest message the contact may read.
            "Website canary-acme-a</h2>",
            &format!(
                "href=\"/acme/messages/project/{}\">About Website canary-acme-a in general</a>",
                world.a.project
            ),
            "Hello canary-acme-a",
            // The request's, which lives on the request's page.
            &format!(
                "href=\"/acme/requests/{}\">New page canary-acme-a</a>",
                world.a.request
            ),
            "On it canary-acme-a",
            // The team writes as the agency: a contact may not look the team up.
            "Acme Agency:</span>",
        ],
    );
    for canary in FOREIGN_TO_CLIENT_A {
        assert!(!html.contains(canary), "sees {canary}: {html}");
    }
}

#[tokio::test]
async fn a_thread_of_only_internal_messages_never_shows_to_a_contact() {
    let (portal, world) = seeded().await;
    let subject = ThreadSubject::Deliverable(world.a.deliverable);
    staff_message(&portal, subject, "Risky canary-internal-acme-a", false).await;
    let deliverable_link = format!("/acme/messages/deliverable/{}", world.a.deliverable);

    let contact = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let html = get(&portal, "/acme/messages", &contact, None).await.text;
    assert!(!html.contains(&deliverable_link), "{html}");
    assert!(!html.contains("canary-internal"), "{html}");
    let thread = get(&portal, &deliverable_link, &contact, None).await;
    assert_eq!(thread.status, 200, "the deliverable itself is shared");
    assert!(!thread.text.contains("canary-internal"), "{}", thread.text);
    assert!(thread.text.contains("No messages yet."), "{}", thread.text);

    // The team sees the thread and its internal message, marked as such.
    let staff = sign_in(&portal, "acme", "manager@acme.test").await;
    let html = get(&portal, "/acme/messages", &staff, None).await.text;
    assert!(html.contains(&deliverable_link), "{html}");
    let html = get(&portal, &deliverable_link, &staff, None).await.text;
    assert!(html.contains("Risky canary-internal-acme-a"), "{html}");
    assert!(html.contains(">Internal</span>"), "{html}");

    // Once the team shares a message, the contact sees that one and still not the other.
    staff_message(&portal, subject, "Shared canary-acme-a", true).await;
    let html = get(&portal, "/acme/messages", &contact, None).await.text;
    assert!(html.contains(&deliverable_link), "{html}");
    let html = get(&portal, &deliverable_link, &contact, None).await.text;
    assert!(html.contains("Shared canary-acme-a"), "{html}");
    assert!(!html.contains("canary-internal"), "{html}");
    assert!(!html.contains(">Internal</span>"), "{html}");
}

#[tokio::test]
async fn a_thread_shows_shared_messages_newest_last_and_never_internal_ones() {
    let (portal, world) = seeded().await;
    let path = format!("/acme/messages/project/{}", world.a.project);
    staff_message(
        &portal,
        ThreadSubject::Project(world.a.project),
        "Later canary-acme-a",
        true,
    )
    .await;
    let jar = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let page = get(&portal, &path, &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert!(
        html.contains("<h1 class=\"page__title\">Website canary-acme-a</h1>"),
        "{html}"
    );
    let first = html.find("Hello canary-acme-a").expect("the first message");
    let later = html.find("Later canary-acme-a").expect("the later message");
    assert!(first < later, "newest last: {html}");
    assert!(
        html.contains("<span class=\"message__author\">Acme Agency</span>"),
        "{html}"
    );
    assert!(html.contains(" UTC</time>"), "{html}");
    for canary in FOREIGN_TO_CLIENT_A {
        assert!(!html.contains(canary), "sees {canary}: {html}");
    }
    // A viewer may read but not comment: no form.
    assert!(!html.contains("name=\"body\""), "{html}");

    let staff = sign_in(&portal, "acme", "manager@acme.test").await;
    let html = get(&portal, &path, &staff, None).await.text;
    assert!(html.contains("Note canary-internal-acme-a"), "{html}");
    assert!(html.contains("name=\"share\""), "staff choose: {html}");
}

#[tokio::test]
async fn other_clients_other_tenants_hidden_objects_and_unknown_ids_are_the_same_404() {
    let (portal, world) = seeded().await;
    let missing = missing(&portal).await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let paths = [
        format!("/acme/messages/project/{}", world.b.project),
        format!("/acme/messages/project/{}", world.globex.project),
        format!("/acme/messages/project/{}", world.a.internal_project),
        format!("/acme/messages/project/{NOBODY}"),
        "/acme/messages/project/not-an-id".to_owned(),
        format!("/acme/messages/deliverable/{}", world.b.deliverable),
        format!("/acme/messages/task/{}", world.a.internal_task),
        format!("/acme/messages/nonsense/{}", world.a.project),
        format!("/acme/messages/request/{}", world.a.request),
    ];
    for path in &paths {
        let reply = get(&portal, path, &jar, None).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
        assert_eq!(&reply.text, &missing, "{path}: like any missing page");
    }
    // Posting there is refused the same way, with a valid token.
    let token = form_token(&portal, &jar).await;
    let reply = post_form(
        &portal,
        &format!("/acme/messages/project/{}", world.b.project),
        &[("csrf_token", &token), ("body", "Hi canary-acme-a")],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text, missing);
}

#[tokio::test]
async fn posting_needs_the_token_and_text_and_shows_the_message() {
    let (portal, world) = seeded().await;
    let path = format!("/acme/messages/project/{}", world.a.project);
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let form = get(&portal, &path, &jar, None).await.text;
    assert!(form.contains(&format!("action=\"{path}\"")), "{form}");
    assert!(
        !form.contains("name=\"share\""),
        "a contact's messages are shared: {form}"
    );
    let token = input_value(&form, "csrf_token");

    let refused = post_form(&portal, &path, &[("body", "No token")], &jar).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let refused = post_form(
        &portal,
        &path,
        &[("csrf_token", "forged"), ("body", "Forged")],
        &jar,
    )
    .await;
    assert_eq!(refused.status, 403);

    let blank = post_form(
        &portal,
        &path,
        &[("csrf_token", &token), ("body", "  \n ")],
        &jar,
    )
    .await;
    assert_eq!(blank.status, 422, "{}", blank.text);
    assert!(
        blank.text.contains(
            "aria-invalid=\"true\" aria-describedby=\"message-body-error\">\n  \n </textarea>"
        ),
        "what was typed, marked: {}",
        blank.text
    );
    assert!(
        blank.text.contains(
            "<p class=\"field__error\" id=\"message-body-error\">Please fill this in.</p>"
        ),
        "{}",
        blank.text
    );

    let posted = post_form(
        &portal,
        &path,
        &[
            ("csrf_token", &token),
            ("body", "Looks good <b>canary-acme-a</b>\nThanks"),
        ],
        &jar,
    )
    .await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    assert_eq!(
        location(&posted),
        format!("{path}?notice=notice-messages-posted")
    );
    let html = get(&portal, location(&posted), &jar, None).await.text;
    assert!(html.contains("Your message was sent."), "{html}");
    let mine = html
        .rfind("Looks good &lt;b&gt;canary-acme-a&lt;/b&gt;\nThanks")
        .expect("escaped");
    assert!(
        html.find("Hello canary-acme-a").unwrap() < mine,
        "newest last"
    );
    assert!(html.contains("message--yours"), "{html}");
    assert!(
        html.contains("<span class=\"message__author\">You</span>"),
        "{html}"
    );

    // The team sees it, shared, and the store audited it.
    let system = TenantScope::dangerous_system(portal.acme);
    let messages = portal
        .stores
        .threads
        .list_messages(
            &system,
            ThreadSubject::Project(world.a.project),
            Page::default(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(messages[0].body, "Looks good <b>canary-acme-a</b>\nThanks");
    assert_eq!(messages[0].visibility, Visibility::Shared);
    let events = portal
        .stores
        .audit
        .list_events(
            &system,
            AuditFilter {
                action: Some("message.posted".to_owned()),
                ..AuditFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap()
        .items;
    assert!(
        events.iter().any(|event| event
            .object
            .as_ref()
            .is_some_and(|object| object.id == *messages[0].id.as_uuid())),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_viewer_cannot_post_and_staff_messages_stay_internal_unless_shared() {
    let (portal, world) = seeded().await;
    let path = format!("/acme/messages/project/{}", world.a.project);
    let viewer = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let viewer_token = form_token(&portal, &viewer).await;
    let refused = post_form(
        &portal,
        &path,
        &[("csrf_token", &viewer_token), ("body", "Hi")],
        &viewer,
    )
    .await;
    assert_eq!(
        refused.status, 403,
        "no comment permission: {}",
        refused.text
    );

    let staff = sign_in(&portal, "acme", "manager@acme.test").await;
    let staff_token = form_token(&portal, &staff).await;
    for (body, share) in [
        ("Team only canary-internal-acme-a", false),
        ("For you canary-acme-a", true),
    ] {
        let mut fields = vec![("csrf_token", staff_token.as_str()), ("body", body)];
        if share {
            fields.push(("share", "yes"));
        }
        let reply = post_form(&portal, &path, &fields, &staff).await;
        assert_eq!(reply.status, 303, "{}", reply.text);
    }
    let html = get(&portal, &path, &viewer, None).await.text;
    assert!(html.contains("For you canary-acme-a"), "{html}");
    assert!(!html.contains("canary-internal"), "{html}");
    let html = get(&portal, &path, &staff, None).await.text;
    assert!(html.contains("Team only canary-internal-acme-a"), "{html}");
}

#[tokio::test]
async fn messages_speak_german() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let html = get(&portal, "/acme/messages", &jar, Some("de")).await.text;
    assert!(
        html.contains("<h1 class=\"page__title\">Nachrichten</h1>"),
        "{html}"
    );
    assert!(
        html.contains("Allgemein zu Website canary-acme-a"),
        "{html}"
    );
    assert!(html.contains(" um "), "{html}");
    let html = get(
        &portal,
        &format!("/acme/messages/project/{}", world.a.project),
        &jar,
        Some("de"),
    )
    .await
    .text;
    assert_shows(
        &html,
        &["Unterhaltung", "Ihre Nachricht", "Nachricht senden"],
    );
    for english in ["Conversation", "Your message", "Send message", " at "] {
        assert!(!html.contains(english), "{english} in German: {html}");
    }
}
