//! What the team's pages share: who may open them, ids from paths, whole lists, the labels of
//! states, publish toggles and forms shown again with their error.
//!
//! Every staff page is for the team only: a contact, a client preview or a role without the
//! section's permissions gets the branded 404, exactly like a path that does not exist. What a
//! member of staff may read or change is still decided by the stores, with the page's scope.

use std::str::FromStr;

use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::ProjectStatus;
use portal_core::state::{
    ApprovalStatus, DeliverableStatus, MilestoneStatus, RequestStatus, TaskStatus,
};
use portal_core::{ClientId, DomainError, Invalid, Permission, TenantScope, Visibility};
use portal_storage::{Cursor, Page, Paged, StoreResult};
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

use super::super::catalogue::CatalogueError;
use super::super::form::FormError;
use super::super::nav::holds_any;
use super::super::page::PageError;
use super::super::signed::{Failure, SignedPage};
use crate::api::paging::every_item;
use crate::error::ApiError;

/// What opens the clients section (as the navigation links it).
pub(super) const CLIENTS: &[Permission] = &[Permission::ManageClients, Permission::ManageStaff];

/// What opens the delivery section: projects and everything in them.
pub(super) const DELIVERY: &[Permission] = &[
    Permission::ManageProjects,
    Permission::ManageMilestones,
    Permission::ManageDeliverables,
    Permission::ManageUpdates,
    Permission::ManageDecisions,
    Permission::Publish,
];

/// What opens the approval queue.
pub(super) const APPROVALS: &[Permission] = &[Permission::RequestApprovals];

/// What opens the requests inbox.
pub(super) const REQUESTS: &[Permission] = &[Permission::ManageRequests];

/// The most items a page gathers from the pages of a store's list before it sorts them.
const MOST_ITEMS: usize = 1_000;

/// `Ok` for a member of staff (not in a client preview) holding any of `any_of`; else the 404
/// every other path answers, so a page never tells a contact that it exists.
pub(super) fn opens(page: &SignedPage, any_of: &[Permission]) -> Result<(), PageError> {
    let staff = page.scope.is_staff_side() && !page.scope.is_read_only();
    if staff && holds_any(&page.scope, any_of) {
        Ok(())
    } else {
        Err(PageError::NotFound)
    }
}

/// An id from a path; anything that is not one is the same 404 as an unknown id.
pub(super) fn id<T: FromStr>(text: &str) -> Result<T, PageError> {
    text.parse().map_err(|_| PageError::NotFound)
}

/// Whether `scope` holds `permission` on `client`'s objects.
pub(super) fn may(scope: &TenantScope, client: ClientId, permission: Permission) -> bool {
    scope.permissions_in(Some(client)).contains(permission)
}

/// Every item of a store's list, page by page, up to [`MOST_ITEMS`]: `fetch` asks the store
/// for one page.
pub(super) async fn every<T, F>(fetch: impl FnMut(Page) -> F) -> Result<Vec<T>, Failure>
where
    F: Future<Output = StoreResult<Paged<T>>>,
{
    Ok(every_item(MOST_ITEMS, fetch).await?)
}

/// The page of a list a `cursor` query value names (the first without one); a cursor that is
/// not one is a bad request.
pub(super) fn page_after(cursor: Option<&str>) -> Result<Page, PageError> {
    let cursor = cursor
        .filter(|text| !text.is_empty())
        .map(str::parse::<Cursor>)
        .transpose()
        .map_err(|_| PageError::BadRequest)?;
    Ok(Page::default().after(cursor))
}

/// A query string read into `T`; one that does not parse is a bad request.
pub(super) fn query<T: for<'de> Deserialize<'de> + Default>(
    raw: Option<&str>,
) -> Result<T, PageError> {
    match raw {
        None | Some("") => Ok(T::default()),
        Some(raw) => serde_html_form::from_str(raw).map_err(|_| PageError::BadRequest),
    }
}

/// A day as a form field shows it: `YYYY-MM-DD`, or empty.
pub(super) fn day_value(day: Option<Date>) -> String {
    day.map(|day| day.to_string()).unwrap_or_default()
}

/// The state label and, for a role with `publish`, the button that flips an object between
/// internal and shared with the client.
#[derive(Debug, Serialize)]
pub(super) struct Toggle {
    /// Where the button posts.
    pub(super) action: String,
    /// Whether the client sees the object now.
    pub(super) shared: bool,
    /// The visibility the button asks for.
    pub(super) next: &'static str,
    /// Whether the viewer may flip it (`publish` in the object's client).
    pub(super) allowed: bool,
    /// The object's title, for the button's accessible name.
    pub(super) title: String,
}

