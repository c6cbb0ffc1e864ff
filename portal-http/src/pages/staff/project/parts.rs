//! What the parts of a project page have in common, written once: a milestone, deliverable,
//! update, decision or task is found by the id of its path (or the branded 404) and published
//! or withdrawn; milestones, deliverables and tasks move through their states; milestones and
//! deliverables take a new title and due day; and the project's new milestones, updates,
//! decisions and tasks are created from a form. Each kind says only what is its own: its store
//! calls, its form and its confirmation.

use std::fmt::Display;
use std::str::FromStr;

use axum::extract::Path;
use axum::response::Response;
use portal_core::model::AuditContext;
use portal_core::state::StateMachine;
use portal_core::{ProjectId, Visibility};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::super::super::page::PageError;
use super::super::super::signed::{Failure, PageForm, SignedPage};
use super::super::shared::{Form, VisibilityFields, state_named};
use super::{Retry, child_id, done, project_id, published_notice};
use crate::error::ApiError;
use crate::extract::ClientIp;

/// The fields of a milestone or deliverable form: a title and a due day.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct DatedFields {
    /// Its title.
    #[serde(default)]
    pub(super) title: String,
    /// When it is due, `YYYY-MM-DD`; blank for none.
    #[serde(default)]
    pub(super) due_on: String,
}

/// The fields a dated form's error may name.
pub(super) const DATED_FIELDS: &[&str] = &["title", "due_on"];

/// A state a button asks for.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusFields {
    #[serde(default)]
    status: String,
}

/// A kind of part of a project page, published to the client or taken back one by one.
pub(crate) trait Part {
    /// The id of one, as a path names it.
    type Id: FromStr + Display + Copy + Send + Sync;
    /// One as the store gives it.
    type Item: Send;

    /// The one with `id` the scope sees; `None` when it is missing, foreign or hidden.
    fn fetch(
        page: &SignedPage,
        id: Self::Id,
    ) -> impl Future<Output = Result<Option<Self::Item>, ApiError>> + Send;

    /// The project it belongs to.
    fn project(item: &Self::Item) -> ProjectId;

