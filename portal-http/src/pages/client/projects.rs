//! The projects: the list, each with its milestone progress and dates, and one project with its
//! timeline of milestones, deliverables, updates, decisions, next steps, documents and pending
//! approvals. Every read goes through the stores with the page's scope, so a page shows what
//! the API's project routes would answer and nothing more; staff see internal items marked.

pub(crate) mod detail;
pub(super) mod paging;
pub(crate) mod timeline;

use axum::Router;
use axum::extract::RawQuery;
use axum::response::Response;
use axum::routing::get;
use portal_core::model::ProjectStatus;
use portal_core::{Permission, Visibility};
use portal_storage::ProjectFilter;
use serde::{Deserialize, Serialize};

use super::super::dashboard::project_status_message;
use super::super::nav::holds_somewhere;
use super::super::page::PageError;
use super::super::signed::{Failure, SignedPage};
use crate::api::invoices::today;
use crate::state::PortalState;

/// Projects on one page of the list.
const PER_PAGE: u32 = 25;

/// This family's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/projects", get(list))
        .route("/projects/{project_id}", get(detail::show))
}

/// This family's templates: `(name, compiled-in source)`.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "client/projects.html",
        include_str!("../../../templates/client/projects.html"),
    ),
    (
        "client/project.html",
        include_str!("../../../templates/client/project.html"),
    ),
];

/// The list's query: which page.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    cursor: Option<String>,
}

/// `GET projects`: the projects the viewer reaches, newest first, with milestone progress. A
/// role that may see no project at all gets the 404 its missing link promises.
async fn list(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    match list_page(&page, query.as_deref()).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

async fn list_page(page: &SignedPage, query: Option<&str>) -> Result<Response, Failure> {
    if !holds_somewhere(&page.scope, Permission::ViewProjects) {
        return Err(PageError::NotFound.into());
    }
    let query: ListQuery = paging::query(query)?;
    let paged = page
        .state
        .stores()
        .projects
        .list_project_progress(
            &page.scope,
            ProjectFilter::default(),
            paging::page(PER_PAGE, query.cursor.as_deref())?,
        )
        .await?;
    let formatter = page.formatter();
    let today = today();
    let base = &page.page.base;
    let mut projects = Vec::with_capacity(paged.items.len());
    for progress in paged.items {
        let project = progress.project;
        let ends = project.schedule.map(|range| range.end());
        let running = matches!(
            project.status,
            ProjectStatus::Active | ProjectStatus::OnHold
        );
        projects.push(ProjectItem {
            url: format!("{base}/projects/{}", project.id),
            name: project.name.into_string(),
            status_message: project_status_message(project.status),
            done: progress.milestones_completed,
            total: progress.milestones_total,
            starts: formatter.day(project.schedule.map(|range| range.start()))?,
            ends: formatter.day(ends)?,
            late: running && ends.is_some_and(|end| end < today),
            internal: project.visibility == Visibility::Internal,
        });
    }
    let view = ListView {
        projects,
        next_url: paging::next_link(&format!("{base}/projects"), paged.next),
    };
    Ok(page.render("client/projects.html", view))
}

#[derive(Debug, Serialize)]
struct ListView {
    projects: Vec<ProjectItem>,
    next_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct ProjectItem {
    url: String,
    name: String,
    status_message: &'static str,
    done: i64,
    total: i64,
    starts: Option<String>,
    ends: Option<String>,
    late: bool,
    internal: bool,
}
