//! The authorisation and bookkeeping rules every backend applies the same way, so the memory and
//! SQL stores cannot drift apart: permission checks through `portal_core::authorize`, list filters
//! from the scope, the input checks the traits leave to the backends, how times are stored, what
//! publishing an object records, and the names of audit actions and outbox events.

use portal_core::model::{
    Decision, Deliverable, DeliverableInput, Document, DocumentVersion, Invoice, InvoiceInput,
    Milestone, MilestoneInput, Project, ProjectInput, Record, Task, Update, User,
};
use portal_core::state::{ApprovalStatus, DeliverableStatus, MilestoneStatus};
use portal_core::{
    ClientFilter, ClientId, DeliverableId, Denied, DomainError, Invalid, InvoiceId, MembershipKind,
    MilestoneId, Permission, Principal, ProjectId, ResourceFacts, RoleId, Rule, Side, StateMachine,
    TenantId, TenantScope, UserId, Visibility,
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

/// The project an approval is requested in: its deliverable's, else its document's. The
/// deliverable must be of the version's client, and a document of no project needs one.
pub(crate) fn approval_project(
    deliverable: Option<&Deliverable>,
    document: &Document,
    version: &portal_core::model::DocumentVersion,
) -> StoreResult<ProjectId> {
    if deliverable.is_some_and(|deliverable| deliverable.client != version.client) {
        return Err(invalid(
            "document_version",
            Invalid::Malformed("belongs to another client than the deliverable"),
        ));
    }
    deliverable
        .map(|deliverable| deliverable.project)
        .or(document.project)
        .ok_or_else(|| {
            invalid(
                "deliverable",
                Invalid::Malformed("is required for a document of no project"),
            )
        })
}

/// A new project of `input`'s client: internal, created and updated `at`.
pub(crate) fn new_project(tenant: TenantId, input: ProjectInput, at: OffsetDateTime) -> Project {
    Project {
        id: ProjectId::new(),
        tenant,
        client: input.client,
        name: input.name,
        description: input.description,
        status: input.status,
        visibility: Visibility::Internal,
        schedule: input.schedule,
        budget: input.budget,
        external_id: input.external_id,
        created_at: at,
        updated_at: at,
    }
}

/// `current` as `input` edits it, updated `at`; `None` when nothing changes. The client stays:
/// the caller refuses an input of another.
pub(crate) fn edited_project(
    current: &Project,
    input: ProjectInput,
    at: OffsetDateTime,
) -> Option<Project> {
    let next = Project {
        name: input.name,
        description: input.description,
        status: input.status,
        schedule: input.schedule,
        budget: input.budget,
        external_id: input.external_id,
        ..current.clone()
    };
    (next != *current).then_some(Project {
        updated_at: at,
        ..next
    })
}

/// A new milestone of `project`: planned and internal.
pub(crate) fn new_milestone(
    tenant: TenantId,
    project: &Project,
    input: MilestoneInput,
    at: OffsetDateTime,
) -> Milestone {
    Milestone {
        id: MilestoneId::new(),
        tenant,
        client: project.client,
        project: project.id,
        title: input.title,
        status: MilestoneStatus::Planned,
        due_on: input.due_on,
        position: input.position,
        visibility: Visibility::Internal,
        external_id: input.external_id,
        created_at: at,
    }
}

/// `current` as `input` edits it; `None` when nothing changes. The project stays: the caller
/// refuses an input of another.
pub(crate) fn edited_milestone(current: &Milestone, input: MilestoneInput) -> Option<Milestone> {
    let next = Milestone {
        title: input.title,
        due_on: input.due_on,
        position: input.position,
        external_id: input.external_id,
        ..current.clone()
    };
    (next != *current).then_some(next)
}

/// A new deliverable of `milestone`: not started and internal.
pub(crate) fn new_deliverable(
    tenant: TenantId,
    milestone: &Milestone,
    input: DeliverableInput,
    at: OffsetDateTime,
) -> Deliverable {
    Deliverable {
        id: DeliverableId::new(),
        tenant,
        client: milestone.client,
        project: milestone.project,
        milestone: milestone.id,
        title: input.title,
        status: DeliverableStatus::NotStarted,
        due_on: input.due_on,
        visibility: Visibility::Internal,
        external_id: input.external_id,
        created_at: at,
    }
}

/// `current` as `input` edits it; `None` when nothing changes. The milestone stays: the caller
/// refuses an input of another.
pub(crate) fn edited_deliverable(
    current: &Deliverable,
    input: DeliverableInput,
) -> Option<Deliverable> {
    let next = Deliverable {
        title: input.title,
        due_on: input.due_on,
        external_id: input.external_id,
        ..current.clone()
    };
    (next != *current).then_some(next)
}

/// A new invoice as `input` describes it, created and updated `at`.
pub(crate) fn new_invoice(tenant: TenantId, input: InvoiceInput, at: OffsetDateTime) -> Invoice {
    Invoice {
        id: InvoiceId::new(),
        tenant,
        client: input.client,
        project: input.project,
        number: input.number,
        amount: input.amount,
        status: input.status,
        issued_on: input.issued_on,
        due_on: input.due_on,
        payment_url: input.payment_url,
        internal_note: input.internal_note,
        external_id: input.external_id,
        created_at: at,
        updated_at: at,
    }
}

/// `current` as `input` edits it, updated `at`; `None` when nothing changes. A change of status
/// must be a move the state machine allows; the client stays (the caller refuses another).
pub(crate) fn edited_invoice(
    current: &Invoice,
    input: InvoiceInput,
    at: OffsetDateTime,
) -> StoreResult<Option<Invoice>> {
    if input.status != current.status {
        current.status.transition(input.status)?;
    }
    let next = Invoice {
        project: input.project,
        number: input.number,
        amount: input.amount,
        status: input.status,
        issued_on: input.issued_on,
        due_on: input.due_on,
        payment_url: input.payment_url,
        internal_note: input.internal_note,
        external_id: input.external_id,
        ..current.clone()
    };
    Ok((next != *current).then_some(Invoice {
        updated_at: at,
        ..next
    }))
}

/// An invalid input naming its field.
pub(crate) const fn invalid(field: &'static str, reason: Invalid) -> StoreError {
    StoreError::Invalid(DomainError::validation(field, reason))
}

/// The refusal of a change to a field fixed at creation.
pub(crate) const fn fixed(field: &'static str) -> StoreError {
    invalid(field, Invalid::Malformed("cannot change once created"))
}

/// A document as it reads once `version` is its current one.
pub(crate) fn with_current_version(document: Document, version: &DocumentVersion) -> Document {
    Document {
        current_version: Some(version.id),
        ..document
    }
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
    // A top-level label of digits only is an IPv4 address, never a domain (no TLD is numeric).
    let numeric_top = host
        .rsplit('.')
        .next()
        .is_some_and(|top| top.bytes().all(|b| b.is_ascii_digit()));
    if !host.contains('.') || !host.split('.').all(label_ok) || numeric_top {
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
    /// A client's engagement was ended: its contacts' access, sessions, invitations and share
    /// links at once.
    pub const CLIENT_OFFBOARDED: &str = "client.offboarded";
    /// An offboarded client's personal data was erased.
    pub const CLIENT_ERASED: &str = "client.erased";
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
    /// A webhook endpoint was created, changed, given a new secret or deleted.
    pub const WEBHOOK_CHANGED: &str = "webhook.changed";
    /// A webhook delivery was queued again by hand.
    pub const WEBHOOK_REDELIVERED: &str = "webhook.redelivered";
    /// A pending approval is due within a day (an outbox event, written once).
    pub const APPROVAL_DUE_SOON: &str = "approval.due_soon";
    /// An open invoice passed its due day (an outbox event, written once).
    pub const INVOICE_OVERDUE: &str = "invoice.overdue";
    /// Someone was invited (an outbox event for webhooks; the invitee gets the invitation mail).
    pub const INVITATION_SENT: &str = "invitation.sent";
    /// An account's password changed (an outbox event: the person is told).
    pub const SECURITY_PASSWORD_CHANGED: &str = "security.password_changed";
    /// An account's second factor was set up or removed (an outbox event).
    pub const SECURITY_MFA_CHANGED: &str = "security.mfa_changed";
    /// A person changed how they hear of an event type by mail.
    pub const MAIL_PREFERENCE_CHANGED: &str = "mail_preference.changed";
}

/// A TOTP time step as the SQL backends store it (a signed 64-bit integer). Every backend
/// refuses a step beyond that range, so all of them accept the same inputs.
pub(crate) fn totp_step(step: u64) -> StoreResult<i64> {
    i64::try_from(step).map_err(|_| invalid("step", Invalid::OutOfRange))
}

/// Whether a single-use login token that expires at `expires_at` (as stored) still works at
/// `now`: up to, not including, its expiry.
pub(crate) fn unexpired(expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    stored_time(now) < expires_at
}

/// A sealed TOTP secret is never empty: sealing adds at least a nonce and a tag.
pub(crate) fn require_sealed_secret(sealed_secret: &[u8]) -> StoreResult<()> {
    if sealed_secret.is_empty() {
        Err(invalid("sealed_secret", Invalid::Empty))
    } else {
        Ok(())
    }
}

/// A new passkey: a credential id of 1–1023 bytes (WebAuthn's bounds) and a credential.
pub(crate) fn check_new_passkey(passkey: &portal_core::model::NewPasskey) -> StoreResult<()> {
    let max = portal_core::model::NewPasskey::MAX_CREDENTIAL_ID_BYTES;
    if passkey.credential_id.is_empty() {
        return Err(invalid("credential_id", Invalid::Empty));
    }
    if passkey.credential_id.len() > max {
        return Err(invalid("credential_id", Invalid::TooLong { max }));
    }
    require_text("credential", &passkey.credential)
}

/// A ceremony to store: a registration is a user's, a sign-in nobody's yet; the state is there.
pub(crate) fn check_new_passkey_ceremony(
    ceremony: &portal_core::model::NewPasskeyCeremony,
) -> StoreResult<()> {
    use portal_core::model::PasskeyCeremonyKind::{Authentication, Registration};
    match (ceremony.kind, ceremony.user) {
        (Registration, Some(_)) | (Authentication, None) => {}
        (Registration, None) => return Err(invalid("user", Invalid::Empty)),
        (Authentication, Some(_)) => {
            return Err(invalid(
                "user",
                Invalid::Malformed("a sign-in ceremony names no user"),
            ));
        }
    }
    require_text("state", &ceremony.state)
}

/// Recovery codes are a set: the same hash twice is a caller's mistake, refused alike by every
/// backend (the SQL key would otherwise turn it into a conflict).
pub(crate) fn distinct_code_hashes(
    code_hashes: &[portal_core::state::Sha256Digest],
) -> StoreResult<()> {
    let mut seen = std::collections::HashSet::with_capacity(code_hashes.len());
    if code_hashes.iter().all(|hash| seen.insert(*hash)) {
        Ok(())
    } else {
        Err(invalid(
            "recovery_code_hashes",
            Invalid::Malformed("each code must be different"),
        ))
    }
}

// Users and memberships: who may manage whom, and what their changes record.

/// A refusal that does not conceal the object: the scope knows it, but may not do this.
pub(crate) const fn forbidden(rule: Rule) -> StoreError {
    StoreError::Forbidden(Denied { rule })
}

/// The fewest bytes a webhook signing secret may have.
pub const MIN_WEBHOOK_SECRET_BYTES: usize = 16;
/// The most bytes a stored webhook signing secret (sealed or not) may have.
pub const MAX_WEBHOOK_SECRET_BYTES: usize = 1_024;

/// Why a delivery to a deleted endpoint stopped, or cannot start again.
pub(crate) const ENDPOINT_DELETED: &str = "the webhook endpoint was deleted";

/// The longest failure text kept (receivers can answer with whole pages).
pub(crate) const MAX_ERROR_CHARS: usize = 2_000;

/// A failure text as stored: at most [`MAX_ERROR_CHARS`] characters.
pub(crate) fn clipped_error(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

/// A webhook secret must be long enough to sign with, and bounded.
pub(crate) fn require_webhook_secret(secret: &[u8]) -> StoreResult<()> {
    if secret.len() < MIN_WEBHOOK_SECRET_BYTES {
        return Err(invalid(
            "secret",
            Invalid::TooShort {
                min: MIN_WEBHOOK_SECRET_BYTES,
            },
        ));
    }
    if secret.len() > MAX_WEBHOOK_SECRET_BYTES {
        return Err(invalid(
            "secret",
            Invalid::TooLong {
                max: MAX_WEBHOOK_SECRET_BYTES,
            },
        ));
    }
    Ok(())
}

/// A new webhook endpoint as every backend stores it, after the checks every backend makes:
/// `manage_integrations`, no preview, a valid input and a usable secret.
pub(crate) fn new_webhook_endpoint(
    scope: &TenantScope,
    input: portal_core::model::WebhookEndpointInput,
    secret: &[u8],
    at: OffsetDateTime,
) -> StoreResult<portal_core::model::WebhookEndpoint> {
    require_tenant_level(scope, Permission::ManageIntegrations)?;
    writable(scope)?;
    let input = input.validated()?;
    require_webhook_secret(secret)?;
    Ok(portal_core::model::WebhookEndpoint {
        id: portal_core::WebhookEndpointId::new(),
        tenant: scope.tenant_id(),
        url: input.url,
        description: input.description,
        event_types: input.event_types,
        active: input.active,
        created_at: at,
        updated_at: at,
    })
}

/// The audit event of an endpoint change (`created`, `updated`, `secret_rotated`, `deleted`).
pub(crate) fn webhook_changed_event(
    scope: &TenantScope,
    endpoint: &portal_core::model::WebhookEndpoint,
    change: &str,
) -> portal_core::model::NewAuditEvent {
    portal_core::model::NewAuditEvent::by(
        scope,
        events::WEBHOOK_CHANGED,
        Some(object_ref("webhook_endpoint", endpoint.id.as_uuid())),
    )
    .with_details(json!({ "change": change, "url": endpoint.url.as_str() }))
}

/// The audit event of a delivery queued again by hand.
pub(crate) fn webhook_redelivered_event(
    scope: &TenantScope,
    delivery: &portal_core::model::WebhookDelivery,
) -> portal_core::model::NewAuditEvent {
    portal_core::model::NewAuditEvent::by(
        scope,
        events::WEBHOOK_REDELIVERED,
        Some(object_ref("webhook_delivery", delivery.id.as_uuid())),
    )
    .with_details(json!({ "endpoint": delivery.endpoint, "event": delivery.event }))
}

/// Refuses every scope but a background job's (the dispatcher's writes).
pub(crate) fn require_system(scope: &TenantScope) -> StoreResult<()> {
    if scope.principal() == Principal::System {
        Ok(())
    } else {
        Err(forbidden(Rule::MissingPermission {
            permission: Permission::ManageIntegrations,
        }))
    }
}

/// The person whose notifications and preferences `scope` may touch: its own user, or anyone
/// of the tenant for a system scope (`user` then names them). Anyone else's → `NotFound`.
pub(crate) fn notified_user(scope: &TenantScope, user: Option<UserId>) -> StoreResult<UserId> {
    match (scope.principal(), user) {
        (Principal::System, Some(user)) => Ok(user),
        (Principal::Staff(own) | Principal::Contact(own), None) => Ok(own),
        (Principal::Staff(own) | Principal::Contact(own), Some(user)) if own == user => Ok(own),
        _ => Err(StoreError::NotFound),
    }
}

/// Refuses any write by a read-only preview.
pub(crate) fn writable(scope: &TenantScope) -> StoreResult<()> {
    if scope.is_read_only() {
        Err(forbidden(Rule::ReadOnlyPreview))
    } else {
        Ok(())
    }
}

/// The side a membership kind belongs to.
pub(crate) const fn side_of(kind: &MembershipKind) -> Side {
    match kind {
        MembershipKind::Staff { .. } => Side::Staff,
        MembershipKind::Contact { .. } => Side::Client,
    }
}

/// The client a membership of `kind` belongs to; `None` for the staff, as invitations and the
/// stored rows name it.
pub(crate) const fn client_of(kind: &MembershipKind) -> Option<ClientId> {
    match kind {
        MembershipKind::Staff { .. } => None,
        MembershipKind::Contact { client } => Some(*client),
    }
}

/// Sorted, without duplicates (the order staff assignments are read back in).
pub(crate) fn normalised(mut clients: Vec<ClientId>) -> Vec<ClientId> {
    clients.sort_unstable();
    clients.dedup();
    clients
}

/// Which users a scope sees besides itself: the rule `user`, `list_users` and every change to a
/// user apply alike on every backend. A user it does not see is not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserReach {
    /// Whether users of the staff side are seen: every member of staff sees its colleagues.
    pub staff: bool,
    /// The clients whose contacts are seen: a contact holding a membership of one of them.
    pub clients: ClientFilter,
    /// Whether contacts holding no membership at all (removed, or not added yet) are seen: such
    /// a contact belongs to no client, so only staff who manage every client's contacts see it.
    pub unattached: bool,
}

impl UserReach {
    /// The reach of `scope`: staff see their colleagues and the contacts of the clients they
    /// reach; a contact sees the contacts of its own clients.
    #[must_use]
    pub fn new(scope: &TenantScope) -> Self {
        let staff = scope.is_staff_side();
        Self {
            staff,
            clients: scope.reachable_clients(),
            unattached: staff && scope.clients_with(Permission::ManageClients) == ClientFilter::All,
        }
    }

    /// Whether `scope` (whose reach this is) sees `user`, a contact of `clients`: itself, and
    /// whom the reach admits.
    pub(crate) fn sees(&self, scope: &TenantScope, user: &User, clients: &[ClientId]) -> bool {
        user.tenant == scope.tenant_id()
            && (scope.principal().user_id() == Some(user.id) || self.admits(user.side, clients))
    }

    /// Whether a user of `side` whose contact memberships name `clients` is seen.
    #[must_use]
    pub fn admits(&self, side: Side, clients: &[ClientId]) -> bool {
        match side {
            Side::Staff => self.staff,
            Side::Client if clients.is_empty() => self.unattached,
            Side::Client => clients.iter().any(|client| self.clients.admits(*client)),
        }
    }
}

/// May the scope change a user it sees (rename, disable, enable): `manage_staff` for a member
/// of staff; for a contact, `manage_clients` on every client the contact belongs to (`clients`),
/// since a change to the person reaches all of them — or on every client of the tenant, for a
/// contact of none.
pub(crate) fn require_user_admin(
    scope: &TenantScope,
    side: Side,
    clients: &[ClientId],
) -> StoreResult<()> {
    if side == Side::Staff {
        return require_tenant_level(scope, Permission::ManageStaff);
    }
    require_tenant_level(scope, Permission::ManageClients)?;
    let managed = scope.clients_with(Permission::ManageClients);
    let whole = if clients.is_empty() {
        managed == ClientFilter::All
    } else {
        clients.iter().all(|client| managed.admits(*client))
    };
    if whole {
        Ok(())
    } else {
        // The contact is seen through a client the scope manages: refused, not concealed.
        Err(forbidden(Rule::MissingPermission {
            permission: Permission::ManageClients,
        }))
    }
}

/// May the scope create a user of `side`: staff need `manage_staff` or `manage_clients`; a
/// client admin may add contacts (whom it then makes members of its own client).
pub(crate) fn require_user_creator(scope: &TenantScope, side: Side) -> StoreResult<()> {
    match side {
        Side::Staff => require_tenant_level(scope, Permission::ManageStaff),
        Side::Client if scope.is_staff_side() => {
            require_tenant_level(scope, Permission::ManageClients)
        }
        Side::Client => {
            writable(scope)?;
            match scope.clients_with(Permission::ManageClientContacts) {
                ClientFilter::Only(clients) if clients.is_empty() => {
                    Err(forbidden(Rule::MissingPermission {
                        permission: Permission::ManageClientContacts,
                    }))
                }
                _ => Ok(()),
            }
        }
    }
}

/// May the scope manage the people of `client`: `manage_clients` (staff), or
/// `manage_client_contacts` within its own client (a client admin). A client out of reach is
/// not found.
pub(crate) fn require_contact_admin(scope: &TenantScope, client: ClientId) -> StoreResult<()> {
    let facts = ResourceFacts::of_client(scope.tenant_id(), client, Visibility::Shared);
    require(scope, Permission::ManageClients, &facts).or_else(|denied| {
        if scope.is_staff_side() {
            Err(denied)
        } else {
            require(scope, Permission::ManageClientContacts, &facts)
        }
    })
}

/// May the scope manage this membership: the rule of [`require_invitation_admin`], as an
/// invitation grants a membership of its kind.
pub(crate) fn require_membership_admin(
    scope: &TenantScope,
    kind: &MembershipKind,
) -> StoreResult<()> {
    require_invitation_admin(scope, client_of(kind))
}

/// The clients whose contacts the scope may manage: the list form of
/// [`require_contact_admin`].
fn contact_admin_clients(scope: &TenantScope) -> ClientFilter {
    match (
        scope.clients_with(Permission::ManageClients),
        scope.clients_with(Permission::ManageClientContacts),
    ) {
        // Staff manage contacts only through `manage_clients`.
        (by_staff, _) if scope.is_staff_side() => by_staff,
        (ClientFilter::All, _) | (_, ClientFilter::All) => ClientFilter::All,
        (ClientFilter::Only(mut first), ClientFilter::Only(second)) => {
            first.extend(second);
            first.sort_unstable();
            first.dedup();
            ClientFilter::Only(first)
        }
    }
}

/// The audit details of a new user, as `create_user` and an acceptance record it.
pub(crate) fn user_created_details(side: Side) -> serde_json::Value {
    json!({ "change": "created", "side": side })
}

/// The audit details of a new membership, as `add_membership` and an acceptance record it.
pub(crate) fn membership_added_details(user: UserId, role: RoleId) -> serde_json::Value {
    json!({ "change": "added", "user": user, "role": role })
}

/// The audit event of a new password, by the user itself: no scope exists on the paths that set
/// one (a reset, an acceptance).
pub(crate) fn password_changed_event(user: UserId) -> portal_core::model::NewAuditEvent {
    by_user(
        user,
        events::USER_CHANGED,
        object_ref("user", user.as_uuid()),
        json!({ "change": "password" }),
    )
}

/// The outbox payload of an invitation: ids only, never the address or the token.
pub(crate) fn invitation_payload(invitation: &portal_core::model::Invitation) -> serde_json::Value {
    json!({
        "invitation": invitation.id,
        "client": invitation.client,
        "role": invitation.role,
    })
}

/// The outbox payload of a security notice to `user`.
pub(crate) fn security_payload(user: UserId) -> serde_json::Value {
    json!({ "user": user })
}

/// An event by `user` acting through a global method (no scope yet).
fn by_user(
    user: UserId,
    action: &str,
    object: portal_core::model::ObjectRef,
    details: serde_json::Value,
) -> portal_core::model::NewAuditEvent {
    portal_core::model::NewAuditEvent {
        actor: portal_core::model::Actor::User(user),
        action: action.to_owned(),
        object: Some(object),
        outcome: portal_core::model::AuditOutcome::Success,
        details,
        subject: None,
        personal: None,
    }
}

// Invitations and API keys: the checks, list rule, conflicts and audit events every backend
// shares.

/// May the scope invite people to `client` (as its contacts) or, for `None`, to the staff, and
/// revoke such invitations: the permissions adding that membership takes — `manage_staff` for
/// staff; `manage_clients`, or `manage_client_contacts` within its own client, for contacts. A
/// client out of reach is not found.
pub fn require_invitation_admin(scope: &TenantScope, client: Option<ClientId>) -> StoreResult<()> {
    match client {
        None => require_tenant_level(scope, Permission::ManageStaff),
        Some(client) => require_contact_admin(scope, client),
    }
}

/// Which invitations a list may return for a scope: the list form of
/// [`require_invitation_admin`]. Memberships are listed by the same rule, each being what an
/// invitation of its kind grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationListRule {
    /// Whether staff invitations may be returned.
    pub staff: bool,
    /// The clients whose contact invitations may be returned.
    pub clients: ClientFilter,
}

impl InvitationListRule {
    /// The rule for the scope's list, of one client's invitations if `client` is set.
    #[must_use]
    pub fn new(scope: &TenantScope, client: Option<ClientId>) -> Self {
        let staff =
            client.is_none() && require_tenant_level(scope, Permission::ManageStaff).is_ok();
        let managed = contact_admin_clients(scope);
        let clients = match client {
            None => managed,
            Some(client) if managed.admits(client) => ClientFilter::Only(vec![client]),
            Some(_) => ClientFilter::Only(Vec::new()),
        };
        Self { staff, clients }
    }

    /// Whether an invitation to `client` (`None`: the staff) passes the rule.
    #[must_use]
    pub fn admits(&self, client: Option<ClientId>) -> bool {
        client.map_or(self.staff, |client| self.clients.admits(client))
    }

    /// Whether the rule can return nothing at all (skip the query).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.staff && matches!(&self.clients, ClientFilter::Only(clients) if clients.is_empty())
    }
}

