//! `S3BlobStore`: blobs as objects of an S3-compatible object store (feature `s3`).

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{
    GetOptions, GetRange, MultipartUpload, ObjectStore, ObjectStoreExt, PutMode, PutPayload,
};
use portal_core::TenantId;

use super::upload::UploadLocks;
use super::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, PutTally, StoredBlob, UploadId,
    UploadProgress, byte_stream, check_declared_length, check_tenant,
};

mod staging;

/// The default size of an upload part: S3 wants at least 5 MiB for every part but the last.
const DEFAULT_PART_SIZE: usize = 8 * 1024 * 1024;

/// Where and how to reach an S3-compatible object store. Build it with [`S3Config::new`] and the
/// `with_*` methods; nothing is read from the environment.
///
/// `Debug` shows the access key id but never the secret or the session token.
#[derive(Clone)]
pub struct S3Config {
    bucket: String,
    region: String,
    endpoint: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    allow_http: bool,
}

impl S3Config {
    /// A bucket in a region of AWS S3 itself; set an endpoint for another provider or an emulator.
    #[must_use]
    pub fn new(bucket: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            region: region.into(),
            endpoint: None,
            access_key_id: None,
            secret_access_key: None,
            session_token: None,
            allow_http: false,
        }
    }

    /// The endpoint URL of an S3-compatible service, e.g. `https://s3.example.net` or
    /// `http://127.0.0.1:9000` for a local emulator. Objects are addressed path-style
    /// (`<endpoint>/<bucket>/<key>`).
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Static credentials. Without them, the object store asks the instance metadata service.
    #[must_use]
    pub fn with_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.access_key_id = Some(access_key_id.into());
        self.secret_access_key = Some(secret_access_key.into());
        self
    }

    /// A session token that goes with temporary credentials.
    #[must_use]
    pub fn with_session_token(mut self, session_token: impl Into<String>) -> Self {
        self.session_token = Some(session_token.into());
        self
    }

    /// Allows a plain `http://` endpoint: for a local emulator only, never over a network.
    #[must_use]
    pub fn with_allow_http(mut self, allow_http: bool) -> Self {
        self.allow_http = allow_http;
        self
    }

    /// The bucket.
    #[must_use]
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |secret: &Option<String>| secret.as_ref().map(|_| "<redacted>");
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &redacted(&self.secret_access_key))
            .field("session_token", &redacted(&self.session_token))
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

/// A [`BlobStore`] on an S3-compatible object store, for several server replicas that share
/// nothing but the database and the bucket.
///
/// Objects are named `[<prefix>/]<tenant uuid>/<random>`. A put streams the body as a multipart
/// upload straight to the final name, in parts of a fixed size (8 MiB by default; S3 wants at least
/// 5 MiB for every part but the last), one part in memory at a time. S3 makes the object visible only
/// when the upload is completed, which happens only after the body ended cleanly within the limit;
/// otherwise the upload is aborted. An upload cut short by a crash stays invisible: give the bucket a
/// lifecycle rule that removes incomplete multipart uploads after a day.
///
/// A resumable upload is staged as objects under `[<prefix>/]uploads/<tenant uuid>/<upload id>/`:
/// a marker naming the declared length, and one object per chunk of at most the part size, each
/// durable once its PUT returned. An append whose body fails stores what it had read before it
/// answers; an append dropped midway loses at most the part it held in memory. Finishing streams
/// the chunks, in order, into a multipart upload of the blob exactly as a put does (hashing them
/// on the way), then deletes them. Chunks are written with conditional PUTs (`If-None-Match`), so
/// replicas appending to one upload at once cannot both win.
#[derive(Debug, Clone)]
pub struct S3BlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    part_size: usize,
    /// The uploads this process is appending to.
    uploads: Arc<UploadLocks<()>>,
}

