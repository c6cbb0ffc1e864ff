//! The errors of authentication.

use portal_storage::StoreError;

use crate::password::PasswordError;

/// Why authentication failed. The messages are generic on purpose: none of them tells an
/// unknown account from a wrong password, a disabled user or a user without access (SEC-08).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The email and password do not open an account: unknown or malformed email, wrong
    /// password, disabled user, no password set or no membership — all alike (SEC-08).
    #[error("invalid email or password")]
    InvalidCredentials,
    /// Too many failed logins for this account or client address; try again later (SEC-10).
    #[error("too many attempts, try again later")]
    Throttled {
        /// How long until the next attempt is evaluated.
        retry_after: time::Duration,
    },
    /// No valid session: unknown, malformed, expired, idle too long or logged out.
    #[error("not authenticated")]
    Unauthenticated,
    /// The session does not exist or is not the user's own.
    #[error("session not found")]
    SessionNotFound,
    /// The session last authenticated longer ago than the step-up window allows: the user must
    /// enter their password (or MFA) again before this action (SEC-20).
    #[error("re-authentication required")]
    ReauthRequired,
    /// The presented share link does not open anything: unknown, malformed, revoked, expired or
    /// used up — all alike.
    #[error("invalid share link")]
    InvalidShareLink,
    /// A new share link's lifetime is not positive or exceeds the configured maximum.
    #[error("share link lifetime must be positive and at most {max}")]
    ShareLinkLifetime {
        /// The longest allowed lifetime.
        max: time::Duration,
    },
    /// A new share link's use limit is below one.
    #[error("share link use limit must be at least 1")]
    ShareLinkMaxUses,
    /// A new session or share-link token could not be made.
    #[error("token generation failed")]
    Token(#[source] crate::token::TokenError),
    /// Hashing or verifying a password failed on the server side.
    #[error("password check failed")]
    Password(#[source] PasswordError),
    /// The storage backend failed.
    #[error("storage failed")]
    Store(#[from] StoreError),
}
