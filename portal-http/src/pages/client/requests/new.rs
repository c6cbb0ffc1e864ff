//! `GET requests/new` and `POST requests`: a new request — a title, the details and, if it is
//! about one, a project — for roles with `submit_requests`. The same checks and store call as
//! `POST /requests`; what was typed comes back with a message next to each field at fault.

use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{NewRequest, Request};
use portal_core::{ClientFilter, ClientId, DisplayName, Permission, ProjectId};
use serde::{Deserialize, Serialize};

use crate::api::client_views::{holds, parse_id, text};
use crate::api::work::visible_project;
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::pages::client::messages::subjects;
use crate::pages::form::FormError;
use crate::pages::nav::holds_somewhere;
use crate::pages::page::PageError;
use crate::pages::signed::{Failure, PageForm, SignedPage};

/// The form's fields, named as `POST /requests` names them.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RequestFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    client_id: String,
}

/// `GET requests/new`.
pub(crate) async fn form(page: SignedPage) -> Response {
    if !may_submit(&page) {
        return page.fail(PageError::NotFound);
    }
    match render(&page, RequestFields::default(), Vec::new()).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// `POST requests`: submits the request and shows it; input at fault is the form again (422).
pub(crate) async fn submit(
    ip: ClientIp,
    PageForm { page, fields }: PageForm<RequestFields>,
) -> Response {
    let refused = match submit_request(&page, ip, &fields).await {
        Ok(request) => {
            return page.redirect_with_notice(
                &format!("/requests/{}", request.id),
                "notice-requests-submitted",
            );
        }
        Err(refused) => refused,
    };
    let mut errors = Vec::with_capacity(refused.len());
    for refusal in refused {
        let error = match refusal {
            Refusal::Api(error) => page.form_error(error),
            Refusal::NoClient => FormError::new(
                &page.formatter(),
                Some("client_id"),
                "requests-choose-client",
                &[],
            )
            .map_err(|error| page.fail(error)),
        };
        match error {
            Ok(error) => errors.push(error),
            Err(response) => return response,
        }
    }
    match render(&page, fields, errors).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// Whether the viewer may submit requests somewhere (and is not in a read-only preview).
fn may_submit(page: &SignedPage) -> bool {
    !page.scope.is_read_only() && holds_somewhere(&page.scope, Permission::SubmitRequests)
}

/// Why a request was not submitted.
enum Refusal {
    /// The API's answer.
    Api(ApiError),
    /// No client named where the viewer may ask in several.
    NoClient,
}

/// Checks the fields as `POST /requests` does — every field at once, so the form shows every
/// mistake — then submits with the page's scope.
async fn submit_request(
    page: &SignedPage,
    ip: ClientIp,
    fields: &RequestFields,
) -> Result<Request, Vec<Refusal>> {
    let title = DisplayName::parse(&fields.title).map_err(|error| error.in_field("title"));
    let body = text("body", fields.body.clone());
    let project = parse_id::<ProjectId>("project_id", chosen(&fields.project_id));
    let named = parse_id::<ClientId>("client_id", chosen(&fields.client_id));
    let (title, body, project, named) = match (title, body, project, named) {
        (Ok(title), Ok(body), Ok(project), Ok(named)) => (title, body, project, named),
        (title, body, project, named) => {
            let mut refused = Vec::new();
            refused.extend(title.err().map(|error| Refusal::Api(error.into())));
            refused.extend(body.err().map(Refusal::Api));
            refused.extend(project.err().map(Refusal::Api));
            refused.extend(named.err().map(Refusal::Api));
            return Err(refused);
        }
    };
    let client = match (named, project) {
        (Some(client), _) => client,
        // The project names its client; the store still checks that the two belong together.
        (None, Some(project)) => {
            visible_project(&page.state, &page.scope, project)
                .await
                .map_err(|error| vec![Refusal::Api(error)])?
                .client
        }
        (None, None) => only_client(page).ok_or_else(|| vec![Refusal::NoClient])?,
    };
    page.state
        .stores()
        .requests
        .submit_request(
            &page.scope,
            NewRequest {
                client,
                project,
                title,
                body,
            },
            &ip.audit(),
        )
        .await
        .map_err(|error| vec![Refusal::Api(error.into())])
}

/// A select's value, when one was chosen.
fn chosen(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|value| !value.is_empty())
}

/// The client a request names none for: the one the viewer reaches, as the API takes it, or
/// else the one the viewer may submit requests in. The store decides whether they may.
fn only_client(page: &SignedPage) -> Option<ClientId> {
    let one = |filter: ClientFilter| match filter {
        ClientFilter::Only(clients) if clients.len() == 1 => clients.first().copied(),
        _ => None,
    };
    one(page.scope.reachable_clients())
        .or_else(|| one(page.scope.clients_with(Permission::SubmitRequests)))
}

/// The form's data.
#[derive(Debug, Serialize)]
struct NewRequestView {
    title: String,
    body: String,
    title_error: Option<String>,
    body_error: Option<String>,
    project_error: Option<String>,
    client_error: Option<String>,
    /// A refusal not about one field.
    error: Option<String>,
    has_errors: bool,
    projects: Vec<Choice>,
    /// Only when the viewer may ask in several clients.
    clients: Vec<Choice>,
}

/// One option of a select.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The form with `fields` and `errors` (422 when there are any).
async fn render(
    page: &SignedPage,
    fields: RequestFields,
    errors: Vec<FormError>,
) -> Result<Response, Failure> {
    let clients = clients(page, &fields.client_id).await?;
    let projects = projects(page, &fields.project_id, clients.len() > 1).await?;
    let about = |names: &[&str]| {
        errors
            .iter()
            .find(|error| names.iter().any(|name| error.is_about(name)))
            .map(|error| error.message.clone())
    };
    let view = NewRequestView {
        title_error: about(&["title", "name"]),
        body_error: about(&["body"]),
        project_error: about(&["project_id", "project"]),
        client_error: about(&["client_id", "client"]),
        error: errors
            .iter()
            .find(|error| {
                ![
                    "title",
                    "name",
                    "body",
                    "project_id",
                    "project",
                    "client_id",
                    "client",
                ]
                .iter()
                .any(|name| error.is_about(name))
            })
            .map(|error| error.message.clone()),
        has_errors: !errors.is_empty(),
        title: fields.title,
        body: fields.body,
        projects,
        clients,
    };
    let status = if view.has_errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(page.render_status(status, "client/request-new.html", view))
}

/// The projects the viewer may see in a client where they may submit requests; each named with
/// its client when there are several.
async fn projects(
    page: &SignedPage,
    selected: &str,
    with_client: bool,
) -> Result<Vec<Choice>, Failure> {
    let projects = subjects::projects(&page.state, &page.scope).await?;
    let mut choices = Vec::with_capacity(projects.len());
    for project in projects {
        if !holds(&page.scope, project.client, Permission::SubmitRequests) {
            continue;
        }
        let label = if with_client {
            match client_name(page, project.client).await? {
                Some(client) => format!("{} · {client}", project.title),
                None => project.title,
            }
        } else {
            project.title
        };
        let value = project.id.to_string();
        choices.push(Choice {
            selected: value == selected.trim(),
            value,
            label,
        });
    }
    Ok(choices)
}

/// The clients the viewer may submit requests in, when there are several.
async fn clients(page: &SignedPage, selected: &str) -> Result<Vec<Choice>, Failure> {
    let ClientFilter::Only(clients) = page.scope.clients_with(Permission::SubmitRequests) else {
        return Ok(Vec::new());
    };
    if clients.len() < 2 {
        return Ok(Vec::new());
    }
    let mut choices = Vec::with_capacity(clients.len());
    for client in clients {
        if let Some(label) = client_name(page, client).await? {
            let value = client.to_string();
            choices.push(Choice {
                selected: value == selected.trim(),
                value,
                label,
            });
        }
    }
    Ok(choices)
}

/// The name of a client the viewer reaches.
async fn client_name(page: &SignedPage, id: ClientId) -> Result<Option<String>, Failure> {
    Ok(page
        .state
        .stores()
        .clients
        .client(&page.scope, id)
        .await?
        .map(|client| client.name.into_string()))
}

#[cfg(test)]
mod tests {
    use super::chosen;

    #[test]
    fn a_blank_choice_is_none() {
        assert_eq!(chosen(""), None);
        assert_eq!(chosen("  "), None);
        assert_eq!(chosen(" x "), Some("x"));
    }
}
