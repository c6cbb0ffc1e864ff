use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{DeliverableStatus, StateMachine, state_machine};
use crate::error::{DomainError, Invalid};

/// Where a sign-off request stands. Every state but `Pending` is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// Awaiting the client's decision.
    #[default]
    Pending,
    /// The client approved the exact version.
    Approved,
    /// The client asked for changes.
    ChangesRequested,
    /// The team withdrew the request.
    Cancelled,
    /// The request passed its deadline undecided.
    Expired,
}

state_machine!(ApprovalStatus, "approval", {
    Pending => "pending",
    Approved => "approved",
    ChangesRequested => "changes_requested",
    Cancelled => "cancelled",
    Expired => "expired",
}, |from, to| {
    use ApprovalStatus::*;
    matches!(
        (from, to),
        (Pending, Approved) | (Pending, ChangesRequested) | (Pending, Cancelled) | (Pending, Expired)
    )
});

/// What a client decides on an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalOutcome {
    /// Sign-off.
    Approved,
    /// Changes are needed.
    ChangesRequested,
}

impl ApprovalOutcome {
    /// The approval's status after the decision.
    #[must_use]
    pub const fn status(self) -> ApprovalStatus {
        match self {
            Self::Approved => ApprovalStatus::Approved,
            Self::ChangesRequested => ApprovalStatus::ChangesRequested,
        }
    }

    /// The deliverable's status after the decision.
    #[must_use]
    pub const fn deliverable_status(self) -> DeliverableStatus {
        match self {
            Self::Approved => DeliverableStatus::Approved,
            Self::ChangesRequested => DeliverableStatus::ChangesRequested,
        }
    }
}

/// A SHA-256 digest: what binds an approval to one exact document version.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    /// Wraps the 32 bytes of a digest.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The SHA-256 of `data`.
    #[must_use]
    pub fn of(data: &[u8]) -> Self {
        use sha2::Digest as _;
        Self(sha2::Sha256::digest(data).into())
    }

    /// The digest's bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses 64 hexadecimal digits (either case).
    pub fn parse_hex(input: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "sha256";
        let input = input.trim().as_bytes();
        if input.len() != 64 {
            return Err(DomainError::validation(
                FIELD,
                Invalid::Malformed("must be 64 hexadecimal digits"),
            ));
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(input.chunks_exact(2)) {
            let digit = |c: u8| {
                (c as char).to_digit(16).ok_or(DomainError::validation(
                    FIELD,
                    Invalid::Malformed("must be 64 hexadecimal digits"),
                ))
            };
            let high = digit(pair[0])?;
            let low = digit(pair[1])?;
            *byte = u8::try_from(high * 16 + low)
                .map_err(|_| DomainError::validation(FIELD, Invalid::OutOfRange))?;
        }
        Ok(Self(bytes))
    }

    /// The lowercase hexadecimal form.
    #[must_use]
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({self})")
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sha256Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// Decides a pending approval. The decision must name the SHA-256 of the exact version the
/// approval was requested on, so nobody signs off on a file that changed under them.
///
/// Returns the approval's new status; the deliverable's follows from
/// [`ApprovalOutcome::deliverable_status`].
pub fn decide_approval(
    status: ApprovalStatus,
    bound_to: &Sha256Digest,
    presented: &Sha256Digest,
    outcome: ApprovalOutcome,
) -> Result<ApprovalStatus, DomainError> {
    let next = status.transition(outcome.status())?;
    if bound_to != presented {
        return Err(DomainError::VersionMismatch {
            expected: bound_to.to_hex(),
            presented: presented.to_hex(),
        });
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::ApprovalStatus::*;
    use super::*;
    use crate::state::table::check_all_pairs;

    #[test]
    fn every_approval_transition() {
        check_all_pairs(&[
            (Pending, Approved),
            (Pending, ChangesRequested),
            (Pending, Cancelled),
            (Pending, Expired),
        ]);
        for state in [Approved, ChangesRequested, Cancelled, Expired] {
            assert!(state.is_final(), "{state}");
        }
    }

    #[test]
    fn a_decision_is_bound_to_the_exact_version() {
        let version = Sha256Digest::from_bytes([7; 32]);
        let other = Sha256Digest::from_bytes([8; 32]);
        assert_eq!(
            decide_approval(Pending, &version, &version, ApprovalOutcome::Approved).unwrap(),
            Approved
        );
        let err =
            decide_approval(Pending, &version, &other, ApprovalOutcome::Approved).unwrap_err();
        assert!(matches!(err, DomainError::VersionMismatch { .. }), "{err}");
    }

    #[test]
    fn a_decided_approval_cannot_be_decided_again() {
        let version = Sha256Digest::from_bytes([1; 32]);
        let err = decide_approval(
            Approved,
            &version,
            &version,
            ApprovalOutcome::ChangesRequested,
        )
        .unwrap_err();
        assert!(matches!(err, DomainError::InvalidTransition(_)), "{err}");
    }

    #[test]
    fn outcomes_move_the_deliverable() {
        assert_eq!(
            ApprovalOutcome::Approved.deliverable_status(),
            DeliverableStatus::Approved
        );
        assert_eq!(
            ApprovalOutcome::ChangesRequested.deliverable_status(),
            DeliverableStatus::ChangesRequested
        );
    }

    #[test]
    fn digests_round_trip_as_hex() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let digest = Sha256Digest::parse_hex(&hex.to_uppercase()).unwrap();
        assert_eq!(digest.to_hex(), hex);
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(serde_json::from_str::<Sha256Digest>(&json).unwrap(), digest);
        for bad in ["", "abc", &"g".repeat(64), &"é".repeat(32)] {
            assert_eq!(
                Sha256Digest::parse_hex(bad).unwrap_err().field(),
                Some("sha256"),
                "{bad}"
            );
        }
    }
}
