//! The authorisation and bookkeeping rules every backend applies the same way, so the memory and
//! SQL stores cannot drift apart: permission checks through `portal_core::authorize`, list filters
//! from the scope, the input checks the traits leave to the backends, how times are stored, what
//! publishing an object records, and the names of audit actions and outbox events.

use portal_core::model::{
    Decision, Deliverable, Document, Milestone, Project, Record, Task, Update,
};
use portal_core::state::{ApprovalStatus, DeliverableStatus};
use portal_core::{
    ClientFilter, ClientId, DomainError, Invalid, Permission, ProjectId, ResourceFacts,
    TenantScope, Visibility,
};
use serde_json::json;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

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

/// An invalid input naming its field.
pub(crate) const fn invalid(field: &'static str, reason: Invalid) -> StoreError {
    StoreError::Invalid(DomainError::validation(field, reason))
}

/// The refusal of a change to a field fixed at creation.
pub(crate) const fn fixed(field: &'static str) -> StoreError {
    invalid(field, Invalid::Malformed("cannot change once created"))
}

/// An optional external id must not be blank.
pub(crate) fn check_external_id(external_id: Option<&str>) -> StoreResult<()> {
    match external_id {
        Some(id) if id.trim().is_empty() => Err(invalid("external_id", Invalid::Empty)),
        _ => Ok(()),
    }
}

/// An upsert's external id: required and not blank.
pub(crate) fn require_external_id(external_id: Option<&str>) -> StoreResult<&str> {
    match external_id {
        Some(id) if !id.trim().is_empty() => Ok(id),
        _ => Err(invalid("external_id", Invalid::Empty)),
    }
}

/// A text that must not be blank.
pub(crate) fn require_text(field: &'static str, text: &str) -> StoreResult<()> {
    if text.trim().is_empty() {
        Err(invalid(field, Invalid::Empty))
    } else {
        Ok(())
    }
}

/// The longest host name DNS allows.
const MAX_HOST_CHARS: usize = 253;

/// A custom domain as stored: trimmed, lower case, without a final dot; refused unless it is a
/// plain host name with at least two labels. One rule, so a domain routes the same on every
/// backend.
pub(crate) fn normalise_host(host: &str) -> StoreResult<String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return Err(invalid("host", Invalid::Empty));
    }
    if host.len() > MAX_HOST_CHARS {
        return Err(invalid(
            "host",
            Invalid::TooLong {
                max: MAX_HOST_CHARS,
            },
        ));
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !host.contains('.') || !host.split('.').all(label_ok) {
        return Err(invalid(
            "host",
            Invalid::Malformed("must be a host name like portal.example.com"),
        ));
    }
    Ok(host)
}

/// A time as every backend stores it: in UTC, cut to whole microseconds, so what is read back
/// equals what was written. SQLite's TEXT form of it does *not* sort as time (sqlx trims the
/// fraction's trailing zeros), so SQL that compares times on SQLite goes through
/// `sortable_time!` (in `sql/sqlite.rs`), or the comparison is done in Rust.
pub(crate) fn stored_time(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(UtcOffset::UTC);
    at.replace_nanosecond(at.microsecond() * 1_000)
        .unwrap_or(at)
}

/// The current time as stored, so a record returned by a write equals the same record read back.
pub(crate) fn now() -> OffsetDateTime {
    stored_time(OffsetDateTime::now_utc())
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

/// A work object that can be published to its client or taken back. Every backend publishes
/// through it, so the audit event and the outbox payload cannot differ between them.
pub(crate) trait Publishable: Clone {
    /// The kind, as audit events and outbox payloads name it.
    const KIND: &'static str;

    /// Its id.
    fn object_id(&self) -> Uuid;

    /// Its own visibility (not the effective one).
    fn visibility(&self) -> Visibility;

    /// Sets its own visibility; kinds with an `updated_at` also touch it.
    fn set_visibility(&mut self, visibility: Visibility, now: OffsetDateTime);

    /// The client it belongs to.
    fn client(&self) -> ClientId;

    /// The project it belongs to, if any.
    fn project(&self) -> Option<ProjectId>;
}

/// The audit action of a change to `visibility`.
pub(crate) fn visibility_action(visibility: Visibility) -> &'static str {
    if visibility.is_shared() {
        events::PUBLISHED
    } else {
        events::UNPUBLISHED
    }
}

/// The audit details of a change to `visibility`.
pub(crate) fn visibility_details(visibility: Visibility) -> serde_json::Value {
    json!({ "visibility": visibility })
}

/// The outbox payload of a published object: ids only.
pub(crate) fn published_payload<R: Publishable>(row: &R) -> serde_json::Value {
    json!({
        "kind": R::KIND,
        "id": row.object_id(),
        "client": row.client(),
        "project": row.project(),
    })
}

macro_rules! publishable {
    ($ty:ty, $kind:literal, |$row:ident| $project:expr $(, touch $touched:ident)?) => {
        impl Publishable for $ty {
            const KIND: &'static str = $kind;

            fn object_id(&self) -> Uuid {
                *self.id.as_uuid()
            }

            fn visibility(&self) -> Visibility {
                self.visibility
            }

            #[allow(unused_variables, reason = "only kinds with updated_at use the time")]
            fn set_visibility(&mut self, visibility: Visibility, now: OffsetDateTime) {
                self.visibility = visibility;
                $(self.$touched = now;)?
            }

            fn client(&self) -> ClientId {
                self.client
            }

            fn project(&self) -> Option<ProjectId> {
                let $row = self;
                $project
            }
        }
    };
}

publishable!(Project, "project", |row| Some(row.id), touch updated_at);
publishable!(Milestone, "milestone", |row| Some(row.project));
publishable!(Deliverable, "deliverable", |row| Some(row.project));
publishable!(Document, "document", |row| row.project);
publishable!(Update, "update", |row| Some(row.project));
publishable!(Decision, "decision", |row| Some(row.project));
publishable!(Task, "task", |row| Some(row.project));

/// Audit actions and outbox event kinds, written the same by every backend.
pub mod events {
    /// A client was created, updated, archived or restored.
    pub const CLIENT_CHANGED: &str = "client.changed";
    /// A project was created.
    pub const PROJECT_CREATED: &str = "project.created";
    /// A project was edited.
    pub const PROJECT_UPDATED: &str = "project.updated";
    /// A milestone was created.
    pub const MILESTONE_CREATED: &str = "milestone.created";
    /// A milestone was edited.
    pub const MILESTONE_UPDATED: &str = "milestone.updated";
    /// A deliverable was created.
    pub const DELIVERABLE_CREATED: &str = "deliverable.created";
    /// A deliverable was edited.
    pub const DELIVERABLE_UPDATED: &str = "deliverable.updated";
    /// A document was created.
    pub const DOCUMENT_CREATED: &str = "document.created";
    /// A document was renamed.
    pub const DOCUMENT_RENAMED: &str = "document.renamed";
    /// A project update was posted.
    pub const UPDATE_CREATED: &str = "update.created";
    /// A decision was recorded.
    pub const DECISION_CREATED: &str = "decision.created";
    /// A task was created.
    pub const TASK_CREATED: &str = "task.created";
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
