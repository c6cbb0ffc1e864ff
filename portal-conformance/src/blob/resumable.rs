//! The blob suite's checks of resumable uploads: staged bytes survive an interrupted append, the
//! offset and the declared length are enforced, a finish commits like a put, and nothing crosses
//! tenants or outlives an abort or a sweep.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use portal_core::TenantId;
use portal_storage::blob::{BlobError, BlobStore, ByteStream, UploadId, byte_stream};

use super::BlobHarness;
use super::bodies::{body, counted_body, pattern, read_all, sha256_hex};

/// A body of `data` in pieces of `piece` bytes that fails with a reset connection after them.
fn cut_off(data: &[u8], piece: usize) -> ByteStream {
    let mut items: Vec<io::Result<Bytes>> = data
        .chunks(piece)
        .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
        .collect();
    items.push(Err(io::Error::new(
        io::ErrorKind::ConnectionReset,
        "client went away",
    )));
    byte_stream(futures_util::stream::iter(items))
}

/// `data` in pieces of `piece` bytes.
fn pieces(data: &[u8], piece: usize) -> ByteStream {
    let items: Vec<io::Result<Bytes>> = data
        .chunks(piece)
        .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
        .collect();
    byte_stream(futures_util::stream::iter(items))
}

/// Asserts that every call on `upload` answers not found for `tenant`.
async fn assert_unknown<H: BlobHarness>(h: &H, tenant: TenantId, upload: &UploadId) {
    let store = h.store();
    assert!(matches!(
        store.upload_progress(tenant, upload).await,
        Err(BlobError::NotFound)
    ));
    let pulled = Arc::new(AtomicUsize::new(0));
    assert!(matches!(
        store
            .append(tenant, upload, 0, counted_body(4, 2, pulled.clone()))
            .await,
        Err(BlobError::NotFound)
    ));
    assert_eq!(pulled.load(Ordering::SeqCst), 0, "the body was read");
    assert!(matches!(
        store.finish_upload(tenant, upload).await,
        Err(BlobError::NotFound)
    ));
    assert!(matches!(
        store.abort_upload(tenant, upload).await,
        Err(BlobError::NotFound)
    ));
}

/// An append whose body fails keeps every byte before the failure; the upload resumes from the
/// offset it reports and finishes with the SHA-256 of the whole, readable under its key.
pub async fn an_upload_resumes_after_a_failed_append<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let data: Vec<u8> = (0..6).flat_map(|index| pattern(index, 50_000)).collect();
    let store = h.store();
    let upload = store.begin_upload(tenant, 300_000, 1 << 20).await.unwrap();
    let progress = store.upload_progress(tenant, &upload).await.unwrap();
    assert_eq!((progress.offset, progress.length), (0, 300_000));

    assert_eq!(
        store
            .append(tenant, &upload, 0, pieces(&data[..100_000], 7_000))
            .await
            .unwrap(),
        100_000
    );
    match store
        .append(
            tenant,
            &upload,
            100_000,
            cut_off(&data[100_000..170_000], 9_999),
        )
        .await
    {
        Err(BlobError::Io(error)) => assert_eq!(error.kind(), io::ErrorKind::ConnectionReset),
        other => panic!("expected the body's error, got {other:?}"),
    }
    let progress = store.upload_progress(tenant, &upload).await.unwrap();
    assert_eq!(
        progress.offset, 170_000,
        "bytes before the failure are kept"
    );
    assert!(!progress.is_complete());

    let resumed = store
        .append(tenant, &upload, 170_000, pieces(&data[170_000..], 65_536))
        .await
        .unwrap();
    assert_eq!(resumed, 300_000);
    let stored = store.finish_upload(tenant, &upload).await.unwrap();
    assert_eq!(stored.size, 300_000);
    assert_eq!(stored.key.tenant(), tenant);
    assert_eq!(stored.sha256.to_hex(), sha256_hex(&data));
    let read = store.get(tenant, &stored.key, None).await.unwrap();
    assert_eq!(read_all(read).await, data);

    // The staging is gone: only the blob is left.
    assert_unknown(h, tenant, &upload).await;
    let leftovers = h.leftovers().await;
    assert!(
        leftovers
            .iter()
            .all(|name| !name.contains(&upload.to_string())),
        "{leftovers:?}"
    );
}

