//! The pages before sign-in that a mail leads to, through the router as a browser without
//! script uses them: asking for a reset or sign-in link (the same answer for every email,
//! SEC-09), setting a new password from a reset link, signing in with a magic link (a GET never
//! spends it, SEC-21), and accepting an invitation.

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

use axum::http::{Method, header};
use pages_support::{
    Jar, SESSION, assert_field_error, audited, get, header, input_value, location, open_form,
    post_form, post_login, second_factor_through_api, seeded, sign_in,
};
use portal_auth::MailKind;
use portal_core::BuiltinRole;
use serde_json::json;
use support::staff_api::{Auth, acme, call, role_id};
use support::{PASSWORD, Portal, Reply};

/// A new password that meets the policy.
const NEW_PASSWORD: &str = "violet harbour engine 2031";

/// The token of the newest mail of `kind` to `to`, once it has arrived (links are mailed after
/// the answer).
async fn mailed_token(portal: &Portal, kind: MailKind, to: &str) -> String {
    for _ in 0..200 {
        let mail = portal
            .mailer
            .sent()
            .into_iter()
            .rev()
            .find(|mail| mail.kind == kind && mail.to.as_str() == to);
        if let Some(mail) = mail {
            return mail
                .text
                .split("token=")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no {kind:?} mail to {to}");
}

/// Signs in through the form with `password`; the reply of the POST.
async fn sign_in_with(portal: &Portal, email: &str, password: &str) -> Reply {
    let (jar, token, _) = open_form(portal, "/acme/login").await;
    post_login(portal, "acme", &jar, email, password, &token).await
}

#[tokio::test]
async fn the_sign_in_form_offers_a_reset_and_a_sign_in_link() {
    let portal = Portal::new().await;
    let (_, _, form) = open_form(&portal, "/acme/login").await;
    assert!(
        form.text
            .contains("href=\"/acme/login/reset\">Forgot your password?</a>"),
        "{}",
        form.text
    );
    assert!(
        form.text
            .contains("href=\"/acme/login/link\">Email me a sign-in link</a>"),
        "{}",
        form.text
    );
    let german = get(&portal, "/acme/login", &Jar::default(), Some("de")).await;
    assert!(
        german.text.contains(">Passwort vergessen?</a>"),
        "{}",
        german.text
    );
    // A notice names only a confirmation the sign-in form knows.
    let noticed = get(
        &portal,
        "/acme/login?notice=notice-account-password-reset",
        &Jar::default(),
        None,
    )
    .await;
    assert!(
        noticed.text.contains("Your new password is set."),
        "{}",
        noticed.text
    );
    let other = get(
        &portal,
        "/acme/login?notice=notice-account-renamed",
        &Jar::default(),
        None,
    )
    .await;
    assert!(!other.text.contains("notice--success"), "{}", other.text);
}

#[tokio::test]
async fn asking_for_a_link_answers_the_same_for_every_email_sec_09() {
    let portal = Portal::new().await;
    for (path, sent, kind) in [
        (
            "/acme/login/reset",
            "/acme/login/reset/sent",
            MailKind::PasswordReset,
        ),
        (
            "/acme/login/link",
            "/acme/login/link/sent",
            MailKind::MagicLink,
        ),
    ] {
        let (jar, token, form) = open_form(&portal, path).await;
        assert!(
            form.text.contains(&format!("action=\"{path}\"")),
            "{}",
            form.text
        );
        assert!(
            form.text.contains("autocomplete=\"username\""),
            "{}",
            form.text
        );
        let ask = |email: &'static str| {
            let (portal, jar, token) = (&portal, &jar, token.clone());
            async move {
                post_form(
                    portal,
                    path,
                    &[("email", email), ("csrf_token", &token)],
                    jar,
                )
                .await
            }
        };
        let known = ask("ada@acme.test").await;
        let unknown = ask("nobody@acme.test").await;
        let foreign = ask("gil@globex.test").await;
        for reply in [&known, &unknown, &foreign] {
            assert_eq!(reply.status, 303, "{}", reply.text);
            assert_eq!(location(reply), sent);
            assert_eq!(reply.text, known.text);
            assert!(reply.headers.get(header::SET_COOKIE).is_none());
        }
        mailed_token(&portal, kind, "ada@acme.test").await;
        let page = get(&portal, sent, &jar, None).await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains("Check your email"), "{}", page.text);
        assert!(!page.text.contains("ada@acme.test"));

        // Only an empty or malformed address is refused — which says nothing about anyone.
        let empty = ask("  ").await;
        assert_eq!(empty.status, 422, "{}", empty.text);
        assert_field_error(&empty.text, "email", "Please enter your email address.");
        let malformed = ask("ada-at-acme").await;
        assert_eq!(malformed.status, 422);
        assert_field_error(&malformed.text, "email", "This is not an email address.");
        assert!(
            malformed.text.contains("value=\"ada-at-acme\""),
            "typed text kept"
        );

        // The form token first (SEC-31).
        let forged = post_form(&portal, path, &[("email", "ada@acme.test")], &jar).await;
        assert_eq!(forged.status, 403, "{}", forged.text);
    }
    // Only the existing account got mail; the foreign tenant's person was not mailed by acme.
    let sent = portal.mailer.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|mail| mail.to.as_str() == "ada@acme.test"));
    assert!(
        sent.iter()
            .all(|mail| mail.text.contains("https://portal.example.com/acme/auth/"))
    );
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_opening_it_spends_nothing_sec_21() {
    let portal = Portal::new().await;
    let before = sign_in(&portal, "acme", "ada@acme.test").await;
    let (jar, token, _) = open_form(&portal, "/acme/login/reset").await;
    let asked = post_form(
        &portal,
        "/acme/login/reset",
        &[("email", "ada@acme.test"), ("csrf_token", &token)],
        &jar,
    )
    .await;
    assert_eq!(asked.status, 303);
    let link = mailed_token(&portal, MailKind::PasswordReset, "ada@acme.test").await;
    let path = format!("/acme/auth/reset?token={link}");

    // Opening the link — twice, as a mail scanner and then the person — spends nothing.
    for _ in 0..2 {
        let form = get(&portal, &path, &jar, None).await;
        assert_eq!(form.status, 200, "{}", form.text);
        assert_eq!(input_value(&form.text, "token"), link);
        assert!(form.text.contains("autocomplete=\"new-password\""));
        assert!(
            form.text.contains("At least 12 characters."),
            "{}",
            form.text
        );
        assert_eq!(header(&form, "referrer-policy"), "no-referrer");
    }
    let submit = |password: &'static str, again: &'static str, language: Option<&'static str>| {
        let (portal, jar, token, link) = (&portal, &jar, token.clone(), link.clone());
        async move {
            let mut request = axum::http::Request::post("/acme/auth/reset")
                .header(header::HOST, "portal.example.com")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("origin", "null")
                .header("sec-fetch-site", "same-origin")
                .header(header::COOKIE, jar.header());
            if let Some(language) = language {
                request = request.header(header::ACCEPT_LANGUAGE, language);
            }
            let body = pages_support::urlencoded(&[
                ("token", &link),
                ("password", password),
                ("password_again", again),
                ("csrf_token", &token),
            ]);
            portal
                .send(request.body(axum::body::Body::from(body)).unwrap())
                .await
        }
    };
    let mismatch = submit(NEW_PASSWORD, "something else entirely", None).await;
    assert_eq!(mismatch.status, 422, "{}", mismatch.text);
    assert_field_error(
        &mismatch.text,
        "password-again",
        "The two passwords are not the same.",
    );
    assert!(
        !mismatch.text.contains(NEW_PASSWORD),
        "a password is never echoed"
    );
    let short = submit("short", "short", None).await;
    assert_eq!(short.status, 422);
    assert_field_error(
        &short.text,
        "password",
        "Please use at least 12 characters.",
    );
    let german = submit("short", "short", Some("de")).await;
    assert_field_error(
        &german.text,
        "password",
        "Bitte verwenden Sie mindestens 12 Zeichen.",
    );
    let common = submit("Password123!", "Password123!", None).await;
    assert_field_error(&common.text, "password", "This password is too common");
    // None of that spent the link.
    let done = submit(NEW_PASSWORD, NEW_PASSWORD, None).await;
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(
        location(&done),
        "/acme/login?notice=notice-account-password-reset"
    );
    let notice = get(&portal, location(&done), &jar, None).await;
    assert!(
        notice.text.contains("Your new password is set."),
        "{}",
        notice.text
    );

    // Used once: the same clear page as any dead link, with a way to ask again.
    let again = submit(NEW_PASSWORD, NEW_PASSWORD, None).await;
    assert_eq!(again.status, 410, "{}", again.text);
    assert!(
        again.text.contains("This link does not work any more"),
        "{}",
        again.text
    );
    assert!(again.text.contains("href=\"/acme/login/reset\""));

    // Every session ended (SEC-19); the new password works, the old one does not.
    assert_eq!(
        location(&get(&portal, "/acme/", &before, None).await),
        "/acme/login"
    );
    assert_eq!(
        sign_in_with(&portal, "ada@acme.test", PASSWORD)
            .await
            .status,
        401
    );
    let signed_in = sign_in_with(&portal, "ada@acme.test", NEW_PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    assert_eq!(
        audited(&portal, portal.acme, "password.reset").await.len(),
        1
    );
}

