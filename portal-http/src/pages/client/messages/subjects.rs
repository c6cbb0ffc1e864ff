//! What a conversation can be about — a project, a deliverable, a document, an approval, a task
//! or a request — found with the page's scope through each object's own store, so a thread is
//! only ever shown on an object the viewer may see (anything else is `None`: the branded 404).

use portal_core::model::ThreadSubject;
use portal_core::{
    ApprovalId, ClientId, DeliverableId, DocumentId, ProjectId, TaskId, TenantScope,
};
use portal_storage::{ApprovalFilter, DocumentFilter, Page, ProjectFilter};
use uuid::Uuid;

use super::conversation::excerpt;
use crate::error::ApiError;
use crate::state::PortalState;

/// The longest title an approval's message gives its thread, in characters.
const APPROVAL_TITLE_CHARS: usize = 80;

/// What a thread is about, as the pages' paths name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A project: its general conversation.
    Project,
    /// A deliverable.
    Deliverable,
    /// A document.
    Document,
    /// An approval.
    Approval,
    /// A next step.
    Task,
    /// A request: its conversation lives on the request's own page.
    Request,
}

impl Kind {
    /// The kind a thread page's path names; requests have no thread page of their own.
    pub(crate) fn from_path(segment: &str) -> Option<Self> {
        match segment {
            "project" => Some(Self::Project),
            "deliverable" => Some(Self::Deliverable),
            "document" => Some(Self::Document),
            "approval" => Some(Self::Approval),
            "task" => Some(Self::Task),
            _ => None,
        }
    }

    /// The catalogue id of the kind's name.
    pub(crate) const fn message(self) -> &'static str {
        match self {
            Self::Project => "messages-kind-project",
            Self::Deliverable => "messages-kind-deliverable",
            Self::Document => "messages-kind-document",
            Self::Approval => "messages-kind-approval",
            Self::Task => "messages-kind-task",
            Self::Request => "messages-kind-request",
        }
    }

    const fn path_segment(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::Deliverable => "deliverable",
            Self::Document => "document",
            Self::Approval => "approval",
            Self::Task => "task",
            Self::Request => "request",
        }
    }
}

/// One object a thread is (or may be) about.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    /// Its kind.
    pub(crate) kind: Kind,
    /// Its id.
    pub(crate) id: Uuid,
    /// Its name.
    pub(crate) title: String,
    /// The client whose it is.
    pub(crate) client: ClientId,
    /// The project it belongs to, if any.
    pub(crate) project: Option<ProjectId>,
}

impl Subject {
    /// The thread's subject in the stores.
    pub(crate) const fn thread(&self) -> ThreadSubject {
        let id = self.id;
        match self.kind {
            Kind::Project => ThreadSubject::Project(ProjectId::from_uuid(id)),
            Kind::Deliverable => ThreadSubject::Deliverable(DeliverableId::from_uuid(id)),
            Kind::Document => ThreadSubject::Document(DocumentId::from_uuid(id)),
            Kind::Approval => ThreadSubject::Approval(ApprovalId::from_uuid(id)),
            Kind::Task => ThreadSubject::Task(TaskId::from_uuid(id)),
            Kind::Request => ThreadSubject::Request(portal_core::RequestId::from_uuid(id)),
        }
    }

    /// The page of its conversation, under the tenant's base.
    pub(crate) fn path(&self) -> String {
        match self.kind {
            Kind::Request => format!("/requests/{}", self.id),
            kind => format!("/messages/{}/{}", kind.path_segment(), self.id),
        }
    }
}

/// The object `kind` `id` names, if the scope may see it.
pub(crate) async fn find(
    state: &PortalState,
    scope: &TenantScope,
    kind: Kind,
    id: Uuid,
) -> Result<Option<Subject>, ApiError> {
    let stores = state.stores();
    let subject = match kind {
        Kind::Project => stores
            .projects
            .project(scope, ProjectId::from_uuid(id))
            .await?
            .map(|project| Subject {
                kind,
                id,
                title: project.name.into_string(),
                client: project.client,
                project: Some(project.id),
            }),
        Kind::Deliverable => stores
            .deliverables
            .deliverable(scope, DeliverableId::from_uuid(id))
            .await?
            .map(|deliverable| Subject {
                kind,
                id,
                title: deliverable.title.into_string(),
                client: deliverable.client,
                project: Some(deliverable.project),
            }),
        Kind::Document => stores
            .documents
            .document(scope, DocumentId::from_uuid(id))
            .await?
            .map(|document| Subject {
                kind,
                id,
                title: document.title.into_string(),
                client: document.client,
                project: document.project,
            }),
        Kind::Approval => stores
            .approvals
            .approval(scope, ApprovalId::from_uuid(id))
            .await?
            .map(|approval| Subject {
                kind,
                id,
                title: excerpt(&approval.message, APPROVAL_TITLE_CHARS),
                client: approval.client,
                project: Some(approval.project),
            }),
        Kind::Task => stores
            .tasks
            .task(scope, TaskId::from_uuid(id))
            .await?
            .map(|task| Subject {
                kind,
                id,
                title: task.title.into_string(),
                client: task.client,
                project: Some(task.project),
            }),
        Kind::Request => stores
            .requests
            .request(scope, portal_core::RequestId::from_uuid(id))
            .await?
            .map(|request| Subject {
                kind,
                id,
                title: request.title.into_string(),
                client: request.client,
                project: request.project,
            }),
    };
    Ok(subject)
}