impl Toggle {
    /// The toggle of an object with `visibility`, posting to `action`.
    pub(super) fn new(action: String, visibility: Visibility, allowed: bool, title: &str) -> Self {
        let shared = visibility.is_shared();
        Self {
            action,
            shared,
            next: if shared { "internal" } else { "shared" },
            allowed,
            title: title.to_owned(),
        }
    }
}

/// The visibility a toggle's form asks for.
#[derive(Debug, Deserialize)]
pub(super) struct VisibilityFields {
    /// `shared` or `internal`.
    #[serde(default)]
    pub(super) visibility: String,
}

impl VisibilityFields {
    /// The visibility asked for; anything else is a bad request.
    pub(super) fn visibility(&self) -> Result<Visibility, PageError> {
        match self.visibility.as_str() {
            "shared" => Ok(Visibility::Shared),
            "internal" => Ok(Visibility::Internal),
            _ => Err(PageError::BadRequest),
        }
    }
}

/// A state a form asks for, by its snake_case name; anything else is a bad request.
pub(super) fn state_named<S: portal_core::state::StateMachine>(name: &str) -> Result<S, PageError> {
    S::ALL
        .iter()
        .copied()
        .find(|state| state.name() == name)
        .ok_or(PageError::BadRequest)
}

/// A form of a page: what it shows in its fields, and why it was not accepted when it is shown
/// again.
#[derive(Debug, Serialize)]
pub(super) struct Form<T> {
    /// The prefix of its fields' ids (`<id>-<field>`), unique on the page.
    pub(super) id: String,
    /// The values of its fields.
    pub(super) values: T,
    /// Why it was not accepted; `field` is one of its fields, or none for the whole form.
    pub(super) error: Option<FormError>,
}

impl<T> Form<T> {
    /// A form showing `values`.
    pub(super) fn new(id: impl Into<String>, values: T) -> Self {
        Self {
            id: id.into(),
            values,
            error: None,
        }
    }

    /// The form shown again with what was typed and `error`, which names one of `fields` (an
    /// error about anything else is about the whole form).
    pub(super) fn failed(
        id: impl Into<String>,
        values: T,
        mut error: FormError,
        fields: &[&str],
    ) -> Self {
        if !error
            .field
            .as_deref()
            .is_some_and(|field| fields.contains(&field))
        {
            error.field = None;
        }
        Self {
            id: id.into(),
            values,
            error: Some(error),
        }
    }

    /// The summary at the top of the page that links to the field at fault.
    pub(super) fn alert(&self) -> Option<Alert> {
        self.error.as_ref().map(|error| Alert {
            message: error.message.clone(),
            href: error
                .field
                .as_ref()
                .map(|field| format!("#{}-{field}", self.id)),
        })
    }
}

/// The summary of a form that was not accepted, at the top of the page.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Alert {
    /// What was wrong.
    pub(super) message: String,
    /// The field at fault, as a fragment link.
    pub(super) href: Option<String>,
}

/// The status a form shown again answers with: 422 for input at fault, else the API's own
/// (409 when the object has moved on).
pub(super) fn retry_status(error: &ApiError) -> StatusCode {
    match error {
        ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        other => other.status(),
    }
}

/// The rule a day in a form breaks when it is not one.
const NOT_A_DAY: &str = "a day as YYYY-MM-DD";

/// An optional day from a form: blank is none, anything else must be `YYYY-MM-DD`.
pub(super) fn day(field: &'static str, text: &str) -> Result<Option<Date>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map(Some)
        .map_err(|_| DomainError::validation(field, Invalid::Malformed(NOT_A_DAY)).into())
}

/// A day a form must have.
pub(super) fn required_day(field: &'static str, text: &str) -> Result<Date, ApiError> {
    day(field, text)?.ok_or_else(|| DomainError::validation(field, Invalid::Empty).into())
}

/// The message of an error these pages word themselves: a day or an email address that is not
/// one (the shared form messages only say "not in the expected form").
fn own_words(page: &SignedPage, error: &ApiError) -> Option<Result<FormError, CatalogueError>> {
    let ApiError::Invalid {
        fields,
        reason: Some(Invalid::Malformed(rule)),
        ..
    } = error
    else {
        return None;
    };
    let field = fields.first()?;
    let id = if *rule == NOT_A_DAY {
        "staff-invalid-day"
    } else if field == "email" {
        "staff-invalid-email"
    } else {
        return None;
    };
    Some(FormError::new(&page.formatter(), Some(field), id, &[]))
}

