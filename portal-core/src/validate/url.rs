use super::{no_hidden_characters, trimmed, validated_text};
use crate::error::{DomainError, Invalid};

/// An absolute `https` URL with a host and no user name or password in it (logos, payment
/// links, webhook endpoints). At most 2,048 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpsUrl(String);

impl HttpsUrl {
    /// The most characters a URL may have.
    pub const MAX_CHARS: usize = 2048;

    /// Validates and normalises a URL.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "url";
        let text = trimmed(FIELD, input, Self::MAX_CHARS)?;
        no_hidden_characters(FIELD, text)?;
        let url = ::url::Url::parse(text).map_err(|_| {
            DomainError::validation(FIELD, Invalid::Malformed("must be an absolute URL"))
        })?;
        if url.scheme() != "https" {
            return Err(DomainError::validation(FIELD, Invalid::NotHttps));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(DomainError::validation(
                FIELD,
                Invalid::Malformed("must name a host"),
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(DomainError::validation(
                FIELD,
                Invalid::Malformed("must not carry a user name or password"),
            ));
        }
        let normalised = String::from(url);
        if normalised.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::validation(
                FIELD,
                Invalid::TooLong {
                    max: Self::MAX_CHARS,
                },
            ));
        }
        Ok(Self(normalised))
    }

    /// The host name (lower case; IPv6 addresses in brackets).
    #[must_use]
    pub fn host(&self) -> String {
        ::url::Url::parse(&self.0)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

validated_text!(HttpsUrl);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls() {
        let url = HttpsUrl::parse(" https://Pay.Example.com/invoice/42?x=1 ").unwrap();
        assert_eq!(url.as_str(), "https://pay.example.com/invoice/42?x=1");
        assert_eq!(url.host(), "pay.example.com");
        assert_eq!(
            HttpsUrl::parse("https://cdn.example.com:8443/logo.svg")
                .unwrap()
                .host(),
            "cdn.example.com"
        );
        assert_eq!(
            HttpsUrl::parse("https://[::1]:8443/").unwrap().host(),
            "[::1]"
        );
    }

    #[test]
    fn refused_urls_say_why() {
        assert_eq!(
            HttpsUrl::parse("http://example.com").unwrap_err(),
            DomainError::validation("url", Invalid::NotHttps)
        );
        assert_eq!(
            HttpsUrl::parse("javascript:alert(1)").unwrap_err().field(),
            Some("url")
        );
        let long = format!("https://example.com/{}", "a".repeat(2100));
        for bad in [
            "",
            "example.com",
            "https://",
            "https://user:pw@example.com/",
            "https://a\u{202E}b.com",
            &long,
        ] {
            assert_eq!(
                HttpsUrl::parse(bad).unwrap_err().field(),
                Some("url"),
                "{bad:?}"
            );
        }
        assert_eq!(
            HttpsUrl::parse("ftp://x.com")
                .unwrap_err()
                .in_field("logo_url")
                .field(),
            Some("logo_url")
        );
    }
}
