//! `/dashboard`: one call answering what is done, what is in progress, what needs the caller's
//! decision and what happens next. A fixed number of store calls, however many projects there
//! are (the query set `portal-storage/benches/dashboard.rs` measures, plus tasks and invoices).

use std::cmp::Reverse;

use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use portal_core::model::{Document, ProjectStatus};
use portal_core::state::{ApprovalStatus, InvoiceStatus, TaskStatus};
use portal_core::{
    ClientFilter, DocumentId, DocumentVersionId, Permission, ProjectId, TenantScope, Visibility,
};
use portal_storage::{ApprovalFilter, DocumentFilter, InvoiceFilter, Page, ProjectFilter};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::approvals::ApprovalView;
use super::content::{TaskView, UpdateView};
use super::invoices::{InvoiceView, today};
use super::work::ProjectView;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Caller;
use crate::response_cache::{AnswerKey, json_response};
use crate::state::PortalState;

/// How many of each section the dashboard shows.
const PROJECTS: u32 = 50;
const PENDING_APPROVALS: u32 = 20;
/// Tasks fetched to pick the next steps from: the newest open ones, sorted by due day.
const TASKS_SCANNED: u32 = 50;
const NEXT_STEPS: usize = 10;
const LATEST_UPDATES: u32 = 10;
const RECENT_DOCUMENTS: u32 = 10;
const OPEN_INVOICES: u32 = 20;

/// Where everything stands, for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    /// Projects with their milestone progress (archived ones left out): what is done and what
    /// is in progress.
    pub projects: Vec<ProjectView>,
    /// Pending approvals: those the caller may decide first (`can_decide`), then the others,
    /// soonest deadline first.
    pub pending_approvals: Vec<ApprovalView>,
    /// What happens next: open tasks, soonest due first; `owner` says whose move it is.
    pub next_steps: Vec<TaskView>,
    /// The latest status updates.
    pub latest_updates: Vec<UpdateView>,
    /// The most recently added documents.
    pub recent_documents: Vec<DocumentSummary>,
    /// Open invoices; `null` when the caller may not see invoices.
    pub open_invoices: Option<Vec<InvoiceView>>,
}

/// A document in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentSummary {
    /// The document's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: DocumentId,
    /// The project it belongs to, if any.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub project_id: Option<ProjectId>,
    /// Its title.
    pub title: String,
    /// `shared` or `internal`.
    #[schema(value_type = String, example = "shared")]
    pub visibility: Visibility,
    /// The newest version, once one is committed.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub current_version_id: Option<DocumentVersionId>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Document> for DocumentSummary {
    fn from(document: Document) -> Self {
        Self {
            id: document.id,
            project_id: document.project,
            title: document.title.into_string(),
            visibility: document.visibility,
            current_version_id: document.current_version,
            created_at: document.created_at,
        }
    }
}

/// The caller's dashboard.
#[utoipa::path(get, path = "/dashboard", tag = "work",
    responses(
        (status = 200, body = Dashboard),
        (status = 401, body = ErrorBody),
    ))]
pub async fn dashboard(
    State(state): State<PortalState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let today = today();
    // The stamp comes first: what is read after it is at least as new.
    let cache = state
        .response_cache()
        .zip(state.stores().changes.stamp(caller.scope.tenant_id()));
    let key = AnswerKey::new("dashboard", &caller, today);
    if let Some((cache, stamp)) = &cache
        && let Some(answer) = cache.get(&key, *stamp)
    {
        return Ok(answer);
    }
    let dashboard = build(&state, &caller.scope, today).await?;
    let json = Bytes::from(serde_json::to_vec(&dashboard).map_err(ApiError::internal)?);
    if let Some((cache, stamp)) = cache {
        cache.insert(key, stamp, json.clone());
    }
    Ok(json_response(json))
}

/// The dashboard of `scope` on `today`, from the stores: the API's answer and the overview page
/// are both built here.
pub(crate) async fn build(
    state: &PortalState,
    scope: &TenantScope,
    today: Date,
) -> Result<Dashboard, ApiError> {
    let stores = state.stores();

    let projects = stores
        .projects
        .list_project_progress(scope, ProjectFilter::default(), Page::first(PROJECTS)?)
        .await?
        .items
        .into_iter()
        .filter(|progress| progress.project.status != ProjectStatus::Archived)
        .map(|progress| ProjectView::with_progress(progress, scope))
        .collect();

    let pending = ApprovalFilter {
        project: None,
        status: Some(ApprovalStatus::Pending),
    };
    let mut pending_approvals: Vec<ApprovalView> = stores
        .approvals
        .list_approvals(scope, pending, Page::first(PENDING_APPROVALS)?)
        .await?
        .items
        .into_iter()
        .map(|approval| ApprovalView::of(approval, scope))
        .collect();
    pending_approvals.sort_by_key(|approval| {
        (
            Reverse(approval.can_decide),
            approval.due_at.is_none(),
            approval.due_at,
        )
    });

    let mut next_steps: Vec<TaskView> = stores
        .tasks
        .list_tasks(scope, None, Page::first(TASKS_SCANNED)?)
        .await?
        .items
        .into_iter()
        .filter(|task| task.status == TaskStatus::Open)
        .map(TaskView::from)
        .collect();
    next_steps.sort_by_key(|task| (task.due_on.is_none(), task.due_on));
    next_steps.truncate(NEXT_STEPS);

    let latest_updates = stores
        .updates
        .list_updates(scope, None, Page::first(LATEST_UPDATES)?)
        .await?
        .items
        .into_iter()
        .map(UpdateView::from)
        .collect();

    let recent_documents = stores
        .documents
        .list_documents(
            scope,
            DocumentFilter::default(),
            Page::first(RECENT_DOCUMENTS)?,
        )
        .await?
        .items
        .into_iter()
        .map(DocumentSummary::from)
        .collect();

    // Not an error for roles without invoices: the section is simply absent.
    let sees_invoices = match scope.clients_with(Permission::ViewInvoices) {
        ClientFilter::All => true,
        ClientFilter::Only(clients) => !clients.is_empty(),
    };
    let open_invoices = if sees_invoices {
        let open = InvoiceFilter {
            client: None,
            status: Some(InvoiceStatus::Open),
        };
        Some(
            stores
                .invoices
                .list_invoices(scope, open, Page::first(OPEN_INVOICES)?)
                .await?
                .items
                .into_iter()
                .map(|invoice| InvoiceView::of(invoice, scope, today))
                .collect(),
        )
    } else {
        None
    };

    Ok(Dashboard {
        projects,
        pending_approvals,
        next_steps,
        latest_updates,
        recent_documents,
        open_invoices,
    })
}
