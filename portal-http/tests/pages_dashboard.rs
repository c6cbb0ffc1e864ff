//! The overview page and what every page shows: the client's own work and nothing else
//! (canaries of other clients, other tenants and internal work never appear, SEC-27), invoices
//! only for those who may see them, German from `Accept-Language`, escaping, the branded 404
//! (also for another tenant's objects, byte for byte like a missing one, SEC-26), the
//! stylesheets, and template overrides.

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

use pages_support::{Jar, get, header, seeded, sign_in, stylesheet};
use portal_core::model::{AuditContext, ProjectInput, ProjectStatus};
use portal_core::{DisplayName, TenantScope, Visibility};
use portal_http::{HttpConfig, PagesConfig};
use support::Portal;
use support::staff_api::NOBODY;

/// Every canary of what a contact of acme's client A must never see.
const FOREIGN_TO_CLIENT_A: [&str; 5] = [
    "canary-internal",
    "canary-acme-b",
    "canary-globex",
    "Globex",
    "globex",
];

#[tokio::test]
async fn a_contact_sees_their_clients_work_and_nothing_else_sec_27() {
    let (portal, world) = seeded().await;
    for role in ["client_admin", "approver", "finance", "viewer"] {
        let jar = sign_in(&portal, "acme", &world.a.contact(role)).await;
        let page = get(&portal, "/acme/", &jar, None).await;
        assert_eq!(page.status, 200, "{role}: {}", page.text);
        let html = &page.text;
        for shown in [
            "Website canary-acme-a",
            "Please approve canary-acme-a",
            "Send the logo canary-acme-a",
            "Build the page canary-acme-a",
            "Week 1 canary-acme-a",
            "Progress canary-acme-a",
            "Mock-up PDF canary-acme-a",
            "1 of 2 milestones completed",
            "Acme Agency",
        ] {
            assert!(html.contains(shown), "{role} misses {shown}: {html}");
        }
        for canary in FOREIGN_TO_CLIENT_A {
            assert!(!html.contains(canary), "{role} sees {canary}: {html}");
        }
        assert!(
            html.contains("max=\"2\" value=\"1\""),
            "progress bar: {html}"
        );
        assert!(html.contains(&format!(
            "href=\"/acme/api/v1/documents/{}/download\"",
            world.a.document
        )));
        // What needs the viewer's decision says so; a viewer only sees that it waits.
        if role == "approver" || role == "client_admin" {
            assert!(html.contains("Your decision"), "{role}: {html}");
        } else {
            assert!(html.contains("With another approver"), "{role}: {html}");
            assert!(!html.contains("Your decision"), "{role}: {html}");
        }
        // The client's move is the contact's move.
        assert!(html.contains("Your move"), "{role}: {html}");
    }

    // Staff see their tenant's clients, internal work included, and never another tenant's.
    let jar = sign_in(&portal, "acme", "manager@acme.test").await;
    let html = get(&portal, "/acme/", &jar, None).await.text;
    assert!(html.contains("Website canary-acme-a"), "{html}");
    assert!(html.contains("Website canary-acme-b"), "{html}");
    assert!(html.contains("Waiting for the client"), "{html}");
    for canary in ["canary-globex", "Globex", "globex"] {
        assert!(!html.contains(canary), "staff see {canary}: {html}");
    }
}

#[tokio::test]
async fn invoices_show_for_finance_and_not_for_a_viewer() {
    let (portal, world) = seeded().await;
    let finance = sign_in(&portal, "acme", &world.a.contact("finance")).await;
    let html = get(&portal, "/acme/", &finance, None).await.text;
    assert!(html.contains("Open invoices"), "{html}");
    assert!(html.contains("Invoice INV-1 canary-acme-a"), "{html}");
    assert!(html.contains("€1,200.00"), "{html}");
    assert!(html.contains("Due January 31, 2099"), "{html}");
    assert!(!html.contains("INV-2"), "drafts never show: {html}");
    assert!(
        !html.contains("Slow payer"),
        "the team's note never shows: {html}"
    );

    let viewer = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let html = get(&portal, "/acme/", &viewer, None).await.text;
    assert!(!html.contains("Open invoices"), "{html}");
    assert!(!html.contains("INV-1"), "{html}");
    assert!(!html.contains("1,200.00"), "{html}");
}

