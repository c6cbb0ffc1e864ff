//! The secret keys: from the environment, else a key file created once and reused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use branded_server::keys::{FILE_NAME, KeySource, load_or_create};
use portal_auth::{MailLinkKey, TotpKey};

#[test]
fn the_key_file_is_created_once_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let (first, source) = load_or_create::<TotpKey>(dir.path(), None).unwrap();
    let path = dir.path().join(FILE_NAME);
    assert_eq!(source, KeySource::Created(path.clone()));
    let (second, source) = load_or_create::<TotpKey>(dir.path(), None).unwrap();
    assert_eq!(source, KeySource::File(path.clone()));
    assert_eq!(*first.to_base64(), *second.to_base64());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}

#[test]
fn the_environment_wins_and_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let key = TotpKey::generate().unwrap();
    let (loaded, source) = load_or_create::<TotpKey>(dir.path(), Some(&key.to_base64())).unwrap();
    assert_eq!(source, KeySource::Environment);
    assert_eq!(*loaded.to_base64(), *key.to_base64());
    assert!(
        !dir.path().join(FILE_NAME).exists(),
        "no file when the env has the key"
    );

    let error = load_or_create::<TotpKey>(dir.path(), Some("too-short")).unwrap_err();
    assert!(
        format!("{error:#}").contains("PORTAL_TOTP_KEY"),
        "{error:#}"
    );
}

#[test]
fn a_broken_key_file_is_an_error_not_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(FILE_NAME), "garbage").unwrap();
    let error = load_or_create::<TotpKey>(dir.path(), None).unwrap_err();
    assert!(format!("{error:#}").contains(FILE_NAME), "{error:#}");
}

#[test]
fn the_mail_link_key_has_its_own_file_and_variable() {
    let dir = tempfile::tempdir().unwrap();
    let (totp, _) = load_or_create::<TotpKey>(dir.path(), None).unwrap();
    let (mail, source) = load_or_create::<MailLinkKey>(dir.path(), None).unwrap();
    assert_eq!(source, KeySource::Created(dir.path().join("mail-link.key")));
    assert_ne!(*totp.to_base64(), *mail.to_base64(), "two keys, not one");
    let error =
        load_or_create::<MailLinkKey>(tempfile::tempdir().unwrap().path(), Some("x")).unwrap_err();
    assert!(
        format!("{error:#}").contains("PORTAL_MAIL_LINK_KEY"),
        "{error:#}"
    );
}
