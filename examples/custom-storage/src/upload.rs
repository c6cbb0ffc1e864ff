//! Resumable uploads: a row per upload in `file_store_upload`, its bytes staged as chunks under the
//! blob key it will be committed as, so finishing adds the blob row and moves no byte.

use futures_util::StreamExt;
use portal_core::TenantId;
use portal_storage::blob::{
    BlobError, BlobKey, ByteStream, PutTally, StoredBlob, UploadId, UploadProgress,
};
use sqlx::SqlitePool;

use crate::read;
use crate::store::{CHUNK_SIZE, fill, i64_of, insert_chunk, tenant_text, unix_now};

/// An upload as its row holds it.
pub(crate) struct UploadRow {
    /// The key its chunks are staged under, and the blob's key once finished.
    pub(crate) key: String,
    pub(crate) progress: UploadProgress,
}

/// The row of `tenant`'s upload; `NotFound` when there is none (another tenant's included).
pub(crate) async fn row(
    pool: &SqlitePool,
    tenant: TenantId,
    upload: &UploadId,
) -> Result<UploadRow, BlobError> {
    let found: Option<(String, i64, i64)> = sqlx::query_as(
        "SELECT key, length, staged FROM file_store_upload WHERE tenant = $1 AND upload = $2",
    )
    .bind(tenant_text(tenant))
    .bind(upload.to_string())
    .fetch_optional(pool)
    .await
    .map_err(BlobError::backend)?;
    let (key, length, staged) = found.ok_or(BlobError::NotFound)?;
    Ok(UploadRow {
        key,
        progress: UploadProgress {
            offset: u64::try_from(staged).map_err(BlobError::backend)?,
            length: u64::try_from(length).map_err(BlobError::backend)?,
        },
    })
}

/// Begins an upload of `length` bytes, staged under a fresh key of `tenant`.
pub(crate) async fn begin(
    pool: &SqlitePool,
    tenant: TenantId,
    length: u64,
) -> Result<UploadId, BlobError> {
    let upload = UploadId::generate();
    sqlx::query(
        "INSERT INTO file_store_upload (tenant, upload, key, length, staged, next_seq, touched_at) \
         VALUES ($1, $2, $3, $4, 0, 0, $5)",
    )
    .bind(tenant_text(tenant))
    .bind(upload.to_string())
    .bind(BlobKey::generate(tenant).to_string())
    .bind(i64_of(length)?)
    .bind(unix_now())
    .execute(pool)
    .await
    .map_err(BlobError::backend)?;
    Ok(upload)
}

/// Stages `body` at `offset`, in chunks of up to [`CHUNK_SIZE`], each committed with the row's new
/// offset; what was read before an error is staged before the error is answered.
pub(crate) async fn append(
    pool: &SqlitePool,
    tenant: TenantId,
    upload: &UploadId,
    offset: u64,
    mut body: ByteStream,
) -> Result<u64, BlobError> {
    let UploadRow { key, mut progress } = row(pool, tenant, upload).await?;
    progress.check_offset(offset)?;
    let mut start = offset;
    let mut pending: Vec<u8> = Vec::with_capacity(CHUNK_SIZE);
    let streamed = async {
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            progress.admit(&chunk)?;
            let mut rest: &[u8] = &chunk;
            while !rest.is_empty() {
                if fill(&mut pending, &mut rest) {
                    stage(pool, tenant, upload, &key, start, &pending).await?;
                    start += CHUNK_SIZE as u64;
                    pending.clear();
                }
            }
        }
        Ok::<_, BlobError>(())
    }
    .await;
    if !pending.is_empty() {
        stage(pool, tenant, upload, &key, start, &pending).await?;
        start += pending.len() as u64;
    }
    streamed?;
    Ok(start)
}

