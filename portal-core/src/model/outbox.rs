use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::{OutboxEventId, TenantId};

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting to be delivered (again).
    Pending,
    /// Delivered.
    Delivered,
    /// Gave up after too many attempts.
    Dead,
}

/// A change to tell people and systems about, written in the same transaction as the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEvent {
    /// The row's id; also the idempotency key receivers see.
    pub id: OutboxEventId,
    /// The tenant.
    pub tenant: TenantId,
    /// The event type, e.g. `approval.decided`.
    pub kind: String,
    /// What the dispatcher needs to build messages; ids, not content.
    pub payload: serde_json::Value,
    /// Where it stands.
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// When the next attempt may run.
    pub next_attempt_at: OffsetDateTime,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When the change happened.
    pub created_at: OffsetDateTime,
}
