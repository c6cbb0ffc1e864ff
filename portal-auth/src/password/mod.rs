//! Passwords: the policy a new password must meet, and argon2id hashing and verification.
//!
//! - [`PasswordPolicy`] checks a new password: 12–128 characters, at most 1 KiB, not one of the
//!   10,000 most common passwords (SEC-03, SEC-05).
//! - [`PasswordHasher`] hashes to PHC strings with argon2id and verifies against them, on tokio's
//!   blocking pool behind a bounded semaphore (SEC-01, SEC-08).
//! - [`Password`] holds the secret: it is zeroised on drop and never printed.

mod common;
mod config;
mod error;
mod hasher;
mod policy;
mod secret;

pub use common::{common_password_count, is_common};
pub use config::Argon2Config;
pub use error::PasswordError;
pub use hasher::{PasswordHasher, Verification};
pub use policy::PasswordPolicy;
pub use secret::Password;
