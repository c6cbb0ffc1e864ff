//! One invoice as the pages show it, made from the API's view of it for the viewer.

use portal_core::state::InvoiceState;
use serde::Serialize;

use crate::api::invoices::InvoiceView;
use crate::pages::catalogue::CatalogueError;
use crate::pages::format::Formatter;

/// An invoice for a template.
#[derive(Debug, Serialize)]
pub(crate) struct InvoiceRow {
    /// Its page.
    pub(crate) href: String,
    /// Its number.
    pub(crate) number: String,
    /// The day it was issued.
    pub(crate) issued: Option<String>,
    /// The day it is due.
    pub(crate) due: Option<String>,
    /// Open past its due day.
    pub(crate) overdue: bool,
    /// Still to be paid (open or overdue).
    pub(crate) unpaid: bool,
    /// The total, in the page's language.
    pub(crate) amount: String,
    /// The catalogue id of its state.
    pub(crate) state_message: &'static str,
    /// Where to pay it, for those who may.
    pub(crate) pay_url: Option<String>,
}

impl InvoiceRow {
    /// `invoice` in the page's language; its page lies under `base`. The payment link shows
    /// when the viewer `may_pay` (`pay_invoices` in its client: the API also gives it to the
    /// team, who have no use for a "Pay" button).
    pub(crate) fn new(
        formatter: &Formatter<'_>,
        base: &str,
        invoice: InvoiceView,
        may_pay: bool,
    ) -> Result<Self, CatalogueError> {
        Ok(Self {
            href: format!("{base}/invoices/{}", invoice.id),
            issued: formatter.day(invoice.issued_on)?,
            due: formatter.day(invoice.due_on)?,
            overdue: invoice.state == InvoiceState::Overdue,
            unpaid: matches!(invoice.state, InvoiceState::Open | InvoiceState::Overdue),
            amount: formatter.money(invoice.amount.amount_minor, invoice.amount.currency),
            state_message: state_message(invoice.state),
            // Paying is for what is still owed.
            pay_url: invoice.payment_url.filter(|_| {
                may_pay && matches!(invoice.state, InvoiceState::Open | InvoiceState::Overdue)
            }),
            number: invoice.number,
        })
    }
}

/// The catalogue id of an invoice's state.
pub(crate) const fn state_message(state: InvoiceState) -> &'static str {
    match state {
        InvoiceState::Draft => "invoice-state-draft",
        InvoiceState::Open => "invoice-state-open",
        InvoiceState::Overdue => "invoice-state-overdue",
        InvoiceState::Paid => "invoice-state-paid",
        InvoiceState::Void => "invoice-state-void",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::catalogue::Catalogue;
    use crate::pages::locale::Locale;

    #[test]
    fn every_state_has_its_message_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        for state in [
            InvoiceState::Draft,
            InvoiceState::Open,
            InvoiceState::Overdue,
            InvoiceState::Paid,
            InvoiceState::Void,
        ] {
            for locale in Locale::ALL {
                catalogue.text(locale, state_message(state), None).unwrap();
            }
        }
    }
}
