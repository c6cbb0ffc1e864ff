//! Recently checked sessions, kept while the stores' [`ChangeFeed`](portal_storage::ChangeFeed)
//! says nothing they were built from has changed.
//!
//! A request's session check costs two reads (the session, the memberships). Served from here it
//! costs none, yet stays exact: an entry is used only while its tenant's change stamp is the one
//! taken before those reads, so a role change, a disabled user or an ended session (all counted
//! writes) empties it for the very next request (SEC-19, SEC-29). Timeouts are checked on every
//! use, and an entry due for its `last_seen_at` touch goes back to the stores.

use std::time::Duration;

use moka::sync::Cache;
use portal_core::TenantScope;
use portal_core::model::Session;
use portal_core::state::Sha256Digest;
use portal_storage::ChangeStamp;

/// A checked session and the scope built for it, under the stamp taken before they were read.
#[derive(Debug, Clone)]
struct Entry {
    session: Session,
    scope: TenantScope,
    stamp: ChangeStamp,
}

/// Checked sessions by token hash.
#[derive(Debug, Clone)]
pub(crate) struct SessionCache {
    entries: Cache<Sha256Digest, Entry>,
}

impl SessionCache {
    /// Holds up to `capacity` sessions, each at most `lifetime` (its touch interval: after
    /// that it goes back to the stores anyway). `None` when `capacity` is zero.
    pub(crate) fn new(capacity: u64, lifetime: Duration) -> Option<Self> {
        (capacity > 0).then(|| Self {
            entries: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(lifetime.max(Duration::from_secs(1)))
                .build(),
        })
    }

    /// The cached session and scope of `hash`, if built under `stamp`.
    pub(crate) fn get(
        &self,
        hash: &Sha256Digest,
        stamp: ChangeStamp,
    ) -> Option<(Session, TenantScope)> {
        self.entries
            .get(hash)
            .filter(|entry| entry.stamp == stamp)
            .map(|entry| (entry.session, entry.scope))
    }

    /// Keeps a session checked under `stamp` (taken before its reads).
    pub(crate) fn insert(&self, session: &Session, scope: &TenantScope, stamp: ChangeStamp) {
        self.entries.insert(
            session.token_hash,
            Entry {
                session: session.clone(),
                scope: scope.clone(),
                stamp,
            },
        );
    }

    /// Forgets a session (ended, or found dead).
    pub(crate) fn remove(&self, hash: &Sha256Digest) {
        self.entries.invalidate(hash);
    }
}
