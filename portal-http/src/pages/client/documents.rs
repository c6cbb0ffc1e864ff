//! The documents: the list by project (newest first, filtered by project), one document with
//! its versions, uploads — a new document, or a new version of one — and downloads of each
//! version. Uploads and downloads go through the API's own functions (size limit, quota, content
//! sniffing, checksum; attachment headers, `nosniff`, sandbox), so a page can never store or
//! serve a file the API would refuse.

pub(crate) mod caller;
mod detail;
mod download;
pub(crate) mod form_body;
mod list;
pub(super) mod people;
pub(crate) mod size;
pub(crate) mod upload;

use axum::Router;
use axum::routing::get;

use crate::state::PortalState;

/// This family's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/documents", get(list::show).post(upload::new_document))
        .route("/documents/{document_id}", get(detail::show))
        .route(
            "/documents/{document_id}/versions",
            get(detail::back_to_document).post(upload::new_version),
        )
        .route("/documents/{document_id}/download", get(download::latest))
        .route(
            "/documents/{document_id}/versions/{version_id}/download",
            get(download::version),
        )
}

/// This family's templates: `(name, compiled-in source)`.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "client/documents.html",
        include_str!("../../../templates/client/documents.html"),
    ),
    (
        "client/document.html",
        include_str!("../../../templates/client/document.html"),
    ),
    (
        "client/documents-upload.html",
        include_str!("../../../templates/client/documents-upload.html"),
    ),
];
