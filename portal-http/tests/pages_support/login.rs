//! Signing in through the forms, as a browser without script does.

use axum::http::Method;
use portal_auth::Clock as _;
use serde_json::json;
use time::OffsetDateTime;

use super::{Jar, SESSION, get, input_value, post_form};
use crate::support::staff_api::{Auth, acme, call};
use crate::support::{PASSWORD, Portal, Reply};

/// A browser that opened `path` (a page with a form, e.g. a pre-login one): its jar, with the
/// cookies the page set, the page's form token and the page, asserted 200.
pub async fn open_form(portal: &Portal, path: &str) -> (Jar, String, Reply) {
    let mut jar = Jar::default();
    let page = get(portal, path, &jar, None).await;
    assert_eq!(page.status, 200, "{path}: {}", page.text);
    jar.update(&page);
    let token = input_value(&page.text, "csrf_token");
    (jar, token, page)
}

/// Posts `tenant`'s sign-in form with `email`, `password` and the form's `token`; the reply.
pub async fn post_login(
    portal: &Portal,
    tenant: &str,
    jar: &Jar,
    email: &str,
    password: &str,
    token: &str,
) -> Reply {
    post_form(
        portal,
        &format!("/{tenant}/login"),
        &[
            ("email", email),
            ("password", password),
            ("csrf_token", token),
        ],
        jar,
    )
    .await
}

/// Signs in through the form (GET, then POST with the form's token) and returns the browser's
/// jar, holding the session cookie.
pub async fn sign_in(portal: &Portal, tenant: &str, email: &str) -> Jar {
    let (mut jar, token, _) = open_form(portal, &format!("/{tenant}/login")).await;
    let reply = post_login(portal, tenant, &jar, email, PASSWORD, &token).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    jar.update(&reply);
    assert!(jar.get(SESSION).is_some(), "no session cookie");
    jar
}

/// The code an authenticator app shows at `at` for this base32 secret.
pub fn totp(secret: &str, at: OffsetDateTime) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    totp.generate(u64::try_from(at.unix_timestamp()).unwrap())
        .to_string()
}

/// Turns on `email`'s second factor at acme through the API (as its own session); the secret.
pub async fn second_factor_through_api(portal: &Portal, email: &str) -> String {
    let cookie = portal.login("acme", email).await;
    let setup = call(
        portal,
        Method::POST,
        &acme("/me/mfa/totp"),
        None,
        Auth::Cookie(&cookie),
    )
    .await;
    let secret = setup.json()["secret"].as_str().unwrap().to_owned();
    let confirmed = call(
        portal,
        Method::POST,
        &acme("/me/mfa/totp/confirm"),
        Some(json!({ "code": totp(&secret, portal.clock.now()) })),
        Auth::Cookie(&cookie),
    )
    .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    secret
}
