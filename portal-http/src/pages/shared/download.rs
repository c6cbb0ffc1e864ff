//! `GET share/{token}/documents/{document_id}/download`: a document the link's page lists, when
//! the link allows downloads — one use of the link. The API's own function serves the file, so
//! it comes exactly as a signed-in download does, and records it with the link as the
//! downloader. A link without downloads, and a document the page would not list, answer the
//! branded 404.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use portal_core::DocumentId;

use super::super::page::{PageError, PageRequest};
use super::view::listed_version;
use super::{Refusal, open};
use crate::api::documents::download::serve;
use crate::extract::ClientIp;
use crate::state::PortalState;

/// `GET share/{token}/documents/{document_id}/download`: the current version.
pub(super) async fn latest(
    State(state): State<PortalState>,
    page: PageRequest,
    ip: ClientIp,
    Path((token, document)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match send(&state, &page, ip, &token, &document, &headers).await {
        Ok(response) => response,
        Err(refusal) => refusal.answer(&page),
    }
}

async fn send(
    state: &PortalState,
    page: &PageRequest,
    ip: ClientIp,
    token: &str,
    document: &str,
    headers: &HeaderMap,
) -> Result<Response, Refusal> {
    let opened = open(state, page, ip, token).await?;
    if !opened.link.allow_download {
        return Err(PageError::NotFound.into());
    }
    let id: DocumentId = document.parse().map_err(|_| PageError::NotFound)?;
    let document = state
        .stores()
        .documents
        .document(&opened.scope, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let version = listed_version(state, &opened, &document)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok(serve(
        state,
        &opened.scope,
        &document,
        &version,
        headers,
        Some(opened.link.id),
    )
    .await?)
}
