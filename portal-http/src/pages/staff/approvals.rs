//! `staff/approvals`: the approval queue — what waits for the client (by due day, the soonest
//! first), then what was decided, with the outcome — and asking a client to approve one exact
//! document version (`request_approvals`), or withdrawing a pending ask. The same store calls
//! as `GET /approvals`, `POST /approvals` and `POST /approvals/{id}/cancel`.
//!
//! Asking works without script in two steps: choose the project (a `GET` of this page with
//! `?project=`), then its deliverable and document version.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{Approval, ApprovalRequest, Project};
use portal_core::state::ApprovalStatus;
use portal_core::{
    ApprovalId, DeliverableId, DocumentVersionId, DomainError, Invalid, Permission, ProjectId,
};
use portal_storage::{ApprovalFilter, DocumentFilter, ProjectFilter};
use serde::{Deserialize, Serialize};
use time::Time;

use super::super::catalogue::Arg;
use super::super::page::PageError;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::client::Empty;
use super::invites::Choice;
use super::shared::{
    APPROVALS, Alert, Form, Shown, approval_status, day, every, form_failure, id, may, opens, query,
};
use crate::api::staff::bounded;
use crate::api::staff::work::MAX_TEXT_CHARS;
use crate::api::work::visible_project;
use crate::error::ApiError;
use crate::extract::ClientIp;

/// The queue's path under the base.
const PATH: &str = "/staff/approvals";

/// The most decided approvals the queue shows.
const DECIDED_SHOWN: usize = 50;

/// The fields of the request form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct RequestFields {
    /// The project chosen in the first step.
    #[serde(default)]
    project: String,
    /// The deliverable it signs off; blank for none.
    #[serde(default)]
    deliverable: String,
    /// The exact document version to approve.
    #[serde(default)]
    document_version: String,
    /// What to check.
    #[serde(default)]
    message: String,
    /// The last day to decide, `YYYY-MM-DD`; blank for none.
    #[serde(default)]
    due_on: String,
}

/// The fields a request form's error may name.
const FIELDS: &[&str] = &["deliverable", "document_version", "message", "due_on"];

/// The queue's query: the project chosen for a new request.
#[derive(Debug, Default, Deserialize)]
struct QueueQuery {
    #[serde(default)]
    project: Option<String>,
}

/// `GET staff/approvals`.
pub(crate) async fn show(page: SignedPage, RawQuery(raw): RawQuery) -> Response {
    let chosen = query::<QueueQuery>(raw.as_deref()).and_then(|query| {
        query
            .project
            .filter(|text| !text.is_empty())
            .map(|text| text.parse::<ProjectId>().map_err(|_| PageError::BadRequest))
            .transpose()
    });
    match chosen {
        Ok(chosen) => respond(&page, chosen, None, StatusCode::OK).await,
        Err(error) => page.fail(error),
    }
}

/// `POST staff/approvals`: asks the client to approve the chosen version.
pub(crate) async fn request(ip: ClientIp, form: PageForm<RequestFields>) -> Response {
    let PageForm { page, fields } = form;
    if let Err(error) = opens(&page, APPROVALS) {
        return page.fail(error);
    }
    let Ok(project) = fields.project.parse::<ProjectId>() else {
        return page.fail(PageError::BadRequest);
    };
    let requested = async {
        let deliverable = if fields.deliverable.is_empty() {
            None
        } else {
            Some(
                fields
                    .deliverable
                    .parse::<DeliverableId>()
                    .map_err(|error| error.in_field("deliverable"))?,
            )
        };
        if fields.document_version.is_empty() {
            return Err(DomainError::validation("document_version", Invalid::Empty).into());
        }
        let document_version = fields
            .document_version
            .parse::<DocumentVersionId>()
            .map_err(|error| error.in_field("document_version"))?;
        bounded("message", &fields.message, MAX_TEXT_CHARS)?;
        // A due day ends at the end of that day (UTC), as the API's deadline is a moment.
        let due_at = day("due_on", &fields.due_on)?.map(|day| {
            day.with_time(Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT))
                .assume_utc()
        });
        let request = ApprovalRequest {
            deliverable,
            document_version,
            message: fields.message.trim().to_owned(),
            due_at,
        };
        page.state
            .stores()
            .approvals
            .request_approval(&page.scope, request, &ip.audit())
            .await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match requested {
        Ok(()) => page.redirect_with_notice(PATH, "notice-staff-approval-requested"),
        Err(error) => match form_failure(&page, error) {
            Shown::Again(error, status) => {
                let form = Form::failed("approval-new", fields.clone(), error, FIELDS);
                respond(&page, Some(project), Some(form), status).await
            }
            Shown::Instead(response) => response,
        },
    }
}

