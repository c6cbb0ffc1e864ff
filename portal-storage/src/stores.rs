//! [`Stores`]: every store of one backend, bundled for the layers above.

use std::sync::Arc;

use crate::changes::ChangeFeed;
use crate::traits::{
    AnalyticsStore, ApiKeyStore, ApprovalStore, AuditStore, ClientStore, DecisionStore,
    DeliverableStore, DocumentStore, IdempotencyStore, IdentityStore, InvitationStore,
    InvoiceStore, LoginTokenStore, MembershipStore, MfaStore, MilestoneStore, NotificationStore,
    OutboxStore, PasskeyStore, ProjectStore, RequestStore, ResumableUploadStore, SessionStore,
    ShareLinkStore, TaskStore, TenantDirectory, ThreadStore, ThrottleStore, UpdateStore,
    WebhookStore,
};

/// Every store, each behind its own trait object, so a host or a test can swap any one of them
/// (a mock, a cache, its own backend) and keep the rest.
#[derive(Clone)]
pub struct Stores {
    /// Tenants, routing and branding.
    pub tenants: Arc<dyn TenantDirectory>,
    /// Users and credentials.
    pub identities: Arc<dyn IdentityStore>,
    /// Roles and memberships.
    pub memberships: Arc<dyn MembershipStore>,
    /// Clients.
    pub clients: Arc<dyn ClientStore>,
    /// Projects.
    pub projects: Arc<dyn ProjectStore>,
    /// Milestones.
    pub milestones: Arc<dyn MilestoneStore>,
    /// Deliverables.
    pub deliverables: Arc<dyn DeliverableStore>,
    /// Approvals.
    pub approvals: Arc<dyn ApprovalStore>,
    /// Invoices.
    pub invoices: Arc<dyn InvoiceStore>,
    /// Documents and versions.
    pub documents: Arc<dyn DocumentStore>,
    /// Status updates.
    pub updates: Arc<dyn UpdateStore>,
    /// Decision records.
    pub decisions: Arc<dyn DecisionStore>,
    /// Tasks.
    pub tasks: Arc<dyn TaskStore>,
    /// Client requests.
    pub requests: Arc<dyn RequestStore>,
    /// Threads and messages.
    pub threads: Arc<dyn ThreadStore>,
    /// Share links.
    pub share_links: Arc<dyn ShareLinkStore>,
    /// Sessions.
    pub sessions: Arc<dyn SessionStore>,
    /// Login throttling.
    pub throttle: Arc<dyn ThrottleStore>,
    /// Invitations.
    pub invitations: Arc<dyn InvitationStore>,
    /// Password-reset and magic-link tokens.
    pub login_tokens: Arc<dyn LoginTokenStore>,
    /// Second factors (TOTP, recovery codes).
    pub mfa: Arc<dyn MfaStore>,
    /// Passkeys and the state of their ceremonies.
    pub passkeys: Arc<dyn PasskeyStore>,
    /// API keys.
    pub api_keys: Arc<dyn ApiKeyStore>,
    /// The audit log.
    pub audit: Arc<dyn AuditStore>,
    /// The notification outbox.
    pub outbox: Arc<dyn OutboxStore>,
    /// In-app notifications, their mail and mail preferences.
    pub notifications: Arc<dyn NotificationStore>,
    /// Webhook endpoints and deliveries.
    pub webhooks: Arc<dyn WebhookStore>,
    /// Idempotency keys of retried requests (the sync API).
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Adoption figures per client, and the download log they count.
    pub analytics: Arc<dyn AnalyticsStore>,
    /// Resumable uploads in progress (their bytes are staged in the blob store).
    pub uploads: Arc<dyn ResumableUploadStore>,
    /// Whether a tenant's data changed, for caches above the stores. Replace it together with
    /// any store you swap in, or with [`NoChangeFeed`](crate::NoChangeFeed) to turn caching off.
    pub changes: Arc<dyn ChangeFeed>,
}

/// A backend that implements every store trait.
pub trait Backend:
    TenantDirectory
    + IdentityStore
    + MembershipStore
    + ClientStore
    + ProjectStore
    + MilestoneStore
    + DeliverableStore
    + ApprovalStore
    + InvoiceStore
    + DocumentStore
    + UpdateStore
    + DecisionStore
    + TaskStore
    + RequestStore
    + ThreadStore
    + ShareLinkStore
    + SessionStore
    + ThrottleStore
    + InvitationStore
    + LoginTokenStore
    + MfaStore
    + PasskeyStore
    + ApiKeyStore
    + AuditStore
    + OutboxStore
    + NotificationStore
    + WebhookStore
    + IdempotencyStore
    + AnalyticsStore
    + ResumableUploadStore
    + ChangeFeed
{
}

impl<T> Backend for T where
    T: TenantDirectory
        + IdentityStore
        + MembershipStore
        + ClientStore
        + ProjectStore
        + MilestoneStore
        + DeliverableStore
        + ApprovalStore
        + InvoiceStore
        + DocumentStore
        + UpdateStore
        + DecisionStore
        + TaskStore
        + RequestStore
        + ThreadStore
        + ShareLinkStore
        + SessionStore
        + ThrottleStore
        + InvitationStore
        + LoginTokenStore
        + MfaStore
        + PasskeyStore
        + PasskeyStore
        + ApiKeyStore
        + AuditStore
        + OutboxStore
        + NotificationStore
        + WebhookStore
        + IdempotencyStore
        + AnalyticsStore
        + ResumableUploadStore
        + ChangeFeed
{
}

impl Stores {
    /// Every store served by one backend.
    pub fn from_backend<B: Backend>(backend: B) -> Self {
        let backend = Arc::new(backend);
        Self {
            tenants: backend.clone(),
            identities: backend.clone(),
            memberships: backend.clone(),
            clients: backend.clone(),
            projects: backend.clone(),
            milestones: backend.clone(),
            deliverables: backend.clone(),
            approvals: backend.clone(),
            invoices: backend.clone(),
            documents: backend.clone(),
            updates: backend.clone(),
            decisions: backend.clone(),
            tasks: backend.clone(),
            requests: backend.clone(),
            threads: backend.clone(),
            share_links: backend.clone(),
            sessions: backend.clone(),
            throttle: backend.clone(),
            invitations: backend.clone(),
            login_tokens: backend.clone(),
            mfa: backend.clone(),
            passkeys: backend.clone(),
            api_keys: backend.clone(),
            audit: backend.clone(),
            outbox: backend.clone(),
            notifications: backend.clone(),
            webhooks: backend.clone(),
            idempotency: backend.clone(),
            analytics: backend.clone(),
            uploads: backend.clone(),
            changes: backend,
        }
    }
}

impl std::fmt::Debug for Stores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stores").finish_non_exhaustive()
    }
}
