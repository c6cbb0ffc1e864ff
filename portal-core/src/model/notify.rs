//! What the portal tells people and systems: the event types they can hear of, in-app
//! notifications, mail preferences, and webhook endpoints with their delivery log.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;

use crate::error::{DomainError, Invalid};
use crate::id::{
    ClientId, NotificationId, OutboxEventId, ProjectId, TenantId, UserId, WebhookDeliveryId,
    WebhookEndpointId,
};
use crate::model::ObjectRef;

macro_rules! event_types {
    ($($(#[$meta:meta])* $variant:ident => $name:literal, $mail:ident;)+) => {
        /// A kind of change people and systems can hear of. Its name (`approval.requested`) is
        /// what webhooks carry, preferences and filters name, and the API shows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum EventType {
            $($(#[$meta])* $variant,)+
        }

        impl EventType {
            /// Every event type, in a stable order.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)+];

            /// The event type's name, e.g. `approval.requested`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $name,)+
                }
            }

            /// How a person hears of it by mail until they choose otherwise.
            #[must_use]
            pub const fn default_mail(self) -> MailMode {
                match self {
                    $(EventType::$variant => MailMode::$mail,)+
                }
            }
        }

        impl FromStr for EventType {
            type Err = DomainError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($name => Ok(EventType::$variant),)+
                    _ => Err(DomainError::validation(
                        "event_type",
                        Invalid::Malformed("a known event type, e.g. approval.requested"),
                    )),
                }
            }
        }
    };
}

event_types! {
    /// A milestone was shared with its client.
    MilestonePublished => "milestone.published", Digest;
    /// A milestone was completed.
    MilestoneCompleted => "milestone.completed", Instant;
    /// A status update was shared with its client.
    UpdatePublished => "update.published", Digest;
    /// A document was shared with its client.
    DocumentShared => "document.shared", Instant;
    /// A document got a new version.
    DocumentVersionAdded => "document.version_added", Digest;
    /// An approval was asked for.
    ApprovalRequested => "approval.requested", Instant;
    /// An approval was decided.
    ApprovalDecided => "approval.decided", Instant;
    /// A pending approval is due within a day.
    ApprovalDueSoon => "approval.due_soon", Instant;
    /// A client submitted a request.
    RequestSubmitted => "request.submitted", Instant;
    /// The team answered a request or moved it on.
    RequestAnswered => "request.answered", Instant;
    /// A message was posted on a thread.
    MessagePosted => "message.posted", Instant;
    /// An invoice was issued (or changed).
    InvoiceIssued => "invoice.issued", Instant;
    /// An invoice passed its due date unpaid.
    InvoiceOverdue => "invoice.overdue", Instant;
    /// Someone was invited to the portal.
    InvitationSent => "invitation.sent", Off;
    /// The account signed in from a device not seen before.
    SecurityNewDevice => "security.new_device", Instant;
    /// The account's password changed.
    SecurityPasswordChanged => "security.password_changed", Instant;
    /// The account's second factor was set up, changed or removed.
    SecurityMfaChanged => "security.mfa_changed", Instant;
}

impl EventType {
    /// Security notices reach the account holder whatever their preferences say: someone who
    /// took over an account must not be able to silence them.
    #[must_use]
    pub const fn is_security(self) -> bool {
        matches!(
            self,
            EventType::SecurityNewDevice
                | EventType::SecurityPasswordChanged
                | EventType::SecurityMfaChanged
        )
    }

    /// The mail mode that applies when a person chose `chosen` (or nothing).
    #[must_use]
    pub fn effective_mail(self, chosen: Option<MailMode>) -> MailMode {
        if self.is_security() {
            return MailMode::Instant;
        }
        chosen.unwrap_or(self.default_mail())
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom(format_args!("unknown event type `{text}`")))
    }
}

/// How a person hears of one event type by mail. In-app notifications always arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailMode {
    /// A mail for each event, as it happens.
    Instant,
    /// One mail a day listing the day's events.
    Digest,
    /// No mail.
    Off,
}

impl MailMode {
    /// The mode's name, as stored and shown.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MailMode::Instant => "instant",
            MailMode::Digest => "digest",
            MailMode::Off => "off",
        }
    }
}

impl FromStr for MailMode {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "instant" => Ok(MailMode::Instant),
            "digest" => Ok(MailMode::Digest),
            "off" => Ok(MailMode::Off),
            _ => Err(DomainError::validation(
                "mail",
                Invalid::Malformed("instant, digest or off"),
            )),
        }
    }
}

/// One person's mail choice for one event type (types without one use their default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPreference {
    /// The event type.
    pub event_type: EventType,
    /// How its mail arrives.
    pub mail: MailMode,
}

