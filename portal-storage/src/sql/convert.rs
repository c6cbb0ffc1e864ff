//! Turning stored values back into records, and records into stored values.
//!
//! A stored value that fails its domain rules (a name edited by hand, an unknown enum name, a
//! hash of the wrong length) is a [`StoreError::Backend`] naming the column — never a panic, and
//! never a validation error the caller could mistake for bad input of its own.

use std::net::IpAddr;
use std::str::FromStr;

use portal_core::model::{Actor, AuditOutcome, DeliveryStatus, MailState, OutboxStatus};
use portal_core::state::{Sha256Digest, StateMachine};
use portal_core::{BuiltinRole, PermissionSet, Side};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{StoreError, StoreResult};

/// Times are stored in UTC, cut to whole microseconds, by the rule every backend shares. Their
/// SQLite TEXT form does not sort as time: compare through `sortable_time!` or in Rust.
pub(crate) use crate::rules::stored_time;

/// A stored value that breaks the rules it was written under.
#[derive(Debug, thiserror::Error)]
#[error("stored {column} is invalid: {reason}")]
pub(crate) struct CorruptValue {
    column: &'static str,
    reason: String,
}

/// The backend error for a corrupt value in `column`.
pub(crate) fn corrupt(column: &'static str, reason: impl ToString) -> StoreError {
    StoreError::backend(CorruptValue {
        column,
        reason: reason.to_string(),
    })
}

/// A validated text type (`DisplayName`, `Email`, `Slug`, `HexColour`, …) from its column.
pub(crate) fn parsed<T>(column: &'static str, text: &str) -> StoreResult<T>
where
    T: FromStr,
    T::Err: ToString,
{
    text.parse().map_err(|error: T::Err| corrupt(column, error))
}

/// An optional validated text.
pub(crate) fn parsed_opt<T>(column: &'static str, text: Option<&str>) -> StoreResult<Option<T>>
where
    T: FromStr,
    T::Err: ToString,
{
    text.map(|text| parsed(column, text)).transpose()
}

/// A JSON column (branding, details, payloads, permission lists).
pub(crate) fn from_json<T: DeserializeOwned>(column: &'static str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|error| corrupt(column, error))
}

/// An optional JSON column.
pub(crate) fn from_json_opt<T: DeserializeOwned>(
    column: &'static str,
    text: Option<&str>,
) -> StoreResult<Option<T>> {
    text.map(|text| from_json(column, text)).transpose()
}

/// A value as JSON text for a column.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(StoreError::backend)
}

/// A permission set from its JSON list of names; an unknown name is corruption, not a
/// silently dropped right.
pub(crate) fn permissions(text: &str) -> StoreResult<PermissionSet> {
    from_json("permissions", text)
}

/// A SHA-256 digest from its 32 stored bytes.
pub(crate) fn digest(column: &'static str, bytes: &[u8]) -> StoreResult<Sha256Digest> {
    <[u8; 32]>::try_from(bytes)
        .map(Sha256Digest::from_bytes)
        .map_err(|_| corrupt(column, format_args!("{} bytes, not 32", bytes.len())))
}

/// A state-machine status (`draft`, `in_review`, …) from its stable name.
pub(crate) fn state<S: StateMachine>(column: &'static str, name: &str) -> StoreResult<S> {
    S::ALL
        .iter()
        .copied()
        .find(|state| state.name() == name)
        .ok_or_else(|| corrupt(column, format_args!("unknown state `{name}`")))
}

/// The stored name of a side.
pub(crate) const fn side_name(side: Side) -> &'static str {
    match side {
        Side::Staff => "staff",
        Side::Client => "client",
    }
}

/// A side from its stored name.
pub(crate) fn side(name: &str) -> StoreResult<Side> {
    match name {
        "staff" => Ok(Side::Staff),
        "client" => Ok(Side::Client),
        other => Err(corrupt("side", format_args!("unknown side `{other}`"))),
    }
}

/// A built-in role from its stored name.
pub(crate) fn builtin_role(name: &str) -> StoreResult<BuiltinRole> {
    BuiltinRole::ALL
        .into_iter()
        .find(|role| role.name() == name)
        .ok_or_else(|| corrupt("builtin", format_args!("unknown built-in role `{name}`")))
}

/// An outbox status from its stored name (written by `chain::outbox_status_name`).
pub(crate) fn outbox_status(name: &str) -> StoreResult<OutboxStatus> {
    [
        OutboxStatus::Pending,
        OutboxStatus::Delivered,
        OutboxStatus::Dead,
    ]
    .into_iter()
    .find(|status| super::chain::outbox_status_name(*status) == name)
    .ok_or_else(|| corrupt("status", format_args!("unknown outbox status `{name}`")))
}

