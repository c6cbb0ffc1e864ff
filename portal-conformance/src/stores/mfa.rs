//! Login tokens (SEC-21) and second factors (SEC-23): single use, purpose and tenant binding,
//! expiry, replay refusal, and one winner among concurrent uses.

use std::sync::Arc;

use portal_core::model::LoginTokenPurpose::{self, MagicLink, MfaChallenge, PasswordReset};
use portal_core::state::Sha256Digest;
use portal_core::{BuiltinRole, TenantId, UserId};
use portal_storage::traits::{LoginTokenStore, MfaStore};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{
    assert_conflict, assert_invalid, assert_not_found, member, tenant, token,
};

/// Now, in whole seconds, so stored times read back equal.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

/// Every purpose. The match has no wildcard, so a new purpose fails to compile here until it is
/// tested (and the migrations' CHECK admits it).
fn every_purpose() -> [LoginTokenPurpose; 3] {
    let all = [PasswordReset, MagicLink, MfaChallenge];
    for purpose in all {
        match purpose {
            PasswordReset | MagicLink | MfaChallenge => {}
        }
    }
    all
}

/// A new tenant with one user.
async fn user(h: &Harness) -> (TenantId, UserId) {
    let acme = tenant(&h.stores, "Acme").await;
    let (user, _) = member(&h.stores, acme.id, BuiltinRole::Member, &[]).await;
    (acme.id, user)
}

/// A user with a confirmed TOTP enrolment (last step 100) and these recovery codes.
async fn enrolled(h: &Harness, codes: &[Sha256Digest]) -> (TenantId, UserId) {
    let (tenant, user) = user(h).await;
    let mfa = &h.stores.mfa;
    mfa.begin_totp(tenant, user, b"sealed".to_vec(), now())
        .await
        .unwrap();
    mfa.confirm_totp(tenant, user, 100, codes.to_vec(), now())
        .await
        .unwrap();
    (tenant, user)
}

/// Issues a login token; a refusal fails the test.
async fn issue(
    h: &Harness,
    tenant: TenantId,
    user: UserId,
    purpose: LoginTokenPurpose,
    token_hash: Sha256Digest,
    expires_at: OffsetDateTime,
) {
    h.stores
        .login_tokens
        .issue_login_token(tenant, user, purpose, token_hash, expires_at)
        .await
        .unwrap();
}

/// Spends a login token at `at`: the user it logs in, if it still works.
async fn consume(
    h: &Harness,
    tenant: TenantId,
    purpose: LoginTokenPurpose,
    token_hash: &Sha256Digest,
    at: OffsetDateTime,
) -> Option<UserId> {
    h.stores
        .login_tokens
        .consume_login_token(tenant, purpose, token_hash, at)
        .await
        .unwrap()
}

/// Uses a recovery code now: whether it worked.
async fn use_code(h: &Harness, tenant: TenantId, user: UserId, code: &Sha256Digest) -> bool {
    h.stores
        .mfa
        .use_recovery_code(tenant, user, code, now())
        .await
        .unwrap()
}

pub async fn login_tokens_are_single_use_and_replaced(h: &Harness) {
    let (acme, ada) = user(h).await;
    let expires = now() + Duration::minutes(10);
    let (first, second, magic) = (token(), token(), token());
    issue(h, acme, ada, PasswordReset, first, expires).await;
    issue(h, acme, ada, MagicLink, magic, expires).await;
    issue(h, acme, ada, PasswordReset, second, expires).await;
    assert_eq!(
        consume(h, acme, PasswordReset, &first, now()).await,
        None,
        "only the newest link of a purpose works"
    );
    assert_eq!(
        consume(h, acme, PasswordReset, &second, now()).await,
        Some(ada)
    );
    assert_eq!(
        consume(h, acme, PasswordReset, &second, now()).await,
        None,
        "a token works once"
    );
    assert_eq!(
        consume(h, acme, MagicLink, &magic, now()).await,
        Some(ada),
        "a new token of another purpose does not replace this one"
    );

    // Issuing the same hash again for its own user and purpose is a plain replacement.
    let again = token();
    for _ in 0..2 {
        issue(h, acme, ada, MagicLink, again, expires).await;
    }
    assert_eq!(consume(h, acme, MagicLink, &again, now()).await, Some(ada));
}

