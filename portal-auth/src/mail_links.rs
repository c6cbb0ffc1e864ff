//! One-click mail preference links (RFC 8058): every notification mail carries a link that
//! turns that kind of mail off without a login. The link holds a token naming the tenant, the
//! person and the event type, signed with HMAC-SHA256 under a key kept outside the database, so
//! nobody can forge one for somebody else.
//!
//! The token does not expire — a mail may be read months later — but it is versioned, so the
//! format can change and a rotated key retires every old link at once.
//!
//! ```
//! use portal_auth::mail_links::MailLinkKey;
//! use portal_core::model::EventType;
//! use portal_core::{TenantId, UserId};
//!
//! let key = MailLinkKey::from_bytes([7; 32]);
//! let (tenant, user) = (TenantId::new(), UserId::new());
//! let token = key.token(tenant, user, Some(EventType::MessagePosted));
//! let claims = key.verify(&token)?;
//! assert_eq!((claims.tenant, claims.user), (tenant, user));
//! assert_eq!(claims.event_type, Some(EventType::MessagePosted));
//! # Ok::<(), portal_auth::mail_links::MailLinkError>(())
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use portal_core::model::EventType;
use portal_core::{TenantId, UserId};
use sha2::Sha256;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::token::{TokenError, random_bytes};

/// The token format's version, its first characters.
const VERSION: &str = "m1";

/// Separates the MAC of these tokens from any other use of the key.
const CONTEXT: &[u8] = b"portal mail preference link v1\0";

/// The longest token read; anything longer is refused before decoding.
const MAX_TOKEN_CHARS: usize = 256;

type HmacSha256 = Hmac<Sha256>;

/// Why a mail-link key could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MailLinkKeyError {
    /// The text is not standard base64.
    #[error("the mail link key must be base64")]
    Encoding,
    /// The key is not 32 bytes.
    #[error("the mail link key must be 32 bytes (44 base64 characters), got {bytes} bytes")]
    Length {
        /// How many bytes were given.
        bytes: usize,
    },
}

/// Why a presented mail-link token was refused. Callers answer every variant the same way (a
/// 404 page), so a guesser learns nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MailLinkError {
    /// Not a token of a known version and shape.
    #[error("mail link token is malformed")]
    Malformed,
    /// The signature does not match: tampered, or made under another key.
    #[error("mail link token signature does not match")]
    BadSignature,
}

/// What a valid mail-link token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailLinkClaims {
    /// The tenant.
    pub tenant: TenantId,
    /// The person whose preferences it changes.
    pub user: UserId,
    /// The event type it turns off; `None`: every type that can be turned off.
    pub event_type: Option<EventType>,
}

/// The 256-bit key that signs mail-preference links. Keep it outside the database, like the
/// TOTP key; changing it retires every link already mailed. Redacted `Debug`.
#[derive(Clone)]
pub struct MailLinkKey(Zeroizing<[u8; 32]>);

