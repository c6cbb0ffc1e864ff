//! [`MemoryStore`]: every store trait over plain maps behind one mutex.
//!
//! The memory backend is the reference the SQL backends are checked against: the same
//! conformance suite runs on all of them. Each trait method takes the one lock, checks
//! everything, then writes, so a failed call changes nothing and concurrent calls are
//! serialised exactly as a database transaction with a row lock would serialise them.
//!
//! The modules split the work by aggregate: `view` holds the rules every read and list shares
//! (tenant binding, effective visibility, keyset pages), the others implement the traits.

mod access;
mod analytics;
mod approvals;
mod audit;
mod content;
mod finance;
mod idempotency;
mod identity;
mod invitations;
mod lifecycle;
mod mfa;
mod notify;
mod passkeys;
mod publish;
mod tenancy;
mod threads;
mod uploads;
mod view;
mod work;

#[cfg(test)]
mod fixture;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use portal_core::model::{
    Approval, AuditContext, AuditEvent, Client, Decision, Deliverable, Document, DocumentVersion,
    Invoice, MembershipRecord, Message, Milestone, NewAuditEvent, ObjectRef, OutboxEvent,
    OutboxStatus, Project, Request, Session, ShareLink, Task, Tenant, Thread, ThrottleState,
    Update, User,
};
use portal_core::state::Sha256Digest;
use portal_core::{
    ApprovalId, ClientId, DecisionId, DeliverableId, DocumentId, DocumentVersionId, InvoiceId,
    MembershipId, MessageId, MilestoneId, OutboxEventId, ProjectId, RequestId, Role, RoleId,
    ShareLinkId, TaskId, TenantId, TenantScope, ThreadId, UpdateId, UserId,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::changes::{ChangeCounter, ChangeFeed, ChangeStamp, Changed};
use crate::rules::{forbidden, invalid, now, require_external_id, require_text, stored_time};
use crate::{StoreError, StoreResult, Stores};

/// An in-memory backend that implements every store trait, for tests, demos and doctests.
///
/// Nothing is persisted, and every call takes one lock over the whole state: it is not meant
/// for real applications. It behaves as the SQL backends do — the same scoping, permissions,
/// effective visibility, audit chain and outbox rows — so code tested against it behaves the
/// same in production. Clones share the same data.
///
/// ```
/// use portal_core::model::{Branding, NewTenant};
/// use portal_core::{DisplayName, HexColour, Slug};
/// use portal_storage::{MemoryStore, Stores};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let store = MemoryStore::new();
/// let stores = Stores::from_backend(store.clone()); // or simply `Stores::memory()`
/// let tenant = stores
///     .tenants
///     .create_tenant(NewTenant {
///         slug: Slug::parse("northwind")?,
///         branding: Branding {
///             display_name: DisplayName::parse("Northwind Studio")?,
///             logo_url: None,
///             favicon_url: None,
///             primary_colour: HexColour::parse("#1a2b3c")?,
///             accent_colour: HexColour::parse("#ffcc00")?,
///             font: None,
///             custom_css: None,
///             email_sender_name: None,
///             email_sender_address: None,
///             default_locale: None,
///         },
///     })
///     .await?;
/// let routed = stores.tenants.tenant_by_slug(&tenant.slug).await?;
/// assert_eq!(routed.map(|found| found.id), Some(tenant.id));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
    /// Every write counts as a global change: simple, and exact enough for tests and demos.
    changes: Arc<ChangeCounter>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `f` under the store's one lock: one atomic unit. A poisoned lock is recovered,
    /// because every method checks before it writes and so never leaves half a change behind.
    fn with<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        let state: MutexGuard<'_, State> =
            self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&state)
    }

    /// Runs `f` under the lock with leave to write, then counts the change for the
    /// [`ChangeFeed`] (even when `f` refused: a needless count costs a cache refill, nothing
    /// else).
    fn with_mut<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let result = self.with_mut_uncounted(f);
        self.changes.record(Changed::Global);
        result
    }

    /// [`with_mut`](Self::with_mut) for the writes no cache can see (see [`crate::changes`]).
    fn with_mut_uncounted<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state: MutexGuard<'_, State> =
            self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut state)
    }
}

