//! [`MemoryBlobStore`]: blobs in a map, for tests and demos.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use portal_core::TenantId;

use super::upload::UploadLocks;
use super::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, PutTally, StoredBlob, UploadId,
    UploadProgress, byte_stream, check_declared_length, check_tenant,
};

/// A [`BlobStore`] that keeps every blob in memory: for tests, demos and doctests only.
///
/// It is the one store that buffers a whole body, but it still enforces the size limit while the
/// body streams in, and stores a blob only when the body ended cleanly. Resumable uploads are
/// staged in memory too, and hashed when they finish. Clones share the same blobs and uploads.
#[derive(Clone, Debug, Default)]
pub struct MemoryBlobStore {
    blobs: Arc<Mutex<HashMap<BlobKey, Bytes>>>,
    uploads: Arc<UploadLocks<StagedUpload>>,
    /// Every upload's progress, readable while an append holds the upload.
    progress: Arc<Mutex<HashMap<(TenantId, UploadId), UploadProgress>>>,
}

/// A resumable upload in progress.
#[derive(Debug)]
struct StagedUpload {
    progress: UploadProgress,
    data: BytesMut,
    touched: Instant,
}

impl MemoryBlobStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many blobs the store holds, over all tenants.
    #[must_use]
    pub fn len(&self) -> usize {
        self.blobs().len()
    }

    /// Whether the store holds no blob.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.blobs().is_empty()
    }

    /// How many resumable uploads are in progress, over all tenants.
    #[must_use]
    pub fn uploads_in_progress(&self) -> usize {
        self.uploads.len()
    }

    fn progress(&self) -> MutexGuard<'_, HashMap<(TenantId, UploadId), UploadProgress>> {
        // Consistent after any panic, as the blobs.
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn blobs(&self) -> MutexGuard<'_, HashMap<BlobKey, Bytes>> {
        // The map is consistent after any panic (each change is one insert or remove).
        self.blobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl BlobStore for MemoryBlobStore {
    async fn put(
        &self,
        tenant: TenantId,
        mut body: ByteStream,
        max_size: u64,
    ) -> Result<StoredBlob, BlobError> {
        let mut tally = PutTally::new(max_size);
        let mut buffer = BytesMut::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            tally.add(&chunk)?;
            buffer.extend_from_slice(&chunk);
        }
        let stored = tally.finish(BlobKey::generate(tenant));
        self.blobs().insert(stored.key, buffer.freeze());
        Ok(stored)
    }

    async fn get(
        &self,
        tenant: TenantId,
        key: &BlobKey,
        range: Option<ByteRange>,
    ) -> Result<BlobRead, BlobError> {
        check_tenant(tenant, key)?;
        let bytes = self.blobs().get(key).cloned().ok_or(BlobError::NotFound)?;
        let size = bytes.len() as u64;
        let range = match range {
            Some(range) => range.resolve(size)?,
            None => 0..size,
        };
        let served = usize::try_from(range.start)
            .and_then(|start| Ok(start..usize::try_from(range.end)?))
            .map_err(|_| BlobError::RangeNotSatisfiable { size })?;
        let chunk = bytes.slice(served);
        let body = if chunk.is_empty() {
            byte_stream(futures_util::stream::empty())
        } else {
            byte_stream(futures_util::stream::iter([Ok(chunk)]))
        };
        Ok(BlobRead { body, range, size })
    }

    async fn delete(&self, tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
        check_tenant(tenant, key)?;
        self.blobs()
            .remove(key)
            .map(drop)
            .ok_or(BlobError::NotFound)
    }

    async fn begin_upload(
        &self,
        tenant: TenantId,
        length: u64,
        max_size: u64,
    ) -> Result<UploadId, BlobError> {
        check_declared_length(length, max_size)?;
        let upload = UploadId::generate();
        let staged = StagedUpload {
            progress: UploadProgress { offset: 0, length },
            data: BytesMut::new(),
            touched: Instant::now(),
        };
        self.uploads.insert(tenant, upload, staged);
        self.progress()
            .insert((tenant, upload), UploadProgress { offset: 0, length });
        Ok(upload)
    }

    async fn upload_progress(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<UploadProgress, BlobError> {
        self.progress()
            .get(&(tenant, *upload))
            .copied()
            .ok_or(BlobError::NotFound)
    }

    async fn append(
        &self,
        tenant: TenantId,
        upload: &UploadId,
        offset: u64,
        mut body: ByteStream,
    ) -> Result<u64, BlobError> {
        let mut staged = self.uploads.lock(tenant, *upload)?;
        staged.progress.check_offset(offset)?;
        staged.touched = Instant::now();
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            staged.progress.admit(&chunk)?;
            staged.data.extend_from_slice(&chunk);
            self.progress().insert((tenant, *upload), staged.progress);
        }
        Ok(staged.progress.offset)
    }

    async fn finish_upload(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<StoredBlob, BlobError> {
        let mut staged = self.uploads.lock(tenant, *upload)?;
        staged.progress.check_complete()?;
        let mut tally = PutTally::new(staged.progress.length);
        tally.add(&staged.data)?;
        let stored = tally.finish(BlobKey::generate(tenant));
        let bytes = std::mem::take(&mut staged.data).freeze();
        self.blobs().insert(stored.key, bytes);
        self.progress().remove(&(tenant, *upload));
        self.uploads.remove(tenant, *upload);
        Ok(stored)
    }

    async fn abort_upload(&self, tenant: TenantId, upload: &UploadId) -> Result<(), BlobError> {
        let _staged = self.uploads.lock(tenant, *upload)?;
        self.progress().remove(&(tenant, *upload));
        self.uploads.remove(tenant, *upload);
        Ok(())
    }

    async fn sweep_uploads(&self, older_than: Duration) -> Result<u64, BlobError> {
        Ok(self.uploads.remove_where(|id, staged| {
            let abandoned = staged.touched.elapsed() >= older_than;
            if abandoned {
                self.progress().remove(id);
            }
            abandoned
        }))
    }
}
