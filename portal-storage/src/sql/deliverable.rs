//! Deliverables: created internal and not started under a milestone, moved through their state
//! machine (approval outcomes move them through the approval store), published explicitly and
//! fed idempotently by external id. A deliverable is shown to a client only while it, its
//! milestone and its project are all shared.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Deliverable, DeliverableInput};
use portal_core::state::DeliverableStatus;
use portal_core::{
    ClientId, DeliverableId, MilestoneId, Permission, ProjectId, ResourceFacts, StateMachine,
    TenantId, TenantScope, Visibility,
};
use serde_json::json;
use sqlx::QueryBuilder;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::chain::now;
use super::convert::{parsed, state};
use super::visibility::{Seen, empty_page, permitted, push_page, push_rule, readable, seen_page};
use super::work_convert::{visibility, visibility_name};
use super::work_rules::{
    EXTERNAL_ID_TAKEN, check_external_id, event, fixed, move_event, require_external_id,
};
use super::{backend, map_db_error};
use crate::rules::{self, ListRule, events};
use crate::traits::{DeliverableStore, Upserted};
use crate::{Page, Paged, StoreError, StoreResult};

/// The columns of a deliverable row with its effective visibility, from `d` joined to its
/// milestone `m` and project `p`.
macro_rules! deliverable_select {
    () => {
        "SELECT d.deliverable_id, d.tenant_id, d.client_id, d.project_id, d.milestone_id, \
         d.title, d.status, d.due_on, d.visibility, d.external_id, d.created_at, \
         (d.visibility = 'shared' AND m.visibility = 'shared' AND p.visibility = 'shared') \
         AS shared \
         FROM portal_deliverable d \
         JOIN portal_milestone m ON m.tenant_id = d.tenant_id AND m.milestone_id = d.milestone_id \
         JOIN portal_project p ON p.tenant_id = d.tenant_id AND p.project_id = d.project_id"
    };
}

/// A deliverable's effective visibility in list conditions.
const SHARED: &str =
    "d.visibility = 'shared' AND m.visibility = 'shared' AND p.visibility = 'shared'";

const SELECT_ONE: &str = concat!(
    deliverable_select!(),
    " WHERE d.deliverable_id = $1 AND d.tenant_id = $2"
);

const INSERT: &str = "INSERT INTO portal_deliverable (deliverable_id, tenant_id, client_id, \
    project_id, milestone_id, title, status, due_on, visibility, external_id, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

const UPDATE: &str = "UPDATE portal_deliverable SET title = $1, due_on = $2, external_id = $3 \
    WHERE deliverable_id = $4 AND tenant_id = $5";

/// Conditional on the status read, so a concurrent move cannot be silently overwritten.
const MOVE: &str = "UPDATE portal_deliverable SET status = $1 \
    WHERE deliverable_id = $2 AND tenant_id = $3 AND status = $4";

const SET_VISIBILITY: &str =
    "UPDATE portal_deliverable SET visibility = $1 WHERE deliverable_id = $2 AND tenant_id = $3";

const BY_EXTERNAL_ID: &str =
    "SELECT deliverable_id FROM portal_deliverable WHERE tenant_id = $1 AND external_id = $2";

/// A stored deliverable with its effective visibility.
#[derive(sqlx::FromRow)]
struct DeliverableRow {
    deliverable_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    project_id: Uuid,
    milestone_id: Uuid,
    title: String,
    status: String,
    due_on: Option<Date>,
    visibility: String,
    external_id: Option<String>,
    created_at: OffsetDateTime,
    shared: bool,
}

