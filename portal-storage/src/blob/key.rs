//! [`BlobKey`]: the validated name of a stored blob.

use std::fmt;
use std::str::FromStr;

use portal_core::TenantId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::BlobError;

/// Length of the text form of the tenant part: a hyphenated UUID.
const TENANT_LEN: usize = 36;
/// Length of the text form of the random part: 128 bits as lowercase hex.
const RANDOM_LEN: usize = 32;

/// The key of a stored blob: `<tenant uuid>/<random id>`, e.g.
/// `0190f3a2-5b7c-7d4e-8f00-0123456789ab/6f1c9e0d2b3a4c5d8e7f9a0b1c2d3e4f`.
///
/// The store picks the key when it stores a blob ([`BlobStore::put`](super::BlobStore::put)); the
/// random part is a UUID v4 (122 random bits) written as 32 lowercase hex digits, so keys cannot be
/// guessed or enumerated, and no part of a key ever comes from a user (a file name is metadata of the
/// document record, never part of a key or a path).
///
/// The text form is strict: the lowercase hyphenated tenant UUID, one `/`, then exactly 32 lowercase
/// hex digits. [`BlobKey::parse`] accepts nothing else, so a key read back from a database or a
/// request can never hold `..`, another `/`, a backslash, a NUL or an absolute path; every parsed key
/// prints back to the exact input.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey {
    tenant: TenantId,
    random: u128,
}

impl BlobKey {
    /// A fresh, random key in the tenant's space.
    #[must_use]
    pub fn generate(tenant: TenantId) -> Self {
        Self {
            tenant,
            random: Uuid::new_v4().as_u128(),
        }
    }

    /// Parses the strict text form `<tenant uuid>/<32 lowercase hex digits>`.
    ///
    /// # Errors
    /// [`BlobError::InvalidKey`] for anything else.
    pub fn parse(input: &str) -> Result<Self, BlobError> {
        let (tenant, random) = input.split_once('/').ok_or(BlobError::InvalidKey)?;
        if tenant.len() != TENANT_LEN || random.len() != RANDOM_LEN {
            return Err(BlobError::InvalidKey);
        }
        let tenant_uuid = Uuid::try_parse(tenant).map_err(|_| BlobError::InvalidKey)?;
        // Only the canonical form: rejects upper case and other spellings of the same UUID.
        if tenant_uuid.hyphenated().to_string() != tenant {
            return Err(BlobError::InvalidKey);
        }
        if !random
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
        {
            return Err(BlobError::InvalidKey);
        }
        let random = u128::from_str_radix(random, 16).map_err(|_| BlobError::InvalidKey)?;
        Ok(Self {
            tenant: TenantId::from_uuid(tenant_uuid),
            random,
        })
    }

    /// The tenant that owns the blob.
    #[must_use]
    pub const fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The random part as 32 lowercase hex digits: the blob's name inside its tenant's space.
    #[must_use]
    pub fn random_part(&self) -> String {
        format!("{:032x}", self.random)
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:032x}", self.tenant, self.random)
    }
}

impl fmt::Debug for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobKey({self})")
    }
}

impl FromStr for BlobKey {
    type Err = BlobError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl Serialize for BlobKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BlobKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_round_trips_through_text_and_serde() {
        let tenant = TenantId::new();
        let key = BlobKey::generate(tenant);
        assert_eq!(key.tenant(), tenant);
        let text = key.to_string();
        assert_eq!(text.len(), TENANT_LEN + 1 + RANDOM_LEN);
        assert_eq!(text, format!("{tenant}/{}", key.random_part()));
        assert_eq!(BlobKey::parse(&text).unwrap(), key);
        assert_eq!(text.parse::<BlobKey>().unwrap(), key);
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<BlobKey>(&json).unwrap(), key);
    }

    #[test]
    fn generated_keys_differ() {
        let tenant = TenantId::new();
        assert_ne!(BlobKey::generate(tenant), BlobKey::generate(tenant));
    }

    #[test]
    fn only_the_strict_form_parses() {
        let tenant = TenantId::new();
        let good = format!("{tenant}/{}", "0123456789abcdef".repeat(2));
        assert!(BlobKey::parse(&good).is_ok());
        let bad = [
            String::new(),
            "/".into(),
            "../../etc/passwd".into(),
            "/etc/passwd".into(),
            "a/b/c".into(),
            format!("{tenant}"),
            format!("{tenant}/"),
            format!("/{tenant}/{}", "0".repeat(32)),
            format!("{tenant}/{}/x", "0".repeat(32)),
            format!("{tenant}/{}", "0".repeat(31)),
            format!("{tenant}/{}", "0".repeat(33)),
            format!("{tenant}/{}", "A".repeat(32)),
            format!("{tenant}/{}", "g".repeat(32)),
            format!("{tenant}/..{}", "0".repeat(30)),
            format!("{tenant}\\{}", "0".repeat(32)),
            format!("{}/{}", tenant.to_string().to_uppercase(), "0".repeat(32)),
            format!("{}/{}", tenant.as_uuid().simple(), "0".repeat(32)),
            format!("{tenant}/+{}", "0".repeat(31)),
            format!("{tenant}/{}\0", "0".repeat(31)),
        ];
        for input in bad {
            assert!(
                matches!(BlobKey::parse(&input), Err(BlobError::InvalidKey)),
                "{input:?}"
            );
        }
        assert!(serde_json::from_str::<BlobKey>("\"../../etc/passwd\"").is_err());
    }
}
