//! White label and language on the pages: the language order (the person's preference, the
//! tenant's default, the browser's, English) on the sign-in page and behind it; a client's own
//! look for its contacts (name, logo, favicon, theme) while staff, the sign-in page and other
//! clients keep the tenant's; a client's theme served only to sessions that reach the client
//! (SEC-26); and the tenant's theme with readable ink and sanitised custom CSS.

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

use axum::http::Method;
use pages_support::{Jar, find_stylesheet, get, header, seeded_with, sign_in};
use portal_core::model::AuditContext;
use portal_core::{LanguageTag, TenantScope};
use portal_http::HttpConfig;
use serde_json::{Value, json};
use std::time::Duration;
use support::Portal;
use support::client_work::World;
use support::staff_api::{Auth, acme, call};

/// The seeded world, without the tenant cache: a saved look shows on the next request.
async fn seeded() -> (Portal, World) {
    seeded_with(HttpConfig::default().with_tenant_cache_ttl(Duration::ZERO)).await
}

/// A look that passes every check.
fn look(name: &str, primary: &str, default_locale: Option<&str>) -> Value {
    json!({
        "display_name": name,
        "logo_url": format!("https://cdn.{}.example/logo.svg", name.to_lowercase().replace(' ', "-")),
        "favicon_url": "https://cdn.acme.example/favicon.png",
        "primary_colour": primary,
        "accent_colour": "#f2a541",
        "custom_css": ".brand__name { letter-spacing: 0.02em; }\n@import url(https://evil.example/x.css);",
        "default_locale": default_locale,
    })
}

/// Saves `body` with `PUT path` as acme's owner, through the API.
async fn save(portal: &Portal, path: &str, body: Value) {
    let owner = portal.login("acme", "ada@acme.test").await;
    let reply = call(
        portal,
        Method::PUT,
        &acme(path),
        Some(body),
        Auth::Cookie(&owner),
    )
    .await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
}

/// Sets the tenant's default language, keeping the rest of its look.
async fn tenant_default(portal: &Portal, tag: &str) {
    let system = TenantScope::dangerous_system(portal.acme);
    let mut branding = portal
        .stores
        .tenants
        .tenant(&system)
        .await
        .unwrap()
        .branding;
    branding.default_locale = Some(LanguageTag::parse(tag).unwrap());
    portal
        .stores
        .tenants
        .update_branding(&system, branding, &AuditContext::default())
        .await
        .unwrap();
}

fn lang(html: &str) -> &str {
    let start = html.find("<html lang=\"").unwrap() + "<html lang=\"".len();
    &html[start..start + html[start..].find('"').unwrap()]
}

#[tokio::test]
async fn the_tenants_default_language_comes_before_the_browsers() {
    let (portal, _world) = seeded().await;
    let jar = Jar::default();
    let english = get(&portal, "/acme/login", &jar, Some("en-GB,en")).await;
    assert_eq!(lang(&english.text), "en");
    let german = get(&portal, "/acme/login", &jar, Some("de-DE,de")).await;
    assert_eq!(lang(&german.text), "de");

    tenant_default(&portal, "de-AT").await;
    let login = get(&portal, "/acme/login", &jar, Some("en-GB,en")).await;
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(lang(&login.text), "de");
    assert_eq!(header(&login, "content-language"), "de");
    assert!(login.text.contains("Passwort"), "{}", login.text);
    // The error pages too.
    let missing = get(&portal, "/acme/nothing-here", &jar, Some("en")).await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.text.contains("Seite nicht gefunden"),
        "{}",
        missing.text
    );
    // Another tenant keeps its own (none): the browser decides there.
    let globex = get(&portal, "/globex/login", &jar, Some("en")).await;
    assert_eq!(lang(&globex.text), "en");
}

