//! `admin/webhooks`: the endpoints that receive the tenant's events (`manage_integrations`),
//! through the same stores and checks as the JSON API's `/webhooks`. The list with a form for a
//! new endpoint lives here; one endpoint's page (edit, rotate, delete, its delivery log) in
//! [`endpoint`]; one delivery with its attempts and body in [`delivery`]. A signing secret is
//! shown once — in the answer to the form that made or rotated it — and never again; making
//! and rotating need a recent sign-in (SEC-20), like the API for a session.

pub(super) mod delivery;
pub(super) mod endpoint;
mod form;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use portal_auth::AuthError;
use portal_core::model::WebhookEndpoint;
use portal_core::{Permission, WebhookEndpointId};
use portal_storage::Page;
use serde::Serialize;
use time::OffsetDateTime;

use super::super::catalogue::{Arg, CatalogueError};
use super::super::form::FormError;
use super::super::format::Formatter;
use super::super::notifications::event_message;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::{LIST_PAGE, require};
use crate::api::staff::webhooks::new_secret;
use crate::error::ApiError;
use crate::extract::ClientIp;
use form::{EndpointFields, EndpointForm, Refused};

/// The list's path under the tenant's base.
const PATH: &str = "/admin/webhooks";
const TEMPLATE: &str = "admin/webhooks.html";

/// The page of one endpoint.
fn endpoint_path(id: WebhookEndpointId) -> String {
    format!("{PATH}/{id}")
}

#[derive(Debug, Serialize)]
struct ListPage {
    endpoints: Vec<EndpointRow>,
    older: Option<String>,
    form: EndpointForm,
    created: Option<Created>,
}

#[derive(Debug, Serialize)]
struct EndpointRow {
    href: String,
    url: String,
    description: String,
    /// The names of the event types it receives; empty means every type.
    events: Vec<String>,
    active: bool,
    created: String,
}

/// An endpoint just made or rotated: its signing secret, shown this once.
#[derive(Debug, Serialize)]
pub(crate) struct Created {
    url: String,
    secret: String,
}

/// `GET admin/webhooks`.
pub(crate) async fn show(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    let cursor = super::cursor(query.as_deref());
    let fields = EndpointFields::new_endpoint();
    let result = render(&page, StatusCode::OK, cursor, &fields, None, None).await;
    super::answer(&page, result)
}

async fn render(
    page: &SignedPage,
    status: StatusCode,
    cursor: Option<portal_storage::Cursor>,
    fields: &EndpointFields,
    error: Option<FormError>,
    created: Option<Created>,
) -> Result<Response, Failure> {
    require(page, Permission::ManageIntegrations)?;
    let formatter = page.formatter();
    let page_size = Page::first(LIST_PAGE)
        .map_err(ApiError::from)?
        .after(cursor);
    let paged = page
        .state
        .stores()
        .webhooks
        .list_webhooks(&page.scope, page_size)
        .await?;
    let base = &page.page.base;
    let endpoints = paged
        .items
        .iter()
        .map(|endpoint| row(&formatter, base, endpoint))
        .collect::<Result<_, CatalogueError>>()?;
    let view = ListPage {
        endpoints,
        older: paged.next.map(|next| format!("{base}{PATH}?cursor={next}")),
        form: form::view(&formatter, fields, error)?,
        created,
    };
    Ok(page.render_status(status, TEMPLATE, view))
}

fn row(
    formatter: &Formatter<'_>,
    base: &str,
    endpoint: &WebhookEndpoint,
) -> Result<EndpointRow, CatalogueError> {
    Ok(EndpointRow {
        href: format!("{base}{}", endpoint_path(endpoint.id)),
        url: endpoint.url.as_str().to_owned(),
        description: endpoint.description.clone(),
        events: event_names(formatter, endpoint)?,
        active: endpoint.active,
        created: formatter.date(endpoint.created_at.date())?,
    })
}

/// The names of the event types `endpoint` receives, in the reader's language.
fn event_names(
    formatter: &Formatter<'_>,
    endpoint: &WebhookEndpoint,
) -> Result<Vec<String>, CatalogueError> {
    endpoint
        .event_types
        .iter()
        .map(|event_type| formatter.text(&event_message(event_type.as_str())))
        .collect()
}

/// A moment to the second, in UTC: "March 12, 2026, 14:05:09 UTC".
fn moment(formatter: &Formatter<'_>, at: OffsetDateTime) -> Result<String, CatalogueError> {
    let time = format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second());
    formatter.text_with(
        "admin-webhooks-at",
        &[
            ("date", Arg::Text(formatter.date(at.date())?.into())),
            ("time", Arg::Text(time.into())),
        ],
    )
}

/// `Ok(None)` when the viewer signed in recently enough to see a new secret; else the password
/// prompt, which comes back to `next` (SEC-20).
fn step_up(page: &SignedPage, next: &str) -> Result<Option<Response>, Failure> {
    match page
        .state
        .sessions()
        .require_recent_authentication(&page.signed_in.authenticated)
    {
        Ok(()) => Ok(None),
        Err(AuthError::ReauthRequired) => Ok(Some(page.confirm_first(next))),
        Err(error) => Err(error.into()),
    }
}

/// `POST admin/webhooks`: makes an endpoint and shows its signing secret once.
pub(crate) async fn create(ip: ClientIp, form: PageForm<EndpointFields>) -> Response {
    let PageForm { page, fields } = form;
    let result = create_endpoint(&page, ip, &fields).await;
    super::answer(&page, result)
}

async fn create_endpoint(
    page: &SignedPage,
    ip: ClientIp,
    fields: &EndpointFields,
) -> Result<Response, Failure> {
    require(page, Permission::ManageIntegrations)?;
    // A stale sign-in confirms the password first, before anything is checked or made.
    if let Some(prompt) = step_up(page, PATH)? {
        return Ok(prompt);
    }
    let input = match form::input(page, fields) {
        Ok(input) => input,
        Err(Refused::Form(error)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(page, status, None, fields, Some(error), None).await;
        }
        Err(Refused::Answer(answer)) => return Ok(*answer),
    };
    let secret = new_secret()?;
    let endpoint = page
        .state
        .stores()
        .webhooks
        .create_webhook(&page.scope, input, secret.bytes.to_vec(), &ip.audit())
        .await?;
    let created = Created {
        url: endpoint.url.as_str().to_owned(),
        secret: secret.shown.to_string(),
    };
    let empty = EndpointFields::new_endpoint();
    render(page, StatusCode::CREATED, None, &empty, None, Some(created)).await
}
