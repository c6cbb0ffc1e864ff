//! A signed-in page: the request's page context, its live session, the viewer, the scope every
//! read and write goes through, and the navigation. Every page behind the sign-in takes a
//! [`SignedPage`] (or a [`PageForm`] for a form post), so a missing session, a foreign tenant's
//! session, an expired one and a deleted user all end at the sign-in form the same way.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::Response;
use portal_core::TenantScope;
use portal_core::model::User;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::catalogue::CatalogueError;
use super::format::Formatter;
use super::nav::Nav;
use super::page::{Layout, PageError, PageRequest, PreviewBanner, Viewer};
use super::session::{self, SignedIn};
use super::{account, admin, csrf};
use crate::error::ApiError;
use crate::state::PortalState;

/// Where a page asks for the password again before an act that needs a recent sign-in (SEC-20);
/// it takes the page to return to as `next`.
pub(crate) const CONFIRM_PATH: &str = "/account/confirm";

/// A signed-in page request.
pub(crate) struct SignedPage {
    /// The portal's state: stores, sessions, configuration.
    pub(crate) state: PortalState,
    /// The tenant, language and base of the request.
    pub(crate) page: PageRequest,
    /// The session and the token its forms derive from.
    pub(crate) signed_in: SignedIn,
    /// Who is signed in.
    pub(crate) user: User,
    /// The scope every read and write of the page goes through: the session's own, or the
    /// read-only scope of a "view as client" preview.
    pub(crate) scope: TenantScope,
    /// The preview the page is shown in, if any.
    pub(crate) preview: Option<PreviewBanner>,
    /// The page's path under the tenant's base, without the query.
    pub(crate) path: String,

    /// The confirmation to show once, from the `notice` query parameter.
    notice: Option<String>,
    /// How many of the viewer's own notifications are unread, for the navigation's badge.
    unread: u64,
}

impl std::fmt::Debug for SignedPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedPage")
            .field("page", &self.page)
            .field("user", &self.user.id)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl FromRequestParts<PortalState> for SignedPage {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &PortalState,
    ) -> Result<Self, Self::Rejection> {
        let mut page = PageRequest::from_request_parts(parts, state).await?;
        let signed_in =
            match session::signed_in(state, &page.pages, &page.tenant, &parts.headers).await {
                Ok(Some(signed_in)) => signed_in,
                Ok(None) => return Err(page.redirect("/login")),
                Err(error) => return Err(page.error(error)),
            };
        let own_scope = signed_in.authenticated.scope.clone();
        // Someone the tenant's policy asks for a second factor sets it up before anything else.
        if let Some(response) = account::gate(state, &page, &signed_in, parts.uri.path()).await {
            return Err(response);
        }
        let user = match state
            .stores()
            .identities
            .user(&own_scope, signed_in.authenticated.session.user)
            .await
        {
            Ok(Some(user)) => user,
            Ok(None) => return Err(page.redirect("/login")),
            Err(error) => return Err(page.error(ApiError::from(error).into())),
        };
        // The badge: one count over the viewer's unread notifications (an index range in every
        // backend). A failure only hides the badge; the page itself does not depend on it.
        let unread = match state
            .stores()
            .notifications
            .unread_notifications(&own_scope)
            .await
        {
            Ok(unread) => unread,
            Err(error) => {
                tracing::warn!(%error, "unread notifications could not be counted");
                0
            }
        };
        let (scope, preview) =
            match admin::preview::apply(state, &page, &signed_in, &parts.headers).await {
                Ok(Some((scope, banner))) => (scope, Some(banner)),
                Ok(None) => (own_scope, None),
                Err(error) => return Err(page.error(error)),
            };
        if let Err(error) = page.show_look_of(state, &scope).await {
            return Err(page.error(error));
        }
        // The person's language, else their client's default, the tenant's, the browser's.
        page.prefer_locale(user.locale.as_deref());
        let path = parts.uri.path().to_owned();
        let notice = notice(&page, parts.uri.query());
        Ok(Self {
            state: state.clone(),
            page,
            signed_in,
            user,
            scope,
            preview,
            path,
            notice,
            unread,
        })
    }
}

impl SignedPage {
    /// The token this session's forms carry.
    pub(crate) fn csrf_token(&self) -> String {
        csrf::token(&self.signed_in.token)
    }

    /// Whether `presented` is this session's form token (SEC-31).
    pub(crate) fn verify_token(&self, presented: &str) -> bool {
        csrf::verify(&self.signed_in.token, presented)
    }

