//! Form tokens against cross-site request forgery (SEC-31): every form carries a hidden
//! `csrf_token`, and every form POST must present the one its secret yields.
//!
//! The secret is the session token once signed in — so the token lives and dies with the session
//! and needs no storage — and before that a random value in its own `HttpOnly`, `SameSite=Strict`
//! cookie (`__Host-` prefixed when cookies are secure). The token is a SHA-256 of the secret under
//! a label of its own: showing it in a page reveals nothing of the session token. Tokens are
//! compared in constant time.

use axum::http::HeaderMap;
use axum_extra::extract::CookieJar;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore as _;
use rand::rngs::OsRng;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// Separates form tokens from any other use of the same secret.
const LABEL: &[u8] = b"portal form token v1\0";

/// The pre-login cookie's name.
pub(crate) const fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-portal_csrf"
    } else {
        "portal_csrf"
    }
}

/// The token forms carry for `secret`.
pub(crate) fn token(secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(LABEL);
    hasher.update(secret.as_bytes());
    URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// Whether `presented` is the token of `secret`.
pub(crate) fn verify(secret: &str, presented: &str) -> bool {
    let expected = token(secret);
    bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// The pre-login secret of a request: its cookie, when it holds a well-formed secret.
pub(crate) fn pre_login_secret(headers: &HeaderMap, secure: bool) -> Option<String> {
    let jar = CookieJar::from_headers(headers);
    let value = jar.get(cookie_name(secure))?.value();
    well_formed(value).then(|| value.to_owned())
}

/// The operating system's random number generator failed.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("random number generator failed")]
pub(crate) struct RandomFailed;

/// A new pre-login secret and the `Set-Cookie` value that hands it to the browser.
pub(crate) fn new_pre_login_secret(secure: bool) -> Result<(String, String), RandomFailed> {
    let mut bytes = [0_u8; 32];
    OsRng.try_fill_bytes(&mut bytes).map_err(|_| RandomFailed)?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let flags = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{}={secret}; Path=/; HttpOnly; SameSite=Strict{flags}",
        cookie_name(secure)
    );
    Ok((secret, cookie))
}

/// 43 URL-safe base64 characters: 32 random bytes.
fn well_formed(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use axum::http::header;

    use super::*;

    #[test]
    fn tokens_are_bound_to_their_secret() {
        let (secret, cookie) = new_pre_login_secret(true).unwrap();
        assert!(cookie.starts_with("__Host-portal_csrf="));
        assert!(cookie.ends_with("; Path=/; HttpOnly; SameSite=Strict; Secure"));
        let (other, _) = new_pre_login_secret(true).unwrap();
        assert_ne!(secret, other);
        assert!(verify(&secret, &token(&secret)));
        assert!(!verify(&secret, &token(&other)));
        assert!(!verify(&secret, ""));
        assert!(!token(&secret).contains(&secret));
    }

    #[test]
    fn only_a_well_formed_cookie_is_a_secret() {
        let (secret, _) = new_pre_login_secret(false).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("portal_csrf={secret}").parse().unwrap(),
        );
        assert_eq!(pre_login_secret(&headers, false), Some(secret));
        assert_eq!(pre_login_secret(&headers, true), None);
        headers.insert(header::COOKIE, "portal_csrf=short".parse().unwrap());
        assert_eq!(pre_login_secret(&headers, false), None);
    }
}
