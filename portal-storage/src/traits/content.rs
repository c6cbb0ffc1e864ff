use async_trait::async_trait;
use portal_core::model::{
    AuditContext, Decision, Document, DocumentVersion, Message, NewDecision, NewDocument,
    NewDocumentVersion, NewMessage, NewRequest, NewTask, NewUpdate, Request, Task, Thread,
    ThreadSubject, Update,
};
use portal_core::state::{RequestStatus, TaskStatus};
use portal_core::{
    ClientId, DecisionId, DisplayName, DocumentId, DocumentVersionId, ProjectId, RequestId, TaskId,
    TenantScope, UpdateId, Visibility,
};

use crate::{Page, Paged, StoreResult};

/// Which documents to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocumentFilter {
    /// Only this client's.
    pub client: Option<ClientId>,
    /// Only this project's.
    pub project: Option<ProjectId>,
}

/// Documents and their versions. File bytes live in the [`BlobStore`](crate::blob::BlobStore);
/// a version is recorded only once its upload is committed and hashed.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait DocumentStore: Send + Sync + 'static {
    /// Creates a document without versions (`upload_documents`; a contact's are shared, only staff
    /// may create internal ones).
    async fn create_document(
        &self,
        scope: &TenantScope,
        document: NewDocument,
        audit: &AuditContext,
    ) -> StoreResult<Document>;

    /// Creates a document and records a committed upload as its first version, in one
    /// transaction with both audit events and the outbox row (`upload_documents`, as
    /// [`create_document`](Self::create_document) and [`add_version`](Self::add_version)).
    /// A refused version, or a crash half-way, leaves no document behind: an upload that
    /// creates a document calls this, never the two steps.
    async fn create_document_with_version(
        &self,
        scope: &TenantScope,
        document: NewDocument,
        version: NewDocumentVersion,
        audit: &AuditContext,
    ) -> StoreResult<(Document, DocumentVersion)>;

    /// A document the scope may see (`view_documents`).
    async fn document(&self, scope: &TenantScope, id: DocumentId) -> StoreResult<Option<Document>>;

    /// The documents the scope may see.
    async fn list_documents(
        &self,
        scope: &TenantScope,
        filter: DocumentFilter,
        page: Page,
    ) -> StoreResult<Paged<Document>>;

    /// Records a committed upload as the document's next version and makes it current, with
    /// its audit event and outbox row, in one transaction (`upload_documents`).
    async fn add_version(
        &self,
        scope: &TenantScope,
        document: DocumentId,
        version: NewDocumentVersion,
        audit: &AuditContext,
    ) -> StoreResult<DocumentVersion>;

    /// The bytes all document versions of the scope's tenant hold, for upload quotas. Any scope
    /// of the tenant may ask: it is one number about the tenant, never about an object.
    async fn stored_bytes(&self, scope: &TenantScope) -> StoreResult<u64>;

    /// One version, if the scope may see its document (`view_documents`).
    async fn version(
        &self,
        scope: &TenantScope,
        id: DocumentVersionId,
    ) -> StoreResult<Option<DocumentVersion>>;

    /// A document's versions, newest first.
    async fn list_versions(
        &self,
        scope: &TenantScope,
        document: DocumentId,
        page: Page,
    ) -> StoreResult<Paged<DocumentVersion>>;

    /// Renames a document (`manage_documents`).
    async fn rename_document(
        &self,
        scope: &TenantScope,
        id: DocumentId,
        title: DisplayName,
        audit: &AuditContext,
    ) -> StoreResult<Document>;

    /// Publishes or withdraws a document (`publish`).
    async fn set_document_visibility(
        &self,
        scope: &TenantScope,
        id: DocumentId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Document>;
}

/// Status updates.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait UpdateStore: Send + Sync + 'static {
    /// Writes an internal draft (`manage_updates`).
    async fn create_update(
        &self,
        scope: &TenantScope,
        update: NewUpdate,
        audit: &AuditContext,
    ) -> StoreResult<Update>;

    /// An update the scope may see (`view_updates`).
    async fn update(&self, scope: &TenantScope, id: UpdateId) -> StoreResult<Option<Update>>;

    /// The updates the scope may see, optionally of one project, newest first.
    async fn list_updates(
        &self,
        scope: &TenantScope,
        project: Option<ProjectId>,
        page: Page,
    ) -> StoreResult<Paged<Update>>;

    /// Publishes or withdraws an update (`publish`).
    async fn set_update_visibility(
        &self,
        scope: &TenantScope,
        id: UpdateId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Update>;
}

