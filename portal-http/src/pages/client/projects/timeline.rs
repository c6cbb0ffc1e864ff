//! A project's milestones as a timeline: what is done, what is in progress, which one comes next
//! and which come later — each with its due day, how far off it is, and whether it is late.

use portal_core::state::MilestoneStatus;
use time::Date;

/// Where a milestone stands on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Completed.
    Done,
    /// Being worked on.
    InProgress,
    /// The first planned milestone: what happens next.
    Next,
    /// Planned after the next one.
    Later,
}

impl Stage {
    /// The catalogue id of the stage's label.
    pub(crate) const fn message(self) -> &'static str {
        match self {
            Self::Done => "projects-stage-done",
            Self::InProgress => "projects-stage-in-progress",
            Self::Next => "projects-stage-next",
            Self::Later => "projects-stage-later",
        }
    }

    /// The stage as the stylesheet names it (`timeline__item--done`, …).
    pub(crate) const fn class(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::InProgress => "in-progress",
            Self::Next => "next",
            Self::Later => "later",
        }
    }
}

/// The stages of milestones given in the project's order: the first planned one is next.
pub(crate) fn stages(statuses: &[MilestoneStatus]) -> Vec<Stage> {
    let mut next_taken = false;
    statuses
        .iter()
        .map(|status| match status {
            MilestoneStatus::Completed => Stage::Done,
            MilestoneStatus::InProgress => Stage::InProgress,
            MilestoneStatus::Planned if next_taken => Stage::Later,
            MilestoneStatus::Planned => {
                next_taken = true;
                Stage::Next
            }
        })
        .collect()
}

/// How a due day relates to today, for something not yet done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    /// Due today.
    Today,
    /// Due in this many days.
    InDays(i64),
    /// This many days late.
    LateBy(i64),
}

impl Due {
    /// How `due` relates to `today`.
    pub(crate) fn of(due: Date, today: Date) -> Self {
        let days = (due - today).whole_days();
        match days {
            0 => Self::Today,
            days if days > 0 => Self::InDays(days),
            days => Self::LateBy(-days),
        }
    }

    /// Whether it is late.
    pub(crate) const fn is_late(self) -> bool {
        matches!(self, Self::LateBy(_))
    }

    /// The catalogue id and the day count of its wording.
    pub(crate) const fn message(self) -> (&'static str, i64) {
        match self {
            Self::Today => ("projects-due-today", 0),
            Self::InDays(days) => ("projects-due-in", days),
            Self::LateBy(days) => ("projects-late-by", days),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use MilestoneStatus::{Completed, InProgress, Planned};

    #[test]
    fn the_first_planned_milestone_is_next() {
        assert_eq!(
            stages(&[Completed, InProgress, Planned, Planned, Completed]),
            [
                Stage::Done,
                Stage::InProgress,
                Stage::Next,
                Stage::Later,
                Stage::Done
            ]
        );
        assert_eq!(stages(&[Planned]), [Stage::Next]);
        assert!(stages(&[]).is_empty());
    }

    #[test]
    fn due_days_count_from_today() {
        let today = date!(2026 - 03 - 10);
        assert_eq!(Due::of(today, today), Due::Today);
        assert_eq!(Due::of(date!(2026 - 03 - 15), today), Due::InDays(5));
        assert_eq!(Due::of(date!(2026 - 03 - 08), today), Due::LateBy(2));
        assert!(Due::of(date!(2026 - 03 - 09), today).is_late());
        assert!(!Due::of(today, today).is_late());
        assert_eq!(Due::InDays(3).message(), ("projects-due-in", 3));
    }
}
