//! Which language a page is in ([`Locale::choose`]): the signed-in person's stored preference,
//! else the tenant's default, else the first supported one the browser's `Accept-Language` asks
//! for, else English. A tag of a language without a catalogue (`fr`) is passed over, so the next
//! in line decides.

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

    /// The language of a page: the person's `preference`, else the tenant's default, else what
    /// the browser accepts ([`accepted`](Self::accepted)), else English. Tags without a
    /// catalogue are passed over.
    pub(crate) fn choose(
        preference: Option<&str>,
        tenant_default: Option<&str>,
        accepted: Option<Self>,
    ) -> Self {
        preference
            .and_then(Self::from_tag)
            .or_else(|| tenant_default.and_then(Self::from_tag))
            .or(accepted)
            .unwrap_or(Self::En)
    }

    /// The supported locale an `Accept-Language` header prefers most (`q` weights, ties in
    /// header order), if it names one.
    pub(crate) fn accepted(header: &str) -> Option<Self> {
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
        best.map(|(locale, _)| locale)
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

    /// The browser's choice alone: English when it names no supported language.
    fn negotiate(header: Option<&str>) -> Locale {
        Locale::choose(None, None, header.and_then(Locale::accepted))
    }

    #[test]
    fn the_preferred_supported_language_wins() {
        assert_eq!(negotiate(None), Locale::En);
        assert_eq!(negotiate(Some("de")), Locale::De);
        assert_eq!(negotiate(Some("de-AT,de;q=0.9,en;q=0.8")), Locale::De);
        assert_eq!(negotiate(Some("fr-FR,fr;q=0.9,de;q=0.5")), Locale::De);
        assert_eq!(negotiate(Some("en;q=0.5,de;q=0.7")), Locale::De);
        assert_eq!(negotiate(Some("de;q=0,en")), Locale::En);
        assert_eq!(negotiate(Some("fr, *;q=0.5")), Locale::En);
        assert_eq!(negotiate(Some("de;q=2")), Locale::En);
        assert_eq!(negotiate(Some("en-GB,de")), Locale::En);
    }

    #[test]
    fn the_person_comes_before_the_tenant_before_the_browser() {
        let german_browser = Locale::accepted("de-DE,de;q=0.9");
        assert_eq!(german_browser, Some(Locale::De));
        assert_eq!(Locale::choose(None, None, None), Locale::En);
        assert_eq!(Locale::choose(None, None, german_browser), Locale::De);
        assert_eq!(Locale::choose(None, Some("en"), german_browser), Locale::En);
        assert_eq!(Locale::choose(Some("de-AT"), Some("en"), None), Locale::De);
        assert_eq!(
            Locale::choose(Some("en"), Some("de"), german_browser),
            Locale::En
        );
        // Languages without a catalogue are passed over.
        assert_eq!(Locale::choose(Some("fr"), Some("de"), None), Locale::De);
        assert_eq!(
            Locale::choose(Some("fr"), Some("it"), german_browser),
            Locale::De
        );
        assert_eq!(Locale::choose(Some("fr"), Some("it"), None), Locale::En);
        assert_eq!(Locale::accepted("fr, *;q=0.5"), None);
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
