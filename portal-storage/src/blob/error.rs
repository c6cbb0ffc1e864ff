//! The error type of every blob store.

use std::io;

/// What a [`BlobStore`](super::BlobStore) method can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// No blob under this key for this tenant: missing, deleted, or the key of another tenant. The
    /// cases are indistinguishable on purpose.
    #[error("blob not found")]
    NotFound,
    /// The body grew past the size limit of the put. Reading stopped at once and nothing was kept.
    #[error("blob larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes that the body exceeded.
        limit: u64,
    },
    /// The requested byte range lies outside the blob (HTTP 416); `size` is the blob's total size,
    /// for the `Content-Range: bytes */<size>` header.
    #[error("range not satisfiable for a blob of {size} bytes")]
    RangeNotSatisfiable {
        /// The blob's total size in bytes.
        size: u64,
    },
    /// A string is not a well-formed blob key (`<tenant uuid>/<32 hex digits>`).
    #[error("invalid blob key")]
    InvalidKey,
    /// Reading the body or the local file system failed. An error of the put's body stream comes
    /// back here unchanged, so a caller can look into it (e.g. a client that went away).
    #[error("blob i/o failed")]
    Io(#[source] io::Error),
    /// The storage backend (e.g. the object store) failed; the source holds the details (for logs,
    /// never for clients).
    #[error("blob backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl BlobError {
    /// A backend failure.
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(error))
    }
}

impl From<io::Error> for BlobError {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}
