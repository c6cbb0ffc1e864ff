//! The errors of password checking, hashing and verification.

use std::error::Error as StdError;

/// Why a password was refused, or why hashing or verifying failed. No variant ever holds the
/// password, so an error can be logged as it is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordError {
    /// Shorter than `min` characters (Unicode scalar values).
    #[error("password must be at least {min} characters")]
    TooShort {
        /// The least accepted length, in characters.
        min: usize,
    },
    /// Longer than `max` characters (Unicode scalar values).
    #[error("password must be at most {max} characters")]
    TooLong {
        /// The most accepted length, in characters.
        max: usize,
    },
    /// Longer than `max` bytes; refused before anything else is done with it.
    #[error("password must be at most {max} bytes")]
    TooManyBytes {
        /// The most accepted length, in bytes.
        max: usize,
    },
    /// On the list of the most common passwords.
    #[error("password is too common")]
    TooCommon,
    /// A stored hash that is not a valid argon2 PHC string.
    #[error("stored password hash is malformed")]
    MalformedHash(#[source] Box<dyn StdError + Send + Sync>),
    /// Hashing or verifying failed for a reason other than a wrong password (bad parameters,
    /// a failed blocking task, no random salt).
    #[error("password hashing failed")]
    Hashing(#[source] Box<dyn StdError + Send + Sync>),
}

impl PasswordError {
    pub(crate) fn hashing(source: impl StdError + Send + Sync + 'static) -> Self {
        Self::Hashing(Box::new(source))
    }

    pub(crate) fn malformed(source: impl StdError + Send + Sync + 'static) -> Self {
        Self::MalformedHash(Box::new(source))
    }
}
