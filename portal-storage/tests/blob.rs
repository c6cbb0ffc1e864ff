//! The blob suite of `portal-conformance`, run on every implementation of this crate: `MemoryBlobStore`,
//! `FsBlobStore`, and `S3BlobStore` (feature `s3`) against the S3 emulator that `.ci/s3.sh` starts
//! (`PORTAL_TEST_S3_ENDPOINT`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use portal_conformance::blob::BlobHarness;
use portal_conformance::blob::bodies::{ChunkCensus, body, counted_body, pattern, read_all};
use portal_core::TenantId;
use portal_storage::blob::{
    BlobError, BlobStore, ByteRange, FsBlobStore, MemoryBlobStore, byte_stream,
};
use sha2::{Digest, Sha256};

// ---- memory ----

struct MemoryHarness(MemoryBlobStore);

impl BlobHarness for MemoryHarness {
    type Store = MemoryBlobStore;

    async fn start() -> Option<Self> {
        Some(Self(MemoryBlobStore::new()))
    }

    fn store(&self) -> &MemoryBlobStore {
        &self.0
    }

    async fn leftovers(&self) -> Vec<String> {
        let blobs = (0..self.0.len()).map(|n| format!("blob {n}"));
        let uploads = (0..self.0.uploads_in_progress()).map(|n| format!("upload {n}"));
        blobs.chain(uploads).collect()
    }
}

mod memory {
    portal_conformance::blob_suite!(super::MemoryHarness);
}

// ---- file system ----

struct FsHarness {
    store: FsBlobStore,
    root: tempfile::TempDir,
}

impl BlobHarness for FsHarness {
    type Store = FsBlobStore;

    async fn start() -> Option<Self> {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).await.unwrap();
        Some(Self { store, root })
    }

    fn store(&self) -> &FsBlobStore {
        &self.store
    }

    /// Every file and directory under the root but the `.tmp` and `.uploads` directories and the
    /// tenant directories under `.uploads` (an upload is the directory under those).
    async fn leftovers(&self) -> Vec<String> {
        let root = self.root.path();
        let mut found = Vec::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.strip_prefix(root).unwrap().display().to_string();
                let uploads_tenant = path.parent() == Some(&root.join(".uploads"));
                if path.is_dir() {
                    pending.push(path);
                }
                if name != ".tmp" && name != ".uploads" && !uploads_tenant {
                    found.push(name);
                }
            }
        }
        assert!(root.join(".tmp").is_dir(), ".tmp is missing");
        found.sort();
        found
    }
}

mod fs {
    portal_conformance::blob_suite!(super::FsHarness);
}

#[tokio::test]
async fn fs_streams_a_large_body_one_chunk_at_a_time() {
    const CHUNK: usize = 256 * 1024;
    const COUNT: usize = 256; // 64 MiB
    let h = FsHarness::start().await.unwrap();
    let tenant = TenantId::new();

    // Chunks are made on demand; each records how many earlier chunks the store still held when
    // it asked for the next one.
    let census = ChunkCensus::default();
    let expected = Arc::new(std::sync::Mutex::new(Sha256::new()));
    let generator = {
        let (census, expected) = (census.clone(), expected.clone());
        futures_util::stream::iter(0..COUNT).map(move |index| {
            let data = pattern(index, CHUNK);
            expected.lock().unwrap().update(&data);
            Ok(census.wrap(data))
        })
    };

    let total = (CHUNK * COUNT) as u64;
    let stored = h
        .store()
        .put(tenant, byte_stream(generator), total)
        .await
        .unwrap();
    assert_eq!(stored.size, total);
    assert_eq!(
        census.most_held(),
        0,
        "the store kept a chunk while asking for the next"
    );
    assert_eq!(census.live(), 0);
    let expected = std::mem::take(&mut *expected.lock().unwrap());
    assert_eq!(stored.sha256.to_hex(), format!("{:x}", expected.finalize()));

    // Reading streams it back in bounded chunks, and a range lands at the right offset.
    let read = h.store().get(tenant, &stored.key, None).await.unwrap();
    assert_eq!(read.size, total);
    let mut body = read.body;
    let (mut chunks, mut bytes, mut biggest) = (0usize, 0u64, 0usize);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        chunks += 1;
        bytes += chunk.len() as u64;
        biggest = biggest.max(chunk.len());
    }
    assert_eq!(bytes, total);
    assert!(
        chunks > 1 && biggest <= 1024 * 1024,
        "{chunks} chunks, biggest {biggest}"
    );
    let offset = (CHUNK * 100 + 5) as u64;
    let read = h
        .store()
        .get(
            tenant,
            &stored.key,
            Some(ByteRange::FromTo {
                first: offset,
                last: offset + 9,
            }),
        )
        .await
        .unwrap();
    assert_eq!(read_all(read).await, &pattern(100, CHUNK)[5..15]);

    let file = h
        .root
        .path()
        .join(tenant.to_string())
        .join(stored.key.random_part());
    assert_eq!(std::fs::metadata(file).unwrap().len(), total);
}

