//! Tokens and signatures read from requests: the secret tokens (sessions, share links,
//! invitations, mailed login links, MFA challenges, API-key secrets), API keys
//! (`ptk_<prefix>_<secret>`), the signed one-click mail-preference links, the mail-link key's
//! text and the webhook `Portal-Signature` header.
//!
//! The input is read twice: as text presented to every parser, and (with `arbitrary`) as the
//! makings of genuine tokens that are then tampered with. Checked:
//!
//! - a secret token parses only from 43 URL-safe characters that are the canonical encoding of
//!   its 32 bytes, gives that text back and parses again to the same bytes and hash; wrong
//!   lengths and alphabets are the matching typed errors; genuine tokens round-trip;
//! - an API key splits only when it is `ptk_`, 12 characters of the prefix alphabet, `_` and
//!   the secret, and every key of that shape splits;
//! - a mail link verifies only if it is exactly the token the key makes for what it names; a
//!   genuine one verifies to what it was made for; any change to it, or another key, is refused;
//! - a mail-link key's text reads only as canonical base64 of 32 bytes;
//! - a webhook signature header verifies only if its `t` is within the tolerance and one `v1`
//!   is the HMAC-SHA256 of `"<t>.<body>"` under the secret (computed here independently); a
//!   genuine header verifies for its body and time, never for another body or secret.

use arbitrary::{Arbitrary, Unstructured};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac as _};
use portal_auth::fuzzing::{API_KEY_PREFIX_ALPHABET, split_api_key};
use portal_auth::mail_links::{MailLinkError, MailLinkKey};
use portal_auth::token::{TOKEN_BYTES, TOKEN_CHARS, TokenError};
use portal_auth::{
    ApiKeySecret, InvitationToken, LoginToken, MfaChallengeToken, SessionToken, ShareLinkToken,
};
use portal_core::model::EventType;
use portal_core::{TenantId, UserId};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::webhook_signature::{SignatureError, sign, verify};

/// The mail-link key the seeds' links are signed with.
pub const MAIL_LINK_KEY: [u8; 32] = [0x42; 32];
/// The webhook secret the seeds' headers are signed with.
pub const WEBHOOK_SECRET: &[u8] = b"whsec_fuzzing_secret";
/// The webhook body the seeds' headers sign.
pub const WEBHOOK_BODY: &[u8] = br#"{"id":"evt_1","type":"approval.decided"}"#;
/// The time the seeds' headers are checked at.
pub const WEBHOOK_NOW: i64 = 1_700_000_000;
/// The receiver's tolerance, in seconds.
const TOLERANCE: i64 = 300;

/// Runs every check on one input.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_secret_tokens(&text);
    check_api_key(&text);
    check_presented_mail_link(&text);
    check_mail_link_key_text(&text);
    check_presented_signature(&text);
    if let Ok(genuine) = Genuine::arbitrary_take_rest(Unstructured::new(data)) {
        genuine.check();
    }
}

