use serde::{Deserialize, Serialize};

use super::state_machine;

/// Whether a next step is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Still to do.
    #[default]
    Open,
    /// Done (can be reopened).
    Done,
}

state_machine!(TaskStatus, "task", {
    Open => "open",
    Done => "done",
}, |from, to| matches!((from, to), (TaskStatus::Open, TaskStatus::Done) | (TaskStatus::Done, TaskStatus::Open)));

#[cfg(test)]
mod tests {
    use super::TaskStatus::*;
    use crate::state::table::check_all_pairs;

    #[test]
    fn every_task_transition() {
        check_all_pairs(&[(Open, Done), (Done, Open)]);
    }
}
