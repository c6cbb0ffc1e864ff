//! Resumable uploads over the tus 1.0.0 protocol (core, creation, expiration, termination): a
//! large file over a slow or mobile link arrives in parts, and a dropped connection costs only
//! the part in flight.
//!
//! 1. `POST /uploads` with `Upload-Length` and `Upload-Metadata` (`filename`, and `project` or
//!    `document`; for a new document also `title` and `visibility`) begins an upload. The name,
//!    the target, the permission and the size — against the upload limit and what is left of the
//!    tenant's quota — are all checked here, before the first byte (413 when too large).
//! 2. `PATCH /uploads/{id}` with `Upload-Offset` and an `application/offset+octet-stream` body
//!    appends a part; `HEAD /uploads/{id}` says where to resume after a dropped connection.
//!    The first part is sniffed like an ordinary upload, so a file that is not what its name says
//!    is refused at once (SEC-36).
//! 3. The part that completes the file commits it exactly like an ordinary upload: one SHA-256
//!    over every byte, an atomic commit in the blob store, the quota checked again, then the
//!    document (or version) recorded and audited. The answer names it in `Portal-Document-Id` and
//!    `Portal-Version-Id`.
//! 4. `DELETE /uploads/{id}` gives an upload up; an upload not finished within
//!    [`HttpConfig::resumable_upload_lifetime`](crate::HttpConfig::resumable_upload_lifetime) is
//!    discarded by [`sweep_expired_uploads`].
//!
//! An upload belongs to whoever began it — the user, or a share link's visitor (the pages'
//! `share/{token}/uploads`) — and anyone else (another user, link or tenant) gets 404, as for an
//! id never issued.

mod protocol;

use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use portal_core::model::{ShareLink, ShareTarget};
use portal_core::{DocumentId, Permission, ProjectId, TenantScope, Visibility};
use portal_storage::blob::{BlobError, ByteRange, UploadId, byte_stream};
use portal_storage::rules;
use portal_storage::traits::{NewResumableUpload, ResumableUpload, UploadOwner, UploadTarget};
use time::OffsetDateTime;

use self::protocol::{
    EXTENSIONS, PATCH_MEDIA_TYPE, PORTAL_DOCUMENT_ID, PORTAL_VERSION_ID, TUS_EXTENSION,
    TUS_MAX_SIZE, TUS_VERSION, UPLOAD_DEFER_LENGTH, UPLOAD_EXPIRES, UPLOAD_LENGTH, UPLOAD_OFFSET,
    VERSION,
};
use super::names::{self, SafeName};
use super::sniff::{FileKind, SNIFF_BYTES};
use super::upload::{
    Head, Received, UploadLimit, announced_size_fits, content_mismatch, discard, document_title,
    interrupted, read_head, record, sent_as, unsupported_media_type,
};
use super::{error_response, visible_document};
use crate::api::work::visible_project;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, Caller, ClientIp};
use crate::state::PortalState;

/// How many expired uploads one sweep discards at most.
const SWEEP_BATCH: u32 = 500;

/// What this server offers: the protocol's version and extensions, and the largest upload.
#[utoipa::path(options, path = "/uploads", tag = "documents",
    responses((status = 204, description = "Headers only: `Tus-Version: 1.0.0`, `Tus-Extension: creation,expiration,termination`, `Tus-Max-Size` (the largest upload in bytes)")))]
pub async fn upload_options(State(state): State<PortalState>) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(TUS_VERSION, HeaderValue::from_static(VERSION));
    headers.insert(TUS_EXTENSION, HeaderValue::from_static(EXTENSIONS));
    headers.insert(
        TUS_MAX_SIZE,
        protocol::value(state.config().max_upload_bytes),
    );
    protocol::spoken(response)
}

