//! `/requests`: what a client asks of the team — submitted, listed, replied to on the
//! request's thread, and moved through its states: the team triages, resolves and closes
//! (`manage_requests`), a client reopens a resolved one. The pages call `reopen` and
//! `move_status` too, so a page can do no more than these routes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::model::{AuditContext, NewRequest, Request, ThreadSubject};
use portal_core::state::{RequestStatus, StateMachine as _};
use portal_core::{
    ClientFilter, ClientId, DisplayName, Permission, ProjectId, RequestId, TenantScope, UserId,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::client_views::{holds, parse_id, text};
use super::paging::{PageOf, PageQuery};
use super::threads::{MessageView, PostMessage, messages_on, post_on};
use super::work::visible_project;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientIp};
use crate::state::PortalState;

/// A client's request.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    /// The request's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: RequestId,
    /// The client it is for.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// The project it is about, if any.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub project_id: Option<ProjectId>,
    /// A one-line summary.
    pub title: String,
    /// The details.
    pub body: String,
    /// `open`, `in_progress`, `resolved` or `closed`.
    #[schema(value_type = String, example = "open")]
    pub status: RequestStatus,
    /// Who submitted it.
    #[schema(value_type = String, format = Uuid)]
    pub submitted_by: UserId,
    /// When it was submitted.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<Request> for RequestView {
    fn from(request: Request) -> Self {
        Self {
            id: request.id,
            client_id: request.client,
            project_id: request.project,
            title: request.title.into_string(),
            body: request.body,
            status: request.status,
            submitted_by: request.submitted_by,
            created_at: request.created_at,
            updated_at: request.updated_at,
        }
    }
}

/// Which requests to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// Only in this status (`open`, `in_progress`, `resolved`, `closed`).
    #[param(value_type = Option<String>)]
    pub status: Option<RequestStatus>,
}

/// A move of a request through its states.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestStatusBody {
    /// `open`, `in_progress`, `resolved` or `closed`.
    #[schema(schema_with = super::openapi::request_status)]
    pub status: RequestStatus,
}

/// A new request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// The client it is for; may be left out by a contact of one client, or when `project_id`
    /// is given.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The project it is about, if any.
    #[serde(default)]
    pub project_id: Option<String>,
    /// A one-line summary.
    pub title: String,
    /// The details.
    pub body: String,
}

/// The requests the caller may see, newest first.
#[utoipa::path(get, path = "/requests", tag = "requests",
    params(PageQuery, RequestQuery),
    responses(
        (status = 200, body = PageOf<RequestView>),
        (status = 401, body = ErrorBody),
        (status = 422, description = "A malformed filter, limit or cursor", body = ErrorBody),
    ))]
pub async fn list_requests(
    State(state): State<PortalState>,
    caller: Caller,
    ApiQuery(paging): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<RequestQuery>,
) -> Result<Json<PageOf<RequestView>>, ApiError> {
    let paged = state
        .stores()
        .requests
        .list_requests(&caller.scope, query.status, paging.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, RequestView::from)))
}

/// Submits a request (`submit_requests` in its client).
#[utoipa::path(post, path = "/requests", tag = "requests",
    request_body = SubmitRequest,
    responses(
        (status = 201, description = "Submitted", body = RequestView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not submit requests", body = ErrorBody),
        (status = 404, description = "No such client or project the caller may see", body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "A blank title or body, a malformed id, or no client named", body = ErrorBody),
    ))]
pub async fn submit_request(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiJson(body): ApiJson<SubmitRequest>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let title = DisplayName::parse(&body.title).map_err(|error| error.in_field("title"))?;
    let details = text("body", body.body)?;
    let project: Option<ProjectId> = parse_id("project_id", body.project_id.as_deref())?;
    let named: Option<ClientId> = parse_id("client_id", body.client_id.as_deref())?;
    let client = match (named, project) {
        (Some(client), _) => client,
        // The project names its client; the store still checks that the two belong together.
        (None, Some(project)) => {
            visible_project(&state, &caller.scope, project)
                .await?
                .client
        }
        (None, None) => only_client(&caller)?,
    };
    let request = state
        .stores()
        .requests
        .submit_request(
            &caller.scope,
            NewRequest {
                client,
                project,
                title,
                body: details,
            },
            &ip.audit(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(request.into())))
}

/// The one client a caller reaches, when there is exactly one.
fn only_client(caller: &Caller) -> Result<ClientId, ApiError> {
    match caller.scope.reachable_clients() {
        ClientFilter::Only(clients) if clients.len() == 1 => clients
            .first()
            .copied()
            .ok_or_else(|| ApiError::invalid("client_id", "name the client")),
        _ => Err(ApiError::invalid(
            "client_id",
            "name the client the request is for",
        )),
    }
}

/// One request.
#[utoipa::path(get, path = "/requests/{request_id}", tag = "requests",
    params(("request_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = RequestView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not view requests", body = ErrorBody),
        (status = 404, description = "No such request the caller may see", body = ErrorBody),
    ))]
pub async fn get_request(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(id): ApiPath<RequestId>,
) -> Result<Json<RequestView>, ApiError> {
    let request = visible_request(&state, &caller.scope, id).await?;
    Ok(Json(request.into()))
}

