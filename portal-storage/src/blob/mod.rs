//! The blob store: the bytes of documents, kept apart from their records.
//!
//! A document record (in the SQL or memory store) names its file by a [`BlobKey`] and keeps the
//! user's file name, its type and the SHA-256 as metadata. The bytes live in a [`BlobStore`]:
//!
//! - [`FsBlobStore`], the default: files under a root directory on the local disk.
//! - [`MemoryBlobStore`], for tests and demos.
//! - `S3BlobStore` (feature `s3`): any S3-compatible object store, for several server replicas.
//!
//! # Keys
//! The store chooses the key when it stores a blob: `<tenant uuid>/<random id>`, the random part
//! being 128 bits (a UUID v4) as 32 hex digits. [`BlobKey::parse`] accepts only exactly that form, so
//! the file system path (`<root>/<tenant>/<random>`) or object name built from a key is made of
//! nothing but hex digits and hyphens. User file names never reach a key or a path: they may hold
//! `../`, `%2f`, backslashes, NULs or 10,000 characters and still change nothing about where bytes are
//! stored (SEC-37). Every method takes the caller's [`TenantId`] and answers
//! [`BlobError::NotFound`] for a key of another tenant: defence in depth behind the tenant-scoped
//! document records.
//!
//! # What is durable when `put` returns
//! [`BlobStore::put`] streams the body to a temporary location while it computes the SHA-256 and the
//! size and enforces the size limit. Only when the body ended cleanly is the blob committed under its
//! key; an error of the body, a body over the limit, a failure of the backend or a dropped future
//! leaves nothing visible under any key. When `put` returns `Ok`:
//!
//! - [`FsBlobStore`]: the file was fsynced, renamed into place and its directory fsynced, so the blob
//!   survives a crash or a power loss. Temporary files of a crashed process are removed by the next
//!   [`FsBlobStore::open`].
//! - `S3BlobStore`: the multipart upload was completed, which S3 acknowledges only once the object is
//!   stored durably. Parts of an upload that never completes are aborted (and never visible).
//! - [`MemoryBlobStore`]: the bytes live as long as the process.
//!
//! Memory stays bounded while streaming: a file store holds one chunk of the body at a time and the
//! S3 store one part (8 MiB by default). Only the memory store buffers a whole body.
//!
//! # Resumable uploads
//! A large file over a slow or mobile link arrives in several requests, and a connection that drops
//! must not cost what was already sent. [`BlobStore::begin_upload`] checks the declared length
//! against the limit before any byte and answers a random [`UploadId`], found only under the tenant
//! that began it. [`BlobStore::append`] stages a body at the upload's current offset (any other
//! offset is [`BlobError::OffsetMismatch`], naming both; bytes past the declared length are
//! [`BlobError::BeyondLength`]); [`BlobStore::upload_progress`] tells where to resume;
//! [`BlobStore::finish_upload`] commits a complete upload exactly like a put, under a new key with
//! the SHA-256 of every staged byte, and the staging is gone. [`BlobStore::abort_upload`] discards
//! one upload, [`BlobStore::sweep_uploads`] every upload left idle for a given age. One append runs
//! at a time per upload; another call meanwhile is [`BlobError::UploadBusy`].
//!
//! What is durable when `append` returns — also when it returns the error of a body that failed
//! midway, after keeping every byte read before it:
//!
//! - [`FsBlobStore`]: the bytes were appended to `<root>/.uploads/<tenant>/<upload>/data` and
//!   fsynced, so the offset it answers survives a crash, and uploads survive a restart. A dropped
//!   append keeps what it wrote; the next `upload_progress` reports it.
//! - `S3BlobStore`: each chunk of up to one part is its own object, stored when its PUT returned; a
//!   dropped append loses at most the part it held in memory. Chunks are written with conditional
//!   PUTs, so two replicas appending at one offset cannot both win.
//! - [`MemoryBlobStore`]: the bytes live as long as the process.
//!
//! Memory stays bounded as for a put: one chunk (or one part) of the body at a time. The SHA-256 of
//! an upload is computed once over its staged bytes: the file store keeps it running between
//! appends and rebuilds it from the staging once after a restart (finishing 2 GiB takes
//! milliseconds instead of the seconds a read-back costs); the S3 store hashes while it copies the
//! chunks into the blob at finish, which it must read anyway.
//!
//! # Reading
//! [`BlobStore::get`] streams a blob, whole or one [`ByteRange`], and reports the total size and the
//! served range ([`BlobRead`]) so HTTP can answer `206 Partial Content` with a `Content-Range`
//! header; a range outside the blob is [`BlobError::RangeNotSatisfiable`] (`416`).
//!
//! # Example
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), portal_storage::blob::BlobError> {
//! use bytes::Bytes;
//! use futures_util::TryStreamExt;
//! use portal_core::TenantId;
//! use portal_storage::blob::{BlobStore, ByteRange, MemoryBlobStore, byte_stream};
//!
//! let store = MemoryBlobStore::new();
//! let tenant = TenantId::new();
//! let body = byte_stream(futures_util::stream::iter([Ok(Bytes::from("hello, world"))]));
//! let stored = store.put(tenant, body, 1024).await?;
//! assert_eq!(stored.size, 12);
//!
//! let read = store.get(tenant, &stored.key, Some(ByteRange::From(7))).await?;
//! assert_eq!(read.range, 7..12);
//! assert_eq!(read.content_range().as_deref(), Some("bytes 7-11/12"));
//! let bytes: Vec<Bytes> = read.body.try_collect().await?;
//! assert_eq!(bytes.concat(), b"world");
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::Stream;
use portal_core::TenantId;
use portal_core::state::Sha256Digest;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

mod error;
mod fs;
mod key;
mod memory;
#[cfg(feature = "s3")]
#[cfg_attr(docsrs, doc(cfg(feature = "s3")))]
mod s3;
mod upload;

pub use error::BlobError;
pub use fs::FsBlobStore;
pub use key::BlobKey;
pub use memory::MemoryBlobStore;
#[cfg(feature = "s3")]
#[cfg_attr(docsrs, doc(cfg(feature = "s3")))]
pub use s3::{S3BlobStore, S3Config};
pub use upload::{UploadId, UploadProgress, check_declared_length};

/// A body of bytes, streamed: the input of [`BlobStore::put`] and the output of [`BlobStore::get`].
///
/// An HTTP body, a file (`tokio_util::io::ReaderStream`) or a generator can feed it; an `Err` item
/// aborts a put.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// Boxes a stream of byte chunks into a [`ByteStream`].
pub fn byte_stream<S>(stream: S) -> ByteStream
where
    S: Stream<Item = io::Result<Bytes>> + Send + 'static,
{
    Box::pin(stream)
}

/// What [`BlobStore::put`] stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBlob {
    /// Where the blob is, chosen by the store.
    pub key: BlobKey,
    /// The SHA-256 of the bytes, computed while they streamed in.
    pub sha256: Sha256Digest,
    /// The size in bytes.
    pub size: u64,
}

