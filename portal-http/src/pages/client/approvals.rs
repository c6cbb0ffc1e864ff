//! The approvals: the list (what waits for a decision first, then what was decided), and one
//! approval with the exact version under review and — for a viewer who may decide it — the
//! decision form: approve or request changes, a comment, and the typed-name signature. The
//! decision goes through the API's own decision function, step-up and all.

mod decision;
mod detail;

use std::cmp::Reverse;
use std::collections::HashMap;

use axum::Router;
use axum::extract::RawQuery;
use axum::response::Response;
use axum::routing::get;
use portal_core::state::ApprovalStatus;
use portal_core::{Permission, ProjectId};
use portal_storage::{ApprovalFilter, Page};
use serde::{Deserialize, Serialize};

use super::super::nav::holds_somewhere;
use super::super::page::PageError;
use super::super::signed::{Failure, SignedPage};
use super::projects::paging;
use crate::api::approvals::ApprovalView;
use crate::api::invoices::today;
use crate::state::PortalState;

/// Pending approvals read at once: they all show, the viewer's own first.
const PENDING: u32 = 200;
/// Decided approvals on one page of the history.
const PER_PAGE: u32 = 25;

/// This family's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/approvals", get(list))
        .route("/approvals/{approval_id}", get(detail::show))
        .route(
            "/approvals/{approval_id}/decision",
            get(decision::back_to_approval).post(decision::decide),
        )
}

/// This family's templates: `(name, compiled-in source)`.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "client/approvals.html",
        include_str!("../../../templates/client/approvals.html"),
    ),
    (
        "client/approval.html",
        include_str!("../../../templates/client/approval.html"),
    ),
];

/// The catalogue id of an approval's status.
pub(crate) const fn status_message(status: ApprovalStatus) -> &'static str {
    match status {
        ApprovalStatus::Pending => "approvals-status-pending",
        ApprovalStatus::Approved => "approvals-status-approved",
        ApprovalStatus::ChangesRequested => "approvals-status-changes-requested",
        ApprovalStatus::Cancelled => "approvals-status-cancelled",
        ApprovalStatus::Expired => "approvals-status-expired",
    }
}

/// The status as the stylesheet names it (`badge--approved`, …).
pub(crate) const fn status_class(status: ApprovalStatus) -> &'static str {
    match status {
        ApprovalStatus::Pending => "pending",
        ApprovalStatus::Approved => "approved",
        ApprovalStatus::ChangesRequested => "changes",
        ApprovalStatus::Cancelled | ApprovalStatus::Expired => "closed",
    }
}

/// Who an open approval waits for, as the viewer reads it.
pub(crate) const fn waiting_message(can_decide: bool, staff: bool) -> &'static str {
    match (can_decide, staff) {
        (true, _) => "approval-yours",
        (false, true) => "approval-client",
        (false, false) => "approval-others",
    }
}

/// The list's query: which page of the history.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    cursor: Option<String>,
}