/// The projects the scope may see, newest first, each as the subject of its general thread.
pub(crate) async fn projects(
    state: &PortalState,
    scope: &TenantScope,
) -> Result<Vec<Subject>, ApiError> {
    Ok(state
        .stores()
        .projects
        .list_projects(scope, ProjectFilter::default(), whole()?)
        .await?
        .items
        .into_iter()
        .map(|project| Subject {
            kind: Kind::Project,
            id: *project.id.as_uuid(),
            title: project.name.into_string(),
            client: project.client,
            project: Some(project.id),
        })
        .collect())
}

/// Everything else the scope may see that a thread can be about: the deliverables of
/// `projects`, and the documents, approvals, tasks and requests of the tenant. Each list is
/// the store's own for the scope, the first [`Page::MAX_LIMIT`] of each kind.
pub(crate) async fn others(
    state: &PortalState,
    scope: &TenantScope,
    projects: &[Subject],
) -> Result<Vec<Subject>, ApiError> {
    let stores = state.stores();
    let mut subjects = Vec::new();
    for project in projects {
        let project_id = ProjectId::from_uuid(project.id);
        let milestones = stores
            .milestones
            .list_milestones(scope, project_id, whole()?)
            .await?;
        for milestone in milestones.items {
            let deliverables = stores
                .deliverables
                .list_deliverables(scope, milestone.id, whole()?)
                .await?;
            subjects.extend(deliverables.items.into_iter().map(|deliverable| Subject {
                kind: Kind::Deliverable,
                id: *deliverable.id.as_uuid(),
                title: deliverable.title.into_string(),
                client: deliverable.client,
                project: Some(deliverable.project),
            }));
        }
    }
    let documents = stores
        .documents
        .list_documents(scope, DocumentFilter::default(), whole()?)
        .await?;
    subjects.extend(documents.items.into_iter().map(|document| Subject {
        kind: Kind::Document,
        id: *document.id.as_uuid(),
        title: document.title.into_string(),
        client: document.client,
        project: document.project,
    }));
    let approvals = stores
        .approvals
        .list_approvals(scope, ApprovalFilter::default(), whole()?)
        .await?;
    subjects.extend(approvals.items.into_iter().map(|approval| Subject {
        kind: Kind::Approval,
        id: *approval.id.as_uuid(),
        title: excerpt(&approval.message, APPROVAL_TITLE_CHARS),
        client: approval.client,
        project: Some(approval.project),
    }));
    let tasks = stores.tasks.list_tasks(scope, None, whole()?).await?;
    subjects.extend(tasks.items.into_iter().map(|task| Subject {
        kind: Kind::Task,
        id: *task.id.as_uuid(),
        title: task.title.into_string(),
        client: task.client,
        project: Some(task.project),
    }));
    let requests = stores.requests.list_requests(scope, None, whole()?).await?;
    subjects.extend(requests.items.into_iter().map(|request| Subject {
        kind: Kind::Request,
        id: *request.id.as_uuid(),
        title: request.title.into_string(),
        client: request.client,
        project: request.project,
    }));
    Ok(subjects)
}

/// The name of a project the scope may see.
pub(crate) async fn project_name(
    state: &PortalState,
    scope: &TenantScope,
    id: ProjectId,
) -> Result<Option<String>, ApiError> {
    Ok(state
        .stores()
        .projects
        .project(scope, id)
        .await?
        .map(|project| project.name.into_string()))
}

/// The largest page a store gives.
fn whole() -> Result<Page, ApiError> {
    Ok(Page::first(Page::MAX_LIMIT)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_kinds_with_a_page_and_requests_keep_theirs() {
        for kind in [
            Kind::Project,
            Kind::Deliverable,
            Kind::Document,
            Kind::Approval,
            Kind::Task,
        ] {
            assert_eq!(Kind::from_path(kind.path_segment()), Some(kind));
        }
        assert_eq!(Kind::from_path("request"), None);
        assert_eq!(Kind::from_path("Project"), None);
        let request = Subject {
            kind: Kind::Request,
            id: Uuid::nil(),
            title: String::new(),
            client: ClientId::from_uuid(Uuid::nil()),
            project: None,
        };
        assert_eq!(request.path(), format!("/requests/{}", Uuid::nil()));
    }
}