#[tokio::test]
async fn a_malformed_foreign_or_missing_link_gets_one_clear_page() {
    let portal = Portal::new().await;
    // A reset link of globex, presented at acme.
    let (jar, token, _) = open_form(&portal, "/globex/login/reset").await;
    post_form(
        &portal,
        "/globex/login/reset",
        &[("email", "gil@globex.test"), ("csrf_token", &token)],
        &jar,
    )
    .await;
    let foreign = mailed_token(&portal, MailKind::PasswordReset, "gil@globex.test").await;

    let missing = get(&portal, "/acme/auth/reset", &Jar::default(), None).await;
    assert_eq!(missing.status, 410, "{}", missing.text);
    let garbage = get(
        &portal,
        "/acme/auth/reset?token=garbage",
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(garbage.status, 410);
    assert_eq!(garbage.text, missing.text);
    let magic = get(
        &portal,
        "/acme/auth/magic?token=garbage",
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(magic.status, 410);
    assert!(
        magic.text.contains("href=\"/acme/login/link\""),
        "{}",
        magic.text
    );

    // The foreign token looks fine, so the form shows; posting it is refused like any other.
    let (jar, token, form) = open_form(&portal, &format!("/acme/auth/reset?token={foreign}")).await;
    assert!(form.text.contains("Choose a new password"));
    let refused = post_form(
        &portal,
        "/acme/auth/reset",
        &[
            ("token", &foreign),
            ("password", NEW_PASSWORD),
            ("password_again", NEW_PASSWORD),
            ("csrf_token", &token),
        ],
        &jar,
    )
    .await;
    assert_eq!(refused.status, 410, "{}", refused.text);
    assert!(!refused.text.contains("Globex"));
    // And it still works where it belongs.
    let (jar, token, _) = open_form(&portal, &format!("/globex/auth/reset?token={foreign}")).await;
    let home = post_form(
        &portal,
        "/globex/auth/reset",
        &[
            ("token", &foreign),
            ("password", NEW_PASSWORD),
            ("password_again", NEW_PASSWORD),
            ("csrf_token", &token),
        ],
        &jar,
    )
    .await;
    assert_eq!(home.status, 303, "{}", home.text);
}

#[tokio::test]
async fn a_magic_link_signs_in_only_when_its_button_is_pressed_sec_21() {
    let (portal, world) = seeded().await;
    let email = world.a.contact("approver");
    let (jar, token, _) = open_form(&portal, "/acme/login/link").await;
    post_form(
        &portal,
        "/acme/login/link",
        &[("email", &email), ("csrf_token", &token)],
        &jar,
    )
    .await;
    let link = mailed_token(&portal, MailKind::MagicLink, &email).await;
    let path = format!("/acme/auth/magic?token={link}");
    for _ in 0..2 {
        let page = get(&portal, &path, &jar, None).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(
            page.text.contains("action=\"/acme/auth/magic\""),
            "{}",
            page.text
        );
        assert_eq!(input_value(&page.text, "token"), link);
        assert!(
            page.headers.get(header::SET_COOKIE).is_none(),
            "not signed in by a GET"
        );
    }
    let no_token = post_form(&portal, "/acme/auth/magic", &[("token", &link)], &jar).await;
    assert_eq!(no_token.status, 403);

    let pressed = post_form(
        &portal,
        "/acme/auth/magic",
        &[("token", &link), ("csrf_token", &token)],
        &jar,
    )
    .await;
    assert_eq!(pressed.status, 303, "{}", pressed.text);
    assert_eq!(location(&pressed), "/acme/");
    let mut signed_in = jar.clone();
    signed_in.update(&pressed);
    assert!(signed_in.get(SESSION).is_some());
    let overview = get(&portal, "/acme/", &signed_in, None).await;
    assert_eq!(overview.status, 200);
    assert!(overview.text.contains("Please approve canary-acme-a"));

    let twice = post_form(
        &portal,
        "/acme/auth/magic",
        &[("token", &link), ("csrf_token", &token)],
        &jar,
    )
    .await;
    assert_eq!(twice.status, 410, "{}", twice.text);
    assert!(
        twice.text.contains("Sign-in links work once"),
        "{}",
        twice.text
    );
}

#[tokio::test]
async fn an_invitation_shows_what_it_joins_and_signs_the_new_contact_in() {
    let (portal, world) = seeded().await;
    let owner = portal.login("acme", "ada@acme.test").await;
    let approver = role_id(&portal, portal.acme, BuiltinRole::Approver).await;
    let invited = call(
        &portal,
        Method::POST,
        &acme("/invitations"),
        Some(
            json!({ "email": "new@acme-a.test", "role_id": approver, "client_id": world.a.client }),
        ),
        Auth::Cookie(&owner),
    )
    .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let link = mailed_token(&portal, MailKind::Invitation, "new@acme-a.test").await;
    let path = format!("/acme/auth/invitation?token={link}");

    let (jar, token, page) = open_form(&portal, &path).await;
    let html = &page.text;
    assert!(html.contains("Join Acme Agency"), "{html}");
    assert!(html.contains("<dd>new@acme-a.test</dd>"), "{html}");
    assert!(html.contains("<dd>Client canary-acme-a</dd>"), "{html}");
    assert!(html.contains("<dd>Approver</dd>"), "{html}");
    assert!(html.contains("autocomplete=\"new-password\""));
    assert_eq!(input_value(html, "token"), link);
    let german = get(&portal, &path, &jar, Some("de-DE")).await;
    assert!(
        german.text.contains("<dd>Freigabeberechtigt</dd>"),
        "{}",
        german.text
    );
    assert!(
        german.text.contains("Einladung annehmen"),
        "{}",
        german.text
    );

    let accept = |name: &'static str, password: &'static str, again: &'static str| {
        let (portal, jar, token, link) = (&portal, &jar, token.clone(), link.clone());
        async move {
            post_form(
                portal,
                "/acme/auth/invitation",
                &[
                    ("token", &link),
                    ("name", name),
                    ("password", password),
                    ("password_again", again),
                    ("csrf_token", &token),
                ],
                jar,
            )
            .await
        }
    };
    let nameless = accept("  ", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(nameless.status, 422, "{}", nameless.text);
    assert_field_error(&nameless.text, "name", "Please fill this in.");
    assert!(
        nameless.text.contains("<dd>Client canary-acme-a</dd>"),
        "still says what it joins"
    );
    let mismatch = accept("Nia Newcomer", NEW_PASSWORD, "another one entirely").await;
    assert_field_error(
        &mismatch.text,
        "password-again",
        "The two passwords are not the same.",
    );
    assert!(
        mismatch.text.contains("value=\"Nia Newcomer\""),
        "the name is kept"
    );
    let weak = accept("Nia Newcomer", "short", "short").await;
    assert_field_error(&weak.text, "password", "Please use at least 12 characters.");
    let forged = post_form(
        &portal,
        "/acme/auth/invitation",
        &[
            ("token", &link),
            ("name", "X"),
            ("password", NEW_PASSWORD),
            ("password_again", NEW_PASSWORD),
        ],
        &jar,
    )
    .await;
    assert_eq!(forged.status, 403);

    let accepted = accept("Nia Newcomer", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(accepted.status, 303, "{}", accepted.text);
    assert_eq!(location(&accepted), "/acme/");
    let mut signed_in = jar.clone();
    signed_in.update(&accepted);
    let overview = get(&portal, "/acme/", &signed_in, None).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    assert!(
        overview.text.contains("Hello, Nia Newcomer"),
        "{}",
        overview.text
    );
    assert!(overview.text.contains("Please approve canary-acme-a"));
    assert!(
        !overview.text.contains("canary-acme-b"),
        "only the client joined"
    );

    // Used: one clear page, which sends nobody to ask for a link they cannot get.
    let used = get(&portal, &path, &Jar::default(), None).await;
    assert_eq!(used.status, 410, "{}", used.text);
    assert!(
        used.text.contains("This invitation does not work any more"),
        "{}",
        used.text
    );
    assert!(!used.text.contains("href=\"/acme/login/reset\""));
    let garbage = get(
        &portal,
        "/acme/auth/invitation?token=nope",
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(garbage.text, used.text);
    // Another tenant's page does not know acme's invitations.
    let owner_globex = portal.login("globex", "gil@globex.test").await;
    let viewer = role_id(&portal, portal.globex, BuiltinRole::Viewer).await;
    let globex_invite = call(
        &portal,
        Method::POST,
        "/globex/api/v1/invitations",
        Some(json!({ "email": "x@globex-g.test", "role_id": viewer, "client_id": world.globex.client })),
        Auth::Cookie(&owner_globex),
    )
    .await;
    assert_eq!(globex_invite.status, 201, "{}", globex_invite.text);
    let globex_link = mailed_token(&portal, MailKind::Invitation, "x@globex-g.test").await;
    let crossed = get(
        &portal,
        &format!("/acme/auth/invitation?token={globex_link}"),
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(crossed.status, 410);
    assert_eq!(crossed.text, used.text);
}

#[tokio::test]
async fn a_magic_link_of_a_person_with_a_second_factor_asks_for_the_code() {
    let portal = Portal::new().await;
    second_factor_through_api(&portal, "ada@acme.test").await;

    let (jar, token, _) = open_form(&portal, "/acme/login/link").await;
    post_form(
        &portal,
        "/acme/login/link",
        &[("email", "ada@acme.test"), ("csrf_token", &token)],
        &jar,
    )
    .await;
    let link = mailed_token(&portal, MailKind::MagicLink, "ada@acme.test").await;
    let step = post_form(
        &portal,
        "/acme/auth/magic",
        &[("token", &link), ("csrf_token", &token)],
        &jar,
    )
    .await;
    assert_eq!(step.status, 200, "{}", step.text);
    assert!(
        step.headers.get(header::SET_COOKIE).is_none(),
        "not signed in yet"
    );
    assert!(
        step.text.contains("action=\"/acme/login/mfa\""),
        "{}",
        step.text
    );
    assert!(!input_value(&step.text, "challenge").is_empty());
}
