//! The SQLite backend: one file in WAL mode, the embedded default.
//!
//! Durability: the database runs with `journal_mode=WAL` and `synchronous=FULL`, so a write is
//! on disk — the WAL fsynced — when its method returns; a crash or power loss after that cannot lose
//! it. Foreign keys are enforced.
//!
//! SQLite has one write lock. Writers of this process queue for it in order on a pool of one
//! connection, instead of each retrying with SQLite's sleep-and-retry busy handler, whose backoff
//! (up to 100 ms a sleep) would stretch a cheap write behind a burst of others; readers use their
//! own pool and run beside the writer (WAL). Writers of another process still wait up to the busy
//! timeout.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use portal_core::TenantId;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::backend;
use super::counted::CountedTx;
use crate::StoreResult;
use crate::changes::{ChangeCounter, ChangeFeed, ChangeStamp, Changed};

/// The sqlx database type of this backend.
pub(crate) type Db = Sqlite;
/// The connection helpers take, from a read or a write transaction alike.
pub(crate) type Conn = sqlx::SqliteConnection;

/// How to open a SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteStoreConfig {
    /// Connections in the pool (readers run in parallel; there is one writer at a time).
    pub max_connections: u32,
    /// How long a writer waits for the write lock before failing.
    pub busy_timeout: Duration,
}

impl Default for SqliteStoreConfig {
    fn default() -> Self {
        Self {
            max_connections: 8,
            busy_timeout: Duration::from_secs(10),
        }
    }
}

impl SqliteStoreConfig {
    /// With `max_connections` pooled connections.
    #[must_use]
    pub const fn with_max_connections(self, max_connections: u32) -> Self {
        Self {
            max_connections,
            ..self
        }
    }

    /// With writers waiting up to `busy_timeout` for the write lock.
    #[must_use]
    pub const fn with_busy_timeout(self, busy_timeout: Duration) -> Self {
        Self {
            busy_timeout,
            ..self
        }
    }
}

/// The SQLite store. Cheap to clone (pools inside). Call [`migrate`](Self::migrate) before use.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Readers.
    pool: SqlitePool,
    /// The one writer connection, which queues writers in arrival order.
    writer: SqlitePool,
    /// Committed writes: this process owns the database, so it sees them all.
    changes: Arc<ChangeCounter>,
}

impl SqliteStore {
    /// Reads the audit chain head; `BEGIN IMMEDIATE` already holds the only write lock.
    pub(crate) const AUDIT_HEAD_FOR_UPDATE: &'static str =
        "SELECT seq, hash FROM portal_audit_head WHERE tenant_id = $1";

    /// Opens (creating if needed) the database file at `path`.
    pub async fn open(path: impl AsRef<Path>, config: SqliteStoreConfig) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        Self::connect_with(options, config).await
    }

    /// Opens the database named by a `sqlite:` URL.
    pub async fn connect(url: &str, config: SqliteStoreConfig) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(backend)?
            .create_if_missing(true);
        Self::connect_with(options, config).await
    }

    async fn connect_with(
        options: SqliteConnectOptions,
        config: SqliteStoreConfig,
    ) -> StoreResult<Self> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(config.busy_timeout);
        // No ping before each acquire: a local file's connection cannot drop like a socket, and
        // each ping is a round trip to the connection's worker thread (one per store call, where
        // the whole call is only three or four).
        let pool = SqlitePoolOptions::new()
            .max_connections(config.max_connections)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(backend)?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(config.busy_timeout)
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(Self {
            pool,
            writer,
            changes: Arc::default(),
        })
    }

    /// Applies the embedded migrations that have not run yet, tracked in `_portal_migrations`.
    /// Never runs on its own: call it at start-up (or from a deploy step).
    pub async fn migrate(&self) -> StoreResult<()> {
        let mut migrator = sqlx::migrate!("migrations/sqlite");
        migrator.dangerous_set_table_name("_portal_migrations");
        migrator
            .run(&self.pool)
            .await
            .map_err(crate::StoreError::backend)
    }

    /// The connection pool, for a host that wants to run its own queries beside the portal's.
    #[must_use]
    pub const fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction. SQLite has no row-level security: the typed scope and the tenant
    /// bound in every query are the wall.
    pub(crate) async fn write(&self, tenant: TenantId) -> StoreResult<CountedTx<Db>> {
        self.begin_write(Changed::Tenant(tenant)).await
    }

    /// A write of one tenant that no cache can observe (see [`ChangeFeed`]): the audit log,
    /// idempotency keys.
    pub(crate) async fn write_uncounted(&self, _tenant: TenantId) -> StoreResult<CountedTx<Db>> {
        self.begin_write(Changed::Uncounted).await
    }

    /// A read transaction for one tenant.
    pub(crate) async fn read(&self, _tenant: TenantId) -> StoreResult<Transaction<'static, Db>> {
        self.pool.begin().await.map_err(backend)
    }

    /// A write transaction for a global method.
    pub(crate) async fn global(&self) -> StoreResult<CountedTx<Db>> {
        self.begin_write(Changed::Global).await
    }

    /// A global write that no cache can observe (see [`crate::changes`]).
    pub(crate) async fn global_uncounted(&self) -> StoreResult<CountedTx<Db>> {
        self.begin_write(Changed::Uncounted).await
    }

    /// `BEGIN IMMEDIATE` on the writer: writers queue for the lock instead of failing.
    async fn begin_write(&self, changed: Changed) -> StoreResult<CountedTx<Db>> {
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        Ok(CountedTx::new(tx, self.changes.clone(), changed))
    }

    /// A read-only transaction for a global method (routing, login lookups, sessions): it takes
    /// no write lock, so these run beside writers.
    pub(crate) async fn global_read(&self) -> StoreResult<Transaction<'static, Db>> {
        self.pool.begin().await.map_err(backend)
    }
}