#[tokio::test]
async fn fs_keeps_blobs_across_a_reopen_and_drops_stale_uploads() {
    let root = tempfile::tempdir().unwrap();
    let tenant = TenantId::new();
    let stored = {
        let store = FsBlobStore::open(root.path()).await.unwrap();
        store.put(tenant, body(&[b"kept"]), 4).await.unwrap()
    };
    // A crash mid-upload leaves a temporary file behind.
    std::fs::write(root.path().join(".tmp").join("crashed"), b"half").unwrap();

    let store = FsBlobStore::open(root.path()).await.unwrap();
    assert_eq!(
        std::fs::read_dir(root.path().join(".tmp")).unwrap().count(),
        0
    );
    let read = store.get(tenant, &stored.key, None).await.unwrap();
    assert_eq!(read_all(read).await, b"kept");
}

#[tokio::test]
async fn user_file_names_never_reach_the_disk() {
    // A put takes no name at all: whatever a user calls the file, the path is the store's choice.
    let h = FsHarness::start().await.unwrap();
    let tenant = TenantId::new();
    let stored = h.store().put(tenant, body(&[b"data"]), 4).await.unwrap();
    let expected = format!("{tenant}/{}", stored.key.random_part());
    let leftovers = h.leftovers().await;
    assert_eq!(leftovers, vec![tenant.to_string(), expected]);
}

// ---- appends in flight ----

/// A body that yields `first`, then waits until released and ends; the receiver hears when the
/// store asked for more than `first`.
fn held_body(
    first: &'static [u8],
) -> (
    portal_storage::blob::ByteStream,
    tokio::sync::mpsc::UnboundedReceiver<()>,
    tokio::sync::oneshot::Sender<()>,
) {
    let (asked, asked_rx) = tokio::sync::mpsc::unbounded_channel();
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let held = futures_util::stream::once(async move {
        let _ = asked.send(());
        let _ = released.await;
    })
    .filter_map(|()| async { None::<std::io::Result<Bytes>> });
    let first = futures_util::stream::iter([Ok(Bytes::from_static(first))]);
    (byte_stream(first.chain(held)), asked_rx, release)
}

/// While one append runs, the upload is busy for every other call and no sweep takes it; once it
/// ended, the upload goes on from where it left.
async fn a_running_append_holds_its_upload<S: BlobStore>(store: &S) {
    let tenant = TenantId::new();
    let upload = store.begin_upload(tenant, 8, 8).await.unwrap();
    let (held, mut asked, release) = held_body(b"abcd");
    let mut running = std::pin::pin!(store.append(tenant, &upload, 0, held));
    tokio::select! {
        result = &mut running => panic!("the held append finished: {result:?}"),
        _ = asked.recv() => {}
    }
    // Where it stands can be asked meanwhile: at most the bytes the append has read.
    let progress = store.upload_progress(tenant, &upload).await.unwrap();
    assert!(progress.offset <= 4 && progress.length == 8, "{progress:?}");
    assert!(matches!(
        store.append(tenant, &upload, 0, body(&[b"xy"])).await,
        Err(BlobError::UploadBusy)
    ));
    assert!(matches!(
        store.finish_upload(tenant, &upload).await,
        Err(BlobError::UploadBusy)
    ));
    assert!(matches!(
        store.abort_upload(tenant, &upload).await,
        Err(BlobError::UploadBusy)
    ));
    assert_eq!(
        store
            .sweep_uploads(std::time::Duration::ZERO)
            .await
            .unwrap(),
        0
    );
    release.send(()).unwrap();
    assert_eq!(running.await.unwrap(), 4);
    assert_eq!(
        store
            .append(tenant, &upload, 4, body(&[b"efgh"]))
            .await
            .unwrap(),
        8
    );
    let stored = store.finish_upload(tenant, &upload).await.unwrap();
    assert_eq!(
        stored.sha256.to_hex(),
        portal_conformance::blob::bodies::sha256_hex(b"abcdefgh")
    );
}

