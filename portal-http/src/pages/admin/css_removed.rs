//! What the sanitiser dropped from a saved look's custom CSS, told on the page the save
//! redirects to (POST-redirect-GET), so whoever saved it sees why a rule has no effect.
//!
//! The list travels in that page's query as `removed=<list>.<mac>`: the list — each dropped
//! part's reason code and start, as the API reports them — as base64url JSON, the MAC an
//! HMAC-SHA-256 over it keyed by the session token. So only a save in this very session can
//! put text on the page; a link anyone else made shows nothing. Reasons are shown as messages
//! of the catalogue, in the reader's language; the dropped CSS as (escaped) text.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq as _;

use super::preview::hmac_sha256;
use crate::api::staff::branding::CssRemovalView;

/// The query parameter that carries the list.
pub(super) const PARAMETER: &str = "removed";
/// Separates this MAC from any other keyed by the session token.
const LABEL: &[u8] = b"portal css removed v1\0";
/// The most parts listed (the rest are counted), which keeps the redirect's URL short.
const MOST_LISTED: usize = 10;
/// The longest start of a dropped part shown (the sanitiser's own limit).
const MAX_EXCERPT_CHARS: usize = 80;

/// The list as it travels.
#[derive(Debug, Serialize, Deserialize)]
struct Carried {
    /// Reason code and start of each part listed.
    listed: Vec<(String, String)>,
    /// How many parts were dropped in all.
    total: usize,
}

/// What was dropped, as the page shows it.
#[derive(Debug, Serialize)]
pub(super) struct RemovedCss {
    /// The parts listed, in order.
    pub(super) parts: Vec<RemovedPart>,
    /// How many more were dropped than are listed.
    pub(super) more: usize,
}

/// One dropped part.
#[derive(Debug, Serialize)]
pub(super) struct RemovedPart {
    /// The catalogue message saying why.
    pub(super) reason: &'static str,
    /// The start of the part.
    pub(super) css: String,
}

/// The query value that tells `removed` to the page after the save, sealed for the session
/// `token`; `None` when nothing was dropped.
pub(super) fn seal(token: &str, removed: &[CssRemovalView]) -> Option<String> {
    if removed.is_empty() {
        return None;
    }
    let carried = Carried {
        listed: removed
            .iter()
            .take(MOST_LISTED)
            .map(|part| (part.reason.to_owned(), excerpt(&part.css)))
            .collect(),
        total: removed.len(),
    };
    let list = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&carried).ok()?);
    let mac = URL_SAFE_NO_PAD.encode(mac(token, &list)?);
    Some(format!("{list}.{mac}"))
}

/// The list a query value carries, when this session's save sealed it; else nothing.
pub(super) fn open(token: &str, value: &str) -> Option<RemovedCss> {
    let (list, presented) = value.rsplit_once('.')?;
    let presented = URL_SAFE_NO_PAD.decode(presented).ok()?;
    if !bool::from(mac(token, list)?.as_slice().ct_eq(presented.as_slice())) {
        return None;
    }
    let carried: Carried = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(list).ok()?).ok()?;
    let parts: Vec<RemovedPart> = carried
        .listed
        .iter()
        .take(MOST_LISTED)
        .map(|(code, css)| RemovedPart {
            reason: reason_message(code),
            css: excerpt(css),
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(RemovedCss {
        more: carried.total.saturating_sub(parts.len()),
        parts,
    })
}

/// The catalogue message of a reason code of the sanitiser.
fn reason_message(code: &str) -> &'static str {
    match code {
        "import" => "admin-css-removed-import",
        "charset_or_namespace" => "admin-css-removed-charset-or-namespace",
        "script" => "admin-css-removed-script",
        "url" => "admin-css-removed-url",
        "markup" => "admin-css-removed-markup",
        "malformed" => "admin-css-removed-malformed",
        // A reason added to the sanitiser later still gets a message.
        _ => "admin-css-removed-other",
    }
}

/// At most [`MAX_EXCERPT_CHARS`] characters of `css`.
fn excerpt(css: &str) -> String {
    css.chars().take(MAX_EXCERPT_CHARS).collect()
}

/// HMAC-SHA-256 of the labelled `list`, keyed by the session `token`.
fn mac(token: &str, list: &str) -> Option<[u8; 32]> {
    let mut message = LABEL.to_vec();
    message.extend_from_slice(list.as_bytes());
    hmac_sha256(token.as_bytes(), &message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed(reason: &'static str, css: &str) -> CssRemovalView {
        CssRemovalView {
            reason,
            message: String::new(),
            css: css.to_owned(),
        }
    }

    #[test]
    fn a_sealed_list_opens_for_its_session_only() {
        let list = [
            removed("import", "@import url(https://evil.example/x.css);"),
            removed("url", "background: url(https://elsewhere.example/a.png)"),
            removed("brand_new", "x"),
        ];
        let value = seal("session-a", &list).unwrap();
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')),
            "{value}"
        );
        let opened = open("session-a", &value).unwrap();
        let reasons: Vec<_> = opened.parts.iter().map(|part| part.reason).collect();
        assert_eq!(
            reasons,
            [
                "admin-css-removed-import",
                "admin-css-removed-url",
                "admin-css-removed-other"
            ]
        );
        assert_eq!(
            opened.parts[0].css,
            "@import url(https://evil.example/x.css);"
        );
        assert_eq!(opened.more, 0);

        assert!(open("session-b", &value).is_none(), "another session's");
        let (list, mac) = value.rsplit_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"listed":[["url","Call 0800"]],"total":1}"#);
        assert!(open("session-a", &format!("{forged}.{mac}")).is_none());
        assert!(open("session-a", list).is_none());
        assert!(open("session-a", "").is_none());
        assert!(seal("session-a", &[]).is_none());
    }

    #[test]
    fn a_long_list_is_cut_and_counted() {
        let list: Vec<_> = (0..14)
            .map(|n| removed("malformed", &format!("{n}{}", "x".repeat(200))))
            .collect();
        let opened = open("s", &seal("s", &list).unwrap()).unwrap();
        assert_eq!(opened.parts.len(), MOST_LISTED);
        assert_eq!(opened.more, 4);
        assert!(
            opened
                .parts
                .iter()
                .all(|part| part.css.chars().count() == MAX_EXCERPT_CHARS)
        );
    }
}
