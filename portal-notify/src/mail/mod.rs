//! Branded, localised mail over SMTP.
//! TEMPORARY interface copy (replaced by the real module).
#![allow(
    missing_docs,
    unreachable_pub,
    clippy::unused_self,
    dead_code,
    reason = "placeholder"
)]
use portal_core::model::EventType;
use time::OffsetDateTime;
use url::Url;

#[derive(Debug, thiserror::Error)]
#[error("render")]
pub struct RenderError;
pub struct MailRenderer;
impl MailRenderer {
    pub fn builtin() -> Result<Self, RenderError> {
        Ok(Self)
    }
    pub fn render(&self, mail: &NotificationMail) -> Result<RenderedMail, RenderError> {
        Ok(RenderedMail {
            subject: mail
                .items
                .first()
                .map(|i| i.title.clone())
                .unwrap_or_default(),
            text: String::new(),
            html: String::new(),
        })
    }
}
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}
pub struct NotificationMail {
    pub brand: MailBrand,
    pub recipient_name: String,
    pub locale: String,
    pub items: Vec<MailItem>,
    pub digest: bool,
    pub preferences_link: Url,
    pub unsubscribe_link: Option<Url>,
}
pub struct MailBrand {
    pub name: String,
    pub primary_colour: String,
    pub logo_url: Option<Url>,
}
pub struct MailItem {
    pub event_type: EventType,
    pub title: String,
    pub link: Url,
    pub occurred_at: OffsetDateTime,
}
