//! The blob suite's checks, one function per property every blob store must have.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::StreamExt;
use portal_core::TenantId;
use portal_storage::blob::{BlobError, BlobKey, BlobStore, ByteRange, byte_stream};

use super::BlobHarness;
use super::bodies::{body, counted_body, pattern, read_all, sha256_hex};

/// Bytes, size and SHA-256 come back as stored; every put gets a key of its own; an empty body is an empty blob.
pub async fn round_trip<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let data: Vec<u8> = (0..10_000u32).flat_map(|n| n.to_le_bytes()).collect();
    let (first, rest) = data.split_at(1234);
    let stored = h
        .store()
        .put(tenant, body(&[first, b"", rest]), 40_000)
        .await
        .unwrap();
    assert_eq!(stored.size, 40_000);
    assert_eq!(stored.sha256.to_hex(), sha256_hex(&data));
    assert_eq!(stored.key.tenant(), tenant);
    assert_eq!(BlobKey::parse(&stored.key.to_string()).unwrap(), stored.key);

    let read = h.store().get(tenant, &stored.key, None).await.unwrap();
    assert_eq!(read.size, 40_000);
    assert_eq!(read.range, 0..40_000);
    assert_eq!(read_all(read).await, data);

    // A second put gets another key; an empty body is an empty blob.
    let empty = h.store().put(tenant, body(&[]), 0).await.unwrap();
    assert_ne!(empty.key, stored.key);
    assert_eq!(empty.size, 0);
    assert_eq!(empty.sha256.to_hex(), sha256_hex(b""));
    let read = h.store().get(tenant, &empty.key, None).await.unwrap();
    assert_eq!((read.size, read.range.clone()), (0, 0..0));
    assert!(read_all(read).await.is_empty());
    assert!(matches!(
        h.store()
            .get(tenant, &empty.key, Some(ByteRange::From(0)))
            .await,
        Err(BlobError::RangeNotSatisfiable { size: 0 })
    ));
}

/// Byte ranges are served as RFC 9110 reads them, and a range outside the blob is refused.
pub async fn ranges<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let data = pattern(3, 1000);
    let stored = h.store().put(tenant, body(&[&data]), 1000).await.unwrap();
    let get = |range| h.store().get(tenant, &stored.key, Some(range));

    let first = get(ByteRange::FromTo { first: 0, last: 9 }).await.unwrap();
    assert_eq!((first.size, first.range.clone()), (1000, 0..10));
    assert_eq!(first.content_range().as_deref(), Some("bytes 0-9/1000"));
    assert_eq!(read_all(first).await, &data[..10]);

    let middle = get(ByteRange::FromTo {
        first: 100,
        last: 199,
    })
    .await
    .unwrap();
    assert_eq!(middle.range, 100..200);
    assert_eq!(middle.len(), 100);
    assert_eq!(read_all(middle).await, &data[100..200]);

    let to_end = get(ByteRange::From(990)).await.unwrap();
    assert_eq!(to_end.range, 990..1000);
    assert_eq!(read_all(to_end).await, &data[990..]);

    let suffix = get(ByteRange::Suffix(25)).await.unwrap();
    assert_eq!(suffix.range, 975..1000);
    assert_eq!(
        suffix.content_range().as_deref(),
        Some("bytes 975-999/1000")
    );
    assert_eq!(read_all(suffix).await, &data[975..]);

    let past_end = get(ByteRange::FromTo {
        first: 998,
        last: 5000,
    })
    .await
    .unwrap();
    assert_eq!(past_end.range, 998..1000);
    assert_eq!(read_all(past_end).await, &data[998..]);

    let longer_suffix = get(ByteRange::Suffix(5000)).await.unwrap();
    assert_eq!(longer_suffix.range, 0..1000);
    assert_eq!(read_all(longer_suffix).await, data);

    for unsatisfiable in [
        ByteRange::From(1000),
        ByteRange::FromTo {
            first: 1000,
            last: 1001,
        },
        ByteRange::FromTo { first: 10, last: 9 },
        ByteRange::Suffix(0),
    ] {
        assert!(
            matches!(
                get(unsatisfiable).await,
                Err(BlobError::RangeNotSatisfiable { size: 1000 })
            ),
            "{unsatisfiable:?}"
        );
    }
}

/// The chunk that crosses the limit stops the read, and nothing is kept; exactly the limit is fine.
pub async fn too_large_stops_reading_and_keeps_nothing<H: BlobHarness>(h: &H) {
    let pulled = Arc::new(AtomicUsize::new(0));
    let result = h
        .store()
        .put(TenantId::new(), counted_body(10, 100, pulled.clone()), 25)
        .await;
    assert!(
        matches!(result, Err(BlobError::TooLarge { limit: 25 })),
        "{result:?}"
    );
    // The third chunk crossed the limit: nothing after it was read.
    assert_eq!(pulled.load(Ordering::SeqCst), 3);
    assert_eq!(h.leftovers().await, Vec::<String>::new());

    // Exactly the limit is fine.
    let tenant = TenantId::new();
    let stored = h.store().put(tenant, body(&[&[7; 25]]), 25).await.unwrap();
    assert_eq!(stored.size, 25);
}

