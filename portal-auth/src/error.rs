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
    /// A new session token could not be made.
    #[error("session token failed")]
    Token(#[source] crate::token::TokenError),
    /// Hashing or verifying a password failed on the server side.
    #[error("password check failed")]
    Password(#[source] PasswordError),
    /// The storage backend failed.
    #[error("storage failed")]
    Store(#[from] StoreError),
}
