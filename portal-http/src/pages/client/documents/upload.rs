//! Uploads from the pages: `POST documents` (a new document in a project) and
//! `POST documents/{id}/versions` (its next version), each a `multipart/form-data` form whose
//! token comes first and whose file comes last. The token is checked before anything else is
//! read; the file then streams, never held whole, straight through the API's upload function —
//! its size limit, quota lock, content sniffing and checksum — into the blob store.
//!
//! The body is read with axum's multipart reader ([`form_body`](super::form_body)). A refused
//! upload shows the form again (422) with the reason next to the field at fault, after the rest
//! of the body has been read: a browser still sending would otherwise report a broken
//! connection instead of the page.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use portal_core::{DocumentId, ProjectId, Visibility};
use serde::{Deserialize, Serialize};

use super::super::super::catalogue::{Arg, CatalogueError};
use super::super::super::form::FormError;
use super::super::super::page::PageError;
use super::super::super::signed::{Failure, SignedPage};
use super::caller::api_caller;
use super::form_body::{FormBody, Part, Unreadable};
use super::size::file_size;
use super::{detail, list};
use crate::api::documents::names::allowed_extensions;
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
    /// The API's resumable upload endpoint (tus), which the page's script sends files to.
    resumable: String,
    /// The document a new version is for; `None` for a new document.
    document: Option<String>,
    /// The page to open once a resumable upload finished, with `{id}` for the document.
    done: String,
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
        let base = &page.page.base;
        // A version form posts to `/documents/{id}/versions`: its document is the target.
        let (document, notice) = match action
            .strip_prefix("/documents/")
            .and_then(|rest| rest.strip_suffix("/versions"))
        {
            Some(document) => (
                Some(document.to_owned()),
                "notice-documents-version-uploaded",
            ),
            None => (None, "notice-documents-uploaded"),
        };
        Ok(Self {
            resumable: format!("{base}/api/v1/uploads"),
            document,
            done: format!("{base}/documents/{{id}}?notice={notice}"),
            action: format!("{base}{action}"),
            projects,
            project: typed.project,
            title: typed.title,
            share: typed.share,
            can_share,
            staff: page.scope.is_staff_side(),
            error: typed.error,
            max_size: max_size(page)?,
            extensions: allowed_extensions(),
        })
    }
}