impl DeliverableRow {
    fn into_seen(self) -> StoreResult<Seen<Deliverable>> {
        let deliverable = Deliverable {
            id: DeliverableId::from_uuid(self.deliverable_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            project: ProjectId::from_uuid(self.project_id),
            milestone: MilestoneId::from_uuid(self.milestone_id),
            title: parsed("title", &self.title)?,
            status: state("status", &self.status)?,
            due_on: self.due_on,
            visibility: visibility(&self.visibility)?,
            external_id: self.external_id,
            created_at: self.created_at,
        };
        let (tenant, client) = (deliverable.tenant, deliverable.client);
        Ok(Seen::new(deliverable, tenant, client, self.shared))
    }
}

for_each_backend! {
    impl Store {
        /// A deliverable of `tenant` with its facts, whatever the scope may see of it.
        pub(super) async fn fetch_deliverable(
            tx: &mut Conn,
            tenant: TenantId,
            id: DeliverableId,
        ) -> StoreResult<Option<Seen<Deliverable>>> {
            Store::fetch_seen(
                tx,
                SELECT_ONE,
                *id.as_uuid(),
                tenant,
                DeliverableRow::into_seen,
            )
            .await
        }

        /// Moves a deliverable from `from` to `to` if it is still in `from`; whether it moved.
        /// The caller checked the move against the state machine.
        pub(super) async fn shift_deliverable(
            tx: &mut Conn,
            tenant: TenantId,
            id: DeliverableId,
            from: DeliverableStatus,
            to: DeliverableStatus,
        ) -> StoreResult<bool> {
            Store::shift_in(tx, MOVE, tenant, id.as_uuid(), from, to).await
        }
    }

    async fn create_in(
        tx: &mut Conn,
        scope: &TenantScope,
        input: DeliverableInput,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable> {
        let tenant = scope.tenant_id();
        let milestone = Store::fetch_milestone(tx, tenant, input.milestone)
            .await?
            .ok_or(StoreError::NotFound)?
            .record;
        let facts = ResourceFacts::of_client(tenant, milestone.client, Visibility::Internal);
        rules::require(scope, Permission::ManageDeliverables, &facts)?;
        check_external_id(input.external_id.as_deref())?;
        let deliverable = rules::new_deliverable(tenant, &milestone, input, now());
        sqlx::query(INSERT)
            .bind(*deliverable.id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(*deliverable.client.as_uuid())
            .bind(*deliverable.project.as_uuid())
            .bind(*deliverable.milestone.as_uuid())
            .bind(deliverable.title.as_str())
            .bind(deliverable.status.name())
            .bind(deliverable.due_on)
            .bind(visibility_name(deliverable.visibility))
            .bind(deliverable.external_id.as_deref())
            .bind(deliverable.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
        let details = json!({ "milestone": deliverable.milestone });
        let event = event(
            scope,
            events::DELIVERABLE_CREATED,
            "deliverable",
            deliverable.id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        Ok(deliverable)
    }

    async fn update_in(
        tx: &mut Conn,
        scope: &TenantScope,
        id: DeliverableId,
        input: DeliverableInput,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable> {
        let tenant = scope.tenant_id();
        let current = permitted(
            scope,
            Permission::ManageDeliverables,
            Store::fetch_deliverable(tx, tenant, id).await?,
        )?
        .record;
        if input.milestone != current.milestone {
            return Err(fixed("milestone"));
        }
        check_external_id(input.external_id.as_deref())?;
        let Some(next) = rules::edited_deliverable(&current, input) else {
            return Ok(current);
        };
        sqlx::query(UPDATE)
            .bind(next.title.as_str())
            .bind(next.due_on)
            .bind(next.external_id.as_deref())
            .bind(*id.as_uuid())
            .bind(*tenant.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
        let details = json!({ "milestone": next.milestone });
        let event = event(
            scope,
            events::DELIVERABLE_UPDATED,
            "deliverable",
            id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        Ok(next)
    }

    #[async_trait]
    impl DeliverableStore for Store {
        async fn create_deliverable(
            &self,
            scope: &TenantScope,
            deliverable: DeliverableInput,
            audit: &AuditContext,
        ) -> StoreResult<Deliverable> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let deliverable = create_in(&mut tx, scope, deliverable, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(deliverable)
        }

        async fn deliverable(
            &self,
            scope: &TenantScope,
            id: DeliverableId,
        ) -> StoreResult<Option<Deliverable>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = Store::fetch_deliverable(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewDeliverables, row)
        }

        async fn list_deliverables(
            &self,
            scope: &TenantScope,
            milestone: MilestoneId,
            page: Page,
        ) -> StoreResult<Paged<Deliverable>> {
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            permitted(
                scope,
                Permission::ViewDeliverables,
                Store::fetch_milestone(&mut tx, tenant, milestone).await?,
            )?;
            let rule = ListRule::new(scope, Permission::ViewDeliverables);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let mut query = QueryBuilder::<Db>::new(deliverable_select!());
            query
                .push(" WHERE d.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            query
                .push(" AND d.milestone_id = ")
                .push_bind(*milestone.as_uuid());
            push_rule(&mut query, &rule, "d.client_id", SHARED);
            push_page(&mut query, "d.deliverable_id", page);
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, DeliverableRow::into_seen, |deliverable| {
                *deliverable.id.as_uuid()
            })
        }

        async fn update_deliverable(
            &self,
            scope: &TenantScope,
            id: DeliverableId,
            deliverable: DeliverableInput,
            audit: &AuditContext,
        ) -> StoreResult<Deliverable> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let deliverable = update_in(&mut tx, scope, id, deliverable, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(deliverable)
        }

        async fn move_deliverable(
            &self,
            scope: &TenantScope,
            id: DeliverableId,
            to: DeliverableStatus,
            audit: &AuditContext,
        ) -> StoreResult<Deliverable> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = permitted(
                scope,
                Permission::ManageDeliverables,
                Store::fetch_deliverable(&mut tx, tenant, id).await?,
            )?
            .record;
            // Approval outcomes come only from the client's decision.
            rules::manual_deliverable_move(to)?;
            let status = current.status.transition(to)?;
            if !Store::shift_deliverable(&mut tx, tenant, id, current.status, status).await? {
                return Err(StoreError::conflict("deliverable moved concurrently"));
            }
            let event = move_event(
                scope,
                events::DELIVERABLE_MOVED,
                "deliverable",
                id.as_uuid(),
                current.status,
                status,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(Deliverable { status, ..current })
        }

        async fn set_deliverable_visibility(
            &self,
            scope: &TenantScope,
            id: DeliverableId,
            visibility: Visibility,
            audit: &AuditContext,
        ) -> StoreResult<Deliverable> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let fetched = Store::fetch_deliverable(&mut tx, tenant, id).await?;
            let deliverable =
                Store::publish_in(&mut tx, scope, SET_VISIBILITY, fetched, visibility, audit)
                    .await?;
            tx.commit().await.map_err(backend)?;
            Ok(deliverable)
        }

        async fn upsert_deliverable(
            &self,
            scope: &TenantScope,
            deliverable: DeliverableInput,
            audit: &AuditContext,
        ) -> StoreResult<Upserted<Deliverable>> {
            let tenant = scope.tenant_id();
            let external_id = require_external_id(deliverable.external_id.as_deref())?.to_owned();
            let mut tx = self.write(tenant).await?;
            Store::fetch_milestone(&mut tx, tenant, deliverable.milestone)
                .await?
                .ok_or(StoreError::NotFound)?;
            let existing =
                Store::by_external_id_in(&mut tx, BY_EXTERNAL_ID, tenant, &external_id).await?;
            let upserted = match existing {
                Some(id) => Upserted {
                    record: update_in(
                        &mut tx,
                        scope,
                        DeliverableId::from_uuid(id),
                        deliverable,
                        audit,
                    )
                    .await?,
                    created: false,
                },
                None => Upserted {
                    record: create_in(&mut tx, scope, deliverable, audit).await?,
                    created: true,
                },
            };
            tx.commit().await.map_err(backend)?;
            Ok(upserted)
        }
    }
}
