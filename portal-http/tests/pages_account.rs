//! The viewer's own account through the router, as a browser without script uses it: the
//! account page, renaming, the password (change, and the prompt before sensitive acts, SEC-20),
//! the second factor (enrolment, recovery codes, turning it off, a tenant that requires one,
//! SEC-23) and the sessions (SEC-17, SEC-19).

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
    Jar, SESSION, assert_field_error, audited, get, header, input_value, location, open_form,
    post_form, post_login, seeded, sign_in, totp,
};
use portal_auth::Clock as _;
use portal_core::TenantScope;
use portal_core::model::AuditContext;
use support::client_work::World;
use support::{PASSWORD, Portal, Reply};
use time::Duration;

/// A new password that meets the policy.
const NEW_PASSWORD: &str = "violet harbour engine 2031";

/// The seeded world in a tenant that requires contacts to use a second factor.
async fn seeded_requiring_a_second_factor() -> (Portal, World) {
    let (portal, world) = seeded().await;
    portal
        .stores
        .tenants
        .set_mfa_policy(
            &TenantScope::dangerous_system(portal.acme),
            false,
            true,
            &AuditContext::default(),
        )
        .await
        .unwrap();
    (portal, world)
}

/// The account page of `jar`, asserted 200.
async fn account(portal: &Portal, jar: &Jar) -> Reply {
    let page = get(portal, "/acme/account", jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    page
}

/// Posts a form of the page `jar` is on, with the page's token.
async fn submit(portal: &Portal, jar: &Jar, path: &str, fields: &[(&str, &str)]) -> Reply {
    // The second-factor page opens even for someone who must enrol first.
    let page = get(portal, "/acme/account/mfa", jar, None).await;
    let token = input_value(&page.text, "csrf_token");
    let mut all = fields.to_vec();
    all.push(("csrf_token", &token));
    post_form(portal, path, &all, jar).await
}

/// The ids of the other sessions a page offers to end.
fn session_ids(html: &str) -> Vec<String> {
    html.split("/account/sessions/")
        .skip(1)
        .filter_map(|rest| rest.split_once("/end\"").map(|(id, _)| id.to_owned()))
        .filter(|id| id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect()
}

/// The jar after a redirect that set a new session cookie.
fn follow(jar: &Jar, reply: &Reply) -> Jar {
    let mut jar = jar.clone();
    jar.update(reply);
    jar
}

/// A signed-in person's second factor set up through the pages: the secret.
async fn enrol(portal: &Portal, jar: &Jar) -> String {
    let setup = submit(portal, jar, "/acme/account/mfa/setup", &[]).await;
    assert_eq!(setup.status, 200, "{}", setup.text);
    let secret = setup
        .text
        .split("<code class=\"account-secret\" aria-describedby=\"secret-hint\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .replace(' ', "");
    let code = totp(&secret, portal.clock.now());
    let done = submit(portal, jar, "/acme/account/mfa/confirm", &[("code", &code)]).await;
    assert_eq!(done.status, 200, "{}", done.text);
    // The step just used cannot be used again.
    portal.clock.advance(Duration::seconds(30));
    secret
}

#[tokio::test]
async fn the_account_page_shows_the_person_their_factor_and_their_devices() {
    let (portal, world) = seeded().await;
    let email = world.a.contact("approver");
    let here = sign_in(&portal, "acme", &email).await;
    let _there = sign_in(&portal, "acme", &email).await;

    let overview = get(&portal, "/acme/", &here, None).await;
    assert!(
        overview.text.contains("href=\"/acme/account\""),
        "the header links the account"
    );
    let page = account(&portal, &here).await;
    let html = &page.text;
    assert_eq!(header(&page, "cache-control"), "no-store");
    assert_eq!(html.matches("<h1").count(), 1, "{html}");
    assert!(
        html.contains("<title>Your account · Acme Agency</title>"),
        "{html}"
    );
    assert!(html.contains(&format!("<dd>{email}</dd>")), "{html}");
    assert_eq!(input_value(html, "name"), "Approver");
    assert!(html.contains("aria-labelledby=\"sessions-heading\""));
    assert_eq!(html.matches("This device").count(), 1, "{html}");
    assert_eq!(
        session_ids(html).len(),
        1,
        "only the other session can be ended here"
    );
    assert!(html.contains("Sign out the other device"), "{html}");
    assert!(html.contains("Unknown browser"), "{html}");
    assert!(
        html.contains("<option value=\"\" selected>As my browser says</option>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"de\">Deutsch</option>"),
        "{html}"
    );
    assert!(html.contains("Two-step verification"));
    assert!(html.contains("href=\"/acme/account/mfa\""));
    assert!(html.contains("autocomplete=\"current-password\""));
    assert!(!html.contains("style=\""), "no inline style: {html}");
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/acme/assets/portal-").count()
    );

    let german = get(&portal, "/acme/account", &here, Some("de")).await;
    assert!(
        german
            .text
            .contains("<title>Ihr Konto · Acme Agency</title>"),
        "{}",
        german.text
    );
    assert!(german.text.contains("Sitzungen und Geräte"));
    assert!(german.text.contains("Dieses Gerät"));

    // Nobody else's account: without a session here, the sign-in form, as for any page.
    let nobody = get(&portal, "/acme/account", &Jar::default(), None).await;
    assert_eq!(location(&nobody), "/acme/login");
    let foreign = sign_in(&portal, "globex", "gil@globex.test").await;
    let crossed = get(&portal, "/acme/account", &foreign, None).await;
    assert_eq!(crossed.status, 303);
    assert_eq!(crossed.text, nobody.text);
}

#[tokio::test]
async fn renaming_takes_a_valid_name_and_is_audited() {
    let portal = Portal::new().await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;

    let forged = post_form(&portal, "/acme/account/name", &[("name", "Mallory")], &jar).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    let empty = submit(&portal, &jar, "/acme/account/name", &[("name", "   ")]).await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    assert_field_error(&empty.text, "name", "Please fill this in.");
    let long = "x".repeat(201);
    let too_long = submit(&portal, &jar, "/acme/account/name", &[("name", &long)]).await;
    assert_eq!(too_long.status, 422);
    assert_field_error(&too_long.text, "name", "Please use at most 200 characters.");
    assert!(
        too_long.text.contains(&format!("value=\"{long}\"")),
        "what was typed stays"
    );

    let renamed = submit(
        &portal,
        &jar,
        "/acme/account/name",
        &[("name", "Ada <Lovelace>")],
    )
    .await;
    assert_eq!(renamed.status, 303, "{}", renamed.text);
    assert_eq!(
        location(&renamed),
        "/acme/account?notice=notice-account-renamed"
    );
    let page = get(&portal, location(&renamed), &jar, None).await;
    assert!(page.text.contains("Your name is saved."), "{}", page.text);
    assert!(
        page.text.contains("Signed in as Ada &lt;Lovelace&gt;"),
        "{}",
        page.text
    );
    let renames: Vec<_> = audited(&portal, portal.acme, "user.changed")
        .await
        .into_iter()
        .filter(|event| event.details["change"] == "renamed")
        .collect();
    assert_eq!(renames.len(), 1, "{renames:?}");
    assert_eq!(
        renames[0].object.as_ref().unwrap().id,
        *portal.ada.as_uuid()
    );
}

#[tokio::test]
async fn a_person_signs_out_their_other_devices_and_no_one_elses_sec_17() {
    let portal = Portal::new().await;
    let here = sign_in(&portal, "acme", "ada@acme.test").await;
    let phone = sign_in(&portal, "acme", "ada@acme.test").await;
    let laptop = sign_in(&portal, "acme", "ada@acme.test").await;
    let globex = sign_in(&portal, "globex", "gil@globex.test").await;
    let globex_other = sign_in(&portal, "globex", "gil@globex.test").await;

    // Another person's session id — of another tenant — is the same 404 as one that never was.
    let foreign = session_ids(&get(&portal, "/globex/account", &globex, None).await.text);
    assert_eq!(foreign.len(), 1);
    let unknown = submit(
        &portal,
        &here,
        &format!("/acme/account/sessions/{}/end", "0".repeat(64)),
        &[],
    )
    .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let crossed = submit(
        &portal,
        &here,
        &format!("/acme/account/sessions/{}/end", foreign[0]),
        &[],
    )
    .await;
    assert_eq!(crossed.status, 404);
    assert_eq!(crossed.text, unknown.text);
    let malformed = submit(&portal, &here, "/acme/account/sessions/nope/end", &[]).await;
    assert_eq!(malformed.text, unknown.text);
    assert_eq!(
        get(&portal, "/globex/", &globex_other, None).await.status,
        200,
        "untouched"
    );

    // One other device.
    let page = account(&portal, &here).await;
    let ids = session_ids(&page.text);
    assert_eq!(ids.len(), 2);
    let forged = post_form(
        &portal,
        &format!("/acme/account/sessions/{}/end", ids[0]),
        &[],
        &here,
    )
    .await;
    assert_eq!(forged.status, 403);
    let ended = submit(
        &portal,
        &here,
        &format!("/acme/account/sessions/{}/end", ids[0]),
        &[],
    )
    .await;
    assert_eq!(ended.status, 303, "{}", ended.text);
    assert_eq!(
        location(&ended),
        "/acme/account?notice=notice-account-session-ended"
    );
    let alive: Vec<_> = [
        get(&portal, "/acme/", &phone, None).await.status,
        get(&portal, "/acme/", &laptop, None).await.status,
    ]
    .to_vec();
    assert_eq!(
        alive.iter().filter(|status| **status == 200).count(),
        1,
        "{alive:?}"
    );
    assert_eq!(
        audited(&portal, portal.acme, "session.revoked").await.len(),
        1
    );

    // Every other device.
    let all = submit(&portal, &here, "/acme/account/sessions/end-others", &[]).await;
    assert_eq!(all.status, 303, "{}", all.text);
    assert_eq!(
        location(&all),
        "/acme/account?notice=notice-account-sessions-ended"
    );
    assert_eq!(
        location(&get(&portal, "/acme/", &phone, None).await),
        "/acme/login"
    );
    assert_eq!(
        location(&get(&portal, "/acme/", &laptop, None).await),
        "/acme/login"
    );
    let page = get(&portal, location(&all), &here, None).await;
    assert!(session_ids(&page.text).is_empty(), "{}", page.text);
    assert!(
        page.text.contains("All other devices are signed out."),
        "{}",
        page.text
    );
}

#[tokio::test]
async fn changing_the_password_keeps_this_browser_and_ends_the_others_sec_19_sec_20() {
    let portal = Portal::new().await;
    let here = sign_in(&portal, "acme", "ada@acme.test").await;
    let other = sign_in(&portal, "acme", "ada@acme.test").await;
    let change = |current: &'static str, new: &'static str, again: &'static str| {
        let (portal, here) = (&portal, &here);
        async move {
            submit(
                portal,
                here,
                "/acme/account/password",
                &[
                    ("current_password", current),
                    ("new_password", new),
                    ("new_password_again", again),
                ],
            )
            .await
        }
    };
    let wrong = change("not my password", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert_field_error(
        &wrong.text,
        "current-password",
        "This is not your current password.",
    );
    assert!(!wrong.text.contains("not my password"), "never echoed");
    let mismatch = change(PASSWORD, NEW_PASSWORD, "something else entirely").await;
    assert_field_error(
        &mismatch.text,
        "new-password-again",
        "The two passwords are not the same.",
    );
    let weak = change(PASSWORD, "Password123!", "Password123!").await;
    assert_field_error(&weak.text, "new-password", "This password is too common");

    let changed = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    assert_eq!(
        location(&changed),
        "/acme/account?notice=notice-account-password-changed"
    );
    let here = follow(&here, &changed);
    let page = get(&portal, location(&changed), &here, None).await;
    assert!(
        page.text.contains("Your password is changed."),
        "{}",
        page.text
    );
    assert_eq!(
        location(&get(&portal, "/acme/", &other, None).await),
        "/acme/login"
    );
    assert_eq!(
        audited(&portal, portal.acme, "password.changed")
            .await
            .len(),
        1
    );

    // An old sign-in must confirm the password first (SEC-20): the prompt, then back here.
    portal.clock.advance(Duration::minutes(11));
    let stale = submit(
        &portal,
        &here,
        "/acme/account/password",
        &[
            ("current_password", NEW_PASSWORD),
            ("new_password", "another fine harbour 2032"),
            ("new_password_again", "another fine harbour 2032"),
        ],
    )
    .await;
    assert_eq!(stale.status, 303, "{}", stale.text);
    assert_eq!(location(&stale), "/acme/account/confirm?next=/account");
}

#[tokio::test]
async fn the_password_prompt_signs_in_afresh_and_returns_only_under_the_base_sec_13_sec_20() {
    let portal = Portal::new().await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let prompt = get(
        &portal,
        "/acme/account/confirm?next=/account/mfa",
        &jar,
        None,
    )
    .await;
    assert_eq!(prompt.status, 200, "{}", prompt.text);
    assert!(prompt.text.contains("Confirm it is you"));
    assert_eq!(input_value(&prompt.text, "next"), "/account/mfa");
    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/../x",
    ] {
        let path = format!(
            "/acme/account/confirm?next={}",
            pages_support::urlencoded(&[("x", evil)]).trim_start_matches("x=")
        );
        let page = get(&portal, &path, &jar, None).await;
        assert_eq!(input_value(&page.text, "next"), "/", "{evil}");
    }
    let token = input_value(&prompt.text, "csrf_token");

    let wrong = post_form(
        &portal,
        "/acme/account/confirm",
        &[
            ("password", "not it"),
            ("next", "/account/mfa"),
            ("csrf_token", &token),
        ],
        &jar,
    )
    .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert_field_error(&wrong.text, "password", "This password is not right.");
    assert_eq!(input_value(&wrong.text, "next"), "/account/mfa");
    let forged = post_form(
        &portal,
        "/acme/account/confirm",
        &[("password", PASSWORD)],
        &jar,
    )
    .await;
    assert_eq!(forged.status, 403);

    let confirmed = post_form(
        &portal,
        "/acme/account/confirm",
        &[
            ("password", PASSWORD),
            ("next", "/account/mfa"),
            ("csrf_token", &token),
        ],
        &jar,
    )
    .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.text);
    assert_eq!(location(&confirmed), "/acme/account/mfa");
    let fresh = follow(&jar, &confirmed);
    assert_ne!(
        fresh.get(SESSION),
        jar.get(SESSION),
        "a new session (SEC-13)"
    );
    assert_eq!(
        location(&get(&portal, "/acme/", &jar, None).await),
        "/acme/login",
        "the old one is dead"
    );
    assert_eq!(
        get(&portal, "/acme/account/mfa", &fresh, None).await.status,
        200
    );

    // A `next` off the base goes to the overview instead.
    let token = input_value(
        &get(&portal, "/acme/account/confirm", &fresh, None)
            .await
            .text,
        "csrf_token",
    );
    let off = post_form(
        &portal,
        "/acme/account/confirm",
        &[
            ("password", PASSWORD),
            ("next", "//evil.example/x"),
            ("csrf_token", &token),
        ],
        &fresh,
    )
    .await;
    assert_eq!(off.status, 303);
    assert_eq!(location(&off), "/acme/");
    let fresh = follow(&fresh, &off);

    // Throttled like the sign-in form (SEC-10): 429 with `Retry-After`.
    let token = input_value(
        &get(&portal, "/acme/account/confirm", &fresh, None)
            .await
            .text,
        "csrf_token",
    );
    let mut statuses = Vec::new();
    let mut throttled = None;
    for _ in 0..12 {
        let reply = post_form(
            &portal,
            "/acme/account/confirm",
            &[
                ("password", "wrong again"),
                ("next", "/"),
                ("csrf_token", &token),
            ],
            &fresh,
        )
        .await;
        statuses.push(reply.status);
        if reply.status == 429 {
            throttled = Some(reply);
            break;
        }
    }
    let throttled = throttled.unwrap_or_else(|| panic!("never throttled: {statuses:?}"));
    assert!(header(&throttled, "retry-after").parse::<i64>().unwrap() >= 1);
    assert!(
        throttled.text.contains("Too many attempts."),
        "{}",
        throttled.text
    );
}

