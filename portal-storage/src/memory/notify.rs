//! In-app notifications, mail preferences and webhook deliveries in memory.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use async_trait::async_trait;
use portal_core::model::{
    AuditContext, DeliveryAttempt, DeliveryStatus, EventType, MailMode, MailPreference, MailState,
    NewNotification, Notification, WebhookDelivery, WebhookEndpoint, WebhookEndpointInput,
};
use portal_core::{
    NotificationId, Permission, TenantId, TenantScope, UserId, WebhookDeliveryId, WebhookEndpointId,
};
use time::OffsetDateTime;

use super::{MemoryStore, State};
use crate::rules::{self, now, stored_time};
use crate::traits::{
    AttemptRecord, DeliveryRequest, DueDelivery, MailBatch, NotificationStore, WebhookStore,
};
use crate::{Page, Paged, StoreError, StoreResult};

/// A notification with when its mail may next be tried (claims push it out by their lease).
#[derive(Clone)]
pub(super) struct NotificationRow {
    notification: Notification,
    mail_next_at: OffsetDateTime,
}

/// An endpoint with its secret; deleted ones stay for their delivery log.
#[derive(Clone)]
pub(super) struct EndpointRow {
    endpoint: WebhookEndpoint,
    secret: Vec<u8>,
    deleted: bool,
}

/// The tables of this module.
#[derive(Default)]
pub(super) struct NotifyTables {
    notifications: BTreeMap<NotificationId, NotificationRow>,
    preferences: HashMap<(TenantId, UserId, EventType), MailMode>,
    endpoints: BTreeMap<WebhookEndpointId, EndpointRow>,
    deliveries: BTreeMap<WebhookDeliveryId, WebhookDelivery>,
    attempts: HashMap<WebhookDeliveryId, Vec<DeliveryAttempt>>,
}

impl NotifyTables {
    /// A live endpoint of `tenant`.
    fn endpoint_mut(
        &mut self,
        tenant: TenantId,
        id: WebhookEndpointId,
    ) -> StoreResult<&mut EndpointRow> {
        self.endpoints
            .get_mut(&id)
            .filter(|row| row.endpoint.tenant == tenant && !row.deleted)
            .ok_or(StoreError::NotFound)
    }

    /// The ids of notifications that match, at most `limit`, oldest first.
    fn notification_ids(
        &self,
        limit: usize,
        mut keep: impl FnMut(&NotificationRow) -> bool,
    ) -> Vec<NotificationId> {
        self.notifications
            .iter()
            .filter(|(_, row)| keep(row))
            .take(limit)
            .map(|(id, _)| *id)
            .collect()
    }
}

/// Appends the audit record of an endpoint change.
fn audit_endpoint(
    state: &mut State,
    scope: &TenantScope,
    endpoint: &WebhookEndpoint,
    change: &str,
    audit: &AuditContext,
    at: OffsetDateTime,
) {
    let event = rules::webhook_changed_event(scope, endpoint, change);
    state.append_event(scope.tenant_id(), event, audit, at);
}

impl State {
    /// Drops the in-app notifications (and the mail they wait to send) and the mail
    /// preferences of `user` (an erased person).
    pub(super) fn drop_notifications_of(&mut self, tenant: TenantId, user: UserId) {
        self.notify
            .notifications
            .retain(|_, row| !(row.notification.tenant == tenant && row.notification.user == user));
        self.notify
            .preferences
            .retain(|(of_tenant, of_user, _), _| (*of_tenant, *of_user) != (tenant, user));
    }
}

