//! Password reset, magic links and password change (SEC-09, SEC-19, SEC-20, SEC-21).

use time::Duration;

use super::{PASSWORD, World, ip, world, world_with};
use crate::password::Password;
use crate::{AuthConfig, AuthError, LoginOutcome, MailKind, Recovery};

const NEW_PASSWORD: &str = "a brand-new harbour 2027";

fn recovery(world: &World) -> Recovery {
    Recovery::new(&world.auth, world.mail.clone())
}

/// Asks for a reset link for alice; the token it mailed.
async fn reset_token(world: &World, recovery: &Recovery) -> String {
    let tenant = world.tenant_record().await;
    recovery
        .request_password_reset(&tenant, "alice@example.com", &ip(1))
        .await
        .unwrap();
    world.mailed_token(MailKind::PasswordReset, "alice@example.com")
}

/// Sets `password` with a reset token at `world`'s tenant.
async fn reset(
    world: &World,
    recovery: &Recovery,
    token: &str,
    password: &str,
) -> Result<(), AuthError> {
    recovery
        .reset_password(world.tenant, token, Password::from(password), &ip(1))
        .await
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_ends_every_session_sec_19_sec_21() {
    let world = world().await;
    let tenant = world.tenant_record().await;
    let before = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    let recovery = recovery(&world);
    recovery
        .request_password_reset(&tenant, "Alice@Example.com", &ip(1))
        .await
        .unwrap();
    let mail = world.mailer.sent().pop().unwrap();
    assert_eq!(mail.kind, MailKind::PasswordReset);
    assert!(mail.text.contains("10 minutes"), "{}", mail.text);
    assert!(
        mail.text
            .contains("https://portal.example.com/agency/auth/reset?token="),
        "links come from the configured origin: {}",
        mail.text
    );
    let token = world.mailed_token(MailKind::PasswordReset, "alice@example.com");

    reset(&world, &recovery, &token, NEW_PASSWORD)
        .await
        .unwrap();
    assert!(!world.live(&before).await, "a reset ends every session");
    assert!(matches!(
        world.login("alice@example.com", PASSWORD, 2).await,
        Err(AuthError::InvalidCredentials)
    ));
    assert!(
        world
            .login("alice@example.com", NEW_PASSWORD, 3)
            .await
            .is_ok()
    );
    assert!(
        matches!(
            reset(&world, &recovery, &token, NEW_PASSWORD).await,
            Err(AuthError::InvalidLoginToken)
        ),
        "a second use fails"
    );
    assert_eq!(world.events("password.reset").await.len(), 1);
}

#[tokio::test]
async fn a_reset_link_lapses_after_ten_minutes_sec_21() {
    let world = world().await;
    let recovery = recovery(&world);
    let token = reset_token(&world, &recovery).await;
    world
        .clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    assert!(matches!(
        reset(&world, &recovery, &token, NEW_PASSWORD).await,
        Err(AuthError::InvalidLoginToken)
    ));
}

#[tokio::test]
async fn a_weak_password_does_not_spend_the_link() {
    let world = world().await;
    let recovery = recovery(&world);
    let token = reset_token(&world, &recovery).await;
    for weak in ["short", "password1234"] {
        assert!(matches!(
            reset(&world, &recovery, &token, weak).await,
            Err(AuthError::WeakPassword(_))
        ));
    }
    reset(&world, &recovery, &token, NEW_PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn links_are_bound_to_their_purpose_tenant_and_newest_request_sec_21() {
    let world = world().await;
    let recovery = recovery(&world);
    let first = reset_token(&world, &recovery).await;
    assert!(
        matches!(
            recovery
                .redeem_magic_link(world.tenant, &first, &ip(1))
                .await,
            Err(AuthError::InvalidLoginToken)
        ),
        "a reset token does not sign in"
    );
    assert!(
        matches!(
            recovery
                .reset_password(
                    portal_core::TenantId::new(),
                    &first,
                    Password::from(NEW_PASSWORD),
                    &ip(1)
                )
                .await,
            Err(AuthError::InvalidLoginToken)
        ),
        "another tenant's address does not take it"
    );
    let newer = reset_token(&world, &recovery).await;
    assert!(
        matches!(
            reset(&world, &recovery, &first, NEW_PASSWORD).await,
            Err(AuthError::InvalidLoginToken)
        ),
        "only the newest link works"
    );
    reset(&world, &recovery, &newer, NEW_PASSWORD)
        .await
        .unwrap();
    for malformed in ["", "x", &"A".repeat(43), &"é".repeat(43)] {
        assert!(matches!(
            recovery
                .redeem_magic_link(world.tenant, malformed, &ip(1))
                .await,
            Err(AuthError::InvalidLoginToken)
        ));
    }
}

#[tokio::test]
async fn unknown_disabled_and_memberless_emails_get_the_same_answer_and_no_mail_sec_09() {
    let world = world().await;
    let tenant = world.tenant_record().await;
    let recovery = recovery(&world);
    for email in [
        "nobody@example.com",
        "gone@example.com",
        "loner@example.com",
        "not an email",
    ] {
        recovery
            .request_password_reset(&tenant, email, &ip(1))
            .await
            .unwrap();
        recovery
            .request_magic_link(&tenant, email, &ip(1))
            .await
            .unwrap();
    }
    assert!(world.mailer.sent().is_empty());
    let requested = world.events("login_link.requested").await;
    assert_eq!(requested.len(), 6, "each well-formed request is audited");
}

#[tokio::test]
async fn an_inbox_gets_at_most_five_links_an_hour() {
    let world = world().await;
    let tenant = world.tenant_record().await;
    let recovery = recovery(&world);
    for _ in 0..8 {
        recovery
            .request_magic_link(&tenant, "alice@example.com", &ip(1))
            .await
            .unwrap();
    }
    assert_eq!(world.mailer.sent().len(), 5);
    world
        .clock
        .advance(Duration::hours(1) + Duration::seconds(1));
    recovery
        .request_magic_link(&tenant, "alice@example.com", &ip(1))
        .await
        .unwrap();
    assert_eq!(world.mailer.sent().len(), 6);
}

#[tokio::test]
async fn a_magic_link_signs_in_once() {
    let world = world().await;
    let tenant = world.tenant_record().await;
    let recovery = recovery(&world);
    recovery
        .request_magic_link(&tenant, "bob@example.com", &ip(1))
        .await
        .unwrap();
    let mail = world.mailer.sent().pop().unwrap();
    assert!(
        mail.text.contains("/agency/auth/magic?token="),
        "{}",
        mail.text
    );
    let token = world.mailed_token(MailKind::MagicLink, "bob@example.com");
    let LoginOutcome::SignedIn(success) = recovery
        .redeem_magic_link(world.tenant, &token, &ip(2))
        .await
        .unwrap()
    else {
        panic!("bob has no second factor");
    };
    assert_eq!(success.session.user, world.bob);
    assert!(world.live(success.token.expose_secret()).await);
    assert!(matches!(
        recovery
            .redeem_magic_link(world.tenant, &token, &ip(2))
            .await,
        Err(AuthError::InvalidLoginToken)
    ));
}

#[tokio::test]
async fn a_magic_link_of_the_single_tenant_has_no_slug_and_signs_in() {
    let world = world().await;
    let tenant = world.tenant_record().await;
    let mut mail = world.mail.clone();
    mail.links = mail.links.with_single_tenant(tenant.slug.clone());
    let recovery = Recovery::new(&world.auth, mail);
    recovery
        .request_magic_link(&tenant, "bob@example.com", &ip(1))
        .await
        .unwrap();
    let sent = world.mailer.sent().pop().unwrap();
    assert!(
        sent.text
            .contains("https://portal.example.com/auth/magic?token="),
        "{}",
        sent.text
    );
    assert!(!sent.text.contains("/agency/"), "{}", sent.text);
    let token = world.mailed_token(MailKind::MagicLink, "bob@example.com");
    let outcome = recovery
        .redeem_magic_link(world.tenant, &token, &ip(2))
        .await
        .unwrap();
    assert!(matches!(outcome, LoginOutcome::SignedIn(_)));
}

#[tokio::test]
async fn a_custom_domain_gets_the_links_and_the_host_header_never_does_sec_21() {
    let world = world().await;
    let system = world.system();
    world
        .stores
        .tenants
        .add_domain(
            &system,
            "clients.agency.test",
            &portal_core::model::AuditContext::default(),
        )
        .await
        .unwrap();
    let tenant = world.tenant_record().await;
    recovery(&world)
        .request_password_reset(&tenant, "alice@example.com", &ip(1))
        .await
        .unwrap();
    let mail = world.mailer.sent().pop().unwrap();
    assert!(
        mail.text
            .contains("https://clients.agency.test/auth/reset?token="),
        "{}",
        mail.text
    );
}

#[tokio::test]
async fn changing_the_password_needs_a_recent_login_and_the_current_password_sec_20() {
    let world = world_with(AuthConfig::default()).await;
    let recovery = recovery(&world);
    let who = world.signed_in("alice@example.com").await;
    assert!(matches!(
        recovery
            .change_password(
                &who,
                Password::from("wrong current!"),
                Password::from(NEW_PASSWORD),
                &ip(1),
            )
            .await,
        Err(AuthError::InvalidCredentials)
    ));
    assert!(matches!(
        recovery
            .change_password(
                &who,
                Password::from(PASSWORD),
                Password::from("short"),
                &ip(1)
            )
            .await,
        Err(AuthError::WeakPassword(_))
    ));
    world.clock.advance(Duration::minutes(11));
    assert!(matches!(
        recovery
            .change_password(
                &who,
                Password::from(PASSWORD),
                Password::from(NEW_PASSWORD),
                &ip(1)
            )
            .await,
        Err(AuthError::ReauthRequired)
    ));
    let fresh = world.signed_in("alice@example.com").await;
    let other = world.login("alice@example.com", PASSWORD, 9).await.unwrap();
    recovery
        .change_password(
            &fresh,
            Password::from(PASSWORD),
            Password::from(NEW_PASSWORD),
            &ip(1),
        )
        .await
        .unwrap();
    assert!(
        !world.live(&other).await,
        "a new password ends every session"
    );
    assert!(
        world
            .login("alice@example.com", NEW_PASSWORD, 10)
            .await
            .is_ok()
    );
    assert_eq!(world.events("password.changed").await.len(), 1);
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_failed_logins_sec_10() {
    let world = world().await;
    let recovery = recovery(&world);
    let who = world.signed_in("alice@example.com").await;
    let who = &who;
    let change = move |current: &'static str, from: u8| {
        let recovery = recovery.clone();
        async move {
            recovery
                .change_password(
                    who,
                    Password::from(current),
                    Password::from(NEW_PASSWORD),
                    &ip(from),
                )
                .await
        }
    };
    // The default policy blocks an account for a second after its fifth failure.
    for attempt in 0..5 {
        assert!(
            matches!(
                change("wrong current!", attempt).await,
                Err(AuthError::InvalidCredentials)
            ),
            "attempt {attempt} is heard"
        );
    }
    let throttled = change("wrong current!", 5).await;
    assert!(
        matches!(throttled, Err(AuthError::Throttled { retry_after }) if retry_after > Duration::ZERO),
        "{throttled:?}"
    );
    assert!(
        matches!(change(PASSWORD, 6).await, Err(AuthError::Throttled { .. })),
        "while blocked even the right password is not checked"
    );
    assert!(
        matches!(
            world.login("alice@example.com", PASSWORD, 7).await,
            Err(AuthError::Throttled { .. })
        ),
        "guesses through a session spend the login's budget"
    );
    let ip_failures = world
        .stores
        .throttle
        .throttle("ip:203.0.113.0")
        .await
        .unwrap()
        .map(|state| state.failures);
    assert_eq!(ip_failures, Some(1), "the client address is counted too");
    assert!(world.events("password.changed").await.is_empty());

    world.clock.advance(Duration::seconds(2));
    change(PASSWORD, 8).await.unwrap();
    let key = format!("account:{}:alice@example.com", world.tenant);
    assert!(
        world
            .stores
            .throttle
            .throttle(&key)
            .await
            .unwrap()
            .is_none(),
        "the right password clears the account's count"
    );
    let changed = world.events("password.changed").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(
        changed[0].ip,
        ip(8).ip,
        "the change is logged with its address"
    );
}

#[tokio::test]
async fn failed_logins_count_against_a_password_change_sec_10() {
    let world = world().await;
    let recovery = recovery(&world);
    let who = world.signed_in("alice@example.com").await;
    for attempt in 0..5 {
        assert!(matches!(
            world
                .login("alice@example.com", "wrong guess", attempt)
                .await,
            Err(AuthError::InvalidCredentials)
        ));
    }
    let changed = recovery
        .change_password(
            &who,
            Password::from(PASSWORD),
            Password::from(NEW_PASSWORD),
            &ip(9),
        )
        .await;
    assert!(
        matches!(changed, Err(AuthError::Throttled { .. })),
        "{changed:?}"
    );
}
