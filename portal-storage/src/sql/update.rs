//! Status updates: written as internal drafts, published explicitly, and shown to a client only
//! while the update and its project are both shared. The dashboard reads a client's latest ones.

use async_trait::async_trait;
use portal_core::model::{AuditContext, NewUpdate, Update};
use portal_core::{ClientId, Permission, ProjectId, TenantId, TenantScope, UpdateId, Visibility};
use serde_json::json;
use sqlx::QueryBuilder;
use time::OffsetDateTime;
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::convert::parsed;
use super::visibility::{Seen, empty_page, push_eq, push_page, push_rule, readable, seen_page};
use super::work_convert::{acting_person, person, visibility, visibility_name};
use super::work_rules::event;
use crate::rules::{ListRule, events};
use crate::traits::UpdateStore;
use crate::{Page, Paged, StoreResult};

/// The columns of an update row with its effective visibility, from `u` joined to its project.
macro_rules! update_select {
    () => {
        "SELECT u.update_id, u.tenant_id, u.client_id, u.project_id, u.title, u.body, \
         u.visibility, u.author, u.created_at, \
         (u.visibility = 'shared' AND p.visibility = 'shared') AS shared \
         FROM portal_update u \
         JOIN portal_project p ON p.tenant_id = u.tenant_id AND p.project_id = u.project_id"
    };
}

const SHARED: &str = "u.visibility = 'shared' AND p.visibility = 'shared'";

const SELECT_ONE: &str = concat!(
    update_select!(),
    " WHERE u.update_id = $1 AND u.tenant_id = $2"
);

const INSERT: &str = "INSERT INTO portal_update (update_id, tenant_id, client_id, project_id, \
    title, body, visibility, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

const SET_VISIBILITY: &str =
    "UPDATE portal_update SET visibility = $1 WHERE update_id = $2 AND tenant_id = $3";

/// A stored update with its effective visibility.
#[derive(sqlx::FromRow)]
struct UpdateRow {
    update_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    project_id: Uuid,
    title: String,
    body: String,
    visibility: String,
    author: Option<Uuid>,
    created_at: OffsetDateTime,
    shared: bool,
}

impl UpdateRow {
    fn into_seen(self) -> StoreResult<Seen<Update>> {
        let update = Update {
            id: UpdateId::from_uuid(self.update_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            project: ProjectId::from_uuid(self.project_id),
            title: parsed("title", &self.title)?,
            body: self.body,
            visibility: visibility(&self.visibility)?,
            author: person(self.author),
            created_at: self.created_at,
        };
        let (tenant, client) = (update.tenant, update.client);
        Ok(Seen::new(update, tenant, client, self.shared))
    }
}

/// Builds the update list after `query`'s prefix: the updates the scope may see, newest first
/// (a client's latest read the `(tenant_id, client_id, update_id)` index). `false` when the
/// scope may list nothing, and no query should run.
fn push_update_list<DB>(
    query: &mut QueryBuilder<DB>,
    scope: &TenantScope,
    project: Option<ProjectId>,
    page: Page,
) -> bool
where
    DB: sqlx::Database,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let rule = ListRule::new(scope, Permission::ViewUpdates);
    if rule.is_empty() {
        return false;
    }
    query.push(update_select!());
    query
        .push(" WHERE u.tenant_id = ")
        .push_bind(*scope.tenant_id().as_uuid());
    push_rule(query, &rule, "u.client_id", SHARED);
    push_eq(
        query,
        "u.project_id",
        project.map(|project| *project.as_uuid()),
    );
    push_page(query, "u.update_id", page);
    true
}

