//! [`ConsoleMailer`]: the portal's mail printed to the terminal, for the demo only.
//!
//! Mail holds one-time links (magic links, invitations), which is why the `Mailer` contract
//! keeps bodies out of logs. Printing them to the terminal of a demo on one's own machine is
//! the point here — it is how a demo user signs in to the portal's pages — but a deployed host
//! sends mail with `portal_notify::mail::SmtpMailer` or its own mail service instead.

use std::io::Write as _;

use async_trait::async_trait;
use portal_auth::{MailError, Mailer, OutgoingMail};

/// Prints every mail (recipient, subject and text body) to standard output.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleMailer;

#[async_trait]
impl Mailer for ConsoleMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let printed = format!(
            "\n--- mail to {} ---\nSubject: {}\n\n{}\n--- end of mail ---\n",
            mail.to, mail.subject, mail.text
        );
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(printed.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|_| MailError::Unavailable)
    }
}
