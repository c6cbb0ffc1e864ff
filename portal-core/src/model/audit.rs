use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::id::{ApiKeyId, AuditEventId, ShareLinkId, TenantId, UserId};
use crate::scope::{Principal, TenantScope};
use crate::state::Sha256Digest;

/// Who did something, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// A person with a login.
    User(UserId),
    /// A member of staff previewing the portal as a client.
    Preview(UserId),
    /// An integration's API key.
    ApiKey(ApiKeyId),
    /// A visitor through a share link.
    ShareLink(ShareLinkId),
    /// Someone not (yet) authenticated, e.g. a failed login.
    Anonymous,
    /// A background job.
    System,
}

impl Actor {
    /// The actor behind a scope.
    #[must_use]
    pub const fn of(scope: &TenantScope) -> Self {
        match scope.principal() {
            Principal::Staff(user) | Principal::Contact(user) => Self::User(user),
            Principal::ClientPreview { staff, .. } => Self::Preview(staff),
            Principal::System => Self::System,
        }
    }
}

/// The object an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectRef {
    /// The kind of object, e.g. `approval`.
    pub kind: String,
    /// Its id.
    pub id: Uuid,
}

/// How the act ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// It happened.
    Success,
    /// It failed (e.g. a wrong password).
    Failure,
    /// Authorisation refused it.
    Denied,
}

/// Where a request came from, recorded with the events it causes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditContext {
    /// The client address (from a trusted proxy header only).
    pub ip: Option<IpAddr>,
}

/// An event to append. Storage gives it its place in the tenant's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    /// Who.
    pub actor: Actor,
    /// What, as `object.verb`, e.g. `approval.decided`.
    pub action: String,
    /// On what.
    pub object: Option<ObjectRef>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// More facts; never a secret.
    pub details: serde_json::Value,
}

/// An entry of a tenant's append-only, hash-chained audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// The event's id.
    pub id: AuditEventId,
    /// The tenant.
    pub tenant: TenantId,
    /// Its place in the tenant's chain: 1, 2, 3 …
    pub seq: i64,
    /// When, in UTC, to the microsecond.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// Who.
    pub actor: Actor,
    /// What.
    pub action: String,
    /// On what.
    pub object: Option<ObjectRef>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// From where.
    pub ip: Option<IpAddr>,
    /// More facts.
    pub details: serde_json::Value,
    /// The previous event's hash (all zeros for the first).
    pub prev_hash: Sha256Digest,
    /// This event's hash, over all of the above.
    pub hash: Sha256Digest,
}

impl NewAuditEvent {
    /// An event by the scope's actor.
    #[must_use]
    pub fn by(scope: &TenantScope, action: &str, object: Option<ObjectRef>) -> Self {
        Self {
            actor: Actor::of(scope),
            action: action.to_owned(),
            object,
            outcome: AuditOutcome::Success,
            details: serde_json::Value::Null,
        }
    }

    /// The same event with `details`.
    #[must_use]
    pub fn with_details(self, details: serde_json::Value) -> Self {
        Self { details, ..self }
    }

    /// Gives the event its place after `previous` (or first, for `None`) and seals it with its hash.
    /// The time is cut to whole microseconds, which every backend stores exactly.
    #[must_use]
    pub fn seal(
        self,
        tenant: TenantId,
        previous: Option<(i64, Sha256Digest)>,
        occurred_at: OffsetDateTime,
        context: &AuditContext,
    ) -> AuditEvent {
        let (seq, prev_hash) = previous
            .map_or((1, Sha256Digest::from_bytes([0; 32])), |(seq, hash)| {
                (seq.saturating_add(1), hash)
            });
        let occurred_at = occurred_at
            .to_offset(time::UtcOffset::UTC)
            .replace_nanosecond(occurred_at.microsecond() * 1_000)
            .unwrap_or(occurred_at);
        let mut event = AuditEvent {
            id: AuditEventId::new(),
            tenant,
            seq,
            occurred_at,
            actor: self.actor,
            action: self.action,
            object: self.object,
            outcome: self.outcome,
            ip: context.ip,
            details: self.details,
            prev_hash,
            hash: Sha256Digest::from_bytes([0; 32]),
        };
        event.hash = event.computed_hash();
        event
    }
}

impl AuditEvent {
    /// The hash the event should carry: SHA-256 over its canonical JSON form without `hash`.
    #[must_use]
    pub fn computed_hash(&self) -> Sha256Digest {
        let canonical = serde_json::json!({
            "id": self.id,
            "tenant": self.tenant,
            "seq": self.seq,
            "occurred_at_us": self.occurred_at.unix_timestamp_nanos() / 1_000,
            "actor": self.actor,
            "action": self.action,
            "object": self.object,
            "outcome": self.outcome,
            "ip": self.ip,
            "details": self.details,
            "prev_hash": self.prev_hash,
        });
        Sha256Digest::of(canonical.to_string().as_bytes())
    }
}

