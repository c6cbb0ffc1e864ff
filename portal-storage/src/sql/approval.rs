//! Approvals: requesting, deciding, cancelling and expiring, each one transaction with the
//! deliverable's status, the audit event and the outbox row.
//!
//! Every change of an approval's status is a conditional `UPDATE … AND status = 'pending'`: of
//! concurrent decisions exactly one changes a row, and the others see zero rows and get a
//! conflict, on SQLite (whose writers queue) and on PostgreSQL (whose row lock makes the later
//! updates re-check the status) alike.

use async_trait::async_trait;
use portal_core::model::{Approval, ApprovalRequest, AuditContext, NewAuditEvent};
use portal_core::state::{ApprovalStatus, DeliverableStatus, decide_approval};
use portal_core::{
    ApprovalId, ClientId, DeliverableId, DocumentVersionId, Permission, ProjectId, ResourceFacts,
    StateMachine, TenantId, TenantScope, Visibility,
};
use serde_json::json;
use sqlx::QueryBuilder;
use time::OffsetDateTime;
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::convert::{digest, parsed_opt, state, stored_time};
use super::visibility::{
    Seen, empty_page, permitted, push_eq, push_page, push_rule, readable, seen_page, visibility_of,
};
use super::work_convert::{acting_person, person, visibility, visibility_name};
use super::work_rules::event;
use crate::rules::{self, ListRule, events};
use crate::traits::{ApprovalDecision, ApprovalFilter, ApprovalStore};
use crate::{Page, Paged, StoreError, StoreResult};

/// The columns of an approval row with its effective visibility, from `a` joined to its
/// project `p`.
macro_rules! approval_select {
    () => {
        "SELECT a.approval_id, a.tenant_id, a.client_id, a.project_id, a.deliverable_id, \
         a.document_version_id, a.sha256, a.status, a.message, a.requested_by, a.requested_at, \
         a.due_at, a.decided_by, a.decided_at, a.comment, a.signature, a.visibility, \
         (a.visibility = 'shared' AND p.visibility = 'shared') AS shared \
         FROM portal_approval a \
         JOIN portal_project p ON p.tenant_id = a.tenant_id AND p.project_id = a.project_id"
    };
}

/// An approval's effective visibility in list conditions.
const SHARED: &str = "a.visibility = 'shared' AND p.visibility = 'shared'";

const SELECT_ONE: &str = concat!(
    approval_select!(),
    " WHERE a.approval_id = $1 AND a.tenant_id = $2"
);

const INSERT: &str = "INSERT INTO portal_approval (approval_id, tenant_id, client_id, project_id, \
    deliverable_id, document_version_id, sha256, status, message, requested_by, requested_at, \
    due_at, decided_by, decided_at, comment, signature, visibility) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, NULL, NULL, $13)";

/// Decides a pending approval; zero rows means someone else decided (or withdrew) it first.
const DECIDE: &str = "UPDATE portal_approval SET status = $1, decided_by = $2, decided_at = $3, \
    comment = $4, signature = $5 \
    WHERE approval_id = $6 AND tenant_id = $7 AND status = 'pending'";

/// Cancels or expires a pending approval.
const WITHDRAW: &str = "UPDATE portal_approval SET status = $1 \
    WHERE approval_id = $2 AND tenant_id = $3 AND status = 'pending'";

/// A stored approval with its effective visibility.
#[derive(sqlx::FromRow)]
struct ApprovalRow {
    approval_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    project_id: Uuid,
    deliverable_id: Option<Uuid>,
    document_version_id: Uuid,
    sha256: Vec<u8>,
    status: String,
    message: String,
    requested_by: Option<Uuid>,
    requested_at: OffsetDateTime,
    due_at: Option<OffsetDateTime>,
    decided_by: Option<Uuid>,
    decided_at: Option<OffsetDateTime>,
    comment: Option<String>,
    signature: Option<String>,
    visibility: String,
    shared: bool,
}

