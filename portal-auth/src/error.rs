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
    /// The invitation link does not open anything: unknown, malformed, revoked, replaced by a
    /// newer one, expired, already accepted or of another tenant — all alike.
    #[error("invalid or expired invitation")]
    InvalidInvitation,
    /// The reset or magic link does not open anything: unknown, malformed, used, expired, of
    /// another purpose or tenant — all alike (SEC-21).
    #[error("invalid or expired link")]
    InvalidLoginToken,
    /// The second-factor code or the login it completes is wrong, used or expired.
    #[error("invalid code")]
    InvalidSecondFactor,
    /// The user has no confirmed second factor to use or change.
    #[error("no second factor is set up")]
    MfaNotEnrolled,
    /// The user already has a confirmed second factor: remove it before setting up another.
    #[error("a second factor is already set up")]
    MfaAlreadyEnrolled,
    /// The password was right, but the tenant requires a second factor and the user's only
    /// ones are passkeys: sign in with a passkey instead.
    #[error("sign in with your passkey")]
    PasskeyRequired,
    /// The passkey registration did not verify, or its ceremony is unknown, used or expired.
    #[error("the passkey could not be registered")]
    InvalidPasskeyRegistration,
    /// The passkey's credential is already registered in the tenant.
    #[error("this passkey is already registered")]
    PasskeyAlreadyRegistered,
    /// The passkey set-up of the server is unusable (an origin without a host, state that does
    /// not serialise).
    #[error("passkey setup failed: {0}")]
    PasskeySetup(String),
    /// The presented API key is unknown, malformed, revoked, or its creator lost access.
    #[error("invalid API key")]
    InvalidApiKey,
    /// A new password does not meet the policy; the inner error says which rule.
    #[error("{0}")]
    WeakPassword(#[source] PasswordError),
    /// The mail with a link could not be sent.
    #[error("mail could not be sent")]
    Mail(#[source] crate::mail::MailError),
    /// The TOTP setup for a user could not be built or read (a sealed secret that does not open
    /// with the configured key, or an issuer or account the otpauth format cannot carry).
    #[error("second factor setup failed: {0}")]
    SecondFactorSetup(String),
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
