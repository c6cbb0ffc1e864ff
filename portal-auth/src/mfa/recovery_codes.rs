//! Recovery codes: ten single-use codes shown once at enrolment, for when the authenticator is
//! lost. Each holds 50 random bits in ten characters of Crockford's base-32 alphabet (no i, l, o
//! or u to misread), written `xxxxx-xxxxx`; only their SHA-256 is stored.

use std::fmt;

use portal_core::state::Sha256Digest;
use zeroize::Zeroizing;

use crate::token::{TokenError, random_bytes};

/// How many codes a user gets.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// 32 symbols, 5 bits each.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const CHARS: usize = 10;

/// A fresh set of recovery codes, to show the user once. Redacted `Debug`, zeroised on drop.
pub struct RecoveryCodes(Vec<Zeroizing<String>>);

impl RecoveryCodes {
    /// Ten new codes.
    pub(crate) fn generate() -> Result<Self, TokenError> {
        let mut codes = Vec::with_capacity(RECOVERY_CODE_COUNT);
        for _ in 0..RECOVERY_CODE_COUNT {
            let bytes = Zeroizing::new(random_bytes::<CHARS>()?);
            let mut code = Zeroizing::new(String::with_capacity(CHARS + 1));
            for (index, byte) in bytes.iter().enumerate() {
                if index == CHARS / 2 {
                    code.push('-');
                }
                code.push(char::from(ALPHABET[usize::from(byte & 0x1f)]));
            }
            codes.push(code);
        }
        Ok(Self(codes))
    }

    /// The codes as the user should write them down.
    pub fn expose_secrets(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|code| code.as_str())
    }

    /// The stored form of every code.
    pub(crate) fn hashes(&self) -> Vec<Sha256Digest> {
        self.0.iter().map(|code| hash(code)).collect()
    }
}

impl fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecoveryCodes([{} redacted])", self.0.len())
    }
}

/// The stored form of a code as typed: case, spaces and dashes do not matter.
pub(crate) fn hash(typed: &str) -> Sha256Digest {
    let normalised: Zeroizing<String> = Zeroizing::new(
        typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect(),
    );
    Sha256Digest::of(normalised.as_bytes())
}

/// Whether `typed` could be a recovery code (rather than a TOTP code).
pub(crate) fn looks_like_recovery_code(typed: &str) -> bool {
    typed.chars().filter(char::is_ascii_alphanumeric).count() == CHARS
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ten_distinct_codes_that_hash_as_typed() {
        let codes = RecoveryCodes::generate().unwrap();
        let shown: Vec<&str> = codes.expose_secrets().collect();
        assert_eq!(shown.len(), RECOVERY_CODE_COUNT);
        assert_eq!(shown.iter().collect::<HashSet<_>>().len(), 10);
        for code in &shown {
            assert_eq!(code.len(), 11);
            assert_eq!(code.as_bytes()[5], b'-');
            assert!(looks_like_recovery_code(code));
        }
        let hashes = codes.hashes();
        assert_eq!(hash(&shown[0].to_uppercase().replace('-', " ")), hashes[0]);
        assert!(!looks_like_recovery_code("123456"));
        assert!(!format!("{codes:?}").contains(shown[0]));
    }
}
