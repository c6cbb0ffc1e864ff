//! Documents: lists, one document and its versions, streaming uploads and downloads
//! (SEC-35..38).
//!
//! # Uploading
//! The file is the raw request body, sent as `Content-Type: application/octet-stream`; its name
//! travels in the `name` query parameter. The body streams into the blob store and is never held
//! whole: the size limit ([`HttpConfig::max_upload_bytes`](crate::HttpConfig)) bites while it
//! streams, and a `Content-Length` over the limit is refused before a byte is read (413). The
//! name's extension must be on the allow-list ([`ALLOWED_EXTENSIONS`]) and the first bytes must be
//! that kind of file; the type recorded (and served on download) is the sniffed one, never the
//! client's. A refused upload leaves nothing behind.
//!
//! # Downloading
//! Always an attachment with an RFC 6266 file name, `X-Content-Type-Options: nosniff` and
//! `Content-Security-Policy: sandbox`, so an uploaded file never renders as part of the portal;
//! single byte ranges are served as `206 Partial Content`.

pub mod download;
pub(crate) mod names;
pub mod resumable;
mod sniff;
pub mod upload;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portal_core::model::{Document, DocumentVersion};
use portal_core::{
    ClientId, DocumentId, DocumentVersionId, ProjectId, ShareLinkId, TenantScope, UserId,
    Visibility,
};
use portal_storage::DocumentFilter;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::paging::{PageOf, PageQuery};
use super::work::visible_project;
use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::state::PortalState;

pub use sniff::ALLOWED_EXTENSIONS;

/// A document: a file with versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    /// The document's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: DocumentId,
    /// The client it belongs to.
    #[schema(value_type = String, format = Uuid)]
    pub client: ClientId,
    /// The project it belongs to, if any.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub project: Option<ProjectId>,
    /// Its title.
    pub title: String,
    /// `internal` (staff only) or `shared` (published to the client).
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// The newest version, once one is committed.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub current_version: Option<DocumentVersionId>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Document> for DocumentView {
    fn from(document: Document) -> Self {
        Self {
            id: document.id,
            client: document.client,
            project: document.project,
            title: document.title.as_str().to_owned(),
            visibility: document.visibility,
            current_version: document.current_version,
            created_at: document.created_at,
        }
    }
}

/// One immutable version of a document. Where its bytes are stored is never shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    /// The version's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: DocumentVersionId,
    /// The document.
    #[schema(value_type = String, format = Uuid)]
    pub document: DocumentId,
    /// 1, 2, 3 … per document.
    pub number: i32,
    /// The SHA-256 of the bytes, 64 hex digits.
    pub sha256: String,
    /// The size in bytes.
    pub size: i64,
    /// The type sniffed from the bytes at upload.
    pub content_type: String,
    /// The sanitised file name.
    pub file_name: String,
    /// Who uploaded it (the nil id when no person did: a background job, or a visitor through
    /// a share link).
    #[schema(value_type = String, format = Uuid)]
    pub uploaded_by: UserId,
    /// The share link a visitor sent it through, if one did.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub via_share_link: Option<ShareLinkId>,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<DocumentVersion> for VersionView {
    fn from(version: DocumentVersion) -> Self {
        Self {
            id: version.id,
            document: version.document,
            number: version.number,
            sha256: version.sha256.to_hex(),
            size: version.size,
            content_type: version.content_type,
            file_name: version.file_name,
            uploaded_by: version.uploaded_by,
            via_share_link: version.via_share_link,
            created_at: version.created_at,
        }
    }
}

/// A document with its newest version.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDetail {
    /// The document.
    #[serde(flatten)]
    pub document: DocumentView,
    /// Its newest version; `null` before the first upload is committed.
    pub current: Option<VersionView>,
}

/// Which documents to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentsQuery {
    /// Only this client's documents.
    #[param(value_type = Option<String>, format = Uuid)]
    pub client: Option<ClientId>,
}

