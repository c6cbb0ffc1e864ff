//! A project's status updates, decision records and next steps on its page: write an update
//! (Markdown text, as the API stores it), record a decision, add a task (whose move it is, when
//! it is due), mark a task done or open again, and publish or withdraw each — through the store
//! calls of the matching API routes (`manage_updates`, `manage_decisions`, `manage_tasks`,
//! `publish`). Each is internal until published.

use axum::extract::Path;
use axum::response::Response;
use portal_core::model::{NewDecision, NewTask, NewUpdate, TaskOwner};
use portal_core::state::TaskStatus;
use portal_core::{DecisionId, DomainError, Invalid, ProjectId, TaskId, UpdateId, Visibility};
use serde::{Deserialize, Serialize};

use super::super::super::page::PageError;
use super::super::super::signed::{Failure, PageForm, SignedPage};
use super::super::shared::{Form, VisibilityFields, day, required_day};
use super::milestones::StatusFields;
use super::{Retry, child_id, done, project_id, published_notice};
use crate::api::staff::work::MAX_TEXT_CHARS;
use crate::api::staff::{bounded, display_name};
use crate::error::ApiError;
use crate::extract::ClientIp;

/// The fields of the update form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct UpdateFields {
    /// Its title.
    #[serde(default)]
    pub(super) title: String,
    /// The text, in Markdown.
    #[serde(default)]
    pub(super) body: String,
}

/// The fields of the decision form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct DecisionFields {
    /// What was decided, in short.
    #[serde(default)]
    pub(super) title: String,
    /// The record.
    #[serde(default)]
    pub(super) body: String,
    /// The day it was decided, `YYYY-MM-DD`.
    #[serde(default)]
    pub(super) decided_on: String,
}

/// The fields of the task form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct TaskFields {
    /// What to do.
    #[serde(default)]
    pub(super) title: String,
    /// Whose move it is: `client` or `team`.
    #[serde(default)]
    pub(super) owner: String,
    /// When it is due, `YYYY-MM-DD`; blank for none.
    #[serde(default)]
    pub(super) due_on: String,
}

/// `POST staff/projects/{id}/updates`: an internal status update.
pub(crate) async fn create_update(
    ip: ClientIp,
    Path(project): Path<String>,
    form: PageForm<UpdateFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let project = match project_id(&page, &project) {
        Ok(id) => id,
        Err(failure) => return page.fail(failure),
    };
    let created = async {
        let title = display_name("title", &fields.title)?;
        if fields.body.trim().is_empty() {
            return Err(DomainError::validation("body", Invalid::Empty).into());
        }
        bounded("body", &fields.body, MAX_TEXT_CHARS)?;
        let update = NewUpdate {
            project,
            title,
            body: fields.body.clone(),
        };
        page.state
            .stores()
            .updates
            .create_update(&page.scope, update, &ip.audit())
            .await?;
        Ok(())
    }
    .await;
    done(
        &page,
        project,
        created,
        "notice-staff-update-added",
        |error| {
            Retry::Update(Form::failed(
                "update-new",
                fields.clone(),
                error,
                &["title", "body"],
            ))
        },
    )
    .await
}

