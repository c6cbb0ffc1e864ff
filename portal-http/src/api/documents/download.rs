//! Downloads: always an attachment that the browser saves and never renders as part of the
//! portal (SEC-38), whole or one byte range.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use portal_core::model::{Document, DocumentVersion};
use portal_core::{DocumentId, DocumentVersionId, Permission, ShareLinkId, TenantScope};
use portal_storage::blob::{BlobError, BlobKey, ByteRange};
use portal_storage::{NewDownload, rules};
use time::OffsetDateTime;

use super::names;
use super::sniff::FileKind;
use super::{error_response, visible_document};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, Caller};
use crate::state::PortalState;

/// What a downloaded file may do if a browser opens it anyway: nothing. `sandbox` gives it an
/// opaque origin without scripts, so even an HTML or SVG file could not act as the portal.
const DOWNLOAD_CSP: &str = "sandbox; default-src 'none'; frame-ancestors 'none'";

/// Every media type a download is served as: each type of the allow-list (without its
/// parameters), and `application/octet-stream` for a recorded type the portal did not sniff.
pub(crate) fn served_media_types() -> Vec<&'static str> {
    let mut types = Vec::new();
    for (_, content_type) in super::sniff::ALLOWED_EXTENSIONS {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or(content_type)
            .trim();
        if !types.contains(&essence) {
            types.push(essence);
        }
    }
    types.push("application/octet-stream");
    types
}

/// Downloads a document's current version.
#[utoipa::path(get, path = "/documents/{document_id}/download", tag = "documents",
    params(
        ("document_id" = String, Path, format = Uuid, description = "The document"),
        ("Range" = Option<String>, Header, description = "One range, `bytes=first-last`, `bytes=first-` or `bytes=-suffix`; several ranges or another unit are ignored (200)"),
        ("If-Range" = Option<String>, Header, description = "The `ETag` the range was taken from; another serves the whole file"),
    ),
    responses(
        (status = 200, description = "The whole file, as an attachment", content_type = "application/octet-stream", body = Vec<u8>,
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename=\"…\"; filename*=UTF-8''…` (RFC 6266)"),
                ("Content-Type" = String, description = "The type sniffed at upload"),
                ("Content-Security-Policy" = String, description = "`sandbox`"),
                ("X-Content-Type-Options" = String, description = "`nosniff`"),
                ("Accept-Ranges" = String, description = "`bytes`"),
                ("ETag" = String, description = "The version's SHA-256"),
            )),
        (status = 206, description = "One range of the file", content_type = "application/octet-stream", body = Vec<u8>,
            headers(("Content-Range" = String, description = "`bytes first-last/size`"))),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not download documents", body = ErrorBody),
        (status = 404, description = "No such document the caller may see, or no version yet", body = ErrorBody),
        (status = 416, description = "The range lies outside the file; `Content-Range: bytes */size`", body = ErrorBody),
    ))]
pub async fn download_latest(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(document_id): ApiPath<DocumentId>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let documents = &state.stores().documents;
    let document = visible_document(&state, &caller.scope, document_id).await?;
    let current = document.current_version.ok_or(ApiError::NotFound)?;
    let version = documents
        .version(&caller.scope, current)
        .await?
        .ok_or(ApiError::NotFound)?;
    serve(&state, &caller.scope, &document, &version, &headers, None).await
}

/// Downloads one version of a document.
#[utoipa::path(get, path = "/documents/{document_id}/versions/{version_id}/download", tag = "documents",
    params(
        ("document_id" = String, Path, format = Uuid, description = "The document"),
        ("version_id" = String, Path, format = Uuid, description = "One of its versions"),
        ("Range" = Option<String>, Header, description = "One byte range, as for the current version"),
        ("If-Range" = Option<String>, Header, description = "The `ETag` the range was taken from"),
    ),
    responses(
        (status = 200, description = "The whole file, as an attachment (headers as for the current version)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "One range of the file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not download documents", body = ErrorBody),
        (status = 404, description = "No such version of a document the caller may see", body = ErrorBody),
        (status = 416, description = "The range lies outside the file", body = ErrorBody),
    ))]
pub async fn download_version(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath((document_id, version_id)): ApiPath<(DocumentId, DocumentVersionId)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let documents = &state.stores().documents;
    let document = visible_document(&state, &caller.scope, document_id).await?;
    // The path names the document too: a version of any other document is not found here.
    let version = documents
        .version(&caller.scope, version_id)
        .await?
        .filter(|version| version.document == document.id)
        .ok_or(ApiError::NotFound)?;
    serve(&state, &caller.scope, &document, &version, &headers, None).await
}

