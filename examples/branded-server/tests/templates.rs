//! `--template-dir`: no folder means the built-in templates, and a folder that is not there stops
//! the start with an error naming it. (`smoke.rs` serves a folder's template.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use branded_server::templates::{TemplateDirError, pages_config};

#[test]
fn no_directory_means_the_built_in_templates() {
    assert_eq!(pages_config(None).unwrap().template_dir, None);
}

#[test]
fn a_missing_directory_is_an_error_naming_it() {
    let parent = tempfile::tempdir().unwrap();
    let missing = parent.path().join("no-such-templates");
    let error = pages_config(Some(&missing)).unwrap_err();
    assert!(
        matches!(&error, TemplateDirError::Missing { path } if *path == missing),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
    assert!(message.contains("does not exist"), "{message}");
}

#[test]
fn a_file_is_not_a_template_directory() {
    let parent = tempfile::tempdir().unwrap();
    let file = parent.path().join("login.html");
    std::fs::write(&file, "<p>a template, not a folder</p>").unwrap();
    let error = pages_config(Some(&file)).unwrap_err();
    assert!(
        matches!(&error, TemplateDirError::NotADirectory { path } if *path == file),
        "{error:?}"
    );
    assert!(
        error.to_string().contains(&file.display().to_string()),
        "{error}"
    );
}