/// One range of bytes to read, as in an HTTP `Range: bytes=…` header. Multiple ranges are not
/// supported; offsets count from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteRange {
    /// `bytes=first-last`: both ends inclusive. A `last` past the end is cut to the end;
    /// `first > last` is unsatisfiable.
    FromTo {
        /// The first byte served.
        first: u64,
        /// The last byte served (inclusive).
        last: u64,
    },
    /// `bytes=first-`: from `first` to the end.
    From(u64),
    /// `bytes=-n`: the last `n` bytes (the whole blob when it is shorter).
    Suffix(u64),
}

impl ByteRange {
    /// The half-open range of bytes this selects from a blob of `size` bytes, following RFC 9110
    /// §14.1.2.
    ///
    /// # Errors
    /// [`BlobError::RangeNotSatisfiable`] when the range selects no byte: it starts at or past the
    /// end, `first > last`, a suffix of 0 bytes, or any range of an empty blob.
    pub fn resolve(self, size: u64) -> Result<Range<u64>, BlobError> {
        let unsatisfiable = BlobError::RangeNotSatisfiable { size };
        match self {
            Self::FromTo { first, last } if first <= last && first < size => {
                Ok(first..last.min(size - 1) + 1)
            }
            Self::From(first) if first < size => Ok(first..size),
            Self::Suffix(length) if length > 0 && size > 0 => Ok(size - length.min(size)..size),
            Self::FromTo { .. } | Self::From(_) | Self::Suffix(_) => Err(unsatisfiable),
        }
    }
}

