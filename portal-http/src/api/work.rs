//! `/projects`, `/milestones`, `/deliverables`: the work, as far as the caller may see it. A
//! contact sees only the shared work of their own clients; staff see more, as the stores decide.

use axum::Json;
use axum::extract::State;
use portal_core::model::{Deliverable, Milestone, Project, ProjectStatus};
use portal_core::state::{DeliverableStatus, MilestoneStatus};
use portal_core::{
    ClientId, DeliverableId, MilestoneId, Permission, ProjectId, TenantScope, Visibility,
};
use portal_storage::{ProjectFilter, ProjectProgress};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

use super::client_views::{MoneyView, holds, parse_id, staff_fields};
use super::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::state::PortalState;

/// A project (engagement).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
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
    #[schema(value_type = String, example = "active")]
    pub status: ProjectStatus,
    /// `shared` with the client, or `internal` (staff only).
    #[schema(value_type = String, example = "shared")]
    pub visibility: Visibility,
    /// Planned start.
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<Date>,
    /// Planned end.
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<Date>,
    /// The budget; only for callers who may see finance fields in the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<MoneyView>,
    /// The feeding system's id; staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Milestone progress, where the list computed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<ProgressView>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// How far a project's milestones are, counting only those the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressView {
    /// Milestones in all.
    pub milestones_total: i64,
    /// Of those, completed.
    pub milestones_completed: i64,
}

impl ProjectView {
    /// The caller's view of a project.
    #[must_use]
    pub fn of(project: Project, scope: &TenantScope) -> Self {
        let finance = holds(scope, project.client, Permission::ViewFinancials);
        Self {
            id: project.id,
            client_id: project.client,
            name: project.name.into_string(),
            description: project.description,
            status: project.status,
            visibility: project.visibility,
            starts_on: project.schedule.map(|range| range.start()),
            ends_on: project.schedule.map(|range| range.end()),
            budget: project.budget.filter(|_| finance).map(MoneyView::from),
            external_id: project.external_id.filter(|_| staff_fields(scope)),
            progress: None,
            created_at: project.created_at,
            updated_at: project.updated_at,
        }
    }

    /// The caller's view of a project with its milestone progress.
    #[must_use]
    pub fn with_progress(progress: ProjectProgress, scope: &TenantScope) -> Self {
        Self {
            progress: Some(ProgressView {
                milestones_total: progress.milestones_total,
                milestones_completed: progress.milestones_completed,
            }),
            ..Self::of(progress.project, scope)
        }
    }
}

/// A milestone of a project.
#[derive(Debug, Serialize, ToSchema)]
pub struct MilestoneView {
    /// The milestone's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: MilestoneId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// Its title.
    pub title: String,
    /// `planned`, `in_progress` or `completed`.
    #[schema(value_type = String, example = "in_progress")]
    pub status: MilestoneStatus,
    /// When it is due.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    /// Its place in the project's order (ascending).
    pub position: i32,
    /// `shared` or `internal`.
    #[schema(value_type = String, example = "shared")]
    pub visibility: Visibility,
    /// The feeding system's id; staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl MilestoneView {
    /// The caller's view of a milestone.
    #[must_use]
    pub fn of(milestone: Milestone, scope: &TenantScope) -> Self {
        Self {
            id: milestone.id,
            project_id: milestone.project,
            title: milestone.title.into_string(),
            status: milestone.status,
            due_on: milestone.due_on,
            position: milestone.position,
            visibility: milestone.visibility,
            external_id: milestone.external_id.filter(|_| staff_fields(scope)),
            created_at: milestone.created_at,
        }
    }
}

/// A deliverable of a milestone.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliverableView {
    /// The deliverable's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: DeliverableId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// The milestone.
    #[schema(value_type = String, format = Uuid)]
    pub milestone_id: MilestoneId,
    /// Its title.
    pub title: String,
    /// `not_started`, `in_progress`, `in_review`, `approved`, `changes_requested` or `delivered`.
    #[schema(value_type = String, example = "in_review")]
    pub status: DeliverableStatus,
    /// When it is due.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    /// `shared` or `internal`.
    #[schema(value_type = String, example = "shared")]
    pub visibility: Visibility,
    /// The feeding system's id; staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl DeliverableView {
    /// The caller's view of a deliverable.
    #[must_use]
    pub fn of(deliverable: Deliverable, scope: &TenantScope) -> Self {
        Self {
            id: deliverable.id,
            project_id: deliverable.project,
            milestone_id: deliverable.milestone,
            title: deliverable.title.into_string(),
            status: deliverable.status,
            due_on: deliverable.due_on,
            visibility: deliverable.visibility,
            external_id: deliverable.external_id.filter(|_| staff_fields(scope)),
            created_at: deliverable.created_at,
        }
    }
}

