//! The project page's view: each section read through the stores with the page's scope, each
//! form offered only to a role that may use it, and a form that was not accepted shown again in
//! its place with what was typed and why.

use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{Milestone, Project, TaskOwner};
use portal_core::state::{DeliverableStatus, MilestoneStatus, TaskStatus};
use portal_core::{ClientId, DeliverableId, MilestoneId, Permission, ProjectId, TenantScope};
use serde::Serialize;

use super::super::super::format::Formatter;
use super::super::super::nav::holds_any;
use super::super::super::signed::{Failure, SignedPage};
use super::super::invites::Choice;
use super::super::projects::{ProjectFields, status_choices};
use super::super::shared::{
    Alert, CLIENTS, DELIVERY, Form, Move, Offer, Toggle, day_value, deliverable_status, every, may,
    milestone_status, moves, opens, project_status, task_status,
};
use super::content::{DecisionFields, TaskFields, UpdateFields};
use super::milestones::NewMilestone;
use super::parts::DatedFields;
use super::{Retry, ordered_milestones};
use crate::api::work::visible_project;

/// The moves a milestone's buttons offer.
const MILESTONE_MOVES: [Offer<MilestoneStatus>; 3] = [
    (
        Some(MilestoneStatus::Completed),
        MilestoneStatus::InProgress,
        "staff-milestone-reopen",
    ),
    (None, MilestoneStatus::InProgress, "staff-milestone-start"),
    (None, MilestoneStatus::Completed, "staff-milestone-complete"),
];

/// The moves a deliverable's buttons offer. Approval outcomes come only from the client, and a
/// deliverable in review goes back to work when its approval request is withdrawn (in the
/// queue), so neither is a button here.
const DELIVERABLE_MOVES: [Offer<DeliverableStatus>; 4] = [
    (
        Some(DeliverableStatus::NotStarted),
        DeliverableStatus::InProgress,
        "staff-deliverable-start",
    ),
    (
        Some(DeliverableStatus::ChangesRequested),
        DeliverableStatus::InProgress,
        "staff-deliverable-start",
    ),
    (
        None,
        DeliverableStatus::InReview,
        "staff-deliverable-review",
    ),
    (
        None,
        DeliverableStatus::Delivered,
        "staff-deliverable-deliver",
    ),
];

/// The page's data.
#[derive(Debug, Serialize)]
struct ProjectView {
    alert: Option<Alert>,
    path: String,
    name: String,
    client: String,
    client_href: Option<String>,
    description: String,
    status_message: &'static str,
    toggle: Toggle,
    starts: Option<String>,
    ends: Option<String>,
    budget: Option<String>,
    edit: Option<Form<ProjectFields>>,
    statuses: Vec<Choice>,
    milestones: Vec<MilestoneItem>,
    new_milestone: Option<Form<NewMilestone>>,
    updates: Vec<UpdateItem>,
    new_update: Option<Form<UpdateFields>>,
    decisions: Vec<DecisionItem>,
    new_decision: Option<Form<DecisionFields>>,
    tasks: Vec<TaskItem>,
    new_task: Option<Form<TaskFields>>,
    owners: Vec<Choice>,
}

/// A milestone with its state, moves, toggle, deliverables and forms.
#[derive(Debug, Serialize)]
struct MilestoneItem {
    title: String,
    path: String,
    status_message: &'static str,
    due: Option<String>,
    toggle: Toggle,
    moves: Vec<Move>,
    manage: bool,
    first: bool,
    last: bool,
    edit: Option<Form<DatedFields>>,
    deliverables: Vec<DeliverableItem>,
    new_deliverable: Option<Form<DatedFields>>,
}

/// A deliverable with its state, moves, toggle and form.
#[derive(Debug, Serialize)]
struct DeliverableItem {
    title: String,
    path: String,
    status_message: &'static str,
    due: Option<String>,
    toggle: Toggle,
    moves: Vec<Move>,
    edit: Option<Form<DatedFields>>,
}

