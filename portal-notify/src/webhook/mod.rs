//! Signed webhook deliveries.
//! TEMPORARY interface copy (replaced by the real module).
#![allow(
    missing_docs,
    unreachable_pub,
    clippy::unused_self,
    dead_code,
    clippy::unused_async,
    reason = "placeholder"
)]
use time::OffsetDateTime;
use url::Url;
#[derive(Debug, Clone, Default)]
pub struct DestinationPolicy {
    pub allow_http: bool,
    pub allow_private: bool,
}
#[derive(Debug, Clone)]
pub struct WebhookSender;
impl WebhookSender {
    pub fn new(policy: DestinationPolicy) -> Result<Self, std::convert::Infallible> {
        Ok(Self)
    }
    pub async fn post(
        &self,
        url: &Url,
        secret: &[u8],
        event_id: &str,
        event_type: &str,
        body: &str,
        now: OffsetDateTime,
    ) -> AttemptOutcome {
        AttemptOutcome {
            status: None,
            error: None,
            duration_ms: 0,
        }
    }
}
pub struct AttemptOutcome {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u32,
}
impl AttemptOutcome {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}
pub fn next_attempt(
    attempts_so_far: i32,
    first_queued: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    None
}
