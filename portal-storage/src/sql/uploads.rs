//! Resumable uploads' records (migration 0012). Every method but the sweeps runs in a
//! transaction for the scope's tenant, so PostgreSQL's row-level security binds it beside the
//! `tenant_id` in each query; reads and deletes also name the scope's user.

use async_trait::async_trait;
use portal_core::{DisplayName, DocumentId, ProjectId, TenantId, TenantScope, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::convert::{corrupt, parsed, stored_time};
use super::work_convert::{visibility, visibility_name};
use super::{backend, map_db_error};
use crate::StoreResult;
use crate::blob::UploadId;
use crate::rules::unexpired;
use crate::traits::{
    NewResumableUpload, ResumableUpload, ResumableUploadStore, UploadTarget, check_new_upload,
};

/// A `portal_resumable_upload` row.
#[derive(sqlx::FromRow)]
struct UploadRow {
    tenant_id: Uuid,
    upload_id: Uuid,
    user_id: Uuid,
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
        Ok(ResumableUpload {
            id: UploadId::from_uuid(self.upload_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            owner: UserId::from_uuid(self.user_id),
            target,
            file_name: self.file_name,
            length: u64::try_from(self.length).map_err(|error| corrupt("length", error))?,
            created_at: self.created_at,
            expires_at: self.expires_at,
        })
    }
}

const SELECT_UPLOAD: &str = "SELECT tenant_id, upload_id, user_id, project_id, title, visibility, \
     document_id, file_name, length, created_at, expires_at FROM portal_resumable_upload \
     WHERE tenant_id = $1 AND upload_id = $2 AND user_id = $3";

for_each_backend! {
    #[async_trait]
    impl ResumableUploadStore for Store {
        async fn create_resumable_upload(
            &self,
            scope: &TenantScope,
            upload: NewResumableUpload,
        ) -> StoreResult<ResumableUpload> {
            let owner = check_new_upload(scope, &upload)?;
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
            let mut tx = self.write_uncounted(tenant).await?;
            // The foreign keys answer an unknown user, project or document as not found.
            sqlx::query(
                "INSERT INTO portal_resumable_upload (tenant_id, upload_id, user_id, project_id, \
                 title, visibility, document_id, file_name, length, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(*tenant.as_uuid())
            .bind(record.id.as_uuid())
            .bind(*owner.as_uuid())
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
            id: UploadId,
            now: OffsetDateTime,
        ) -> StoreResult<Option<ResumableUpload>> {
            let Some(user) = scope.principal().user_id() else {
                return Ok(None);
            };
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let row: Option<UploadRow> = sqlx::query_as(SELECT_UPLOAD)
                .bind(*tenant.as_uuid())
                .bind(id.as_uuid())
                .bind(*user.as_uuid())
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
            id: UploadId,
        ) -> StoreResult<bool> {
            let Some(user) = scope.principal().user_id() else {
                return Ok(false);
            };
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            let deleted = sqlx::query(
                "DELETE FROM portal_resumable_upload \
                 WHERE tenant_id = $1 AND upload_id = $2 AND user_id = $3",
            )
            .bind(*tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(*user.as_uuid())
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