/// The side an invitation joins: a contact of its client, or the staff.
pub(crate) const fn invitation_side(client: Option<ClientId>) -> portal_core::Side {
    match client {
        Some(_) => portal_core::Side::Client,
        None => portal_core::Side::Staff,
    }
}

/// Checks a new invitation against its role (`None`: no such role in the tenant) and the clock:
/// the role must be the tenant's and of the side the invitation joins, the expiry ahead.
pub(crate) fn check_new_invitation(
    role: Option<&portal_core::Role>,
    invitation: &portal_core::model::NewInvitation,
    now: OffsetDateTime,
) -> StoreResult<()> {
    match role {
        None => {
            return Err(invalid(
                "role",
                Invalid::Malformed("is not a role of this tenant"),
            ));
        }
        Some(role) if role.side() != invitation_side(invitation.client) => {
            return Err(invalid(
                "role",
                Invalid::Malformed("is a role of the other side"),
            ));
        }
        Some(_) => {}
    }
    if stored_time(invitation.expires_at) <= now {
        return Err(invalid(
            "expires_at",
            Invalid::Malformed("must be in the future"),
        ));
    }
    Ok(())
}

/// Whether an invitation still works at `now`: neither accepted nor revoked (a re-send revokes
/// the one it replaces), and not expired.
pub(crate) fn invitation_pending(
    invitation: &portal_core::model::Invitation,
    now: OffsetDateTime,
) -> bool {
    invitation.accepted_at.is_none()
        && invitation.revoked_at.is_none()
        && stored_time(now) < invitation.expires_at
}

