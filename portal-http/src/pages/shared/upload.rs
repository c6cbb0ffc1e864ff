//! Files sent through a share link that takes uploads. Each becomes an **internal** document of
//! the link's project — the team reviews it and shares it if it should be seen — recorded under a
//! system scope of the tenant and audited as `share_link.uploaded` with the link as the actor.
//!
//! - `share/{token}/uploads`: the resumable upload (tus 1.0.0, as the API's `/uploads`), which
//!   the page's script uses. Beginning an upload is one use of the link; its later parts
//!   (`share/{token}/uploads/{id}`: `HEAD`, `PATCH`, `DELETE`) count none — they need the link
//!   still working (not revoked, unexpired, its client not offboarded) and the upload begun
//!   through it, so one file costs one use however many parts it takes. A used-up link lets the
//!   upload begun with its last use finish.
//! - `POST share/{token}/documents`: the same form posted as it is (multipart), without script —
//!   one use; the answer is the link's page saying the file arrived, or why it was refused.
//!
//! A link that does not take uploads answers both like an unknown address (404).

use axum::body::Body;
use axum::extract::{OriginalUri, Path, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use portal_auth::AuthError;
use portal_core::model::{ShareLink, ShareTarget};
use portal_core::{DocumentId, Visibility};

use super::super::catalogue::Arg;
use super::super::client::documents::form_body::{FormBody, Unreadable};
use super::super::client::documents::size::file_size;
use super::super::client::documents::upload::InputRefusal;
use super::super::format::Formatter;
use super::super::page::{PageError, PageRequest};
use super::view::{Sent, render_opened};
use super::{Opened, Refusal, open};
use crate::api::documents::resumable::{self, Uploader};
use crate::api::documents::upload::{NewUpload, new_document_from};
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::state::PortalState;

/// The longest title field read, in bytes (a title is at most 200 characters).
const TITLE_FIELD: usize = 1024;
/// The longest other short field read, in bytes.
const SHORT_FIELD: usize = 256;
/// What is read of a refused form's rest before answering, beyond the upload limit.
const DRAIN_SLACK: u64 = 1024 * 1024;

/// `POST share/{token}/uploads`: begins a resumable upload — one use of the link.
pub(super) async fn begin(
    State(state): State<PortalState>,
    page: PageRequest,
    ip: ClientIp,
    Path(token): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let sends_bytes = resumable::sends_bytes(&headers, &body);
    let opened = match open(&state, &page, ip, &token).await {
        Ok(opened) if opened.link.allow_upload => opened,
        Ok(_) => return resumable::no_such_upload(),
        Err(refusal) => return refusal.answer(&page),
    };
    let uploader = Uploader::through_link(opened.link);
    resumable::begin(&state, &uploader, uri.path(), &headers, sends_bytes).await
}

/// `HEAD share/{token}/uploads/{id}`: where an upload stands.
pub(super) async fn offset(
    State(state): State<PortalState>,
    page: PageRequest,
    Path((token, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match live(&state, &page, &token).await {
        Some(link) => resumable::offset(&state, &Uploader::through_link(link), &id, &headers).await,
        None => resumable::no_such_upload(),
    }
}

/// `PATCH share/{token}/uploads/{id}`: a part, and the document once the file is complete.
pub(super) async fn append(
    State(state): State<PortalState>,
    page: PageRequest,
    ip: ClientIp,
    Path((token, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match live(&state, &page, &token).await {
        Some(link) => {
            let uploader = Uploader::through_link(link);
            resumable::append(&state, &uploader, ip, &id, &headers, body).await
        }
        None => resumable::no_such_upload(),
    }
}

/// `DELETE share/{token}/uploads/{id}`: gives an upload up.
pub(super) async fn cancel(
    State(state): State<PortalState>,
    page: PageRequest,
    Path((token, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match live(&state, &page, &token).await {
        Some(link) => resumable::cancel(&state, &Uploader::through_link(link), &id, &headers).await,
        None => resumable::no_such_upload(),
    }
}

/// The link of `token` for an upload's later parts: still working, of this tenant, taking
/// uploads. No use is counted.
async fn live(state: &PortalState, page: &PageRequest, token: &str) -> Option<ShareLink> {
    match state.share_links().live(token).await {
        Ok(link) if link.tenant == page.tenant.id && link.allow_upload => Some(link),
        Ok(_) | Err(AuthError::InvalidShareLink) => None,
        Err(error) => {
            tracing::warn!(%error, "could not check a share link");
            None
        }
    }
}

/// `POST share/{token}/documents`: the upload form posted without script — one use of the link.
pub(super) async fn submit(
    State(state): State<PortalState>,
    page: PageRequest,
    ip: ClientIp,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    let opened = match open(&state, &page, ip, &token).await {
        Ok(opened) if opened.link.allow_upload => opened,
        Ok(_) => return page.error(PageError::NotFound),
        Err(refusal) => return refusal.answer(&page),
    };
    let sent = receive(&state, &page, &opened, ip, request).await;
    render_opened(&state, &page, &opened, &token, sent)
        .await
        .unwrap_or_else(|refusal: Refusal| refusal.answer(&page))
}

/// Reads the form and streams its file into a new internal document of the link's project.
async fn receive(
    state: &PortalState,
    page: &PageRequest,
    opened: &Opened,
    ip: ClientIp,
    request: Request,
) -> Sent {
    let max_upload = state.config().max_upload_bytes;
    let mut form = match FormBody::open(request, max_upload).await {
        Ok(form) => form,
        Err(error) => return unread(state, page, &error, String::new()),
    };
    let mut title = String::new();
    let outcome = loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break Err(Problem::NoFile),
            Err(error) => break Err(Problem::Unread(error)),
        };
        match field.name() {
            "file" => {
                // Browsers write `"` in a file name as `%22` (the HTML standard's rule).
                let file_name = field.file_name().unwrap_or_default().replace("%22", "\"");
                if file_name.trim().is_empty() {
                    break Err(Problem::NoFile);
                }
                let typed = title.trim();
                let new = NewUpload {
                    project: project_of(&opened.link),
                    file_name: &file_name,
                    title: (!typed.is_empty()).then_some(typed),
                    visibility: Visibility::Internal,
                    via_share_link: Some(opened.link.id),
                };
                // The form's own length says nothing of the file's; the limit bites while it streams.
                let no_length = HeaderMap::new();
                let (read, stored) = field
                    .stream_file(|body| {
                        new_document_from(state, &opened.scope, ip, new, &no_length, body)
                    })
                    .await;
                break match (read, stored) {
                    (_, Ok((document, version))) => Ok((document.id, version.id)),
                    // The body broke off under the upload: the reader knows why.
                    (Err(error), Err(ApiError::BadRequest(_))) => Err(Problem::Unread(error)),
                    (_, Err(error)) => Err(Problem::Refused(error)),
                };
            }
            "title" => match field.text(TITLE_FIELD).await {
                Ok(text) => title = text,
                Err(error) => break Err(Problem::Unread(error)),
            },
            // Anything else is read within the short limit and dropped.
            _ => {
                if let Err(error) = field.text(SHORT_FIELD).await {
                    break Err(Problem::Unread(error));
                }
            }
        }
    };
    // What the upload did not read is read now, so the browser gets to see the answer.
    form.drain(max_upload.saturating_add(DRAIN_SLACK)).await;
    match outcome {
        Ok((document, version)) => {
            record(state, opened, document, version, ip).await;
            Sent::File
        }
        Err(Problem::NoFile) => refusal(page, "documents-error-no-file", &[], title),
        Err(Problem::Unread(error)) => unread(state, page, &error, title),
        Err(Problem::Refused(error)) => refused(state, page, error, title),
    }
}

/// Why a posted form stored nothing.
enum Problem {
    NoFile,
    Unread(Unreadable),
    Refused(ApiError),
}

/// The project a link's uploads go into.
fn project_of(link: &ShareLink) -> portal_core::ProjectId {
    let ShareTarget::Project(project) = link.target;
    project
}

/// Audits a document that came in through the link (the store recorded it under a system scope).
async fn record(
    state: &PortalState,
    opened: &Opened,
    document: DocumentId,
    version: portal_core::DocumentVersionId,
    ip: ClientIp,
) {
    if let Err(error) = state
        .share_links()
        .record_upload(&opened.link, document, version, &ip.audit())
        .await
    {
        tracing::warn!(%error, "could not audit an upload through a share link");
    }
}

fn formatter(page: &PageRequest) -> Formatter<'_> {
    Formatter {
        catalogue: &page.pages.catalogue,
        locale: page.locale,
    }
}

/// The page again with the message `id`.
fn refusal(page: &PageRequest, id: &str, args: &[(&str, Arg<'_>)], title: String) -> Sent {
    let message = formatter(page)
        .text_with(id, args)
        .unwrap_or_else(|_| id.to_owned());
    Sent::Refused { message, title }
}

/// Why the API refused the file, in the page's language.
fn refused(state: &PortalState, page: &PageRequest, error: ApiError, title: String) -> Sent {
    match InputRefusal::of(&error) {
        Some(refusal) => input_refusal(state, page, refusal, title),
        None => {
            tracing::warn!(%error, "an upload through a share link failed");
            self::refusal(page, "documents-upload-failed", &[], title)
        }
    }
}

/// The page again with what the signed-in upload form says of `refusal`.
fn input_refusal(
    state: &PortalState,
    page: &PageRequest,
    refusal: InputRefusal,
    title: String,
) -> Sent {
    let max = state.config().max_upload_bytes;
    match file_size(&formatter(page), i64::try_from(max).unwrap_or(i64::MAX)) {
        Ok(size) => {
            let (_, id, args) = refusal.message(&size);
            self::refusal(page, id, &args, title)
        }
        Err(_) => self::refusal(page, "documents-upload-failed", &[], title),
    }
}

/// The page again saying why the form could not be read.
fn unread(state: &PortalState, page: &PageRequest, error: &Unreadable, title: String) -> Sent {
    tracing::debug!(%error, "a share link's upload form could not be read");
    match error {
        Unreadable::FieldTooLong(field) if field == "title" => {
            input_refusal(state, page, InputRefusal::Title, title)
        }
        Unreadable::TooLarge => input_refusal(state, page, InputRefusal::TooLarge, title),
        Unreadable::FieldTooLong(_) => refusal(page, "form-not-accepted", &[], title),
        Unreadable::NotMultipart | Unreadable::Malformed(_) => {
            refusal(page, "documents-upload-failed", &[], title)
        }
    }
}

/// Discovery (`OPTIONS share/{token}/uploads`), as the API answers it.
pub(super) async fn options(state: State<PortalState>) -> Response {
    resumable::upload_options(state).await.into_response()
}
