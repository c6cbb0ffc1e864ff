//! Session and share-link tokens: 256 random bits from the operating system, URL-safe base64 without padding.
//! Only their SHA-256 is ever stored (SEC-14).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_core::state::Sha256Digest;
use rand::TryRngCore as _;
use rand::rngs::OsRng;
use zeroize::Zeroize as _;

/// How many random bytes a token holds (256 bits).
pub const TOKEN_BYTES: usize = 32;

/// How many characters an encoded token has: 32 bytes in unpadded base64.
pub const TOKEN_CHARS: usize = 43;

/// Why a token could not be made or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The presented token does not have the length of a token.
    #[error("token has the wrong length")]
    Length,
    /// The presented token is not URL-safe base64 of a token.
    #[error("token is not valid base64")]
    Encoding,
    /// The operating system's random number generator failed.
    #[error("random number generator failed")]
    Random,
}

/// The shared machinery of every secret token: 256 random bits, their URL-safe encoding, the
/// SHA-256 that is stored, zeroising on drop. Private, so each public token type decides its own
/// name and `Debug`.
struct SecretToken {
    bytes: [u8; TOKEN_BYTES],
    encoded: String,
}

/// `N` bytes from the operating system's CSPRNG, for secrets the caller encodes itself (a
/// webhook signing secret).
pub fn random_bytes<const N: usize>() -> Result<[u8; N], TokenError> {
    let mut bytes = [0_u8; N];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| TokenError::Random)?;
    Ok(bytes)
}

impl SecretToken {
    fn generate() -> Result<Self, TokenError> {
        let bytes = random_bytes::<TOKEN_BYTES>()?;
        let encoded = URL_SAFE_NO_PAD.encode(bytes);
        Ok(Self { bytes, encoded })
    }

    fn parse(presented: &str) -> Result<Self, TokenError> {
        if presented.len() != TOKEN_CHARS {
            return Err(TokenError::Length);
        }
        if !presented
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(TokenError::Encoding);
        }
        let mut decoded = URL_SAFE_NO_PAD
            .decode(presented)
            .map_err(|_| TokenError::Encoding)?;
        let bytes: Result<[u8; TOKEN_BYTES], _> = decoded.as_slice().try_into();
        decoded.zeroize();
        let bytes = bytes.map_err(|_| TokenError::Length)?;
        Ok(Self {
            bytes,
            encoded: presented.to_owned(),
        })
    }

    fn hash(&self) -> Sha256Digest {
        Sha256Digest::of(&self.bytes)
    }
}

impl Drop for SecretToken {
    fn drop(&mut self) {
        self.bytes.zeroize();
        self.encoded.zeroize();
    }
}

