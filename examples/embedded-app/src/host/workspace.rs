//! Harbour's own data: the workspace's customers, projects with their milestones, and the
//! invoices its billing module sent. This is what the portal is fed from (see
//! [`integration::feed`](crate::integration::feed)); Harbour's ids become the portal's external
//! ids.

use time::{Date, Duration};

/// A customer of the workspace: a client in the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Harbour's id, e.g. `cust-acme`.
    pub id: String,
    /// The name.
    pub name: String,
}

/// Where a milestone stands in Harbour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Not started.
    Todo,
    /// Being worked on.
    Doing,
    /// Finished.
    Done,
}

/// A milestone of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostMilestone {
    /// Harbour's id.
    pub id: String,
    /// The title.
    pub title: String,
    /// When it is due.
    pub due_on: Option<Date>,
    /// Where it stands.
    pub stage: Stage,
    /// Whether the customer may see it.
    pub shared: bool,
}

/// A project for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostProject {
    /// Harbour's id.
    pub id: String,
    /// The customer's id.
    pub customer: String,
    /// The name.
    pub name: String,
    /// What it is about.
    pub description: String,
    /// Whether the customer may see it.
    pub shared: bool,
    /// Its milestones, in order.
    pub milestones: Vec<HostMilestone>,
}

/// Where an invoice stands in Harbour's billing module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceState {
    /// Being prepared.
    Draft,
    /// Sent to the customer.
    Sent,
    /// Paid.
    Paid,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInvoice {
    /// Harbour's id.
    pub id: String,
    /// The customer billed.
    pub customer: String,
    /// The project, if the invoice is for one.
    pub project: Option<String>,
    /// The number as printed.
    pub number: String,
    /// The total in the currency's minor unit (cents).
    pub amount_minor: i64,
    /// The ISO 4217 code.
    pub currency: String,
    /// Where it stands.
    pub state: InvoiceState,
    /// When it was sent.
    pub issued_on: Option<Date>,
    /// When it is due.
    pub due_on: Option<Date>,
}

/// One Harbour workspace: the business that runs it, and its work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The business's name, which the portal shows as its brand.
    pub name: String,
    /// Its customers.
    pub customers: Vec<Customer>,
    /// Its projects.
    pub projects: Vec<HostProject>,
    /// Its invoices.
    pub invoices: Vec<HostInvoice>,
}

impl Workspace {
    /// The demo workspace, with dates around `today`: Brightwater Studio, with Acme Corp (a
    /// shared website project and an internal pitch) and Globex (a shared launch project).
    #[must_use]
    pub fn demo(today: Date) -> Self {
        let day = |offset: i64| Some(today.saturating_add(Duration::days(offset)));
        let milestone = |id: &str, title: &str, due: i64, stage, shared| HostMilestone {
            id: id.to_owned(),
            title: title.to_owned(),
            due_on: day(due),
            stage,
            shared,
        };
        let customer = |id: &str, name: &str| Customer {
            id: id.to_owned(),
            name: name.to_owned(),
        };
        Self {
            name: "Brightwater Studio".to_owned(),
            customers: vec![
                customer("cust-acme", "Acme Corp"),
                customer("cust-globex", "Globex"),
            ],
            projects: vec![
                HostProject {
                    id: "prj-101".to_owned(),
                    customer: "cust-acme".to_owned(),
                    name: "Acme website relaunch".to_owned(),
                    description: "New site, new design system, same domain.".to_owned(),
                    shared: true,
                    milestones: vec![
                        milestone("ms-1011", "Discovery", -20, Stage::Done, true),
                        milestone("ms-1012", "Design system", 10, Stage::Doing, true),
                        milestone("ms-1013", "Launch", 40, Stage::Todo, true),
                        milestone("ms-1014", "Hosting cost review", 5, Stage::Doing, false),
                    ],
                },
                HostProject {
                    id: "prj-102".to_owned(),
                    customer: "cust-acme".to_owned(),
                    name: "Acme intranet pitch".to_owned(),
                    description: "Not yet offered to Acme.".to_owned(),
                    shared: false,
                    milestones: vec![milestone(
                        "ms-1021",
                        "Draft the offer",
                        7,
                        Stage::Doing,
                        false,
                    )],
                },
                HostProject {
                    id: "prj-201".to_owned(),
                    customer: "cust-globex".to_owned(),
                    name: "Globex product launch".to_owned(),
                    description: "Campaign site and launch assets.".to_owned(),
                    shared: true,
                    milestones: vec![
                        milestone("ms-2011", "Campaign concept", -5, Stage::Done, true),
                        milestone("ms-2012", "Launch assets", 21, Stage::Todo, true),
                    ],
                },
            ],
            invoices: vec![
                HostInvoice {
                    id: "inv-3001".to_owned(),
                    customer: "cust-acme".to_owned(),
                    project: Some("prj-101".to_owned()),
                    number: "BW-3001".to_owned(),
                    amount_minor: 480_000,
                    currency: "EUR".to_owned(),
                    state: InvoiceState::Paid,
                    issued_on: day(-30),
                    due_on: day(-16),
                },
                HostInvoice {
                    id: "inv-3002".to_owned(),
                    customer: "cust-acme".to_owned(),
                    project: Some("prj-101".to_owned()),
                    number: "BW-3002".to_owned(),
                    amount_minor: 620_000,
                    currency: "EUR".to_owned(),
                    state: InvoiceState::Sent,
                    issued_on: day(-3),
                    due_on: day(11),
                },
                HostInvoice {
                    id: "inv-3003".to_owned(),
                    customer: "cust-acme".to_owned(),
                    project: Some("prj-101".to_owned()),
                    number: "BW-3003".to_owned(),
                    amount_minor: 150_000,
                    currency: "EUR".to_owned(),
                    state: InvoiceState::Draft,
                    issued_on: None,
                    due_on: None,
                },
                HostInvoice {
                    id: "inv-3004".to_owned(),
                    customer: "cust-globex".to_owned(),
                    project: Some("prj-201".to_owned()),
                    number: "BW-3004".to_owned(),
                    amount_minor: 900_000,
                    currency: "USD".to_owned(),
                    state: InvoiceState::Sent,
                    issued_on: day(-1),
                    due_on: day(29),
                },
            ],
        }
    }

    /// The customer with this id.
    #[must_use]
    pub fn customer(&self, id: &str) -> Option<&Customer> {
        self.customers.iter().find(|customer| customer.id == id)
    }
}
