//! Idempotency keys: the first request runs, a retry replays its response, another request under
//! the key is refused; one winner among concurrent begins; expiry, abandonment and tenant binding.

use std::sync::Arc;

use portal_core::state::Sha256Digest;
use portal_core::{BuiltinRole, TenantId, TenantScope};
use portal_storage::StoreResult;
use portal_storage::traits::IdempotencyBegin;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{
    assert_conflict, assert_invalid, assert_not_found, member, tenant, token,
};

const DAY: Duration = Duration::hours(24);

/// Now, in whole seconds, so stored times read back equal.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).unwrap()
}

/// A key no other test uses (a PostgreSQL database is shared by concurrent tests).
fn key() -> String {
    format!("key-{}", uuid::Uuid::now_v7())
}

/// A new tenant and the scope of a member of its staff.
async fn staff(h: &Harness) -> (TenantId, TenantScope) {
    let acme = tenant(&h.stores, "Acme").await;
    let (_, scope) = member(&h.stores, acme.id, BuiltinRole::Member, &[]).await;
    (acme.id, scope)
}

async fn begin(
    h: &Harness,
    scope: &TenantScope,
    key: &str,
    hash: &Sha256Digest,
    at: OffsetDateTime,
) -> IdempotencyBegin {
    h.stores
        .idempotency
        .begin_idempotent(scope, key, hash, at, DAY)
        .await
        .unwrap()
}

async fn complete(h: &Harness, scope: &TenantScope, key: &str, body: &[u8]) -> StoreResult<()> {
    h.stores
        .idempotency
        .complete_idempotent(scope, key, 200, body.to_vec())
        .await
}

fn completed(body: &[u8]) -> IdempotencyBegin {
    IdempotencyBegin::Completed {
        status: 200,
        body: body.to_vec(),
    }
}

pub async fn keys_start_replay_and_refuse_other_requests(h: &Harness) {
    let (_, scope) = staff(h).await;
    let (k, request, other) = (key(), token(), token());
    assert_eq!(
        begin(h, &scope, &k, &request, now()).await,
        IdempotencyBegin::Started
    );
    assert_eq!(
        begin(h, &scope, &k, &request, now()).await,
        IdempotencyBegin::InProgress,
        "a retry while the first attempt runs"
    );
    assert_eq!(
        begin(h, &scope, &k, &other, now()).await,
        IdempotencyBegin::Mismatch
    );

    let body = br#"{"results":[]}"#;
    complete(h, &scope, &k, body).await.unwrap();
    assert_eq!(begin(h, &scope, &k, &request, now()).await, completed(body));
    assert_eq!(
        begin(h, &scope, &k, &request, now()).await,
        completed(body),
        "a replay changes nothing"
    );
    assert_eq!(
        begin(h, &scope, &k, &other, now()).await,
        IdempotencyBegin::Mismatch
    );
    assert_conflict(&complete(h, &scope, &k, b"again").await);
    assert!(
        !h.stores
            .idempotency
            .abandon_idempotent(&scope, &k)
            .await
            .unwrap(),
        "a completed request is not abandoned"
    );
    assert_eq!(begin(h, &scope, &k, &request, now()).await, completed(body));

    // Any status and any bytes come back as they went in.
    let (k, binary) = (key(), vec![0_u8, 255, 10, 13]);
    begin(h, &scope, &k, &request, now()).await;
    h.stores
        .idempotency
        .complete_idempotent(&scope, &k, 409, binary.clone())
        .await
        .unwrap();
    assert_eq!(
        begin(h, &scope, &k, &request, now()).await,
        IdempotencyBegin::Completed {
            status: 409,
            body: binary
        }
    );
}

pub async fn abandoned_keys_may_be_used_again(h: &Harness) {
    let (_, scope) = staff(h).await;
    let store = &h.stores.idempotency;
    let (k, first, second) = (key(), token(), token());
    assert_eq!(
        begin(h, &scope, &k, &first, now()).await,
        IdempotencyBegin::Started
    );
    assert!(store.abandon_idempotent(&scope, &k).await.unwrap());
    assert!(!store.abandon_idempotent(&scope, &k).await.unwrap());
    assert_not_found(&complete(h, &scope, &k, b"late").await);
    assert_eq!(
        begin(h, &scope, &k, &second, now()).await,
        IdempotencyBegin::Started,
        "an abandoned key is free, for any request"
    );
    complete(h, &scope, &k, b"second").await.unwrap();
    assert_eq!(
        begin(h, &scope, &k, &second, now()).await,
        completed(b"second")
    );
    assert_not_found(&complete(h, &scope, &key(), b"never begun").await);
}

