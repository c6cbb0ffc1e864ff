//! `GET projects/{id}`: one project — status, dates and milestone progress; the timeline of its
//! milestones with their deliverables (each with its status and the latest version sent for
//! approval); what waits for a decision; next steps; latest updates and decisions; documents.
//!
//! Each section is read only where the viewer's role holds its permission in the project's
//! client (the stores refuse the rest anyway), so a role without, say, `view_updates` sees the
//! project without that section rather than an error.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use axum::extract::Path;
use axum::response::Response;
use portal_core::model::{Approval, Deliverable, Milestone, Project, ProjectStatus, TaskOwner};
use portal_core::state::{ApprovalStatus, DeliverableStatus, TaskStatus};
use portal_core::{
    DeliverableId, DocumentVersionId, Permission, ProjectId, TenantScope, Visibility,
};
use portal_storage::{ApprovalFilter, DocumentFilter, Page};
use serde::Serialize;
use time::Date;

use super::super::super::catalogue::{Arg, CatalogueError};
use super::super::super::dashboard::project_status_message;
use super::super::super::format::Formatter;
use super::super::super::page::PageError;
use super::super::super::signed::{Failure, SignedPage};
use super::super::approvals::status_message as approval_status_message;
use super::timeline::{self, Due, Stage};
use crate::api::approvals::ApprovalView;
use crate::api::client_views::holds;
use crate::api::invoices::today;
use crate::api::work::visible_project;

/// The most milestones, deliverables per milestone and approvals read for one project.
const MAX_ITEMS: u32 = 200;
/// How many updates, decisions and documents the page shows.
const LATEST: u32 = 5;
/// Documents listed on the project page; the documents page has them all.
const DOCUMENTS: u32 = 10;
/// Open next steps scanned.
const TASKS_SCANNED: u32 = 50;

/// `GET projects/{id}`: the project, or the branded 404 for one the viewer may not see.
pub(super) async fn show(page: SignedPage, Path(id): Path<String>) -> Response {
    match project_page(&page, &id).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

async fn project_page(page: &SignedPage, id: &str) -> Result<Response, Failure> {
    let id: ProjectId = id.parse().map_err(|_| PageError::NotFound)?;
    let project = visible_project(&page.state, &page.scope, id).await?;
    let reader = Reader {
        page,
        formatter: page.formatter(),
        today: today(),
    };
    let view = reader.view(project).await?;
    Ok(page.render("client/project.html", view))
}

/// What the page reads with, in the viewer's language.
struct Reader<'a> {
    page: &'a SignedPage,
    formatter: Formatter<'a>,
    today: Date,
}