/// Whether the user found under an invitation's email may accept it: one of the other side, or
/// a disabled one (whom accepting must not silently re-enable), is a conflict.
pub(crate) fn check_acceptance(
    invitation: &portal_core::model::Invitation,
    existing: Option<&portal_core::model::User>,
) -> StoreResult<()> {
    match existing {
        Some(user) if user.side != invitation_side(invitation.client) => Err(StoreError::conflict(
            "email belongs to a user of the other side",
        )),
        Some(user) if user.disabled => Err(StoreError::conflict("user is disabled")),
        _ => Ok(()),
    }
}

/// The user an acceptance creates when no user holds the invitation's email: enabled, of the
/// side the invitation joins.
pub(crate) fn invited_user(
    invitation: &portal_core::model::Invitation,
    name: portal_core::DisplayName,
    created_at: OffsetDateTime,
) -> portal_core::model::User {
    portal_core::model::User {
        id: UserId::new(),
        tenant: invitation.tenant,
        email: invitation.email.clone(),
        name,
        side: invitation_side(invitation.client),
        disabled: false,
        locale: None,
        last_login_at: None,
        tour_done_at: None,
        erased_at: None,
        created_at,
    }
}

/// The membership an accepted invitation grants `user`: a contact of its client, or staff
/// with no assigned clients.
pub(crate) fn invited_membership(
    invitation: &portal_core::model::Invitation,
    user: UserId,
    created_at: OffsetDateTime,
) -> portal_core::model::MembershipRecord {
    portal_core::model::MembershipRecord {
        id: portal_core::MembershipId::new(),
        tenant: invitation.tenant,
        user,
        role: invitation.role,
        kind: match invitation.client {
            Some(client) => MembershipKind::Contact { client },
            None => MembershipKind::Staff {
                assigned_clients: Vec::new(),
            },
        },
        created_at,
    }
}

