//! Outgoing mail: invitations, password resets, magic links, new-device notices, and the
//! notifications and digests sent by `portal-notify`.
//!
//! [`Mailer`] is the seam; [`RecordingMailer`] keeps mail in memory for tests; `portal-notify`
//! delivers over SMTP. Mail bodies hold one-time links, so [`OutgoingMail`]'s `Debug` redacts them.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use portal_core::Email;
use url::Url;

use crate::links::PortalLinks;

/// What a mail is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MailKind {
    /// An invitation to join a tenant.
    Invitation,
    /// A password-reset link.
    PasswordReset,
    /// A magic login link.
    MagicLink,
    /// A notice of a login from a new device.
    NewDeviceLogin,
    /// A notification of one event, sent as it happens.
    Notification,
    /// A summary of several events, sent once a day.
    Digest,
}

/// Who a mail is from: a display name and an address, e.g. `Northwind Studio <portal@northwind.example>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The display name the reader sees.
    pub name: String,
    /// The address the mail is sent from.
    pub address: Email,
}

/// One mail to send. The bodies hold one-time links: `Debug` redacts them.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The recipient.
    pub to: Email,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body, if any.
    pub html: Option<String>,
    /// What the mail is for.
    pub kind: MailKind,
    /// Who it is from; `None` uses the mailer's default sender.
    pub from: Option<Sender>,
    /// The one-click unsubscribe address (RFC 8058), for mail people may opt out of.
    pub list_unsubscribe: Option<Url>,
}

impl OutgoingMail {
    /// A plain-text mail of `kind` to `to`, from the mailer's default sender.
    #[must_use]
    pub fn new(
        to: Email,
        subject: impl Into<String>,
        text: impl Into<String>,
        kind: MailKind,
    ) -> Self {
        Self {
            to,
            subject: subject.into(),
            text: text.into(),
            html: None,
            kind,
            from: None,
            list_unsubscribe: None,
        }
    }

    /// Adds an HTML body, an alternative to the text.
    #[must_use]
    pub fn with_html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }

    /// Sends it from `from` instead of the mailer's default sender.
    #[must_use]
    pub fn with_from(mut self, from: Sender) -> Self {
        self.from = Some(from);
        self
    }

    /// Adds a one-click unsubscribe address (RFC 8058).
    #[must_use]
    pub fn with_list_unsubscribe(mut self, url: Url) -> Self {
        self.list_unsubscribe = Some(url);
        self
    }
}

impl fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("text", &"[redacted]")
            .field("html", &self.html.as_ref().map(|_| "[redacted]"))
            .field("kind", &self.kind)
            .field("from", &self.from)
            // The unsubscribe address carries a token: redacted like the bodies.
            .field(
                "list_unsubscribe",
                &self.list_unsubscribe.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// Why a mail could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    /// The mail server or service could not be reached or failed; the mail may be retried.
    #[error("mail delivery is unavailable")]
    Unavailable,
    /// The mail server refused the mail; retrying will not help.
    #[error("mail was rejected")]
    Rejected,
}

/// What services that mail links need: the [`Mailer`] and where links point.
#[derive(Clone)]
pub struct MailSetup {
    /// Sends the mail.
    pub mailer: Arc<dyn Mailer>,
    /// Builds the links, from configuration only (SEC-21).
    pub links: PortalLinks,
}

impl MailSetup {
    /// Mail through `mailer` with links under `links`.
    #[must_use]
    pub fn new(mailer: Arc<dyn Mailer>, links: PortalLinks) -> Self {
        Self { mailer, links }
    }
}

impl fmt::Debug for MailSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSetup")
            .field("links", &self.links)
            .finish_non_exhaustive()
    }
}

/// Sends mail. Implementations must not log bodies: they hold one-time links.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends one mail.
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError>;
}

/// A [`Mailer`] that keeps every mail in memory, for tests. Clones share one list.
#[derive(Debug, Clone, Default)]
pub struct RecordingMailer {
    sent: Arc<Mutex<Vec<OutgoingMail>>>,
}

impl RecordingMailer {
    /// An empty recorder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Every mail sent so far, oldest first.
    #[must_use]
    pub fn sent(&self) -> Vec<OutgoingMail> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets every mail sent so far.
    pub fn clear(&self) {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(mail);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(kind: MailKind, link: &str) -> OutgoingMail {
        OutgoingMail::new(
            Email::parse("ada@example.com").unwrap(),
            "Your link",
            format!("Open {link}"),
            kind,
        )
        .with_html(format!("<a href=\"{link}\">Open</a>"))
    }

    #[tokio::test]
    async fn the_recorder_keeps_mail_in_order_and_clears() {
        let mailer = RecordingMailer::new();
        let seen = mailer.clone();
        let as_dyn: Arc<dyn Mailer> = Arc::new(mailer.clone());
        as_dyn
            .send(mail(MailKind::Invitation, "https://a/1"))
            .await
            .unwrap();
        mailer
            .send(mail(MailKind::MagicLink, "https://a/2"))
            .await
            .unwrap();
        let sent = seen.sent();
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].kind, MailKind::Invitation);
        assert_eq!(sent[1], mail(MailKind::MagicLink, "https://a/2"));
        seen.clear();
        assert!(mailer.sent().is_empty());
        mailer
            .send(mail(MailKind::PasswordReset, "https://a/3"))
            .await
            .unwrap();
        assert_eq!(seen.sent().len(), 1);
    }

    #[test]
    fn debug_redacts_the_bodies() {
        let secret = "https://portal.example/magic/s3cret-one-time-token";
        let mail = mail(MailKind::MagicLink, secret);
        let debug = format!("{mail:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("MagicLink"), "{debug}");
        let recorder = RecordingMailer::new();
        recorder.sent.lock().unwrap().push(mail);
        assert!(!format!("{recorder:?}").contains("s3cret"));
        let no_html = OutgoingMail {
            html: None,
            kind: MailKind::NewDeviceLogin,
            ..recorder.sent()[0].clone()
        };
        assert!(!format!("{no_html:?}").contains("s3cret"));
        let unsubscribe = no_html.with_list_unsubscribe(
            Url::parse("https://portal.example/unsubscribe?token=s3cret").unwrap(),
        );
        assert!(!format!("{unsubscribe:?}").contains("s3cret"));
    }

    #[test]
    fn the_builders_fill_every_field() {
        let from = Sender {
            name: "Northwind Studio".to_owned(),
            address: Email::parse("portal@northwind.example").unwrap(),
        };
        let unsubscribe = Url::parse("https://portal.example/u/1").unwrap();
        let mail = OutgoingMail::new(
            Email::parse("ada@example.com").unwrap(),
            "Subject",
            "Text",
            MailKind::Digest,
        );
        assert_eq!(mail.html, None);
        assert_eq!(mail.from, None);
        assert_eq!(mail.list_unsubscribe, None);
        let mail = mail
            .with_html("<p>Text</p>")
            .with_from(from.clone())
            .with_list_unsubscribe(unsubscribe.clone());
        assert_eq!(mail.subject, "Subject");
        assert_eq!(mail.text, "Text");
        assert_eq!(mail.html.as_deref(), Some("<p>Text</p>"));
        assert_eq!(mail.from, Some(from));
        assert_eq!(mail.list_unsubscribe, Some(unsubscribe));
        assert_eq!(mail.kind, MailKind::Digest);
        assert!(format!("{mail:?}").contains("Northwind Studio"));
    }
}
