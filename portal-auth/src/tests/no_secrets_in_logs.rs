//! Everything traced at every level through a login, a failed login, TOTP enrolment and a
//! second step, a password reset and a magic link holds none of the secrets involved (SEC-41).

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use time::Duration;

use super::{PASSWORD, ip, totp_code as code, world};
use crate::Clock as _;
use crate::password::Password;
use crate::{LoginOutcome, MailKind, Mfa, Recovery};

/// A tracing writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_reaches_the_logs_sec_41() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // Global, not scoped: with tests running in parallel, a thread-local subscriber loses
    // events to the callsite interest cache. Other tests' events land here too; they must not
    // leak either.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let world = world().await;
    let mfa = Mfa::new(&world.auth, world.totp_key.clone());
    let recovery = Recovery::new(&world.auth, world.mail.clone());
    let tenant = world.tenant_record().await;
    let mut secrets: Vec<String> = vec![PASSWORD.to_owned(), "canary-wrong-4711".to_owned()];

    assert!(
        world
            .login("alice@example.com", "canary-wrong-4711", 1)
            .await
            .is_err()
    );
    let session = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    secrets.push(session.clone());
    let who = world.sessions.authenticate(&session).await.unwrap();
    secrets.push(who.session.token_hash.to_string());

    let setup = mfa.begin_enrolment(&who).await.unwrap();
    secrets.push(setup.secret_base32.to_string());
    secrets.push(setup.otpauth_uri.to_string());
    let first = code(&setup.secret_base32, world.clock.now());
    let codes = mfa.confirm_enrolment(&who, &first).await.unwrap();
    secrets.push(first);
    secrets.extend(codes.expose_secrets().map(str::to_owned));
    world.clock.advance(Duration::seconds(30));
    let LoginOutcome::SecondFactorRequired(challenge) = world
        .auth
        .login(
            world.tenant,
            "alice@example.com",
            Password::from(PASSWORD),
            ip(1),
        )
        .await
        .unwrap()
    else {
        panic!("alice has a second factor");
    };
    secrets.push(challenge.token.expose_secret().to_owned());
    secrets.push(challenge.token.hash().to_string());
    let second = code(&setup.secret_base32, world.clock.now());
    let signed_in = mfa
        .complete_login(
            world.tenant,
            challenge.token.expose_secret(),
            &second,
            ip(1),
        )
        .await
        .unwrap();
    secrets.push(second);
    secrets.push(signed_in.token.expose_secret().to_owned());

    let new_password = "canary-new-password 2027";
    secrets.push(new_password.to_owned());
    recovery
        .request_password_reset(&tenant, "alice@example.com", &ip(1))
        .await
        .unwrap();
    let reset = world.mailed_token(MailKind::PasswordReset, "alice@example.com");
    recovery
        .reset_password(world.tenant, &reset, Password::from(new_password), &ip(1))
        .await
        .unwrap();
    secrets.push(reset);
    recovery
        .request_magic_link(&tenant, "alice@example.com", &ip(1))
        .await
        .unwrap();
    let magic = world.mailed_token(MailKind::MagicLink, "alice@example.com");
    let outcome = recovery
        .redeem_magic_link(world.tenant, &magic, &ip(1))
        .await
        .unwrap();
    assert!(matches!(outcome, LoginOutcome::SecondFactorRequired(_)));
    secrets.push(magic);

    let logs = String::from_utf8(
        captured
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone(),
    )
    .unwrap();
    assert!(logs.contains("auth.login"), "nothing was captured: {logs}");
    assert!(logs.contains("login failed"), "{logs}");
    assert!(logs.contains("password reset"), "{logs}");
    assert!(logs.contains("login link requested"), "{logs}");
    assert!(logs.contains("second factor required"), "{logs}");
    assert!(logs.contains("auth.mfa.complete_login"), "{logs}");
    for secret in secrets.iter().filter(|secret| secret.len() >= 6) {
        assert!(!logs.contains(secret.as_str()), "a secret leaked: {secret}");
    }
}
