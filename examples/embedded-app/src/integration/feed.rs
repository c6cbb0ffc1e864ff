//! Harbour's projects, milestones and invoices into the portal through the sync apply path —
//! `portal_sync::Batch`, the code behind `POST /sync/batch` — by external id (Harbour's ids), so
//! feeding again changes only what changed in Harbour. An item that is wrong fails alone and is
//! reported; a storage fault stops the feed. Harbour also decides what the customer sees: each
//! project and milestone is published or withdrawn as Harbour marks it, and milestones follow
//! their stage.

use portal_core::model::AuditContext;
use portal_core::state::{InvoiceStatus, MilestoneStatus};
use portal_core::{
    MilestoneId, Permission, PermissionSet, ProjectId, ScopeError, TenantId, TenantScope, UserId,
    Visibility,
};
use portal_storage::{StoreError, Stores};
use portal_sync::{
    Batch, InvoiceItem, InvoiceKind, MilestoneItem, MilestoneKind, MoneyBody, ProjectItem,
    ProjectKind, SyncError, SyncItem,
};
use time::Date;
use uuid::Uuid;

use crate::host::workspace::{
    HostInvoice, HostMilestone, HostProject, InvoiceState, Stage, Workspace,
};

/// What the feed may do: what an integration's API key for it would hold. Enough to find and
/// write projects, milestones and invoices in every client and to publish them; nothing about
/// people, roles or settings.
pub const FEED_PERMISSIONS: [Permission; 10] = [
    Permission::AccessAllClients,
    Permission::ViewInternal,
    Permission::ViewProjects,
    Permission::ViewMilestones,
    Permission::ViewInvoices,
    Permission::ViewFinancials,
    Permission::ManageProjects,
    Permission::ManageMilestones,
    Permission::ManageInvoices,
    Permission::Publish,
];

/// Why the feed stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    /// The member of staff the feed acts for has no usable membership.
    #[error("the feed's scope: {0}")]
    Scope(#[from] ScopeError),
    /// The storage failed while an item was applied: what was applied before stays, and the
    /// next feed picks up the rest.
    #[error("applying an item failed")]
    Apply(#[source] SyncError),
    /// A store refused or failed while publishing or moving what was applied.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

/// One item the portal refused; the others were applied.
#[derive(Debug)]
pub struct FeedFailure {
    /// `project`, `milestone` or `invoice`.
    pub kind: &'static str,
    /// Harbour's id of it.
    pub external_id: String,
    /// Why.
    pub error: SyncError,
}

/// What one feed did.
#[derive(Debug, Default)]
pub struct FeedReport {
    /// Objects created in the portal.
    pub created: usize,
    /// Objects found by external id and updated (possibly unchanged).
    pub updated: usize,
    /// Items refused.
    pub failures: Vec<FeedFailure>,
}

/// The scope the feed acts by: `acting_for`'s, narrowed to [`FEED_PERMISSIONS`]. Not a system
/// scope, so the feed can write no more than an integration could, and the audit log names the
/// person it acted for.
///
/// # Errors
/// When the store fails, or the user has no membership (disabled, or removed).
pub async fn scope(
    stores: &Stores,
    tenant: TenantId,
    acting_for: UserId,
) -> Result<TenantScope, FeedError> {
    let memberships = stores
        .memberships
        .memberships_of(tenant, acting_for)
        .await?;
    let allowed: PermissionSet = FEED_PERMISSIONS.into_iter().collect();
    Ok(TenantScope::from_memberships(&memberships)?.restricted_to(allowed))
}

/// Feeds the workspace's work into the portal by `scope` (see [`scope`]). The customers must
/// have their clients already (see [`provision::clients`](super::provision::clients)).
///
/// # Errors
/// On a storage fault; an item's own failure is in the report instead.
pub async fn feed(
    stores: &Stores,
    scope: &TenantScope,
    workspace: &Workspace,
) -> Result<FeedReport, FeedError> {
    let audit = AuditContext::default();
    let mut run = Run {
        batch: Batch::new(stores, scope, AuditContext::default()),
        report: FeedReport::default(),
    };
    for project in &workspace.projects {
        // A project that failed takes its milestones with it: they would only fail too.
        let Some(id) = run.apply(project_item(project)).await? else {
            continue;
        };
        let id = ProjectId::from_uuid(id);
        stores
            .projects
            .set_project_visibility(scope, id, visibility(project.shared), &audit)
            .await?;
        for (position, milestone) in (0..).zip(&project.milestones) {
            let item = milestone_item(project, milestone, position);
            let Some(id) = run.apply(item).await? else {
                continue;
            };
            let id = MilestoneId::from_uuid(id);
            let stored = stores
                .milestones
                .set_milestone_visibility(scope, id, visibility(milestone.shared), &audit)
                .await?;
            for to in moves(stored.status, milestone.stage) {
                stores
                    .milestones
                    .move_milestone(scope, id, *to, &audit)
                    .await?;
            }
        }
    }
    for invoice in &workspace.invoices {
        run.apply(invoice_item(invoice)).await?;
    }
    Ok(run.report)
}

/// One feed's batch and what it did so far.
struct Run<'a> {
    batch: Batch<'a>,
    report: FeedReport,
}

impl Run<'_> {
    /// Applies one item: its portal id, or `None` when the item failed (and is reported).
    async fn apply(&mut self, item: SyncItem) -> Result<Option<Uuid>, FeedError> {
        let (kind, external_id) = (item.kind(), item.external_id().to_owned());
        match self.batch.apply(item).await {
            Ok(applied) => {
                if applied.created {
                    self.report.created += 1;
                } else {
                    self.report.updated += 1;
                }
                Ok(Some(applied.id))
            }
            Err(error) if error.is_fault() => Err(FeedError::Apply(error)),
            Err(error) => {
                tracing::warn!(kind, external_id, %error, "the portal refused an item");
                self.report.failures.push(FeedFailure {
                    kind,
                    external_id,
                    error,
                });
                Ok(None)
            }
        }
    }
}

