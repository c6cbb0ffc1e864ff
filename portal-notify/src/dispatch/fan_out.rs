//! Stage 1: outbox rows become notifications (one per person who may see the object) and
//! webhook deliveries (one per endpoint that wants the event), then the row is done.

use std::collections::HashMap;

use futures_util::StreamExt as _;
use portal_core::TenantScope;
use portal_core::model::{EventType, MailMode, MailState, NewNotification, OutboxEvent};
use portal_storage::StoreResult;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::audience::{Recipient, recipients};
use super::classify::{Classified, classify};
use super::{DispatchError, Dispatcher, TickReport};
use crate::webhook::next_attempt;

/// Claims due outbox rows and fans each out; a row that fails is retried with backoff.
pub(super) async fn run(
    dispatcher: &Dispatcher,
    now: OffsetDateTime,
    report: &mut TickReport,
) -> Result<(), DispatchError> {
    let config = &dispatcher.config;
    let rows = dispatcher
        .stores
        .outbox
        .claim_due(now, config.batch, config.lease)
        .await?;
    report.events = rows.len();
    let outcomes: Vec<_> = futures_util::stream::iter(rows)
        .map(|row| async move {
            let outcome = one(dispatcher, &row).await;
            (row, outcome)
        })
        .buffer_unordered(config.concurrency.max(1))
        .collect()
        .await;
    let outbox = &dispatcher.stores.outbox;
    for (row, outcome) in outcomes {
        match outcome {
            Ok((notifications, deliveries)) => {
                report.notifications += notifications;
                report.deliveries_queued += deliveries;
                outbox.mark_delivered(row.id).await?;
            }
            Err(error) => {
                tracing::warn!(event = %row.id, kind = %row.kind, %error, "fan-out failed");
                let retry = (row.attempts + 1 < config.max_outbox_attempts)
                    .then(|| next_attempt(row.attempts, row.created_at, now))
                    .flatten();
                outbox
                    .mark_failed(row.id, &error.to_string(), retry)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Fans out one row: how many notifications and deliveries it added.
async fn one(dispatcher: &Dispatcher, row: &OutboxEvent) -> StoreResult<(u64, u64)> {
    let Some(event) = classify(row) else {
        return Ok((0, 0));
    };
    let stores = &dispatcher.stores;
    let system = TenantScope::dangerous_system(row.tenant);
    let people = recipients(stores, row.tenant, &event).await?;
    let mut notifications = Vec::with_capacity(people.len());
    for person in &people {
        let mail = mail_state(dispatcher, &system, person, event.event_type).await?;
        notifications.push(notification(row, &event, person, mail));
    }
    let added = if notifications.is_empty() {
        0
    } else {
        stores
            .notifications
            .record_notifications(&system, notifications)
            .await?
    };
    let body = envelope(row, event.event_type);
    let queued = stores
        .webhooks
        .queue_deliveries(&system, row, event.event_type, &body)
        .await?;
    Ok((added, queued))
}

/// How a person hears of the event by mail, as they chose (security notices always now).
async fn mail_state(
    dispatcher: &Dispatcher,
    system: &TenantScope,
    person: &Recipient,
    event_type: EventType,
) -> StoreResult<MailState> {
    let chosen: HashMap<EventType, MailMode> = dispatcher
        .stores
        .notifications
        .mail_preferences(system, person.user)
        .await?
        .into_iter()
        .map(|preference| (preference.event_type, preference.mail))
        .collect();
    Ok(
        match event_type.effective_mail(chosen.get(&event_type).copied()) {
            MailMode::Instant => MailState::Instant,
            MailMode::Digest => MailState::Digest,
            MailMode::Off => MailState::None,
        },
    )
}

/// The notification one person gets.
fn notification(
    row: &OutboxEvent,
    event: &Classified,
    person: &Recipient,
    mail: MailState,
) -> NewNotification {
    NewNotification {
        user: person.user,
        event: row.id,
        event_type: event.event_type,
        object: event.object.clone(),
        client: event.client,
        project: event.project,
        title: person.title.clone(),
        mail,
        occurred_at: row.created_at,
    }
}

/// The JSON every webhook delivery of the event posts: ids only, never content, so a receiver
/// reads what it needs through the API with its own key.
pub(crate) fn envelope(row: &OutboxEvent, event_type: EventType) -> String {
    let created_at = row
        .created_at
        .format(&Rfc3339)
        .unwrap_or_else(|_| row.created_at.unix_timestamp().to_string());
    json!({
        "id": row.id,
        "type": event_type,
        "created_at": created_at,
        "tenant": row.tenant,
        "data": row.payload,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use portal_core::model::OutboxStatus;
    use portal_core::{OutboxEventId, TenantId};
    use time::macros::datetime;

    use super::*;

    #[test]
    fn envelopes_carry_ids_and_the_event_type() {
        let row = OutboxEvent {
            id: OutboxEventId::new(),
            tenant: TenantId::new(),
            kind: "approval.decided".into(),
            payload: json!({ "approval": "0190d5f4-0000-7000-8000-000000000000" }),
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: datetime!(2026-11-24 08:00 UTC),
            last_error: None,
            created_at: datetime!(2026-11-24 08:00 UTC),
        };
        let body: serde_json::Value =
            serde_json::from_str(&envelope(&row, EventType::ApprovalDecided)).unwrap();
        assert_eq!(body["id"], json!(row.id));
        assert_eq!(body["type"], "approval.decided");
        assert_eq!(body["created_at"], "2026-11-24T08:00:00Z");
        assert_eq!(body["tenant"], json!(row.tenant));
        assert_eq!(body["data"]["approval"], row.payload["approval"]);
    }
}