pub async fn login_tokens_expire(h: &Harness) {
    let tokens = &h.stores.login_tokens;
    let (acme, ada) = user(h).await;
    let start = now();
    let expiry = start + Duration::minutes(10);
    let (early, late) = (token(), token());
    issue(h, acme, ada, PasswordReset, early, expiry).await;
    assert_eq!(
        consume(h, acme, PasswordReset, &early, expiry).await,
        None,
        "a token stops working at its expiry"
    );
    // The expired token was spent by the failed attempt: it does not come back.
    assert_eq!(consume(h, acme, PasswordReset, &early, start).await, None);
    issue(h, acme, ada, PasswordReset, late, expiry).await;
    let last_second = expiry - Duration::seconds(1);
    assert_eq!(
        consume(h, acme, PasswordReset, &late, last_second).await,
        Some(ada)
    );

    // The sweep. Tokens are global and a PostgreSQL database is shared by concurrent tests, so
    // the swept tokens expire in an era no other test uses.
    let (bob_tenant, bob) = user(h).await;
    let era = datetime!(2001-01-01 00:00 UTC);
    let sweep = |at| tokens.delete_expired_login_tokens(at);
    // Clears what an interrupted earlier run may have left in a reused database.
    sweep(era + Duration::minutes(10)).await.unwrap();
    let (a, b, live) = (token(), token(), token());
    issue(h, acme, ada, PasswordReset, a, era).await;
    issue(h, acme, ada, MagicLink, b, era + Duration::minutes(10)).await;
    issue(h, bob_tenant, bob, MagicLink, live, expiry).await;
    assert_eq!(sweep(era + Duration::minutes(5)).await.unwrap(), 1);
    assert_eq!(
        consume(h, acme, PasswordReset, &a, era - Duration::days(1)).await,
        None,
        "swept"
    );
    assert_eq!(
        sweep(era + Duration::minutes(10)).await.unwrap(),
        1,
        "expired at its expiry"
    );
    assert_eq!(consume(h, acme, MagicLink, &b, era).await, None, "swept");
    assert_eq!(
        consume(h, bob_tenant, MagicLink, &live, start).await,
        Some(bob),
        "a live token survives the sweep"
    );
}

pub async fn login_tokens_are_bound_to_purpose_and_tenant(h: &Harness) {
    let tokens = &h.stores.login_tokens;
    let (acme, ada) = user(h).await;
    let (other, bob) = user(h).await;
    let expires = now() + Duration::minutes(10);
    let link = token();
    issue(h, acme, ada, MagicLink, link, expires).await;
    assert_eq!(
        consume(h, acme, PasswordReset, &link, now()).await,
        None,
        "a magic link never resets a password"
    );
    assert_eq!(
        consume(h, other, MagicLink, &link, now()).await,
        None,
        "another tenant never spends it"
    );
    assert_eq!(
        consume(h, acme, MagicLink, &link, now()).await,
        Some(ada),
        "the failed attempts left the token usable for its own purpose"
    );

    // One token of each purpose: each is spent only by its own purpose.
    let issued: Vec<_> = every_purpose().into_iter().map(|p| (p, token())).collect();
    for (purpose, hash) in &issued {
        issue(h, acme, ada, *purpose, *hash, expires).await;
    }
    for (purpose, hash) in &issued {
        for wrong in every_purpose().into_iter().filter(|p| p != purpose) {
            assert_eq!(
                consume(h, acme, wrong, hash, now()).await,
                None,
                "{purpose:?} spent as {wrong:?}"
            );
        }
        assert_eq!(
            consume(h, acme, *purpose, hash, now()).await,
            Some(ada),
            "{purpose:?}"
        );
    }

    for (tenant, user) in [(acme, bob), (other, ada), (acme, UserId::new())] {
        let foreign = tokens
            .issue_login_token(tenant, user, MagicLink, token(), expires)
            .await;
        assert_not_found(&foreign);
    }
    let taken = token();
    issue(h, acme, ada, PasswordReset, taken, expires).await;
    let clash = tokens
        .issue_login_token(other, bob, PasswordReset, taken, expires)
        .await;
    assert_conflict(&clash);
    assert_eq!(
        consume(h, acme, PasswordReset, &taken, now()).await,
        Some(ada),
        "the refused issue changed nothing"
    );
}

