//! Next steps: created internal, owned by the client or the team, marked done (or reopened) by
//! staff who manage tasks or by anyone who may complete their own side's tasks. A task is shown to
//! a client only while it and its project are both shared.

use async_trait::async_trait;
use portal_core::model::{AuditContext, NewTask, Task, TaskOwner};
use portal_core::state::TaskStatus;
use portal_core::{
    ClientId, Permission, ProjectId, StateMachine, TaskId, TenantId, TenantScope, UserId,
    Visibility,
};
use serde_json::json;
use sqlx::QueryBuilder;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::convert::{parsed, state};
use super::visibility::{Seen, empty_page, push_eq, push_page, push_rule, readable, seen_page};
use super::work_convert::{task_owner, task_owner_name, visibility, visibility_name};
use super::work_rules::{event, move_event};
use crate::rules::{self, ListRule, events};
use crate::traits::TaskStore;
use crate::{Page, Paged, StoreError, StoreResult};

/// The columns of a task row with its effective visibility, from `t` joined to its project.
macro_rules! task_select {
    () => {
        "SELECT t.task_id, t.tenant_id, t.client_id, t.project_id, t.title, t.owner, t.assignee, \
         t.status, t.due_on, t.visibility, t.created_at, \
         (t.visibility = 'shared' AND p.visibility = 'shared') AS shared \
         FROM portal_task t \
         JOIN portal_project p ON p.tenant_id = t.tenant_id AND p.project_id = t.project_id"
    };
}

const SHARED: &str = "t.visibility = 'shared' AND p.visibility = 'shared'";

const SELECT_ONE: &str = concat!(task_select!(), " WHERE t.task_id = $1 AND t.tenant_id = $2");

const INSERT: &str = "INSERT INTO portal_task (task_id, tenant_id, client_id, project_id, title, \
    owner, assignee, status, due_on, visibility, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Conditional on the status read, so a concurrent change cannot be silently overwritten.
const SET_STATUS: &str = "UPDATE portal_task SET status = $1 \
    WHERE task_id = $2 AND tenant_id = $3 AND status = $4";

const SET_VISIBILITY: &str =
    "UPDATE portal_task SET visibility = $1 WHERE task_id = $2 AND tenant_id = $3";

/// A stored task with its effective visibility.
#[derive(sqlx::FromRow)]
struct TaskRow {
    task_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    project_id: Uuid,
    title: String,
    owner: String,
    assignee: Option<Uuid>,
    status: String,
    due_on: Option<Date>,
    visibility: String,
    created_at: OffsetDateTime,
    shared: bool,
}