const fn visibility(shared: bool) -> Visibility {
    if shared {
        Visibility::Shared
    } else {
        Visibility::Internal
    }
}

/// The moves that take a portal milestone from `from` to where Harbour's `stage` says it is.
/// The portal's milestones never go back to planned, so a started one that Harbour puts back to
/// "to do" stays (or becomes) in progress.
#[must_use]
pub const fn moves(from: MilestoneStatus, stage: Stage) -> &'static [MilestoneStatus] {
    use MilestoneStatus::{Completed, InProgress, Planned};
    match (from, stage) {
        (Planned, Stage::Doing) | (Completed, Stage::Doing | Stage::Todo) => &[InProgress],
        (Planned, Stage::Done) => &[InProgress, Completed],
        (InProgress, Stage::Done) => &[Completed],
        (Planned, Stage::Todo)
        | (InProgress, Stage::Todo | Stage::Doing)
        | (Completed, Stage::Done) => &[],
    }
}

/// `YYYY-MM-DD`, as sync items spell days.
fn day(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The sync item of a Harbour project. Budgets stay in Harbour: an absent budget keeps whatever
/// the portal has.
#[must_use]
pub fn project_item(project: &HostProject) -> SyncItem {
    SyncItem::Project(ProjectItem {
        kind: ProjectKind::Project,
        external_id: project.id.clone(),
        client_external_id: Some(project.customer.clone()),
        client_id: None,
        name: project.name.clone(),
        description: project.description.clone(),
        status: None,
        schedule: None,
        budget: None,
    })
}

/// The sync item of a Harbour milestone, `position`-th in its project.
#[must_use]
pub fn milestone_item(project: &HostProject, milestone: &HostMilestone, position: i32) -> SyncItem {
    SyncItem::Milestone(MilestoneItem {
        kind: MilestoneKind::Milestone,
        external_id: milestone.id.clone(),
        project_external_id: Some(project.id.clone()),
        project_id: None,
        title: milestone.title.clone(),
        due_on: milestone.due_on.map(day),
        position,
    })
}

/// The sync item of a Harbour invoice: a draft stays a draft (the team's only), a sent one is
/// open.
#[must_use]
pub fn invoice_item(invoice: &HostInvoice) -> SyncItem {
    SyncItem::Invoice(InvoiceItem {
        kind: InvoiceKind::Invoice,
        external_id: invoice.id.clone(),
        client_external_id: Some(invoice.customer.clone()),
        client_id: None,
        project_external_id: invoice.project.clone(),
        project_id: None,
        number: invoice.number.clone(),
        amount: MoneyBody {
            amount_minor: invoice.amount_minor,
            currency: invoice.currency.clone(),
        },
        status: Some(match invoice.state {
            InvoiceState::Draft => InvoiceStatus::Draft,
            InvoiceState::Sent => InvoiceStatus::Open,
            InvoiceState::Paid => InvoiceStatus::Paid,
        }),
        issued_on: invoice.issued_on.map(day),
        due_on: invoice.due_on.map(day),
        payment_url: None,
        internal_note: None,
    })
}

#[cfg(test)]
mod tests {
    use portal_core::StateMachine as _;

    use super::*;

    #[test]
    fn milestones_reach_harbours_stage_by_legal_moves_only() {
        use MilestoneStatus::{Completed, InProgress, Planned};
        for from in [Planned, InProgress, Completed] {
            for stage in [Stage::Todo, Stage::Doing, Stage::Done] {
                let mut at = from;
                for to in moves(from, stage) {
                    assert!(at.can_move_to(*to), "{at:?} -> {to:?}");
                    at = *to;
                }
                let expected = match stage {
                    Stage::Done => Completed,
                    Stage::Doing => InProgress,
                    Stage::Todo if from == Planned => Planned,
                    Stage::Todo => InProgress,
                };
                assert_eq!(at, expected, "from {from:?} to {stage:?}");
            }
        }
    }
}
