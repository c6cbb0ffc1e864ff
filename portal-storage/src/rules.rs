//! The authorisation and bookkeeping rules every backend applies the same way, so the memory and
//! SQL stores cannot drift apart: permission checks through `portal_core::authorize`, list filters
//! from the scope, and the names of audit actions and outbox events.

use portal_core::model::Record;
use portal_core::state::{ApprovalStatus, DeliverableStatus};
use portal_core::{
    ClientFilter, ClientId, DomainError, Invalid, Permission, ResourceFacts, TenantScope,
    Visibility,
};

use crate::{StoreError, StoreResult};

/// Requires `permission` on the object described by `facts`: a denial that must conceal the
/// object is [`StoreError::NotFound`], any other is [`StoreError::Forbidden`].
pub fn require(
    scope: &TenantScope,
    permission: Permission,
    facts: &ResourceFacts,
) -> StoreResult<()> {
    scope.require(permission, facts).map_err(StoreError::from)
}

/// Requires `permission` on a stored record.
pub fn require_on<R: Record>(
    scope: &TenantScope,
    permission: Permission,
    record: &R,
) -> StoreResult<()> {
    require(scope, permission, &record.facts())
}

/// A read of one record: `Ok(None)` when the scope may not even know it exists, the record when
/// `permission` allows it, [`StoreError::Forbidden`] when the scope sees it but lacks the permission.
pub fn readable<R: Record>(
    scope: &TenantScope,
    permission: Permission,
    record: Option<R>,
) -> StoreResult<Option<R>> {
    match record {
        None => Ok(None),
        Some(record) => match require_on(scope, permission, &record) {
            Ok(()) => Ok(Some(record)),
            Err(StoreError::NotFound) => Ok(None),
            Err(other) => Err(other),
        },
    }
}

/// Requires `permission` for creating something in `client` with `visibility`.
pub fn require_in_client(
    scope: &TenantScope,
    permission: Permission,
    client: ClientId,
    visibility: Visibility,
) -> StoreResult<()> {
    require(
        scope,
        permission,
        &ResourceFacts::of_client(scope.tenant_id(), client, visibility),
    )
}

/// Requires a tenant-level `permission` (roles, branding, staff, audit log).
pub fn require_tenant_level(scope: &TenantScope, permission: Permission) -> StoreResult<()> {
    require(
        scope,
        permission,
        &ResourceFacts::of_tenant(scope.tenant_id()),
    )
}

/// Refuses a manual move of a deliverable to an approval outcome: `approved` and
/// `changes_requested` are set only by the client's decision ([`ApprovalStore::decide`](crate::ApprovalStore::decide)), so the team cannot sign off in the client's name.
pub fn manual_deliverable_move(to: DeliverableStatus) -> StoreResult<()> {
    match to {
        DeliverableStatus::Approved | DeliverableStatus::ChangesRequested => {
            Err(StoreError::Invalid(DomainError::validation(
                "status",
                Invalid::Malformed("approval outcomes come only from the client's decision"),
            )))
        }
        DeliverableStatus::NotStarted
        | DeliverableStatus::InProgress
        | DeliverableStatus::InReview
        | DeliverableStatus::Delivered => Ok(()),
    }
}

/// An approval that is no longer pending was decided, cancelled or expired by someone else first:
/// a conflict, for cancelling as for deciding.
pub fn still_pending(status: ApprovalStatus) -> StoreResult<()> {
    if status == ApprovalStatus::Pending {
        Ok(())
    } else {
        Err(StoreError::conflict("approval already decided"))
    }
}

/// What a list query may return for a scope: which clients' rows, and whether internal ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRule {
    /// The clients whose rows may be returned.
    pub clients: ClientFilter,
    /// Whether internal rows may be returned.
    pub internal: bool,
}

impl ListRule {
    /// The rule for listing objects readable with `permission`.
    #[must_use]
    pub fn new(scope: &TenantScope, permission: Permission) -> Self {
        Self {
            clients: scope.clients_with(permission),
            internal: scope.sees_internal(),
        }
    }

    /// Whether a row of `client` with `visibility` passes the rule.
    #[must_use]
    pub fn admits(&self, client: ClientId, visibility: Visibility) -> bool {
        self.clients.admits(client) && (self.internal || visibility.is_shared())
    }

    /// Whether the rule can return nothing at all (skip the query).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(&self.clients, ClientFilter::Only(clients) if clients.is_empty())
    }
}

/// Audit actions and outbox event kinds, written the same by every backend.
pub mod events {
    /// A client was created, updated, archived or restored.
    pub const CLIENT_CHANGED: &str = "client.changed";
    /// An object was published to its client.
    pub const PUBLISHED: &str = "object.published";
    /// An object was taken back from its client.
    pub const UNPUBLISHED: &str = "object.unpublished";
    /// A milestone moved.
    pub const MILESTONE_MOVED: &str = "milestone.moved";
    /// A deliverable moved.
    pub const DELIVERABLE_MOVED: &str = "deliverable.moved";
    /// An approval was requested.
    pub const APPROVAL_REQUESTED: &str = "approval.requested";
    /// An approval was decided.
    pub const APPROVAL_DECIDED: &str = "approval.decided";
    /// An approval was cancelled.
    pub const APPROVAL_CANCELLED: &str = "approval.cancelled";
    /// An approval expired.
    pub const APPROVAL_EXPIRED: &str = "approval.expired";
    /// A document got a new version.
    pub const DOCUMENT_VERSION_ADDED: &str = "document.version_added";
    /// A request was submitted.
    pub const REQUEST_SUBMITTED: &str = "request.submitted";
    /// A request moved.
    pub const REQUEST_MOVED: &str = "request.moved";
    /// A message was posted.
    pub const MESSAGE_POSTED: &str = "message.posted";
    /// An invoice was created or changed.
    pub const INVOICE_CHANGED: &str = "invoice.changed";
    /// A role was created, changed or deleted.
    pub const ROLE_CHANGED: &str = "role.changed";
    /// A membership was added, changed or removed.
    pub const MEMBERSHIP_CHANGED: &str = "membership.changed";
    /// A user was created, renamed, disabled or enabled.
    pub const USER_CHANGED: &str = "user.changed";
    /// Branding, domains or security settings changed.
    pub const TENANT_CHANGED: &str = "tenant.changed";
    /// A share link was created or revoked.
    pub const SHARE_LINK_CHANGED: &str = "share_link.changed";
    /// A task was marked done or reopened.
    pub const TASK_MOVED: &str = "task.moved";
}