/// `POST staff/approvals/{id}/cancel`: withdraws a pending ask.
pub(crate) async fn cancel(
    ip: ClientIp,
    Path(approval): Path<String>,
    form: PageForm<Empty>,
) -> Response {
    let page = form.page;
    let approval: ApprovalId = match opens(&page, APPROVALS).and_then(|()| id(&approval)) {
        Ok(approval) => approval,
        Err(error) => return page.fail(error),
    };
    let cancelled = page
        .state
        .stores()
        .approvals
        .cancel_approval(&page.scope, approval, &ip.audit())
        .await;
    match cancelled {
        Ok(_) => page.redirect_with_notice(PATH, "notice-staff-approval-cancelled"),
        Err(error) => match form_failure(&page, error.into()) {
            Shown::Again(error, status) => {
                let alert = Alert {
                    message: error.message,
                    href: None,
                };
                respond_with(&page, None, None, Some(alert), status).await
            }
            Shown::Instead(response) => response,
        },
    }
}

/// The queue's data.
#[derive(Debug, Serialize)]
struct QueueView {
    alert: Option<Alert>,
    pending: Vec<ApprovalItem>,
    decided: Vec<ApprovalItem>,
    projects: Vec<Choice>,
    chosen: Option<ChosenProject>,
}

/// One approval of the queue.
#[derive(Debug, Serialize)]
struct ApprovalItem {
    message: String,
    project: String,
    project_href: String,
    deliverable: Option<String>,
    document: Option<String>,
    version: Option<i32>,
    status_message: &'static str,
    requested: String,
    due: Option<String>,
    overdue: bool,
    decided: Option<String>,
    comment: Option<String>,
    signature: Option<String>,
    cancel_action: Option<String>,
}

/// The second step of asking: the chosen project's deliverables and versions.
#[derive(Debug, Serialize)]
struct ChosenProject {
    name: String,
    form: Form<RequestFields>,
    deliverables: Vec<Choice>,
    versions: Vec<Choice>,
}

/// The queue, or the answer to why it cannot be shown.
async fn respond(
    page: &SignedPage,
    chosen: Option<ProjectId>,
    form: Option<Form<RequestFields>>,
    status: StatusCode,
) -> Response {
    respond_with(page, chosen, form, None, status).await
}

