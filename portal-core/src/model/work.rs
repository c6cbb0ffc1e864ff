use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::client_record;
use crate::id::{
    ApprovalId, ClientId, DeliverableId, DocumentVersionId, MilestoneId, ProjectId, TenantId,
    UserId,
};
use crate::state::{ApprovalStatus, DeliverableStatus, MilestoneStatus, Sha256Digest};
use crate::validate::{DateRange, DisplayName, Money};
use crate::visibility::Visibility;

/// Whether a project is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// Running.
    #[default]
    Active,
    /// Paused.
    OnHold,
    /// Finished.
    Completed,
    /// Put away; hidden from dashboards.
    Archived,
}

impl ProjectStatus {
    /// The stable snake_case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::OnHold => "on_hold",
            Self::Completed => "completed",
            Self::Archived => "archived",
        }
    }

    /// Looks a status up by its name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Active, Self::OnHold, Self::Completed, Self::Archived]
            .into_iter()
            .find(|status| status.name() == name)
    }
}

/// An engagement for one client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    /// The project's id.
    pub id: ProjectId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client it is for.
    pub client: ClientId,
    /// Its name.
    pub name: DisplayName,
    /// A longer description.
    pub description: String,
    /// Whether it is running.
    pub status: ProjectStatus,
    /// Published to the client or not.
    pub visibility: Visibility,
    /// Planned start and end.
    pub schedule: Option<DateRange>,
    /// The budget: a finance field.
    pub budget: Option<Money>,
    /// The feeding system's id.
    pub external_id: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

/// The writable fields of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectInput {
    /// The client (fixed once created).
    pub client: ClientId,
    /// Its name.
    pub name: DisplayName,
    /// A longer description.
    pub description: String,
    /// Whether it is running.
    pub status: ProjectStatus,
    /// Planned start and end.
    pub schedule: Option<DateRange>,
    /// The budget.
    pub budget: Option<Money>,
    /// The feeding system's id.
    pub external_id: Option<String>,
}

/// A milestone of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    /// The milestone's id.
    pub id: MilestoneId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// The project.
    pub project: ProjectId,
    /// Its title.
    pub title: DisplayName,
    /// Where it stands.
    pub status: MilestoneStatus,
    /// When it is due.
    pub due_on: Option<Date>,
    /// Its place in the project's order (ascending).
    pub position: i32,
    /// Published to the client or not.
    pub visibility: Visibility,
    /// The feeding system's id.
    pub external_id: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// The writable fields of a milestone (its status moves through the state machine instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneInput {
    /// The project (fixed once created).
    pub project: ProjectId,
    /// Its title.
    pub title: DisplayName,
    /// When it is due.
    pub due_on: Option<Date>,
    /// Its place in the project's order.
    pub position: i32,
    /// The feeding system's id.
    pub external_id: Option<String>,
}

/// A deliverable of a milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deliverable {
    /// The deliverable's id.
    pub id: DeliverableId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// The project.
    pub project: ProjectId,
    /// The milestone.
    pub milestone: MilestoneId,
    /// Its title.
    pub title: DisplayName,
    /// Where it stands.
    pub status: DeliverableStatus,
    /// When it is due.
    pub due_on: Option<Date>,
    /// Published to the client or not.
    pub visibility: Visibility,
    /// The feeding system's id.
    pub external_id: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// The writable fields of a deliverable (its status moves through the state machine instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverableInput {
    /// The milestone (fixed once created).
    pub milestone: MilestoneId,
    /// Its title.
    pub title: DisplayName,
    /// When it is due.
    pub due_on: Option<Date>,
    /// The feeding system's id.
    pub external_id: Option<String>,
}

/// A sign-off request on one exact document version, optionally for a deliverable.
/// Approvals are always shared with the client: asking is publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// The approval's id.
    pub id: ApprovalId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client asked.
    pub client: ClientId,
    /// The project.
    pub project: ProjectId,
    /// The deliverable it signs off, if any.
    pub deliverable: Option<DeliverableId>,
    /// The exact version under review.
    pub document_version: DocumentVersionId,
    /// That version's SHA-256: the decision must name it.
    pub sha256: Sha256Digest,
    /// Where it stands.
    pub status: ApprovalStatus,
    /// What the team asks the client to check.
    pub message: String,
    /// Who asked.
    pub requested_by: UserId,
    /// When it was asked.
    pub requested_at: OffsetDateTime,
    /// The deadline, after which it expires.
    pub due_at: Option<OffsetDateTime>,
    /// Who decided.
    pub decided_by: Option<UserId>,
    /// When.
    pub decided_at: Option<OffsetDateTime>,
    /// The decider's comment.
    pub comment: Option<String>,
    /// The typed-name signature.
    pub signature: Option<DisplayName>,
    /// Always [`Visibility::Shared`].
    pub visibility: Visibility,
}

/// What the team asks for when requesting an approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRequest {
    /// The deliverable to sign off, if any; it moves to `in_review`.
    pub deliverable: Option<DeliverableId>,
    /// The exact version to review; must belong to the same client.
    pub document_version: DocumentVersionId,
    /// What to check.
    pub message: String,
    /// The deadline.
    pub due_at: Option<OffsetDateTime>,
}

client_record!(Project, Milestone, Deliverable, Approval);