#[tokio::test]
async fn setting_up_the_second_factor_shows_the_secret_once_and_turns_it_on_sec_23() {
    let portal = Portal::new().await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let state = get(&portal, "/acme/account/mfa", &jar, None).await;
    assert_eq!(state.status, 200, "{}", state.text);
    assert!(
        state.text.contains("Two-step verification is off"),
        "{}",
        state.text
    );
    assert!(state.text.contains("action=\"/acme/account/mfa/setup\""));

    let forged = post_form(&portal, "/acme/account/mfa/setup", &[], &jar).await;
    assert_eq!(forged.status, 403);
    let setup = submit(&portal, &jar, "/acme/account/mfa/setup", &[]).await;
    assert_eq!(setup.status, 200, "{}", setup.text);
    let html = &setup.text;
    assert!(
        html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "inline QR code: {html}"
    );
    assert!(
        html.contains("class=\"account-qr__code\" aria-hidden=\"true\""),
        "{html}"
    );
    assert!(!html.contains("<?xml"), "{html}");
    assert!(!html.contains("style=\""), "passes the CSP: {html}");
    assert!(html.contains("href=\"otpauth://totp/"), "{html}");
    assert!(html.contains("autocomplete=\"one-time-code\""));
    assert_eq!(header(&setup, "cache-control"), "no-store");
    // A GET of the form's path shows no secret: back to the factor's page.
    let reload = get(&portal, "/acme/account/mfa/setup", &jar, None).await;
    assert_eq!(location(&reload), "/acme/account/mfa");

    let secret = html
        .split("aria-describedby=\"secret-hint\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .replace(' ', "");
    let wrong = submit(
        &portal,
        &jar,
        "/acme/account/mfa/confirm",
        &[("code", "000000")],
    )
    .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert_field_error(&wrong.text, "code", "This code did not work.");
    assert!(
        !wrong.text.contains(&secret[..8]),
        "the secret is not shown twice"
    );
    assert!(
        wrong.text.contains("action=\"/acme/account/mfa/setup\""),
        "a way to start over"
    );

    let right = totp(&secret, portal.clock.now());
    let on = submit(
        &portal,
        &jar,
        "/acme/account/mfa/confirm",
        &[("code", &right)],
    )
    .await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert!(on.text.contains("Your recovery codes"), "{}", on.text);
    assert_eq!(on.text.matches("<li><code>").count(), 10, "{}", on.text);
    assert!(on.text.contains("This is the only time they are shown."));
    assert!(on.text.contains("href=\"/acme/account\""));
    assert_eq!(audited(&portal, portal.acme, "mfa.enrolled").await.len(), 1);

    let state = get(&portal, "/acme/account/mfa", &jar, None).await;
    assert!(
        state.text.contains("Two-step verification is on"),
        "{}",
        state.text
    );
    assert!(
        state.text.contains("10 recovery codes left."),
        "{}",
        state.text
    );
    let page = account(&portal, &jar).await;
    assert!(page.text.contains("Manage two-step verification"));

    // Signing in now takes the second step.
    let (other, token, _) = open_form(&portal, "/acme/login").await;
    let step = post_login(&portal, "acme", &other, "ada@acme.test", PASSWORD, &token).await;
    assert_eq!(step.status, 200);
    assert!(
        step.text.contains("action=\"/acme/login/mfa\""),
        "{}",
        step.text
    );
}

#[tokio::test]
async fn enrolling_after_a_while_asks_for_the_password_first_sec_20() {
    let portal = Portal::new().await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    portal.clock.advance(Duration::minutes(11));
    let stale = submit(&portal, &jar, "/acme/account/mfa/setup", &[]).await;
    assert_eq!(stale.status, 303, "{}", stale.text);
    assert_eq!(location(&stale), "/acme/account/confirm?next=/account/mfa");
}

#[tokio::test]
async fn new_recovery_codes_and_turning_off_need_the_factor_itself() {
    let portal = Portal::new().await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let secret = enrol(&portal, &jar).await;

    let renewed = submit(&portal, &jar, "/acme/account/mfa/recovery-codes", &[]).await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    assert_eq!(renewed.text.matches("<li><code>").count(), 10);
    assert_eq!(
        audited(&portal, portal.acme, "mfa.recovery_codes_replaced")
            .await
            .len(),
        1
    );

    let off = |password: &'static str, code: String| {
        let (portal, jar) = (&portal, &jar);
        async move {
            submit(
                portal,
                jar,
                "/acme/account/mfa/disable",
                &[("password", password), ("code", &code)],
            )
            .await
        }
    };
    let wrong_password = off("not it", totp(&secret, portal.clock.now())).await;
    assert_eq!(wrong_password.status, 422, "{}", wrong_password.text);
    assert_field_error(
        &wrong_password.text,
        "password",
        "This password is not right.",
    );
    let wrong_code = off(PASSWORD, "000000".to_owned()).await;
    assert_eq!(wrong_code.status, 422, "{}", wrong_code.text);
    assert_field_error(&wrong_code.text, "code", "This code did not work.");
    assert!(wrong_code.text.contains("Two-step verification is on"));

    let turned_off = off(PASSWORD, totp(&secret, portal.clock.now())).await;
    assert_eq!(turned_off.status, 303, "{}", turned_off.text);
    assert_eq!(
        location(&turned_off),
        "/acme/account?notice=notice-account-mfa-off"
    );
    let fresh = follow(&jar, &turned_off);
    let page = get(&portal, location(&turned_off), &fresh, None).await;
    assert!(
        page.text.contains("Two-step verification is off."),
        "{}",
        page.text
    );
    assert!(page.text.contains("Set up two-step verification"));
    assert_eq!(audited(&portal, portal.acme, "mfa.removed").await.len(), 1);
}

