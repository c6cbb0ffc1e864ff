//! The file mailer writes one readable, private file per mail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use branded_server::mail::FileMailer;
use portal_auth::{MailKind, Mailer, OutgoingMail};
use portal_core::Email;

fn mail(kind: MailKind, link: &str) -> OutgoingMail {
    OutgoingMail {
        to: Email::parse("sarah@acme.example").unwrap(),
        subject: "Your sign-in link for Northwind Studio".to_owned(),
        text: format!("Open this link to sign in:\n\n{link}\n"),
        html: None,
        kind,
    }
}

#[tokio::test]
async fn each_mail_becomes_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let mail_dir = dir.path().join("mail");
    let mailer = FileMailer::new(&mail_dir).unwrap();
    let link = "http://127.0.0.1:8080/northwind/auth/magic?token=abc";
    mailer.send(mail(MailKind::MagicLink, link)).await.unwrap();
    mailer
        .send(mail(MailKind::PasswordReset, "http://x/reset"))
        .await
        .unwrap();

    let mut files: Vec<_> = std::fs::read_dir(&mail_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("-magic-link.txt"), "{name}");
    assert!(!name.contains(':'), "{name}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.starts_with("To: sarah@acme.example\n"), "{text}");
    assert!(
        text.contains("Subject: Your sign-in link for Northwind Studio\n"),
        "{text}"
    );
    assert!(text.contains(link), "{text}");
    assert!(
        files[1].to_string_lossy().ends_with("-password-reset.txt"),
        "{files:?}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mail files hold one-time links: {mode:o}");
    }
}

#[tokio::test]
async fn an_unwritable_folder_is_a_mail_error() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(dir.path().join("mail")).unwrap();
    std::fs::remove_dir(dir.path().join("mail")).unwrap();
    assert!(mailer.send(mail(MailKind::Invitation, "x")).await.is_err());
}
