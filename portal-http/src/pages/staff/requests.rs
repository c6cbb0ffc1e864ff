//! `staff/requests`: the inbox of the clients' requests — open ones first, filtered by status
//! and client — and one request's page with its conversation: a reply the client sees, an
//! internal note only the team sees (`view_internal`), and its status (triage, resolve, close,
//! reopen; `manage_requests`).
//!
//! The same store calls as `GET /requests`, `GET /requests/{id}` and
//! `POST /requests/{id}/messages`; the status moves go through the function behind
//! `PUT /requests/{id}/status`.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{NewMessage, Request, ThreadSubject};
use portal_core::state::RequestStatus;
use portal_core::{ClientId, Permission, ProjectId, RequestId, UserId, Visibility};
use serde::{Deserialize, Serialize};

use super::super::page::PageError;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::invites::Choice;
use super::shared::{
    Alert, Form, Move, Offer, REQUESTS, Shown, every, form_failure, id, may, moves, opens, query,
    request_status, state_named,
};
use crate::api::client_views::text;
use crate::api::requests;
use crate::error::ApiError;
use crate::extract::ClientIp;

/// Every request status, in the inbox's order: what needs the team first.
const STATUSES: [RequestStatus; 4] = [
    RequestStatus::Open,
    RequestStatus::InProgress,
    RequestStatus::Resolved,
    RequestStatus::Closed,
];

/// The moves a request's buttons offer.
const MOVES: [Offer<RequestStatus>; 4] = [
    (None, RequestStatus::InProgress, "staff-request-start"),
    (None, RequestStatus::Resolved, "staff-request-resolve"),
    (None, RequestStatus::Closed, "staff-request-close"),
    (None, RequestStatus::Open, "staff-request-reopen"),
];

/// The inbox's filters.
#[derive(Debug, Default, Deserialize)]
struct InboxQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    client: Option<String>,
}

/// `GET staff/requests`.
pub(crate) async fn inbox(page: SignedPage, RawQuery(raw): RawQuery) -> Response {
    match render_inbox(&page, raw.as_deref()).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The inbox's data.
#[derive(Debug, Serialize)]
struct InboxView {
    statuses: Vec<Choice>,
    clients: Vec<Choice>,
    filtered: bool,
    requests: Vec<RequestItem>,
}

/// One request of the inbox.
#[derive(Debug, Serialize)]
struct RequestItem {
    title: String,
    href: String,
    client: String,
    project: Option<String>,
    submitted: String,
    status_message: &'static str,
    open: bool,
}

/// The inbox for the query's filters.
async fn render_inbox(page: &SignedPage, raw: Option<&str>) -> Result<Response, Failure> {
    opens(page, REQUESTS)?;
    let filters: InboxQuery = query(raw)?;
    let status = filters
        .status
        .as_deref()
        .filter(|text| !text.is_empty())
        .map(state_named::<RequestStatus>)
        .transpose()?;
    let client = filters
        .client
        .as_deref()
        .filter(|text| !text.is_empty())
        .map(|text| text.parse::<ClientId>().map_err(|_| PageError::BadRequest))
        .transpose()?;
    let stores = page.state.stores();
    let scope = &page.scope;
    let mut requests: Vec<Request> = every(|at| stores.requests.list_requests(scope, status, at))
        .await?
        .into_iter()
        .filter(|request| client.is_none_or(|client| request.client == client))
        .collect();
    let rank = |status: RequestStatus| STATUSES.iter().position(|candidate| *candidate == status);
    requests.sort_by_key(|request| (rank(request.status), std::cmp::Reverse(request.created_at)));

    let clients = every(|at| stores.clients.list_clients(scope, at)).await?;
    let client_names: HashMap<ClientId, String> = clients
        .iter()
        .map(|found| (found.id, found.name.as_str().to_owned()))
        .collect();
    let mut projects: HashMap<ProjectId, Option<String>> = HashMap::new();
    let formatter = page.formatter();
    let base = &page.page.base;
    let mut items = Vec::with_capacity(requests.len());
    for request in requests {
        let project = match request.project {
            Some(id) => {
                if let Some(name) = projects.get(&id) {
                    name.clone()
                } else {
                    let name = stores
                        .projects
                        .project(scope, id)
                        .await?
                        .map(|found| found.name.into_string());
                    projects.insert(id, name.clone());
                    name
                }
            }
            None => None,
        };
        items.push(RequestItem {
            href: format!("{base}/staff/requests/{}", request.id),
            client: client_names
                .get(&request.client)
                .cloned()
                .unwrap_or_default(),
            project,
            submitted: formatter.date(request.created_at.date())?,
            status_message: request_status(request.status),
            open: matches!(request.status, RequestStatus::Open),
            title: request.title.into_string(),
        });
    }
    let view = InboxView {
        statuses: STATUSES
            .iter()
            .map(|candidate| {
                Ok(Choice {
                    value: portal_core::state::StateMachine::name(*candidate).to_owned(),
                    label: formatter.text(request_status(*candidate))?,
                    selected: status == Some(*candidate),
                })
            })
            .collect::<Result<_, Failure>>()?,
        clients: clients
            .iter()
            .map(|found| Choice {
                value: found.id.to_string(),
                label: found.name.as_str().to_owned(),
                selected: client == Some(found.id),
            })
            .collect(),
        filtered: status.is_some() || client.is_some(),
        requests: items,
    };
    Ok(page.render("staff/requests.html", view))
}

/// `GET staff/requests/{id}`.
pub(crate) async fn show(page: SignedPage, Path(request): Path<String>) -> Response {
    respond(&page, &request, None, None, StatusCode::OK).await
}

/// The fields of the reply form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct ReplyFields {
    /// The text.
    #[serde(default)]
    body: String,
    /// `shared` (a reply the client sees) or `internal` (a note for the team).
    #[serde(default)]
    visibility: String,
}

