//! `docs/security.md` maps every security requirement to the tests that prove it. This test keeps
//! that page honest: it fails when a requirement has no row, when a row cites no test and does
//! not say "not proved", or when a cited test (`` `path::name` ``) no longer exists — a renamed or
//! deleted test must take its citation with it.

use std::path::{Path, PathBuf};

/// The requirement ids of the portal's `SECURITY.md`, one per row of its table. That file is
/// not part of the repository, so the list is kept here: change both together.
const REQUIREMENTS: [&str; 30] = [
    "SEC-01",
    "SEC-03",
    "SEC-05",
    "SEC-08",
    "SEC-09",
    "SEC-10",
    "SEC-11",
    "SEC-13",
    "SEC-14",
    "SEC-15",
    "SEC-16",
    "SEC-17",
    "SEC-18",
    "SEC-19",
    "SEC-20",
    "SEC-21",
    "SEC-23",
    "SEC-25",
    "SEC-26",
    "SEC-27",
    "SEC-28",
    "SEC-29",
    "SEC-30",
    "SEC-31",
    "SEC-32",
    "SEC-35",
    "SEC-36",
    "SEC-37",
    "SEC-38",
    "SEC-40/41",
];

/// Files whose tests may be cited, by how their names end.
const CITABLE: [&str; 5] = [".rs", ".py", ".mjs", ".js", ".ts"];

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A cited test: the file it lives in (relative to the repository) and its name.
#[derive(Debug, PartialEq, Eq)]
struct Citation<'a> {
    path: &'a str,
    name: &'a str,
}

/// Every `` `path::name` `` in `text` whose path names a source file. Other code spans with
/// `::` (type paths such as `TenantScope::dangerous_system`) are not citations.
fn citations(text: &str) -> Vec<Citation<'_>> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|span| {
            let (path, name) = span.split_once("::")?;
            let cited = path.contains('/') && CITABLE.iter().any(|ext| path.ends_with(ext));
            cited.then_some(Citation { path, name })
        })
        .collect()
}

/// Whether `source` defines `name` the way its language does.
fn defines(path: &str, source: &str, name: &str) -> bool {
    if path.starts_with("portal-conformance/src/") {
        // A conformance check: run by its suite's macro on every backend (the crate checks
        // that every check is in its macro's list).
        declares(source, &format!("pub async fn {name}"))
    } else if path.ends_with(".rs") {
        is_rust_test(source, name)
    } else if path.ends_with(".py") {
        declares(source, &format!("def {name}"))
    } else {
        // Browser tests are named by strings: `test("a person signs out", …)`.
        ['"', '\'', '`'].iter().any(|quote| {
            let quoted = format!("{quote}{name}{quote}");
            source.contains(&quoted)
        })
    }
}

/// Whether `source` has a test `name` that runs: `fn name` declared right after a `#[test]` or
/// `#[tokio::test…]` attribute (other attributes and doc lines between), never `#[ignore]`d.
fn is_rust_test(source: &str, name: &str) -> bool {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    lines.iter().enumerate().any(|(at, line)| {
        let declared = ["fn ", "async fn "].iter().any(|start| {
            line.strip_prefix(start)
                .and_then(|rest| rest.strip_prefix(name))
                .is_some_and(|rest| rest.starts_with('('))
        });
        let attributes = lines[..at]
            .iter()
            .rev()
            .take_while(|above| above.starts_with("#[") || above.starts_with("//"));
        let mut runs = false;
        for attribute in attributes {
            if attribute.starts_with("#[ignore") {
                return false;
            }
            runs |= attribute.starts_with("#[test]") || attribute.starts_with("#[tokio::test");
        }
        declared && runs
    })
}

/// Whether `needle` occurs in `source` as a whole word (not as the start of a longer name).
fn declares(source: &str, needle: &str) -> bool {
    source.match_indices(needle).any(|(at, _)| {
        source[at + needle.len()..]
            .chars()
            .next()
            .is_none_or(|next| !(next.is_alphanumeric() || next == '_'))
    })
}

/// What is wrong with one citation, if anything.
fn check(root: &Path, citation: &Citation<'_>) -> Option<String> {
    let Citation { path, name } = citation;
    if path.starts_with('/') || path.split('/').any(|part| part == "..") {
        return Some(format!(
            "`{path}::{name}`: the path must stay inside the repository"
        ));
    }
    let Ok(source) = std::fs::read_to_string(root.join(path)) else {
        return Some(format!("`{path}::{name}`: no such file"));
    };
    (!defines(path, &source, name)).then(|| format!("`{path}::{name}`: no such test in the file"))
}

