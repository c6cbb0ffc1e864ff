//! Which language a page is in: the first supported one the browser's `Accept-Language` asks
//! for, English otherwise. A tenant default and a stored user preference come later and will be
//! asked before the header.

use serde::Serialize;

/// A language the pages are translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub(crate) enum Locale {
    /// English, the default.
    #[serde(rename = "en")]
    En,
    /// German.
    #[serde(rename = "de")]
    De,
}

impl Locale {
    /// Every locale with a complete catalogue.
    pub(crate) const ALL: [Self; 2] = [Self::En, Self::De];

    /// The BCP 47 tag, as in `<html lang>`.
    pub(crate) const fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// The locale of a tag's primary language (`de-AT` → German), if supported.
    pub(crate) fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Self::ALL
            .into_iter()
            .find(|locale| locale.tag().eq_ignore_ascii_case(primary))
    }

    /// The supported locale the browser prefers most (`q` weights, ties in header order);
    /// English when the header names none of them.
    pub(crate) fn negotiate(accept_language: Option<&str>) -> Self {
        let Some(header) = accept_language else {
            return Self::En;
        };
        let mut best: Option<(Self, u16)> = None;
        // Only the first few entries count: a header is the browser's short list, not a flood.
        for entry in header.split(',').take(16) {
            let mut parts = entry.split(';');
            let Some(locale) = parts.next().and_then(Self::from_tag) else {
                continue;
            };
            let weight = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .map_or(Some(1000), quality);
            let Some(weight) = weight.filter(|weight| *weight > 0) else {
                continue;
            };
            if best.is_none_or(|(_, best_weight)| weight > best_weight) {
                best = Some((locale, weight));
            }
        }
        best.map_or(Self::En, |(locale, _)| locale)
    }
}

/// A `q` value in thousandths (`0.8` → 800); `None` when malformed.
fn quality(text: &str) -> Option<u16> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    let value = whole + thousandths;
    (value <= 1000).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preferred_supported_language_wins() {
        assert_eq!(Locale::negotiate(None), Locale::En);
        assert_eq!(Locale::negotiate(Some("de")), Locale::De);
        assert_eq!(
            Locale::negotiate(Some("de-AT,de;q=0.9,en;q=0.8")),
            Locale::De
        );
        assert_eq!(
            Locale::negotiate(Some("fr-FR,fr;q=0.9,de;q=0.5")),
            Locale::De
        );
        assert_eq!(Locale::negotiate(Some("en;q=0.5,de;q=0.7")), Locale::De);
        assert_eq!(Locale::negotiate(Some("de;q=0,en")), Locale::En);
        assert_eq!(Locale::negotiate(Some("fr, *;q=0.5")), Locale::En);
        assert_eq!(Locale::negotiate(Some("de;q=2")), Locale::En);
        assert_eq!(Locale::negotiate(Some("en-GB,de")), Locale::En);
    }

    #[test]
    fn quality_values_parse_strictly() {
        assert_eq!(quality("1"), Some(1000));
        assert_eq!(quality("0.8"), Some(800));
        assert_eq!(quality("0.125"), Some(125));
        assert_eq!(quality("1.000"), Some(1000));
        assert_eq!(quality("1.5"), None);
        assert_eq!(quality("0.1234"), None);
        assert_eq!(quality("x"), None);
    }
}
