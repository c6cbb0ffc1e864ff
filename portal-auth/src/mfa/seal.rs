//! TOTP secrets are stored sealed (XChaCha20-Poly1305), bound to their tenant and user, so a
//! database dump alone yields no working authenticator and a secret moved to another row fails to
//! open.

use std::fmt;

use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use portal_core::{TenantId, UserId};
use zeroize::Zeroizing;

use crate::token::{TokenError, random_bytes};

/// The format byte in front of every sealed secret, so the scheme can change later.
const VERSION: u8 = 1;
const NONCE_BYTES: usize = 24;

/// Why a sealing key could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TotpKeyError {
    /// The text is not standard base64.
    #[error("the TOTP key must be base64")]
    Encoding,
    /// The key is not 32 bytes.
    #[error("the TOTP key must be 32 bytes (44 base64 characters), got {bytes} bytes")]
    Length {
        /// How many bytes were given.
        bytes: usize,
    },
}

/// The 256-bit key that seals TOTP secrets at rest. Keep it outside the database (an environment
/// variable or a secret store); losing it means every user enrols again. Redacted `Debug`.
#[derive(Clone)]
pub struct TotpKey(Zeroizing<[u8; 32]>);

impl TotpKey {
    /// A key from 32 bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// A key from its standard base64 form (44 characters), e.g. the output of
    /// `openssl rand -base64 32`.
    pub fn from_base64(text: &str) -> Result<Self, TotpKeyError> {
        crate::key_text::decode(text)
            .map(Self)
            .map_err(|error| match error {
                crate::key_text::KeyTextError::Encoding => TotpKeyError::Encoding,
                crate::key_text::KeyTextError::Length(bytes) => TotpKeyError::Length { bytes },
            })
    }

    /// A new random key.
    pub fn generate() -> Result<Self, TokenError> {
        random_bytes::<32>().map(Self::from_bytes)
    }

    /// The key in standard base64, to store in configuration.
    #[must_use]
    pub fn to_base64(&self) -> Zeroizing<String> {
        crate::key_text::encode(&self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(self.0.as_slice()))
    }

    /// Seals `secret` for one user: version byte, random nonce, ciphertext with tag.
    pub(crate) fn seal(
        &self,
        tenant: TenantId,
        user: UserId,
        secret: &[u8],
    ) -> Result<Vec<u8>, SealError> {
        let nonce = random_bytes::<NONCE_BYTES>().map_err(|_| SealError)?;
        let aad = binding(tenant, user);
        let ciphertext = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError)?;
        let mut sealed = Vec::with_capacity(1 + NONCE_BYTES + ciphertext.len());
        sealed.push(VERSION);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// Opens what [`seal`](Self::seal) made for the same tenant and user.
    pub(crate) fn open(
        &self,
        tenant: TenantId,
        user: UserId,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let (&version, rest) = sealed.split_first().ok_or(SealError)?;
        if version != VERSION || rest.len() < NONCE_BYTES {
            return Err(SealError);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
        let aad = binding(tenant, user);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError)
    }
}

impl fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpKey([redacted])")
    }
}

/// A sealed secret did not open (wrong key, other user, tampered), or sealing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the TOTP secret could not be sealed or opened")]
pub(crate) struct SealError;

/// The associated data: the row the secret belongs to.
fn binding(tenant: TenantId, user: UserId) -> [u8; 32] {
    let mut aad = [0_u8; 32];
    aad[..16].copy_from_slice(tenant.as_uuid().as_bytes());
    aad[16..].copy_from_slice(user.as_uuid().as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_user_and_key() {
        let key = TotpKey::generate().unwrap();
        let (tenant, user) = (TenantId::new(), UserId::new());
        let sealed = key.seal(tenant, user, b"twenty bytes secret!").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"twenty"));
        assert_eq!(
            key.open(tenant, user, &sealed).unwrap().as_slice(),
            b"twenty bytes secret!"
        );
        assert_eq!(key.open(tenant, UserId::new(), &sealed), Err(SealError));
        assert_eq!(key.open(TenantId::new(), user, &sealed), Err(SealError));
        let other = TotpKey::generate().unwrap();
        assert_eq!(other.open(tenant, user, &sealed), Err(SealError));
        let mut tampered = sealed.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert_eq!(key.open(tenant, user, &tampered), Err(SealError));
        assert_eq!(key.open(tenant, user, &[]), Err(SealError));
        assert_eq!(key.open(tenant, user, &[2, 0, 0]), Err(SealError));
    }

    #[test]
    fn keys_read_from_base64_and_stay_redacted() {
        let key = TotpKey::generate().unwrap();
        let text = key.to_base64();
        let again = TotpKey::from_base64(&text).unwrap();
        assert_eq!(*again.0, *key.0);
        assert_eq!(format!("{key:?}"), "TotpKey([redacted])");
        assert_eq!(
            TotpKey::from_base64("not base64!").unwrap_err(),
            TotpKeyError::Encoding
        );
        assert_eq!(
            TotpKey::from_base64("AAAA").unwrap_err(),
            TotpKeyError::Length { bytes: 3 }
        );
    }
}