/// Defines a public token type over [`SecretToken`], with a redacted `Debug`.
macro_rules! secret_token {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        pub struct $name(SecretToken);

        impl $name {
            /// A new token from the operating system's CSPRNG.
            pub fn generate() -> Result<Self, TokenError> {
                SecretToken::generate().map(Self)
            }

            /// Reads a presented token, checking its length and alphabet; never panics.
            pub fn parse(presented: &str) -> Result<Self, TokenError> {
                SecretToken::parse(presented).map(Self)
            }

            /// The token as the client holds it (43 URL-safe characters).
            #[must_use]
            pub fn expose_secret(&self) -> &str {
                &self.0.encoded
            }

            /// The raw random bytes.
            #[must_use]
            pub const fn as_bytes(&self) -> &[u8; TOKEN_BYTES] {
                &self.0.bytes
            }

            /// The SHA-256 of the token's bytes: the only form that is stored.
            #[must_use]
            pub fn hash(&self) -> Sha256Digest {
                self.0.hash()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_token! {
    /// A session token: the secret the browser holds. Zeroised on drop, a redacted `Debug`, no
    /// `Display`, no `Serialize`, no `Clone`; read it with [`expose_secret`](Self::expose_secret)
    /// only to hand it to the client.
    SessionToken
}

secret_token! {
    /// A share-link token: the secret in a share link's URL (SEC-14). Zeroised on drop, a
    /// redacted `Debug`, no `Display`, no `Serialize`, no `Clone`; read it with
    /// [`expose_secret`](Self::expose_secret) only to build the link shown to its creator.
    ShareLinkToken
}

secret_token! {
    /// An invitation token: the secret in an invitation link. Zeroised on drop, redacted `Debug`.
    InvitationToken
}

secret_token! {
    /// A password-reset or magic-link token (SEC-21): the secret in the mailed link. Zeroised on
    /// drop, redacted `Debug`.
    LoginToken
}

secret_token! {
    /// The token of a login waiting for its second factor: handed back after the password, and
    /// presented with the TOTP or recovery code. Zeroised on drop, redacted `Debug`.
    MfaChallengeToken
}

secret_token! {
    /// The handle of a begun passkey ceremony: handed to the browser with the options and sent
    /// back with its answer. Zeroised on drop, redacted `Debug`.
    PasskeyCeremonyToken
}

secret_token! {
    /// The secret part of an API key. Zeroised on drop, redacted `Debug`.
    ApiKeySecret
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use sha2::Digest as _;

    use super::*;

    #[test]
    fn ten_thousand_tokens_are_unique_and_32_bytes_sec_14() {
        let mut seen = HashSet::new();
        let mut prefixes = HashSet::new();
        for _ in 0..10_000 {
            let token = SessionToken::generate().unwrap();
            assert_eq!(token.as_bytes().len(), 32);
            assert_eq!(token.expose_secret().len(), TOKEN_CHARS);
            prefixes.insert(token.expose_secret()[..4].to_owned());
            assert!(
                seen.insert(token.expose_secret().to_owned()),
                "duplicate token"
            );
        }
        // No shared prefix: 10k tokens over 64^4 prefixes spread widely.
        assert!(prefixes.len() > 9_000, "{}", prefixes.len());
    }

    #[test]
    fn a_token_round_trips_and_hashes_its_bytes_sec_14() {
        let token = SessionToken::generate().unwrap();
        let parsed = SessionToken::parse(token.expose_secret()).unwrap();
        assert_eq!(parsed.as_bytes(), token.as_bytes());
        assert_eq!(parsed.hash(), token.hash());
        let expected: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        assert_eq!(token.hash().as_bytes(), &expected);
    }

    #[test]
    fn malformed_tokens_are_typed_errors_sec_14() {
        let token = SessionToken::generate().unwrap();
        let good = token.expose_secret();
        assert_eq!(SessionToken::parse("").unwrap_err(), TokenError::Length);
        assert_eq!(
            SessionToken::parse(&good[1..]).unwrap_err(),
            TokenError::Length
        );
        let padded = format!("{}=", &good[1..]);
        assert_eq!(
            SessionToken::parse(&padded).unwrap_err(),
            TokenError::Encoding
        );
        let plus = format!("+{}", &good[1..]);
        assert_eq!(
            SessionToken::parse(&plus).unwrap_err(),
            TokenError::Encoding
        );
        let multibyte = format!("é{}", &good[2..]);
        assert!(SessionToken::parse(&multibyte).is_err());
        // Non-canonical trailing bits are refused rather than aliased.
        let last = good.as_bytes()[TOKEN_CHARS - 1];
        let tweaked = if last == b'A' { 'B' } else { 'A' };
        let variant = format!("{}{tweaked}", &good[..TOKEN_CHARS - 1]);
        if let Ok(parsed) = SessionToken::parse(&variant) {
            assert_ne!(parsed.as_bytes(), token.as_bytes());
        }
    }

    #[test]
    fn debug_is_redacted_sec_41() {
        let token = SessionToken::generate().unwrap();
        let debug = format!("{token:?}");
        assert!(!debug.contains(token.expose_secret()));
        assert_eq!(debug, "SessionToken([redacted])");
        let link = ShareLinkToken::generate().unwrap();
        let debug = format!("{link:?}");
        assert!(!debug.contains(link.expose_secret()));
        assert_eq!(debug, "ShareLinkToken([redacted])");
    }
}
