//! Approvals: requesting, deciding, cancelling and expiring, each one atomic unit with the
//! deliverable's status, the audit event and the outbox row.

use async_trait::async_trait;
use portal_core::model::{
    Approval, ApprovalRequest, AuditContext, Deliverable, Document, DocumentVersion,
};
use portal_core::state::{ApprovalStatus, DeliverableStatus, decide_approval};
use portal_core::{ApprovalId, Permission, ResourceFacts, StateMachine, TenantScope, Visibility};
use serde_json::json;
use time::OffsetDateTime;

use super::view::{Stored, both};
use super::{MemoryStore, State, acting_user, now, object, stored_time};
use crate::rules::{self, events};
use crate::traits::{ApprovalDecision, ApprovalFilter, ApprovalStore};
use crate::{Page, Paged, StoreError, StoreResult};

impl State {
    fn request_approval(
        &mut self,
        scope: &TenantScope,
        request: ApprovalRequest,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Approval> {
        let version = self.found::<DocumentVersion>(scope, request.document_version)?;
        rules::require(scope, Permission::ViewDocuments, &version.facts_in(self))?;
        let document = self.found::<Document>(scope, version.document)?;
        let deliverable = match request.deliverable {
            Some(id) => {
                let deliverable = self.found::<Deliverable>(scope, id)?;
                rules::require(
                    scope,
                    Permission::ViewDeliverables,
                    &deliverable.facts_in(self),
                )?;
                Some(deliverable)
            }
            None => None,
        };
        let project = rules::approval_project(deliverable.as_ref(), &document, &version)?;
        let facts = ResourceFacts::of_client(
            scope.tenant_id(),
            version.client,
            both(Visibility::Shared, self.project_visibility(project)),
        );
        rules::require(scope, Permission::RequestApprovals, &facts)?;
        let moved = match &deliverable {
            Some(deliverable) => Some(Deliverable {
                status: deliverable.status.transition(DeliverableStatus::InReview)?,
                ..deliverable.clone()
            }),
            None => None,
        };
        let approval = Approval {
            id: ApprovalId::new(),
            tenant: scope.tenant_id(),
            client: version.client,
            project,
            deliverable: request.deliverable,
            document_version: version.id,
            sha256: version.sha256,
            status: ApprovalStatus::Pending,
            message: request.message,
            requested_by: acting_user(scope),
            requested_at: now,
            due_at: request.due_at.map(stored_time),
            decided_by: None,
            decided_at: None,
            comment: None,
            signature: None,
            visibility: Visibility::Shared,
        };
        if let Some(moved) = moved {
            self.put(moved);
        }
        self.put(approval.clone());
        self.audit(
            scope,
            events::APPROVAL_REQUESTED,
            object("approval", approval.id.as_uuid()),
            json!({
                "deliverable": approval.deliverable,
                "document_version": approval.document_version,
            }),
            context,
            now,
        );
        self.enqueue(
            scope.tenant_id(),
            events::APPROVAL_REQUESTED,
            payload(&approval),
            now,
        );
        Ok(approval)
    }

    fn decide(
        &mut self,
        scope: &TenantScope,
        id: ApprovalId,
        decision: ApprovalDecision,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Approval> {
        let current = self.load::<Approval>(scope, Permission::DecideApprovals, id)?;
        if current.status != ApprovalStatus::Pending {
            return Err(StoreError::conflict("approval already decided"));
        }
        let status = decide_approval(
            current.status,
            &current.sha256,
            &decision.sha256,
            decision.outcome,
        )?;
        let moved = self
            .approval_deliverable(&current)
            .map(|deliverable| -> StoreResult<Deliverable> {
                Ok(Deliverable {
                    status: deliverable
                        .status
                        .transition(decision.outcome.deliverable_status())?,
                    ..deliverable
                })
            })
            .transpose()?;
        let next = Approval {
            status,
            decided_by: Some(acting_user(scope)),
            decided_at: Some(now),
            comment: decision.comment,
            signature: Some(decision.signature),
            ..current
        };
        if let Some(moved) = moved {
            self.put(moved);
        }
        self.put(next.clone());
        self.audit(
            scope,
            events::APPROVAL_DECIDED,
            object("approval", id.as_uuid()),
            json!({ "outcome": decision.outcome, "deliverable": next.deliverable }),
            context,
            now,
        );
        let mut payload = payload(&next);
        if let Some(fields) = payload.as_object_mut() {
            fields.insert("outcome".to_owned(), json!(decision.outcome));
        }
        self.enqueue(scope.tenant_id(), events::APPROVAL_DECIDED, payload, now);
        Ok(next)
    }

    fn cancel_approval(
        &mut self,
        scope: &TenantScope,
        id: ApprovalId,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Approval> {
        let current = self.load::<Approval>(scope, Permission::RequestApprovals, id)?;
        crate::rules::still_pending(current.status)?;
        let status = current.status.transition(ApprovalStatus::Cancelled)?;
        let next = Approval { status, ..current };
        Ok(self.withdraw(scope, next, events::APPROVAL_CANCELLED, context, now))
    }

    fn expire_approvals(
        &mut self,
        scope: &TenantScope,
        at: OffsetDateTime,
        context: &AuditContext,
    ) -> StoreResult<u64> {
        self.require_tenant(scope)?;
        rules::require_tenant_level(scope, Permission::RequestApprovals)?;
        let at = stored_time(at);
        let due: Vec<Approval> = self
            .approvals
            .values()
            .filter(|approval| {
                approval.tenant == scope.tenant_id()
                    && approval.status == ApprovalStatus::Pending
                    && approval.due_at.is_some_and(|due_at| due_at <= at)
                    && rules::require(
                        scope,
                        Permission::RequestApprovals,
                        &approval.facts_in(self),
                    )
                    .is_ok()
            })
            .cloned()
            .collect();
        let expired = due
            .into_iter()
            .map(|approval| {
                Ok(Approval {
                    status: approval.status.transition(ApprovalStatus::Expired)?,
                    ..approval
                })
            })
            .collect::<StoreResult<Vec<Approval>>>()?;
        let now = now();
        for approval in &expired {
            self.withdraw(
                scope,
                approval.clone(),
                events::APPROVAL_EXPIRED,
                context,
                now,
            );
        }
        Ok(u64::try_from(expired.len()).unwrap_or(u64::MAX))
    }

    /// Stores a cancelled or expired approval, puts its deliverable back in progress (if it is
    /// still in review) and writes the audit event and outbox row named `event`.
    fn withdraw(
        &mut self,
        scope: &TenantScope,
        approval: Approval,
        event: &str,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> Approval {
        if let Some(deliverable) = self.approval_deliverable(&approval)
            && deliverable.status == DeliverableStatus::InReview
            && let Ok(status) = deliverable.status.transition(DeliverableStatus::InProgress)
        {
            self.put(Deliverable {
                status,
                ..deliverable
            });
        }
        self.put(approval.clone());
        self.audit(
            scope,
            event,
            object("approval", approval.id.as_uuid()),
            json!({ "deliverable": approval.deliverable }),
            context,
            now,
        );
        self.enqueue(scope.tenant_id(), event, payload(&approval), now);
        approval
    }

    /// The deliverable an approval signs off, if any.
    fn approval_deliverable(&self, approval: &Approval) -> Option<Deliverable> {
        approval.deliverable.and_then(|id| {
            self.deliverables
                .get(&id)
                .filter(|deliverable| deliverable.tenant == approval.tenant)
                .cloned()
        })
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

#[async_trait]
impl ApprovalStore for MemoryStore {
    async fn request_approval(
        &self,
        scope: &TenantScope,
        request: ApprovalRequest,
        audit: &AuditContext,
    ) -> StoreResult<Approval> {
        self.with_mut(|state| state.request_approval(scope, request, audit, now()))
    }

    async fn approval(&self, scope: &TenantScope, id: ApprovalId) -> StoreResult<Option<Approval>> {
        self.with(|state| state.read::<Approval>(scope, Permission::ViewApprovals, id))
    }

    async fn list_approvals(
        &self,
        scope: &TenantScope,
        filter: ApprovalFilter,
        page: Page,
    ) -> StoreResult<Paged<Approval>> {
        Ok(self.with(|state| {
            state.list::<Approval>(scope, Permission::ViewApprovals, page, |approval| {
                filter
                    .project
                    .is_none_or(|project| approval.project == project)
                    && filter.status.is_none_or(|status| approval.status == status)
            })
        }))
    }

    async fn decide(
        &self,
        scope: &TenantScope,
        id: ApprovalId,
        decision: ApprovalDecision,
        audit: &AuditContext,
    ) -> StoreResult<Approval> {
        self.with_mut(|state| state.decide(scope, id, decision, audit, now()))
    }

    async fn cancel_approval(
        &self,
        scope: &TenantScope,
        id: ApprovalId,
        audit: &AuditContext,
    ) -> StoreResult<Approval> {
        self.with_mut(|state| state.cancel_approval(scope, id, audit, now()))
    }

    async fn expire_approvals(
        &self,
        scope: &TenantScope,
        now: OffsetDateTime,
        audit: &AuditContext,
    ) -> StoreResult<u64> {
        self.with_mut(|state| state.expire_approvals(scope, now, audit))
    }
}

#[cfg(test)]
mod tests {
    use portal_core::model::{ApprovalRequest, AuditOutcome};
    use portal_core::state::{ApprovalOutcome, ApprovalStatus, DeliverableStatus, Sha256Digest};
    use portal_core::{DomainError, Visibility};
    use time::{Duration, OffsetDateTime};

    use super::super::fixture::{World, ctx, name};
    use crate::rules::events;
    use crate::traits::{
        ApprovalDecision, ApprovalFilter, ApprovalStore, AuditFilter, AuditStore, DeliverableStore,
        OutboxStore,
    };
    use crate::{Page, StoreError};

    fn decision(fill: u8) -> ApprovalDecision {
        ApprovalDecision {
            outcome: ApprovalOutcome::Approved,
            sha256: Sha256Digest::from_bytes([fill; 32]),
            comment: Some("Looks good".to_owned()),
            signature: name("Ada Approver"),
        }
    }

    fn request(
        deliverable: Option<portal_core::DeliverableId>,
        version: portal_core::DocumentVersionId,
    ) -> ApprovalRequest {
        ApprovalRequest {
            deliverable,
            document_version: version,
            message: "Please check the mock-up".to_owned(),
            due_at: None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn of_twenty_concurrent_decisions_exactly_one_wins() {
        let world = World::new("race").await;
        let project = world.project(Visibility::Shared).await;
        let deliverable = world.deliverable(&project).await;
        let (_, version) = world.document(&project, Visibility::Shared, 7).await;
        let approval = world
            .store
            .request_approval(
                &world.owner,
                request(Some(deliverable.id), version.id),
                &ctx(),
            )
            .await
            .unwrap();
        assert_eq!(approval.visibility, Visibility::Shared);
        let in_review = world
            .store
            .deliverable(&world.owner, deliverable.id)
            .await
            .unwrap();
        assert_eq!(in_review.unwrap().status, DeliverableStatus::InReview);

        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let store = world.store.clone();
                let scope = world.contact.clone();
                tokio::spawn(
                    async move { store.decide(&scope, approval.id, decision(7), &ctx()).await },
                )
            })
            .collect();
        let mut wins = 0;
        let mut conflicts = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(decided) => {
                    wins += 1;
                    assert_eq!(decided.status, ApprovalStatus::Approved);
                }
                Err(StoreError::Conflict { what }) => {
                    conflicts += 1;
                    assert_eq!(what, "approval already decided");
                }
                Err(other) => panic!("unexpected {other}"),
            }
        }
        assert_eq!((wins, conflicts), (1, 19));

        let deliverable = world
            .store
            .deliverable(&world.owner, deliverable.id)
            .await
            .unwrap();
        assert_eq!(deliverable.unwrap().status, DeliverableStatus::Approved);
        let decided = world
            .store
            .list_events(
                &world.owner,
                AuditFilter {
                    action: Some(events::APPROVAL_DECIDED.to_owned()),
                    ..AuditFilter::default()
                },
                Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(decided.items.len(), 1);
        assert_eq!(decided.items[0].outcome, AuditOutcome::Success);
        let outbox = world
            .store
            .list_outbox(&world.owner, Page::first(200).unwrap())
            .await
            .unwrap();
        let rows = outbox
            .items
            .iter()
            .filter(|row| row.kind == events::APPROVAL_DECIDED)
            .count();
        assert_eq!(rows, 1);
    }

    #[tokio::test]
    async fn a_decision_on_another_version_is_refused_and_changes_nothing() {
        let world = World::new("sha").await;
        let project = world.project(Visibility::Shared).await;
        let (_, version) = world.document(&project, Visibility::Shared, 1).await;
        let approval = world
            .store
            .request_approval(&world.owner, request(None, version.id), &ctx())
            .await
            .unwrap();
        let err = world
            .store
            .decide(&world.contact, approval.id, decision(2), &ctx())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid(DomainError::VersionMismatch { .. })
            ),
            "{err}"
        );
        let stored = world
            .store
            .approval(&world.contact, approval.id)
            .await
            .unwrap();
        assert_eq!(stored, Some(approval));
        // Staff may not decide for the client.
        let err = world
            .store
            .decide(&world.owner, stored.unwrap().id, decision(1), &ctx())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    }

    #[tokio::test]
    async fn a_refused_request_writes_nothing() {
        let world = World::new("atomic").await;
        let project = world.project(Visibility::Shared).await;
        let deliverable = world.deliverable(&project).await;
        let (_, version) = world.document(&project, Visibility::Shared, 3).await;
        world
            .store
            .request_approval(
                &world.owner,
                request(Some(deliverable.id), version.id),
                &ctx(),
            )
            .await
            .unwrap();
        let before = world
            .store
            .list_events(
                &world.owner,
                AuditFilter::default(),
                Page::first(200).unwrap(),
            )
            .await
            .unwrap()
            .items
            .len();
        // The deliverable is already in review: a second request is an illegal move.
        let err = world
            .store
            .request_approval(
                &world.owner,
                request(Some(deliverable.id), version.id),
                &ctx(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(DomainError::InvalidTransition(_))),
            "{err}"
        );
        let after = world
            .store
            .list_events(
                &world.owner,
                AuditFilter::default(),
                Page::first(200).unwrap(),
            )
            .await
            .unwrap()
            .items
            .len();
        assert_eq!(before, after);
        let approvals = world
            .store
            .list_approvals(&world.owner, ApprovalFilter::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(approvals.items.len(), 1);
    }

    #[tokio::test]
    async fn cancelling_and_expiring_put_the_deliverable_back() {
        let world = World::new("expiry").await;
        let project = world.project(Visibility::Shared).await;
        let deliverable = world.deliverable(&project).await;
        let (_, version) = world.document(&project, Visibility::Shared, 4).await;
        let store = &world.store;

        let approval = store
            .request_approval(
                &world.owner,
                request(Some(deliverable.id), version.id),
                &ctx(),
            )
            .await
            .unwrap();
        let cancelled = store
            .cancel_approval(&world.owner, approval.id, &ctx())
            .await
            .unwrap();
        assert_eq!(cancelled.status, ApprovalStatus::Cancelled);
        let back = store
            .deliverable(&world.owner, deliverable.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.status, DeliverableStatus::InProgress);
        let err = store
            .decide(&world.contact, approval.id, decision(4), &ctx())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");

        let now = OffsetDateTime::now_utc();
        let due = store
            .request_approval(
                &world.owner,
                ApprovalRequest {
                    due_at: Some(now - Duration::hours(1)),
                    ..request(Some(deliverable.id), version.id)
                },
                &ctx(),
            )
            .await
            .unwrap();
        assert!(matches!(
            store.expire_approvals(&world.contact, now, &ctx()).await,
            Err(StoreError::Forbidden(_))
        ));
        assert_eq!(
            store
                .expire_approvals(&world.system, now - Duration::hours(2), &ctx())
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .expire_approvals(&world.system, now, &ctx())
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .expire_approvals(&world.system, now, &ctx())
                .await
                .unwrap(),
            0
        );
        let expired = store.approval(&world.owner, due.id).await.unwrap().unwrap();
        assert_eq!(expired.status, ApprovalStatus::Expired);
        let back = store
            .deliverable(&world.owner, deliverable.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.status, DeliverableStatus::InProgress);
    }

    #[tokio::test]
    async fn an_approval_of_a_draft_project_is_hidden_from_the_client() {
        let world = World::new("hidden").await;
        let project = world.project(Visibility::Internal).await;
        let (_, version) = world.document(&project, Visibility::Shared, 5).await;
        let approval = world
            .store
            .request_approval(&world.owner, request(None, version.id), &ctx())
            .await
            .unwrap();
        assert_eq!(
            world
                .store
                .approval(&world.contact, approval.id)
                .await
                .unwrap(),
            None
        );
        let err = world
            .store
            .decide(&world.contact, approval.id, decision(5), &ctx())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound), "{err}");
    }
}
