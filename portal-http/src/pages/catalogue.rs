//! The one catalogue of user-facing text: Fluent messages per locale, compiled in from
//! `locales/<tag>/<family>.ftl` — one file per family of pages, all in one bundle per locale (an
//! id defined twice is an error). A missing message or argument is an error, never a blank.

use std::borrow::Cow;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use super::locale::Locale;

/// The catalogue's files, by family of pages, each compiled in for every locale.
macro_rules! catalogue_files {
    ($($family:literal),+ $(,)?) => {
        /// The families, as the files under `locales/<tag>/` are named.
        pub(crate) const FAMILIES: &[&str] = &[$($family),+];

        /// The catalogue's sources for a locale, one per family.
        pub(crate) const fn sources(locale: Locale) -> &'static [&'static str] {
            match locale {
                Locale::En => &[$(include_str!(concat!("../../locales/en/", $family, ".ftl"))),+],
                Locale::De => &[$(include_str!(concat!("../../locales/de/", $family, ".ftl"))),+],
            }
        }
    };
}

catalogue_files![
    "portal",
    "forms",
    "projects",
    "approvals",
    "documents",
    "requests",
    "messages",
    "invoices",
    "account",
    "staff",
    "admin",
    "notify",
    "shared",
];

/// Why the catalogue could not be built or a message not formatted.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CatalogueError {
    /// A locale's source does not parse.
    #[error("the {locale} catalogue does not parse: {details}")]
    Syntax {
        /// The locale's tag.
        locale: &'static str,
        /// What the parser said.
        details: String,
    },
    /// No message has this id.
    #[error("no message `{id}` in the {locale} catalogue")]
    Missing {
        /// The locale's tag.
        locale: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The message was formatted with errors (an argument missing, say).
    #[error("message `{id}` of the {locale} catalogue: {details}")]
    Format {
        /// The locale's tag.
        locale: &'static str,
        /// The id asked for.
        id: String,
        /// What went wrong.
        details: String,
    },
}

/// Every locale's messages.
pub(crate) struct Catalogue {
    bundles: Vec<(Locale, FluentBundle<FluentResource>)>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue").finish_non_exhaustive()
    }
}

impl Catalogue {
    /// The compiled-in catalogue.
    pub(crate) fn new() -> Result<Self, CatalogueError> {
        let mut bundles = Vec::with_capacity(Locale::ALL.len());
        for locale in Locale::ALL {
            let syntax = |details: String| CatalogueError::Syntax {
                locale: locale.tag(),
                details,
            };
            let language: LanguageIdentifier = locale
                .tag()
                .parse()
                .map_err(|error| syntax(format!("{error}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![language]);
            // Unicode isolation marks around arguments would show up in titles and attributes.
            bundle.set_use_isolating(false);
            for (family, source) in FAMILIES.iter().zip(sources(locale)) {
                let resource = FluentResource::try_new((*source).to_owned())
                    .map_err(|(_, errors)| syntax(format!("{family}.ftl: {errors:?}")))?;
                bundle
                    .add_resource(resource)
                    .map_err(|errors| syntax(format!("{family}.ftl: {errors:?}")))?;
            }
            bundles.push((locale, bundle));
        }
        Ok(Self { bundles })
    }

    /// The message `id` in `locale`, with `args` filled in.
    pub(crate) fn text(
        &self,
        locale: Locale,
        id: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Result<String, CatalogueError> {
        let missing = || CatalogueError::Missing {
            locale: locale.tag(),
            id: id.to_owned(),
        };
        let bundle = self
            .bundles
            .iter()
            .find_map(|(candidate, bundle)| (*candidate == locale).then_some(bundle))
            .ok_or_else(missing)?;
        let pattern = bundle
            .get_message(id)
            .and_then(|message| message.value())
            .ok_or_else(missing)?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if errors.is_empty() {
            Ok(text.into_owned())
        } else {
            Err(CatalogueError::Format {
                locale: locale.tag(),
                id: id.to_owned(),
                details: format!("{errors:?}"),
            })
        }
    }

    /// [`Self::text`] with named arguments.
    pub(crate) fn text_with(
        &self,
        locale: Locale,
        id: &str,
        args: &[(&str, Arg<'_>)],
    ) -> Result<String, CatalogueError> {
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent.set(*name, value.to_fluent());
        }
        self.text(locale, id, Some(&fluent))
    }
}

/// An argument of a message: text, or a number (which plural rules select on).
#[derive(Debug, Clone)]
pub(crate) enum Arg<'a> {
    /// Text, inserted as it is (the template escapes the whole message).
    Text(Cow<'a, str>),
    /// A count.
    Number(i64),
}

impl Arg<'_> {
    fn to_fluent(&self) -> FluentValue<'static> {
        match self {
            Self::Text(text) => FluentValue::from(text.clone().into_owned()),
            Self::Number(number) => FluentValue::from(*number),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_format_with_their_arguments_in_each_locale() {
        let catalogue = Catalogue::new().unwrap();
        let throttled = |locale, minutes| {
            catalogue
                .text_with(
                    locale,
                    "login-throttled",
                    &[("minutes", Arg::Number(minutes))],
                )
                .unwrap()
        };
        assert_eq!(
            throttled(Locale::En, 1),
            "Too many attempts. Please wait a minute and try again."
        );
        assert_eq!(
            throttled(Locale::En, 5),
            "Too many attempts. Please wait 5 minutes and try again."
        );
        assert!(throttled(Locale::De, 5).contains("5 Minuten"));
        assert_eq!(
            catalogue.text(Locale::De, "sign-out", None).unwrap(),
            "Abmelden"
        );
    }

    #[test]
    fn a_missing_message_or_argument_is_an_error() {
        let catalogue = Catalogue::new().unwrap();
        assert!(matches!(
            catalogue.text(Locale::En, "no-such-message", None),
            Err(CatalogueError::Missing { .. })
        ));
        assert!(matches!(
            catalogue.text(Locale::En, "signed-in-as", None),
            Err(CatalogueError::Format { .. })
        ));
    }
}