/// Where a notification's mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// No mail is due (the person chose `off`, or has no address to write to).
    None,
    /// Waiting to be sent on its own.
    Instant,
    /// Waiting for the person's next daily digest.
    Digest,
    /// Sent.
    Sent,
    /// Gave up after too many attempts.
    Failed,
}

/// A notification to store: one person hears of one event. The dispatcher builds it after
/// reading the object with the recipient's own scope, so `title` is only what they may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// The person.
    pub user: UserId,
    /// The outbox event it comes from; one person hears of one event once.
    pub event: OutboxEventId,
    /// What happened.
    pub event_type: EventType,
    /// The object it is about.
    pub object: ObjectRef,
    /// The object's client, if it has one.
    pub client: Option<ClientId>,
    /// The object's project, if it has one.
    pub project: Option<ProjectId>,
    /// The object's name as the recipient sees it (a deliverable's title, an invoice number).
    pub title: String,
    /// How the mail goes out.
    pub mail: MailState,
    /// When the change happened.
    pub occurred_at: OffsetDateTime,
}

/// A stored notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// Its id.
    pub id: NotificationId,
    /// The tenant.
    pub tenant: TenantId,
    /// The person it is for.
    pub user: UserId,
    /// The outbox event it comes from.
    pub event: OutboxEventId,
    /// What happened.
    pub event_type: EventType,
    /// The object it is about.
    pub object: ObjectRef,
    /// The object's client, if any.
    pub client: Option<ClientId>,
    /// The object's project, if any.
    pub project: Option<ProjectId>,
    /// The object's name as the recipient sees it.
    pub title: String,
    /// Where its mail stands.
    pub mail: MailState,
    /// Mail attempts so far.
    pub mail_attempts: i32,
    /// When the change happened.
    pub occurred_at: OffsetDateTime,
    /// When the person read it, if they did.
    pub read_at: Option<OffsetDateTime>,
}

/// Whether an endpoint that is `active` and filters on `types` (empty: all) posts `event_type`.
fn posts(active: bool, types: &[EventType], event_type: EventType) -> bool {
    active && (types.is_empty() || types.contains(&event_type))
}

/// A webhook endpoint to create or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpointInput {
    /// Where events are posted: `https`, or `http` where the host allows it (tests, loopback).
    pub url: Url,
    /// What the endpoint is for, shown in the settings.
    pub description: String,
    /// The event types posted; empty means every type.
    pub event_types: Vec<EventType>,
    /// Whether events are posted at all.
    pub active: bool,
}

/// The longest endpoint description, in characters.
pub const MAX_WEBHOOK_DESCRIPTION_CHARS: usize = 200;
/// The longest endpoint address, in bytes.
pub const MAX_WEBHOOK_URL_BYTES: usize = 2_000;

impl WebhookEndpointInput {
    /// Checks the input as every backend stores it: an `http`/`https` address without
    /// credentials or fragment, a short description without control characters; and sorts the
    /// event filter without repeats.
    pub fn validated(mut self) -> Result<Self, DomainError> {
        if !matches!(self.url.scheme(), "https" | "http") || self.url.host().is_none() {
            return Err(DomainError::validation(
                "url",
                Invalid::Malformed("an https:// address"),
            ));
        }
        if !self.url.username().is_empty() || self.url.password().is_some() {
            return Err(DomainError::validation(
                "url",
                Invalid::Malformed("an address without user name or password"),
            ));
        }
        if self.url.as_str().len() > MAX_WEBHOOK_URL_BYTES {
            return Err(DomainError::validation(
                "url",
                Invalid::TooLong {
                    max: MAX_WEBHOOK_URL_BYTES,
                },
            ));
        }
        self.url.set_fragment(None);
        let description = self.description.trim();
        if description.chars().count() > MAX_WEBHOOK_DESCRIPTION_CHARS {
            return Err(DomainError::validation(
                "description",
                Invalid::TooLong {
                    max: MAX_WEBHOOK_DESCRIPTION_CHARS,
                },
            ));
        }
        if description.chars().any(char::is_control) {
            return Err(DomainError::validation(
                "description",
                Invalid::ControlCharacter,
            ));
        }
        self.description = description.to_owned();
        self.event_types.sort_unstable();
        self.event_types.dedup();
        Ok(self)
    }

    /// Whether an event of `event_type` goes to this endpoint.
    #[must_use]
    pub fn wants(&self, event_type: EventType) -> bool {
        posts(self.active, &self.event_types, event_type)
    }
}

/// A stored webhook endpoint. The signing secret is not part of it: it is shown once when
/// created or rotated and read only by the dispatcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: WebhookEndpointId,
    /// The tenant.
    pub tenant: TenantId,
    /// Where events are posted.
    pub url: Url,
    /// What it is for.
    pub description: String,
    /// The event types posted; empty means every type.
    pub event_types: Vec<EventType>,
    /// Whether events are posted.
    pub active: bool,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it was last changed.
    pub updated_at: OffsetDateTime,
}

