//! The `Portal-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//!
//! The timestamp is signed with the body, so a captured delivery cannot be replayed later than
//! the receiver's tolerance. Several `v1=` entries may appear while a secret is being rotated;
//! one match is enough.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

/// The name of the header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Portal-Signature";

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The header is not of the form `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`.
    #[error("malformed signature header: {0}")]
    Malformed(&'static str),
    /// The timestamp is further from now than the tolerance allows.
    #[error("signature timestamp is outside the tolerance")]
    Expired,
    /// No `v1` signature matches the body and the secret.
    #[error("signature does not match the body")]
    Mismatch,
}

/// The lowercase hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
fn signature_hex(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(hmac::digest::InvalidLength) => unreachable_key_length(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// HMAC accepts keys of every length, so this is never reached; it keeps the code panic-free.
/// (A block of zeros is the same HMAC key as the empty key.)
#[cold]
fn unreachable_key_length() -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new(&Default::default())
}

/// The `Portal-Signature` header value for `body` sent at `timestamp` (unix seconds).
#[must_use]
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        signature_hex(secret, timestamp, body)
    )
}

/// Checks a `Portal-Signature` header value against `body` and `secret`: the timestamp must lie
/// within `tolerance` of `now` and one `v1` entry must match (compared in constant time).
///
/// # Errors
/// [`SignatureError::Malformed`] for a header that does not parse, [`SignatureError::Expired`]
/// for a timestamp outside the tolerance, [`SignatureError::Mismatch`] when no entry matches.
pub fn verify(
    secret: &[u8],
    header_value: &str,
    body: &[u8],
    now: OffsetDateTime,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header_value.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed("every entry must be key=value"))?;
        match key {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::Malformed("more than one timestamp"));
                }
                let seconds = value
                    .parse::<i64>()
                    .map_err(|_| SignatureError::Malformed("the timestamp is not a number"))?;
                timestamp = Some(seconds);
            }
            "v1" => candidates.push(value),
            // Other schemes may be added later; a receiver ignores what it does not know.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed("no timestamp"))?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed("no v1 signature"));
    }
    let age = now.unix_timestamp().saturating_sub(timestamp);
    if age.unsigned_abs() > tolerance.whole_seconds().unsigned_abs() {
        return Err(SignatureError::Expired);
    }
    let expected = signature_hex(secret, timestamp, body);
    let matched = candidates
        .iter()
        .fold(subtle::Choice::from(0), |found, candidate| {
            found | expected.as_bytes().ct_eq(candidate.as_bytes())
        });
    if bool::from(matched) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"approval.decided"}"#;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(seconds).unwrap()
    }

    #[test]
    fn the_header_has_the_documented_shape() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        let (t, v1) = header.split_once(',').unwrap();
        assert_eq!(t, "t=1700000000");
        let hex = v1.strip_prefix("v1=").unwrap();
        assert_eq!(hex.len(), 64);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn matches_an_independently_computed_hmac() {
        // Python: hmac.new(b"secret", b"1.{}", hashlib.sha256).hexdigest()
        assert_eq!(
            sign(b"secret", 1, b"{}"),
            "t=1,v1=1122767b193110cfec322b6f199b599edbf608ed087f2d27afb0b97d99523908"
        );
    }

    #[test]
    fn a_signed_body_verifies_within_the_tolerance() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        let tolerance = Duration::minutes(5);
        assert_eq!(
            verify(SECRET, &header, BODY, at(1_700_000_000), tolerance),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, &header, BODY, at(1_700_000_299), tolerance),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, &header, BODY, at(1_699_999_800), tolerance),
            Ok(())
        );
    }

    #[test]
    fn a_tampered_body_or_wrong_secret_is_a_mismatch() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        let now = at(1_700_000_000);
        let tampered = br#"{"id":"evt_1","type":"approval.requested"}"#;
        assert_eq!(
            verify(SECRET, &header, tampered, now, Duration::minutes(5)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", &header, BODY, now, Duration::minutes(5)),
            Err(SignatureError::Mismatch)
        );
        // The timestamp is signed too: moving it breaks the signature.
        let moved = header.replace("t=1700000000", "t=1700000001");
        assert_eq!(
            verify(SECRET, &moved, BODY, now, Duration::minutes(5)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn an_old_or_future_timestamp_is_expired() {
        let header = sign(SECRET, 1_700_000_000, BODY);
        assert_eq!(
            verify(
                SECRET,
                &header,
                BODY,
                at(1_700_000_301),
                Duration::minutes(5)
            ),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            verify(
                SECRET,
                &header,
                BODY,
                at(1_699_999_699),
                Duration::minutes(5)
            ),
            Err(SignatureError::Expired)
        );
    }

    #[test]
    fn any_of_several_signatures_may_match_during_rotation() {
        let old = sign(b"old-secret", 1_700_000_000, BODY);
        let new = sign(b"new-secret", 1_700_000_000, BODY);
        let both = format!("{old},{}", new.split_once(',').unwrap().1);
        let now = at(1_700_000_000);
        let tolerance = Duration::minutes(5);
        assert_eq!(verify(b"old-secret", &both, BODY, now, tolerance), Ok(()));
        assert_eq!(verify(b"new-secret", &both, BODY, now, tolerance), Ok(()));
        assert_eq!(
            verify(b"third", &both, BODY, now, tolerance),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn malformed_headers_are_named() {
        let now = at(1_700_000_000);
        let tolerance = Duration::minutes(5);
        for header in [
            "",
            "v1=abc",
            "t=1700000000",
            "t=soon,v1=abc",
            "garbage",
            "t=1,t=2,v1=ab",
        ] {
            assert!(
                matches!(
                    verify(SECRET, header, BODY, now, tolerance),
                    Err(SignatureError::Malformed(_))
                ),
                "{header:?}"
            );
        }
    }
}
