//! Writing to a project: status updates, decision records and tasks — each internal until
//! published, and publishable or withdrawn one by one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::model::{Decision, NewDecision, NewTask, NewUpdate, Task, TaskOwner, Update};
use portal_core::state::TaskStatus;
use portal_core::{ClientId, DecisionId, ProjectId, TaskId, UpdateId, UserId, Visibility};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::work::{MAX_TEXT_CHARS, VisibilityBody};
use super::{StaffCaller, bounded, date, display_name, optional_date};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientIp};
use crate::state::PortalState;

/// A status update.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffUpdateView {
    /// The update's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: UpdateId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// The client.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// Its title.
    pub title: String,
    /// The text.
    pub body: String,
    /// `internal` or `shared`.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// Who wrote it.
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Update> for StaffUpdateView {
    fn from(update: Update) -> Self {
        Self {
            id: update.id,
            project_id: update.project,
            client_id: update.client,
            title: update.title.into_string(),
            body: update.body,
            visibility: update.visibility,
            author: update.author,
            created_at: update.created_at,
        }
    }
}

/// A new status update (an internal draft until published).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUpdateBody {
    /// Its title.
    pub title: String,
    /// The text.
    pub body: String,
}

/// A decision record.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffDecisionView {
    /// The decision's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: DecisionId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// The client.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// What was decided, in short.
    pub title: String,
    /// The record.
    pub body: String,
    /// The day it was decided, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub decided_on: Date,
    /// `internal` or `shared`.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// Who recorded it.
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Decision> for StaffDecisionView {
    fn from(decision: Decision) -> Self {
        Self {
            id: decision.id,
            project_id: decision.project,
            client_id: decision.client,
            title: decision.title.into_string(),
            body: decision.body,
            decided_on: decision.decided_on,
            visibility: decision.visibility,
            author: decision.author,
            created_at: decision.created_at,
        }
    }
}

/// A new decision record (internal until published).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecisionBody {
    /// What was decided, in short.
    pub title: String,
    /// The record.
    pub body: String,
    /// The day it was decided, `YYYY-MM-DD`.
    pub decided_on: String,
}

/// A next step.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffTaskView {
    /// The task's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: TaskId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// The client.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// What to do.
    pub title: String,
    /// `client` or `team`: whose move it is.
    #[schema(value_type = String)]
    pub owner: TaskOwner,
    /// The person it is assigned to.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub assignee: Option<UserId>,
    /// `open` or `done`.
    #[schema(value_type = String)]
    pub status: TaskStatus,
    /// When it is due, `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    /// `internal` or `shared`.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Task> for StaffTaskView {
    fn from(task: Task) -> Self {
        Self {
            id: task.id,
            project_id: task.project,
            client_id: task.client,
            title: task.title.into_string(),
            owner: task.owner,
            assignee: task.assignee,
            status: task.status,
            due_on: task.due_on,
            visibility: task.visibility,
            created_at: task.created_at,
        }
    }
}

/// A new task (internal until published).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaskBody {
    /// What to do.
    pub title: String,
    /// `client` or `team`.
    #[schema(value_type = String)]
    pub owner: TaskOwner,
    /// The person it is assigned to.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub assignee_id: Option<UserId>,
    /// When it is due, `YYYY-MM-DD`; blank or absent for none.
    pub due_on: Option<String>,
}

/// Writes an internal status update on a project (`manage_updates`).
#[utoipa::path(post, path = "/projects/{project_id}/updates", tag = "staff", request_body = NewUpdateBody,
    params(("project_id" = String, Path, format = Uuid)),
    responses(
        (status = 201, body = StaffUpdateView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_update(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(project): ApiPath<ProjectId>,
    ApiJson(body): ApiJson<NewUpdateBody>,
) -> Result<(StatusCode, Json<StaffUpdateView>), ApiError> {
    bounded("body", &body.body, MAX_TEXT_CHARS)?;
    let update = NewUpdate {
        project,
        title: display_name("title", &body.title)?,
        body: body.body,
    };
    let update = state
        .stores()
        .updates
        .create_update(&caller.scope, update, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(update.into())))
}

/// Publishes a status update, or takes it back (`publish`).
#[utoipa::path(put, path = "/updates/{update_id}/visibility", tag = "staff", request_body = VisibilityBody,
    params(("update_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffUpdateView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn set_update_visibility(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<UpdateId>,
    ApiJson(body): ApiJson<VisibilityBody>,
) -> Result<Json<StaffUpdateView>, ApiError> {
    let update = state
        .stores()
        .updates
        .set_update_visibility(&caller.scope, id, body.visibility, &ip.audit())
        .await?;
    Ok(Json(update.into()))
}

/// Records an internal decision on a project (`manage_decisions`).
#[utoipa::path(post, path = "/projects/{project_id}/decisions", tag = "staff", request_body = NewDecisionBody,
    params(("project_id" = String, Path, format = Uuid)),
    responses(
        (status = 201, body = StaffDecisionView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_decision(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(project): ApiPath<ProjectId>,
    ApiJson(body): ApiJson<NewDecisionBody>,
) -> Result<(StatusCode, Json<StaffDecisionView>), ApiError> {
    bounded("body", &body.body, MAX_TEXT_CHARS)?;
    let decision = NewDecision {
        project,
        title: display_name("title", &body.title)?,
        body: body.body,
        decided_on: date("decided_on", &body.decided_on)?,
    };
    let decision = state
        .stores()
        .decisions
        .create_decision(&caller.scope, decision, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(decision.into())))
}

/// Publishes a decision record, or takes it back (`publish`).
#[utoipa::path(put, path = "/decisions/{decision_id}/visibility", tag = "staff", request_body = VisibilityBody,
    params(("decision_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffDecisionView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn set_decision_visibility(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<DecisionId>,
    ApiJson(body): ApiJson<VisibilityBody>,
) -> Result<Json<StaffDecisionView>, ApiError> {
    let decision = state
        .stores()
        .decisions
        .set_decision_visibility(&caller.scope, id, body.visibility, &ip.audit())
        .await?;
    Ok(Json(decision.into()))
}

/// Creates an internal task on a project (`manage_tasks`).
#[utoipa::path(post, path = "/projects/{project_id}/tasks", tag = "staff", request_body = NewTaskBody,
    params(("project_id" = String, Path, format = Uuid)),
    responses(
        (status = 201, body = StaffTaskView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_task(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(project): ApiPath<ProjectId>,
    ApiJson(body): ApiJson<NewTaskBody>,
) -> Result<(StatusCode, Json<StaffTaskView>), ApiError> {
    let task = NewTask {
        project,
        title: display_name("title", &body.title)?,
        owner: body.owner,
        assignee: body.assignee_id,
        due_on: optional_date("due_on", body.due_on.as_deref())?,
    };
    let task = state
        .stores()
        .tasks
        .create_task(&caller.scope, task, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(task.into())))
}

/// Publishes a task, or takes it back (`publish`).
#[utoipa::path(put, path = "/tasks/{task_id}/visibility", tag = "staff", request_body = VisibilityBody,
    params(("task_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = StaffTaskView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn set_task_visibility(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<TaskId>,
    ApiJson(body): ApiJson<VisibilityBody>,
) -> Result<Json<StaffTaskView>, ApiError> {
    let task = state
        .stores()
        .tasks
        .set_task_visibility(&caller.scope, id, body.visibility, &ip.audit())
        .await?;
    Ok(Json(task.into()))
}