/// Begins a resumable upload (tus creation): nothing of the file is sent yet.
#[utoipa::path(post, path = "/uploads", tag = "documents",
    params(
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
        ("Upload-Length" = u64, Header, description = "The whole file's size in bytes"),
        ("Upload-Metadata" = String, Header, description = "Comma-separated `key base64(value)` pairs: `filename` (required; its extension must be an accepted one), and either `project` (a project's id: a new document; then optionally `title`, and `visibility` `internal` — the default — or `shared`) or `document` (a document's id: its next version). Other keys are ignored."),
    ),
    responses(
        (status = 201, description = "Begun: `Location` is the upload's URL, `Upload-Expires` when it is given up if not finished"),
        (status = 400, description = "A header is missing or malformed, or a body was sent (send the bytes with PATCH)", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not upload documents (or publish them)", body = ErrorBody),
        (status = 404, description = "No such project or document the caller may see", body = ErrorBody),
        (status = 412, description = "Not `Tus-Resumable: 1.0.0`", body = ErrorBody),
        (status = 413, description = "Over the upload limit or what is left of the tenant's storage quota (`quota_exceeded`), refused before any byte", body = ErrorBody),
        (status = 422, description = "The file name's extension is not accepted, or the title or visibility is not valid", body = ErrorBody),
    ))]
pub async fn create_upload(
    State(state): State<PortalState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let sends_bytes = sends_bytes(&headers, &body);
    match Uploader::of(&caller) {
        Ok(uploader) => begin(&state, &uploader, uri.path(), &headers, sends_bytes).await,
        Err(error) => protocol::spoken(error.into_response()),
    }
}

/// Where an upload stands: the offset to resume from.
#[utoipa::path(head, path = "/uploads/{upload_id}", tag = "documents",
    params(
        ("upload_id" = String, Path, description = "The upload, from the `Location` of its creation"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
    ),
    responses(
        (status = 200, description = "Headers only: `Upload-Offset` (the bytes kept), `Upload-Length`, `Upload-Expires`"),
        (status = 401, description = "No valid credentials"),
        (status = 404, description = "No such upload of the caller's (never begun, finished, given up or expired)"),
        (status = 412, description = "Not `Tus-Resumable: 1.0.0`"),
    ))]
pub async fn upload_offset(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(upload_id): ApiPath<String>,
    headers: HeaderMap,
) -> Response {
    match Uploader::of(&caller) {
        Ok(uploader) => offset(&state, &uploader, &upload_id, &headers).await,
        Err(error) => protocol::spoken(error.into_response()),
    }
}

/// Appends a part at the upload's offset; the part that completes the file records it.
#[utoipa::path(patch, path = "/uploads/{upload_id}", tag = "documents",
    params(
        ("upload_id" = String, Path, description = "The upload"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
        ("Upload-Offset" = u64, Header, description = "Where the part starts: the upload's current offset"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream",
        description = "The part's bytes, raw."),
    responses(
        (status = 204, description = "Kept: `Upload-Offset` is the new offset. When it completes the file, the document is recorded and named in `Portal-Document-Id` and `Portal-Version-Id`"),
        (status = 400, description = "`Upload-Offset` missing or malformed, or the part broke off (what arrived is kept: ask HEAD where to resume)", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may no longer upload documents (or publish them)", body = ErrorBody),
        (status = 404, description = "No such upload of the caller's", body = ErrorBody),
        (status = 409, description = "`Upload-Offset` is not the upload's offset (the message names it)", body = ErrorBody),
        (status = 412, description = "Not `Tus-Resumable: 1.0.0`", body = ErrorBody),
        (status = 413, description = "The part goes past the declared length, or the finished file no longer fits the tenant's storage quota", body = ErrorBody),
        (status = 415, description = "Not sent as `application/offset+octet-stream`", body = ErrorBody),
        (status = 422, description = "The content is not the kind of file its name says (the upload is given up)", body = ErrorBody),
        (status = 423, description = "Another part of this upload is being received", body = ErrorBody),
    ))]
pub async fn append_upload(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath(upload_id): ApiPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match Uploader::of(&caller) {
        Ok(uploader) => append(&state, &uploader, ip, &upload_id, &headers, body).await,
        Err(error) => protocol::spoken(error.into_response()),
    }
}

/// Gives an upload up (tus termination): its staged bytes are discarded.
#[utoipa::path(delete, path = "/uploads/{upload_id}", tag = "documents",
    params(
        ("upload_id" = String, Path, description = "The upload"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
    ),
    responses(
        (status = 204, description = "Given up"),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such upload of the caller's", body = ErrorBody),
        (status = 412, description = "Not `Tus-Resumable: 1.0.0`", body = ErrorBody),
    ))]