#[tokio::test]
async fn memory_a_running_append_holds_its_upload() {
    a_running_append_holds_its_upload(&MemoryBlobStore::new()).await;
}

#[tokio::test]
async fn fs_a_running_append_holds_its_upload() {
    let h = FsHarness::start().await.unwrap();
    a_running_append_holds_its_upload(h.store()).await;
}

#[tokio::test]
async fn fs_an_upload_outlives_a_reopen() {
    let root = tempfile::tempdir().unwrap();
    let tenant = TenantId::new();
    let upload = {
        let store = FsBlobStore::open(root.path()).await.unwrap();
        let upload = store.begin_upload(tenant, 6, 6).await.unwrap();
        store
            .append(tenant, &upload, 0, body(&[b"sec"]))
            .await
            .unwrap();
        upload
    };
    // Reopening clears `.tmp`, never the uploads.
    let store = FsBlobStore::open(root.path()).await.unwrap();
    assert_eq!(
        store.upload_progress(tenant, &upload).await.unwrap().offset,
        3
    );
    store
        .append(tenant, &upload, 3, body(&[b"ret"]))
        .await
        .unwrap();
    // The hash of the bytes staged before the reopen is rebuilt from the staging.
    let stored = store.finish_upload(tenant, &upload).await.unwrap();
    assert_eq!(
        stored.sha256.to_hex(),
        portal_conformance::blob::bodies::sha256_hex(b"secret")
    );
    assert_eq!(
        read_all(store.get(tenant, &stored.key, None).await.unwrap()).await,
        b"secret"
    );
}

// ---- S3 ----

#[cfg(feature = "s3")]
mod s3 {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    use object_store::ObjectStore;
    use portal_storage::blob::{S3BlobStore, S3Config};

    use super::*;

    const PREFIX: &str = "portal-blobs";

    pub(super) struct S3Harness {
        store: S3BlobStore,
        endpoint: String,
        bucket: String,
    }

