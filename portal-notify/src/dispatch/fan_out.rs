//! Stage 1: outbox rows become notifications (one per person who may see the object) and
//! webhook deliveries (one per endpoint that wants the event), then the row is done.

use std::collections::{BTreeMap, HashMap};

use futures_util::StreamExt as _;
use portal_core::model::{
    EventType, MailMode, MailState, MembershipRecord, NewNotification, OutboxEvent,
};
use portal_core::{OutboxEventId, TenantId, TenantScope};
use portal_storage::{DeliveryRequest, StoreResult};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::audience::{Recipient, members_of, needs_members, recipients};
use super::classify::{Classified, classify};
use super::{DispatchError, Dispatcher, TickReport};
use crate::webhook::next_attempt;

/// Claims due outbox rows and fans each out; a row that fails is retried with backoff. The
/// webhook deliveries of a pass are queued, and its rows marked done, a tenant at a time in one
/// transaction each: the store's writes, not the events, set the pace.
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
    let classified: Vec<(OutboxEvent, Option<Classified>)> = rows
        .into_iter()
        .map(|row| {
            let event = classify(&row);
            (row, event)
        })
        .collect();
    // One membership list per tenant and pass, shared by all its events' audiences.
    let mut members: HashMap<TenantId, Vec<MembershipRecord>> = HashMap::new();
    for (row, event) in &classified {
        if event.as_ref().is_some_and(needs_members) && !members.contains_key(&row.tenant) {
            let listed = members_of(&dispatcher.stores, row.tenant).await?;
            members.insert(row.tenant, listed);
        }
    }
    let members = &members;
    let outcomes: Vec<_> = futures_util::stream::iter(classified)
        .map(|(row, event)| async move {
            let tenant_members = members.get(&row.tenant).map_or(&[][..], Vec::as_slice);
            let outcome = match event {
                Some(event) => notify_people(dispatcher, &row, &event, tenant_members).await,
                None => Ok((0, None)),
            };
            (row, outcome)
        })
        .buffer_unordered(config.concurrency.max(1))
        .collect()
        .await;
    let mut tenants: BTreeMap<TenantId, Vec<(OutboxEvent, Option<DeliveryRequest>)>> =
        BTreeMap::new();
    for (row, outcome) in outcomes {
        match outcome {
            Ok((notifications, request)) => {
                report.notifications += notifications;
                tenants.entry(row.tenant).or_default().push((row, request));
            }
            Err(error) => failed(dispatcher, &row, &error.to_string(), now).await?,
        }
    }
    for (tenant, done) in tenants {
        let system = TenantScope::dangerous_system(tenant);
        let requests: Vec<DeliveryRequest> = done
            .iter()
            .filter_map(|(_, request)| request.clone())
            .collect();
        let queued = if requests.is_empty() {
            Ok(0)
        } else {
            dispatcher
                .stores
                .webhooks
                .queue_deliveries(&system, requests)
                .await
        };
        match queued {
            Ok(queued) => {
                report.deliveries_queued += queued;
                let ids: Vec<OutboxEventId> = done.iter().map(|(row, _)| row.id).collect();
                dispatcher.stores.outbox.mark_all_delivered(&ids).await?;
            }
            Err(error) => {
                for (row, _) in &done {
                    failed(dispatcher, row, &error.to_string(), now).await?;
                }
            }
        }
    }
    Ok(())
}

/// Puts a row back with backoff, or lets it die after too many attempts.
async fn failed(
    dispatcher: &Dispatcher,
    row: &OutboxEvent,
    error: &str,
    now: OffsetDateTime,
) -> Result<(), DispatchError> {
    tracing::warn!(event = %row.id, kind = %row.kind, %error, "fan-out failed");
    let retry = (row.attempts + 1 < dispatcher.config.max_outbox_attempts)
        .then(|| next_attempt(row.attempts, row.created_at, now))
        .flatten();
    dispatcher
        .stores
        .outbox
        .mark_failed(row.id, error, retry)
        .await?;
    Ok(())
}

/// Stores the notifications of one announcing row (idempotent); how many were new, and the
/// webhook delivery it asks for.
async fn notify_people(
    dispatcher: &Dispatcher,
    row: &OutboxEvent,
    event: &Classified,
    members: &[MembershipRecord],
) -> StoreResult<(u64, Option<DeliveryRequest>)> {
    let stores = &dispatcher.stores;
    let system = TenantScope::dangerous_system(row.tenant);
    let people = recipients(stores, row.tenant, event, members).await?;
    let mut notifications = Vec::with_capacity(people.len());
    for person in &people {
        let mail = mail_state(dispatcher, &system, person, event.event_type).await?;
        notifications.push(notification(row, event, person, mail));
    }
    let added = if notifications.is_empty() {
        0
    } else {
        stores
            .notifications
            .record_notifications(&system, notifications)
            .await?
    };
    let request = DeliveryRequest {
        event: row.id,
        tenant: row.tenant,
        event_type: event.event_type,
        body: envelope(row, event.event_type),
    };
    Ok((added, Some(request)))
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
