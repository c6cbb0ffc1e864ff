use serde::{Deserialize, Serialize};

use super::state_machine;

/// Where a deliverable stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliverableStatus {
    /// Not started.
    #[default]
    NotStarted,
    /// Being worked on.
    InProgress,
    /// Awaiting the client's approval.
    InReview,
    /// The client approved it.
    Approved,
    /// The client asked for changes.
    ChangesRequested,
    /// Handed over. Final.
    Delivered,
}

state_machine!(DeliverableStatus, "deliverable", {
    NotStarted => "not_started",
    InProgress => "in_progress",
    InReview => "in_review",
    Approved => "approved",
    ChangesRequested => "changes_requested",
    Delivered => "delivered",
}, |from, to| {
    use DeliverableStatus::*;
    matches!(
        (from, to),
        (NotStarted, InProgress)
            | (InProgress, InReview)
            // The approval request was cancelled or expired.
            | (InReview, InProgress)
            | (InReview, Approved)
            | (InReview, ChangesRequested)
            | (ChangesRequested, InProgress)
            // A revised version goes straight back for review.
            | (ChangesRequested, InReview)
            | (Approved, Delivered)
    )
});

#[cfg(test)]
mod tests {
    use super::DeliverableStatus::*;
    use crate::state::StateMachine;
    use crate::state::table::check_all_pairs;

    #[test]
    fn every_deliverable_transition() {
        check_all_pairs(&[
            (NotStarted, InProgress),
            (InProgress, InReview),
            (InReview, InProgress),
            (InReview, Approved),
            (InReview, ChangesRequested),
            (ChangesRequested, InProgress),
            (ChangesRequested, InReview),
            (Approved, Delivered),
        ]);
        assert!(Delivered.is_final());
    }
}
