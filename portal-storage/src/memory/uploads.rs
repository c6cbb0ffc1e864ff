//! Resumable uploads' records.

use std::collections::HashMap;

use async_trait::async_trait;
use portal_core::{TenantId, TenantScope};
use time::OffsetDateTime;

use super::{MemoryStore, State, retain_counted, stored_time};
use crate::blob::UploadId;
use crate::rules::unexpired;
use crate::traits::{
    NewResumableUpload, ResumableUpload, ResumableUploadStore, UploadOwner, UploadTarget,
    check_new_upload, may_act_as,
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
        owner: UploadOwner,
        upload: NewResumableUpload,
    ) -> StoreResult<ResumableUpload> {
        check_new_upload(scope, owner, &upload)?;
        self.require_tenant(scope)?;
        let tenant = scope.tenant_id();
        // As the SQL stores' foreign keys: the owner, project or document must be the tenant's.
        let owner_known = match owner {
            UploadOwner::User(user) => self.user_in(tenant, user).is_some(),
            UploadOwner::ShareLink(link) => self
                .share_links
                .get(&link)
                .is_some_and(|link| link.tenant == tenant),
        };
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
        if !owner_known || !target_known {
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
        owner: UploadOwner,
        upload: NewResumableUpload,
    ) -> StoreResult<ResumableUpload> {
        self.with_mut_uncounted(|state| state.create_resumable_upload(scope, owner, upload))
    }

    async fn resumable_upload(
        &self,
        scope: &TenantScope,
        owner: UploadOwner,
        id: UploadId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<ResumableUpload>> {
        if !may_act_as(scope, owner) {
            return Ok(None);
        }
        Ok(self.with(|state| {
            state
                .uploads
                .uploads
                .get(&(scope.tenant_id(), id))
                .filter(|upload| upload.owner == owner)
                .filter(|upload| unexpired(upload.expires_at, now))
                .cloned()
        }))
    }

    async fn delete_resumable_upload(
        &self,
        scope: &TenantScope,
        owner: UploadOwner,
        id: UploadId,
    ) -> StoreResult<bool> {
        if !may_act_as(scope, owner) {
            return Ok(false);
        }
        Ok(self.with_mut_uncounted(|state| {
            let key = (scope.tenant_id(), id);
            let owned = state
                .uploads
                .uploads
                .get(&key)
                .is_some_and(|upload| upload.owner == owner);
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
