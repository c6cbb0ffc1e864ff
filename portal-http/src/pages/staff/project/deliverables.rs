//! A milestone's deliverables on the project page: add one, edit its title and due day, move
//! it through its states (approval outcomes come only from the client's decision), publish or
//! withdraw it — each through the store call of the matching API route
//! (`manage_deliverables`, `publish`).

use axum::extract::Path;
use axum::response::Response;
use portal_core::DeliverableId;
use portal_core::model::{Deliverable, DeliverableInput};
use portal_core::state::DeliverableStatus;
use serde::{Deserialize, Serialize};

use super::super::super::page::PageError;
use super::super::super::signed::{Failure, PageForm, SignedPage};
use super::super::shared::{Form, VisibilityFields, day, state_named};
use super::milestones::{StatusFields, found as found_milestone};
use super::{Retry, child_id, done, published_notice};
use crate::api::staff::display_name;
use crate::error::ApiError;
use crate::extract::ClientIp;

/// The fields of a deliverable form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct DeliverableFields {
    /// Its title.
    #[serde(default)]
    pub(super) title: String,
    /// When it is due, `YYYY-MM-DD`; blank for none.
    #[serde(default)]
    pub(super) due_on: String,
}

/// The fields a deliverable form's error may name.
const FIELDS: &[&str] = &["title", "due_on"];

/// `POST staff/milestones/{id}/deliverables`: a new internal deliverable, not started.
pub(crate) async fn create_deliverable(
    ip: ClientIp,
    Path(milestone): Path<String>,
    form: PageForm<DeliverableFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let milestone = match found_milestone(&page, &milestone).await {
        Ok(milestone) => milestone,
        Err(failure) => return page.fail(failure),
    };
    let created = async {
        let input = DeliverableInput {
            milestone: milestone.id,
            title: display_name("title", &fields.title)?,
            due_on: day("due_on", &fields.due_on)?,
            external_id: None,
        };
        page.state
            .stores()
            .deliverables
            .create_deliverable(&page.scope, input, &ip.audit())
            .await?;
        Ok(())
    }
    .await;
    let id = milestone.id;
    done(
        &page,
        milestone.project,
        created,
        "notice-staff-deliverable-added",
        |error| {
            Retry::NewDeliverable(
                id,
                Form::failed(
                    format!("deliverable-new-{id}"),
                    fields.clone(),
                    error,
                    FIELDS,
                ),
            )
        },
    )
    .await
}

/// `POST staff/deliverables/{id}`: a new title or due day.
pub(crate) async fn edit_deliverable(
    ip: ClientIp,
    Path(deliverable): Path<String>,
    form: PageForm<DeliverableFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let current = match found(&page, &deliverable).await {
        Ok(current) => current,
        Err(failure) => return page.fail(failure),
    };
    let (project, id) = (current.project, current.id);
    let saved = async {
        let input = DeliverableInput {
            milestone: current.milestone,
            title: display_name("title", &fields.title)?,
            due_on: day("due_on", &fields.due_on)?,
            external_id: current.external_id,
        };
        page.state
            .stores()
            .deliverables
            .update_deliverable(&page.scope, id, input, &ip.audit())
            .await?;
        Ok(())
    }
    .await;
    done(
        &page,
        project,
        saved,
        "notice-staff-deliverable-saved",
        |error| {
            Retry::Deliverable(
                id,
                Form::failed(format!("deliverable-{id}"), fields.clone(), error, FIELDS),
            )
        },
    )
    .await
}

/// `POST staff/deliverables/{id}/status`.
pub(crate) async fn deliverable_status(
    ip: ClientIp,
    Path(deliverable): Path<String>,
    form: PageForm<StatusFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let (current, to) = match found(&page, &deliverable).await.and_then(|current| {
        let to: DeliverableStatus = state_named(&fields.status)?;
        Ok((current, to))
    }) {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let moved = page
        .state
        .stores()
        .deliverables
        .move_deliverable(&page.scope, current.id, to, &ip.audit())
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

/// `POST staff/deliverables/{id}/visibility` (`publish`).
pub(crate) async fn deliverable_visibility(
    ip: ClientIp,
    Path(deliverable): Path<String>,
    form: PageForm<VisibilityFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let (current, visibility) = match found(&page, &deliverable)
        .await
        .and_then(|current| Ok((current, fields.visibility()?)))
    {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let set = page
        .state
        .stores()
        .deliverables
        .set_deliverable_visibility(&page.scope, current.id, visibility, &ip.audit())
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

/// The deliverable of a path the viewer sees, or the 404.
async fn found(page: &SignedPage, text: &str) -> Result<Deliverable, Failure> {
    let id: DeliverableId = child_id(page, text)?;
    page.state
        .stores()
        .deliverables
        .deliverable(&page.scope, id)
        .await?
        .ok_or(Failure::Page(PageError::NotFound))
}
