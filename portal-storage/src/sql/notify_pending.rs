//! TEMPORARY placeholder until the SQL implementation lands (never merged to main).
#![allow(unused_variables, reason = "placeholder")]
use crate::traits::{AttemptRecord, DueDelivery, MailBatch, NotificationStore, WebhookStore};
use crate::{Page, Paged, StoreError, StoreResult};
use async_trait::async_trait;
use portal_core::model::*;
use portal_core::*;
use time::OffsetDateTime;

fn pending() -> StoreError {
    StoreError::conflict("not implemented on SQL yet")
}

for_each_backend! {
#[async_trait]
impl NotificationStore for Store {
    async fn record_notifications(
        &self,
        scope: &TenantScope,
        notifications: Vec<NewNotification>,
    ) -> StoreResult<u64> { Err(pending()) }
    async fn list_notifications(
        &self,
        scope: &TenantScope,
        unread_only: bool,
        page: Page,
    ) -> StoreResult<Paged<Notification>> { Err(pending()) }
    async fn unread_notifications(&self, scope: &TenantScope) -> StoreResult<u64> { Err(pending()) }
    async fn mark_notifications_read(
        &self,
        scope: &TenantScope,
        ids: Option<Vec<NotificationId>>,
        at: OffsetDateTime,
    ) -> StoreResult<u64> { Err(pending()) }
    async fn mail_preferences(
        &self,
        scope: &TenantScope,
        user: UserId,
    ) -> StoreResult<Vec<MailPreference>> { Err(pending()) }
    async fn set_mail_preference(
        &self,
        scope: &TenantScope,
        user: UserId,
        event_type: EventType,
        mail: MailMode,
    ) -> StoreResult<MailPreference> { Err(pending()) }
    async fn claim_mail(
        &self,
        batch: MailBatch,
        now: OffsetDateTime,
        limit: u32,
        lease: time::Duration,
    ) -> StoreResult<Vec<Notification>> { Err(pending()) }
    async fn mark_mail_sent(&self, ids: &[NotificationId]) -> StoreResult<()> { Err(pending()) }
    async fn mark_mail_failed(
        &self,
        ids: &[NotificationId],
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()> { Err(pending()) }
    async fn drop_mail(&self, ids: &[NotificationId], state: MailState) -> StoreResult<()> { Err(pending()) }
}
#[async_trait]
impl WebhookStore for Store {
    async fn create_webhook(
        &self,
        scope: &TenantScope,
        input: WebhookEndpointInput,
        secret: Vec<u8>,
        audit: &AuditContext,
    ) -> StoreResult<WebhookEndpoint> { Err(pending()) }
    async fn list_webhooks(
        &self,
        scope: &TenantScope,
        page: Page,
    ) -> StoreResult<Paged<WebhookEndpoint>> { Err(pending()) }
    async fn webhook(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>> { Err(pending()) }
    async fn update_webhook(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
        input: WebhookEndpointInput,
        audit: &AuditContext,
    ) -> StoreResult<WebhookEndpoint> { Err(pending()) }
    async fn rotate_webhook_secret(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
        secret: Vec<u8>,
        audit: &AuditContext,
    ) -> StoreResult<WebhookEndpoint> { Err(pending()) }
    async fn delete_webhook(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
        audit: &AuditContext,
    ) -> StoreResult<()> { Err(pending()) }
    async fn queue_deliveries(
        &self,
        scope: &TenantScope,
        event: &OutboxEvent,
        event_type: EventType,
        body: &str,
    ) -> StoreResult<u64> { Err(pending()) }
    async fn claim_deliveries(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease: time::Duration,
    ) -> StoreResult<Vec<DueDelivery>> { Err(pending()) }
    async fn record_attempt(
        &self,
        delivery: WebhookDeliveryId,
        attempt: AttemptRecord,
    ) -> StoreResult<WebhookDelivery> { Err(pending()) }
    async fn list_deliveries(
        &self,
        scope: &TenantScope,
        endpoint: Option<WebhookEndpointId>,
        page: Page,
    ) -> StoreResult<Paged<WebhookDelivery>> { Err(pending()) }
    async fn delivery(
        &self,
        scope: &TenantScope,
        id: WebhookDeliveryId,
    ) -> StoreResult<Option<(WebhookDelivery, Vec<DeliveryAttempt>)>> { Err(pending()) }
    async fn redeliver(
        &self,
        scope: &TenantScope,
        id: WebhookDeliveryId,
        audit: &AuditContext,
    ) -> StoreResult<WebhookDelivery> { Err(pending()) }
}
}
