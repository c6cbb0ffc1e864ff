//! Signed webhook deliveries: the `Portal-Signature` scheme ([`sign`], [`verify`]), one delivery
//! attempt ([`WebhookSender::post`]), where deliveries may go ([`DestinationPolicy`]) and when a
//! failed one is tried again ([`next_attempt`]).

pub mod backoff;
pub mod destination;
pub mod sender;
pub mod signature;

pub use backoff::next_attempt;
pub use destination::{DestinationError, DestinationPolicy};
pub use sender::{
    AttemptOutcome, EVENT_ID_HEADER, EVENT_TYPE_HEADER, WebhookError, WebhookSender,
    WebhookSenderConfig,
};
pub use signature::{SIGNATURE_HEADER, SignatureError, sign, verify};
