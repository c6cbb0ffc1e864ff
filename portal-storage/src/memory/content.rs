//! Documents and their versions, status updates, decision records, tasks and client requests.

use async_trait::async_trait;
use portal_core::model::{
    AuditContext, Client, Decision, Document, DocumentVersion, NewDecision, NewDocument,
    NewDocumentVersion, NewRequest, NewTask, NewUpdate, Project, Request, Task, TaskOwner, Update,
};
use portal_core::state::{RequestStatus, TaskStatus};
use portal_core::{
    ClientId, DecisionId, DisplayName, DocumentId, DocumentVersionId, Invalid, Permission,
    ProjectId, RequestId, ResourceFacts, StateMachine, TaskId, TenantScope, UpdateId, Visibility,
};
use serde_json::json;
use time::OffsetDateTime;

use super::view::{Stored, both};
use super::{MemoryStore, State, acting_user, invalid, now, object, require_text};
use crate::rules::{self, events};
use crate::traits::{
    DecisionStore, DocumentFilter, DocumentStore, RequestStore, TaskStore, UpdateStore,
};
use crate::{Page, Paged, StoreError, StoreResult};

impl State {
    /// The project a new internal object goes into, once the scope may `permission` there.
    fn project_for_new(
        &self,
        scope: &TenantScope,
        project: ProjectId,
        permission: Permission,
    ) -> StoreResult<Project> {
        let project = self.found::<Project>(scope, project)?;
        let facts =
            ResourceFacts::of_client(scope.tenant_id(), project.client, Visibility::Internal);
        rules::require(scope, permission, &facts)?;
        Ok(project)
    }

    /// An optional project for an object of `client`: it must exist in the scope's tenant and
    /// be that client's. A project of a client the scope does not reach is simply not found.
    fn project_of_client(
        &self,
        scope: &TenantScope,
        client: ClientId,
        project: Option<ProjectId>,
    ) -> StoreResult<()> {
        let Some(project) = project else {
            return Ok(());
        };
        let project = self.found::<Project>(scope, project)?;
        if project.client == client {
            Ok(())
        } else if scope.can_reach_client(project.client) {
            Err(invalid(
                "project",
                Invalid::Malformed("belongs to another client"),
            ))
        } else {
            Err(StoreError::NotFound)
        }
    }