    /// Publishes it or makes it internal again (`publish`).
    fn set_visibility(
        page: &SignedPage,
        id: Self::Id,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// A part that moves through the states of a state machine.
pub(crate) trait Stateful: Part {
    /// Its states.
    type State: StateMachine + Send;

    /// Moves it to `to`; the store refuses a move its state machine does not allow.
    fn move_to(
        page: &SignedPage,
        id: Self::Id,
        to: Self::State,
        audit: &AuditContext,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// A part whose title and due day the team edits.
pub(crate) trait Dated: Part {
    /// The prefix of its form's id: `<NAME>-<id>`.
    const NAME: &'static str;
    /// The confirmation of a save.
    const SAVED: &'static str;

    /// The project page shown again with its form and error.
    fn retry(id: Self::Id, form: Form<DatedFields>) -> Retry;

    /// Saves `fields` over `current`, keeping what the form does not show.
    fn save(
        page: &SignedPage,
        current: &Self::Item,
        fields: &DatedFields,
        audit: &AuditContext,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// The form of a new part of a project (a milestone, update, decision or task).
pub(crate) trait Draft: DeserializeOwned + Serialize + Clone + Send + Sync {
    /// Its form's id on the page.
    const FORM: &'static str;
    /// The fields its error may name.
    const FIELDS: &'static [&'static str];
    /// The confirmation of a creation.
    const CREATED: &'static str;

    /// The project page shown again with this form and its error.
    fn retry(form: Form<Self>) -> Retry;

    /// Checks the fields and creates the part, internal until published.
    fn create(
        &self,
        page: &SignedPage,
        project: ProjectId,
        audit: &AuditContext,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// The part of a path the viewer sees, with its id, or the 404.
pub(super) async fn found<P: Part>(
    page: &SignedPage,
    text: &str,
) -> Result<(P::Id, P::Item), Failure> {
    let id: P::Id = child_id(page, text)?;
    let item = P::fetch(page, id).await?.ok_or(PageError::NotFound)?;
    Ok((id, item))
}

/// `POST staff/projects/{id}/<parts>`: a new part from its form.
pub(crate) async fn create<F: Draft>(
    ip: ClientIp,
    Path(project): Path<String>,
    form: PageForm<F>,
) -> Response {
    let PageForm { page, fields } = form;
    let project = match project_id(&page, &project) {
        Ok(id) => id,
        Err(failure) => return page.fail(failure),
    };
    let created = fields.create(&page, project, &ip.audit()).await;
    done(&page, project, created, F::CREATED, |error| {
        F::retry(Form::failed(F::FORM, fields.clone(), error, F::FIELDS))
    })
    .await
}

/// `POST staff/<parts>/{id}`: a new title or due day.
pub(crate) async fn edit<P: Dated>(
    ip: ClientIp,
    Path(part): Path<String>,
    form: PageForm<DatedFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let (id, current) = match found::<P>(&page, &part).await {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let saved = P::save(&page, &current, &fields, &ip.audit()).await;
    done(&page, P::project(&current), saved, P::SAVED, |error| {
        let form_id = format!("{}-{id}", P::NAME);
        P::retry(
            id,
            Form::failed(form_id, fields.clone(), error, DATED_FIELDS),
        )
    })
    .await
}

/// `POST staff/<parts>/{id}/status`: a move of the part's state machine.
pub(crate) async fn status<P: Stateful>(
    ip: ClientIp,
    Path(part): Path<String>,
    form: PageForm<StatusFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let found = async {
        let (id, current) = found::<P>(&page, &part).await?;
        let to: P::State = state_named(&fields.status)?;
        Ok::<_, Failure>((id, P::project(&current), to))
    }
    .await;
    let (id, project, to) = match found {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let moved = P::move_to(&page, id, to, &ip.audit()).await;
    done(
        &page,
        project,
        moved,
        "notice-staff-status-changed",
        Retry::Act,
    )
    .await
}

/// `POST staff/<parts>/{id}/visibility`: shares the part with the client or makes it internal
/// again (`publish`).
pub(crate) async fn visibility<P: Part>(
    ip: ClientIp,
    Path(part): Path<String>,
    form: PageForm<VisibilityFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let found = async {
        let (id, current) = found::<P>(&page, &part).await?;
        Ok::<_, Failure>((id, P::project(&current), fields.visibility()?))
    }
    .await;
    let (id, project, visibility) = match found {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let set = P::set_visibility(&page, id, visibility, &ip.audit()).await;
    done(
        &page,
        project,
        set,
        published_notice(visibility),
        Retry::Act,
    )
    .await
}

/// Implements [`Part`] for a kind from its store's calls: `part!(Kind, Id, Item, store, fetch,
/// set_visibility)`. Used in the kinds' modules (siblings of this one).
macro_rules! part {
    ($kind:ident, $id:ty, $item:ty, $store:ident, $fetch:ident, $set:ident) => {
        impl super::parts::Part for $kind {
            type Id = $id;
            type Item = $item;

            async fn fetch(
                page: &super::super::super::signed::SignedPage,
                id: $id,
            ) -> Result<Option<$item>, crate::error::ApiError> {
                Ok(page.state.stores().$store.$fetch(&page.scope, id).await?)
            }

            fn project(item: &$item) -> portal_core::ProjectId {
                item.project
            }

            async fn set_visibility(
                page: &super::super::super::signed::SignedPage,
                id: $id,
                visibility: portal_core::Visibility,
                audit: &portal_core::model::AuditContext,
            ) -> Result<(), crate::error::ApiError> {
                let stores = page.state.stores();
                stores
                    .$store
                    .$set(&page.scope, id, visibility, audit)
                    .await?;
                Ok(())
            }
        }
    };
}
pub(super) use part;

/// Implements [`Stateful`] for a kind from its store's move: `stateful!(Kind, State, store,
/// move)`.
macro_rules! stateful {
    ($kind:ident, $state:ty, $store:ident, $move:ident) => {
        impl super::parts::Stateful for $kind {
            type State = $state;

            async fn move_to(
                page: &super::super::super::signed::SignedPage,
                id: <Self as super::parts::Part>::Id,
                to: $state,
                audit: &portal_core::model::AuditContext,
            ) -> Result<(), crate::error::ApiError> {
                let stores = page.state.stores();
                stores.$store.$move(&page.scope, id, to, audit).await?;
                Ok(())
            }
        }
    };
}
pub(super) use stateful;