/// Whether an invitation is still to be revoked: an accepted one is a conflict, a revoked one
/// is left as it is (revoking twice changes nothing).
pub(crate) fn revocable(invitation: &portal_core::model::Invitation) -> StoreResult<bool> {
    if invitation.accepted_at.is_some() {
        return Err(StoreError::conflict(conflicts::INVITATION_ACCEPTED));
    }
    Ok(invitation.revoked_at.is_none())
}

/// The conflicts of users, invitations, API keys, login tokens and second factors, worded the
/// same by every backend.
pub(crate) mod conflicts {
    /// The email is another user's in the tenant.
    pub(crate) const EMAIL_IN_USE: &str = "email already in use";
    /// The token hash is another login token's.
    pub(crate) const LOGIN_TOKEN_TAKEN: &str = "login token already in use";
    /// Beginning or confirming a TOTP enrolment that is already confirmed.
    pub(crate) const TOTP_CONFIRMED: &str = "totp already confirmed";
    /// The token hash is another invitation's.
    pub(crate) const INVITATION_TOKEN_TAKEN: &str = "invitation token already in use";
    /// Revoking an invitation that was accepted.
    pub(crate) const INVITATION_ACCEPTED: &str = "invitation already accepted";
    /// The user already holds the membership added or invited to.
    pub(crate) const ALREADY_MEMBER: &str = "user is already a member";
    /// The prefix is another key's, in any tenant.
    pub(crate) const API_KEY_PREFIX_TAKEN: &str = "api key prefix already in use";
    /// The secret hash is another key's.
    pub(crate) const API_KEY_SECRET_TAKEN: &str = "api key secret already in use";
    /// The credential id is another passkey's in the tenant.
    pub(crate) const PASSKEY_CREDENTIAL_TAKEN: &str = "passkey credential already registered";
    /// The handle hash is another ceremony's.
    pub(crate) const PASSKEY_CEREMONY_TAKEN: &str = "passkey ceremony handle already in use";
}

