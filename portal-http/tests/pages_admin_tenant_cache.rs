//! A change to the tenant shows on the very next request, with the routing cache on (its
//! default time to live): saving a look in the editor or through the API, adding and removing
//! a custom domain, and the second-factor policy each make the cache forget the tenant. Every
//! request below comes well within the cache's few seconds, so none of it could pass by the
//! cache expiring.

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

use axum::body::Body;
use axum::http::{Method, Request, header};
use pages_support::{Jar, get, input_value, location, post_form, sign_in};
use portal_http::HttpConfig;
use serde_json::json;
use support::Portal;
use support::client_work::{self, World};
use support::staff_api::{Auth, acme, call};

/// A portal with the tenant cache as configured by default (on).
async fn seeded() -> (Portal, World) {
    let config = HttpConfig::default();
    assert!(
        !config.tenant_cache_ttl.is_zero(),
        "these tests need the cache on"
    );
    let portal = Portal::with_config(config).await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

/// The `href` of the page's tenant theme.
fn theme(html: &str) -> String {
    html.split("<link rel=\"stylesheet\" href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .find(|href| href.contains("/assets/theme-"))
        .unwrap_or_else(|| panic!("no theme in {html}"))
}

/// A page GET addressed to `host` instead of the portal's own.
async fn get_on_host(portal: &Portal, host: &str, path: &str) -> support::Reply {
    let request = Request::get(path)
        .header(header::HOST, host)
        .body(Body::empty())
        .unwrap();
    portal.send(request).await
}

#[tokio::test]
async fn the_next_page_after_saving_in_the_editor_links_the_new_theme() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    // Pages seen before the save: the tenant is now in the cache.
    let old_theme = theme(&get(&portal, "/acme/", &owner, None).await.text);
    let old_login = theme(
        &get(&portal, "/acme/login", &Jar::default(), None)
            .await
            .text,
    );
    assert_eq!(old_theme, old_login);

    let editor = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    let fields = [
        ("csrf_token", input_value(&editor, "csrf_token")),
        ("display_name", "Acme Renamed".to_owned()),
        ("primary_colour", "#0b6e4f".to_owned()),
        ("accent_colour", "#f2a541".to_owned()),
        ("default_locale", "de".to_owned()),
        ("intent", "save".to_owned()),
    ];
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    let saved = post_form(&portal, "/acme/admin/branding", &pairs, &owner).await;
    assert_eq!(saved.status, 303, "{}", saved.text);

    // The very next pages — signed in or not — link the new theme, in the new language.
    let overview = get(&portal, "/acme/", &owner, Some("en")).await.text;
    let new_theme = theme(&overview);
    assert_ne!(new_theme, old_theme, "the overview links the new theme");
    assert!(overview.contains("<html lang=\"de\""), "{overview}");
    assert!(overview.contains("Acme Renamed"), "{overview}");
    let login = get(&portal, "/acme/login", &Jar::default(), Some("en"))
        .await
        .text;
    assert_eq!(theme(&login), new_theme, "the sign-in page too");
    let css = get(&portal, &new_theme, &Jar::default(), None).await;
    assert_eq!(css.status, 200);
    assert!(
        css.text.contains("--brand-primary: #0b6e4f;"),
        "{}",
        css.text
    );
}

#[tokio::test]
async fn changes_through_the_api_show_on_the_next_request() {
    let (portal, world) = seeded().await;
    let owner = portal.login("acme", "ada@acme.test").await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let old_theme = theme(&get(&portal, "/acme/", &jar, None).await.text);

    // A new look.
    let saved = call(
        &portal,
        Method::PUT,
        &acme("/branding"),
        Some(json!({
            "display_name": "Acme Through The API",
            "primary_colour": "#1f3a5f",
            "accent_colour": "#f2a541",
        })),
        Auth::Cookie(&owner),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert_ne!(theme(&overview), old_theme);
    assert!(overview.contains("Acme Through The API"), "{overview}");

    // A custom domain: unknown (and remembered as such), then added, then removed.
    let host = "portal.acme-agency.example";
    assert_eq!(get_on_host(&portal, host, "/login").await.status, 404);
    let added = call(
        &portal,
        Method::POST,
        &acme("/branding/domains"),
        Some(json!({ "host": host })),
        Auth::Cookie(&owner),
    )
    .await;
    assert_eq!(added.status, 200, "{}", added.text);
    let on_domain = get_on_host(&portal, host, "/login").await;
    assert_eq!(on_domain.status, 200, "{}", on_domain.text);
    assert!(on_domain.text.contains("Acme Through The API"));
    let removed = call(
        &portal,
        Method::DELETE,
        &acme(&format!("/branding/domains/{host}")),
        None,
        Auth::Cookie(&owner),
    )
    .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(get_on_host(&portal, host, "/login").await.status, 404);

    // The second-factor policy: a signed-in contact's next page is the enrolment.
    let contact = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    assert_eq!(get(&portal, "/acme/", &contact, None).await.status, 200);
    let policy = call(
        &portal,
        Method::PUT,
        &acme("/security/mfa-policy"),
        Some(json!({ "staff": false, "contacts": true })),
        Auth::Cookie(&owner),
    )
    .await;
    assert_eq!(policy.status, 200, "{}", policy.text);
    let next = get(&portal, "/acme/", &contact, None).await;
    assert_eq!(next.status, 303, "{}", next.text);
    assert_eq!(location(&next), "/acme/account/mfa");
}
