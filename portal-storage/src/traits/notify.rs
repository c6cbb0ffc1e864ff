use async_trait::async_trait;
use portal_core::model::{
    AuditContext, DeliveryAttempt, DeliveryStatus, EventType, MailMode, MailPreference, MailState,
    NewNotification, Notification, WebhookDelivery, WebhookEndpoint, WebhookEndpointInput,
};
use portal_core::{
    NotificationId, OutboxEventId, TenantId, TenantScope, UserId, WebhookDeliveryId,
    WebhookEndpointId,
};
use time::OffsetDateTime;

use crate::{Page, Paged, StoreResult};

/// Which mails [`NotificationStore::claim_mail`] claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailBatch {
    /// Notifications waiting for a mail of their own.
    Instant,
    /// Notifications waiting for their person's daily digest that happened before `before`.
    Digest {
        /// The digest's cut-off: later events wait for the next digest.
        before: OffsetDateTime,
    },
}

/// In-app notifications, the mail they lead to, and each person's mail preferences.
///
/// The dispatcher records notifications with a system scope after reading the object with the
/// recipient's own scope; people read and mark only their own.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait NotificationStore: Send + Sync + 'static {
    /// Stores notifications for the scope's tenant (a system scope only: the dispatcher). A
    /// person hears of one event once: a notification for an `(event, user)` already stored is
    /// skipped, so a retried event adds nothing. Returns how many were new.
    async fn record_notifications(
        &self,
        scope: &TenantScope,
        notifications: Vec<NewNotification>,
    ) -> StoreResult<u64>;

    /// The scope's person's notifications, newest first; only unread ones if `unread_only`.
    async fn list_notifications(
        &self,
        scope: &TenantScope,
        unread_only: bool,
        page: Page,
    ) -> StoreResult<Paged<Notification>>;

    /// How many of the scope's person's notifications are unread.
    async fn unread_notifications(&self, scope: &TenantScope) -> StoreResult<u64>;

    /// Marks the scope's person's notifications read: those in `ids` (others' ids are ignored),
    /// or all when `ids` is `None`. Returns how many changed.
    async fn mark_notifications_read(
        &self,
        scope: &TenantScope,
        ids: Option<Vec<NotificationId>>,
        at: OffsetDateTime,
    ) -> StoreResult<u64>;

    /// The mail choices `user` made (types without one follow their default). The scope is the
    /// user's own or a system scope (the one-click preference link); any other → `NotFound`.
    async fn mail_preferences(
        &self,
        scope: &TenantScope,
        user: UserId,
    ) -> StoreResult<Vec<MailPreference>>;

    /// Sets how `user` hears of `event_type` by mail (same scopes as
    /// [`mail_preferences`](Self::mail_preferences)). Notifications already waiting keep their
    /// mail state.
    async fn set_mail_preference(
        &self,
        scope: &TenantScope,
        user: UserId,
        event_type: EventType,
        mail: MailMode,
    ) -> StoreResult<MailPreference>;

    /// Global (the mail dispatcher of any replica): claims up to `limit` notifications whose
    /// mail is due in `batch`, oldest first, hiding them from other claims for `lease`.
    async fn claim_mail(
        &self,
        batch: MailBatch,
        now: OffsetDateTime,
        limit: u32,
        lease: time::Duration,
    ) -> StoreResult<Vec<Notification>>;

    /// Global: marks the mail of `ids` sent.
    async fn mark_mail_sent(&self, ids: &[NotificationId]) -> StoreResult<()>;

    /// Global: records a failed mail of `ids`; retried at `retry_at`, or [`MailState::Failed`]
    /// when `None`.
    async fn mark_mail_failed(
        &self,
        ids: &[NotificationId],
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()>;

    /// Global: ends mail that can never go out (the person left, or has no address), setting
    /// `state` ([`MailState::None`] or [`MailState::Failed`]) without an attempt.
    async fn drop_mail(&self, ids: &[NotificationId], state: MailState) -> StoreResult<()>;
}

/// A delivery claimed for an attempt, with what the attempt needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    /// The delivery.
    pub delivery: WebhookDelivery,
    /// Where to post it.
    pub url: url::Url,
    /// The endpoint's signing secret, as stored.
    pub secret: Vec<u8>,
}

/// One event to queue for the endpoints that want it ([`WebhookStore::queue_deliveries`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRequest {
    /// The outbox event (its id is the receivers' idempotency key).
    pub event: OutboxEventId,
    /// The event's tenant.
    pub tenant: TenantId,
    /// Its type, which endpoints filter on.
    pub event_type: EventType,
    /// The JSON every attempt posts.
    pub body: String,
}

