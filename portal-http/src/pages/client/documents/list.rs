//! `GET documents`: the documents the viewer may see, newest first and grouped by project, with
//! a filter by project; each with its current version and a download link. Roles that may upload
//! get the upload form (project, title, file).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::Project;
use portal_core::{Permission, ProjectId, Visibility};
use portal_storage::{DocumentFilter, Page, ProjectFilter};
use serde::{Deserialize, Serialize};

use super::super::super::nav::holds_somewhere;
use super::super::super::page::PageError;
use super::super::super::signed::{Failure, SignedPage};
use super::super::projects::paging;
use super::size::file_size;
use super::upload::{ProjectOption, Typed, UploadView};
use crate::api::client_views::holds;

/// Documents on one page of the list.
const PER_PAGE: u32 = 30;
/// Projects read for the filter and the upload form.
const PROJECTS: u32 = 200;

/// The list's query: a project to show alone, and which page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    project: Option<String>,
    cursor: Option<String>,
}

/// `GET documents`: the list, or the 404 its missing link promises a role that may see no
/// documents.
pub(super) async fn show(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    let shown = async {
        let query: ListQuery = paging::query(query.as_deref())?;
        render(&page, Some(query), Typed::default(), StatusCode::OK).await
    };
    match shown.await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The list page (unfiltered when `query` is `None`) with the upload form as typed.
pub(super) async fn render(
    page: &SignedPage,
    query: Option<ListQuery>,
    typed: Typed,
    status: StatusCode,
) -> Result<Response, Failure> {
    if !holds_somewhere(&page.scope, Permission::ViewDocuments) {
        return Err(PageError::NotFound.into());
    }
    let query = query.unwrap_or_default();
    let stores = page.state.stores();
    let base = &page.page.base;
    let projects: Vec<Project> = stores
        .projects
        .list_projects(
            &page.scope,
            ProjectFilter::default(),
            Page::first(PROJECTS).map_err(PageError::internal)?,
        )
        .await?
        .items;
    let mut names: HashMap<ProjectId, Option<String>> = projects
        .iter()
        .map(|project| (project.id, Some(project.name.as_str().to_owned())))
        .collect();

    let filter = match query.project.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => {
            let id: ProjectId = id.parse().map_err(|_| PageError::NotFound)?;
            // A project the viewer cannot see is not found, never an empty list (SEC-27).
            crate::api::work::visible_project(&page.state, &page.scope, id).await?;
            Some(id)
        }
    };
    let paged = stores
        .documents
        .list_documents(
            &page.scope,
            DocumentFilter {
                client: None,
                project: filter,
            },
            paging::page(PER_PAGE, query.cursor.as_deref())?,
        )
        .await?;

    let formatter = page.formatter();
    let mut groups: Vec<Group> = Vec::new();
    for document in paged.items {
        let version = match document.current_version {
            Some(id) => stores.documents.version(&page.scope, id).await?,
            None => None,
        };
        let project = match document.project {
            Some(id) => {
                if let Entry::Vacant(unknown) = names.entry(id) {
                    let name = stores
                        .projects
                        .project(&page.scope, id)
                        .await?
                        .map(|project| project.name.into_string());
                    unknown.insert(name);
                }
                Some(id)
            }
            None => None,
        };
        let may_download = holds(&page.scope, document.client, Permission::DownloadDocuments);
        let item = DocumentItem {
            url: format!("{base}/documents/{}", document.id),
            added: formatter.date(document.created_at.date())?,
            internal: document.visibility == Visibility::Internal,
            download_url: (may_download && version.is_some())
                .then(|| format!("{base}/documents/{}/download", document.id)),
            version: match version {
                Some(version) => Some(VersionSummary {
                    number: version.number,
                    size: file_size(&formatter, version.size)?,
                    file_name: version.file_name,
                }),
                None => None,
            },
            title: document.title.into_string(),
        };
        match groups.iter_mut().find(|group| group.project == project) {
            Some(group) => group.documents.push(item),
            None => groups.push(Group {
                project,
                name: project.and_then(|id| names.get(&id).cloned().flatten()),
                url: project.map(|id| format!("{base}/projects/{id}")),
                documents: vec![item],
            }),
        }
    }

    let selected = filter.map(|id| id.to_string()).unwrap_or_default();
    let upload = upload_form(page, &projects, &selected, typed)?;
    let list_path = match filter {
        Some(id) => format!("{base}/documents?project={id}"),
        None => format!("{base}/documents"),
    };
    let view = ListView {
        filter: projects
            .iter()
            .map(|project| FilterOption {
                selected: Some(project.id) == filter,
                id: project.id.to_string(),
                name: project.name.as_str().to_owned(),
            })
            .collect(),
        filtered: filter.is_some(),
        groups,
        next_url: paging::next_link(&list_path, paged.next),
        upload,
    };
    Ok(page.render_status(status, "client/documents.html", view))
}

/// The upload form, when the viewer may upload into at least one project (never in a preview).
fn upload_form(
    page: &SignedPage,
    projects: &[Project],
    selected: &str,
    mut typed: Typed,
) -> Result<Option<UploadView>, Failure> {
    if page.scope.is_read_only() {
        return Ok(None);
    }
    let options: Vec<ProjectOption> = projects
        .iter()
        .filter(|project| holds(&page.scope, project.client, Permission::UploadDocuments))
        .map(|project| ProjectOption {
            id: project.id.to_string(),
            name: project.name.as_str().to_owned(),
        })
        .collect();
    if options.is_empty() {
        return Ok(None);
    }
    if typed.project.is_empty() {
        typed.project = if options.len() == 1 {
            options
                .first()
                .map(|only| only.id.clone())
                .unwrap_or_default()
        } else {
            selected.to_owned()
        };
    }
    let can_share = page.scope.is_staff_side() && holds_somewhere(&page.scope, Permission::Publish);
    Ok(Some(UploadView::new(
        page,
        "/documents",
        Some(options),
        can_share,
        typed,
    )?))
}

#[derive(Debug, Serialize)]
struct ListView {
    filter: Vec<FilterOption>,
    filtered: bool,
    groups: Vec<Group>,
    next_url: Option<String>,
    upload: Option<UploadView>,
}

#[derive(Debug, Serialize)]
struct FilterOption {
    id: String,
    name: String,
    selected: bool,
}

/// The documents of one project (or of none) on this page of the list.
#[derive(Debug, Serialize)]
struct Group {
    #[serde(skip)]
    project: Option<ProjectId>,
    name: Option<String>,
    url: Option<String>,
    documents: Vec<DocumentItem>,
}

#[derive(Debug, Serialize)]
struct DocumentItem {
    url: String,
    title: String,
    added: String,
    internal: bool,
    version: Option<VersionSummary>,
    download_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct VersionSummary {
    number: i32,
    file_name: String,
    size: String,
}