/// The rows of the requirements table: their cells, for each line that starts with `| SEC-`.
fn requirement_rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .filter(|line| line.starts_with("| SEC-"))
        .map(|line| {
            line.trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect()
        })
        .collect()
}

/// Everything wrong with the requirements table.
fn table_problems(text: &str) -> Vec<String> {
    let rows = requirement_rows(text);
    let mut problems = Vec::new();
    let ids: Vec<&str> = rows.iter().filter_map(|row| row.first().copied()).collect();
    for id in REQUIREMENTS {
        match ids.iter().filter(|found| **found == id).count() {
            1 => {}
            0 => problems.push(format!("{id} has no row")),
            n => problems.push(format!("{id} has {n} rows")),
        }
    }
    for id in &ids {
        if !REQUIREMENTS.contains(id) {
            problems.push(format!("{id} is not a requirement of SECURITY.md"));
        }
    }
    for row in &rows {
        let id = row.first().copied().unwrap_or_default();
        let [_, _, _, proved_by] = row.as_slice() else {
            problems.push(format!(
                "{id}: a row has four cells, this one {}",
                row.len()
            ));
            continue;
        };
        if citations(proved_by).is_empty() && !proved_by.contains("not proved") {
            problems.push(format!(
                "{id}: cites no test and does not say \"not proved\""
            ));
        }
    }
    problems
}

#[test]
fn every_requirement_has_a_row_and_every_cited_test_exists() {
    let root = repository();
    let text = std::fs::read_to_string(root.join("docs/security.md"))
        .expect("docs/security.md is readable");
    // Line by line: a code span never crosses a line, and a stray backtick (a fence) must not
    // hide the citations after it.
    let cited: Vec<Citation<'_>> = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("```"))
        .flat_map(citations)
        .collect();
    let in_table: usize = requirement_rows(&text)
        .iter()
        .filter_map(|row| row.last())
        .map(|proved_by| citations(proved_by).len())
        .sum();
    assert!(
        in_table >= REQUIREMENTS.len() && cited.len() >= in_table,
        "{} citations, {in_table} of them in the table",
        cited.len()
    );
    let mut problems = table_problems(&text);
    problems.extend(cited.iter().filter_map(|citation| check(&root, citation)));
    assert!(
        problems.is_empty(),
        "docs/security.md is out of step with the code:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checks_themselves_catch_what_they_should() {
    let root = repository();
    // Type paths are not citations; test paths are, with or without spaces in the name.
    assert_eq!(
        citations(
            "`TenantScope::dangerous_system` and `e2e/a.test.mjs::signs out` and `a/b.rs::x`"
        ),
        [
            Citation {
                path: "e2e/a.test.mjs",
                name: "signs out"
            },
            Citation {
                path: "a/b.rs",
                name: "x"
            },
        ]
    );
    // A name that is only the start of a real one does not count.
    assert!(declares(
        "fn matrix_work_sec_25() {}",
        "fn matrix_work_sec_25"
    ));
    assert!(!declares("fn matrix_work_sec_25() {}", "fn matrix_work"));
    assert!(defines(
        "x.py",
        "def no_foreign_data(ctx):",
        "no_foreign_data"
    ));
    assert!(defines(
        "x.mjs",
        "test(\"signing out\", async",
        "signing out"
    ));
    assert!(!defines(
        "x.mjs",
        "test(\"signing out ends\", async",
        "signing out"
    ));
    // Missing files, missing tests and paths out of the repository are reported.
    let this = "portal-http/tests/security_doc.rs";
    assert!(
        check(
            &root,
            &Citation {
                path: this,
                name: "the_checks_themselves_catch_what_they_should"
            }
        )
        .is_none()
    );
    assert!(
        check(
            &root,
            &Citation {
                path: this,
                name: "no_such_test"
            }
        )
        .is_some()
    );
    assert!(
        check(
            &root,
            &Citation {
                path: "portal-http/tests/nothing.rs",
                name: "x"
            }
        )
        .is_some()
    );
    assert!(
        check(
            &root,
            &Citation {
                path: "../outside.rs",
                name: "x"
            }
        )
        .is_some()
    );
    // A table without a requirement, with an unknown one, or with an unproved row fails.
    let table = "| SEC-01 | a | b | `a/b.rs::x` |\n| SEC-99 | a | b | nothing |\n";
    let problems = table_problems(table);
    assert!(
        problems.iter().any(|p| p == "SEC-03 has no row"),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("SEC-99 is not")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("SEC-99: cites no test")),
        "{problems:?}"
    );
    assert!(
        !problems.iter().any(|p| p.starts_with("SEC-01:")),
        "{problems:?}"
    );
}
