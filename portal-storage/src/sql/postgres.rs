//! The PostgreSQL backend, for several stateless replicas sharing one database.
//!
//! Row-level security is a second wall behind the typed scope: every tenant table has a policy
//! that admits only rows of the tenant set in the transaction (`portal.tenant_id`), and every
//! transaction runs as the role `portal_app`, which owns no table, is no superuser and lacks
//! BYPASSRLS. A connection with no tenant set sees no rows. The few global methods set
//! `portal.global` instead. Migrations create the role (the migrating user needs CREATEROLE, or
//! an administrator creates `portal_app` beforehand) and grant it what it needs: the audit table
//! only `SELECT` and `INSERT`, so the log is append-only in the database itself.

use std::sync::Arc;

use portal_core::TenantId;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use super::backend;
use super::counted::CountedTx;
use crate::StoreResult;
use crate::changes::{ChangeCounter, ChangeFeed, ChangeStamp, Changed};

/// The sqlx database type of this backend.
pub(crate) type Db = Postgres;
/// The connection helpers take, from a read or a write transaction alike.
pub(crate) type Conn = sqlx::PgConnection;

/// The PostgreSQL store. Cheap to clone (a pool inside). Call [`migrate`](Self::migrate) before use.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// This process's committed writes. Other processes may write to the same database, so the
    /// store offers no [`ChangeFeed`] stamps from it.
    changes: Arc<ChangeCounter>,
}

impl PostgresStore {
    /// Locks the audit chain head, so concurrent appends of one tenant take turns.
    pub(crate) const AUDIT_HEAD_FOR_UPDATE: &'static str =
        "SELECT seq, hash FROM portal_audit_head WHERE tenant_id = $1 FOR UPDATE";

    /// Connects to the database at `url` with up to `max_connections` connections.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options: PgConnectOptions = url.parse().map_err(backend)?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(Self::from_pool(pool))
    }

    /// Uses an existing pool (for a host that shares its database).
    #[must_use]
    pub fn from_pool(pool: PgPool) -> Self {
        Self {
            pool,
            changes: Arc::default(),
        }
    }

    /// Applies the embedded migrations that have not run yet, tracked in `_portal_migrations`.
    /// Never runs on its own: call it at start-up (or from a deploy step).
    pub async fn migrate(&self) -> StoreResult<()> {
        let mut migrator = sqlx::migrate!("migrations/postgres");
        migrator.dangerous_set_table_name("_portal_migrations");
        migrator
            .run(&self.pool)
            .await
            .map_err(crate::StoreError::backend)
    }

    /// The connection pool.
    #[must_use]
    pub const fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Opens a transaction as `portal_app` with the row-level-security `setting` set to `value`,
    /// both for this transaction only, in one round trip after `BEGIN` (the same as
    /// `SET LOCAL ROLE portal_app` plus `SET LOCAL setting = value`).
    async fn begin_as_app(
        &self,
        setting: &'static str,
        value: String,
    ) -> StoreResult<Transaction<'static, Db>> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT set_config('role', 'portal_app', true), set_config($1, $2, true)")
            .bind(setting)
            .bind(value)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        Ok(tx)
    }

    /// A transaction that sees (and may write) only `tenant`'s rows.
    async fn for_tenant(&self, tenant: TenantId) -> StoreResult<Transaction<'static, Db>> {
        self.begin_as_app("portal.tenant_id", tenant.to_string())
            .await
    }

    /// A write transaction for one tenant.
    pub(crate) async fn write(&self, tenant: TenantId) -> StoreResult<CountedTx<Db>> {
        let tx = self.for_tenant(tenant).await?;
        Ok(CountedTx::new(
            tx,
            self.changes.clone(),
            Changed::Tenant(tenant),
        ))
    }

    /// A write of one tenant that no cache can observe (see [`ChangeFeed`]): the audit log,
    /// idempotency keys.
    pub(crate) async fn write_uncounted(&self, tenant: TenantId) -> StoreResult<CountedTx<Db>> {
        let tx = self.for_tenant(tenant).await?;
        Ok(CountedTx::new(tx, self.changes.clone(), Changed::Uncounted))
    }

    /// A read transaction for one tenant.
    pub(crate) async fn read(&self, tenant: TenantId) -> StoreResult<Transaction<'static, Db>> {
        self.for_tenant(tenant).await
    }

    /// A read-only transaction for a global method (SQLite needs the difference to avoid its
    /// write lock).
    pub(crate) async fn global_read(&self) -> StoreResult<Transaction<'static, Db>> {
        self.begin_as_app("portal.global", "on".to_owned()).await
    }

    /// A transaction for a global method: row-level security admits every tenant's rows.
    pub(crate) async fn global(&self) -> StoreResult<CountedTx<Db>> {
        self.counted_global(Changed::Global).await
    }

    /// A global write that no cache can observe (see [`crate::changes`]).
    pub(crate) async fn global_uncounted(&self) -> StoreResult<CountedTx<Db>> {
        self.counted_global(Changed::Uncounted).await
    }

    /// A global transaction, counted as `changed` once committed.
    async fn counted_global(&self, changed: Changed) -> StoreResult<CountedTx<Db>> {
        let tx = self.begin_as_app("portal.global", "on".to_owned()).await?;
        Ok(CountedTx::new(tx, self.changes.clone(), changed))
    }
}

