use super::{no_hidden_characters, trimmed, validated_text};
use crate::error::DomainError;

/// A name shown to people (a user's, a client's, a project's, a typed-name signature): trimmed,
/// 1–200 characters, no control or invisible formatting characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DisplayName(String);

impl DisplayName {
    /// The most characters a display name may have.
    pub const MAX_CHARS: usize = 200;

    /// Validates a display name.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "name";
        let text = trimmed(FIELD, input, Self::MAX_CHARS)?;
        no_hidden_characters(FIELD, text)?;
        Ok(Self(text.to_owned()))
    }

    /// A name the crate itself defines (built-in role titles); a test checks each one parses.
    pub(crate) fn from_static(name: &'static str) -> Self {
        Self(name.to_owned())
    }
}

validated_text!(DisplayName);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BuiltinRole, Invalid};

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert_eq!(
            DisplayName::parse("Zoë Müller-Łukasz").unwrap().as_str(),
            "Zoë Müller-Łukasz"
        );
        assert!(DisplayName::parse(&"é".repeat(200)).is_ok());
        let long = DisplayName::parse(&"é".repeat(201)).unwrap_err();
        assert_eq!(
            long,
            DomainError::validation("name", Invalid::TooLong { max: 200 })
        );
        assert_eq!(
            DisplayName::parse(" \t ").unwrap_err(),
            DomainError::validation("name", Invalid::Empty)
        );
    }

    #[test]
    fn control_and_bidi_characters_are_refused() {
        for bad in [
            "a\u{0}b",
            "line\nbreak",
            "evil\u{202E}fdp.exe",
            "zero\u{200B}width",
            "\u{FEFF}bom",
        ] {
            assert_eq!(
                DisplayName::parse(bad).unwrap_err(),
                DomainError::validation("name", Invalid::ControlCharacter),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn built_in_role_titles_are_valid_names() {
        for role in BuiltinRole::ALL {
            assert_eq!(
                DisplayName::parse(role.title()).unwrap(),
                DisplayName::from_static(role.title())
            );
        }
    }
}
