//! Validated values: each type can only hold a value that passed its rules, and a refusal is a
//! [`DomainError::Validation`] naming the field. Deserialising
//! runs the same rules, so a request body cannot smuggle in an unchecked value.
//!
//! No function here panics, on any input.

mod colour;
mod date_range;
mod email;
mod language;
mod money;
mod name;
mod slug;
mod url;

pub use colour::{
    DARK_INK, HexColour, LIGHT_INK, NON_TEXT_CONTRAST_AA, TEXT_CONTRAST_AA, contrast_hundredths,
};
pub use date_range::DateRange;
pub use email::Email;
pub use language::LanguageTag;
pub use money::{Currency, Money};
pub use name::DisplayName;
pub use slug::Slug;
pub use url::HttpsUrl;

use crate::error::{DomainError, Invalid};

/// Implements the text conversions of a validated string newtype whose `parse` does the checks.
macro_rules! validated_text {
    ($ty:ident) => {
        impl $ty {
            /// The validated, normalised text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The validated text, owned.
            #[must_use]
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::DomainError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                Self::parse(input)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::DomainError;

            fn try_from(input: String) -> Result<Self, Self::Error> {
                Self::parse(&input)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use validated_text;

/// Trims `input` and checks it is not empty and at most `max` characters long.
fn trimmed<'a>(field: &'static str, input: &'a str, max: usize) -> Result<&'a str, DomainError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DomainError::validation(field, Invalid::Empty));
    }
    if text.chars().count() > max {
        return Err(DomainError::validation(field, Invalid::TooLong { max }));
    }
    Ok(text)
}

/// Whether `c` is a control character, or an invisible formatting character that can hide or
/// reorder text (zero-width and bidirectional controls, the byte-order mark).
fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Refuses text holding a [hidden character](is_hidden_character).
fn no_hidden_characters(field: &'static str, text: &str) -> Result<(), DomainError> {
    if text.chars().any(is_hidden_character) {
        Err(DomainError::validation(field, Invalid::ControlCharacter))
    } else {
        Ok(())
    }
}
