//! The rules a new password must meet.

use super::common::is_common;
use super::error::PasswordError;
use super::secret::Password;

/// The rules a new password must meet (SEC-03, SEC-05): at most [`MAX_BYTES`](Self::MAX_BYTES)
/// bytes (checked before anything else), [`MIN_CHARS`](Self::MIN_CHARS) to
/// [`MAX_CHARS`](Self::MAX_CHARS) characters (Unicode scalar values), and not one of the 10,000
/// most common passwords, compared case-insensitively. Nothing is truncated: the whole password
/// is hashed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordPolicy;

impl PasswordPolicy {
    /// The fewest characters a password may have.
    pub const MIN_CHARS: usize = 12;
    /// The most characters a password may have.
    pub const MAX_CHARS: usize = 128;
    /// The most bytes a password may have; longer input is refused before it is looked at.
    pub const MAX_BYTES: usize = 1024;

    /// The policy.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }

    /// Checks a new password against the policy.
    ///
    /// # Errors
    ///
    /// [`PasswordError::TooManyBytes`], [`PasswordError::TooShort`], [`PasswordError::TooLong`]
    /// or [`PasswordError::TooCommon`], checked in that order.
    pub fn check(&self, password: &Password) -> Result<(), PasswordError> {
        let text = password.expose_secret();
        check_bytes(text)?;
        let chars = text.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        if is_common(text) {
            return Err(PasswordError::TooCommon);
        }
        Ok(())
    }
}

/// Refuses input over [`PasswordPolicy::MAX_BYTES`], the hard cap against denial of service.
pub(crate) fn check_bytes(text: &str) -> Result<(), PasswordError> {
    if text.len() > PasswordPolicy::MAX_BYTES {
        return Err(PasswordError::TooManyBytes {
            max: PasswordPolicy::MAX_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), PasswordError> {
        PasswordPolicy::new().check(&Password::from(text))
    }

    #[test]
    fn accepts_a_long_uncommon_password() {
        assert!(check("violet harbour engine").is_ok());
    }

    #[test]
    fn length_is_counted_in_characters_sec_03() {
        // SEC-03: 12 characters of 2 bytes each is 12 characters, not 24.
        assert!(check(&"é".repeat(12)).is_ok());
        assert!(matches!(
            check(&"é".repeat(11)),
            Err(PasswordError::TooShort { min: 12 })
        ));
    }

    #[test]
    fn long_passwords_are_allowed_up_to_128_chars_sec_03() {
        // SEC-03: at least 64 characters allowed; 128 is the limit.
        let long: String = ('a'..='z').cycle().take(128).collect();
        assert!(check(&long).is_ok());
        let longer: String = ('a'..='z').cycle().take(129).collect();
        assert!(matches!(
            check(&longer),
            Err(PasswordError::TooLong { max: 128 })
        ));
    }

    #[test]
    fn byte_cap_is_checked_first_sec_03() {
        // SEC-03: a 1 MiB input is refused on its size alone, before the other rules.
        let huge = "a".repeat(1024 * 1024);
        assert!(matches!(
            check(&huge),
            Err(PasswordError::TooManyBytes { max: 1024 })
        ));
        // 300 four-byte characters: under 128 chars is false, but bytes are checked first.
        assert!(matches!(
            check(&"😀".repeat(300)),
            Err(PasswordError::TooManyBytes { max: 1024 })
        ));
    }

    #[test]
    fn common_passwords_are_refused_case_insensitively_sec_05() {
        // SEC-05: `Password123!` and list entries in any case.
        for common in [
            "Password123!",
            "qwerty123456",
            "QwErTy123456",
            "1QAZ2WSX3EDC",
        ] {
            assert!(
                matches!(check(common), Err(PasswordError::TooCommon)),
                "{common} was accepted"
            );
        }
    }

    #[test]
    fn errors_never_hold_the_password() {
        let err = check("Password123!").err();
        let shown = format!(
            "{err:?} {}",
            err.as_ref().map(ToString::to_string).unwrap_or_default()
        );
        assert!(!shown.contains("Password123"), "{shown}");
    }
}