impl ChangeFeed for PostgresStore {
    /// Always `None`: other processes may write to the same database unseen.
    fn stamp(&self, _tenant: TenantId) -> Option<ChangeStamp> {
        None
    }
}

/// The queries that compare times (SQLite needs its own forms of these).
impl PostgresStore {
    /// Leases up to `$3` due outbox rows (due at `$1`) until `$2`. `SKIP LOCKED` lets replicas
    /// claim side by side without waiting for, or taking, each other's rows.
    pub(crate) const CLAIM_DUE: &'static str = concat!(
        "UPDATE portal_outbox_event SET next_attempt_at = $2 WHERE outbox_event_id IN (",
        "SELECT outbox_event_id FROM portal_outbox_event ",
        "WHERE status = 'pending' AND next_attempt_at <= $1 ",
        "ORDER BY outbox_event_id LIMIT $3 FOR UPDATE SKIP LOCKED) ",
        "RETURNING outbox_event_id, tenant_id, kind, payload, status, attempts, next_attempt_at, ",
        "last_error, created_at"
    );

    /// Marks pending approvals due by `$2` as announced at `$1`, returning them.
    pub(crate) const ANNOUNCE_DUE_APPROVALS: &'static str = concat!(
        "UPDATE portal_approval SET due_soon_announced_at = $1 WHERE status = 'pending' ",
        "AND due_soon_announced_at IS NULL AND due_at IS NOT NULL AND due_at <= $2 ",
        "RETURNING tenant_id, approval_id, client_id, project_id, deliverable_id"
    );

    /// Marks open invoices due before the day `$2` as announced at `$1`, returning them.
    pub(crate) const ANNOUNCE_OVERDUE_INVOICES: &'static str = concat!(
        "UPDATE portal_invoice SET overdue_announced_at = $1 WHERE status = 'open' ",
        "AND overdue_announced_at IS NULL AND due_on IS NOT NULL AND due_on < $2 ",
        "RETURNING tenant_id, invoice_id, client_id, project_id"
    );

    /// Deletes sessions past their end (`$1`) or last seen before `$2`.
    pub(crate) const DELETE_EXPIRED_SESSIONS: &'static str =
        "DELETE FROM portal_session WHERE expires_at <= $1 OR last_seen_at < $2";

    /// Deletes the idempotency keys expired at `$1`.
    pub(crate) const DELETE_EXPIRED_KEYS: &'static str =
        "DELETE FROM portal_idempotency_key WHERE expires_at <= $1";

    /// Up to `$2` resumable uploads expired at `$1`, oldest expiry first.
    pub(crate) const EXPIRED_UPLOADS: &'static str = "SELECT tenant_id, upload_id \
         FROM portal_resumable_upload WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2";

    /// Deletes the resumable uploads expired at `$1`.
    pub(crate) const DELETE_EXPIRED_UPLOADS: &'static str =
        "DELETE FROM portal_resumable_upload WHERE expires_at <= $1";

    /// Counts a failure of key `$1` at `$2`, restarting a window that began at or before `$3`.
    pub(crate) const RECORD_FAILURE: &'static str = concat!(
        "INSERT INTO portal_throttle (throttle_key, failures, window_started_at, blocked_until) ",
        "VALUES ($1, 1, $2, NULL) ON CONFLICT (throttle_key) DO UPDATE SET ",
        "failures = CASE WHEN portal_throttle.window_started_at <= $3 THEN 1 ",
        "ELSE portal_throttle.failures + 1 END, ",
        "window_started_at = CASE WHEN portal_throttle.window_started_at <= $3 ",
        "THEN excluded.window_started_at ELSE portal_throttle.window_started_at END ",
        "RETURNING failures, window_started_at, blocked_until"
    );

    /// A page of tenant `$1`'s audit events, newest first: action `$2`, from `$3`, until `$4`,
    /// below id `$5` (each optional), at most `$6`.
    pub(crate) const LIST_AUDIT_EVENTS: &'static str = concat!(
        "SELECT audit_event_id, tenant_id, seq, occurred_at, actor, action, object_kind, ",
        "object_id, outcome, ip, details, hash_version, subject_id, personal, personal_salt, ",
        "personal_digest, erased_at, prev_hash, hash FROM portal_audit_event ",
        "WHERE tenant_id = $1 AND ($2::text IS NULL OR action = $2) ",
        "AND ($3::timestamptz IS NULL OR occurred_at >= $3) ",
        "AND ($4::timestamptz IS NULL OR occurred_at < $4) ",
        "AND ($5::uuid IS NULL OR audit_event_id < $5) ",
        "ORDER BY audit_event_id DESC LIMIT $6"
    );
}

