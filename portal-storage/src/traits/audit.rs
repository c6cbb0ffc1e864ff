use async_trait::async_trait;
use portal_core::model::{AuditContext, AuditEvent, ChainBreak, NewAuditEvent, OutboxEvent};
use portal_core::{OutboxEventId, TenantScope};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Page, Paged, StoreResult};

/// Which audit events to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this action, e.g. `approval.decided`.
    pub action: Option<String>,
    /// Only events at or after this moment.
    pub from: Option<OffsetDateTime>,
    /// Only events before this moment.
    pub until: Option<OffsetDateTime>,
}

/// The result of checking a tenant's whole audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// How many events were checked before the end or the break.
    pub verified: u64,
    /// Where the chain breaks, if it does.
    #[serde(skip)]
    pub broken: Option<ChainBreak>,
}

/// The append-only, hash-chained audit log of each tenant.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AuditStore: Send + Sync + 'static {
    /// Appends an event to the scope's tenant's chain. Concurrent appends are serialised so the
    /// chain never forks.
    async fn append(
        &self,
        scope: &TenantScope,
        event: NewAuditEvent,
        context: &AuditContext,
    ) -> StoreResult<AuditEvent>;

    /// Events, newest first (`view_audit_log`).
    async fn list_events(
        &self,
        scope: &TenantScope,
        filter: AuditFilter,
        page: Page,
    ) -> StoreResult<Paged<AuditEvent>>;

    /// Checks the tenant's whole chain, oldest first, in batches (`view_audit_log`).
    async fn verify_chain(&self, scope: &TenantScope) -> StoreResult<ChainReport>;
}

/// The transactional outbox: rows written with the change they announce, delivered at least once.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Adds an event for the scope's tenant outside any other change.
    async fn enqueue(
        &self,
        scope: &TenantScope,
        kind: &str,
        payload: serde_json::Value,
    ) -> StoreResult<OutboxEvent>;

    /// Claims up to `limit` due rows of any tenant for `lease`: they are not due again until the
    /// lease ends, so replicas do not deliver the same row at once. Global: the dispatcher serves
    /// every tenant.
    async fn claim_due(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease: time::Duration,
    ) -> StoreResult<Vec<OutboxEvent>>;

    /// Marks a row delivered.
    async fn mark_delivered(&self, id: OutboxEventId) -> StoreResult<()>;

    /// Global: marks many rows delivered; a backend may do it in one transaction (the
    /// dispatcher marks a whole pass at once). An unknown id → `NotFound`.
    async fn mark_all_delivered(&self, ids: &[OutboxEventId]) -> StoreResult<()> {
        for id in ids {
            self.mark_delivered(*id).await?;
        }
        Ok(())
    }

    /// Records a failed attempt: due again at `retry_at`, or dead when `retry_at` is `None`.
    async fn mark_failed(
        &self,
        id: OutboxEventId,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()>;

    /// Global (the dispatcher of any replica): announces deadlines, each once — an
    /// `approval.due_soon` row for every pending approval due by `now + within`, and an
    /// `invoice.overdue` row for every open invoice whose due day is before `now`'s. Returns
    /// how many rows it wrote.
    async fn announce_deadlines(
        &self,
        now: OffsetDateTime,
        within: time::Duration,
    ) -> StoreResult<u64>;

    /// The scope's tenant's rows, newest first (`manage_integrations`).
    async fn list_outbox(&self, scope: &TenantScope, page: Page)
    -> StoreResult<Paged<OutboxEvent>>;
}
