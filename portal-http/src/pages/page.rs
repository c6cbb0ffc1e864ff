//! One page request: the tenant it is for, the language, the look, the base path its links start
//! with, and how it answers — a rendered page, a redirect, or a branded error page.
//!
//! The language and the look are chosen here and nowhere else. Language: the signed-in person's
//! preference, else the tenant's default, else the browser's `Accept-Language`, else English
//! ([`Locale::choose`]). Look: the tenant's, except for a client's contact (or a preview of a
//! client) whose client has a look of its own.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use minijinja::value::{Serde, Value};
use portal_core::model::{Branding, Tenant};
use portal_core::{ClientFilter, ClientId, TenantScope};
use serde::Serialize;

use super::Pages;
use super::assets::{self, Script};
use super::locale::Locale;
use super::nav::Nav;
use super::session;
use crate::error::ApiError;
use crate::state::PortalState;
use crate::tenant::RequestTenant;

/// The pages' CSP: no inline script or style at all, so the theme is a stylesheet of its own;
/// logos and favicons may come from any https origin; scripts may talk to the portal only (the
/// upload progress bar sends its form itself) (SEC-32).
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' https:; font-src 'self' https:; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// A page that could not be shown as asked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PageError {
    /// The request could not be read (400).
    #[error("bad request")]
    BadRequest,
    /// A form without its token, or from another site (403, SEC-31).
    #[error("form refused")]
    Forbidden,
    /// Nothing here — or nothing the caller may know of (404, SEC-26).
    #[error("not found")]
    NotFound,
    /// A fault of the server (500); logged, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl PageError {
    /// A server fault from any error.
    pub(crate) fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    /// The catalogue id of the error page's heading.
    pub(crate) const fn title_message(&self) -> &'static str {
        match self {
            Self::BadRequest => "error-400-title",
            Self::Forbidden => "error-403-title",
            Self::NotFound => "error-404-title",
            Self::Internal(_) => "error-500-title",
        }
    }

    /// The catalogue id of the error page's explanation.
    pub(crate) const fn text_message(&self) -> &'static str {
        match self {
            Self::BadRequest => "error-400-text",
            Self::Forbidden => "error-403-text",
            Self::NotFound => "error-404-text",
            Self::Internal(_) => "error-500-text",
        }
    }

    const fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::NotFound | ApiError::NoRoute => Self::NotFound,
            ApiError::Forbidden | ApiError::CrossSite => Self::Forbidden,
            ApiError::BadRequest(_) | ApiError::Invalid { .. } => Self::BadRequest,
            other => Self::internal(other),
        }
    }
}

/// The request a page answers.
#[derive(Clone)]
pub(crate) struct PageRequest {
    /// Templates, catalogue, cookie settings.
    pub(crate) pages: Arc<Pages>,
    /// The tenant the request is addressed to.
    pub(crate) tenant: Tenant,
    /// The language of the answer.
    pub(crate) locale: Locale,
    /// What every link starts with: the host's mount point and the tenant's slug (empty on a
    /// custom domain mounted at the root).
    pub(crate) base: String,
    /// The look the page is shown in.
    pub(crate) look: Look,
    /// The language the browser asks for, for [`Locale::choose`].
    accept_language: Option<Locale>,
}

/// The look a page is shown in: the tenant's, or a client's own.
#[derive(Debug, Clone)]
pub(crate) struct Look {
    /// Name, logo, favicon, colours, font and custom CSS.
    pub(crate) branding: Branding,
    /// The client whose own look it is; `None` for the tenant's.
    pub(crate) client: Option<ClientId>,
}

impl Look {
    /// The tenant's look.
    fn of_tenant(tenant: &Tenant) -> Self {
        Self {
            branding: tenant.branding.clone(),
            client: None,
        }
    }
}

