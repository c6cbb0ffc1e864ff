//! How items are applied: each validated into a core input, its parent found by external id (or
//! portal id), then upserted through its store by the caller's scope.

use std::collections::HashMap;

use portal_core::model::{
    AuditContext, Client, ClientInput, DeliverableInput, InvoiceInput, MilestoneInput, Project,
    ProjectInput,
};
use portal_core::{ClientId, DateRange, MilestoneId, Money, Permission, ProjectId, TenantScope};
use portal_storage::Stores;
use time::Date;
use uuid::Uuid;

use crate::SyncError;
use crate::fields::{bounded, date, display_name, https_url, non_blank};
use crate::item::{ClientItem, DeliverableItem, InvoiceItem, MilestoneItem, ProjectItem, SyncItem};

/// The most characters of an external id.
const MAX_EXTERNAL_ID_CHARS: usize = 255;
/// The most characters of a description.
const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// The most characters of an invoice number.
const MAX_NUMBER_CHARS: usize = 100;
/// The most characters of an invoice's internal note.
const MAX_NOTE_CHARS: usize = 5_000;

/// An item applied: the stored object's id and whether it is new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
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
) -> Result<Option<ParentRef<T>>, SyncError> {
    match (non_blank(external), id) {
        (Some(_), Some(_)) => Err(SyncError::Invalid {
            message: format!("give either {external_field} or {id_field}, not both"),
            fields: vec![external_field.to_owned(), id_field.to_owned()],
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
) -> Result<ParentRef<T>, SyncError> {
    parent
        .ok_or_else(|| SyncError::invalid(external_field, format!("{external_field} is required")))
}

/// An item's own external id: trimmed, not blank, at most 255 characters.
fn external_id(text: &str) -> Result<String, SyncError> {
    let text = non_blank(Some(text.to_owned())).ok_or_else(|| {
        SyncError::invalid("external_id", "invalid external_id: must not be empty")
    })?;
    bounded("external_id", &text, MAX_EXTERNAL_ID_CHARS)?;
    Ok(text)
}

/// An optional day.
fn day(field: &'static str, text: Option<String>) -> Result<Option<Date>, SyncError> {
    non_blank(text).map(|text| date(field, &text)).transpose()
}

/// One batch being applied: the caller, and the objects it named by external id so far — each
/// looked up once (found or not) and replaced as the batch upserts it. A lookup answers as the
/// read by portal id: another tenant's, another client's or a hidden object is missing, and one
/// the scope sees without the permission to read it is `forbidden`.
pub struct Batch<'a> {
    stores: &'a Stores,
    scope: &'a TenantScope,
    audit: AuditContext,
    clients: HashMap<String, Option<Client>>,
    projects: HashMap<String, Option<Project>>,
    milestones: HashMap<String, Option<MilestoneId>>,
}

impl<'a> Batch<'a> {
    /// A batch by `scope`, audited with `audit` (the caller's address, or none for a job).
    #[must_use]
    pub fn new(stores: &'a Stores, scope: &'a TenantScope, audit: AuditContext) -> Self {
        Self {
            stores,
            scope,
            audit,
            clients: HashMap::new(),
            projects: HashMap::new(),
            milestones: HashMap::new(),
        }
    }

    /// Applies one item: validates it, finds its parent and upserts it. An error is the item's
    /// own ([`SyncError::is_fault`] tells when it is the store's); the batch can go on.
    pub async fn apply(&mut self, item: SyncItem) -> Result<Applied, SyncError> {
        match item {
            SyncItem::Client(item) => self.client(item).await,
            SyncItem::Project(item) => self.project(item).await,
            SyncItem::Milestone(item) => self.milestone(item).await,
            SyncItem::Deliverable(item) => self.deliverable(item).await,
            SyncItem::Invoice(item) => self.invoice(item).await,
        }
    }

    /// The client with this external id that the scope reaches, if any.
    async fn known_client(&mut self, external_id: &str) -> Result<Option<Client>, SyncError> {
        if let Some(known) = self.clients.get(external_id) {
            return Ok(known.clone());
        }
        let found = self
            .stores
            .clients
            .client_by_external_id(self.scope, external_id)
            .await?;
        self.clients.insert(external_id.to_owned(), found.clone());
        Ok(found)
    }

    /// The project with this external id that the scope sees, if any (`view_projects`).
    async fn known_project(&mut self, external_id: &str) -> Result<Option<Project>, SyncError> {
        if let Some(known) = self.projects.get(external_id) {
            return Ok(known.clone());
        }
        let found = self
            .stores
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
    ) -> Result<Option<MilestoneId>, SyncError> {
        if let Some(known) = self.milestones.get(external_id) {
            return Ok(*known);
        }
        let found = self
            .stores
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
    ) -> Result<ClientId, SyncError> {
        match parent {
            ParentRef::Id(id) => Ok(id),
            ParentRef::External(external) => self
                .known_client(&external)
                .await?
                .map(|client| client.id)
                .ok_or_else(|| SyncError::invalid(field, format!("no client has this {field}"))),
        }
    }

    async fn project_id(
        &mut self,
        field: &'static str,
        parent: ParentRef<ProjectId>,
    ) -> Result<ProjectId, SyncError> {
        match parent {
            ParentRef::Id(id) => Ok(id),
            ParentRef::External(external) => self
                .known_project(&external)
                .await?
                .map(|project| project.id)
                .ok_or_else(|| SyncError::invalid(field, format!("no project has this {field}"))),
        }
    }

    async fn milestone_id(
        &mut self,
        field: &'static str,
        parent: ParentRef<MilestoneId>,
    ) -> Result<MilestoneId, SyncError> {
        match parent {
            ParentRef::Id(id) => Ok(id),
            ParentRef::External(external) => self
                .known_milestone(&external)
                .await?
                .ok_or_else(|| SyncError::invalid(field, format!("no milestone has this {field}"))),
        }
    }

    async fn client(&mut self, item: ClientItem) -> Result<Applied, SyncError> {
        let external_id = external_id(&item.external_id)?;
        let name = display_name("name", &item.name)?;
        // The per-client branding is set in the portal, not by the feeding system: keep it.
        let branding = self
            .known_client(&external_id)
            .await?
            .and_then(|client| client.branding);
        let upserted = self
            .stores
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

    async fn project(&mut self, item: ProjectItem) -> Result<Applied, SyncError> {
        let external_id = external_id(&item.external_id)?;
        let name = display_name("name", &item.name)?;
        bounded("description", &item.description, MAX_DESCRIPTION_CHARS)?;
        let schedule = item
            .schedule
            .map(|schedule| -> Result<DateRange, SyncError> {
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
            Some(_) if !sees_money(self.scope, client) => return Err(SyncError::Forbidden),
            Some(budget) => budget.map(|money| money.parse("budget")).transpose()?,
        };
        let upserted = self
            .stores
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

    async fn milestone(&mut self, item: MilestoneItem) -> Result<Applied, SyncError> {
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
            .stores
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

    async fn deliverable(&mut self, item: DeliverableItem) -> Result<Applied, SyncError> {
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
            .stores
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

    async fn invoice(&mut self, item: InvoiceItem) -> Result<Applied, SyncError> {
        let external_id = external_id(&item.external_id)?;
        let number = non_blank(Some(item.number))
            .ok_or_else(|| SyncError::invalid("number", "invalid number: must not be empty"))?;
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
            .stores
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
