//! Who is signed in to a page: the same `__Host-` session cookie and the same
//! `Sessions::authenticate_in` as the API, so a session of another tenant is no session here
//! (SEC-27). Never a token from a query string or a form field (SEC-16).

use axum::http::HeaderMap;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use portal_auth::{AuthError, Authenticated, LoginSuccess};
use portal_core::model::Tenant;

use super::Pages;
use super::page::PageError;
use crate::cookies;
use crate::state::PortalState;

/// A signed-in page request.
pub(crate) struct SignedIn {
    /// The session and the scope it grants.
    pub(crate) authenticated: Authenticated,
    /// The session token from the cookie: the secret of the forms' CSRF tokens.
    pub(crate) token: String,
}

/// The session token a request's cookie carries, if any.
pub(crate) fn cookie_token(pages: &Pages, headers: &HeaderMap) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(pages.session_cookie)
        .map(|cookie| cookie.value().to_owned())
}

/// The request's live session in `tenant`, if it has one.
pub(crate) async fn signed_in(
    state: &PortalState,
    pages: &Pages,
    tenant: &Tenant,
    headers: &HeaderMap,
) -> Result<Option<SignedIn>, PageError> {
    let Some(token) = cookie_token(pages, headers) else {
        return Ok(None);
    };
    match state.sessions().authenticate_in(tenant.id, &token).await {
        Ok(authenticated) => Ok(Some(SignedIn {
            authenticated,
            token,
        })),
        Err(AuthError::Unauthenticated) => Ok(None),
        Err(error) => Err(PageError::internal(error)),
    }
}

/// Sets the new session's cookie on `response`, replacing any earlier one (SEC-13): the same
/// cookie the API sets (SEC-15).
pub(crate) fn set_session_cookie(pages: &Pages, response: &mut Response, success: &LoginSuccess) {
    let max_age = (success.session.expires_at - success.session.created_at).whole_seconds();
    let cookie = session_cookie(pages, success.token.expose_secret(), max_age);
    cookies::append_set_cookie(response, &cookie);
}

/// Expires the session cookie on `response`.
pub(crate) fn clear_session_cookie(pages: &Pages, response: &mut Response) {
    cookies::append_set_cookie(response, &session_cookie(pages, "", 0));
}

fn session_cookie(pages: &Pages, value: &str, max_age: i64) -> String {
    cookies::session_cookie(pages.session_cookie, pages.secure_cookies, value, max_age)
}
