//! The database behind the stores: the SQLite file in the data folder, or the database of
//! `DATABASE_URL` (PostgreSQL for replicas, or another SQLite file).

use std::path::Path;

use anyhow::{Context as _, bail};
use portal_storage::Stores;
#[cfg(feature = "postgres")]
use portal_storage::sql::PostgresStore;
use portal_storage::sql::{SqliteStore, SqliteStoreConfig};

/// The SQLite file in the data folder, when no `DATABASE_URL` is given.
pub const SQLITE_FILE: &str = "portal.db";

/// Connections in the PostgreSQL pool of one replica.
#[cfg(feature = "postgres")]
const POSTGRES_CONNECTIONS: u32 = 10;

/// The database behind the stores.
#[derive(Clone)]
pub enum Database {
    /// SQLite: one process (the default).
    Sqlite(SqliteStore),
    /// PostgreSQL: any number of replicas.
    #[cfg(feature = "postgres")]
    Postgres(PostgresStore),
}

impl Database {
    /// Opens `url` if given (PostgreSQL, or a SQLite URL), else `portal.db` in the data folder.
    ///
    /// # Errors
    /// When the URL is of another kind, or the database cannot be opened or reached.
    pub async fn open(url: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        let Some(url) = url else {
            let path = data_dir.join(SQLITE_FILE);
            tracing::info!(path = %path.display(), "opening the SQLite database");
            let store = SqliteStore::open(&path, SqliteStoreConfig::default())
                .await
                .with_context(|| format!("opening {}", path.display()))?;
            return Ok(Self::Sqlite(store));
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Self::postgres(url).await;
        }
        if url.starts_with("sqlite:") {
            let store = SqliteStore::connect(url, SqliteStoreConfig::default())
                .await
                .context("opening the SQLite database of DATABASE_URL")?;
            return Ok(Self::Sqlite(store));
        }
        // The URL may hold a password: never echo it.
        bail!("DATABASE_URL must start with postgres://, postgresql:// or sqlite:")
    }

    #[cfg(feature = "postgres")]
    async fn postgres(url: &str) -> anyhow::Result<Self> {
        tracing::info!("connecting to PostgreSQL (DATABASE_URL)");
        let store = PostgresStore::connect(url, POSTGRES_CONNECTIONS)
            .await
            .context("connecting to the PostgreSQL database of DATABASE_URL")?;
        Ok(Self::Postgres(store))
    }

    #[cfg(not(feature = "postgres"))]
    async fn postgres(_: &str) -> anyhow::Result<Self> {
        bail!("this build has no PostgreSQL support: build with the `postgres` feature")
    }

    /// The backend's name, for the log.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            #[cfg(feature = "postgres")]
            Self::Postgres(_) => "postgres",
        }
    }

    /// Brings the schema up to date. On PostgreSQL replicas may start at once: the migrations
    /// take a database lock, so each runs once.
    ///
    /// # Errors
    /// When a migration fails or the database cannot be reached.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(store) => store.migrate().await?,
            #[cfg(feature = "postgres")]
            Self::Postgres(store) => store.migrate().await?,
        }
        Ok(())
    }

    /// The stores over this database.
    #[must_use]
    pub fn stores(&self) -> Stores {
        match self {
            Self::Sqlite(store) => Stores::from_backend(store.clone()),
            #[cfg(feature = "postgres")]
            Self::Postgres(store) => Stores::from_backend(store.clone()),
        }
    }

    /// `/healthz`: 200 when a pooled connection answers, 503 when the database cannot be reached
    /// (a load balancer then sends requests to another replica).
    pub async fn health(&self) -> axum::http::StatusCode {
        let reachable = match self {
            // Acquiring tests the connection first (the pool's default).
            Self::Sqlite(store) => store.pool().acquire().await.is_ok(),
            #[cfg(feature = "postgres")]
            Self::Postgres(store) => store.pool().acquire().await.is_ok(),
        };
        if reachable {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        }
    }

    /// Closes the pool once the queries in flight are done.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(store) => store.pool().close().await,
            #[cfg(feature = "postgres")]
            Self::Postgres(store) => store.pool().close().await,
        }
    }
}
