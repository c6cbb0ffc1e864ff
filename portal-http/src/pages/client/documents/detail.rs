//! `GET documents/{id}`: one document — its project, its versions newest first (number, file
//! name, size, who uploaded it and when, SHA-256) each with a download link, and the form for a
//! new version where the viewer may upload one.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::{DocumentId, Permission, Visibility};
use portal_storage::{Page, rules};
use serde::Serialize;

use super::super::super::page::PageError;
use super::super::super::signed::{Failure, SignedPage};
use super::people::People;
use super::size::file_size;
use super::upload::{Typed, UploadView};
use crate::api::client_views::holds;
use crate::api::documents::visible_document;

/// Versions listed: all of them, as far as anyone keeps sending new ones.
const VERSIONS: u32 = 200;
/// How many hex digits of a SHA-256 are shown at first.
const SHORT_SHA: usize = 12;

/// `GET documents/{id}`: the document, or the branded 404 for one the viewer may not see.
pub(super) async fn show(page: SignedPage, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<DocumentId>() else {
        return page.fail(PageError::NotFound);
    };
    match render(&page, id, Typed::default(), StatusCode::OK).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// `GET documents/{id}/versions` (a reload of a refused upload, say): the document.
pub(super) async fn back_to_document(page: SignedPage, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<DocumentId>() else {
        return page.fail(PageError::NotFound);
    };
    match visible_document(&page.state, &page.scope, id).await {
        Ok(document) => page.redirect(&format!("/documents/{}", document.id)),
        Err(error) => page.fail(error),
    }
}

/// The document page with the new-version form as typed.
pub(super) async fn render(
    page: &SignedPage,
    id: DocumentId,
    typed: Typed,
    status: StatusCode,
) -> Result<Response, Failure> {
    let document = visible_document(&page.state, &page.scope, id).await?;
    let stores = page.state.stores();
    let base = &page.page.base;
    let formatter = page.formatter();
    let project = match document.project {
        Some(project) => stores
            .projects
            .project(&page.scope, project)
            .await?
            .map(|project| ProjectLink {
                url: format!("{base}/projects/{}", project.id),
                documents_url: format!("{base}/documents?project={}", project.id),
                name: project.name.into_string(),
            }),
        None => None,
    };
    let versions = stores
        .documents
        .list_versions(
            &page.scope,
            document.id,
            Page::first(VERSIONS).map_err(PageError::internal)?,
        )
        .await?
        .items;
    let may_download = holds(&page.scope, document.client, Permission::DownloadDocuments);
    let mut people = People::default();
    let mut items = Vec::with_capacity(versions.len());
    for version in versions {
        let sha = version.sha256.to_hex();
        items.push(VersionItem {
            current: document.current_version == Some(version.id),
            number: version.number,
            size: file_size(&formatter, version.size)?,
            uploaded: formatter.date(version.created_at.date())?,
            uploaded_by: people.name(page, version.uploaded_by).await?,
            via_link: version.via_share_link.is_some(),
            short_sha: sha.get(..SHORT_SHA).unwrap_or(&sha).to_owned(),
            sha,
            download_url: may_download.then(|| {
                format!(
                    "{base}/documents/{}/versions/{}/download",
                    document.id, version.id
                )
            }),
            file_name: version.file_name,
        });
    }
    let may_upload = !page.scope.is_read_only()
        && rules::require_on(&page.scope, Permission::UploadDocuments, &document).is_ok();
    let upload = if may_upload {
        let action = format!("/documents/{}/versions", document.id);
        Some(UploadView::new(page, &action, None, false, typed)?)
    } else {
        None
    };
    let view = DocumentView {
        documents_url: format!("{base}/documents"),
        title: document.title.into_string(),
        internal: document.visibility == Visibility::Internal,
        added: formatter.date(document.created_at.date())?,
        project,
        current: items.iter().position(|item| item.current),
        versions: items,
        upload,
    };
    Ok(page.render_status(status, "client/document.html", view))
}

#[derive(Debug, Serialize)]
struct DocumentView {
    documents_url: String,
    title: String,
    internal: bool,
    added: String,
    project: Option<ProjectLink>,
    /// The index of the current version in `versions`.
    current: Option<usize>,
    versions: Vec<VersionItem>,
    upload: Option<UploadView>,
}

#[derive(Debug, Serialize)]
struct ProjectLink {
    url: String,
    documents_url: String,
    name: String,
}

#[derive(Debug, Serialize)]
struct VersionItem {
    current: bool,
    number: i32,
    file_name: String,
    size: String,
    uploaded: String,
    uploaded_by: Option<String>,
    /// Sent by a visitor through a share link.
    via_link: bool,
    sha: String,
    short_sha: String,
    download_url: Option<String>,
}