#[async_trait]
impl NotificationStore for MemoryStore {
    async fn record_notifications(
        &self,
        scope: &TenantScope,
        notifications: Vec<NewNotification>,
    ) -> StoreResult<u64> {
        rules::require_system(scope)?;
        let tenant = scope.tenant_id();
        self.with_mut_uncounted(|state| {
            state.require_tenant(scope)?;
            if notifications
                .iter()
                .any(|new| state.user_in(tenant, new.user).is_none())
            {
                return Err(rules::invalid(
                    "user",
                    portal_core::Invalid::Malformed("a user of the tenant"),
                ));
            }
            let mut added = 0;
            for new in notifications {
                let known = state.notify.notifications.values().any(|row| {
                    row.notification.event == new.event && row.notification.user == new.user
                });
                if known {
                    continue;
                }
                let notification = Notification {
                    id: NotificationId::new(),
                    tenant,
                    user: new.user,
                    event: new.event,
                    event_type: new.event_type,
                    object: new.object,
                    client: new.client,
                    project: new.project,
                    title: new.title,
                    mail: new.mail,
                    mail_attempts: 0,
                    occurred_at: stored_time(new.occurred_at),
                    read_at: None,
                };
                state.notify.notifications.insert(
                    notification.id,
                    NotificationRow {
                        // Due from the moment the change happened.
                        mail_next_at: notification.occurred_at,
                        notification,
                    },
                );
                added += 1;
            }
            Ok(added)
        })
    }

    async fn list_notifications(
        &self,
        scope: &TenantScope,
        unread_only: bool,
        page: Page,
    ) -> StoreResult<Paged<Notification>> {
        let user = rules::notified_user(scope, None)?;
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            super::view::page_of(
                &state.notify.notifications,
                page,
                NotificationId::from_uuid,
                |row| {
                    let notification = &row.notification;
                    (notification.tenant == tenant
                        && notification.user == user
                        && (!unread_only || notification.read_at.is_none()))
                    .then(|| notification.clone())
                },
                |notification| *notification.id.as_uuid(),
            )
        }))
    }

    async fn unread_notifications(&self, scope: &TenantScope) -> StoreResult<u64> {
        let user = rules::notified_user(scope, None)?;
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            let unread = state
                .notify
                .notifications
                .values()
                .filter(|row| {
                    let notification = &row.notification;
                    notification.tenant == tenant
                        && notification.user == user
                        && notification.read_at.is_none()
                })
                .count();
            u64::try_from(unread).unwrap_or(u64::MAX)
        }))
    }

    async fn mark_notifications_read(
        &self,
        scope: &TenantScope,
        ids: Option<Vec<NotificationId>>,
        at: OffsetDateTime,
    ) -> StoreResult<u64> {
        let user = rules::notified_user(scope, None)?;
        rules::writable(scope)?;
        let tenant = scope.tenant_id();
        let at = stored_time(at);
        Ok(self.with_mut_uncounted(|state| {
            let mut changed = 0;
            for row in state.notify.notifications.values_mut() {
                let notification = &mut row.notification;
                let picked = ids
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&notification.id));
                if picked
                    && notification.tenant == tenant
                    && notification.user == user
                    && notification.read_at.is_none()
                {
                    notification.read_at = Some(at);
                    changed += 1;
                }
            }
            changed
        }))
    }

    async fn mail_preferences(
        &self,
        scope: &TenantScope,
        user: UserId,
    ) -> StoreResult<Vec<MailPreference>> {
        let user = rules::notified_user(scope, Some(user))?;
        let tenant = scope.tenant_id();
        self.with(|state| {
            state.user_in(tenant, user).ok_or(StoreError::NotFound)?;
            let mut chosen: Vec<MailPreference> = state
                .notify
                .preferences
                .iter()
                .filter(|((of_tenant, of_user, _), _)| *of_tenant == tenant && *of_user == user)
                .map(|((_, _, event_type), mail)| MailPreference {
                    event_type: *event_type,
                    mail: *mail,
                })
                .collect();
            chosen.sort_by_key(|preference| preference.event_type);
            Ok(chosen)
        })
    }

    async fn set_mail_preference(
        &self,
        scope: &TenantScope,
        user: UserId,
        event_type: EventType,
        mail: MailMode,
    ) -> StoreResult<MailPreference> {
        let user = rules::notified_user(scope, Some(user))?;
        rules::writable(scope)?;
        let tenant = scope.tenant_id();
        self.with_mut_uncounted(|state| {
            state.user_in(tenant, user).ok_or(StoreError::NotFound)?;
            state
                .notify
                .preferences
                .insert((tenant, user, event_type), mail);
            Ok(MailPreference { event_type, mail })
        })
    }

    async fn claim_mail(
        &self,
        batch: MailBatch,
        now: OffsetDateTime,
        limit: u32,
        lease: time::Duration,
    ) -> StoreResult<Vec<Notification>> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let now = stored_time(now);
        Ok(self.with_mut_uncounted(|state| {
            let due = state.notify.notification_ids(limit, |row| {
                row.mail_next_at <= now
                    && match batch {
                        MailBatch::Instant => row.notification.mail == MailState::Instant,
                        MailBatch::Digest { before } => {
                            row.notification.mail == MailState::Digest
                                && row.notification.occurred_at < before
                        }
                    }
            });
            due.into_iter()
                .filter_map(|id| {
                    let row = state.notify.notifications.get_mut(&id)?;
                    row.mail_next_at = stored_time(now + lease);
                    Some(row.notification.clone())
                })
                .collect()
        }))
    }

    async fn mark_mail_sent(&self, ids: &[NotificationId]) -> StoreResult<()> {
        self.with_mut_uncounted(|state| {
            for id in ids {
                if let Some(row) = state.notify.notifications.get_mut(id) {
                    row.notification.mail = MailState::Sent;
                    row.notification.mail_attempts =
                        row.notification.mail_attempts.saturating_add(1);
                }
            }
        });
        Ok(())
    }

    async fn mark_mail_failed(
        &self,
        ids: &[NotificationId],
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()> {
        self.with_mut_uncounted(|state| {
            for id in ids {
                if let Some(row) = state.notify.notifications.get_mut(id) {
                    row.notification.mail_attempts =
                        row.notification.mail_attempts.saturating_add(1);
                    match retry_at {
                        Some(at) => row.mail_next_at = stored_time(at),
                        None => row.notification.mail = MailState::Failed,
                    }
                }
            }
        });
        Ok(())
    }

    async fn drop_mail(&self, ids: &[NotificationId], state_now: MailState) -> StoreResult<()> {
        self.with_mut_uncounted(|state| {
            for id in ids {
                if let Some(row) = state.notify.notifications.get_mut(id) {
                    row.notification.mail = state_now;
                }
            }
        });
        Ok(())
    }
}