/// Checks a new API key: `manage_api_keys`, a visible prefix, and only staff permissions the
/// scope holds itself (a key never grants more than its creator).
pub(crate) fn check_new_api_key(
    scope: &TenantScope,
    key: &portal_core::model::NewApiKey,
) -> StoreResult<()> {
    require_tenant_level(scope, Permission::ManageApiKeys)?;
    require_text("prefix", &key.prefix)?;
    if key
        .prefix
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(
            "prefix",
            Invalid::Malformed("must not hold spaces or control characters"),
        ));
    }
    let staff = portal_core::PermissionSet::allowed_for(portal_core::Side::Staff);
    if let Some(permission) = key.permissions.difference(staff).iter().next() {
        return Err(invalid(
            "permissions",
            Invalid::PermissionNotAllowed {
                permission: permission.name(),
            },
        ));
    }
    if let Some(permission) = key
        .permissions
        .difference(scope.permissions_in(None))
        .iter()
        .next()
    {
        return Err(StoreError::Forbidden(portal_core::Denied {
            rule: portal_core::Rule::MissingPermission { permission },
        }));
    }
    Ok(())
}

/// Audit actions of invitations and API keys, written the same by every backend.
pub mod credential_events {
    /// An invitation was created (or re-sent, replacing the pending one).
    pub const INVITATION_CREATED: &str = "invitation.created";
    /// An invitation was revoked.
    pub const INVITATION_REVOKED: &str = "invitation.revoked";
    /// An invitation was accepted.
    pub const INVITATION_ACCEPTED: &str = "invitation.accepted";
    /// An API key was created.
    pub const API_KEY_CREATED: &str = "api_key.created";
    /// An API key was revoked.
    pub const API_KEY_REVOKED: &str = "api_key.revoked";
}