impl S3BlobStore {
    /// Connects to the bucket of `config`. No request is made until the first operation.
    ///
    /// # Errors
    /// [`BlobError::Backend`] when the configuration is invalid (e.g. a malformed endpoint).
    pub fn new(config: S3Config) -> Result<Self, BlobError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(config.bucket)
            .with_region(config.region)
            .with_allow_http(config.allow_http)
            .with_virtual_hosted_style_request(false);
        if let Some(endpoint) = config.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(access_key_id) = config.access_key_id {
            builder = builder.with_access_key_id(access_key_id);
        }
        if let Some(secret_access_key) = config.secret_access_key {
            builder = builder.with_secret_access_key(secret_access_key);
        }
        if let Some(session_token) = config.session_token {
            builder = builder.with_token(session_token);
        }
        let store = builder.build().map_err(BlobError::backend)?;
        Ok(Self::from_object_store(Arc::new(store)))
    }

    /// Uses any [`ObjectStore`] that makes a multipart upload visible only on completion (all of
    /// `object_store`'s do), e.g. an already configured client, or `InMemory` in tests.
    #[must_use]
    pub fn from_object_store(store: Arc<dyn ObjectStore>) -> Self {
        Self {
            store,
            prefix: Path::ROOT,
            part_size: DEFAULT_PART_SIZE,
            uploads: Arc::default(),
        }
    }

    /// Keeps the objects under `prefix/` in the bucket, e.g. to share a bucket with other data.
    ///
    /// # Errors
    /// [`BlobError::InvalidKey`] when the prefix is not a valid object path (e.g. holds `..` or an
    /// empty segment).
    pub fn with_prefix(mut self, prefix: &str) -> Result<Self, BlobError> {
        self.prefix = Path::parse(prefix).map_err(|_| BlobError::InvalidKey)?;
        Ok(self)
    }

    /// The size of every upload part but the last, in bytes: also the memory a put holds. Below
    /// 5 MiB, S3 refuses uploads of more than one part.
    #[must_use]
    pub fn with_part_size(mut self, part_size: usize) -> Self {
        self.part_size = part_size.max(1);
        self
    }

    /// The underlying object store.
    #[must_use]
    pub fn object_store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// The object name of a key, after checking the tenant. Both segments come from a validated
    /// [`BlobKey`]: a UUID and 32 hex digits, nothing a user wrote.
    fn location(&self, tenant: TenantId, key: &BlobKey) -> Result<Path, BlobError> {
        check_tenant(tenant, key)?;
        Ok(self
            .prefix
            .clone()
            .join(key.tenant().to_string().as_str())
            .join(key.random_part().as_str()))
    }

    /// Streams the body into the upload, part by part, and completes it.
    async fn upload(
        &self,
        upload: &mut dyn MultipartUpload,
        mut body: ByteStream,
        max_size: u64,
    ) -> Result<PutTally, BlobError> {
        let mut tally = PutTally::new(max_size);
        let mut part = PartBuffer::default();
        while let Some(chunk) = body.next().await {
            let mut chunk = chunk?;
            tally.add(&chunk)?;
            while !chunk.is_empty() {
                let take = chunk.len().min(self.part_size - part.len);
                part.push(chunk.split_to(take));
                if part.len == self.part_size {
                    upload
                        .put_part(part.take())
                        .await
                        .map_err(BlobError::backend)?;
                }
            }
        }
        if part.len > 0 {
            upload
                .put_part(part.take())
                .await
                .map_err(BlobError::backend)?;
        }
        upload.complete().await.map_err(BlobError::backend)?;
        Ok(tally)
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put(
        &self,
        tenant: TenantId,
        body: ByteStream,
        max_size: u64,
    ) -> Result<StoredBlob, BlobError> {
        let key = BlobKey::generate(tenant);
        let location = self.location(tenant, &key)?;
        let upload = self
            .store
            .put_multipart(&location)
            .await
            .map_err(BlobError::backend)?;
        // Aborts the upload if this future is dropped before it finishes.
        let mut pending = AbortOnDrop(Some(upload));
        let Some(upload) = pending.0.as_mut() else {
            return Err(BlobError::Backend("multipart upload missing".into()));
        };
        match self.upload(upload.as_mut(), body, max_size).await {
            Ok(tally) => {
                pending.0 = None;
                Ok(tally.finish(key))
            }
            Err(error) => {
                if let Some(mut upload) = pending.0.take() {
                    // The upload is invisible either way; aborting frees its parts.
                    let _ = upload.abort().await;
                }
                Err(error)
            }
        }
    }

    async fn get(
        &self,
        tenant: TenantId,
        key: &BlobKey,
        range: Option<ByteRange>,
    ) -> Result<BlobRead, BlobError> {
        let location = self.location(tenant, key)?;
        let options = match range {
            None => GetOptions::default(),
            Some(range) => {
                // Blobs never change, so the size from HEAD still holds for the GET.
                let size = self.store.head(&location).await.map_err(from_store)?.size;
                let range = range.resolve(size)?;
                GetOptions::default().with_range(Some(GetRange::Bounded(range)))
            }
        };
        let result = self
            .store
            .get_opts(&location, options)
            .await
            .map_err(from_store)?;
        let size = result.meta.size;
        let range = result.range.clone();
        let body = byte_stream(result.into_stream().map_err(io::Error::other));
        Ok(BlobRead { body, range, size })
    }

    async fn delete(&self, tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
        let location = self.location(tenant, key)?;
        // S3 deletes a missing object without complaint; the trait answers NotFound.
        self.store.head(&location).await.map_err(from_store)?;
        self.store.delete(&location).await.map_err(from_store)
    }

    async fn begin_upload(
        &self,
        tenant: TenantId,
        length: u64,
        max_size: u64,
    ) -> Result<UploadId, BlobError> {
        check_declared_length(length, max_size)?;
        let upload = UploadId::generate();
        let folder = staging::upload_folder(&self.prefix, tenant, upload);
        self.store
            .put(&staging::length_marker(&folder, length), PutPayload::new())
            .await
            .map_err(BlobError::backend)?;
        Ok(upload)
    }

    async fn upload_progress(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<UploadProgress, BlobError> {
        let folder = staging::upload_folder(&self.prefix, tenant, *upload);
        Ok(staging::read(self.store.as_ref(), &folder).await?.progress)
    }

    async fn append(
        &self,
        tenant: TenantId,
        upload: &UploadId,
        offset: u64,
        mut body: ByteStream,
    ) -> Result<u64, BlobError> {
        let (folder, _lock, staged) = self.lock_upload(tenant, *upload).await?;
        let mut progress = staged.progress;
        progress.check_offset(offset)?;
        let mut start = offset;
        let mut part = PartBuffer::default();
        let streamed = async {
            while let Some(chunk) = body.next().await {
                let mut chunk = chunk?;
                progress.admit(&chunk)?;
                while !chunk.is_empty() {
                    let take = chunk.len().min(self.part_size - part.len);
                    part.push(chunk.split_to(take));
                    if part.len == self.part_size {
                        self.stage_chunk(&folder, start, part.take()).await?;
                        start += self.part_size as u64;
                    }
                }
            }
            Ok::<_, BlobError>(())
        }
        .await;
        // What was read is kept whether or not the body ended cleanly.
        if part.len > 0 {
            let len = part.len as u64;
            self.stage_chunk(&folder, start, part.take()).await?;
            start += len;
        }
        streamed?;
        Ok(start)
    }

    async fn finish_upload(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<StoredBlob, BlobError> {
        let (_, _lock, staged) = self.lock_upload(tenant, *upload).await?;
        staged.progress.check_complete()?;
        let body = staging::body(Arc::clone(&self.store), staged.chunks);
        let stored = self.put(tenant, body, staged.progress.length).await?;
        staging::discard(self.store.as_ref(), &staged.objects).await;
        self.uploads.remove(tenant, *upload);
        Ok(stored)
    }

    async fn abort_upload(&self, tenant: TenantId, upload: &UploadId) -> Result<(), BlobError> {
        let (_, _lock, staged) = self.lock_upload(tenant, *upload).await?;
        staging::discard(self.store.as_ref(), &staged.objects).await;
        self.uploads.remove(tenant, *upload);
        Ok(())
    }

    async fn sweep_uploads(&self, older_than: Duration) -> Result<u64, BlobError> {
        let root = staging::uploads_root(&self.prefix);
        let mut swept = 0;
        for (tenant, upload, objects) in
            staging::idle_uploads(self.store.as_ref(), &root, older_than).await?
        {
            // An upload some request of this process holds is in use, however old its last byte.
            let Ok(_lock) = self.uploads.lock_or_insert_with(tenant, upload, || ()) else {
                continue;
            };
            staging::discard(self.store.as_ref(), &objects).await;
            self.uploads.remove(tenant, upload);
            swept += 1;
        }
        Ok(swept)
    }
}

impl S3BlobStore {
    /// Locks an upload that exists (`NotFound` otherwise) and lists it.
    async fn lock_upload(
        &self,
        tenant: TenantId,
        upload: UploadId,
    ) -> Result<
        (
            Path,
            tokio::sync::OwnedMutexGuard<()>,
            staging::StagedUpload,
        ),
        BlobError,
    > {
        let folder = staging::upload_folder(&self.prefix, tenant, upload);
        // Checked before the lock, so ids that name nothing never take a place in memory.
        staging::read(self.store.as_ref(), &folder).await?;
        let lock = self.uploads.lock_or_insert_with(tenant, upload, || ())?;
        match staging::read(self.store.as_ref(), &folder).await {
            Ok(staged) => Ok((folder, lock, staged)),
            Err(error) => {
                drop(lock);
                self.uploads.remove(tenant, upload);
                Err(error)
            }
        }
    }

    /// Stores one chunk of an upload at `start`, unless another request already did.
    async fn stage_chunk(
        &self,
        folder: &Path,
        start: u64,
        chunk: PutPayload,
    ) -> Result<(), BlobError> {
        let stored = self
            .store
            .put_opts(
                &staging::chunk_object(folder, start),
                chunk,
                PutMode::Create.into(),
            )
            .await;
        match stored {
            Ok(_) => Ok(()),
            Err(
                object_store::Error::AlreadyExists { .. }
                | object_store::Error::Precondition { .. },
            ) => {
                let staged = staging::read(self.store.as_ref(), folder).await?;
                Err(BlobError::OffsetMismatch {
                    expected: staged.progress.offset,
                    given: start,
                })
            }
            Err(error) => Err(BlobError::backend(error)),
        }
    }
}

/// `NotFound` for a missing object, `Backend` for the rest.
fn from_store(error: object_store::Error) -> BlobError {
    match error {
        object_store::Error::NotFound { .. } => BlobError::NotFound,
        error => BlobError::backend(error),
    }
}

/// The chunks of the part being filled.
#[derive(Default)]
struct PartBuffer {
    chunks: Vec<Bytes>,
    len: usize,
}

impl PartBuffer {
    fn push(&mut self, chunk: Bytes) {
        self.len += chunk.len();
        self.chunks.push(chunk);
    }

    fn take(&mut self) -> PutPayload {
        self.len = 0;
        std::mem::take(&mut self.chunks).into_iter().collect()
    }
}

/// Aborts a multipart upload that is dropped before it completed or was aborted, e.g. because the
/// future of the put was dropped mid-stream.
struct AbortOnDrop(Option<Box<dyn MultipartUpload>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(mut upload) = self.0.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                let _ = upload.abort().await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    fn chunks(parts: &[&'static [u8]]) -> ByteStream {
        let items: Vec<io::Result<Bytes>> = parts
            .iter()
            .map(|part| Ok(Bytes::from_static(part)))
            .collect();
        byte_stream(futures_util::stream::iter(items))
    }

    async fn read_all(read: BlobRead) -> Vec<u8> {
        let parts: Vec<Bytes> = read.body.try_collect().await.unwrap();
        parts.concat()
    }

    #[tokio::test]
    async fn parts_are_cut_at_the_part_size_and_reassemble() {
        let memory = Arc::new(InMemory::new());
        let store = S3BlobStore::from_object_store(memory.clone())
            .with_prefix("blobs")
            .unwrap()
            .with_part_size(4);
        let tenant = TenantId::new();
        let stored = store
            .put(tenant, chunks(&[b"abc", b"defghij", b"", b"k"]), 100)
            .await
            .unwrap();
        assert_eq!(stored.size, 11);
        let read = store.get(tenant, &stored.key, None).await.unwrap();
        assert_eq!(read_all(read).await, b"abcdefghijk");
        let read = store
            .get(tenant, &stored.key, Some(ByteRange::Suffix(3)))
            .await
            .unwrap();
        assert_eq!(read.range, 8..11);
        assert_eq!(read_all(read).await, b"ijk");
        let path = Path::parse(format!("blobs/{}", stored.key)).unwrap();
        assert_eq!(memory.head(&path).await.unwrap().size, 11);
    }

    #[tokio::test]
    async fn an_empty_body_is_an_empty_blob() {
        let store = S3BlobStore::from_object_store(Arc::new(InMemory::new()));
        let tenant = TenantId::new();
        let stored = store.put(tenant, chunks(&[]), 0).await.unwrap();
        assert_eq!(stored.size, 0);
        let read = store.get(tenant, &stored.key, None).await.unwrap();
        assert_eq!(read.size, 0);
        assert!(read_all(read).await.is_empty());
    }

    #[test]
    fn a_bad_prefix_is_refused() {
        let store = S3BlobStore::from_object_store(Arc::new(InMemory::new()));
        assert!(matches!(
            store.with_prefix("a//b"),
            Err(BlobError::InvalidKey)
        ));
    }

    #[test]
    fn debug_hides_the_secrets() {
        let config = S3Config::new("bucket", "us-east-1")
            .with_credentials("AKIDEXAMPLE", "canary-secret")
            .with_session_token("canary-token");
        let debug = format!("{config:?}");
        assert!(debug.contains("AKIDEXAMPLE"));
        assert!(!debug.contains("canary"));
        assert_eq!(config.bucket(), "bucket");
    }
}