#[async_trait]
impl WebhookStore for MemoryStore {
    async fn create_webhook(
        &self,
        scope: &TenantScope,
        input: WebhookEndpointInput,
        secret: Vec<u8>,
        audit: &AuditContext,
    ) -> StoreResult<WebhookEndpoint> {
        let at = now();
        let endpoint = rules::new_webhook_endpoint(scope, input, &secret, at)?;
        self.with_mut_uncounted(|state| {
            state.require_tenant(scope)?;
            state.notify.endpoints.insert(
                endpoint.id,
                EndpointRow {
                    endpoint: endpoint.clone(),
                    secret,
                    deleted: false,
                },
            );
            audit_endpoint(state, scope, &endpoint, "created", audit, at);
            Ok(endpoint)
        })
    }

    async fn list_webhooks(
        &self,
        scope: &TenantScope,
        page: Page,
    ) -> StoreResult<Paged<WebhookEndpoint>> {
        rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
        let tenant = scope.tenant_id();
        // Oldest first, unlike most lists: the settings show endpoints in the order added.
        let lower = page.cursor().map_or(Bound::Unbounded, |cursor| {
            Bound::Excluded(WebhookEndpointId::from_uuid(cursor.id()))
        });
        let wanted = usize::try_from(page.limit())
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        Ok(self.with(|state| {
            let items = state
                .notify
                .endpoints
                .range((lower, Bound::Unbounded))
                .map(|(_, row)| row)
                .filter(|row| row.endpoint.tenant == tenant && !row.deleted)
                .map(|row| row.endpoint.clone())
                .take(wanted)
                .collect();
            Paged::from_overfetch(items, page, |endpoint| *endpoint.id.as_uuid())
        }))
    }