impl ChangeFeed for MemoryStore {
    fn stamp(&self, tenant: TenantId) -> Option<ChangeStamp> {
        Some(self.changes.stamp(tenant))
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl Stores {
    /// Every store served by one new, empty [`MemoryStore`]: for tests, demos and doctests.
    #[must_use]
    pub fn memory() -> Self {
        Self::from_backend(MemoryStore::new())
    }
}

/// A user with the password hash that only the login path reads.
#[derive(Clone)]
struct UserRow {
    user: User,
    password_hash: Option<String>,
    /// The first login, set once (for adoption analytics).
    first_login_at: Option<OffsetDateTime>,
}

/// A role with the tenant it belongs to (the core type does not carry it).
#[derive(Clone)]
struct RoleRow {
    tenant: TenantId,
    role: Role,
}

/// Every table. Rows keyed by UUID v7 ids sit in `BTreeMap`s, so iterating backwards is
/// "newest first" and a keyset page is a range below the cursor.
#[derive(Default)]
struct State {
    tenants: BTreeMap<TenantId, Tenant>,
    users: BTreeMap<UserId, UserRow>,
    roles: BTreeMap<RoleId, RoleRow>,
    memberships: BTreeMap<MembershipId, MembershipRecord>,
    clients: BTreeMap<ClientId, Client>,
    projects: BTreeMap<ProjectId, Project>,
    milestones: BTreeMap<MilestoneId, Milestone>,
    deliverables: BTreeMap<DeliverableId, Deliverable>,
    approvals: BTreeMap<ApprovalId, Approval>,
    invoices: BTreeMap<InvoiceId, Invoice>,
    documents: BTreeMap<DocumentId, Document>,
    versions: BTreeMap<DocumentVersionId, DocumentVersion>,
    updates: BTreeMap<UpdateId, Update>,
    decisions: BTreeMap<DecisionId, Decision>,
    tasks: BTreeMap<TaskId, Task>,
    requests: BTreeMap<RequestId, Request>,
    threads: BTreeMap<ThreadId, Thread>,
    messages: BTreeMap<MessageId, Message>,
    share_links: BTreeMap<ShareLinkId, ShareLink>,
    sessions: HashMap<Sha256Digest, Session>,
    throttle: HashMap<String, ThrottleState>,
    /// Each tenant's audit chain, in chain order (seq 1, 2, 3 …).
    audit: HashMap<TenantId, Vec<AuditEvent>>,
    outbox: BTreeMap<OutboxEventId, OutboxEvent>,
    /// Invitations and API keys.
    invitations: invitations::InvitationTables,
    /// Login tokens, TOTP enrolments and recovery codes.
    mfa: mfa::MfaTables,
    /// Passkeys and their ceremonies.
    passkeys: passkeys::PasskeyTables,
    /// Idempotency keys.
    idempotency: idempotency::IdempotencyTables,
    /// Approvals and invoices whose deadline was announced (`announce_deadlines`).
    deadlines_announced: std::collections::HashSet<Uuid>,
    /// Notifications, mail preferences, webhook endpoints and deliveries.
    notify: notify::NotifyTables,
    /// Downloads of document versions.
    downloads: analytics::DownloadTable,
    /// Resumable uploads in progress.
    uploads: uploads::UploadTable,
}

impl State {
    /// Appends an event by the scope's actor about `object` to the scope's tenant's chain.
    fn audit(
        &mut self,
        scope: &TenantScope,
        action: &str,
        object: ObjectRef,
        details: serde_json::Value,
        context: &AuditContext,
        now: OffsetDateTime,
    ) {
        let event = NewAuditEvent::by(scope, action, Some(object)).with_details(details);
        self.append_event(scope.tenant_id(), event, context, now);
    }

    /// Seals `event` after the tenant's last event and appends it.
    fn append_event(
        &mut self,
        tenant: TenantId,
        event: NewAuditEvent,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> AuditEvent {
        let chain = self.audit.entry(tenant).or_default();
        let previous = chain.last().map(|last| (last.seq, last.hash));
        let sealed = event.seal(tenant, previous, now, context);
        chain.push(sealed.clone());
        sealed
    }

    /// Writes a pending outbox row, due at once.
    fn enqueue(
        &mut self,
        tenant: TenantId,
        kind: &str,
        payload: serde_json::Value,
        now: OffsetDateTime,
    ) -> OutboxEvent {
        let event = OutboxEvent {
            id: OutboxEventId::new(),
            tenant,
            kind: kind.to_owned(),
            payload,
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
        };
        self.outbox.insert(event.id, event.clone());
        event
    }

    /// Ends every session of `user` in `tenant` (logout everywhere, a disabled user, a new
    /// password); how many there were.
    fn end_sessions(&mut self, tenant: TenantId, user: UserId) -> u64 {
        retain_counted(&mut self.sessions, |session| {
            !(session.tenant == tenant && session.user == user)
        })
    }

    /// The scope's tenant, or `NotFound` if it does not exist (any more).
    fn require_tenant(&self, scope: &TenantScope) -> StoreResult<&Tenant> {
        self.tenants
            .get(&scope.tenant_id())
            .ok_or(StoreError::NotFound)
    }

    /// A user of `tenant`.
    fn user_in(&self, tenant: TenantId, id: UserId) -> Option<&UserRow> {
        self.users.get(&id).filter(|row| row.user.tenant == tenant)
    }

    /// A role of `tenant`.
    fn role_in(&self, tenant: TenantId, id: RoleId) -> Option<&Role> {
        self.roles
            .get(&id)
            .filter(|row| row.tenant == tenant)
            .map(|row| &row.role)
    }
}

/// Keeps the rows `keep` admits; how many it deleted, as the SQL backends count them.
fn retain_counted<K, V>(rows: &mut HashMap<K, V>, mut keep: impl FnMut(&V) -> bool) -> u64 {
    let before = rows.len();
    rows.retain(|_, row| keep(row));
    u64::try_from(before.saturating_sub(rows.len())).unwrap_or(u64::MAX)
}

/// An object reference for the audit log.
fn object(kind: &str, id: &Uuid) -> ObjectRef {
    ObjectRef {
        kind: kind.to_owned(),
        id: *id,
    }
}

/// The person acting, for `requested_by`, `author` and similar fields. A background job has no
/// user: its records carry the nil id, which no user ever has.
fn acting_user(scope: &TenantScope) -> UserId {
    scope
        .principal()
        .user_id()
        .unwrap_or(UserId::from_uuid(Uuid::nil()))
}

/// Whether a permission check passes; a denial that conceals existence is `false`, any other
/// denial an error.
fn visible(result: StoreResult<()>) -> StoreResult<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(other) => Err(other),
    }
}
