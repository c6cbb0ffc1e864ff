//! `staff/projects`: the projects of every client the viewer reaches, filtered by client and
//! status, each with its milestone progress and whether the client sees it; and a new project
//! (`manage_projects` in its client, internal until published). The same store calls as
//! `GET /projects` and `POST /projects`.

use std::collections::HashMap;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{ProjectInput, ProjectStatus};
use portal_core::{ClientId, DateRange, DomainError, Invalid, Permission};
use portal_storage::ProjectFilter;
use serde::{Deserialize, Serialize};

use super::super::signed::{Failure, PageForm, SignedPage};
use super::invites::Choice;
use super::shared::{
    Alert, DELIVERY, Form, PROJECT_STATUSES, created_or_again, day, every, may, opens, page_after,
    project_status, query,
};
use crate::api::staff::work::MAX_TEXT_CHARS;
use crate::api::staff::{bounded, display_name};
use crate::error::ApiError;
use crate::extract::ClientIp;

/// The fields of the project form (new and edit; the client only when new).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(super) struct ProjectFields {
    /// The client it is for (new projects only).
    #[serde(default)]
    pub(super) client_id: String,
    /// Its name.
    #[serde(default)]
    pub(super) name: String,
    /// A longer description.
    #[serde(default)]
    pub(super) description: String,
    /// `active`, `on_hold`, `completed` or `archived`.
    #[serde(default)]
    pub(super) status: String,
    /// The planned first day, `YYYY-MM-DD`; blank with `end` for no schedule.
    #[serde(default)]
    pub(super) start: String,
    /// The planned last day.
    #[serde(default)]
    pub(super) end: String,
}

/// The fields a project form's error may name.
pub(super) const PROJECT_FIELDS: &[&str] =
    &["client_id", "name", "description", "status", "start", "end"];

impl ProjectFields {
    /// The status chosen; blank is `active`.
    pub(super) fn status(&self) -> Result<ProjectStatus, ApiError> {
        if self.status.is_empty() {
            return Ok(ProjectStatus::default());
        }
        ProjectStatus::from_name(&self.status).ok_or_else(|| {
            DomainError::validation("status", Invalid::Malformed("not a project status")).into()
        })
    }

    /// The planned days: both or neither.
    pub(super) fn schedule(&self) -> Result<Option<DateRange>, ApiError> {
        match (day("start", &self.start)?, day("end", &self.end)?) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(DomainError::validation("end", Invalid::Empty).into()),
            (None, Some(_)) => Err(DomainError::validation("start", Invalid::Empty).into()),
            (Some(start), Some(end)) => Ok(Some(
                DateRange::new(start, end).map_err(|error| error.in_field("end"))?,
            )),
        }
    }

    /// Checks the name and description, as the API does.
    pub(super) fn checked_name(&self) -> Result<portal_core::DisplayName, ApiError> {
        bounded("description", &self.description, MAX_TEXT_CHARS)?;
        display_name("name", &self.name)
    }
}

/// The status choices of a project form, `current` selected.
pub(super) fn status_choices(page: &SignedPage, current: &str) -> Result<Vec<Choice>, Failure> {
    let formatter = page.formatter();
    PROJECT_STATUSES
        .iter()
        .map(|status| {
            Ok(Choice {
                value: status.name().to_owned(),
                label: formatter.text(project_status(*status))?,
                selected: status.name() == current,
            })
        })
        .collect()
}

/// The list's query.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    client: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

