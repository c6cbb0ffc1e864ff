//! [`ChangeFeed`]: how a cache above the stores tells that nothing it read has changed.
//!
//! A backend that sees every write (the memory store, and SQLite, which one process owns) counts
//! its committed writes per tenant, plus the global ones (sessions ended, tenants changed). A
//! reader takes the [`ChangeStamp`] *before* it reads and keeps it with what it built; while the
//! stamp is unchanged, what it built is still what the stores would answer. Counting happens
//! after the commit, so a stamp never runs ahead of the data a later read sees.
//!
//! Writes that no read can observe through a cache are left uncounted, so they do not empty the
//! caches: a session's `last_seen_at` touch, a new session (a cache keyed by its token has never
//! seen it), login-throttle counters, audit events appended on their own (logins, refusals) and
//! idempotency keys. A cache of the audit log would have to count those.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use portal_core::TenantId;

/// Where a tenant's data stood: equal stamps mean no counted write committed in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeStamp {
    global: u64,
    tenant: u64,
}

/// Tells whether a tenant's data may have changed. Swap it together with any store you replace:
/// writes the feed does not see would leave caches stale.
pub trait ChangeFeed: Send + Sync {
    /// The tenant's current stamp, or `None` when this feed cannot see every write (several
    /// processes writing to one PostgreSQL database): callers must then not cache.
    fn stamp(&self, tenant: TenantId) -> Option<ChangeStamp>;
}

/// A feed that sees nothing: nothing above it caches.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoChangeFeed;

impl ChangeFeed for NoChangeFeed {
    fn stamp(&self, _tenant: TenantId) -> Option<ChangeStamp> {
        None
    }
}

/// What a committed write changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres")),
    expect(dead_code, reason = "only the SQL backends count per tenant")
)]
pub(crate) enum Changed {
    /// One tenant's rows.
    Tenant(TenantId),
    /// Rows outside any one tenant's view (sessions, tenants): every stamp moves.
    Global,
    /// Nothing a cache above the stores could have read.
    Uncounted,
}

/// Counts one process's committed writes.
#[derive(Default)]
pub(crate) struct ChangeCounter {
    global: AtomicU64,
    tenants: RwLock<HashMap<TenantId, u64>>,
}

impl ChangeCounter {
    /// Counts a committed write. Call it only after the commit.
    pub(crate) fn record(&self, changed: Changed) {
        match changed {
            Changed::Tenant(tenant) => {
                let mut tenants = self.tenants.write().unwrap_or_else(PoisonError::into_inner);
                let count = tenants.entry(tenant).or_insert(0);
                *count = count.wrapping_add(1);
            }
            Changed::Global => {
                self.global.fetch_add(1, Ordering::AcqRel);
            }
            Changed::Uncounted => {}
        }
    }

    /// The tenant's stamp now.
    pub(crate) fn stamp(&self, tenant: TenantId) -> ChangeStamp {
        let global = self.global.load(Ordering::Acquire);
        let tenant = self
            .tenants
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&tenant)
            .copied()
            .unwrap_or(0);
        ChangeStamp { global, tenant }
    }
}

impl fmt::Debug for ChangeCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangeCounter").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_moves_its_tenant_and_a_global_one_moves_all() {
        let counter = ChangeCounter::default();
        let (a, b) = (TenantId::new(), TenantId::new());
        let (a0, b0) = (counter.stamp(a), counter.stamp(b));

        counter.record(Changed::Tenant(a));
        assert_ne!(counter.stamp(a), a0);
        assert_eq!(
            counter.stamp(b),
            b0,
            "another tenant's write leaves b alone"
        );

        let (a1, b1) = (counter.stamp(a), counter.stamp(b));
        counter.record(Changed::Uncounted);
        assert_eq!((counter.stamp(a), counter.stamp(b)), (a1, b1));

        counter.record(Changed::Global);
        assert_ne!(counter.stamp(a), a1);
        assert_ne!(counter.stamp(b), b1);
    }
}
