//! Milestones: created internal and planned under a project, moved through their state machine,
//! published explicitly and fed idempotently by external id. A milestone is shown to a client
//! only while it and its project are both shared.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Milestone, MilestoneInput};
use portal_core::state::MilestoneStatus;
use portal_core::{
    ClientId, MilestoneId, Permission, ProjectId, ResourceFacts, StateMachine, TenantId,
    TenantScope, Visibility,
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
use crate::traits::{MilestoneStore, Upserted};
use crate::{Page, Paged, StoreError, StoreResult};

/// The columns of a milestone row with its effective visibility, from `m` joined to its
/// project `p`.
macro_rules! milestone_select {
    () => {
        "SELECT m.milestone_id, m.tenant_id, m.client_id, m.project_id, m.title, m.status, \
         m.due_on, m.position, m.visibility, m.external_id, m.created_at, \
         (m.visibility = 'shared' AND p.visibility = 'shared') AS shared \
         FROM portal_milestone m \
         JOIN portal_project p ON p.tenant_id = m.tenant_id AND p.project_id = m.project_id"
    };
}

/// A milestone's effective visibility in list conditions.
const SHARED: &str = "m.visibility = 'shared' AND p.visibility = 'shared'";

const SELECT_ONE: &str = concat!(
    milestone_select!(),
    " WHERE m.milestone_id = $1 AND m.tenant_id = $2"
);

const INSERT: &str = "INSERT INTO portal_milestone (milestone_id, tenant_id, client_id, \
    project_id, title, status, due_on, position, visibility, external_id, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

const UPDATE: &str = "UPDATE portal_milestone SET title = $1, due_on = $2, position = $3, \
    external_id = $4 WHERE milestone_id = $5 AND tenant_id = $6";

/// Conditional on the status read, so a concurrent move cannot be silently overwritten.
const MOVE: &str = "UPDATE portal_milestone SET status = $1 \
    WHERE milestone_id = $2 AND tenant_id = $3 AND status = $4";

const SET_VISIBILITY: &str =
    "UPDATE portal_milestone SET visibility = $1 WHERE milestone_id = $2 AND tenant_id = $3";

const BY_EXTERNAL_ID: &str =
    "SELECT milestone_id FROM portal_milestone WHERE tenant_id = $1 AND external_id = $2";

/// A whole milestone by external id, through the `(tenant_id, external_id)` unique index.
const SELECT_BY_EXTERNAL_ID: &str = concat!(
    milestone_select!(),
    " WHERE m.tenant_id = $1 AND m.external_id = $2"
);

/// A stored milestone with its effective visibility.
#[derive(sqlx::FromRow)]
struct MilestoneRow {
    milestone_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    project_id: Uuid,
    title: String,
    status: String,
    due_on: Option<Date>,
    position: i32,
    visibility: String,
    external_id: Option<String>,
    created_at: OffsetDateTime,
    shared: bool,
}

impl MilestoneRow {
    fn into_seen(self) -> StoreResult<Seen<Milestone>> {
        let milestone = Milestone {
            id: MilestoneId::from_uuid(self.milestone_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            project: ProjectId::from_uuid(self.project_id),
            title: parsed("title", &self.title)?,
            status: state("status", &self.status)?,
            due_on: self.due_on,
            position: self.position,
            visibility: visibility(&self.visibility)?,
            external_id: self.external_id,
            created_at: self.created_at,
        };
        let (tenant, client) = (milestone.tenant, milestone.client);
        Ok(Seen::new(milestone, tenant, client, self.shared))
    }
}

for_each_backend! {
    impl Store {
        /// A milestone of `tenant` with its facts, whatever the scope may see of it.
        pub(super) async fn fetch_milestone(
            tx: &mut Conn,
            tenant: TenantId,
            id: MilestoneId,
        ) -> StoreResult<Option<Seen<Milestone>>> {
            Store::fetch_seen(
                tx,
                SELECT_ONE,
                *id.as_uuid(),
                tenant,
                MilestoneRow::into_seen,
            )
            .await
        }
    }

    async fn create_in(
        tx: &mut Conn,
        scope: &TenantScope,
        input: MilestoneInput,
        audit: &AuditContext,
    ) -> StoreResult<Milestone> {
        let tenant = scope.tenant_id();
        let project = Store::fetch_project(tx, tenant, input.project)
            .await?
            .ok_or(StoreError::NotFound)?
            .record;
        let facts = ResourceFacts::of_client(tenant, project.client, Visibility::Internal);
        rules::require(scope, Permission::ManageMilestones, &facts)?;
        check_external_id(input.external_id.as_deref())?;
        let milestone = rules::new_milestone(tenant, &project, input, now());
        sqlx::query(INSERT)
            .bind(*milestone.id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(*milestone.client.as_uuid())
            .bind(*milestone.project.as_uuid())
            .bind(milestone.title.as_str())
            .bind(milestone.status.name())
            .bind(milestone.due_on)
            .bind(milestone.position)
            .bind(visibility_name(milestone.visibility))
            .bind(milestone.external_id.as_deref())
            .bind(milestone.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
        let details = json!({ "project": milestone.project });
        let event = event(
            scope,
            events::MILESTONE_CREATED,
            "milestone",
            milestone.id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        Ok(milestone)
    }

    async fn update_in(
        tx: &mut Conn,
        scope: &TenantScope,
        id: MilestoneId,
        input: MilestoneInput,
        audit: &AuditContext,
    ) -> StoreResult<Milestone> {
        let tenant = scope.tenant_id();
        let current = permitted(
            scope,
            Permission::ManageMilestones,
            Store::fetch_milestone(tx, tenant, id).await?,
        )?
        .record;
        if input.project != current.project {
            return Err(fixed("project"));
        }
        check_external_id(input.external_id.as_deref())?;
        let Some(next) = rules::edited_milestone(&current, input) else {
            return Ok(current);
        };
        sqlx::query(UPDATE)
            .bind(next.title.as_str())
            .bind(next.due_on)
            .bind(next.position)
            .bind(next.external_id.as_deref())
            .bind(*id.as_uuid())
            .bind(*tenant.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
        let details = json!({ "project": next.project });
        let event = event(
            scope,
            events::MILESTONE_UPDATED,
            "milestone",
            id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        Ok(next)
    }

    #[async_trait]
    impl MilestoneStore for Store {
        async fn create_milestone(
            &self,
            scope: &TenantScope,
            milestone: MilestoneInput,
            audit: &AuditContext,
        ) -> StoreResult<Milestone> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let milestone = create_in(&mut tx, scope, milestone, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(milestone)
        }

        async fn milestone(
            &self,
            scope: &TenantScope,
            id: MilestoneId,
        ) -> StoreResult<Option<Milestone>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = Store::fetch_milestone(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewMilestones, row)
        }

        async fn milestone_by_external_id(
            &self,
            scope: &TenantScope,
            external_id: &str,
        ) -> StoreResult<Option<Milestone>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row: Option<MilestoneRow> = sqlx::query_as(SELECT_BY_EXTERNAL_ID)
                .bind(*scope.tenant_id().as_uuid())
                .bind(external_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let row = row.map(MilestoneRow::into_seen).transpose()?;
            readable(scope, Permission::ViewMilestones, row)
        }

        async fn list_milestones(
            &self,
            scope: &TenantScope,
            project: ProjectId,
            page: Page,
        ) -> StoreResult<Paged<Milestone>> {
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            permitted(
                scope,
                Permission::ViewMilestones,
                Store::fetch_project(&mut tx, tenant, project).await?,
            )?;
            let rule = ListRule::new(scope, Permission::ViewMilestones);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let mut query = QueryBuilder::<Db>::new(milestone_select!());
            query
                .push(" WHERE m.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            query
                .push(" AND m.project_id = ")
                .push_bind(*project.as_uuid());
            push_rule(&mut query, &rule, "m.client_id", SHARED);
            push_page(&mut query, "m.milestone_id", page);
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, MilestoneRow::into_seen, |milestone| {
                *milestone.id.as_uuid()
            })
        }

        async fn update_milestone(
            &self,
            scope: &TenantScope,
            id: MilestoneId,
            milestone: MilestoneInput,
            audit: &AuditContext,
        ) -> StoreResult<Milestone> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let milestone = update_in(&mut tx, scope, id, milestone, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(milestone)
        }

        async fn move_milestone(
            &self,
            scope: &TenantScope,
            id: MilestoneId,
            to: MilestoneStatus,
            audit: &AuditContext,
        ) -> StoreResult<Milestone> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = permitted(
                scope,
                Permission::ManageMilestones,
                Store::fetch_milestone(&mut tx, tenant, id).await?,
            )?
            .record;
            let status = current.status.transition(to)?;
            if !Store::shift_in(&mut tx, MOVE, tenant, id.as_uuid(), current.status, status).await?
            {
                return Err(StoreError::conflict("milestone moved concurrently"));
            }
            let event = move_event(
                scope,
                events::MILESTONE_MOVED,
                "milestone",
                id.as_uuid(),
                current.status,
                status,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            let payload = json!({
                "milestone": id,
                "project": current.project,
                "client": current.client,
                "status": status,
            });
            Store::enqueue_in(&mut tx, tenant, events::MILESTONE_MOVED, &payload).await?;
            tx.commit().await.map_err(backend)?;
            Ok(Milestone { status, ..current })
        }

        async fn set_milestone_visibility(
            &self,
            scope: &TenantScope,
            id: MilestoneId,
            visibility: Visibility,
            audit: &AuditContext,
        ) -> StoreResult<Milestone> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let fetched = Store::fetch_milestone(&mut tx, tenant, id).await?;
            let milestone =
                Store::publish_in(&mut tx, scope, SET_VISIBILITY, fetched, visibility, audit)
                    .await?;
            tx.commit().await.map_err(backend)?;
            Ok(milestone)
        }

        async fn upsert_milestone(
            &self,
            scope: &TenantScope,
            milestone: MilestoneInput,
            audit: &AuditContext,
        ) -> StoreResult<Upserted<Milestone>> {
            let tenant = scope.tenant_id();
            let external_id = require_external_id(milestone.external_id.as_deref())?.to_owned();
            let mut tx = self.write(tenant).await?;
            Store::fetch_project(&mut tx, tenant, milestone.project)
                .await?
                .ok_or(StoreError::NotFound)?;
            let existing =
                Store::by_external_id_in(&mut tx, BY_EXTERNAL_ID, tenant, &external_id).await?;
            let upserted = match existing {
                Some(id) => Upserted {
                    record: update_in(&mut tx, scope, MilestoneId::from_uuid(id), milestone, audit)
                        .await?,
                    created: false,
                },
                None => Upserted {
                    record: create_in(&mut tx, scope, milestone, audit).await?,
                    created: true,
                },
            };
            tx.commit().await.map_err(backend)?;
            Ok(upserted)
        }
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod tests {
    use super::super::work_fixture::assert_external_id_lookup_indexed;
    use super::*;

    /// The lookup by external id searches the `(tenant_id, external_id)` unique index: no scan.
    #[tokio::test]
    async fn the_lookup_by_external_id_uses_an_index() {
        assert_external_id_lookup_indexed(SELECT_BY_EXTERNAL_ID).await;
    }
}
