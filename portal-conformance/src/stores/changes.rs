//! The change feed: a stamp moves once a write has committed, and only then.

use portal_core::BuiltinRole;

use crate::Harness;
use crate::stores::fixtures::{client, member, tenant, token};
use crate::stores::tenancy::session;

/// A backend that offers stamps keeps them exact: reads and uncounted writes leave them alone,
/// a committed write moves its tenant's, an ended session moves everyone's. One that cannot see
/// every write (PostgreSQL, shared by replicas) offers none.
pub async fn stamps_move_with_committed_writes(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let system = portal_core::TenantScope::dangerous_system(acme.id);
    let first_client = client(stores, &system, "First").await;
    let (user, scope) = member(stores, acme.id, BuiltinRole::Owner, &[first_client]).await;

    let Some(before) = stores.changes.stamp(acme.id) else {
        // No stamps: nothing above may cache, which is always correct.
        return;
    };

    // Reads change nothing.
    stores.clients.client(&scope, first_client).await.unwrap();
    stores
        .clients
        .list_clients(&scope, portal_storage::Page::first(10).unwrap())
        .await
        .unwrap();
    assert_eq!(stores.changes.stamp(acme.id), Some(before), "a read");

    // A new session and its touch are invisible to caches.
    let created = session(acme.id, user, token());
    stores
        .sessions
        .create_session(created.clone())
        .await
        .unwrap();
    stores
        .sessions
        .touch_session(&created.token_hash, created.last_seen_at)
        .await
        .unwrap();
    assert_eq!(stores.changes.stamp(acme.id), Some(before), "a session");

    // An audit event on its own (a login, a refusal) changes nothing a cache shows.
    stores
        .audit
        .append(
            &scope,
            portal_core::model::NewAuditEvent::by(&scope, "login.failed", None),
            &portal_core::model::AuditContext::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        stores.changes.stamp(acme.id),
        Some(before),
        "an audit event"
    );

    // A committed write must move the stamp.
    client(stores, &scope, "Second").await;
    let after_write = stores.changes.stamp(acme.id).unwrap();
    assert_ne!(after_write, before, "a committed write moves the stamp");

    // Ending a session is global: every tenant's stamp moves.
    let globex = tenant(stores, "Globex").await;
    let globex_before = stores.changes.stamp(globex.id).unwrap();
    stores
        .sessions
        .delete_session(&created.token_hash)
        .await
        .unwrap();
    assert_ne!(stores.changes.stamp(acme.id).unwrap(), after_write);
    assert_ne!(stores.changes.stamp(globex.id).unwrap(), globex_before);
}