/// Decision records.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait DecisionStore: Send + Sync + 'static {
    /// Records an internal decision (`manage_decisions`).
    async fn create_decision(
        &self,
        scope: &TenantScope,
        decision: NewDecision,
        audit: &AuditContext,
    ) -> StoreResult<Decision>;

    /// A decision the scope may see (`view_decisions`).
    async fn decision(&self, scope: &TenantScope, id: DecisionId) -> StoreResult<Option<Decision>>;

    /// The decisions the scope may see, optionally of one project.
    async fn list_decisions(
        &self,
        scope: &TenantScope,
        project: Option<ProjectId>,
        page: Page,
    ) -> StoreResult<Paged<Decision>>;

    /// Publishes or withdraws a decision (`publish`).
    async fn set_decision_visibility(
        &self,
        scope: &TenantScope,
        id: DecisionId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Decision>;
}

/// Next steps.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait TaskStore: Send + Sync + 'static {
    /// Creates an internal task (`manage_tasks`).
    async fn create_task(
        &self,
        scope: &TenantScope,
        task: NewTask,
        audit: &AuditContext,
    ) -> StoreResult<Task>;

    /// A task the scope may see (`view_tasks`).
    async fn task(&self, scope: &TenantScope, id: TaskId) -> StoreResult<Option<Task>>;

    /// The tasks the scope may see, optionally of one project.
    async fn list_tasks(
        &self,
        scope: &TenantScope,
        project: Option<ProjectId>,
        page: Page,
    ) -> StoreResult<Paged<Task>>;

    /// Marks a task done or open: staff with `manage_tasks` any task, anyone with
    /// `complete_tasks` the tasks their side owns.
    async fn set_task_status(
        &self,
        scope: &TenantScope,
        id: TaskId,
        status: TaskStatus,
        audit: &AuditContext,
    ) -> StoreResult<Task>;

    /// Publishes or withdraws a task (`publish`).
    async fn set_task_visibility(
        &self,
        scope: &TenantScope,
        id: TaskId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Task>;
}

/// Client requests.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait RequestStore: Send + Sync + 'static {
    /// Submits a request (`submit_requests` in its client), with its outbox row.
    async fn submit_request(
        &self,
        scope: &TenantScope,
        request: NewRequest,
        audit: &AuditContext,
    ) -> StoreResult<Request>;

    /// A request the scope may see (`view_requests`).
    async fn request(&self, scope: &TenantScope, id: RequestId) -> StoreResult<Option<Request>>;

    /// The requests the scope may see, optionally in one status, newest first.
    async fn list_requests(
        &self,
        scope: &TenantScope,
        status: Option<RequestStatus>,
        page: Page,
    ) -> StoreResult<Paged<Request>>;

    /// Moves a request through its state machine (`manage_requests`; a contact with
    /// `submit_requests` may reopen a resolved one).
    async fn move_request(
        &self,
        scope: &TenantScope,
        id: RequestId,
        to: RequestStatus,
        audit: &AuditContext,
    ) -> StoreResult<Request>;
}

/// Threads and messages on any object.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ThreadStore: Send + Sync + 'static {
    /// Posts a message on an object the scope may see (`comment`), opening its thread on the first
    /// message, with its outbox row. A contact's message is always shared; an internal message
    /// needs `view_internal`.
    async fn post_message(
        &self,
        scope: &TenantScope,
        message: NewMessage,
        audit: &AuditContext,
    ) -> StoreResult<Message>;

    /// The thread on an object, if one was opened and the scope may see the object.
    async fn thread(
        &self,
        scope: &TenantScope,
        subject: ThreadSubject,
    ) -> StoreResult<Option<Thread>>;

    /// The messages on an object the scope may see, newest first; internal ones only for staff.
    async fn list_messages(
        &self,
        scope: &TenantScope,
        subject: ThreadSubject,
        page: Page,
    ) -> StoreResult<Paged<Message>>;
}
