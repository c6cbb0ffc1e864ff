//! Uploads: a new document in a project, or the next version of a document. The body streams
//! into the blob store; only its first bytes are held back to check the kind of file (SEC-35,
//! SEC-36).

use std::io;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use futures_util::{StreamExt as _, stream};
use portal_core::model::{Document, DocumentVersion, NewDocument, NewDocumentVersion};
use portal_core::{
    DisplayName, DocumentId, Permission, ProjectId, ShareLinkId, TenantScope, Visibility,
};
use portal_storage::blob::{BlobError, StoredBlob, byte_stream};
use portal_storage::{StoreResult, rules};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::names::{self, SafeName};
use super::sniff::{FileKind, SNIFF_BYTES};
use super::{DocumentView, VersionView, error_response, visible_document};
use crate::api::work::visible_project;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, Caller, ClientIp};
use crate::state::PortalState;

/// The one media type an upload is sent as. Refusing the types an HTML form can send keeps
/// other sites' forms out even without the `Origin` check (SEC-31); the file's real type is
/// sniffed, whatever the client claims (SEC-36).
const UPLOAD_MEDIA_TYPE: &str = "application/octet-stream";

/// A new document's file name and where it goes.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NewDocumentQuery {
    /// The file's name, e.g. `report.pdf`, percent-encoded as UTF-8. Its extension must be one of
    /// pdf, png, jpg, jpeg, gif, webp, zip, docx, xlsx, pptx, txt, csv, md. Kept as metadata
    /// only: the last path segment, without control characters, at most 255 bytes.
    pub name: String,
    /// The document's title; the file name when absent.
    pub title: Option<String>,
    /// `internal` (the default) or `shared`; staff need the `publish` permission to share.
    /// A contact's uploads are always shared.
    #[param(value_type = Option<String>)]
    pub visibility: Option<Visibility>,
}

/// A new version's file name.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NewVersionQuery {
    /// The file's name, as for a new document.
    pub name: String,
}

/// A new document and its first version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Uploaded {
    /// The document.
    pub document: DocumentView,
    /// Its first version.
    pub version: VersionView,
}

/// Uploads a new document into a project: the raw file is the body.
#[utoipa::path(post, path = "/projects/{project_id}/documents", tag = "documents",
    params(("project_id" = String, Path, format = Uuid, description = "The project"), NewDocumentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file's bytes, raw (not multipart). Sent as `application/octet-stream`; \
            the type is sniffed from the bytes and must agree with the name's extension."),
    responses(
        (status = 201, description = "Stored, hashed and recorded as version 1", body = Uploaded),
        (status = 400, description = "The body broke off", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not upload documents (or publish them)", body = ErrorBody),
        (status = 404, description = "No such project the caller may see", body = ErrorBody),
        (status = 413, description = "Over the upload limit or what is left of the tenant's storage quota (`quota_exceeded`): announced by `Content-Length` (refused before reading) or found while streaming", body = ErrorBody),
        (status = 415, description = "Not sent as `application/octet-stream`", body = ErrorBody),
        (status = 422, description = "The name's extension is not accepted, the content is not that kind of file, or the title is not valid", body = ErrorBody),
    ))]
pub async fn upload_document(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath(project_id): ApiPath<ProjectId>,
    ApiQuery(query): ApiQuery<NewDocumentQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if !sent_as_upload(&headers) {
        return Ok(wrong_media_type());
    }
    let new = NewUpload {
        project: project_id,
        file_name: &query.name,
        title: query.title.as_deref(),
        visibility: query.visibility.unwrap_or_default(),
        via_share_link: None,
    };
    let (document, version) =
        new_document_from(&state, &caller.scope, ip, new, &headers, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(Uploaded {
            document: document.into(),
            version: version.into(),
        }),
    )
        .into_response())
}

/// A new document's upload, its request read.
pub(crate) struct NewUpload<'a> {
    /// The project it goes into.
    pub(crate) project: ProjectId,
    /// The file's name, as sent.
    pub(crate) file_name: &'a str,
    /// The document's title; the file name when `None`.
    pub(crate) title: Option<&'a str>,
    /// `Internal` or `Shared`, as asked for.
    pub(crate) visibility: Visibility,
    /// The share link a visitor sends it through (under a system scope), if one does.
    pub(crate) via_share_link: Option<ShareLinkId>,
}