/// How a failed form post is answered.
pub(super) enum Shown {
    /// The form again, with this message in the reader's language and this status.
    Again(FormError, StatusCode),
    /// Something else: the sign-in, the password prompt or the error page.
    Instead(Response),
}

/// How to answer a form post that failed with `error`.
pub(super) fn form_failure(page: &SignedPage, error: ApiError) -> Shown {
    let status = retry_status(&error);
    let shown = match own_words(page, &error) {
        Some(worded) => worded.map_err(|error| page.fail(error)),
        None => page.form_error(error),
    };
    match shown {
        Ok(error) => Shown::Again(error, status),
        Err(response) => Shown::Instead(response),
    }
}

/// After a form post: on to `path` with `notice` (POST-redirect-GET); when the input was
/// wrong or the act refused, the page again from `again` with the error in the reader's words;
/// any other failure as [`SignedPage::fail`] answers it.
pub(super) async fn after_post<Again: Future<Output = Response>>(
    page: &SignedPage,
    result: Result<String, Failure>,
    notice: &'static str,
    again: impl FnOnce(FormError, StatusCode) -> Again,
) -> Response {
    match result {
        Ok(path) => page.redirect_with_notice(&path, notice),
        Err(Failure::Api(error)) => match form_failure(page, error) {
            Shown::Again(error, status) => again(error, status).await,
            Shown::Instead(response) => response,
        },
        Err(failure) => page.fail(failure),
    }
}

/// After a list page's create form: on to the new object's `path` with `notice`, or the list
/// again (`show`) with the form (`form_id`, its `fields` and the error about one of `names`).
pub(super) async fn created_or_again<T, Shown: Future<Output = Result<Response, Failure>>>(
    page: &SignedPage,
    path: Result<String, ApiError>,
    notice: &'static str,
    (form_id, fields, names): (&'static str, T, &'static [&'static str]),
    show: impl FnOnce(Form<T>, StatusCode) -> Shown,
) -> Response {
    after_post(
        page,
        path.map_err(Failure::from),
        notice,
        |error, status| async move {
            let form = Form::failed(form_id, fields, error, names);
            show(form, status)
                .await
                .unwrap_or_else(|failure| page.fail(failure))
        },
    )
    .await
}

/// The catalogue id of a project's status.
pub(super) const fn project_status(status: ProjectStatus) -> &'static str {
    match status {
        ProjectStatus::Active => "staff-project-active",
        ProjectStatus::OnHold => "staff-project-on_hold",
        ProjectStatus::Completed => "staff-project-completed",
        ProjectStatus::Archived => "staff-project-archived",
    }
}

/// Every project status, in the order forms offer them.
pub(super) const PROJECT_STATUSES: [ProjectStatus; 4] = [
    ProjectStatus::Active,
    ProjectStatus::OnHold,
    ProjectStatus::Completed,
    ProjectStatus::Archived,
];

/// The catalogue id of a milestone's status.
pub(super) const fn milestone_status(status: MilestoneStatus) -> &'static str {
    match status {
        MilestoneStatus::Planned => "staff-milestone-planned",
        MilestoneStatus::InProgress => "staff-milestone-in_progress",
        MilestoneStatus::Completed => "staff-milestone-completed",
    }
}

/// The catalogue id of a deliverable's status.
pub(super) const fn deliverable_status(status: DeliverableStatus) -> &'static str {
    match status {
        DeliverableStatus::NotStarted => "staff-deliverable-not_started",
        DeliverableStatus::InProgress => "staff-deliverable-in_progress",
        DeliverableStatus::InReview => "staff-deliverable-in_review",
        DeliverableStatus::Approved => "staff-deliverable-approved",
        DeliverableStatus::ChangesRequested => "staff-deliverable-changes_requested",
        DeliverableStatus::Delivered => "staff-deliverable-delivered",
    }
}

/// The catalogue id of a task's status.
pub(super) const fn task_status(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Open => "staff-task-open",
        TaskStatus::Done => "staff-task-done",
    }
}

/// The catalogue id of a request's status.
pub(super) const fn request_status(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Open => "staff-request-open",
        RequestStatus::InProgress => "staff-request-in_progress",
        RequestStatus::Resolved => "staff-request-resolved",
        RequestStatus::Closed => "staff-request-closed",
    }
}

