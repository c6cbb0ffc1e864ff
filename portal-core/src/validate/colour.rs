use super::validated_text;
use crate::error::{DomainError, Invalid};

/// A colour as `#rrggbb` (lower case). `#rgb` is accepted and expanded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HexColour(String);

impl HexColour {
    /// Validates and normalises a colour.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "colour";
        let malformed = || {
            DomainError::validation(
                FIELD,
                Invalid::Malformed("must be a colour like #1a2b3c or #abc"),
            )
        };
        let text = input.trim();
        if text.is_empty() {
            return Err(DomainError::validation(FIELD, Invalid::Empty));
        }
        let digits = text.strip_prefix('#').ok_or_else(malformed)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed());
        }
        let expanded = match digits.len() {
            3 => digits.chars().flat_map(|c| [c, c]).collect::<String>(),
            6 => digits.to_owned(),
            _ => return Err(malformed()),
        };
        Ok(Self(format!("#{}", expanded.to_ascii_lowercase())))
    }

    /// The red, green and blue components.
    #[must_use]
    pub fn rgb(&self) -> [u8; 3] {
        let channel = |at: usize| {
            self.0
                .get(at..at + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .unwrap_or(0)
        };
        [channel(1), channel(3), channel(5)]
    }

    /// The WCAG 2 relative luminance, from 0 (black) to 1 (white).
    #[must_use]
    pub fn relative_luminance(&self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.rgb();
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// The WCAG 2 contrast ratio between two colours, from 1 to 21. Body text needs at least 4.5
    /// for level AA, large text 3.
    #[must_use]
    pub fn contrast_ratio(&self, other: &Self) -> f64 {
        let (a, b) = (self.relative_luminance(), other.relative_luminance());
        let (light, dark) = if a >= b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }
}

validated_text!(HexColour);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_normalised() {
        assert_eq!(HexColour::parse("#ABC").unwrap().as_str(), "#aabbcc");
        assert_eq!(
            HexColour::parse(" #1A2b3C ").unwrap().rgb(),
            [0x1a, 0x2b, 0x3c]
        );
        for bad in ["", "abc", "#ab", "#abcd", "#ggg", "#1234567", "red", "#ÄÄÄ"] {
            assert_eq!(
                HexColour::parse(bad).unwrap_err().field(),
                Some("colour"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn contrast_follows_wcag() {
        let black = HexColour::parse("#000").unwrap();
        let white = HexColour::parse("#fff").unwrap();
        assert!((black.contrast_ratio(&white) - 21.0).abs() < 1e-9);
        assert!((white.contrast_ratio(&white) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic lightest grey that passes AA (4.54:1).
        let grey = HexColour::parse("#767676").unwrap();
        let ratio = grey.contrast_ratio(&white);
        assert!(ratio > 4.5 && ratio < 4.6, "{ratio}");
    }
}