    async fn webhook(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            state
                .notify
                .endpoints
                .get(&id)
                .filter(|row| row.endpoint.tenant == tenant && !row.deleted)
                .map(|row| row.endpoint.clone())
        }))
    }

    async fn update_webhook(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
        input: WebhookEndpointInput,
        audit: &AuditContext,
    ) -> StoreResult<WebhookEndpoint> {
        rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
        rules::writable(scope)?;
        let input = input.validated()?;
        let at = now();
        self.with_mut_uncounted(|state| {
            let row = state.notify.endpoint_mut(scope.tenant_id(), id)?;
            row.endpoint.url = input.url;
            row.endpoint.description = input.description;
            row.endpoint.event_types = input.event_types;
            row.endpoint.active = input.active;
            row.endpoint.updated_at = at;
            let endpoint = row.endpoint.clone();
            audit_endpoint(state, scope, &endpoint, "updated", audit, at);
            Ok(endpoint)
        })
    }

    async fn rotate_webhook_secret(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
        secret: Vec<u8>,
        audit: &AuditContext,
    ) -> StoreResult<WebhookEndpoint> {
        rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
        rules::writable(scope)?;
        rules::require_webhook_secret(&secret)?;
        let at = now();
        self.with_mut_uncounted(|state| {
            let row = state.notify.endpoint_mut(scope.tenant_id(), id)?;
            row.secret = secret;
            row.endpoint.updated_at = at;
            let endpoint = row.endpoint.clone();
            audit_endpoint(state, scope, &endpoint, "secret_rotated", audit, at);
            Ok(endpoint)
        })
    }

    async fn delete_webhook(
        &self,
        scope: &TenantScope,
        id: WebhookEndpointId,
        audit: &AuditContext,
    ) -> StoreResult<()> {
        rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
        rules::writable(scope)?;
        let at = now();
        self.with_mut_uncounted(|state| {
            let row = state.notify.endpoint_mut(scope.tenant_id(), id)?;
            row.deleted = true;
            let endpoint = row.endpoint.clone();
            for delivery in state.notify.deliveries.values_mut() {
                if delivery.endpoint == id && delivery.status == DeliveryStatus::Pending {
                    delivery.status = DeliveryStatus::Dead;
                    delivery.last_error = Some(rules::ENDPOINT_DELETED.into());
                }
            }
            audit_endpoint(state, scope, &endpoint, "deleted", audit, at);
            Ok(())
        })
    }

    async fn queue_deliveries(
        &self,
        scope: &TenantScope,
        events: Vec<DeliveryRequest>,
    ) -> StoreResult<u64> {
        rules::require_system(scope)?;
        let tenant = scope.tenant_id();
        if events.iter().any(|request| request.tenant != tenant) {
            return Err(StoreError::NotFound);
        }
        let at = now();
        Ok(self.with_mut_uncounted(|state| {
            let mut added = 0;
            for DeliveryRequest {
                event,
                event_type,
                body,
                ..
            } in events
            {
                let wanting: Vec<WebhookEndpointId> = state
                    .notify
                    .endpoints
                    .values()
                    .filter(|row| {
                        row.endpoint.tenant == tenant
                            && !row.deleted
                            && row.endpoint.wants(event_type)
                    })
                    .map(|row| row.endpoint.id)
                    .collect();
                for endpoint in wanting {
                    let queued =
                        state.notify.deliveries.values().any(|delivery| {
                            delivery.endpoint == endpoint && delivery.event == event
                        });
                    if queued {
                        continue;
                    }
                    let delivery = WebhookDelivery {
                        id: WebhookDeliveryId::new(),
                        tenant,
                        endpoint,
                        event,
                        event_type,
                        body: body.to_owned(),
                        status: DeliveryStatus::Pending,
                        attempts: 0,
                        next_attempt_at: at,
                        last_status: None,
                        last_error: None,
                        created_at: at,
                        delivered_at: None,
                    };
                    state.notify.deliveries.insert(delivery.id, delivery);
                    added += 1;
                }
            }
            added
        }))
    }

    async fn claim_deliveries(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease: time::Duration,
    ) -> StoreResult<Vec<DueDelivery>> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let now = stored_time(now);
        Ok(self.with_mut_uncounted(|state| {
            let due: Vec<WebhookDeliveryId> = state
                .notify
                .deliveries
                .values()
                .filter(|delivery| {
                    delivery.status == DeliveryStatus::Pending && delivery.next_attempt_at <= now
                })
                .take(limit)
                .map(|delivery| delivery.id)
                .collect();
            let tables = &mut state.notify;
            due.into_iter()
                .filter_map(|id| {
                    let delivery = tables.deliveries.get_mut(&id)?;
                    let endpoint = tables.endpoints.get(&delivery.endpoint)?;
                    delivery.next_attempt_at = stored_time(now + lease);
                    Some(DueDelivery {
                        delivery: delivery.clone(),
                        url: endpoint.endpoint.url.clone(),
                        secret: endpoint.secret.clone(),
                    })
                })
                .collect()
        }))
    }

    async fn record_attempt(
        &self,
        delivery: WebhookDeliveryId,
        attempt: AttemptRecord,
    ) -> StoreResult<WebhookDelivery> {
        let error = attempt.error.map(|error| rules::clipped_error(&error));
        self.with_mut_uncounted(|state| {
            let row = state
                .notify
                .deliveries
                .get_mut(&delivery)
                .ok_or(StoreError::NotFound)?;
            row.attempts = row.attempts.saturating_add(1);
            row.last_status = attempt.status;
            row.last_error.clone_from(&error);
            row.status = attempt.outcome;
            match attempt.outcome {
                DeliveryStatus::Delivered => row.delivered_at = Some(stored_time(attempt.at)),
                DeliveryStatus::Pending => {
                    row.next_attempt_at = stored_time(attempt.retry_at.unwrap_or(attempt.at));
                }
                DeliveryStatus::Dead => {}
            }
            let updated = row.clone();
            state
                .notify
                .attempts
                .entry(delivery)
                .or_default()
                .push(DeliveryAttempt {
                    delivery,
                    number: updated.attempts,
                    at: stored_time(attempt.at),
                    status: attempt.status,
                    error,
                    duration_ms: attempt.duration_ms,
                });
            Ok(updated)
        })
    }

    async fn list_deliveries(
        &self,
        scope: &TenantScope,
        endpoint: Option<WebhookEndpointId>,
        page: Page,
    ) -> StoreResult<Paged<WebhookDelivery>> {
        rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            super::view::page_of(
                &state.notify.deliveries,
                page,
                WebhookDeliveryId::from_uuid,
                |delivery| {
                    (delivery.tenant == tenant
                        && endpoint.is_none_or(|endpoint| delivery.endpoint == endpoint))
                    .then(|| delivery.clone())
                },
                |delivery| *delivery.id.as_uuid(),
            )
        }))
    }

    async fn delivery(
        &self,
        scope: &TenantScope,
        id: WebhookDeliveryId,
    ) -> StoreResult<Option<(WebhookDelivery, Vec<DeliveryAttempt>)>> {
        rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            let delivery = state
                .notify
                .deliveries
                .get(&id)
                .filter(|delivery| delivery.tenant == tenant)?;
            let attempts = state.notify.attempts.get(&id).cloned().unwrap_or_default();
            Some((delivery.clone(), attempts))
        }))
    }

    async fn redeliver(
        &self,
        scope: &TenantScope,
        id: WebhookDeliveryId,
        audit: &AuditContext,
    ) -> StoreResult<WebhookDelivery> {
        rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
        rules::writable(scope)?;
        let tenant = scope.tenant_id();
        let at = now();
        self.with_mut_uncounted(|state| {
            let tables = &mut state.notify;
            let delivery = tables
                .deliveries
                .get_mut(&id)
                .filter(|delivery| delivery.tenant == tenant)
                .ok_or(StoreError::NotFound)?;
            let live = tables
                .endpoints
                .get(&delivery.endpoint)
                .is_some_and(|row| !row.deleted);
            if !live {
                return Err(StoreError::conflict(rules::ENDPOINT_DELETED));
            }
            delivery.status = DeliveryStatus::Pending;
            delivery.next_attempt_at = at;
            let delivery = delivery.clone();
            let event = rules::webhook_redelivered_event(scope, &delivery);
            state.append_event(tenant, event, audit, at);
            Ok(delivery)
        })
    }
}