/// The documents the caller may see, newest first.
#[utoipa::path(get, path = "/documents", tag = "documents",
    params(DocumentsQuery, PageQuery),
    responses(
        (status = 200, body = PageOf<DocumentView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view documents", body = ErrorBody),
        (status = 422, description = "A malformed filter, limit or cursor", body = ErrorBody),
    ))]
pub async fn list_documents(
    State(state): State<PortalState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<DocumentsQuery>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<DocumentView>>, ApiError> {
    let page = paging.page()?;
    let filter = DocumentFilter {
        client: filter.client,
        project: None,
    };
    let paged = state
        .stores()
        .documents
        .list_documents(&caller.scope, filter, page)
        .await?;
    Ok(Json(PageOf::map(paged, DocumentView::from)))
}

/// The documents of one project, newest first.
#[utoipa::path(get, path = "/projects/{project_id}/documents", tag = "documents",
    params(("project_id" = String, Path, format = Uuid, description = "The project"), PageQuery),
    responses(
        (status = 200, body = PageOf<DocumentView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view documents", body = ErrorBody),
        (status = 404, description = "No such project the caller may see", body = ErrorBody),
        (status = 422, description = "A malformed limit or cursor", body = ErrorBody),
    ))]
pub async fn list_project_documents(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(project_id): ApiPath<ProjectId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<DocumentView>>, ApiError> {
    let page = paging.page()?;
    // A project the caller cannot see answers like a missing one, not as an empty list.
    let project = visible_project(&state, &caller.scope, project_id).await?;
    let filter = DocumentFilter {
        client: None,
        project: Some(project.id),
    };
    let paged = state
        .stores()
        .documents
        .list_documents(&caller.scope, filter, page)
        .await?;
    Ok(Json(PageOf::map(paged, DocumentView::from)))
}

/// One document with its newest version.
#[utoipa::path(get, path = "/documents/{document_id}", tag = "documents",
    params(("document_id" = String, Path, format = Uuid, description = "The document")),
    responses(
        (status = 200, body = DocumentDetail),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view documents", body = ErrorBody),
        (status = 404, description = "No such document the caller may see", body = ErrorBody),
    ))]
pub async fn get_document(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(document_id): ApiPath<DocumentId>,
) -> Result<Json<DocumentDetail>, ApiError> {
    let document = visible_document(&state, &caller.scope, document_id).await?;
    let current = match document.current_version {
        Some(version) => state
            .stores()
            .documents
            .version(&caller.scope, version)
            .await?
            .map(VersionView::from),
        None => None,
    };
    Ok(Json(DocumentDetail {
        document: document.into(),
        current,
    }))
}

/// A document's versions, newest first.
#[utoipa::path(get, path = "/documents/{document_id}/versions", tag = "documents",
    params(("document_id" = String, Path, format = Uuid, description = "The document"), PageQuery),
    responses(
        (status = 200, body = PageOf<VersionView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view documents", body = ErrorBody),
        (status = 404, description = "No such document the caller may see", body = ErrorBody),
        (status = 422, description = "A malformed limit or cursor", body = ErrorBody),
    ))]
pub async fn list_versions(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(document_id): ApiPath<DocumentId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<VersionView>>, ApiError> {
    let page = paging.page()?;
    let paged = state
        .stores()
        .documents
        .list_versions(&caller.scope, document_id, page)
        .await?;
    Ok(Json(PageOf::map(paged, VersionView::from)))
}

/// A document the scope may see, or 404.
pub(crate) async fn visible_document(
    state: &PortalState,
    scope: &TenantScope,
    id: DocumentId,
) -> Result<Document, ApiError> {
    state
        .stores()
        .documents
        .document(scope, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// An error in the API's shape for the statuses [`ApiError`] has no variant for (416, and 415
/// with the upload's own message).
fn error_response(status: StatusCode, code: &'static str, message: &str) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code,
            message: message.to_owned(),
            fields: Vec::new(),
        },
    };
    (status, Json(body)).into_response()
}
