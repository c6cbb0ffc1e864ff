//! The tus 1.0.0 protocol's headers: what a request says and what an answer carries
//! (<https://tus.io/protocols/resumable-upload>, core protocol with the creation, expiration and
//! termination extensions).

use std::collections::HashMap;

use axum::http::header::{CACHE_CONTROL, HeaderMap, HeaderName, HeaderValue};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

use crate::error::ApiError;

/// The one protocol version spoken.
pub(super) const VERSION: &str = "1.0.0";
/// The extensions offered.
pub(super) const EXTENSIONS: &str = "creation,expiration,termination";
/// The media type of a `PATCH` body.
pub(super) const PATCH_MEDIA_TYPE: &str = "application/offset+octet-stream";

pub(super) const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
pub(super) const TUS_VERSION: HeaderName = HeaderName::from_static("tus-version");
pub(super) const TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
pub(super) const TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
pub(super) const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
pub(super) const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
pub(super) const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
pub(super) const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
pub(super) const UPLOAD_DEFER_LENGTH: HeaderName = HeaderName::from_static("upload-defer-length");
/// The document a finished upload became (this API's own header).
pub(super) const PORTAL_DOCUMENT_ID: HeaderName = HeaderName::from_static("portal-document-id");
/// The version a finished upload became (this API's own header).
pub(super) const PORTAL_VERSION_ID: HeaderName = HeaderName::from_static("portal-version-id");

/// Refuses a request that does not speak this protocol's version: 412 with the versions spoken.
pub(super) fn require_version(headers: &HeaderMap) -> Result<(), Box<Response>> {
    match headers.get(TUS_RESUMABLE) {
        Some(version) if version.as_bytes() == VERSION.as_bytes() => Ok(()),
        _ => {
            let mut response = ApiError::BadRequest(format!(
                "send Tus-Resumable: {VERSION} (the only version spoken)"
            ))
            .into_response();
            *response.status_mut() = StatusCode::PRECONDITION_FAILED;
            response
                .headers_mut()
                .insert(TUS_VERSION, HeaderValue::from_static(VERSION));
            Err(Box::new(response))
        }
    }
}

/// A header holding a non-negative decimal integer, as `Upload-Length` and `Upload-Offset` do.
/// Absent or malformed: a 400 naming the header.
pub(super) fn number(headers: &HeaderMap, name: &HeaderName) -> Result<u64, ApiError> {
    let value = headers
        .get(name)
        .ok_or_else(|| ApiError::BadRequest(format!("the {name} header is missing")))?;
    value
        .to_str()
        .ok()
        .filter(|text| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "the {name} header must be a non-negative whole number of bytes"
            ))
        })
}

/// `Upload-Metadata`: comma-separated pairs of a key and its value in base64 (the value may be
/// left out). Keys must be unique; values must be UTF-8 here, as every key read is text.
pub(super) fn metadata(headers: &HeaderMap) -> Result<HashMap<String, String>, ApiError> {
    let malformed = |why: &str| ApiError::BadRequest(format!("Upload-Metadata: {why}"));
    let Some(value) = headers.get(UPLOAD_METADATA) else {
        return Ok(HashMap::new());
    };
    let text = value
        .to_str()
        .map_err(|_| malformed("must be ASCII text"))?;
    let mut pairs = HashMap::new();
    for pair in text
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
    {
        let mut parts = pair.split(' ').filter(|part| !part.is_empty());
        let (Some(key), value, None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed("each pair is a key and a base64 value"));
        };
        let decoded = match value {
            Some(encoded) => STANDARD
                .decode(encoded)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| malformed(&format!("the value of {key} is not base64 of UTF-8")))?,
            None => String::new(),
        };
        if pairs.insert(key.to_owned(), decoded).is_some() {
            return Err(malformed(&format!("{key} is given twice")));
        }
    }
    Ok(pairs)
}

/// Adds `Tus-Resumable` to an answer, as every answer of the protocol carries it.
pub(super) fn spoken(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
    response
}

/// A number as a header value.
pub(super) fn value(number: u64) -> HeaderValue {
    HeaderValue::from(number)
}

/// `Upload-Expires`: an RFC 9110 date (IMF-fixdate).
pub(super) fn expires(at: OffsetDateTime) -> Option<HeaderValue> {
    let at = at.to_offset(time::UtcOffset::UTC);
    // RFC 2822's form with the zone as `GMT`, which is what HTTP dates are.
    let text = at.format(&Rfc2822).ok()?;
    let text = text
        .strip_suffix(" +0000")
        .map_or(text.clone(), |date| format!("{date} GMT"));
    HeaderValue::from_str(&text).ok()
}

/// Answers are never cached: an offset changes with every part.
pub(super) fn no_store(headers: &mut HeaderMap) {
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// Whether the request carries a body (the creation-with-upload extension is not offered).
pub(super) fn has_body(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|length| length.trim() != "0")
        || headers.contains_key(header::TRANSFER_ENCODING)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: HeaderName, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn metadata_pairs_are_decoded() {
        let parsed = metadata(&headers(
            UPLOAD_METADATA,
            "filename cmVwb3J0LnBkZg==, is_confidential,project MDE5",
        ))
        .unwrap();
        assert_eq!(parsed["filename"], "report.pdf");
        assert_eq!(parsed["is_confidential"], "");
        assert_eq!(parsed["project"], "019");
        assert!(metadata(&HeaderMap::new()).unwrap().is_empty());
    }

    #[test]
    fn malformed_metadata_is_refused() {
        for bad in [
            "filename !!!",
            "filename cmVwb3J0 extra",
            "filename cmVwb3J0LnBkZg==,filename cmVwb3J0LnBkZg==",
            "filename //79",
        ] {
            assert!(
                matches!(
                    metadata(&headers(UPLOAD_METADATA, bad)),
                    Err(ApiError::BadRequest(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(
            number(&headers(UPLOAD_OFFSET, "42"), &UPLOAD_OFFSET).unwrap(),
            42
        );
        for bad in ["", "-1", "+1", "1e3", " 1", "18446744073709551616"] {
            let mut map = HeaderMap::new();
            map.insert(UPLOAD_OFFSET, HeaderValue::from_str(bad).unwrap());
            assert!(number(&map, &UPLOAD_OFFSET).is_err(), "{bad:?}");
        }
        assert!(number(&HeaderMap::new(), &UPLOAD_OFFSET).is_err());
    }

    #[test]
    fn versions_other_than_1_0_0_are_refused() {
        assert!(require_version(&headers(TUS_RESUMABLE, "1.0.0")).is_ok());
        let refused = require_version(&headers(TUS_RESUMABLE, "0.2.2")).unwrap_err();
        assert_eq!(refused.status(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(refused.headers()[TUS_VERSION], "1.0.0");
        assert!(require_version(&HeaderMap::new()).is_err());
    }

    #[test]
    fn expiry_is_an_http_date() {
        let at = time::macros::datetime!(2026-11-24 08:49:37 UTC);
        assert_eq!(expires(at).unwrap(), "Tue, 24 Nov 2026 08:49:37 GMT");
    }
}