    fn create_document(
        &mut self,
        scope: &TenantScope,
        new: NewDocument,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Document> {
        let client = self.found::<Client>(scope, new.client)?;
        self.project_of_client(scope, client.id, new.project)?;
        let visibility = if scope.is_staff_side() {
            new.visibility
        } else {
            Visibility::Shared
        };
        let facts = ResourceFacts::of_client(
            scope.tenant_id(),
            client.id,
            both(visibility, self.optional_project_visibility(new.project)),
        );
        rules::require(scope, Permission::UploadDocuments, &facts)?;
        if scope.is_staff_side() && visibility.is_shared() {
            rules::require(scope, Permission::Publish, &facts)?;
        }
        let document = Document {
            id: DocumentId::new(),
            tenant: scope.tenant_id(),
            client: client.id,
            project: new.project,
            title: new.title,
            visibility,
            current_version: None,
            created_at: now,
        };
        self.put(document.clone());
        self.audit(
            scope,
            events::DOCUMENT_CREATED,
            object("document", document.id.as_uuid()),
            json!({ "project": document.project, "visibility": visibility }),
            context,
            now,
        );
        Ok(document)
    }

    /// What a new version must be, whatever its document: checked before anything changes.
    fn check_new_version(&self, new: &NewDocumentVersion) -> StoreResult<()> {
        require_text("blob_key", &new.blob_key)?;
        if new.size < 0 {
            return Err(invalid("size", Invalid::OutOfRange));
        }
        if self
            .versions
            .values()
            .any(|version| version.blob_key == new.blob_key)
        {
            return Err(StoreError::conflict("blob key already recorded"));
        }
        Ok(())
    }

    fn add_version(
        &mut self,
        scope: &TenantScope,
        id: DocumentId,
        new: NewDocumentVersion,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<DocumentVersion> {
        let document = self.load::<Document>(scope, Permission::UploadDocuments, id)?;
        self.check_new_version(&new)?;
        let number = self
            .versions
            .values()
            .filter(|version| version.document == id)
            .map(|version| version.number)
            .max()
            .unwrap_or(0)
            .checked_add(1)
            .ok_or_else(|| invalid("number", Invalid::OutOfRange))?;
        let version = DocumentVersion {
            id: DocumentVersionId::new(),
            tenant: scope.tenant_id(),
            client: document.client,
            document: id,
            number,
            blob_key: new.blob_key,
            sha256: new.sha256,
            size: new.size,
            content_type: new.content_type,
            file_name: new.file_name,
            uploaded_by: acting_user(scope),
            via_share_link: new.via_share_link,
            created_at: now,
        };
        self.put(version.clone());
        self.put(rules::with_current_version(document, &version));
        self.audit(
            scope,
            events::DOCUMENT_VERSION_ADDED,
            object("document", id.as_uuid()),
            json!({ "version": version.id, "number": number }),
            context,
            now,
        );
        self.enqueue(
            scope.tenant_id(),
            events::DOCUMENT_VERSION_ADDED,
            json!({
                "document": id,
                "version": version.id,
                "client": version.client,
                "project": self.documents.get(&id).and_then(|document| document.project),
            }),
            now,
        );
        Ok(version)
    }

    fn rename_document(
        &mut self,
        scope: &TenantScope,
        id: DocumentId,
        title: DisplayName,
        context: &AuditContext,
    ) -> StoreResult<Document> {
        let current = self.load::<Document>(scope, Permission::ManageDocuments, id)?;
        if current.title == title {
            return Ok(current);
        }
        let next = Document { title, ..current };
        self.put(next.clone());
        self.audit(
            scope,
            events::DOCUMENT_RENAMED,
            object("document", id.as_uuid()),
            serde_json::Value::Null,
            context,
            now(),
        );
        Ok(next)
    }

    fn create_update(
        &mut self,
        scope: &TenantScope,
        new: NewUpdate,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Update> {
        let project = self.project_for_new(scope, new.project, Permission::ManageUpdates)?;
        let update = Update {
            id: UpdateId::new(),
            tenant: scope.tenant_id(),
            client: project.client,
            project: project.id,
            title: new.title,
            body: new.body,
            visibility: Visibility::Internal,
            author: acting_user(scope),
            created_at: now,
        };
        self.put(update.clone());
        self.audit(
            scope,
            events::UPDATE_CREATED,
            object("update", update.id.as_uuid()),
            json!({ "project": project.id }),
            context,
            now,
        );
        Ok(update)
    }

    fn create_decision(
        &mut self,
        scope: &TenantScope,
        new: NewDecision,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Decision> {
        let project = self.project_for_new(scope, new.project, Permission::ManageDecisions)?;
        let decision = Decision {
            id: DecisionId::new(),
            tenant: scope.tenant_id(),
            client: project.client,
            project: project.id,
            title: new.title,
            body: new.body,
            decided_on: new.decided_on,
            visibility: Visibility::Internal,
            author: acting_user(scope),
            created_at: now,
        };
        self.put(decision.clone());
        self.audit(
            scope,
            events::DECISION_CREATED,
            object("decision", decision.id.as_uuid()),
            json!({ "project": project.id }),
            context,
            now,
        );
        Ok(decision)
    }

    fn create_task(
        &mut self,
        scope: &TenantScope,
        new: NewTask,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Task> {
        let project = self.project_for_new(scope, new.project, Permission::ManageTasks)?;
        if let Some(assignee) = new.assignee {
            self.user_in(scope.tenant_id(), assignee)
                .ok_or(StoreError::NotFound)?;
        }
        let task = Task {
            id: TaskId::new(),
            tenant: scope.tenant_id(),
            client: project.client,
            project: project.id,
            title: new.title,
            owner: new.owner,
            assignee: new.assignee,
            status: TaskStatus::Open,
            due_on: new.due_on,
            visibility: Visibility::Internal,
            created_at: now,
        };
        self.put(task.clone());
        self.audit(
            scope,
            events::TASK_CREATED,
            object("task", task.id.as_uuid()),
            json!({ "project": project.id, "owner": task.owner }),
            context,
            now,
        );
        Ok(task)
    }

    fn set_task_status(
        &mut self,
        scope: &TenantScope,
        id: TaskId,
        to: TaskStatus,
        context: &AuditContext,
    ) -> StoreResult<Task> {
        let current = self.found::<Task>(scope, id)?;
        let facts = current.facts_in(self);
        if let Err(denied) = rules::require(scope, Permission::ManageTasks, &facts) {
            let owned = match current.owner {
                TaskOwner::Team => scope.is_staff_side(),
                TaskOwner::Client => !scope.is_staff_side(),
            };
            if matches!(denied, StoreError::NotFound) || !owned {
                return Err(denied);
            }
            rules::require(scope, Permission::CompleteTasks, &facts)?;
        }
        let status = current.status.transition(to)?;
        let next = Task {
            status,
            ..current.clone()
        };
        self.put(next.clone());
        self.audit(
            scope,
            events::TASK_MOVED,
            object("task", id.as_uuid()),
            json!({ "from": current.status, "to": status }),
            context,
            now(),
        );
        Ok(next)
    }

    fn submit_request(
        &mut self,
        scope: &TenantScope,
        new: NewRequest,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Request> {
        let client = self.found::<Client>(scope, new.client)?;
        self.project_of_client(scope, client.id, new.project)?;
        let facts = ResourceFacts::of_client(
            scope.tenant_id(),
            client.id,
            both(
                Visibility::Shared,
                self.optional_project_visibility(new.project),
            ),
        );
        rules::require(scope, Permission::SubmitRequests, &facts)?;
        let request = Request {
            id: RequestId::new(),
            tenant: scope.tenant_id(),
            client: client.id,
            project: new.project,
            title: new.title,
            body: new.body,
            status: RequestStatus::Open,
            submitted_by: acting_user(scope),
            visibility: Visibility::Shared,
            created_at: now,
            updated_at: now,
        };
        self.put(request.clone());
        self.audit(
            scope,
            events::REQUEST_SUBMITTED,
            object("request", request.id.as_uuid()),
            json!({ "project": request.project }),
            context,
            now,
        );
        self.enqueue(
            scope.tenant_id(),
            events::REQUEST_SUBMITTED,
            json!({
                "request": request.id,
                "client": request.client,
                "project": request.project,
            }),
            now,
        );
        Ok(request)
    }

    fn move_request(
        &mut self,
        scope: &TenantScope,
        id: RequestId,
        to: RequestStatus,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Request> {
        let current = self.found::<Request>(scope, id)?;
        let facts = current.facts_in(self);
        if let Err(denied) = rules::require(scope, Permission::ManageRequests, &facts) {
            let reopening = current.status == RequestStatus::Resolved && to == RequestStatus::Open;
            if matches!(denied, StoreError::NotFound) || !reopening {
                return Err(denied);
            }
            rules::require(scope, Permission::SubmitRequests, &facts)?;
        }
        let status = current.status.transition(to)?;
        let next = Request {
            status,
            updated_at: now,
            ..current.clone()
        };
        self.put(next.clone());
        self.audit(
            scope,
            events::REQUEST_MOVED,
            object("request", id.as_uuid()),
            json!({ "from": current.status, "to": status }),
            context,
            now,
        );
        self.enqueue(
            scope.tenant_id(),
            events::REQUEST_MOVED,
            json!({
                "request": id,
                "client": next.client,
                "project": next.project,
                "status": status,
            }),
            now,
        );
        Ok(next)
    }
}

#[async_trait]
impl DocumentStore for MemoryStore {
    async fn create_document(
        &self,
        scope: &TenantScope,
        document: NewDocument,
        audit: &AuditContext,
    ) -> StoreResult<Document> {
        self.with_mut(|state| state.create_document(scope, document, audit, now()))
    }

    async fn create_document_with_version(
        &self,
        scope: &TenantScope,
        document: NewDocument,
        version: NewDocumentVersion,
        audit: &AuditContext,
    ) -> StoreResult<(Document, DocumentVersion)> {
        self.with_mut(|state| {
            // Checked first, so nothing is created when the version would be refused; after
            // that the version of a document just created with the same permission cannot be.
            state.check_new_version(&version)?;
            let now = now();
            let created = state.create_document(scope, document, audit, now)?;
            let version = state.add_version(scope, created.id, version, audit, now)?;
            Ok((rules::with_current_version(created, &version), version))
        })
    }

    async fn document(&self, scope: &TenantScope, id: DocumentId) -> StoreResult<Option<Document>> {
        self.with(|state| state.read::<Document>(scope, Permission::ViewDocuments, id))
    }

    async fn list_documents(
        &self,
        scope: &TenantScope,
        filter: DocumentFilter,
        page: Page,
    ) -> StoreResult<Paged<Document>> {
        Ok(self.with(|state| {
            state.list::<Document>(scope, Permission::ViewDocuments, page, |document| {
                filter.client.is_none_or(|client| document.client == client)
                    && filter
                        .project
                        .is_none_or(|project| document.project == Some(project))
            })
        }))
    }

    async fn add_version(
        &self,
        scope: &TenantScope,
        document: DocumentId,
        version: NewDocumentVersion,
        audit: &AuditContext,
    ) -> StoreResult<DocumentVersion> {
        self.with_mut(|state| state.add_version(scope, document, version, audit, now()))
    }

    async fn version(
        &self,
        scope: &TenantScope,
        id: DocumentVersionId,
    ) -> StoreResult<Option<DocumentVersion>> {
        self.with(|state| state.read::<DocumentVersion>(scope, Permission::ViewDocuments, id))
    }

    async fn stored_bytes(&self, scope: &TenantScope) -> StoreResult<u64> {
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            state
                .versions
                .values()
                .filter(|version| version.tenant == tenant)
                .map(|version| u64::try_from(version.size).unwrap_or(0))
                .sum()
        }))
    }

    async fn list_versions(
        &self,
        scope: &TenantScope,
        document: DocumentId,
        page: Page,
    ) -> StoreResult<Paged<DocumentVersion>> {
        self.with(|state| {
            let parent = state.found::<Document>(scope, document)?;
            rules::require(scope, Permission::ViewDocuments, &parent.facts_in(state))?;
            Ok(
                state.list::<DocumentVersion>(scope, Permission::ViewDocuments, page, |version| {
                    version.document == document
                }),
            )
        })
    }

    async fn rename_document(
        &self,
        scope: &TenantScope,
        id: DocumentId,
        title: DisplayName,
        audit: &AuditContext,
    ) -> StoreResult<Document> {
        self.with_mut(|state| state.rename_document(scope, id, title, audit))
    }

    async fn set_document_visibility(
        &self,
        scope: &TenantScope,
        id: DocumentId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Document> {
        self.with_mut(|state| state.set_visibility::<Document>(scope, id, visibility, audit))
    }
}

#[async_trait]
impl UpdateStore for MemoryStore {
    async fn create_update(
        &self,
        scope: &TenantScope,
        update: NewUpdate,
        audit: &AuditContext,
    ) -> StoreResult<Update> {
        self.with_mut(|state| state.create_update(scope, update, audit, now()))
    }

    async fn update(&self, scope: &TenantScope, id: UpdateId) -> StoreResult<Option<Update>> {
        self.with(|state| state.read::<Update>(scope, Permission::ViewUpdates, id))
    }

    async fn list_updates(
        &self,
        scope: &TenantScope,
        project: Option<ProjectId>,
        page: Page,
    ) -> StoreResult<Paged<Update>> {
        Ok(self.with(|state| {
            state.list::<Update>(scope, Permission::ViewUpdates, page, |update| {
                project.is_none_or(|project| update.project == project)
            })
        }))
    }

    async fn set_update_visibility(
        &self,
        scope: &TenantScope,
        id: UpdateId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Update> {
        self.with_mut(|state| state.set_visibility::<Update>(scope, id, visibility, audit))
    }
}

#[async_trait]
impl DecisionStore for MemoryStore {
    async fn create_decision(
        &self,
        scope: &TenantScope,
        decision: NewDecision,
        audit: &AuditContext,
    ) -> StoreResult<Decision> {
        self.with_mut(|state| state.create_decision(scope, decision, audit, now()))
    }

    async fn decision(&self, scope: &TenantScope, id: DecisionId) -> StoreResult<Option<Decision>> {
        self.with(|state| state.read::<Decision>(scope, Permission::ViewDecisions, id))
    }

    async fn list_decisions(
        &self,
        scope: &TenantScope,
        project: Option<ProjectId>,
        page: Page,
    ) -> StoreResult<Paged<Decision>> {
        Ok(self.with(|state| {
            state.list::<Decision>(scope, Permission::ViewDecisions, page, |decision| {
                project.is_none_or(|project| decision.project == project)
            })
        }))
    }

    async fn set_decision_visibility(
        &self,
        scope: &TenantScope,
        id: DecisionId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Decision> {
        self.with_mut(|state| state.set_visibility::<Decision>(scope, id, visibility, audit))
    }
}

#[async_trait]
impl TaskStore for MemoryStore {
    async fn create_task(
        &self,
        scope: &TenantScope,
        task: NewTask,
        audit: &AuditContext,
    ) -> StoreResult<Task> {
        self.with_mut(|state| state.create_task(scope, task, audit, now()))
    }

    async fn task(&self, scope: &TenantScope, id: TaskId) -> StoreResult<Option<Task>> {
        self.with(|state| state.read::<Task>(scope, Permission::ViewTasks, id))
    }

    async fn list_tasks(
        &self,
        scope: &TenantScope,
        project: Option<ProjectId>,
        page: Page,
    ) -> StoreResult<Paged<Task>> {
        Ok(self.with(|state| {
            state.list::<Task>(scope, Permission::ViewTasks, page, |task| {
                project.is_none_or(|project| task.project == project)
            })
        }))
    }

    async fn set_task_status(
        &self,
        scope: &TenantScope,
        id: TaskId,
        status: TaskStatus,
        audit: &AuditContext,
    ) -> StoreResult<Task> {
        self.with_mut(|state| state.set_task_status(scope, id, status, audit))
    }

    async fn set_task_visibility(
        &self,
        scope: &TenantScope,
        id: TaskId,
        visibility: Visibility,
        audit: &AuditContext,
    ) -> StoreResult<Task> {
        self.with_mut(|state| state.set_visibility::<Task>(scope, id, visibility, audit))
    }
}

#[async_trait]
impl RequestStore for MemoryStore {
    async fn submit_request(
        &self,
        scope: &TenantScope,
        request: NewRequest,
        audit: &AuditContext,
    ) -> StoreResult<Request> {
        self.with_mut(|state| state.submit_request(scope, request, audit, now()))
    }

    async fn request(&self, scope: &TenantScope, id: RequestId) -> StoreResult<Option<Request>> {
        self.with(|state| state.read::<Request>(scope, Permission::ViewRequests, id))
    }

    async fn list_requests(
        &self,
        scope: &TenantScope,
        status: Option<RequestStatus>,
        page: Page,
    ) -> StoreResult<Paged<Request>> {
        Ok(self.with(|state| {
            state.list::<Request>(scope, Permission::ViewRequests, page, |request| {
                status.is_none_or(|status| request.status == status)
            })
        }))
    }

    async fn move_request(
        &self,
        scope: &TenantScope,
        id: RequestId,
        to: RequestStatus,
        audit: &AuditContext,
    ) -> StoreResult<Request> {
        self.with_mut(|state| state.move_request(scope, id, to, audit, now()))
    }
}

#[cfg(test)]
mod tests {
    use portal_core::Visibility;
    use portal_core::model::{NewDocument, NewDocumentVersion, NewRequest, NewTask, TaskOwner};
    use portal_core::state::{RequestStatus, Sha256Digest, TaskStatus};

    use super::super::fixture::{World, ctx, name};
    use crate::traits::{DocumentFilter, DocumentStore, RequestStore, TaskStore};
    use crate::{Page, StoreError};

    #[tokio::test]
    async fn versions_follow_their_document() {
        let world = World::new("docs").await;
        let project = world.project(Visibility::Shared).await;
        let (document, version) = world.document(&project, Visibility::Internal, 9).await;
        let store = &world.store;
        assert_eq!(version.number, 1);
        assert_eq!(
            store.version(&world.contact, version.id).await.unwrap(),
            None
        );
        assert!(matches!(
            store
                .list_versions(&world.contact, document.id, Page::default())
                .await,
            Err(StoreError::NotFound)
        ));
        store
            .set_document_visibility(&world.owner, document.id, Visibility::Shared, &ctx())
            .await
            .unwrap();
        assert_eq!(
            store.version(&world.contact, version.id).await.unwrap(),
            Some(version.clone())
        );
        let listed = store
            .list_documents(&world.contact, DocumentFilter::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(listed.items[0].current_version, Some(version.id));
    }

    #[tokio::test]
    async fn a_contacts_upload_is_shared_and_numbered() {
        let world = World::new("upload").await;
        let project = world.project(Visibility::Shared).await;
        let store = &world.store;
        let document = store
            .create_document(
                &world.contact,
                NewDocument {
                    client: world.client.id,
                    project: Some(project.id),
                    title: name("Brief.docx"),
                    visibility: Visibility::Internal,
                },
                &ctx(),
            )
            .await
            .unwrap();
        assert_eq!(document.visibility, Visibility::Shared);
        for (n, key) in ["a", "b"].into_iter().enumerate() {
            let version = store
                .add_version(
                    &world.contact,
                    document.id,
                    NewDocumentVersion {
                        blob_key: format!("{}/{key}", world.tenant.id),
                        sha256: Sha256Digest::from_bytes([1; 32]),
                        size: 10,
                        content_type: "text/plain".to_owned(),
                        file_name: "brief.txt".to_owned(),
                        via_share_link: None,
                    },
                    &ctx(),
                )
                .await
                .unwrap();
            assert_eq!(version.number, i32::try_from(n).unwrap() + 1);
            assert_eq!(version.uploaded_by, world.contact_user);
        }
        let versions = store
            .list_versions(&world.contact, document.id, Page::default())
            .await
            .unwrap();
        assert_eq!(
            versions.items.iter().map(|v| v.number).collect::<Vec<_>>(),
            [2, 1]
        );
    }

    #[tokio::test]
    async fn tasks_and_requests_follow_their_rules() {
        let world = World::new("tasks").await;
        let project = world.project(Visibility::Shared).await;
        let store = &world.store;
        let task = store
            .create_task(
                &world.owner,
                NewTask {
                    project: project.id,
                    title: name("Send the logo files"),
                    owner: TaskOwner::Client,
                    assignee: Some(world.contact_user),
                    due_on: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .set_task_status(&world.contact, task.id, TaskStatus::Done, &ctx())
                .await,
            Err(StoreError::NotFound)
        ));
        store
            .set_task_visibility(&world.owner, task.id, Visibility::Shared, &ctx())
            .await
            .unwrap();
        let done = store
            .set_task_status(&world.contact, task.id, TaskStatus::Done, &ctx())
            .await
            .unwrap();
        assert_eq!(done.status, TaskStatus::Done);

        let request = store
            .submit_request(
                &world.contact,
                NewRequest {
                    client: world.client.id,
                    project: Some(project.id),
                    title: name("Add a careers page"),
                    body: "With a form".to_owned(),
                },
                &ctx(),
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .move_request(
                    &world.contact,
                    request.id,
                    RequestStatus::InProgress,
                    &ctx()
                )
                .await,
            Err(StoreError::Forbidden(_))
        ));
        store
            .move_request(&world.owner, request.id, RequestStatus::Resolved, &ctx())
            .await
            .unwrap();
        let reopened = store
            .move_request(&world.contact, request.id, RequestStatus::Open, &ctx())
            .await
            .unwrap();
        assert_eq!(reopened.status, RequestStatus::Open);
        assert!(matches!(
            store
                .submit_request(
                    &world.owner,
                    NewRequest {
                        client: world.client.id,
                        project: None,
                        title: name("Staff cannot"),
                        body: String::new(),
                    },
                    &ctx(),
                )
                .await,
            Err(StoreError::Forbidden(_))
        ));
    }
}