/// An append dropped midway (the connection vanished without an error) leaves an upload that
/// resumes from whatever offset it reports and still finishes with the right SHA-256.
pub async fn a_dropped_append_leaves_a_resumable_upload<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let data = pattern(11, 200_000);
    let store = h.store();
    let upload = store.begin_upload(tenant, 200_000, 200_000).await.unwrap();

    let (asked_for_more, mut more) = tokio::sync::mpsc::unbounded_channel::<()>();
    let first = futures_util::stream::iter([Ok(Bytes::copy_from_slice(&data[..80_000]))]);
    let stalled = futures_util::stream::unfold(asked_for_more, |signal| async move {
        let _ = signal.send(());
        futures_util::future::pending::<Option<(io::Result<Bytes>, _)>>().await
    });
    let append = store.append(tenant, &upload, 0, byte_stream(first.chain(stalled)));
    tokio::select! {
        result = append => panic!("the append finished with a body that never ends: {result:?}"),
        _ = more.recv() => {}
    }
    // The append future is dropped here, mid-stream.
    let offset = store.upload_progress(tenant, &upload).await.unwrap().offset;
    assert!(offset <= 80_000, "{offset}");
    let end = store
        .append(
            tenant,
            &upload,
            offset,
            pieces(&data[offset as usize..], 30_000),
        )
        .await
        .unwrap();
    assert_eq!(end, 200_000);
    let stored = store.finish_upload(tenant, &upload).await.unwrap();
    assert_eq!(stored.sha256.to_hex(), sha256_hex(&data));
    let read = store.get(tenant, &stored.key, None).await.unwrap();
    assert_eq!(read_all(read).await, data);
}

/// An append that does not start at the current offset is refused before its body is read,
/// naming both offsets.
pub async fn a_wrong_offset_is_refused<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let store = h.store();
    let upload = store.begin_upload(tenant, 10, 10).await.unwrap();
    assert_eq!(
        store
            .append(tenant, &upload, 0, body(&[b"abc"]))
            .await
            .unwrap(),
        3
    );
    for given in [0, 2, 4, 10, u64::MAX] {
        let pulled = Arc::new(AtomicUsize::new(0));
        let result = store
            .append(tenant, &upload, given, counted_body(1, 3, pulled.clone()))
            .await;
        let refused = matches!(
            result,
            Err(BlobError::OffsetMismatch { expected: 3, given: g }) if g == given
        );
        assert!(refused, "{result:?}");
        assert_eq!(pulled.load(Ordering::SeqCst), 0, "the body was read");
    }
    assert_eq!(
        store.upload_progress(tenant, &upload).await.unwrap().offset,
        3
    );
}

/// A declared length over the limit is refused before any byte; bytes past the declared length
/// are refused, the ones before them kept.
pub async fn lengths_are_enforced<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let store = h.store();
    assert!(matches!(
        store.begin_upload(tenant, 101, 100).await,
        Err(BlobError::TooLarge { limit: 100 })
    ));
    assert_eq!(h.leftovers().await, Vec::<String>::new());

    let upload = store.begin_upload(tenant, 10, 100).await.unwrap();
    let result = store
        .append(tenant, &upload, 0, body(&[b"abcdef", b"ghijkl", b"mnop"]))
        .await;
    assert!(
        matches!(result, Err(BlobError::BeyondLength { length: 10 })),
        "{result:?}"
    );
    assert_eq!(
        store.upload_progress(tenant, &upload).await.unwrap().offset,
        6,
        "the chunk that crossed the length is refused whole"
    );
    assert_eq!(
        store
            .append(tenant, &upload, 6, body(&[b"ghij"]))
            .await
            .unwrap(),
        10
    );
    assert!(matches!(
        store.append(tenant, &upload, 10, body(&[b"k"])).await,
        Err(BlobError::BeyondLength { length: 10 })
    ));
    // An empty append at the end is fine.
    assert_eq!(
        store.append(tenant, &upload, 10, body(&[])).await.unwrap(),
        10
    );
    let stored = store.finish_upload(tenant, &upload).await.unwrap();
    assert_eq!(stored.size, 10);
    assert_eq!(stored.sha256.to_hex(), sha256_hex(b"abcdefghij"));
}

