//! The sign-in pages through the router, as a browser without script uses them: the form round
//! trip, wrong passwords, CSRF tokens and cross-site form posts (SEC-31), the second factor,
//! sign-out, and what a page answers without a session here.

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

use axum::http::header;
use pages_support::{
    CSRF, Jar, SESSION, audited, get, header, input_value, location, open_form, post_form,
    post_form_with, post_login, second_factor_through_api, seeded, sign_in, totp,
};
use portal_auth::Clock as _;
use serde_json::json;
use support::{PASSWORD, Portal};
use time::Duration;

#[tokio::test]
async fn the_login_form_round_trip_needs_no_script_sec_31_sec_32() {
    let (portal, world) = seeded().await;
    let mut jar = Jar::default();

    let form = get(&portal, "/acme/login", &jar, None).await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert_eq!(header(&form, "content-type"), "text/html; charset=utf-8");
    let csp = header(&form, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(header(&form, "cache-control"), "no-store");
    assert_eq!(header(&form, "x-content-type-options"), "nosniff");
    assert_eq!(header(&form, "referrer-policy"), "no-referrer");
    let csrf_cookie = header(&form, "set-cookie");
    assert!(
        csrf_cookie.starts_with(&format!("{CSRF}=")),
        "{csrf_cookie}"
    );
    assert!(
        csrf_cookie.ends_with("; Path=/; HttpOnly; SameSite=Strict; Secure"),
        "{csrf_cookie}"
    );
    let html = &form.text;
    assert!(
        html.starts_with("<!doctype html>\n<html lang=\"en\""),
        "{html}"
    );
    assert!(
        html.contains("<title>Sign in · Acme Agency</title>"),
        "{html}"
    );
    assert!(html.contains("Sign in to Acme Agency"), "{html}");
    assert!(html.contains("<main id=\"main\""), "{html}");
    assert!(html.contains("href=\"#main\""), "{html}");
    assert!(html.contains("action=\"/acme/login\""), "{html}");
    assert!(html.contains("<label class=\"field__label\" for=\"email\">Email address</label>"));
    assert!(html.contains("autocomplete=\"current-password\""));
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/acme/assets/portal-").count()
            + html.matches("<script src=\"/acme/assets/passkey-").count(),
        "no inline script, only the portal's own files: {html}"
    );
    assert!(!html.contains("style=\""), "no inline style: {html}");
    jar.update(&form);
    let token = input_value(html, "csrf_token");

    let email = world.a.contact("approver");
    let signed_in = post_login(&portal, "acme", &jar, &email, PASSWORD, &token).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    assert_eq!(location(&signed_in), "/acme/");
    let session = header(&signed_in, "set-cookie");
    assert!(session.starts_with(&format!("{SESSION}=")), "{session}");
    assert!(
        session.contains("; Path=/; HttpOnly; SameSite=Lax;"),
        "{session}"
    );
    assert!(session.ends_with("; Secure"), "{session}");
    jar.update(&signed_in);

    let overview = get(&portal, "/acme/", &jar, None).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    let html = &overview.text;
    assert!(html.contains("Website canary-acme-a"), "{html}");
    assert!(html.contains("Please approve canary-acme-a"), "{html}");
    assert!(html.contains("Your decision"), "{html}");
    assert!(html.contains("Signed in as Approver"), "{html}");
    assert!(html.contains("aria-current=\"page\""), "{html}");
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/acme/assets/portal-").count(),
        "{html}"
    );
    assert!(!html.contains("style=\""), "{html}");
    assert_eq!(header(&overview, "cache-control"), "no-store");

    // The page's session is the API's session.
    let me = portal.get("/acme/api/v1/me", Some(&jar.header())).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["email"], email);

    // Signed in already: the form sends straight on to the overview.
    let again = get(&portal, "/acme/login", &jar, None).await;
    assert_eq!(again.status, 303);
    assert_eq!(location(&again), "/acme/");
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_401_and_the_same_words_sec_08() {
    let portal = Portal::new().await;
    let (jar, token, _) = open_form(&portal, "/acme/login").await;

    let attempt = |email: &'static str| {
        let (portal, jar, token) = (&portal, &jar, token.clone());
        async move {
            post_form(
                portal,
                "/acme/login",
                &[
                    ("email", email),
                    ("password", "not the password <b>"),
                    ("csrf_token", &token),
                ],
                jar,
            )
            .await
        }
    };
    let wrong = attempt("ada@acme.test").await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    assert_eq!(header(&wrong, "content-type"), "text/html; charset=utf-8");
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    assert!(wrong.text.contains("role=\"alert\""), "{}", wrong.text);
    assert!(
        wrong
            .text
            .contains("The email address or password is not right."),
        "{}",
        wrong.text
    );
    assert!(
        wrong.text.contains("value=\"ada@acme.test\""),
        "{}",
        wrong.text
    );
    assert!(wrong.text.contains("aria-invalid=\"true\""));
    assert!(!wrong.text.contains("not the password"), "never echoed");
    // The same token still works: it belongs to the browser, not to one attempt.
    assert_eq!(input_value(&wrong.text, "csrf_token"), token);

    // An unknown email reads exactly like a wrong password, but for the address typed.
    let unknown = attempt("nobody@acme.test").await;
    assert_eq!(unknown.status, 401);
    assert_eq!(
        unknown.text.replace("nobody@acme.test", "ada@acme.test"),
        wrong.text
    );
}

