use serde::{Deserialize, Serialize};

use super::state_machine;

/// Where a client's request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Submitted, not yet picked up.
    #[default]
    Open,
    /// The team is working on it.
    InProgress,
    /// Done; reopens if the client follows up.
    Resolved,
    /// Closed without (further) work: declined, duplicate or withdrawn. Final.
    Closed,
}

state_machine!(RequestStatus, "request", {
    Open => "open",
    InProgress => "in_progress",
    Resolved => "resolved",
    Closed => "closed",
}, |from, to| {
    use RequestStatus::*;
    matches!(
        (from, to),
        (Open, InProgress)
            | (Open, Resolved)
            | (Open, Closed)
            | (InProgress, Resolved)
            | (InProgress, Closed)
            | (Resolved, Open)
    )
});

#[cfg(test)]
mod tests {
    use super::RequestStatus::*;
    use crate::state::StateMachine;
    use crate::state::table::check_all_pairs;

    #[test]
    fn every_request_transition() {
        check_all_pairs(&[
            (Open, InProgress),
            (Open, Resolved),
            (Open, Closed),
            (InProgress, Resolved),
            (InProgress, Closed),
            (Resolved, Open),
        ]);
        assert!(Closed.is_final());
        assert!(!Resolved.is_final());
    }
}