/// The queue with a summary `alert` at its top.
async fn respond_with(
    page: &SignedPage,
    chosen: Option<ProjectId>,
    form: Option<Form<RequestFields>>,
    alert: Option<Alert>,
    status: StatusCode,
) -> Response {
    match render(page, chosen, form, alert, status).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The queue with the request form at the step `chosen` names.
async fn render(
    page: &SignedPage,
    chosen: Option<ProjectId>,
    form: Option<Form<RequestFields>>,
    alert: Option<Alert>,
    status: StatusCode,
) -> Result<Response, Failure> {
    opens(page, APPROVALS)?;
    let stores = page.state.stores();
    let scope = &page.scope;
    let mut pending = approvals_in(page, ApprovalStatus::Pending).await?;
    // The soonest deadline first; those without one last, oldest ask first.
    pending.sort_by_key(|approval| {
        (
            approval.due_at.is_none(),
            approval.due_at,
            approval.requested_at,
        )
    });
    let mut decided = Vec::new();
    for status in [
        ApprovalStatus::Approved,
        ApprovalStatus::ChangesRequested,
        ApprovalStatus::Cancelled,
        ApprovalStatus::Expired,
    ] {
        decided.extend(approvals_in(page, status).await?);
    }
    decided.sort_by_key(|approval| {
        std::cmp::Reverse(approval.decided_at.unwrap_or(approval.requested_at))
    });
    decided.truncate(DECIDED_SHOWN);

    let mut names = Names::default();
    let mut pending_items = Vec::with_capacity(pending.len());
    for approval in pending {
        pending_items.push(names.item(page, approval).await?);
    }
    let mut decided_items = Vec::with_capacity(decided.len());
    for approval in decided {
        decided_items.push(names.item(page, approval).await?);
    }

    // The projects a request may be made in.
    let projects: Vec<Project> = every(|at| {
        stores
            .projects
            .list_projects(scope, ProjectFilter::default(), at)
    })
    .await?
    .into_iter()
    .filter(|project| may(scope, project.client, Permission::RequestApprovals))
    .collect();
    let project_choices = projects
        .iter()
        .map(|project| Choice {
            value: project.id.to_string(),
            label: project.name.as_str().to_owned(),
            selected: chosen == Some(project.id),
        })
        .collect();
    let chosen = match chosen {
        Some(project) => Some(chosen_project(page, project, form).await?),
        None => None,
    };
    let alert = alert.or_else(|| chosen.as_ref().and_then(|chosen| chosen.form.alert()));
    let view = QueueView {
        alert,
        pending: pending_items,
        decided: decided_items,
        projects: project_choices,
        chosen,
    };
    Ok(page.render_status(status, "staff/approvals.html", view))
}

/// Every approval in `status` the viewer sees.
async fn approvals_in(page: &SignedPage, status: ApprovalStatus) -> Result<Vec<Approval>, Failure> {
    let filter = ApprovalFilter {
        project: None,
        status: Some(status),
    };
    every(|at| {
        page.state
            .stores()
            .approvals
            .list_approvals(&page.scope, filter, at)
    })
    .await
}

/// The form's second step for `project`: its deliverables and its documents' versions.
async fn chosen_project(
    page: &SignedPage,
    project: ProjectId,
    form: Option<Form<RequestFields>>,
) -> Result<ChosenProject, Failure> {
    let found = visible_project(&page.state, &page.scope, project).await?;
    if !may(&page.scope, found.client, Permission::RequestApprovals) {
        return Err(PageError::NotFound.into());
    }
    let stores = page.state.stores();
    let scope = &page.scope;
    let formatter = page.formatter();
    let form = form.unwrap_or_else(|| {
        Form::new(
            "approval-new",
            RequestFields {
                project: project.to_string(),
                ..RequestFields::default()
            },
        )
    });
    let mut deliverables = Vec::new();
    for milestone in super::project::ordered_milestones(page, project).await? {
        let listed = every(|at| {
            stores
                .deliverables
                .list_deliverables(scope, milestone.id, at)
        })
        .await?;
        for deliverable in listed {
            let value = deliverable.id.to_string();
            deliverables.push(Choice {
                selected: form.values.deliverable == value,
                label: format!(
                    "{} · {}",
                    milestone.title.as_str(),
                    deliverable.title.as_str()
                ),
                value,
            });
        }
    }
    let documents = every(|at| {
        let filter = DocumentFilter {
            client: None,
            project: Some(project),
        };
        stores.documents.list_documents(scope, filter, at)
    })
    .await?;
    let mut versions = Vec::new();
    for document in documents {
        let listed = every(|at| stores.documents.list_versions(scope, document.id, at)).await?;
        for version in listed {
            let value = version.id.to_string();
            versions.push(Choice {
                selected: form.values.document_version == value,
                label: formatter.text_with(
                    "staff-approval-version-choice",
                    &[
                        ("document", Arg::Text(document.title.as_str().into())),
                        ("number", Arg::Number(i64::from(version.number))),
                        ("file", Arg::Text(version.file_name.as_str().into())),
                        (
                            "date",
                            Arg::Text(formatter.date(version.created_at.date())?.into()),
                        ),
                    ],
                )?,
                value,
            });
        }
    }
    Ok(ChosenProject {
        name: found.name.into_string(),
        form,
        deliverables,
        versions,
    })
}

/// Names of the objects approvals point at, each looked up once.
#[derive(Default)]
struct Names {
    projects: HashMap<ProjectId, String>,
    deliverables: HashMap<DeliverableId, Option<String>>,
    versions: HashMap<DocumentVersionId, Option<(String, i32)>>,
}

impl Names {
    /// The queue's item of `approval`, with the names of what it points at.
    async fn item(
        &mut self,
        page: &SignedPage,
        approval: Approval,
    ) -> Result<ApprovalItem, Failure> {
        let stores = page.state.stores();
        let scope = &page.scope;
        let formatter = page.formatter();
        let project = if let Some(name) = self.projects.get(&approval.project) {
            name.clone()
        } else {
            let name = stores
                .projects
                .project(scope, approval.project)
                .await?
                .map(|project| project.name.into_string())
                .unwrap_or_default();
            self.projects.insert(approval.project, name.clone());
            name
        };
        let deliverable = match approval.deliverable {
            Some(id) => {
                if let Some(title) = self.deliverables.get(&id) {
                    title.clone()
                } else {
                    let title = stores
                        .deliverables
                        .deliverable(scope, id)
                        .await?
                        .map(|found| found.title.into_string());
                    self.deliverables.insert(id, title.clone());
                    title
                }
            }
            None => None,
        };
        let named = if let Some(named) = self.versions.get(&approval.document_version) {
            named.clone()
        } else {
            let mut named = None;
            if let Some(version) = stores
                .documents
                .version(scope, approval.document_version)
                .await?
                && let Some(document) = stores.documents.document(scope, version.document).await?
            {
                named = Some((document.title.into_string(), version.number));
            }
            self.versions
                .insert(approval.document_version, named.clone());
            named
        };
        let (document, version) =
            named.map_or((None, None), |(title, number)| (Some(title), Some(number)));
        let pending = approval.status == ApprovalStatus::Pending;
        let base = &page.page.base;
        Ok(ApprovalItem {
            project,
            project_href: format!("{base}/staff/projects/{}", approval.project),
            deliverable,
            document,
            version,
            status_message: approval_status(approval.status),
            requested: formatter.date(approval.requested_at.date())?,
            due: formatter.day(approval.due_at.map(|at| at.date()))?,
            overdue: pending
                && approval
                    .due_at
                    .is_some_and(|at| at < time::OffsetDateTime::now_utc()),
            decided: formatter.day(approval.decided_at.map(|at| at.date()))?,
            comment: approval.comment,
            signature: approval.signature.map(|name| name.into_string()),
            cancel_action: (pending && may(scope, approval.client, Permission::RequestApprovals))
                .then(|| format!("{base}{PATH}/{}/cancel", approval.id)),
            message: approval.message,
        })
    }
}