for_each_backend! {
    async fn fetch(
        tx: &mut Conn,
        tenant: TenantId,
        id: UpdateId,
    ) -> StoreResult<Option<Seen<Update>>> {
        Store::fetch_seen(tx, SELECT_ONE, *id.as_uuid(), tenant, UpdateRow::into_seen).await
    }

    #[async_trait]
    impl UpdateStore for Store {
        async fn create_update(
            &self,
            scope: &TenantScope,
            update: NewUpdate,
            audit: &AuditContext,
        ) -> StoreResult<Update> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let project =
                Store::project_for_new(&mut tx, scope, update.project, Permission::ManageUpdates)
                    .await?;
            let author = acting_person(scope);
            let created = Update {
                id: UpdateId::new(),
                tenant,
                client: project.client,
                project: project.id,
                title: update.title,
                body: update.body,
                visibility: Visibility::Internal,
                author: person(author),
                created_at: now(),
            };
            sqlx::query(INSERT)
                .bind(*created.id.as_uuid())
                .bind(*tenant.as_uuid())
                .bind(*created.client.as_uuid())
                .bind(*created.project.as_uuid())
                .bind(created.title.as_str())
                .bind(created.body.as_str())
                .bind(visibility_name(created.visibility))
                .bind(author)
                .bind(created.created_at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let details = json!({ "project": project.id });
            let event = event(
                scope,
                events::UPDATE_CREATED,
                "update",
                created.id.as_uuid(),
                details,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(created)
        }

        async fn update(&self, scope: &TenantScope, id: UpdateId) -> StoreResult<Option<Update>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = fetch(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewUpdates, row)
        }

        async fn list_updates(
            &self,
            scope: &TenantScope,
            project: Option<ProjectId>,
            page: Page,
        ) -> StoreResult<Paged<Update>> {
            let mut query = QueryBuilder::<Db>::new("");
            if !push_update_list(&mut query, scope, project, page) {
                return Ok(empty_page());
            }
            let tx = self.read(scope.tenant_id()).await?;
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, UpdateRow::into_seen, |update| {
                *update.id.as_uuid()
            })
        }

        async fn set_update_visibility(
            &self,
            scope: &TenantScope,
            id: UpdateId,
            visibility: Visibility,
            audit: &AuditContext,
        ) -> StoreResult<Update> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let fetched = fetch(&mut tx, tenant, id).await?;
            let update =
                Store::publish_in(&mut tx, scope, SET_VISIBILITY, fetched, visibility, audit)
                    .await?;
            tx.commit().await.map_err(backend)?;
            Ok(update)
        }
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod tests {
    use portal_core::BuiltinRole;

    use super::super::work_fixture::{
        assert_indexed, client, ctx, database, member, name, plan, project, tenant,
    };
    use super::*;

    /// The dashboard's latest updates of a contact's client come from the client index, and a
    /// draft stays internal until it is published.
    #[tokio::test]
    async fn latest_updates_by_client_use_an_index_and_drafts_stay_internal() {
        let db = database(1).await;
        let store = &db.store;
        let acme = tenant(store).await;
        let manager = member(store, acme, BuiltinRole::Manager, &[]).await;
        let client = client(store, acme).await;
        let contact = member(store, acme, BuiltinRole::Viewer, &[client]).await;
        let project = project(store, &manager, client, Visibility::Shared).await;
        let new = NewUpdate {
            project,
            title: name("Week 1"),
            body: "Kick-off done".into(),
        };
        let draft = store.create_update(&manager, new, &ctx()).await.unwrap();
        let page = Page::first(10).unwrap();
        assert!(
            store
                .list_updates(&contact, None, page)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        store
            .set_update_visibility(&manager, draft.id, Visibility::Shared, &ctx())
            .await
            .unwrap();
        let listed = store.list_updates(&contact, None, page).await.unwrap();
        assert_eq!(listed.items.len(), 1);
        assert_eq!(listed.items[0].author, draft.author);

        let mut query = QueryBuilder::new("EXPLAIN QUERY PLAN ");
        assert!(push_update_list(&mut query, &contact, None, page));
        let plan = plan(store, query).await;
        assert_indexed(&plan);
        assert!(
            plan.iter()
                .any(|step| step.contains("portal_update_shared")),
            "{plan:#?}"
        );
    }
}
