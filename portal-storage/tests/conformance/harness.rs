//! One harness per backend: fresh stores, plus raw access for the tamper tests.

use async_trait::async_trait;
use portal_core::TenantId;
use portal_storage::{MemoryStore, Stores};

/// Changes the audit log behind the store's back, as an attacker with database access would.
#[async_trait]
pub trait Tamper: Send + Sync {
    /// Rewrites the details of event `seq` of `tenant` without fixing its hash.
    async fn alter_event(&self, tenant: TenantId, seq: i64);
    /// Deletes event `seq` of `tenant`.
    async fn remove_event(&self, tenant: TenantId, seq: i64);
}

/// Stores of one backend and a way to tamper with them.
pub struct Harness {
    pub stores: Stores,
    pub tamper: Box<dyn Tamper>,
    /// Keeps a temporary directory (SQLite) alive for the test.
    _dir: Option<tempfile::TempDir>,
}

struct MemoryTamper(MemoryStore);

#[async_trait]
impl Tamper for MemoryTamper {
    async fn alter_event(&self, tenant: TenantId, seq: i64) {
        self.0.tamper_audit_event(tenant, seq, |event| {
            event.details = serde_json::json!({ "tampered": true });
        });
    }

    async fn remove_event(&self, tenant: TenantId, seq: i64) {
        self.0.remove_audit_event(tenant, seq);
    }
}

pub async fn memory() -> Harness {
    let store = MemoryStore::new();
    Harness {
        stores: Stores::from_backend(store.clone()),
        tamper: Box::new(MemoryTamper(store)),
        _dir: None,
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
macro_rules! sql_tamper {
    ($name:ident, $pool:ty) => {
        struct $name($pool);

        #[async_trait]
        impl Tamper for $name {
            async fn alter_event(&self, tenant: TenantId, seq: i64) {
                sqlx::query(
                    "UPDATE portal_audit_event SET details = $1 WHERE tenant_id = $2 AND seq = $3",
                )
                .bind(r#"{"tampered":true}"#)
                .bind(*tenant.as_uuid())
                .bind(seq)
                .execute(&self.0)
                .await
                .unwrap();
            }

            async fn remove_event(&self, tenant: TenantId, seq: i64) {
                sqlx::query("DELETE FROM portal_audit_event WHERE tenant_id = $1 AND seq = $2")
                    .bind(*tenant.as_uuid())
                    .bind(seq)
                    .execute(&self.0)
                    .await
                    .unwrap();
            }
        }
    };
}

#[cfg(feature = "sqlite")]
sql_tamper!(SqliteTamper, sqlx::SqlitePool);

#[cfg(feature = "sqlite")]
pub async fn sqlite() -> Harness {
    use portal_storage::sql::{SqliteStore, SqliteStoreConfig};
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("portal.db"), SqliteStoreConfig::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    Harness {
        tamper: Box::new(SqliteTamper(store.pool().clone())),
        stores: Stores::from_backend(store),
        _dir: Some(dir),
    }
}

#[cfg(feature = "postgres")]
sql_tamper!(PostgresTamper, sqlx::PgPool);

/// The PostgreSQL harness, or `None` (with a note) when no database is configured. Under CI a
/// missing database fails the run: the PostgreSQL suite must never be skipped there.
#[cfg(feature = "postgres")]
pub async fn postgres() -> Option<Harness> {
    use portal_storage::sql::PostgresStore;
    let Ok(url) = std::env::var("PORTAL_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PORTAL_TEST_POSTGRES_URL is not set under CI: the PostgreSQL suite could not run"
        );
        eprintln!("PostgreSQL conformance skipped: PORTAL_TEST_POSTGRES_URL is not set");
        return None;
    };
    let store = PostgresStore::connect(&url, 8).await.unwrap();
    store.migrate().await.unwrap();
    Some(Harness {
        tamper: Box::new(PostgresTamper(store.pool().clone())),
        stores: Stores::from_backend(store),
        _dir: None,
    })
}