pub async fn cancel_upload(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(upload_id): ApiPath<String>,
    headers: HeaderMap,
) -> Response {
    match Uploader::of(&caller) {
        Ok(uploader) => cancel(&state, &uploader, &upload_id, &headers).await,
        Err(error) => protocol::spoken(error.into_response()),
    }
}

/// Who sends a resumable upload: a caller of the API, or a share link's visitor.
pub(crate) struct Uploader {
    /// The scope the stores are called with: the caller's, or a system scope of the link's
    /// tenant.
    scope: TenantScope,
    /// Who owns the uploads it begins.
    owner: UploadOwner,
    /// The link a visitor came through, checked by the caller: its uploads become internal
    /// documents of its project, and each finished one is audited as the link's.
    link: Option<ShareLink>,
}

impl Uploader {
    /// The API's caller; a caller that is no person may not upload.
    fn of(caller: &Caller) -> Result<Self, ApiError> {
        let user = caller
            .scope
            .principal()
            .user_id()
            .ok_or(ApiError::Forbidden)?;
        Ok(Self {
            scope: caller.scope.clone(),
            owner: UploadOwner::User(user),
            link: None,
        })
    }

    /// A visitor through `link`, which the caller found working and allowing uploads.
    pub(crate) fn through_link(link: ShareLink) -> Self {
        Self {
            scope: TenantScope::dangerous_system(link.tenant),
            owner: UploadOwner::ShareLink(link.id),
            link: Some(link),
        }
    }
}

/// Discards the staged bytes and records of uploads not finished in time, in every tenant;
/// answers how many went. Run it now and then (the example server does, hourly).
///
/// # Errors
/// A store's error when the expired uploads cannot be listed or their records deleted; a blob
/// store that cannot discard one upload's bytes is only logged (its idle sweep takes them).
pub async fn sweep_expired_uploads(state: &PortalState) -> Result<u64, ApiError> {
    let now = OffsetDateTime::now_utc();
    let uploads = &state.stores().uploads;
    let expired = uploads.expired_resumable_uploads(now, SWEEP_BATCH).await?;
    for (tenant, id) in &expired {
        match state.blobs().abort_upload(*tenant, id).await {
            Ok(()) | Err(BlobError::NotFound) => {}
            Err(error) => tracing::warn!(%error, "could not discard an expired upload's bytes"),
        }
    }
    let deleted = uploads.delete_expired_resumable_uploads(now).await?;
    // Uploads idle for longer than any may live are left-overs whose record is gone already.
    let idle = state.config().resumable_upload_lifetime.saturating_mul(2);
    if let Err(error) = state.blobs().sweep_uploads(idle).await {
        tracing::warn!(%error, "could not sweep idle uploads");
    }
    Ok(deleted)
}

/// Whether a creation request carries bytes (refused: creation-with-upload is not offered).
pub(crate) fn sends_bytes(headers: &HeaderMap, body: &Body) -> bool {
    use axum::body::HttpBody as _;
    protocol::has_body(headers) || (!body.is_end_stream() && body.size_hint().exact() != Some(0))
}

/// The answer for an upload that is not the requester's to see: 404, as for one never begun.
pub(crate) fn no_such_upload() -> Response {
    answer(Err(refused(ApiError::NotFound)))
}

