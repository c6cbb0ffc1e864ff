//! The file mailer writes one readable, private file per mail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use branded_server::mail::FileMailer;
use portal_auth::mail::Sender;
use portal_auth::{MailKind, Mailer, OutgoingMail};
use portal_core::Email;

fn mail(kind: MailKind, link: &str) -> OutgoingMail {
    OutgoingMail::new(
        Email::parse("sarah@acme.example").unwrap(),
        "Your sign-in link for Northwind Studio",
        format!("Open this link to sign in:\n\n{link}\n"),
        kind,
    )
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
async fn notifications_show_their_sender_and_unsubscribe_address() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(dir.path()).unwrap();
    let sender = Sender {
        name: "Northwind Studio".to_owned(),
        address: Email::parse("portal@northwind.example").unwrap(),
    };
    let digest = mail(MailKind::Digest, "http://x/prefs")
        .with_from(sender)
        .with_list_unsubscribe("https://portal.example/unsubscribe/t1".parse().unwrap())
        .with_html("<p>html part</p>");
    mailer.send(digest).await.unwrap();
    mailer
        .send(mail(MailKind::Notification, "http://x/n"))
        .await
        .unwrap();
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files[0].to_string_lossy().ends_with("-digest.txt"),
        "{files:?}"
    );
    assert!(
        files[1].to_string_lossy().ends_with("-notification.txt"),
        "{files:?}"
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.starts_with(
            "From: Northwind Studio <portal@northwind.example>\nTo: sarah@acme.example\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("List-Unsubscribe: <https://portal.example/unsubscribe/t1>\n"),
        "{text}"
    );
    assert!(text.contains("<p>html part</p>"), "{text}");
    let plain = std::fs::read_to_string(&files[1]).unwrap();
    assert!(!plain.contains("From:"), "{plain}");
    assert!(!plain.contains("List-Unsubscribe:"), "{plain}");
}

#[tokio::test]
async fn an_unwritable_folder_is_a_mail_error() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(dir.path().join("mail")).unwrap();
    std::fs::remove_dir(dir.path().join("mail")).unwrap();
    assert!(mailer.send(mail(MailKind::Invitation, "x")).await.is_err());
}