#[tokio::test]
async fn german_comes_from_accept_language() {
    let (portal, world) = seeded().await;
    let form = get(
        &portal,
        "/acme/login",
        &Jar::default(),
        Some("de-DE,de;q=0.9,en;q=0.5"),
    )
    .await;
    assert_eq!(header(&form, "content-language"), "de");
    assert!(form.text.contains("<html lang=\"de\""), "{}", form.text);
    assert!(
        form.text.contains("Bei Acme Agency anmelden"),
        "{}",
        form.text
    );
    assert!(
        form.text.contains(">E-Mail-Adresse</label>"),
        "{}",
        form.text
    );
    assert!(form.text.contains("Zum Inhalt springen"), "{}", form.text);

    let finance = sign_in(&portal, "acme", &world.a.contact("finance")).await;
    let html = get(&portal, "/acme/", &finance, Some("de")).await.text;
    assert!(html.contains("<html lang=\"de\""), "{html}");
    assert!(html.contains("Offene Rechnungen"), "{html}");
    assert!(html.contains("1.200,00\u{a0}€"), "{html}");
    assert!(html.contains("Fällig am 31. Januar 2099"), "{html}");
    assert!(
        html.contains("1 von 2 Meilensteinen abgeschlossen"),
        "{html}"
    );
    assert!(html.contains(">Abmelden</button>"), "{html}");
    for english in ["Open invoices", "Sign out", "What happens next", "January"] {
        assert!(!html.contains(english), "{english} in German: {html}");
    }
    // No header, or a language without a catalogue: English.
    let html = get(&portal, "/acme/", &finance, Some("fr-FR")).await.text;
    assert!(html.contains("<html lang=\"en\""), "{html}");
}

#[tokio::test]
async fn titles_are_escaped() {
    let (portal, world) = seeded().await;
    let system = TenantScope::dangerous_system(portal.acme);
    let project = portal
        .stores
        .projects
        .create_project(
            &system,
            ProjectInput {
                client: world.a.client,
                name: DisplayName::parse("<script>alert(1)</script> & \"quotes\"").unwrap(),
                description: String::new(),
                status: ProjectStatus::Active,
                schedule: None,
                budget: None,
                external_id: None,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    portal
        .stores
        .projects
        .set_project_visibility(
            &system,
            project.id,
            Visibility::Shared,
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let jar = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let html = get(&portal, "/acme/", &jar, None).await.text;
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"),
        "{html}"
    );
    // The only script is the portal's own file (CSP: no inline script).
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/acme/assets/portal-").count(),
        "{html}"
    );
}

#[tokio::test]
async fn unknown_pages_and_other_tenants_objects_are_the_same_branded_404_sec_26() {
    let (portal, world) = seeded().await;
    let missing = get(&portal, "/acme/nothing-here", &Jar::default(), None).await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    assert_eq!(header(&missing, "content-type"), "text/html; charset=utf-8");
    assert!(header(&missing, "content-security-policy").contains("frame-ancestors 'none'"));
    assert!(missing.text.contains("Page not found"), "{}", missing.text);
    assert!(
        missing.text.contains("Acme Agency"),
        "branded: {}",
        missing.text
    );
    assert!(missing.text.contains("href=\"/acme/\""), "{}", missing.text);

    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let foreign = world.globex.project.to_string();
    let other_client = world.b.project.to_string();
    let paths = [
        format!("/acme/projects/{NOBODY}"),
        format!("/acme/projects/{foreign}"),
        format!("/acme/projects/{other_client}"),
    ];
    for path in &paths {
        // Without a session a page path goes to sign-in, whatever its id: nothing is revealed.
        let anonymous = get(&portal, path, &Jar::default(), None).await;
        assert_eq!(anonymous.status, 303, "{path}");
        assert_eq!(pages_support::location(&anonymous), "/acme/login", "{path}");
        let reply = get(&portal, path, &jar, None).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.text, missing.text,
            "{path}: exactly like any missing page"
        );
    }
    assert!(!missing.text.contains("Globex"));

    // In German too, and the API's own 404 stays JSON.
    let german = get(&portal, "/acme/nothing-here", &Jar::default(), Some("de")).await;
    assert!(
        german.text.contains("Seite nicht gefunden"),
        "{}",
        german.text
    );
    let api = portal.get("/acme/api/v1/nothing-here", None).await;
    assert_eq!(api.status, 404);
    assert_eq!(api.error_code(), "no_route");
    // An unknown tenant has no brand to show.
    assert_eq!(portal.get("/nobody-here/", None).await.status, 404);
}