/// An answer, or the refusal to give instead (boxed: a response is large).
type Answer = Result<Response, Box<Response>>;

/// The response of an answer, with the protocol's header.
fn answer(answer: Answer) -> Response {
    protocol::spoken(answer.unwrap_or_else(|refused| *refused))
}

fn refused(error: impl Into<ApiError>) -> Box<Response> {
    Box::new(error.into().into_response())
}

/// `POST` of the creation extension, for `uploader`; `path` is the request's (the upload's URL is
/// under it). `sends_bytes`: the request has a body (refused: creation-with-upload is not offered).
pub(crate) async fn begin(
    state: &PortalState,
    uploader: &Uploader,
    path: &str,
    headers: &HeaderMap,
    sends_bytes: bool,
) -> Response {
    answer(try_begin(state, uploader, path, headers, sends_bytes).await)
}

async fn try_begin(
    state: &PortalState,
    uploader: &Uploader,
    path: &str,
    headers: &HeaderMap,
    sends_bytes: bool,
) -> Answer {
    let scope = &uploader.scope;
    protocol::require_version(headers)?;
    if sends_bytes {
        return Err(refused(ApiError::BadRequest(
            "send the file's bytes with PATCH to the upload's URL (creation with upload is not offered)"
                .to_owned(),
        )));
    }
    if headers.contains_key(UPLOAD_DEFER_LENGTH) {
        return Err(refused(ApiError::BadRequest(
            "Upload-Length is required (a deferred length is not offered)".to_owned(),
        )));
    }
    let length = protocol::number(headers, &UPLOAD_LENGTH).map_err(refused)?;
    let limit = UploadLimit::of(state, scope).await.map_err(refused)?;
    if length > limit.bytes {
        return Err(refused(limit.exceeded()));
    }
    let metadata = protocol::metadata(headers).map_err(refused)?;
    let file_name = metadata.get("filename").ok_or_else(|| {
        refused(ApiError::invalid(
            "filename",
            "Upload-Metadata must name the file (filename)",
        ))
    })?;
    let SafeName { name, .. } = names::file_name(file_name).map_err(refused)?;
    let target = target(state, uploader, &metadata, &name)
        .await
        .map_err(refused)?;

    let tenant = scope.tenant_id();
    let id = state
        .blobs()
        .begin_upload(tenant, length, limit.bytes)
        .await
        .map_err(|error| match error {
            BlobError::TooLarge { .. } => refused(limit.exceeded()),
            other => refused(ApiError::internal(other)),
        })?;
    let now = OffsetDateTime::now_utc();
    let lifetime = time::Duration::try_from(state.config().resumable_upload_lifetime)
        .unwrap_or(time::Duration::DAY);
    let new = NewResumableUpload {
        id,
        target,
        file_name: name,
        length,
        created_at: now,
        expires_at: now + lifetime,
    };
    let upload = match state
        .stores()
        .uploads
        .create_resumable_upload(scope, uploader.owner, new)
        .await
    {
        Ok(upload) => upload,
        Err(error) => {
            abandon_bytes(state, scope, id).await;
            return Err(refused(error));
        }
    };
    let mut response = StatusCode::CREATED.into_response();
    let location = format!("{}/{id}", path.trim_end_matches('/'));
    let response_headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response_headers.insert(header::LOCATION, location);
    }
    expiry(response_headers, &upload);
    Ok(response)
}

