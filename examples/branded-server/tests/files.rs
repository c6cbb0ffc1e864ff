//! The demo's PDFs are well-formed: every cross-reference offset points at its object, so
//! strict viewers open them without repairing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use branded_server::seed::simple_pdf;

#[test]
fn the_cross_reference_table_points_at_each_object() {
    let pdf = simple_pdf(
        "Statement of work (draft)",
        &["Fees: USD 48,000", "Back\\slash and (parens)", "Zoë → ?"],
    );
    let text = String::from_utf8(pdf).unwrap();
    assert!(text.starts_with("%PDF-1.4\n"));
    assert!(text.ends_with("%%EOF\n"));
    assert!(text.is_ascii(), "only ASCII reaches the file");
    assert!(text.contains(r"(Statement of work \(draft\)) Tj"));
    assert!(text.contains(r"(Back\\slash and \(parens\)) '"));

    let start: usize = text
        .rsplit("startxref\n")
        .next()
        .and_then(|tail| tail.lines().next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(text[start..].starts_with("xref\n0 7\n"));
    let entries: Vec<&str> = text[start..].lines().skip(3).take(6).collect();
    for (index, entry) in entries.iter().enumerate() {
        assert_eq!(entry.len() + 1, 20, "each entry is 20 bytes: {entry:?}");
        let offset: usize = entry[..10].parse().unwrap();
        assert!(
            text[offset..].starts_with(&format!("{} 0 obj\n", index + 1)),
            "object {} is not at {offset}",
            index + 1
        );
    }

    let stream_start = text.find("stream\n").unwrap() + "stream\n".len();
    let stream_end = text.find("endstream").unwrap();
    let length: usize = text
        .split("/Length ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(length, stream_end - stream_start);
}