/// The request `id`, if the scope may see it (`view_requests`); else 404.
async fn visible_request(
    state: &PortalState,
    scope: &TenantScope,
    id: RequestId,
) -> Result<Request, ApiError> {
    state
        .stores()
        .requests
        .request(scope, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Reopens a resolved request: its client follows up (`submit_requests`), or the team does
/// (`manage_requests`). Audited as `request.moved`.
#[utoipa::path(post, path = "/requests/{request_id}/reopen", tag = "requests",
    params(("request_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Open again", body = RequestView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not reopen requests, or a read-only preview", body = ErrorBody),
        (status = 404, description = "No such request the caller may see", body = ErrorBody),
        (status = 409, description = "The request is not resolved", body = ErrorBody),
    ))]
pub async fn reopen_request(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath(id): ApiPath<RequestId>,
) -> Result<Json<RequestView>, ApiError> {
    let request = visible_request(&state, &caller.scope, id).await?;
    let reopened = reopen(&state, &caller.scope, &request, &ip.audit()).await?;
    Ok(Json(reopened.into()))
}

/// Moves a request: `open` → `in_progress`, `resolved` or `closed`; `in_progress` →
/// `resolved` or `closed`; `resolved` → `open` (`manage_requests`; a contact with
/// `submit_requests` only reopens a resolved one, as `POST …/reopen` does). Audited as
/// `request.moved`.
#[utoipa::path(put, path = "/requests/{request_id}/status", tag = "requests",
    params(("request_id" = String, Path, format = Uuid)),
    request_body = RequestStatusBody,
    responses(
        (status = 200, description = "Moved", body = RequestView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not move requests, or a read-only preview", body = ErrorBody),
        (status = 404, description = "No such request the caller may see", body = ErrorBody),
        (status = 409, description = "Not a legal move from the current state", body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "No status, or one that is not a request's", body = ErrorBody),
    ))]
pub async fn move_request(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath(id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<RequestStatusBody>,
) -> Result<Json<RequestView>, ApiError> {
    let moved = move_status(&state, &caller.scope, id, body.status, &ip.audit()).await?;
    Ok(Json(moved.into()))
}

/// Whether `scope` may reopen a resolved request of `client`: a contact with
/// `submit_requests` or the team with `manage_requests`, never a read-only preview. The
/// client's request page offers its reopen form to contacts by this rule.
pub(crate) fn may_reopen(scope: &TenantScope, client: ClientId) -> bool {
    !scope.is_read_only()
        && (holds(scope, client, Permission::SubmitRequests)
            || holds(scope, client, Permission::ManageRequests))
}

/// Reopens `request`, one the scope sees: 403 for a role that may not ([`may_reopen`]), 409
/// unless it is resolved; then the store checks both again as it moves the request, audits and
/// queues the notification in one transaction. `POST /requests/{id}/reopen` and the request
/// page's reopen form both come here.
pub(crate) async fn reopen(
    state: &PortalState,
    scope: &TenantScope,
    request: &Request,
    audit: &AuditContext,
) -> Result<Request, ApiError> {
    if !may_reopen(scope, request.client) {
        return Err(ApiError::Forbidden);
    }
    if request.status != RequestStatus::Resolved {
        return Err(ApiError::Conflict(format!(
            "only a resolved request can be reopened; this one is {}",
            request.status.name()
        )));
    }
    move_status(state, scope, request.id, RequestStatus::Open, audit).await
}

/// Moves request `id` to `to` by the store's rules (`manage_requests`, or `submit_requests` to
/// reopen a resolved one; a foreign request is 404, an illegal move 409), audited as
/// `request.moved`. `PUT /requests/{id}/status` and the team's request page both come here.
pub(crate) async fn move_status(
    state: &PortalState,
    scope: &TenantScope,
    id: RequestId,
    to: RequestStatus,
    audit: &AuditContext,
) -> Result<Request, ApiError> {
    Ok(state
        .stores()
        .requests
        .move_request(scope, id, to, audit)
        .await?)
}

/// The conversation on a request, newest first (the same as its thread).
#[utoipa::path(get, path = "/requests/{request_id}/messages", tag = "requests",
    params(("request_id" = String, Path, format = Uuid), PageQuery),
    responses(
        (status = 200, body = PageOf<MessageView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such request the caller may see", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list_request_messages(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(id): ApiPath<RequestId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<MessageView>>, ApiError> {
    messages_on(&state, &caller.scope, ThreadSubject::Request(id), paging).await
}

/// Replies on a request (`comment`).
#[utoipa::path(post, path = "/requests/{request_id}/messages", tag = "requests",
    params(("request_id" = String, Path, format = Uuid)),
    request_body = PostMessage,
    responses(
        (status = 201, description = "Posted", body = MessageView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not comment", body = ErrorBody),
        (status = 404, description = "No such request the caller may see", body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "A blank or too long body", body = ErrorBody),
    ))]
pub async fn reply_to_request(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath(id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<PostMessage>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    post_on(&state, &caller.scope, ip, ThreadSubject::Request(id), body).await
}