/// `GET staff/projects`.
pub(crate) async fn list(page: SignedPage, RawQuery(raw): RawQuery) -> Response {
    match show(&page, raw.as_deref(), None, StatusCode::OK).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// `POST staff/projects`: creates an internal project and goes to its page.
pub(crate) async fn create(ip: ClientIp, form: PageForm<ProjectFields>) -> Response {
    let PageForm { page, fields } = form;
    if let Err(error) = opens(&page, DELIVERY) {
        return page.fail(error);
    }
    let created = async {
        let client = if fields.client_id.is_empty() {
            return Err(DomainError::validation("client_id", Invalid::Empty).into());
        } else {
            fields
                .client_id
                .parse::<ClientId>()
                .map_err(|error| error.in_field("client_id"))?
        };
        let input = ProjectInput {
            client,
            name: fields.checked_name()?,
            description: fields.description.clone(),
            status: fields.status()?,
            schedule: fields.schedule()?,
            budget: None,
            external_id: None,
        };
        Ok::<_, ApiError>(
            page.state
                .stores()
                .projects
                .create_project(&page.scope, input, &ip.audit())
                .await?,
        )
    }
    .await;
    let path = created.map(|project| format!("/staff/projects/{}", project.id));
    let form = ("project-new", fields, PROJECT_FIELDS);
    created_or_again(
        &page,
        path,
        "notice-staff-project-created",
        form,
        |form, status| show(&page, None, Some(form), status),
    )
    .await
}

/// The list's data.
#[derive(Debug, Serialize)]
struct ProjectsView {
    alert: Option<Alert>,
    filter_clients: Vec<Choice>,
    filter_statuses: Vec<Choice>,
    filtered: bool,
    projects: Vec<ProjectItem>,
    next: Option<String>,
    create: Option<Form<ProjectFields>>,
    create_clients: Vec<Choice>,
    create_statuses: Vec<Choice>,
}

/// One project of the list.
#[derive(Debug, Serialize)]
struct ProjectItem {
    name: String,
    href: String,
    client: String,
    status_message: &'static str,
    shared: bool,
    done: i64,
    total: i64,
    ends: Option<String>,
}

/// The list for the query's filters with the new-project form, shown again when `failed`.
async fn show(
    page: &SignedPage,
    raw_query: Option<&str>,
    failed: Option<Form<ProjectFields>>,
    status: StatusCode,
) -> Result<Response, Failure> {
    opens(page, DELIVERY)?;
    let query: ListQuery = query(raw_query)?;
    let client_filter = query
        .client
        .as_deref()
        .filter(|text| !text.is_empty())
        .map(str::parse::<ClientId>)
        .transpose()
        .map_err(|_| super::super::page::PageError::BadRequest)?;
    let status_filter = query
        .status
        .as_deref()
        .filter(|text| !text.is_empty())
        .map(|name| ProjectStatus::from_name(name).ok_or(super::super::page::PageError::BadRequest))
        .transpose()?;
    let at = page_after(query.cursor.as_deref())?;
    let stores = page.state.stores();
    let clients = every(|at| stores.clients.list_clients(&page.scope, at)).await?;
    let names: HashMap<ClientId, String> = clients
        .iter()
        .map(|client| (client.id, client.name.as_str().to_owned()))
        .collect();
    let filter = ProjectFilter {
        client: client_filter,
        status: status_filter,
    };
    let paged = stores
        .projects
        .list_project_progress(&page.scope, filter, at)
        .await?;
    let formatter = page.formatter();
    let base = &page.page.base;
    let mut projects = Vec::with_capacity(paged.items.len());
    for progress in paged.items {
        let project = progress.project;
        projects.push(ProjectItem {
            href: format!("{base}/staff/projects/{}", project.id),
            client: names.get(&project.client).cloned().unwrap_or_default(),
            status_message: project_status(project.status),
            shared: project.visibility.is_shared(),
            done: progress.milestones_completed,
            total: progress.milestones_total,
            ends: formatter.day(project.schedule.map(|range| range.end()))?,
            name: project.name.into_string(),
        });
    }
    let mut next_query = Vec::new();
    if let Some(client) = client_filter {
        next_query.push(format!("client={client}"));
    }
    if let Some(status) = status_filter {
        next_query.push(format!("status={}", status.name()));
    }
    let next = paged.next.map(|cursor| {
        next_query.push(format!("cursor={cursor}"));
        format!("{base}/staff/projects?{}", next_query.join("&"))
    });

    // New projects: only for clients the viewer may create projects in, not archived ones.
    let creatable: Vec<_> = clients
        .iter()
        .filter(|client| {
            !client.archived && may(&page.scope, client.id, Permission::ManageProjects)
        })
        .collect();
    let create = (!creatable.is_empty()).then(|| {
        failed.unwrap_or_else(|| {
            Form::new(
                "project-new",
                ProjectFields {
                    client_id: client_filter.map(|id| id.to_string()).unwrap_or_default(),
                    ..ProjectFields::default()
                },
            )
        })
    });
    let chosen_client = create
        .as_ref()
        .map(|form| form.values.client_id.clone())
        .unwrap_or_default();
    let chosen_status = create
        .as_ref()
        .map(|form| form.values.status.clone())
        .unwrap_or_default();
    let filter_clients = clients
        .iter()
        .map(|client| Choice {
            value: client.id.to_string(),
            label: client.name.as_str().to_owned(),
            selected: client_filter == Some(client.id),
        })
        .collect();
    let view = ProjectsView {
        alert: create.as_ref().and_then(Form::alert),
        filter_clients,
        filter_statuses: status_choices(page, status_filter.map_or("", ProjectStatus::name))?,
        filtered: client_filter.is_some() || status_filter.is_some(),
        projects,
        next,
        create_clients: creatable
            .iter()
            .map(|client| Choice {
                value: client.id.to_string(),
                label: client.name.as_str().to_owned(),
                selected: client.id.to_string() == chosen_client,
            })
            .collect(),
        create_statuses: status_choices(
            page,
            if chosen_status.is_empty() {
                "active"
            } else {
                &chosen_status
            },
        )?,
        create,
    };
    Ok(page.render_status(status, "staff/projects.html", view))
}