    /// The emulator's endpoint, or `None` (the test is skipped) when it is not set outside CI.
    fn endpoint() -> Option<String> {
        match std::env::var("PORTAL_TEST_S3_ENDPOINT") {
            Ok(endpoint) if !endpoint.is_empty() => Some(endpoint),
            _ => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "PORTAL_TEST_S3_ENDPOINT must be set in CI (.ci/s3.sh starts the emulator)"
                );
                println!("S3 tests skipped: PORTAL_TEST_S3_ENDPOINT is not set");
                None
            }
        }
    }

    /// One unsigned HTTP/1.1 request to the emulator (moto accepts them); returns the status and
    /// the body.
    fn http(endpoint: &str, method: &str, target: &str) -> (u16, String) {
        let authority = endpoint
            .strip_prefix("http://")
            .expect("the emulator endpoint is http://host:port")
            .trim_end_matches('/');
        let mut stream = TcpStream::connect(authority).unwrap();
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    impl BlobHarness for S3Harness {
        type Store = S3BlobStore;

        async fn start() -> Option<Self> {
            let endpoint = endpoint()?;
            // A fresh bucket per test; object_store cannot create buckets.
            let bucket = format!("portal-test-{}", uuid::Uuid::new_v4().simple());
            let (status, body) = http(&endpoint, "PUT", &format!("/{bucket}"));
            assert_eq!(status, 200, "creating bucket {bucket}: {body}");
            let config = S3Config::new(&bucket, "us-east-1")
                .with_endpoint(&endpoint)
                .with_credentials("portal-test", "portal-test-secret")
                .with_allow_http(true);
            let store = S3BlobStore::new(config)
                .unwrap()
                .with_prefix(PREFIX)
                .unwrap();
            Some(Self {
                store,
                endpoint,
                bucket,
            })
        }

        fn store(&self) -> &S3BlobStore {
            &self.store
        }

        /// Every object of the bucket, and every multipart upload not completed nor aborted.
        async fn leftovers(&self) -> Vec<String> {
            let mut found: Vec<String> = self
                .store
                .object_store()
                .list(None)
                .map_ok(|meta| meta.location.to_string())
                .try_collect()
                .await
                .unwrap();
            let (status, uploads) =
                http(&self.endpoint, "GET", &format!("/{}?uploads", self.bucket));
            assert_eq!(status, 200, "{uploads}");
            found.extend(
                uploads
                    .split("<Upload>")
                    .skip(1)
                    .map(|upload| format!("upload in progress: {upload}")),
            );
            found.sort();
            found
        }
    }

    #[tokio::test]
    async fn s3_puts_a_body_of_several_parts() {
        let Some(h) = S3Harness::start().await else {
            return;
        };
        let tenant = TenantId::new();
        // 12 MiB in chunks of 1 MiB: one full part of 8 MiB, then the rest.
        const CHUNK: usize = 1024 * 1024;
        let pulled = Arc::new(AtomicUsize::new(0));
        let mut expected = Sha256::new();
        for index in 0..12 {
            expected.update(pattern(index, CHUNK));
        }
        let stored = h
            .store()
            .put(tenant, counted_body(CHUNK, 12, pulled), 12 * CHUNK as u64)
            .await
            .unwrap();
        assert_eq!(stored.size, 12 * CHUNK as u64);
        assert_eq!(stored.sha256.to_hex(), format!("{:x}", expected.finalize()));
        assert_eq!(
            h.leftovers().await,
            vec![format!("{PREFIX}/{}", stored.key)]
        );

        let read = h
            .store()
            .get(
                tenant,
                &stored.key,
                Some(ByteRange::FromTo {
                    first: (8 * CHUNK - 2) as u64,
                    last: (8 * CHUNK + 1) as u64,
                }),
            )
            .await
            .unwrap();
        assert_eq!(read.size, 12 * CHUNK as u64);
        let mut across = pattern(7, CHUNK)[CHUNK - 2..].to_vec();
        across.extend_from_slice(&pattern(8, CHUNK)[..2]);
        assert_eq!(read_all(read).await, across);

        let read = h.store().get(tenant, &stored.key, None).await.unwrap();
        let mut hasher = Sha256::new();
        let mut body = read.body;
        while let Some(chunk) = body.next().await {
            hasher.update(chunk.unwrap());
        }
        assert_eq!(stored.sha256.to_hex(), format!("{:x}", hasher.finalize()));
    }

    #[tokio::test]
    async fn s3_a_too_large_body_of_several_parts_is_aborted() {
        let Some(h) = S3Harness::start().await else {
            return;
        };
        // Two full parts go up before the limit is crossed; the upload must be aborted.
        const CHUNK: usize = 1024 * 1024;
        let pulled = Arc::new(AtomicUsize::new(0));
        let result = h
            .store()
            .put(
                TenantId::new(),
                counted_body(CHUNK, 40, pulled.clone()),
                17 * CHUNK as u64,
            )
            .await;
        assert!(
            matches!(result, Err(BlobError::TooLarge { .. })),
            "{result:?}"
        );
        assert_eq!(pulled.load(Ordering::SeqCst), 18);
        assert_eq!(h.leftovers().await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn s3_a_running_append_holds_its_upload() {
        let Some(h) = S3Harness::start().await else {
            return;
        };
        a_running_append_holds_its_upload(h.store()).await;
    }

    #[tokio::test]
    async fn s3_replicas_appending_at_one_offset_cannot_both_win() {
        let Some(h) = S3Harness::start().await else {
            return;
        };
        // Two replicas: two stores over one bucket, each with its own in-process locks.
        let other = S3BlobStore::from_object_store(h.store().object_store().clone())
            .with_prefix(PREFIX)
            .unwrap();
        let tenant = TenantId::new();
        let upload = h.store().begin_upload(tenant, 10, 10).await.unwrap();
        let (held, mut asked, release) = held_body(b"aaaa");
        let mut first = std::pin::pin!(h.store().append(tenant, &upload, 0, held));
        tokio::select! {
            result = &mut first => panic!("the held append finished: {result:?}"),
            _ = asked.recv() => {}
        }
        // The other replica stages its bytes at offset 0 while the first still holds its own.
        assert_eq!(
            other
                .append(tenant, &upload, 0, body(&[b"bbbbbb"]))
                .await
                .unwrap(),
            6
        );
        release.send(()).unwrap();
        let result = first.await;
        assert!(
            matches!(
                result,
                Err(BlobError::OffsetMismatch {
                    expected: 6,
                    given: 0
                })
            ),
            "{result:?}"
        );
        other
            .append(tenant, &upload, 6, body(&[b"cccc"]))
            .await
            .unwrap();
        let stored = h.store().finish_upload(tenant, &upload).await.unwrap();
        let read = h.store().get(tenant, &stored.key, None).await.unwrap();
        assert_eq!(read_all(read).await, b"bbbbbbcccc");
    }
}

#[cfg(feature = "s3")]
mod s3_suite {
    portal_conformance::blob_suite!(super::s3::S3Harness);
}
