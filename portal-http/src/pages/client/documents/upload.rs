//! Uploads from the pages: `POST documents` (a new document in a project) and
//! `POST documents/{id}/versions` (its next version), each a `multipart/form-data` form whose
//! token comes first and whose file comes last. The token is checked before anything else is
//! read; the file then streams, never held whole, straight through the API's upload function —
//! its size limit, quota lock, content sniffing and checksum — into the blob store.
//!
//! A refused upload shows the form again (422) with the reason next to the field at fault, after
//! the rest of the body has been read: a browser still sending would otherwise report a broken
//! connection instead of the page.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::stream;
use portal_core::{DocumentId, ProjectId, Visibility};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::super::super::catalogue::{Arg, CatalogueError};
use super::super::super::form::FormError;
use super::super::super::page::PageError;
use super::super::super::signed::{Failure, SignedPage};
use super::caller::api_caller;
use super::multipart::{Multipart, MultipartError};
use super::size::file_size;
use super::{detail, list};
use crate::api::documents::ALLOWED_EXTENSIONS;
use crate::api::documents::upload::{
    NewDocumentQuery, NewVersionQuery, upload_document, upload_version,
};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, ClientIp};

/// The longest token, project id or checkbox value read.
const SHORT_FIELD: usize = 256;
/// The longest title read (the API allows 200 characters, at most 4 bytes each).
const TITLE_FIELD: usize = 1024;
/// What is read of a refused upload beyond the per-upload limit before giving up on it.
const DRAIN_SLACK: u64 = 1024 * 1024;

/// What was typed into an upload form, shown again when it was refused.
#[derive(Debug, Default)]
pub(super) struct Typed {
    /// The project chosen (a new document only).
    pub(super) project: String,
    /// The title typed.
    pub(super) title: String,
    /// Whether "share with the client" was ticked.
    pub(super) share: bool,
    /// Why it was refused.
    pub(super) error: Option<FormError>,
}

/// A project an upload may go into.
#[derive(Debug, Serialize)]
pub(super) struct ProjectOption {
    /// Its id.
    pub(super) id: String,
    /// Its name.
    pub(super) name: String,
}

/// An upload form, for the template `client/documents-upload.html`.
#[derive(Debug, Serialize)]
pub(super) struct UploadView {
    action: String,
    /// The projects to choose from, for a new document; `None` for a new version.
    projects: Option<Vec<ProjectOption>>,
    project: String,
    title: String,
    share: bool,
    /// Whether the uploader is staff who may publish: only they choose; a contact's upload is
    /// always shared, staff's otherwise internal.
    can_share: bool,
    staff: bool,
    error: Option<FormError>,
    max_size: String,
    extensions: String,
}

impl UploadView {
    /// The form posting to `action` (under the base), with what was typed.
    pub(super) fn new(
        page: &SignedPage,
        action: &str,
        projects: Option<Vec<ProjectOption>>,
        can_share: bool,
        typed: Typed,
    ) -> Result<Self, CatalogueError> {
        Ok(Self {
            action: format!("{}{action}", page.page.base),
            projects,
            project: typed.project,
            title: typed.title,
            share: typed.share,
            can_share,
            staff: page.scope.is_staff_side(),
            error: typed.error,
            max_size: max_size(page)?,
            extensions: extensions(),
        })
    }
}