/// `POST staff/updates/{id}/visibility` (`publish`).
pub(crate) async fn update_visibility(
    ip: ClientIp,
    Path(update): Path<String>,
    form: PageForm<VisibilityFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let found = async {
        let id: UpdateId = child_id(&page, &update)?;
        let update = page
            .state
            .stores()
            .updates
            .update(&page.scope, id)
            .await?
            .ok_or(PageError::NotFound)?;
        Ok::<_, Failure>((update.id, update.project, fields.visibility()?))
    }
    .await;
    let (id, project, visibility) = match found {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let set = page
        .state
        .stores()
        .updates
        .set_update_visibility(&page.scope, id, visibility, &ip.audit())
        .await
        .map(drop)
        .map_err(ApiError::from);
    toggled(&page, project, set, visibility).await
}

/// `POST staff/projects/{id}/decisions`: an internal decision record.
pub(crate) async fn create_decision(
    ip: ClientIp,
    Path(project): Path<String>,
    form: PageForm<DecisionFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let project = match project_id(&page, &project) {
        Ok(id) => id,
        Err(failure) => return page.fail(failure),
    };
    let created = async {
        let decision = NewDecision {
            project,
            title: display_name("title", &fields.title)?,
            body: {
                bounded("body", &fields.body, MAX_TEXT_CHARS)?;
                fields.body.clone()
            },
            decided_on: required_day("decided_on", &fields.decided_on)?,
        };
        page.state
            .stores()
            .decisions
            .create_decision(&page.scope, decision, &ip.audit())
            .await?;
        Ok(())
    }
    .await;
    done(
        &page,
        project,
        created,
        "notice-staff-decision-added",
        |error| {
            Retry::Decision(Form::failed(
                "decision-new",
                fields.clone(),
                error,
                &["title", "body", "decided_on"],
            ))
        },
    )
    .await
}

/// `POST staff/decisions/{id}/visibility` (`publish`).
pub(crate) async fn decision_visibility(
    ip: ClientIp,
    Path(decision): Path<String>,
    form: PageForm<VisibilityFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let found = async {
        let id: DecisionId = child_id(&page, &decision)?;
        let decision = page
            .state
            .stores()
            .decisions
            .decision(&page.scope, id)
            .await?
            .ok_or(PageError::NotFound)?;
        Ok::<_, Failure>((decision.id, decision.project, fields.visibility()?))
    }
    .await;
    let (id, project, visibility) = match found {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let set = page
        .state
        .stores()
        .decisions
        .set_decision_visibility(&page.scope, id, visibility, &ip.audit())
        .await
        .map(drop)
        .map_err(ApiError::from);
    toggled(&page, project, set, visibility).await
}

/// `POST staff/projects/{id}/tasks`: an internal next step.
pub(crate) async fn create_task(
    ip: ClientIp,
    Path(project): Path<String>,
    form: PageForm<TaskFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let project = match project_id(&page, &project) {
        Ok(id) => id,
        Err(failure) => return page.fail(failure),
    };
    let created = async {
        let owner = match fields.owner.as_str() {
            "client" => TaskOwner::Client,
            "team" => TaskOwner::Team,
            _ => {
                return Err(
                    DomainError::validation("owner", Invalid::Malformed("client or team")).into(),
                );
            }
        };
        let task = NewTask {
            project,
            title: display_name("title", &fields.title)?,
            owner,
            assignee: None,
            due_on: day("due_on", &fields.due_on)?,
        };
        page.state
            .stores()
            .tasks
            .create_task(&page.scope, task, &ip.audit())
            .await?;
        Ok(())
    }
    .await;
    done(
        &page,
        project,
        created,
        "notice-staff-task-added",
        |error| {
            Retry::Task(Form::failed(
                "task-new",
                fields.clone(),
                error,
                &["title", "owner", "due_on"],
            ))
        },
    )
    .await
}

/// `POST staff/tasks/{id}/visibility` (`publish`).
pub(crate) async fn task_visibility(
    ip: ClientIp,
    Path(task): Path<String>,
    form: PageForm<VisibilityFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let found = async {
        let (id, project) = found_task(&page, &task).await?;
        Ok::<_, Failure>((id, project, fields.visibility()?))
    }
    .await;
    let (id, project, visibility) = match found {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let set = page
        .state
        .stores()
        .tasks
        .set_task_visibility(&page.scope, id, visibility, &ip.audit())
        .await
        .map(drop)
        .map_err(ApiError::from);
    toggled(&page, project, set, visibility).await
}

/// `POST staff/tasks/{id}/status`: `done`, or `open` again (`manage_tasks`).
pub(crate) async fn task_status(
    ip: ClientIp,
    Path(task): Path<String>,
    form: PageForm<StatusFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let found = async {
        let (id, project) = found_task(&page, &task).await?;
        let to = match fields.status.as_str() {
            "done" => TaskStatus::Done,
            "open" => TaskStatus::Open,
            _ => return Err(Failure::Page(PageError::BadRequest)),
        };
        Ok((id, project, to))
    }
    .await;
    let (id, project, to) = match found {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let set = page
        .state
        .stores()
        .tasks
        .set_task_status(&page.scope, id, to, &ip.audit())
        .await
        .map(drop)
        .map_err(ApiError::from);
    done(
        &page,
        project,
        set,
        "notice-staff-status-changed",
        Retry::Act,
    )
    .await
}

/// The task of a path the viewer sees, with its project, or the 404.
async fn found_task(page: &SignedPage, text: &str) -> Result<(TaskId, ProjectId), Failure> {
    let id: TaskId = child_id(page, text)?;
    let task = page
        .state
        .stores()
        .tasks
        .task(&page.scope, id)
        .await?
        .ok_or(PageError::NotFound)?;
    Ok((task.id, task.project))
}

/// After a toggle: the project page with its confirmation, or why it was refused.
async fn toggled(
    page: &SignedPage,
    project: ProjectId,
    set: Result<(), ApiError>,
    visibility: Visibility,
) -> Response {
    done(page, project, set, published_notice(visibility), Retry::Act).await
}
