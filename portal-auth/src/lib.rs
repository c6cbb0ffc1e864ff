#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod audit;
pub mod clock;
pub mod config;
pub mod error;
pub mod login;
pub mod mail;
pub mod password;
pub mod session;
pub mod share_link;
pub mod step_up;
mod throttle;
pub mod token;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::AuthConfig;
pub use error::AuthError;
pub use login::{Authenticator, LoginContext, LoginSuccess};
pub use mail::{MailError, MailKind, Mailer, OutgoingMail, RecordingMailer};
pub use session::{Authenticated, Sessions};
pub use share_link::ShareLinks;
pub use step_up::{AuthenticatedAt, require_recent_authentication};
pub use token::{SessionToken, ShareLinkToken, TokenError};

#[cfg(test)]
mod tests;