/// `POST documents`: a new document and its first version.
pub(super) async fn new_document(
    page: SignedPage,
    ip: ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match receive(&page, &headers, body, Target::NewDocument, ip).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// `POST documents/{id}/versions`: the document's next version.
pub(super) async fn new_version(
    page: SignedPage,
    ip: ClientIp,
    Path(document): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(document) = document.parse::<DocumentId>() else {
        return page.fail(PageError::NotFound);
    };
    match receive(&page, &headers, body, Target::NewVersion(document), ip).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// Where an upload goes.
#[derive(Debug, Clone, Copy)]
enum Target {
    NewDocument,
    NewVersion(DocumentId),
}

/// The form's fields before its file.
#[derive(Debug, Default)]
struct Fields {
    project: String,
    title: String,
    share: bool,
    /// The chosen file's name; empty when none was chosen.
    file_name: String,
}

async fn receive(
    page: &SignedPage,
    headers: &HeaderMap,
    body: Body,
    target: Target,
    ip: ClientIp,
) -> Result<Response, Failure> {
    let mut form = Multipart::new(headers, body).map_err(refusal)?;
    // The token first, before anything else is read (SEC-31).
    let token = match form.next_part().await.map_err(refusal)? {
        Some(part) if part.name == "csrf_token" => form.text(SHORT_FIELD).await.map_err(refusal)?,
        _ => String::new(),
    };
    if !page.verify_token(&token) {
        return Err(PageError::Forbidden.into());
    }
    let fields = read_fields(&mut form).await.map_err(refusal)?;
    let form = Arc::new(Mutex::new(form));
    let outcome = send(page, target, &fields, form.clone(), ip).await;
    // What the upload did not read — the end of the form, or a refused file — is read now, so
    // the browser gets to see the answer.
    let limit = page
        .state
        .config()
        .max_upload_bytes
        .saturating_add(DRAIN_SLACK);
    form.lock().await.drain(limit).await;
    match outcome {
        Ok(document) => {
            let notice = match target {
                Target::NewDocument => "notice-documents-uploaded",
                Target::NewVersion(_) => "notice-documents-version-uploaded",
            };
            Ok(page.redirect_with_notice(&format!("/documents/{document}"), notice))
        }
        Err(Refused::Form(error)) => {
            let typed = Typed {
                project: fields.project,
                title: fields.title,
                share: fields.share,
                error: Some(error),
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            match target {
                Target::NewDocument => list::render(page, None, typed, status).await,
                Target::NewVersion(document) => detail::render(page, document, typed, status).await,
            }
        }
        Err(Refused::Page(failure)) => Err(failure),
        Err(Refused::Answer(response)) => Ok(response),
    }
}

/// Reads the fields up to the file part, which is left to stream.
async fn read_fields(form: &mut Multipart) -> Result<Fields, MultipartError> {
    let mut fields = Fields::default();
    while let Some(part) = form.next_part().await? {
        match part.name.as_str() {
            "project" => fields.project = form.text(SHORT_FIELD).await?,
            "title" => fields.title = form.text(TITLE_FIELD).await?,
            "share" => fields.share = !form.text(SHORT_FIELD).await?.is_empty(),
            "file" => {
                fields.file_name = part.file_name.unwrap_or_default();
                break;
            }
            // Anything else is skipped by the next `next_part`.
            _ => {}
        }
    }
    Ok(fields)
}

/// Why an upload was not stored.
enum Refused {
    /// Wrong input: the form again, with this message.
    Form(FormError),
    /// Anything else: the answer `SignedPage::fail` gives.
    Page(Failure),
    /// The answer is already made (the sign-in form, say).
    Answer(Response),
}

impl From<CatalogueError> for Refused {
    fn from(error: CatalogueError) -> Self {
        Self::Page(error.into())
    }
}

/// The form again with the message `id` next to `field`.
fn wrong(page: &SignedPage, field: &str, id: &str, args: &[(&str, Arg<'_>)]) -> Refused {
    match FormError::new(&page.formatter(), Some(field), id, args) {
        Ok(error) => Refused::Form(error),
        Err(error) => error.into(),
    }
}

/// Streams the file through the API's upload function; the document it went into.
async fn send(
    page: &SignedPage,
    target: Target,
    fields: &Fields,
    form: Arc<Mutex<Multipart>>,
    ip: ClientIp,
) -> Result<DocumentId, Refused> {
    if fields.file_name.trim().is_empty() {
        return Err(wrong(page, "file", "documents-error-no-file", &[]));
    }
    let state = State(page.state.clone());
    let caller = api_caller(page);
    let body = Body::from_stream(file_stream(form));
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let sent = match target {
        Target::NewDocument => {
            let Ok(project) = fields.project.parse::<ProjectId>() else {
                return Err(wrong(page, "project", "documents-error-project", &[]));
            };
            let title = fields.title.trim();
            let query = NewDocumentQuery {
                name: fields.file_name.clone(),
                title: (!title.is_empty()).then(|| title.to_owned()),
                visibility: fields.share.then_some(Visibility::Shared),
            };
            let uploaded = upload_document(
                state,
                caller,
                ip,
                ApiPath(project),
                ApiQuery(query),
                headers,
                body,
            )
            .await;
            match uploaded {
                Ok(response) => created_document(response).await,
                // The project is gone, or never was the viewer's: the form's choice is wrong.
                Err(ApiError::NotFound) => {
                    return Err(wrong(page, "project", "documents-error-project", &[]));
                }
                Err(error) => Err(error),
            }
        }
        Target::NewVersion(document) => {
            let query = NewVersionQuery {
                name: fields.file_name.clone(),
            };
            upload_version(
                state,
                caller,
                ip,
                ApiPath(document),
                ApiQuery(query),
                headers,
                body,
            )
            .await
            .map(|_| document)
        }
    };
    sent.map_err(|error| refused(page, error))
}

/// The reason the API gave for refusing an upload, next to the field at fault; errors that are
/// not about the input get the page's usual answer.
fn refused(page: &SignedPage, error: ApiError) -> Refused {
    let field = match &error {
        ApiError::Invalid { fields, .. } => fields.first().map(String::as_str),
        _ => None,
    };
    match (&error, field) {
        (ApiError::Invalid { .. }, Some("name")) => {
            let extensions = extensions();
            wrong(
                page,
                "file",
                "documents-error-file-type",
                &[("extensions", Arg::Text(extensions.into()))],
            )
        }
        (ApiError::Invalid { .. }, Some("body")) => {
            wrong(page, "file", "documents-error-file-content", &[])
        }
        (ApiError::Invalid { .. }, Some("title")) => {
            wrong(page, "title", "documents-error-title", &[])
        }
        (ApiError::PayloadTooLarge, _) => match max_size(page) {
            Ok(size) => wrong(
                page,
                "file",
                "documents-error-too-large",
                &[("size", Arg::Text(size.into()))],
            ),
            Err(error) => error.into(),
        },
        (ApiError::QuotaExceeded, _) => wrong(page, "file", "form-quota", &[]),
        (ApiError::Invalid { .. } | ApiError::Conflict(_), _) => match page.form_error(error) {
            Ok(error) => Refused::Form(error),
            Err(response) => Refused::Answer(response),
        },
        _ => Refused::Page(error.into()),
    }
}

/// The extensions an upload may have, as the form's hint lists them.
fn extensions() -> String {
    ALLOWED_EXTENSIONS
        .iter()
        .map(|(extension, _)| *extension)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The per-upload limit, in the page's language.
fn max_size(page: &SignedPage) -> Result<String, CatalogueError> {
    let max = page.state.config().max_upload_bytes;
    file_size(&page.formatter(), i64::try_from(max).unwrap_or(i64::MAX))
}

/// The id of the document a successful `upload_document` answer names.
async fn created_document(response: Response) -> Result<DocumentId, ApiError> {
    #[derive(Deserialize)]
    struct Created {
        document: CreatedDocument,
    }
    #[derive(Deserialize)]
    struct CreatedDocument {
        id: DocumentId,
    }
    if !response.status().is_success() {
        return Err(ApiError::internal(std::io::Error::other(
            "the upload answered without a document",
        )));
    }
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .map_err(ApiError::internal)?;
    let created: Created = serde_json::from_slice(&bytes).map_err(ApiError::internal)?;
    Ok(created.document.id)
}

/// The file part's content as a body, piece by piece as it arrives.
fn file_stream(
    form: Arc<Mutex<Multipart>>,
) -> impl futures_util::Stream<Item = Result<bytes::Bytes, MultipartError>> + Send + 'static {
    stream::unfold(Some(form), |form| async move {
        let form = form?;
        let next = form.lock().await.chunk().await;
        match next {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(form))),
            Ok(None) => None,
            // One error, then the end.
            Err(error) => Some((Err(error), None)),
        }
    })
}

/// A form body that cannot be read: 400.
fn refusal(error: MultipartError) -> Failure {
    tracing::debug!(%error, "an upload form was refused");
    Failure::Page(PageError::BadRequest)
}
