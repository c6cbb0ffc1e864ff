//! `docs/permissions.md` is generated from the code; this test fails when it is stale.
//! Regenerate it with `cargo run -p permissions-map > docs/permissions.md`
//! (or run this test with `PORTAL_BLESS=1`).

use std::path::PathBuf;

#[test]
fn permissions_doc_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/permissions.md");
    let expected = portal_core::permissions_document();
    if std::env::var_os("PORTAL_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/permissions.md is stale: run `cargo run -p permissions-map > docs/permissions.md`"
    );
}
