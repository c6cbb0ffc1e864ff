//! `export.json`: what the export says about the client, built from the stores with the
//! exporter's scope and serialised with the JSON API's own views, so the file reads like the API.

use std::collections::HashSet;
use std::future::Future;

use portal_core::model::{MembershipRecord, Record as _, ThreadSubject};
use portal_core::state::Sha256Digest;
use portal_core::{
    ClientId, DeliverableId, DocumentId, MembershipId, MembershipKind, ProjectId, TenantScope,
    UserId, Visibility,
};
use portal_storage::blob::{BlobError, BlobKey, ByteRange};
use portal_storage::{
    ApprovalFilter, DocumentFilter, InvoiceFilter, Page, Paged, ProjectFilter, StoreResult,
};
use serde::Serialize;
use time::OffsetDateTime;

use super::paths::version_path;
use crate::api::approvals::ApprovalView;
use crate::api::content::{DecisionView, TaskView, UpdateView};
use crate::api::documents::{DocumentView, VersionView};
use crate::api::invoices::{InvoiceView, today};
use crate::api::paging::every_item;
use crate::api::requests::RequestView;
use crate::api::staff::clients::ClientView;
use crate::api::staff::people::{InvitationView, UserView};
use crate::api::staff::roles::RoleView;
use crate::api::staff::share_links::ShareLinkView;
use crate::api::threads::MessageView;
use crate::api::work::{DeliverableView, MilestoneView, ProjectView};
use crate::error::ApiError;
use crate::state::PortalState;

/// The version of the archive's layout and of this file's shape.
pub const FORMAT: u32 = 1;

/// The whole of `export.json`.
#[derive(Debug, Serialize)]
pub(super) struct Manifest {
    pub(super) format: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) exported_at: OffsetDateTime,
    pub(super) exported_by: Option<UserId>,
    pub(super) tenant: String,
    pub(super) include_internal: bool,
    pub(super) counts: Counts,
    pub(super) client: ClientView,
    #[serde(flatten)]
    pub(super) records: Records,
}

/// Every section of the manifest but its header.
#[derive(Debug, Default, Serialize)]
pub(super) struct Records {
    pub(super) contacts: Vec<ContactEntry>,
    pub(super) invitations: Vec<InvitationView>,
    pub(super) projects: Vec<ProjectView>,
    pub(super) milestones: Vec<MilestoneView>,
    pub(super) deliverables: Vec<DeliverableView>,
    pub(super) approvals: Vec<Marked<ApprovalView>>,
    pub(super) invoices: Vec<Marked<InvoiceView>>,
    pub(super) documents: Vec<DocumentEntry>,
    pub(super) updates: Vec<UpdateView>,
    pub(super) decisions: Vec<DecisionView>,
    pub(super) tasks: Vec<TaskView>,
    pub(super) requests: Vec<RequestEntry>,
    pub(super) threads: Vec<ThreadEntry>,
    pub(super) share_links: Vec<ShareLinkView>,
}

/// How many of each were exported, and the bytes of the files: also the audit event's details.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Contacts of the client.
    pub contacts: usize,
    /// Invitations to the client.
    pub invitations: usize,
    /// Projects.
    pub projects: usize,
    /// Milestones.
    pub milestones: usize,
    /// Deliverables.
    pub deliverables: usize,
    /// Approvals.
    pub approvals: usize,
    /// Invoices.
    pub invoices: usize,
    /// Documents.
    pub documents: usize,
    /// Document versions, each one file in the archive.
    pub files: usize,
    /// The bytes of those files together.
    pub file_bytes: u64,
    /// Versions whose file the blob store no longer holds (listed, without a file).
    pub missing_files: usize,
    /// Status updates.
    pub updates: usize,
    /// Decision records.
    pub decisions: usize,
    /// Tasks.
    pub tasks: usize,
    /// Requests.
    pub requests: usize,
    /// Messages, in threads and request replies together.
    pub messages: usize,
    /// Share links.
    pub share_links: usize,
}

/// A view that has no visibility field of its own, with its visibility added.
#[derive(Debug, Serialize)]
pub(super) struct Marked<T> {
    #[serde(flatten)]
    view: T,
    visibility: Visibility,
}

/// A contact: the person, their membership and their client role.
#[derive(Debug, Serialize)]
pub(super) struct ContactEntry {
    membership_id: MembershipId,
    #[serde(flatten)]
    user: UserView,
    locale: Option<String>,
    role: Option<RoleView>,
}

/// A document with every version's metadata and where its file lies in the archive.
#[derive(Debug, Serialize)]
pub(super) struct DocumentEntry {
    #[serde(flatten)]
    document: DocumentView,
    versions: Vec<VersionEntry>,
}

