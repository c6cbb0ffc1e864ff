use async_trait::async_trait;
use portal_core::model::{AuditContext, AuditEvent, ChainBreak, NewAuditEvent, OutboxEvent};
use portal_core::{Email, InvitationId, OutboxEventId, TenantScope, UserId};
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

/// Whose personal facts to erase from the audit log: the events whose actor or subject is one
/// of `users`, whose object is one of `invitations`, or whose personal facts are exactly
/// `{"email": e}` for one of `emails` (failed or throttled logins, whoever tried them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonalFactsOf {
    /// The people.
    pub users: Vec<UserId>,
    /// Invitations to them.
    pub invitations: Vec<InvitationId>,
    /// Their email addresses, as they were.
    pub emails: Vec<Email>,
}

impl PersonalFactsOf {
    /// Whether it names nobody and nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.invitations.is_empty() && self.emails.is_empty()
    }

    /// The stored form of `{"email": e}` for each email, as events hold it.
    #[must_use]
    pub fn email_facts(&self) -> Vec<String> {
        self.emails
            .iter()
            .map(|email| serde_json::json!({ "email": email.as_str() }).to_string())
            .collect()
    }
}

/// What erasing personal facts from the audit log did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AuditErasure {
    /// Version 2 events whose personal facts were erased now.
    pub erased: u64,
    /// Version 1 events about the same people, left as they are: their hash covers the
    /// address, so erasing it would break the chain.
    pub version_1_kept: u64,
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

    /// Erases the personal facts (address, `personal`, the commitment's salt) of the version 2
    /// events `of` names, keeping their commitments so the chain still verifies; counts the
    /// version 1 events it had to leave (`erase_client_data`; erasing a client does this in its
    /// own transaction). Events already erased are not counted again.
    async fn erase_personal_facts(
        &self,
        scope: &TenantScope,
        of: &PersonalFactsOf,
    ) -> StoreResult<AuditErasure>;
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