impl WebhookEndpoint {
    /// Whether an event of `event_type` goes to this endpoint.
    #[must_use]
    pub fn wants(&self, event_type: EventType) -> bool {
        posts(self.active, &self.event_types, event_type)
    }
}

/// Where one event's delivery to one endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Gave up: retries ran out (24 hours) or the endpoint is gone.
    Dead,
}

impl DeliveryStatus {
    /// The status's name, as stored and shown.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }
}

/// One event's delivery to one endpoint, with the body that every attempt posts unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookDelivery {
    /// Its id.
    pub id: WebhookDeliveryId,
    /// The tenant.
    pub tenant: TenantId,
    /// The endpoint.
    pub endpoint: WebhookEndpointId,
    /// The outbox event delivered; also the idempotency key receivers see.
    pub event: OutboxEventId,
    /// What happened.
    pub event_type: EventType,
    /// The JSON body posted.
    pub body: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: i32,
    /// When the next attempt may run.
    pub next_attempt_at: OffsetDateTime,
    /// The last answer's status code, if the receiver answered.
    pub last_status: Option<u16>,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When it was first queued.
    pub created_at: OffsetDateTime,
    /// When the receiver accepted it.
    pub delivered_at: Option<OffsetDateTime>,
}

/// What one attempt of a delivery got, for the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryAttempt {
    /// The delivery.
    pub delivery: WebhookDeliveryId,
    /// 1 for the first attempt.
    pub number: i32,
    /// When it ran.
    pub at: OffsetDateTime,
    /// The receiver's status code, if it answered.
    pub status: Option<u16>,
    /// Why it failed (a network error, a timeout, the start of a non-2xx answer).
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_type_names_round_trip() {
        for event_type in EventType::ALL {
            assert_eq!(
                event_type.as_str().parse::<EventType>().unwrap(),
                *event_type
            );
            let json = serde_json::to_string(event_type).unwrap();
            assert_eq!(json, format!("\"{event_type}\""));
            assert_eq!(
                serde_json::from_str::<EventType>(&json).unwrap(),
                *event_type
            );
        }
        assert!("approval.unknown".parse::<EventType>().is_err());
        assert!(serde_json::from_str::<EventType>("\"nope\"").is_err());
    }

    #[test]
    fn security_notices_cannot_be_silenced() {
        assert_eq!(
            EventType::SecurityNewDevice.effective_mail(Some(MailMode::Off)),
            MailMode::Instant
        );
        assert_eq!(
            EventType::UpdatePublished.effective_mail(Some(MailMode::Off)),
            MailMode::Off
        );
        assert_eq!(
            EventType::UpdatePublished.effective_mail(None),
            MailMode::Digest
        );
    }

    #[test]
    fn endpoints_filter_by_type_and_activity() {
        let mut input = WebhookEndpointInput {
            url: Url::parse("https://hooks.example/portal").unwrap(),
            description: "CRM".into(),
            event_types: vec![EventType::ApprovalDecided],
            active: true,
        };
        assert!(input.wants(EventType::ApprovalDecided));
        assert!(!input.wants(EventType::MessagePosted));
        input.event_types.clear();
        assert!(input.wants(EventType::MessagePosted));
        input.active = false;
        assert!(!input.wants(EventType::MessagePosted));
    }

    #[test]
    fn endpoint_inputs_are_checked() {
        let input = |url: &str| WebhookEndpointInput {
            url: Url::parse(url).unwrap(),
            description: "  CRM  ".into(),
            event_types: vec![
                EventType::MessagePosted,
                EventType::ApprovalDecided,
                EventType::MessagePosted,
            ],
            active: true,
        };
        let checked = input("https://hooks.example/in#frag").validated().unwrap();
        assert_eq!(checked.url.as_str(), "https://hooks.example/in");
        assert_eq!(checked.description, "CRM");
        assert_eq!(
            checked.event_types,
            vec![EventType::ApprovalDecided, EventType::MessagePosted]
        );
        for bad in [
            "ftp://hooks.example/",
            "https://user:pw@hooks.example/",
            "mailto:a@b.example",
        ] {
            let error = input(bad).validated().unwrap_err();
            assert_eq!(error.field(), Some("url"), "{bad}");
        }
        let mut long = input("https://hooks.example/");
        long.description = "x".repeat(201);
        assert!(long.validated().is_err());
    }

    #[test]
    fn mail_modes_parse() {
        for mode in [MailMode::Instant, MailMode::Digest, MailMode::Off] {
            assert_eq!(mode.as_str().parse::<MailMode>().unwrap(), mode);
        }
        assert!("weekly".parse::<MailMode>().is_err());
    }
}
