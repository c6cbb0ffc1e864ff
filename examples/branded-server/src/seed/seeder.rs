//! [`Seeder`]: thin helpers over the store traits that create one record each, apply its
//! publishing and status moves, and count it.

use anyhow::Context as _;
use bytes::Bytes;
use portal_core::model::{
    Approval, ApprovalRequest, AuditContext, Deliverable, DeliverableInput, Document,
    DocumentVersion, Invoice, InvoiceInput, Message, Milestone, MilestoneInput, NewDecision,
    NewDocument, NewDocumentVersion, NewMessage, NewRequest, NewTask, NewUpdate, Project,
    ProjectInput, Request, Task, TaskOwner, ThreadSubject,
};
use portal_core::state::{DeliverableStatus, MilestoneStatus, RequestStatus, TaskStatus};
use portal_core::{
    ClientId, DisplayName, MilestoneId, ProjectId, TenantId, TenantScope, UserId, Visibility,
};
use portal_storage::Stores;
use portal_storage::blob::{BlobStore, byte_stream};
use time::{Date, Duration, OffsetDateTime};

use super::SeedCounts;
use super::files::DemoFile;

/// Creates demo records through the stores and counts them.
pub(super) struct Seeder<'a> {
    pub(super) stores: &'a Stores,
    blobs: &'a dyn BlobStore,
    pub(super) tenant: TenantId,
    today: Date,
    pub(super) counts: SeedCounts,
    /// Seeding has no request, so no client address to record.
    pub(super) ctx: AuditContext,
}

/// A DisplayName from a literal of the demo data.
pub(super) fn name(text: &str) -> anyhow::Result<DisplayName> {
    DisplayName::parse(text).with_context(|| format!("demo name {text:?}"))
}

const fn visibility(shared: bool) -> Visibility {
    if shared {
        Visibility::Shared
    } else {
        Visibility::Internal
    }
}

impl<'a> Seeder<'a> {
    pub(super) fn new(
        stores: &'a Stores,
        blobs: &'a dyn BlobStore,
        tenant: TenantId,
        today: Date,
    ) -> Self {
        Self {
            stores,
            blobs,
            tenant,
            today,
            counts: SeedCounts::default(),
            ctx: AuditContext::default(),
        }
    }

    pub(super) const fn counts(&self) -> SeedCounts {
        self.counts
    }

    /// The day `offset` days from today (negative: in the past).
    pub(super) fn day(&self, offset: i64) -> Date {
        self.today.saturating_add(Duration::days(offset))
    }

    /// The scope `user` gets when logged in, built as the HTTP layer builds it.
    pub(super) async fn scope_of(&self, user: UserId) -> anyhow::Result<TenantScope> {
        let memberships = self
            .stores
            .memberships
            .memberships_of(self.tenant, user)
            .await?;
        Ok(TenantScope::from_memberships(&memberships)?)
    }

    pub(super) async fn project(
        &mut self,
        scope: &TenantScope,
        input: ProjectInput,
        shared: bool,
    ) -> anyhow::Result<Project> {
        let what = format!("project {}", input.name);
        let projects = &self.stores.projects;
        let mut project = projects
            .create_project(scope, input, &self.ctx)
            .await
            .with_context(|| what.clone())?;
        if shared {
            project = projects
                .set_project_visibility(scope, project.id, Visibility::Shared, &self.ctx)
                .await
                .with_context(|| what.clone())?;
        }
        self.counts.projects += 1;
        Ok(project)
    }

