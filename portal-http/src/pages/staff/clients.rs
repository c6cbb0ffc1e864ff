//! `staff/clients`: the clients the viewer reaches (archived ones marked), and a new client
//! (`manage_clients`) — through the same store calls as `GET` and `POST /clients`.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::Permission;
use portal_core::model::ClientInput;
use serde::{Deserialize, Serialize};

use super::super::signed::{Failure, PageForm, SignedPage};
use super::shared::{Alert, CLIENTS, Form, created_or_again, opens, page_after, query};
use crate::api::staff::{display_name, non_blank};
use crate::error::ApiError;
use crate::extract::ClientIp;

/// The fields of the client form (new and edit).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(super) struct ClientFields {
    /// The client's name.
    #[serde(default)]
    pub(super) name: String,
    /// The id in the system that feeds the portal; blank for none.
    #[serde(default)]
    pub(super) external_id: String,
}

/// The fields a client form's error may name.
pub(super) const CLIENT_FIELDS: &[&str] = &["name", "external_id"];

impl ClientFields {
    /// The client these fields describe.
    pub(super) fn input(&self) -> Result<ClientInput, ApiError> {
        Ok(ClientInput {
            name: display_name("name", &self.name)?,
            external_id: non_blank(Some(self.external_id.clone())),
            branding: None,
        })
    }
}

/// The list's query: where the page starts.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    cursor: Option<String>,
}

/// `GET staff/clients`.
pub(crate) async fn list(page: SignedPage, RawQuery(raw): RawQuery) -> Response {
    match show(&page, raw.as_deref(), None, StatusCode::OK).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// `POST staff/clients`: creates a client and goes to its page.
pub(crate) async fn create(ip: ClientIp, form: PageForm<ClientFields>) -> Response {
    let PageForm { page, fields } = form;
    if let Err(error) = opens(&page, CLIENTS) {
        return page.fail(error);
    }
    let created = async {
        let input = fields.input()?;
        Ok::<_, ApiError>(
            page.state
                .stores()
                .clients
                .create_client(&page.scope, input, &ip.audit())
                .await?,
        )
    }
    .await;
    let path = created.map(|client| format!("/staff/clients/{}", client.id));
    let form = ("client-new", fields, CLIENT_FIELDS);
    created_or_again(
        &page,
        path,
        "notice-staff-client-created",
        form,
        |form, status| show(&page, None, Some(form), status),
    )
    .await
}

/// The list's data.
#[derive(Debug, Serialize)]
struct ClientsView {
    alert: Option<Alert>,
    clients: Vec<ClientItem>,
    next: Option<String>,
    create: Option<Form<ClientFields>>,
    people_href: Option<String>,
}

/// One client of the list.
#[derive(Debug, Serialize)]
struct ClientItem {
    name: String,
    href: String,
    external_id: Option<String>,
    archived: bool,
    projects_href: String,
}

/// The list (at the query's page) with the new-client form, shown again when `failed`.
async fn show(
    page: &SignedPage,
    raw_query: Option<&str>,
    failed: Option<Form<ClientFields>>,
    status: StatusCode,
) -> Result<Response, Failure> {
    opens(page, CLIENTS)?;
    let query: ListQuery = query(raw_query)?;
    let at = page_after(query.cursor.as_deref())?;
    let paged = page
        .state
        .stores()
        .clients
        .list_clients(&page.scope, at)
        .await?;
    let base = &page.page.base;
    let clients = paged
        .items
        .into_iter()
        .map(|client| ClientItem {
            href: format!("{base}/staff/clients/{}", client.id),
            projects_href: format!("{base}/staff/projects?client={}", client.id),
            name: client.name.into_string(),
            external_id: client.external_id,
            archived: client.archived,
        })
        .collect();
    let tenant_wide = page.scope.permissions_in(None);
    let create = tenant_wide
        .contains(Permission::ManageClients)
        .then(|| failed.unwrap_or_else(|| Form::new("client-new", ClientFields::default())));
    let view = ClientsView {
        alert: create.as_ref().and_then(Form::alert),
        clients,
        next: paged
            .next
            .map(|cursor| format!("{base}/staff/clients?cursor={cursor}")),
        create,
        people_href: tenant_wide
            .contains(Permission::ManageStaff)
            .then(|| format!("{base}/staff/people")),
    };
    Ok(page.render_status(status, "staff/clients.html", view))
}