impl MailLinkKey {
    /// A key from 32 bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// A key from its standard base64 form (44 characters), e.g. the output of
    /// `openssl rand -base64 32`.
    pub fn from_base64(text: &str) -> Result<Self, MailLinkKeyError> {
        crate::key_text::decode(text)
            .map(Self)
            .map_err(|error| match error {
                crate::key_text::KeyTextError::Encoding => MailLinkKeyError::Encoding,
                crate::key_text::KeyTextError::Length(bytes) => MailLinkKeyError::Length { bytes },
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

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length, so this never fails for 32 bytes.
        let mut mac = <HmacSha256 as hmac::digest::KeyInit>::new_from_slice(self.0.as_slice())
            .unwrap_or_else(|_| unreachable_key());
        mac.update(CONTEXT);
        mac.update(payload);
        mac
    }

    /// A URL-safe token naming `tenant`, `user` and `event_type` (`None`: all that can be
    /// turned off): `m1.<payload>.<signature>`.
    #[must_use]
    pub fn token(&self, tenant: TenantId, user: UserId, event_type: Option<EventType>) -> String {
        let payload = payload(tenant, user, event_type);
        let signature = self.mac(&payload).finalize().into_bytes();
        format!(
            "{VERSION}.{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    /// Checks a presented token's version, shape and signature (in constant time), and returns
    /// what it names. Never panics on any input.
    pub fn verify(&self, token: &str) -> Result<MailLinkClaims, MailLinkError> {
        if token.len() > MAX_TOKEN_CHARS {
            return Err(MailLinkError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(VERSION), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(MailLinkError::Malformed);
        };
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| MailLinkError::Malformed)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| MailLinkError::Malformed)?;
        self.mac(&payload)
            .verify_slice(&signature)
            .map_err(|_| MailLinkError::BadSignature)?;
        claims(&payload).ok_or(MailLinkError::Malformed)
    }
}

/// Never reached: HMAC accepts a key of any length.
#[cold]
fn unreachable_key() -> HmacSha256 {
    // A fixed-length key cannot be refused; fall back to an all-zero key rather than panic, which
    // would only make every token fail to verify.
    <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default())
}

/// The signed bytes: tenant id, user id (16 bytes each), then the event type's name (none: no
/// bytes).
fn payload(tenant: TenantId, user: UserId, event_type: Option<EventType>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(64);
    bytes.extend_from_slice(tenant.as_uuid().as_bytes());
    bytes.extend_from_slice(user.as_uuid().as_bytes());
    if let Some(event_type) = event_type {
        bytes.extend_from_slice(event_type.as_str().as_bytes());
    }
    bytes
}

/// Reads signed bytes back; `None` for an event type this build does not know.
fn claims(payload: &[u8]) -> Option<MailLinkClaims> {
    let tenant = Uuid::from_slice(payload.get(..16)?).ok()?;
    let user = Uuid::from_slice(payload.get(16..32)?).ok()?;
    let rest = payload.get(32..)?;
    let event_type = if rest.is_empty() {
        None
    } else {
        Some(std::str::from_utf8(rest).ok()?.parse().ok()?)
    };
    Some(MailLinkClaims {
        tenant: TenantId::from_uuid(tenant),
        user: UserId::from_uuid(user),
        event_type,
    })
}

impl fmt::Debug for MailLinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MailLinkKey([redacted])")
    }
}

impl PartialEq for MailLinkKey {
    /// Constant-time, so comparing configurations reveals nothing of the key.
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq as _;
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for MailLinkKey {}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MailLinkKey {
        MailLinkKey::from_bytes([9; 32])
    }

    #[test]
    fn tokens_round_trip_with_and_without_an_event_type() {
        let (tenant, user) = (TenantId::new(), UserId::new());
        for event_type in [None, Some(EventType::UpdatePublished)] {
            let token = key().token(tenant, user, event_type);
            assert!(token.starts_with("m1."));
            assert!(
                token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
                "{token}"
            );
            let claims = key().verify(&token).unwrap();
            assert_eq!(
                claims,
                MailLinkClaims {
                    tenant,
                    user,
                    event_type
                }
            );
        }
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let (tenant, user) = (TenantId::new(), UserId::new());
        let token = key().token(tenant, user, Some(EventType::MessagePosted));
        let other = MailLinkKey::from_bytes([1; 32]);
        assert_eq!(other.verify(&token), Err(MailLinkError::BadSignature));
        // Another person's ids under the same signature.
        let forged = key().token(tenant, UserId::new(), Some(EventType::MessagePosted));
        let (head, _) = forged.rsplit_once('.').unwrap();
        let (_, signature) = token.rsplit_once('.').unwrap();
        assert_eq!(
            key().verify(&format!("{head}.{signature}")),
            Err(MailLinkError::BadSignature)
        );
        for bad in ["", "m1", "m2.a.b", "m1.a.b.c", "m1.!!.??", &"m".repeat(300)] {
            assert!(key().verify(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_read_base64_and_hide_in_debug() {
        let key = MailLinkKey::generate().unwrap();
        let again = MailLinkKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(key, again);
        assert_eq!(format!("{key:?}"), "MailLinkKey([redacted])");
        assert_eq!(
            MailLinkKey::from_base64("c2hvcnQ="),
            Err(MailLinkKeyError::Length { bytes: 5 })
        );
        assert_eq!(
            MailLinkKey::from_base64("not base64!"),
            Err(MailLinkKeyError::Encoding)
        );
    }
}
