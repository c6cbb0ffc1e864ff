//! The transactional outbox: rows written with the change they announce, claimed by the
//! dispatcher of any replica under a lease, delivered at least once.

use async_trait::async_trait;
use portal_core::model::{OutboxEvent, OutboxStatus};
use portal_core::{OutboxEventId, Permission, TenantId, TenantScope};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::backend;
use super::chain::outbox_status_name;
use super::convert::{from_json, outbox_status, stored_time};
use super::visibility::{paged, push_page};
use super::work_rules::require_text;
use crate::rules;
use crate::traits::OutboxStore;
use crate::{Page, Paged, StoreError, StoreResult};

/// A `portal_outbox_event` row.
#[derive(sqlx::FromRow)]
struct OutboxRow {
    outbox_event_id: Uuid,
    tenant_id: Uuid,
    kind: String,
    payload: String,
    status: String,
    attempts: i32,
    next_attempt_at: OffsetDateTime,
    last_error: Option<String>,
    created_at: OffsetDateTime,
}

impl OutboxRow {
    fn into_event(self) -> StoreResult<OutboxEvent> {
        Ok(OutboxEvent {
            id: OutboxEventId::from_uuid(self.outbox_event_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            kind: self.kind,
            payload: from_json("payload", &self.payload)?,
            status: outbox_status(&self.status)?,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error,
            created_at: self.created_at,
        })
    }
}

/// The columns of a whole row.
const COLUMNS: &str = "SELECT outbox_event_id, tenant_id, kind, payload, status, attempts, \
     next_attempt_at, last_error, created_at FROM portal_outbox_event";

for_each_backend! {
    #[async_trait]
    impl OutboxStore for Store {
        async fn enqueue(
            &self,
            scope: &TenantScope,
            kind: &str,
            payload: serde_json::Value,
        ) -> StoreResult<OutboxEvent> {
            require_text("kind", kind)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            let id = Store::enqueue_in(&mut tx, tenant, kind, &payload).await?;
            let mut query = sqlx::QueryBuilder::<Db>::new(COLUMNS);
            query
                .push(" WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid());
            query
                .push(" AND outbox_event_id = ")
                .push_bind(*id.as_uuid());
            let row: OutboxRow = query
                .build_query_as()
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            row.into_event()
        }

        async fn claim_due(
            &self,
            now: OffsetDateTime,
            limit: u32,
            lease: time::Duration,
        ) -> StoreResult<Vec<OutboxEvent>> {
            let now = stored_time(now);
            let mut tx = self.global().await?;
            let rows: Vec<OutboxRow> = sqlx::query_as(Store::CLAIM_DUE)
                .bind(now)
                .bind(stored_time(now + lease))
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let mut events = rows
                .into_iter()
                .map(OutboxRow::into_event)
                .collect::<StoreResult<Vec<_>>>()?;
            // RETURNING promises no order: oldest first, as they were picked.
            events.sort_by_key(|event| event.id);
            Ok(events)
        }

        async fn mark_delivered(&self, id: OutboxEventId) -> StoreResult<()> {
            let mut tx = self.global().await?;
            let marked = sqlx::query(
                "UPDATE portal_outbox_event SET status = $2 WHERE outbox_event_id = $1",
            )
            .bind(*id.as_uuid())
            .bind(outbox_status_name(OutboxStatus::Delivered))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if marked.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.commit().await.map_err(backend)
        }

        async fn mark_all_delivered(&self, ids: &[OutboxEventId]) -> StoreResult<()> {
            if ids.is_empty() {
                return Ok(());
            }
            let mut tx = self.global().await?;
            let mut query = sqlx::QueryBuilder::<Db>::new("UPDATE portal_outbox_event SET status = ");
            query
                .push_bind(outbox_status_name(OutboxStatus::Delivered))
                .push(" WHERE outbox_event_id IN (");
            let mut separated = query.separated(", ");
            for id in ids {
                separated.push_bind(*id.as_uuid());
            }
            query.push(")");
            let marked = query.build().execute(&mut *tx).await.map_err(backend)?;
            if marked.rows_affected() != ids.len() as u64 {
                return Err(StoreError::NotFound);
            }
            tx.commit().await.map_err(backend)
        }

        async fn mark_failed(
            &self,
            id: OutboxEventId,
            error: &str,
            retry_at: Option<OffsetDateTime>,
        ) -> StoreResult<()> {
            let status = if retry_at.is_some() {
                OutboxStatus::Pending
            } else {
                OutboxStatus::Dead
            };
            let error = rules::clipped_error(error);
            let mut tx = self.global().await?;
            let marked = sqlx::query(
                "UPDATE portal_outbox_event SET attempts = attempts + 1, last_error = $2, status = $3, \
                 next_attempt_at = COALESCE($4, next_attempt_at) WHERE outbox_event_id = $1",
            )
            .bind(*id.as_uuid())
            .bind(error)
            .bind(outbox_status_name(status))
            .bind(retry_at.map(stored_time))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if marked.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.commit().await.map_err(backend)
        }

        async fn announce_deadlines(
            &self,
            now: OffsetDateTime,
            within: time::Duration,
        ) -> StoreResult<u64> {
            let now = stored_time(now);
            let mut tx = self.global().await?;
            let approvals: Vec<(Uuid, Uuid, Uuid, Uuid, Option<Uuid>)> =
                sqlx::query_as(Store::ANNOUNCE_DUE_APPROVALS)
                    .bind(now)
                    .bind(stored_time(now + within))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(backend)?;
            let invoices: Vec<(Uuid, Uuid, Uuid, Option<Uuid>)> =
                sqlx::query_as(Store::ANNOUNCE_OVERDUE_INVOICES)
                    .bind(now)
                    .bind(now.date())
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(backend)?;
            let mut written = 0;
            for (tenant, approval, client, project, deliverable) in approvals {
                let payload = json!({
                    "approval": approval,
                    "client": client,
                    "project": project,
                    "deliverable": deliverable,
                });
                let tenant = TenantId::from_uuid(tenant);
                Store::enqueue_in(&mut tx, tenant, rules::events::APPROVAL_DUE_SOON, &payload)
                    .await?;
                written += 1;
            }
            for (tenant, invoice, client, project) in invoices {
                let payload = json!({ "invoice": invoice, "client": client, "project": project });
                let tenant = TenantId::from_uuid(tenant);
                Store::enqueue_in(&mut tx, tenant, rules::events::INVOICE_OVERDUE, &payload)
                    .await?;
                written += 1;
            }
            tx.commit().await.map_err(backend)?;
            Ok(written)
        }

        async fn list_outbox(
            &self,
            scope: &TenantScope,
            page: Page,
        ) -> StoreResult<Paged<OutboxEvent>> {
            rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
            let tenant = scope.tenant_id();
            let tx = self.read(tenant).await?;
            let mut query = sqlx::QueryBuilder::<Db>::new(COLUMNS);
            query
                .push(" WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid());
            push_page(&mut query, "outbox_event_id", page);
            let rows: Vec<OutboxRow> = Store::fetch_list(tx, query).await?;
            paged(rows, page, OutboxRow::into_event, |event| {
                *event.id.as_uuid()
            })
        }
    }
}
