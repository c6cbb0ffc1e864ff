//! Projects: created internal, published explicitly, fed idempotently by external id, and listed
//! for dashboards with their visible milestones counted in the same query.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Project, ProjectInput};
use portal_core::{ClientId, Invalid, Permission, ProjectId, TenantId, TenantScope, Visibility};
use serde_json::json;
use sqlx::QueryBuilder;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::chain::now;
use super::convert::parsed;
use super::visibility::{
    Seen, empty_page, permitted, push_eq, push_page, push_rule, readable, seen_page,
};
use super::work_convert::{date_range, money_opt, project_status, visibility, visibility_name};
use super::work_rules::{
    EXTERNAL_ID_TAKEN, check_external_id, event, fixed, invalid, require_external_id,
};
use super::{backend, map_db_error};
use crate::rules::{self, ListRule, events};
use crate::traits::{ProjectFilter, ProjectProgress, ProjectStore, Upserted};
use crate::{Page, Paged, StoreResult};

/// The columns of a project row, from the table aliased `p`.
macro_rules! project_columns {
    () => {
        "p.project_id, p.tenant_id, p.client_id, p.name, p.description, p.status, p.visibility, \
         p.schedule_start, p.schedule_end, p.budget_amount_minor, p.budget_currency, \
         p.external_id, p.created_at, p.updated_at"
    };
}

/// A project's effective visibility: its own, for it hangs under nothing.
const SHARED: &str = "p.visibility = 'shared'";

const SELECT_ONE: &str = concat!(
    "SELECT ",
    project_columns!(),
    " FROM portal_project p WHERE p.project_id = $1 AND p.tenant_id = $2"
);

const INSERT: &str = "INSERT INTO portal_project (project_id, tenant_id, client_id, name, \
    description, status, visibility, schedule_start, schedule_end, budget_amount_minor, \
    budget_currency, external_id, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

const UPDATE: &str = "UPDATE portal_project SET name = $1, description = $2, status = $3, \
    schedule_start = $4, schedule_end = $5, budget_amount_minor = $6, budget_currency = $7, \
    external_id = $8, updated_at = $9 WHERE project_id = $10 AND tenant_id = $11";

const SET_VISIBILITY: &str = "UPDATE portal_project SET visibility = $1, updated_at = $2 \
    WHERE project_id = $3 AND tenant_id = $4";

const BY_EXTERNAL_ID: &str =
    "SELECT project_id FROM portal_project WHERE tenant_id = $1 AND external_id = $2";

/// A whole project by external id, through the `(tenant_id, external_id)` unique index.
const SELECT_BY_EXTERNAL_ID: &str = concat!(
    "SELECT ",
    project_columns!(),
    " FROM portal_project p WHERE p.tenant_id = $1 AND p.external_id = $2"
);

