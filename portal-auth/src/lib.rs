#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod audit;
pub mod clock;
pub mod config;
pub mod error;
pub mod login;
pub mod password;
pub mod session;
mod throttle;
pub mod token;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::AuthConfig;
pub use error::AuthError;
pub use login::{Authenticator, LoginContext, LoginSuccess};
pub use session::{Authenticated, Sessions};
pub use token::{SessionToken, TokenError};

#[cfg(test)]
mod tests;
