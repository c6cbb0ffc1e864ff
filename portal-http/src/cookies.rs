//! The session cookie (SEC-15), written the same way by the API, the account routes and the pages.

use axum::http::{HeaderValue, header};
use axum::response::Response;

/// The `Set-Cookie` value of session cookie `name` holding `value` for `max_age` seconds (0 ends
/// it): host-only, `HttpOnly`, `SameSite=Lax`, and `Secure` unless relaxed for plain-http
/// development.
pub(crate) fn session_cookie(name: &str, secure: bool, value: &str, max_age: i64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// Appends a `Set-Cookie` header (a value that is not a valid header is left out).
pub(crate) fn append_set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