/// An audit outcome from its stored name (written by `chain::audit_outcome_name`).
pub(crate) fn audit_outcome(name: &str) -> StoreResult<AuditOutcome> {
    [
        AuditOutcome::Success,
        AuditOutcome::Failure,
        AuditOutcome::Denied,
    ]
    .into_iter()
    .find(|outcome| super::chain::audit_outcome_name(*outcome) == name)
    .ok_or_else(|| corrupt("outcome", format_args!("unknown audit outcome `{name}`")))
}

/// An audit actor from its JSON form.
pub(crate) fn actor(text: &str) -> StoreResult<Actor> {
    from_json("actor", text)
}

/// An optional IP address from its text form.
pub(crate) fn ip(text: Option<&str>) -> StoreResult<Option<IpAddr>> {
    parsed_opt("ip", text)
}

/// The stored name of a notification's mail state.
pub(crate) const fn mail_state_name(state: MailState) -> &'static str {
    match state {
        MailState::None => "none",
        MailState::Instant => "instant",
        MailState::Digest => "digest",
        MailState::Sent => "sent",
        MailState::Failed => "failed",
    }
}

/// A mail state from its stored name (written by [`mail_state_name`]).
pub(crate) fn mail_state(name: &str) -> StoreResult<MailState> {
    [
        MailState::None,
        MailState::Instant,
        MailState::Digest,
        MailState::Sent,
        MailState::Failed,
    ]
    .into_iter()
    .find(|state| mail_state_name(*state) == name)
    .ok_or_else(|| corrupt("mail_state", format_args!("unknown mail state `{name}`")))
}

/// A webhook delivery status from its stored name (written by `DeliveryStatus::as_str`).
pub(crate) fn delivery_status(name: &str) -> StoreResult<DeliveryStatus> {
    [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Dead,
    ]
    .into_iter()
    .find(|status| status.as_str() == name)
    .ok_or_else(|| corrupt("status", format_args!("unknown delivery status `{name}`")))
}

/// A stored number that must fit a narrower type (a status code, a duration).
pub(crate) fn narrowed<T, N>(column: &'static str, value: N) -> StoreResult<T>
where
    T: TryFrom<N>,
    N: Copy + std::fmt::Display,
{
    T::try_from(value).map_err(|_| corrupt(column, format_args!("{value} is out of range")))
}

#[cfg(test)]
mod tests {
    use portal_core::state::MilestoneStatus;
    use portal_core::{DisplayName, Permission};
    use time::UtcOffset;
    use time::macros::datetime;

    use super::*;

    #[test]
    fn corrupt_values_are_backend_errors_not_panics() {
        assert!(matches!(
            parsed::<DisplayName>("name", "  "),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(
            permissions(r#"["no_such_permission"]"#),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(
            digest("hash", &[1, 2, 3]),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(side("robot"), Err(StoreError::Backend(_))));
        assert!(matches!(
            builtin_role("emperor"),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(
            state::<MilestoneStatus>("status", "nope"),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(outbox_status("lost"), Err(StoreError::Backend(_))));
        assert!(matches!(ip(Some("not an ip")), Err(StoreError::Backend(_))));
        assert!(matches!(mail_state("queued"), Err(StoreError::Backend(_))));
        assert!(matches!(
            delivery_status("lost"),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(
            narrowed::<u16, i32>("last_status", 70_000),
            Err(StoreError::Backend(_))
        ));
        let message = parsed::<DisplayName>("name", "").err().map(|e| {
            std::error::Error::source(&e)
                .map(ToString::to_string)
                .unwrap_or_default()
        });
        assert!(
            message
                .unwrap_or_default()
                .contains("stored name is invalid")
        );
    }

    #[test]
    fn values_round_trip() {
        let set = PermissionSet::from_slice(&[Permission::ViewProjects, Permission::Comment]);
        assert_eq!(permissions(&to_json(&set).unwrap()).unwrap(), set);
        for role in BuiltinRole::ALL {
            assert_eq!(builtin_role(role.name()).unwrap(), role);
        }
        for s in [Side::Staff, Side::Client] {
            assert_eq!(side(side_name(s)).unwrap(), s);
        }
        assert_eq!(
            state::<MilestoneStatus>("status", MilestoneStatus::ALL[0].name()).unwrap(),
            MilestoneStatus::ALL[0]
        );
    }

    #[test]
    fn notification_states_round_trip() {
        for state in [
            MailState::None,
            MailState::Instant,
            MailState::Digest,
            MailState::Sent,
            MailState::Failed,
        ] {
            assert_eq!(mail_state(mail_state_name(state)).unwrap(), state);
        }
        for status in [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Dead,
        ] {
            assert_eq!(delivery_status(status.as_str()).unwrap(), status);
        }
        assert_eq!(narrowed::<u16, i32>("last_status", 503).unwrap(), 503);
    }

    #[test]
    fn stored_times_are_utc_microseconds() {
        let at = datetime!(2026-03-01 12:00:00.123_456_789 +02:00);
        let stored = stored_time(at);
        assert_eq!(stored.offset(), UtcOffset::UTC);
        assert_eq!(stored.nanosecond(), 123_456_000);
        assert_eq!(stored.hour(), 10);
    }
}