/// What one attempt got, for [`WebhookStore::record_attempt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// When it ran.
    pub at: OffsetDateTime,
    /// The receiver's status code, if it answered.
    pub status: Option<u16>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: u32,
    /// What becomes of the delivery: `Delivered`, `Pending` (retried at `retry_at`) or `Dead`.
    pub outcome: DeliveryStatus,
    /// When to try again, for `Pending`.
    pub retry_at: Option<OffsetDateTime>,
}

/// A tenant's webhook endpoints and the delivery of events to them, with its log.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait WebhookStore: Send + Sync + 'static {
    /// Adds an endpoint signing with `secret` (`manage_integrations`, audited). The secret is
    /// stored as given: seal it first to keep it encrypted at rest.
    async fn create_webhook(
        &self,
        scope: &TenantScope,
        input: WebhookEndpointInput,
        secret: Vec<u8>,
        audit: &AuditContext,
    ) -> StoreResult<WebhookEndpoint>;

    /// The tenant's endpoints, oldest first (`manage_integrations`).
    async fn list_webhooks(
        &self,
        scope: &TenantScope,
        page: Page,
    ) -> StoreResult<Paged<WebhookEndpoint>>;

    /// One endpoint (`manage_integrations`).
    async fn webhook(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>>;

    /// Changes an endpoint's address, description, filter or activity (audited).
    async fn update_webhook(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
        input: WebhookEndpointInput,
        audit: &AuditContext,
    ) -> StoreResult<WebhookEndpoint>;

    /// Replaces an endpoint's signing secret (audited). Attempts from now on sign with it.
    async fn rotate_webhook_secret(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
        secret: Vec<u8>,
        audit: &AuditContext,
    ) -> StoreResult<WebhookEndpoint>;

    /// Deletes an endpoint (audited); its pending deliveries die, its log stays readable until
    /// the tenant is deleted.
    async fn delete_webhook(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
        audit: &AuditContext,
    ) -> StoreResult<()>;

    /// Queues each event of the scope's tenant for every active endpoint that wants its type
    /// (a system scope only: the dispatcher), each delivery posting the event's body, all in
    /// one transaction. Idempotent per `(endpoint, event)`: a retried event queues nothing
    /// twice. An event of another tenant → `NotFound`, and nothing is queued. Returns how many
    /// were new.
    async fn queue_deliveries(
        &self,
        scope: &TenantScope,
        events: Vec<DeliveryRequest>,
    ) -> StoreResult<u64>;

    /// Global (the dispatcher of any replica): claims up to `limit` pending deliveries due at
    /// `now`, oldest first, hiding them from other claims for `lease`.
    async fn claim_deliveries(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease: time::Duration,
    ) -> StoreResult<Vec<DueDelivery>>;

    /// Global: logs one attempt of `delivery` and moves it as `attempt.outcome` says.
    async fn record_attempt(
        &self,
        delivery: WebhookDeliveryId,
        attempt: AttemptRecord,
    ) -> StoreResult<WebhookDelivery>;

    /// Global: [`record_attempt`](Self::record_attempt) for many deliveries; a backend may
    /// write them in one transaction (the dispatcher records a whole pass at once).
    async fn record_attempts(
        &self,
        attempts: Vec<(WebhookDeliveryId, AttemptRecord)>,
    ) -> StoreResult<()> {
        for (delivery, attempt) in attempts {
            self.record_attempt(delivery, attempt).await?;
        }
        Ok(())
    }

    /// Deliveries, newest first, of one endpoint or all (`manage_integrations`).
    async fn list_deliveries(
        &self,
        scope: &TenantScope,
        endpoint: Option<WebhookEndpointId>,
        page: Page,
    ) -> StoreResult<Paged<WebhookDelivery>>;

    /// One delivery and its attempts, oldest attempt first (`manage_integrations`).
    async fn delivery(
        &self,
        scope: &TenantScope,
        id: WebhookDeliveryId,
    ) -> StoreResult<Option<(WebhookDelivery, Vec<DeliveryAttempt>)>>;

    /// Queues a delivery again, due now, whatever its state (`manage_integrations`, audited):
    /// the receiver gets the same body and event id. Refused with `Conflict` when the endpoint
    /// is deleted.
    async fn redeliver(
        &self,
        scope: &TenantScope,
        id: WebhookDeliveryId,
        audit: &AuditContext,
    ) -> StoreResult<WebhookDelivery>;
}