pub async fn expired_keys_count_as_absent_and_are_swept(h: &Harness) {
    let (_, scope) = staff(h).await;
    let store = &h.stores.idempotency;
    // The sweep is global and a PostgreSQL database is shared by concurrent tests, so the swept
    // records live in an era no other test uses.
    let era = datetime!(2001-01-01 00:00 UTC);
    // Clears what an interrupted earlier run may have left in a reused database.
    store
        .delete_expired_idempotent(era + Duration::days(30))
        .await
        .unwrap();
    let (k, first, second) = (key(), token(), token());
    begin(h, &scope, &k, &first, era).await;
    complete(h, &scope, &k, b"first").await.unwrap();
    assert_eq!(
        begin(h, &scope, &k, &first, era + DAY - Duration::seconds(1)).await,
        completed(b"first"),
        "alive until its time to live is up"
    );
    assert_eq!(
        begin(h, &scope, &k, &second, era + DAY).await,
        IdempotencyBegin::Started,
        "expired: another request takes the key over"
    );
    assert_eq!(
        begin(h, &scope, &k, &second, era + DAY).await,
        IdempotencyBegin::InProgress
    );

    let (stale, live) = (key(), key());
    begin(h, &scope, &stale, &first, era).await;
    begin(h, &scope, &live, &first, now()).await;
    assert_eq!(
        store
            .delete_expired_idempotent(era + DAY + Duration::hours(1))
            .await
            .unwrap(),
        1,
        "only the stale one (the taken-over key lives until era + 2 days)"
    );
    assert_eq!(
        begin(h, &scope, &stale, &second, era).await,
        IdempotencyBegin::Started,
        "swept: absent even before its expiry"
    );
    assert_eq!(
        begin(h, &scope, &live, &first, now()).await,
        IdempotencyBegin::InProgress,
        "a live key survives the sweep"
    );
    assert_eq!(
        store
            .delete_expired_idempotent(era + Duration::days(3))
            .await
            .unwrap(),
        2
    );
}

pub async fn concurrent_begins_have_one_winner(h: &Harness) {
    let (_, scope) = staff(h).await;
    let (k, request) = (Arc::new(key()), token());
    let scope = Arc::new(scope);
    let attempts = (0..16).map(|_| {
        let (store, scope, k) = (h.stores.idempotency.clone(), scope.clone(), k.clone());
        tokio::spawn(async move {
            store
                .begin_idempotent(&scope, &k, &request, now(), DAY)
                .await
                .unwrap()
        })
    });
    let mut outcomes = Vec::new();
    for attempt in attempts.collect::<Vec<_>>() {
        outcomes.push(attempt.await.unwrap());
    }
    let started = outcomes
        .iter()
        .filter(|outcome| **outcome == IdempotencyBegin::Started)
        .count();
    assert_eq!(started, 1, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|outcome| matches!(
            outcome,
            IdempotencyBegin::Started | IdempotencyBegin::InProgress
        )),
        "{outcomes:?}"
    );
}

pub async fn keys_stay_in_their_tenant(h: &Harness) {
    let (_, acme) = staff(h).await;
    let (_, globex) = staff(h).await;
    let store = &h.stores.idempotency;
    let (k, request) = (key(), token());
    assert_eq!(
        begin(h, &acme, &k, &request, now()).await,
        IdempotencyBegin::Started
    );
    assert!(
        !store.abandon_idempotent(&globex, &k).await.unwrap(),
        "another tenant cannot free the key"
    );
    assert_not_found(&complete(h, &globex, &k, b"forged").await);
    assert_eq!(
        begin(h, &acme, &k, &request, now()).await,
        IdempotencyBegin::InProgress
    );
    complete(h, &acme, &k, b"acme's").await.unwrap();
    assert_eq!(
        begin(h, &globex, &k, &request, now()).await,
        IdempotencyBegin::Started,
        "the same key and request in another tenant never see acme's response"
    );
    complete(h, &globex, &k, b"globex's").await.unwrap();
    assert_eq!(
        begin(h, &acme, &k, &request, now()).await,
        completed(b"acme's")
    );
    assert_eq!(
        begin(h, &globex, &k, &request, now()).await,
        completed(b"globex's")
    );

    // A scope of a tenant that does not exist has nothing to claim.
    let ghost = TenantScope::dangerous_system(TenantId::new());
    assert_not_found(
        &store
            .begin_idempotent(&ghost, &key(), &request, now(), DAY)
            .await,
    );
}

pub async fn keys_statuses_and_lifetimes_are_checked(h: &Harness) {
    let (_, scope) = staff(h).await;
    let store = &h.stores.idempotency;
    let request = token();
    for bad in [
        String::new(),
        "k".repeat(256),
        "line\nbreak".to_owned(),
        "naïve".to_owned(),
    ] {
        assert_invalid(
            &store
                .begin_idempotent(&scope, &bad, &request, now(), DAY)
                .await,
            Some("idempotency_key"),
        );
        assert_invalid(
            &store
                .complete_idempotent(&scope, &bad, 200, Vec::new())
                .await,
            Some("idempotency_key"),
        );
        assert_invalid(
            &store.abandon_idempotent(&scope, &bad).await,
            Some("idempotency_key"),
        );
    }
    let longest = "k".repeat(255);
    assert_eq!(
        store
            .begin_idempotent(&scope, &longest, &request, now(), DAY)
            .await
            .unwrap(),
        IdempotencyBegin::Started
    );
    for ttl in [Duration::ZERO, Duration::seconds(-1)] {
        assert_invalid(
            &store
                .begin_idempotent(&scope, &key(), &request, now(), ttl)
                .await,
            Some("ttl"),
        );
    }
    for status in [0, 99, 600] {
        assert_invalid(
            &store
                .complete_idempotent(&scope, &longest, status, Vec::new())
                .await,
            Some("status"),
        );
    }
    complete(h, &scope, &longest, b"").await.unwrap();
    assert_eq!(
        begin(h, &scope, &longest, &request, now()).await,
        completed(b""),
        "an empty body is a response too"
    );
}