#[tokio::test]
async fn stylesheets_carry_their_hash_and_the_brand() {
    let portal = Portal::new().await;
    let form = get(&portal, "/acme/login", &Jar::default(), None).await;
    let portal_css = stylesheet(&form.text, "/assets/portal-");
    let theme_css = stylesheet(&form.text, "/assets/theme-");
    assert!(
        portal_css.starts_with("/acme/assets/portal-"),
        "{portal_css}"
    );

    let css = portal.get(&portal_css, None).await;
    assert_eq!(css.status, 200);
    assert_eq!(header(&css, "content-type"), "text/css; charset=utf-8");
    assert_eq!(
        header(&css, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(css.text.contains("@media (min-width: 55rem)"));

    let theme = portal.get(&theme_css, None).await;
    assert_eq!(theme.status, 200);
    assert_eq!(
        header(&theme, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(
        theme.text.contains("--brand-primary: #123456;"),
        "{}",
        theme.text
    );
    assert!(
        theme.text.contains("--brand-accent: #abcdef;"),
        "{}",
        theme.text
    );
    // Each tenant's theme is its own.
    let globex = get(&portal, "/globex/login", &Jar::default(), None).await;
    assert!(globex.text.contains("Globex Studio"));
    assert!(!globex.text.contains("Acme"), "{}", globex.text);

    // A stale hash is still answered, but not cached; other names are not assets.
    let stale = portal.get("/acme/assets/portal-0000.css", None).await;
    assert_eq!(stale.status, 200);
    assert_eq!(header(&stale, "cache-control"), "no-cache");
    assert_eq!(portal.get("/acme/assets/app.js", None).await.status, 404);
}

#[tokio::test]
async fn templates_are_overridden_from_a_directory() {
    let dir = std::env::temp_dir().join(format!("portal-pages-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("error.html"),
        "{% extends \"layout.html\" %}{% block title %}Lost{% endblock %}\
         {% block main %}<p class=\"lost\">Nothing at {{ tenant.name }} ({{ page.status }})</p>\
         {% endblock %}",
    )
    .unwrap();
    let config = HttpConfig::default().with_pages(PagesConfig::new().with_template_dir(&dir));
    let portal = Portal::with_config(config).await;
    let reply = get(&portal, "/acme/nothing-here", &Jar::default(), None).await;
    assert_eq!(reply.status, 404);
    assert!(
        reply
            .text
            .contains("<p class=\"lost\">Nothing at Acme Agency (404)</p>"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("<title>Lost · Acme Agency</title>"));
    // The rest are still the built-in ones.
    let form = get(&portal, "/acme/login", &Jar::default(), None).await;
    assert!(form.text.contains("Sign in to Acme Agency"));
    std::fs::remove_dir_all(&dir).unwrap();
}