pub async fn concurrent_token_consumers_have_one_winner(h: &Harness) {
    let (acme, ada) = user(h).await;
    let link = token();
    issue(h, acme, ada, MagicLink, link, now() + Duration::minutes(10)).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let tokens: Arc<dyn LoginTokenStore> = h.stores.login_tokens.clone();
        tasks.push(tokio::spawn(async move {
            tokens
                .consume_login_token(acme, MagicLink, &link, now())
                .await
                .unwrap()
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        winners.extend(task.await.unwrap());
    }
    assert_eq!(winners, vec![ada]);
}

pub async fn totp_enrolment_begins_replaces_and_confirms(h: &Harness) {
    let mfa = &h.stores.mfa;
    let (acme, ada) = user(h).await;
    let (other, bob) = user(h).await;
    assert_eq!(mfa.totp(acme, ada).await.unwrap(), None);
    let start = now();
    let first = mfa
        .begin_totp(acme, ada, b"first".to_vec(), start)
        .await
        .unwrap();
    assert_eq!(
        (first.tenant, first.user, first.sealed_secret.as_slice()),
        (acme, ada, &b"first"[..])
    );
    assert_eq!((first.confirmed_at, first.last_step), (None, None));
    assert_eq!(first.created_at, start);
    assert!(
        !mfa.use_totp_step(acme, ada, 5).await.unwrap(),
        "an unconfirmed enrolment is not in force"
    );
    let later = start + Duration::minutes(1);
    let second = mfa
        .begin_totp(acme, ada, b"second".to_vec(), later)
        .await
        .unwrap();
    assert_eq!(second.sealed_secret, b"second");
    assert_eq!(second.created_at, later);
    assert_eq!(mfa.totp(acme, ada).await.unwrap(), Some(second));

    let codes = [token(), token(), token()];
    let confirmed_at = later + Duration::minutes(1);
    let confirmed = mfa
        .confirm_totp(acme, ada, 100, codes.to_vec(), confirmed_at)
        .await
        .unwrap();
    assert_eq!(confirmed.confirmed_at, Some(confirmed_at));
    assert_eq!(confirmed.last_step, Some(100));
    assert_eq!(confirmed.sealed_secret, b"second");
    assert_eq!(mfa.totp(acme, ada).await.unwrap(), Some(confirmed.clone()));
    assert_eq!(mfa.recovery_codes_left(acme, ada).await.unwrap(), 3);
    assert!(
        !format!("{confirmed:?}").contains("115, 101, 99"),
        "Debug hides the secret"
    );

    assert_conflict(&mfa.begin_totp(acme, ada, b"third".to_vec(), now()).await);
    assert_conflict(&mfa.confirm_totp(acme, ada, 101, vec![token()], now()).await);
    assert_eq!(
        mfa.totp(acme, ada).await.unwrap(),
        Some(confirmed),
        "the refusals changed nothing"
    );
    assert_eq!(mfa.recovery_codes_left(acme, ada).await.unwrap(), 3);

    assert_not_found(&mfa.confirm_totp(other, bob, 1, vec![], now()).await);
    for (tenant, user) in [(acme, bob), (other, ada), (acme, UserId::new())] {
        assert_not_found(&mfa.begin_totp(tenant, user, b"x".to_vec(), now()).await);
    }
    assert_invalid(&mfa.begin_totp(other, bob, Vec::new(), now()).await, None);

    // Removing ends the factor; a new enrolment may then begin.
    assert!(mfa.remove_totp(acme, ada).await.unwrap());
    assert!(!mfa.remove_totp(acme, ada).await.unwrap());
    assert_eq!(mfa.totp(acme, ada).await.unwrap(), None);
    assert_eq!(mfa.recovery_codes_left(acme, ada).await.unwrap(), 0);
    assert!(!mfa.use_totp_step(acme, ada, 200).await.unwrap());
    assert!(!use_code(h, acme, ada, &codes[0]).await);
    let fresh = mfa
        .begin_totp(acme, ada, b"fresh".to_vec(), now())
        .await
        .unwrap();
    assert_eq!(fresh.confirmed_at, None);
}

pub async fn totp_steps_are_never_replayed(h: &Harness) {
    let mfa = &h.stores.mfa;
    let (acme, ada) = enrolled(h, &[]).await;
    assert!(
        !mfa.use_totp_step(acme, ada, 100).await.unwrap(),
        "the confirming step is spent"
    );
    assert!(!mfa.use_totp_step(acme, ada, 99).await.unwrap(), "older");
    assert!(mfa.use_totp_step(acme, ada, 101).await.unwrap());
    assert!(!mfa.use_totp_step(acme, ada, 101).await.unwrap(), "replay");
    assert!(mfa.use_totp_step(acme, ada, 103).await.unwrap());
    assert!(!mfa.use_totp_step(acme, ada, 102).await.unwrap(), "older");
    assert_eq!(
        mfa.totp(acme, ada).await.unwrap().unwrap().last_step,
        Some(103)
    );
    assert_invalid(&mfa.use_totp_step(acme, ada, u64::MAX).await, None);
    let huge = mfa
        .confirm_totp(acme, ada, u64::MAX, Vec::new(), now())
        .await;
    assert_invalid(&huge, None);
    assert!(
        !mfa.use_totp_step(acme, UserId::new(), 500).await.unwrap(),
        "nothing is enrolled"
    );
}

pub async fn concurrent_uses_of_one_code_have_one_winner(h: &Harness) {
    let code = token();
    let (acme, ada) = enrolled(h, &[code]).await;
    let mut steps = Vec::new();
    let mut codes = Vec::new();
    for _ in 0..16 {
        let mfa: Arc<dyn MfaStore> = h.stores.mfa.clone();
        steps.push(tokio::spawn(async move {
            mfa.use_totp_step(acme, ada, 101).await.unwrap()
        }));
        let mfa: Arc<dyn MfaStore> = h.stores.mfa.clone();
        codes.push(tokio::spawn(async move {
            mfa.use_recovery_code(acme, ada, &code, now())
                .await
                .unwrap()
        }));
    }
    let mut step_wins = 0;
    for task in steps {
        step_wins += usize::from(task.await.unwrap());
    }
    let mut code_wins = 0;
    for task in codes {
        code_wins += usize::from(task.await.unwrap());
    }
    assert_eq!((step_wins, code_wins), (1, 1));
    assert_eq!(
        h.stores.mfa.recovery_codes_left(acme, ada).await.unwrap(),
        0
    );
}

pub async fn recovery_codes_work_once(h: &Harness) {
    let mfa = &h.stores.mfa;
    let old = [token(), token(), token()];
    let (acme, ada) = enrolled(h, &old).await;
    let left = |tenant, user| mfa.recovery_codes_left(tenant, user);
    assert_eq!(left(acme, ada).await.unwrap(), 3);
    assert!(use_code(h, acme, ada, &old[0]).await);
    assert!(!use_code(h, acme, ada, &old[0]).await, "a code works once");
    assert!(!use_code(h, acme, ada, &token()).await);
    assert_eq!(left(acme, ada).await.unwrap(), 2);

    let new = [token(), token()];
    let replace = |tenant, user, codes| mfa.replace_recovery_codes(tenant, user, codes);
    replace(acme, ada, new.to_vec()).await.unwrap();
    assert_eq!(left(acme, ada).await.unwrap(), 2);
    assert!(
        !use_code(h, acme, ada, &old[1]).await,
        "replaced codes stop working"
    );
    assert!(use_code(h, acme, ada, &new[1]).await);
    assert_eq!(left(acme, ada).await.unwrap(), 1);

    assert_invalid(&replace(acme, ada, vec![new[0], new[0]]).await, None);
    let duplicate = mfa
        .confirm_totp(acme, ada, 200, vec![new[0], new[0]], now())
        .await;
    assert_invalid(&duplicate, None);
    assert!(
        use_code(h, acme, ada, &new[0]).await,
        "the refused replacements changed nothing"
    );
    assert_not_found(&replace(acme, UserId::new(), vec![token()]).await);

    // Codes may be set without TOTP, and the same hash may serve two users.
    let (other, bob) = user(h).await;
    replace(other, bob, vec![old[2]]).await.unwrap();
    assert_eq!(left(other, bob).await.unwrap(), 1);
    assert!(!mfa.remove_totp(other, bob).await.unwrap(), "no enrolment");
    assert_eq!(
        left(other, bob).await.unwrap(),
        0,
        "removal clears the codes"
    );
    replace(acme, ada, Vec::new()).await.unwrap();
    assert_eq!(left(acme, ada).await.unwrap(), 0);
}

pub async fn another_tenants_pair_sees_no_second_factor(h: &Harness) {
    let mfa = &h.stores.mfa;
    let code = token();
    let (acme, ada) = enrolled(h, &[code]).await;
    let (other, _) = user(h).await;
    let link = token();
    issue(h, acme, ada, MagicLink, link, now() + Duration::minutes(10)).await;

    // The same user id under another tenant: nothing is there, and nothing changes.
    assert_eq!(mfa.totp(other, ada).await.unwrap(), None);
    assert!(!mfa.use_totp_step(other, ada, 101).await.unwrap());
    assert!(!use_code(h, other, ada, &code).await);
    assert_eq!(mfa.recovery_codes_left(other, ada).await.unwrap(), 0);
    assert!(!mfa.remove_totp(other, ada).await.unwrap());
    assert_not_found(
        &mfa.confirm_totp(other, ada, 101, vec![token()], now())
            .await,
    );
    assert_not_found(&mfa.replace_recovery_codes(other, ada, vec![token()]).await);
    assert_eq!(consume(h, other, MagicLink, &link, now()).await, None);

    let own = mfa.totp(acme, ada).await.unwrap().unwrap();
    assert_eq!(own.last_step, Some(100));
    assert_eq!(mfa.recovery_codes_left(acme, ada).await.unwrap(), 1);
    assert!(mfa.use_totp_step(acme, ada, 101).await.unwrap());
    assert!(use_code(h, acme, ada, &code).await);
    assert_eq!(consume(h, acme, MagicLink, &link, now()).await, Some(ada));
}
