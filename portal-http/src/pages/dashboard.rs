//! The overview at the tenant's base: at a glance what is in progress, what waits for the
//! viewer's decision and what happens next, then the projects with their milestone progress,
//! the approvals, next steps, latest updates, recent documents and — only when the API's
//! dashboard has them — open invoices. Built by the API's own dashboard function, so the page
//! can never show more than `GET /dashboard` answers.

use std::collections::HashMap;

use axum::response::Response;
use portal_core::model::{ProjectStatus, TaskOwner};
use portal_core::state::InvoiceState;
use portal_core::{Permission, ProjectId, TenantScope};
use serde::Serialize;

use super::catalogue::CatalogueError;
use super::format::Formatter;
use super::nav::holds_somewhere;
use super::signed::{Failure, SignedPage};
use crate::api::dashboard::{Dashboard, build};
use crate::api::invoices::today;

/// The longest excerpt of an update's text shown, in characters.
const EXCERPT_CHARS: usize = 220;

/// `GET /`: the overview, or a 303 to the sign-in form without a session here.
pub(crate) async fn show(page: SignedPage) -> Response {
    match overview(&page).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

async fn overview(page: &SignedPage) -> Result<Response, Failure> {
    let dashboard = build(&page.state, &page.scope, today()).await?;
    let mut view = OverviewView::new(&page.formatter(), &page.page.base, &page.scope, dashboard)?;
    view.tour = super::account::tour_view(page);
    Ok(page.render("dashboard.html", view))
}

/// The overview's data, formatted for the template. Message ids (`*_message`) are looked up by
/// the template in the page's language.
#[derive(Debug, Serialize)]
struct OverviewView {
    summary: Summary,
    links: SectionLinks,
    projects: Vec<ProjectItem>,
    approvals: Vec<ApprovalItem>,
    next_steps: Vec<StepItem>,
    updates: Vec<UpdateItem>,
    documents: Vec<DocumentItem>,
    invoices: Option<Vec<InvoiceItem>>,
    /// The first-login tour, while it is due.
    tour: Option<super::account::TourView>,
}

/// The pages behind the overview's sections, for the roles that may open them.
#[derive(Debug, Serialize)]
struct SectionLinks {
    projects: Option<String>,
    approvals: Option<String>,
    documents: Option<String>,
}

impl SectionLinks {
    fn new(scope: &TenantScope, base: &str) -> Self {
        let link = |permission, path: &str| {
            holds_somewhere(scope, permission).then(|| format!("{base}{path}"))
        };
        Self {
            projects: link(Permission::ViewProjects, "/projects"),
            approvals: link(Permission::ViewApprovals, "/approvals"),
            documents: link(Permission::ViewDocuments, "/documents"),
        }
    }
}

#[derive(Debug, Serialize)]
struct Summary {
    in_progress: usize,
    decisions: usize,
    next_steps: usize,
    milestones_done: i64,
    milestones_total: i64,
}

#[derive(Debug, Serialize)]
struct ProjectItem {
    url: String,
    name: String,
    status_message: &'static str,
    done: i64,
    total: i64,
    due: Option<String>,
}

#[derive(Debug, Serialize)]
struct ApprovalItem {
    url: String,
    message: String,
    project: Option<String>,
    yours: bool,
    waiting_message: &'static str,
    due: Option<String>,
    requested: String,
}

#[derive(Debug, Serialize)]
struct StepItem {
    title: String,
    project: Option<String>,
    yours: bool,
    owner_message: &'static str,
    due: Option<String>,
}

#[derive(Debug, Serialize)]
struct UpdateItem {
    title: String,
    project: Option<String>,
    excerpt: String,
    posted: String,
}

#[derive(Debug, Serialize)]
struct DocumentItem {
    url: String,
    title: String,
    project: Option<String>,
    added: String,
    download_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct InvoiceItem {
    number: String,
    amount: String,
    due: Option<String>,
    overdue: bool,
    state_message: &'static str,
    pay_url: Option<String>,
}

impl OverviewView {
    fn new(
        formatter: &Formatter<'_>,
        base: &str,
        scope: &TenantScope,
        dashboard: Dashboard,
    ) -> Result<Self, CatalogueError> {
        let names: HashMap<ProjectId, String> = dashboard
            .projects
            .iter()
            .map(|project| (project.id, project.name.clone()))
            .collect();
        let project = |id: &ProjectId| names.get(id).cloned();
        let staff = scope.is_staff_side();

        let mut summary = Summary {
            in_progress: 0,
            decisions: 0,
            next_steps: dashboard.next_steps.len(),
            milestones_done: 0,
            milestones_total: 0,
        };
        let mut projects = Vec::with_capacity(dashboard.projects.len());
        for view in dashboard.projects {
            let (done, total) = view.progress.as_ref().map_or((0, 0), |progress| {
                (progress.milestones_completed, progress.milestones_total)
            });
            summary.milestones_done += done;
            summary.milestones_total += total;
            if view.status == ProjectStatus::Active {
                summary.in_progress += 1;
            }
            projects.push(ProjectItem {
                url: format!("{base}/projects/{}", view.id),
                name: view.name,
                status_message: project_status_message(view.status),
                done,
                total,
                due: formatter.day(view.ends_on)?,
            });
        }

        let mut approvals = Vec::with_capacity(dashboard.pending_approvals.len());
        for approval in dashboard.pending_approvals {
            if approval.can_decide {
                summary.decisions += 1;
            }
            approvals.push(ApprovalItem {
                url: format!("{base}/approvals/{}", approval.id),
                message: approval.message,
                project: project(&approval.project_id),
                yours: approval.can_decide,
                waiting_message: match (approval.can_decide, staff) {
                    (true, _) => "approval-yours",
                    (false, true) => "approval-client",
                    (false, false) => "approval-others",
                },
                due: formatter.day(approval.due_at.map(|at| at.date()))?,
                requested: formatter.date(approval.requested_at.date())?,
            });
        }

        let mut next_steps = Vec::with_capacity(dashboard.next_steps.len());
        for task in dashboard.next_steps {
            // For the team, "your move" is the team's; for a contact, the client's.
            let yours = match task.owner {
                TaskOwner::Client => !staff,
                TaskOwner::Team => staff,
            };
            next_steps.push(StepItem {
                title: task.title,
                project: project(&task.project_id),
                yours,
                owner_message: match task.owner {
                    TaskOwner::Client => "task-owner-client",
                    TaskOwner::Team => "task-owner-team",
                },
                due: formatter.day(task.due_on)?,
            });
        }

        let mut updates = Vec::with_capacity(dashboard.latest_updates.len());
        for update in dashboard.latest_updates {
            updates.push(UpdateItem {
                project: project(&update.project_id),
                excerpt: excerpt(&update.body),
                posted: formatter.date(update.created_at.date())?,
                title: update.title,
            });
        }

        let mut documents = Vec::with_capacity(dashboard.recent_documents.len());
        for document in dashboard.recent_documents {
            documents.push(DocumentItem {
                url: format!("{base}/documents/{}", document.id),
                project: document.project_id.as_ref().and_then(project),
                added: formatter.date(document.created_at.date())?,
                download_url: document
                    .current_version_id
                    .map(|_| format!("{base}/api/v1/documents/{}/download", document.id)),
                title: document.title,
            });
        }

        let invoices = match dashboard.open_invoices {
            None => None,
            Some(open) => {
                let mut invoices = Vec::with_capacity(open.len());
                for invoice in open {
                    invoices.push(InvoiceItem {
                        amount: formatter
                            .money(invoice.amount.amount_minor, invoice.amount.currency),
                        due: formatter.day(invoice.due_on)?,
                        overdue: invoice.state == InvoiceState::Overdue,
                        state_message: invoice_state_message(invoice.state),
                        pay_url: invoice.payment_url,
                        number: invoice.number,
                    });
                }
                Some(invoices)
            }
        };

        Ok(Self {
            summary,
            links: SectionLinks::new(scope, base),
            projects,
            approvals,
            next_steps,
            updates,
            documents,
            invoices,
            tour: None,
        })
    }
}

/// The catalogue id of a project's status.
pub(crate) const fn project_status_message(status: ProjectStatus) -> &'static str {
    match status {
        ProjectStatus::Active => "project-status-active",
        ProjectStatus::OnHold => "project-status-on_hold",
        ProjectStatus::Completed => "project-status-completed",
        ProjectStatus::Archived => "project-status-archived",
    }
}

/// The catalogue id of an invoice's state.
const fn invoice_state_message(state: InvoiceState) -> &'static str {
    match state {
        InvoiceState::Draft => "invoice-state-draft",
        InvoiceState::Open => "invoice-state-open",
        InvoiceState::Overdue => "invoice-state-overdue",
        InvoiceState::Paid => "invoice-state-paid",
        InvoiceState::Void => "invoice-state-void",
    }
}

