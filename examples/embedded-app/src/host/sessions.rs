//! Harbour's own sessions: a random token in the `harbour_session` cookie (made like the
//! portal's, by `portal_auth::SessionToken`), of which only the SHA-256 is kept, valid for twelve hours. In memory here; a real product keeps them in its
//! database or its session layer.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use axum::http::HeaderMap;
use axum_extra::extract::CookieJar;
use portal_auth::{SessionToken, TokenError};
use portal_core::state::Sha256Digest;
use time::{Duration, OffsetDateTime};

use super::users::HostUserId;

/// The name of Harbour's session cookie. Not the portal's: the portal looks for its own cookie
/// first and asks Harbour (through `HostIdentity`) only when there is none.
pub const SESSION_COOKIE: &str = "harbour_session";

/// How long a session lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);

struct Session {
    user: HostUserId,
    expires_at: OffsetDateTime,
}

/// The live sessions. Clones share one table.
#[derive(Clone, Default)]
pub struct HostSessions {
    by_hash: Arc<RwLock<HashMap<Sha256Digest, Session>>>,
}

impl HostSessions {
    /// An empty table.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a session for `user` and returns its token, for the cookie.
    ///
    /// # Errors
    /// When the operating system has no randomness to give.
    pub fn start(&self, user: HostUserId) -> Result<String, TokenError> {
        let token = SessionToken::generate()?;
        let now = OffsetDateTime::now_utc();
        let mut sessions = self.by_hash.write().unwrap_or_else(PoisonError::into_inner);
        // Expired sessions go when a new one comes, so the table cannot grow without end.
        sessions.retain(|_, session| session.expires_at > now);
        sessions.insert(
            token.hash(),
            Session {
                user,
                expires_at: now + SESSION_LIFETIME,
            },
        );
        Ok(token.expose_secret().to_owned())
    }

    /// The user of a live session with this token.
    #[must_use]
    pub fn user(&self, token: &str) -> Option<HostUserId> {
        let sessions = self.by_hash.read().unwrap_or_else(PoisonError::into_inner);
        let session = sessions.get(&hash(token)?)?;
        (session.expires_at > OffsetDateTime::now_utc()).then_some(session.user)
    }

    /// The user of the session whose cookie these request headers carry.
    #[must_use]
    pub fn user_of(&self, headers: &HeaderMap) -> Option<HostUserId> {
        self.user(token_of(headers)?.as_str())
    }

    /// Ends the session with this token, if any.
    pub fn end(&self, token: &str) {
        if let Some(hash) = hash(token) {
            self.by_hash
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&hash);
        }
    }
}

/// The session token of the request's cookie, if any.
#[must_use]
pub fn token_of(headers: &HeaderMap) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned())
}

/// The hash a well-formed token is kept under; `None` for anything else a cookie may hold.
fn hash(token: &str) -> Option<Sha256Digest> {
    SessionToken::parse(token).ok().map(|token| token.hash())
}

impl std::fmt::Debug for HostSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Hashes of live tokens are not for logs.
        f.debug_struct("HostSessions").finish_non_exhaustive()
    }
}