#[tokio::test]
async fn too_many_wrong_passwords_show_the_form_with_429_and_retry_after_sec_10() {
    let portal = Portal::new().await;
    let (jar, token, _) = open_form(&portal, "/acme/login").await;
    let fields = [
        ("email", "ada@acme.test"),
        ("password", "not the password"),
        ("csrf_token", token.as_str()),
    ];
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..10 {
        let reply = post_form(&portal, "/acme/login", &fields, &jar).await;
        statuses.push(reply.status);
        if reply.status == 429 {
            last = Some(reply);
            break;
        }
    }
    let throttled = last.unwrap_or_else(|| panic!("never throttled: {statuses:?}"));
    assert!(
        statuses[..statuses.len() - 1]
            .iter()
            .all(|status| *status == 401)
    );
    let seconds: i64 = header(&throttled, "retry-after").parse().unwrap();
    assert!(seconds >= 1, "{seconds}");
    assert_eq!(
        header(&throttled, "content-type"),
        "text/html; charset=utf-8"
    );
    assert!(
        throttled.text.contains("Too many attempts."),
        "{}",
        throttled.text
    );
    assert!(
        throttled.text.contains("value=\"ada@acme.test\""),
        "{}",
        throttled.text
    );
    assert_eq!(input_value(&throttled.text, "csrf_token"), token);
}

