//! `GET approvals/{id}`: what the team asks, the exact version under review (file name, size,
//! upload day, SHA-256 — shortened, the full value a click away — and a download link), the
//! deadline; then either the decision form, for a viewer who may decide, or who decided what,
//! when, with which comment and signature.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::Approval;
use portal_core::state::ApprovalStatus;
use portal_core::{ApprovalId, Permission};
use serde::Serialize;

use super::super::super::form::FormError;
use super::super::super::page::PageError;
use super::super::super::signed::{CONFIRM_PATH, Failure, SignedPage};
use super::super::documents::people::People;
use super::super::documents::size::file_size;
use super::{status_class, status_message, waiting_message};
use crate::api::approvals::ApprovalView;
use crate::api::client_views::holds;
use crate::api::invoices::today;

/// How many hex digits of a SHA-256 the page shows at first.
const SHORT_SHA: usize = 12;

/// `GET approvals/{id}`: the approval, or the branded 404 for one the viewer may not see.
pub(super) async fn show(page: SignedPage, Path(id): Path<String>) -> Response {
    let shown = async {
        let approval = approval(&page, &id).await?;
        let view = view(&page, approval, None).await?;
        Ok::<_, Failure>(page.render("client/approval.html", view))
    };
    match shown.await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The approval `id` names, if the viewer may see it.
pub(super) async fn approval(page: &SignedPage, id: &str) -> Result<Approval, Failure> {
    let id: ApprovalId = id.parse().map_err(|_| PageError::NotFound)?;
    page.state
        .stores()
        .approvals
        .approval(&page.scope, id)
        .await?
        .ok_or_else(|| PageError::NotFound.into())
}

/// What was typed into the decision form, shown again with what was wrong.
#[derive(Debug, Default, Serialize)]
pub(super) struct DecisionForm {
    /// `approve`, `request_changes` or empty.
    pub(super) decision: String,
    /// The comment.
    pub(super) comment: String,
    /// The typed name.
    pub(super) signature: String,
    /// What was wrong (moved to the page's `error` when shown).
    #[serde(skip)]
    pub(super) error: Option<FormError>,
}

/// The page with the form shown again (`status` 422, or 409 when the approval moved on).
pub(super) async fn render_again(
    page: &SignedPage,
    approval: Approval,
    form: DecisionForm,
    status: StatusCode,
) -> Result<Response, Failure> {
    let view = view(page, approval, Some(form)).await?;
    Ok(page.render_status(status, "client/approval.html", view))
}

/// The approval page's data.
async fn view(
    page: &SignedPage,
    approval: Approval,
    mut typed: Option<DecisionForm>,
) -> Result<ApprovalPage, Failure> {
    // Shown above the form, or above the decision when someone else was first.
    let error = typed.as_mut().and_then(|form| form.error.take());
    let formatter = page.formatter();
    let stores = page.state.stores();
    let base = &page.page.base;
    let may = |permission| holds(&page.scope, approval.client, permission);
    let mut people = People::default();

    let project = stores
        .projects
        .project(&page.scope, approval.project)
        .await?
        .map(|project| Link {
            url: format!("{base}/projects/{}", project.id),
            name: project.name.into_string(),
        });
    let deliverable = match approval.deliverable {
        Some(id) if may(Permission::ViewDeliverables) => stores
            .deliverables
            .deliverable(&page.scope, id)
            .await?
            .map(|deliverable| deliverable.title.into_string()),
        _ => None,
    };
    let version = if may(Permission::ViewDocuments) {
        stores
            .documents
            .version(&page.scope, approval.document_version)
            .await?
    } else {
        None
    };
    let version = match version {
        Some(version) => Some(VersionView {
            document_url: format!("{base}/documents/{}", version.document),
            download_url: may(Permission::DownloadDocuments).then(|| {
                format!(
                    "{base}/documents/{}/versions/{}/download",
                    version.document, version.id
                )
            }),
            number: version.number,
            size: file_size(&formatter, version.size)?,
            uploaded: formatter.date(version.created_at.date())?,
            uploaded_by: people.name(page, version.uploaded_by).await?,
            file_name: version.file_name,
        }),
        None => None,
    };

    let decision = match (approval.decided_at, approval.decided_by) {
        (Some(at), Some(by)) => Some(DecisionView {
            outcome_message: status_message(approval.status),
            by: people.name(page, by).await?,
            on: formatter.date(at.date())?,
            comment: approval.comment.clone(),
            signature: approval
                .signature
                .as_ref()
                .map(|name| name.as_str().to_owned()),
        }),
        _ => None,
    };

    let id = approval.id;
    let sha = approval.sha256.to_hex();
    let due_day = approval.due_at.map(|at| at.date());
    let pending = approval.status == ApprovalStatus::Pending;
    let requested_by = people.name(page, approval.requested_by).await?;
    let requested = formatter.date(approval.requested_at.date())?;
    let view = ApprovalView::of(approval, &page.scope);
    // A decision needs a recent sign-in (SEC-20): ask for the password first, not after the
    // form was filled in.
    let fresh = page
        .state
        .sessions()
        .require_recent_authentication(&page.signed_in.authenticated)
        .is_ok();
    let confirm_url =
        (view.can_decide && !fresh).then(|| format!("{base}{CONFIRM_PATH}?next=/approvals/{id}"));
    let form = (view.can_decide && fresh).then(|| typed.unwrap_or_default());
    Ok(ApprovalPage {
        approvals_url: format!("{base}/approvals"),
        action: format!("{base}/approvals/{id}/decision"),
        status_message: status_message(view.status),
        status_class: status_class(view.status),
        pending,
        waiting_message: waiting_message(view.can_decide, page.scope.is_staff_side()),
        project,
        deliverable,
        requested,
        requested_by,
        due: formatter.day(due_day)?,
        late: pending && due_day.is_some_and(|due| due < today()),
        short_sha: sha.get(..SHORT_SHA).unwrap_or(&sha).to_owned(),
        sha,
        version,
        decision,
        confirm_url,
        form,
        error,
        message: view.message,
    })
}

#[derive(Debug, Serialize)]
struct ApprovalPage {
    approvals_url: String,
    action: String,
    message: String,
    status_message: &'static str,
    status_class: &'static str,
    pending: bool,
    waiting_message: &'static str,
    project: Option<Link>,
    deliverable: Option<String>,
    requested: String,
    requested_by: Option<String>,
    due: Option<String>,
    late: bool,
    /// The approval's SHA-256: the version the decision signs, whether or not the viewer may
    /// see the document itself.
    sha: String,
    short_sha: String,
    version: Option<VersionView>,
    decision: Option<DecisionView>,
    /// Where to confirm the password before deciding, when the sign-in is no longer recent.
    confirm_url: Option<String>,
    /// The decision form, for a viewer who may decide now.
    form: Option<DecisionForm>,
    /// Why the last post was not accepted.
    error: Option<FormError>,
}

#[derive(Debug, Serialize)]
struct Link {
    url: String,
    name: String,
}

#[derive(Debug, Serialize)]
struct VersionView {
    document_url: String,
    download_url: Option<String>,
    file_name: String,
    number: i32,
    size: String,
    uploaded: String,
    uploaded_by: Option<String>,
}

#[derive(Debug, Serialize)]
struct DecisionView {
    outcome_message: &'static str,
    by: Option<String>,
    on: String,
    comment: Option<String>,
    signature: Option<String>,
}
