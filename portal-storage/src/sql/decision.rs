//! Meeting decision records: recorded internal, published explicitly, and shown to a client only
//! while the decision and its project are both shared.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Decision, NewDecision};
use portal_core::{ClientId, DecisionId, Permission, ProjectId, TenantId, TenantScope, Visibility};
use serde_json::json;
use sqlx::QueryBuilder;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::convert::parsed;
use super::visibility::{Seen, empty_page, push_eq, push_page, push_rule, readable, seen_page};
use super::work_convert::{acting_person, person, visibility, visibility_name};
use super::work_rules::event;
use crate::rules::{ListRule, events};
use crate::traits::DecisionStore;
use crate::{Page, Paged, StoreResult};

/// The columns of a decision row with its effective visibility, from `dc` joined to its
/// project.
macro_rules! decision_select {
    () => {
        "SELECT dc.decision_id, dc.tenant_id, dc.client_id, dc.project_id, dc.title, dc.body, \
         dc.decided_on, dc.visibility, dc.author, dc.created_at, \
         (dc.visibility = 'shared' AND p.visibility = 'shared') AS shared \
         FROM portal_decision dc \
         JOIN portal_project p ON p.tenant_id = dc.tenant_id AND p.project_id = dc.project_id"
    };
}

const SHARED: &str = "dc.visibility = 'shared' AND p.visibility = 'shared'";

const SELECT_ONE: &str = concat!(
    decision_select!(),
    " WHERE dc.decision_id = $1 AND dc.tenant_id = $2"
);

const INSERT: &str = "INSERT INTO portal_decision (decision_id, tenant_id, client_id, project_id, \
    title, body, decided_on, visibility, author, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

const SET_VISIBILITY: &str =
    "UPDATE portal_decision SET visibility = $1 WHERE decision_id = $2 AND tenant_id = $3";

/// A stored decision with its effective visibility.
#[derive(sqlx::FromRow)]
struct DecisionRow {
    decision_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    project_id: Uuid,
    title: String,
    body: String,
    decided_on: Date,
    visibility: String,
    author: Option<Uuid>,
    created_at: OffsetDateTime,
    shared: bool,
}

impl DecisionRow {
    fn into_seen(self) -> StoreResult<Seen<Decision>> {
        let decision = Decision {
            id: DecisionId::from_uuid(self.decision_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            project: ProjectId::from_uuid(self.project_id),
            title: parsed("title", &self.title)?,
            body: self.body,
            decided_on: self.decided_on,
            visibility: visibility(&self.visibility)?,
            author: person(self.author),
            created_at: self.created_at,
        };
        let (tenant, client) = (decision.tenant, decision.client);
        Ok(Seen::new(decision, tenant, client, self.shared))
    }
}

for_each_backend! {
    async fn fetch(
        tx: &mut Conn,
        tenant: TenantId,
        id: DecisionId,
    ) -> StoreResult<Option<Seen<Decision>>> {
        Store::fetch_seen(
            tx,
            SELECT_ONE,
            *id.as_uuid(),
            tenant,
            DecisionRow::into_seen,
        )
        .await
    }

    #[async_trait]
    impl DecisionStore for Store {
        async fn create_decision(
            &self,
            scope: &TenantScope,
            decision: NewDecision,
            audit: &AuditContext,
        ) -> StoreResult<Decision> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let project = Store::project_for_new(
                &mut tx,
                scope,
                decision.project,
                Permission::ManageDecisions,
            )
            .await?;
            let author = acting_person(scope);
            let created = Decision {
                id: DecisionId::new(),
                tenant,
                client: project.client,
                project: project.id,
                title: decision.title,
                body: decision.body,
                decided_on: decision.decided_on,
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
                .bind(created.decided_on)
                .bind(visibility_name(created.visibility))
                .bind(author)
                .bind(created.created_at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let details = json!({ "project": project.id });
            let event = event(
                scope,
                events::DECISION_CREATED,
                "decision",
                created.id.as_uuid(),
                details,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(created)
        }

        async fn decision(
            &self,
            scope: &TenantScope,
            id: DecisionId,
        ) -> StoreResult<Option<Decision>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = fetch(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewDecisions, row)
        }

        async fn list_decisions(
            &self,
            scope: &TenantScope,
            project: Option<ProjectId>,
            page: Page,
        ) -> StoreResult<Paged<Decision>> {
            let rule = ListRule::new(scope, Permission::ViewDecisions);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let tenant = scope.tenant_id();
            let mut query = QueryBuilder::<Db>::new(decision_select!());
            query
                .push(" WHERE dc.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            push_rule(&mut query, &rule, "dc.client_id", SHARED);
            push_eq(
                &mut query,
                "dc.project_id",
                project.map(|project| *project.as_uuid()),
            );
            push_page(&mut query, "dc.decision_id", page);
            let tx = self.read(tenant).await?;
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, DecisionRow::into_seen, |decision| {
                *decision.id.as_uuid()
            })
        }

        async fn set_decision_visibility(
            &self,
            scope: &TenantScope,
            id: DecisionId,
            visibility: Visibility,
            audit: &AuditContext,
        ) -> StoreResult<Decision> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let fetched = fetch(&mut tx, tenant, id).await?;
            let decision =
                Store::publish_in(&mut tx, scope, SET_VISIBILITY, fetched, visibility, audit)
                    .await?;
            tx.commit().await.map_err(backend)?;
            Ok(decision)
        }
    }
}