/// A stored project.
#[derive(sqlx::FromRow)]
struct ProjectRow {
    project_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    name: String,
    description: String,
    status: String,
    visibility: String,
    schedule_start: Option<Date>,
    schedule_end: Option<Date>,
    budget_amount_minor: Option<i64>,
    budget_currency: Option<String>,
    external_id: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl ProjectRow {
    fn into_seen(self) -> StoreResult<Seen<Project>> {
        let project = Project {
            id: ProjectId::from_uuid(self.project_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            name: parsed("name", &self.name)?,
            description: self.description,
            status: project_status(&self.status)?,
            visibility: visibility(&self.visibility)?,
            schedule: date_range(self.schedule_start, self.schedule_end)?,
            budget: money_opt(self.budget_amount_minor, self.budget_currency.as_deref())?,
            external_id: self.external_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        let (tenant, client, shared) = (
            project.tenant,
            project.client,
            project.visibility.is_shared(),
        );
        Ok(Seen::new(project, tenant, client, shared))
    }
}

/// A project with its milestone counts, as the dashboard query returns it.
#[derive(sqlx::FromRow)]
struct ProgressRow {
    #[sqlx(flatten)]
    project: ProjectRow,
    milestones_total: i64,
    milestones_completed: i64,
}

/// Appends one correlated count of the milestones of `p` that `rule` lets the scope see,
/// optionally only the completed ones. The milestone's client is its project's (a foreign key
/// says so), so the client filter names `p.client_id` and the count reads the
/// `portal_milestone_progress` index alone.
fn push_milestone_count<DB>(
    query: &mut QueryBuilder<DB>,
    rule: &ListRule,
    completed: bool,
    alias: &str,
) where
    DB: sqlx::Database,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query.push(
        "(SELECT COUNT(*) FROM portal_milestone m \
         WHERE m.tenant_id = p.tenant_id AND m.project_id = p.project_id",
    );
    push_rule(
        query,
        rule,
        "p.client_id",
        "m.visibility = 'shared' AND p.visibility = 'shared'",
    );
    if completed {
        query.push(" AND m.status = 'completed'");
    }
    query.push(") AS ").push(alias);
}

/// Builds the project list after `query`'s prefix: the projects the scope may see, newest
/// first, with their visible milestones counted when `progress` (one correlated count per figure,
/// each read from the `portal_milestone_progress` index). `false` when the scope may list
/// nothing, and no query should run.
fn push_project_list<DB>(
    query: &mut QueryBuilder<DB>,
    scope: &TenantScope,
    filter: ProjectFilter,
    page: Page,
    progress: bool,
) -> bool
where
    DB: sqlx::Database,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'static str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let rule = ListRule::new(scope, Permission::ViewProjects);
    if rule.is_empty() {
        return false;
    }
    query.push(concat!("SELECT ", project_columns!()));
    if progress {
        let milestones = ListRule::new(scope, Permission::ViewMilestones);
        query.push(", ");
        push_milestone_count(query, &milestones, false, "milestones_total");
        query.push(", ");
        push_milestone_count(query, &milestones, true, "milestones_completed");
    }
    query
        .push(" FROM portal_project p WHERE p.tenant_id = ")
        .push_bind(*scope.tenant_id().as_uuid());
    push_rule(query, &rule, "p.client_id", SHARED);
    push_eq(
        query,
        "p.client_id",
        filter.client.map(|client| *client.as_uuid()),
    );
    push_eq(query, "p.status", filter.status.map(|status| status.name()));
    push_page(query, "p.project_id", page);
    true
}

for_each_backend! {
    impl Store {
        /// A project of `tenant` with its facts, whatever the scope may see of it.
        pub(super) async fn fetch_project(
            tx: &mut Conn,
            tenant: TenantId,
            id: ProjectId,
        ) -> StoreResult<Option<Seen<Project>>> {
            Store::fetch_seen(tx, SELECT_ONE, *id.as_uuid(), tenant, ProjectRow::into_seen).await
        }

        /// The project a new internal object goes into, once the scope may `permission` there.
        pub(super) async fn project_for_new(
            tx: &mut Conn,
            scope: &TenantScope,
            project: ProjectId,
            permission: Permission,
        ) -> StoreResult<Project> {
            let project = Store::fetch_project(tx, scope.tenant_id(), project)
                .await?
                .ok_or(crate::StoreError::NotFound)?
                .record;
            rules::require_in_client(scope, permission, project.client, Visibility::Internal)?;
            Ok(project)
        }

        /// The optional project of a new object of `client`: it must exist in the scope's
        /// tenant and be that client's. A project of a client the scope does not reach is
        /// simply not found; one of another client it reaches is a bad input.
        pub(super) async fn project_of_client(
            tx: &mut Conn,
            scope: &TenantScope,
            client: ClientId,
            project: Option<ProjectId>,
        ) -> StoreResult<Option<Seen<Project>>> {
            let Some(project) = project else {
                return Ok(None);
            };
            let project = Store::fetch_project(tx, scope.tenant_id(), project)
                .await?
                .ok_or(crate::StoreError::NotFound)?;
            if project.record.client == client {
                Ok(Some(project))
            } else if scope.can_reach_client(project.record.client) {
                Err(invalid(
                    "project",
                    Invalid::Malformed("belongs to another client"),
                ))
            } else {
                Err(crate::StoreError::NotFound)
            }
        }
    }

    async fn insert(tx: &mut Conn, project: &Project) -> StoreResult<()> {
        sqlx::query(INSERT)
            .bind(*project.id.as_uuid())
            .bind(*project.tenant.as_uuid())
            .bind(*project.client.as_uuid())
            .bind(project.name.as_str())
            .bind(project.description.as_str())
            .bind(project.status.name())
            .bind(visibility_name(project.visibility))
            .bind(project.schedule.map(|range| range.start()))
            .bind(project.schedule.map(|range| range.end()))
            .bind(project.budget.map(|money| money.amount_minor))
            .bind(project.budget.map(|money| money.currency.code()))
            .bind(project.external_id.as_deref())
            .bind(project.created_at)
            .bind(project.updated_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
        Ok(())
    }

    async fn create_in(
        tx: &mut Conn,
        scope: &TenantScope,
        input: ProjectInput,
        audit: &AuditContext,
    ) -> StoreResult<Project> {
        let tenant = scope.tenant_id();
        if !Store::client_of_tenant(tx, tenant, input.client).await? {
            return Err(crate::StoreError::NotFound);
        }
        rules::require_in_client(
            scope,
            Permission::ManageProjects,
            input.client,
            Visibility::Internal,
        )?;
        check_external_id(input.external_id.as_deref())?;
        let project = rules::new_project(tenant, input, now());
        insert(tx, &project).await?;
        let details = json!({ "client": project.client });
        let event = event(
            scope,
            events::PROJECT_CREATED,
            "project",
            project.id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        Ok(project)
    }

    async fn update_in(
        tx: &mut Conn,
        scope: &TenantScope,
        id: ProjectId,
        input: ProjectInput,
        audit: &AuditContext,
    ) -> StoreResult<Project> {
        let tenant = scope.tenant_id();
        let current = permitted(
            scope,
            Permission::ManageProjects,
            Store::fetch_project(tx, tenant, id).await?,
        )?
        .record;
        if input.client != current.client {
            return Err(fixed("client"));
        }
        check_external_id(input.external_id.as_deref())?;
        let Some(next) = rules::edited_project(&current, input, now()) else {
            return Ok(current);
        };
        sqlx::query(UPDATE)
            .bind(next.name.as_str())
            .bind(next.description.as_str())
            .bind(next.status.name())
            .bind(next.schedule.map(|range| range.start()))
            .bind(next.schedule.map(|range| range.end()))
            .bind(next.budget.map(|money| money.amount_minor))
            .bind(next.budget.map(|money| money.currency.code()))
            .bind(next.external_id.as_deref())
            .bind(next.updated_at)
            .bind(*id.as_uuid())
            .bind(*tenant.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
        let details = json!({ "status": next.status });
        let event = event(
            scope,
            events::PROJECT_UPDATED,
            "project",
            id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        Ok(next)
    }

    #[async_trait]
    impl ProjectStore for Store {
        async fn create_project(
            &self,
            scope: &TenantScope,
            project: ProjectInput,
            audit: &AuditContext,
        ) -> StoreResult<Project> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let project = create_in(&mut tx, scope, project, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(project)
        }

        async fn project(
            &self,
            scope: &TenantScope,
            id: ProjectId,
        ) -> StoreResult<Option<Project>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = Store::fetch_project(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewProjects, row)
        }

        async fn project_by_external_id(
            &self,
            scope: &TenantScope,
            external_id: &str,
        ) -> StoreResult<Option<Project>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row: Option<ProjectRow> = sqlx::query_as(SELECT_BY_EXTERNAL_ID)
                .bind(*scope.tenant_id().as_uuid())
                .bind(external_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let row = row.map(ProjectRow::into_seen).transpose()?;
            readable(scope, Permission::ViewProjects, row)
        }

        async fn list_projects(
            &self,
            scope: &TenantScope,
            filter: ProjectFilter,
            page: Page,
        ) -> StoreResult<Paged<Project>> {
            let mut query = QueryBuilder::<Db>::new("");
            if !push_project_list(&mut query, scope, filter, page, false) {
                return Ok(empty_page());
            }
            let tx = self.read(scope.tenant_id()).await?;
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, ProjectRow::into_seen, |project| {
                *project.id.as_uuid()
            })
        }

        async fn list_project_progress(
            &self,
            scope: &TenantScope,
            filter: ProjectFilter,
            page: Page,
        ) -> StoreResult<Paged<ProjectProgress>> {
            let mut query = QueryBuilder::<Db>::new("");
            if !push_project_list(&mut query, scope, filter, page, true) {
                return Ok(empty_page());
            }
            let mut tx = self.read(scope.tenant_id()).await?;
            let rows = query
                .build_query_as::<ProgressRow>()
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let items = rows
                .into_iter()
                .map(|row| {
                    Ok(ProjectProgress {
                        project: row.project.into_seen()?.record,
                        milestones_total: row.milestones_total,
                        milestones_completed: row.milestones_completed,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Paged::from_overfetch(items, page, |progress| {
                *progress.project.id.as_uuid()
            }))
        }

        async fn update_project(
            &self,
            scope: &TenantScope,
            id: ProjectId,
            project: ProjectInput,
            audit: &AuditContext,
        ) -> StoreResult<Project> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let project = update_in(&mut tx, scope, id, project, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(project)
        }

        async fn set_project_visibility(
            &self,
            scope: &TenantScope,
            id: ProjectId,
            visibility: Visibility,
            audit: &AuditContext,
        ) -> StoreResult<Project> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = permitted(
                scope,
                Permission::Publish,
                Store::fetch_project(&mut tx, tenant, id).await?,
            )?
            .record;
            if current.visibility == visibility {
                return Ok(current);
            }
            let next = Project {
                visibility,
                updated_at: now(),
                ..current
            };
            sqlx::query(SET_VISIBILITY)
                .bind(visibility_name(visibility))
                .bind(next.updated_at)
                .bind(*id.as_uuid())
                .bind(*tenant.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            Store::announce_visibility_in(&mut tx, scope, &next, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(next)
        }

        async fn upsert_project(
            &self,
            scope: &TenantScope,
            project: ProjectInput,
            audit: &AuditContext,
        ) -> StoreResult<Upserted<Project>> {
            let tenant = scope.tenant_id();
            let external_id = require_external_id(project.external_id.as_deref())?.to_owned();
            let mut tx = self.write(tenant).await?;
            let existing =
                Store::by_external_id_in(&mut tx, BY_EXTERNAL_ID, tenant, &external_id).await?;
            let upserted = match existing {
                Some(id) => Upserted {
                    record: update_in(&mut tx, scope, ProjectId::from_uuid(id), project, audit)
                        .await?,
                    created: false,
                },
                None => Upserted {
                    record: create_in(&mut tx, scope, project, audit).await?,
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
    use portal_core::state::MilestoneStatus;
    use portal_core::{BuiltinRole, TenantScope};

    use super::super::work_fixture::{
        assert_external_id_lookup_indexed, assert_indexed, client, ctx, database, member, plan,
        project, tenant, work,
    };
    use super::*;
    use crate::Backend;

    fn page() -> Page {
        Page::first(50).unwrap()
    }

    /// SEC-27: a contact lists only its own client's published projects; another tenant lists
    /// nothing.
    async fn contacts_list_only_their_clients_shared_projects(store: &impl Backend) {
        let acme = tenant(store).await;
        let manager = member(store, acme, BuiltinRole::Manager, &[]).await;
        let (mine, theirs) = (client(store, acme).await, client(store, acme).await);
        let contact = member(store, acme, BuiltinRole::Viewer, &[mine]).await;
        let shared = project(store, &manager, mine, Visibility::Shared).await;
        let internal = project(store, &manager, mine, Visibility::Internal).await;
        let other = project(store, &manager, theirs, Visibility::Shared).await;

        let listed = store
            .list_projects(&contact, ProjectFilter::default(), page())
            .await
            .unwrap();
        let ids: Vec<ProjectId> = listed.items.iter().map(|project| project.id).collect();
        assert_eq!(ids, vec![shared]);
        assert!(store.project(&contact, internal).await.unwrap().is_none());
        assert!(store.project(&contact, other).await.unwrap().is_none());
        let asked_for_other = ProjectFilter {
            client: Some(theirs),
            status: None,
        };
        assert!(
            store
                .list_projects(&contact, asked_for_other, page())
                .await
                .unwrap()
                .items
                .is_empty()
        );

        let staff = store
            .list_projects(&manager, ProjectFilter::default(), page())
            .await
            .unwrap();
        let ids: Vec<ProjectId> = staff.items.iter().map(|project| project.id).collect();
        assert_eq!(ids, vec![other, internal, shared], "newest first");
        let stranger = TenantScope::dangerous_system(tenant(store).await);
        assert!(
            store
                .list_projects(&stranger, ProjectFilter::default(), page())
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert!(store.project(&stranger, shared).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn contacts_list_only_their_clients_shared_projects_on_sqlite() {
        contacts_list_only_their_clients_shared_projects(&database(2).await.store).await;
    }

    #[cfg(feature = "postgres")]
    #[tokio::test]
    async fn contacts_list_only_their_clients_shared_projects_on_postgres() {
        if let Some(store) = super::super::work_fixture::postgres(4).await {
            contacts_list_only_their_clients_shared_projects(&store).await;
        }
    }

    async fn progress_counts_the_milestones_each_scope_sees(store: &impl Backend) {
        let acme = tenant(store).await;
        let manager = member(store, acme, BuiltinRole::Manager, &[]).await;
        let client = client(store, acme).await;
        let contact = member(store, acme, BuiltinRole::Viewer, &[client]).await;
        let shared = project(store, &manager, client, Visibility::Shared).await;
        let internal = project(store, &manager, client, Visibility::Internal).await;
        let work = work(store, &manager, client, shared).await;
        store
            .move_milestone(
                &manager,
                work.milestone,
                MilestoneStatus::InProgress,
                &ctx(),
            )
            .await
            .unwrap();
        store
            .move_milestone(&manager, work.milestone, MilestoneStatus::Completed, &ctx())
            .await
            .unwrap();
        let hidden = MilestoneInputs::internal(shared);
        store
            .create_milestone(&manager, hidden, &ctx())
            .await
            .unwrap();
        store
            .create_milestone(&manager, MilestoneInputs::internal(internal), &ctx())
            .await
            .unwrap();

        let counts = |paged: Paged<ProjectProgress>| -> Vec<(ProjectId, i64, i64)> {
            paged
                .items
                .into_iter()
                .map(|row| {
                    (
                        row.project.id,
                        row.milestones_total,
                        row.milestones_completed,
                    )
                })
                .collect()
        };
        let for_staff = store
            .list_project_progress(&manager, ProjectFilter::default(), page())
            .await
            .unwrap();
        assert_eq!(counts(for_staff), vec![(internal, 1, 0), (shared, 2, 1)]);
        let for_contact = store
            .list_project_progress(&contact, ProjectFilter::default(), page())
            .await
            .unwrap();
        assert_eq!(
            counts(for_contact),
            vec![(shared, 1, 1)],
            "internal milestones are not counted"
        );
    }

    #[tokio::test]
    async fn progress_counts_the_milestones_each_scope_sees_on_sqlite() {
        progress_counts_the_milestones_each_scope_sees(&database(2).await.store).await;
    }

    #[cfg(feature = "postgres")]
    #[tokio::test]
    async fn progress_counts_the_milestones_each_scope_sees_on_postgres() {
        if let Some(store) = super::super::work_fixture::postgres(4).await {
            progress_counts_the_milestones_each_scope_sees(&store).await;
        }
    }

    /// The dashboard's project list with progress reads indexes only, for a contact (a client
    /// filter) and for staff (every client).
    #[tokio::test]
    async fn the_progress_query_uses_indexes() {
        let db = database(1).await;
        let store = &db.store;
        let acme = tenant(store).await;
        let manager = member(store, acme, BuiltinRole::Manager, &[]).await;
        let (first, second) = (client(store, acme).await, client(store, acme).await);
        let member_of_two = member(store, acme, BuiltinRole::Member, &[first, second]).await;
        let contact = member(store, acme, BuiltinRole::Viewer, &[first]).await;
        for scope in [&contact, &member_of_two, &manager] {
            let mut query = QueryBuilder::new("EXPLAIN QUERY PLAN ");
            assert!(push_project_list(
                &mut query,
                scope,
                ProjectFilter::default(),
                page(),
                true
            ));
            let plan = plan(store, query).await;
            assert_indexed(&plan);
            assert!(
                plan.iter()
                    .any(|step| step.contains("portal_milestone_progress")),
                "{plan:#?}"
            );
        }
    }

    /// The lookup by external id searches the `(tenant_id, external_id)` unique index: no scan.
    #[tokio::test]
    async fn the_lookup_by_external_id_uses_an_index() {
        assert_external_id_lookup_indexed(SELECT_BY_EXTERNAL_ID).await;
    }

    /// Milestone inputs for the tests.
    struct MilestoneInputs;

    impl MilestoneInputs {
        fn internal(project: ProjectId) -> portal_core::model::MilestoneInput {
            portal_core::model::MilestoneInput {
                project,
                title: portal_core::DisplayName::parse("Internal").unwrap(),
                due_on: None,
                position: 2,
                external_id: None,
            }
        }
    }
}
