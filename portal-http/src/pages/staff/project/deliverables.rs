//! A milestone's deliverables on the project page: add one, edit its title and due day, move
//! it through its states (approval outcomes come only from the client's decision), publish or
//! withdraw it — each through the store call of the matching API route
//! (`manage_deliverables`, `publish`).

use axum::extract::Path;
use axum::response::Response;
use portal_core::DeliverableId;
use portal_core::model::{AuditContext, Deliverable, DeliverableInput};
use portal_core::state::DeliverableStatus;

use super::super::super::signed::{PageForm, SignedPage};
use super::super::shared::{Form, day};
use super::milestones::found as found_milestone;
use super::parts::{DATED_FIELDS, Dated, DatedFields, part, stateful};
use super::{Retry, done};
use crate::api::staff::display_name;
use crate::error::ApiError;
use crate::extract::ClientIp;

/// Deliverables, as parts of the project page.
pub(crate) struct Deliverables;

part!(
    Deliverables,
    DeliverableId,
    Deliverable,
    deliverables,
    deliverable,
    set_deliverable_visibility
);
stateful!(
    Deliverables,
    DeliverableStatus,
    deliverables,
    move_deliverable
);

impl Dated for Deliverables {
    const NAME: &'static str = "deliverable";
    const SAVED: &'static str = "notice-staff-deliverable-saved";

    fn retry(id: DeliverableId, form: Form<DatedFields>) -> Retry {
        Retry::Deliverable(id, form)
    }

    async fn save(
        page: &SignedPage,
        current: &Deliverable,
        fields: &DatedFields,
        audit: &AuditContext,
    ) -> Result<(), ApiError> {
        let input = DeliverableInput {
            milestone: current.milestone,
            title: display_name("title", &fields.title)?,
            due_on: day("due_on", &fields.due_on)?,
            external_id: current.external_id.clone(),
        };
        let stores = page.state.stores();
        stores
            .deliverables
            .update_deliverable(&page.scope, current.id, input, audit)
            .await?;
        Ok(())
    }
}

/// `POST staff/milestones/{id}/deliverables`: a new internal deliverable, not started.
pub(crate) async fn create_deliverable(
    ip: ClientIp,
    Path(milestone): Path<String>,
    form: PageForm<DatedFields>,
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
            let form_id = format!("deliverable-new-{id}");
            Retry::NewDeliverable(
                id,
                Form::failed(form_id, fields.clone(), error, DATED_FIELDS),
            )
        },
    )
    .await
}