/// A body that fails half-way fails the put with its own error, and nothing is kept.
pub async fn a_failing_body_keeps_nothing<H: BlobHarness>(h: &H) {
    let chunks: Vec<io::Result<Bytes>> = vec![
        Ok(Bytes::from_static(b"the first part, ")),
        Ok(Bytes::from(vec![1; 100_000])),
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "client went away",
        )),
        Ok(Bytes::from_static(b"never read")),
    ];
    let result = h
        .store()
        .put(
            TenantId::new(),
            byte_stream(futures_util::stream::iter(chunks)),
            1 << 20,
        )
        .await;
    match result {
        Err(BlobError::Io(error)) => {
            assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
            assert_eq!(error.to_string(), "client went away");
        }
        other => panic!("expected the body's error, got {other:?}"),
    }
    assert_eq!(h.leftovers().await, Vec::<String>::new());
}

/// A put dropped mid-stream leaves no blob (at most an upload in progress, for a sweep).
pub async fn a_dropped_put_keeps_nothing<H: BlobHarness>(h: &H) {
    // A body that yields one chunk, signals that the store asked for more, then never ends.
    let (asked_for_more, mut more) = tokio::sync::mpsc::unbounded_channel::<()>();
    let first = futures_util::stream::iter([Ok(Bytes::from(vec![5; 64 * 1024]))]);
    let stalled = futures_util::stream::unfold(asked_for_more, |signal| async move {
        let _ = signal.send(());
        futures_util::future::pending::<Option<(io::Result<Bytes>, _)>>().await
    });
    let put = h
        .store()
        .put(TenantId::new(), byte_stream(first.chain(stalled)), 1 << 20);
    tokio::select! {
        result = put => panic!("the put finished with a body that never ends: {result:?}"),
        _ = more.recv() => {}
    }
    // The put future is dropped here, mid-stream.
    let leftovers = h.leftovers().await;
    assert!(
        leftovers
            .iter()
            .all(|name| name.starts_with("upload in progress")),
        "{leftovers:?}"
    );
}

/// Another tenant's key answers not found for reads and deletes, and the blob stays.
pub async fn another_tenant_sees_nothing<H: BlobHarness>(h: &H) {
    let owner = TenantId::new();
    let intruder = TenantId::new();
    let stored = h.store().put(owner, body(&[b"secret"]), 100).await.unwrap();

    assert!(matches!(
        h.store().get(intruder, &stored.key, None).await,
        Err(BlobError::NotFound)
    ));
    assert!(matches!(
        h.store()
            .get(intruder, &stored.key, Some(ByteRange::From(0)))
            .await,
        Err(BlobError::NotFound)
    ));
    assert!(matches!(
        h.store().delete(intruder, &stored.key).await,
        Err(BlobError::NotFound)
    ));
    // The intruder's delete left the blob alone.
    let read = h.store().get(owner, &stored.key, None).await.unwrap();
    assert_eq!(read_all(read).await, b"secret");

    // The same random part under the intruder's tenant names nothing either.
    let forged = BlobKey::parse(&format!("{intruder}/{}", stored.key.random_part())).unwrap();
    assert!(matches!(
        h.store().get(intruder, &forged, None).await,
        Err(BlobError::NotFound)
    ));
    // Nor does a well-formed key that was never issued.
    let unknown = BlobKey::generate(owner);
    assert!(matches!(
        h.store().get(owner, &unknown, None).await,
        Err(BlobError::NotFound)
    ));
}

/// Keys with traversal, other separators or the wrong shape are refused.
pub async fn malicious_keys_are_invalid<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let stored = h.store().put(tenant, body(&[b"x"]), 1).await.unwrap();
    let random = stored.key.random_part();
    let malicious = [
        String::new(),
        "../../etc/passwd".into(),
        "a/b/c".into(),
        "/etc/passwd".into(),
        format!("/{tenant}/{random}"),
        format!("{tenant}/../{random}"),
        format!("{tenant}/{random}/.."),
        format!("../{tenant}/{random}"),
        format!("{tenant}/..%2f..%2fetc"),
        format!("{tenant}\\{random}"),
        format!("{tenant}/{random}\0"),
        "x".repeat(10_000),
    ];
    for input in malicious {
        assert!(
            matches!(BlobKey::parse(&input), Err(BlobError::InvalidKey)),
            "{input:?}"
        );
        assert!(serde_json::from_value::<BlobKey>(input.clone().into()).is_err());
    }
    // The real key still reads.
    let key = BlobKey::parse(&stored.key.to_string()).unwrap();
    assert_eq!(
        read_all(h.store().get(tenant, &key, None).await.unwrap()).await,
        b"x"
    );
}

/// A deleted blob is gone, and deleting it again is not found.
pub async fn delete_then_get_is_not_found<H: BlobHarness>(h: &H) {
    let tenant = TenantId::new();
    let stored = h.store().put(tenant, body(&[b"bye"]), 3).await.unwrap();
    h.store().delete(tenant, &stored.key).await.unwrap();
    assert!(matches!(
        h.store().get(tenant, &stored.key, None).await,
        Err(BlobError::NotFound)
    ));
    assert!(matches!(
        h.store().delete(tenant, &stored.key).await,
        Err(BlobError::NotFound)
    ));
    // Gone from the backend too (an empty tenant directory may stay).
    let random = stored.key.random_part();
    let leftovers = h.leftovers().await;
    assert!(
        !leftovers.iter().any(|name| name.contains(&random)),
        "{leftovers:?}"
    );
}
