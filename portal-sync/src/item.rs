//! The items of a sync: one object to create or update each, found by its external id.

use portal_core::model::ProjectStatus;
use portal_core::state::InvoiceStatus;
use portal_core::{ClientId, MilestoneId, ProjectId};
use serde::Deserialize;

use crate::SyncError;
use crate::fields::{MoneyBody, nullable};

/// Declares the one-value `kind` of an item type, so each item's schema names its kind.
macro_rules! kind {
    ($name:ident, $variant:ident, $text:literal) => {
        #[doc = concat!("`", $text, "`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            #[doc = concat!("`", $text, "`.")]
            $variant,
        }
    };
}

kind!(ClientKind, Client, "client");
kind!(ProjectKind, Project, "project");
kind!(MilestoneKind, Milestone, "milestone");
kind!(DeliverableKind, Deliverable, "deliverable");
kind!(InvoiceKind, Invoice, "invoice");

/// One object to create or update, found by its `external_id` (the feeding system's id) and
/// told apart by its `kind`. Its fields replace the stored ones — an absent optional field is
/// cleared — except where a field says otherwise. A parent is named by its external id (of an
/// earlier item of the batch or of an object stored before) or by its portal id. Finding a stored
/// parent by external id is reading it (`view_projects` for a project, `view_milestones` for a
/// milestone); one the caller cannot see fails the item exactly as a missing one does.
// Read through `parse`, which dispatches on `kind` and names it in its errors; the untagged
// form is for the schema (one of the item types, each with its own `kind`). Serde's tagged
// enums would either let unknown fields through or describe a schema no item could satisfy.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum SyncItem {
    /// A client (`manage_clients`). Its per-client branding is the portal's and stays as it is.
    Client(ClientItem),
    /// A project (`manage_projects` in its client); new ones are internal until published.
    Project(ProjectItem),
    /// A milestone (`manage_milestones`); new ones are internal and planned.
    Milestone(MilestoneItem),
    /// A deliverable (`manage_deliverables`); new ones are internal and not started.
    Deliverable(DeliverableItem),
    /// An invoice (`manage_invoices`); a status change must be a legal move.
    Invoice(InvoiceItem),
}

impl SyncItem {
    /// The item's kind as the JSON spells it: `client`, `project`, `milestone`, `deliverable` or
    /// `invoice`.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Client(_) => "client",
            Self::Project(_) => "project",
            Self::Milestone(_) => "milestone",
            Self::Deliverable(_) => "deliverable",
            Self::Invoice(_) => "invoice",
        }
    }

    /// The feeding system's id of the item, as given.
    #[must_use]
    pub fn external_id(&self) -> &str {
        match self {
            Self::Client(item) => &item.external_id,
            Self::Project(item) => &item.external_id,
            Self::Milestone(item) => &item.external_id,
            Self::Deliverable(item) => &item.external_id,
            Self::Invoice(item) => &item.external_id,
        }
    }

    /// The item of this JSON object, by its `kind`; unknown fields are refused (SEC-28).
    pub fn parse(value: serde_json::Value) -> Result<Self, SyncError> {
        fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, SyncError> {
            serde_json::from_value(value).map_err(|error| SyncError::Malformed {
                message: error.to_string(),
            })
        }
        match value.get("kind").and_then(serde_json::Value::as_str) {
            Some("client") => typed(value).map(Self::Client),
            Some("project") => typed(value).map(Self::Project),
            Some("milestone") => typed(value).map(Self::Milestone),
            Some("deliverable") => typed(value).map(Self::Deliverable),
            Some("invoice") => typed(value).map(Self::Invoice),
            Some(_) | None => Err(SyncError::invalid(
                "kind",
                "kind must be one of client, project, milestone, deliverable, invoice",
            )),
        }
    }
}

/// A client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClientItem {
    /// What it is.
    pub kind: ClientKind,
    /// The feeding system's id.
    pub external_id: String,
    /// Its name.
    pub name: String,
}

/// Planned start and end days.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncSchedule {
    /// The first day, `YYYY-MM-DD`.
    pub start: String,
    /// The last day, not before `start`.
    pub end: String,
}

/// A project.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectItem {
    /// What it is.
    pub kind: ProjectKind,
    /// The feeding system's id.
    pub external_id: String,
    /// The client's external id (or give `client_id`); fixed once created.
    pub client_external_id: Option<String>,
    /// The client's portal id (or give `client_external_id`).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub client_id: Option<ClientId>,
    /// Its name.
    pub name: String,
    /// A longer description.
    #[serde(default)]
    pub description: String,
    /// `active` (default), `on_hold`, `completed` or `archived`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub status: Option<ProjectStatus>,
    /// Planned start and end.
    pub schedule: Option<SyncSchedule>,
    /// The budget (needs `view_financials`): absent keeps the stored one, `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<MoneyBody>))]
    pub budget: Option<Option<MoneyBody>>,
}

/// A milestone.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MilestoneItem {
    /// What it is.
    pub kind: MilestoneKind,
    /// The feeding system's id.
    pub external_id: String,
    /// The project's external id, of an earlier item of this batch or of a project stored
    /// before (or give `project_id`); fixed once created.
    pub project_external_id: Option<String>,
    /// The project's portal id (or give `project_external_id`).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub project_id: Option<ProjectId>,
    /// Its title.
    pub title: String,
    /// When it is due, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Its place in the project's order (default 0).
    #[serde(default)]
    pub position: i32,
}

/// A deliverable.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliverableItem {
    /// What it is.
    pub kind: DeliverableKind,
    /// The feeding system's id.
    pub external_id: String,
    /// The milestone's external id, of an earlier item of this batch or of a milestone stored
    /// before (or give `milestone_id`); fixed once created.
    pub milestone_external_id: Option<String>,
    /// The milestone's portal id (or give `milestone_external_id`).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub milestone_id: Option<MilestoneId>,
    /// Its title.
    pub title: String,
    /// When it is due, `YYYY-MM-DD`.
    pub due_on: Option<String>,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoiceItem {
    /// What it is.
    pub kind: InvoiceKind,
    /// The billing system's id.
    pub external_id: String,
    /// The client's external id (or give `client_id`).
    pub client_external_id: Option<String>,
    /// The client's portal id (or give `client_external_id`).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub client_id: Option<ClientId>,
    /// The project's external id, if the invoice is for one (or give `project_id`).
    pub project_external_id: Option<String>,
    /// The project's portal id (or give `project_external_id`).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub project_id: Option<ProjectId>,
    /// The number as printed.
    pub number: String,
    /// The total.
    pub amount: MoneyBody,
    /// `draft` (default), `open`, `paid` or `void`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub status: Option<InvoiceStatus>,
    /// The day it was issued, `YYYY-MM-DD`.
    pub issued_on: Option<String>,
    /// The day it is due, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Where the client pays it (https).
    pub payment_url: Option<String>,
    /// A note for the team only; never shown to the client.
    pub internal_note: Option<String>,
}
