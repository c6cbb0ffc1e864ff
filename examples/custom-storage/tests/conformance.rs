//! The portal's conformance suites on the SQLite blob store, and the store's own checks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed harness step should stop the test loudly"
)]

use std::time::Duration;

use bytes::Bytes;
use custom_storage::{CHUNK_SIZE, SqliteBlobStore};
use futures_util::TryStreamExt;
use portal_conformance::Harness;
use portal_conformance::blob::BlobHarness;
use portal_conformance::blob::bodies::{body, pattern};
use portal_conformance::tamper::SqliteTamper;
use portal_core::TenantId;
use portal_storage::Stores;
use portal_storage::blob::{BlobStore, ByteRange, byte_stream};
use portal_storage::sql::{SqliteStore, SqliteStoreConfig};
use sqlx::SqlitePool;

/// The portal's SQLite stores and the blob store in one fresh database file, one pool.
async fn shared_file() -> (SqliteStore, SqliteBlobStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let records = SqliteStore::open(dir.path().join("portal.db"), SqliteStoreConfig::default())
        .await
        .unwrap();
    records.migrate().await.unwrap();
    let blobs = SqliteBlobStore::with_pool(records.pool().clone())
        .await
        .unwrap();
    (records, blobs, dir)
}

// ---- the blob suite ----

struct Blobs {
    store: SqliteBlobStore,
    _records: SqliteStore,
    _dir: tempfile::TempDir,
}

impl BlobHarness for Blobs {
    type Store = SqliteBlobStore;

    async fn start() -> Option<Self> {
        let (records, store, dir) = shared_file().await;
        Some(Self {
            store,
            _records: records,
            _dir: dir,
        })
    }

    fn store(&self) -> &SqliteBlobStore {
        &self.store
    }

    async fn leftovers(&self) -> Vec<String> {
        leftovers(self.store.pool()).await
    }
}

/// Committed blobs, uploads whose chunks no blob row claims yet, and resumable uploads.
async fn leftovers(pool: &SqlitePool) -> Vec<String> {
    let blobs: Vec<String> = sqlx::query_scalar("SELECT key FROM file_store_blob ORDER BY key")
        .fetch_all(pool)
        .await
        .unwrap();
    let uploads: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT key FROM file_store_chunk \
         WHERE key NOT IN (SELECT key FROM file_store_blob) ORDER BY key",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let resumable: Vec<String> = sqlx::query_scalar("SELECT upload FROM file_store_upload")
        .fetch_all(pool)
        .await
        .unwrap();
    let blobs = blobs.into_iter().map(|key| format!("blob {key}"));
    let uploads = uploads
        .into_iter()
        .map(|key| format!("upload in progress {key}"));
    let resumable = resumable
        .into_iter()
        .map(|upload| format!("resumable upload {upload}"));
    blobs.chain(uploads).chain(resumable).collect()
}

mod blob_suite {
    portal_conformance::blob_suite!(super::Blobs);
}

// ---- the stores suite, on the portal's stores sharing the file ----

async fn stores_beside_the_blobs() -> Harness {
    let (records, blobs, dir) = shared_file().await;
    // A blob committed and an upload staged before the suite starts: the portal's stores must
    // not care what else the file holds.
    let tenant = TenantId::new();
    blobs
        .put(tenant, body(&[b"beside the records"]), 1024)
        .await
        .unwrap();
    let tamper = SqliteTamper(records.pool().clone());
    Harness::new(Stores::from_backend(records), tamper).keeping((blobs, dir))
}

mod stores_suite {
    portal_conformance::stores_suite!(super::stores_beside_the_blobs);
}

// ---- the store's own checks ----