impl std::fmt::Debug for PageRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageRequest")
            .field("tenant", &self.tenant.slug)
            .field("locale", &self.locale)
            .field("base", &self.base)
            .field("look", &self.look.client)
            .finish_non_exhaustive()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::from_parts(&parts.extensions, &parts.headers, &parts.uri)
            .ok_or_else(|| ApiError::NotFound.into_response())
    }
}

impl PageRequest {
    /// The page request of a whole request, when it reached a tenant.
    pub(crate) fn of(request: &Request<Body>) -> Option<Self> {
        Self::from_parts(request.extensions(), request.headers(), request.uri())
    }

    fn from_parts(extensions: &Extensions, headers: &HeaderMap, uri: &Uri) -> Option<Self> {
        let pages = extensions.get::<Arc<Pages>>()?.clone();
        let RequestTenant(tenant) = extensions.get::<RequestTenant>()?.clone();
        let accept_language = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(Locale::accepted);
        let original = extensions.get::<OriginalUri>().map(|OriginalUri(uri)| uri);
        let base = base_path(original, uri, &tenant);
        let look = Look::of_tenant(&tenant);
        let mut page = Self {
            pages,
            tenant,
            locale: Locale::En,
            base,
            look,
            accept_language,
        };
        page.prefer_locale(None);
        Some(page)
    }

    /// Sets the language from the reader's own `preference` (a stored tag), else the default of
    /// the look shown (a client's own look, then the tenant's), else the browser's, else English.
    pub(crate) fn prefer_locale(&mut self, preference: Option<&str>) {
        // A client's own look may name its own default; else the tenant's counts.
        let default = self
            .look
            .branding
            .default_locale
            .as_ref()
            .or(self.tenant.branding.default_locale.as_ref())
            .map(|tag| tag.as_str());
        self.locale = Locale::choose(preference, default, self.accept_language);
    }

    /// Shows the page in the look `scope` gets: its client's own when the scope is a client's
    /// (a contact, or a preview) reaching exactly one client, and that client has one; else the
    /// tenant's. A contact of several clients sees the tenant's look, which is neither's.
    pub(crate) async fn show_look_of(
        &mut self,
        state: &PortalState,
        scope: &TenantScope,
    ) -> Result<(), PageError> {
        self.look = Look::of_tenant(&self.tenant);
        if scope.is_staff_side() {
            return Ok(());
        }
        let ClientFilter::Only(clients) = scope.reachable_clients() else {
            return Ok(());
        };
        let [client] = clients.as_slice() else {
            return Ok(());
        };
        let found = state
            .stores()
            .clients
            .client(scope, *client)
            .await
            .map_err(|error| PageError::from(ApiError::from(error)))?;
        if let Some(client) = found
            && let Some(branding) = client.branding
        {
            self.look = Look {
                branding,
                client: Some(client.id),
            };
        }
        Ok(())
    }

    /// The page as the request's session sees it — in the person's language and look — for
    /// answers given without a [`SignedPage`](super::signed::SignedPage) (the 404 of an unknown
    /// path). Without a live session, or if looking it up fails, the page stays as it is.
    pub(crate) async fn seen_by_session(
        mut self,
        state: &PortalState,
        headers: &HeaderMap,
    ) -> Self {
        let Ok(Some(signed_in)) =
            session::signed_in(state, &self.pages, &self.tenant, headers).await
        else {
            return self;
        };
        let scope = signed_in.authenticated.scope;
        let Some(user_id) = scope.principal().user_id() else {
            return self;
        };
        let preference = match state.stores().identities.user(&scope, user_id).await {
            Ok(Some(user)) => user.locale,
            _ => None,
        };
        if self.show_look_of(state, &scope).await.is_err() {
            self.look = Look::of_tenant(&self.tenant);
        }
        // After the look: a client's own default language counts before the tenant's.
        self.prefer_locale(preference.as_deref());
        self
    }

