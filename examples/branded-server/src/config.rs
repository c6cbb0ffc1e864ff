//! The branding file (`portal.toml`): which tenant the server runs and how it looks.
//!
//! The file is parsed into plain strings first and then validated field by field with the same
//! rules the portal applies everywhere (`portal_core::validate`), so an error names the exact key
//! (`branding.primary_colour`) rather than failing somewhere inside serde.

use std::path::{Path, PathBuf};

use portal_core::model::Branding;
use portal_core::{DisplayName, DomainError, Email, HexColour, HttpsUrl, Invalid, Slug};
use serde::Deserialize;

/// The `portal.toml` shipped with the example, compiled in so the binary runs from any folder.
pub const BUNDLED: &str = include_str!("../portal.toml");

/// The longest custom CSS accepted, in bytes.
pub const MAX_CUSTOM_CSS_BYTES: usize = 32 * 1024;

/// The longest font family name accepted, in characters.
pub const MAX_FONT_CHARS: usize = 64;

/// A validated branding file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalConfig {
    /// The tenant's path prefix.
    pub slug: Slug,
    /// The tenant's look.
    pub branding: Branding,
}

/// Why a branding file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not TOML of the expected shape (a missing, unknown or mistyped key); the
    /// message names the key and the line.
    #[error("not a valid branding file: {0}")]
    Syntax(#[from] toml::de::Error),
    /// A value broke a rule.
    #[error("invalid `{field}`: {reason}")]
    Invalid {
        /// The key, as written in the file (`branding.logo_url`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

impl ConfigError {
    /// The key a validation error is about, if it is one.
    #[must_use]
    pub const fn field(&self) -> Option<&'static str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::Read { .. } | Self::Syntax(_) => None,
        }
    }

    /// The core's error, reported under the file's key.
    fn from_domain(field: &'static str, error: DomainError) -> Self {
        let reason = match error {
            DomainError::Validation { reason, .. } => reason.to_string(),
            other => other.to_string(),
        };
        Self::Invalid { field, reason }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    slug: String,
    branding: RawBranding,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBranding {
    display_name: String,
    logo_url: Option<String>,
    favicon_url: Option<String>,
    primary_colour: String,
    accent_colour: String,
    font: Option<String>,
    custom_css: Option<String>,
    email_sender_name: Option<String>,
    email_sender_address: Option<String>,
}

impl PortalConfig {
    /// Reads and validates the branding file at `path`.
    ///
    /// # Errors
    /// [`ConfigError::Read`] if the file cannot be read; otherwise as [`parse`](Self::parse).
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text)
    }

    /// The bundled `portal.toml`.
    ///
    /// # Errors
    /// Only if the bundled file itself is broken (a test keeps it valid).
    pub fn bundled() -> Result<Self, ConfigError> {
        Self::parse(BUNDLED)
    }

    /// Parses and validates the text of a branding file.
    ///
    /// # Errors
    /// [`ConfigError::Syntax`] for a missing, unknown or mistyped key, [`ConfigError::Invalid`]
    /// naming the first key whose value breaks a rule.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let raw: RawFile = toml::from_str(text)?;
        let b = raw.branding;
        let slug = Slug::parse(&raw.slug).map_err(|e| ConfigError::from_domain("slug", e))?;
        let branding = Branding {
            display_name: DisplayName::parse(&b.display_name)
                .map_err(|e| ConfigError::from_domain("branding.display_name", e))?,
            logo_url: optional(b.logo_url, "branding.logo_url", HttpsUrl::parse)?,
            favicon_url: optional(b.favicon_url, "branding.favicon_url", HttpsUrl::parse)?,
            primary_colour: HexColour::parse(&b.primary_colour)
                .map_err(|e| ConfigError::from_domain("branding.primary_colour", e))?,
            accent_colour: HexColour::parse(&b.accent_colour)
                .map_err(|e| ConfigError::from_domain("branding.accent_colour", e))?,
            font: optional(b.font, "branding.font", font)?,
            custom_css: optional(b.custom_css, "branding.custom_css", custom_css)?,
            email_sender_name: optional(
                b.email_sender_name,
                "branding.email_sender_name",
                DisplayName::parse,
            )?,
            email_sender_address: optional(
                b.email_sender_address,
                "branding.email_sender_address",
                Email::parse,
            )?,
            default_locale: None,
        };
        Ok(Self { slug, branding })
    }
}

