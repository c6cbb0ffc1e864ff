//! The SQL backends' harnesses: fresh stores, plus raw access for the tamper checks. The memory
//! backend's is `Harness::memory()` of the suite itself.

#[cfg(any(feature = "sqlite", feature = "postgres"))]
use portal_conformance::Harness;
#[cfg(feature = "postgres")]
use portal_conformance::tamper::PostgresTamper;
#[cfg(feature = "sqlite")]
use portal_conformance::tamper::SqliteTamper;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use portal_storage::Stores;

#[cfg(feature = "sqlite")]
pub(crate) async fn sqlite() -> Harness {
    use portal_storage::sql::{SqliteStore, SqliteStoreConfig};
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("portal.db"), SqliteStoreConfig::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let tamper = SqliteTamper(store.pool().clone());
    Harness::new(Stores::from_backend(store), tamper).keeping(dir)
}

/// The PostgreSQL harness, or `None` (with a note) when no database is configured. Under CI a
/// missing database fails the run: the PostgreSQL suite must never be skipped there.
#[cfg(feature = "postgres")]
pub(crate) async fn postgres() -> Option<Harness> {
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
    let tamper = PostgresTamper(store.pool().clone());
    Some(Harness::new(Stores::from_backend(store), tamper))
}
