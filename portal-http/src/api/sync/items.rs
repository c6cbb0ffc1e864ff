//! The items of a sync batch and how each is applied: validated into a core input, its parent
//! found by external id (or portal id), then upserted through its store by the caller's scope.

use std::collections::HashMap;

use portal_core::model::{
    AuditContext, Client, ClientInput, DeliverableInput, InvoiceInput, MilestoneInput, Project,
    ProjectInput, ProjectStatus,
};
use portal_core::state::InvoiceStatus;
use portal_core::{ClientId, DateRange, MilestoneId, Money, Permission, ProjectId, TenantScope};
use serde::Deserialize;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::staff::{MoneyBody, bounded, date, display_name, https_url, non_blank, nullable};
use crate::error::ApiError;
use crate::state::PortalState;

/// The most characters of an external id.
const MAX_EXTERNAL_ID_CHARS: usize = 255;
/// The most characters of a description.
const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// The most characters of an invoice number.
const MAX_NUMBER_CHARS: usize = 100;
/// The most characters of an invoice's internal note.
const MAX_NOTE_CHARS: usize = 5_000;

/// Declares the one-value `kind` of an item type, so each item's schema names its kind.
macro_rules! kind {
    ($name:ident, $variant:ident, $text:literal) => {
        #[doc = concat!("`", $text, "`.")]
        #[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
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
#[derive(Debug, Deserialize, ToSchema)]
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
    /// The item of this JSON object, by its `kind`; unknown fields are refused (SEC-28).
    pub(super) fn parse(value: serde_json::Value) -> Result<Self, ApiError> {
        fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
            serde_json::from_value(value).map_err(|error| ApiError::Invalid {
                message: error.to_string(),
                fields: Vec::new(),
                reason: None,
            })
        }
        match value.get("kind").and_then(serde_json::Value::as_str) {
            Some("client") => typed(value).map(Self::Client),
            Some("project") => typed(value).map(Self::Project),
            Some("milestone") => typed(value).map(Self::Milestone),
            Some("deliverable") => typed(value).map(Self::Deliverable),
            Some("invoice") => typed(value).map(Self::Invoice),
            Some(_) | None => Err(ApiError::invalid(
                "kind",
                "kind must be one of client, project, milestone, deliverable, invoice",
            )),
        }
    }
}

/// A client.
#[derive(Debug, Deserialize, ToSchema)]
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
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncSchedule {
    /// The first day, `YYYY-MM-DD`.
    pub start: String,
    /// The last day, not before `start`.
    pub end: String,
}

/// A project.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectItem {
    /// What it is.
    pub kind: ProjectKind,
    /// The feeding system's id.
    pub external_id: String,
    /// The client's external id (or give `client_id`); fixed once created.
    pub client_external_id: Option<String>,
    /// The client's portal id (or give `client_external_id`).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<ClientId>,
    /// Its name.
    pub name: String,
    /// A longer description.
    #[serde(default)]
    pub description: String,
    /// `active` (default), `on_hold`, `completed` or `archived`.
    #[schema(value_type = Option<String>)]
    pub status: Option<ProjectStatus>,
    /// Planned start and end.
    pub schedule: Option<SyncSchedule>,
    /// The budget (needs `view_financials`): absent keeps the stored one, `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<MoneyBody>)]
    pub budget: Option<Option<MoneyBody>>,
}

/// A milestone.
#[derive(Debug, Deserialize, ToSchema)]
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
    #[schema(value_type = Option<String>, format = Uuid)]
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
#[derive(Debug, Deserialize, ToSchema)]
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
    #[schema(value_type = Option<String>, format = Uuid)]
    pub milestone_id: Option<MilestoneId>,
    /// Its title.
    pub title: String,
    /// When it is due, `YYYY-MM-DD`.
    pub due_on: Option<String>,
}

/// An invoice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceItem {
    /// What it is.
    pub kind: InvoiceKind,
    /// The billing system's id.
    pub external_id: String,
    /// The client's external id (or give `client_id`).
    pub client_external_id: Option<String>,
    /// The client's portal id (or give `client_external_id`).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<ClientId>,
    /// The project's external id, if the invoice is for one (or give `project_id`).
    pub project_external_id: Option<String>,
    /// The project's portal id (or give `project_external_id`).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub project_id: Option<ProjectId>,
    /// The number as printed.
    pub number: String,
    /// The total.
    pub amount: MoneyBody,
    /// `draft` (default), `open`, `paid` or `void`.
    #[schema(value_type = Option<String>)]
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

