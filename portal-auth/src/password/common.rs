//! The bundled list of the 10,000 most common passwords (see `data/README.md` for its source).

use std::collections::HashSet;
use std::sync::LazyLock;

/// The list as shipped: one password a line.
const LIST: &str = include_str!("../../data/common-passwords-10k.txt");

/// The list in lower case, built once on first use.
static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    LIST.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_lowercase)
        .collect()
});

/// How many distinct passwords (compared case-insensitively) the bundled list holds.
#[must_use]
pub fn common_password_count() -> usize {
    COMMON.len()
}

/// Whether `password` is on the list of common passwords, compared case-insensitively, either
/// as it is or with trailing digits, punctuation and white space removed (so `Password123!`
/// counts as `password123` and as `password`).
#[must_use]
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    if COMMON.contains(&lower) {
        return true;
    }
    let stem = lower.trim_end_matches(|c: char| {
        c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace()
    });
    if stem.len() < lower.len() && COMMON.contains(stem) {
        return true;
    }
    let symbols_only =
        lower.trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
    symbols_only.len() < lower.len() && COMMON.contains(symbols_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_size_is_as_shipped_sec_05() {
        // SEC-05: the shipped file has 10,000 entries; 87 of them differ from another only in
        // case, leaving 9,913 distinct case-insensitive passwords.
        assert_eq!(
            LIST.lines().filter(|l| !l.trim().is_empty()).count(),
            10_000
        );
        assert_eq!(common_password_count(), 9_913);
    }

    #[test]
    fn lookups_ignore_case_sec_05() {
        // SEC-05
        assert!(is_common("qwerty123456"));
        assert!(is_common("QWERTY123456"));
        assert!(is_common("Password123!"));
        assert!(is_common("PASSWORD"));
        assert!(!is_common("violet-harbour-engine-42"));
        assert!(!is_common(""));
    }
}