#[tokio::test]
async fn a_persons_own_language_comes_first() {
    let (portal, world) = seeded().await;
    tenant_default(&portal, "de").await;
    let email = world.a.contact("viewer");
    let jar = sign_in(&portal, "acme", &email).await;
    // No preference: the tenant's default beats the browser.
    let page = get(&portal, "/acme/", &jar, Some("en")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(lang(&page.text), "de");

    // The person chooses English through the API; every page follows.
    let cookie = jar.header();
    let set = call(
        &portal,
        Method::PATCH,
        "/acme/api/v1/me",
        Some(json!({ "locale": "en-US" })),
        Auth::Cookie(&cookie),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let page = get(&portal, "/acme/", &jar, Some("de")).await;
    assert_eq!(lang(&page.text), "en");
    assert_eq!(header(&page, "content-language"), "en");

    // A language without a catalogue is passed over: the tenant's default again.
    call(
        &portal,
        Method::PATCH,
        "/acme/api/v1/me",
        Some(json!({ "locale": "fr" })),
        Auth::Cookie(&cookie),
    )
    .await;
    let page = get(&portal, "/acme/", &jar, Some("en")).await;
    assert_eq!(lang(&page.text), "de");
    // The sign-in page knows nobody: there the tenant's default holds.
    let login = get(&portal, "/acme/login", &Jar::default(), Some("en")).await;
    assert_eq!(lang(&login.text), "de");
}

#[tokio::test]
async fn a_contact_sees_their_clients_own_look_and_everyone_else_the_tenants() {
    let (portal, world) = seeded().await;
    let a = world.a.client;
    save(
        &portal,
        &format!("/clients/{a}/branding"),
        look("Client A Portal", "#0b5d1e", None),
    )
    .await;

    // A contact of A: the client's name, logo, favicon and theme.
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let page = get(&portal, "/acme/", &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert!(html.contains("Client A Portal"), "{html}");
    assert!(
        html.contains("src=\"https://cdn.client-a-portal.example/logo.svg\""),
        "{html}"
    );
    assert!(html.contains("href=\"https://cdn.acme.example/favicon.png\""));
    assert!(!html.contains("Acme Agency"), "{html}");
    let theme = find_stylesheet(html, "/assets/client-theme-").unwrap();
    assert!(
        theme.starts_with(&format!(
            "/acme/assets/client-theme-{}-",
            a.as_uuid().simple()
        )),
        "{theme}"
    );
    assert!(find_stylesheet(html, "/assets/theme-").is_none(), "{html}");

    // Staff see the tenant's look, even on the same client's work.
    let staff = sign_in(&portal, "acme", "manager@acme.test").await;
    let page = get(&portal, "/acme/", &staff, None).await;
    assert!(page.text.contains("Acme Agency"), "{}", page.text);
    assert!(!page.text.contains("Client A Portal"), "{}", page.text);
    assert!(find_stylesheet(&page.text, "/assets/theme-").is_some());
    // So does the sign-in page, and a contact of a client without a look of its own.
    let login = get(&portal, "/acme/login", &Jar::default(), None).await;
    assert!(login.text.contains("Acme Agency"));
    assert!(!login.text.contains("Client A Portal"));
    let other = sign_in(&portal, "acme", &world.b.contact("approver")).await;
    let page = get(&portal, "/acme/", &other, None).await;
    assert!(page.text.contains("Acme Agency"), "{}", page.text);
    assert!(!page.text.contains("Client A Portal"), "{}", page.text);

    // Dropping the client's look brings the tenant's back at once.
    let owner = portal.login("acme", "ada@acme.test").await;
    let cleared = call(
        &portal,
        Method::DELETE,
        &acme(&format!("/clients/{a}/branding")),
        None,
        Auth::Cookie(&owner),
    )
    .await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    let page = get(&portal, "/acme/", &jar, None).await;
    assert!(page.text.contains("Acme Agency"), "{}", page.text);
}

#[tokio::test]
async fn a_clients_own_default_language_comes_before_the_tenants() {
    let (portal, world) = seeded().await;
    tenant_default(&portal, "en").await;
    let a = world.a.client;
    save(
        &portal,
        &format!("/clients/{a}/branding"),
        look("Client A Portal", "#0b5d1e", Some("de")),
    )
    .await;

    // A's contacts get German, whatever the browser asks; B's contacts the tenant's English.
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let page = get(&portal, "/acme/", &jar, Some("en-GB")).await;
    assert_eq!(lang(&page.text), "de", "{}", page.text);
    let other = sign_in(&portal, "acme", &world.b.contact("approver")).await;
    let page = get(&portal, "/acme/", &other, Some("de-DE")).await;
    assert_eq!(lang(&page.text), "en", "{}", page.text);
    // Staff follow the tenant's default too.
    let staff = sign_in(&portal, "acme", "manager@acme.test").await;
    let page = get(&portal, "/acme/", &staff, Some("de-DE")).await;
    assert_eq!(lang(&page.text), "en", "{}", page.text);
}

#[tokio::test]
async fn a_clients_theme_is_served_only_to_sessions_that_reach_the_client_sec_26() {
    let (portal, world) = seeded().await;
    let a = world.a.client;
    save(
        &portal,
        &format!("/clients/{a}/branding"),
        look("Client A Portal", "#0b5d1e", None),
    )
    .await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let page = get(&portal, "/acme/", &jar, None).await;
    let theme_url = find_stylesheet(&page.text, "/assets/client-theme-").unwrap();

    let theme = get(&portal, &theme_url, &jar, None).await;
    assert_eq!(theme.status, 200, "{}", theme.text);
    assert_eq!(header(&theme, "content-type"), "text/css; charset=utf-8");
    assert_eq!(
        header(&theme, "cache-control"),
        "private, max-age=31536000, immutable"
    );
    assert!(
        theme.text.contains("--brand-primary: #0b5d1e;"),
        "{}",
        theme.text
    );
    assert!(
        theme.text.contains("letter-spacing: 0.02em"),
        "{}",
        theme.text
    );
    assert!(!theme.text.contains("evil.example"), "{}", theme.text);

    // Anyone else: the same 404 as an asset that does not exist.
    let other_client = sign_in(&portal, "acme", &world.b.contact("approver")).await;
    let globex = sign_in(&portal, "globex", &world.globex.contact("approver")).await;
    let globex_url = theme_url.replacen("/acme/", "/globex/", 1);
    for (who, tenant, url, jar) in [
        ("anonymous", "acme", theme_url.as_str(), &Jar::default()),
        ("a contact of B", "acme", theme_url.as_str(), &other_client),
        ("another tenant", "globex", globex_url.as_str(), &globex),
    ] {
        let nothing = get(
            &portal,
            &format!("/{tenant}/assets/nothing-here.css"),
            jar,
            None,
        )
        .await;
        assert_eq!(nothing.status, 404);
        let refused = get(&portal, url, jar, None).await;
        assert_eq!(refused.status, 404, "{who}: {}", refused.text);
        assert_eq!(refused.text, nothing.text, "{who}");
    }
    // Staff reach the client (to preview it), so they may fetch it.
    let staff = sign_in(&portal, "acme", "manager@acme.test").await;
    assert_eq!(get(&portal, &theme_url, &staff, None).await.status, 200);
}

#[tokio::test]
async fn the_tenants_theme_has_readable_ink_and_sanitised_css() {
    let (portal, _world) = seeded().await;
    save(
        &portal,
        "/branding",
        look("Acme Studio", "#1f3a5f", Some("en")),
    )
    .await;
    let login = get(&portal, "/acme/login", &Jar::default(), None).await;
    assert!(login.text.contains("Acme Studio"), "{}", login.text);
    let theme_url = find_stylesheet(&login.text, "/assets/theme-").unwrap();
    let theme = portal.get(&theme_url, None).await;
    assert_eq!(theme.status, 200, "{}", theme.text);
    let css = &theme.text;
    assert!(css.contains("--brand-primary: #1f3a5f;"), "{css}");
    assert!(css.contains("--brand-on-primary: #ffffff;"), "{css}");
    assert!(css.contains("--brand-on-accent: #111827;"), "{css}");
    assert!(css.contains("--brand-link: #1f3a5f;"), "{css}");
    assert!(
        css.contains(".brand__name { letter-spacing: 0.02em; }"),
        "{css}"
    );
    assert!(!css.contains("@import"), "{css}");
}

#[tokio::test]
async fn an_unknown_path_is_shown_in_the_persons_language_and_look() {
    let (portal, world) = seeded().await;
    let a = world.a.client;
    save(
        &portal,
        &format!("/clients/{a}/branding"),
        look("Client A Portal", "#0b5d1e", None),
    )
    .await;
    let jar = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let cookie = jar.header();
    let set = call(
        &portal,
        Method::PATCH,
        "/acme/api/v1/me",
        Some(json!({ "locale": "de" })),
        Auth::Cookie(&cookie),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let missing = get(&portal, "/acme/nothing-here", &jar, Some("en")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(lang(&missing.text), "de");
    assert!(missing.text.contains("Client A Portal"), "{}", missing.text);
    // Without the session: the tenant's look, the browser's language.
    let anonymous = get(&portal, "/acme/nothing-here", &Jar::default(), Some("en")).await;
    assert_eq!(lang(&anonymous.text), "en");
    assert!(anonymous.text.contains("Acme Agency"), "{}", anonymous.text);
}