/// An item applied: the stored object's id and whether it is new.
#[derive(Debug, Clone, Copy)]
pub(super) struct Applied {
    /// The portal id.
    pub id: Uuid,
    /// Created (`true`) or found and updated (`false`).
    pub created: bool,
}

impl Applied {
    fn new(id: &Uuid, created: bool) -> Self {
        Self { id: *id, created }
    }
}

/// A parent named either way.
enum ParentRef<T> {
    External(String),
    Id(T),
}

/// The parent an item names: exactly one of the two fields (`None` when neither is given).
fn parent<T>(
    external_field: &'static str,
    external: Option<String>,
    id_field: &'static str,
    id: Option<T>,
) -> Result<Option<ParentRef<T>>, ApiError> {
    match (non_blank(external), id) {
        (Some(_), Some(_)) => Err(ApiError::Invalid {
            message: format!("give either {external_field} or {id_field}, not both"),
            fields: vec![external_field.to_owned(), id_field.to_owned()],
            reason: None,
        }),
        (Some(external), None) => Ok(Some(ParentRef::External(external))),
        (None, Some(id)) => Ok(Some(ParentRef::Id(id))),
        (None, None) => Ok(None),
    }
}

/// A parent that must be named.
fn required<T>(
    external_field: &'static str,
    parent: Option<ParentRef<T>>,
) -> Result<ParentRef<T>, ApiError> {
    parent.ok_or_else(|| ApiError::invalid(external_field, format!("{external_field} is required")))
}

/// An item's own external id: trimmed, not blank, at most 255 characters.
fn external_id(text: &str) -> Result<String, ApiError> {
    let text = non_blank(Some(text.to_owned())).ok_or_else(|| {
        ApiError::invalid("external_id", "invalid external_id: must not be empty")
    })?;
    bounded("external_id", &text, MAX_EXTERNAL_ID_CHARS)?;
    Ok(text)
}

/// An optional day.
fn day(field: &'static str, text: Option<String>) -> Result<Option<Date>, ApiError> {
    non_blank(text).map(|text| date(field, &text)).transpose()
}

/// One batch being applied: the caller, and the objects it named by external id so far — each
/// looked up once (found or not) and replaced as the batch upserts it. A lookup answers as the
/// read by portal id: another tenant's, another client's or a hidden object is missing, and one
/// the scope sees without the permission to read it is `forbidden`.
pub(super) struct Batch<'a> {
    state: &'a PortalState,
    scope: &'a TenantScope,
    audit: AuditContext,
    clients: HashMap<String, Option<Client>>,
    projects: HashMap<String, Option<Project>>,
    milestones: HashMap<String, Option<MilestoneId>>,
}

impl<'a> Batch<'a> {
    /// A batch by `scope`, audited with `audit`.
    pub(super) fn new(state: &'a PortalState, scope: &'a TenantScope, audit: AuditContext) -> Self {
        Self {
            state,
            scope,
            audit,
            clients: HashMap::new(),
            projects: HashMap::new(),
            milestones: HashMap::new(),
        }
    }

    /// Applies one item.
    pub(super) async fn apply(&mut self, item: SyncItem) -> Result<Applied, ApiError> {
        match item {
            SyncItem::Client(item) => self.client(item).await,
            SyncItem::Project(item) => self.project(item).await,
            SyncItem::Milestone(item) => self.milestone(item).await,
            SyncItem::Deliverable(item) => self.deliverable(item).await,
            SyncItem::Invoice(item) => self.invoice(item).await,
        }
    }

    /// The client with this external id that the scope reaches, if any.
    async fn known_client(&mut self, external_id: &str) -> Result<Option<Client>, ApiError> {
        if let Some(known) = self.clients.get(external_id) {
            return Ok(known.clone());
        }
        let found = self
            .state
            .stores()
            .clients
            .client_by_external_id(self.scope, external_id)
            .await?;
        self.clients.insert(external_id.to_owned(), found.clone());
        Ok(found)
    }