/// Streams `body` into a new document with its first version, as `scope`: what
/// `POST /projects/{id}/documents` does once its request is read. A share link's visitors use it
/// too, under a system scope of the link's tenant. `headers` are the body's (an announced
/// `Content-Length` over the limit is refused before reading).
pub(crate) async fn new_document_from(
    state: &PortalState,
    scope: &TenantScope,
    ip: ClientIp,
    new: NewUpload<'_>,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Document, DocumentVersion), ApiError> {
    let limit = UploadLimit::of(state, scope).await?;
    limit.admits(headers)?;
    let SafeName { name, kind } = names::file_name(new.file_name)?;
    let title = document_title(new.title, &name)?;
    let project = visible_project(state, scope, new.project).await?;
    // Refused before a byte of the body is read; the store checks again, with the document's
    // real visibility, when it records the upload.
    rules::require_in_client(
        scope,
        Permission::UploadDocuments,
        project.client,
        Visibility::Shared,
    )?;
    let received = Received {
        via_share_link: new.via_share_link,
        ..receive(state, scope, kind, body, limit).await?
    };
    let audit = ip.audit();
    let document = NewDocument {
        client: project.client,
        project: Some(project.id),
        title,
        visibility: new.visibility,
    };
    // The document and its first version in one transaction: a refusal or a crash between
    // the two would otherwise leave an empty document in the list.
    let documents = &state.stores().documents;
    record(state, scope, received, name, |version| {
        documents.create_document_with_version(scope, document, version, &audit)
    })
    .await
}

/// Uploads the next version of a document: the raw file is the body.
#[utoipa::path(post, path = "/documents/{document_id}/versions", tag = "documents",
    params(("document_id" = String, Path, format = Uuid, description = "The document"), NewVersionQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file's bytes, raw, as for a new document."),
    responses(
        (status = 201, description = "Stored, hashed and recorded as the current version", body = VersionView),
        (status = 400, description = "The body broke off", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not upload documents", body = ErrorBody),
        (status = 404, description = "No such document the caller may see", body = ErrorBody),
        (status = 413, description = "Over the upload limit or the tenant's storage quota (`quota_exceeded`)", body = ErrorBody),
        (status = 415, description = "Not sent as `application/octet-stream`", body = ErrorBody),
        (status = 422, description = "The name's extension is not accepted or the content is not that kind of file", body = ErrorBody),
    ))]
pub async fn upload_version(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath(document_id): ApiPath<DocumentId>,
    ApiQuery(query): ApiQuery<NewVersionQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if !sent_as_upload(&headers) {
        return Ok(wrong_media_type());
    }
    let limit = UploadLimit::of(&state, &caller.scope).await?;
    limit.admits(&headers)?;
    let SafeName { name, kind } = names::file_name(&query.name)?;
    let document = visible_document(&state, &caller.scope, document_id).await?;
    // Refused before the body is read; `add_version` checks again.
    rules::require_on(&caller.scope, Permission::UploadDocuments, &document)?;
    let received = receive(&state, &caller.scope, kind, body, limit).await?;
    let audit = ip.audit();
    let scope = &caller.scope;
    let version = record(&state, scope, received, name, |version| {
        state
            .stores()
            .documents
            .add_version(scope, document.id, version, &audit)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(VersionView::from(version))).into_response())
}

/// A new document's title: `title` as given, or the file name (cut to a title's length).
pub(super) fn document_title(
    title: Option<&str>,
    file_name: &str,
) -> Result<DisplayName, ApiError> {
    let title = match title {
        Some(title) => title.to_owned(),
        None => file_name.chars().take(DisplayName::MAX_CHARS).collect(),
    };
    DisplayName::parse(&title).map_err(|_| {
        ApiError::invalid(
            "title",
            "the title must be 1 to 200 characters without control characters",
        )
    })
}

/// A body committed to the blob store, not yet recorded.
pub(super) struct Received {
    /// The committed blob.
    pub(super) stored: StoredBlob,
    /// Its sniffed media type.
    pub(super) content_type: &'static str,
    /// The share link a visitor sent it through, if one did.
    pub(super) via_share_link: Option<ShareLinkId>,
}

