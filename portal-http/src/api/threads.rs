//! `/threads/{kind}/{id}/messages`: the conversation on one object (a project, deliverable,
//! document, approval, request or task). A thread opens with its first message. Internal
//! messages are for staff: a contact never sees one, and a contact's messages are always shared
//! (SEC-28).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::model::{Message, NewMessage, ThreadSubject};
use portal_core::{
    ApprovalId, DeliverableId, DocumentId, MessageId, ProjectId, RequestId, TaskId, TenantScope,
    ThreadId, UserId, Visibility,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::client_views::text;
use super::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller, ClientIp};
use crate::state::PortalState;

/// What a thread is about.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A project.
    Project,
    /// A deliverable.
    Deliverable,
    /// A document.
    Document,
    /// An approval.
    Approval,
    /// A request.
    Request,
    /// A task.
    Task,
}

impl SubjectKind {
    /// The object of this kind with this id.
    #[must_use]
    pub const fn subject(self, id: Uuid) -> ThreadSubject {
        match self {
            Self::Project => ThreadSubject::Project(ProjectId::from_uuid(id)),
            Self::Deliverable => ThreadSubject::Deliverable(DeliverableId::from_uuid(id)),
            Self::Document => ThreadSubject::Document(DocumentId::from_uuid(id)),
            Self::Approval => ThreadSubject::Approval(ApprovalId::from_uuid(id)),
            Self::Request => ThreadSubject::Request(RequestId::from_uuid(id)),
            Self::Task => ThreadSubject::Task(TaskId::from_uuid(id)),
        }
    }
}

/// One message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// The message's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: MessageId,
    /// The thread.
    #[schema(value_type = String, format = Uuid)]
    pub thread_id: ThreadId,
    /// Who wrote it.
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    /// Its text.
    pub body: String,
    /// `shared`, or `internal` (staff only).
    #[schema(value_type = String, example = "shared")]
    pub visibility: Visibility,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Message> for MessageView {
    fn from(message: Message) -> Self {
        Self {
            id: message.id,
            thread_id: message.thread,
            author: message.author,
            body: message.body,
            visibility: message.visibility,
            created_at: message.created_at,
        }
    }
}

/// A new message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostMessage {
    /// Its text.
    pub body: String,
    /// Staff only: `internal` (the default, staff see it) or `shared` (the client sees it too).
    /// A contact's message is always shared.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "shared")]
    pub visibility: Option<Visibility>,
}

/// The messages on an object the caller may see, newest first; internal ones only for staff.
#[utoipa::path(get, path = "/threads/{kind}/{subject_id}/messages", tag = "conversation",
    params(
        ("kind" = inline(SubjectKind), Path, description = "What the thread is about"),
        ("subject_id" = String, Path, format = Uuid, description = "That object's id"),
        PageQuery,
    ),
    responses(
        (status = 200, body = PageOf<MessageView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not read this kind of object", body = ErrorBody),
        (status = 404, description = "No such object the caller may see", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list_messages(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath((kind, id)): ApiPath<(SubjectKind, Uuid)>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<MessageView>>, ApiError> {
    messages_on(&state, &caller.scope, kind.subject(id), paging).await
}

/// Posts a message on an object the caller may see (`comment`).
#[utoipa::path(post, path = "/threads/{kind}/{subject_id}/messages", tag = "conversation",
    params(
        ("kind" = inline(SubjectKind), Path, description = "What the thread is about"),
        ("subject_id" = String, Path, format = Uuid, description = "That object's id"),
    ),
    request_body = PostMessage,
    responses(
        (status = 201, description = "Posted", body = MessageView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not comment, or post internal messages", body = ErrorBody),
        (status = 404, description = "No such object the caller may see", body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "A blank or too long body", body = ErrorBody),
    ))]
pub async fn post_message(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    ApiPath((kind, id)): ApiPath<(SubjectKind, Uuid)>,
    ApiJson(body): ApiJson<PostMessage>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    post_on(&state, &caller.scope, ip, kind.subject(id), body).await
}

/// The messages on `subject` the scope may see.
pub(crate) async fn messages_on(
    state: &PortalState,
    scope: &TenantScope,
    subject: ThreadSubject,
    paging: PageQuery,
) -> Result<Json<PageOf<MessageView>>, ApiError> {
    let paged = state
        .stores()
        .threads
        .list_messages(scope, subject, paging.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, MessageView::from)))
}

/// Posts `body` on `subject`.
pub(crate) async fn post_on(
    state: &PortalState,
    scope: &TenantScope,
    ip: ClientIp,
    subject: ThreadSubject,
    body: PostMessage,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let message = NewMessage {
        subject,
        body: text("body", body.body)?,
        // Internal unless published on purpose; the store makes a contact's message shared.
        visibility: body.visibility.unwrap_or(Visibility::Internal),
    };
    let message = state
        .stores()
        .threads
        .post_message(scope, message, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(message.into())))
}
