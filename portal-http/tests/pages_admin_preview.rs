//! "View as client": starting a preview (audited, with a host-only, HttpOnly, strict cookie),
//! the banner and only that client's data in that role, no writes and no settings during it,
//! a ticket of another session or a forged one ignored, ending it, who may start one, and
//! another tenant's client or a staff role as the branded 404.

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

use pages_support::{Jar, get, header, input_value, location, post_form, sign_in};
use portal_core::model::{Actor, AuditEvent};
use portal_core::{BuiltinRole, TenantScope};
use portal_storage::{AuditFilter, Page};
use support::Portal;
use support::client_work::{self, World};
use support::staff_api::{NOBODY, role_id};

const TICKET: &str = "__Host-portal_preview";

async fn seeded() -> (Portal, World) {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

async fn events(portal: &Portal, action: &str) -> Vec<AuditEvent> {
    portal
        .stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(portal.acme),
            AuditFilter {
                action: Some(action.to_owned()),
                ..AuditFilter::default()
            },
            Page::first(50).unwrap(),
        )
        .await
        .unwrap()
        .items
}

/// `jar` with the cookie `name` set to `value`, as a browser would hold it.
fn with_cookie(jar: &Jar, name: &str, value: &str) -> Jar {
    let mut headers = axum::http::HeaderMap::new();
    headers.append("set-cookie", format!("{name}={value}").parse().unwrap());
    let mut jar = jar.clone();
    jar.update(&support::Reply {
        status: 200,
        headers,
        text: String::new(),
    });
    jar
}

