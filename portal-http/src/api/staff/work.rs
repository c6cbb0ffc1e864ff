//! Running the work: create and edit projects, milestones and deliverables, move them through
//! their states, and publish them to the client or take them back. Reading them is the shared
//! routes' job; these answer with the team's view of what changed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::model::{
    Deliverable, DeliverableInput, Milestone, MilestoneInput, Project, ProjectInput, ProjectStatus,
};
use portal_core::state::{DeliverableStatus, MilestoneStatus};
use portal_core::{
    ClientId, DateRange, DeliverableId, MilestoneId, Permission, ProjectId, TenantScope, Visibility,
};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::{
    MoneyBody, StaffCaller, date, display_name, non_blank, nullable, optional_date, patched,
};
use crate::api::work::visible_project;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientIp};
use crate::state::PortalState;

/// Whether the scope may see money fields of `client`'s objects: budgets are finance data
/// even on the team's side (a member without `view_financials` gets `null`).
pub(crate) fn sees_money(scope: &TenantScope, client: ClientId) -> bool {
    scope
        .permissions_in(Some(client))
        .contains(Permission::ViewFinancials)
}

/// Publish (`shared`) or withdraw (`internal`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisibilityBody {
    /// `shared` (the client sees it) or `internal` (the team only).
    #[schema(schema_with = super::super::openapi::visibility)]
    pub visibility: Visibility,
}

/// Planned start and end days.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// The first day, `YYYY-MM-DD`.
    pub start: String,
    /// The last day, not before `start`.
    pub end: String,
}

impl ScheduleBody {
    fn parse(&self) -> Result<DateRange, ApiError> {
        let range = DateRange::new(
            date("schedule.start", &self.start)?,
            date("schedule.end", &self.end)?,
        )
        .map_err(|error| error.in_field("schedule"))?;
        Ok(range)
    }
}

impl From<DateRange> for ScheduleBody {
    fn from(range: DateRange) -> Self {
        Self {
            start: range.start().to_string(),
            end: range.end().to_string(),
        }
    }
}

/// A project as the team sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffProjectView {
    /// The project's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ProjectId,
    /// The client it is for.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// Its name.
    pub name: String,
    /// A longer description.
    pub description: String,
    /// `active`, `on_hold`, `completed` or `archived`.
    #[schema(value_type = String)]
    pub status: ProjectStatus,
    /// `internal` or `shared`.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// Planned start and end.
    pub schedule: Option<ScheduleBody>,
    /// The budget; `null` without `view_financials`.
    pub budget: Option<MoneyBody>,
    /// The feeding system's id.
    pub external_id: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl StaffProjectView {
    /// The view of `project` for `scope`.
    pub(crate) fn new(project: Project, scope: &TenantScope) -> Self {
        let budget = project
            .budget
            .filter(|_| sees_money(scope, project.client))
            .map(MoneyBody::from);
        Self {
            id: project.id,
            client_id: project.client,
            name: project.name.into_string(),
            description: project.description,
            status: project.status,
            visibility: project.visibility,
            schedule: project.schedule.map(ScheduleBody::from),
            budget,
            external_id: project.external_id,
            created_at: project.created_at,
            updated_at: project.updated_at,
        }
    }
}

/// A new project (internal until published).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProjectBody {
    /// The client it is for (fixed once created).
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// Its name.
    pub name: String,
    /// A longer description.
    #[serde(default)]
    pub description: String,
    /// `active` (default), `on_hold`, `completed` or `archived`.
    #[schema(value_type = Option<String>)]
    pub status: Option<ProjectStatus>,
    /// Planned start and end.
    pub schedule: Option<ScheduleBody>,
    /// The budget (needs `view_financials`).
    pub budget: Option<MoneyBody>,
    /// The feeding system's id.
    pub external_id: Option<String>,
}

/// Changes to a project; absent fields stay as they are, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    /// A new name.
    pub name: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new status.
    #[schema(value_type = Option<String>)]
    pub status: Option<ProjectStatus>,
    /// A new schedule.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ScheduleBody>)]
    pub schedule: Option<Option<ScheduleBody>>,
    /// A new budget (needs `view_financials`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<MoneyBody>)]
    pub budget: Option<Option<MoneyBody>>,
    /// A new feeding-system id.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

/// The most characters of a description or body text.
pub(crate) const MAX_TEXT_CHARS: usize = 20_000;