    /// The project with this external id that the scope sees, if any (`view_projects`).
    async fn known_project(&mut self, external_id: &str) -> Result<Option<Project>, ApiError> {
        if let Some(known) = self.projects.get(external_id) {
            return Ok(known.clone());
        }
        let found = self
            .state
            .stores()
            .projects
            .project_by_external_id(self.scope, external_id)
            .await?;
        self.projects.insert(external_id.to_owned(), found.clone());
        Ok(found)
    }

    /// The id of the milestone with this external id that the scope sees, if any
    /// (`view_milestones`).
    async fn known_milestone(
        &mut self,
        external_id: &str,
    ) -> Result<Option<MilestoneId>, ApiError> {
        if let Some(known) = self.milestones.get(external_id) {
            return Ok(*known);
        }
        let found = self
            .state
            .stores()
            .milestones
            .milestone_by_external_id(self.scope, external_id)
            .await?
            .map(|milestone| milestone.id);
        self.milestones.insert(external_id.to_owned(), found);
        Ok(found)
    }

    async fn client_id(
        &mut self,
        field: &'static str,
        parent: ParentRef<ClientId>,
    ) -> Result<ClientId, ApiError> {
        match parent {
            ParentRef::Id(id) => Ok(id),
            ParentRef::External(external) => self
                .known_client(&external)
                .await?
                .map(|client| client.id)
                .ok_or_else(|| ApiError::invalid(field, format!("no client has this {field}"))),
        }
    }

    async fn project_id(
        &mut self,
        field: &'static str,
        parent: ParentRef<ProjectId>,
    ) -> Result<ProjectId, ApiError> {
        match parent {
            ParentRef::Id(id) => Ok(id),
            ParentRef::External(external) => self
                .known_project(&external)
                .await?
                .map(|project| project.id)
                .ok_or_else(|| ApiError::invalid(field, format!("no project has this {field}"))),
        }
    }

    async fn milestone_id(
        &mut self,
        field: &'static str,
        parent: ParentRef<MilestoneId>,
    ) -> Result<MilestoneId, ApiError> {
        match parent {
            ParentRef::Id(id) => Ok(id),
            ParentRef::External(external) => self
                .known_milestone(&external)
                .await?
                .ok_or_else(|| ApiError::invalid(field, format!("no milestone has this {field}"))),
        }
    }

    async fn client(&mut self, item: ClientItem) -> Result<Applied, ApiError> {
        let external_id = external_id(&item.external_id)?;
        let name = display_name("name", &item.name)?;
        // The per-client branding is set in the portal, not by the feeding system: keep it.
        let branding = self
            .known_client(&external_id)
            .await?
            .and_then(|client| client.branding);
        let upserted = self
            .state
            .stores()
            .clients
            .upsert_client(
                self.scope,
                ClientInput {
                    name,
                    external_id: Some(external_id.clone()),
                    branding,
                },
                &self.audit,
            )
            .await?;
        let applied = Applied::new(upserted.record.id.as_uuid(), upserted.created);
        self.clients.insert(external_id, Some(upserted.record));
        Ok(applied)
    }

    async fn project(&mut self, item: ProjectItem) -> Result<Applied, ApiError> {
        let external_id = external_id(&item.external_id)?;
        let name = display_name("name", &item.name)?;
        bounded("description", &item.description, MAX_DESCRIPTION_CHARS)?;
        let schedule = item
            .schedule
            .map(|schedule| -> Result<DateRange, ApiError> {
                Ok(DateRange::new(
                    date("schedule.start", &schedule.start)?,
                    date("schedule.end", &schedule.end)?,
                )
                .map_err(|error| error.in_field("schedule"))?)
            })
            .transpose()?;
        let parent = parent(
            "client_external_id",
            item.client_external_id,
            "client_id",
            item.client_id,
        )?;
        let client = self
            .client_id(
                "client_external_id",
                required("client_external_id", parent)?,
            )
            .await?;
        let budget = match item.budget {
            // Absent: what is stored stays, even for a caller who may not see it.
            None => self
                .known_project(&external_id)
                .await?
                .and_then(|project| project.budget),
            // Writing a budget is seeing it (SEC-28).
            Some(_) if !sees_money(self.scope, client) => return Err(ApiError::Forbidden),
            Some(budget) => budget.map(|money| money.parse("budget")).transpose()?,
        };
        let upserted = self
            .state
            .stores()
            .projects
            .upsert_project(
                self.scope,
                ProjectInput {
                    client,
                    name,
                    description: item.description.trim().to_owned(),
                    status: item.status.unwrap_or_default(),
                    schedule,
                    budget,
                    external_id: Some(external_id.clone()),
                },
                &self.audit,
            )
            .await?;
        let applied = Applied::new(upserted.record.id.as_uuid(), upserted.created);
        self.projects.insert(external_id, Some(upserted.record));
        Ok(applied)
    }

