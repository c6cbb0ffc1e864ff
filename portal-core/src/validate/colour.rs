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

    /// White, the light ink of the portal's buttons and bars.
    #[must_use]
    pub fn white() -> Self {
        Self(LIGHT_INK.to_owned())
    }

    /// The ink that reads better on this colour — white or the near-black [`DARK_INK`] — with
    /// its contrast ratio.
    #[must_use]
    pub fn best_ink(&self) -> (&'static str, f64) {
        let on_white = self.contrast_ratio(&Self::white());
        let on_dark = self.contrast_ratio(&Self(DARK_INK.to_owned()));
        if on_white >= on_dark {
            (LIGHT_INK, on_white)
        } else {
            (DARK_INK, on_dark)
        }
    }

    /// Refuses, as `field`, a colour on which neither ink reaches the contrast body text needs
    /// for WCAG AA (1.4.3): the colour is a background of text (buttons, badges, banners).
    pub fn require_text_contrast(&self, field: &'static str) -> Result<(), DomainError> {
        require_contrast(field, self.best_ink().1, TEXT_CONTRAST_AA)
    }

    /// Refuses, as `field`, a colour that does not stand out from white by the contrast WCAG AA
    /// asks of interface parts and graphics (1.4.11): the colour draws focus rings, borders and
    /// progress bars on the white page.
    pub fn require_contrast_on_white(&self, field: &'static str) -> Result<(), DomainError> {
        require_contrast(
            field,
            self.contrast_ratio(&Self::white()),
            NON_TEXT_CONTRAST_AA,
        )
    }
}

/// The light ink: white.
pub const LIGHT_INK: &str = "#ffffff";
/// The dark ink: a near black (Tailwind's gray-900), softer than pure black.
pub const DARK_INK: &str = "#111827";
/// The least contrast WCAG AA asks for body text (success criterion 1.4.3).
pub const TEXT_CONTRAST_AA: f64 = 4.5;
/// The least contrast WCAG AA asks for interface parts and graphics (success criterion 1.4.11).
pub const NON_TEXT_CONTRAST_AA: f64 = 3.0;

/// A contrast ratio in hundredths, rounded down so a refused ratio never reads as the minimum:
/// 4.499:1 is 449.
#[must_use]
pub fn contrast_hundredths(ratio: f64) -> u16 {
    // Floored and clamped to the type's range first, so the cast only drops nothing (a NaN
    // becomes 0).
    (ratio * 100.0).floor().clamp(0.0, f64::from(u16::MAX)) as u16
}

/// Refuses `ratio` below `minimum` as [`Invalid::LowContrast`] of `field`.
fn require_contrast(field: &'static str, ratio: f64, minimum: f64) -> Result<(), DomainError> {
    if ratio >= minimum {
        Ok(())
    } else {
        Err(DomainError::validation(
            field,
            Invalid::LowContrast {
                ratio: contrast_hundredths(ratio),
                minimum: contrast_hundredths(minimum),
            },
        ))
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

    #[test]
    fn the_better_ink_is_chosen() {
        let navy = HexColour::parse("#1f3a5f").unwrap();
        assert_eq!(navy.best_ink().0, LIGHT_INK);
        let amber = HexColour::parse("#f2a541").unwrap();
        assert_eq!(amber.best_ink().0, DARK_INK);
        assert!(amber.best_ink().1 > 8.0, "{}", amber.best_ink().1);
    }

    #[test]
    fn low_contrast_is_refused_with_the_ratio_rounded_down() {
        // A mid grey: 4.48:1 with white, less with the dark ink.
        let grey = HexColour::parse("#777777").unwrap();
        assert_eq!(
            grey.require_text_contrast("primary_colour"),
            Err(DomainError::validation(
                "primary_colour",
                Invalid::LowContrast {
                    ratio: 447,
                    minimum: 450
                }
            ))
        );
        assert!(grey.require_contrast_on_white("primary_colour").is_ok());
        // Pale yellow: dark text reads on it, but it vanishes against the white page.
        let pale = HexColour::parse("#ffee88").unwrap();
        assert!(pale.require_text_contrast("primary_colour").is_ok());
        let error = pale
            .require_contrast_on_white("primary_colour")
            .unwrap_err();
        assert!(
            matches!(
                error,
                DomainError::Validation {
                    field: "primary_colour",
                    reason: Invalid::LowContrast { minimum: 300, .. }
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "invalid primary_colour: contrast 1.17:1 is below the 3.00:1 WCAG AA asks for"
        );
        assert!(
            HexColour::parse("#1f3a5f")
                .unwrap()
                .require_contrast_on_white("x")
                .is_ok()
        );
        assert_eq!(contrast_hundredths(4.499), 449);
        assert_eq!(contrast_hundredths(-1.0), 0);
        assert_eq!(contrast_hundredths(f64::NAN), 0);
    }
}