/// Where a tenant's audit chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainBreak {
    /// An event's content does not match its hash: it was changed.
    #[error("audit event {seq} was changed: its hash does not match its content")]
    Altered {
        /// The changed event's place.
        seq: i64,
    },
    /// An event does not point at the one before it: events were removed or reordered.
    #[error(
        "audit event {seq} does not follow the event before it: events were removed or reordered"
    )]
    Unlinked {
        /// The first event out of place.
        seq: i64,
    },
    /// An event of another tenant is in the chain.
    #[error("audit event {seq} belongs to another tenant")]
    ForeignEvent {
        /// Its place.
        seq: i64,
    },
}

/// Checks a tenant's events, in chain order, continuing after `previous` (the last verified
/// event's place and hash, or `None` from the start). Returns where the next batch continues.
pub fn verify_chain<'a>(
    tenant: TenantId,
    previous: Option<(i64, Sha256Digest)>,
    events: impl IntoIterator<Item = &'a AuditEvent>,
) -> Result<Option<(i64, Sha256Digest)>, ChainBreak> {
    let mut previous = previous;
    for event in events {
        if event.tenant != tenant {
            return Err(ChainBreak::ForeignEvent { seq: event.seq });
        }
        let (expected_seq, expected_prev) = previous
            .map_or((1, Sha256Digest::from_bytes([0; 32])), |(seq, hash)| {
                (seq + 1, hash)
            });
        if event.seq != expected_seq || event.prev_hash != expected_prev {
            return Err(ChainBreak::Unlinked { seq: event.seq });
        }
        if event.computed_hash() != event.hash {
            return Err(ChainBreak::Altered { seq: event.seq });
        }
        previous = Some((event.seq, event.hash));
    }
    Ok(previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(tenant: TenantId, n: usize) -> Vec<AuditEvent> {
        let scope = TenantScope::dangerous_system(tenant);
        let mut events: Vec<AuditEvent> = Vec::new();
        for i in 0..n {
            let previous = events.last().map(|e| (e.seq, e.hash));
            let event = NewAuditEvent::by(&scope, "project.published", None)
                .with_details(serde_json::json!({ "n": i }))
                .seal(
                    tenant,
                    previous,
                    OffsetDateTime::now_utc(),
                    &AuditContext::default(),
                );
            events.push(event);
        }
        events
    }

    #[test]
    fn an_intact_chain_verifies_in_batches() {
        let tenant = TenantId::new();
        let events = chain(tenant, 5);
        let middle = verify_chain(tenant, None, &events[..2]).unwrap();
        let end = verify_chain(tenant, middle, &events[2..]).unwrap();
        assert_eq!(end, Some((5, events[4].hash)));
        assert_eq!(verify_chain(tenant, None, &[]).unwrap(), None);
    }

    #[test]
    fn a_changed_removed_or_reordered_event_is_found() {
        let tenant = TenantId::new();
        let events = chain(tenant, 4);

        let mut changed = events.clone();
        changed[2].details = serde_json::json!({ "n": 99 });
        assert_eq!(
            verify_chain(tenant, None, &changed),
            Err(ChainBreak::Altered { seq: 3 })
        );

        let mut removed = events.clone();
        removed.remove(1);
        assert_eq!(
            verify_chain(tenant, None, &removed),
            Err(ChainBreak::Unlinked { seq: 3 })
        );

        let mut reordered = events.clone();
        reordered.swap(1, 2);
        assert_eq!(
            verify_chain(tenant, None, &reordered),
            Err(ChainBreak::Unlinked { seq: 3 })
        );

        let mut rehashed = events.clone();
        rehashed[1].action = "project.deleted".into();
        rehashed[1].hash = rehashed[1].computed_hash();
        assert_eq!(
            verify_chain(tenant, None, &rehashed),
            Err(ChainBreak::Unlinked { seq: 3 })
        );

        assert_eq!(
            verify_chain(TenantId::new(), None, &events),
            Err(ChainBreak::ForeignEvent { seq: 1 })
        );
    }

    #[test]
    fn sealing_cuts_time_to_microseconds() {
        let tenant = TenantId::new();
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        let event = NewAuditEvent::by(&TenantScope::dangerous_system(tenant), "x.y", None).seal(
            tenant,
            None,
            at,
            &AuditContext::default(),
        );
        assert_eq!(event.occurred_at.nanosecond(), 123_456_000);
        assert_eq!(event.seq, 1);
    }
}