#[tokio::test]
async fn a_large_body_is_kept_in_chunks_and_read_back_in_ranges() {
    let (_records, store, _dir) = shared_file().await;
    let tenant = TenantId::new();
    // 2.5 chunks, sent in odd-sized pieces as a browser would.
    let data: Vec<u8> = (0..5).flat_map(|n| pattern(n, CHUNK_SIZE / 2)).collect();
    let pieces: Vec<std::io::Result<Bytes>> = data
        .chunks(10_007)
        .map(|piece| Ok(Bytes::copy_from_slice(piece)))
        .collect();
    let stored = store
        .put(
            tenant,
            byte_stream(futures_util::stream::iter(pieces)),
            1 << 30,
        )
        .await
        .unwrap();
    assert_eq!(stored.size, data.len() as u64);

    let chunks: Vec<i64> =
        sqlx::query_scalar("SELECT length(data) FROM file_store_chunk WHERE key = $1 ORDER BY seq")
            .bind(stored.key.to_string())
            .fetch_all(store.pool())
            .await
            .unwrap();
    let full = CHUNK_SIZE as i64;
    assert_eq!(chunks, vec![full, full, full / 2]);

    // A range across the boundary of the first two chunks.
    let first = CHUNK_SIZE as u64 - 3;
    let read = store
        .get(
            tenant,
            &stored.key,
            Some(ByteRange::FromTo {
                first,
                last: first + 5,
            }),
        )
        .await
        .unwrap();
    let served: Vec<Bytes> = read.body.try_collect().await.unwrap();
    assert_eq!(served.len(), 2, "one piece per chunk touched");
    assert_eq!(served.concat(), &data[first as usize..first as usize + 6]);
}

#[tokio::test]
async fn a_reopened_file_keeps_its_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("files.db");
    let tenant = TenantId::new();
    let stored = {
        let store = SqliteBlobStore::open(&path).await.unwrap();
        let stored = store.put(tenant, body(&[b"kept"]), 4).await.unwrap();
        store.pool().close().await;
        stored
    };
    let store = SqliteBlobStore::open(&path).await.unwrap();
    let read = store.get(tenant, &stored.key, None).await.unwrap();
    let bytes: Vec<Bytes> = read.body.try_collect().await.unwrap();
    assert_eq!(bytes.concat(), b"kept");
}

#[tokio::test]
async fn abandoned_uploads_are_swept_and_nothing_else() {
    let (_records, store, _dir) = shared_file().await;
    let tenant = TenantId::new();
    let kept = store.put(tenant, body(&[b"committed"]), 100).await.unwrap();
    // Two uploads cut off before their commit: one staged two hours ago, one just now.
    for (key, age) in [("old", 7200), ("young", 0)] {
        sqlx::query(
            "INSERT INTO file_store_chunk (key, seq, start, data, staged_at) \
             VALUES ($1, 0, 0, x'00', unixepoch() - $2)",
        )
        .bind(key)
        .bind(age)
        .execute(store.pool())
        .await
        .unwrap();
    }

    let swept = store
        .sweep_abandoned_uploads(Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(swept, 1);
    let left = leftovers(store.pool()).await;
    assert_eq!(
        left,
        vec![
            format!("blob {}", kept.key),
            "upload in progress young".to_owned()
        ]
    );
    // The committed blob is whole.
    let read = store.get(tenant, &kept.key, None).await.unwrap();
    let bytes: Vec<Bytes> = read.body.try_collect().await.unwrap();
    assert_eq!(bytes.concat(), b"committed");
}

#[tokio::test]
async fn the_sweep_of_abandoned_puts_leaves_resumable_uploads_alone() {
    let (_records, store, _dir) = shared_file().await;
    let tenant = TenantId::new();
    let upload = store.begin_upload(tenant, 9, 9).await.unwrap();
    store
        .append(tenant, &upload, 0, body(&[b"resu"]))
        .await
        .unwrap();

    let swept = store.sweep_abandoned_uploads(Duration::ZERO).await.unwrap();
    assert_eq!(swept, 0);
    store
        .append(tenant, &upload, 4, body(&[b"mable"]))
        .await
        .unwrap();
    let stored = store.finish_upload(tenant, &upload).await.unwrap();
    let read = store.get(tenant, &stored.key, None).await.unwrap();
    let bytes: Vec<Bytes> = read.body.try_collect().await.unwrap();
    assert_eq!(bytes.concat(), b"resumable");
}