/// One version of a document.
#[derive(Debug, Serialize)]
pub(super) struct VersionEntry {
    #[serde(flatten)]
    version: VersionView,
    /// The file's path inside the archive; `null` when the blob store no longer holds it.
    path: Option<String>,
}

/// A request with its replies.
#[derive(Debug, Serialize)]
pub(super) struct RequestEntry {
    #[serde(flatten)]
    request: RequestView,
    visibility: Visibility,
    replies: Vec<MessageView>,
}

/// The messages on one object of the export.
#[derive(Debug, Serialize)]
pub(super) struct ThreadEntry {
    subject: ThreadSubject,
    messages: Vec<MessageView>,
}

/// One file to put into the archive: a document version's bytes.
#[derive(Debug, Clone)]
pub(super) struct FileEntry {
    pub(super) path: String,
    pub(super) key: BlobKey,
    pub(super) sha256: Sha256Digest,
    pub(super) size: u64,
    pub(super) document: DocumentId,
    pub(super) number: i32,
}

/// Everything read for the manifest: the records and the files they name.
pub(super) struct Gathered {
    pub(super) records: Records,
    pub(super) files: Vec<FileEntry>,
}

/// Reads everything of `client` that goes into the export. Without `internal`, only what the
/// client itself sees: shared objects under shared parents, shared messages, issued invoices,
/// and no team-only fields; share links are the team's and come only with `internal`.
pub(super) async fn gather(
    state: &PortalState,
    scope: &TenantScope,
    client: ClientId,
    internal: bool,
) -> Result<Gathered, ApiError> {
    let reader = Reader {
        state,
        scope,
        client,
        internal,
    };
    let mut records = Records {
        contacts: reader.contacts().await?,
        invitations: reader.invitations().await?,
        ..Records::default()
    };
    let projects = reader.projects().await?;
    let project_ids: HashSet<ProjectId> = projects.iter().map(|view| view.id).collect();
    let reaches = |project: Option<ProjectId>| project.is_none_or(|id| project_ids.contains(&id));
    let mut subjects: Vec<ThreadSubject> = project_ids
        .iter()
        .copied()
        .map(ThreadSubject::Project)
        .collect();
    for project in &projects {
        reader
            .work_of(project.id, &mut records, &mut subjects)
            .await?;
    }
    records.projects = projects;
    let (documents, files) = reader.documents(&reaches, &mut subjects).await?;
    records.documents = documents;
    records.invoices = reader.invoices(&reaches).await?;
    records.requests = reader.requests(&reaches).await?;
    for subject in subjects {
        let messages = reader.messages(subject).await?;
        if !messages.is_empty() {
            records.threads.push(ThreadEntry { subject, messages });
        }
    }
    if internal {
        records.share_links = reader.share_links(&reaches).await?;
    }
    Ok(Gathered { records, files })
}

impl Records {
    /// How many of each, and the bytes of `files`.
    pub(super) fn counts(&self, files: &[FileEntry]) -> Counts {
        let replies: usize = self.requests.iter().map(|entry| entry.replies.len()).sum();
        let messages: usize = self.threads.iter().map(|entry| entry.messages.len()).sum();
        Counts {
            contacts: self.contacts.len(),
            invitations: self.invitations.len(),
            projects: self.projects.len(),
            milestones: self.milestones.len(),
            deliverables: self.deliverables.len(),
            approvals: self.approvals.len(),
            invoices: self.invoices.len(),
            documents: self.documents.len(),
            files: files.len(),
            file_bytes: files.iter().map(|file| file.size).sum(),
            missing_files: self
                .documents
                .iter()
                .flat_map(|entry| &entry.versions)
                .filter(|version| version.path.is_none())
                .count(),
            updates: self.updates.len(),
            decisions: self.decisions.len(),
            tasks: self.tasks.len(),
            requests: self.requests.len(),
            messages: replies + messages,
            share_links: self.share_links.len(),
        }
    }
}

/// The stores, read with the exporter's scope for one client.
struct Reader<'a> {
    state: &'a PortalState,
    scope: &'a TenantScope,
    client: ClientId,
    internal: bool,
}