/// Streams the body into the blob store. The first [`SNIFF_BYTES`] are held back and checked to
/// be a `kind` file before anything is stored; the size limit bites while the rest streams.
async fn receive(
    state: &PortalState,
    scope: &TenantScope,
    kind: FileKind,
    body: Body,
    limit: UploadLimit,
) -> Result<Received, ApiError> {
    let Head { bytes, ended, rest } = read_head(body, limit.bytes)
        .await
        .map_err(|error| error.unwrap_or_else(|| limit.exceeded()))?;
    let window = bytes.get(..SNIFF_BYTES).unwrap_or(&bytes);
    let whole = ended && bytes.len() <= SNIFF_BYTES;
    if !kind.matches(window, whole) {
        return Err(content_mismatch());
    }
    let stored = state
        .blobs()
        .put(scope.tenant_id(), rest.into_stream(bytes), limit.bytes)
        .await
        .map_err(|error| put_failed(error, limit))?;
    Ok(Received {
        stored,
        content_type: kind.content_type(),
        via_share_link: None,
    })
}

/// The first bytes of a body, held back to be sniffed, and the rest of it.
pub(super) struct Head {
    /// At least [`SNIFF_BYTES`] bytes, unless the body ended first.
    pub(super) bytes: BytesMut,
    /// Whether the body ended within them.
    pub(super) ended: bool,
    /// The body after them.
    pub(super) rest: Rest,
}

/// The rest of a body whose head was read.
pub(super) struct Rest(futures_util::stream::Fuse<axum::body::BodyDataStream>);

impl Rest {
    /// The whole body again, `head` first, as the blob store takes it.
    pub(super) fn into_stream(self, head: BytesMut) -> portal_storage::blob::ByteStream {
        byte_stream(
            stream::iter([Ok(head.freeze())])
                .chain(self.0.map(|chunk| chunk.map_err(io::Error::other))),
        )
    }
}

/// Reads a body's first [`SNIFF_BYTES`] (or all of it, if shorter). `Err(None)` when more than
/// `limit` bytes came; `Err(Some(_))` when the body broke off.
pub(super) async fn read_head(body: Body, limit: u64) -> Result<Head, Option<ApiError>> {
    // Fused: once the body has ended it is chained after the head and must not be polled again.
    let mut rest = body.into_data_stream().fuse();
    let mut head = BytesMut::new();
    let mut ended = false;
    while head.len() < SNIFF_BYTES {
        match rest.next().await {
            Some(Ok(chunk)) => {
                head.extend_from_slice(&chunk);
                if u64::try_from(head.len()).unwrap_or(u64::MAX) > limit {
                    return Err(None);
                }
            }
            Some(Err(_)) => return Err(Some(interrupted())),
            None => {
                ended = true;
                break;
            }
        }
    }
    Ok(Head {
        bytes: head,
        ended,
        rest: Rest(rest),
    })
}

/// The error for a file whose bytes are not the kind its name says.
pub(super) fn content_mismatch() -> ApiError {
    ApiError::invalid("body", "the file's content does not match its extension")
}

/// Records a committed body with `store` (a new document's first version, or an existing
/// document's next); when the store refuses, or the tenant's quota turns out used up by uploads
/// that finished meanwhile, the blob is deleted again so a refused upload leaves nothing behind.
pub(super) async fn record<T, Recorded>(
    state: &PortalState,
    scope: &TenantScope,
    received: Received,
    file_name: String,
    store: impl FnOnce(NewDocumentVersion) -> Recorded,
) -> Result<T, ApiError>
where
    Recorded: Future<Output = StoreResult<T>>,
{
    let Ok(size) = i64::try_from(received.stored.size) else {
        discard(state, scope, &received.stored).await;
        return Err(ApiError::PayloadTooLarge);
    };
    let new = NewDocumentVersion {
        blob_key: received.stored.key.to_string(),
        sha256: received.stored.sha256,
        size,
        content_type: received.content_type.to_owned(),
        file_name,
        via_share_link: received.via_share_link,
    };
    // The quota was checked before streaming; uploads running side by side could each fit
    // then and overshoot together. Checking again and recording under one lock per tenant
    // keeps the total within the quota (in this process; replicas each check their own).
    let quota_lock = state.quota_lock(scope.tenant_id());
    let _recording = match &quota_lock {
        Some(lock) => Some(lock.lock().await),
        None => None,
    };
    if let Some(quota) = state.config().tenant_quota_bytes {
        let used = state.stores().documents.stored_bytes(scope).await;
        let over = used.map(|used| used.saturating_add(received.stored.size) > quota);
        if !matches!(over, Ok(false)) {
            discard(state, scope, &received.stored).await;
            return Err(match over {
                Ok(_) => ApiError::QuotaExceeded,
                Err(error) => error.into(),
            });
        }
    }
    match store(new).await {
        Ok(recorded) => Ok(recorded),
        Err(error) => {
            discard(state, scope, &received.stored).await;
            Err(error.into())
        }
    }
}

