//! `staff/projects/{id}`: one project as the team runs it — its fields and status, and whether
//! the client sees it; its milestones (in order, with their deliverables), status updates,
//! decision records and next steps, each with its state, the moves its state machine allows and
//! a publish toggle ("Shared with client" / "Internal") for roles with `publish`.
//!
//! Reads and writes are the store calls of the API's work and content routes, with the page's
//! scope: a project the viewer does not reach is the branded 404, and a form the role may not
//! use is not shown (a forged post is refused by the store).

mod content;
mod deliverables;
mod milestones;
mod parts;
mod view;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{Milestone, ProjectInput};
use portal_core::{DeliverableId, MilestoneId, ProjectId};

pub(crate) use self::content::{
    DecisionFields, Decisions, TaskFields, Tasks, UpdateFields, Updates,
};
pub(crate) use self::deliverables::{Deliverables, create_deliverable};
pub(crate) use self::milestones::{Milestones, NewMilestone, reorder_milestone};
use self::parts::DatedFields;
pub(crate) use self::parts::{create, edit as edit_part, status, visibility as part_visibility};
use super::super::form::FormError;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::projects::{PROJECT_FIELDS, ProjectFields};
use super::shared::{DELIVERY, Form, VisibilityFields, after_post, every, id, opens};
use crate::api::work::visible_project;
use crate::error::ApiError;
use crate::extract::ClientIp;

/// A form of the project page shown again with its error.
pub(super) enum Retry {
    /// Nothing to show again.
    Nothing,
    /// The project's fields.
    Project(Form<ProjectFields>),
    /// A new milestone.
    NewMilestone(Form<NewMilestone>),
    /// A milestone's fields.
    Milestone(MilestoneId, Form<DatedFields>),
    /// A new deliverable of a milestone.
    NewDeliverable(MilestoneId, Form<DatedFields>),
    /// A deliverable's fields.
    Deliverable(DeliverableId, Form<DatedFields>),
    /// A new status update.
    Update(Form<UpdateFields>),
    /// A new decision record.
    Decision(Form<DecisionFields>),
    /// A new task.
    Task(Form<TaskFields>),
    /// A button whose act was refused (a move, a toggle).
    Act(FormError),
}

/// `GET staff/projects/{id}`.
pub(crate) async fn show(page: SignedPage, Path(project): Path<String>) -> Response {
    match project_id(&page, &project) {
        Ok(id) => respond(&page, id, Retry::Nothing, StatusCode::OK).await,
        Err(failure) => page.fail(failure),
    }
}

/// `POST staff/projects/{id}`: the project's name, description, status and schedule
/// (`manage_projects`); its client and budget stay as they are.
pub(crate) async fn edit(
    ip: ClientIp,
    Path(project): Path<String>,
    form: PageForm<ProjectFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let id = match project_id(&page, &project) {
        Ok(id) => id,
        Err(failure) => return page.fail(failure),
    };
    let saved = async {
        let current = visible_project(&page.state, &page.scope, id).await?;
        let input = ProjectInput {
            client: current.client,
            name: fields.checked_name()?,
            description: fields.description.clone(),
            status: fields.status()?,
            schedule: fields.schedule()?,
            budget: current.budget,
            external_id: current.external_id,
        };
        page.state
            .stores()
            .projects
            .update_project(&page.scope, id, input, &ip.audit())
            .await?;
        Ok(())
    }
    .await;
    done(&page, id, saved, "notice-staff-project-saved", |error| {
        Retry::Project(Form::failed(
            "project",
            fields.clone(),
            error,
            PROJECT_FIELDS,
        ))
    })
    .await
}

/// `POST staff/projects/{id}/visibility`: publishes the project to its client or takes it
/// back (`publish`).
pub(crate) async fn visibility(
    ip: ClientIp,
    Path(project): Path<String>,
    form: PageForm<VisibilityFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let id = match project_id(&page, &project) {
        Ok(id) => id,
        Err(failure) => return page.fail(failure),
    };
    let visibility = match fields.visibility() {
        Ok(visibility) => visibility,
        Err(error) => return page.fail(error),
    };
    let set = page
        .state
        .stores()
        .projects
        .set_project_visibility(&page.scope, id, visibility, &ip.audit())
        .await
        .map(drop)
        .map_err(ApiError::from);
    done(&page, id, set, published_notice(visibility), Retry::Act).await
}

/// The confirmation of a toggle.
pub(super) const fn published_notice(visibility: portal_core::Visibility) -> &'static str {
    if visibility.is_shared() {
        "notice-staff-published"
    } else {
        "notice-staff-withdrawn"
    }
}

/// The project of a path, for a viewer the delivery section opens to.
pub(super) fn project_id(page: &SignedPage, text: &str) -> Result<ProjectId, Failure> {
    opens(page, DELIVERY)?;
    Ok(id(text)?)
}

/// Checks that the delivery section opens to the viewer, then parses an id of a path.
pub(super) fn child_id<T: std::str::FromStr>(page: &SignedPage, text: &str) -> Result<T, Failure> {
    opens(page, DELIVERY)?;
    Ok(id(text)?)
}

/// After a form post on the project page: back to the page with `notice`, or the page again
/// with the form (`failed`) and its error.
pub(super) async fn done(
    page: &SignedPage,
    project: ProjectId,
    result: Result<(), ApiError>,
    notice: &'static str,
    failed: impl FnOnce(FormError) -> Retry,
) -> Response {
    let path = result
        .map(|()| format!("/staff/projects/{project}"))
        .map_err(Failure::from);
    after_post(page, path, notice, |error, status| {
        respond(page, project, failed(error), status)
    })
    .await
}

/// The project page, or the answer to why it cannot be shown.
pub(super) async fn respond(
    page: &SignedPage,
    project: ProjectId,
    retry: Retry,
    status: StatusCode,
) -> Response {
    match view::render(page, project, retry, status).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The project's milestones the scope sees, in the project's order.
pub(super) async fn ordered_milestones(
    page: &SignedPage,
    project: ProjectId,
) -> Result<Vec<Milestone>, Failure> {
    let stores = page.state.stores();
    let mut milestones =
        every(|at| stores.milestones.list_milestones(&page.scope, project, at)).await?;
    milestones.sort_by_key(|milestone| (milestone.position, milestone.created_at, milestone.id));
    Ok(milestones)
}