/// What the upload becomes, from its metadata; the permission is checked here, before any byte.
async fn target(
    state: &PortalState,
    uploader: &Uploader,
    metadata: &std::collections::HashMap<String, String>,
    file_name: &str,
) -> Result<UploadTarget, ApiError> {
    let scope = &uploader.scope;
    if let Some(link) = &uploader.link {
        // Always a new document of the link's project, internal until the team shares it.
        if metadata.contains_key("document") {
            return Err(ApiError::invalid(
                "document",
                "a share link's uploads are new documents",
            ));
        }
        let ShareTarget::Project(project) = link.target;
        return Ok(UploadTarget::NewDocument {
            project,
            title: document_title(metadata.get("title").map(String::as_str), file_name)?,
            visibility: Visibility::Internal,
        });
    }
    let id = |key: &'static str| {
        metadata
            .get(key)
            .map(|text| {
                uuid::Uuid::parse_str(text)
                    .map_err(|_| ApiError::invalid(key, "must be an id (a UUID)"))
            })
            .transpose()
    };
    match (id("project")?, id("document")?) {
        (Some(project), None) => {
            let project = visible_project(state, scope, ProjectId::from_uuid(project)).await?;
            rules::require_in_client(
                scope,
                Permission::UploadDocuments,
                project.client,
                Visibility::Shared,
            )?;
            let title = document_title(metadata.get("title").map(String::as_str), file_name)?;
            let visibility = match metadata.get("visibility").map(String::as_str) {
                None | Some("internal") => Visibility::Internal,
                Some("shared") => Visibility::Shared,
                Some(_) => {
                    return Err(ApiError::invalid(
                        "visibility",
                        "must be internal or shared",
                    ));
                }
            };
            Ok(UploadTarget::NewDocument {
                project: project.id,
                title,
                visibility,
            })
        }
        (None, Some(document)) => {
            let document = visible_document(state, scope, DocumentId::from_uuid(document)).await?;
            rules::require_on(scope, Permission::UploadDocuments, &document)?;
            Ok(UploadTarget::NextVersion {
                document: document.id,
            })
        }
        _ => Err(ApiError::invalid(
            "project",
            "Upload-Metadata must name either a project (a new document) or a document (its next version)",
        )),
    }
}

/// The uploader's upload `raw_id`, or 404 for anything else.
async fn find(
    state: &PortalState,
    uploader: &Uploader,
    raw_id: &str,
) -> Result<ResumableUpload, Box<Response>> {
    let Ok(id) = UploadId::parse(raw_id) else {
        return Err(refused(ApiError::NotFound));
    };
    state
        .stores()
        .uploads
        .resumable_upload(
            &uploader.scope,
            uploader.owner,
            id,
            OffsetDateTime::now_utc(),
        )
        .await
        .map_err(refused)?
        .ok_or_else(|| refused(ApiError::NotFound))
}

/// `HEAD` of an upload of `uploader`'s.
pub(crate) async fn offset(
    state: &PortalState,
    uploader: &Uploader,
    raw_id: &str,
    headers: &HeaderMap,
) -> Response {
    answer(try_offset(state, uploader, raw_id, headers).await)
}

async fn try_offset(
    state: &PortalState,
    uploader: &Uploader,
    raw_id: &str,
    headers: &HeaderMap,
) -> Answer {
    let scope = &uploader.scope;
    protocol::require_version(headers)?;
    let upload = find(state, uploader, raw_id).await?;
    let progress = state
        .blobs()
        .upload_progress(scope.tenant_id(), &upload.id)
        .await
        .map_err(blob_refusal)?;
    let mut response = StatusCode::OK.into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(UPLOAD_OFFSET, protocol::value(progress.offset));
    response_headers.insert(UPLOAD_LENGTH, protocol::value(progress.length));
    expiry(response_headers, &upload);
    protocol::no_store(response_headers);
    Ok(response)
}

/// `PATCH` of an upload of `uploader`'s: a part, and the finish when it is the last.
pub(crate) async fn append(
    state: &PortalState,
    uploader: &Uploader,
    ip: ClientIp,
    raw_id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    answer(try_append(state, uploader, ip, raw_id, headers, body).await)
}