impl TaskRow {
    fn into_seen(self) -> StoreResult<Seen<Task>> {
        let task = Task {
            id: TaskId::from_uuid(self.task_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            project: ProjectId::from_uuid(self.project_id),
            title: parsed("title", &self.title)?,
            owner: task_owner(&self.owner)?,
            assignee: self.assignee.map(UserId::from_uuid),
            status: state("status", &self.status)?,
            due_on: self.due_on,
            visibility: visibility(&self.visibility)?,
            created_at: self.created_at,
        };
        let (tenant, client) = (task.tenant, task.client);
        Ok(Seen::new(task, tenant, client, self.shared))
    }
}

/// Whether the scope may mark `task` done or open: staff who manage tasks may change any task;
/// otherwise a task of one's own side needs `complete_tasks`. A task the scope may not see at all
/// stays not found.
fn may_complete(scope: &TenantScope, task: &Seen<Task>) -> StoreResult<()> {
    let Err(denied) = rules::require(scope, Permission::ManageTasks, &task.facts) else {
        return Ok(());
    };
    let own_side = match task.record.owner {
        TaskOwner::Team => scope.is_staff_side(),
        TaskOwner::Client => !scope.is_staff_side(),
    };
    if matches!(denied, StoreError::NotFound) || !own_side {
        return Err(denied);
    }
    rules::require(scope, Permission::CompleteTasks, &task.facts)
}

for_each_backend! {
    impl Store {
        /// A task of `tenant` with its facts, whatever the scope may see of it.
        pub(super) async fn fetch_task(
            tx: &mut Conn,
            tenant: TenantId,
            id: TaskId,
        ) -> StoreResult<Option<Seen<Task>>> {
            Store::fetch_seen(tx, SELECT_ONE, *id.as_uuid(), tenant, TaskRow::into_seen).await
        }
    }

    #[async_trait]
    impl TaskStore for Store {
        async fn create_task(
            &self,
            scope: &TenantScope,
            task: NewTask,
            audit: &AuditContext,
        ) -> StoreResult<Task> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let project =
                Store::project_for_new(&mut tx, scope, task.project, Permission::ManageTasks)
                    .await?;
            if let Some(assignee) = task.assignee
                && !Store::user_of_tenant(&mut tx, tenant, assignee).await?
            {
                return Err(StoreError::NotFound);
            }
            let created = Task {
                id: TaskId::new(),
                tenant,
                client: project.client,
                project: project.id,
                title: task.title,
                owner: task.owner,
                assignee: task.assignee,
                status: TaskStatus::Open,
                due_on: task.due_on,
                visibility: Visibility::Internal,
                created_at: now(),
            };
            sqlx::query(INSERT)
                .bind(*created.id.as_uuid())
                .bind(*tenant.as_uuid())
                .bind(*created.client.as_uuid())
                .bind(*created.project.as_uuid())
                .bind(created.title.as_str())
                .bind(task_owner_name(created.owner))
                .bind(created.assignee.map(|user| *user.as_uuid()))
                .bind(created.status.name())
                .bind(created.due_on)
                .bind(visibility_name(created.visibility))
                .bind(created.created_at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let details = json!({ "project": project.id, "owner": created.owner });
            let event = event(
                scope,
                events::TASK_CREATED,
                "task",
                created.id.as_uuid(),
                details,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(created)
        }

        async fn task(&self, scope: &TenantScope, id: TaskId) -> StoreResult<Option<Task>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = Store::fetch_task(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewTasks, row)
        }

        async fn list_tasks(
            &self,
            scope: &TenantScope,
            project: Option<ProjectId>,
            page: Page,
        ) -> StoreResult<Paged<Task>> {
            let rule = ListRule::new(scope, Permission::ViewTasks);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let tenant = scope.tenant_id();
            let mut query = QueryBuilder::<Db>::new(task_select!());
            query
                .push(" WHERE t.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            push_rule(&mut query, &rule, "t.client_id", SHARED);
            push_eq(
                &mut query,
                "t.project_id",
                project.map(|project| *project.as_uuid()),
            );
            push_page(&mut query, "t.task_id", page);
            let tx = self.read(tenant).await?;
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, TaskRow::into_seen, |task| *task.id.as_uuid())
        }

        async fn set_task_status(
            &self,
            scope: &TenantScope,
            id: TaskId,
            status: TaskStatus,
            audit: &AuditContext,
        ) -> StoreResult<Task> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = Store::fetch_task(&mut tx, tenant, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            may_complete(scope, &current)?;
            let current = current.record;
            let status = current.status.transition(status)?;
            if !Store::shift_in(
                &mut tx,
                SET_STATUS,
                tenant,
                id.as_uuid(),
                current.status,
                status,
            )
            .await?
            {
                return Err(StoreError::conflict("task changed concurrently"));
            }
            let event = move_event(
                scope,
                events::TASK_MOVED,
                "task",
                id.as_uuid(),
                current.status,
                status,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(Task { status, ..current })
        }

        async fn set_task_visibility(
            &self,
            scope: &TenantScope,
            id: TaskId,
            visibility: Visibility,
            audit: &AuditContext,
        ) -> StoreResult<Task> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let fetched = Store::fetch_task(&mut tx, tenant, id).await?;
            let task =
                Store::publish_in(&mut tx, scope, SET_VISIBILITY, fetched, visibility, audit)
                    .await?;
            tx.commit().await.map_err(backend)?;
            Ok(task)
        }
    }
}