/// The notification and webhook claims (SQLite needs its own forms of these). `SKIP LOCKED`
/// lets replicas claim side by side without waiting for, or taking, each other's rows.
impl PostgresStore {
    /// Leases until `$2` up to `$3` notifications whose mail is in state `$4` and due at `$1`,
    /// that happened before `$5` when it is set (a digest's cut-off).
    pub(crate) const CLAIM_MAIL: &'static str = concat!(
        "UPDATE portal_notification SET mail_next_at = $2 WHERE notification_id IN (",
        "SELECT notification_id FROM portal_notification ",
        "WHERE mail_state = $4 AND mail_next_at <= $1 ",
        "AND ($5::timestamptz IS NULL OR occurred_at < $5) ",
        "ORDER BY notification_id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ",
        "notification_id, tenant_id, user_id, outbox_event_id, event_type, object_kind, object_id, ",
        "client_id, project_id, title, mail_state, mail_attempts, occurred_at, read_at"
    );

    /// Leases until `$2` up to `$3` pending webhook deliveries due at `$1`.
    pub(crate) const CLAIM_DELIVERIES: &'static str = concat!(
        "UPDATE portal_webhook_delivery SET next_attempt_at = $2 WHERE webhook_delivery_id IN (",
        "SELECT webhook_delivery_id FROM portal_webhook_delivery ",
        "WHERE status = 'pending' AND next_attempt_at <= $1 ",
        "ORDER BY webhook_delivery_id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ",
        "webhook_delivery_id, tenant_id, webhook_endpoint_id, outbox_event_id, event_type, body, ",
        "status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at"
    );
}

/// The work stores' queries that compare times (SQLite needs its own forms of these).
impl PostgresStore {
    /// Counts one use of the share link with token hash `$1` at `$2` — only if it is not revoked,
    /// not expired, not used up and its client is not archived — and returns it.
    pub(crate) const USE_SHARE_LINK: &'static str = concat!(
        "UPDATE portal_share_link SET uses = uses + 1 WHERE token_hash = $1 ",
        "AND revoked_at IS NULL AND expires_at > $2 ",
        "AND (max_uses IS NULL OR uses < max_uses) AND EXISTS (SELECT 1 FROM portal_client c ",
        "WHERE c.tenant_id = portal_share_link.tenant_id ",
        "AND c.client_id = portal_share_link.client_id AND NOT c.archived) ",
        "RETURNING share_link_id, tenant_id, client_id, target_kind, project_id, token_hash, ",
        "allow_download, allow_upload, expires_at, max_uses, uses, created_by, created_at, ",
        "revoked_at"
    );
}

#[cfg(test)]
mod tests {
    use portal_core::TenantId;

    use super::PostgresStore;

    /// The store's own transactions run as `portal_app`, so row-level security binds them: a
    /// tenant transaction sees no other tenant's rows even without a `WHERE`.
    #[tokio::test]
    async fn store_transactions_run_as_the_app_role() {
        let Ok(url) = std::env::var("PORTAL_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "PORTAL_TEST_POSTGRES_URL is not set under CI"
            );
            eprintln!("PostgreSQL tests skipped: PORTAL_TEST_POSTGRES_URL is not set");
            return;
        };
        let store = PostgresStore::connect(&url, 2).await.unwrap();
        store.migrate().await.unwrap();
        let mut tx = store.read(TenantId::new()).await.unwrap();
        let (user, tenants): (String, i64) =
            sqlx::query_as("SELECT current_user::text, (SELECT count(*) FROM portal_tenant)")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        assert_eq!(user, "portal_app");
        assert_eq!(
            tenants, 0,
            "a tenant that does not exist sees no tenant rows"
        );
        let mut global = store.global().await.unwrap();
        let user: String = sqlx::query_scalar("SELECT current_user::text")
            .fetch_one(&mut *global)
            .await
            .unwrap();
        assert_eq!(user, "portal_app");
    }
}