impl ApprovalRow {
    fn into_seen(self) -> StoreResult<Seen<Approval>> {
        let approval = Approval {
            id: ApprovalId::from_uuid(self.approval_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            project: ProjectId::from_uuid(self.project_id),
            deliverable: self.deliverable_id.map(DeliverableId::from_uuid),
            document_version: DocumentVersionId::from_uuid(self.document_version_id),
            sha256: digest("sha256", &self.sha256)?,
            status: state("status", &self.status)?,
            message: self.message,
            requested_by: person(self.requested_by),
            requested_at: self.requested_at,
            due_at: self.due_at,
            // A background job decides as the nil id, which is stored as NULL.
            decided_by: self.decided_at.map(|_| person(self.decided_by)),
            decided_at: self.decided_at,
            comment: self.comment,
            signature: parsed_opt("signature", self.signature.as_deref())?,
            visibility: visibility(&self.visibility)?,
        };
        let (tenant, client) = (approval.tenant, approval.client);
        Ok(Seen::new(approval, tenant, client, self.shared))
    }
}

/// An approval's outbox payload: ids only.
fn payload(approval: &Approval) -> serde_json::Value {
    json!({
        "approval": approval.id,
        "client": approval.client,
        "project": approval.project,
        "deliverable": approval.deliverable,
        "status": approval.status,
    })
}

/// The audit event of a cancelled or expired approval.
fn withdrawn_event(scope: &TenantScope, action: &str, approval: &Approval) -> NewAuditEvent {
    let details = json!({ "deliverable": approval.deliverable });
    event(scope, action, "approval", approval.id.as_uuid(), details)
}

/// Builds the approval list after `query`'s prefix: the approvals the scope may see, newest
/// first (a client's pending ones read the `portal_approval_client` index). `false` when the
/// scope may list nothing, and no query should run.
fn push_approval_list<DB>(
    query: &mut QueryBuilder<DB>,
    scope: &TenantScope,
    filter: ApprovalFilter,
    page: Page,
) -> bool
where
    DB: sqlx::Database,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'static str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let rule = ListRule::new(scope, Permission::ViewApprovals);
    if rule.is_empty() {
        return false;
    }
    query.push(approval_select!());
    query
        .push(" WHERE a.tenant_id = ")
        .push_bind(*scope.tenant_id().as_uuid());
    push_rule(query, &rule, "a.client_id", SHARED);
    push_eq(
        query,
        "a.project_id",
        filter.project.map(|project| *project.as_uuid()),
    );
    push_eq(query, "a.status", filter.status.map(StateMachine::name));
    push_page(query, "a.approval_id", page);
    true
}

