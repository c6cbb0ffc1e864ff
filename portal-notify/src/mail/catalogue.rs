//! The text of notification mail: Fluent messages compiled in from `locales/<tag>/mail.ftl`, one
//! bundle per language. A missing message or argument is an error, never a blank.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use super::render::RenderError;

/// A language mail is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Language {
    /// English, also for every locale not otherwise supported.
    En,
    /// German.
    De,
}

impl Language {
    /// Every supported language.
    pub(crate) const ALL: [Self; 2] = [Self::En, Self::De];

    /// The language for a locale such as `de`, `de-AT` or `en-GB`; English when unknown.
    pub(crate) fn for_locale(locale: &str) -> Self {
        let primary = locale.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("de") {
            Self::De
        } else {
            Self::En
        }
    }

    /// The language's tag, as in `<html lang>`.
    pub(crate) const fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    const fn source(self) -> &'static str {
        match self {
            Self::En => include_str!("../../locales/en/mail.ftl"),
            Self::De => include_str!("../../locales/de/mail.ftl"),
        }
    }
}

/// An argument of a message: text, or a count (which plural rules select on).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    /// Text, inserted as it is (the HTML template escapes it).
    Text(&'a str),
    /// A count.
    Count(usize),
}

/// Every language's messages.
pub(crate) struct Catalogue {
    bundles: Vec<(Language, FluentBundle<FluentResource>)>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue").finish_non_exhaustive()
    }
}

impl Catalogue {
    /// The compiled-in catalogue.
    pub(crate) fn builtin() -> Result<Self, RenderError> {
        let mut bundles = Vec::with_capacity(Language::ALL.len());
        for language in Language::ALL {
            let syntax = |details: String| RenderError::Catalogue {
                locale: language.tag(),
                details,
            };
            let id: LanguageIdentifier = language
                .tag()
                .parse()
                .map_err(|error| syntax(format!("{error}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Isolation marks around arguments would show up in subjects and plain text.
            bundle.set_use_isolating(false);
            let resource = FluentResource::try_new(language.source().to_owned())
                .map_err(|(_, errors)| syntax(format!("mail.ftl does not parse: {errors:?}")))?;
            bundle
                .add_resource(resource)
                .map_err(|errors| syntax(format!("mail.ftl: {errors:?}")))?;
            bundles.push((language, bundle));
        }
        Ok(Self { bundles })
    }

    /// The message `id` in `language` with `args` filled in.
    pub(crate) fn text(
        &self,
        language: Language,
        id: &str,
        args: &[(&str, Arg<'_>)],
    ) -> Result<String, RenderError> {
        let missing = || RenderError::MissingMessage {
            locale: language.tag(),
            id: id.to_owned(),
        };
        let bundle = self
            .bundles
            .iter()
            .find_map(|(candidate, bundle)| (*candidate == language).then_some(bundle))
            .ok_or_else(missing)?;
        let pattern = bundle
            .get_message(id)
            .and_then(|message| message.value())
            .ok_or_else(missing)?;
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            let value = match value {
                Arg::Text(text) => FluentValue::from(*text),
                Arg::Count(count) => FluentValue::from(*count),
            };
            fluent.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent), &mut errors);
        if errors.is_empty() {
            Ok(text.into_owned())
        } else {
            Err(RenderError::Catalogue {
                locale: language.tag(),
                details: format!("message `{id}`: {errors:?}"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_map_to_languages() {
        assert_eq!(Language::for_locale("de"), Language::De);
        assert_eq!(Language::for_locale("de-AT"), Language::De);
        assert_eq!(Language::for_locale("DE_ch"), Language::De);
        assert_eq!(Language::for_locale("en-GB"), Language::En);
        assert_eq!(Language::for_locale("fr"), Language::En);
        assert_eq!(Language::for_locale(""), Language::En);
        assert_eq!(Language::for_locale("deu"), Language::En);
    }

    #[test]
    fn plurals_follow_the_count() {
        let catalogue = Catalogue::builtin().unwrap();
        let subject = |language, count| {
            catalogue
                .text(
                    language,
                    "subject-digest",
                    &[
                        ("brand", Arg::Text("Northwind")),
                        ("count", Arg::Count(count)),
                    ],
                )
                .unwrap()
        };
        assert_eq!(
            subject(Language::En, 1),
            "Your daily summary from Northwind: 1 update"
        );
        assert_eq!(
            subject(Language::En, 5),
            "Your daily summary from Northwind: 5 updates"
        );
        assert_eq!(
            subject(Language::De, 5),
            "Ihre tägliche Zusammenfassung von Northwind: 5 Neuigkeiten"
        );
    }

    #[test]
    fn a_missing_message_or_argument_is_an_error() {
        let catalogue = Catalogue::builtin().unwrap();
        assert!(matches!(
            catalogue.text(Language::En, "no-such-message", &[]),
            Err(RenderError::MissingMessage { .. })
        ));
        assert!(matches!(
            catalogue.text(Language::De, "greeting", &[]),
            Err(RenderError::Catalogue { .. })
        ));
    }
}
