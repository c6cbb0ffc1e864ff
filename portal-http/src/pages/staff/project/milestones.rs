//! A project's milestones on its page: add one (at the end of the order), edit its title and due
//! day, move it through its states, publish or withdraw it, and move it up or down the order —
//! each through the store call of the matching API route (`manage_milestones`, `publish`).

use axum::extract::Path;
use axum::response::Response;
use portal_core::model::{Milestone, MilestoneInput};
use portal_core::state::MilestoneStatus;
use portal_core::{MilestoneId, ProjectId};
use serde::{Deserialize, Serialize};

use super::super::super::page::PageError;
use super::super::super::signed::{Failure, PageForm, SignedPage};
use super::super::shared::{Form, VisibilityFields, day, state_named};
use super::{Retry, child_id, done, ordered_milestones, project_id, published_notice};
use crate::api::staff::display_name;
use crate::error::ApiError;
use crate::extract::ClientIp;

/// The fields of a milestone form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct MilestoneFields {
    /// Its title.
    #[serde(default)]
    pub(super) title: String,
    /// When it is due, `YYYY-MM-DD`; blank for none.
    #[serde(default)]
    pub(super) due_on: String,
}

/// The fields a milestone form's error may name.
const FIELDS: &[&str] = &["title", "due_on"];

/// `POST staff/projects/{id}/milestones`: a new internal, planned milestone at the end.
pub(crate) async fn create_milestone(
    ip: ClientIp,
    Path(project): Path<String>,
    form: PageForm<MilestoneFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let project = match project_id(&page, &project) {
        Ok(id) => id,
        Err(failure) => return page.fail(failure),
    };
    let created = async {
        let last = match ordered_milestones(&page, project).await {
            Ok(milestones) => milestones.last().map_or(0, |milestone| milestone.position),
            Err(Failure::Api(error)) => return Err(error),
            Err(Failure::Page(error)) => return Err(page_error(error)),
        };
        let input = MilestoneInput {
            project,
            title: display_name("title", &fields.title)?,
            due_on: day("due_on", &fields.due_on)?,
            position: last.saturating_add(1),
            external_id: None,
        };
        page.state
            .stores()
            .milestones
            .create_milestone(&page.scope, input, &ip.audit())
            .await?;
        Ok(())
    }
    .await;
    done(
        &page,
        project,
        created,
        "notice-staff-milestone-added",
        |error| Retry::NewMilestone(Form::failed("milestone-new", fields.clone(), error, FIELDS)),
    )
    .await
}

/// `POST staff/milestones/{id}`: a new title or due day.
pub(crate) async fn edit_milestone(
    ip: ClientIp,
    Path(milestone): Path<String>,
    form: PageForm<MilestoneFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let current = match found(&page, &milestone).await {
        Ok(current) => current,
        Err(failure) => return page.fail(failure),
    };
    let (project, id) = (current.project, current.id);
    let saved = async {
        let input = MilestoneInput {
            project,
            title: display_name("title", &fields.title)?,
            due_on: day("due_on", &fields.due_on)?,
            position: current.position,
            external_id: current.external_id,
        };
        page.state
            .stores()
            .milestones
            .update_milestone(&page.scope, id, input, &ip.audit())
            .await?;
        Ok(())
    }
    .await;
    done(
        &page,
        project,
        saved,
        "notice-staff-milestone-saved",
        |error| {
            Retry::Milestone(
                id,
                Form::failed(format!("milestone-{id}"), fields.clone(), error, FIELDS),
            )
        },
    )
    .await
}

/// A state a button asks for.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusFields {
    #[serde(default)]
    pub(super) status: String,
}

