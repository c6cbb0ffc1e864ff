//! The error type of every blob store.

use std::io;

/// What a [`BlobStore`](super::BlobStore) method can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// No blob under this key (or no upload under this id) for this tenant: missing, deleted,
    /// finished, or another tenant's. The cases are indistinguishable on purpose.
    #[error("blob not found")]
    NotFound,
    /// The body grew past the size limit of the put (reading stopped at once and nothing was
    /// kept), or an upload declared a length over the limit (refused before any byte).
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
    /// An upload id is not well formed (32 lowercase hex digits).
    #[error("invalid upload id")]
    InvalidUploadId,
    /// An append started elsewhere than at the upload's current offset: the client's idea of what
    /// was received is stale (HTTP 409). It resumes from `expected`.
    #[error("upload offset {given} does not match the current offset {expected}")]
    OffsetMismatch {
        /// The upload's current offset: the bytes staged so far.
        expected: u64,
        /// The offset the append named.
        given: u64,
    },
    /// An append carried bytes past the upload's declared length. The chunk that crossed it was
    /// refused whole; the bytes before it are kept.
    #[error("body goes past the declared upload length of {length} bytes")]
    BeyondLength {
        /// The declared length in bytes.
        length: u64,
    },
    /// An upload was to be finished before all its declared bytes were staged.
    #[error("upload incomplete: {offset} of {length} bytes staged")]
    UploadIncomplete {
        /// The bytes staged so far.
        offset: u64,
        /// The declared length in bytes.
        length: u64,
    },
    /// Another request is appending to (or finishing) this upload right now (HTTP 423): retry once
    /// it ended, from the offset it left.
    #[error("upload busy with another request")]
    UploadBusy,
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
