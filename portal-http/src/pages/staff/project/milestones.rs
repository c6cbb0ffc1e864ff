//! A project's milestones on its page: add one (at the end of the order), edit its title and due
//! day, move it through its states, publish or withdraw it, and move it up or down the order —
//! each through the store call of the matching API route (`manage_milestones`, `publish`).

use axum::extract::Path;
use axum::response::Response;
use portal_core::model::{AuditContext, Milestone, MilestoneInput};
use portal_core::state::MilestoneStatus;
use portal_core::{MilestoneId, ProjectId};
use serde::{Deserialize, Serialize};

use super::super::super::page::PageError;
use super::super::super::signed::{Failure, PageForm, SignedPage};
use super::super::shared::{Form, day};
use super::parts::{self, DATED_FIELDS, Dated, DatedFields, Draft, part, stateful};
use super::{Retry, done, ordered_milestones};
use crate::api::staff::display_name;
use crate::error::ApiError;
use crate::extract::ClientIp;

/// Milestones, as parts of the project page.
pub(crate) struct Milestones;

part!(
    Milestones,
    MilestoneId,
    Milestone,
    milestones,
    milestone,
    set_milestone_visibility
);
stateful!(Milestones, MilestoneStatus, milestones, move_milestone);

impl Dated for Milestones {
    const NAME: &'static str = "milestone";
    const SAVED: &'static str = "notice-staff-milestone-saved";

    fn retry(id: MilestoneId, form: Form<DatedFields>) -> Retry {
        Retry::Milestone(id, form)
    }

    async fn save(
        page: &SignedPage,
        current: &Milestone,
        fields: &DatedFields,
        audit: &AuditContext,
    ) -> Result<(), ApiError> {
        let input = MilestoneInput {
            project: current.project,
            title: display_name("title", &fields.title)?,
            due_on: day("due_on", &fields.due_on)?,
            position: current.position,
            external_id: current.external_id.clone(),
        };
        let stores = page.state.stores();
        stores
            .milestones
            .update_milestone(&page.scope, current.id, input, audit)
            .await?;
        Ok(())
    }
}

/// The form of a new milestone: internal and planned, at the end of the project's order.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(transparent)]
pub(crate) struct NewMilestone(pub(super) DatedFields);

impl Draft for NewMilestone {
    const FORM: &'static str = "milestone-new";
    const FIELDS: &'static [&'static str] = DATED_FIELDS;
    const CREATED: &'static str = "notice-staff-milestone-added";

    fn retry(form: Form<Self>) -> Retry {
        Retry::NewMilestone(form)
    }

    async fn create(
        &self,
        page: &SignedPage,
        project: ProjectId,
        audit: &AuditContext,
    ) -> Result<(), ApiError> {
        let last = match ordered_milestones(page, project).await {
            Ok(milestones) => milestones.last().map_or(0, |milestone| milestone.position),
            Err(Failure::Api(error)) => return Err(error),
            Err(Failure::Page(error)) => return Err(page_error(error)),
        };
        let input = MilestoneInput {
            project,
            title: display_name("title", &self.0.title)?,
            due_on: day("due_on", &self.0.due_on)?,
            position: last.saturating_add(1),
            external_id: None,
        };
        let stores = page.state.stores();
        stores
            .milestones
            .create_milestone(&page.scope, input, audit)
            .await?;
        Ok(())
    }
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
    Ok(parts::found::<Milestones>(page, text).await?.1)
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
