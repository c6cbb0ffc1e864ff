//! A [`Mailer`] for running without a mail server: each mail becomes a text file in
//! `<data-dir>/mail/`, so whoever runs the demo can open the invitation, reset or magic link.
//!
//! The log gets the recipient, subject and kind only, never the body: bodies hold one-time links
//! (the contract of [`Mailer`]). The files are readable by their owner only, for the same reason.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use portal_auth::{MailError, MailKind, Mailer, OutgoingMail};
use time::OffsetDateTime;
use time::macros::format_description;
use tokio::io::AsyncWriteExt as _;

/// Writes every mail to a file in one folder.
#[derive(Debug)]
pub struct FileMailer {
    dir: PathBuf,
    /// Tells apart mails written within the same nanosecond.
    sequence: AtomicU64,
}

impl FileMailer {
    /// A mailer writing into `dir`, created (with its parents) if missing.
    ///
    /// # Errors
    /// If the folder cannot be created.
    pub fn new(dir: impl Into<PathBuf>) -> io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            sequence: AtomicU64::new(0),
        })
    }

    /// The folder the mails go to.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one mail and returns its file.
    async fn write(&self, mail: &OutgoingMail) -> io::Result<PathBuf> {
        let now = OffsetDateTime::now_utc();
        // No colons: the name must be valid on every file system.
        let stamp = now
            .format(format_description!(
                "[year][month][day]T[hour][minute][second].[subsecond digits:9]Z"
            ))
            .map_err(io::Error::other)?;
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        let name = format!("{stamp}-{sequence:04}-{}.txt", kind_name(mail.kind));
        let path = self.dir.join(name);
        let mut text = String::new();
        if let Some(from) = &mail.from {
            text.push_str(&format!("From: {} <{}>\n", from.name, from.address));
        }
        text.push_str(&format!(
            "To: {}\nSubject: {}\nKind: {}\nDate: {}\n",
            mail.to,
            mail.subject,
            kind_name(mail.kind),
            now.format(&time::format_description::well_known::Rfc3339)
                .map_err(io::Error::other)?,
        ));
        if let Some(unsubscribe) = &mail.list_unsubscribe {
            text.push_str(&format!("List-Unsubscribe: <{unsubscribe}>\n"));
        }
        text.push('\n');
        text.push_str(mail.text.trim_end());
        text.push('\n');
        if let Some(html) = &mail.html {
            text.push_str("\n--- HTML version ---\n\n");
            text.push_str(html.trim_end());
            text.push('\n');
        }
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&path).await?;
        file.write_all(text.as_bytes()).await?;
        file.flush().await?;
        Ok(path)
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        match self.write(&mail).await {
            Ok(path) => {
                tracing::info!(
                    to = %mail.to,
                    subject = %mail.subject,
                    kind = kind_name(mail.kind),
                    file = %path.display(),
                    "mail written to a file (no mail server is configured)"
                );
                Ok(())
            }
            Err(error) => {
                tracing::error!(
                    to = %mail.to,
                    kind = kind_name(mail.kind),
                    dir = %self.dir.display(),
                    %error,
                    "cannot write mail file"
                );
                Err(MailError::Unavailable)
            }
        }
    }
}

/// The kind as it appears in file names and logs.
#[must_use]
pub fn kind_name(kind: MailKind) -> &'static str {
    match kind {
        MailKind::Invitation => "invitation",
        MailKind::PasswordReset => "password-reset",
        MailKind::MagicLink => "magic-link",
        MailKind::NewDeviceLogin => "new-device-login",
        MailKind::Notification => "notification",
        MailKind::Digest => "digest",
        // A kind added later still gets written, under a generic name.
        _ => "mail",
    }
}