    /// Dates, money and messages in the page's language.
    pub(crate) fn formatter(&self) -> Formatter<'_> {
        Formatter {
            catalogue: &self.page.pages.catalogue,
            locale: self.page.locale,
        }
    }

    /// The layout of a signed-in page: the viewer, the navigation, a notice, the preview banner.
    pub(crate) fn layout(&self) -> Layout {
        let mut layout = self.page.layout(
            Some(Viewer {
                name: self.user.name.as_str().to_owned(),
            }),
            Some(self.csrf_token()),
        );
        let mut nav = Nav::new(&self.scope, &self.page.base, &self.path);
        nav.unread = self.unread;
        layout.nav = Some(nav);
        layout.notice.clone_from(&self.notice);
        layout.preview.clone_from(&self.preview);
        layout
    }

    /// `template` with `view`, status 200.
    pub(crate) fn render(&self, template: &str, view: impl Serialize) -> Response {
        self.render_status(StatusCode::OK, template, view)
    }

    /// `template` with `view` and `status` (a form shown again with its errors is a 422).
    pub(crate) fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        view: impl Serialize,
    ) -> Response {
        self.page.render(status, template, self.layout(), view)
    }

    /// A 303 to `path` under the tenant's base.
    pub(crate) fn redirect(&self, path: &str) -> Response {
        self.page.redirect(path)
    }

    /// A 303 to `path` that shows the confirmation `notice` (a catalogue id starting with
    /// `notice-`) once.
    pub(crate) fn redirect_with_notice(&self, path: &str, notice: &'static str) -> Response {
        let separator = if path.contains('?') { '&' } else { '?' };
        self.page
            .redirect(&format!("{path}{separator}notice={notice}"))
    }

    /// The answer to a failed page: the sign-in form for a session that no longer counts, the
    /// password prompt for an act that needs a recent sign-in (back to this path afterwards: a
    /// form posted to an action path of its own passes its page to [`Self::confirm_first`]
    /// instead), else the branded error page.
    pub(crate) fn fail(&self, error: impl Into<Failure>) -> Response {
        match error.into() {
            Failure::Api(ApiError::Unauthenticated) => self.page.redirect("/login"),
            Failure::Api(ApiError::ReauthRequired) => self.confirm_first(&self.path),
            Failure::Api(error) => self.page.error(error.into()),
            Failure::Page(error) => self.page.error(error),
        }
    }

    /// A 303 to the password prompt, which returns to `next` (a path under the base).
    pub(crate) fn confirm_first(&self, next: &str) -> Response {
        let next: String = form_urlencoded_component(next);
        self.page.redirect(&format!("{CONFIRM_PATH}?next={next}"))
    }
}

/// Why a page failed: an error of the API's functions or the page's own.
#[derive(Debug)]
pub(crate) enum Failure {
    /// From the stores, the authenticator or an API function.
    Api(ApiError),
    /// From the page itself.
    Page(PageError),
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<PageError> for Failure {
    fn from(error: PageError) -> Self {
        Self::Page(error)
    }
}

impl From<CatalogueError> for Failure {
    fn from(error: CatalogueError) -> Self {
        Self::Page(PageError::internal(error))
    }
}

impl From<portal_storage::StoreError> for Failure {
    fn from(error: portal_storage::StoreError) -> Self {
        Self::Api(error.into())
    }
}

impl From<portal_core::DomainError> for Failure {
    fn from(error: portal_core::DomainError) -> Self {
        Self::Api(error.into())
    }
}

impl From<portal_auth::AuthError> for Failure {
    fn from(error: portal_auth::AuthError) -> Self {
        Self::Api(error.into())
    }
}

/// The `notice` of a query, when it names a confirmation of the catalogue: nothing a link could
/// put there shows up as text, only messages the portal has.
fn notice(page: &PageRequest, query: Option<&str>) -> Option<String> {
    let value = query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("notice="))?;
    (value.starts_with("notice-")
        && value.len() <= 64
        && value
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte == b'-')
        && page.pages.catalogue.text(page.locale, value, None).is_ok())
    .then(|| value.to_owned())
}

/// `text` percent-encoded for a query value.
fn form_urlencoded_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A form post of a signed-in page: its fields, read only after the form token checked out
/// (SEC-31). A body that is not a form, or a field that does not parse, is the branded 400.
pub(crate) struct PageForm<T> {
    /// The page the form was posted to.
    pub(crate) page: SignedPage,
    /// The form's fields.
    pub(crate) fields: T,
}

/// Just the token of a form.
#[derive(serde::Deserialize)]
struct TokenField {
    #[serde(default)]
    csrf_token: String,
}

impl<T: DeserializeOwned> FromRequest<PortalState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request<Body>, state: &PortalState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let page = SignedPage::from_request_parts(&mut parts, state).await?;
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .split(';')
                    .next()
                    .is_some_and(|mime| mime.trim() == "application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(page.page.error(PageError::BadRequest));
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| page.page.error(PageError::BadRequest))?;
        let token: TokenField = serde_html_form::from_bytes(&bytes)
            .map_err(|_| page.page.error(PageError::BadRequest))?;
        if !page.verify_token(&token.csrf_token) {
            return Err(page.page.error(PageError::Forbidden));
        }
        let fields = serde_html_form::from_bytes(&bytes)
            .map_err(|_| page.page.error(PageError::BadRequest))?;
        Ok(Self { page, fields })
    }
}
