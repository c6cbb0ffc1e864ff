//! Upload file names (SEC-37, SEC-38): the name recorded for any name a client sends, and the
//! `Content-Disposition` a download of it carries.
//!
//! The input is the name as UTF-8 (invalid bytes replaced, as a query string or a form would
//! deliver it). Properties of an accepted name: not empty, within [`MAX_NAME_BYTES`], no path
//! separator, NUL, control or bidirectional-control character, not `.` or `..`, no leading or
//! trailing dot or white space, an allowed extension, made only of the input's last path
//! segment's characters in their order, unchanged when it needed no cleaning, and cleaning it
//! again changes nothing. Refusals are 422. The header value is visible ASCII with the name
//! exactly recoverable from its `filename*`.

use portal_http::api::documents::ALLOWED_EXTENSIONS;
use portal_http::fuzzing::file_names::{MAX_NAME_BYTES, content_disposition, file_name};

/// Runs every check on one input.
pub fn check(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    let accepted = check_name(&raw);
    // The document pages turn a browser's `%22` back into `"` before the name is cleaned.
    check_name(&raw.replace("%22", "\""));
    check_disposition_of_anything(&raw);
    if let Some(name) = accepted {
        check_disposition_of_a_name(&name);
    }
}

/// Bidirectional controls (Unicode's `Bidi_Control`): they make `evil\u{202E}fdp.exe` read as
/// `evilexe.pdf`.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// What [`file_name`] drops besides control characters: bidirectional controls, zero-width
/// characters and the byte-order mark.
fn is_dropped(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Whether `needle`'s characters appear in `hay` in the same order.
fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle.chars().all(|c| hay.any(|h| h == c))
}

/// Checks the name `raw` is recorded under; the name, if accepted.
fn check_name(raw: &str) -> Option<String> {
    let name = match file_name(raw) {
        Ok(name) => name,
        Err(error) => {
            assert_eq!(error.status().as_u16(), 422, "{raw:?}: {error:?}");
            return None;
        }
    };
    assert!(!raw.contains('\0'), "a name with NUL accepted: {raw:?}");
    assert!(!name.is_empty(), "{raw:?}");
    assert!(name.len() <= MAX_NAME_BYTES, "{raw:?} -> {name:?}");
    assert!(!name.contains(['/', '\\']), "{raw:?} -> {name:?}");
    assert!(name != "." && name != "..", "{raw:?} -> {name:?}");
    assert!(!name.chars().any(is_dropped), "{raw:?} -> {name:?}");
    assert!(
        !name.starts_with(|c: char| c == '.' || c.is_whitespace()),
        "{raw:?} -> {name:?}"
    );
    assert!(
        !name.ends_with(|c: char| c == '.' || c.is_whitespace()),
        "{raw:?} -> {name:?}"
    );
    let Some((stem, extension)) = name.rsplit_once('.') else {
        panic!("no extension: {raw:?} -> {name:?}");
    };
    assert!(!stem.is_empty(), "{raw:?} -> {name:?}");
    assert!(
        ALLOWED_EXTENSIONS
            .iter()
            .any(|(allowed, _)| allowed.eq_ignore_ascii_case(extension)),
        "{raw:?} -> {name:?}"
    );
    let last_segment = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    assert!(
        is_subsequence(&name, last_segment),
        "{raw:?} -> {name:?}: not from the last segment"
    );
    // The extension is the one the client gave, never one left after a cut.
    let cleaned: String = last_segment.chars().filter(|c| !is_dropped(*c)).collect();
    let given = cleaned.trim_matches(|c: char| c.is_whitespace() || c == '.');
    assert!(
        given.ends_with(&format!(".{extension}")),
        "{raw:?} -> {name:?}"
    );
    // A name that needs no cleaning is kept as it is.
    if given.len() <= MAX_NAME_BYTES {
        assert_eq!(name, given, "{raw:?}");
    } else {
        // Cut to the limit, losing at most a character's worth more.
        assert!(name.len() + 4 > MAX_NAME_BYTES, "{raw:?} -> {name:?}");
    }
    // Idempotent.
    match file_name(&name) {
        Ok(again) => assert_eq!(again, name, "{raw:?}: cleaning again changed it"),
        Err(error) => panic!("{raw:?} -> {name:?}, then refused: {error:?}"),
    }
    Some(name)
}

/// The header for any stored name, however odd: visible ASCII, the documented shape.
fn check_disposition_of_anything(name: &str) -> String {
    let value = content_disposition(name);
    let text = match value.to_str() {
        Ok(text) => text.to_owned(),
        Err(error) => panic!("{name:?}: not visible ASCII: {error}"),
    };
    assert!(
        text.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "{name:?} -> {text:?}"
    );
    let Some(rest) = text.strip_prefix("attachment; filename=\"") else {
        panic!("{name:?} -> {text:?}: not an attachment with a file name");
    };
    let Some((fallback, encoded)) = rest.split_once("\"; filename*=UTF-8''") else {
        panic!("{name:?} -> {text:?}: no filename*");
    };
    assert!(
        !fallback.contains(['"', '\\', '%', '/', ';']),
        "{name:?} -> {text:?}"
    );
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~%".contains(&b)),
        "{name:?} -> {text:?}: filename* is not RFC 8187"
    );
    let decoded = percent_decode(encoded);
    assert!(!decoded.trim().is_empty(), "{name:?} -> {text:?}");
    decoded
}

/// The header for a name the upload accepted: it names the file exactly.
fn check_disposition_of_a_name(name: &str) {
    let decoded = check_disposition_of_anything(name);
    assert_eq!(decoded, name, "filename* does not give the name back");
}

/// `%XX` decoded, as a receiver of RFC 8187's `ext-value` does.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let hex = bytes.get(index + 1..index + 3).and_then(|pair| {
                std::str::from_utf8(pair)
                    .ok()
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
            });
            let Some(value) = hex else {
                panic!("{text:?}: a broken percent escape");
            };
            out.push(value);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(text) => text,
        Err(error) => panic!("{text:?}: filename* is not UTF-8: {error}"),
    }
}
