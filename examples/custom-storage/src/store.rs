//! [`SqliteBlobStore`]: the portal's `BlobStore` over two tables of a SQLite database.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use portal_core::TenantId;
use portal_storage::blob::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, PutTally, StoredBlob, UploadId,
    UploadProgress, check_declared_length,
};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use time::OffsetDateTime;

use crate::{read, schema, upload};

/// The largest chunk kept in one row. Bodies arrive in chunks of any size (a few KiB from a
/// browser); they are gathered up to this size so a large file is a few hundred rows, not
/// hundreds of thousands, and a read holds one chunk in memory at a time.
pub const CHUNK_SIZE: usize = 256 * 1024;

/// Documents' bytes in a SQLite database: one file to back up with the portal's records.
///
/// A put stages its chunks as it reads the body and commits the blob with one row once the body
/// ended cleanly within the limit; until then no key answers. A body that fails or grows too
/// large has its chunks deleted before the put returns. A put whose future is dropped (the
/// client went away) or whose process died leaves staged chunks that no key reaches;
/// [`sweep_abandoned_uploads`](Self::sweep_abandoned_uploads) removes them.
///
/// A resumable upload has a row of its own and stages its chunks under the key it will be
/// committed as; each chunk commits with the upload's new offset, so what an append acknowledged
/// (or read before its body failed) is durable, and finishing adds the blob row without moving a
/// byte.
#[derive(Clone, Debug)]
pub struct SqliteBlobStore {
    pool: SqlitePool,
}

impl SqliteBlobStore {
    /// Opens (creating when missing) the database file at `path`, in WAL mode with `FULL`
    /// synchronisation so a committed blob survives a power loss, and creates the tables.
    ///
    /// # Errors
    /// [`BlobError::Backend`] when the file cannot be opened or the tables created.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, BlobError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(BlobError::backend)?;
        Self::with_pool(pool).await
    }

    /// Uses a pool that is already open — the portal's own (`SqliteStore::pool`), so records and
    /// files share one database file — and creates the tables when missing.
    ///
    /// # Errors
    /// [`BlobError::Backend`] when the tables cannot be created.
    pub async fn with_pool(pool: SqlitePool) -> Result<Self, BlobError> {
        schema::create(&pool).await.map_err(BlobError::backend)?;
        Ok(Self { pool })
    }

    /// The pool, for backups and inspection.
    #[must_use]
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Deletes the chunks of puts that never committed and were staged more than `older_than`
    /// ago, and answers how many chunks went (resumable uploads have their own sweep,
    /// [`BlobStore::sweep_uploads`]). Run it now and then (at start, or daily): uploads
    /// still streaming are younger than any sensible `older_than` (an hour, say).
    ///
    /// # Errors
    /// [`BlobError::Backend`] when the database fails.
    pub async fn sweep_abandoned_uploads(&self, older_than: Duration) -> Result<u64, BlobError> {
        let done = sqlx::query(
            "DELETE FROM file_store_chunk WHERE staged_at < $1 \
             AND key NOT IN (SELECT key FROM file_store_blob) \
             AND key NOT IN (SELECT key FROM file_store_upload)",
        )
        .bind(cutoff(older_than))
        .execute(&self.pool)
        .await
        .map_err(BlobError::backend)?;
        Ok(done.rows_affected())
    }

    /// Reads the body into staged chunks; answers what was read, or the error that stopped it.
    async fn stage_body(
        &self,
        key: &BlobKey,
        mut body: ByteStream,
        max_size: u64,
    ) -> Result<PutTally, BlobError> {
        let name = key.to_string();
        let mut tally = PutTally::new(max_size);
        let mut pending: Vec<u8> = Vec::with_capacity(CHUNK_SIZE);
        let (mut seq, mut start) = (0_i64, 0_u64);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(BlobError::Io)?;
            tally.add(&chunk)?;
            let mut rest: &[u8] = &chunk;
            while !rest.is_empty() {
                if fill(&mut pending, &mut rest) {
                    insert_chunk(&self.pool, &name, seq, start, &pending).await?;
                    (seq, start) = (seq + 1, start + CHUNK_SIZE as u64);
                    pending.clear();
                }
            }
        }
        if !pending.is_empty() {
            insert_chunk(&self.pool, &name, seq, start, &pending).await?;
        }
        Ok(tally)
    }

    /// Removes what a failed put staged. Best effort: what a failure here leaves is swept later.
    async fn discard(&self, key: &BlobKey) {
        let _ = sqlx::query("DELETE FROM file_store_chunk WHERE key = $1")
            .bind(key.to_string())
            .execute(&self.pool)
            .await;
    }
}

#[async_trait]
impl BlobStore for SqliteBlobStore {
    async fn put(
        &self,
        tenant: TenantId,
        body: ByteStream,
        max_size: u64,
    ) -> Result<StoredBlob, BlobError> {
        let key = BlobKey::generate(tenant);
        let tally = match self.stage_body(&key, body, max_size).await {
            Ok(tally) => tally,
            Err(error) => {
                self.discard(&key).await;
                return Err(error);
            }
        };
        let stored = tally.finish(key);
        // The one row that makes the blob visible; its commit is the put's commit.
        let committed = sqlx::query(
            "INSERT INTO file_store_blob (key, tenant, size, sha256) VALUES ($1, $2, $3, $4)",
        )
        .bind(stored.key.to_string())
        .bind(tenant_text(tenant))
        .bind(i64_of(stored.size)?)
        .bind(stored.sha256.as_bytes().as_slice())
        .execute(&self.pool)
        .await;
        if let Err(error) = committed {
            self.discard(&stored.key).await;
            return Err(BlobError::backend(error));
        }
        Ok(stored)
    }