/// An optional value: absent or blank is `None`, anything else must pass `parse`.
fn optional<T>(
    value: Option<String>,
    field: &'static str,
    parse: impl FnOnce(&str) -> Result<T, DomainError>,
) -> Result<Option<T>, ConfigError> {
    match value {
        Some(text) if !text.trim().is_empty() => parse(&text)
            .map(Some)
            .map_err(|e| ConfigError::from_domain(field, e)),
        _ => Ok(None),
    }
}

/// A font family name. It ends up inside CSS, so only the characters family names use are
/// allowed: nothing that could close a declaration or a rule.
fn font(text: &str) -> Result<String, DomainError> {
    let name = text.trim();
    if name.chars().count() > MAX_FONT_CHARS {
        return Err(DomainError::validation(
            "font",
            Invalid::TooLong {
                max: MAX_FONT_CHARS,
            },
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(DomainError::validation(
            "font",
            Invalid::Malformed("must be a font family name: letters, digits, spaces and hyphens"),
        ));
    }
    Ok(name.to_owned())
}

/// Custom CSS. Refused here so a mistake fails at start-up, not in every page: no `<` (it could
/// close the page's `<style>` element), no `@import` (pages load nothing from elsewhere), no
/// control characters but line breaks and tabs, at most [`MAX_CUSTOM_CSS_BYTES`].
fn custom_css(text: &str) -> Result<String, DomainError> {
    let css = text.trim();
    if css.len() > MAX_CUSTOM_CSS_BYTES {
        return Err(DomainError::validation(
            "custom_css",
            Invalid::TooLong {
                max: MAX_CUSTOM_CSS_BYTES,
            },
        ));
    }
    if css
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DomainError::validation(
            "custom_css",
            Invalid::ControlCharacter,
        ));
    }
    if css.contains('<') {
        return Err(DomainError::validation(
            "custom_css",
            Invalid::Malformed("must not contain `<`"),
        ));
    }
    if css.to_ascii_lowercase().contains("@import") {
        return Err(DomainError::validation(
            "custom_css",
            Invalid::Malformed("must not use @import"),
        ));
    }
    Ok(css.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

    use super::PortalConfig;

    /// The white-label guide, whose first `toml` block is a complete branding file.
    const GUIDE: &str = include_str!("../../../docs/white-label.md");

    /// The first fenced `toml` block of `markdown`.
    fn first_toml_block(markdown: &str) -> Option<&str> {
        let (_, rest) = markdown.split_once("```toml\n")?;
        let (block, _) = rest.split_once("\n```")?;
        Some(block)
    }

    #[test]
    fn the_guides_example_file_parses_with_every_key() {
        let text = first_toml_block(GUIDE).unwrap();
        let config = PortalConfig::parse(text).unwrap();
        let b = &config.branding;
        assert_eq!(config.slug.as_str(), "harbour");
        assert_eq!(b.display_name.as_str(), "Harbour & Co");
        assert!(b.logo_url.is_some() && b.favicon_url.is_some());
        assert_eq!(b.primary_colour.as_str(), "#1f3a5f");
        assert_eq!(b.accent_colour.as_str(), "#f2a541");
        assert_eq!(b.font.as_deref(), Some("Source Sans 3"));
        assert!(b.custom_css.as_deref().unwrap().contains("paper.png"));
        assert_eq!(
            b.email_sender_name.as_ref().unwrap().as_str(),
            "Harbour & Co client team"
        );
        assert_eq!(
            b.email_sender_address.as_ref().unwrap().as_str(),
            "clients@harbour.example"
        );
        // The guide says the file's colours should pass the API's contrast rules.
        b.check_contrast().unwrap();
    }
}