/// `POST staff/milestones/{id}/status`: planned → in progress → completed (and back).
pub(crate) async fn milestone_status(
    ip: ClientIp,
    Path(milestone): Path<String>,
    form: PageForm<StatusFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let (current, to) = match found(&page, &milestone).await.and_then(|current| {
        let to: MilestoneStatus = state_named(&fields.status)?;
        Ok((current, to))
    }) {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let moved = page
        .state
        .stores()
        .milestones
        .move_milestone(&page.scope, current.id, to, &ip.audit())
        .await
        .map(drop)
        .map_err(ApiError::from);
    done(
        &page,
        current.project,
        moved,
        "notice-staff-status-changed",
        Retry::Act,
    )
    .await
}

/// `POST staff/milestones/{id}/visibility`: shares the milestone with the client or makes it
/// internal again (`publish`).
pub(crate) async fn milestone_visibility(
    ip: ClientIp,
    Path(milestone): Path<String>,
    form: PageForm<VisibilityFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let (current, visibility) = match found(&page, &milestone)
        .await
        .and_then(|current| Ok((current, fields.visibility()?)))
    {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let set = page
        .state
        .stores()
        .milestones
        .set_milestone_visibility(&page.scope, current.id, visibility, &ip.audit())
        .await
        .map(drop)
        .map_err(ApiError::from);
    done(
        &page,
        current.project,
        set,
        published_notice(visibility),
        Retry::Act,
    )
    .await
}

/// Which way a milestone moves in the order.
#[derive(Debug, Deserialize)]
pub(crate) struct DirectionFields {
    #[serde(default)]
    direction: String,
}

/// `POST staff/milestones/{id}/move`: one place up or down the project's order. The order is
/// the milestones' positions, as `PATCH /milestones/{id}` sets them: the milestones are
/// numbered 1, 2, 3 … in the new order, and only those whose number changes are written.
pub(crate) async fn reorder_milestone(
    ip: ClientIp,
    Path(milestone): Path<String>,
    form: PageForm<DirectionFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let up = match fields.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => return page.fail(PageError::BadRequest),
    };
    let current = match found(&page, &milestone).await {
        Ok(current) => current,
        Err(failure) => return page.fail(failure),
    };
    let project = current.project;
    let moved = async {
        let mut order = match ordered_milestones(&page, project).await {
            Ok(order) => order,
            Err(Failure::Api(error)) => return Err(error),
            Err(Failure::Page(error)) => return Err(page_error(error)),
        };
        let Some(at) = order
            .iter()
            .position(|milestone| milestone.id == current.id)
        else {
            return Err(ApiError::NotFound);
        };
        let other = if up { at.checked_sub(1) } else { Some(at + 1) };
        if let Some(other) = other.filter(|other| *other < order.len()) {
            order.swap(at, other);
        }
        renumber(&page, &ip, project, order).await
    }
    .await;
    done(
        &page,
        project,
        moved,
        "notice-staff-order-changed",
        Retry::Act,
    )
    .await
}

/// Writes positions 1, 2, 3 … to the milestones of `order` whose position differs.
async fn renumber(
    page: &SignedPage,
    ip: &ClientIp,
    project: ProjectId,
    order: Vec<Milestone>,
) -> Result<(), ApiError> {
    for (place, milestone) in (1_i32..).zip(order) {
        if milestone.position == place {
            continue;
        }
        let input = MilestoneInput {
            project,
            title: milestone.title,
            due_on: milestone.due_on,
            position: place,
            external_id: milestone.external_id,
        };
        page.state
            .stores()
            .milestones
            .update_milestone(&page.scope, milestone.id, input, &ip.audit())
            .await?;
    }
    Ok(())
}

/// The milestone of a path the viewer sees, or the 404.
pub(super) async fn found(page: &SignedPage, text: &str) -> Result<Milestone, Failure> {
    let id: MilestoneId = child_id(page, text)?;
    page.state
        .stores()
        .milestones
        .milestone(&page.scope, id)
        .await?
        .ok_or(Failure::Page(PageError::NotFound))
}

/// A page error as the API error that answers the same way.
pub(super) fn page_error(error: PageError) -> ApiError {
    match error {
        PageError::NotFound => ApiError::NotFound,
        PageError::Forbidden => ApiError::Forbidden,
        PageError::BadRequest => ApiError::BadRequest("bad request".to_owned()),
        PageError::Internal(source) => ApiError::Internal(source),
    }
}
