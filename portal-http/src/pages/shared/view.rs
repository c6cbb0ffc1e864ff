//! `GET share/{token}`: the shared project as a visitor sees it — its name, status and
//! description, its shared milestones with their shared deliverables, and its shared documents
//! (title, file name, size, date), each with a download link when the link allows downloads.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{Document, DocumentVersion};
use portal_core::state::MilestoneStatus;
use portal_storage::{Cursor, DocumentFilter, Page};
use serde::Serialize;

use super::super::catalogue::CatalogueError;
use super::super::client::documents::size::file_size;
use super::super::client::projects::detail::deliverable_status_message;
use super::super::client::projects::timeline;
use super::super::dashboard::project_status_message;
use super::super::format::Formatter;
use super::super::page::{PageError, PageRequest};
use super::{Opened, Refusal, open, shows};
use crate::extract::ClientIp;
use crate::state::PortalState;

/// Milestones, and deliverables of each, read for the page (as on the client's project page).
const MAX_ITEMS: u32 = 200;
/// Documents read per store page.
const DOCUMENTS_PER_READ: u32 = 200;
/// Store pages of documents read at most: the page lists the newest shared documents among
/// the project's newest 2,000.
const MAX_DOCUMENT_READS: usize = 10;

#[derive(Debug, Serialize)]
struct SharedView {
    name: String,
    description: String,
    status_message: &'static str,
    expires: String,
    done: usize,
    total: usize,
    milestones: Vec<MilestoneItem>,
    documents: Vec<DocumentItem>,
    downloads: bool,
    /// The form to send files with, when the link takes uploads.
    upload: Option<UploadView>,
}

/// The upload form of a link that takes uploads.
#[derive(Debug, Serialize)]
struct UploadView {
    /// Where the form posts (a plain multipart upload, without script).
    action: String,
    /// The resumable (tus) endpoint the page's script sends files to instead.
    resumable: String,
    max_size: String,
    extensions: String,
    /// A file just arrived.
    sent: bool,
    /// Why the last file was refused, in the page's language.
    error: Option<String>,
    /// The title typed with a refused file.
    title: String,
}

#[derive(Debug, Serialize)]
struct MilestoneItem {
    title: String,
    stage_message: &'static str,
    stage_class: &'static str,
    due: Option<String>,
    deliverables: Vec<DeliverableItem>,
}

#[derive(Debug, Serialize)]
struct DeliverableItem {
    title: String,
    status_message: &'static str,
    due: Option<String>,
}

#[derive(Debug, Serialize)]
struct DocumentItem {
    title: String,
    file_name: String,
    size: String,
    added: String,
    download_url: Option<String>,
}

/// `GET share/{token}`: one use of the link.
pub(super) async fn show(
    State(state): State<PortalState>,
    page: PageRequest,
    ip: ClientIp,
    Path(token): Path<String>,
) -> Response {
    match render(&state, &page, ip, &token).await {
        Ok(response) => response,
        Err(refusal) => refusal.answer(&page),
    }
}

async fn render(
    state: &PortalState,
    page: &PageRequest,
    ip: ClientIp,
    token: &str,
) -> Result<Response, Refusal> {
    let opened = open(state, page, ip, token).await?;
    render_opened(state, page, &opened, token, Sent::Nothing).await
}

/// The page of a link already opened for this request (no further use counted), with what the
/// upload form just did.
pub(super) async fn render_opened(
    state: &PortalState,
    page: &PageRequest,
    opened: &Opened,
    token: &str,
    sent: Sent,
) -> Result<Response, Refusal> {
    let formatter = Formatter {
        catalogue: &page.pages.catalogue,
        locale: page.locale,
    };
    let milestones = milestones(state, opened, &formatter).await?;
    let documents = documents(state, page, opened, token, &formatter).await?;
    let status = match sent {
        Sent::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Sent::Nothing | Sent::File => StatusCode::OK,
    };
    let upload = if opened.link.allow_upload {
        Some(upload_view(state, page, token, &formatter, sent)?)
    } else {
        None
    };
    let done = milestones
        .iter()
        .filter(|milestone| milestone.stage_class == "done")
        .count();
    let view = SharedView {
        name: opened.project.name.as_str().to_owned(),
        description: opened.project.description.clone(),
        status_message: project_status_message(opened.project.status),
        expires: formatter
            .date(opened.link.expires_at.date())
            .map_err(PageError::internal)?,
        done,
        total: milestones.len(),
        milestones,
        documents,
        downloads: opened.link.allow_download,
        upload,
    };
    Ok(page.render(status, "shared/project.html", page.layout(None, None), view))
}

/// What the upload form just did.
#[derive(Debug)]
pub(super) enum Sent {
    /// Nothing: the page was asked for.
    Nothing,
    /// A file arrived.
    File,
    /// A file was refused, for this reason (in the page's language); the title typed with it.
    Refused {
        /// Why.
        message: String,
        /// The title field as it was.
        title: String,
    },
}

