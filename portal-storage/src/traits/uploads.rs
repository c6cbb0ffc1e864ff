use async_trait::async_trait;
use portal_core::{
    DisplayName, DocumentId, DomainError, Invalid, ProjectId, ShareLinkId, TenantId, TenantScope,
    UserId, Visibility,
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

/// Who began a resumable upload, and so the only one who may continue it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UploadOwner {
    /// A signed-in user (or an API key acting for one).
    User(UserId),
    /// A visitor through a share link that takes uploads.
    ShareLink(ShareLinkId),
}

impl UploadOwner {
    /// Whether `scope` may act as this owner: a user only as themselves; a share link's visitor
    /// through a system scope of the tenant, once the caller checked the link.
    fn admits(self, scope: &TenantScope) -> bool {
        match self {
            Self::User(user) => scope.principal().user_id() == Some(user),
            Self::ShareLink(_) => scope.principal().user_id().is_none(),
        }
    }
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
    /// Who began it: the only one who may continue, finish or abort it.
    pub owner: UploadOwner,
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
/// [`BlobStore`](crate::blob::BlobStore)). A record belongs to whoever began it — a user, or a
/// share link's visitor — and every read and delete names that owner and is bound to the scope's
/// tenant: another owner's (or tenant's) upload answers like one never begun. A user acts only
/// as themselves; a share link's uploads go through a system scope of the tenant, after the
/// caller checked the link ([`ShareLinkStore::live_share_link`](crate::ShareLinkStore::live_share_link)).
/// Expired records count as absent and are swept by [`expired_resumable_uploads`] and
/// [`delete_expired_resumable_uploads`], after the caller discarded their staged bytes.
///
/// [`expired_resumable_uploads`]: ResumableUploadStore::expired_resumable_uploads
/// [`delete_expired_resumable_uploads`]: ResumableUploadStore::delete_expired_resumable_uploads
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ResumableUploadStore: Send + Sync + 'static {
    /// Records an upload begun by `owner`. Invalid (naming the field) when the file name is empty
    /// or too long, the length is over `i64::MAX`, the expiry is not after the start, or the
    /// scope may not act as `owner` (naming `scope`); a conflict if the id is taken; not found
    /// for an unknown user, share link, project or document of the tenant.
    async fn create_resumable_upload(
        &self,
        scope: &TenantScope,
        owner: UploadOwner,
        upload: NewResumableUpload,
    ) -> StoreResult<ResumableUpload>;

    /// `owner`'s upload `id`, unless expired at `now` (`None` too when the scope may not act as
    /// `owner`).
    async fn resumable_upload(
        &self,
        scope: &TenantScope,
        owner: UploadOwner,
        id: UploadId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<ResumableUpload>>;

    /// Deletes `owner`'s upload `id` (finished or given up); returns whether it was there.
    async fn delete_resumable_upload(
        &self,
        scope: &TenantScope,
        owner: UploadOwner,
        id: UploadId,
    ) -> StoreResult<bool>;

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

/// Whether `scope` may act as `owner` (reads and deletes answer like nothing is there if not).
pub(crate) fn may_act_as(scope: &TenantScope, owner: UploadOwner) -> bool {
    owner.admits(scope)
}

/// The checks every store runs on a new record.
pub(crate) fn check_new_upload(
    scope: &TenantScope,
    owner: UploadOwner,
    upload: &NewResumableUpload,
) -> StoreResult<()> {
    let invalid = |field, reason| Err(DomainError::validation(field, reason).into());
    if !owner.admits(scope) {
        return invalid(
            "scope",
            Invalid::Malformed(
                "a user begins uploads as themselves; a share link through a system scope",
            ),
        );
    }
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
    Ok(())
}

impl ResumableUpload {
    /// The record of `upload`, begun by `owner` in `tenant`.
    pub(crate) fn begun(tenant: TenantId, owner: UploadOwner, upload: NewResumableUpload) -> Self {
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
