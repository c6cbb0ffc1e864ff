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

/// Each message id with the names of the arguments its value uses.
fn messages(locale: &str) -> BTreeMap<String, BTreeSet<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(locale)
        .join("portal.ftl");
    let source = std::fs::read_to_string(&path).unwrap();
    let resource = parser::parse(source.as_str())
        .unwrap_or_else(|(_, errors)| panic!("{locale} does not parse: {errors:?}"));
    let mut messages = BTreeMap::new();
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
    messages
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
fn no_message_is_left_untranslated() {
    // A German value equal to the English one is a copy, except where the words are the same.
    const SAME_IN_BOTH: [&str; 5] = [
        "month-4",
        "month-8",
        "month-9",
        "month-11",
        "summary-milestones",
    ];
    let read = |locale: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(locale)
            .join("portal.ftl");
        let source = std::fs::read_to_string(path).unwrap();
        source
            .lines()
            .filter_map(|line| line.split_once(" = "))
            .filter(|(id, _)| !id.starts_with([' ', '#']))
            .map(|(id, value)| (id.to_owned(), value.to_owned()))
            .collect::<BTreeMap<_, _>>()
    };
    let (english, german) = (read("en"), read("de"));
    for (id, value) in &english {
        if SAME_IN_BOTH.contains(&id.as_str()) || value.starts_with('{') {
            continue;
        }
        assert_ne!(german.get(id), Some(value), "`{id}` is not translated");
    }
}
