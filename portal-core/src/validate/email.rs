use email_address::{EmailAddress, Options};

use super::{no_hidden_characters, trimmed, validated_text};
use crate::error::{DomainError, Invalid};

/// An email address, normalised to lower case so that it is unique per tenant whatever the
/// capitalisation. At most 254 characters (64 before the `@`); a domain with a top-level part;
/// no display name, no IP-literal domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// The most characters an address may have (RFC 5321's path limit less the brackets).
    pub const MAX_CHARS: usize = 254;
    /// The most characters before the `@`.
    pub const MAX_LOCAL_CHARS: usize = 64;

    /// Validates and normalises an address.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "email";
        let text = trimmed(FIELD, input, Self::MAX_CHARS)?;
        no_hidden_characters(FIELD, text)?;
        let options = Options::default()
            .with_required_tld()
            .without_display_text()
            .without_domain_literal();
        let address = EmailAddress::parse_with_options(text, options).map_err(|_| {
            DomainError::validation(
                FIELD,
                Invalid::Malformed("must be an address like name@example.com"),
            )
        })?;
        if address.local_part().chars().count() > Self::MAX_LOCAL_CHARS {
            return Err(DomainError::validation(
                FIELD,
                Invalid::TooLong {
                    max: Self::MAX_LOCAL_CHARS,
                },
            ));
        }
        Ok(Self(text.to_lowercase()))
    }

    /// The part after the `@`.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

validated_text!(Email);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised() {
        let email = Email::parse("  Ada.Lovelace+Portal@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace+portal@example.com");
        assert_eq!(email.domain(), "example.com");
        assert_eq!(
            email,
            Email::parse("ada.lovelace+portal@example.com").unwrap()
        );
    }

    #[test]
    fn malformed_addresses_name_the_field() {
        let local = format!("{}@example.com", "a".repeat(65));
        let long = format!("a@{}.com", "b".repeat(260));
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a@[127.0.0.1]",
            "Ada <ada@example.com>",
            "a b@example.com",
            "a@@example.com",
            "a\u{202E}@example.com",
            local.as_str(),
            long.as_str(),
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field(), Some("email"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<Email>("\"x@example.org\"").is_ok());
        let err = serde_json::from_str::<Email>("\"nope\"").unwrap_err();
        assert!(err.to_string().contains("invalid email"), "{err}");
    }
}