async fn try_append(
    state: &PortalState,
    uploader: &Uploader,
    ip: ClientIp,
    raw_id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Answer {
    let scope = &uploader.scope;
    protocol::require_version(headers)?;
    if !sent_as(headers, PATCH_MEDIA_TYPE) {
        return Err(Box::new(unsupported_media_type(PATCH_MEDIA_TYPE)));
    }
    let at = protocol::number(headers, &UPLOAD_OFFSET).map_err(refused)?;
    let upload = find(state, uploader, raw_id).await?;
    // A part announced longer than what is left is refused before any of it is read.
    announced_size_fits(headers, upload.length.saturating_sub(at)).map_err(refused)?;
    let kind = names::file_name(&upload.file_name).map_err(refused)?.kind;
    let tenant = scope.tenant_id();
    let part = if at == 0 {
        // The first part is sniffed before it is kept, as an ordinary upload's head is.
        let Head { bytes, ended, rest } = read_head(body, upload.length)
            .await
            .map_err(|error| refused(error.unwrap_or(ApiError::PayloadTooLarge)))?;
        let whole = ended && u64::try_from(bytes.len()).ok() == Some(upload.length);
        if (bytes.len() >= SNIFF_BYTES || whole)
            && !kind.matches(bytes.get(..SNIFF_BYTES).unwrap_or(&bytes), whole)
        {
            give_up(state, uploader, &upload).await;
            return Err(refused(content_mismatch()));
        }
        rest.into_stream(bytes)
    } else {
        byte_stream(
            body.into_data_stream()
                .map(|chunk| chunk.map_err(std::io::Error::other)),
        )
    };
    let offset = state
        .blobs()
        .append(tenant, &upload.id, at, part)
        .await
        .map_err(blob_refusal)?;
    if offset < upload.length {
        let mut response = StatusCode::NO_CONTENT.into_response();
        response
            .headers_mut()
            .insert(UPLOAD_OFFSET, protocol::value(offset));
        expiry(response.headers_mut(), &upload);
        return Ok(response);
    }
    finish(state, uploader, ip, &upload, kind).await
}

/// Commits a complete upload and records it as its target says.
async fn finish(
    state: &PortalState,
    uploader: &Uploader,
    ip: ClientIp,
    upload: &ResumableUpload,
    kind: FileKind,
) -> Answer {
    let scope = &uploader.scope;
    let tenant = scope.tenant_id();
    let stored = state
        .blobs()
        .finish_upload(tenant, &upload.id)
        .await
        .map_err(blob_refusal)?;
    // From here on the staging is gone: whatever happens, the record goes too.
    forget(state, uploader, upload).await;
    if !sniffed_as(state, scope, &stored, kind).await {
        discard(state, scope, &stored).await;
        return Err(refused(content_mismatch()));
    }
    let received = Received {
        stored,
        content_type: kind.content_type(),
        via_share_link: uploader.link.as_ref().map(|link| link.id),
    };
    let audit = ip.audit();
    let documents = &state.stores().documents;
    let name = upload.file_name.clone();
    let (document, version) = match &upload.target {
        UploadTarget::NewDocument {
            project,
            title,
            visibility,
        } => {
            let project = visible_project(state, scope, *project)
                .await
                .map_err(refused)?;
            let new = portal_core::model::NewDocument {
                client: project.client,
                project: Some(project.id),
                title: title.clone(),
                visibility: *visibility,
            };
            let (document, version) = record(state, scope, received, name, |version| {
                documents.create_document_with_version(scope, new, version, &audit)
            })
            .await
            .map_err(refused)?;
            (document.id, version.id)
        }
        UploadTarget::NextVersion { document } => {
            let version = record(state, scope, received, name, |version| {
                documents.add_version(scope, *document, version, &audit)
            })
            .await
            .map_err(refused)?;
            (*document, version.id)
        }
    };
    if let Some(link) = &uploader.link {
        // The store recorded the document under a system scope: this names the link as its
        // source. The file is kept either way; a lost event is logged.
        if let Err(error) = state
            .share_links()
            .record_upload(link, document, version, &audit)
            .await
        {
            tracing::warn!(%error, "could not audit an upload through a share link");
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(UPLOAD_OFFSET, protocol::value(upload.length));
    for (name, id) in [
        (PORTAL_DOCUMENT_ID, *document.as_uuid()),
        (PORTAL_VERSION_ID, *version.as_uuid()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

/// Whether a committed blob's first bytes are a `kind` file: the last word on a file whose first
/// part was too short to judge.
async fn sniffed_as(
    state: &PortalState,
    scope: &TenantScope,
    stored: &portal_storage::blob::StoredBlob,
    kind: FileKind,
) -> bool {
    let window = u64::try_from(SNIFF_BYTES).unwrap_or(u64::MAX);
    let range = (stored.size > 0).then_some(ByteRange::FromTo {
        first: 0,
        last: window - 1,
    });
    let Ok(read) = state
        .blobs()
        .get(scope.tenant_id(), &stored.key, range)
        .await
    else {
        return false;
    };
    let mut head = Vec::new();
    let mut body = read.body;
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else { return false };
        head.extend_from_slice(&chunk);
    }
    kind.matches(&head, stored.size <= window)
}

/// `DELETE` of an upload of `uploader`'s.
pub(crate) async fn cancel(
    state: &PortalState,
    uploader: &Uploader,
    raw_id: &str,
    headers: &HeaderMap,
) -> Response {
    answer(try_cancel(state, uploader, raw_id, headers).await)
}

async fn try_cancel(
    state: &PortalState,
    uploader: &Uploader,
    raw_id: &str,
    headers: &HeaderMap,
) -> Answer {
    protocol::require_version(headers)?;
    let upload = find(state, uploader, raw_id).await?;
    give_up(state, uploader, &upload).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Discards an upload's staged bytes and its record.
async fn give_up(state: &PortalState, uploader: &Uploader, upload: &ResumableUpload) {
    abandon_bytes(state, &uploader.scope, upload.id).await;
    forget(state, uploader, upload).await;
}

async fn abandon_bytes(state: &PortalState, scope: &TenantScope, id: UploadId) {
    match state.blobs().abort_upload(scope.tenant_id(), &id).await {
        Ok(()) | Err(BlobError::NotFound) => {}
        Err(error) => tracing::warn!(%error, "could not discard an upload's staged bytes"),
    }
}

async fn forget(state: &PortalState, uploader: &Uploader, upload: &ResumableUpload) {
    if let Err(error) = state
        .stores()
        .uploads
        .delete_resumable_upload(&uploader.scope, uploader.owner, upload.id)
        .await
    {
        tracing::warn!(%error, "could not delete a resumable upload's record");
    }
}

fn expiry(headers: &mut HeaderMap, upload: &ResumableUpload) {
    if let Some(expires) = protocol::expires(upload.expires_at) {
        headers.insert(UPLOAD_EXPIRES, expires);
    }
}

/// The answer to a blob store's refusal of a part.
fn blob_refusal(error: BlobError) -> Box<Response> {
    match error {
        BlobError::NotFound | BlobError::InvalidUploadId => refused(ApiError::NotFound),
        BlobError::OffsetMismatch { expected, given } => {
            let mut response = error_response(
                StatusCode::CONFLICT,
                "offset_mismatch",
                &format!("the upload is at byte {expected}, not {given}: resume from there"),
            );
            response
                .headers_mut()
                .insert(UPLOAD_OFFSET, protocol::value(expected));
            Box::new(response)
        }
        BlobError::BeyondLength { .. } | BlobError::TooLarge { .. } => {
            refused(ApiError::PayloadTooLarge)
        }
        BlobError::UploadBusy => Box::new(error_response(
            StatusCode::LOCKED,
            "upload_busy",
            "another part of this upload is being received",
        )),
        // The part itself broke off: what arrived is kept.
        BlobError::Io(io)
            if io
                .get_ref()
                .is_some_and(|source| source.is::<axum::Error>()) =>
        {
            refused(interrupted())
        }
        other => refused(ApiError::internal(other)),
    }
}