/// Stages one chunk at `start` and moves the upload's offset past it, in one transaction that
/// holds only if the offset still is `start`: a concurrent append that got there first wins.
async fn stage(
    pool: &SqlitePool,
    tenant: TenantId,
    upload: &UploadId,
    key: &str,
    start: u64,
    data: &[u8],
) -> Result<(), BlobError> {
    let mut tx = pool.begin().await.map_err(BlobError::backend)?;
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE file_store_upload SET staged = staged + $1, next_seq = next_seq + 1, \
         touched_at = $2 WHERE tenant = $3 AND upload = $4 AND staged = $5 RETURNING next_seq - 1",
    )
    .bind(i64_of(data.len() as u64)?)
    .bind(unix_now())
    .bind(tenant_text(tenant))
    .bind(upload.to_string())
    .bind(i64_of(start)?)
    .fetch_optional(&mut *tx)
    .await
    .map_err(BlobError::backend)?;
    let Some(seq) = seq else {
        drop(tx);
        let now = row(pool, tenant, upload).await?;
        return Err(BlobError::OffsetMismatch {
            expected: now.progress.offset,
            given: start,
        });
    };
    insert_chunk(&mut *tx, key, seq, start, data).await?;
    tx.commit().await.map_err(BlobError::backend)
}

/// Hashes the staged chunks (one at a time) and commits them as the blob: the upload row goes and
/// the blob row comes in one transaction.
pub(crate) async fn finish(
    pool: &SqlitePool,
    tenant: TenantId,
    upload: &UploadId,
) -> Result<StoredBlob, BlobError> {
    let UploadRow { key, progress } = row(pool, tenant, upload).await?;
    progress.check_complete()?;
    let mut tally = PutTally::new(progress.length);
    let mut staged = read::chunks(pool.clone(), key.clone(), 0, 0..progress.length);
    while let Some(chunk) = staged.next().await {
        tally.add(&chunk?)?;
    }
    let stored = tally.finish(BlobKey::parse(&key)?);
    let mut tx = pool.begin().await.map_err(BlobError::backend)?;
    let removed = sqlx::query(
        "DELETE FROM file_store_upload WHERE tenant = $1 AND upload = $2 AND staged = length",
    )
    .bind(tenant_text(tenant))
    .bind(upload.to_string())
    .execute(&mut *tx)
    .await
    .map_err(BlobError::backend)?;
    if removed.rows_affected() == 0 {
        // Finished or aborted by another request meanwhile.
        return Err(BlobError::NotFound);
    }
    sqlx::query("INSERT INTO file_store_blob (key, tenant, size, sha256) VALUES ($1, $2, $3, $4)")
        .bind(&key)
        .bind(tenant_text(tenant))
        .bind(i64_of(stored.size)?)
        .bind(stored.sha256.as_bytes().as_slice())
        .execute(&mut *tx)
        .await
        .map_err(BlobError::backend)?;
    tx.commit().await.map_err(BlobError::backend)?;
    Ok(stored)
}

/// Deletes the upload's row and chunks.
pub(crate) async fn abort(
    pool: &SqlitePool,
    tenant: TenantId,
    upload: &UploadId,
) -> Result<(), BlobError> {
    let mut tx = pool.begin().await.map_err(BlobError::backend)?;
    let key: Option<String> = sqlx::query_scalar(
        "DELETE FROM file_store_upload WHERE tenant = $1 AND upload = $2 RETURNING key",
    )
    .bind(tenant_text(tenant))
    .bind(upload.to_string())
    .fetch_optional(&mut *tx)
    .await
    .map_err(BlobError::backend)?;
    let key = key.ok_or(BlobError::NotFound)?;
    sqlx::query("DELETE FROM file_store_chunk WHERE key = $1")
        .bind(key)
        .execute(&mut *tx)
        .await
        .map_err(BlobError::backend)?;
    tx.commit().await.map_err(BlobError::backend)
}

/// Deletes the uploads nothing was staged to since `cutoff` (unix seconds), with their chunks.
pub(crate) async fn sweep(pool: &SqlitePool, cutoff: i64) -> Result<u64, BlobError> {
    let mut tx = pool.begin().await.map_err(BlobError::backend)?;
    sqlx::query(
        "DELETE FROM file_store_chunk WHERE key IN \
         (SELECT key FROM file_store_upload WHERE touched_at <= $1)",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await
    .map_err(BlobError::backend)?;
    let swept = sqlx::query("DELETE FROM file_store_upload WHERE touched_at <= $1")
        .bind(cutoff)
        .execute(&mut *tx)
        .await
        .map_err(BlobError::backend)?;
    tx.commit().await.map_err(BlobError::backend)?;
    Ok(swept.rows_affected())
}