impl Reader<'_> {
    fn scope(&self) -> &TenantScope {
        &self.page.scope
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.page.page.base)
    }

    async fn view(&self, project: Project) -> Result<ProjectView, Failure> {
        let may = |permission| holds(self.scope(), project.client, permission);
        let stores = self.page.state.stores();
        let first = |limit| Page::first(limit).map_err(PageError::internal);

        let mut milestones = if may(Permission::ViewMilestones) {
            stores
                .milestones
                .list_milestones(self.scope(), project.id, first(MAX_ITEMS)?)
                .await?
                .items
        } else {
            Vec::new()
        };
        milestones.sort_by_key(|milestone| (milestone.position, milestone.created_at));

        let approvals = if may(Permission::ViewApprovals) {
            let filter = ApprovalFilter {
                project: Some(project.id),
                status: None,
            };
            stores
                .approvals
                .list_approvals(self.scope(), filter, first(MAX_ITEMS)?)
                .await?
                .items
        } else {
            Vec::new()
        };
        let sent = self
            .latest_versions(&approvals, may(Permission::ViewDocuments))
            .await?;

        let mut deliverables: HashMap<_, Vec<Deliverable>> = HashMap::new();
        if may(Permission::ViewDeliverables) {
            for milestone in &milestones {
                let mut items = stores
                    .deliverables
                    .list_deliverables(self.scope(), milestone.id, first(MAX_ITEMS)?)
                    .await?
                    .items;
                items.sort_by_key(|item| (item.due_on.is_none(), item.due_on, item.created_at));
                deliverables.insert(milestone.id, items);
            }
        }

        let done = milestones
            .iter()
            .filter(|milestone| milestone.status == portal_core::state::MilestoneStatus::Completed)
            .count();
        let total = milestones.len();
        let timeline = self.timeline(milestones, &mut deliverables, &sent)?;

        let updates = if may(Permission::ViewUpdates) {
            self.updates(project.id).await?
        } else {
            None
        };
        let decisions = if may(Permission::ViewDecisions) {
            self.decisions(project.id).await?
        } else {
            None
        };
        let next_steps = if may(Permission::ViewTasks) {
            self.next_steps(project.id).await?
        } else {
            None
        };
        let documents = if may(Permission::ViewDocuments) {
            self.documents(project.id).await?
        } else {
            None
        };
        let pending = if may(Permission::ViewApprovals) {
            Some(self.pending(approvals)?)
        } else {
            None
        };

        let ends = project.schedule.map(|range| range.end());
        let running = matches!(
            project.status,
            ProjectStatus::Active | ProjectStatus::OnHold
        );
        Ok(ProjectView {
            projects_url: self.url("/projects"),
            documents_url: self.url(&format!("/documents?project={}", project.id)),
            name: project.name.into_string(),
            description: project.description,
            status_message: project_status_message(project.status),
            internal: project.visibility == Visibility::Internal,
            starts: self
                .formatter
                .day(project.schedule.map(|range| range.start()))?,
            ends: self.formatter.day(ends)?,
            late: running && ends.is_some_and(|end| end < self.today),
            done,
            total,
            timeline,
            pending,
            next_steps,
            updates,
            decisions,
            documents,
        })
    }

    /// For each deliverable, the newest version the team asked the client to approve: the
    /// deliverable's latest document version.
    async fn latest_versions(
        &self,
        approvals: &[Approval],
        may_see_documents: bool,
    ) -> Result<HashMap<DeliverableId, SentVersion>, Failure> {
        let mut newest: HashMap<DeliverableId, &Approval> = HashMap::new();
        for approval in approvals {
            let Some(deliverable) = approval.deliverable else {
                continue;
            };
            let entry = newest.entry(deliverable).or_insert(approval);
            if approval.requested_at > entry.requested_at {
                *entry = approval;
            }
        }
        let mut sent = HashMap::with_capacity(newest.len());
        if !may_see_documents {
            return Ok(sent);
        }
        let mut read: HashMap<DocumentVersionId, Option<SentVersion>> = HashMap::new();
        for (deliverable, approval) in newest {
            if let Entry::Vacant(unread) = read.entry(approval.document_version) {
                let version = self
                    .page
                    .state
                    .stores()
                    .documents
                    .version(self.scope(), approval.document_version)
                    .await?
                    .map(|version| SentVersion {
                        file_name: version.file_name,
                        number: version.number,
                        url: self.url(&format!("/documents/{}", version.document)),
                        approval_url: self.url(&format!("/approvals/{}", approval.id)),
                    });
                unread.insert(version);
            }
            if let Some(Some(version)) = read.get(&approval.document_version) {
                sent.insert(deliverable, version.clone());
            }
        }
        Ok(sent)
    }

    fn timeline(
        &self,
        milestones: Vec<Milestone>,
        deliverables: &mut HashMap<portal_core::MilestoneId, Vec<Deliverable>>,
        sent: &HashMap<DeliverableId, SentVersion>,
    ) -> Result<Vec<MilestoneItem>, Failure> {
        let statuses: Vec<_> = milestones
            .iter()
            .map(|milestone| milestone.status)
            .collect();
        let stages = timeline::stages(&statuses);
        let mut items = Vec::with_capacity(milestones.len());
        for (milestone, stage) in milestones.into_iter().zip(stages) {
            let mut children = Vec::new();
            for deliverable in deliverables.remove(&milestone.id).unwrap_or_default() {
                let finished = matches!(
                    deliverable.status,
                    DeliverableStatus::Approved | DeliverableStatus::Delivered
                );
                children.push(DeliverableItem {
                    status_message: deliverable_status_message(deliverable.status),
                    attention: deliverable.status == DeliverableStatus::InReview,
                    due: self.due(deliverable.due_on, finished)?,
                    internal: deliverable.visibility == Visibility::Internal,
                    version: sent.get(&deliverable.id).cloned(),
                    title: deliverable.title.into_string(),
                });
            }
            items.push(MilestoneItem {
                title: milestone.title.into_string(),
                stage_message: stage.message(),
                stage_class: stage.class(),
                due: self.due(milestone.due_on, stage == Stage::Done)?,
                internal: milestone.visibility == Visibility::Internal,
                deliverables: children,
            });
        }
        Ok(items)
    }

    /// A due day with how far off it is ("Due March 7, 2026 · in 5 days"); `finished` work
    /// is never late.
    fn due(&self, day: Option<Date>, finished: bool) -> Result<Option<DueView>, CatalogueError> {
        let Some(day) = day else {
            return Ok(None);
        };
        let date = self.formatter.date(day)?;
        let mut text = self
            .formatter
            .text_with("projects-due", &[("date", Arg::Text(date.into()))])?;
        let mut late = false;
        if !finished {
            let due = Due::of(day, self.today);
            let (id, days) = due.message();
            let relative = self
                .formatter
                .text_with(id, &[("days", Arg::Number(days))])?;
            text = format!("{text} · {relative}");
            late = due.is_late();
        }
        Ok(Some(DueView { text, late }))
    }

    fn pending(&self, approvals: Vec<Approval>) -> Result<Vec<PendingItem>, Failure> {
        let mut pending: Vec<ApprovalView> = approvals
            .into_iter()
            .filter(|approval| approval.status == ApprovalStatus::Pending)
            .map(|approval| ApprovalView::of(approval, self.scope()))
            .collect();
        pending.sort_by_key(|approval| {
            (
                Reverse(approval.can_decide),
                approval.due_at.is_none(),
                approval.due_at,
            )
        });
        let mut items = Vec::with_capacity(pending.len());
        for approval in pending {
            items.push(PendingItem {
                url: self.url(&format!("/approvals/{}", approval.id)),
                yours: approval.can_decide,
                status_message: approval_status_message(approval.status),
                due: self.due(approval.due_at.map(|at| at.date()), false)?,
                message: approval.message,
            });
        }
        Ok(items)
    }

    async fn next_steps(&self, project: ProjectId) -> Result<Option<Vec<StepItem>>, Failure> {
        let page = Page::first(TASKS_SCANNED).map_err(PageError::internal)?;
        let mut tasks: Vec<_> = self
            .page
            .state
            .stores()
            .tasks
            .list_tasks(self.scope(), Some(project), page)
            .await?
            .items
            .into_iter()
            .filter(|task| task.status == TaskStatus::Open)
            .collect();
        tasks.sort_by_key(|task| (task.due_on.is_none(), task.due_on));
        // For the team "your move" is the team's; for a contact, the client's.
        let staff = self.scope().is_staff_side();
        let mut steps = Vec::with_capacity(tasks.len());
        for task in tasks {
            let yours = match task.owner {
                TaskOwner::Client => !staff,
                TaskOwner::Team => staff,
            };
            steps.push(StepItem {
                yours,
                owner_message: match task.owner {
                    TaskOwner::Client => "task-owner-client",
                    TaskOwner::Team => "task-owner-team",
                },
                due: self.due(task.due_on, false)?,
                internal: task.visibility == Visibility::Internal,
                title: task.title.into_string(),
            });
        }
        Ok(Some(steps))
    }

    async fn updates(&self, project: ProjectId) -> Result<Option<Vec<PostItem>>, Failure> {
        let page = Page::first(LATEST).map_err(PageError::internal)?;
        let updates = self
            .page
            .state
            .stores()
            .updates
            .list_updates(self.scope(), Some(project), page)
            .await?
            .items;
        let mut items = Vec::with_capacity(updates.len());
        for update in updates {
            items.push(PostItem {
                day: self.formatter.date(update.created_at.date())?,
                internal: update.visibility == Visibility::Internal,
                title: update.title.into_string(),
                body: plain_text(&update.body),
            });
        }
        Ok(Some(items))
    }

    async fn decisions(&self, project: ProjectId) -> Result<Option<Vec<PostItem>>, Failure> {
        let page = Page::first(LATEST).map_err(PageError::internal)?;
        let decisions = self
            .page
            .state
            .stores()
            .decisions
            .list_decisions(self.scope(), Some(project), page)
            .await?
            .items;
        let mut items = Vec::with_capacity(decisions.len());
        for decision in decisions {
            items.push(PostItem {
                day: self.formatter.date(decision.decided_on)?,
                internal: decision.visibility == Visibility::Internal,
                title: decision.title.into_string(),
                body: plain_text(&decision.body),
            });
        }
        Ok(Some(items))
    }

    async fn documents(&self, project: ProjectId) -> Result<Option<Vec<DocumentItem>>, Failure> {
        let page = Page::first(DOCUMENTS).map_err(PageError::internal)?;
        let filter = DocumentFilter {
            client: None,
            project: Some(project),
        };
        let documents = self
            .page
            .state
            .stores()
            .documents
            .list_documents(self.scope(), filter, page)
            .await?
            .items;
        let mut items = Vec::with_capacity(documents.len());
        for document in documents {
            items.push(DocumentItem {
                url: self.url(&format!("/documents/{}", document.id)),
                added: self.formatter.date(document.created_at.date())?,
                internal: document.visibility == Visibility::Internal,
                title: document.title.into_string(),
            });
        }
        Ok(Some(items))
    }
}

