//! "View as client": staff with `view_as_client` see the portal as a client's contact would,
//! read-only, audited, under a banner.

use axum::http::HeaderMap;
use portal_core::TenantScope;

use super::super::page::{PageError, PageRequest, PreviewBanner};
use super::super::session::SignedIn;
use crate::state::PortalState;

/// The preview a signed-in request asks for, if any: its read-only scope and its banner.
pub(crate) async fn apply(
    _state: &PortalState,
    _page: &PageRequest,
    _signed_in: &SignedIn,
    _headers: &HeaderMap,
) -> Result<Option<(TenantScope, PreviewBanner)>, PageError> {
    Ok(None)
}
