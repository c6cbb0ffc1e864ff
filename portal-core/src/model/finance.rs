use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::authorize::ResourceFacts;
use crate::id::{ClientId, InvoiceId, ProjectId, TenantId};
use crate::state::InvoiceStatus;
use crate::validate::{HttpsUrl, Money};
use crate::visibility::Visibility;

/// An invoice, fed from the billing system. Visible to a client once issued (not a draft), and
/// only to roles with `view_invoices`; all of it is finance data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    /// The invoice's id.
    pub id: InvoiceId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client billed.
    pub client: ClientId,
    /// The project, if any.
    pub project: Option<ProjectId>,
    /// The invoice number as the billing system prints it.
    pub number: String,
    /// The total.
    pub amount: Money,
    /// Draft, open, paid or void.
    pub status: InvoiceStatus,
    /// The day it was issued.
    pub issued_on: Option<Date>,
    /// The day it is due.
    pub due_on: Option<Date>,
    /// Where the client pays it.
    pub payment_url: Option<HttpsUrl>,
    /// A note for the team only; never sent to a contact.
    pub internal_note: Option<String>,
    /// The billing system's id.
    pub external_id: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

impl Invoice {
    /// Drafts are internal; every other status is visible to the client's finance roles.
    #[must_use]
    pub const fn visibility(&self) -> Visibility {
        match self.status {
            InvoiceStatus::Draft => Visibility::Internal,
            InvoiceStatus::Open | InvoiceStatus::Paid | InvoiceStatus::Void => Visibility::Shared,
        }
    }
}

impl super::Record for Invoice {
    fn facts(&self) -> ResourceFacts {
        ResourceFacts::of_client(self.tenant, self.client, self.visibility()).finance()
    }
}

/// The writable fields of an invoice, as the billing system sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceInput {
    /// The client billed.
    pub client: ClientId,
    /// The project, if any.
    pub project: Option<ProjectId>,
    /// The invoice number.
    pub number: String,
    /// The total.
    pub amount: Money,
    /// The status; moves are checked against the invoice state machine.
    pub status: InvoiceStatus,
    /// The day it was issued.
    pub issued_on: Option<Date>,
    /// The day it is due.
    pub due_on: Option<Date>,
    /// Where the client pays it.
    pub payment_url: Option<HttpsUrl>,
    /// A note for the team only.
    pub internal_note: Option<String>,
    /// The billing system's id.
    pub external_id: Option<String>,
}
