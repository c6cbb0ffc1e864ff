//! Mail delivery over SMTP with `lettre`'s tokio transport and rustls. A mail with an HTML part
//! goes out as `multipart/alternative`; a mail people may opt out of carries the RFC 8058
//! one-click unsubscribe headers. Bodies are never logged: they hold one-time links.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use portal_auth::mail::{MailError, Mailer, OutgoingMail, Sender};
use portal_core::Email;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SmtpSecurity {
    /// Plain text, no TLS: only for a server on the same machine or in tests.
    None,
    /// A plain connection upgraded with `STARTTLS` (usually port 587); the upgrade is required.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// Where and how to deliver mail.
#[derive(Clone)]
pub struct SmtpConfig {
    /// The server's host name (also the name its TLS certificate must carry).
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// How the connection is secured.
    pub security: SmtpSecurity,
    /// User name and password, if the server wants them.
    pub credentials: Option<(String, String)>,
    /// The sender of mail that names none.
    pub default_sender: Sender,
    /// The longest any one network step may take.
    pub timeout: Duration,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|(user, _)| (user, "[redacted]")),
            )
            .field("default_sender", &self.default_sender)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why an [`SmtpMailer`] could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmtpError {
    /// The transport could not be configured (the TLS setup for the host, say).
    #[error("cannot set up SMTP delivery to {host}")]
    Transport {
        /// The configured host.
        host: String,
        /// What the transport said.
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// [`SmtpMailer::new`] was called outside a tokio runtime (its connection pool needs one).
    #[error("SMTP delivery must be set up inside a tokio runtime")]
    NoRuntime,
    /// The default sender's address is not one SMTP accepts.
    #[error("the default sender address `{0}` is not valid for SMTP")]
    Sender(String),
}

/// A [`Mailer`] that delivers through an SMTP server, reusing connections.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    default_sender: Mailbox,
    host: String,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("host", &self.host)
            .field("default_sender", &self.default_sender.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `config`. Connects lazily, on the first mail. Call it inside a tokio
    /// runtime: the connection pool runs as a task.
    ///
    /// # Errors
    /// [`SmtpError::Transport`] when TLS cannot be set up for the host, [`SmtpError::Sender`]
    /// when the default sender's address is not valid for SMTP, [`SmtpError::NoRuntime`] outside
    /// a tokio runtime.
    pub fn new(config: SmtpConfig) -> Result<Self, SmtpError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(SmtpError::NoRuntime);
        }
        let transport_error = |source| SmtpError::Transport {
            host: config.host.clone(),
            source,
        };
        let builder = match config.security {
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            }
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(transport_error)?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(transport_error)?,
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let default_sender = mailbox(&config.default_sender)
            .ok_or_else(|| SmtpError::Sender(config.default_sender.address.to_string()))?;
        Ok(Self {
            transport: builder.build(),
            default_sender,
            host: config.host,
        })
    }

    /// The message `mail` becomes on the wire.
    fn message(&self, mail: &OutgoingMail) -> Result<Message, MailError> {
        let from = match &mail.from {
            Some(sender) => mailbox(sender).ok_or(MailError::Rejected)?,
            None => self.default_sender.clone(),
        };
        let to = address(&mail.to).ok_or(MailError::Rejected)?;
        // A Message-ID under the sender's own domain: spam filters look for one.
        let message_id = format!(
            "<{}@{}>",
            uuid::Uuid::new_v4().simple(),
            from.email.domain()
        );
        let mut builder = Message::builder()
            .message_id(Some(message_id))
            .from(from)
            .to(Mailbox::new(None, to))
            .subject(mail.subject.clone());
        if let Some(unsubscribe) = &mail.list_unsubscribe {
            builder = builder
                .header(ListUnsubscribe(format!("<{unsubscribe}>")))
                .header(ListUnsubscribePost);
        }
        let built = match &mail.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                html.clone(),
            )),
            None => builder.singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.text.clone()),
            ),
        };
        built.map_err(|error| {
            tracing::warn!(to = %mail.to, %error, "mail cannot be built: not sent");
            MailError::Rejected
        })
    }
}

/// An address as SMTP takes it; `None` if lettre's stricter parser refuses it.
fn address(email: &Email) -> Option<Address> {
    email.as_str().parse().ok()
}

/// A sender as a mailbox: lettre encodes the display name (quoting or RFC 2047) as needed.
fn mailbox(sender: &Sender) -> Option<Mailbox> {
    let name = sender.name.trim();
    let name = (!name.is_empty()).then(|| name.to_owned());
    Some(Mailbox::new(name, address(&sender.address)?))
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let message = self.message(&mail)?;
        match self.transport.send(message).await {
            Ok(_) => {
                tracing::debug!(to = %mail.to, kind = ?mail.kind, "mail sent");
                Ok(())
            }
            Err(error) => {
                let outcome = classify(&error);
                tracing::warn!(
                    to = %mail.to,
                    kind = ?mail.kind,
                    host = %self.host,
                    %error,
                    "SMTP delivery failed"
                );
                Err(outcome)
            }
        }
    }
}