fn upload_view(
    state: &PortalState,
    page: &PageRequest,
    token: &str,
    formatter: &Formatter<'_>,
    sent: Sent,
) -> Result<UploadView, Refusal> {
    let max = state.config().max_upload_bytes;
    let (sent, error, title) = match sent {
        Sent::Nothing => (false, None, String::new()),
        Sent::File => (true, None, String::new()),
        Sent::Refused { message, title } => (false, Some(message), title),
    };
    Ok(UploadView {
        action: format!("{}/share/{token}/documents", page.base),
        resumable: format!("{}/share/{token}/uploads", page.base),
        max_size: file_size(formatter, i64::try_from(max).unwrap_or(i64::MAX))
            .map_err(PageError::internal)?,
        extensions: crate::api::documents::names::allowed_extensions(),
        sent,
        error,
        title,
    })
}

/// The project's shared milestones in its order, each with its shared deliverables.
async fn milestones(
    state: &PortalState,
    opened: &Opened,
    formatter: &Formatter<'_>,
) -> Result<Vec<MilestoneItem>, Refusal> {
    let stores = state.stores();
    let first = Page::first(MAX_ITEMS).map_err(PageError::internal)?;
    let mut milestones: Vec<_> = stores
        .milestones
        .list_milestones(&opened.scope, opened.project.id, first)
        .await?
        .items
        .into_iter()
        .filter(|milestone| {
            shows(
                opened,
                milestone.client,
                Some(milestone.project),
                milestone.visibility,
            )
        })
        .collect();
    milestones.sort_by_key(|milestone| (milestone.position, milestone.created_at));
    let statuses: Vec<MilestoneStatus> = milestones.iter().map(|m| m.status).collect();
    let mut items = Vec::with_capacity(milestones.len());
    for (milestone, stage) in milestones.into_iter().zip(timeline::stages(&statuses)) {
        let mut deliverables: Vec<_> = stores
            .deliverables
            .list_deliverables(&opened.scope, milestone.id, first)
            .await?
            .items
            .into_iter()
            .filter(|deliverable| {
                deliverable.milestone == milestone.id
                    && shows(
                        opened,
                        deliverable.client,
                        Some(deliverable.project),
                        deliverable.visibility,
                    )
            })
            .collect();
        deliverables.sort_by_key(|item| (item.due_on.is_none(), item.due_on, item.created_at));
        let deliverables = deliverables
            .into_iter()
            .map(|deliverable| {
                Ok(DeliverableItem {
                    status_message: deliverable_status_message(deliverable.status),
                    due: formatter.day(deliverable.due_on)?,
                    title: deliverable.title.into_string(),
                })
            })
            .collect::<Result<_, CatalogueError>>()
            .map_err(PageError::internal)?;
        items.push(MilestoneItem {
            stage_message: stage.message(),
            stage_class: stage.class(),
            due: formatter
                .day(milestone.due_on)
                .map_err(PageError::internal)?,
            title: milestone.title.into_string(),
            deliverables,
        });
    }
    Ok(items)
}

/// The project's shared documents that have a file, newest first.
async fn documents(
    state: &PortalState,
    page: &PageRequest,
    opened: &Opened,
    token: &str,
    formatter: &Formatter<'_>,
) -> Result<Vec<DocumentItem>, Refusal> {
    let stores = state.stores();
    let filter = DocumentFilter {
        client: Some(opened.link.client),
        project: Some(opened.project.id),
    };
    let mut items = Vec::new();
    let mut cursor: Option<Cursor> = None;
    for _ in 0..MAX_DOCUMENT_READS {
        let read = Page::first(DOCUMENTS_PER_READ)
            .map_err(PageError::internal)?
            .after(cursor);
        let paged = stores
            .documents
            .list_documents(&opened.scope, filter, read)
            .await?;
        for document in paged.items {
            if let Some(version) = listed_version(state, opened, &document).await? {
                items.push(item(page, opened, token, formatter, document, version)?);
            }
        }
        cursor = paged.next;
        if cursor.is_none() {
            break;
        }
    }
    Ok(items)
}

/// The current version of `document` if the link shows the document: shared, of the link's
/// client and project, with a file. The download answers only for such a document.
pub(super) async fn listed_version(
    state: &PortalState,
    opened: &Opened,
    document: &Document,
) -> Result<Option<DocumentVersion>, Refusal> {
    if !shows(
        opened,
        document.client,
        document.project,
        document.visibility,
    ) {
        return Ok(None);
    }
    let Some(current) = document.current_version else {
        return Ok(None);
    };
    Ok(state
        .stores()
        .documents
        .version(&opened.scope, current)
        .await?
        .filter(|version| version.document == document.id))
}

fn item(
    page: &PageRequest,
    opened: &Opened,
    token: &str,
    formatter: &Formatter<'_>,
    document: Document,
    version: DocumentVersion,
) -> Result<DocumentItem, Refusal> {
    Ok(DocumentItem {
        title: document.title.into_string(),
        size: file_size(formatter, version.size).map_err(PageError::internal)?,
        added: formatter
            .date(version.created_at.date())
            .map_err(PageError::internal)?,
        download_url: opened.link.allow_download.then(|| {
            format!(
                "{}/share/{token}/documents/{}/download",
                page.base, document.id
            )
        }),
        file_name: version.file_name,
    })
}