/// `GET approvals`: what waits for a decision (the viewer's own first, then by deadline), then
/// the decided ones, newest first. A role that may see no approvals gets the 404 its missing
/// link promises.
async fn list(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    match list_page(&page, query.as_deref()).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

async fn list_page(page: &SignedPage, query: Option<&str>) -> Result<Response, Failure> {
    if !holds_somewhere(&page.scope, Permission::ViewApprovals) {
        return Err(PageError::NotFound.into());
    }
    let query: ListQuery = paging::query(query)?;
    let store = &page.state.stores().approvals;
    let first_page = query.cursor.is_none();
    let pending = if first_page {
        let filter = ApprovalFilter {
            project: None,
            status: Some(ApprovalStatus::Pending),
        };
        let all = Page::first(PENDING).map_err(PageError::internal)?;
        store.list_approvals(&page.scope, filter, all).await?.items
    } else {
        Vec::new()
    };
    let history = store
        .list_approvals(
            &page.scope,
            ApprovalFilter::default(),
            paging::page(PER_PAGE, query.cursor.as_deref())?,
        )
        .await?;

    let mut pending: Vec<ApprovalView> = pending
        .into_iter()
        .map(|approval| ApprovalView::of(approval, &page.scope))
        .collect();
    pending.sort_by_key(|approval| {
        (
            Reverse(approval.can_decide),
            approval.due_at.is_none(),
            approval.due_at,
        )
    });
    let decided: Vec<ApprovalView> = history
        .items
        .into_iter()
        .filter(|approval| approval.status != ApprovalStatus::Pending)
        .map(|approval| ApprovalView::of(approval, &page.scope))
        .collect();

    let mut items = Items::new(page);
    let pending = items.of(pending).await?;
    let decided = items.of(decided).await?;
    let view = ListView {
        pending,
        decided,
        first_page,
        next_url: paging::next_link(&format!("{}/approvals", page.page.base), history.next),
    };
    Ok(page.render("client/approvals.html", view))
}

/// Builds list items, looking each project's name up once.
struct Items<'a> {
    page: &'a SignedPage,
    projects: HashMap<ProjectId, Option<String>>,
}

impl<'a> Items<'a> {
    fn new(page: &'a SignedPage) -> Self {
        Self {
            page,
            projects: HashMap::new(),
        }
    }

    async fn project(&mut self, id: ProjectId) -> Result<Option<String>, Failure> {
        if let Some(name) = self.projects.get(&id) {
            return Ok(name.clone());
        }
        let name = self
            .page
            .state
            .stores()
            .projects
            .project(&self.page.scope, id)
            .await?
            .map(|project| project.name.into_string());
        self.projects.insert(id, name.clone());
        Ok(name)
    }

    async fn of(&mut self, approvals: Vec<ApprovalView>) -> Result<Vec<ApprovalItem>, Failure> {
        let formatter = self.page.formatter();
        let today = today();
        let staff = self.page.scope.is_staff_side();
        let mut items = Vec::with_capacity(approvals.len());
        for approval in approvals {
            let pending = approval.status == ApprovalStatus::Pending;
            let due = approval.due_at.map(|at| at.date());
            items.push(ApprovalItem {
                url: format!("{}/approvals/{}", self.page.page.base, approval.id),
                project: self.project(approval.project_id).await?,
                status_message: status_message(approval.status),
                status_class: status_class(approval.status),
                yours: approval.can_decide,
                waiting_message: waiting_message(approval.can_decide, staff),
                requested: formatter.date(approval.requested_at.date())?,
                due: if pending { formatter.day(due)? } else { None },
                late: pending && due.is_some_and(|due| due < today),
                decided: formatter.day(approval.decided_at.map(|at| at.date()))?,
                message: approval.message,
            });
        }
        Ok(items)
    }
}

#[derive(Debug, Serialize)]
struct ListView {
    pending: Vec<ApprovalItem>,
    decided: Vec<ApprovalItem>,
    first_page: bool,
    next_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct ApprovalItem {
    url: String,
    message: String,
    project: Option<String>,
    status_message: &'static str,
    status_class: &'static str,
    yours: bool,
    waiting_message: &'static str,
    requested: String,
    due: Option<String>,
    late: bool,
    decided: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::super::super::catalogue::Catalogue;
    use super::super::super::locale::Locale;
    use super::*;

    #[test]
    fn every_status_has_its_message() {
        let catalogue = Catalogue::new().unwrap();
        let statuses = [
            ApprovalStatus::Pending,
            ApprovalStatus::Approved,
            ApprovalStatus::ChangesRequested,
            ApprovalStatus::Cancelled,
            ApprovalStatus::Expired,
        ];
        for locale in Locale::ALL {
            for status in statuses {
                catalogue
                    .text(locale, status_message(status), None)
                    .unwrap();
            }
            for (can_decide, staff) in [(true, false), (false, true), (false, false)] {
                catalogue
                    .text(locale, waiting_message(can_decide, staff), None)
                    .unwrap();
            }
        }
    }
}