/// A status update.
#[derive(Debug, Serialize)]
struct UpdateItem {
    title: String,
    body: String,
    posted: String,
    toggle: Toggle,
}

/// A decision record.
#[derive(Debug, Serialize)]
struct DecisionItem {
    title: String,
    body: String,
    decided: String,
    toggle: Toggle,
}

/// A next step with its state and the button that flips it.
#[derive(Debug, Serialize)]
struct TaskItem {
    title: String,
    owner_message: &'static str,
    due: Option<String>,
    done: bool,
    status_message: &'static str,
    toggle: Toggle,
    status_action: Option<String>,
    next_status: &'static str,
}

/// The forms to show again, each taken out where its section is built, and the summary of
/// the first one's error for the top of the page.
#[derive(Default)]
struct Kept {
    project: Option<Form<ProjectFields>>,
    new_milestone: Option<Form<NewMilestone>>,
    milestone: Option<(MilestoneId, Form<DatedFields>)>,
    new_deliverable: Option<(MilestoneId, Form<DatedFields>)>,
    deliverable: Option<(DeliverableId, Form<DatedFields>)>,
    update: Option<Form<UpdateFields>>,
    decision: Option<Form<DecisionFields>>,
    task: Option<Form<TaskFields>>,
    alert: Option<Alert>,
}

impl Kept {
    /// The forms of `retry`, each in its slot.
    fn new(retry: Retry) -> Self {
        let mut kept = Self::default();
        match retry {
            Retry::Nothing => {}
            Retry::Project(form) => kept.project = Some(form),
            Retry::NewMilestone(form) => kept.new_milestone = Some(form),
            Retry::Milestone(id, form) => kept.milestone = Some((id, form)),
            Retry::NewDeliverable(id, form) => kept.new_deliverable = Some((id, form)),
            Retry::Deliverable(id, form) => kept.deliverable = Some((id, form)),
            Retry::Update(form) => kept.update = Some(form),
            Retry::Decision(form) => kept.decision = Some(form),
            Retry::Task(form) => kept.task = Some(form),
            Retry::Act(error) => {
                kept.alert = Some(Alert {
                    message: error.message,
                    href: None,
                });
            }
        }
        kept
    }
}

/// The form `form`, its error noted in `alert` for the summary at the top of the page.
fn noted<T>(alert: &mut Option<Alert>, form: Option<Form<T>>) -> Option<Form<T>> {
    if alert.is_none() {
        *alert = form.as_ref().and_then(Form::alert);
    }
    form
}

/// The form kept for the object `key`, taken out of `slot` when it is that object's.
fn take_if<K: PartialEq, T>(slot: &mut Option<(K, T)>, key: K) -> Option<T> {
    if slot.as_ref().is_some_and(|(kept, _)| *kept == key) {
        slot.take().map(|(_, form)| form)
    } else {
        None
    }
}

/// What every section needs: the page, its scope and formatter, where links start, and what
/// the viewer may do in the project's client.
struct Context<'a> {
    page: &'a SignedPage,
    scope: &'a TenantScope,
    formatter: Formatter<'a>,
    staff: String,
    client: ClientId,
}

impl Context<'_> {
    /// Whether the viewer holds `permission` in the project's client.
    fn can(&self, permission: Permission) -> bool {
        may(self.scope, self.client, permission)
    }

    /// The toggle of an object posting under `path`.
    fn toggle(&self, path: String, visibility: portal_core::Visibility, title: &str) -> Toggle {
        Toggle::new(
            format!("{path}/visibility"),
            visibility,
            self.can(Permission::Publish),
            title,
        )
    }
}

