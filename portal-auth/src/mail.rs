//! Outgoing mail of authentication: invitations, password resets, magic links and new-device
//! notices.
//!
//! [`Mailer`] is the seam; [`RecordingMailer`] keeps mail in memory for tests. Delivery over
//! SMTP comes later. Mail bodies hold one-time links, so [`OutgoingMail`]'s `Debug` redacts them.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use portal_core::Email;

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
    /// TEMP
    Notification,
    /// TEMP
    Digest,
}

/// TEMP
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// TEMP
    pub name: String,
    /// TEMP
    pub address: Email,
}

impl OutgoingMail {
    /// TEMP
    #[must_use]
    pub const fn new(to: Email, subject: String, text: String, kind: MailKind) -> Self {
        Self {
            to,
            subject,
            text,
            html: None,
            kind,
        }
    }
    /// TEMP
    #[must_use]
    pub fn with_html(mut self, html: String) -> Self {
        self.html = Some(html);
        self
    }
    /// TEMP
    #[must_use]
    pub fn with_from(self, _from: Sender) -> Self {
        self
    }
    /// TEMP
    #[must_use]
    pub fn with_list_unsubscribe(self, _url: url::Url) -> Self {
        self
    }
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
}

impl fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("text", &"[redacted]")
            .field("html", &self.html.as_ref().map(|_| "[redacted]"))
            .field("kind", &self.kind)
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
        OutgoingMail {
            to: Email::parse("ada@example.com").unwrap(),
            subject: "Your link".to_owned(),
            text: format!("Open {link}"),
            html: Some(format!("<a href=\"{link}\">Open</a>")),
            kind,
        }
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
    }
}
