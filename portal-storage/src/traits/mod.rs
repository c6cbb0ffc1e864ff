//! One small async trait per aggregate. Every method on tenant data takes the
//! [`TenantScope`](portal_core::TenantScope) first and authorises through
//! [`portal_core::authorize`]; the few global methods (tenant routing, login, sessions, the
//! outbox dispatcher) say why they are global.
//!
//! Reads of an object the scope may not see return `Ok(None)` or
//! [`StoreError::NotFound`](crate::StoreError::NotFound), exactly as for a missing id. Lists return only what the scope may
//! see — for a contact, `Shared` objects of its own clients — filtered in the query.

mod access;
mod analytics;
mod audit;
mod content;
mod credentials;
pub(crate) mod idempotency;
mod lifecycle;
mod notify;
mod passkeys;
mod tenancy;
mod uploads;
mod work;

pub use access::{SessionStore, ShareLinkStore, ThrottleStore};
pub use analytics::{AnalyticsStore, NewDownload};
pub use audit::{AuditErasure, AuditFilter, AuditStore, ChainReport, OutboxStore, PersonalFactsOf};
pub use content::{
    DecisionStore, DocumentFilter, DocumentStore, RequestStore, TaskStore, ThreadStore, UpdateStore,
};
pub use credentials::{ApiKeyStore, InvitationStore, LoginTokenStore, MfaStore};
pub use idempotency::{
    IdempotencyBegin, IdempotencyStore, MAX_IDEMPOTENCY_KEY_CHARS, check_idempotency_key,
    idempotency_request_hash,
};
pub use lifecycle::{ErasureReport, OffboardReport};
pub use notify::{
    AttemptRecord, DeliveryRequest, DueDelivery, MailBatch, NotificationStore, WebhookStore,
};
pub use passkeys::PasskeyStore;
pub use tenancy::{ClientStore, IdentityStore, MembershipStore, TenantDirectory};
pub use uploads::{
    MAX_UPLOAD_FILE_NAME_BYTES, NewResumableUpload, ResumableUpload, ResumableUploadStore,
    UploadOwner, UploadTarget,
};
pub(crate) use uploads::{check_new_upload, may_act_as};
pub use work::{
    ApprovalDecision, ApprovalFilter, ApprovalStore, DeliverableStore, InvoiceFilter, InvoiceStore,
    MilestoneStore, ProjectFilter, ProjectProgress, ProjectStore,
};

#[cfg(any(test, feature = "mock"))]
pub use access::{MockSessionStore, MockShareLinkStore, MockThrottleStore};
#[cfg(any(test, feature = "mock"))]
pub use analytics::MockAnalyticsStore;
#[cfg(any(test, feature = "mock"))]
pub use audit::{MockAuditStore, MockOutboxStore};
#[cfg(any(test, feature = "mock"))]
pub use content::{
    MockDecisionStore, MockDocumentStore, MockRequestStore, MockTaskStore, MockThreadStore,
    MockUpdateStore,
};
#[cfg(any(test, feature = "mock"))]
pub use credentials::{MockApiKeyStore, MockInvitationStore, MockLoginTokenStore, MockMfaStore};
#[cfg(any(test, feature = "mock"))]
pub use idempotency::MockIdempotencyStore;
#[cfg(any(test, feature = "mock"))]
pub use notify::{MockNotificationStore, MockWebhookStore};
#[cfg(any(test, feature = "mock"))]
pub use passkeys::MockPasskeyStore;
#[cfg(any(test, feature = "mock"))]
pub use tenancy::{MockClientStore, MockIdentityStore, MockMembershipStore, MockTenantDirectory};
#[cfg(any(test, feature = "mock"))]
pub use uploads::MockResumableUploadStore;
#[cfg(any(test, feature = "mock"))]
pub use work::{
    MockApprovalStore, MockDeliverableStore, MockInvoiceStore, MockMilestoneStore, MockProjectStore,
};

/// The result of an upsert by external id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Upserted<T> {
    /// The record as stored now.
    pub record: T,
    /// Whether it was created (`false`: it existed and was updated, or was already identical).
    pub created: bool,
}
