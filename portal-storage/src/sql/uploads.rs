//! Resumable uploads' records (migration 0012). Every method but the sweeps runs in a
//! transaction for the scope's tenant, so PostgreSQL's row-level security binds it beside the
//! `tenant_id` in each query; reads and deletes also name the upload's owner.

use async_trait::async_trait;
use portal_core::{DisplayName, DocumentId, ProjectId, ShareLinkId, TenantId, TenantScope, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::convert::{corrupt, parsed, stored_time};
use super::work_convert::{visibility, visibility_name};
use super::{backend, map_db_error};
use crate::StoreResult;
use crate::blob::UploadId;
use crate::rules::unexpired;
use crate::traits::{
    NewResumableUpload, ResumableUpload, ResumableUploadStore, UploadOwner, UploadTarget,
    check_new_upload, may_act_as,
};

/// A `portal_resumable_upload` row.
#[derive(sqlx::FromRow)]
struct UploadRow {
    tenant_id: Uuid,
    upload_id: Uuid,
    user_id: Option<Uuid>,
    share_link_id: Option<Uuid>,
    project_id: Option<Uuid>,
    title: Option<String>,
    visibility: Option<String>,
    document_id: Option<Uuid>,
    file_name: String,
    length: i64,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

impl UploadRow {
    fn into_upload(self) -> StoreResult<ResumableUpload> {
        let target = match (
            self.project_id,
            self.title,
            self.visibility,
            self.document_id,
        ) {
            (Some(project), Some(title), Some(shown), None) => UploadTarget::NewDocument {
                project: ProjectId::from_uuid(project),
                title: parsed::<DisplayName>("title", &title)?,
                visibility: visibility(&shown)?,
            },
            (None, None, None, Some(document)) => UploadTarget::NextVersion {
                document: DocumentId::from_uuid(document),
            },
            _ => {
                return Err(corrupt(
                    "project_id",
                    "an upload names either a project or a document",
                ));
            }
        };
        let owner = match (self.user_id, self.share_link_id) {
            (Some(user), None) => UploadOwner::User(UserId::from_uuid(user)),
            (None, Some(link)) => UploadOwner::ShareLink(ShareLinkId::from_uuid(link)),
            _ => {
                return Err(corrupt(
                    "user_id",
                    "an upload is owned by either a user or a share link",
                ));
            }
        };
        Ok(ResumableUpload {
            id: UploadId::from_uuid(self.upload_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            owner,
            target,
            file_name: self.file_name,
            length: u64::try_from(self.length).map_err(|error| corrupt("length", error))?,
            created_at: self.created_at,
            expires_at: self.expires_at,
        })
    }
}

/// An upload of a tenant by id and owner: `$3` is the user or `$4` the share link (the other
/// `NULL`).
const SELECT_UPLOAD: &str = "SELECT tenant_id, upload_id, user_id, share_link_id, project_id, \
     title, visibility, document_id, file_name, length, created_at, expires_at \
     FROM portal_resumable_upload WHERE tenant_id = $1 AND upload_id = $2 \
     AND (user_id = $3 OR share_link_id = $4)";

/// Deletes an upload of a tenant by id and owner, as [`SELECT_UPLOAD`] finds it.
const DELETE_UPLOAD: &str = "DELETE FROM portal_resumable_upload \
     WHERE tenant_id = $1 AND upload_id = $2 AND (user_id = $3 OR share_link_id = $4)";

/// The owner as the two nullable columns.
fn owner_columns(owner: UploadOwner) -> (Option<Uuid>, Option<Uuid>) {
    match owner {
        UploadOwner::User(user) => (Some(*user.as_uuid()), None),
        UploadOwner::ShareLink(link) => (None, Some(*link.as_uuid())),
    }
}

for_each_backend! {
    #[async_trait]
    impl ResumableUploadStore for Store {
        async fn create_resumable_upload(
            &self,
            scope: &TenantScope,
            owner: UploadOwner,
            upload: NewResumableUpload,
        ) -> StoreResult<ResumableUpload> {
            check_new_upload(scope, owner, &upload)?;
            let tenant = scope.tenant_id();
            let mut record = ResumableUpload::begun(tenant, owner, upload);
            record.created_at = stored_time(record.created_at);
            record.expires_at = stored_time(record.expires_at);
            let (project, title, shown, document) = match &record.target {
                UploadTarget::NewDocument { project, title, visibility } => (
                    Some(*project.as_uuid()),
                    Some(title.as_str().to_owned()),
                    Some(visibility_name(*visibility)),
                    None,
                ),
                UploadTarget::NextVersion { document } => {
                    (None, None, None, Some(*document.as_uuid()))
                }
            };
            let length = i64::try_from(record.length)
                .map_err(|error| corrupt("length", error))?;
            let (user, link) = owner_columns(owner);
            let mut tx = self.write_uncounted(tenant).await?;
            // The foreign keys answer an unknown owner, project or document as not found.
            sqlx::query(
                "INSERT INTO portal_resumable_upload (tenant_id, upload_id, user_id, \
                 share_link_id, project_id, title, visibility, document_id, file_name, length, \
                 created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(*tenant.as_uuid())
            .bind(record.id.as_uuid())
            .bind(user)
            .bind(link)
            .bind(project)
            .bind(title)
            .bind(shown)
            .bind(document)
            .bind(record.file_name.clone())
            .bind(length)
            .bind(record.created_at)
            .bind(record.expires_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error("upload id already in use"))?;
            tx.commit().await.map_err(backend)?;
            Ok(record)
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
            let (user, link) = owner_columns(owner);
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let row: Option<UploadRow> = sqlx::query_as(SELECT_UPLOAD)
                .bind(*tenant.as_uuid())
                .bind(id.as_uuid())
                .bind(user)
                .bind(link)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            // Expiry is compared here, as SQLite's text times do not sort as times.
            row.map(UploadRow::into_upload)
                .transpose()
                .map(|upload| upload.filter(|upload| unexpired(upload.expires_at, now)))
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
            let (user, link) = owner_columns(owner);
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            let deleted = sqlx::query(DELETE_UPLOAD)
            .bind(*tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(user)
            .bind(link)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(deleted.rows_affected() > 0)
        }

        async fn expired_resumable_uploads(
            &self,
            now: OffsetDateTime,
            limit: u32,
        ) -> StoreResult<Vec<(TenantId, UploadId)>> {
            let mut tx = self.global_read().await?;
            let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(Store::EXPIRED_UPLOADS)
                .bind(stored_time(now))
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(rows
                .into_iter()
                .map(|(tenant, id)| (TenantId::from_uuid(tenant), UploadId::from_uuid(id)))
                .collect())
        }

        async fn delete_expired_resumable_uploads(&self, now: OffsetDateTime) -> StoreResult<u64> {
            let mut tx = self.global_uncounted().await?;
            let deleted = sqlx::query(Store::DELETE_EXPIRED_UPLOADS)
                .bind(stored_time(now))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(deleted.rows_affected())
        }
    }
}
