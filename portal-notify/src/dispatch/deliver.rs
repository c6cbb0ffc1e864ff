//! Stage 2: due webhook deliveries are posted, signed, and every attempt is logged. A failed
//! attempt is retried with backoff until 24 hours after the delivery was queued, then dies.

use futures_util::StreamExt as _;
use portal_core::model::DeliveryStatus;
use portal_storage::{AttemptRecord, DueDelivery};
use time::OffsetDateTime;

use super::{DispatchError, Dispatcher};
use crate::webhook::next_attempt;

/// Claims due deliveries and attempts each once; how many attempts were made.
pub(super) async fn run(
    dispatcher: &Dispatcher,
    now: OffsetDateTime,
) -> Result<usize, DispatchError> {
    let config = &dispatcher.config;
    let due = dispatcher
        .stores
        .webhooks
        .claim_deliveries(now, config.batch, config.lease)
        .await?;
    let attempts = due.len();
    let records: Vec<_> = futures_util::stream::iter(due)
        .map(|due| attempt(dispatcher, due, now))
        .buffer_unordered(config.concurrency.max(1))
        .collect()
        .await;
    dispatcher.stores.webhooks.record_attempts(records).await?;
    Ok(attempts)
}

/// Posts one delivery and decides what becomes of it.
async fn attempt(
    dispatcher: &Dispatcher,
    due: DueDelivery,
    now: OffsetDateTime,
) -> (portal_core::WebhookDeliveryId, AttemptRecord) {
    let delivery = &due.delivery;
    let outcome = dispatcher
        .sender
        .post(
            &due.url,
            &due.secret,
            &delivery.event.to_string(),
            delivery.event_type.as_str(),
            &delivery.body,
            now,
        )
        .await;
    let (status, retry_at) = if outcome.succeeded() {
        (DeliveryStatus::Delivered, None)
    } else {
        match next_attempt(delivery.attempts, delivery.created_at, now) {
            Some(at) => (DeliveryStatus::Pending, Some(at)),
            None => (DeliveryStatus::Dead, None),
        }
    };
    let record = AttemptRecord {
        at: now,
        status: outcome.status,
        error: outcome.error,
        duration_ms: outcome.duration_ms,
        outcome: status,
        retry_at,
    };
    (delivery.id, record)
}
