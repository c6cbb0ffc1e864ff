use portal_core::model::{ShareAccess, ShareTarget};
use portal_core::{BuiltinRole, DomainError};
use portal_storage::{Page, StoreError};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{client, ctx, member, tenant, token, work};
use crate::stores::tenancy::session;

pub async fn share_links(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[client]).await;
    let work = work(stores, &manager, client, "a").await;
    let now = OffsetDateTime::now_utc();
    let target = ShareTarget::Project(work.project);
    let first_token = token();
    let link = stores
        .share_links
        .create_share_link(
            &manager,
            target,
            first_token,
            ShareAccess {
                download: false,
                upload: false,
            },
            now + Duration::days(7),
            Some(2),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(link.uses, 0);
    assert_eq!(
        stores
            .share_links
            .use_share_link(&first_token, now)
            .await
            .unwrap()
            .unwrap()
            .uses,
        1
    );
    assert_eq!(
        stores
            .share_links
            .use_share_link(&first_token, now)
            .await
            .unwrap()
            .unwrap()
            .uses,
        2
    );
    assert!(
        stores
            .share_links
            .use_share_link(&first_token, now)
            .await
            .unwrap()
            .is_none(),
        "used up"
    );
    assert!(
        stores
            .share_links
            .use_share_link(&token(), now)
            .await
            .unwrap()
            .is_none()
    );

    let expiring_token = token();
    stores
        .share_links
        .create_share_link(
            &manager,
            target,
            expiring_token,
            ShareAccess {
                download: true,
                upload: false,
            },
            now + Duration::days(1),
            None,
            &ctx(),
        )
        .await
        .unwrap();
    assert!(
        stores
            .share_links
            .use_share_link(&expiring_token, now + Duration::days(2))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    let revocable_token = token();
    let revocable = stores
        .share_links
        .create_share_link(
            &manager,
            target,
            revocable_token,
            ShareAccess {
                download: true,
                upload: false,
            },
            now + Duration::days(1),
            None,
            &ctx(),
        )
        .await
        .unwrap();
    let revoked = stores
        .share_links
        .revoke_share_link(&manager, revocable.id, &ctx())
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(
        stores
            .share_links
            .use_share_link(&revocable_token, now)
            .await
            .unwrap()
            .is_none(),
        "revoked"
    );

    let too_long = stores
        .share_links
        .create_share_link(
            &manager,
            target,
            token(),
            ShareAccess {
                download: false,
                upload: false,
            },
            now + Duration::days(91),
            None,
            &ctx(),
        )
        .await;
    assert!(
        matches!(
            too_long,
            Err(StoreError::Invalid(DomainError::Validation {
                field: "expires_at",
                ..
            }))
        ),
        "{too_long:?}"
    );
    let by_contact = stores
        .share_links
        .create_share_link(
            &contact,
            target,
            token(),
            ShareAccess {
                download: false,
                upload: false,
            },
            now + Duration::days(1),
            None,
            &ctx(),
        )
        .await;
    assert!(
        matches!(by_contact, Err(StoreError::Forbidden(_))),
        "{by_contact:?}"
    );
    let listed = stores
        .share_links
        .list_share_links(&manager, Page::first(10).unwrap())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 3);
}

pub async fn sessions(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (user, _) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let first_token = token();
    let created = session(acme.id, user, first_token);
    stores
        .sessions
        .create_session(created.clone())
        .await
        .unwrap();
    assert_eq!(
        stores
            .sessions
            .session(&first_token)
            .await
            .unwrap()
            .unwrap(),
        created
    );
    let later = created.last_seen_at + Duration::minutes(5);
    stores
        .sessions
        .touch_session(&first_token, later)
        .await
        .unwrap();
    assert_eq!(
        stores
            .sessions
            .session(&first_token)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        later
    );
    stores.sessions.delete_session(&first_token).await.unwrap();
    stores.sessions.delete_session(&first_token).await.unwrap();
    assert!(
        stores
            .sessions
            .session(&first_token)
            .await
            .unwrap()
            .is_none()
    );

    let idle = session(acme.id, user, token());
    let fresh = session(acme.id, user, token());
    stores.sessions.create_session(idle.clone()).await.unwrap();
    stores.sessions.create_session(fresh.clone()).await.unwrap();
    stores
        .sessions
        .touch_session(
            &fresh.token_hash,
            fresh.last_seen_at + Duration::minutes(40),
        )
        .await
        .unwrap();
    let removed = stores
        .sessions
        .delete_expired_sessions(
            idle.last_seen_at + Duration::minutes(45),
            Duration::minutes(30),
        )
        .await
        .unwrap();
    // Other tests share the database and their sessions are swept too: count at least ours.
    assert!(removed >= 1, "the idle session goes");
    assert!(
        stores
            .sessions
            .session(&idle.token_hash)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        stores
            .sessions
            .session(&fresh.token_hash)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        stores
            .sessions
            .delete_sessions_of(acme.id, user)
            .await
            .unwrap(),
        1
    );
}

pub async fn throttling(h: &Harness) {
    let stores = &h.stores;
    let key = format!("account:{}", uuid::Uuid::now_v7());
    let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    assert!(stores.throttle.throttle(&key).await.unwrap().is_none());
    for expected in 1..=3 {
        let state = stores
            .throttle
            .record_failure(
                &key,
                start + Duration::seconds(expected),
                Duration::hours(1),
            )
            .await
            .unwrap();
        assert_eq!(state.failures, expected as u32);
        assert_eq!(state.window_started_at, start + Duration::seconds(1));
    }
    let restarted = stores
        .throttle
        .record_failure(&key, start + Duration::hours(2), Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(restarted.failures, 1, "a new window starts again at one");
    stores.throttle.forgive_failure(&key).await.unwrap();
    stores.throttle.forgive_failure(&key).await.unwrap();
    let forgiven = stores.throttle.throttle(&key).await.unwrap().unwrap();
    assert_eq!(forgiven.failures, 0, "forgiving stops at zero");
    stores
        .throttle
        .forgive_failure("account:never-seen")
        .await
        .unwrap();
    assert!(
        stores
            .throttle
            .throttle("account:never-seen")
            .await
            .unwrap()
            .is_none(),
        "forgiving an unknown key creates nothing"
    );
    stores
        .throttle
        .block_until(&key, start + Duration::hours(3))
        .await
        .unwrap();
    assert_eq!(
        stores
            .throttle
            .throttle(&key)
            .await
            .unwrap()
            .unwrap()
            .blocked_until,
        Some(start + Duration::hours(3))
    );
    stores.throttle.clear_throttle(&key).await.unwrap();
    assert!(stores.throttle.throttle(&key).await.unwrap().is_none());

    let concurrent_key = format!("ip:{}", uuid::Uuid::now_v7());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let stores = stores.clone();
        let key = concurrent_key.clone();
        tasks.push(tokio::spawn(async move {
            stores
                .throttle
                .record_failure(&key, start, Duration::hours(1))
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(
        stores
            .throttle
            .throttle(&concurrent_key)
            .await
            .unwrap()
            .unwrap()
            .failures,
        20,
        "no lost update"
    );
}
