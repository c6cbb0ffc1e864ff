#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api_key;
pub mod audit;
pub mod clock;
pub mod config;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod invitation;
mod key_text;
pub mod links;
pub mod login;
pub mod mail;
pub mod mail_links;
mod messages;
pub mod mfa;
pub mod passkey;
pub mod password;
pub mod recovery;
pub mod session;
mod session_cache;
pub mod share_link;
pub mod step_up;
mod throttle;
pub mod token;

pub use api_key::{ApiKeyAuthenticated, ApiKeys, IssuedApiKey};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::AuthConfig;
pub use error::AuthError;
pub use invitation::{Invitations, Invite};
pub use links::{LinkError, PortalLinks};
pub use login::{Authenticator, LoginContext, LoginOutcome, LoginSuccess, MfaChallenge};
pub use mail::{MailError, MailKind, MailSetup, Mailer, OutgoingMail, RecordingMailer, Sender};
pub use mail_links::{MailLinkClaims, MailLinkError, MailLinkKey, MailLinkKeyError};
pub use mfa::{Mfa, MfaStatus, RecoveryCodes, TotpKey, TotpKeyError, TotpSetup};
pub use passkey::{PasskeyCeremony, Passkeys, RelyingParty};
pub use recovery::Recovery;
pub use session::{Authenticated, Sessions};
pub use share_link::{NewShareLink, ShareLinks};
pub use step_up::{AuthenticatedAt, require_recent_authentication};
pub use token::{
    ApiKeySecret, InvitationToken, LoginToken, MfaChallengeToken, PasskeyCeremonyToken,
    SessionToken, ShareLinkToken, TokenError,
};

#[cfg(test)]
mod tests;
