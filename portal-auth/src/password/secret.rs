//! The secret type that carries a password through the crate.

use std::fmt;

use zeroize::Zeroizing;

/// A password in memory. Its bytes are zeroised when it is dropped, its `Debug` output is
/// redacted, and it has no `Display` and no `Serialize`, so it cannot end up in a log or a
/// response by accident.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a password as typed by the user. Nothing is trimmed or normalised.
    #[must_use]
    pub fn new(password: String) -> Self {
        Self(Zeroizing::new(password))
    }

    /// The password itself. Use it only to hash or compare; never log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        self.0.as_str()
    }
}

impl From<String> for Password {
    fn from(password: String) -> Self {
        Self::new(password)
    }
}

impl From<&str> for Password {
    fn from(password: &str) -> Self {
        Self::new(password.to_owned())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_sec_40() {
        // SEC-40/41: no secret ever reaches a log through Debug.
        let password = Password::from("canary-Secret-4711");
        let debug = format!("{password:?} {:#?}", password);
        assert!(!debug.contains("canary"), "{debug}");
        assert!(!debug.contains("4711"), "{debug}");
        assert!(debug.contains("redacted"));
    }

    #[test]
    fn exposes_the_exact_input() {
        let password = Password::from("  spaced  ");
        assert_eq!(password.expose_secret(), "  spaced  ");
    }
}