/// A permanent (5xx) answer is a rejection; everything else (4xx, connection, TLS, timeout) may
/// pass on a retry.
fn classify(error: &lettre::transport::smtp::Error) -> MailError {
    if error.is_permanent() {
        MailError::Rejected
    } else {
        MailError::Unavailable
    }
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(text.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_auth::mail::MailKind;

    fn config() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".to_owned(),
            port: 2525,
            security: SmtpSecurity::None,
            credentials: Some(("mailer".to_owned(), "hunter2-secret".to_owned())),
            default_sender: Sender {
                name: "Portal".to_owned(),
                address: Email::parse("portal@example.com").unwrap(),
            },
            timeout: Duration::from_secs(5),
        }
    }

    fn formatted(message: &Message) -> String {
        String::from_utf8(message.formatted()).unwrap()
    }

    #[test]
    fn debug_hides_the_password() {
        let debug = format!("{:?}", config());
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("mailer"), "{debug}");
    }

    #[tokio::test]
    async fn html_mail_is_multipart_alternative_with_unsubscribe_headers() {
        let mailer = SmtpMailer::new(config()).unwrap();
        let mail = OutgoingMail::new(
            Email::parse("sarah@acme.example").unwrap(),
            "New approval requested: Homepage",
            "Plain body",
            MailKind::Notification,
        )
        .with_html("<p>HTML body</p>")
        .with_from(Sender {
            name: "Müller & Söhne, Design".to_owned(),
            address: Email::parse("portal@mueller.example").unwrap(),
        })
        .with_list_unsubscribe("https://portal.example/u/t1".parse().unwrap());
        let text = formatted(&mailer.message(&mail).unwrap());
        assert!(
            text.contains("Content-Type: multipart/alternative"),
            "{text}"
        );
        assert!(text.contains("Content-Type: text/plain"), "{text}");
        assert!(text.contains("Content-Type: text/html"), "{text}");
        assert!(
            text.contains("List-Unsubscribe: <https://portal.example/u/t1>\r\n"),
            "{text}"
        );
        assert!(
            text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"),
            "{text}"
        );
        // A non-ASCII display name is encoded, never sent raw.
        let from = text
            .lines()
            .find(|line| line.starts_with("From: "))
            .unwrap();
        assert!(from.is_ascii(), "{from}");
        assert!(from.ends_with("<portal@mueller.example>"), "{from}");
        assert!(from.contains("=?utf-8?"), "{from}");
    }

    #[tokio::test]
    async fn plain_mail_uses_the_default_sender_and_no_unsubscribe_headers() {
        let mailer = SmtpMailer::new(config()).unwrap();
        let mail = OutgoingMail::new(
            Email::parse("sarah@acme.example").unwrap(),
            "Your sign-in link",
            "Plain body",
            MailKind::MagicLink,
        );
        let text = formatted(&mailer.message(&mail).unwrap());
        assert!(
            text.contains("From: Portal <portal@example.com>\r\n"),
            "{text}"
        );
        assert!(text.contains("To: sarah@acme.example\r\n"), "{text}");
        assert!(!text.contains("multipart"), "{text}");
        assert!(!text.contains("List-Unsubscribe"), "{text}");
        let id = text
            .lines()
            .find(|line| line.starts_with("Message-ID: <"))
            .unwrap();
        assert!(id.ends_with("@example.com>"), "{id}");
    }

    #[tokio::test]
    async fn tls_and_starttls_set_up_with_the_platform_roots() {
        for security in [SmtpSecurity::Tls, SmtpSecurity::StartTls] {
            let mailer = SmtpMailer::new(SmtpConfig {
                host: "smtp.example.com".to_owned(),
                port: 465,
                security,
                ..config()
            });
            assert!(mailer.is_ok(), "{security:?}: {mailer:?}");
        }
    }

    #[test]
    fn outside_a_runtime_is_an_error_not_a_panic() {
        assert!(matches!(
            SmtpMailer::new(config()),
            Err(SmtpError::NoRuntime)
        ));
    }

    #[tokio::test]
    async fn an_unreachable_server_is_unavailable() {
        // Port 9 on loopback: nothing listens, the connection is refused.
        let mailer = SmtpMailer::new(SmtpConfig {
            port: 9,
            timeout: Duration::from_secs(2),
            ..config()
        })
        .unwrap();
        let mail = OutgoingMail::new(
            Email::parse("sarah@acme.example").unwrap(),
            "Subject",
            "Body",
            MailKind::Notification,
        );
        assert_eq!(mailer.send(mail).await, Err(MailError::Unavailable));
    }
}
