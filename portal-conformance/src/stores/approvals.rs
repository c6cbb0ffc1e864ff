use std::sync::Arc;

use portal_core::model::ApprovalRequest;
use portal_core::state::{ApprovalOutcome, ApprovalStatus, DeliverableStatus, Sha256Digest};
use portal_core::{BuiltinRole, DomainError, TenantScope};
use portal_storage::{ApprovalDecision, ApprovalFilter, Page, StoreError, Stores};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{ClientWork, client, ctx, member, name, tenant, work};

struct Setup {
    manager: TenantScope,
    approver: TenantScope,
    viewer: TenantScope,
    work: ClientWork,
}

async fn setup(stores: &Stores) -> Setup {
    let acme = tenant(stores, "Acme").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client = client(stores, &manager, "Client").await;
    let (_, approver) = member(stores, acme.id, BuiltinRole::Approver, &[client]).await;
    let (_, viewer) = member(stores, acme.id, BuiltinRole::Viewer, &[client]).await;
    let work = work(stores, &manager, client, "a").await;
    stores
        .deliverables
        .move_deliverable(
            &manager,
            work.deliverable,
            DeliverableStatus::InProgress,
            &ctx(),
        )
        .await
        .unwrap();
    Setup {
        manager,
        approver,
        viewer,
        work,
    }
}

async fn request(
    stores: &Stores,
    setup: &Setup,
    due_at: Option<OffsetDateTime>,
) -> portal_core::model::Approval {
    stores
        .approvals
        .request_approval(
            &setup.manager,
            ApprovalRequest {
                deliverable: Some(setup.work.deliverable),
                document_version: setup.work.version,
                message: "Please check the proposal".into(),
                due_at,
            },
            &ctx(),
        )
        .await
        .unwrap()
}

fn decision(outcome: ApprovalOutcome, sha256: Sha256Digest) -> ApprovalDecision {
    ApprovalDecision {
        outcome,
        sha256,
        comment: Some("Looks good".into()),
        signature: name("Grace Hopper"),
    }
}

pub async fn requesting_moves_the_deliverable_to_review(h: &Harness) {
    let stores = &h.stores;
    let setup = setup(stores).await;
    let approval = request(stores, &setup, None).await;
    assert_eq!(approval.status, ApprovalStatus::Pending);
    assert_eq!(approval.sha256, setup.work.version_sha);
    let deliverable = stores
        .deliverables
        .deliverable(&setup.manager, setup.work.deliverable)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deliverable.status, DeliverableStatus::InReview);
    let seen = stores
        .approvals
        .approval(&setup.approver, approval.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.id, approval.id, "approvals are shared with the client");
    let pending = stores
        .approvals
        .list_approvals(
            &setup.approver,
            ApprovalFilter {
                status: Some(ApprovalStatus::Pending),
                ..Default::default()
            },
            Page::first(10).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(pending.items.len(), 1);
    let by_approver = stores
        .approvals
        .request_approval(
            &setup.approver,
            ApprovalRequest {
                deliverable: None,
                document_version: setup.work.version,
                message: String::new(),
                due_at: None,
            },
            &ctx(),
        )
        .await;
    assert!(
        matches!(by_approver, Err(StoreError::Forbidden(_))),
        "{by_approver:?}"
    );
}