/// `POST staff/requests/{id}/messages`: a reply, or an internal note.
pub(crate) async fn reply(
    ip: ClientIp,
    Path(request): Path<String>,
    form: PageForm<ReplyFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let found = match found(&page, &request).await {
        Ok(found) => found,
        Err(failure) => return page.fail(failure),
    };
    let visibility = match fields.visibility.as_str() {
        "shared" => Visibility::Shared,
        "internal" => Visibility::Internal,
        _ => return page.fail(PageError::BadRequest),
    };
    let posted = async {
        let message = NewMessage {
            subject: ThreadSubject::Request(found.id),
            body: text("body", fields.body.clone())?,
            visibility,
        };
        page.state
            .stores()
            .threads
            .post_message(&page.scope, message, &ip.audit())
            .await?;
        Ok::<_, ApiError>(())
    }
    .await;
    let notice = if visibility.is_shared() {
        "notice-staff-reply-sent"
    } else {
        "notice-staff-note-added"
    };
    match posted {
        Ok(()) => page.redirect_with_notice(&format!("/staff/requests/{}", found.id), notice),
        Err(error) => match form_failure(&page, error) {
            Shown::Again(error, status) => {
                let form = Form::failed("reply", fields.clone(), error, &["body"]);
                respond(&page, &request, Some(form), None, status).await
            }
            Shown::Instead(response) => response,
        },
    }
}

/// The status a button asks for.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusFields {
    #[serde(default)]
    status: String,
}

/// `POST staff/requests/{id}/status`: triage, resolve, close or reopen (`manage_requests`).
pub(crate) async fn move_to(
    ip: ClientIp,
    Path(request): Path<String>,
    form: PageForm<StatusFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let asked = async {
        let found = found(&page, &request).await?;
        let to: RequestStatus = state_named(&fields.status)?;
        Ok::<_, Failure>((found.id, to))
    }
    .await;
    let (id, to) = match asked {
        Ok(asked) => asked,
        Err(failure) => return page.fail(failure),
    };
    let moved = requests::move_status(&page.state, &page.scope, id, to, &ip.audit()).await;
    match moved {
        Ok(_) => page.redirect_with_notice(
            &format!("/staff/requests/{id}"),
            "notice-staff-status-changed",
        ),
        Err(error) => match form_failure(&page, error) {
            Shown::Again(error, status) => {
                let alert = Alert {
                    message: error.message,
                    href: None,
                };
                respond(&page, &request, None, Some(alert), status).await
            }
            Shown::Instead(response) => response,
        },
    }
}

