//! `GET requests/{id}`: one request — its details, status, who asked, and its conversation with
//! a reply form for roles with `comment`. `POST requests/{id}/messages` replies, as
//! `POST /requests/{id}/messages` does; `POST requests/{id}/reopen` reopens a resolved request
//! as `POST /requests/{id}/reopen` does, through the same function (a contact with
//! `submit_requests`; every other move is the team's).
//! Another client's or tenant's request, and an id that is not one, is the branded 404.

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::RequestId;
use portal_core::model::{Request, ThreadSubject};
use portal_core::state::RequestStatus;
use serde::{Deserialize, Serialize};

use super::status;
use crate::api::requests;
use crate::extract::ClientIp;
use crate::pages::client::messages::conversation::{
    self, ConversationView, Draft, MessageFields, People, Place, datetime, when,
};
use crate::pages::client::messages::listing::Listing;
use crate::pages::client::messages::subjects::project_name;
use crate::pages::page::PageError;
use crate::pages::signed::{Failure, PageForm, SignedPage};

/// `GET requests/{id}`.
pub(crate) async fn show(
    page: SignedPage,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let shown = async {
        let request = find(&page, &id).await?;
        let listing = Listing::parse(query.as_deref(), conversation::MESSAGES_PER_PAGE)?;
        render(&page, request, listing, Draft::default(), None).await
    };
    match shown.await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// `POST requests/{id}/messages`: the reply, then back to the request; a blank or too long one
/// is the page again with what was typed (422).
pub(crate) async fn reply(
    Path(id): Path<String>,
    ip: ClientIp,
    PageForm { page, fields }: PageForm<MessageFields>,
) -> Response {
    let replied = async {
        let request = find(&page, &id).await?;
        let subject = ThreadSubject::Request(request.id);
        match conversation::post(&page, ip, subject, &fields).await {
            Ok(()) => Ok(page.redirect_with_notice(
                &format!("/requests/{}", request.id),
                "notice-requests-replied",
            )),
            Err(error) => match page.form_error(error) {
                Ok(error) => {
                    let draft = Draft {
                        fields,
                        error: Some(error),
                    };
                    let listing = Listing::first(conversation::MESSAGES_PER_PAGE)?;
                    render(&page, request, listing, draft, None).await
                }
                Err(response) => Ok(response),
            },
        }
    };
    match replied.await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The reopen form has no fields of its own, only its token.
#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

/// `POST requests/{id}/reopen`: a resolved request back to open through the API's
/// [`requests::reopen`], audited by the store; a request that is not resolved (any more) is the
/// page again with why (422), and a role that may not reopen gets 403.
pub(crate) async fn reopen(
    Path(id): Path<String>,
    ip: ClientIp,
    PageForm { page, .. }: PageForm<NoFields>,
) -> Response {
    let reopened = async {
        let request = find(&page, &id).await?;
        match requests::reopen(&page.state, &page.scope, &request, &ip.audit()).await {
            Ok(request) => Ok(page.redirect_with_notice(
                &format!("/requests/{}", request.id),
                "notice-requests-reopened",
            )),
            Err(error) => match page.form_error(error) {
                Ok(error) => {
                    let listing = Listing::first(conversation::MESSAGES_PER_PAGE)?;
                    render(
                        &page,
                        request,
                        listing,
                        Draft::default(),
                        Some(error.message),
                    )
                    .await
                }
                Err(response) => Ok(response),
            },
        }
    };
    match reopened.await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The request the path names, if the viewer may see it.
async fn find(page: &SignedPage, id: &str) -> Result<Request, Failure> {
    let id = RequestId::parse(id).map_err(|_| PageError::NotFound)?;
    page.state
        .stores()
        .requests
        .request(&page.scope, id)
        .await?
        .ok_or_else(|| PageError::NotFound.into())
}

/// The page's data.
#[derive(Debug, Serialize)]
struct RequestView {
    title: String,
    body: String,
    status_message: &'static str,
    active: bool,
    asker: String,
    submitted: String,
    submitted_datetime: String,
    project: Option<String>,
    /// For staff, who see several clients' requests.
    client: Option<String>,
    /// The reopen form's action, for a resolved request the viewer may reopen.
    reopen_url: Option<String>,
    /// Why a status change was refused.
    status_error: Option<String>,
    conversation: ConversationView,
}

async fn render(
    page: &SignedPage,
    request: Request,
    listing: Listing,
    draft: Draft,
    status_error: Option<String>,
) -> Result<Response, Failure> {
    let formatter = page.formatter();
    let status = if status_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        draft.status()
    };
    let path = format!("/requests/{}", request.id);
    let action = format!("{path}/messages");
    let conversation = conversation::conversation(
        page,
        Place {
            subject: ThreadSubject::Request(request.id),
            client: request.client,
            path: &path,
            action: &action,
            listing,
        },
        draft,
    )
    .await?;
    let asker = People::new(page).author(request.submitted_by).await?;
    let project = match request.project {
        Some(project) => project_name(&page.state, &page.scope, project).await?,
        None => None,
    };
    let client = if page.scope.is_staff_side() {
        page.state
            .stores()
            .clients
            .client(&page.scope, request.client)
            .await?
            .map(|client| client.name.into_string())
    } else {
        None
    };
    // The team moves requests on its own page (`staff/requests/{id}`); here the form is the
    // client's follow-up.
    let may_reopen = request.status == RequestStatus::Resolved
        && !page.scope.is_staff_side()
        && requests::may_reopen(&page.scope, request.client);
    let view = RequestView {
        status_message: status::message(request.status),
        active: status::is_active(request.status),
        asker: asker.name,
        submitted: when(&formatter, request.created_at)?,
        submitted_datetime: datetime(request.created_at),
        project,
        client,
        reopen_url: may_reopen.then(|| format!("{}{path}/reopen", page.page.base)),
        status_error,
        conversation,
        title: request.title.into_string(),
        body: request.body,
    };
    Ok(page.render_status(status, "client/request.html", view))
}
