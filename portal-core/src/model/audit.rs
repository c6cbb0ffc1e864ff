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
    /// More facts; never a secret, never a personal fact (those go in `personal`).
    pub details: serde_json::Value,
    /// Whose personal facts the event holds, when known (the user of a failed login for a
    /// known email), so erasing that person's data finds it.
    pub subject: Option<UserId>,
    /// Personal facts (an attempted or invited email), kept under the event's erasable
    /// commitment rather than in its hash: e.g. `{"email": "ada@example.com"}`.
    pub personal: Option<serde_json::Value>,
}

/// How an event's hash is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum HashVersion {
    /// Every field, the address included: the personal facts cannot be erased without
    /// breaking the chain. Events written before version 2 existed.
    V1,
    /// The personal facts (address, `personal`) kept apart under a salted commitment
    /// (`personal_digest`) that the hash covers instead: erasing them leaves the chain intact.
    V2,
}

impl HashVersion {
    /// The stored number: 1 or 2.
    #[must_use]
    pub const fn number(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }

    /// The version stored as `number`, if there is one.
    #[must_use]
    pub const fn from_number(number: u8) -> Option<Self> {
        match number {
            1 => Some(Self::V1),
            2 => Some(Self::V2),
            _ => None,
        }
    }
}

impl From<HashVersion> for u8 {
    fn from(version: HashVersion) -> Self {
        version.number()
    }
}

impl TryFrom<u8> for HashVersion {
    type Error = String;

    fn try_from(number: u8) -> Result<Self, Self::Error> {
        Self::from_number(number).ok_or_else(|| format!("unknown audit hash version {number}"))
    }
}

/// The random salt of an event's personal-facts commitment: without it, the digest of a
/// guessable fact (an email, an address) could be confirmed by trying candidates.
pub type PersonalSalt = [u8; 16];

/// A fresh salt: 16 bytes condensed (SHA-256) from two random v4 UUIDs, which draw on the
/// operating system's generator — 244 random bits in, so all 128 out are random.
fn fresh_salt() -> PersonalSalt {
    let mut seed = [0_u8; 32];
    seed[..16].copy_from_slice(Uuid::new_v4().as_bytes());
    seed[16..].copy_from_slice(Uuid::new_v4().as_bytes());
    let digest = Sha256Digest::of(&seed);
    let mut salt = [0_u8; 16];
    salt.copy_from_slice(&digest.as_bytes()[..16]);
    salt
}

/// The commitment to an event's personal facts: SHA-256 over the salt, then the canonical JSON
/// of `{ip, personal}`.
#[must_use]
pub fn personal_digest(
    salt: &PersonalSalt,
    ip: Option<IpAddr>,
    personal: Option<&serde_json::Value>,
) -> Sha256Digest {
    let facts = serde_json::json!({ "ip": ip, "personal": personal });
    let mut bytes = salt.to_vec();
    bytes.extend_from_slice(facts.to_string().as_bytes());
    Sha256Digest::of(&bytes)
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
    /// From where (a personal fact; `None` once erased).
    pub ip: Option<IpAddr>,
    /// More facts.
    pub details: serde_json::Value,
    /// How the hash is computed.
    pub hash_version: HashVersion,
    /// Whose personal facts the event holds, when known.
    pub subject: Option<UserId>,
    /// Personal facts besides the address (`None` once erased).
    pub personal: Option<serde_json::Value>,
    /// The salt of the personal-facts commitment (version 2; `None` once erased).
    #[serde(skip)]
    pub personal_salt: Option<PersonalSalt>,
    /// The commitment to `ip` and `personal` the hash covers (version 2).
    pub personal_digest: Option<Sha256Digest>,
    /// When the personal facts were erased (version 2 only).
    #[serde(with = "time::serde::rfc3339::option")]
    pub erased_at: Option<OffsetDateTime>,
    /// The previous event's hash (all zeros for the first).
    pub prev_hash: Sha256Digest,
    /// This event's hash: over all of the above but the personal facts and the erasure
    /// marker (version 2), or over every field (version 1).
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
            subject: None,
            personal: None,
        }
    }

    /// The same event with `details`.
    #[must_use]
    pub fn with_details(self, details: serde_json::Value) -> Self {
        Self { details, ..self }
    }

    /// The same event holding `personal` facts, erasable later.
    #[must_use]
    pub fn with_personal(self, personal: serde_json::Value) -> Self {
        Self {
            personal: Some(personal),
            ..self
        }
    }

    /// The same event naming `subject` as the person its personal facts are about.
    #[must_use]
    pub fn about(self, subject: UserId) -> Self {
        Self {
            subject: Some(subject),
            ..self
        }
    }

    /// Gives the event its place after `previous` (or first, for `None`) and seals it with its
    /// hash, as version 2: the address and personal facts under a freshly salted commitment.
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
        let salt = fresh_salt();
        let digest = personal_digest(&salt, context.ip, self.personal.as_ref());
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
            hash_version: HashVersion::V2,
            subject: self.subject,
            personal: self.personal,
            personal_salt: Some(salt),
            personal_digest: Some(digest),
            erased_at: None,
            prev_hash,
            hash: Sha256Digest::from_bytes([0; 32]),
        };
        event.hash = event.computed_hash();
        event
    }
}