/// `POST documents`: a new document and its first version.
pub(super) async fn new_document(page: SignedPage, ip: ClientIp, request: Request) -> Response {
    match receive(&page, request, Target::NewDocument, ip).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// `POST documents/{id}/versions`: the document's next version.
pub(super) async fn new_version(
    page: SignedPage,
    ip: ClientIp,
    Path(document): Path<String>,
    request: Request,
) -> Response {
    let Ok(document) = document.parse::<DocumentId>() else {
        return page.fail(PageError::NotFound);
    };
    match receive(&page, request, Target::NewVersion(document), ip).await {
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

/// Reads an upload form — its token first — sends its file on to `target`, and answers.
async fn receive(
    page: &SignedPage,
    request: Request,
    target: Target,
    ip: ClientIp,
) -> Result<Response, Failure> {
    let max_upload = page.state.config().max_upload_bytes;
    let mut form = FormBody::open(request, max_upload).await.map_err(refusal)?;
    // The token first, before anything else is read (SEC-31).
    let token = match form.next_field().await.map_err(refusal)? {
        Some(field) if field.name() == "csrf_token" => {
            match field.text(SHORT_FIELD).await {
                Ok(token) => token,
                // Longer than any token: not one.
                Err(Unreadable::FieldTooLong(_)) => String::new(),
                Err(error) => return Err(refusal(error)),
            }
        }
        _ => String::new(),
    };
    if !page.verify_token(&token) {
        return Err(PageError::Forbidden.into());
    }
    let mut fields = Fields::default();
    let outcome = upload(page, target, &mut form, &mut fields, ip).await;
    // What the upload did not read — the end of the form, or a refused file — is read now, so
    // the browser gets to see the answer.
    form.drain(max_upload.saturating_add(DRAIN_SLACK)).await;
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

/// Reads the fields up to the file part and streams that through the API's upload function;
/// the document it went into. Parts after the file are left to the drain.
async fn upload(
    page: &SignedPage,
    target: Target,
    form: &mut FormBody,
    fields: &mut Fields,
    ip: ClientIp,
) -> Result<DocumentId, Refused> {
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Err(wrong(page, "file", "documents-error-no-file", &[])),
            Err(error) => return Err(not_read(page, &error)),
        };
        match field.name() {
            "file" => {
                // Browsers write `"` in a file name as `%22` (the HTML standard's rule).
                fields.file_name = field.file_name().unwrap_or_default().replace("%22", "\"");
                let fields = &*fields;
                let (read, sent) = field
                    .stream_file(|body| send(page, target, fields, body, ip))
                    .await;
                return match (read, sent) {
                    // The API saw the body break off; the reader knows why.
                    (Err(error), Err(Refused::Page(Failure::Api(ApiError::BadRequest(_))))) => {
                        Err(not_read(page, &error))
                    }
                    (_, sent) => sent,
                };
            }
            "project" => fields.project = short(page, field, SHORT_FIELD).await?,
            "title" => fields.title = short(page, field, TITLE_FIELD).await?,
            "share" => fields.share = !short(page, field, SHORT_FIELD).await?.is_empty(),
            // Anything else is read within the short limit and dropped.
            _ => {
                short(page, field, SHORT_FIELD).await?;
            }
        }
    }
}

/// A short field's text, or the form again saying why it could not be read.
async fn short(page: &SignedPage, field: Part<'_>, limit: usize) -> Result<String, Refused> {
    field
        .text(limit)
        .await
        .map_err(|error| not_read(page, &error))
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

/// Sends the file, `body`, through the API's upload function; the document it went into.
async fn send(
    page: &SignedPage,
    target: Target,
    fields: &Fields,
    body: Body,
    ip: ClientIp,
) -> Result<DocumentId, Refused> {
    if fields.file_name.trim().is_empty() {
        return Err(wrong(page, "file", "documents-error-no-file", &[]));
    }
    let state = State(page.state.clone());
    let caller = api_caller(page);
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

/// Why the API refused an upload, when it is about the form's input: what the upload forms — a
/// signed-in person's and a share link visitor's — say next to the field at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputRefusal {
    /// The name's extension is not accepted.
    FileType,
    /// The content is not what the name says.
    FileContent,
    /// The title is not a valid one.
    Title,
    /// Over the per-upload limit.
    TooLarge,
    /// Over what is left of the tenant's quota.
    Quota,
}

impl InputRefusal {
    /// The refusal `error` stands for, if it is about the input.
    pub(crate) fn of(error: &ApiError) -> Option<Self> {
        let field = match error {
            ApiError::Invalid { fields, .. } => fields.first().map(String::as_str),
            _ => None,
        };
        match (error, field) {
            (ApiError::Invalid { .. }, Some("name")) => Some(Self::FileType),
            (ApiError::Invalid { .. }, Some("body")) => Some(Self::FileContent),
            (ApiError::Invalid { .. }, Some("title")) => Some(Self::Title),
            (ApiError::PayloadTooLarge, _) => Some(Self::TooLarge),
            (ApiError::QuotaExceeded, _) => Some(Self::Quota),
            _ => None,
        }
    }

    /// The form field it goes next to, the message's id and its arguments; `max_size` is the
    /// per-upload limit as the page writes it.
    pub(crate) fn message(
        self,
        max_size: &str,
    ) -> (
        &'static str,
        &'static str,
        Vec<(&'static str, Arg<'static>)>,
    ) {
        match self {
            Self::FileType => (
                "file",
                "documents-error-file-type",
                vec![("extensions", Arg::Text(allowed_extensions().into()))],
            ),
            Self::FileContent => ("file", "documents-error-file-content", Vec::new()),
            Self::Title => ("title", "documents-error-title", Vec::new()),
            Self::TooLarge => (
                "file",
                "documents-error-too-large",
                vec![("size", Arg::Text(max_size.to_owned().into()))],
            ),
            Self::Quota => ("file", "form-quota", Vec::new()),
        }
    }
}

/// The reason the API gave for refusing an upload, next to the field at fault; errors that are
/// not about the input get the page's usual answer.
fn refused(page: &SignedPage, error: ApiError) -> Refused {
    if let Some(refusal) = InputRefusal::of(&error) {
        return match max_size(page) {
            Ok(size) => {
                let (field, id, args) = refusal.message(&size);
                wrong(page, field, id, &args)
            }
            Err(error) => error.into(),
        };
    }
    match error {
        ApiError::Invalid { .. } | ApiError::Conflict(_) => match page.form_error(error) {
            Ok(error) => Refused::Form(error),
            Err(response) => Refused::Answer(response),
        },
        _ => Refused::Page(error.into()),
    }
}

/// The form again saying the file is over the per-upload limit, the limit named.
fn too_large(page: &SignedPage) -> Refused {
    match max_size(page) {
        Ok(size) => {
            let (field, id, args) = InputRefusal::TooLarge.message(&size);
            wrong(page, field, id, &args)
        }
        Err(error) => error.into(),
    }
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

/// The form again saying why a part of its body could not be read, next to the field at fault.
fn not_read(page: &SignedPage, error: &Unreadable) -> Refused {
    tracing::debug!(%error, "an upload form could not be read");
    match error {
        Unreadable::FieldTooLong(field) if field == "title" => {
            wrong(page, "title", "documents-error-title", &[])
        }
        Unreadable::FieldTooLong(field) if field == "project" => {
            wrong(page, "project", "documents-error-project", &[])
        }
        Unreadable::FieldTooLong(_) => {
            match FormError::new(&page.formatter(), None, "form-not-accepted", &[]) {
                Ok(error) => Refused::Form(error),
                Err(error) => error.into(),
            }
        }
        Unreadable::TooLarge => too_large(page),
        Unreadable::NotMultipart | Unreadable::Malformed(_) => {
            wrong(page, "file", "documents-upload-failed", &[])
        }
    }
}

/// A form body that cannot be read before its token is checked: 400.
fn refusal(error: Unreadable) -> Failure {
    tracing::debug!(%error, "an upload form was refused");
    Failure::Page(PageError::BadRequest)
}