/// The catalogue id of an approval's status.
pub(super) const fn approval_status(status: ApprovalStatus) -> &'static str {
    match status {
        ApprovalStatus::Pending => "staff-approval-pending",
        ApprovalStatus::Approved => "staff-approval-approved",
        ApprovalStatus::ChangesRequested => "staff-approval-changes_requested",
        ApprovalStatus::Cancelled => "staff-approval-cancelled",
        ApprovalStatus::Expired => "staff-approval-expired",
    }
}

/// A move a state machine allows from where an object is: the state's name and the catalogue id
/// of the button that makes it.
#[derive(Debug, Serialize)]
pub(super) struct Move {
    /// The state moved to, as the form sends it.
    pub(super) to: &'static str,
    /// The catalogue id of the button.
    pub(super) label: &'static str,
}

/// A move a page offers: from a given state (any, for `None`) to `to`, with the catalogue id
/// of its button — the same target reads differently from different states ("Start" from
/// planned, "Reopen" from completed).
pub(super) type Offer<S> = (Option<S>, S, &'static str);

/// The moves out of `from` that a page offers (the first offer for each target state, in the
/// order given) and its state machine allows.
pub(super) fn moves<S: portal_core::state::StateMachine>(
    from: S,
    offered: &[Offer<S>],
) -> Vec<Move> {
    let mut moves: Vec<Move> = Vec::new();
    for (when, to, label) in offered {
        let applies = when.is_none_or(|when| when == from) && from.can_move_to(*to);
        if applies && !moves.iter().any(|taken| taken.to == to.name()) {
            moves.push(Move {
                to: to.name(),
                label,
            });
        }
    }
    moves
}

#[cfg(test)]
mod tests {
    use super::super::super::catalogue::Catalogue;
    use super::super::super::locale::Locale;
    use super::*;

    #[test]
    fn every_state_has_a_label_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        let ids = PROJECT_STATUSES
            .map(project_status)
            .into_iter()
            .chain(
                [
                    MilestoneStatus::Planned,
                    MilestoneStatus::InProgress,
                    MilestoneStatus::Completed,
                ]
                .map(milestone_status),
            )
            .chain(
                [
                    DeliverableStatus::NotStarted,
                    DeliverableStatus::InProgress,
                    DeliverableStatus::InReview,
                    DeliverableStatus::Approved,
                    DeliverableStatus::ChangesRequested,
                    DeliverableStatus::Delivered,
                ]
                .map(deliverable_status),
            )
            .chain([TaskStatus::Open, TaskStatus::Done].map(task_status))
            .chain(
                [
                    RequestStatus::Open,
                    RequestStatus::InProgress,
                    RequestStatus::Resolved,
                    RequestStatus::Closed,
                ]
                .map(request_status),
            )
            .chain(
                [
                    ApprovalStatus::Pending,
                    ApprovalStatus::Approved,
                    ApprovalStatus::ChangesRequested,
                    ApprovalStatus::Cancelled,
                    ApprovalStatus::Expired,
                ]
                .map(approval_status),
            );
        for id in ids {
            for locale in Locale::ALL {
                catalogue.text(locale, id, None).unwrap();
            }
        }
    }

    #[test]
    fn only_legal_moves_are_offered() {
        let offered = [
            (
                Some(MilestoneStatus::Completed),
                MilestoneStatus::InProgress,
                "reopen",
            ),
            (None, MilestoneStatus::InProgress, "start"),
            (None, MilestoneStatus::Completed, "complete"),
        ];
        let buttons = |from| {
            moves(from, &offered)
                .into_iter()
                .map(|m| (m.to, m.label))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            buttons(MilestoneStatus::Planned),
            [("in_progress", "start")]
        );
        assert_eq!(
            buttons(MilestoneStatus::InProgress),
            [("completed", "complete")]
        );
        assert_eq!(
            buttons(MilestoneStatus::Completed),
            [("in_progress", "reopen")]
        );
    }

    #[test]
    fn a_form_error_about_another_field_is_about_the_whole_form() {
        let error = FormError {
            field: Some("position".to_owned()),
            message: "wrong".to_owned(),
        };
        let form = Form::failed("m", (), error.clone(), &["title"]);
        assert!(form.error.as_ref().unwrap().field.is_none());
        assert!(form.alert().unwrap().href.is_none());
        let form = Form::failed(
            "m",
            (),
            FormError {
                field: Some("title".to_owned()),
                ..error
            },
            &["title"],
        );
        assert_eq!(form.alert().unwrap().href.as_deref(), Some("#m-title"));
    }
}
