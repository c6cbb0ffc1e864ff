//! Branded, server-rendered pages under the tenant's base, for browsers without any script:
//! `login` (password, then the second factor when the account has one), `logout` and the
//! overview at `/`, the no-login pages of a share link (`share/{token}`, see [`shared`]), plus
//! their stylesheets under `assets/`. Same tenant resolution, same session cookie and same
//! stores as the JSON API; the overview is built by the API's own dashboard function.
//!
//! Every form carries a CSRF token ([`csrf`]); every page has a CSP without inline script or
//! style. Unknown page paths — and anything of another tenant — answer the tenant's branded 404.

mod account;
mod admin;
mod assets;
mod catalogue;
pub(crate) mod client;
mod csrf;
mod dashboard;
mod form;
mod format;
mod locale;
mod login;
mod mail_link;
mod nav;
mod notifications;
mod page;
mod session;
mod shared;
mod signed;
mod staff;
mod templates;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use self::assets::Script;
use self::catalogue::{Catalogue, CatalogueError};
use self::page::{PageError, PageRequest};
use self::templates::Templates;
use crate::config::HttpConfig;
use crate::error::ApiError;
use crate::state::PortalState;

/// What the pages share: templates, the catalogue and the stylesheet's version.
pub(crate) struct Pages {
    templates: Templates,
    catalogue: Arc<Catalogue>,
    stylesheet_version: String,
    script_versions: Vec<(Script, String)>,
    secure_cookies: bool,
    session_cookie: &'static str,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("stylesheet_version", &self.stylesheet_version)
            .finish_non_exhaustive()
    }
}

/// Why the pages could not be set up: a compiled-in template or catalogue is broken.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PagesError {
    /// The catalogue does not parse.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// A template does not compile.
    #[error("page template: {0}")]
    Template(#[from] minijinja::Error),
}

impl Pages {
    /// The pages for `config`, with its template overrides.
    pub(crate) fn new(config: &HttpConfig) -> Result<Self, PagesError> {
        let catalogue = Arc::new(Catalogue::new()?);
        let templates = Templates::new(catalogue.clone(), config.pages.template_dir.as_deref())?;
        Ok(Self {
            templates,
            catalogue,
            stylesheet_version: assets::version(assets::STYLESHEET),
            script_versions: Script::ALL
                .into_iter()
                .map(|script| (script, assets::version(script.source())))
                .collect(),
            secure_cookies: config.secure_cookies,
            session_cookie: config.session_cookie_name(),
        })
    }
}

impl Pages {
    /// The current version of `script`.
    pub(crate) fn script_version(&self, script: Script) -> &str {
        self.script_versions
            .iter()
            .find_map(|(candidate, version)| (*candidate == script).then_some(version.as_str()))
            .unwrap_or_default()
    }
}

/// The page routes, relative to the tenant's base. They find [`Pages`] in the request's
/// extensions, where [`crate::router`] puts it.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/login/mfa", post(login::second_factor))
        .route("/logout", post(login::logout))
        .route("/assets/{file}", get(asset))
        .route("/notifications", get(notifications::show))
        .route("/notifications/read", post(notifications::mark_read))
        .route(
            "/mail/preferences/{token}",
            get(mail_link::show).post(mail_link::submit),
        )
        .merge(client::routes())
        .merge(account::routes())
        .merge(staff::routes())
        .merge(admin::routes())
        .merge(shared::routes())
        // A GET of a form's action (a bookmark, a reload) gets the branded 404, not a bare 405.
        .method_not_allowed_fallback(fallback)
}

/// Any path no route has: the API's JSON 404 for an API path (any segment `api`), the branded
/// 404 page elsewhere.
pub(crate) async fn fallback(State(state): State<PortalState>, request: Request<Body>) -> Response {
    if crate::security::is_api(request.uri().path()) {
        return ApiError::NoRoute.into_response();
    }
    match PageRequest::of(&request) {
        // In the signed-in person's language and look, like every other page they see.
        Some(page) => page
            .seen_by_session(&state, request.headers())
            .await
            .error(PageError::NotFound),
        None => ApiError::NoRoute.into_response(),
    }
}

/// The branded 403 for a form post refused as cross-site (SEC-31), if the request reached a
/// tenant; `None` leaves the API's JSON refusal.
pub(crate) fn refused_form(request: &Request<Body>) -> Option<Response> {
    PageRequest::of(request).map(|page| page.error(PageError::Forbidden))
}

/// `assets/portal-<hash>.css`, the scripts, and the tenant's or a client's theme.
async fn asset(
    State(state): State<PortalState>,
    page: PageRequest,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    assets::serve(&state, &page, &headers, &file).await
}