/// A TEXT timestamp as fixed-width text that sorts as time does. sqlx writes the fraction with
/// its trailing zeros trimmed (`…:05Z`, `…:05.5Z`, `…:05.25Z`), whose text order is not time
/// order; padded to six digits it is. Holds for the UTC values the backends write.
macro_rules! sortable_time {
    ($value:literal) => {
        concat!(
            "(substr(",
            $value,
            ", 1, 19) || substr(CASE WHEN substr(",
            $value,
            ", 20, 1) = '.' ",
            "THEN rtrim(substr(",
            $value,
            ", 20), 'Z') || '000000' ELSE '.000000' END, 1, 7))"
        )
    };
}

impl ChangeFeed for SqliteStore {
    fn stamp(&self, tenant: TenantId) -> Option<ChangeStamp> {
        Some(self.changes.stamp(tenant))
    }
}

/// The queries that compare times: SQLite compares its TEXT timestamps through `sortable_time!`.
impl SqliteStore {
    /// Leases up to `$3` due outbox rows (due at `$1`) until `$2`; `BEGIN IMMEDIATE` already
    /// keeps other claimers out.
    pub(crate) const CLAIM_DUE: &'static str = concat!(
        "UPDATE portal_outbox_event SET next_attempt_at = $2 WHERE outbox_event_id IN (",
        "SELECT outbox_event_id FROM portal_outbox_event WHERE status = 'pending' AND ",
        sortable_time!("next_attempt_at"),
        " <= ",
        sortable_time!("$1"),
        " ORDER BY outbox_event_id LIMIT $3) ",
        "RETURNING outbox_event_id, tenant_id, kind, payload, status, attempts, next_attempt_at, ",
        "last_error, created_at"
    );

    /// Marks pending approvals due by `$2` as announced at `$1`, returning them.
    pub(crate) const ANNOUNCE_DUE_APPROVALS: &'static str = concat!(
        "UPDATE portal_approval SET due_soon_announced_at = $1 WHERE status = 'pending' ",
        "AND due_soon_announced_at IS NULL AND due_at IS NOT NULL AND ",
        sortable_time!("due_at"),
        " <= ",
        sortable_time!("$2"),
        " RETURNING tenant_id, approval_id, client_id, project_id, deliverable_id"
    );

    /// Marks open invoices due before the day `$2` as announced at `$1`, returning them.
    pub(crate) const ANNOUNCE_OVERDUE_INVOICES: &'static str = concat!(
        "UPDATE portal_invoice SET overdue_announced_at = $1 WHERE status = 'open' ",
        "AND overdue_announced_at IS NULL AND due_on IS NOT NULL AND due_on < $2 ",
        "RETURNING tenant_id, invoice_id, client_id, project_id"
    );

    /// Deletes sessions past their end (`$1`) or last seen before `$2`.
    pub(crate) const DELETE_EXPIRED_SESSIONS: &'static str = concat!(
        "DELETE FROM portal_session WHERE ",
        sortable_time!("expires_at"),
        " <= ",
        sortable_time!("$1"),
        " OR ",
        sortable_time!("last_seen_at"),
        " < ",
        sortable_time!("$2")
    );

    /// Deletes the idempotency keys expired at `$1`.
    pub(crate) const DELETE_EXPIRED_KEYS: &'static str = concat!(
        "DELETE FROM portal_idempotency_key WHERE ",
        sortable_time!("expires_at"),
        " <= ",
        sortable_time!("$1")
    );

    /// Up to `$2` resumable uploads expired at `$1`, oldest expiry first.
    pub(crate) const EXPIRED_UPLOADS: &'static str = concat!(
        "SELECT tenant_id, upload_id FROM portal_resumable_upload WHERE ",
        sortable_time!("expires_at"),
        " <= ",
        sortable_time!("$1"),
        " ORDER BY ",
        sortable_time!("expires_at"),
        " LIMIT $2"
    );

    /// Deletes the resumable uploads expired at `$1`.
    pub(crate) const DELETE_EXPIRED_UPLOADS: &'static str = concat!(
        "DELETE FROM portal_resumable_upload WHERE ",
        sortable_time!("expires_at"),
        " <= ",
        sortable_time!("$1")
    );

    /// Counts a failure of key `$1` at `$2`, restarting a window that began at or before `$3`.
    pub(crate) const RECORD_FAILURE: &'static str = concat!(
        "INSERT INTO portal_throttle (throttle_key, failures, window_started_at, blocked_until) ",
        "VALUES ($1, 1, $2, NULL) ON CONFLICT (throttle_key) DO UPDATE SET ",
        "failures = CASE WHEN ",
        sortable_time!("portal_throttle.window_started_at"),
        " <= ",
        sortable_time!("$3"),
        " THEN 1 ELSE portal_throttle.failures + 1 END, ",
        "window_started_at = CASE WHEN ",
        sortable_time!("portal_throttle.window_started_at"),
        " <= ",
        sortable_time!("$3"),
        " THEN excluded.window_started_at ELSE portal_throttle.window_started_at END ",
        "RETURNING failures, window_started_at, blocked_until"
    );

    /// A page of tenant `$1`'s audit events, newest first: action `$2`, from `$3`, until `$4`,
    /// below id `$5` (each optional), at most `$6`.
    pub(crate) const LIST_AUDIT_EVENTS: &'static str = concat!(
        "SELECT audit_event_id, tenant_id, seq, occurred_at, actor, action, object_kind, ",
        "object_id, outcome, ip, details, hash_version, subject_id, personal, personal_salt, ",
        "personal_digest, erased_at, prev_hash, hash FROM portal_audit_event ",
        "WHERE tenant_id = $1 AND ($2 IS NULL OR action = $2) ",
        "AND ($3 IS NULL OR ",
        sortable_time!("occurred_at"),
        " >= ",
        sortable_time!("$3"),
        ") ",
        "AND ($4 IS NULL OR ",
        sortable_time!("occurred_at"),
        " < ",
        sortable_time!("$4"),
        ") ",
        "AND ($5 IS NULL OR audit_event_id < $5) ",
        "ORDER BY audit_event_id DESC LIMIT $6"
    );
}