/// The request of a path the viewer sees, for a viewer the inbox opens to; else the 404.
async fn found(page: &SignedPage, text: &str) -> Result<Request, Failure> {
    opens(page, REQUESTS)?;
    let id: RequestId = id(text)?;
    page.state
        .stores()
        .requests
        .request(&page.scope, id)
        .await?
        .ok_or(Failure::Page(PageError::NotFound))
}

/// A request's page data.
#[derive(Debug, Serialize)]
struct RequestView {
    alert: Option<Alert>,
    path: String,
    title: String,
    body: String,
    client: String,
    project: Option<String>,
    project_href: Option<String>,
    submitted_by: String,
    submitted: String,
    status_message: &'static str,
    moves: Vec<Move>,
    messages: Vec<MessageItem>,
    reply: Option<Form<ReplyFields>>,
    internal_notes: bool,
}

/// One message of the conversation.
#[derive(Debug, Serialize)]
struct MessageItem {
    author: String,
    body: String,
    posted: String,
    internal: bool,
}

/// The request page, or the answer to why it cannot be shown.
async fn respond(
    page: &SignedPage,
    request: &str,
    form: Option<Form<ReplyFields>>,
    alert: Option<Alert>,
    status: StatusCode,
) -> Response {
    match render(page, request, form, alert, status).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The request page with the reply form shown again when `form` failed.
async fn render(
    page: &SignedPage,
    request: &str,
    form: Option<Form<ReplyFields>>,
    alert: Option<Alert>,
    status: StatusCode,
) -> Result<Response, Failure> {
    let request = found(page, request).await?;
    let stores = page.state.stores();
    let scope = &page.scope;
    let formatter = page.formatter();
    let base = &page.page.base;
    let mut listed = every(|at| {
        stores
            .threads
            .list_messages(scope, ThreadSubject::Request(request.id), at)
    })
    .await?;
    // A conversation reads oldest first.
    listed.reverse();
    let mut names = UserNames::default();
    let mut messages = Vec::with_capacity(listed.len());
    for message in listed {
        messages.push(MessageItem {
            author: names.of(page, message.author).await?,
            posted: formatter.date(message.created_at.date())?,
            internal: !message.visibility.is_shared(),
            body: message.body,
        });
    }
    let client = stores
        .clients
        .client(scope, request.client)
        .await?
        .map(|found| found.name.into_string())
        .unwrap_or_default();
    let project = match request.project {
        Some(id) => stores.projects.project(scope, id).await?.map(|found| {
            (
                found.name.into_string(),
                format!("{base}/staff/projects/{id}"),
            )
        }),
        None => None,
    };
    let submitted_by = names.of(page, request.submitted_by).await?;
    let replies = may(scope, request.client, Permission::Comment);
    let reply = replies.then(|| form.unwrap_or_else(|| Form::new("reply", ReplyFields::default())));
    let alert = alert.or_else(|| reply.as_ref().and_then(Form::alert));
    let view = RequestView {
        alert,
        path: format!("{base}/staff/requests/{}", request.id),
        title: request.title.into_string(),
        body: request.body,
        client,
        project_href: project.as_ref().map(|(_, href)| href.clone()),
        project: project.map(|(name, _)| name),
        submitted_by,
        submitted: formatter.date(request.created_at.date())?,
        status_message: request_status(request.status),
        moves: if may(scope, request.client, Permission::ManageRequests) {
            moves(request.status, &MOVES)
        } else {
            Vec::new()
        },
        messages,
        internal_notes: replies && scope.sees_internal(),
        reply,
    };
    Ok(page.render_status(status, "staff/request.html", view))
}

/// The names of the people a conversation shows, each looked up once.
#[derive(Default)]
struct UserNames(HashMap<UserId, String>);

impl UserNames {
    /// The name of `user` (empty for someone the viewer does not see).
    async fn of(&mut self, page: &SignedPage, user: UserId) -> Result<String, Failure> {
        if let Some(name) = self.0.get(&user) {
            return Ok(name.clone());
        }
        let name = page
            .state
            .stores()
            .identities
            .user(&page.scope, user)
            .await?
            .map(|found| found.name.into_string())
            .unwrap_or_default();
        self.0.insert(user, name.clone());
        Ok(name)
    }
}
