//! Resumable uploads' records.

use std::collections::HashMap;

use async_trait::async_trait;
use portal_core::{TenantId, TenantScope};
use time::OffsetDateTime;

use super::{MemoryStore, State, retain_counted, stored_time};
use crate::blob::UploadId;
use crate::rules::unexpired;
use crate::traits::{
    NewResumableUpload, ResumableUpload, ResumableUploadStore, UploadTarget, check_new_upload,
};
use crate::{StoreError, StoreResult};

/// The records, by tenant and staging id.
#[derive(Default)]
pub(super) struct UploadTable {
    uploads: HashMap<(TenantId, UploadId), ResumableUpload>,
}

impl State {
    fn create_resumable_upload(
        &mut self,
        scope: &TenantScope,
        upload: NewResumableUpload,
    ) -> StoreResult<ResumableUpload> {
        let owner = check_new_upload(scope, &upload)?;
        self.require_tenant(scope)?;
        let tenant = scope.tenant_id();
        // As the SQL stores' foreign keys: the user, project or document must be the tenant's.
        let target_known = match &upload.target {
            UploadTarget::NewDocument { project, .. } => self
                .projects
                .get(project)
                .is_some_and(|project| project.tenant == tenant),
            UploadTarget::NextVersion { document } => self
                .documents
                .get(document)
                .is_some_and(|document| document.tenant == tenant),
        };
        if self.user_in(tenant, owner).is_none() || !target_known {
            return Err(StoreError::NotFound);
        }
        let key = (tenant, upload.id);
        if self.uploads.uploads.contains_key(&key) {
            return Err(StoreError::conflict("upload id already in use"));
        }
        let mut record = ResumableUpload::begun(tenant, owner, upload);
        record.created_at = stored_time(record.created_at);
        record.expires_at = stored_time(record.expires_at);
        self.uploads.uploads.insert(key, record.clone());
        Ok(record)
    }
}

#[async_trait]
impl ResumableUploadStore for MemoryStore {
    async fn create_resumable_upload(
        &self,
        scope: &TenantScope,
        upload: NewResumableUpload,
    ) -> StoreResult<ResumableUpload> {
        self.with_mut_uncounted(|state| state.create_resumable_upload(scope, upload))
    }

    async fn resumable_upload(
        &self,
        scope: &TenantScope,
        id: UploadId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<ResumableUpload>> {
        Ok(self.with(|state| {
            state
                .uploads
                .uploads
                .get(&(scope.tenant_id(), id))
                .filter(|upload| Some(upload.owner) == scope.principal().user_id())
                .filter(|upload| unexpired(upload.expires_at, now))
                .cloned()
        }))
    }

    async fn delete_resumable_upload(
        &self,
        scope: &TenantScope,
        id: UploadId,
    ) -> StoreResult<bool> {
        Ok(self.with_mut_uncounted(|state| {
            let key = (scope.tenant_id(), id);
            let owned = state
                .uploads
                .uploads
                .get(&key)
                .is_some_and(|upload| Some(upload.owner) == scope.principal().user_id());
            owned && state.uploads.uploads.remove(&key).is_some()
        }))
    }

    async fn expired_resumable_uploads(
        &self,
        now: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<(TenantId, UploadId)>> {
        Ok(self.with(|state| {
            let mut expired: Vec<_> = state
                .uploads
                .uploads
                .values()
                .filter(|upload| !unexpired(upload.expires_at, now))
                .map(|upload| (upload.expires_at, upload.tenant, upload.id))
                .collect();
            expired.sort();
            expired
                .into_iter()
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .map(|(_, tenant, id)| (tenant, id))
                .collect()
        }))
    }

    async fn delete_expired_resumable_uploads(&self, now: OffsetDateTime) -> StoreResult<u64> {
        Ok(self.with_mut_uncounted(|state| {
            retain_counted(&mut state.uploads.uploads, |upload| {
                unexpired(upload.expires_at, now)
            })
        }))
    }
}
