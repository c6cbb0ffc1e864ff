//! The catalogue: every locale has exactly the same messages, each with a value, and the same
//! arguments in each message, so no page ever falls back to another language or shows a gap.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use fluent_syntax::parser;

/// The locales with a catalogue; English is the reference.
const LOCALES: [&str; 2] = ["en", "de"];

/// The catalogue's files of a locale: `(file name, source)`, sorted by name.
fn files(locale: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(locale);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ftl"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Each message id of a locale (all files) with the names of the arguments its value uses.
fn messages(locale: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut messages = BTreeMap::new();
    for (name, source) in files(locale) {
        file_messages(&format!("{locale}/{name}"), &source, &mut messages);
    }
    messages
}

fn file_messages(locale: &str, source: &str, messages: &mut BTreeMap<String, BTreeSet<String>>) {
    let resource = parser::parse(source)
        .unwrap_or_else(|(_, errors)| panic!("{locale} does not parse: {errors:?}"));
    for entry in resource.body {
        match entry {
            Entry::Message(message) => {
                let value = message
                    .value
                    .unwrap_or_else(|| panic!("{locale}: `{}` has no value", message.id.name));
                let mut args = BTreeSet::new();
                arguments(&value, &mut args);
                let id = message.id.name.to_owned();
                assert!(
                    messages.insert(id.clone(), args).is_none(),
                    "{locale}: `{id}` twice"
                );
            }
            Entry::Term(term) => panic!("{locale}: terms are not used: -{}", term.id.name),
            Entry::Junk { content } => panic!("{locale}: junk: {content}"),
            Entry::Comment(_) | Entry::GroupComment(_) | Entry::ResourceComment(_) => {}
        }
    }
}

/// The `$arguments` a pattern uses, in selectors and variants too.
fn arguments(pattern: &Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_arguments(expression, into);
        }
    }
}

fn expression_arguments(expression: &Expression<&str>, into: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => inline_arguments(inline, into),
        Expression::Select { selector, variants } => {
            inline_arguments(selector, into);
            for variant in variants {
                arguments(&variant.value, into);
            }
        }
    }
}

fn inline_arguments(inline: &InlineExpression<&str>, into: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => expression_arguments(expression, into),
        _ => {}
    }
}

#[test]
fn every_locale_has_exactly_the_same_messages_and_arguments() {
    let reference = messages(LOCALES[0]);
    assert!(reference.len() > 50, "{} messages", reference.len());
    for locale in &LOCALES[1..] {
        let other = messages(locale);
        let missing: Vec<_> = reference
            .keys()
            .filter(|id| !other.contains_key(*id))
            .collect();
        let extra: Vec<_> = other
            .keys()
            .filter(|id| !reference.contains_key(*id))
            .collect();
        assert!(missing.is_empty(), "{locale} lacks {missing:?}");
        assert!(extra.is_empty(), "{locale} has more: {extra:?}");
        for (id, args) in &reference {
            assert_eq!(&other[id], args, "{locale}: `{id}` takes other arguments");
        }
    }
}

#[test]
fn every_locale_has_the_same_files() {
    let names = |locale| {
        files(locale)
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
    };
    for locale in &LOCALES[1..] {
        assert_eq!(names(locale), names(LOCALES[0]), "{locale}");
    }
}

/// The ids a German file declares the same in both languages, in comment lines
/// `# same in German: id id …` (month names, numbers, loan words).
fn same_in_german(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| line.strip_prefix("# same in German:"))
        .flat_map(str::split_whitespace)
        .map(str::to_owned)
        .collect()
}

#[test]
fn no_message_is_left_untranslated() {
    // A German value equal to the English one is a copy, unless declared the same in both.
    let values = |source: &str| {
        source
            .lines()
            .filter_map(|line| line.split_once(" = "))
            .filter(|(id, _)| !id.starts_with([' ', '#']))
            .map(|(id, value)| (id.to_owned(), value.to_owned()))
            .collect::<BTreeMap<_, _>>()
    };
    let german_files: BTreeMap<_, _> = files("de").into_iter().collect();
    for (name, english) in files("en") {
        let german_source = &german_files[&name];
        let (english, german) = (values(&english), values(german_source));
        let same = same_in_german(german_source);
        for (id, value) in &english {
            if same.contains(id) || value.starts_with('{') {
                continue;
            }
            assert_ne!(
                german.get(id),
                Some(value),
                "{name}: `{id}` is not translated"
            );
        }
    }
}
