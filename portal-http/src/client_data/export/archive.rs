//! Writes the archive while the response is sent, in bounded memory.
//!
//! The `zip` crate's writer is synchronous, so it runs on a blocking thread: it pulls each
//! file's chunks from the blob store, hashes them as they pass, and writes its output into a
//! [`ChunkWriter`] that hands chunks of at most [`CHUNK_BYTES`] to the response through a
//! channel of [`CHANNEL_CHUNKS`]. When the client reads slowly the channel fills and the writer
//! waits, so no more than a few chunks are ever in memory, whatever the size of the files.
//! Files are stored as they are (most uploads — PDF, images, office files — are compressed
//! already); the JSON and the README are deflated. Entries are written with data descriptors
//! (the writer never seeks) and a file of 4 GiB or more gets ZIP64 sizes; the central directory
//! switches to ZIP64 by itself past 65,535 entries or 4 GiB of offsets. Each export in flight
//! holds one thread of tokio's blocking pool until it ends or its client goes away.

use std::io::{self, Write};

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt as _};
use portal_core::state::Sha256Digest;
use portal_core::{DocumentId, TenantId};
use portal_storage::blob::BlobError;
use sha2::{Digest as _, Sha256};
use time::{OffsetDateTime, PrimitiveDateTime};
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::manifest::FileEntry;
use crate::state::PortalState;

/// The most bytes of one chunk of the response.
pub const CHUNK_BYTES: usize = 64 * 1024;
/// How many chunks may wait for the client.
pub const CHANNEL_CHUNKS: usize = 4;
/// From this size on a file's entry carries ZIP64 sizes.
const ZIP64_FROM_BYTES: u64 = 0xFFFF_FFFF;

/// Why an export stopped while it streamed. The response is cut off, so the archive is never
/// finished and no reader takes it for a whole one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A file's bytes are not what its version recorded.
    #[error("the file of version {number} of document {document} does not match its SHA-256")]
    Corrupt {
        /// The document.
        document: DocumentId,
        /// The version's number.
        number: i32,
    },
    /// A file could not be read from the blob store.
    #[error("the file of version {number} of document {document} could not be read")]
    Blob {
        /// The document.
        document: DocumentId,
        /// The version's number.
        number: i32,
        /// What the blob store said.
        #[source]
        source: BlobError,
    },
    /// The archive could not be written.
    #[error("the archive could not be written")]
    Archive(#[from] zip::result::ZipError),
    /// The response could not take more bytes.
    #[error("the export could not be sent")]
    Io(#[from] io::Error),
}

/// What goes into the archive besides the files.
pub(super) struct Contents {
    pub(super) readme: String,
    pub(super) manifest: Vec<u8>,
    pub(super) files: Vec<FileEntry>,
    pub(super) tenant: TenantId,
    pub(super) written_at: OffsetDateTime,
}

/// The archive of `contents`, produced as it is read. An error is the stream's last item.
pub(super) fn stream(
    contents: Contents,
    state: PortalState,
) -> impl Stream<Item = Result<Bytes, ExportError>> + Send + 'static {
    let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
    let runtime = Handle::current();
    tokio::task::spawn_blocking(move || {
        let failed = sender.clone();
        if let Err(error) = write(&contents, &state, &runtime, ChunkWriter::new(sender)) {
            if failed.is_closed() {
                // The client went away: nobody is left to tell.
                tracing::info!(%error, "a client export was abandoned");
            } else {
                tracing::error!(%error, "a client export stopped");
                let _ = failed.blocking_send(Err(error));
            }
        }
    });
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    })
}

/// Writes the whole archive into `out`.
fn write(
    contents: &Contents,
    state: &PortalState,
    runtime: &Handle,
    out: ChunkWriter,
) -> Result<(), ExportError> {
    let modified = zip_time(contents.written_at);
    let text = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(modified);
    let mut zip = ZipWriter::new_stream(out);
    zip.start_file("README.txt", text)?;
    zip.write_all(contents.readme.as_bytes())?;
    zip.start_file("export.json", text)?;
    zip.write_all(&contents.manifest)?;
    for file in &contents.files {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(modified)
            .large_file(file.size >= ZIP64_FROM_BYTES);
        zip.start_file(file.path.as_str(), options)?;
        copy_checked(file, contents.tenant, state, runtime, &mut zip)?;
    }
    let mut out = zip.finish()?.into_inner();
    out.flush()?;
    Ok(())
}

/// Streams one file from the blob store into `zip`, hashing every chunk; the file must end
/// with the size and SHA-256 its version recorded.
fn copy_checked(
    file: &FileEntry,
    tenant: TenantId,
    state: &PortalState,
    runtime: &Handle,
    zip: &mut impl Write,
) -> Result<(), ExportError> {
    let unreadable = |source| ExportError::Blob {
        document: file.document,
        number: file.number,
        source,
    };
    let read = runtime
        .block_on(state.blobs().get(tenant, &file.key, None))
        .map_err(unreadable)?;
    let mut body = read.body;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = runtime.block_on(body.next()) {
        let chunk = chunk.map_err(|error| unreadable(BlobError::from(error)))?;
        hasher.update(&chunk);
        size = size.saturating_add(chunk.len() as u64);
        zip.write_all(&chunk)?;
    }
    let digest = Sha256Digest::from_bytes(hasher.finalize().into());
    if size != file.size || digest != file.sha256 {
        return Err(ExportError::Corrupt {
            document: file.document,
            number: file.number,
        });
    }
    Ok(())
}

/// An instant as the archive's entries record it (UTC; ZIP has no zone and starts in 1980).
fn zip_time(at: OffsetDateTime) -> zip::DateTime {
    let utc = at.to_offset(time::UtcOffset::UTC);
    zip::DateTime::try_from(PrimitiveDateTime::new(utc.date(), utc.time())).unwrap_or_default()
}

/// Collects the writer's output into chunks and sends each through the channel, waiting while
/// the channel is full.
struct ChunkWriter {
    sender: mpsc::Sender<Result<Bytes, ExportError>>,
    buffer: BytesMut,
}

impl ChunkWriter {
    fn new(sender: mpsc::Sender<Result<Bytes, ExportError>>) -> Self {
        Self {
            sender,
            buffer: BytesMut::with_capacity(CHUNK_BYTES),
        }
    }

    fn send_buffer(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = self.buffer.split().freeze();
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK_BYTES - self.buffer.len();
        let taken = data.len().min(room);
        self.buffer.extend_from_slice(&data[..taken]);
        if self.buffer.len() >= CHUNK_BYTES {
            self.send_buffer()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_buffer()
    }
}