#[tokio::test]
async fn a_tenant_that_requires_a_second_factor_sends_people_to_enrolment() {
    let (portal, world) = seeded_requiring_a_second_factor().await;
    let email = world.a.contact("viewer");
    let (mut jar, token, _) = open_form(&portal, "/acme/login").await;
    let signed_in = post_login(&portal, "acme", &jar, &email, PASSWORD, &token).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    assert_eq!(location(&signed_in), "/acme/account/mfa");
    jar.update(&signed_in);
    let page = get(&portal, "/acme/account/mfa", &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text
            .contains("Acme Agency asks everyone to use two-step verification."),
        "{}",
        page.text
    );
    let secret = enrol(&portal, &jar).await;
    assert!(!secret.is_empty());

    // Staff are not under the contacts' policy.
    let staff = sign_in(&portal, "acme", "ada@acme.test").await;
    assert_eq!(get(&portal, "/acme/", &staff, None).await.status, 200);
}

#[tokio::test]
async fn every_signed_in_page_leads_to_enrolment_until_done() {
    let (portal, world) = seeded_requiring_a_second_factor().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    for path in ["/acme/", "/acme/account", "/acme/projects"] {
        let page = get(&portal, path, &jar, None).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(location(&page), "/acme/account/mfa", "{path}");
    }
    assert_eq!(
        get(&portal, "/acme/account/confirm", &jar, None)
            .await
            .status,
        200
    );
    enrol(&portal, &jar).await;
    assert_eq!(get(&portal, "/acme/", &jar, None).await.status, 200);
}