/// A blob being read: the body and where it lies in the whole.
pub struct BlobRead {
    /// The served bytes, streamed in chunks.
    pub body: ByteStream,
    /// The served range, half-open (`start..end`); the whole blob when no range was asked for.
    pub range: Range<u64>,
    /// The total size of the blob in bytes.
    pub size: u64,
}

impl BlobRead {
    /// How many bytes the body holds (`Content-Length`).
    #[must_use]
    pub fn len(&self) -> u64 {
        self.range.end - self.range.start
    }

    /// Whether the body holds no byte.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of the `Content-Range` header of a `206` answer, e.g. `bytes 0-99/1000`; `None` when
    /// the served range is empty (an empty blob read whole).
    #[must_use]
    pub fn content_range(&self) -> Option<String> {
        (!self.is_empty()).then(|| {
            format!(
                "bytes {}-{}/{}",
                self.range.start,
                self.range.end - 1,
                self.size
            )
        })
    }
}

impl fmt::Debug for BlobRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobRead")
            .field("range", &self.range)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// Where the bytes of documents live. Keys are chosen by the store and scoped to a tenant; see the
/// [module docs](self) for the guarantees every implementation gives.
///
/// Implementations must commit a put only after its body ended cleanly and within the limit, and
/// must answer [`BlobError::NotFound`] for a key whose tenant is not the caller's, before any IO.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Streams `body` into a new blob of `tenant` and returns its key, SHA-256 and size.
    ///
    /// At most `max_size` bytes are accepted: the chunk that takes the body past it stops the read,
    /// the partial data is discarded, and the put fails with [`BlobError::TooLarge`]. An `Err` item
    /// of the body fails the put with [`BlobError::Io`] carrying that error. Either way, and when the
    /// future is dropped early, no blob becomes visible.
    async fn put(
        &self,
        tenant: TenantId,
        body: ByteStream,
        max_size: u64,
    ) -> Result<StoredBlob, BlobError>;

    /// Streams the blob under `key`, whole or only `range`.
    ///
    /// # Errors
    /// [`BlobError::NotFound`] when no such blob exists for `tenant` (including a key of another
    /// tenant); [`BlobError::RangeNotSatisfiable`] when the range selects no byte of it.
    async fn get(
        &self,
        tenant: TenantId,
        key: &BlobKey,
        range: Option<ByteRange>,
    ) -> Result<BlobRead, BlobError>;

    /// Deletes the blob under `key`.
    ///
    /// # Errors
    /// [`BlobError::NotFound`] when no such blob exists for `tenant` (including a key of another
    /// tenant, whose blob is left alone).
    async fn delete(&self, tenant: TenantId, key: &BlobKey) -> Result<(), BlobError>;

    /// Begins a resumable upload of `length` bytes for `tenant` and answers its id (random and
    /// unguessable, found only under this tenant). Nothing is visible under any key until
    /// [`finish_upload`](Self::finish_upload).
    ///
    /// # Errors
    /// [`BlobError::TooLarge`] when `length` is over `max_size`, before any byte is staged.
    async fn begin_upload(
        &self,
        tenant: TenantId,
        length: u64,
        max_size: u64,
    ) -> Result<UploadId, BlobError>;

    /// Where the upload stands: the bytes staged so far (every one kept) and the declared length.
    ///
    /// # Errors
    /// [`BlobError::NotFound`] when `tenant` has no such upload (never begun, finished, aborted,
    /// swept, or another tenant's).
    async fn upload_progress(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<UploadProgress, BlobError>;

    /// Stages `body` at `offset` of the upload and answers the new offset. The bytes are durable
    /// (as the module docs say per store) when this returns `Ok`.
    ///
    /// Every byte read before an error is kept, which is what makes the upload resumable: when the
    /// body fails midway the append answers its error ([`BlobError::Io`]) after keeping what came
    /// before, and [`upload_progress`](Self::upload_progress) reports the offset to resume from. A
    /// dropped append may keep what it had read as well.
    ///
    /// # Errors
    /// [`BlobError::OffsetMismatch`] when `offset` is not the current offset (nothing read);
    /// [`BlobError::BeyondLength`] when the body goes past the declared length (the chunk that
    /// crosses it is refused, the bytes before it kept); [`BlobError::UploadBusy`] while another
    /// append runs; [`BlobError::NotFound`] as for [`upload_progress`](Self::upload_progress).
    async fn append(
        &self,
        tenant: TenantId,
        upload: &UploadId,
        offset: u64,
        body: ByteStream,
    ) -> Result<u64, BlobError>;

    /// Commits a complete upload as a blob, exactly as [`put`](Self::put) commits: when this
    /// returns, the blob is durable under its new key with the SHA-256 of every staged byte, and
    /// the upload is gone.
    ///
    /// # Errors
    /// [`BlobError::UploadIncomplete`] before every declared byte is staged (the upload stays);
    /// [`BlobError::UploadBusy`] while an append runs; [`BlobError::NotFound`] as for
    /// [`upload_progress`](Self::upload_progress).
    async fn finish_upload(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<StoredBlob, BlobError>;

    /// Discards an upload and every byte it staged.
    ///
    /// # Errors
    /// [`BlobError::UploadBusy`] while an append runs; [`BlobError::NotFound`] as for
    /// [`upload_progress`](Self::upload_progress).
    async fn abort_upload(&self, tenant: TenantId, upload: &UploadId) -> Result<(), BlobError>;

    /// Discards, over all tenants, the uploads nothing was staged to for `older_than` (abandoned
    /// by their clients), and answers how many went. A housekeeping job runs it now and then; an
    /// upload being appended to is never swept.
    ///
    /// # Errors
    /// [`BlobError::Io`] or [`BlobError::Backend`] when the staging cannot be listed or removed.
    async fn sweep_uploads(&self, older_than: Duration) -> Result<u64, BlobError>;
}

/// The SHA-256 and the size of a body so far, and its size limit: what every put runs each chunk
/// through before it keeps the chunk. A blob store of your own uses it to give the same answers as
/// the built-in ones (the blob suite of `portal-conformance` checks them).
#[derive(Debug)]
pub struct PutTally {
    hasher: Sha256,
    size: u64,
    limit: u64,
}

impl PutTally {
    /// A tally of an empty body that may grow to `limit` bytes.
    #[must_use]
    pub fn new(limit: u64) -> Self {
        Self {
            hasher: Sha256::new(),
            size: 0,
            limit,
        }
    }

    /// Counts and hashes the next chunk; refuses it when it takes the body past the limit.
    ///
    /// # Errors
    /// [`BlobError::TooLarge`] when the chunk takes the body past the limit: stop reading and
    /// keep nothing.
    pub fn add(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        let size = u64::try_from(chunk.len())
            .ok()
            .and_then(|len| self.size.checked_add(len))
            .filter(|size| *size <= self.limit)
            .ok_or(BlobError::TooLarge { limit: self.limit })?;
        self.size = size;
        self.hasher.update(chunk);
        Ok(())
    }

    /// What was stored under `key`: the size and SHA-256 of every chunk added.
    #[must_use]
    pub fn finish(self, key: BlobKey) -> StoredBlob {
        StoredBlob {
            key,
            sha256: Sha256Digest::from_bytes(self.hasher.finalize().into()),
            size: self.size,
        }
    }
}

/// Refuses a key of another tenant as if it did not exist.
fn check_tenant(tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
    if key.tenant() == tenant {
        Ok(())
    } else {
        Err(BlobError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_resolve_as_in_rfc_9110() {
        let from_to = |first, last| ByteRange::FromTo { first, last };
        assert_eq!(from_to(0, 0).resolve(10).unwrap(), 0..1);
        assert_eq!(from_to(0, 9).resolve(10).unwrap(), 0..10);
        assert_eq!(from_to(2, 5).resolve(10).unwrap(), 2..6);
        assert_eq!(from_to(5, 100).resolve(10).unwrap(), 5..10);
        assert_eq!(from_to(9, u64::MAX).resolve(10).unwrap(), 9..10);
        assert_eq!(ByteRange::From(0).resolve(10).unwrap(), 0..10);
        assert_eq!(ByteRange::From(9).resolve(10).unwrap(), 9..10);
        assert_eq!(ByteRange::Suffix(3).resolve(10).unwrap(), 7..10);
        assert_eq!(ByteRange::Suffix(10).resolve(10).unwrap(), 0..10);
        assert_eq!(ByteRange::Suffix(u64::MAX).resolve(10).unwrap(), 0..10);
        for unsatisfiable in [
            from_to(10, 20),
            from_to(5, 4),
            ByteRange::From(10),
            ByteRange::From(u64::MAX),
            ByteRange::Suffix(0),
        ] {
            assert!(
                matches!(
                    unsatisfiable.resolve(10),
                    Err(BlobError::RangeNotSatisfiable { size: 10 })
                ),
                "{unsatisfiable:?}"
            );
        }
        for any in [from_to(0, 0), ByteRange::From(0), ByteRange::Suffix(1)] {
            assert!(matches!(
                any.resolve(0),
                Err(BlobError::RangeNotSatisfiable { size: 0 })
            ));
        }
    }

    #[test]
    fn a_read_names_its_content_range() {
        let read = |range: Range<u64>, size| BlobRead {
            body: byte_stream(futures_util::stream::empty()),
            range,
            size,
        };
        assert_eq!(
            read(0..100, 1000).content_range().as_deref(),
            Some("bytes 0-99/1000")
        );
        assert_eq!(read(0..100, 1000).len(), 100);
        assert_eq!(read(0..0, 0).content_range(), None);
        assert!(read(0..0, 0).is_empty());
        assert!(format!("{:?}", read(1..2, 3)).contains("size: 3"));
    }

    #[test]
    fn the_tally_stops_at_the_limit() {
        let mut tally = PutTally::new(5);
        tally.add(b"abc").unwrap();
        tally.add(b"de").unwrap();
        assert!(matches!(
            tally.add(b"f"),
            Err(BlobError::TooLarge { limit: 5 })
        ));
        let stored = tally.finish(BlobKey::generate(TenantId::new()));
        assert_eq!(stored.size, 5);
        assert_eq!(
            stored.sha256.to_hex(),
            // sha256("abcde")
            "36bbe50ed96841d10443bcb670d6554f0a34b761be67ec9c4a8ad2c0c44ca42c"
        );
    }

    #[tokio::test]
    async fn the_trait_is_mockable() {
        let tenant = TenantId::new();
        let key = BlobKey::generate(tenant);
        let mut mock = MockBlobStore::new();
        mock.expect_delete()
            .withf(move |t, k| *t == tenant && *k == key)
            .returning(|_, _| Err(BlobError::NotFound));
        let store: &dyn BlobStore = &mock;
        assert!(matches!(
            store.delete(tenant, &key).await,
            Err(BlobError::NotFound)
        ));
    }
}
