//! State machines with validated transitions.
//!
//! Each status type lists its legal moves in one exhaustive `match`; every other move is an
//! [`InvalidTransition`] that names the machine and both states.

mod approval;
mod deliverable;
mod invoice;
mod milestone;
mod request;
mod task;

pub use approval::{ApprovalOutcome, ApprovalStatus, Sha256Digest, decide_approval};
pub use deliverable::DeliverableStatus;
pub use invoice::{InvoiceState, InvoiceStatus};
pub use milestone::MilestoneStatus;
pub use request::RequestStatus;
pub use task::TaskStatus;

use crate::error::DomainError;

/// A refused state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {machine} cannot move from {from} to {to}")]
pub struct InvalidTransition {
    /// The kind of object, e.g. `milestone`.
    pub machine: &'static str,
    /// The state it is in.
    pub from: &'static str,
    /// The state asked for.
    pub to: &'static str,
}

/// A status type whose changes are validated.
pub trait StateMachine: Copy + Eq + Sized + 'static {
    /// The kind of object, as error messages name it.
    const MACHINE: &'static str;
    /// Every state.
    const ALL: &'static [Self];

    /// The state's stable snake_case name.
    fn name(self) -> &'static str;

    /// Whether moving from `self` to `to` is legal.
    fn can_move_to(self, to: Self) -> bool;

    /// The new state, or the typed error naming both states.
    fn transition(self, to: Self) -> Result<Self, DomainError> {
        if self.can_move_to(to) {
            Ok(to)
        } else {
            Err(InvalidTransition {
                machine: Self::MACHINE,
                from: self.name(),
                to: to.name(),
            }
            .into())
        }
    }

    /// Whether no move leads out of the state.
    fn is_final(self) -> bool {
        !Self::ALL.iter().any(|to| self.can_move_to(*to))
    }
}

/// Implements [`StateMachine`] and the name lookups for a status enum.
macro_rules! state_machine {
    ($ty:ident, $machine:literal, { $($state:ident => $name:literal),+ $(,)? }, $moves:expr) => {
        impl $crate::state::StateMachine for $ty {
            const MACHINE: &'static str = $machine;
            const ALL: &'static [Self] = &[$(Self::$state),+];

            fn name(self) -> &'static str {
                match self { $(Self::$state => $name),+ }
            }

            fn can_move_to(self, to: Self) -> bool {
                let moves: fn(Self, Self) -> bool = $moves;
                moves(self, to)
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::state::StateMachine::name(*self))
            }
        }
    };
}
pub(crate) use state_machine;

#[cfg(test)]
pub(crate) mod table {
    use super::StateMachine;

    /// Checks every pair of states against the list of legal moves: each listed move succeeds,
    /// every other one fails with the right error.
    pub(crate) fn check_all_pairs<S: StateMachine + std::fmt::Debug>(legal: &[(S, S)]) {
        for from in S::ALL {
            for to in S::ALL {
                let expected = legal.contains(&(*from, *to));
                assert_eq!(from.can_move_to(*to), expected, "{from:?} -> {to:?}");
                match from.transition(*to) {
                    Ok(state) => {
                        assert!(expected, "{from:?} -> {to:?} should fail");
                        assert_eq!(state, *to);
                    }
                    Err(err) => {
                        assert!(!expected, "{from:?} -> {to:?} should succeed");
                        let message = err.to_string();
                        assert!(message.contains(S::MACHINE), "{message}");
                        assert!(
                            message.contains(from.name()) && message.contains(to.name()),
                            "{message}"
                        );
                    }
                }
            }
        }
    }
}
