use async_trait::async_trait;
use portal_core::{
    DisplayName, DocumentId, DomainError, Invalid, ProjectId, TenantId, TenantScope, UserId,
    Visibility,
};
use time::OffsetDateTime;

use crate::StoreResult;
use crate::blob::UploadId;

/// The longest file name a resumable upload keeps, in bytes (as a document version's).
pub const MAX_UPLOAD_FILE_NAME_BYTES: usize = 255;

/// What a finished resumable upload becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadTarget {
    /// A new document in a project, with this first version.
    NewDocument {
        /// The project.
        project: ProjectId,
        /// The document's title.
        title: DisplayName,
        /// `Internal` or `Shared`, as asked for; the document store decides at the end whether
        /// the uploader may share.
        visibility: Visibility,
    },
    /// The next version of a document.
    NextVersion {
        /// The document.
        document: DocumentId,
    },
}

/// A resumable upload's record, as it is begun: what the staged bytes become once complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResumableUpload {
    /// The blob store's staging id, from
    /// [`BlobStore::begin_upload`](crate::blob::BlobStore::begin_upload).
    pub id: UploadId,
    /// What the bytes become.
    pub target: UploadTarget,
    /// The file's name (already checked by the caller): 1 to [`MAX_UPLOAD_FILE_NAME_BYTES`] bytes.
    pub file_name: String,
    /// The declared length of the whole file, in bytes.
    pub length: u64,
    /// When it was begun.
    pub created_at: OffsetDateTime,
    /// When it is given up if not finished.
    pub expires_at: OffsetDateTime,
}

/// A resumable upload's record: who began it, what it becomes, until when it may be continued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumableUpload {
    /// The staging id.
    pub id: UploadId,
    /// The tenant.
    pub tenant: TenantId,
    /// The user who began it: the only one who may continue, finish or abort it.
    pub owner: UserId,
    /// What the bytes become.
    pub target: UploadTarget,
    /// The file's name.
    pub file_name: String,
    /// The declared length, in bytes.
    pub length: u64,
    /// When it was begun.
    pub created_at: OffsetDateTime,
    /// When it is given up if not finished.
    pub expires_at: OffsetDateTime,
}

/// The records of resumable uploads in progress (the bytes themselves are staged in the
/// [`BlobStore`](crate::blob::BlobStore)). A record belongs to the user who began it: every read
/// and delete is bound to the scope's tenant **and** user, so another user's (or tenant's) upload
/// answers like one never begun. A scope without a user (a system scope) may not begin one.
/// Expired records count as absent and are swept by [`expired_resumable_uploads`] and
/// [`delete_expired_resumable_uploads`], after the caller discarded their staged bytes.
///
/// [`expired_resumable_uploads`]: ResumableUploadStore::expired_resumable_uploads
/// [`delete_expired_resumable_uploads`]: ResumableUploadStore::delete_expired_resumable_uploads
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ResumableUploadStore: Send + Sync + 'static {
    /// Records an upload begun by the scope's user. Invalid (naming the field) when the file name
    /// is empty or too long, the length is over `i64::MAX`, the expiry is not after the start, or
    /// the scope has no user (naming `scope`); a conflict if the id is taken.
    async fn create_resumable_upload(
        &self,
        scope: &TenantScope,
        upload: NewResumableUpload,
    ) -> StoreResult<ResumableUpload>;

    /// The scope's user's upload `id`, unless expired at `now`.
    async fn resumable_upload(
        &self,
        scope: &TenantScope,
        id: UploadId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<ResumableUpload>>;

    /// Deletes the scope's user's upload `id` (finished or given up); returns whether it was
    /// there.
    async fn delete_resumable_upload(&self, scope: &TenantScope, id: UploadId)
    -> StoreResult<bool>;

    /// Up to `limit` uploads of every tenant expired at `now`, oldest expiry first: what a sweep
    /// discards the staged bytes of. Global: a maintenance sweep.
    async fn expired_resumable_uploads(
        &self,
        now: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<(TenantId, UploadId)>>;

    /// Deletes the records of every tenant's uploads expired at `now`; returns how many. Global:
    /// a maintenance sweep.
    async fn delete_expired_resumable_uploads(&self, now: OffsetDateTime) -> StoreResult<u64>;
}

/// The checks every store runs on a new record; the user who begins it.
pub(crate) fn check_new_upload(
    scope: &TenantScope,
    upload: &NewResumableUpload,
) -> StoreResult<UserId> {
    let invalid = |field, reason| Err(DomainError::validation(field, reason).into());
    let Some(owner) = scope.principal().user_id() else {
        return invalid("scope", Invalid::Malformed("an upload is begun by a user"));
    };
    if upload.file_name.is_empty() {
        return invalid("file_name", Invalid::Empty);
    }
    if upload.file_name.len() > MAX_UPLOAD_FILE_NAME_BYTES {
        return invalid(
            "file_name",
            Invalid::TooLong {
                max: MAX_UPLOAD_FILE_NAME_BYTES,
            },
        );
    }
    if i64::try_from(upload.length).is_err() {
        return invalid("length", Invalid::OutOfRange);
    }
    if upload.expires_at <= upload.created_at {
        return invalid("expires_at", Invalid::EndBeforeStart);
    }
    Ok(owner)
}

impl ResumableUpload {
    /// The record of `upload`, begun by `owner` in `tenant`.
    pub(crate) fn begun(tenant: TenantId, owner: UserId, upload: NewResumableUpload) -> Self {
        Self {
            id: upload.id,
            tenant,
            owner,
            target: upload.target,
            file_name: upload.file_name,
            length: upload.length,
            created_at: upload.created_at,
            expires_at: upload.expires_at,
        }
    }
}