/// Text often written with light Markdown, as plain text: its heading, emphasis and code marks
/// are dropped rather than shown; the lines stay as written.
fn plain_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            let heading = line.trim_start();
            let line = if heading.starts_with('#') {
                heading.trim_start_matches('#').trim_start()
            } else {
                line
            };
            line.replace("**", "").replace("__", "").replace('`', "")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The catalogue id of a deliverable's status.
pub(crate) const fn deliverable_status_message(status: DeliverableStatus) -> &'static str {
    match status {
        DeliverableStatus::NotStarted => "projects-deliverable-not-started",
        DeliverableStatus::InProgress => "projects-deliverable-in-progress",
        DeliverableStatus::InReview => "projects-deliverable-in-review",
        DeliverableStatus::Approved => "projects-deliverable-approved",
        DeliverableStatus::ChangesRequested => "projects-deliverable-changes-requested",
        DeliverableStatus::Delivered => "projects-deliverable-delivered",
    }
}

/// The project page's data. Sections the role may not read are `None`: the template leaves them
/// out.
#[derive(Debug, Serialize)]
struct ProjectView {
    projects_url: String,
    documents_url: String,
    name: String,
    description: String,
    status_message: &'static str,
    internal: bool,
    starts: Option<String>,
    ends: Option<String>,
    late: bool,
    done: usize,
    total: usize,
    timeline: Vec<MilestoneItem>,
    pending: Option<Vec<PendingItem>>,
    next_steps: Option<Vec<StepItem>>,
    updates: Option<Vec<PostItem>>,
    decisions: Option<Vec<PostItem>>,
    documents: Option<Vec<DocumentItem>>,
}