    /// A milestone, published if `shared`, moved through `moves` in order.
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is one field of the demo milestone"
    )]
    pub(super) async fn milestone(
        &mut self,
        scope: &TenantScope,
        project: ProjectId,
        position: i32,
        title: &str,
        due_in_days: i64,
        shared: bool,
        moves: &[MilestoneStatus],
    ) -> anyhow::Result<Milestone> {
        let what = || format!("milestone {title}");
        let milestones = &self.stores.milestones;
        let input = MilestoneInput {
            project,
            title: name(title)?,
            due_on: Some(self.day(due_in_days)),
            position,
            external_id: None,
        };
        let mut milestone = milestones
            .create_milestone(scope, input, &self.ctx)
            .await
            .with_context(what)?;
        if shared {
            milestone = milestones
                .set_milestone_visibility(scope, milestone.id, Visibility::Shared, &self.ctx)
                .await
                .with_context(what)?;
        }
        for to in moves {
            milestone = milestones
                .move_milestone(scope, milestone.id, *to, &self.ctx)
                .await
                .with_context(what)?;
        }
        self.counts.milestones += 1;
        Ok(milestone)
    }

    /// A deliverable, published if `shared`, moved through `moves` in order.
    pub(super) async fn deliverable(
        &mut self,
        scope: &TenantScope,
        milestone: MilestoneId,
        title: &str,
        due_in_days: i64,
        shared: bool,
        moves: &[DeliverableStatus],
    ) -> anyhow::Result<Deliverable> {
        let what = || format!("deliverable {title}");
        let deliverables = &self.stores.deliverables;
        let input = DeliverableInput {
            milestone,
            title: name(title)?,
            due_on: Some(self.day(due_in_days)),
            external_id: None,
        };
        let mut deliverable = deliverables
            .create_deliverable(scope, input, &self.ctx)
            .await
            .with_context(what)?;
        if shared {
            deliverable = deliverables
                .set_deliverable_visibility(scope, deliverable.id, Visibility::Shared, &self.ctx)
                .await
                .with_context(what)?;
        }
        for to in moves {
            deliverable = self.move_deliverable(scope, &deliverable, *to).await?;
        }
        self.counts.deliverables += 1;
        Ok(deliverable)
    }

    pub(super) async fn move_deliverable(
        &self,
        scope: &TenantScope,
        deliverable: &Deliverable,
        to: DeliverableStatus,
    ) -> anyhow::Result<Deliverable> {
        self.stores
            .deliverables
            .move_deliverable(scope, deliverable.id, to, &self.ctx)
            .await
            .with_context(|| format!("moving deliverable {} to {to:?}", deliverable.title))
    }

    /// A document with one version per file, oldest first; each file's bytes go through the
    /// blob store exactly as an upload's would.
    pub(super) async fn document(
        &mut self,
        scope: &TenantScope,
        client: ClientId,
        project: Option<ProjectId>,
        title: &str,
        shared: bool,
        files: Vec<DemoFile>,
    ) -> anyhow::Result<(Document, Vec<DocumentVersion>)> {
        let what = || format!("document {title}");
        let document = self
            .stores
            .documents
            .create_document(
                scope,
                NewDocument {
                    client,
                    project,
                    title: name(title)?,
                    visibility: visibility(shared),
                },
                &self.ctx,
            )
            .await
            .with_context(what)?;
        let mut versions = Vec::with_capacity(files.len());
        for file in files {
            let size = u64::try_from(file.bytes.len())?;
            let body = byte_stream(futures_util::stream::iter([Ok::<_, std::io::Error>(
                Bytes::from(file.bytes),
            )]));
            let stored = self
                .blobs
                .put(self.tenant, body, size)
                .await
                .with_context(what)?;
            let version = self
                .stores
                .documents
                .add_version(
                    scope,
                    document.id,
                    NewDocumentVersion {
                        blob_key: stored.key.to_string(),
                        sha256: stored.sha256,
                        size: i64::try_from(stored.size)?,
                        content_type: file.content_type.to_owned(),
                        file_name: file.file_name.to_owned(),
                        via_share_link: None,
                    },
                    &self.ctx,
                )
                .await
                .with_context(what)?;
            versions.push(version);
            self.counts.versions += 1;
        }
        self.counts.documents += 1;
        Ok((document, versions))
    }

    pub(super) async fn request_approval(
        &mut self,
        scope: &TenantScope,
        request: ApprovalRequest,
    ) -> anyhow::Result<Approval> {
        let approval = self
            .stores
            .approvals
            .request_approval(scope, request, &self.ctx)
            .await
            .context("requesting an approval")?;
        self.counts.approvals += 1;
        Ok(approval)
    }

    /// A moment `days` days from now, for deadlines.
    pub(super) fn in_days(days: i64) -> OffsetDateTime {
        OffsetDateTime::now_utc().saturating_add(Duration::days(days))
    }

    pub(super) async fn update(
        &mut self,
        scope: &TenantScope,
        project: ProjectId,
        title: &str,
        body: &str,
        shared: bool,
    ) -> anyhow::Result<()> {
        let what = || format!("update {title}");
        let updates = &self.stores.updates;
        let update = updates
            .create_update(
                scope,
                NewUpdate {
                    project,
                    title: name(title)?,
                    body: body.to_owned(),
                },
                &self.ctx,
            )
            .await
            .with_context(what)?;
        if shared {
            updates
                .set_update_visibility(scope, update.id, Visibility::Shared, &self.ctx)
                .await
                .with_context(what)?;
        }
        self.counts.updates += 1;
        Ok(())
    }

    pub(super) async fn decision(
        &mut self,
        scope: &TenantScope,
        project: ProjectId,
        title: &str,
        body: &str,
        decided_days_ago: i64,
        shared: bool,
    ) -> anyhow::Result<()> {
        let what = || format!("decision {title}");
        let decisions = &self.stores.decisions;
        let decision = decisions
            .create_decision(
                scope,
                NewDecision {
                    project,
                    title: name(title)?,
                    body: body.to_owned(),
                    decided_on: self.day(-decided_days_ago),
                },
                &self.ctx,
            )
            .await
            .with_context(what)?;
        if shared {
            decisions
                .set_decision_visibility(scope, decision.id, Visibility::Shared, &self.ctx)
                .await
                .with_context(what)?;
        }
        self.counts.decisions += 1;
        Ok(())
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is one field of the demo task"
    )]
    pub(super) async fn task(
        &mut self,
        scope: &TenantScope,
        project: ProjectId,
        title: &str,
        owner: TaskOwner,
        assignee: Option<UserId>,
        due_in_days: i64,
        shared: bool,
        done: bool,
    ) -> anyhow::Result<Task> {
        let what = || format!("task {title}");
        let tasks = &self.stores.tasks;
        let mut task = tasks
            .create_task(
                scope,
                NewTask {
                    project,
                    title: name(title)?,
                    owner,
                    assignee,
                    due_on: Some(self.day(due_in_days)),
                },
                &self.ctx,
            )
            .await
            .with_context(what)?;
        if shared {
            task = tasks
                .set_task_visibility(scope, task.id, Visibility::Shared, &self.ctx)
                .await
                .with_context(what)?;
        }
        if done {
            task = tasks
                .set_task_status(scope, task.id, TaskStatus::Done, &self.ctx)
                .await
                .with_context(what)?;
        }
        self.counts.tasks += 1;
        Ok(task)
    }

    /// A request as a contact submits it (`contact` is the contact's scope).
    pub(super) async fn request(
        &mut self,
        contact: &TenantScope,
        client: ClientId,
        project: Option<ProjectId>,
        title: &str,
        body: &str,
    ) -> anyhow::Result<Request> {
        let request = self
            .stores
            .requests
            .submit_request(
                contact,
                NewRequest {
                    client,
                    project,
                    title: name(title)?,
                    body: body.to_owned(),
                },
                &self.ctx,
            )
            .await
            .with_context(|| format!("request {title}"))?;
        self.counts.requests += 1;
        Ok(request)
    }

    pub(super) async fn move_request(
        &self,
        scope: &TenantScope,
        request: &Request,
        to: RequestStatus,
    ) -> anyhow::Result<Request> {
        self.stores
            .requests
            .move_request(scope, request.id, to, &self.ctx)
            .await
            .with_context(|| format!("moving request {} to {to:?}", request.title))
    }

    pub(super) async fn message(
        &mut self,
        scope: &TenantScope,
        subject: ThreadSubject,
        body: &str,
        shared: bool,
    ) -> anyhow::Result<Message> {
        let message = self
            .stores
            .threads
            .post_message(
                scope,
                NewMessage {
                    subject,
                    body: body.to_owned(),
                    visibility: visibility(shared),
                },
                &self.ctx,
            )
            .await
            .context("posting a message")?;
        self.counts.messages += 1;
        Ok(message)
    }

    pub(super) async fn invoice(
        &mut self,
        scope: &TenantScope,
        input: InvoiceInput,
    ) -> anyhow::Result<Invoice> {
        let what = format!("invoice {}", input.number);
        let invoice = self
            .stores
            .invoices
            .create_invoice(scope, input, &self.ctx)
            .await
            .context(what)?;
        self.counts.invoices += 1;
        Ok(invoice)
    }
}
