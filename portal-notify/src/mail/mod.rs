//! Branded, localised mail over SMTP: [`MailRenderer`] turns events into a subject, an HTML part
//! and a plain-text part in the reader's language; [`SmtpMailer`] sends any
//! [`OutgoingMail`](portal_auth::OutgoingMail) through an SMTP server.

mod catalogue;
pub mod render;
pub mod smtp;

pub use render::{MailBrand, MailItem, MailRenderer, NotificationMail, RenderError, RenderedMail};
pub use smtp::{SmtpConfig, SmtpError, SmtpMailer, SmtpSecurity};