/// A budget in a request: only for a scope that may see money (SEC-28).
fn budget(
    scope: &TenantScope,
    client: ClientId,
    body: Option<&MoneyBody>,
) -> Result<Option<portal_core::Money>, ApiError> {
    match body {
        None => Ok(None),
        Some(_) if !sees_money(scope, client) => Err(ApiError::Forbidden),
        Some(money) => money.parse("budget").map(Some),
    }
}

/// Creates an internal project (`manage_projects` in its client).
#[utoipa::path(post, path = "/projects", tag = "staff", request_body = NewProjectBody,
    responses(
        (status = 201, body = StaffProjectView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, without `manage_projects`, or setting a budget without `view_financials`", body = ErrorBody),
        (status = 404, description = "No such client the caller reaches", body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_project(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewProjectBody>,
) -> Result<(StatusCode, Json<StaffProjectView>), ApiError> {
    super::bounded("description", &body.description, MAX_TEXT_CHARS)?;
    let input = ProjectInput {
        client: body.client_id,
        name: display_name("name", &body.name)?,
        description: body.description,
        status: body.status.unwrap_or_default(),
        schedule: body
            .schedule
            .as_ref()
            .map(ScheduleBody::parse)
            .transpose()?,
        budget: budget(&caller.scope, body.client_id, body.budget.as_ref())?,
        external_id: non_blank(body.external_id),
    };
    let project = state
        .stores()
        .projects
        .create_project(&caller.scope, input, &ip.audit())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(StaffProjectView::new(project, &caller.scope)),
    ))
}

/// Edits a project (`manage_projects`); its client cannot change.
#[utoipa::path(patch, path = "/projects/{project_id}", tag = "staff", request_body = ProjectPatch,
    params(("project_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffProjectView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_project(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ProjectId>,
    ApiJson(body): ApiJson<ProjectPatch>,
) -> Result<Json<StaffProjectView>, ApiError> {
    let current = visible_project(&state, &caller.scope, id).await?;
    let description = body.description.unwrap_or(current.description);
    super::bounded("description", &description, MAX_TEXT_CHARS)?;
    let input = ProjectInput {
        client: current.client,
        name: patched(body.name, current.name, |name| display_name("name", &name))?,
        description,
        status: body.status.unwrap_or(current.status),
        schedule: patched(body.schedule, current.schedule, |schedule| {
            schedule.as_ref().map(ScheduleBody::parse).transpose()
        })?,
        budget: match body.budget {
            Some(Some(money)) => budget(&caller.scope, current.client, Some(&money))?,
            Some(None) if !sees_money(&caller.scope, current.client) => {
                return Err(ApiError::Forbidden);
            }
            Some(None) => None,
            None => current.budget,
        },
        external_id: body.external_id.map_or(current.external_id, non_blank),
    };
    let project = state
        .stores()
        .projects
        .update_project(&caller.scope, id, input, &ip.audit())
        .await?;
    Ok(Json(StaffProjectView::new(project, &caller.scope)))
}

/// Publishes a project to its client, or takes it back (`publish`).
#[utoipa::path(put, path = "/projects/{project_id}/visibility", tag = "staff", request_body = VisibilityBody,
    params(("project_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffProjectView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `publish`", body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn set_project_visibility(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ProjectId>,
    ApiJson(body): ApiJson<VisibilityBody>,
) -> Result<Json<StaffProjectView>, ApiError> {
    let project = state
        .stores()
        .projects
        .set_project_visibility(&caller.scope, id, body.visibility, &ip.audit())
        .await?;
    Ok(Json(StaffProjectView::new(project, &caller.scope)))
}

/// A milestone as the team sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffMilestoneView {
    /// The milestone's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: MilestoneId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// The client.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// Its title.
    pub title: String,
    /// `planned`, `in_progress` or `completed`.
    #[schema(value_type = String)]
    pub status: MilestoneStatus,
    /// When it is due, `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    /// Its place in the project's order.
    pub position: i32,
    /// `internal` or `shared`.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// The feeding system's id.
    pub external_id: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Milestone> for StaffMilestoneView {
    fn from(milestone: Milestone) -> Self {
        Self {
            id: milestone.id,
            project_id: milestone.project,
            client_id: milestone.client,
            title: milestone.title.into_string(),
            status: milestone.status,
            due_on: milestone.due_on,
            position: milestone.position,
            visibility: milestone.visibility,
            external_id: milestone.external_id,
            created_at: milestone.created_at,
        }
    }
}

/// A new milestone (internal and planned).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMilestoneBody {
    /// Its title.
    pub title: String,
    /// When it is due, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Its place in the project's order (default 0).
    #[serde(default)]
    pub position: i32,
    /// The feeding system's id.
    pub external_id: Option<String>,
}

/// Changes to a milestone; absent fields stay as they are, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestonePatch {
    /// A new title.
    pub title: Option<String>,
    /// A new due day.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Option<String>>,
    /// A new place in the order.
    pub position: Option<i32>,
    /// A new feeding-system id.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

/// A move through a milestone's states.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneStatusBody {
    /// `planned`, `in_progress` or `completed`.
    #[schema(schema_with = super::super::openapi::milestone_status)]
    pub status: MilestoneStatus,
}

/// Adds an internal, planned milestone to a project (`manage_milestones`).
#[utoipa::path(post, path = "/projects/{project_id}/milestones", tag = "staff", request_body = NewMilestoneBody,
    params(("project_id" = String, Path, format = Uuid)),
    responses(
        (status = 201, body = StaffMilestoneView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_milestone(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(project): ApiPath<ProjectId>,
    ApiJson(body): ApiJson<NewMilestoneBody>,
) -> Result<(StatusCode, Json<StaffMilestoneView>), ApiError> {
    let input = MilestoneInput {
        project,
        title: display_name("title", &body.title)?,
        due_on: optional_date("due_on", body.due_on.as_deref())?,
        position: body.position,
        external_id: non_blank(body.external_id),
    };
    let milestone = state
        .stores()
        .milestones
        .create_milestone(&caller.scope, input, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(milestone.into())))
}

/// Edits a milestone (`manage_milestones`).
#[utoipa::path(patch, path = "/milestones/{milestone_id}", tag = "staff", request_body = MilestonePatch,
    params(("milestone_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffMilestoneView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_milestone(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<MilestoneId>,
    ApiJson(body): ApiJson<MilestonePatch>,
) -> Result<Json<StaffMilestoneView>, ApiError> {
    let stores = state.stores();
    let current = stores
        .milestones
        .milestone(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let input = MilestoneInput {
        project: current.project,
        title: patched(body.title, current.title, |title| {
            display_name("title", &title)
        })?,
        due_on: patched(body.due_on, current.due_on, |text| {
            optional_date("due_on", text.as_deref())
        })?,
        position: body.position.unwrap_or(current.position),
        external_id: body.external_id.map_or(current.external_id, non_blank),
    };
    let milestone = stores
        .milestones
        .update_milestone(&caller.scope, id, input, &ip.audit())
        .await?;
    Ok(Json(milestone.into()))
}

/// Moves a milestone: `planned` → `in_progress` → `completed` (and back to `in_progress`)
/// (`manage_milestones`).
#[utoipa::path(put, path = "/milestones/{milestone_id}/status", tag = "staff", request_body = MilestoneStatusBody,
    params(("milestone_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffMilestoneView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not a legal move from the current state", body = ErrorBody),
    ))]
pub async fn move_milestone(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<MilestoneId>,
    ApiJson(body): ApiJson<MilestoneStatusBody>,
) -> Result<Json<StaffMilestoneView>, ApiError> {
    let milestone = state
        .stores()
        .milestones
        .move_milestone(&caller.scope, id, body.status, &ip.audit())
        .await?;
    Ok(Json(milestone.into()))
}

/// Publishes a milestone, or takes it back (`publish`).
#[utoipa::path(put, path = "/milestones/{milestone_id}/visibility", tag = "staff", request_body = VisibilityBody,
    params(("milestone_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffMilestoneView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn set_milestone_visibility(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<MilestoneId>,
    ApiJson(body): ApiJson<VisibilityBody>,
) -> Result<Json<StaffMilestoneView>, ApiError> {
    let milestone = state
        .stores()
        .milestones
        .set_milestone_visibility(&caller.scope, id, body.visibility, &ip.audit())
        .await?;
    Ok(Json(milestone.into()))
}

/// A deliverable as the team sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffDeliverableView {
    /// The deliverable's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: DeliverableId,
    /// The milestone.
    #[schema(value_type = String, format = Uuid)]
    pub milestone_id: MilestoneId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// The client.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// Its title.
    pub title: String,
    /// `not_started`, `in_progress`, `in_review`, `changes_requested`, `approved` or
    /// `delivered`.
    #[schema(value_type = String)]
    pub status: DeliverableStatus,
    /// When it is due, `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    /// `internal` or `shared`.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// The feeding system's id.
    pub external_id: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Deliverable> for StaffDeliverableView {
    fn from(deliverable: Deliverable) -> Self {
        Self {
            id: deliverable.id,
            milestone_id: deliverable.milestone,
            project_id: deliverable.project,
            client_id: deliverable.client,
            title: deliverable.title.into_string(),
            status: deliverable.status,
            due_on: deliverable.due_on,
            visibility: deliverable.visibility,
            external_id: deliverable.external_id,
            created_at: deliverable.created_at,
        }
    }
}

/// A new deliverable (internal, not started).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDeliverableBody {
    /// Its title.
    pub title: String,
    /// When it is due, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// The feeding system's id.
    pub external_id: Option<String>,
}

/// Changes to a deliverable; absent fields stay as they are, `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverablePatch {
    /// A new title.
    pub title: Option<String>,
    /// A new due day.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub due_on: Option<Option<String>>,
    /// A new feeding-system id.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

/// A move through a deliverable's states (approval outcomes come only from the client).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverableStatusBody {
    /// `not_started`, `in_progress`, `in_review` or `delivered`.
    #[schema(schema_with = super::super::openapi::deliverable_status)]
    pub status: DeliverableStatus,
}

/// Adds an internal deliverable to a milestone (`manage_deliverables`).
#[utoipa::path(post, path = "/milestones/{milestone_id}/deliverables", tag = "staff", request_body = NewDeliverableBody,
    params(("milestone_id" = String, Path, format = Uuid)),
    responses(
        (status = 201, body = StaffDeliverableView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_deliverable(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(milestone): ApiPath<MilestoneId>,
    ApiJson(body): ApiJson<NewDeliverableBody>,
) -> Result<(StatusCode, Json<StaffDeliverableView>), ApiError> {
    let input = DeliverableInput {
        milestone,
        title: display_name("title", &body.title)?,
        due_on: optional_date("due_on", body.due_on.as_deref())?,
        external_id: non_blank(body.external_id),
    };
    let deliverable = state
        .stores()
        .deliverables
        .create_deliverable(&caller.scope, input, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(deliverable.into())))
}

/// Edits a deliverable (`manage_deliverables`).
#[utoipa::path(patch, path = "/deliverables/{deliverable_id}", tag = "staff", request_body = DeliverablePatch,
    params(("deliverable_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffDeliverableView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_deliverable(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<DeliverableId>,
    ApiJson(body): ApiJson<DeliverablePatch>,
) -> Result<Json<StaffDeliverableView>, ApiError> {
    let stores = state.stores();
    let current = stores
        .deliverables
        .deliverable(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let input = DeliverableInput {
        milestone: current.milestone,
        title: patched(body.title, current.title, |title| {
            display_name("title", &title)
        })?,
        due_on: patched(body.due_on, current.due_on, |text| {
            optional_date("due_on", text.as_deref())
        })?,
        external_id: body.external_id.map_or(current.external_id, non_blank),
    };
    let deliverable = stores
        .deliverables
        .update_deliverable(&caller.scope, id, input, &ip.audit())
        .await?;
    Ok(Json(deliverable.into()))
}

/// Moves a deliverable through its states (`manage_deliverables`); `approved` and
/// `changes_requested` come only from the client's decision.
#[utoipa::path(put, path = "/deliverables/{deliverable_id}/status", tag = "staff", request_body = DeliverableStatusBody,
    params(("deliverable_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffDeliverableView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not a legal move from the current state", body = ErrorBody),
        (status = 422, description = "An approval outcome", body = ErrorBody),
    ))]
pub async fn move_deliverable(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<DeliverableId>,
    ApiJson(body): ApiJson<DeliverableStatusBody>,
) -> Result<Json<StaffDeliverableView>, ApiError> {
    let deliverable = state
        .stores()
        .deliverables
        .move_deliverable(&caller.scope, id, body.status, &ip.audit())
        .await?;
    Ok(Json(deliverable.into()))
}

/// Publishes a deliverable, or takes it back (`publish`).
#[utoipa::path(put, path = "/deliverables/{deliverable_id}/visibility", tag = "staff", request_body = VisibilityBody,
    params(("deliverable_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffDeliverableView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn set_deliverable_visibility(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<DeliverableId>,
    ApiJson(body): ApiJson<VisibilityBody>,
) -> Result<Json<StaffDeliverableView>, ApiError> {
    let deliverable = state
        .stores()
        .deliverables
        .set_deliverable_visibility(&caller.scope, id, body.visibility, &ip.audit())
        .await?;
    Ok(Json(deliverable.into()))
}