pub async fn a_decision_must_name_the_exact_version(h: &Harness) {
    let stores = &h.stores;
    let setup = setup(stores).await;
    let approval = request(stores, &setup, None).await;
    let wrong = stores
        .approvals
        .decide(
            &setup.approver,
            approval.id,
            decision(
                ApprovalOutcome::Approved,
                Sha256Digest::from_bytes([0xEE; 32]),
            ),
            &ctx(),
        )
        .await;
    assert!(
        matches!(
            wrong,
            Err(StoreError::Invalid(DomainError::VersionMismatch { .. }))
        ),
        "{wrong:?}"
    );
    assert_eq!(
        stores
            .approvals
            .approval(&setup.manager, approval.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        ApprovalStatus::Pending
    );
    let decided = stores
        .approvals
        .decide(
            &setup.approver,
            approval.id,
            decision(ApprovalOutcome::ChangesRequested, setup.work.version_sha),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(decided.status, ApprovalStatus::ChangesRequested);
    assert_eq!(
        decided.signature.as_ref().map(|s| s.as_str()),
        Some("Grace Hopper")
    );
    assert!(decided.decided_by.is_some() && decided.decided_at.is_some());
    let deliverable = stores
        .deliverables
        .deliverable(&setup.manager, setup.work.deliverable)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deliverable.status, DeliverableStatus::ChangesRequested);
}

pub async fn only_deciders_may_decide(h: &Harness) {
    let stores = &h.stores;
    let setup = setup(stores).await;
    let approval = request(stores, &setup, None).await;
    for scope in [&setup.viewer, &setup.manager] {
        let refused = stores
            .approvals
            .decide(
                scope,
                approval.id,
                decision(ApprovalOutcome::Approved, setup.work.version_sha),
                &ctx(),
            )
            .await;
        assert!(
            matches!(refused, Err(StoreError::Forbidden(_))),
            "{refused:?}"
        );
    }
    assert_eq!(
        stores
            .approvals
            .approval(&setup.manager, approval.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        ApprovalStatus::Pending
    );
}

pub async fn concurrent_decisions_have_one_winner(h: &Harness) {
    let stores = Arc::new(h.stores.clone());
    let setup = Arc::new(setup(&stores).await);
    let approval = request(&stores, &setup, None).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let stores = stores.clone();
        let setup = setup.clone();
        tasks.push(tokio::spawn(async move {
            let outcome = if i % 2 == 0 {
                ApprovalOutcome::Approved
            } else {
                ApprovalOutcome::ChangesRequested
            };
            stores
                .approvals
                .decide(
                    &setup.approver,
                    approval.id,
                    decision(outcome, setup.work.version_sha),
                    &ctx(),
                )
                .await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(other) => panic!("a losing decision must be a conflict, got {other:?}"),
        }
    }
    assert_eq!(won, 1);
    let stored = stores
        .approvals
        .approval(&setup.manager, approval.id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.status, ApprovalStatus::Pending);
    let decided_events = stores
        .audit
        .list_events(
            &setup.manager_admin_or_system(),
            portal_storage::AuditFilter {
                action: Some("approval.decided".into()),
                ..Default::default()
            },
            Page::first(50).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        decided_events.items.len(),
        1,
        "one decision, one audit event"
    );
}

impl Setup {
    fn manager_admin_or_system(&self) -> TenantScope {
        TenantScope::dangerous_system(self.manager.tenant_id())
    }
}

pub async fn cancel_and_expire(h: &Harness) {
    let stores = &h.stores;
    let setup = setup(stores).await;
    let approval = request(stores, &setup, None).await;
    let cancelled = stores
        .approvals
        .cancel_approval(&setup.manager, approval.id, &ctx())
        .await
        .unwrap();
    assert_eq!(cancelled.status, ApprovalStatus::Cancelled);
    let deliverable = stores
        .deliverables
        .deliverable(&setup.manager, setup.work.deliverable)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deliverable.status, DeliverableStatus::InProgress);
    let late = stores
        .approvals
        .decide(
            &setup.approver,
            approval.id,
            decision(ApprovalOutcome::Approved, setup.work.version_sha),
            &ctx(),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Conflict { .. })), "{late:?}");
    let cancelled_again = stores
        .approvals
        .cancel_approval(&setup.manager, approval.id, &ctx())
        .await;
    assert!(
        matches!(cancelled_again, Err(StoreError::Conflict { .. })),
        "{cancelled_again:?}"
    );

    let due = OffsetDateTime::now_utc() + Duration::hours(1);
    let expiring = request(stores, &setup, Some(due)).await;
    let system = TenantScope::dangerous_system(setup.manager.tenant_id());
    let none_yet = stores
        .approvals
        .expire_approvals(&system, due - Duration::minutes(1), &ctx())
        .await
        .unwrap();
    assert_eq!(none_yet, 0);
    let expired = stores
        .approvals
        .expire_approvals(&system, due + Duration::minutes(1), &ctx())
        .await
        .unwrap();
    assert_eq!(expired, 1);
    let stored = stores
        .approvals
        .approval(&setup.manager, expiring.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ApprovalStatus::Expired);
}

pub async fn the_team_cannot_sign_off_for_the_client(h: &Harness) {
    let stores = &h.stores;
    let setup = setup(stores).await;
    request(stores, &setup, None).await;
    for outcome in [
        DeliverableStatus::Approved,
        DeliverableStatus::ChangesRequested,
    ] {
        let forged = stores
            .deliverables
            .move_deliverable(&setup.manager, setup.work.deliverable, outcome, &ctx())
            .await;
        assert!(matches!(forged, Err(StoreError::Invalid(_))), "{forged:?}");
    }
    let deliverable = stores
        .deliverables
        .deliverable(&setup.manager, setup.work.deliverable)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deliverable.status, DeliverableStatus::InReview);
}