#[derive(Debug, Serialize)]
struct DueView {
    text: String,
    late: bool,
}

#[derive(Debug, Serialize)]
struct MilestoneItem {
    title: String,
    stage_message: &'static str,
    stage_class: &'static str,
    due: Option<DueView>,
    internal: bool,
    deliverables: Vec<DeliverableItem>,
}

#[derive(Debug, Serialize)]
struct DeliverableItem {
    title: String,
    status_message: &'static str,
    attention: bool,
    due: Option<DueView>,
    internal: bool,
    version: Option<SentVersion>,
}

/// The version of a deliverable last sent for approval.
#[derive(Debug, Clone, Serialize)]
struct SentVersion {
    file_name: String,
    number: i32,
    url: String,
    approval_url: String,
}

#[derive(Debug, Serialize)]
struct PendingItem {
    url: String,
    message: String,
    yours: bool,
    status_message: &'static str,
    due: Option<DueView>,
}

#[derive(Debug, Serialize)]
struct StepItem {
    title: String,
    yours: bool,
    owner_message: &'static str,
    due: Option<DueView>,
    internal: bool,
}

#[derive(Debug, Serialize)]
struct PostItem {
    title: String,
    body: String,
    day: String,
    internal: bool,
}

#[derive(Debug, Serialize)]
struct DocumentItem {
    url: String,
    title: String,
    added: String,
    internal: bool,
}

#[cfg(test)]
mod tests {
    use super::super::super::super::catalogue::Catalogue;
    use super::super::super::super::locale::Locale;
    use super::*;

    #[test]
    fn markdown_marks_are_dropped_and_lines_kept() {
        assert_eq!(
            plain_text("## Week 1\n\n**Next:** the `style` guide\n- a __b__"),
            "Week 1\n\nNext: the style guide\n- a b"
        );
    }

    #[test]
    fn every_status_and_stage_has_its_message() {
        let catalogue = Catalogue::new().unwrap();
        let statuses = [
            DeliverableStatus::NotStarted,
            DeliverableStatus::InProgress,
            DeliverableStatus::InReview,
            DeliverableStatus::Approved,
            DeliverableStatus::ChangesRequested,
            DeliverableStatus::Delivered,
        ];
        let stages = [Stage::Done, Stage::InProgress, Stage::Next, Stage::Later];
        for locale in Locale::ALL {
            for status in statuses {
                catalogue
                    .text(locale, deliverable_status_message(status), None)
                    .unwrap();
            }
            for stage in stages {
                catalogue.text(locale, stage.message(), None).unwrap();
            }
            for due in [Due::Today, Due::InDays(2), Due::LateBy(1)] {
                let (id, days) = due.message();
                catalogue
                    .text_with(locale, id, &[("days", Arg::Number(days))])
                    .unwrap();
            }
        }
    }
}