/// Streams a version's bytes, whole or the one range asked for, and records the download —
/// through `share_link` when a share-link visitor (under a system scope of the tenant) takes it.
pub(crate) async fn serve(
    state: &PortalState,
    scope: &TenantScope,
    document: &Document,
    version: &DocumentVersion,
    headers: &HeaderMap,
    share_link: Option<ShareLinkId>,
) -> Result<Response, ApiError> {
    // Seeing a document needs `view_documents` (the store checks it); taking its bytes also
    // needs `download_documents`, which no store read covers.
    rules::require_on(scope, Permission::DownloadDocuments, document)?;
    let key = BlobKey::parse(&version.blob_key).map_err(ApiError::internal)?;
    let etag = format!("\"{}\"", version.sha256.to_hex());
    let range = requested_range(headers, &etag);
    let read = match state.blobs().get(scope.tenant_id(), &key, range).await {
        Ok(read) => read,
        Err(BlobError::RangeNotSatisfiable { size }) => return Ok(not_satisfiable(size)),
        Err(error) => return Err(ApiError::internal(error)),
    };
    if starts_a_download(range) {
        record_download(state, scope, version, share_link).await;
    }
    let content_range = range.and(read.content_range());
    let length = read.len();
    let mut response = Response::new(Body::from_stream(read.body));
    if content_range.is_some() {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    // Only a type this portal sniffed is served; anything else recorded is opaque bytes.
    let content_type = FileKind::of_content_type(&version.content_type)
        .map_or("application/octet-stream", FileKind::content_type);
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    out.insert(
        header::CONTENT_DISPOSITION,
        names::content_disposition(&version.file_name),
    );
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOWNLOAD_CSP),
    );
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, etag);
    }
    if let Some(value) = content_range.and_then(|range| HeaderValue::from_str(&range).ok()) {
        out.insert(header::CONTENT_RANGE, value);
    }
    Ok(response)
}

/// Records the download for the adoption figures. Every download path — the API's, the
/// pages' and the share links', which answer through it — passes here once the bytes are on
/// their way. A failure is logged and the file still served: a lost count must never cost a
/// download.
async fn record_download(
    state: &PortalState,
    scope: &TenantScope,
    version: &DocumentVersion,
    share_link: Option<ShareLinkId>,
) {
    let download = NewDownload {
        version: version.id,
        share_link,
        at: OffsetDateTime::now_utc(),
    };
    if let Err(error) = state
        .stores()
        .analytics
        .record_download(scope, download)
        .await
    {
        tracing::warn!(%error, version = %version.id, "download not recorded");
    }
}

/// Whether a request counts as a download: the whole file, or a range from its first byte. A
/// later range resumes a download already counted.
const fn starts_a_download(range: Option<ByteRange>) -> bool {
    matches!(
        range,
        None | Some(ByteRange::From(0) | ByteRange::FromTo { first: 0, .. })
    )
}

fn not_satisfiable(size: u64) -> Response {
    let mut response = error_response(
        StatusCode::RANGE_NOT_SATISFIABLE,
        "range_not_satisfiable",
        "the requested range lies outside the file",
    );
    if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
        response.headers_mut().insert(header::CONTENT_RANGE, value);
    }
    response
}

/// The one byte range a request asks for (RFC 9110 §14.2). A malformed header, several ranges,
/// another unit, or an `If-Range` that is not this version's `ETag` ask for the whole file.
fn requested_range(headers: &HeaderMap, etag: &str) -> Option<ByteRange> {
    let value = headers.get(header::RANGE)?.to_str().ok()?;
    if let Some(validator) = headers.get(header::IF_RANGE)
        && validator.as_bytes() != etag.as_bytes()
    {
        return None;
    }
    let (unit, spec) = value.split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return None;
    }
    let (first, last) = spec.trim().split_once('-')?;
    match (first.trim(), last.trim()) {
        ("", "") => None,
        ("", suffix) => Some(ByteRange::Suffix(position(suffix)?)),
        (first, "") => Some(ByteRange::From(position(first)?)),
        (first, last) => Some(ByteRange::FromTo {
            first: position(first)?,
            last: position(last)?,
        }),
    }
}

/// A byte position: digits only (`u64::from_str` would also take a sign).
fn position(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETAG: &str = "\"abc\"";

    fn range(value: &'static str) -> Option<ByteRange> {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_static(value));
        requested_range(&headers, ETAG)
    }

    #[test]
    fn single_byte_ranges_are_parsed() {
        assert_eq!(
            range("bytes=0-9"),
            Some(ByteRange::FromTo { first: 0, last: 9 })
        );
        assert_eq!(range("Bytes = 5-"), Some(ByteRange::From(5)));
        assert_eq!(range("bytes=-20"), Some(ByteRange::Suffix(20)));
        for ignored in [
            "bytes=0-1,3-4",
            "items=0-9",
            "bytes=-",
            "bytes=+1-2",
            "bytes=a-b",
            "bytes=1-2-3",
            "bytes 0-9",
            "bytes=99999999999999999999999-",
        ] {
            assert_eq!(range(ignored), None, "{ignored}");
        }
        assert_eq!(requested_range(&HeaderMap::new(), ETAG), None);
    }

    #[test]
    fn if_range_must_name_this_version() {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_static("bytes=0-0"));
        headers.insert(header::IF_RANGE, HeaderValue::from_static("\"other\""));
        assert_eq!(requested_range(&headers, ETAG), None);
        headers.insert(header::IF_RANGE, HeaderValue::from_static(ETAG));
        assert!(requested_range(&headers, ETAG).is_some());
    }
}
