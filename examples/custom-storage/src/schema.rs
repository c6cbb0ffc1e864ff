//! The three tables of the store. They belong to the host, not to the portal, so they carry the
//! host's own prefix (`file_store_`) and never collide with the portal's `portal_` tables when both
//! live in one database file.

use sqlx::SqlitePool;

/// Every statement, in order; each is idempotent, so running them on every start is safe.
const SCHEMA: [&str; 4] = [
    // One row per committed blob. `key` is the portal's `BlobKey` (`<tenant>/<random>`); the
    // tenant is kept apart as well so that every query can name it.
    "CREATE TABLE IF NOT EXISTS file_store_blob (
        key TEXT PRIMARY KEY NOT NULL,
        tenant TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 BLOB NOT NULL
    ) WITHOUT ROWID",
    // The bytes, in chunks of at most `CHUNK_SIZE`. Chunks whose key has no blob row are an
    // upload in progress — or abandoned, and swept after a while.
    "CREATE TABLE IF NOT EXISTS file_store_chunk (
        key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        start INTEGER NOT NULL,
        data BLOB NOT NULL,
        staged_at INTEGER NOT NULL,
        PRIMARY KEY (key, seq)
    ) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS file_store_chunk_staged ON file_store_chunk (staged_at)",
    // One row per resumable upload in progress. Its chunks are staged under `key`, the blob key it
    // becomes when finished; `staged` is the offset of the next append.
    "CREATE TABLE IF NOT EXISTS file_store_upload (
        tenant TEXT NOT NULL,
        upload TEXT NOT NULL,
        key TEXT NOT NULL UNIQUE,
        length INTEGER NOT NULL,
        staged INTEGER NOT NULL,
        next_seq INTEGER NOT NULL,
        touched_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, upload)
    ) WITHOUT ROWID",
];

/// Creates the tables when they are missing.
pub(crate) async fn create(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    for statement in SCHEMA {
        sqlx::query(statement).execute(pool).await?;
    }
    Ok(())
}