/// Deletes the blob of an upload the store refused to record.
pub(super) async fn discard(state: &PortalState, scope: &TenantScope, stored: &StoredBlob) {
    if let Err(error) = state.blobs().delete(scope.tenant_id(), &stored.key).await {
        tracing::warn!(%error, "could not delete the blob of a refused upload");
    }
}

fn put_failed(error: BlobError, limit: UploadLimit) -> ApiError {
    match error {
        BlobError::TooLarge { .. } => limit.exceeded(),
        // The request body itself failed: the client went away or sent less than announced.
        BlobError::Io(io)
            if io
                .get_ref()
                .is_some_and(|source| source.is::<axum::Error>()) =>
        {
            interrupted()
        }
        other => ApiError::internal(other),
    }
}

pub(super) fn interrupted() -> ApiError {
    ApiError::BadRequest("the upload broke off".to_owned())
}

/// Whether the request says `Content-Type: application/octet-stream` (parameters aside).
fn sent_as_upload(headers: &HeaderMap) -> bool {
    sent_as(headers, UPLOAD_MEDIA_TYPE)
}

/// Whether the request's `Content-Type` is `media_type` (parameters aside).
pub(super) fn sent_as(headers: &HeaderMap, media_type: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|sent| sent.trim().eq_ignore_ascii_case(media_type))
}

fn wrong_media_type() -> Response {
    unsupported_media_type(UPLOAD_MEDIA_TYPE)
}

/// 415, naming the media type expected.
pub(super) fn unsupported_media_type(expected: &str) -> Response {
    error_response(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        &format!("expected {expected}"),
    )
}

/// Refuses a body whose `Content-Length` is over the limit before any of it is read.
/// How much one upload may hold: the per-upload limit, or what is left of the tenant's quota if
/// that is less (SEC-35). Uploads streaming side by side are checked again when recorded.
#[derive(Debug, Clone, Copy)]
pub(super) struct UploadLimit {
    /// The most bytes one upload may hold now.
    pub(super) bytes: u64,
    by_quota: bool,
}

impl UploadLimit {
    pub(super) async fn of(state: &PortalState, scope: &TenantScope) -> Result<Self, ApiError> {
        let config = state.config();
        let Some(quota) = config.tenant_quota_bytes else {
            return Ok(Self {
                bytes: config.max_upload_bytes,
                by_quota: false,
            });
        };
        let used = state.stores().documents.stored_bytes(scope).await?;
        let left = quota.saturating_sub(used);
        if left == 0 {
            return Err(ApiError::QuotaExceeded);
        }
        Ok(Self {
            bytes: left.min(config.max_upload_bytes),
            by_quota: left < config.max_upload_bytes,
        })
    }

    /// Refuses a body whose `Content-Length` is over the limit before reading any of it.
    fn admits(self, headers: &HeaderMap) -> Result<(), ApiError> {
        announced_size_fits(headers, self.bytes).map_err(|_| self.exceeded())
    }

    /// The error for a body over the limit.
    pub(super) const fn exceeded(self) -> ApiError {
        if self.by_quota {
            ApiError::QuotaExceeded
        } else {
            ApiError::PayloadTooLarge
        }
    }
}

pub(super) fn announced_size_fits(headers: &HeaderMap, limit: u64) -> Result<(), ApiError> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if announced.is_some_and(|size| size > limit) {
        Err(ApiError::PayloadTooLarge)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn only_octet_stream_is_an_upload_sec_31() {
        assert!(sent_as_upload(&headers(&[(
            header::CONTENT_TYPE,
            "Application/Octet-Stream; x=1"
        )])));
        for refused in [
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "text/html",
            "application/pdf",
        ] {
            assert!(!sent_as_upload(&headers(&[(
                header::CONTENT_TYPE,
                refused
            )])));
        }
        assert!(!sent_as_upload(&HeaderMap::new()));
    }

    #[test]
    fn an_announced_size_over_the_limit_is_refused_sec_35() {
        let fits = |length| announced_size_fits(&headers(&[(header::CONTENT_LENGTH, length)]), 10);
        assert!(fits("10").is_ok());
        assert!(matches!(fits("11"), Err(ApiError::PayloadTooLarge)));
        assert!(fits("junk").is_ok(), "left to the streaming limit");
        assert!(announced_size_fits(&HeaderMap::new(), 10).is_ok());
    }
}
