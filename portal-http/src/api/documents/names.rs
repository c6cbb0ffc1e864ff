//! User file names are metadata only (SEC-37): they never reach a storage key or path, are
//! cleaned and bounded on the way in, and are encoded on the way out so no name can split or
//! break a header (SEC-38).

use axum::http::HeaderValue;

use super::sniff::{ALLOWED_EXTENSIONS, FileKind};
use crate::error::ApiError;

/// The longest file name kept, in bytes of UTF-8 (what common file systems hold).
pub(crate) const MAX_NAME_BYTES: usize = 255;

/// A cleaned file name and the kind of file its extension stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SafeName {
    /// The name to record.
    pub(crate) name: String,
    /// The kind of file the body must be.
    pub(super) kind: FileKind,
}

/// Cleans a file name given by the client: only the last path segment is kept, control and
/// invisible formatting characters are dropped, leading and trailing dots and spaces trimmed, and a
/// long name is cut (keeping its extension). A NUL (`x.php%00.pdf`) or an extension off the
/// allow-list (`x.pdf.exe`) is refused with 422 naming `name`.
pub(crate) fn file_name(raw: &str) -> Result<SafeName, ApiError> {
    if raw.contains('\0') {
        return Err(ApiError::invalid(
            "name",
            "the file name may not contain a NUL character",
        ));
    }
    let last_segment = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last_segment
        .chars()
        .filter(|c| !is_hidden_character(*c))
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c.is_whitespace() || c == '.');
    let Some((stem, extension)) = trimmed.rsplit_once('.') else {
        return Err(not_allowed());
    };
    let kind = FileKind::of_extension(extension).ok_or_else(not_allowed)?;
    let name = if trimmed.len() <= MAX_NAME_BYTES {
        trimmed.to_owned()
    } else {
        let budget = MAX_NAME_BYTES.saturating_sub(extension.len() + 1);
        let cut = (0..=budget.min(stem.len()))
            .rev()
            .find(|index| stem.is_char_boundary(*index))
            .unwrap_or(0);
        format!("{}.{extension}", stem.get(..cut).unwrap_or_default())
    };
    Ok(SafeName { name, kind })
}

fn not_allowed() -> ApiError {
    ApiError::invalid(
        "name",
        format!(
            "files of this type are not accepted; allowed extensions: {}",
            allowed_extensions()
        ),
    )
}

/// The accepted extensions as a list for people: `pdf, png, …` (the forms' hints and errors).
pub(crate) fn allowed_extensions() -> String {
    ALLOWED_EXTENSIONS
        .iter()
        .map(|(extension, _)| *extension)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Control characters and the invisible ones that disguise a name (`evil\u{202E}fdp.exe`).
fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `Content-Disposition: attachment` with the name twice (RFC 6266): an ASCII fallback in
/// `filename="…"` with every character that could end the quoted string, escape, be decoded or
/// trip a naive parser replaced by `_`, and the exact name percent-encoded in `filename*=UTF-8''…` (RFC 8187). The
/// value is visible ASCII only, so it can never carry a line break.
pub(crate) fn content_disposition(name: &str) -> HeaderValue {
    let name: String = name
        .chars()
        .filter(|c| !is_hidden_character(*c))
        .take(MAX_NAME_BYTES)
        .collect();
    let name = if name.trim().is_empty() {
        "download".to_owned()
    } else {
        name
    };
    let fallback: String = name
        .chars()
        .map(|c| {
            let plain = c == ' ' || c.is_ascii_graphic();
            if plain && !matches!(c, '"' | '\\' | '%' | '/' | ';') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encode(&name);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Every byte outside RFC 8187's `attr-char` as `%XX`.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push('%');
            encoded.push(char::from(HEX[usize::from(byte >> 4)]));
            encoded.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(raw: &str) -> String {
        file_name(raw).unwrap().name
    }

    #[test]
    fn names_lose_their_paths_and_hidden_characters_sec_37() {
        assert_eq!(clean("report.pdf"), "report.pdf");
        assert_eq!(clean("../../etc/passwd.txt"), "passwd.txt");
        assert_eq!(clean("..\\..\\boot.ini.txt"), "boot.ini.txt");
        assert_eq!(clean("/etc/passwd.txt"), "passwd.txt");
        assert_eq!(clean("..%2f..%2fx.txt"), "%2f..%2fx.txt");
        assert_eq!(clean("  .hidden.md. "), "hidden.md");
        assert_eq!(clean("a\r\nSet-Cookie: x=1.txt"), "aSet-Cookie: x=1.txt");
        assert_eq!(clean("Résumé – Zoë.PDF"), "Résumé – Zoë.PDF");
        assert_eq!(file_name("x.pdf.exe").unwrap_err().status(), 422);
        assert_eq!(file_name("x.php\0.pdf").unwrap_err().status(), 422);
        assert_eq!(file_name("evil\u{202E}fdp.exe").unwrap_err().status(), 422);
        assert_eq!(file_name("/etc/passwd").unwrap_err().status(), 422);
        assert_eq!(file_name("").unwrap_err().status(), 422);
        assert_eq!(file_name(".pdf").unwrap_err().status(), 422);
        assert_eq!(file_name("x.html").unwrap_err().status(), 422);
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let long = format!("{}.txt", "a".repeat(10_000));
        let name = clean(&long);
        assert_eq!(name.len(), MAX_NAME_BYTES);
        assert!(name.ends_with("a.txt"));
        let wide = format!("{}.pdf", "é".repeat(10_000));
        let name = clean(&wide);
        assert!(name.len() <= MAX_NAME_BYTES);
        assert!(name.ends_with("é.pdf"));
    }

    #[test]
    fn content_disposition_cannot_break_out_sec_38() {
        let value = content_disposition("a\"b\\c%41/d\r\nSet-Cookie: x=1;é.txt");
        let text = value.to_str().unwrap();
        assert_eq!(
            text,
            "attachment; filename=\"a_b_c_41_dSet-Cookie: x=1__.txt\"; \
             filename*=UTF-8''a%22b%5Cc%2541%2FdSet-Cookie%3A%20x%3D1%3B%C3%A9.txt"
        );
        assert_eq!(
            content_disposition("").to_str().unwrap(),
            "attachment; filename=\"download\"; filename*=UTF-8''download"
        );
    }
}