/// Starts a preview of `client` as `role` for the jar's session; returns the reply.
async fn start(portal: &Portal, jar: &Jar, client: &str, role: &str) -> support::Reply {
    let page = get(portal, "/acme/admin/preview", jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let token = input_value(&page.text, "csrf_token");
    post_form(
        portal,
        "/acme/admin/preview",
        &[("csrf_token", &token), ("client", client), ("role", role)],
        jar,
    )
    .await
}

#[tokio::test]
async fn a_preview_shows_that_clients_data_under_a_banner_and_is_audited() {
    let (portal, world) = seeded().await;
    let mut jar = sign_in(&portal, "acme", "manager@acme.test").await;
    let page = get(&portal, "/acme/admin/preview", &jar, None).await.text;
    assert!(page.contains(&format!(
        "<option value=\"{}\">Client canary-acme-a</option>",
        world.a.client
    )));
    assert!(page.contains(">Viewer</option>"), "{page}");
    assert!(
        !page.contains(">Manager</option>"),
        "team roles are no choice: {page}"
    );
    assert!(!page.contains("globex"), "{page}");

    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let reply = start(
        &portal,
        &jar,
        &world.a.client.to_string(),
        &viewer.to_string(),
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(
        location(&reply),
        "/acme/?notice=notice-admin-preview-started"
    );
    let cookie = header(&reply, "set-cookie");
    assert!(cookie.starts_with(&format!("{TICKET}=")), "{cookie}");
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Strict; Secure"),
        "{cookie}"
    );
    jar.update(&reply);

    // Audited when it starts, by the member of staff, about the client.
    let started = events(&portal, "client_preview.started").await;
    assert_eq!(started.len(), 1);
    assert!(matches!(started[0].actor, Actor::User(_)));
    assert_eq!(
        started[0].object.as_ref().unwrap().id,
        *world.a.client.as_uuid()
    );
    assert_eq!(started[0].details["role"], viewer.to_string());

    let overview = get(&portal, location(&reply), &jar, None).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    let html = &overview.text;
    assert!(html.contains("class=\"preview-banner\""), "{html}");
    assert!(
        html.contains("You are viewing the portal as Client canary-acme-a sees it (Viewer)."),
        "{html}"
    );
    assert!(html.contains("You are now seeing the portal as the client does."));
    assert!(html.contains("Website canary-acme-a"), "{html}");
    for foreign in ["canary-acme-b", "canary-internal", "canary-globex"] {
        assert!(
            !html.contains(foreign),
            "the preview shows {foreign}: {html}"
        );
    }
    // A viewer sees no invoices, and the team's sections are gone.
    assert!(!html.contains("Open invoices"), "{html}");
    assert!(!html.contains("/acme/admin\""), "{html}");
    assert!(!html.contains("/acme/staff/"), "{html}");
    // No write forms: only the banner's and signing out.
    assert_eq!(html.matches("<form").count(), 2, "{html}");
    assert!(html.contains("action=\"/acme/admin/preview/end\""));
}

#[tokio::test]
async fn writes_and_settings_are_refused_during_a_preview() {
    let (portal, world) = seeded().await;
    let mut jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let client_admin = role_id(&portal, portal.acme, BuiltinRole::ClientAdmin).await;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let token = input_value(
        &get(&portal, "/acme/admin/roles", &jar, None).await.text,
        "csrf_token",
    );
    let reply = start(
        &portal,
        &jar,
        &world.a.client.to_string(),
        &client_admin.to_string(),
    )
    .await;
    assert_eq!(reply.status, 303);
    jar.update(&reply);

    let before = portal
        .stores
        .memberships
        .roles(&TenantScope::dangerous_system(portal.acme))
        .await
        .unwrap();
    // The owner previewing as a client admin has no settings at all, and writes nothing.
    for path in [
        "/acme/admin",
        "/acme/admin/roles",
        "/acme/admin/preview",
        "/acme/admin/audit",
    ] {
        assert_eq!(get(&portal, path, &jar, None).await.status, 404, "{path}");
    }
    let refused = post_form(
        &portal,
        "/acme/admin/roles",
        &[
            ("csrf_token", &token),
            ("roles", &viewer.to_string()),
            ("save", "all"),
        ],
        &jar,
    )
    .await;
    assert_eq!(refused.status, 404, "{}", refused.text);
    let branding = post_form(
        &portal,
        "/acme/admin/branding",
        &[
            ("csrf_token", &token),
            ("display_name", "Changed in a preview"),
            ("primary_colour", "#000000"),
            ("accent_colour", "#000000"),
        ],
        &jar,
    )
    .await;
    assert_eq!(branding.status, 404);
    let after = portal
        .stores
        .memberships
        .roles(&TenantScope::dangerous_system(portal.acme))
        .await
        .unwrap();
    assert_eq!(before, after);
    let tenant = portal
        .stores
        .tenants
        .tenant(&TenantScope::dangerous_system(portal.acme))
        .await
        .unwrap();
    assert_eq!(tenant.branding.display_name.as_str(), "Acme Agency");
}

#[tokio::test]
async fn a_ticket_of_another_session_or_a_forged_one_is_ignored() {
    let (portal, world) = seeded().await;
    let mut first = sign_in(&portal, "acme", "manager@acme.test").await;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let reply = start(
        &portal,
        &first,
        &world.a.client.to_string(),
        &viewer.to_string(),
    )
    .await;
    first.update(&reply);
    let ticket = first.get(TICKET).unwrap().to_owned();
    assert!(
        get(&portal, "/acme/", &first, None)
            .await
            .text
            .contains("preview-banner")
    );

    // The same person's second session: the first session's ticket means nothing there.
    let second = sign_in(&portal, "acme", "manager@acme.test").await;
    let stolen = with_cookie(&second, TICKET, &ticket);
    let html = get(&portal, "/acme/", &stolen, None).await.text;
    assert!(!html.contains("preview-banner"), "{html}");
    assert!(
        html.contains("canary-acme-b"),
        "the staff view, not a preview: {html}"
    );

    // A ticket naming another client with the first session's MAC is no preview either.
    let forged_value = ticket.replacen(&world.a.client.to_string(), &world.b.client.to_string(), 1);
    let forged = with_cookie(&first, TICKET, &forged_value);
    let html = get(&portal, "/acme/", &forged, None).await.text;
    assert!(!html.contains("preview-banner"), "{html}");
}

#[tokio::test]
async fn ending_a_preview_clears_it_and_is_recorded() {
    let (portal, world) = seeded().await;
    let mut jar = sign_in(&portal, "acme", "manager@acme.test").await;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let reply = start(
        &portal,
        &jar,
        &world.a.client.to_string(),
        &viewer.to_string(),
    )
    .await;
    jar.update(&reply);
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    let token = input_value(&overview, "csrf_token");

    let refused = post_form(&portal, "/acme/admin/preview/end", &[], &jar).await;
    assert_eq!(refused.status, 403, "without its token (SEC-31)");

    let ended = post_form(
        &portal,
        "/acme/admin/preview/end",
        &[("csrf_token", &token)],
        &jar,
    )
    .await;
    assert_eq!(ended.status, 303, "{}", ended.text);
    assert_eq!(
        location(&ended),
        "/acme/admin/preview?notice=notice-admin-preview-ended"
    );
    assert!(header(&ended, "set-cookie").contains("Max-Age=0"));
    jar.update(&ended);
    assert!(jar.get(TICKET).is_none());
    let html = get(&portal, "/acme/", &jar, None).await.text;
    assert!(!html.contains("preview-banner"), "{html}");
    assert!(html.contains("canary-acme-b"), "{html}");
    assert_eq!(events(&portal, "client_preview.ended").await.len(), 1);
}

#[tokio::test]
async fn only_staff_with_view_as_client_start_a_preview_of_their_own_clients() {
    let (portal, world) = seeded().await;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    for email in ["member@acme.test", "client_admin@acme-a.test"] {
        let jar = sign_in(&portal, "acme", email).await;
        assert_eq!(
            get(&portal, "/acme/admin/preview", &jar, None).await.status,
            404
        );
        let token = input_value(&get(&portal, "/acme/", &jar, None).await.text, "csrf_token");
        let reply = post_form(
            &portal,
            "/acme/admin/preview",
            &[
                ("csrf_token", &token),
                ("client", &world.a.client.to_string()),
                ("role", &viewer.to_string()),
            ],
            &jar,
        )
        .await;
        assert_eq!(reply.status, 404, "{email}");
        assert!(header(&reply, "set-cookie").is_empty());
    }

    let jar = sign_in(&portal, "acme", "manager@acme.test").await;
    // Nothing chosen: the form again, with the message next to the field.
    let reply = start(&portal, &jar, "", &viewer.to_string()).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("aria-invalid=\"true\" aria-describedby=\"preview-client-error\"")
    );
    assert!(reply.text.contains("Please choose a client."));

    // Another tenant's client, an unknown one, a team role, another tenant's role: all 404.
    let manager_role = role_id(&portal, portal.acme, BuiltinRole::Manager).await;
    let globex_viewer = role_id(&portal, portal.globex, BuiltinRole::Viewer).await;
    let a = world.a.client.to_string();
    for (client, role) in [
        (world.globex.client.to_string(), viewer.to_string()),
        (NOBODY.to_owned(), viewer.to_string()),
        (a.clone(), manager_role.to_string()),
        (a.clone(), globex_viewer.to_string()),
    ] {
        let reply = start(&portal, &jar, &client, &role).await;
        assert_eq!(reply.status, 404, "{client} {role}");
        assert!(header(&reply, "set-cookie").is_empty());
    }
    assert!(events(&portal, "client_preview.started").await.is_empty());
}

#[tokio::test]
async fn the_banner_speaks_german() {
    let (portal, world) = seeded().await;
    let mut jar = sign_in(&portal, "acme", "manager@acme.test").await;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let reply = start(
        &portal,
        &jar,
        &world.a.client.to_string(),
        &viewer.to_string(),
    )
    .await;
    jar.update(&reply);
    let html = get(&portal, "/acme/", &jar, Some("de")).await.text;
    assert!(
        html.contains("Sie sehen das Portal so, wie Client canary-acme-a es sieht (Lesezugriff)."),
        "{html}"
    );
    assert!(html.contains("Vorschau beenden"));
}
