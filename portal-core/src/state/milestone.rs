use serde::{Deserialize, Serialize};

use super::state_machine;

/// Where a milestone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    /// Not started yet.
    #[default]
    Planned,
    /// Being worked on (also where a reopened milestone goes back to).
    InProgress,
    /// Done.
    Completed,
}

state_machine!(MilestoneStatus, "milestone", {
    Planned => "planned",
    InProgress => "in_progress",
    Completed => "completed",
}, |from, to| {
    use MilestoneStatus::*;
    matches!(
        (from, to),
        (Planned, InProgress) | (InProgress, Completed) | (Completed, InProgress)
    )
});

#[cfg(test)]
mod tests {
    use super::MilestoneStatus::*;
    use crate::state::table::check_all_pairs;

    #[test]
    fn every_milestone_transition() {
        check_all_pairs(&[
            (Planned, InProgress),
            (InProgress, Completed),
            (Completed, InProgress),
        ]);
    }
}
