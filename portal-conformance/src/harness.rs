//! What the stores suite runs on: a backend's [`Stores`] and a way to tamper with its audit log.

use std::any::Any;

use async_trait::async_trait;
use portal_core::{ApprovalId, InvitationId, RequestId, TenantId};
use portal_storage::{MemoryStore, Stores};
use time::OffsetDateTime;

/// A time of a stored record that a check sets behind the store's back, to build a history with
/// known ages (the stores stamp records with the current time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backdate {
    /// When the approval was requested.
    ApprovalRequested(ApprovalId, OffsetDateTime),
    /// When the (decided) approval was decided.
    ApprovalDecided(ApprovalId, OffsetDateTime),
    /// When the request was submitted.
    RequestSubmitted(RequestId, OffsetDateTime),
    /// When the invitation was created.
    InvitationCreated(InvitationId, OffsetDateTime),
}

/// Changes stored rows behind the store's back, as someone with database access would.
///
/// The suite uses it to prove that the backend's chain verification notices a changed audit log,
/// and to give records known ages for the analytics checks.
#[async_trait]
pub trait Tamper: Send + Sync {
    /// Rewrites the details of event `seq` of `tenant` without fixing its hash.
    async fn alter_event(&self, tenant: TenantId, seq: i64);
    /// Deletes event `seq` of `tenant`.
    async fn remove_event(&self, tenant: TenantId, seq: i64);
    /// Rewrites the personal facts of event `seq` of `tenant` without fixing its commitment.
    async fn alter_personal_facts(&self, tenant: TenantId, seq: i64);
    /// Marks event `seq` of `tenant` erased and drops its salt, but leaves its personal facts:
    /// an erasure that did not clear everything.
    async fn erase_partially(&self, tenant: TenantId, seq: i64);
    /// Sets one time of a record of `tenant`.
    async fn backdate(&self, tenant: TenantId, change: Backdate);
}

/// Fresh stores of one backend, and a way to tamper with them.
pub struct Harness {
    /// The stores under test; every check builds its own tenants in them.
    pub stores: Stores,
    /// Raw access to the audit log, for the tamper checks.
    pub tamper: Box<dyn Tamper>,
    /// Whatever must live as long as the stores (a temporary directory, a container guard).
    _keep: Option<Box<dyn Any + Send + Sync>>,
}

impl Harness {
    /// A harness over `stores`, tampering through `tamper`.
    #[must_use]
    pub fn new(stores: Stores, tamper: impl Tamper + 'static) -> Self {
        Self {
            stores,
            tamper: Box::new(tamper),
            _keep: None,
        }
    }

    /// A harness over a fresh [`MemoryStore`]: the reference every other backend is held to.
    #[must_use]
    pub fn memory() -> Self {
        let store = MemoryStore::new();
        Self::new(Stores::from_backend(store.clone()), MemoryTamper(store))
    }

    /// Keeps `guard` alive as long as the harness (a temporary directory the database lives in).
    #[must_use]
    pub fn keeping(mut self, guard: impl Any + Send + Sync) -> Self {
        self._keep = Some(Box::new(guard));
        self
    }
}

/// Tampers with a [`MemoryStore`] through its test-only hooks.
struct MemoryTamper(MemoryStore);

#[async_trait]
impl Tamper for MemoryTamper {
    async fn alter_event(&self, tenant: TenantId, seq: i64) {
        self.0.tamper_audit_event(tenant, seq, |event| {
            event.details = serde_json::json!({ "tampered": true });
        });
    }

    async fn remove_event(&self, tenant: TenantId, seq: i64) {
        self.0.remove_audit_event(tenant, seq);
    }

    async fn alter_personal_facts(&self, tenant: TenantId, seq: i64) {
        self.0.tamper_audit_event(tenant, seq, |event| {
            event.personal = Some(serde_json::json!({ "email": "tampered@example.com" }));
        });
    }

    async fn erase_partially(&self, tenant: TenantId, seq: i64) {
        self.0.tamper_audit_event(tenant, seq, |event| {
            event.personal_salt = None;
            event.erased_at = Some(event.occurred_at);
        });
    }

    async fn backdate(&self, tenant: TenantId, change: Backdate) {
        let found = match change {
            Backdate::ApprovalRequested(id, at) => self
                .0
                .tamper_approval(tenant, id, |approval| approval.requested_at = at),
            Backdate::ApprovalDecided(id, at) => self
                .0
                .tamper_approval(tenant, id, |approval| approval.decided_at = Some(at)),
            Backdate::RequestSubmitted(id, at) => self
                .0
                .tamper_request(tenant, id, |request| request.created_at = at),
            Backdate::InvitationCreated(id, at) => {
                self.0
                    .tamper_invitation(tenant, id, |invitation| invitation.created_at = at)
            }
        };
        assert!(found, "no record to backdate: {change:?}");
    }
}

/// What a harness maker may answer: a [`Harness`], or `None` when the backend is not available
/// here (the generated tests then return early).
pub trait IntoHarness {
    /// The harness, if there is one.
    fn into_harness(self) -> Option<Harness>;
}

impl IntoHarness for Harness {
    fn into_harness(self) -> Option<Harness> {
        Some(self)
    }
}

impl IntoHarness for Option<Harness> {
    fn into_harness(self) -> Option<Harness> {
        self
    }
}