    /// What every page's layout needs: the tenant's look, the language, the stylesheets and,
    /// when signed in, who is and the token of the sign-out form.
    pub(crate) fn layout(&self, viewer: Option<Viewer>, csrf_token: Option<String>) -> Layout {
        let branding = &self.look.branding;
        Layout {
            locale: self.locale,
            base: self.base.clone(),
            tenant: TenantView {
                name: branding.display_name.as_str().to_owned(),
                logo_url: branding
                    .logo_url
                    .as_ref()
                    .map(|url| url.as_str().to_owned()),
                favicon_url: branding
                    .favicon_url
                    .as_ref()
                    .map(|url| url.as_str().to_owned()),
            },
            assets: AssetUrls {
                stylesheet: format!(
                    "{}/assets/portal-{}.css",
                    self.base, self.pages.stylesheet_version
                ),
                theme: assets::theme_url(&self.base, &self.look),
                script: self.script_url(Script::Portal),
                branding_script: self.script_url(Script::Branding),
                passkey_script: self.script_url(Script::Passkey),
            },
            viewer,
            csrf_token,
            nav: None,
            notice: None,
            preview: None,
        }
    }

    /// The current URL of `script`.
    fn script_url(&self, script: Script) -> String {
        format!(
            "{}/assets/{}-{}.js",
            self.base,
            script.name(),
            self.pages.script_version(script)
        )
    }

    /// `template` rendered with `layout` and `page`, with the pages' headers.
    pub(crate) fn render(
        &self,
        status: StatusCode,
        template: &str,
        layout: Layout,
        page: impl Serialize,
    ) -> Response {
        let context = Value::from(Serde(Context { layout, page }));
        match self.pages.templates.render(template, context) {
            Ok(html) => self.html(status, html),
            Err(error) => {
                tracing::error!(template, %error, details = ?error, "a page did not render");
                if template == ERROR_TEMPLATE {
                    // The error page itself failed: a bare answer rather than a loop.
                    return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
                }
                self.error(PageError::Internal(Box::new(error)))
            }
        }
    }

    /// The branded error page for `error`; a server fault is logged, never shown.
    pub(crate) fn error(&self, error: PageError) -> Response {
        if let PageError::Internal(source) = &error {
            tracing::error!(error = %source, details = ?source, "page request failed");
        }
        let status = error.status();
        let layout = self.layout(None, None);
        self.render(
            status,
            ERROR_TEMPLATE,
            layout,
            ErrorView {
                status: status.as_u16(),
                title_message: error.title_message(),
                text_message: error.text_message(),
            },
        )
    }

    /// A 303 to `path` under the tenant's base (`/` is the overview).
    pub(crate) fn redirect(&self, path: &str) -> Response {
        let location = format!("{}{path}", self.base);
        let mut response = StatusCode::SEE_OTHER.into_response();
        match HeaderValue::from_str(&location) {
            Ok(value) => {
                response.headers_mut().insert(header::LOCATION, value);
                response
            }
            Err(error) => self.error(PageError::internal(error)),
        }
    }

    fn html(&self, status: StatusCode, html: String) -> Response {
        let mut response = (status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(self.locale.tag()),
        );
        response
    }
}

/// The error page's template.
const ERROR_TEMPLATE: &str = "error.html";

/// What every template gets: the layout's fields at the top, the page's own under `page`.
#[derive(Serialize)]
struct Context<P> {
    #[serde(flatten)]
    layout: Layout,
    page: P,
}

/// The layout's data.
#[derive(Debug, Serialize)]
pub(crate) struct Layout {
    locale: Locale,
    base: String,
    tenant: TenantView,
    assets: AssetUrls,
    viewer: Option<Viewer>,
    csrf_token: Option<String>,
    /// The navigation, on signed-in pages.
    pub(crate) nav: Option<Nav>,
    /// The catalogue id of a confirmation to show once (after a form was saved).
    pub(crate) notice: Option<String>,
    /// The banner of a "view as client" preview.
    pub(crate) preview: Option<PreviewBanner>,
}