/// The project page with `retry`'s form shown again, answering `status`.
pub(super) async fn render(
    page: &SignedPage,
    id: ProjectId,
    retry: Retry,
    status: StatusCode,
) -> Result<Response, Failure> {
    opens(page, DELIVERY)?;
    let project: Project = visible_project(&page.state, &page.scope, id).await?;
    let context = Context {
        page,
        scope: &page.scope,
        formatter: page.formatter(),
        staff: format!("{}/staff", page.page.base),
        client: project.client,
    };
    let mut kept = Kept::new(retry);
    let milestones = milestone_items(&context, id, &mut kept).await?;
    let new_milestone = context.can(Permission::ManageMilestones).then(|| {
        noted(&mut kept.alert, kept.new_milestone.take())
            .unwrap_or_else(|| Form::new("milestone-new", NewMilestone::default()))
    });
    let updates = update_items(&context, id).await?;
    let new_update = context.can(Permission::ManageUpdates).then(|| {
        noted(&mut kept.alert, kept.update.take())
            .unwrap_or_else(|| Form::new("update-new", UpdateFields::default()))
    });
    let decisions = decision_items(&context, id).await?;
    let new_decision = context.can(Permission::ManageDecisions).then(|| {
        noted(&mut kept.alert, kept.decision.take())
            .unwrap_or_else(|| Form::new("decision-new", DecisionFields::default()))
    });
    let tasks = task_items(&context, id).await?;
    let new_task = context.can(Permission::ManageTasks).then(|| {
        noted(&mut kept.alert, kept.task.take())
            .unwrap_or_else(|| Form::new("task-new", TaskFields::default()))
    });
    let owners = owner_choices(
        &context.formatter,
        new_task
            .as_ref()
            .map_or("", |form| form.values.owner.as_str()),
    )?;
    let edit = context.can(Permission::ManageProjects).then(|| {
        noted(&mut kept.alert, kept.project.take())
            .unwrap_or_else(|| Form::new("project", project_fields(&project)))
    });
    let chosen_status = edit
        .as_ref()
        .map_or(project.status.name(), |form| form.values.status.as_str());
    let statuses = status_choices(page, chosen_status)?;

    let stores = page.state.stores();
    let client = stores
        .clients
        .client(context.scope, project.client)
        .await?
        .map(|found| found.name.into_string())
        .unwrap_or_default();
    let path = format!("{}/projects/{id}", context.staff);
    let formatter = &context.formatter;
    let name = project.name.into_string();
    let view = ProjectView {
        alert: kept.alert,
        toggle: context.toggle(path.clone(), project.visibility, &name),
        path,
        client,
        client_href: holds_any(context.scope, CLIENTS)
            .then(|| format!("{}/clients/{}", context.staff, project.client)),
        description: project.description,
        status_message: project_status(project.status),
        starts: formatter.day(project.schedule.map(|range| range.start()))?,
        ends: formatter.day(project.schedule.map(|range| range.end()))?,
        budget: project
            .budget
            .filter(|_| context.can(Permission::ViewFinancials))
            .map(|money| formatter.money(money.amount_minor, money.currency.code())),
        statuses,
        edit,
        milestones,
        new_milestone,
        updates,
        new_update,
        decisions,
        new_decision,
        tasks,
        new_task,
        owners,
        name,
    };
    Ok(page.render_status(status, "staff/project.html", view))
}

/// The project's fields as its form shows them.
fn project_fields(project: &Project) -> ProjectFields {
    ProjectFields {
        client_id: String::new(),
        name: project.name.as_str().to_owned(),
        description: project.description.clone(),
        status: project.status.name().to_owned(),
        start: day_value(project.schedule.map(|range| range.start())),
        end: day_value(project.schedule.map(|range| range.end())),
    }
}

