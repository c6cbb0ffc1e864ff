//! A large resumable upload to the file store, cut off three times and resumed: it finishes with
//! the SHA-256 of every byte sent, while the store holds one chunk of the body at a time.
//!
//! The size is 2 GiB; `PORTAL_TEST_RESUMABLE_BYTES` sets another (e.g. a few MiB for a quick local
//! run). CI runs it at the default.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::io;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use portal_conformance::blob::bodies::{ChunkCensus, read_all};
use portal_core::TenantId;
use portal_storage::blob::{BlobError, BlobStore, ByteRange, ByteStream, FsBlobStore, byte_stream};
use sha2::{Digest, Sha256};

/// The default size of the upload: 2 GiB.
const DEFAULT_BYTES: u64 = 2 << 30;
/// The size of the chunks the body yields, as a client's connection would deliver them.
const CHUNK: u64 = 1 << 20;

fn upload_bytes() -> u64 {
    std::env::var("PORTAL_TEST_RESUMABLE_BYTES")
        .ok()
        .map(|bytes| {
            bytes
                .parse()
                .expect("PORTAL_TEST_RESUMABLE_BYTES is a number of bytes")
        })
        .unwrap_or(DEFAULT_BYTES)
}

/// The length of the pseudo-random block the content is made of.
const BLOCK: u64 = 1 << 20;

/// One block of pseudo-random bytes (splitmix64 over 8-byte words), made once.
fn base_block() -> &'static [u8] {
    static BASE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        (0..BLOCK / 8)
            .flat_map(|word| splitmix64(word).to_le_bytes())
            .collect()
    })
}

/// `len` bytes of the upload's content from byte `offset` on. Block `n` of the content is the base
/// block rotated by a pseudo-random amount of its own, so any offset can be regenerated (the
/// content is never held whole) by copying slices, which is fast even in a debug build.
fn generate(offset: u64, len: u64) -> Vec<u8> {
    let base = base_block();
    let mut out = Vec::with_capacity(len as usize);
    let mut at = offset;
    while at < offset + len {
        let (block, within) = (at / BLOCK, at % BLOCK);
        let from = ((within + splitmix64(block) % BLOCK) % BLOCK) as usize;
        let want = (offset + len - at)
            .min(BLOCK - within)
            .min(BLOCK - from as u64) as usize;
        out.extend_from_slice(&base[from..from + want]);
        at += want as u64;
    }
    out
}

fn splitmix64(index: u64) -> u64 {
    let mut z = index.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The content from `start` to `end` in chunks of at most [`CHUNK`], each hashed into `sent` as
/// it is made and counted by `census`; when `cut` is set, the connection drops after the bytes
/// (an `Err` item, as a client that went away).
fn body(
    start: u64,
    end: u64,
    cut: bool,
    sent: Arc<Mutex<Sha256>>,
    census: ChunkCensus,
) -> ByteStream {
    let starts = (start..end).step_by(CHUNK as usize);
    let chunks = futures_util::stream::iter(starts).map(move |from| {
        let data = generate(from, CHUNK.min(end - from));
        sent.lock().unwrap().update(&data);
        Ok::<_, io::Error>(census.wrap(data))
    });
    let dropped = futures_util::stream::iter(cut.then(|| {
        Err::<Bytes, _>(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "connection dropped",
        ))
    }));
    byte_stream(chunks.chain(dropped))
}

#[tokio::test]
async fn a_large_upload_interrupted_three_times_completes_with_the_right_sha256() {
    let total = upload_bytes();
    let root = tempfile::tempdir().unwrap();
    let mut store = FsBlobStore::open(root.path()).await.unwrap();
    let tenant = TenantId::new();
    let upload = store.begin_upload(tenant, total, total).await.unwrap();

    let sent = Arc::new(Mutex::new(Sha256::new()));
    let census = ChunkCensus::default();
    // Where the connection drops: at odd bytes, mid-chunk.
    let cuts = [total / 10 + 12_345, total / 2 + 7, total * 4 / 5 + 999];
    let mut offset = 0;
    for (attempt, cut) in cuts.into_iter().enumerate() {
        let result = store
            .append(
                tenant,
                &upload,
                offset,
                body(offset, cut, true, sent.clone(), census.clone()),
            )
            .await;
        match result {
            Err(BlobError::Io(error)) => assert_eq!(error.kind(), io::ErrorKind::ConnectionReset),
            other => panic!("expected the dropped connection, got {other:?}"),
        }
        if attempt == 1 {
            // The server restarts as well: the running hash is lost and rebuilt from the staging.
            drop(store);
            store = FsBlobStore::open(root.path()).await.unwrap();
        }
        // The client asks where to resume: every byte sent before the drop was kept.
        let progress = store.upload_progress(tenant, &upload).await.unwrap();
        assert_eq!((progress.offset, progress.length), (cut, total));
        offset = progress.offset;
    }
    let end = store
        .append(
            tenant,
            &upload,
            offset,
            body(offset, total, false, sent.clone(), census.clone()),
        )
        .await
        .unwrap();
    assert_eq!(end, total);

    let stored = store.finish_upload(tenant, &upload).await.unwrap();
    let expected = std::mem::take(&mut *sent.lock().unwrap()).finalize();
    assert_eq!(stored.size, total);
    assert_eq!(stored.sha256.to_hex(), format!("{expected:x}"));
    assert_eq!(
        census.most_held(),
        0,
        "the store kept a chunk of the body while asking for the next"
    );
    assert_eq!(census.live(), 0);

    // The blob is in place with the bytes sent: its tail reads back as generated.
    let file = root
        .path()
        .join(tenant.to_string())
        .join(stored.key.random_part());
    assert_eq!(std::fs::metadata(file).unwrap().len(), total);
    let tail = store
        .get(tenant, &stored.key, Some(ByteRange::Suffix(100)))
        .await
        .unwrap();
    let from = total.saturating_sub(100);
    assert_eq!(read_all(tail).await, generate(from, total - from));
    assert!(matches!(
        store.upload_progress(tenant, &upload).await,
        Err(BlobError::NotFound)
    ));
}

#[test]
fn the_generator_resumes_at_any_offset() {
    let len = 3 * BLOCK + 5;
    let whole = generate(0, len);
    assert_eq!(whole.len() as u64, len);
    for offset in [1, 7, BLOCK - 1, BLOCK, BLOCK + 3, 2 * BLOCK + 12_345] {
        assert_eq!(generate(offset, len - offset), whole[offset as usize..]);
    }
    // Blocks differ from each other.
    let block = BLOCK as usize;
    assert_ne!(whole[..block], whole[block..2 * block]);
}
