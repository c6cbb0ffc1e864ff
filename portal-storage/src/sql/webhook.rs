//! Webhook endpoints and the delivery of events to them, with the log of every attempt.
//!
//! Endpoint changes and redeliveries append their audit event in the same transaction. The
//! dispatcher of any replica claims due deliveries across tenants under a lease.

use async_trait::async_trait;
use portal_core::model::{
    AuditContext, DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookEndpoint,
    WebhookEndpointInput,
};
use portal_core::{
    OutboxEventId, Permission, TenantId, TenantScope, WebhookDeliveryId, WebhookEndpointId,
};
use sqlx::QueryBuilder;
use time::OffsetDateTime;
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::convert::{delivery_status, from_json, narrowed, parsed, stored_time, to_json};
use super::notification::push_in;
use super::visibility::{paged, push_page};
use crate::rules;
use crate::traits::{AttemptRecord, DeliveryRequest, DueDelivery, WebhookStore};
use crate::{Page, Paged, StoreError, StoreResult};

/// A `portal_webhook_endpoint` row (without its secret).
#[derive(sqlx::FromRow)]
struct EndpointRow {
    webhook_endpoint_id: Uuid,
    tenant_id: Uuid,
    url: String,
    description: String,
    event_types: String,
    active: bool,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl EndpointRow {
    fn into_endpoint(self) -> StoreResult<WebhookEndpoint> {
        Ok(WebhookEndpoint {
            id: WebhookEndpointId::from_uuid(self.webhook_endpoint_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            url: parsed("url", &self.url)?,
            description: self.description,
            event_types: from_json("event_types", &self.event_types)?,
            active: self.active,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The columns of an endpoint, after `SELECT` or `RETURNING`.
const ENDPOINT_COLUMNS: &str = "webhook_endpoint_id, tenant_id, url, description, event_types, \
     active, created_at, updated_at";

/// A `portal_webhook_delivery` row.
#[derive(sqlx::FromRow)]
struct DeliveryRow {
    webhook_delivery_id: Uuid,
    tenant_id: Uuid,
    webhook_endpoint_id: Uuid,
    outbox_event_id: Uuid,
    event_type: String,
    body: String,
    status: String,
    attempts: i32,
    next_attempt_at: OffsetDateTime,
    last_status: Option<i32>,
    last_error: Option<String>,
    created_at: OffsetDateTime,
    delivered_at: Option<OffsetDateTime>,
}

impl DeliveryRow {
    fn into_delivery(self) -> StoreResult<WebhookDelivery> {
        Ok(WebhookDelivery {
            id: WebhookDeliveryId::from_uuid(self.webhook_delivery_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            endpoint: WebhookEndpointId::from_uuid(self.webhook_endpoint_id),
            event: OutboxEventId::from_uuid(self.outbox_event_id),
            event_type: parsed("event_type", &self.event_type)?,
            body: self.body,
            status: delivery_status(&self.status)?,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            last_status: self
                .last_status
                .map(|status| narrowed("last_status", status))
                .transpose()?,
            last_error: self.last_error,
            created_at: self.created_at,
            delivered_at: self.delivered_at,
        })
    }
}

/// The columns of a delivery, after `SELECT` or `RETURNING`.
const DELIVERY_COLUMNS: &str = "webhook_delivery_id, tenant_id, webhook_endpoint_id, \
     outbox_event_id, event_type, body, status, attempts, next_attempt_at, last_status, \
     last_error, created_at, delivered_at";

/// A `portal_webhook_attempt` row.
#[derive(sqlx::FromRow)]
struct AttemptRow {
    webhook_delivery_id: Uuid,
    number: i32,
    at: OffsetDateTime,
    status: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
}

impl AttemptRow {
    fn into_attempt(self) -> StoreResult<DeliveryAttempt> {
        Ok(DeliveryAttempt {
            delivery: WebhookDeliveryId::from_uuid(self.webhook_delivery_id),
            number: self.number,
            at: self.at,
            status: self
                .status
                .map(|status| narrowed("status", status))
                .transpose()?,
            error: self.error,
            duration_ms: narrowed("duration_ms", self.duration_ms)?,
        })
    }
}

for_each_backend! {
    impl Store {
        /// Applies `set` to a live endpoint of `tenant` and returns it; `NotFound` when it is
        /// missing, deleted or foreign.
        async fn change_endpoint(
            tx: &mut Conn,
            tenant: TenantId,
            id: WebhookEndpointId,
            set: impl FnOnce(&mut QueryBuilder<Db>),
        ) -> StoreResult<WebhookEndpoint> {
            let mut query = QueryBuilder::<Db>::new("UPDATE portal_webhook_endpoint SET ");
            set(&mut query);
            query
                .push(" WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid())
                .push(" AND webhook_endpoint_id = ")
                .push_bind(*id.as_uuid())
                .push(" AND deleted_at IS NULL RETURNING ")
                .push(ENDPOINT_COLUMNS);
            let row: Option<EndpointRow> = query
                .build_query_as()
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            row.ok_or(StoreError::NotFound)?.into_endpoint()
        }

        /// Appends the audit event of an endpoint change and commits.
        async fn audited_endpoint(
            mut tx: super::counted::CountedTx<Db>,
            scope: &TenantScope,
            endpoint: WebhookEndpoint,
            change: &str,
            audit: &AuditContext,
        ) -> StoreResult<WebhookEndpoint> {
            let event = rules::webhook_changed_event(scope, &endpoint, change);
            Store::append_audit_in(&mut tx, scope.tenant_id(), event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(endpoint)
        }
    }

    #[async_trait]
    impl WebhookStore for Store {
        async fn create_webhook(
            &self,
            scope: &TenantScope,
            input: WebhookEndpointInput,
            secret: Vec<u8>,
            audit: &AuditContext,
        ) -> StoreResult<WebhookEndpoint> {
            let endpoint = rules::new_webhook_endpoint(scope, input, &secret, now())?;
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            sqlx::query(
                "INSERT INTO portal_webhook_endpoint (webhook_endpoint_id, tenant_id, url, \
                 description, event_types, active, secret, created_at, updated_at, deleted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, NULL)",
            )
            .bind(*endpoint.id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(endpoint.url.as_str())
            .bind(&endpoint.description)
            .bind(to_json(&endpoint.event_types)?)
            .bind(endpoint.active)
            .bind(secret)
            .bind(endpoint.created_at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            Store::audited_endpoint(tx, scope, endpoint, "created", audit).await
        }

        async fn list_webhooks(
            &self,
            scope: &TenantScope,
            page: Page,
        ) -> StoreResult<Paged<WebhookEndpoint>> {
            rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
            let tenant = scope.tenant_id();
            let tx = self.read(tenant).await?;
            let mut query = QueryBuilder::<Db>::new("SELECT ");
            query
                .push(ENDPOINT_COLUMNS)
                .push(" FROM portal_webhook_endpoint WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid())
                .push(" AND deleted_at IS NULL");
            // Oldest first, unlike most lists: the settings show endpoints in the order added.
            if let Some(cursor) = page.cursor() {
                query
                    .push(" AND webhook_endpoint_id > ")
                    .push_bind(cursor.id());
            }
            query
                .push(" ORDER BY webhook_endpoint_id LIMIT ")
                .push_bind(i64::from(page.limit()) + 1);
            let rows: Vec<EndpointRow> = Store::fetch_list(tx, query).await?;
            paged(rows, page, EndpointRow::into_endpoint, |endpoint| {
                *endpoint.id.as_uuid()
            })
        }

        async fn webhook(
            &self,
            scope: &TenantScope,
            id: WebhookEndpointId,
        ) -> StoreResult<Option<WebhookEndpoint>> {
            rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let mut query = QueryBuilder::<Db>::new("SELECT ");
            query
                .push(ENDPOINT_COLUMNS)
                .push(" FROM portal_webhook_endpoint WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid())
                .push(" AND webhook_endpoint_id = ")
                .push_bind(*id.as_uuid())
                .push(" AND deleted_at IS NULL");
            let row: Option<EndpointRow> = query
                .build_query_as()
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            row.map(EndpointRow::into_endpoint).transpose()
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
            let event_types = to_json(&input.event_types)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            let endpoint = Store::change_endpoint(&mut tx, tenant, id, |query| {
                query
                    .push("url = ")
                    .push_bind(input.url.as_str().to_owned())
                    .push(", description = ")
                    .push_bind(input.description)
                    .push(", event_types = ")
                    .push_bind(event_types)
                    .push(", active = ")
                    .push_bind(input.active)
                    .push(", updated_at = ")
                    .push_bind(now());
            })
            .await?;
            Store::audited_endpoint(tx, scope, endpoint, "updated", audit).await
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
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            let endpoint = Store::change_endpoint(&mut tx, tenant, id, |query| {
                query
                    .push("secret = ")
                    .push_bind(secret)
                    .push(", updated_at = ")
                    .push_bind(now());
            })
            .await?;
            Store::audited_endpoint(tx, scope, endpoint, "secret_rotated", audit).await
        }

        async fn delete_webhook(
            &self,
            scope: &TenantScope,
            id: WebhookEndpointId,
            audit: &AuditContext,
        ) -> StoreResult<()> {
            rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
            rules::writable(scope)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            let endpoint = Store::change_endpoint(&mut tx, tenant, id, |query| {
                query.push("deleted_at = ").push_bind(now());
            })
            .await?;
            sqlx::query(
                "UPDATE portal_webhook_delivery SET status = $1, last_error = $2 \
                 WHERE tenant_id = $3 AND webhook_endpoint_id = $4 AND status = $5",
            )
            .bind(DeliveryStatus::Dead.as_str())
            .bind(rules::ENDPOINT_DELETED)
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .bind(DeliveryStatus::Pending.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            Store::audited_endpoint(tx, scope, endpoint, "deleted", audit)
                .await
                .map(|_| ())
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
            let mut tx = self.write_uncounted(tenant).await?;
            let mut query = QueryBuilder::<Db>::new("SELECT ");
            query
                .push(ENDPOINT_COLUMNS)
                .push(" FROM portal_webhook_endpoint WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid())
                .push(" AND deleted_at IS NULL AND active = ")
                .push_bind(true)
                .push(" ORDER BY webhook_endpoint_id");
            let rows: Vec<EndpointRow> = query
                .build_query_as()
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            let endpoints = rows
                .into_iter()
                .map(EndpointRow::into_endpoint)
                .collect::<StoreResult<Vec<_>>>()?;
            let mut added = 0;
            for request in &events {
                for endpoint in endpoints.iter().filter(|endpoint| endpoint.wants(request.event_type)) {
                    let inserted = sqlx::query(
                        "INSERT INTO portal_webhook_delivery (webhook_delivery_id, tenant_id, \
                         webhook_endpoint_id, outbox_event_id, event_type, body, status, attempts, \
                         next_attempt_at, last_status, last_error, created_at, delivered_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, NULL, NULL, $8, NULL) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(*WebhookDeliveryId::new().as_uuid())
                    .bind(*tenant.as_uuid())
                    .bind(*endpoint.id.as_uuid())
                    .bind(*request.event.as_uuid())
                    .bind(request.event_type.as_str())
                    .bind(request.body.as_str())
                    .bind(DeliveryStatus::Pending.as_str())
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                    added += inserted.rows_affected();
                }
            }
            tx.commit().await.map_err(backend)?;
            Ok(added)
        }

        async fn claim_deliveries(
            &self,
            now: OffsetDateTime,
            limit: u32,
            lease: time::Duration,
        ) -> StoreResult<Vec<DueDelivery>> {
            let now = stored_time(now);
            let mut tx = self.global_uncounted().await?;
            let rows: Vec<DeliveryRow> = sqlx::query_as(Store::CLAIM_DELIVERIES)
                .bind(now)
                .bind(stored_time(now + lease))
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            let mut endpoints: Vec<Uuid> =
                rows.iter().map(|row| row.webhook_endpoint_id).collect();
            endpoints.sort_unstable();
            endpoints.dedup();
            let targets: Vec<(Uuid, String, Vec<u8>)> = if endpoints.is_empty() {
                Vec::new()
            } else {
                let mut query = QueryBuilder::<Db>::new(
                    "SELECT webhook_endpoint_id, url, secret FROM portal_webhook_endpoint \
                     WHERE webhook_endpoint_id",
                );
                push_in(&mut query, endpoints);
                query
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(backend)?
            };
            tx.commit().await.map_err(backend)?;
            let mut due = Vec::with_capacity(rows.len());
            for row in rows {
                let Some((_, url, secret)) = targets
                    .iter()
                    .find(|(endpoint, _, _)| *endpoint == row.webhook_endpoint_id)
                else {
                    continue;
                };
                due.push(DueDelivery {
                    url: parsed("url", url)?,
                    secret: secret.clone(),
                    delivery: row.into_delivery()?,
                });
            }
            // RETURNING promises no order: oldest first, as they were picked.
            due.sort_by_key(|due| due.delivery.id);
            Ok(due)
        }

        async fn record_attempt(
            &self,
            delivery: WebhookDeliveryId,
            attempt: AttemptRecord,
        ) -> StoreResult<WebhookDelivery> {
            let mut tx = self.global_uncounted().await?;
            let row = Store::record_attempt_in(&mut tx, delivery, attempt).await?;
            tx.commit().await.map_err(backend)?;
            row.into_delivery()
        }

        async fn record_attempts(
            &self,
            attempts: Vec<(WebhookDeliveryId, AttemptRecord)>,
        ) -> StoreResult<()> {
            let mut tx = self.global_uncounted().await?;
            for (delivery, attempt) in attempts {
                Store::record_attempt_in(&mut tx, delivery, attempt).await?;
            }
            tx.commit().await.map_err(backend)
        }

        async fn list_deliveries(
            &self,
            scope: &TenantScope,
            endpoint: Option<WebhookEndpointId>,
            page: Page,
        ) -> StoreResult<Paged<WebhookDelivery>> {
            rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
            let tenant = scope.tenant_id();
            let tx = self.read(tenant).await?;
            let mut query = QueryBuilder::<Db>::new("SELECT ");
            query
                .push(DELIVERY_COLUMNS)
                .push(" FROM portal_webhook_delivery WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid());
            if let Some(endpoint) = endpoint {
                query
                    .push(" AND webhook_endpoint_id = ")
                    .push_bind(*endpoint.as_uuid());
            }
            push_page(&mut query, "webhook_delivery_id", page);
            let rows: Vec<DeliveryRow> = Store::fetch_list(tx, query).await?;
            paged(rows, page, DeliveryRow::into_delivery, |delivery| {
                *delivery.id.as_uuid()
            })
        }

        async fn delivery(
            &self,
            scope: &TenantScope,
            id: WebhookDeliveryId,
        ) -> StoreResult<Option<(WebhookDelivery, Vec<DeliveryAttempt>)>> {
            rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let mut query = QueryBuilder::<Db>::new("SELECT ");
            query
                .push(DELIVERY_COLUMNS)
                .push(" FROM portal_webhook_delivery WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid())
                .push(" AND webhook_delivery_id = ")
                .push_bind(*id.as_uuid());
            let row: Option<DeliveryRow> = query
                .build_query_as()
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            let Some(row) = row else {
                tx.commit().await.map_err(backend)?;
                return Ok(None);
            };
            let attempts: Vec<AttemptRow> = sqlx::query_as(
                "SELECT webhook_delivery_id, number, at, status, error, duration_ms \
                 FROM portal_webhook_attempt WHERE tenant_id = $1 AND webhook_delivery_id = $2 \
                 ORDER BY number",
            )
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let attempts = attempts
                .into_iter()
                .map(AttemptRow::into_attempt)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Some((row.into_delivery()?, attempts)))
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
            let mut tx = self.write_uncounted(tenant).await?;
            let live: Option<bool> = sqlx::query_scalar(
                "SELECT e.deleted_at IS NULL FROM portal_webhook_delivery d \
                 JOIN portal_webhook_endpoint e ON e.tenant_id = d.tenant_id \
                 AND e.webhook_endpoint_id = d.webhook_endpoint_id \
                 WHERE d.tenant_id = $1 AND d.webhook_delivery_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            match live {
                None => return Err(StoreError::NotFound),
                Some(false) => return Err(StoreError::conflict(rules::ENDPOINT_DELETED)),
                Some(true) => {}
            }
            let mut query = QueryBuilder::<Db>::new("UPDATE portal_webhook_delivery SET status = ");
            query
                .push_bind(DeliveryStatus::Pending.as_str())
                .push(", next_attempt_at = ")
                .push_bind(now())
                .push(" WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid())
                .push(" AND webhook_delivery_id = ")
                .push_bind(*id.as_uuid())
                .push(" RETURNING ")
                .push(DELIVERY_COLUMNS);
            let row: DeliveryRow = query
                .build_query_as()
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
            let delivery = row.into_delivery()?;
            let event = rules::webhook_redelivered_event(scope, &delivery);
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(delivery)
        }
    }
}

for_each_backend! {
    impl Store {
        /// Logs one attempt of `delivery` inside `tx` and moves the delivery as the attempt says.
        async fn record_attempt_in(
            tx: &mut Conn,
            delivery: WebhookDeliveryId,
            attempt: AttemptRecord,
        ) -> StoreResult<DeliveryRow> {
            let error = attempt.error.map(|error| rules::clipped_error(&error));
            let at = stored_time(attempt.at);
            let (delivered_at, next_attempt_at) = match attempt.outcome {
                DeliveryStatus::Delivered => (Some(at), None),
                DeliveryStatus::Pending => {
                    (None, Some(stored_time(attempt.retry_at.unwrap_or(at))))
                }
                DeliveryStatus::Dead => (None, None),
            };
            let mut query = QueryBuilder::<Db>::new(
                "UPDATE portal_webhook_delivery SET attempts = attempts + 1, last_status = ",
            );
            query
                .push_bind(attempt.status.map(i32::from))
                .push(", last_error = ")
                .push_bind(error.clone())
                .push(", status = ")
                .push_bind(attempt.outcome.as_str())
                .push(", delivered_at = COALESCE(")
                .push_bind(delivered_at)
                .push(", delivered_at), next_attempt_at = COALESCE(")
                .push_bind(next_attempt_at)
                .push(", next_attempt_at) WHERE webhook_delivery_id = ")
                .push_bind(*delivery.as_uuid())
                .push(" RETURNING ")
                .push(DELIVERY_COLUMNS);
            let row: DeliveryRow = query
                .build_query_as()
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .ok_or(StoreError::NotFound)?;
            sqlx::query(
                "INSERT INTO portal_webhook_attempt (tenant_id, webhook_delivery_id, number, at, \
                 status, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(row.tenant_id)
            .bind(row.webhook_delivery_id)
            .bind(row.attempts)
            .bind(at)
            .bind(attempt.status.map(i32::from))
            .bind(error)
            .bind(i64::from(attempt.duration_ms))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            Ok(row)
        }
    }
}