    async fn get(
        &self,
        tenant: TenantId,
        key: &BlobKey,
        range: Option<ByteRange>,
    ) -> Result<BlobRead, BlobError> {
        // Another tenant's key is missing before any IO; the query names the tenant as well.
        if key.tenant() != tenant {
            return Err(BlobError::NotFound);
        }
        let name = key.to_string();
        let size: Option<i64> =
            sqlx::query_scalar("SELECT size FROM file_store_blob WHERE key = $1 AND tenant = $2")
                .bind(&name)
                .bind(tenant_text(tenant))
                .fetch_optional(&self.pool)
                .await
                .map_err(BlobError::backend)?;
        let size = u64::try_from(size.ok_or(BlobError::NotFound)?).map_err(BlobError::backend)?;
        let served = match range {
            Some(range) => range.resolve(size)?,
            None => 0..size,
        };
        // The chunk holding the first byte served, found by the stored offsets rather than by
        // today's chunk size, so files written with another size read back too.
        let first_seq: i64 = if served.start == 0 {
            0
        } else {
            sqlx::query_scalar(
                "SELECT seq FROM file_store_chunk WHERE key = $1 AND start <= $2 \
             ORDER BY seq DESC LIMIT 1",
            )
            .bind(&name)
            .bind(i64_of(served.start)?)
            .fetch_optional(&self.pool)
            .await
            .map_err(BlobError::backend)?
            .unwrap_or(0)
        };
        Ok(BlobRead {
            body: read::chunks(self.pool.clone(), name, first_seq, served.clone()),
            range: served,
            size,
        })
    }

    async fn delete(&self, tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
        if key.tenant() != tenant {
            return Err(BlobError::NotFound);
        }
        let name = key.to_string();
        let mut tx = self.pool.begin().await.map_err(BlobError::backend)?;
        let removed = sqlx::query("DELETE FROM file_store_blob WHERE key = $1 AND tenant = $2")
            .bind(&name)
            .bind(tenant_text(tenant))
            .execute(&mut *tx)
            .await
            .map_err(BlobError::backend)?;
        if removed.rows_affected() == 0 {
            return Err(BlobError::NotFound);
        }
        sqlx::query("DELETE FROM file_store_chunk WHERE key = $1")
            .bind(&name)
            .execute(&mut *tx)
            .await
            .map_err(BlobError::backend)?;
        tx.commit().await.map_err(BlobError::backend)
    }

    async fn begin_upload(
        &self,
        tenant: TenantId,
        length: u64,
        max_size: u64,
    ) -> Result<UploadId, BlobError> {
        check_declared_length(length, max_size)?;
        upload::begin(&self.pool, tenant, length).await
    }

    async fn upload_progress(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<UploadProgress, BlobError> {
        Ok(upload::row(&self.pool, tenant, upload).await?.progress)
    }

    async fn append(
        &self,
        tenant: TenantId,
        upload: &UploadId,
        offset: u64,
        body: ByteStream,
    ) -> Result<u64, BlobError> {
        upload::append(&self.pool, tenant, upload, offset, body).await
    }

    async fn finish_upload(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<StoredBlob, BlobError> {
        upload::finish(&self.pool, tenant, upload).await
    }

    async fn abort_upload(&self, tenant: TenantId, upload: &UploadId) -> Result<(), BlobError> {
        upload::abort(&self.pool, tenant, upload).await
    }

    async fn sweep_uploads(&self, older_than: Duration) -> Result<u64, BlobError> {
        upload::sweep(&self.pool, cutoff(older_than)).await
    }
}

/// Moves bytes from the front of `rest` into `pending` until it holds a whole chunk; answers
/// whether it does.
pub(crate) fn fill(pending: &mut Vec<u8>, rest: &mut &[u8]) -> bool {
    let take = rest.len().min(CHUNK_SIZE - pending.len());
    pending.extend_from_slice(&rest[..take]);
    *rest = &rest[take..];
    pending.len() == CHUNK_SIZE
}

/// Stages one chunk under `key`.
pub(crate) async fn insert_chunk(
    executor: impl sqlx::SqliteExecutor<'_>,
    key: &str,
    seq: i64,
    start: u64,
    data: &[u8],
) -> Result<(), BlobError> {
    sqlx::query(
        "INSERT INTO file_store_chunk (key, seq, start, data, staged_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(key)
    .bind(seq)
    .bind(i64_of(start)?)
    .bind(data)
    .bind(unix_now())
    .execute(executor)
    .await
    .map_err(BlobError::backend)?;
    Ok(())
}

pub(crate) fn tenant_text(tenant: TenantId) -> String {
    tenant.as_uuid().simple().to_string()
}

pub(crate) fn i64_of(value: u64) -> Result<i64, BlobError> {
    i64::try_from(value).map_err(BlobError::backend)
}

pub(crate) fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The unix time `older_than` ago.
fn cutoff(older_than: Duration) -> i64 {
    unix_now().saturating_sub(i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX))
}
