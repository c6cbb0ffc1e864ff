use async_trait::async_trait;
use portal_core::model::{
    Approval, ApprovalRequest, AuditContext, Deliverable, DeliverableInput, Invoice, InvoiceInput,
    Milestone, MilestoneInput, Project, ProjectInput, ProjectStatus,
};
use portal_core::state::{
    ApprovalOutcome, ApprovalStatus, DeliverableStatus, InvoiceStatus, MilestoneStatus,
    Sha256Digest,
};
use portal_core::{
    ApprovalId, ClientId, DeliverableId, DisplayName, InvoiceId, MilestoneId, ProjectId,
    TenantScope, Visibility,
};
use serde::Serialize;
use time::OffsetDateTime;

use super::Upserted;
use crate::{Page, Paged, StoreResult};

/// Which projects to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    /// Only this client's.
    pub client: Option<ClientId>,
    /// Only in this status.
    pub status: Option<ProjectStatus>,
}

/// A project with its milestone progress, as a dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectProgress {
    /// The project.
    pub project: Project,
    /// Milestones the scope may see.
    pub milestones_total: i64,
    /// Of those, completed.
    pub milestones_completed: i64,
}

/// Projects.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ProjectStore: Send + Sync + 'static {
    /// Creates an internal project (`manage_projects` in its client).
    async fn create_project(
        &self,
        scope: &TenantScope,
        project: ProjectInput,
        audit: &AuditContext,
    ) -> StoreResult<Project>;

    /// A project the scope may see (`view_projects`).
    async fn project(&self, scope: &TenantScope, id: ProjectId) -> StoreResult<Option<Project>>;

    /// The project with this external id (matched exactly), by the rules of
    /// [`project`](Self::project): `None` when missing, foreign or hidden from the scope.
    async fn project_by_external_id(
        &self,
        scope: &TenantScope,
        external_id: &str,
    ) -> StoreResult<Option<Project>>;

    /// The projects the scope may see.
    async fn list_projects(
        &self,
        scope: &TenantScope,
        filter: ProjectFilter,
        page: Page,
    ) -> StoreResult<Paged<Project>>;

    /// The projects the scope may see, each with its visible milestones counted, in one query.
    async fn list_project_progress(
        &self,
        scope: &TenantScope,
        filter: ProjectFilter,
        page: Page,
    ) -> StoreResult<Paged<ProjectProgress>>;

    /// Replaces a project's writable fields (`manage_projects`); its client cannot change.
    async fn update_project(
        &self,
        scope: &TenantScope,
        id: ProjectId,
        project: ProjectInput,
        audit: &AuditContext,
    ) -> StoreResult<Project>;

    /// Publishes or withdraws a project (`publish`).
    async fn set_project_visibility(
        &self,
        scope: &TenantScope,
        id: ProjectId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Project>;

    /// Creates or updates the project with `project.external_id` (required), idempotently.
    async fn upsert_project(
        &self,
        scope: &TenantScope,
        project: ProjectInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Project>>;
}

/// Milestones.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait MilestoneStore: Send + Sync + 'static {
    /// Creates an internal, planned milestone (`manage_milestones`).
    async fn create_milestone(
        &self,
        scope: &TenantScope,
        milestone: MilestoneInput,
        audit: &AuditContext,
    ) -> StoreResult<Milestone>;

    /// A milestone the scope may see (`view_milestones`).
    async fn milestone(
        &self,
        scope: &TenantScope,
        id: MilestoneId,
    ) -> StoreResult<Option<Milestone>>;

    /// The milestone with this external id (matched exactly), by the rules of
    /// [`milestone`](Self::milestone): `None` when missing, foreign or hidden from the scope.
    async fn milestone_by_external_id(
        &self,
        scope: &TenantScope,
        external_id: &str,
    ) -> StoreResult<Option<Milestone>>;

    /// A project's milestones the scope may see.
    async fn list_milestones(
        &self,
        scope: &TenantScope,
        project: ProjectId,
        page: Page,
    ) -> StoreResult<Paged<Milestone>>;

    /// Replaces a milestone's writable fields (`manage_milestones`).
    async fn update_milestone(
        &self,
        scope: &TenantScope,
        id: MilestoneId,
        milestone: MilestoneInput,
        audit: &AuditContext,
    ) -> StoreResult<Milestone>;

    /// Moves a milestone through its state machine (`manage_milestones`).
    async fn move_milestone(
        &self,
        scope: &TenantScope,
        id: MilestoneId,
        to: MilestoneStatus,
        audit: &AuditContext,
    ) -> StoreResult<Milestone>;

    /// Publishes or withdraws a milestone (`publish`).
    async fn set_milestone_visibility(
        &self,
        scope: &TenantScope,
        id: MilestoneId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Milestone>;

    /// Creates or updates the milestone with `milestone.external_id` (required), idempotently.
    async fn upsert_milestone(
        &self,
        scope: &TenantScope,
        milestone: MilestoneInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Milestone>>;
}

/// Deliverables.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait DeliverableStore: Send + Sync + 'static {
    /// Creates an internal deliverable, not started (`manage_deliverables`).
    async fn create_deliverable(
        &self,
        scope: &TenantScope,
        deliverable: DeliverableInput,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable>;

    /// A deliverable the scope may see (`view_deliverables`).
    async fn deliverable(
        &self,
        scope: &TenantScope,
        id: DeliverableId,
    ) -> StoreResult<Option<Deliverable>>;

    /// A milestone's deliverables the scope may see.
    async fn list_deliverables(
        &self,
        scope: &TenantScope,
        milestone: MilestoneId,
        page: Page,
    ) -> StoreResult<Paged<Deliverable>>;

    /// Replaces a deliverable's writable fields (`manage_deliverables`).
    async fn update_deliverable(
        &self,
        scope: &TenantScope,
        id: DeliverableId,
        deliverable: DeliverableInput,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable>;

    /// Moves a deliverable through its state machine (`manage_deliverables`). Approval outcomes
    /// move it through [`ApprovalStore::decide`] instead.
    async fn move_deliverable(
        &self,
        scope: &TenantScope,
        id: DeliverableId,
        to: DeliverableStatus,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable>;

    /// Publishes or withdraws a deliverable (`publish`).
    async fn set_deliverable_visibility(
        &self,
        scope: &TenantScope,
        id: DeliverableId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Deliverable>;

    /// Creates or updates the deliverable with `deliverable.external_id` (required), idempotently.
    async fn upsert_deliverable(
        &self,
        scope: &TenantScope,
        deliverable: DeliverableInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Deliverable>>;
}

/// Which approvals to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApprovalFilter {
    /// Only this project's.
    pub project: Option<ProjectId>,
    /// Only in this status.
    pub status: Option<ApprovalStatus>,
}

/// A client's decision on an approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalDecision {
    /// Approve or request changes.
    pub outcome: ApprovalOutcome,
    /// The SHA-256 of the version the client looked at; must be the approval's.
    pub sha256: Sha256Digest,
    /// The client's comment.
    pub comment: Option<String>,
    /// The typed-name signature.
    pub signature: DisplayName,
}

/// Approvals. Requesting and deciding are each one transaction with the deliverable's status,
/// the audit event and the outbox row.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ApprovalStore: Send + Sync + 'static {
    /// Asks the client to approve one exact version (`request_approvals`); the deliverable, if
    /// any, moves to `in_review`.
    async fn request_approval(
        &self,
        scope: &TenantScope,
        request: ApprovalRequest,
        audit: &AuditContext,
    ) -> StoreResult<Approval>;

    /// An approval the scope may see (`view_approvals`).
    async fn approval(&self, scope: &TenantScope, id: ApprovalId) -> StoreResult<Option<Approval>>;

    /// The approvals the scope may see.
    async fn list_approvals(
        &self,
        scope: &TenantScope,
        filter: ApprovalFilter,
        page: Page,
    ) -> StoreResult<Paged<Approval>>;

    /// Decides a pending approval (`decide_approvals`). Of concurrent decisions exactly one
    /// wins; the others get a conflict.
    async fn decide(
        &self,
        scope: &TenantScope,
        id: ApprovalId,
        decision: ApprovalDecision,
        audit: &AuditContext,
    ) -> StoreResult<Approval>;

    /// Withdraws a pending approval (`request_approvals`); the deliverable goes back in progress.
    async fn cancel_approval(
        &self,
        scope: &TenantScope,
        id: ApprovalId,
        audit: &AuditContext,
    ) -> StoreResult<Approval>;

    /// Expires the tenant's pending approvals past their deadline; returns how many.
    async fn expire_approvals(
        &self,
        scope: &TenantScope,
        now: OffsetDateTime,
        audit: &AuditContext,
    ) -> StoreResult<u64>;
}

/// Which invoices to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    /// Only this client's.
    pub client: Option<ClientId>,
    /// Only in this status.
    pub status: Option<InvoiceStatus>,
}

/// Invoices, fed from the billing system.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait InvoiceStore: Send + Sync + 'static {
    /// Creates an invoice (`manage_invoices`).
    async fn create_invoice(
        &self,
        scope: &TenantScope,
        invoice: InvoiceInput,
        audit: &AuditContext,
    ) -> StoreResult<Invoice>;

    /// An invoice the scope may see (`view_invoices` and `view_financials`; drafts staff only).
    async fn invoice(&self, scope: &TenantScope, id: InvoiceId) -> StoreResult<Option<Invoice>>;

    /// The invoices the scope may see.
    async fn list_invoices(
        &self,
        scope: &TenantScope,
        filter: InvoiceFilter,
        page: Page,
    ) -> StoreResult<Paged<Invoice>>;

    /// Replaces an invoice's fields (`manage_invoices`); a status change must be a legal move.
    async fn update_invoice(
        &self,
        scope: &TenantScope,
        id: InvoiceId,
        invoice: InvoiceInput,
        audit: &AuditContext,
    ) -> StoreResult<Invoice>;

    /// Creates or updates the invoice with `invoice.external_id` (required), idempotently.
    async fn upsert_invoice(
        &self,
        scope: &TenantScope,
        invoice: InvoiceInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Invoice>>;
}