/// The milestones in the project's order, each with its deliverables and forms.
async fn milestone_items(
    context: &Context<'_>,
    project: ProjectId,
    kept: &mut Kept,
) -> Result<Vec<MilestoneItem>, Failure> {
    let milestones = ordered_milestones(context.page, project).await?;
    let count = milestones.len();
    let manage = context.can(Permission::ManageMilestones);
    let mut items = Vec::with_capacity(count);
    for (index, milestone) in milestones.into_iter().enumerate() {
        let path = format!("{}/milestones/{}", context.staff, milestone.id);
        let deliverables = deliverable_items(context, &milestone, kept).await?;
        let edit = noted(&mut kept.alert, take_if(&mut kept.milestone, milestone.id));
        let new_deliverable = noted(
            &mut kept.alert,
            take_if(&mut kept.new_deliverable, milestone.id),
        );
        let title = milestone.title.into_string();
        items.push(MilestoneItem {
            edit: manage.then(|| {
                edit.unwrap_or_else(|| {
                    Form::new(
                        format!("milestone-{}", milestone.id),
                        DatedFields {
                            title: title.clone(),
                            due_on: day_value(milestone.due_on),
                        },
                    )
                })
            }),
            new_deliverable: context.can(Permission::ManageDeliverables).then(|| {
                new_deliverable.unwrap_or_else(|| {
                    Form::new(
                        format!("deliverable-new-{}", milestone.id),
                        DatedFields::default(),
                    )
                })
            }),
            toggle: context.toggle(path.clone(), milestone.visibility, &title),
            moves: if manage {
                moves(milestone.status, &MILESTONE_MOVES)
            } else {
                Vec::new()
            },
            manage,
            first: index == 0,
            last: index + 1 == count,
            status_message: milestone_status(milestone.status),
            due: context.formatter.day(milestone.due_on)?,
            path,
            deliverables,
            title,
        });
    }
    Ok(items)
}

/// A milestone's deliverables, oldest first.
async fn deliverable_items(
    context: &Context<'_>,
    milestone: &Milestone,
    kept: &mut Kept,
) -> Result<Vec<DeliverableItem>, Failure> {
    let stores = context.page.state.stores();
    let mut deliverables = every(|at| {
        stores
            .deliverables
            .list_deliverables(context.scope, milestone.id, at)
    })
    .await?;
    deliverables.sort_by_key(|deliverable| (deliverable.created_at, deliverable.id));
    let manage = context.can(Permission::ManageDeliverables);
    let mut items = Vec::with_capacity(deliverables.len());
    for deliverable in deliverables {
        let path = format!("{}/deliverables/{}", context.staff, deliverable.id);
        let edit = noted(
            &mut kept.alert,
            take_if(&mut kept.deliverable, deliverable.id),
        );
        let title = deliverable.title.into_string();
        items.push(DeliverableItem {
            edit: manage.then(|| {
                edit.unwrap_or_else(|| {
                    Form::new(
                        format!("deliverable-{}", deliverable.id),
                        DatedFields {
                            title: title.clone(),
                            due_on: day_value(deliverable.due_on),
                        },
                    )
                })
            }),
            toggle: context.toggle(path.clone(), deliverable.visibility, &title),
            moves: if manage {
                moves(deliverable.status, &DELIVERABLE_MOVES)
            } else {
                Vec::new()
            },
            status_message: deliverable_status(deliverable.status),
            due: context.formatter.day(deliverable.due_on)?,
            path,
            title,
        });
    }
    Ok(items)
}

/// The project's status updates, newest first.
async fn update_items(
    context: &Context<'_>,
    project: ProjectId,
) -> Result<Vec<UpdateItem>, Failure> {
    let stores = context.page.state.stores();
    let updates = every(|at| {
        stores
            .updates
            .list_updates(context.scope, Some(project), at)
    })
    .await?;
    let mut items = Vec::with_capacity(updates.len());
    for update in updates {
        let title = update.title.into_string();
        items.push(UpdateItem {
            toggle: context.toggle(
                format!("{}/updates/{}", context.staff, update.id),
                update.visibility,
                &title,
            ),
            posted: context.formatter.date(update.created_at.date())?,
            body: update.body,
            title,
        });
    }
    Ok(items)
}

