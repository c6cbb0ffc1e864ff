//! TOTP enrolment, second login step, replay, attempt limits, recovery codes, tenant policy
//! (SEC-20, SEC-23).

use portal_core::model::AuditContext;
use time::Duration;

use super::{PASSWORD, World, ip, totp_code as code, world};
use crate::Clock as _;
use crate::password::Password;
use crate::{AuthError, LoginOutcome, LoginSuccess, Mfa, MfaChallenge, RecoveryCodes};

fn mfa(world: &World) -> Mfa {
    Mfa::new(&world.auth, world.totp_key.clone())
}

/// Enrols alice; her base32 secret and recovery codes.
async fn enrol_alice(world: &World) -> (String, RecoveryCodes) {
    let who = world.signed_in("alice@example.com").await;
    let setup = mfa(world).begin_enrolment(&who).await.unwrap();
    assert!(
        setup
            .otpauth_uri
            .starts_with("otpauth://totp/Agency:alice%40example.com?"),
        "{}",
        setup.otpauth_uri.as_str()
    );
    assert!(setup.otpauth_uri.contains("issuer=Agency"));
    assert!(setup.qr_svg.contains("<svg"));
    assert_eq!(format!("{setup:?}"), "TotpSetup([redacted])");
    let secret = setup.secret_base32.to_string();
    assert!(matches!(
        mfa(world).confirm_enrolment(&who, "000000x").await,
        Err(AuthError::InvalidSecondFactor)
    ));
    let codes = mfa(world)
        .confirm_enrolment(&who, &code(&secret, world.clock.now()))
        .await
        .unwrap();
    assert_eq!(codes.expose_secrets().count(), 10);
    let status = mfa(world).status(&who).await.unwrap();
    assert!(status.enrolled);
    assert_eq!(status.recovery_codes_left, 10);
    (secret, codes)
}

async fn challenge(world: &World) -> MfaChallenge {
    match world
        .auth
        .login(
            world.tenant,
            "alice@example.com",
            Password::from(PASSWORD),
            ip(1),
        )
        .await
        .unwrap()
    {
        LoginOutcome::SecondFactorRequired(challenge) => challenge,
        LoginOutcome::SignedIn(_) => panic!("alice has a second factor"),
    }
}

async fn second_step(
    world: &World,
    challenge: &MfaChallenge,
    code: &str,
) -> Result<LoginSuccess, AuthError> {
    mfa(world)
        .complete_login(world.tenant, challenge.token.expose_secret(), code, ip(1))
        .await
}

