//! Client requests: submitted by contacts (always shared: they are the client's own), triaged and
//! resolved by staff, reopened by the client. Submitting and every move write an outbox row.

use async_trait::async_trait;
use portal_core::model::{AuditContext, NewRequest, Request};
use portal_core::state::RequestStatus;
use portal_core::{
    ClientId, Permission, ProjectId, RequestId, ResourceFacts, StateMachine, TenantId, TenantScope,
    Visibility,
};
use serde_json::json;
use sqlx::QueryBuilder;
use time::OffsetDateTime;
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::convert::{parsed, state};
use super::visibility::{
    Seen, empty_page, push_eq, push_page, push_rule, readable, seen_page, visibility_of,
};
use super::work_convert::{acting_person, person, visibility, visibility_name};
use super::work_rules::{event, move_event};
use crate::rules::{self, ListRule, events};
use crate::traits::RequestStore;
use crate::{Page, Paged, StoreError, StoreResult};

/// A request's effective visibility: shared, about no project or about a shared one.
macro_rules! request_shared {
    () => {
        "r.visibility = 'shared' AND (r.project_id IS NULL OR p.visibility = 'shared')"
    };
}

/// The columns of a request row with its effective visibility, from `r` joined to its project.
macro_rules! request_select {
    () => {
        concat!(
            "SELECT r.request_id, r.tenant_id, r.client_id, r.project_id, r.title, r.body, \
             r.status, r.submitted_by, r.visibility, r.created_at, r.updated_at, (",
            request_shared!(),
            ") AS shared FROM portal_request r \
             LEFT JOIN portal_project p \
             ON p.tenant_id = r.tenant_id AND p.project_id = r.project_id"
        )
    };
}

const SHARED: &str = request_shared!();

const SELECT_ONE: &str = concat!(
    request_select!(),
    " WHERE r.request_id = $1 AND r.tenant_id = $2"
);

const INSERT: &str = "INSERT INTO portal_request (request_id, tenant_id, client_id, project_id, \
    title, body, status, submitted_by, visibility, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Conditional on the status read, so a concurrent move cannot be silently overwritten.
const MOVE: &str = "UPDATE portal_request SET status = $1, updated_at = $2 \
    WHERE request_id = $3 AND tenant_id = $4 AND status = $5";

/// A stored request with its effective visibility.
#[derive(sqlx::FromRow)]
struct RequestRow {
    request_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    project_id: Option<Uuid>,
    title: String,
    body: String,
    status: String,
    submitted_by: Option<Uuid>,
    visibility: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    shared: bool,
}

