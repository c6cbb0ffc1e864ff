//! A project's status updates, decision records and next steps on its page: write an update
//! (Markdown text, as the API stores it), record a decision, add a task (whose move it is, when
//! it is due), mark a task done or open again, and publish or withdraw each — through the store
//! calls of the matching API routes (`manage_updates`, `manage_decisions`, `manage_tasks`,
//! `publish`). Each is internal until published.

use portal_core::model::{
    AuditContext, Decision, NewDecision, NewTask, NewUpdate, Task, TaskOwner, Update,
};
use portal_core::state::TaskStatus;
use portal_core::{DecisionId, DomainError, Invalid, ProjectId, TaskId, UpdateId};
use serde::{Deserialize, Serialize};

use super::super::super::signed::SignedPage;
use super::super::shared::{Form, day, required_day};
use super::Retry;
use super::parts::{Draft, part, stateful};
use crate::api::staff::work::MAX_TEXT_CHARS;
use crate::api::staff::{bounded, display_name};
use crate::error::ApiError;

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

/// Status updates, as parts of the project page.
pub(crate) struct Updates;

part!(
    Updates,
    UpdateId,
    Update,
    updates,
    update,
    set_update_visibility
);

impl Draft for UpdateFields {
    const FORM: &'static str = "update-new";
    const FIELDS: &'static [&'static str] = &["title", "body"];
    const CREATED: &'static str = "notice-staff-update-added";

    fn retry(form: Form<Self>) -> Retry {
        Retry::Update(form)
    }

    /// An internal status update.
    async fn create(
        &self,
        page: &SignedPage,
        project: ProjectId,
        audit: &AuditContext,
    ) -> Result<(), ApiError> {
        let title = display_name("title", &self.title)?;
        if self.body.trim().is_empty() {
            return Err(DomainError::validation("body", Invalid::Empty).into());
        }
        bounded("body", &self.body, MAX_TEXT_CHARS)?;
        let update = NewUpdate {
            project,
            title,
            body: self.body.clone(),
        };
        let stores = page.state.stores();
        stores
            .updates
            .create_update(&page.scope, update, audit)
            .await?;
        Ok(())
    }
}

/// Decision records, as parts of the project page.
pub(crate) struct Decisions;

part!(
    Decisions,
    DecisionId,
    Decision,
    decisions,
    decision,
    set_decision_visibility
);

impl Draft for DecisionFields {
    const FORM: &'static str = "decision-new";
    const FIELDS: &'static [&'static str] = &["title", "body", "decided_on"];
    const CREATED: &'static str = "notice-staff-decision-added";

    fn retry(form: Form<Self>) -> Retry {
        Retry::Decision(form)
    }

    /// An internal decision record.
    async fn create(
        &self,
        page: &SignedPage,
        project: ProjectId,
        audit: &AuditContext,
    ) -> Result<(), ApiError> {
        let decision = NewDecision {
            project,
            title: display_name("title", &self.title)?,
            body: {
                bounded("body", &self.body, MAX_TEXT_CHARS)?;
                self.body.clone()
            },
            decided_on: required_day("decided_on", &self.decided_on)?,
        };
        let stores = page.state.stores();
        stores
            .decisions
            .create_decision(&page.scope, decision, audit)
            .await?;
        Ok(())
    }
}

/// Next steps, as parts of the project page: done, or open again (`manage_tasks`).
pub(crate) struct Tasks;

part!(Tasks, TaskId, Task, tasks, task, set_task_visibility);
stateful!(Tasks, TaskStatus, tasks, set_task_status);

impl Draft for TaskFields {
    const FORM: &'static str = "task-new";
    const FIELDS: &'static [&'static str] = &["title", "owner", "due_on"];
    const CREATED: &'static str = "notice-staff-task-added";

    fn retry(form: Form<Self>) -> Retry {
        Retry::Task(form)
    }

    /// An internal next step.
    async fn create(
        &self,
        page: &SignedPage,
        project: ProjectId,
        audit: &AuditContext,
    ) -> Result<(), ApiError> {
        let owner = match self.owner.as_str() {
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
            title: display_name("title", &self.title)?,
            owner,
            assignee: None,
            due_on: day("due_on", &self.due_on)?,
        };
        let stores = page.state.stores();
        stores.tasks.create_task(&page.scope, task, audit).await?;
        Ok(())
    }
}