/// Which projects to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Only this client's projects.
    pub client_id: Option<String>,
    /// Only projects in this status (`active`, `on_hold`, `completed`, `archived`).
    #[param(value_type = Option<String>)]
    pub status: Option<ProjectStatus>,
}

/// The projects the caller may see, newest first, each with its milestone progress.
#[utoipa::path(get, path = "/projects", tag = "work",
    params(PageQuery, ProjectQuery),
    responses(
        (status = 200, body = PageOf<ProjectView>),
        (status = 401, body = ErrorBody),
        (status = 422, description = "A malformed filter, limit or cursor", body = ErrorBody),
    ))]
pub async fn list_projects(
    State(state): State<PortalState>,
    caller: Caller,
    ApiQuery(paging): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<ProjectQuery>,
) -> Result<Json<PageOf<ProjectView>>, ApiError> {
    let filter = ProjectFilter {
        client: parse_id("client_id", query.client_id.as_deref())?,
        status: query.status,
    };
    let paged = state
        .stores()
        .projects
        .list_project_progress(&caller.scope, filter, paging.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, |progress| {
        ProjectView::with_progress(progress, &caller.scope)
    })))
}

/// One project.
#[utoipa::path(get, path = "/projects/{project_id}", tag = "work",
    params(("project_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ProjectView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view projects", body = ErrorBody),
        (status = 404, description = "No such project the caller may see", body = ErrorBody),
    ))]
pub async fn get_project(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(id): ApiPath<ProjectId>,
) -> Result<Json<ProjectView>, ApiError> {
    let project = visible_project(&state, &caller.scope, id).await?;
    Ok(Json(ProjectView::of(project, &caller.scope)))
}

/// A project the scope may see, or 404: lists under a project check it first, so a foreign
/// parent id is refused rather than answered with an empty list (SEC-27).
pub(crate) async fn visible_project(
    state: &PortalState,
    scope: &TenantScope,
    id: ProjectId,
) -> Result<Project, ApiError> {
    state
        .stores()
        .projects
        .project(scope, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A project's milestones the caller may see, newest first.
#[utoipa::path(get, path = "/projects/{project_id}/milestones", tag = "work",
    params(("project_id" = String, Path, format = Uuid), PageQuery),
    responses(
        (status = 200, body = PageOf<MilestoneView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view milestones", body = ErrorBody),
        (status = 404, description = "No such project the caller may see", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list_milestones(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(project): ApiPath<ProjectId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<MilestoneView>>, ApiError> {
    let paged = state
        .stores()
        .milestones
        .list_milestones(&caller.scope, project, paging.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, |milestone| {
        MilestoneView::of(milestone, &caller.scope)
    })))
}

/// One milestone.
#[utoipa::path(get, path = "/milestones/{milestone_id}", tag = "work",
    params(("milestone_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = MilestoneView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view milestones", body = ErrorBody),
        (status = 404, description = "No such milestone the caller may see", body = ErrorBody),
    ))]
pub async fn get_milestone(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(id): ApiPath<MilestoneId>,
) -> Result<Json<MilestoneView>, ApiError> {
    let milestone = state
        .stores()
        .milestones
        .milestone(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(MilestoneView::of(milestone, &caller.scope)))
}

/// A milestone's deliverables the caller may see, newest first.
#[utoipa::path(get, path = "/milestones/{milestone_id}/deliverables", tag = "work",
    params(("milestone_id" = String, Path, format = Uuid), PageQuery),
    responses(
        (status = 200, body = PageOf<DeliverableView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view deliverables", body = ErrorBody),
        (status = 404, description = "No such milestone the caller may see", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list_deliverables(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(milestone): ApiPath<MilestoneId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<DeliverableView>>, ApiError> {
    let paged = state
        .stores()
        .deliverables
        .list_deliverables(&caller.scope, milestone, paging.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, |deliverable| {
        DeliverableView::of(deliverable, &caller.scope)
    })))
}

/// One deliverable.
#[utoipa::path(get, path = "/deliverables/{deliverable_id}", tag = "work",
    params(("deliverable_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = DeliverableView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view deliverables", body = ErrorBody),
        (status = 404, description = "No such deliverable the caller may see", body = ErrorBody),
    ))]
pub async fn get_deliverable(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeliverableId>,
) -> Result<Json<DeliverableView>, ApiError> {
    let deliverable = state
        .stores()
        .deliverables
        .deliverable(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(DeliverableView::of(deliverable, &caller.scope)))
}
