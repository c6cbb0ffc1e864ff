//! Downloads from the pages: the API's own download functions answer, so the file comes exactly
//! as the API sends it — an attachment with its RFC 6266 name, `nosniff`, a sandboxing CSP,
//! `no-store`, byte ranges — and only to a viewer the API would send it to. A document or
//! version the viewer may not see is the branded 404, a role without `download_documents` the
//! branded 403.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use portal_core::{DocumentId, DocumentVersionId};

use super::super::super::page::PageError;
use super::super::super::signed::SignedPage;
use super::caller::api_caller;
use crate::api::documents::download::{download_latest, download_version};
use crate::extract::ApiPath;

/// `GET documents/{id}/download`: the current version.
pub(super) async fn latest(
    page: SignedPage,
    Path(document): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(document) = document.parse::<DocumentId>() else {
        return page.fail(PageError::NotFound);
    };
    let caller = api_caller(&page);
    match download_latest(
        State(page.state.clone()),
        caller,
        ApiPath(document),
        headers,
    )
    .await
    {
        Ok(response) => response,
        Err(error) => page.fail(error),
    }
}

/// `GET documents/{id}/versions/{version}/download`: one version.
pub(super) async fn version(
    page: SignedPage,
    Path((document, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (Ok(document), Ok(version)) = (
        document.parse::<DocumentId>(),
        version.parse::<DocumentVersionId>(),
    ) else {
        return page.fail(PageError::NotFound);
    };
    let caller = api_caller(&page);
    let path = ApiPath((document, version));
    match download_version(State(page.state.clone()), caller, path, headers).await {
        Ok(response) => response,
        Err(error) => page.fail(error),
    }
}