impl RequestRow {
    fn into_seen(self) -> StoreResult<Seen<Request>> {
        let request = Request {
            id: RequestId::from_uuid(self.request_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            project: self.project_id.map(ProjectId::from_uuid),
            title: parsed("title", &self.title)?,
            body: self.body,
            status: state("status", &self.status)?,
            submitted_by: person(self.submitted_by),
            visibility: visibility(&self.visibility)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        let (tenant, client) = (request.tenant, request.client);
        Ok(Seen::new(request, tenant, client, self.shared))
    }
}

/// Whether the scope may move `request` to `to`: staff who manage requests may make any legal
/// move; a client with `submit_requests` may reopen a resolved request. A request the scope may
/// not see stays not found.
fn may_move(scope: &TenantScope, request: &Seen<Request>, to: RequestStatus) -> StoreResult<()> {
    let Err(denied) = rules::require(scope, Permission::ManageRequests, &request.facts) else {
        return Ok(());
    };
    let reopening = request.record.status == RequestStatus::Resolved && to == RequestStatus::Open;
    if matches!(denied, StoreError::NotFound) || !reopening {
        return Err(denied);
    }
    rules::require(scope, Permission::SubmitRequests, &request.facts)
}

for_each_backend! {
    impl Store {
        /// A request of `tenant` with its facts, whatever the scope may see of it.
        pub(super) async fn fetch_request(
            tx: &mut Conn,
            tenant: TenantId,
            id: RequestId,
        ) -> StoreResult<Option<Seen<Request>>> {
            Store::fetch_seen(tx, SELECT_ONE, *id.as_uuid(), tenant, RequestRow::into_seen).await
        }
    }

    #[async_trait]
    impl RequestStore for Store {
        async fn submit_request(
            &self,
            scope: &TenantScope,
            request: NewRequest,
            audit: &AuditContext,
        ) -> StoreResult<Request> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            if !Store::client_of_tenant(&mut tx, tenant, request.client).await? {
                return Err(StoreError::NotFound);
            }
            let project =
                Store::project_of_client(&mut tx, scope, request.client, request.project).await?;
            let shared = project
                .as_ref()
                .is_none_or(|project| project.record.visibility.is_shared());
            let facts = ResourceFacts::of_client(tenant, request.client, visibility_of(shared));
            rules::require(scope, Permission::SubmitRequests, &facts)?;
            let submitter = acting_person(scope);
            let at = now();
            let submitted = Request {
                id: RequestId::new(),
                tenant,
                client: request.client,
                project: request.project,
                title: request.title,
                body: request.body,
                status: RequestStatus::Open,
                submitted_by: person(submitter),
                visibility: Visibility::Shared,
                created_at: at,
                updated_at: at,
            };
            sqlx::query(INSERT)
                .bind(*submitted.id.as_uuid())
                .bind(*tenant.as_uuid())
                .bind(*submitted.client.as_uuid())
                .bind(submitted.project.map(|project| *project.as_uuid()))
                .bind(submitted.title.as_str())
                .bind(submitted.body.as_str())
                .bind(submitted.status.name())
                .bind(submitter)
                .bind(visibility_name(submitted.visibility))
                .bind(submitted.created_at)
                .bind(submitted.updated_at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let details = json!({ "project": submitted.project });
            let event = event(
                scope,
                events::REQUEST_SUBMITTED,
                "request",
                submitted.id.as_uuid(),
                details,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            let payload = json!({
                "request": submitted.id,
                "client": submitted.client,
                "project": submitted.project,
            });
            Store::enqueue_in(&mut tx, tenant, events::REQUEST_SUBMITTED, &payload).await?;
            tx.commit().await.map_err(backend)?;
            Ok(submitted)
        }

        async fn request(
            &self,
            scope: &TenantScope,
            id: RequestId,
        ) -> StoreResult<Option<Request>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = Store::fetch_request(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewRequests, row)
        }

        async fn list_requests(
            &self,
            scope: &TenantScope,
            status: Option<RequestStatus>,
            page: Page,
        ) -> StoreResult<Paged<Request>> {
            let rule = ListRule::new(scope, Permission::ViewRequests);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let tenant = scope.tenant_id();
            let mut query = QueryBuilder::<Db>::new(request_select!());
            query
                .push(" WHERE r.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            push_rule(&mut query, &rule, "r.client_id", SHARED);
            push_eq(&mut query, "r.status", status.map(StateMachine::name));
            push_page(&mut query, "r.request_id", page);
            let tx = self.read(tenant).await?;
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, RequestRow::into_seen, |request| {
                *request.id.as_uuid()
            })
        }

        async fn move_request(
            &self,
            scope: &TenantScope,
            id: RequestId,
            to: RequestStatus,
            audit: &AuditContext,
        ) -> StoreResult<Request> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = Store::fetch_request(&mut tx, tenant, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            may_move(scope, &current, to)?;
            let current = current.record;
            let status = current.status.transition(to)?;
            let next = Request {
                status,
                updated_at: now(),
                ..current.clone()
            };
            let moved = sqlx::query(MOVE)
                .bind(status.name())
                .bind(next.updated_at)
                .bind(*id.as_uuid())
                .bind(*tenant.as_uuid())
                .bind(current.status.name())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            if moved.rows_affected() == 0 {
                return Err(StoreError::conflict("request moved concurrently"));
            }
            let event = move_event(
                scope,
                events::REQUEST_MOVED,
                "request",
                id.as_uuid(),
                current.status,
                status,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            let payload = json!({
                "request": id,
                "client": next.client,
                "project": next.project,
                "status": status,
            });
            Store::enqueue_in(&mut tx, tenant, events::REQUEST_MOVED, &payload).await?;
            tx.commit().await.map_err(backend)?;
            Ok(next)
        }
    }
}