/// Finishing before every declared byte is staged is refused and keeps the upload; an upload of
/// no byte finishes at once as an empty blob.
pub async fn finishing_early_is_refused<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let store = h.store();
    let upload = store.begin_upload(tenant, 10, 10).await.unwrap();
    assert!(matches!(
        store.finish_upload(tenant, &upload).await,
        Err(BlobError::UploadIncomplete {
            offset: 0,
            length: 10
        })
    ));
    store
        .append(tenant, &upload, 0, body(&[b"half"]))
        .await
        .unwrap();
    assert!(matches!(
        store.finish_upload(tenant, &upload).await,
        Err(BlobError::UploadIncomplete {
            offset: 4,
            length: 10
        })
    ));
    assert_eq!(
        store.upload_progress(tenant, &upload).await.unwrap().offset,
        4
    );

    let empty = store.begin_upload(tenant, 0, 10).await.unwrap();
    let stored = store.finish_upload(tenant, &empty).await.unwrap();
    assert_eq!(stored.size, 0);
    assert_eq!(stored.sha256.to_hex(), sha256_hex(b""));
    let read = store.get(tenant, &stored.key, None).await.unwrap();
    assert!(read_all(read).await.is_empty());
}

/// An aborted upload is gone with its bytes; a sweep keeps uploads younger than its age and
/// removes the idle ones, leaving nothing behind.
pub async fn abort_and_sweep_leave_nothing<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let store = h.store();
    let aborted = store.begin_upload(tenant, 100, 100).await.unwrap();
    store
        .append(tenant, &aborted, 0, body(&[&pattern(1, 40)]))
        .await
        .unwrap();
    store.abort_upload(tenant, &aborted).await.unwrap();
    assert_unknown(h, tenant, &aborted).await;
    assert_eq!(h.leftovers().await, Vec::<String>::new());

    let idle = store.begin_upload(tenant, 100, 100).await.unwrap();
    store
        .append(tenant, &idle, 0, body(&[&pattern(2, 40)]))
        .await
        .unwrap();
    let other = TenantId::new();
    let never_appended = store.begin_upload(other, 5, 5).await.unwrap();
    assert_eq!(
        store
            .sweep_uploads(Duration::from_secs(3600))
            .await
            .unwrap(),
        0,
        "young uploads stay"
    );
    assert_eq!(
        store.upload_progress(tenant, &idle).await.unwrap().offset,
        40
    );
    assert_eq!(store.sweep_uploads(Duration::ZERO).await.unwrap(), 2);
    assert_unknown(h, tenant, &idle).await;
    assert_unknown(h, other, &never_appended).await;
    assert_eq!(h.leftovers().await, Vec::<String>::new());
}

/// Another tenant's upload id answers not found for every call and leaves the upload alone.
pub async fn another_tenants_upload_is_not_found<H: BlobHarness>(h: &H) {
    let owner = TenantId::new();
    let intruder = TenantId::new();
    let store = h.store();
    let upload = store.begin_upload(owner, 6, 6).await.unwrap();
    store
        .append(owner, &upload, 0, body(&[b"sec"]))
        .await
        .unwrap();

    assert_unknown(h, intruder, &upload).await;
    // A well-formed id that was never issued names nothing either.
    assert_unknown(h, owner, &UploadId::generate()).await;

    // The owner's upload is untouched and finishes.
    assert_eq!(
        store.upload_progress(owner, &upload).await.unwrap().offset,
        3
    );
    store
        .append(owner, &upload, 3, body(&[b"ret"]))
        .await
        .unwrap();
    let stored = store.finish_upload(owner, &upload).await.unwrap();
    assert_eq!(stored.sha256.to_hex(), sha256_hex(b"secret"));
    assert!(matches!(
        store.get(intruder, &stored.key, None).await,
        Err(BlobError::NotFound)
    ));
}