/// The start of a text as plain text, cut at a word where it is long. Updates are often
/// written with light Markdown; its emphasis and heading marks are dropped rather than shown.
fn excerpt(text: &str) -> String {
    let plain = text
        .lines()
        .map(|line| line.trim_start().trim_start_matches('#').trim())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace("**", "")
        .replace("__", "")
        .replace('`', "");
    let text = plain.trim();
    if text.chars().count() <= EXCERPT_CHARS {
        return text.to_owned();
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let at_word = cut
        .rfind(char::is_whitespace)
        .map_or(cut.as_str(), |at| &cut[..at]);
    format!("{}…", at_word.trim_end())
}

#[cfg(test)]
mod tests {
    use super::super::catalogue::Catalogue;
    use super::super::locale::Locale;
    use super::*;

    #[test]
    fn every_status_has_a_message_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        let ids = [
            ProjectStatus::Active,
            ProjectStatus::OnHold,
            ProjectStatus::Completed,
            ProjectStatus::Archived,
        ]
        .map(project_status_message)
        .into_iter()
        .chain(
            [
                InvoiceState::Draft,
                InvoiceState::Open,
                InvoiceState::Overdue,
                InvoiceState::Paid,
                InvoiceState::Void,
            ]
            .map(invoice_state_message),
        )
        .chain([
            "approval-yours",
            "approval-client",
            "approval-others",
            "task-owner-client",
            "task-owner-team",
        ]);
        for id in ids {
            for locale in Locale::ALL {
                catalogue.text(locale, id, None).unwrap();
            }
        }
    }

    #[test]
    fn long_texts_are_cut_at_a_word() {
        assert_eq!(excerpt("  short  "), "short");
        assert_eq!(
            excerpt("# Week 1\n\n**Next:** the `style` guide"),
            "Week 1 Next: the style guide"
        );
        let long = "word ".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1);
    }
}