for_each_backend! {
    impl Store {
        /// An approval of `tenant` with its facts, whatever the scope may see of it.
        pub(super) async fn fetch_approval(
            tx: &mut Conn,
            tenant: TenantId,
            id: ApprovalId,
        ) -> StoreResult<Option<Seen<Approval>>> {
            Store::fetch_seen(
                tx,
                SELECT_ONE,
                *id.as_uuid(),
                tenant,
                ApprovalRow::into_seen,
            )
            .await
        }
    }

    /// Marks a pending approval cancelled or expired, puts its deliverable back in progress if
    /// it is still in review, and writes the audit event and outbox row named `action`. Whether
    /// it was still pending.
    async fn withdraw_in(
        tx: &mut Conn,
        scope: &TenantScope,
        approval: &Approval,
        action: &str,
        audit: &AuditContext,
    ) -> StoreResult<bool> {
        let tenant = scope.tenant_id();
        let changed = sqlx::query(WITHDRAW)
            .bind(approval.status.name())
            .bind(*approval.id.as_uuid())
            .bind(*tenant.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if changed.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(deliverable) = approval.deliverable {
            // Only a deliverable still waiting on this review goes back; one moved on stays.
            Store::shift_deliverable(
                tx,
                tenant,
                deliverable,
                DeliverableStatus::InReview,
                DeliverableStatus::InProgress,
            )
            .await?;
        }
        Store::append_audit_in(tx, tenant, withdrawn_event(scope, action, approval), audit).await?;
        Store::enqueue_in(tx, tenant, action, &payload(approval)).await?;
        Ok(true)
    }

    async fn request_in(
        tx: &mut Conn,
        scope: &TenantScope,
        request: ApprovalRequest,
        audit: &AuditContext,
    ) -> StoreResult<Approval> {
        let tenant = scope.tenant_id();
        let version = permitted(
            scope,
            Permission::ViewDocuments,
            Store::fetch_version(tx, tenant, request.document_version).await?,
        )?
        .record;
        let document = Store::fetch_document(tx, tenant, version.document)
            .await?
            .ok_or(StoreError::NotFound)?
            .record;
        let deliverable = match request.deliverable {
            Some(id) => {
                let deliverable = permitted(
                    scope,
                    Permission::ViewDeliverables,
                    Store::fetch_deliverable(tx, tenant, id).await?,
                )?
                .record;
                Some(deliverable)
            }
            None => None,
        };
        let project = rules::approval_project(deliverable.as_ref(), &document, &version)?;
        let project_shared = Store::fetch_project(tx, tenant, project)
            .await?
            .is_some_and(|project| project.record.visibility.is_shared());
        let facts = ResourceFacts::of_client(tenant, version.client, visibility_of(project_shared));
        rules::require(scope, Permission::RequestApprovals, &facts)?;
        let moved = deliverable
            .as_ref()
            .map(|deliverable| {
                deliverable
                    .status
                    .transition(DeliverableStatus::InReview)
                    .map(|to| (deliverable, to))
            })
            .transpose()?;
        let requester = acting_person(scope);
        let approval = Approval {
            id: ApprovalId::new(),
            tenant,
            client: version.client,
            project,
            deliverable: request.deliverable,
            document_version: version.id,
            sha256: version.sha256,
            status: ApprovalStatus::Pending,
            message: request.message,
            requested_by: person(requester),
            requested_at: now(),
            due_at: request.due_at.map(stored_time),
            decided_by: None,
            decided_at: None,
            comment: None,
            signature: None,
            visibility: Visibility::Shared,
        };
        sqlx::query(INSERT)
            .bind(*approval.id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(*approval.client.as_uuid())
            .bind(*project.as_uuid())
            .bind(approval.deliverable.map(|id| *id.as_uuid()))
            .bind(*version.id.as_uuid())
            .bind(approval.sha256.as_bytes().as_slice())
            .bind(approval.status.name())
            .bind(approval.message.as_str())
            .bind(requester)
            .bind(approval.requested_at)
            .bind(approval.due_at)
            .bind(visibility_name(approval.visibility))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if let Some((deliverable, to)) = moved
            && !Store::shift_deliverable(tx, tenant, deliverable.id, deliverable.status, to).await?
        {
            return Err(StoreError::conflict("deliverable moved concurrently"));
        }
        let details = json!({
            "deliverable": approval.deliverable,
            "document_version": approval.document_version,
        });
        let event = event(
            scope,
            events::APPROVAL_REQUESTED,
            "approval",
            approval.id.as_uuid(),
            details,
        );
        Store::append_audit_in(tx, tenant, event, audit).await?;
        Store::enqueue_in(tx, tenant, events::APPROVAL_REQUESTED, &payload(&approval)).await?;
        Ok(approval)
    }

    async fn decide_in(
        tx: &mut Conn,
        scope: &TenantScope,
        id: ApprovalId,
        decision: ApprovalDecision,
        audit: &AuditContext,
    ) -> StoreResult<Approval> {
        let tenant = scope.tenant_id();
        let current = permitted(
            scope,
            Permission::DecideApprovals,
            Store::fetch_approval(tx, tenant, id).await?,
        )?
        .record;
        if current.status != ApprovalStatus::Pending {
            return Err(StoreError::conflict("approval already decided"));
        }
        let status = decide_approval(
            current.status,
            &current.sha256,
            &decision.sha256,
            decision.outcome,
        )?;
        let decider = acting_person(scope);
        let next = Approval {
            status,
            decided_by: Some(person(decider)),
            decided_at: Some(now()),
            comment: decision.comment,
            signature: Some(decision.signature),
            ..current
        };
        let decided = sqlx::query(DECIDE)
            .bind(status.name())
            .bind(decider)
            .bind(next.decided_at)
            .bind(next.comment.as_deref())
            .bind(next.signature.as_ref().map(|signature| signature.as_str()))
            .bind(*id.as_uuid())
            .bind(*tenant.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if decided.rows_affected() == 0 {
            return Err(StoreError::conflict("approval already decided"));
        }
        // Read after the approval's row is ours, so the deliverable's status is current.
        if let Some(deliverable) = next.deliverable {
            let deliverable = Store::fetch_deliverable(tx, tenant, deliverable)
                .await?
                .ok_or(StoreError::NotFound)?
                .record;
            let to = deliverable
                .status
                .transition(decision.outcome.deliverable_status())?;
            if !Store::shift_deliverable(tx, tenant, deliverable.id, deliverable.status, to).await?
            {
                return Err(StoreError::conflict("deliverable moved concurrently"));
            }
        }
        let details = json!({ "outcome": decision.outcome, "deliverable": next.deliverable });
        Store::append_audit_in(
            tx,
            tenant,
            event(
                scope,
                events::APPROVAL_DECIDED,
                "approval",
                id.as_uuid(),
                details,
            ),
            audit,
        )
        .await?;
        let mut payload = payload(&next);
        if let Some(fields) = payload.as_object_mut() {
            fields.insert("outcome".to_owned(), json!(decision.outcome));
        }
        Store::enqueue_in(tx, tenant, events::APPROVAL_DECIDED, &payload).await?;
        Ok(next)
    }

    #[async_trait]
    impl ApprovalStore for Store {
        async fn request_approval(
            &self,
            scope: &TenantScope,
            request: ApprovalRequest,
            audit: &AuditContext,
        ) -> StoreResult<Approval> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let approval = request_in(&mut tx, scope, request, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(approval)
        }

        async fn approval(
            &self,
            scope: &TenantScope,
            id: ApprovalId,
        ) -> StoreResult<Option<Approval>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row = Store::fetch_approval(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            readable(scope, Permission::ViewApprovals, row)
        }

        async fn list_approvals(
            &self,
            scope: &TenantScope,
            filter: ApprovalFilter,
            page: Page,
        ) -> StoreResult<Paged<Approval>> {
            let mut query = QueryBuilder::<Db>::new("");
            if !push_approval_list(&mut query, scope, filter, page) {
                return Ok(empty_page());
            }
            let tx = self.read(scope.tenant_id()).await?;
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, ApprovalRow::into_seen, |approval| {
                *approval.id.as_uuid()
            })
        }

        async fn decide(
            &self,
            scope: &TenantScope,
            id: ApprovalId,
            decision: ApprovalDecision,
            audit: &AuditContext,
        ) -> StoreResult<Approval> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let approval = decide_in(&mut tx, scope, id, decision, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(approval)
        }

        async fn cancel_approval(
            &self,
            scope: &TenantScope,
            id: ApprovalId,
            audit: &AuditContext,
        ) -> StoreResult<Approval> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = permitted(
                scope,
                Permission::RequestApprovals,
                Store::fetch_approval(&mut tx, tenant, id).await?,
            )?
            .record;
            crate::rules::still_pending(current.status)?;
            rules::still_pending(current.status)?;
            let status = current.status.transition(ApprovalStatus::Cancelled)?;
            let next = Approval { status, ..current };
            if !withdraw_in(&mut tx, scope, &next, events::APPROVAL_CANCELLED, audit).await? {
                return Err(StoreError::conflict("approval already decided"));
            }
            tx.commit().await.map_err(backend)?;
            Ok(next)
        }

        async fn expire_approvals(
            &self,
            scope: &TenantScope,
            now: OffsetDateTime,
            audit: &AuditContext,
        ) -> StoreResult<u64> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            if !Store::tenant_exists(&mut tx, tenant).await? {
                return Err(StoreError::NotFound);
            }
            rules::require_tenant_level(scope, Permission::RequestApprovals)?;
            let rule = ListRule::new(scope, Permission::RequestApprovals);
            if rule.is_empty() {
                return Ok(0);
            }
            // The deadline is compared here, not in SQL: SQLite stores times as text whose order
            // is not always time order. Pending approvals with a deadline are few, and the
            // partial index on pending approvals finds them.
            let mut query = QueryBuilder::<Db>::new(approval_select!());
            query
                .push(" WHERE a.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            query.push(" AND a.status = 'pending' AND a.due_at IS NOT NULL");
            push_rule(&mut query, &rule, "a.client_id", SHARED);
            let rows = query
                .build_query_as::<ApprovalRow>()
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            let mut expired = 0_u64;
            for row in rows {
                let approval = row.into_seen()?.record;
                if approval
                    .due_at
                    .is_none_or(|due_at| due_at > stored_time(now))
                {
                    continue;
                }
                let status = approval.status.transition(ApprovalStatus::Expired)?;
                let next = Approval { status, ..approval };
                if withdraw_in(&mut tx, scope, &next, events::APPROVAL_EXPIRED, audit).await? {
                    expired += 1;
                }
            }
            tx.commit().await.map_err(backend)?;
            Ok(expired)
        }
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod tests {
    use std::sync::Arc;

    use portal_core::model::ApprovalRequest;
    use portal_core::state::{ApprovalOutcome, DeliverableStatus};
    use portal_core::{BuiltinRole, DisplayName, TenantScope, Visibility};

    use super::super::work_fixture::{
        assert_indexed, client, ctx, database, member, plan, project, tenant, work,
    };
    use super::*;
    use crate::{AuditFilter, Backend, DeliverableStore};

    /// SEC-30: of 20 concurrent decisions on one approval exactly one wins; the rest are
    /// conflicts, and only the winner left an audit event, an outbox row and a deliverable move.
    async fn concurrent_decisions_have_one_winner<B: Backend + Clone>(store: B) {
        let acme = tenant(&store).await;
        let manager = member(&store, acme, BuiltinRole::Manager, &[]).await;
        let client = client(&store, acme).await;
        let approver = Arc::new(member(&store, acme, BuiltinRole::Approver, &[client]).await);
        let project = project(&store, &manager, client, Visibility::Shared).await;
        let work = work(&store, &manager, client, project).await;
        let request = ApprovalRequest {
            deliverable: Some(work.deliverable),
            document_version: work.version,
            message: "Please check".into(),
            due_at: None,
        };
        let approval = store
            .request_approval(&manager, request, &ctx())
            .await
            .unwrap();

        let mut decisions = Vec::new();
        for i in 0..20 {
            let (store, approver) = (store.clone(), approver.clone());
            let outcome = if i % 2 == 0 {
                ApprovalOutcome::Approved
            } else {
                ApprovalOutcome::ChangesRequested
            };
            let decision = ApprovalDecision {
                outcome,
                sha256: work.sha256,
                comment: None,
                signature: DisplayName::parse("Grace Hopper").unwrap(),
            };
            decisions.push(tokio::spawn(async move {
                store.decide(&approver, approval.id, decision, &ctx()).await
            }));
        }
        let mut winners = Vec::new();
        for decision in decisions {
            match decision.await.unwrap() {
                Ok(decided) => winners.push(decided),
                Err(StoreError::Conflict { what }) => assert_eq!(what, "approval already decided"),
                Err(other) => panic!("a losing decision must be a conflict, got {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1);
        let stored = store
            .approval(&manager, approval.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored, winners[0]);
        let outcome = if stored.status == ApprovalStatus::Approved {
            DeliverableStatus::Approved
        } else {
            DeliverableStatus::ChangesRequested
        };
        let deliverable = store
            .deliverable(&manager, work.deliverable)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(deliverable.status, outcome);

        let system = TenantScope::dangerous_system(acme);
        let filter = AuditFilter {
            action: Some(events::APPROVAL_DECIDED.into()),
            ..AuditFilter::default()
        };
        let decided = store
            .list_events(&system, filter, Page::first(50).unwrap())
            .await
            .unwrap();
        assert_eq!(decided.items.len(), 1, "one decision, one audit event");
        let outbox = store
            .list_outbox(&system, Page::first(200).unwrap())
            .await
            .unwrap();
        let rows = outbox
            .items
            .iter()
            .filter(|row| row.kind == events::APPROVAL_DECIDED)
            .count();
        assert_eq!(rows, 1, "one decision, one outbox row");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_decisions_have_one_winner_on_sqlite() {
        let db = database(8).await;
        concurrent_decisions_have_one_winner(db.store.clone()).await;
    }

    #[cfg(feature = "postgres")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_decisions_have_one_winner_on_postgres() {
        if let Some(store) = super::super::work_fixture::postgres(20).await {
            concurrent_decisions_have_one_winner(store).await;
        }
    }

    #[tokio::test]
    async fn withdrawing_puts_the_deliverable_back_and_expiry_needs_a_deadline() {
        let db = database(2).await;
        let store = &db.store;
        let acme = tenant(store).await;
        let manager = member(store, acme, BuiltinRole::Manager, &[]).await;
        let client = client(store, acme).await;
        let project = project(store, &manager, client, Visibility::Shared).await;
        let work = work(store, &manager, client, project).await;
        let ask = |due_at| ApprovalRequest {
            deliverable: Some(work.deliverable),
            document_version: work.version,
            message: String::new(),
            due_at,
        };
        let approval = store
            .request_approval(&manager, ask(None), &ctx())
            .await
            .unwrap();
        let again = store.request_approval(&manager, ask(None), &ctx()).await;
        assert!(
            matches!(again, Err(StoreError::Invalid(_))),
            "the deliverable is in review: {again:?}"
        );
        let cancelled = store
            .cancel_approval(&manager, approval.id, &ctx())
            .await
            .unwrap();
        assert_eq!(cancelled.status, ApprovalStatus::Cancelled);
        let deliverable = store
            .deliverable(&manager, work.deliverable)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(deliverable.status, DeliverableStatus::InProgress);

        let due = OffsetDateTime::now_utc() + time::Duration::hours(1);
        let expiring = store
            .request_approval(&manager, ask(Some(due)), &ctx())
            .await
            .unwrap();
        let system = TenantScope::dangerous_system(acme);
        let early = store
            .expire_approvals(&system, due - time::Duration::minutes(1), &ctx())
            .await
            .unwrap();
        assert_eq!(early, 0);
        let late = store
            .expire_approvals(&system, due + time::Duration::minutes(1), &ctx())
            .await
            .unwrap();
        assert_eq!(late, 1);
        let stored = store
            .approval(&manager, expiring.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, ApprovalStatus::Expired);
        let deliverable = store
            .deliverable(&manager, work.deliverable)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(deliverable.status, DeliverableStatus::InProgress);
    }

    /// The dashboard's pending approvals of a contact's client come from the client index.
    #[tokio::test]
    async fn pending_approvals_by_client_use_an_index() {
        let db = database(1).await;
        let acme = tenant(&db.store).await;
        let client = client(&db.store, acme).await;
        let contact = member(&db.store, acme, BuiltinRole::Approver, &[client]).await;
        let filter = ApprovalFilter {
            status: Some(ApprovalStatus::Pending),
            project: None,
        };
        let mut query = QueryBuilder::new("EXPLAIN QUERY PLAN ");
        assert!(push_approval_list(
            &mut query,
            &contact,
            filter,
            Page::first(20).unwrap()
        ));
        let plan = plan(&db.store, query).await;
        assert_indexed(&plan);
        assert!(
            plan.iter()
                .any(|step| step.contains("portal_approval_client")),
            "{plan:#?}"
        );
    }
}
