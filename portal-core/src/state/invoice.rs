use serde::{Deserialize, Serialize};
use time::Date;

use super::state_machine;

/// An invoice's stored status. "Overdue" is not stored: it is derived from the due date, see
/// [`InvoiceStatus::state_on`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Being prepared; never shown to the client.
    #[default]
    Draft,
    /// Issued and awaiting payment.
    Open,
    /// Paid. Final.
    Paid,
    /// Cancelled. Final.
    Void,
}

state_machine!(InvoiceStatus, "invoice", {
    Draft => "draft",
    Open => "open",
    Paid => "paid",
    Void => "void",
}, |from, to| {
    use InvoiceStatus::*;
    matches!((from, to), (Draft, Open) | (Open, Paid) | (Open, Void))
});

/// What an invoice shows as on a given day: its status, with overdue derived from the due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceState {
    /// Being prepared.
    Draft,
    /// Awaiting payment, not yet due or due today.
    Open,
    /// Awaiting payment after its due date.
    Overdue,
    /// Paid.
    Paid,
    /// Cancelled.
    Void,
}

impl InvoiceStatus {
    /// The state the invoice shows as on `today`: an open invoice is overdue from the day after its
    /// due date.
    #[must_use]
    pub fn state_on(self, due: Option<Date>, today: Date) -> InvoiceState {
        match self {
            Self::Draft => InvoiceState::Draft,
            Self::Open if due.is_some_and(|due| today > due) => InvoiceState::Overdue,
            Self::Open => InvoiceState::Open,
            Self::Paid => InvoiceState::Paid,
            Self::Void => InvoiceState::Void,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::InvoiceStatus::*;
    use super::*;
    use crate::state::table::check_all_pairs;

    #[test]
    fn every_invoice_transition() {
        check_all_pairs(&[(Draft, Open), (Open, Paid), (Open, Void)]);
    }

    #[test]
    fn overdue_is_derived_from_the_due_date() {
        let due = Some(date!(2026 - 03 - 31));
        assert_eq!(
            Open.state_on(due, date!(2026 - 03 - 31)),
            InvoiceState::Open
        );
        assert_eq!(
            Open.state_on(due, date!(2026 - 04 - 01)),
            InvoiceState::Overdue
        );
        assert_eq!(
            Open.state_on(None, date!(2030 - 01 - 01)),
            InvoiceState::Open
        );
        assert_eq!(
            Paid.state_on(due, date!(2026 - 05 - 01)),
            InvoiceState::Paid
        );
        assert_eq!(
            Void.state_on(due, date!(2026 - 05 - 01)),
            InvoiceState::Void
        );
        assert_eq!(
            Draft.state_on(due, date!(2026 - 05 - 01)),
            InvoiceState::Draft
        );
    }
}
