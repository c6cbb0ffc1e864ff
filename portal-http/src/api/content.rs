//! A project's status updates, decision records and next steps (tasks), and marking a task
//! done or open again.

use axum::Json;
use axum::extract::State;
use portal_core::model::{Decision, Task, TaskOwner, Update};
use portal_core::state::TaskStatus;
use portal_core::{DecisionId, ProjectId, TaskId, UpdateId, UserId, Visibility};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::paging::{PageOf, PageQuery};
use super::work::visible_project;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, Caller, ClientIp};
use crate::state::PortalState;

/// A status post.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateView {
    /// The update's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: UpdateId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// Its title.
    pub title: String,
    /// Its text (Markdown).
    pub body: String,
    /// `shared`, or `internal` for a draft (staff only).
    #[schema(value_type = String, example = "shared")]
    pub visibility: Visibility,
    /// Who wrote it.
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Update> for UpdateView {
    fn from(update: Update) -> Self {
        Self {
            id: update.id,
            project_id: update.project,
            title: update.title.into_string(),
            body: update.body,
            visibility: update.visibility,
            author: update.author,
            created_at: update.created_at,
        }
    }
}

/// A meeting decision record.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    /// The decision's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: DecisionId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// What was decided, in a line.
    pub title: String,
    /// Context and consequences.
    pub body: String,
    /// The day it was decided.
    #[schema(value_type = String, format = Date)]
    pub decided_on: Date,
    /// `shared` or `internal`.
    #[schema(value_type = String, example = "shared")]
    pub visibility: Visibility,
    /// Who recorded it.
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Decision> for DecisionView {
    fn from(decision: Decision) -> Self {
        Self {
            id: decision.id,
            project_id: decision.project,
            title: decision.title.into_string(),
            body: decision.body,
            decided_on: decision.decided_on,
            visibility: decision.visibility,
            author: decision.author,
            created_at: decision.created_at,
        }
    }
}

/// A next step.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    /// The task's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: TaskId,
    /// The project.
    #[schema(value_type = String, format = Uuid)]
    pub project_id: ProjectId,
    /// What to do.
    pub title: String,
    /// Whose move it is: `client` or `team`.
    #[schema(value_type = String, example = "client")]
    pub owner: TaskOwner,
    /// A named person, if any.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub assignee: Option<UserId>,
    /// `open` or `done`.
    #[schema(value_type = String, example = "open")]
    pub status: TaskStatus,
    /// When it is due.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    /// `shared` or `internal`.
    #[schema(value_type = String, example = "shared")]
    pub visibility: Visibility,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Task> for TaskView {
    fn from(task: Task) -> Self {
        Self {
            id: task.id,
            project_id: task.project,
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

/// A project's status updates the caller may see, newest first.
#[utoipa::path(get, path = "/projects/{project_id}/updates", tag = "work",
    params(("project_id" = String, Path, format = Uuid), PageQuery),
    responses(
        (status = 200, body = PageOf<UpdateView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view projects", body = ErrorBody),
        (status = 404, description = "No such project the caller may see", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list_updates(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(project): ApiPath<ProjectId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<UpdateView>>, ApiError> {
    let page = paging.page()?;
    visible_project(&state, &caller.scope, project).await?;
    let paged = state
        .stores()
        .updates
        .list_updates(&caller.scope, Some(project), page)
        .await?;
    Ok(Json(PageOf::map(paged, UpdateView::from)))
}

/// A project's decision records the caller may see, newest first.
#[utoipa::path(get, path = "/projects/{project_id}/decisions", tag = "work",
    params(("project_id" = String, Path, format = Uuid), PageQuery),
    responses(
        (status = 200, body = PageOf<DecisionView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view projects", body = ErrorBody),
        (status = 404, description = "No such project the caller may see", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list_decisions(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(project): ApiPath<ProjectId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<DecisionView>>, ApiError> {
    let page = paging.page()?;
    visible_project(&state, &caller.scope, project).await?;
    let paged = state
        .stores()
        .decisions
        .list_decisions(&caller.scope, Some(project), page)
        .await?;
    Ok(Json(PageOf::map(paged, DecisionView::from)))
}

/// A project's next steps the caller may see, newest first.
#[utoipa::path(get, path = "/projects/{project_id}/tasks", tag = "work",
    params(("project_id" = String, Path, format = Uuid), PageQuery),
    responses(
        (status = 200, body = PageOf<TaskView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view projects", body = ErrorBody),
        (status = 404, description = "No such project the caller may see", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list_tasks(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(project): ApiPath<ProjectId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<TaskView>>, ApiError> {
    let page = paging.page()?;
    visible_project(&state, &caller.scope, project).await?;
    let paged = state
        .stores()
        .tasks
        .list_tasks(&caller.scope, Some(project), page)
        .await?;
    Ok(Json(PageOf::map(paged, TaskView::from)))
}

/// Marks a task done: contacts their side's tasks (`complete_tasks`), staff any task.
#[utoipa::path(post, path = "/tasks/{task_id}/done", tag = "work",
    params(("task_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Done", body = TaskView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not complete this task", body = ErrorBody),
        (status = 404, description = "No such task the caller may see", body = ErrorBody),
        (status = 409, description = "Already done", body = ErrorBody),
    ))]
pub async fn complete_task(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath(id): ApiPath<TaskId>,
) -> Result<Json<TaskView>, ApiError> {
    set_task_status(&state, &caller, ip, id, TaskStatus::Done).await
}

/// Opens a done task again, with the same rights as marking it done.
#[utoipa::path(post, path = "/tasks/{task_id}/reopen", tag = "work",
    params(("task_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Open again", body = TaskView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not reopen this task", body = ErrorBody),
        (status = 404, description = "No such task the caller may see", body = ErrorBody),
        (status = 409, description = "Not done", body = ErrorBody),
    ))]
pub async fn reopen_task(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath(id): ApiPath<TaskId>,
) -> Result<Json<TaskView>, ApiError> {
    set_task_status(&state, &caller, ip, id, TaskStatus::Open).await
}

async fn set_task_status(
    state: &PortalState,
    caller: &Caller,
    ip: ClientIp,
    id: TaskId,
    to: TaskStatus,
) -> Result<Json<TaskView>, ApiError> {
    let task = state
        .stores()
        .tasks
        .set_task_status(&caller.scope, id, to, &ip.audit())
        .await?;
    Ok(Json(task.into()))
}