fn object_ref(kind: &str, id: &Uuid) -> portal_core::model::ObjectRef {
    portal_core::model::ObjectRef {
        kind: kind.to_owned(),
        id: *id,
    }
}

/// The audit event of a new invitation, naming the ones it replaced. Never the token hash.
pub(crate) fn invitation_created_event(
    scope: &TenantScope,
    invitation: &portal_core::model::Invitation,
    replaced: &[portal_core::InvitationId],
) -> portal_core::model::NewAuditEvent {
    portal_core::model::NewAuditEvent::by(
        scope,
        credential_events::INVITATION_CREATED,
        Some(object_ref("invitation", invitation.id.as_uuid())),
    )
    .with_personal(json!({ "email": invitation.email }))
    .with_details(json!({
        "client": invitation.client,
        "role": invitation.role,
        "expires_at": invitation.expires_at.unix_timestamp(),
        "replaced": replaced,
    }))
}

/// The audit event of a revoked invitation.
pub(crate) fn invitation_revoked_event(
    scope: &TenantScope,
    id: portal_core::InvitationId,
) -> portal_core::model::NewAuditEvent {
    portal_core::model::NewAuditEvent::by(
        scope,
        credential_events::INVITATION_REVOKED,
        Some(object_ref("invitation", id.as_uuid())),
    )
}

