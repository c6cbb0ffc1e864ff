//! SMTP delivery against a real SMTP server on loopback. Runs when `PORTAL_TEST_SMTP=host:port`
//! and `PORTAL_TEST_SMTP_DIR=<dir>` name a server that writes each message it receives into the
//! folder as an `.eml` file (`.ci/smtp.sh` starts one); otherwise it says so and passes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed unwrap is a failed test"
)]

use std::path::PathBuf;
use std::time::Duration;

use portal_auth::mail::{MailError, MailKind, Mailer, OutgoingMail, Sender};
use portal_core::Email;
use portal_notify::mail::{SmtpConfig, SmtpMailer, SmtpSecurity};

/// The server and its folder, or `None` (after saying so) when none is configured.
fn server() -> Option<(String, u16, PathBuf)> {
    let (Ok(address), Ok(dir)) = (
        std::env::var("PORTAL_TEST_SMTP"),
        std::env::var("PORTAL_TEST_SMTP_DIR"),
    ) else {
        println!("SMTP server not configured: skipped");
        return None;
    };
    let (host, port) = address
        .rsplit_once(':')
        .expect("PORTAL_TEST_SMTP is host:port");
    Some((host.to_owned(), port.parse().unwrap(), PathBuf::from(dir)))
}

fn mailer(host: &str, port: u16) -> SmtpMailer {
    SmtpMailer::new(SmtpConfig {
        host: host.to_owned(),
        port,
        security: SmtpSecurity::None,
        credentials: None,
        default_sender: Sender {
            name: "Portal".to_owned(),
            address: Email::parse("portal@portal.example").unwrap(),
        },
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

/// The message received whose subject holds `marker`, waiting briefly for the server to write it.
async fn received(dir: &PathBuf, marker: &str) -> String {
    for _ in 0..100 {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "eml") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains(marker) {
                    return text;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no message with {marker} arrived in {}", dir.display());
}

fn marker() -> String {
    format!("m{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn a_notification_arrives_with_both_parts_and_its_headers() {
    let Some((host, port, dir)) = server() else {
        return;
    };
    let marker = marker();
    let mail = OutgoingMail::new(
        Email::parse("sarah@acme.example").unwrap(),
        format!("New approval requested: Homepage {marker}"),
        "Plain part: please review the homepage design.",
        MailKind::Notification,
    )
    .with_html("<p>HTML part: please review the homepage design.</p>")
    .with_from(Sender {
        name: "Northwind Studio".to_owned(),
        address: Email::parse("portal@northwind.example").unwrap(),
    })
    .with_list_unsubscribe(
        "https://portal.northwind.example/unsubscribe/t1"
            .parse()
            .unwrap(),
    );
    mailer(&host, port).send(mail).await.unwrap();

    let text = received(&dir, &marker).await;
    assert!(
        text.contains("From: \"Northwind Studio\" <portal@northwind.example>")
            || text.contains("From: Northwind Studio <portal@northwind.example>"),
        "{text}"
    );
    assert!(text.contains("To: sarah@acme.example"), "{text}");
    assert!(
        text.contains(&format!(
            "Subject: New approval requested: Homepage {marker}"
        )),
        "{text}"
    );
    assert!(text.contains("multipart/alternative"), "{text}");
    assert!(text.contains("Content-Type: text/plain"), "{text}");
    assert!(text.contains("Content-Type: text/html"), "{text}");
    assert!(
        text.contains("Plain part: please review the homepage design."),
        "{text}"
    );
    assert!(
        text.contains("<p>HTML part: please review the homepage design.</p>"),
        "{text}"
    );
    assert!(
        text.contains("List-Unsubscribe: <https://portal.northwind.example/unsubscribe/t1>"),
        "{text}"
    );
    assert!(
        text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{text}"
    );
}

#[tokio::test]
async fn a_plain_mail_comes_from_the_default_sender() {
    let Some((host, port, dir)) = server() else {
        return;
    };
    let marker = marker();
    let mail = OutgoingMail::new(
        Email::parse("sarah@acme.example").unwrap(),
        format!("Your sign-in link {marker}"),
        "Open the link.",
        MailKind::MagicLink,
    );
    mailer(&host, port).send(mail).await.unwrap();
    let text = received(&dir, &marker).await;
    assert!(
        text.contains("From: Portal <portal@portal.example>"),
        "{text}"
    );
    assert!(!text.contains("multipart"), "{text}");
    assert!(!text.contains("List-Unsubscribe"), "{text}");
}

#[tokio::test]
async fn permanent_and_transient_refusals_are_told_apart() {
    let Some((host, port, _)) = server() else {
        return;
    };
    let mailer = mailer(&host, port);
    let to = |address: &str| {
        OutgoingMail::new(
            Email::parse(address).unwrap(),
            "Subject",
            "Body",
            MailKind::Notification,
        )
    };
    assert_eq!(
        mailer.send(to("nobody@rejected.example")).await,
        Err(MailError::Rejected)
    );
    assert_eq!(
        mailer.send(to("nobody@busy.example")).await,
        Err(MailError::Unavailable)
    );
}