/// Whether `text` is made of the URL-safe base64 alphabet only.
fn url_safe(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

macro_rules! check_token_type {
    ($text:expr, $($token:ty),+) => {$({
        let text: &str = $text;
        match <$token>::parse(text) {
            Ok(token) => {
                assert_eq!(token.expose_secret(), text);
                assert_eq!(text.len(), TOKEN_CHARS);
                assert!(url_safe(text), "{text:?}");
                // Canonical: no other text stands for the same token.
                assert_eq!(URL_SAFE_NO_PAD.encode(token.as_bytes()), text);
                match <$token>::parse(token.expose_secret()) {
                    Ok(again) => {
                        assert_eq!(again.as_bytes(), token.as_bytes());
                        assert!(again.hash() == token.hash());
                    }
                    Err(error) => panic!("{text:?} parsed, then {error:?}"),
                }
            }
            Err(TokenError::Length) => assert_ne!(text.len(), TOKEN_CHARS, "{text:?}"),
            Err(TokenError::Encoding) => {
                assert_eq!(text.len(), TOKEN_CHARS, "{text:?}");
                let canonical = URL_SAFE_NO_PAD
                    .decode(text)
                    .is_ok_and(|bytes| URL_SAFE_NO_PAD.encode(bytes) == text);
                assert!(!url_safe(text) || !canonical, "{text:?} refused");
            }
            Err(error) => panic!("{text:?}: {error:?}"),
        }
    })+};
}

fn check_secret_tokens(text: &str) {
    check_token_type!(
        text,
        SessionToken,
        ShareLinkToken,
        InvitationToken,
        LoginToken,
        MfaChallengeToken,
        ApiKeySecret
    );
    // Also the token inside the text, as a lenient caller might cut it out.
    if let Some(inner) = text.get(..TOKEN_CHARS) {
        check_token_type!(inner, SessionToken);
    }
}

fn check_api_key(text: &str) {
    let shaped = text.strip_prefix("ptk_").is_some_and(|rest| {
        rest.as_bytes().get(12) == Some(&b'_')
            && rest
                .as_bytes()
                .get(..12)
                .is_some_and(|prefix| prefix.iter().all(|b| API_KEY_PREFIX_ALPHABET.contains(b)))
    });
    match split_api_key(text) {
        Some((prefix, secret)) => {
            assert!(shaped, "{text:?} split, but is not a key");
            assert_eq!(format!("ptk_{prefix}_{secret}"), text);
            assert_eq!(prefix.len(), 12);
        }
        None => assert!(!shaped, "{text:?} is a key, but did not split"),
    }
}

fn mail_link_key() -> MailLinkKey {
    MailLinkKey::from_bytes(MAIL_LINK_KEY)
}

fn check_presented_mail_link(text: &str) {
    let key = mail_link_key();
    if let Ok(claims) = key.verify(text) {
        assert_eq!(
            key.token(claims.tenant, claims.user, claims.event_type),
            text,
            "a mail link the key did not make was accepted"
        );
    }
}

fn check_mail_link_key_text(text: &str) {
    if let Ok(key) = MailLinkKey::from_base64(text) {
        assert_eq!(key.to_base64().as_str(), text.trim(), "{text:?}");
    }
}

/// The lowercase hex HMAC-SHA256 of `"<t>.<body>"` under `secret`, computed here.
fn expected_signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(error) => panic!("HMAC refused a key: {error}"),
    };
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// If `header` verifies, it carries a timestamp within the tolerance and a matching `v1`.
fn check_signature(secret: &[u8], header: &str, body: &[u8], now: i64) {
    let Ok(at) = OffsetDateTime::from_unix_timestamp(now) else {
        return;
    };
    if verify(secret, header, body, at, Duration::seconds(TOLERANCE)).is_err() {
        return;
    }
    let entries: Vec<(&str, &str)> = header
        .split(',')
        .filter_map(|entry| entry.trim().split_once('='))
        .collect();
    let timestamps: Vec<i64> = entries
        .iter()
        .filter(|(key, _)| *key == "t")
        .filter_map(|(_, value)| value.parse().ok())
        .collect();
    let [timestamp] = timestamps.as_slice() else {
        panic!("{header:?} verified without exactly one timestamp");
    };
    assert!(
        now.abs_diff(*timestamp) <= TOLERANCE.unsigned_abs(),
        "{header:?} verified at {now}"
    );
    let expected = expected_signature(secret, *timestamp, body);
    assert!(
        entries
            .iter()
            .any(|(key, value)| *key == "v1" && *value == expected),
        "{header:?} verified without the body's signature"
    );
}

fn check_presented_signature(text: &str) {
    check_signature(WEBHOOK_SECRET, text, WEBHOOK_BODY, WEBHOOK_NOW);
}

/// A change to a token's text.
#[derive(Debug, Arbitrary)]
enum Tamper {
    /// The character at an index (modulo the length) replaced by one of `-_.` and the
    /// base64 alphabet.
    Replace(u16, u8),
    /// A character removed.
    Remove(u16),
    /// A character inserted.
    Insert(u16, u8),
    /// Cut to a length.
    Truncate(u16),
    /// Two characters swapped.
    Swap(u16, u16),
    /// Text appended.
    Append(String),
}

const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=";

fn pick(byte: u8) -> u8 {
    TOKEN_ALPHABET[usize::from(byte) % TOKEN_ALPHABET.len()]
}