/// The audit events of an acceptance, by the accepting user (no scope exists yet): the user's
/// creation if it is new, the password it set, the membership it got — each as the methods
/// that otherwise make those changes record it — and the acceptance itself.
pub(crate) fn acceptance_events(
    accepted: &portal_core::model::AcceptedInvitation,
    user_created: bool,
) -> Vec<portal_core::model::NewAuditEvent> {
    let user = &accepted.user;
    let membership = &accepted.membership;
    let mut events = Vec::with_capacity(4);
    if user_created {
        events.push(by_user(
            user.id,
            events::USER_CHANGED,
            object_ref("user", user.id.as_uuid()),
            user_created_details(user.side),
        ));
    }
    events.push(password_changed_event(user.id));
    events.push(by_user(
        user.id,
        events::MEMBERSHIP_CHANGED,
        object_ref("membership", membership.id.as_uuid()),
        membership_added_details(user.id, membership.role),
    ));
    events.push(by_user(
        user.id,
        credential_events::INVITATION_ACCEPTED,
        object_ref("invitation", accepted.invitation.id.as_uuid()),
        json!({
            "client": accepted.invitation.client,
            "role": accepted.invitation.role,
            "user": user.id,
            "membership": membership.id,
        }),
    ));
    events
}

/// The audit event of a new API key: its name, prefix and permissions, never the secret hash.
pub(crate) fn api_key_created_event(
    scope: &TenantScope,
    key: &portal_core::model::ApiKey,
) -> portal_core::model::NewAuditEvent {
    portal_core::model::NewAuditEvent::by(
        scope,
        credential_events::API_KEY_CREATED,
        Some(object_ref("api_key", key.id.as_uuid())),
    )
    .with_details(json!({
        "name": key.name,
        "prefix": key.prefix,
        "permissions": key.permissions,
    }))
}

/// The audit event of a revoked API key.
pub(crate) fn api_key_revoked_event(
    scope: &TenantScope,
    id: portal_core::ApiKeyId,
) -> portal_core::model::NewAuditEvent {
    portal_core::model::NewAuditEvent::by(
        scope,
        credential_events::API_KEY_REVOKED,
        Some(object_ref("api_key", id.as_uuid())),
    )
}