    async fn milestone(&mut self, item: MilestoneItem) -> Result<Applied, ApiError> {
        let external_id = external_id(&item.external_id)?;
        let title = display_name("title", &item.title)?;
        let due_on = day("due_on", item.due_on)?;
        let parent = parent(
            "project_external_id",
            item.project_external_id,
            "project_id",
            item.project_id,
        )?;
        let project = self
            .project_id(
                "project_external_id",
                required("project_external_id", parent)?,
            )
            .await?;
        let upserted = self
            .state
            .stores()
            .milestones
            .upsert_milestone(
                self.scope,
                MilestoneInput {
                    project,
                    title,
                    due_on,
                    position: item.position,
                    external_id: Some(external_id.clone()),
                },
                &self.audit,
            )
            .await?;
        self.milestones
            .insert(external_id, Some(upserted.record.id));
        Ok(Applied::new(upserted.record.id.as_uuid(), upserted.created))
    }

    async fn deliverable(&mut self, item: DeliverableItem) -> Result<Applied, ApiError> {
        let external_id = external_id(&item.external_id)?;
        let title = display_name("title", &item.title)?;
        let due_on = day("due_on", item.due_on)?;
        let parent = parent(
            "milestone_external_id",
            item.milestone_external_id,
            "milestone_id",
            item.milestone_id,
        )?;
        let milestone = self
            .milestone_id(
                "milestone_external_id",
                required("milestone_external_id", parent)?,
            )
            .await?;
        let upserted = self
            .state
            .stores()
            .deliverables
            .upsert_deliverable(
                self.scope,
                DeliverableInput {
                    milestone,
                    title,
                    due_on,
                    external_id: Some(external_id),
                },
                &self.audit,
            )
            .await?;
        Ok(Applied::new(upserted.record.id.as_uuid(), upserted.created))
    }

    async fn invoice(&mut self, item: InvoiceItem) -> Result<Applied, ApiError> {
        let external_id = external_id(&item.external_id)?;
        let number = non_blank(Some(item.number))
            .ok_or_else(|| ApiError::invalid("number", "invalid number: must not be empty"))?;
        bounded("number", &number, MAX_NUMBER_CHARS)?;
        let amount: Money = item.amount.parse("amount")?;
        let issued_on = day("issued_on", item.issued_on)?;
        let due_on = day("due_on", item.due_on)?;
        let payment_url = non_blank(item.payment_url)
            .map(|url| https_url("payment_url", &url))
            .transpose()?;
        let internal_note = non_blank(item.internal_note);
        if let Some(note) = &internal_note {
            bounded("internal_note", note, MAX_NOTE_CHARS)?;
        }
        let client = parent(
            "client_external_id",
            item.client_external_id,
            "client_id",
            item.client_id,
        )?;
        let client = self
            .client_id(
                "client_external_id",
                required("client_external_id", client)?,
            )
            .await?;
        let project = match parent(
            "project_external_id",
            item.project_external_id,
            "project_id",
            item.project_id,
        )? {
            Some(project) => Some(self.project_id("project_external_id", project).await?),
            None => None,
        };
        let upserted = self
            .state
            .stores()
            .invoices
            .upsert_invoice(
                self.scope,
                InvoiceInput {
                    client,
                    project,
                    number,
                    amount,
                    status: item.status.unwrap_or_default(),
                    issued_on,
                    due_on,
                    payment_url,
                    internal_note,
                    external_id: Some(external_id),
                },
                &self.audit,
            )
            .await?;
        Ok(Applied::new(upserted.record.id.as_uuid(), upserted.created))
    }
}

/// Whether the scope may see (and so write) money fields of `client`'s objects.
fn sees_money(scope: &TenantScope, client: ClientId) -> bool {
    scope
        .permissions_in(Some(client))
        .contains(Permission::ViewFinancials)
}