/// What the banner of a "view as client" preview names.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PreviewBanner {
    /// The client seen.
    pub(crate) client: String,
    /// The client role whose view it is.
    pub(crate) role: String,
}

#[derive(Debug, Serialize)]
struct TenantView {
    name: String,
    logo_url: Option<String>,
    favicon_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct AssetUrls {
    stylesheet: String,
    theme: String,
    /// `portal.js`, on every page.
    script: String,
    /// `branding.js`, for the branding editor.
    branding_script: String,
    /// `passkey.js`, for the sign-in form and the passkeys page.
    passkey_script: String,
}

/// Who is signed in, as the header shows them.
#[derive(Debug, Serialize)]
pub(crate) struct Viewer {
    /// Their name.
    pub(crate) name: String,
}

#[derive(Debug, Serialize)]
struct ErrorView {
    status: u16,
    title_message: &'static str,
    text_message: &'static str,
}

/// The tenant's base: the request's original path without the part the routes saw. Falls back to
/// `/{slug}` when the two do not line up, and never yields a scheme-relative `//host`.
fn base_path(original: Option<&Uri>, current: &Uri, tenant: &Tenant) -> String {
    let fallback = || format!("/{}", tenant.slug.as_str());
    let Some(original) = original else {
        return fallback();
    };
    let (original, current) = (original.path(), current.path());
    let base = match original.strip_suffix(current) {
        Some(base) => base,
        // `/acme` reaches the routes as `/`.
        None if current == "/" => original,
        None => return fallback(),
    };
    let base = base.trim_end_matches('/');
    if base.starts_with("//") || base.contains('\\') || !(base.is_empty() || base.starts_with('/'))
    {
        return fallback();
    }
    base.to_owned()
}

#[cfg(test)]
mod tests {
    use portal_core::model::Branding;
    use portal_core::{DisplayName, HexColour, Slug, TenantId};
    use time::OffsetDateTime;

    use super::*;

    fn tenant() -> Tenant {
        Tenant {
            id: TenantId::new(),
            slug: Slug::parse("acme").unwrap(),
            branding: Branding {
                display_name: DisplayName::parse("Acme").unwrap(),
                logo_url: None,
                favicon_url: None,
                primary_colour: HexColour::parse("#123456").unwrap(),
                accent_colour: HexColour::parse("#abcdef").unwrap(),
                font: None,
                custom_css: None,
                email_sender_name: None,
                email_sender_address: None,
                default_locale: None,
            },
            domains: Vec::new(),
            require_mfa_staff: false,
            require_mfa_contacts: false,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn base(original: &str, current: &str) -> String {
        let original: Uri = original.parse().unwrap();
        base_path(Some(&original), &current.parse().unwrap(), &tenant())
    }

    #[test]
    fn every_error_has_its_messages_in_every_locale() {
        let catalogue = super::super::catalogue::Catalogue::new().unwrap();
        let errors = [
            PageError::BadRequest,
            PageError::Forbidden,
            PageError::NotFound,
            PageError::internal(std::fmt::Error),
        ];
        for error in &errors {
            for locale in Locale::ALL {
                catalogue.text(locale, error.title_message(), None).unwrap();
                catalogue.text(locale, error.text_message(), None).unwrap();
            }
        }
    }

    #[test]
    fn the_base_is_the_mount_point_and_the_slug() {
        assert_eq!(base("/acme/login", "/login"), "/acme");
        assert_eq!(
            base("/clients/acme/login?x=1", "/login?x=1"),
            "/clients/acme"
        );
        assert_eq!(base("/acme", "/"), "/acme");
        assert_eq!(base("/acme/", "/"), "/acme");
        assert_eq!(base("/login", "/login"), "");
        assert_eq!(base("/", "/"), "");
        assert_eq!(base("//evil.example/login", "/login"), "/acme");
        assert_eq!(base("/other", "/login"), "/acme");
        assert_eq!(
            base_path(None, &"/login".parse().unwrap(), &tenant()),
            "/acme"
        );
    }
}
