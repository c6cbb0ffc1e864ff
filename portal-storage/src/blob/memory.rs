//! [`MemoryBlobStore`]: blobs in a map, for tests and demos.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use portal_core::TenantId;

use super::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, PutTally, StoredBlob,
    byte_stream, check_tenant,
};

/// A [`BlobStore`] that keeps every blob in memory: for tests, demos and doctests only.
///
/// It is the one store that buffers a whole body, but it still enforces the size limit while the
/// body streams in, and stores a blob only when the body ended cleanly. Clones share the same blobs.
#[derive(Clone, Debug, Default)]
pub struct MemoryBlobStore {
    blobs: Arc<Mutex<HashMap<BlobKey, Bytes>>>,
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
}