#[tokio::test]
async fn the_language_must_be_one_the_portal_speaks() {
    let portal = Portal::new().await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let unknown = submit(&portal, &jar, "/acme/account/language", &[("locale", "fr")]).await;
    assert_eq!(unknown.status, 422, "{}", unknown.text);
    assert_field_error(
        &unknown.text,
        "locale",
        "Please choose one of the languages listed.",
    );
    let forged = post_form(&portal, "/acme/account/language", &[("locale", "de")], &jar).await;
    assert_eq!(forged.status, 403);
}

#[tokio::test]
async fn the_stored_language_wins_over_the_browser() {
    let portal = Portal::new().await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let german = submit(&portal, &jar, "/acme/account/language", &[("locale", "de")]).await;
    assert_eq!(german.status, 303, "{}", german.text);
    assert_eq!(
        location(&german),
        "/acme/account?notice=notice-account-language"
    );
    let page = get(&portal, location(&german), &jar, Some("en")).await;
    assert!(page.text.contains("<html lang=\"de\""), "{}", page.text);
    assert!(
        page.text.contains("Ihre Sprache ist gespeichert."),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("<option value=\"de\" selected>Deutsch</option>")
    );
    let browser = submit(&portal, &jar, "/acme/account/language", &[("locale", "")]).await;
    assert_eq!(browser.status, 303);
    let page = get(&portal, "/acme/account", &jar, Some("en")).await;
    assert!(page.text.contains("<html lang=\"en\""), "{}", page.text);
}

#[tokio::test]
async fn the_tour_is_dismissed_for_good() {
    let portal = Portal::new().await;
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let forged = post_form(&portal, "/acme/account/tour/done", &[], &jar).await;
    assert_eq!(forged.status, 403);
    // The overview shows it (once dashboard.html includes account/tour.html) …
    let overview = get(&portal, "/acme/", &jar, None).await;
    assert!(
        overview.text.contains("Getting started"),
        "{}",
        overview.text
    );
    assert!(overview.text.contains("action=\"/acme/account/tour/done\""));
    let done = submit(&portal, &jar, "/acme/account/tour/done", &[]).await;
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(location(&done), "/acme/?notice=notice-account-tour-done");
    // … until dismissed.
    let overview = get(&portal, "/acme/", &jar, None).await;
    assert!(
        !overview.text.contains("Getting started"),
        "{}",
        overview.text
    );
}
