use super::{trimmed, validated_text};
use crate::error::{DomainError, Invalid};

/// A language tag shaped like BCP 47 (`en`, `de`, `de-AT`, `zh-Hant-TW`): a primary language of
/// two or three letters, then subtags of one to eight letters or digits, joined by hyphens. An
/// underscore is read as a hyphen. Normalised to the usual case: the primary language lower case,
/// a four-letter script title case (`Hant`), a two-letter region upper case (`AT`), anything else
/// lower case. At most 35 characters, the length RFC 5646 asks every implementation to handle.
///
/// The shape is checked, not the registry: `xx` is accepted and simply matches no translation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageTag(String);

impl LanguageTag {
    /// The most characters a tag may have.
    pub const MAX_CHARS: usize = 35;

    /// Validates and normalises a tag.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "locale";
        let malformed = || {
            DomainError::validation(
                FIELD,
                Invalid::Malformed("must be a language tag like en, de or de-AT"),
            )
        };
        let text = trimmed(FIELD, input, Self::MAX_CHARS)?;
        let mut subtags = text.split(['-', '_']);
        let primary = subtags.next().unwrap_or_default();
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(malformed());
        }
        let mut normalised = primary.to_ascii_lowercase();
        for subtag in subtags {
            if !(1..=8).contains(&subtag.len())
                || !subtag.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(malformed());
            }
            normalised.push('-');
            let all_letters = subtag.bytes().all(|b| b.is_ascii_alphabetic());
            match subtag.len() {
                2 if all_letters => normalised.push_str(&subtag.to_ascii_uppercase()),
                4 if all_letters => {
                    let lower = subtag.to_ascii_lowercase();
                    let (first, rest) = lower.split_at(1);
                    normalised.push_str(&first.to_ascii_uppercase());
                    normalised.push_str(rest);
                }
                _ => normalised.push_str(&subtag.to_ascii_lowercase()),
            }
        }
        Ok(Self(normalised))
    }

    /// The primary language subtag, lower case: `de` for `de-AT`.
    #[must_use]
    pub fn primary_language(&self) -> &str {
        self.0.split('-').next().unwrap_or_default()
    }
}

validated_text!(LanguageTag);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        for (input, expected) in [
            ("en", "en"),
            (" DE ", "de"),
            ("de-at", "de-AT"),
            ("de_AT", "de-AT"),
            ("zh-hant-tw", "zh-Hant-TW"),
            ("es-419", "es-419"),
            ("gsw", "gsw"),
            ("de-CH-1996", "de-CH-1996"),
        ] {
            let tag = LanguageTag::parse(input).unwrap();
            assert_eq!(tag.as_str(), expected, "{input:?}");
        }
        assert_eq!(
            LanguageTag::parse("de-AT").unwrap().primary_language(),
            "de"
        );
    }

    #[test]
    fn malformed_tags_are_refused_naming_the_field() {
        assert_eq!(
            LanguageTag::parse("  ").unwrap_err(),
            DomainError::validation("locale", Invalid::Empty)
        );
        for bad in [
            "e",
            "english",
            "de-",
            "-de",
            "de--AT",
            "de AT",
            "de-ÄT",
            "d3",
            "de-abcdefghi",
            "en;q=0.5",
            "de\u{0}",
            &"de-at".repeat(8),
        ] {
            let error = LanguageTag::parse(bad).unwrap_err();
            assert_eq!(error.field(), Some("locale"), "{bad:?}");
        }
    }

    #[test]
    fn tags_round_trip_through_serde() {
        let tag: LanguageTag = serde_json::from_str("\"de-at\"").unwrap();
        assert_eq!(serde_json::to_string(&tag).unwrap(), "\"de-AT\"");
        assert!(serde_json::from_str::<LanguageTag>("\"x\"").is_err());
    }
}
