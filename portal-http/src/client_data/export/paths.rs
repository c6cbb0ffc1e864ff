//! Names inside the archive and of the download. Stored file names were cleaned at upload;
//! they are cleaned again here so no entry name can climb out of its folder when unpacked.

use portal_core::DocumentId;
use time::Date;

/// The most characters of a file name inside the archive, and of the client's part of the
/// download's name.
const MOST_NAME_CHARS: usize = 120;
const MOST_SLUG_CHARS: usize = 60;

/// `files/<document id>/<version number>-<safe file name>`.
pub(super) fn version_path(document: DocumentId, number: i32, file_name: &str) -> String {
    format!("files/{document}/{number}-{}", safe_file_name(file_name))
}

/// A file name with no path separators, control characters or leading dots; `file` when
/// nothing is left.
fn safe_file_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c == ':' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        return "file".to_owned();
    }
    let chars: Vec<char> = trimmed.chars().collect();
    if chars.len() <= MOST_NAME_CHARS {
        return trimmed.to_owned();
    }
    // Keep the extension of a long name: the kind of file is what its reader needs.
    let extension = trimmed
        .rsplit_once('.')
        .map(|(_, extension)| extension)
        .filter(|extension| extension.chars().count() <= 10)
        .map(|extension| format!(".{extension}"))
        .unwrap_or_default();
    let keep = MOST_NAME_CHARS - extension.chars().count();
    let stem: String = chars.into_iter().take(keep).collect();
    format!("{stem}{extension}")
}

/// `<client name slug>-export-<YYYY-MM-DD>.zip`: ASCII letters and digits of the name in lower
/// case, every other run of characters one hyphen.
pub(super) fn download_name(client_name: &str, day: Date) -> String {
    let mut slug = String::new();
    for c in client_name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= MOST_SLUG_CHARS {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "client" } else { slug };
    format!("{slug}-export-{day}.zip")
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn entry_names_stay_in_their_folder() {
        let document = DocumentId::new();
        assert_eq!(
            version_path(document, 2, "plan.pdf"),
            format!("files/{document}/2-plan.pdf")
        );
        for hostile in ["../../etc/passwd", "..\\x", "/abs", "a:b", "x\u{0}y", ".."] {
            let path = version_path(document, 1, hostile);
            let name = path.rsplit('/').next().unwrap();
            assert!(
                !path.split('/').any(|part| part == ".." || part == "."),
                "{path}"
            );
            assert!(!name.contains(['\\', ':', '\u{0}']), "{path}");
            assert!(!name.starts_with('.'), "{path}");
            assert_eq!(path.matches('/').count(), 2, "{path}");
        }
        assert_eq!(safe_file_name("   "), "file");
        let long = format!("{}.pdf", "a".repeat(500));
        let cut = safe_file_name(&long);
        assert_eq!(cut.chars().count(), MOST_NAME_CHARS);
        assert!(cut.ends_with(".pdf"));
    }

    #[test]
    fn the_download_is_named_after_the_client_and_the_day() {
        let day = date!(2026 - 03 - 09);
        assert_eq!(
            download_name("Acme Corp. (EU)", day),
            "acme-corp-eu-export-2026-03-09.zip"
        );
        assert_eq!(
            download_name("Ünïcode ☃", day),
            "n-code-export-2026-03-09.zip"
        );
        assert_eq!(download_name("☃", day), "client-export-2026-03-09.zip");
        assert_eq!(
            download_name(&"x".repeat(300), day).len(),
            MOST_SLUG_CHARS + "-export-2026-03-09.zip".len()
        );
    }
}