impl Reader<'_> {
    /// Whether an object of this visibility goes into the export.
    fn keeps(&self, visibility: Visibility) -> bool {
        self.internal || visibility.is_shared()
    }

    async fn contacts(&self) -> Result<Vec<ContactEntry>, ApiError> {
        let stores = self.state.stores();
        let roles = stores.memberships.roles(self.scope).await?;
        let memberships: Vec<MembershipRecord> = every(|page| {
            stores
                .memberships
                .list_memberships(self.scope, Some(self.client), page)
        })
        .await?;
        let mut contacts = Vec::new();
        for record in memberships {
            if !matches!(record.kind, MembershipKind::Contact { client } if client == self.client) {
                continue;
            }
            let Some(user) = stores.identities.user(self.scope, record.user).await? else {
                continue;
            };
            let role = roles
                .iter()
                .find(|role| role.id() == record.role)
                .cloned()
                .map(RoleView::from);
            contacts.push(ContactEntry {
                membership_id: record.id,
                locale: user.locale.clone(),
                user: UserView::from(user),
                role,
            });
        }
        Ok(contacts)
    }

    async fn invitations(&self) -> Result<Vec<InvitationView>, ApiError> {
        let invitations = self.state.stores().invitations.as_ref();
        let all =
            every(|page| invitations.list_invitations(self.scope, Some(self.client), page)).await?;
        Ok(all.into_iter().map(InvitationView::from).collect())
    }

    async fn projects(&self) -> Result<Vec<ProjectView>, ApiError> {
        let projects = self.state.stores().projects.as_ref();
        let filter = ProjectFilter {
            client: Some(self.client),
            status: None,
        };
        let all = every(|page| projects.list_projects(self.scope, filter, page)).await?;
        Ok(all
            .into_iter()
            .filter(|project| self.keeps(project.visibility))
            .map(|project| {
                let mut view = ProjectView::of(project, self.scope);
                if !self.internal {
                    view.external_id = None;
                }
                view
            })
            .collect())
    }

    /// A project's milestones, deliverables, approvals, updates, decisions and tasks, and the
    /// objects among them that may carry a thread.
    async fn work_of(
        &self,
        project: ProjectId,
        records: &mut Records,
        subjects: &mut Vec<ThreadSubject>,
    ) -> Result<(), ApiError> {
        let stores = self.state.stores();
        let scope = self.scope;
        let milestones =
            every(|page| stores.milestones.list_milestones(scope, project, page)).await?;
        let mut deliverable_ids: HashSet<DeliverableId> = HashSet::new();
        for milestone in milestones {
            if !self.keeps(milestone.visibility) {
                continue;
            }
            let id = milestone.id;
            let mut view = MilestoneView::of(milestone, scope);
            if !self.internal {
                view.external_id = None;
            }
            records.milestones.push(view);
            let deliverables =
                every(|page| stores.deliverables.list_deliverables(scope, id, page)).await?;
            for deliverable in deliverables {
                if !self.keeps(deliverable.visibility) {
                    continue;
                }
                deliverable_ids.insert(deliverable.id);
                subjects.push(ThreadSubject::Deliverable(deliverable.id));
                let mut view = DeliverableView::of(deliverable, scope);
                if !self.internal {
                    view.external_id = None;
                }
                records.deliverables.push(view);
            }
        }
        let filter = ApprovalFilter {
            project: Some(project),
            status: None,
        };
        let approvals = every(|page| stores.approvals.list_approvals(scope, filter, page)).await?;
        for approval in approvals {
            let under_kept = approval
                .deliverable
                .is_none_or(|id| deliverable_ids.contains(&id));
            if self.keeps(approval.visibility) && under_kept {
                subjects.push(ThreadSubject::Approval(approval.id));
                let visibility = approval.visibility;
                records.approvals.push(Marked {
                    view: ApprovalView::of(approval, scope),
                    visibility,
                });
            }
        }
        let updates = every(|page| stores.updates.list_updates(scope, Some(project), page)).await?;
        records.updates.extend(
            updates
                .into_iter()
                .filter(|update| self.keeps(update.visibility))
                .map(UpdateView::from),
        );
        let decisions =
            every(|page| stores.decisions.list_decisions(scope, Some(project), page)).await?;
        records.decisions.extend(
            decisions
                .into_iter()
                .filter(|decision| self.keeps(decision.visibility))
                .map(DecisionView::from),
        );
        let tasks = every(|page| stores.tasks.list_tasks(scope, Some(project), page)).await?;
        for task in tasks {
            if self.keeps(task.visibility) {
                subjects.push(ThreadSubject::Task(task.id));
                records.tasks.push(TaskView::from(task));
            }
        }
        Ok(())
    }

    /// The client's documents under exported projects (or none), each version with its file.
    async fn documents(
        &self,
        reaches: &impl Fn(Option<ProjectId>) -> bool,
        subjects: &mut Vec<ThreadSubject>,
    ) -> Result<(Vec<DocumentEntry>, Vec<FileEntry>), ApiError> {
        let store = self.state.stores().documents.as_ref();
        let filter = DocumentFilter {
            client: Some(self.client),
            project: None,
        };
        let documents = every(|page| store.list_documents(self.scope, filter, page)).await?;
        let mut entries = Vec::new();
        let mut files = Vec::new();
        for document in documents {
            if !self.keeps(document.visibility) || !reaches(document.project) {
                continue;
            }
            subjects.push(ThreadSubject::Document(document.id));
            let mut versions =
                every(|page| store.list_versions(self.scope, document.id, page)).await?;
            versions.sort_by_key(|version| version.number);
            let mut version_entries = Vec::new();
            for version in versions {
                let key = BlobKey::parse(&version.blob_key).map_err(ApiError::internal)?;
                let path = if self.holds_blob(&key).await? {
                    let path = version_path(document.id, version.number, &version.file_name);
                    files.push(FileEntry {
                        path: path.clone(),
                        key,
                        sha256: version.sha256,
                        size: u64::try_from(version.size).map_err(ApiError::internal)?,
                        document: document.id,
                        number: version.number,
                    });
                    Some(path)
                } else {
                    tracing::warn!(document = %document.id, number = version.number,
                        "a document version's file is missing from the blob store");
                    None
                };
                version_entries.push(VersionEntry {
                    version: VersionView::from(version),
                    path,
                });
            }
            entries.push(DocumentEntry {
                document: DocumentView::from(document),
                versions: version_entries,
            });
        }
        Ok((entries, files))
    }

    /// Whether the blob store still holds `key`, asked with a one-byte read before the archive
    /// starts: a lost file is then listed without a path, while the rest is still exported.
    async fn holds_blob(&self, key: &BlobKey) -> Result<bool, ApiError> {
        let first_byte = ByteRange::FromTo { first: 0, last: 0 };
        let tenant = self.scope.tenant_id();
        match self.state.blobs().get(tenant, key, Some(first_byte)).await {
            Ok(_) | Err(BlobError::RangeNotSatisfiable { .. }) => Ok(true),
            Err(BlobError::NotFound) => Ok(false),
            Err(error) => Err(ApiError::internal(error)),
        }
    }

    /// The client's invoices the scope may see (the store asks for the finance permission);
    /// drafts, the team's note and the billing system's id only with internal objects.
    async fn invoices(
        &self,
        reaches: &impl Fn(Option<ProjectId>) -> bool,
    ) -> Result<Vec<Marked<InvoiceView>>, ApiError> {
        let store = self.state.stores().invoices.as_ref();
        let filter = InvoiceFilter {
            client: Some(self.client),
            status: None,
        };
        let invoices = every(|page| store.list_invoices(self.scope, filter, page)).await?;
        let today = today();
        Ok(invoices
            .into_iter()
            .filter(|invoice| self.keeps(invoice.visibility()) && reaches(invoice.project))
            .map(|invoice| {
                let visibility = invoice.visibility();
                let mut view = InvoiceView::of(invoice, self.scope, today);
                if !self.internal {
                    view.internal_note = None;
                    view.external_id = None;
                }
                Marked { view, visibility }
            })
            .collect())
    }

    /// The client's requests with their replies.
    async fn requests(
        &self,
        reaches: &impl Fn(Option<ProjectId>) -> bool,
    ) -> Result<Vec<RequestEntry>, ApiError> {
        let store = self.state.stores().requests.as_ref();
        let requests = every(|page| store.list_requests(self.scope, None, page)).await?;
        let mut entries = Vec::new();
        for request in requests {
            let ours = request.facts().client == Some(self.client);
            if !ours || !self.keeps(request.visibility) || !reaches(request.project) {
                continue;
            }
            let replies = self.messages(ThreadSubject::Request(request.id)).await?;
            entries.push(RequestEntry {
                visibility: request.visibility,
                request: RequestView::from(request),
                replies,
            });
        }
        Ok(entries)
    }

    /// The messages on `subject` that go into the export, as the API lists them.
    async fn messages(&self, subject: ThreadSubject) -> Result<Vec<MessageView>, ApiError> {
        let store = self.state.stores().threads.as_ref();
        let messages = every(|page| store.list_messages(self.scope, subject, page)).await?;
        Ok(messages
            .into_iter()
            .filter(|message| self.keeps(message.visibility))
            .map(MessageView::from)
            .collect())
    }

    /// The share links of the client's exported projects, without their tokens.
    async fn share_links(
        &self,
        reaches: &impl Fn(Option<ProjectId>) -> bool,
    ) -> Result<Vec<ShareLinkView>, ApiError> {
        let store = self.state.stores().share_links.as_ref();
        let links = every(|page| store.list_share_links(self.scope, page)).await?;
        Ok(links
            .into_iter()
            .filter(|link| link.client == self.client)
            .map(ShareLinkView::from)
            .filter(|view| reaches(Some(view.project_id)))
            .collect())
    }
}

/// Every item of a paged list: an export leaves nothing out.
async fn every<T, F>(fetch: impl FnMut(Page) -> F) -> Result<Vec<T>, ApiError>
where
    F: Future<Output = StoreResult<Paged<T>>>,
{
    every_item(usize::MAX, fetch).await
}
