//! What files the portal accepts: an extension allow-list, and the first bytes of the body must
//! be that kind of file (SEC-36). The type recorded is the one checked here, never the client's.

/// How many leading bytes of an upload are held back and inspected before anything is stored.
/// Enough for an Office document's first ZIP entries; the rest streams through unseen.
pub(super) const SNIFF_BYTES: usize = 64 * 1024;

/// The extensions an upload may have (compared case-insensitively), each with the type it is
/// recorded and served as. Markup (HTML, SVG, XML), scripts and executables are not on it.
pub const ALLOWED_EXTENSIONS: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("zip", "application/zip"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("txt", "text/plain; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
];

/// A kind of file on the allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    Zip,
    Docx,
    Xlsx,
    Pptx,
    Text,
    Csv,
    Markdown,
}

impl FileKind {
    /// The kind an extension (without the dot) stands for, if it is allowed.
    pub(super) fn of_extension(extension: &str) -> Option<Self> {
        let kind = match extension.to_ascii_lowercase().as_str() {
            "pdf" => Self::Pdf,
            "png" => Self::Png,
            "jpg" | "jpeg" => Self::Jpeg,
            "gif" => Self::Gif,
            "webp" => Self::Webp,
            "zip" => Self::Zip,
            "docx" => Self::Docx,
            "xlsx" => Self::Xlsx,
            "pptx" => Self::Pptx,
            "txt" => Self::Text,
            "csv" => Self::Csv,
            "md" => Self::Markdown,
            _ => return None,
        };
        Some(kind)
    }

    /// The type recorded for, and served with, a file of this kind.
    pub(super) const fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Zip => "application/zip",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Self::Text => "text/plain; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
        }
    }

    /// Whether `head`, the first bytes of a body, are a file of this kind. `complete` says that
    /// `head` is the whole body (so a multi-byte character cut at its end is an error).
    pub(super) fn matches(self, head: &[u8], complete: bool) -> bool {
        match self {
            // At offset 0: a PDF reader would accept the header later on, which lets an HTML
            // page pass as a PDF.
            Self::Pdf => head.starts_with(b"%PDF-"),
            Self::Png => head.starts_with(b"\x89PNG\r\n\x1a\n"),
            Self::Jpeg => infer::image::is_jpeg(head),
            Self::Gif => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
            Self::Webp => head.starts_with(b"RIFF") && head.get(8..12) == Some(&b"WEBP"[..]),
            Self::Zip => infer::archive::is_zip(head),
            Self::Docx | Self::Xlsx | Self::Pptx => {
                // An Office file is a ZIP whose first entries name its part; tools order the
                // entries differently, so a ZIP whose kind cannot be told passes, but one that
                // is evidently another Office kind does not.
                head.starts_with(b"PK\x03\x04") && office_kind(head).is_none_or(|kind| kind == self)
            }
            Self::Text | Self::Csv | Self::Markdown => is_plain_text(head, complete),
        }
    }

    /// The kind a stored content type stands for, if it is one this module produces.
    pub(super) fn of_content_type(content_type: &str) -> Option<Self> {
        ALLOWED_EXTENSIONS
            .iter()
            .find(|(_, allowed)| *allowed == content_type)
            .and_then(|(extension, _)| Self::of_extension(extension))
    }
}

/// Which Office Open XML kind a ZIP is, when its first entries tell.
fn office_kind(head: &[u8]) -> Option<FileKind> {
    if infer::doc::is_docx(head) {
        Some(FileKind::Docx)
    } else if infer::doc::is_xlsx(head) {
        Some(FileKind::Xlsx)
    } else if infer::doc::is_pptx(head) {
        Some(FileKind::Pptx)
    } else {
        None
    }
}

/// UTF-8 text without control characters (other than tab, line breaks and form feed) that does
/// not open with markup: an HTML or SVG page renamed `.txt` is refused.
fn is_plain_text(head: &[u8], complete: bool) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A character cut by the end of the inspected window is fine; anything else is not text.
        Err(error) if !complete && error.error_len().is_none() => {
            let valid = head.get(..error.valid_up_to()).unwrap_or_default();
            std::str::from_utf8(valid).unwrap_or_default()
        }
        Err(_) => return false,
    };
    let controls = text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0C}'));
    !controls && !text.trim_start().starts_with('<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_allowed_extension_has_a_kind_and_its_type() {
        for (extension, content_type) in ALLOWED_EXTENSIONS {
            let kind = FileKind::of_extension(extension).unwrap();
            assert_eq!(kind.content_type(), *content_type, "{extension}");
            assert_eq!(
                FileKind::of_content_type(content_type).map(FileKind::content_type),
                Some(*content_type)
            );
        }
        for refused in ["html", "htm", "svg", "xml", "exe", "php", "js", "sh", ""] {
            assert_eq!(FileKind::of_extension(refused), None, "{refused}");
        }
        assert_eq!(FileKind::of_extension("PDF"), Some(FileKind::Pdf));
        assert_eq!(FileKind::of_content_type("text/html"), None);
    }

    #[test]
    fn signatures_must_agree_with_the_extension_sec_36() {
        let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
        let polyglot = b"<html><script>alert(1)</script>%PDF-1.7";
        for kind in [
            FileKind::Pdf,
            FileKind::Png,
            FileKind::Jpeg,
            FileKind::Gif,
            FileKind::Webp,
            FileKind::Zip,
            FileKind::Docx,
            FileKind::Text,
            FileKind::Csv,
            FileKind::Markdown,
        ] {
            assert!(!kind.matches(html, true), "{kind:?}");
            assert!(!kind.matches(polyglot, true), "{kind:?}");
        }
        assert!(FileKind::Pdf.matches(b"%PDF-1.7\n...", false));
        assert!(FileKind::Png.matches(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", false));
        assert!(FileKind::Jpeg.matches(b"\xFF\xD8\xFF\xE0\0\x10JFIF", false));
        assert!(FileKind::Gif.matches(b"GIF89a\x01\0\x01\0", true));
        assert!(FileKind::Webp.matches(b"RIFF\x10\0\0\0WEBPVP8 ", false));
        assert!(FileKind::Zip.matches(b"PK\x03\x04\x14\0\0\0", false));
        assert!(FileKind::Docx.matches(b"PK\x03\x04\x14\0\0\0", false));
        assert!(!FileKind::Png.matches(b"%PDF-1.7", true));
        assert!(!FileKind::Pdf.matches(b"", true));
    }

    #[test]
    fn text_is_utf8_without_controls_or_markup() {
        assert!(FileKind::Text.matches(b"", true));
        assert!(FileKind::Text.matches(b"hello\r\n\tworld", true));
        assert!(FileKind::Csv.matches("name,amount\nZoë,3\n".as_bytes(), true));
        assert!(FileKind::Markdown.matches(b"\xEF\xBB\xBF# Title\n", true));
        assert!(FileKind::Text.matches(b"BMW and GIF89a are words", true));
        // A character cut by the window passes only when the body goes on.
        let cut = &"é".as_bytes()[..1];
        assert!(FileKind::Text.matches(cut, false));
        assert!(!FileKind::Text.matches(cut, true));
        for bad in [
            &b"  <html><body>hi</body></html>"[..],
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            b"<?xml version='1.0'?>",
            b"nul\0byte",
            b"escape \x1b[31m",
            b"\xFF\xFEu\0t\0f\0",
        ] {
            assert!(!FileKind::Text.matches(bad, true), "{bad:?}");
        }
    }
}