/// The sign-in form's fields for acme's owner, with `token`.
fn owner_fields(token: &str) -> [(&'static str, &str); 3] {
    [
        ("email", "ada@acme.test"),
        ("password", PASSWORD),
        ("csrf_token", token),
    ]
}

/// Asserts the branded 403 page of a refused form, and that it signed nobody in.
fn assert_refused(reply: &support::Reply) {
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(header(reply, "content-type"), "text/html; charset=utf-8");
    assert!(
        reply.text.contains("This form could not be accepted"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("Acme Agency"),
        "branded: {}",
        reply.text
    );
    assert!(reply.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn a_form_without_its_token_or_from_another_site_is_refused_with_403_sec_31() {
    let portal = Portal::new().await;
    let (jar, token, _) = open_form(&portal, "/acme/login").await;

    assert_refused(&post_form(&portal, "/acme/login", &owner_fields(""), &jar).await);
    assert_refused(&post_form(&portal, "/acme/login", &owner_fields("forged"), &jar).await);
    let without_field = post_form(
        &portal,
        "/acme/login",
        &[("email", "ada@acme.test"), ("password", PASSWORD)],
        &jar,
    )
    .await;
    assert_refused(&without_field);
    // The token of another browser's cookie does not fit this one's.
    let (_, other_token, _) = open_form(&portal, "/acme/login").await;
    assert_ne!(other_token, token);
    assert_refused(&post_form(&portal, "/acme/login", &owner_fields(&other_token), &jar).await);
    // A token without the cookie it came from.
    assert_refused(
        &post_form(
            &portal,
            "/acme/login",
            &owner_fields(&token),
            &Jar::default(),
        )
        .await,
    );

    // The right token from another site: refused before the token is even looked at.
    for headers in [
        [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ],
        [("origin", "null"), ("sec-fetch-site", "cross-site")],
        [("origin", "https://evil.example"), ("x-unrelated", "1")],
        [("origin", "null"), ("x-unrelated", "1")],
        [("sec-fetch-site", "same-site"), ("x-unrelated", "1")],
    ] {
        assert_refused(
            &post_form_with(
                &portal,
                "/acme/login",
                &owner_fields(&token),
                &jar,
                &headers,
            )
            .await,
        );
    }
    // A same-origin post that names its real origin is accepted.
    let accepted = post_form_with(
        &portal,
        "/acme/login",
        &owner_fields(&token),
        &jar,
        &[
            ("origin", "https://portal.example.com"),
            ("sec-fetch-site", "same-origin"),
        ],
    )
    .await;
    assert_eq!(accepted.status, 303, "{}", accepted.text);

    // The API's rule is unchanged: `Origin: null` is refused there, in JSON, whatever
    // Sec-Fetch-Site says.
    let api = portal
        .send(
            axum::http::Request::post("/acme/api/v1/auth/login")
                .header(header::HOST, "portal.example.com")
                .header(header::CONTENT_TYPE, "application/json")
                .header("origin", "null")
                .header("sec-fetch-site", "same-origin")
                .body(axum::body::Body::from(
                    json!({"email": "ada@acme.test", "password": PASSWORD}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(api.status, 403);
    assert_eq!(api.error_code(), "cross_site_request");
    // A browser form aimed at the API is held to the API's rule and answered in JSON.
    let api_form = post_form(&portal, "/acme/api/v1/auth/logout", &[], &jar).await;
    assert_eq!(api_form.status, 403);
    assert_eq!(api_form.error_code(), "cross_site_request");
}

#[tokio::test]
async fn the_second_factor_is_its_own_form_sec_23() {
    let portal = Portal::new().await;
    let secret = second_factor_through_api(&portal, "ada@acme.test").await;
    portal.clock.advance(Duration::seconds(30));

    let (mut jar, token, _) = open_form(&portal, "/acme/login").await;
    let step = post_login(&portal, "acme", &jar, "ada@acme.test", PASSWORD, &token).await;
    assert_eq!(step.status, 200, "{}", step.text);
    assert!(
        step.headers.get(header::SET_COOKIE).is_none(),
        "not signed in yet"
    );
    assert!(step.text.contains("Two-step verification"), "{}", step.text);
    assert!(step.text.contains("action=\"/acme/login/mfa\""));
    assert!(step.text.contains("autocomplete=\"one-time-code\""));
    let challenge = input_value(&step.text, "challenge");

    let wrong = post_form(
        &portal,
        "/acme/login/mfa",
        &[
            ("challenge", &challenge),
            ("code", "000000"),
            ("csrf_token", &token),
        ],
        &jar,
    )
    .await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    assert!(
        wrong.text.contains("That code did not work."),
        "{}",
        wrong.text
    );
    assert_eq!(input_value(&wrong.text, "challenge"), challenge);

    let no_token = post_form(
        &portal,
        "/acme/login/mfa",
        &[
            ("challenge", &challenge),
            ("code", &totp(&secret, portal.clock.now())),
        ],
        &jar,
    )
    .await;
    assert_eq!(no_token.status, 403);

    let done = post_form(
        &portal,
        "/acme/login/mfa",
        &[
            ("challenge", &challenge),
            ("code", &totp(&secret, portal.clock.now())),
            ("csrf_token", &token),
        ],
        &jar,
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(location(&done), "/acme/");
    jar.update(&done);
    let overview = get(&portal, "/acme/", &jar, None).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_needs_its_token_sec_17() {
    let portal = Portal::new().await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let overview = get(&portal, "/acme/", &jar, None).await;
    assert!(
        overview.text.contains("action=\"/acme/logout\""),
        "{}",
        overview.text
    );
    let token = input_value(&overview.text, "csrf_token");
    // The session's form token is not the session token, nor the pre-login one.
    assert_ne!(Some(token.as_str()), jar.get(SESSION));
    assert_ne!(
        token,
        input_value(
            &get(&portal, "/acme/login", &Jar::default(), None)
                .await
                .text,
            "csrf_token"
        )
    );

    let forged = post_form(&portal, "/acme/logout", &[("csrf_token", "x")], &jar).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert_eq!(
        get(&portal, "/acme/", &jar, None).await.status,
        200,
        "still signed in"
    );

    let out = post_form(&portal, "/acme/logout", &[("csrf_token", &token)], &jar).await;
    assert_eq!(out.status, 303, "{}", out.text);
    assert_eq!(location(&out), "/acme/login");
    assert!(header(&out, "set-cookie").contains("Max-Age=0"));
    // The old cookie is dead everywhere.
    let replay = get(&portal, "/acme/", &jar, None).await;
    assert_eq!(replay.status, 303);
    assert_eq!(location(&replay), "/acme/login");
    let me = portal.get("/acme/api/v1/me", Some(&jar.header())).await;
    assert_eq!(me.status, 401);
}

/// Signing in through the form ends the session the browser still held in this tenant, and
/// leaves one of another tenant alone, with nothing written to that tenant's audit log — as
/// the API's sign-in does (SEC-13, SEC-27).
#[tokio::test]
async fn a_sign_in_ends_only_this_tenants_earlier_session_sec_13_sec_27() {
    let portal = Portal::new().await;
    // The browser holds globex's session: to acme it is no session, so acme's form shows.
    let mut globex = sign_in(&portal, "globex", "gil@globex.test").await;
    let form = get(&portal, "/acme/login", &globex, None).await;
    assert_eq!(form.status, 200, "{}", form.text);
    globex.update(&form);
    let token = input_value(&form.text, "csrf_token");
    let sign_in_with = |jar: Jar| {
        let (portal, token) = (&portal, token.clone());
        async move {
            let reply = post_login(portal, "acme", &jar, "ada@acme.test", PASSWORD, &token).await;
            assert_eq!(reply.status, 303, "{}", reply.text);
            let mut jar = jar;
            jar.update(&reply);
            jar
        }
    };

    let at_acme = sign_in_with(globex.clone()).await;
    assert_ne!(at_acme.get(SESSION), globex.get(SESSION));
    assert_eq!(
        get(&portal, "/globex/", &globex, None).await.status,
        200,
        "another tenant's session is not acme's to end"
    );
    assert!(
        audited(&portal, portal.globex, "session.logged_out")
            .await
            .is_empty(),
        "nothing written to globex's audit log"
    );

    // Signing in at acme again ends acme's earlier session.
    let again = sign_in_with(at_acme.clone()).await;
    assert_ne!(again.get(SESSION), at_acme.get(SESSION));
    assert_eq!(
        location(&get(&portal, "/acme/", &at_acme, None).await),
        "/acme/login"
    );
    assert_eq!(get(&portal, "/acme/", &again, None).await.status, 200);
    assert_eq!(
        audited(&portal, portal.acme, "session.logged_out")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn without_a_session_here_a_page_redirects_to_the_sign_in_form_sec_27() {
    let portal = Portal::new().await;
    let nobody = get(&portal, "/acme/", &Jar::default(), None).await;
    assert_eq!(nobody.status, 303);
    assert_eq!(location(&nobody), "/acme/login");
    // `/acme` without the slash is the overview too.
    let bare = get(&portal, "/acme", &Jar::default(), None).await;
    assert_eq!(bare.status, 303);
    assert_eq!(location(&bare), "/acme/login");

    // Another tenant's live session is no session here: the same redirect, byte for byte.
    let globex = sign_in(&portal, "globex", "gil@globex.test").await;
    assert_eq!(get(&portal, "/globex/", &globex, None).await.status, 200);
    let foreign = get(&portal, "/acme/", &globex, None).await;
    assert_eq!(foreign.status, nobody.status);
    assert_eq!(location(&foreign), location(&nobody));
    assert_eq!(foreign.text, nobody.text);
    assert!(!foreign.text.contains("Globex"));

    // A garbage cookie likewise.
    let mut junk = Jar::default();
    let fake = support::Reply {
        status: 200,
        headers: {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(
                header::SET_COOKIE,
                format!("{SESSION}=not-a-token; Path=/").parse().unwrap(),
            );
            headers
        },
        text: String::new(),
    };
    junk.update(&fake);
    assert_eq!(
        location(&get(&portal, "/acme/", &junk, None).await),
        "/acme/login"
    );
}

#[tokio::test]
async fn the_second_step_of_a_password_prompt_goes_back_under_the_base_only_sec_13_sec_20() {
    let portal = Portal::new().await;
    let secret = second_factor_through_api(&portal, "ada@acme.test").await;

    // Signed in with both factors, then asked for the password again.
    let mut jar = Jar::default();
    jar.update(&get(&portal, "/acme/login", &jar, None).await);
    let login_token = input_value(
        &get(&portal, "/acme/login", &jar, None).await.text,
        "csrf_token",
    );
    // The prompt's own `next`, and one tampered with on the second step: both stay under the base.
    for (next, tampered, expected) in [
        ("/account", None, "/acme/account"),
        ("//evil.example", None, "/acme/"),
        ("/account", Some("https://evil.example/"), "/acme/"),
    ] {
        portal.clock.advance(Duration::seconds(30));
        let step = post_login(
            &portal,
            "acme",
            &jar,
            "ada@acme.test",
            PASSWORD,
            &login_token,
        )
        .await;
        let challenge = input_value(&step.text, "challenge");
        portal.clock.advance(Duration::seconds(30));
        let done = post_form(
            &portal,
            "/acme/login/mfa",
            &[
                ("challenge", &challenge),
                ("code", &totp(&secret, portal.clock.now())),
                ("csrf_token", &login_token),
            ],
            &jar,
        )
        .await;
        assert_eq!(done.status, 303, "{}", done.text);
        jar.update(&done);
        let old = jar.clone();

        let prompt = get(&portal, "/acme/account/confirm", &jar, None).await;
        let token = input_value(&prompt.text, "csrf_token");
        let second = post_form(
            &portal,
            "/acme/account/confirm",
            &[
                ("password", PASSWORD),
                ("next", next),
                ("csrf_token", &token),
            ],
            &jar,
        )
        .await;
        assert_eq!(second.status, 200, "{}", second.text);
        assert!(
            second.text.contains("action=\"/acme/login/mfa\""),
            "{}",
            second.text
        );
        let carried = input_value(&second.text, "next");
        let challenge = input_value(&second.text, "challenge");
        portal.clock.advance(Duration::seconds(30));
        let back = post_form(
            &portal,
            "/acme/login/mfa",
            &[
                ("challenge", &challenge),
                ("code", &totp(&secret, portal.clock.now())),
                ("next", tampered.unwrap_or(&carried)),
                ("csrf_token", &login_token),
            ],
            &jar,
        )
        .await;
        assert_eq!(back.status, 303, "{}", back.text);
        assert_eq!(location(&back), expected);
        jar.update(&back);
        assert_ne!(jar.get(SESSION), old.get(SESSION), "a new session");
        assert_eq!(
            location(&get(&portal, "/acme/", &old, None).await),
            "/acme/login"
        );
        assert_eq!(get(&portal, "/acme/", &jar, None).await.status, 200);
    }
}