/// The project's decision records, newest first.
async fn decision_items(
    context: &Context<'_>,
    project: ProjectId,
) -> Result<Vec<DecisionItem>, Failure> {
    let stores = context.page.state.stores();
    let decisions = every(|at| {
        stores
            .decisions
            .list_decisions(context.scope, Some(project), at)
    })
    .await?;
    let mut items = Vec::with_capacity(decisions.len());
    for decision in decisions {
        let title = decision.title.into_string();
        items.push(DecisionItem {
            toggle: context.toggle(
                format!("{}/decisions/{}", context.staff, decision.id),
                decision.visibility,
                &title,
            ),
            decided: context.formatter.date(decision.decided_on)?,
            body: decision.body,
            title,
        });
    }
    Ok(items)
}

/// The project's next steps: open ones first, newest first within each.
async fn task_items(context: &Context<'_>, project: ProjectId) -> Result<Vec<TaskItem>, Failure> {
    let stores = context.page.state.stores();
    let tasks = every(|at| stores.tasks.list_tasks(context.scope, Some(project), at)).await?;
    let manage = context.can(Permission::ManageTasks);
    let mut items = Vec::with_capacity(tasks.len());
    for task in tasks {
        let title = task.title.into_string();
        let done = task.status == TaskStatus::Done;
        let path = format!("{}/tasks/{}", context.staff, task.id);
        items.push(TaskItem {
            toggle: context.toggle(path.clone(), task.visibility, &title),
            owner_message: owner_message(task.owner),
            due: context.formatter.day(task.due_on)?,
            done,
            status_message: task_status(task.status),
            status_action: manage.then(|| format!("{path}/status")),
            next_status: if done { "open" } else { "done" },
            title,
        });
    }
    items.sort_by_key(|task| task.done);
    Ok(items)
}

/// The catalogue id of whose move a task is.
const fn owner_message(owner: TaskOwner) -> &'static str {
    match owner {
        TaskOwner::Client => "staff-task-owner-client",
        TaskOwner::Team => "staff-task-owner-team",
    }
}

/// The owner choices of the task form: the team's move unless the client's was chosen.
fn owner_choices(formatter: &Formatter<'_>, chosen: &str) -> Result<Vec<Choice>, Failure> {
    let client = chosen == "client";
    Ok(vec![
        Choice {
            value: "client".to_owned(),
            label: formatter.text(owner_message(TaskOwner::Client))?,
            selected: client,
        },
        Choice {
            value: "team".to_owned(),
            label: formatter.text(owner_message(TaskOwner::Team))?,
            selected: !client,
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered<S: portal_core::state::StateMachine>(from: S, offers: &[Offer<S>]) -> Vec<&str> {
        moves(from, offers).into_iter().map(|m| m.label).collect()
    }

    #[test]
    fn a_deliverable_in_review_waits_for_the_client() {
        use DeliverableStatus as D;
        assert!(offered(D::InReview, &DELIVERABLE_MOVES).is_empty());
        assert_eq!(
            offered(D::NotStarted, &DELIVERABLE_MOVES),
            ["staff-deliverable-start"]
        );
        assert_eq!(
            offered(D::ChangesRequested, &DELIVERABLE_MOVES),
            ["staff-deliverable-start", "staff-deliverable-review"]
        );
        assert_eq!(
            offered(D::Approved, &DELIVERABLE_MOVES),
            ["staff-deliverable-deliver"]
        );
        assert!(offered(D::Delivered, &DELIVERABLE_MOVES).is_empty());
    }

    #[test]
    fn a_completed_milestone_is_reopened_not_started() {
        use MilestoneStatus as M;
        assert_eq!(
            offered(M::Planned, &MILESTONE_MOVES),
            ["staff-milestone-start"]
        );
        assert_eq!(
            offered(M::Completed, &MILESTONE_MOVES),
            ["staff-milestone-reopen"]
        );
    }
}
