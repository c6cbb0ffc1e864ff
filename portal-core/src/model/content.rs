use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::client_record;
use crate::id::{
    ClientId, DecisionId, DocumentId, DocumentVersionId, MessageId, ProjectId, RequestId,
    ShareLinkId, TaskId, TenantId, ThreadId, UpdateId, UserId,
};
use crate::state::{RequestStatus, Sha256Digest, TaskStatus};
use crate::validate::DisplayName;
use crate::visibility::Visibility;

/// A shared file with versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The document's id.
    pub id: DocumentId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// The project it belongs to, if any.
    pub project: Option<ProjectId>,
    /// Its title.
    pub title: DisplayName,
    /// Published to the client or not.
    pub visibility: Visibility,
    /// The newest version, once one is committed.
    pub current_version: Option<DocumentVersionId>,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// What it takes to create a document (its first version is added separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    /// The client.
    pub client: ClientId,
    /// The project, if any (must belong to the same client).
    pub project: Option<ProjectId>,
    /// Its title.
    pub title: DisplayName,
    /// Internal or shared; contacts' uploads are shared.
    pub visibility: Visibility,
}

/// One immutable version of a document: its bytes live in the blob store under `blob_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentVersion {
    /// The version's id.
    pub id: DocumentVersionId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// The document.
    pub document: DocumentId,
    /// 1, 2, 3 … per document.
    pub number: i32,
    /// Where the bytes are (`<tenant>/<random id>`); never derived from the file name.
    pub blob_key: String,
    /// The SHA-256 of the bytes.
    pub sha256: Sha256Digest,
    /// The size in bytes.
    pub size: i64,
    /// The sniffed content type.
    pub content_type: String,
    /// The sanitised file name, as metadata only.
    pub file_name: String,
    /// Who uploaded it (the nil id when no person did: a background job, or a visitor through
    /// a share link — then `via_share_link` names the link).
    pub uploaded_by: UserId,
    /// The share link a visitor sent it through, if one did.
    pub via_share_link: Option<ShareLinkId>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A committed upload to record as a document's next version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocumentVersion {
    /// The blob key the bytes were committed under.
    pub blob_key: String,
    /// Their SHA-256.
    pub sha256: Sha256Digest,
    /// Their size.
    pub size: i64,
    /// The sniffed content type.
    pub content_type: String,
    /// The sanitised file name.
    pub file_name: String,
    /// The share link a visitor sent it through (recorded under a system scope), if one did.
    pub via_share_link: Option<ShareLinkId>,
}

/// A status post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Update {
    /// The update's id.
    pub id: UpdateId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// The project.
    pub project: ProjectId,
    /// Its title.
    pub title: DisplayName,
    /// Its text (Markdown).
    pub body: String,
    /// Published or a draft.
    pub visibility: Visibility,
    /// Who wrote it.
    pub author: UserId,
    /// When it was written.
    pub created_at: OffsetDateTime,
}

/// What it takes to write an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpdate {
    /// The project.
    pub project: ProjectId,
    /// Its title.
    pub title: DisplayName,
    /// Its text.
    pub body: String,
}

/// A meeting decision record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The decision's id.
    pub id: DecisionId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// The project.
    pub project: ProjectId,
    /// What was decided, in a line.
    pub title: DisplayName,
    /// Context and consequences.
    pub body: String,
    /// The day it was decided.
    pub decided_on: Date,
    /// Published or internal.
    pub visibility: Visibility,
    /// Who recorded it.
    pub author: UserId,
    /// When it was recorded.
    pub created_at: OffsetDateTime,
}

/// What it takes to record a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    /// The project.
    pub project: ProjectId,
    /// What was decided.
    pub title: DisplayName,
    /// Context and consequences.
    pub body: String,
    /// The day it was decided.
    pub decided_on: Date,
}

/// Who owns a next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskOwner {
    /// The client's people.
    Client,
    /// The tenant's team.
    Team,
}

/// A next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    /// The task's id.
    pub id: TaskId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// The project.
    pub project: ProjectId,
    /// What to do.
    pub title: DisplayName,
    /// Whose move it is.
    pub owner: TaskOwner,
    /// A named person, if any.
    pub assignee: Option<UserId>,
    /// Open or done.
    pub status: TaskStatus,
    /// When it is due.
    pub due_on: Option<Date>,
    /// Published or internal.
    pub visibility: Visibility,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// What it takes to create a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    /// The project.
    pub project: ProjectId,
    /// What to do.
    pub title: DisplayName,
    /// Whose move it is.
    pub owner: TaskOwner,
    /// A named person, if any.
    pub assignee: Option<UserId>,
    /// When it is due.
    pub due_on: Option<Date>,
}

/// A client-submitted request. Always shared: it is the client's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The request's id.
    pub id: RequestId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// The project it is about, if any.
    pub project: Option<ProjectId>,
    /// A one-line summary.
    pub title: DisplayName,
    /// The details.
    pub body: String,
    /// Where it stands.
    pub status: RequestStatus,
    /// Who submitted it.
    pub submitted_by: UserId,
    /// Always [`Visibility::Shared`].
    pub visibility: Visibility,
    /// When it was submitted.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

/// What a contact submits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    /// The client it is for (one of the submitter's).
    pub client: ClientId,
    /// The project it is about, if any.
    pub project: Option<ProjectId>,
    /// A one-line summary.
    pub title: DisplayName,
    /// The details.
    pub body: String,
}

/// What a thread comments on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ThreadSubject {
    /// A project.
    Project(ProjectId),
    /// A deliverable.
    Deliverable(crate::id::DeliverableId),
    /// A document.
    Document(DocumentId),
    /// An approval.
    Approval(crate::id::ApprovalId),
    /// A request.
    Request(RequestId),
    /// A task.
    Task(TaskId),
}

/// The comments on one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thread {
    /// The thread's id.
    pub id: ThreadId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// What it comments on.
    pub subject: ThreadSubject,
    /// When it was opened.
    pub created_at: OffsetDateTime,
}

/// One message of a thread, internal (staff only) or shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The message's id.
    pub id: MessageId,
    /// The tenant.
    pub tenant: TenantId,
    /// The client.
    pub client: ClientId,
    /// The thread.
    pub thread: ThreadId,
    /// Who wrote it.
    pub author: UserId,
    /// Its text.
    pub body: String,
    /// Internal or shared.
    pub visibility: Visibility,
    /// When it was written.
    pub created_at: OffsetDateTime,
}

/// What it takes to post a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The object commented on; its thread is opened on the first message.
    pub subject: ThreadSubject,
    /// Its text.
    pub body: String,
    /// Internal or shared; a contact's messages are always shared.
    pub visibility: Visibility,
}

client_record!(Document, Update, Decision, Task, Request, Message);

impl super::Record for Thread {
    fn facts(&self) -> crate::ResourceFacts {
        crate::ResourceFacts::of_client(self.tenant, self.client, Visibility::Shared)
    }
}