/// The notification and webhook claims, which compare times.
impl SqliteStore {
    /// Leases until `$2` up to `$3` notifications whose mail is in state `$4` and due at `$1`,
    /// that happened before `$5` when it is set (a digest's cut-off); `BEGIN IMMEDIATE` already
    /// keeps other claimers out.
    pub(crate) const CLAIM_MAIL: &'static str = concat!(
        "UPDATE portal_notification SET mail_next_at = $2 WHERE notification_id IN (",
        "SELECT notification_id FROM portal_notification WHERE mail_state = $4 AND ",
        sortable_time!("mail_next_at"),
        " <= ",
        sortable_time!("$1"),
        " AND ($5 IS NULL OR ",
        sortable_time!("occurred_at"),
        " < ",
        sortable_time!("$5"),
        ") ORDER BY notification_id LIMIT $3) RETURNING ",
        "notification_id, tenant_id, user_id, outbox_event_id, event_type, object_kind, object_id, ",
        "client_id, project_id, title, mail_state, mail_attempts, occurred_at, read_at"
    );

    /// Leases until `$2` up to `$3` pending webhook deliveries due at `$1`.
    pub(crate) const CLAIM_DELIVERIES: &'static str = concat!(
        "UPDATE portal_webhook_delivery SET next_attempt_at = $2 WHERE webhook_delivery_id IN (",
        "SELECT webhook_delivery_id FROM portal_webhook_delivery WHERE status = 'pending' AND ",
        sortable_time!("next_attempt_at"),
        " <= ",
        sortable_time!("$1"),
        " ORDER BY webhook_delivery_id LIMIT $3) RETURNING ",
        "webhook_delivery_id, tenant_id, webhook_endpoint_id, outbox_event_id, event_type, body, ",
        "status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at"
    );
}

/// The work stores' queries that compare times.
impl SqliteStore {
    /// Counts one use of the share link with token hash `$1` at `$2` — only if it is not revoked,
    /// not expired, not used up and its client is not archived — and returns it.
    pub(crate) const USE_SHARE_LINK: &'static str = concat!(
        "UPDATE portal_share_link SET uses = uses + 1 WHERE token_hash = $1 ",
        "AND revoked_at IS NULL AND ",
        sortable_time!("expires_at"),
        " > ",
        sortable_time!("$2"),
        " AND (max_uses IS NULL OR uses < max_uses) AND EXISTS (SELECT 1 FROM portal_client c ",
        "WHERE c.tenant_id = portal_share_link.tenant_id ",
        "AND c.client_id = portal_share_link.client_id AND NOT c.archived) ",
        "RETURNING share_link_id, tenant_id, client_id, target_kind, project_id, token_hash, ",
        "allow_download, allow_upload, expires_at, max_uses, uses, created_by, created_at, ",
        "revoked_at"
    );
}
