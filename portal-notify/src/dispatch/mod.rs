//! The outbox dispatcher: a loop any number of replicas may run side by side. Each pass claims
//! due rows under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two replicas never work
//! on one row at once; a replica that dies mid-pass only delays its rows until the lease ends.
//! Delivery is at least once: every stage is idempotent (a person hears of an event once, an
//! endpoint gets one delivery per event, receivers see the event id as idempotency key).
//!
//! One [`Dispatcher::tick`] runs these stages (one private module each):
//! 0. **deadlines**, once a minute: approvals due soon and overdue invoices become outbox rows;
//! 1. **fan out** outbox rows into notifications and webhook deliveries (`fan_out`);
//! 2. **post** due webhook deliveries, logging every attempt (`deliver`);
//! 3. **mail** notifications whose people want a mail for each event (`mail_out`);
//! 4. **digest**: once a day, one mail per person listing the rest (`mail_out`).

pub mod audience;
pub mod classify;
mod deliver;
mod fan_out;
pub mod links;
mod mail_out;

use std::future::Future;
use std::sync::Arc;
use std::sync::Mutex;

use portal_auth::Mailer;
use portal_storage::{StoreError, Stores};
use time::{Duration, OffsetDateTime, Time};

use crate::mail::MailRenderer;
use crate::webhook::WebhookSender;

pub use self::links::{NotifyLinks, PortalNotifyLinks};

/// How the dispatcher paces itself.
#[derive(Debug, Clone)]
pub struct DispatchConfig {
    /// The most rows one stage claims per pass.
    pub batch: u32,
    /// How long a claimed row stays hidden from other replicas.
    pub lease: Duration,
    /// How long to sleep when a pass found nothing to do.
    pub idle_wait: std::time::Duration,
    /// When the daily digest goes out, in UTC.
    pub digest_at: Time,
    /// How many deliveries and mails are in flight at once.
    pub concurrency: usize,
    /// How many times an outbox row is retried before it is dead.
    pub max_outbox_attempts: i32,
    /// How often deadlines are looked for (approvals due soon, invoices overdue).
    pub deadline_check_every: Duration,
    /// How far ahead an approval counts as due soon.
    pub due_soon_within: Duration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            batch: 200,
            lease: Duration::minutes(2),
            idle_wait: std::time::Duration::from_millis(500),
            digest_at: Time::from_hms(7, 0, 0).unwrap_or(Time::MIDNIGHT),
            concurrency: 32,
            max_outbox_attempts: 10,
            deadline_check_every: Duration::minutes(1),
            due_soon_within: Duration::days(1),
        }
    }
}

/// Why a pass stopped early. The loop logs it and tries again after a pause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DispatchError {
    /// The store failed.
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
}

/// What one pass did, for logs, tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Outbox rows handled (fanned out, or found to concern no one).
    pub events: usize,
    /// Notifications stored.
    pub notifications: u64,
    /// Webhook deliveries queued.
    pub deliveries_queued: u64,
    /// Webhook attempts made.
    pub attempts: usize,
    /// Mails sent (a digest counts once).
    pub mails: usize,
}

impl TickReport {
    /// Whether the pass found nothing to do.
    #[must_use]
    pub const fn idle(&self) -> bool {
        self.events == 0 && self.attempts == 0 && self.mails == 0
    }
}

/// The dispatcher: stores in, mail and webhooks out.
pub struct Dispatcher {
    stores: Stores,
    mailer: Arc<dyn Mailer>,
    renderer: Arc<MailRenderer>,
    sender: WebhookSender,
    links: Arc<dyn NotifyLinks>,
    config: DispatchConfig,
    /// The cut-off of the last digest this process sent.
    last_digest: Mutex<Option<OffsetDateTime>>,
    /// When this process last looked for deadlines.
    last_deadline_check: Mutex<Option<OffsetDateTime>>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// A dispatcher over `stores`, mailing through `mailer` and posting with `sender`.
    #[must_use]
    pub fn new(
        stores: Stores,
        mailer: Arc<dyn Mailer>,
        renderer: Arc<MailRenderer>,
        sender: WebhookSender,
        links: Arc<dyn NotifyLinks>,
        config: DispatchConfig,
    ) -> Self {
        Self {
            stores,
            mailer,
            renderer,
            sender,
            links,
            config,
            last_digest: Mutex::new(None),
            last_deadline_check: Mutex::new(None),
        }
    }

    /// Runs passes until `shutdown` completes, pausing when there is nothing to do.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let pause = match self.tick(OffsetDateTime::now_utc()).await {
                Ok(report) if !report.idle() => std::time::Duration::ZERO,
                Ok(_) => self.config.idle_wait,
                Err(error) => {
                    tracing::warn!(%error, "notification dispatch pass failed");
                    self.config.idle_wait
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// One pass of every stage at `now`.
    ///
    /// # Errors
    /// When the store fails; what was done before stays done.
    pub async fn tick(&self, now: OffsetDateTime) -> Result<TickReport, DispatchError> {
        let mut report = TickReport::default();
        if self.deadline_check_due(now) {
            self.stores
                .outbox
                .announce_deadlines(now, self.config.due_soon_within)
                .await?;
        }
        fan_out::run(self, now, &mut report).await?;
        report.attempts = deliver::run(self, now).await?;
        report.mails = mail_out::instant(self, now).await?;
        if let Some(cut_off) = self.digest_due(now) {
            report.mails += mail_out::digest(self, now, cut_off).await?;
            if let Ok(mut last) = self.last_digest.lock() {
                *last = Some(cut_off);
            }
        }
        Ok(report)
    }

    /// Whether it is time to look for deadlines again (and notes that it is being done).
    fn deadline_check_due(&self, now: OffsetDateTime) -> bool {
        let Ok(mut last) = self.last_deadline_check.lock() else {
            return true;
        };
        let due = last.is_none_or(|last| now - last >= self.config.deadline_check_every);
        if due {
            *last = Some(now);
        }
        due
    }

    /// Today's digest cut-off, if it has passed and this process has not sent that digest.
    /// Another replica may have: the claims make sure each notification goes out once.
    fn digest_due(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let cut_off = now.replace_time(self.config.digest_at);
        if now < cut_off {
            return None;
        }
        let last = self.last_digest.lock().ok().and_then(|last| *last);
        (last != Some(cut_off)).then_some(cut_off)
    }
}
