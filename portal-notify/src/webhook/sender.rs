//! One webhook delivery attempt: a signed `POST` of the event's JSON to the endpoint, recorded as
//! an [`AttemptOutcome`] for the delivery log. Retrying is the dispatcher's job (see
//! [`super::backoff`]).

use std::error::Error as _;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use time::OffsetDateTime;
use url::Url;

use super::destination::{CheckedResolver, DestinationError, DestinationPolicy};
use super::signature::{SIGNATURE_HEADER, sign};

/// The header that carries the event's id: receivers use it to drop duplicates.
pub const EVENT_ID_HEADER: &str = "Portal-Event-Id";
/// The header that carries the event's type, e.g. `approval.decided`.
pub const EVENT_TYPE_HEADER: &str = "Portal-Event-Type";
/// The `User-Agent` of deliveries.
pub const USER_AGENT: &str = concat!("portal-webhooks/", env!("CARGO_PKG_VERSION"));
/// How much of an answer's body is kept as the error text.
const MAX_ANSWER_BYTES: usize = 1024;

/// How deliveries are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSenderConfig {
    /// Which destinations may be reached.
    pub policy: DestinationPolicy,
    /// The longest a connection may take to open, and the longest a whole attempt may take.
    pub timeout: Duration,
}

impl Default for WebhookSenderConfig {
    fn default() -> Self {
        Self {
            policy: DestinationPolicy::default(),
            timeout: Duration::from_secs(10),
        }
    }
}

impl WebhookSenderConfig {
    /// The config with another destination policy.
    #[must_use]
    pub fn with_policy(mut self, policy: DestinationPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The config with another timeout (connect and total).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Why a [`WebhookSender`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The HTTP client could not be set up (its TLS roots, say).
    #[error("the webhook http client cannot be built")]
    Client(#[source] reqwest::Error),
}

/// What one attempt came to, for the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptOutcome {
    /// The answer's HTTP status, if an answer came.
    pub status: Option<u16>,
    /// What went wrong: the start of a failed answer's body, a timeout, a refused destination.
    pub error: Option<String>,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: u32,
}

impl AttemptOutcome {
    /// Whether the endpoint took the event: a 2xx answer.
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

/// Posts signed webhook deliveries. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    config: WebhookSenderConfig,
}

impl WebhookSender {
    /// A sender with `config`: no redirects followed, no proxies, every address checked against
    /// the policy.
    ///
    /// # Errors
    /// [`WebhookError::Client`] when the HTTP client cannot be set up.
    pub fn new(config: WebhookSenderConfig) -> Result<Self, WebhookError> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(config.timeout)
            .timeout(config.timeout)
            .dns_resolver(CheckedResolver::shared(config.policy))
            .build()
            .map_err(WebhookError::Client)?;
        Ok(Self { client, config })
    }

    /// The sender's config.
    #[must_use]
    pub fn config(&self) -> &WebhookSenderConfig {
        &self.config
    }

    /// Posts `body` (the event's JSON) to `url`, signed with `secret` at `now`, and tells how it
    /// went. Never fails: every failure is recorded in the outcome.
    pub async fn post(
        &self,
        url: &Url,
        secret: &[u8],
        event_id: &str,
        event_type: &str,
        body: &str,
        now: OffsetDateTime,
    ) -> AttemptOutcome {
        let started = Instant::now();
        let (status, error) = match self
            .attempt(url, secret, event_id, event_type, body, now)
            .await
        {
            Ok((status, error)) => (Some(status), error),
            Err(error) => (None, Some(error)),
        };
        AttemptOutcome {
            status,
            error,
            duration_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        }
    }

    /// The attempt: the status and, for a failure, the start of the answer; or why no answer came.
    async fn attempt(
        &self,
        url: &Url,
        secret: &[u8],
        event_id: &str,
        event_type: &str,
        body: &str,
        now: OffsetDateTime,
    ) -> Result<(u16, Option<String>), String> {
        // Literal addresses never reach the resolver: check them (and the scheme) here.
        self.config
            .policy
            .check_url(url)
            .map_err(|refused| refused.to_string())?;
        let header = |name: &str, value: &str| {
            HeaderValue::from_str(value).map_err(|_| format!("invalid {name} header value"))
        };
        let signature = sign(secret, now.unix_timestamp(), body.as_bytes());
        let request = self
            .client
            .post(url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(SIGNATURE_HEADER, header(SIGNATURE_HEADER, &signature)?)
            .header(EVENT_ID_HEADER, header(EVENT_ID_HEADER, event_id)?)
            .header(EVENT_TYPE_HEADER, header(EVENT_TYPE_HEADER, event_type)?)
            .body(body.to_owned());
        let mut response = request
            .send()
            .await
            .map_err(|error| self.describe(&error))?;
        let status = response.status();
        if status.is_success() {
            return Ok((status.as_u16(), None));
        }
        let mut answer = Vec::with_capacity(MAX_ANSWER_BYTES);
        while answer.len() < MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = MAX_ANSWER_BYTES - answer.len();
                    answer.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) | Err(_) => break,
            }
        }
        let text = String::from_utf8_lossy(&answer).trim().to_owned();
        let error = if text.is_empty() {
            format!("HTTP {}", status.as_u16())
        } else {
            format!("HTTP {}: {text}", status.as_u16())
        };
        Ok((status.as_u16(), Some(error)))
    }

    /// A failed request as the delivery log shows it, without the URL (it may hold a token).
    fn describe(&self, error: &reqwest::Error) -> String {
        let mut source = error.source();
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<DestinationError>() {
                return refused.to_string();
            }
            source = cause.source();
        }
        if error.is_timeout() {
            return format!("timed out after {} ms", self.config.timeout.as_millis());
        }
        let kind = if error.is_connect() {
            "connection failed"
        } else {
            "request failed"
        };
        let mut text = kind.to_owned();
        let mut source = error.source();
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}
