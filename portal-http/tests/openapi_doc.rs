//! `docs/openapi.json` is the API's OpenAPI document as committed, and the operations table in
//! `docs/api.md` is made from it; these tests fail when either is stale. Regenerate the file with
//! `cargo run -p branded-server -- openapi > docs/openapi.json`, or run this test with
//! `PORTAL_BLESS=1`, which rewrites both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;
use support::Portal;

const REGENERATE: &str = "cargo run -p branded-server -- openapi > docs/openapi.json";

/// The line before the generated table in `docs/api.md`.
const TABLE_BEGIN: &str = "<!-- operations: generated from docs/openapi.json by portal-http/tests/openapi_doc.rs; PORTAL_BLESS=1 rewrites it -->";
/// The line after it.
const TABLE_END: &str = "<!-- operations: end -->";

/// Paths in the table are relative to this prefix.
const API_PREFIX: &str = "/api/v1";

/// The methods an operation may have, in the order the table lists them.
const METHODS: [&str; 7] = ["get", "head", "options", "post", "put", "patch", "delete"];

fn docs(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../docs")
        .join(name)
}

fn blessing() -> bool {
    std::env::var_os("PORTAL_BLESS").is_some()
}

fn generated() -> Value {
    portal_http::openapi_json().unwrap()
}

/// The committed form: pretty-printed, keys in serde_json's sorted order, a final newline.
fn pretty(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(document).unwrap();
    text.push('\n');
    text
}

/// Where two JSON values first differ, as a JSON pointer with both sides (cut short).
fn first_difference(at: &str, committed: &Value, generated: &Value) -> Option<String> {
    let show = |value: Option<&Value>| {
        let text = value.map_or_else(|| "(absent)".to_owned(), Value::to_string);
        text.chars().take(160).collect::<String>()
    };
    match (committed, generated) {
        (Value::Object(left), Value::Object(right)) => {
            let mut keys: Vec<&String> = left.keys().chain(right.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|key| {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (left.get(key), right.get(key)) {
                    (Some(a), Some(b)) => first_difference(&here, a, b),
                    (a, b) => Some(format!(
                        "{here}: committed {}, generated {}",
                        show(a),
                        show(b)
                    )),
                }
            })
        }
        (Value::Array(left), Value::Array(right)) => {
            let longest = left.len().max(right.len());
            (0..longest).find_map(|index| {
                let here = format!("{at}/{index}");
                match (left.get(index), right.get(index)) {
                    (Some(a), Some(b)) => first_difference(&here, a, b),
                    (a, b) => Some(format!(
                        "{here}: committed {}, generated {}",
                        show(a),
                        show(b)
                    )),
                }
            })
        }
        (a, b) if a == b => None,
        (a, b) => Some(format!(
            "{at}: committed {}, generated {}",
            show(Some(a)),
            show(Some(b))
        )),
    }
}

#[test]
fn the_committed_document_is_the_generated_one() {
    let path = docs("openapi.json");
    let expected = generated();
    if blessing() {
        std::fs::write(&path, pretty(&expected)).unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let committed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if let Some(difference) = first_difference("", &committed, &expected) {
        panic!("docs/openapi.json is stale (first difference at {difference}): run `{REGENERATE}`");
    }
    assert!(
        text == pretty(&committed),
        "docs/openapi.json is not in its committed form (pretty-printed, sorted keys, a final \
         newline): run `{REGENERATE}`"
    );
}

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    let portal = Portal::new().await;
    let reply = portal.get("/acme/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let served = reply.json();
    if let Some(difference) = first_difference("", &served, &generated()) {
        panic!("the served document differs from openapi_json() at {difference}");
    }
}

/// The operations of `document`, grouped by tag in the document's tag order, as Markdown.
fn operations_table(document: &Value) -> String {
    let paths = document["paths"]
        .as_object()
        .expect("the document has paths");
    let tags = document["tags"].as_array().expect("the document has tags");
    let mut grouped: Vec<(String, String, Vec<[String; 3]>)> = tags
        .iter()
        .map(|tag| {
            let name = tag["name"].as_str().expect("a tag has a name").to_owned();
            let about = tag["description"].as_str().unwrap_or_default().to_owned();
            (name, about, Vec::new())
        })
        .collect();
    let mut count = 0;
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let tag = operation["tags"][0]
                .as_str()
                .expect("every operation has a tag");
            let group = grouped
                .iter_mut()
                .find(|(name, _, _)| name == tag)
                .unwrap_or_else(|| panic!("{method} {path}: tag {tag} is not among the tags"));
            let summary = operation["summary"]
                .as_str()
                .or_else(|| operation["operationId"].as_str())
                .unwrap_or_default();
            let relative = path.strip_prefix(API_PREFIX).unwrap_or(path);
            group.2.push([
                method.to_ascii_uppercase(),
                relative.to_owned(),
                first_sentence(summary),
            ]);
            count += 1;
        }
    }
    let mut out = String::new();
    writeln!(
        out,
        "{count} operations, the document's own included; paths are relative to `{API_PREFIX}`."
    )
    .unwrap();
    for (tag, about, rows) in grouped {
        writeln!(out, "\n### `{tag}`: {about}\n").unwrap();
        if rows.is_empty() {
            writeln!(out, "No operations.").unwrap();
            continue;
        }
        writeln!(out, "| method | path | what |\n| --- | --- | --- |").unwrap();
        for [method, path, what] in rows {
            writeln!(out, "| `{method}` | `{path}` | {what} |").unwrap();
        }
    }
    out
}

/// The first sentence of an operation's summary, on one line, safe in a table cell.
fn first_sentence(summary: &str) -> String {
    let line = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = match line.find(". ") {
        Some(end) => &line[..=end],
        None => &line,
    };
    sentence.replace('|', "\\|")
}

#[test]
fn the_operations_table_in_api_md_is_made_from_the_document() {
    let path = docs("api.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (before, rest) = text
        .split_once(TABLE_BEGIN)
        .unwrap_or_else(|| panic!("docs/api.md has no line {TABLE_BEGIN}"));
    let (table, after) = rest
        .split_once(TABLE_END)
        .unwrap_or_else(|| panic!("docs/api.md has no line {TABLE_END}"));
    let expected = format!("\n{}\n", operations_table(&generated()));
    if blessing() {
        std::fs::write(
            &path,
            format!("{before}{TABLE_BEGIN}{expected}{TABLE_END}{after}"),
        )
        .unwrap();
        return;
    }
    assert!(
        table == expected,
        "the operations table in docs/api.md is stale: run this test with PORTAL_BLESS=1 \
         (`PORTAL_BLESS=1 cargo test -p portal-http --test openapi_doc`)"
    );
}