impl Tamper {
    /// `text` changed; ASCII text only.
    fn apply(&self, text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        let at = |index: u16, len: usize| usize::from(index) % len.max(1);
        match self {
            Self::Replace(index, byte) => {
                let index = at(*index, bytes.len());
                if let Some(slot) = bytes.get_mut(index) {
                    *slot = pick(*byte);
                }
            }
            Self::Remove(index) => {
                let index = at(*index, bytes.len());
                if index < bytes.len() {
                    bytes.remove(index);
                }
            }
            Self::Insert(index, byte) => {
                let index = at(*index, bytes.len() + 1);
                bytes.insert(index, pick(*byte));
            }
            Self::Truncate(length) => bytes.truncate(usize::from(*length) % (bytes.len() + 1)),
            Self::Swap(first, second) => {
                let (first, second) = (at(*first, bytes.len()), at(*second, bytes.len()));
                if first < bytes.len() && second < bytes.len() {
                    bytes.swap(first, second);
                }
            }
            Self::Append(more) => return format!("{text}{more}"),
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Genuine tokens and signatures, and what is done to them.
#[derive(Debug, Arbitrary)]
struct Genuine {
    token: [u8; TOKEN_BYTES],
    prefix: [u8; 12],
    tenant: [u8; 16],
    user: [u8; 16],
    event_type: Option<u16>,
    other_key: [u8; 32],
    secret: Vec<u8>,
    other_secret: Vec<u8>,
    timestamp: i64,
    skew: i16,
    body: Vec<u8>,
    other_body: Vec<u8>,
    tampers: Vec<Tamper>,
}

impl Genuine {
    fn check(&self) {
        self.check_token();
        self.check_api_key();
        self.check_mail_link();
        self.check_signature();
    }

    fn check_token(&self) {
        let text = URL_SAFE_NO_PAD.encode(self.token);
        match ShareLinkToken::parse(&text) {
            Ok(token) => assert_eq!(token.as_bytes(), &self.token),
            Err(error) => panic!("a genuine token refused: {error:?}"),
        }
        for tamper in &self.tampers {
            let changed = tamper.apply(&text);
            check_secret_tokens(&changed);
            if let Ok(token) = ShareLinkToken::parse(&changed) {
                assert!(
                    changed == text || token.as_bytes() != &self.token,
                    "{changed:?} stands for the same token as {text:?}"
                );
            }
        }
    }

    fn check_api_key(&self) {
        let prefix: String = self
            .prefix
            .iter()
            .map(|byte| char::from(API_KEY_PREFIX_ALPHABET[usize::from(byte % 32)]))
            .collect();
        let secret = URL_SAFE_NO_PAD.encode(self.token);
        let key = format!("ptk_{prefix}_{secret}");
        assert_eq!(
            split_api_key(&key),
            Some((prefix.as_str(), secret.as_str()))
        );
        for tamper in &self.tampers {
            check_api_key(&tamper.apply(&key));
        }
    }

    fn check_mail_link(&self) {
        let key = mail_link_key();
        let tenant = TenantId::from_uuid(Uuid::from_bytes(self.tenant));
        let user = UserId::from_uuid(Uuid::from_bytes(self.user));
        let event_type = self.event_type.and_then(|index| {
            EventType::ALL
                .get(usize::from(index) % EventType::ALL.len().max(1))
                .copied()
        });
        let token = key.token(tenant, user, event_type);
        match key.verify(&token) {
            Ok(claims) => {
                assert_eq!(claims.tenant, tenant);
                assert_eq!(claims.user, user);
                assert_eq!(claims.event_type, event_type);
            }
            Err(error) => panic!("a genuine mail link refused: {error:?}"),
        }
        if self.other_key != MAIL_LINK_KEY {
            let other = MailLinkKey::from_bytes(self.other_key);
            assert_eq!(other.verify(&token), Err(MailLinkError::BadSignature));
        }
        for tamper in &self.tampers {
            let changed = tamper.apply(&token);
            if changed != token {
                assert!(
                    key.verify(&changed).is_err(),
                    "a changed mail link {changed:?} accepted (made {token:?})"
                );
            }
        }
    }

    fn check_signature(&self) {
        // Within the dates the clock can hold.
        let timestamp = self.timestamp % 100_000_000_000;
        let now = timestamp + i64::from(self.skew);
        if OffsetDateTime::from_unix_timestamp(now).is_err() {
            return;
        }
        let header = sign(&self.secret, timestamp, &self.body);
        check_signature(&self.secret, &header, &self.body, now);
        let Ok(at) = OffsetDateTime::from_unix_timestamp(now) else {
            return;
        };
        let tolerance = Duration::seconds(TOLERANCE);
        let verified = verify(&self.secret, &header, &self.body, at, tolerance);
        if i64::from(self.skew).abs() <= TOLERANCE {
            assert_eq!(verified, Ok(()), "a genuine signature refused");
        } else {
            assert_eq!(verified, Err(SignatureError::Expired));
        }
        if self.other_body != self.body {
            assert!(
                verify(&self.secret, &header, &self.other_body, at, tolerance).is_err(),
                "a signature accepted for another body"
            );
        }
        // HMAC pads short keys with zeros and hashes long ones, so only keys that differ
        // after padding are other keys.
        let padded = |key: &[u8]| key.len() <= 64;
        let trimmed = |key: &[u8]| {
            let end = key
                .iter()
                .rposition(|byte| *byte != 0)
                .map_or(0, |at| at + 1);
            key[..end].to_vec()
        };
        if padded(&self.secret)
            && padded(&self.other_secret)
            && trimmed(&self.secret) != trimmed(&self.other_secret)
        {
            assert!(
                verify(&self.other_secret, &header, &self.body, at, tolerance).is_err(),
                "a signature accepted under another secret"
            );
        }
        for tamper in &self.tampers {
            check_signature(&self.secret, &tamper.apply(&header), &self.body, now);
        }
    }
}

/// The text of a mail link under the seeds' key, for writing seeds.
#[must_use]
pub fn seed_mail_link(tenant: Uuid, user: Uuid, event_type: Option<EventType>) -> String {
    mail_link_key().token(
        TenantId::from_uuid(tenant),
        UserId::from_uuid(user),
        event_type,
    )
}

/// A mail-link key's text, for writing seeds.
#[must_use]
pub fn seed_key_text() -> String {
    STANDARD.encode(MAIL_LINK_KEY)
}