impl AuditEvent {
    /// The hash the event should carry: SHA-256 over its canonical JSON form without `hash` —
    /// for version 2 also without the personal facts and the erasure marker, but with their
    /// commitment.
    #[must_use]
    pub fn computed_hash(&self) -> Sha256Digest {
        match self.hash_version {
            HashVersion::V1 => self.computed_hash_v1(),
            HashVersion::V2 => self.computed_hash_v2(),
        }
    }

    /// Version 2: every field but `ip`, `personal`, the salt and the erasure marker.
    fn computed_hash_v2(&self) -> Sha256Digest {
        let canonical = serde_json::json!({
            "v": 2,
            "id": self.id,
            "tenant": self.tenant,
            "seq": self.seq,
            "occurred_at_us": self.occurred_at.unix_timestamp_nanos() / 1_000,
            "actor": self.actor,
            "action": self.action,
            "object": self.object,
            "outcome": self.outcome,
            "details": self.details,
            "subject": self.subject,
            "personal_digest": self.personal_digest,
            "prev_hash": self.prev_hash,
        });
        Sha256Digest::of(canonical.to_string().as_bytes())
    }

    /// Version 1: every field, exactly as events were hashed before version 2. Frozen: stored
    /// events depend on this exact form, so it is kept apart from version 2's on purpose.
    fn computed_hash_v1(&self) -> Sha256Digest {
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

    /// Whether the personal facts were erased.
    #[must_use]
    pub const fn is_erased(&self) -> bool {
        self.erased_at.is_some()
    }

    /// Whether the stored fields agree with each other and with the hash: a version 1 event
    /// carries none of version 2's fields; a version 2 event carries its commitment, and either
    /// the salt and facts it commits to or — erased — none of them.
    #[must_use]
    pub fn is_intact(&self) -> bool {
        let consistent = match self.hash_version {
            HashVersion::V1 => {
                self.subject.is_none()
                    && self.personal.is_none()
                    && self.personal_salt.is_none()
                    && self.personal_digest.is_none()
                    && self.erased_at.is_none()
            }
            HashVersion::V2 => match (self.personal_digest, self.personal_salt) {
                (None, _) => false,
                (Some(_), None) => self.is_erased() && self.ip.is_none() && self.personal.is_none(),
                (Some(digest), Some(salt)) => {
                    !self.is_erased()
                        && personal_digest(&salt, self.ip, self.personal.as_ref()) == digest
                }
            },
        };
        consistent && self.computed_hash() == self.hash
    }

    /// The event with its personal facts erased: the address, `personal` and the salt
    /// cleared, the commitment kept, so the chain still verifies. `None` for a version 1
    /// event, whose hash covers the address: erasing it would break the chain.
    #[must_use]
    pub fn erased(&self, at: OffsetDateTime) -> Option<Self> {
        (self.hash_version == HashVersion::V2).then(|| Self {
            ip: None,
            personal: None,
            personal_salt: None,
            erased_at: Some(self.erased_at.unwrap_or(at)),
            ..self.clone()
        })
    }
}

/// Where a tenant's audit chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainBreak {
    /// An event's content does not match its hash or its personal-facts commitment: it was
    /// changed.
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
        if !event.is_intact() {
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

    /// A chain of `n` events with an address and an email, each about one person.
    fn personal_chain(tenant: TenantId, n: usize) -> Vec<AuditEvent> {
        let scope = TenantScope::dangerous_system(tenant);
        let context = AuditContext {
            ip: Some(IpAddr::from([192, 0, 2, 7])),
        };
        let mut events: Vec<AuditEvent> = Vec::new();
        for i in 0..n {
            let previous = events.last().map(|e| (e.seq, e.hash));
            let event = NewAuditEvent::by(&scope, "auth.login_failed", None)
                .with_details(serde_json::json!({ "n": i }))
                .with_personal(serde_json::json!({ "email": format!("p{i}@example.com") }))
                .about(UserId::new())
                .seal(tenant, previous, OffsetDateTime::now_utc(), &context);
            events.push(event);
        }
        events
    }

    /// `event` as a release before version 2 wrote it.
    fn as_version_1(event: &AuditEvent, prev_hash: Sha256Digest) -> AuditEvent {
        let mut old = AuditEvent {
            hash_version: HashVersion::V1,
            subject: None,
            personal: None,
            personal_salt: None,
            personal_digest: None,
            erased_at: None,
            prev_hash,
            ..event.clone()
        };
        old.hash = old.computed_hash();
        old
    }

    #[test]
    fn new_events_are_version_2_and_version_1_events_verify_as_before() {
        let tenant = TenantId::new();
        let events = personal_chain(tenant, 3);
        assert!(events.iter().all(|e| e.hash_version == HashVersion::V2));
        assert_eq!(
            verify_chain(tenant, None, &events).unwrap(),
            Some((3, events[2].hash))
        );

        let first = as_version_1(&events[0], Sha256Digest::from_bytes([0; 32]));
        let second = as_version_1(&events[1], first.hash);
        let mut mixed = vec![first, second];
        let mut third = events[2].clone();
        third.prev_hash = mixed[1].hash;
        third.hash = third.computed_hash();
        mixed.push(third);
        assert!(verify_chain(tenant, None, &mixed).is_ok());
        assert_eq!(
            mixed[0].erased(OffsetDateTime::now_utc()),
            None,
            "v1 cannot be erased"
        );

        let mut changed_ip = mixed.clone();
        changed_ip[0].ip = Some(IpAddr::from([198, 51, 100, 1]));
        assert_eq!(
            verify_chain(tenant, None, &changed_ip),
            Err(ChainBreak::Altered { seq: 1 }),
            "a version 1 hash covers the address"
        );
    }

    #[test]
    fn erasing_personal_facts_keeps_the_chain_verifiable() {
        let tenant = TenantId::new();
        let mut events = personal_chain(tenant, 3);
        let now = OffsetDateTime::now_utc();
        events[1] = events[1].erased(now).unwrap();
        assert_eq!((events[1].ip, &events[1].personal), (None, &None));
        assert!(events[1].personal_digest.is_some() && events[1].is_erased());
        assert_eq!(
            verify_chain(tenant, None, &events).unwrap(),
            Some((3, events[2].hash))
        );
        let twice = events[1].erased(now + time::Duration::hours(1)).unwrap();
        assert_eq!(twice, events[1], "erasing again changes nothing");
    }

    #[test]
    fn changed_or_half_erased_personal_facts_are_found() {
        let tenant = TenantId::new();
        let events = personal_chain(tenant, 2);
        let altered = |change: fn(&mut AuditEvent)| {
            let mut copy = events.clone();
            change(&mut copy[0]);
            verify_chain(tenant, None, &copy)
        };
        let broken = Err(ChainBreak::Altered { seq: 1 });
        assert_eq!(
            altered(|e| e.ip = Some(IpAddr::from([198, 51, 100, 1]))),
            broken
        );
        assert_eq!(
            altered(|e| e.personal = Some(serde_json::json!({ "email": "x@y.z" }))),
            broken
        );
        assert_eq!(altered(|e| e.personal_salt = Some([9; 16])), broken);
        assert_eq!(altered(|e| e.personal_digest = None), broken);
        assert_eq!(
            altered(|e| e.subject = None),
            broken,
            "the hash covers the subject"
        );
        // "Erased" without clearing everything, or cleared without the marker.
        assert_eq!(
            altered(|e| e.erased_at = Some(OffsetDateTime::now_utc())),
            broken
        );
        assert_eq!(
            altered(|e| {
                e.personal_salt = None;
                e.ip = None;
                e.personal = None;
            }),
            broken
        );
        assert_eq!(
            altered(|e| {
                *e = e.erased(OffsetDateTime::now_utc()).unwrap();
                e.ip = Some(IpAddr::from([192, 0, 2, 7]));
            }),
            broken
        );
        assert_eq!(
            altered(|e| {
                *e = e.erased(OffsetDateTime::now_utc()).unwrap();
                e.details = serde_json::json!({ "n": 5 });
            }),
            broken
        );
    }

    #[test]
    fn salts_differ_so_equal_facts_give_different_digests() {
        let tenant = TenantId::new();
        let scope = TenantScope::dangerous_system(tenant);
        let seal = || {
            NewAuditEvent::by(&scope, "x.y", None)
                .with_personal(serde_json::json!({ "email": "same@example.com" }))
                .seal(
                    tenant,
                    None,
                    OffsetDateTime::now_utc(),
                    &AuditContext::default(),
                )
        };
        let (a, b) = (seal(), seal());
        assert_ne!(a.personal_salt, b.personal_salt);
        assert_ne!(a.personal_digest, b.personal_digest);
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
