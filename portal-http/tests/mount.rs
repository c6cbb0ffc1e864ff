//! The portal mounted in a host's router: what axum's `nest` and `nest_service` route at the
//! mount point, and a portal serving one tenant under `/portal` whose pages answer at
//! `/portal`, `/portal/` and below, and whose mail links carry no slug and open there.

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

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Uri};
use axum::routing::get as route_get;
use http_body_util::BodyExt as _;
use pages_support::{Jar, get, input_value, location, open_form, post_form, sign_in};
use portal_auth::{MailKind, MailLinkKey};
use portal_core::model::{EventType, Tenant};
use portal_core::{BuiltinRole, Slug};
use portal_http::{HttpConfig, TenantRouting, router};
use portal_notify::dispatch::{NotifyLinks as _, PortalNotifyLinks};
use serde_json::json;
use support::Portal;
use support::staff_api::role_id;
use tower::ServiceExt as _;
use url::Url;

/// Where the host mounts the portal, and the origin its links start with.
const MOUNT: &str = "/portal";
const ORIGIN: &str = "https://portal.example.com/portal";

/// A service that answers with the path and query it was given.
fn echo() -> Router {
    Router::new().fallback(|uri: Uri| async move { uri.to_string() })
}

/// The status and body `app` answers a GET of `path` with.
async fn answer(app: &Router, path: &str) -> (u16, String) {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// axum 0.8's `nest` leaves the mount point with a trailing slash to the host's fallback;
/// `nest_service` hands it to the service as `/`. If a new axum changes either, the guides'
/// advice changes with it.
#[tokio::test]
async fn nest_misses_the_mount_with_a_slash_and_nest_service_routes_it() {
    let nested = Router::new().nest(MOUNT, echo());
    assert_eq!(answer(&nested, "/portal").await, (200, "/".to_owned()));
    assert_eq!(answer(&nested, "/portal/").await.0, 404);
    assert_eq!(answer(&nested, "/portal/?a=1").await.0, 404);
    assert_eq!(answer(&nested, "/portal/x").await, (200, "/x".to_owned()));

    let served = Router::new().nest_service(MOUNT, echo());
    for (path, seen) in [
        ("/portal", "/"),
        ("/portal/", "/"),
        ("/portal/?a=1", "/?a=1"),
        ("/portal/x", "/x"),
        ("/portal/x/", "/x/"),
    ] {
        assert_eq!(
            answer(&served, path).await,
            (200, seen.to_owned()),
            "{path}"
        );
    }
    assert_eq!(answer(&served, "/portalx").await.0, 404);
}

fn key() -> MailLinkKey {
    MailLinkKey::from_bytes([42; 32])
}

/// acme's portal alone, under `/portal` of a host with a page of its own at `/`, its links in
/// mail under the host's address.
async fn mounted() -> Portal {
    let config = HttpConfig::default()
        .with_tenant_routing(TenantRouting::Single(Slug::parse("acme").unwrap()))
        .with_rate_limit(None)
        .with_mail_link_key(key());
    let mut portal = Portal::with_links(config, ORIGIN).await;
    portal.router = Router::new()
        .route("/", route_get(|| async { "the host's own page" }))
        .nest_service(MOUNT, router(portal.state.clone()));
    portal
}

async fn acme(portal: &Portal) -> Tenant {
    portal
        .stores
        .tenants
        .tenant_by_slug(&Slug::parse("acme").unwrap())
        .await
        .unwrap()
        .unwrap()
}

/// The link in the newest mail of `kind` to `to`, once it has arrived (links are mailed after
/// the answer).
async fn mailed_link(portal: &Portal, kind: MailKind, to: &str) -> Url {
    for _ in 0..200 {
        let mail = portal
            .mailer
            .sent()
            .into_iter()
            .rev()
            .find(|mail| mail.kind == kind && mail.to.as_str() == to);
        if let Some(mail) = mail {
            let link = mail
                .text
                .split_whitespace()
                .find(|word| word.starts_with("https://"))
                .unwrap();
            return Url::parse(link).unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no {kind:?} mail to {to}");
}

/// The path and query of `url`, to send through the host's router.
fn path_of(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

#[tokio::test]
async fn the_pages_answer_at_the_mount_with_and_without_a_slash() {
    let portal = mounted().await;
    assert_eq!(
        get(&portal, "/", &Jar::default(), None).await.text,
        "the host's own page"
    );
    for home in ["/portal", "/portal/"] {
        let nobody = get(&portal, home, &Jar::default(), None).await;
        assert_eq!(nobody.status, 303, "{home}: {}", nobody.text);
        assert_eq!(location(&nobody), "/portal/login", "{home}");
    }
    let form = get(&portal, "/portal/login", &Jar::default(), None).await;
    assert!(
        form.text.contains("action=\"/portal/login\""),
        "{}",
        form.text
    );

    // `sign_in` posts to `/{tenant}/login`: here the mount point.
    let jar = sign_in(&portal, "portal", "ada@acme.test").await;
    for home in ["/portal", "/portal/"] {
        let overview = get(&portal, home, &jar, None).await;
        assert_eq!(overview.status, 200, "{home}: {}", overview.text);
        assert!(
            overview.text.contains("action=\"/portal/logout\""),
            "links stay under the mount point: {}",
            overview.text
        );
    }
    let me = portal.get("/portal/api/v1/me", Some(&jar.header())).await;
    assert_eq!(me.status, 200, "{}", me.text);
}

#[tokio::test]
async fn a_magic_link_names_no_slug_and_signs_in_under_the_mount() {
    let portal = mounted().await;
    assert_eq!(
        portal.state.links().single_tenant().unwrap().as_str(),
        "acme"
    );
    let (jar, token, _) = open_form(&portal, "/portal/login/link").await;
    let asked = post_form(
        &portal,
        "/portal/login/link",
        &[("email", "ada@acme.test"), ("csrf_token", &token)],
        &jar,
    )
    .await;
    assert_eq!(asked.status, 303, "{}", asked.text);
    assert_eq!(location(&asked), "/portal/login/link/sent");
    let link = mailed_link(&portal, MailKind::MagicLink, "ada@acme.test").await;
    assert!(
        link.as_str()
            .starts_with("https://portal.example.com/portal/auth/magic?token="),
        "{link}"
    );

    let page = get(&portal, &path_of(&link), &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let pressed = post_form(
        &portal,
        "/portal/auth/magic",
        &[
            ("token", &input_value(&page.text, "token")),
            ("csrf_token", &token),
        ],
        &jar,
    )
    .await;
    assert_eq!(pressed.status, 303, "{}", pressed.text);
    assert_eq!(location(&pressed), "/portal/");
    let mut signed_in = jar.clone();
    signed_in.update(&pressed);
    assert_eq!(get(&portal, "/portal/", &signed_in, None).await.status, 200);
}

#[tokio::test]
async fn an_invitation_names_no_slug_and_opens_under_the_mount() {
    let portal = mounted().await;
    let owner = portal.login("portal", "ada@acme.test").await;
    let role = role_id(&portal, portal.acme, BuiltinRole::Manager).await;
    let invited = portal
        .post(
            "/portal/api/v1/invitations",
            json!({ "email": "new@acme.test", "role_id": role }),
            Some(&owner),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let link = mailed_link(&portal, MailKind::Invitation, "new@acme.test").await;
    assert!(
        link.as_str()
            .starts_with("https://portal.example.com/portal/auth/invitation?token="),
        "{link}"
    );
    let (_, _, page) = open_form(&portal, &path_of(&link)).await;
    assert!(page.text.contains("Join Acme Agency"), "{}", page.text);
    assert!(
        page.text.contains("<dd>new@acme.test</dd>"),
        "{}",
        page.text
    );
}

#[tokio::test]
async fn notification_links_from_the_states_links_open_under_the_mount() {
    let portal = mounted().await;
    let tenant = acme(&portal).await;
    let links = PortalNotifyLinks::new(portal.state.links().clone(), key());

    let page = links.page(&tenant, "notifications");
    assert_eq!(
        page.as_str(),
        "https://portal.example.com/portal/notifications"
    );
    let jar = sign_in(&portal, "portal", "ada@acme.test").await;
    let opened = get(&portal, &path_of(&page), &jar, None).await;
    assert_eq!(opened.status, 200, "{}", opened.text);

    let preferences = links.preferences(&tenant, portal.ada, Some(EventType::ApprovalRequested));
    assert!(
        preferences
            .as_str()
            .starts_with("https://portal.example.com/portal/mail/preferences/"),
        "{preferences}"
    );
    let one_click = get(&portal, &path_of(&preferences), &Jar::default(), None).await;
    assert_eq!(one_click.status, 200, "{}", one_click.text);
}

/// Without `Single` routing the state's links keep the slug.
#[tokio::test]
async fn the_states_links_follow_its_routing() {
    let portal = Portal::with_links(HttpConfig::default(), ORIGIN).await;
    let tenant = acme(&portal).await;
    assert_eq!(portal.state.links().single_tenant(), None);
    assert_eq!(
        portal.state.links().tenant_base(&tenant).as_str(),
        "https://portal.example.com/portal/acme/"
    );
}