#[tokio::test]
async fn a_login_with_totp_takes_two_steps_and_a_code_works_once_sec_23() {
    let world = world().await;
    let (secret, _codes) = enrol_alice(&world).await;
    let challenge = challenge(&world).await;
    let now = world.clock.now();
    assert!(
        matches!(
            second_step(&world, &challenge, &code(&secret, now)).await,
            Err(AuthError::InvalidSecondFactor)
        ),
        "the code used to confirm the enrolment cannot be replayed"
    );
    world.clock.advance(Duration::seconds(30));
    let fresh = code(&secret, world.clock.now());
    let success = second_step(&world, &challenge, &fresh).await.unwrap();
    assert!(world.live(success.token.expose_secret()).await);
    assert!(!success.must_enrol_mfa);
    assert!(
        matches!(
            second_step(&world, &challenge, &fresh).await,
            Err(AuthError::InvalidSecondFactor)
        ),
        "a challenge opens one session"
    );
    let again = self::challenge(&world).await;
    assert!(
        matches!(
            second_step(&world, &again, &fresh).await,
            Err(AuthError::InvalidSecondFactor)
        ),
        "the just-accepted code is refused"
    );
    world.clock.advance(Duration::seconds(30));
    assert!(
        second_step(&world, &again, &code(&secret, world.clock.now()))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn one_step_either_side_is_accepted_and_two_are_not_sec_23() {
    let world = world().await;
    let (secret, _codes) = enrol_alice(&world).await;
    world.clock.advance(Duration::minutes(2));
    let now = world.clock.now();
    let challenge = challenge(&world).await;
    assert!(matches!(
        second_step(
            &world,
            &challenge,
            &code(&secret, now - Duration::seconds(60))
        )
        .await,
        Err(AuthError::InvalidSecondFactor)
    ));
    assert!(
        second_step(
            &world,
            &challenge,
            &code(&secret, now - Duration::seconds(30))
        )
        .await
        .is_ok()
    );
    let challenge = self::challenge(&world).await;
    assert!(
        second_step(
            &world,
            &challenge,
            &code(&secret, now + Duration::seconds(30))
        )
        .await
        .is_ok()
    );
}

#[tokio::test]
async fn four_wrong_codes_lock_until_the_step_ends_sec_23() {
    let world = world().await;
    let (secret, _codes) = enrol_alice(&world).await;
    world.clock.advance(Duration::seconds(30));
    let challenge = challenge(&world).await;
    let right = code(&secret, world.clock.now());
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    for _ in 0..4 {
        assert!(matches!(
            second_step(&world, &challenge, wrong).await,
            Err(AuthError::InvalidSecondFactor)
        ));
    }
    assert!(
        matches!(
            second_step(&world, &challenge, &right).await,
            Err(AuthError::Throttled { retry_after }) if retry_after <= Duration::seconds(30)
        ),
        "even the right code waits"
    );
    world.clock.advance(Duration::seconds(30));
    let next = code(&secret, world.clock.now());
    assert!(second_step(&world, &challenge, &next).await.is_ok());
    assert_eq!(world.events("login.mfa_failed").await.len(), 5);
}

#[tokio::test]
async fn recovery_codes_work_once_each() {
    let world = world().await;
    let (_secret, codes) = enrol_alice(&world).await;
    let first: String = codes.expose_secrets().next().unwrap().to_uppercase();
    let challenge = challenge(&world).await;
    let success = second_step(&world, &challenge, &first).await.unwrap();
    let who = world
        .sessions
        .authenticate(success.token.expose_secret())
        .await
        .unwrap();
    assert_eq!(
        mfa(&world).status(&who).await.unwrap().recovery_codes_left,
        9
    );
    let challenge = self::challenge(&world).await;
    assert!(matches!(
        second_step(&world, &challenge, &first).await,
        Err(AuthError::InvalidSecondFactor)
    ));
    let replaced = mfa(&world).regenerate_recovery_codes(&who).await.unwrap();
    let old_second = codes.expose_secrets().nth(1).unwrap();
    assert!(matches!(
        second_step(&world, &challenge, old_second).await,
        Err(AuthError::InvalidSecondFactor)
    ));
    let new_first = replaced.expose_secrets().next().unwrap();
    assert!(second_step(&world, &challenge, new_first).await.is_ok());
}

#[tokio::test]
async fn changing_the_factor_needs_a_recent_login_sec_20() {
    let world = world().await;
    let token = world.login("bob@example.com", PASSWORD, 3).await.unwrap();
    world.clock.advance(Duration::minutes(11));
    let stale = world.sessions.authenticate(&token).await.unwrap();
    assert!(matches!(
        mfa(&world).begin_enrolment(&stale).await,
        Err(AuthError::ReauthRequired)
    ));
    assert!(matches!(
        mfa(&world).remove(&stale).await,
        Err(AuthError::ReauthRequired)
    ));
    assert!(matches!(
        mfa(&world).regenerate_recovery_codes(&stale).await,
        Err(AuthError::ReauthRequired)
    ));
}

#[tokio::test]
async fn removing_the_factor_returns_to_one_step_and_enrolling_twice_is_refused() {
    let world = world().await;
    let (secret, _codes) = enrol_alice(&world).await;
    world.clock.advance(Duration::seconds(30));
    let challenge = challenge(&world).await;
    let success = second_step(&world, &challenge, &code(&secret, world.clock.now()))
        .await
        .unwrap();
    let who = world
        .sessions
        .authenticate(success.token.expose_secret())
        .await
        .unwrap();
    assert!(matches!(
        mfa(&world).begin_enrolment(&who).await,
        Err(AuthError::MfaAlreadyEnrolled)
    ));
    mfa(&world).remove(&who).await.unwrap();
    assert!(matches!(
        mfa(&world).remove(&who).await,
        Err(AuthError::MfaNotEnrolled)
    ));
    assert!(world.login("alice@example.com", PASSWORD, 4).await.is_ok());
    assert_eq!(world.events("mfa.enrolled").await.len(), 1);
    assert_eq!(world.events("mfa.removed").await.len(), 1);
}

#[tokio::test]
async fn a_tenant_can_require_a_second_factor_of_its_staff() {
    let world = world().await;
    let success = world
        .login_outcome("bob@example.com", PASSWORD, 1)
        .await
        .unwrap();
    assert!(!success.must_enrol_mfa);
    world
        .stores
        .tenants
        .set_mfa_policy(&world.system(), true, false, &AuditContext::default())
        .await
        .unwrap();
    let success = world
        .login_outcome("bob@example.com", PASSWORD, 1)
        .await
        .unwrap();
    assert!(
        success.must_enrol_mfa,
        "bob must enrol before anything else"
    );
    let (secret, _codes) = enrol_alice(&world).await;
    world.clock.advance(Duration::seconds(30));
    let challenge = challenge(&world).await;
    let alice = second_step(&world, &challenge, &code(&secret, world.clock.now()))
        .await
        .unwrap();
    assert!(!alice.must_enrol_mfa, "alice has enrolled");
}
