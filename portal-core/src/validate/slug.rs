use super::{trimmed, validated_text};
use crate::error::{DomainError, Invalid};

/// A short identifier used in paths and host names (a tenant's path prefix, say): 1–63 of
/// `a-z`, `0-9` and `-`, no hyphen at either end or twice in a row, so it is also a valid DNS label.
/// Upper-case ASCII is folded to lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    /// The most characters a slug may have (a DNS label's limit).
    pub const MAX_CHARS: usize = 63;

    /// Validates and normalises a slug.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "slug";
        let text = trimmed(FIELD, input, Self::MAX_CHARS)?.to_ascii_lowercase();
        let malformed = || {
            DomainError::validation(
                FIELD,
                Invalid::Malformed("must be letters a-z, digits and single inner hyphens"),
            )
        };
        if !text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(malformed());
        }
        if text.starts_with('-') || text.ends_with('-') || text.contains("--") {
            return Err(malformed());
        }
        Ok(Self(text))
    }
}

validated_text!(Slug);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::parse(" Acme-Agency ").unwrap().as_str(),
            "acme-agency"
        );
        assert!(Slug::parse("a").is_ok());
        assert!(Slug::parse(&"a".repeat(63)).is_ok());
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "a_b",
            "ä",
            "a b",
            "a/b",
            "..",
            &"a".repeat(64),
        ] {
            assert_eq!(
                Slug::parse(bad).unwrap_err().field(),
                Some("slug"),
                "{bad:?}"
            );
        }
    }
}
