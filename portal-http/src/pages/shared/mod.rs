//! `share/{token}`: what a share link shows a visitor without a login (SEC-14) — one project's
//! name and status, its shared milestones and deliverables, and its shared documents, with a
//! download of each when the link allows downloads
//! (`share/{token}/documents/{document_id}/download`). The link's address comes from
//! [`PortalLinks::share_link`](portal_auth::PortalLinks::share_link).
//!
//! - **Uses.** Every request through a link is one use: showing the page, and each download
//!   (a resumed range too), each counted atomically by
//!   [`ShareLinks::open_from`](portal_auth::ShareLinks::open_from), which appends
//!   `share_link.used` with the visitor's address. A link limited to `n` uses serves `n` such
//!   requests in all — the page once and a file once take two.
//! - **One answer for every dead link.** An unknown, malformed, revoked, expired or used-up
//!   token, a token of another tenant, and a link whose project (or client) is no longer shared
//!   all get the same page with the same `404`.
//! - **Only shared content.** The link reads under a system scope of its tenant, as the store
//!   expects of share links, so this module applies the client's rule of effective visibility
//!   itself: the project must be shared; a milestone, deliverable or document shows only when it
//!   is shared too, belongs to the link's client and hangs under the link's project. A document
//!   the page would not list — internal, another project's or client's, not yet uploaded — is the
//!   branded 404, and so is any download through a link without `allow_download`.
//! - **Downloads** are served by the API's own function (attachment, RFC 6266 name, `nosniff`,
//!   sandboxing CSP, byte ranges) and recorded for the adoption figures with the link as the
//!   downloader ([`NewDownload::share_link`](portal_storage::NewDownload)).
//! - **Headers.** Every answer here also carries `X-Robots-Tag: noindex`; `Referrer-Policy:
//!   no-referrer` (the token is in the address) and `Cache-Control: no-store` come with every
//!   portal answer already. The per-address rate limit covers these paths like any other.

mod download;
mod upload;
mod view;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, head, post};
use portal_auth::AuthError;
use portal_core::model::{Project, ShareLink, ShareTarget};
use portal_core::{ClientId, ProjectId, TenantScope, Visibility};
use serde::Serialize;

use super::page::{PageError, PageRequest};
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::state::PortalState;

/// The page of a link that does not work.
const UNAVAILABLE_TEMPLATE: &str = "shared/unavailable.html";

/// This family's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/share/{token}", get(view::show))
        .route(
            "/share/{token}/documents/{document_id}/download",
            get(download::latest),
        )
        .route("/share/{token}/documents", post(upload::submit))
        .route(
            "/share/{token}/uploads",
            post(upload::begin).options(upload::options),
        )
        .route(
            "/share/{token}/uploads/{upload_id}",
            head(upload::offset)
                .patch(upload::append)
                .delete(upload::cancel),
        )
        .layer(axum::middleware::map_response(no_index))
}

/// This family's templates: `(name, compiled-in source)`.
pub(crate) const TEMPLATES: &[&[(&str, &str)]] = &[&[
    (
        "shared/project.html",
        include_str!("../../../templates/shared/project.html"),
    ),
    (
        "shared/unavailable.html",
        include_str!("../../../templates/shared/unavailable.html"),
    ),
]];

/// Keeps search engines from indexing a page whose address carries a token.
async fn no_index(mut response: Response) -> Response {
    response.headers_mut().insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

/// A link that works, opened for this request.
pub(super) struct Opened {
    /// The link, with this use counted.
    pub(super) link: ShareLink,
    /// The system scope of the link's tenant: the store's scope for share links. Everything read
    /// with it is filtered here to what the link may show.
    pub(super) scope: TenantScope,
    /// The project the link shows (shared, of the link's client).
    pub(super) project: Project,
}

/// Why a request through a link gets no content.
pub(super) enum Refusal {
    /// The link does not work, for whatever reason: the one page for all of them.
    Unavailable,
    /// Anything else: the branded error page.
    Page(PageError),
}

impl From<PageError> for Refusal {
    fn from(error: PageError) -> Self {
        Self::Page(error)
    }
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Self::Page(PageError::from(error))
    }
}

impl From<portal_storage::StoreError> for Refusal {
    fn from(error: portal_storage::StoreError) -> Self {
        Self::from(ApiError::from(error))
    }
}

impl Refusal {
    /// The answer for this refusal.
    pub(super) fn answer(self, page: &PageRequest) -> Response {
        match self {
            Self::Unavailable => unavailable(page),
            Self::Page(error) => page.error(error),
        }
    }
}

/// Opens `token` for `page`'s tenant, counting one use: the link, its project and the scope to
/// read them with, or [`Refusal::Unavailable`] for every reason the link does not work here.
///
/// The use is counted before the tenant and the project are checked — the store finds a link by
/// its token alone — so a link presented at another tenant's address, or whose project was
/// withdrawn, spends a use on the same dead-link page.
pub(super) async fn open(
    state: &PortalState,
    page: &PageRequest,
    ip: ClientIp,
    token: &str,
) -> Result<Opened, Refusal> {
    let link = match state.share_links().open_from(token, &ip.audit()).await {
        Ok(link) => link,
        Err(AuthError::InvalidShareLink) => return Err(Refusal::Unavailable),
        Err(error) => return Err(ApiError::from(error).into()),
    };
    if link.tenant != page.tenant.id {
        return Err(Refusal::Unavailable);
    }
    let scope = TenantScope::dangerous_system(link.tenant);
    let stores = state.stores();
    let client = stores.clients.client(&scope, link.client).await?;
    if client.is_none_or(|client| client.archived || client.offboarded_at.is_some()) {
        return Err(Refusal::Unavailable);
    }
    let ShareTarget::Project(project_id) = link.target;
    let project = stores
        .projects
        .project(&scope, project_id)
        .await?
        .filter(|project| project.client == link.client && project.visibility.is_shared())
        .ok_or(Refusal::Unavailable)?;
    Ok(Opened {
        link,
        scope,
        project,
    })
}

/// Whether an object of `client` and `project` with `visibility` shows through `opened`: the
/// client's rule of effective visibility, for the one project the link shows.
pub(super) fn shows(
    opened: &Opened,
    client: ClientId,
    project: Option<ProjectId>,
    visibility: Visibility,
) -> bool {
    client == opened.link.client && project == Some(opened.project.id) && visibility.is_shared()
}

#[derive(Debug, Serialize)]
struct UnavailableView {}

/// The page of a link that does not work: the same words and the same `404` for every cause.
fn unavailable(page: &PageRequest) -> Response {
    page.render(
        StatusCode::NOT_FOUND,
        UNAVAILABLE_TEMPLATE,
        page.layout(None, None),
        UnavailableView {},
    )
}
