//! `admin/webhooks/{id}`: one endpoint — its edit form, a new signing secret (shown once, after
//! a recent sign-in), deleting it after a confirm step, and its delivery log, newest first, a
//! page at a time, each delivery with a way to send it again. A foreign or unknown id is the
//! branded 404, like the API's `NotFound`.

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{DeliveryStatus, WebhookDelivery, WebhookEndpoint};
use portal_core::{Permission, WebhookEndpointId};
use portal_storage::Page;
use serde::Serialize;

use super::super::super::catalogue::CatalogueError;
use super::super::super::form::FormError;
use super::super::super::format::Formatter;
use super::super::super::notifications::event_message;
use super::super::super::page::PageError;
use super::super::super::signed::{Failure, PageForm, SignedPage};
use super::super::{LIST_PAGE, NoFields, path_id, require};
use super::delivery::delivery_path;
use super::form::{self, EndpointFields, EndpointForm, Refused};
use super::{Created, PATH, endpoint_path, event_names, moment, step_up};
use crate::api::staff::webhooks::new_secret;
use crate::error::ApiError;
use crate::extract::ClientIp;

const TEMPLATE: &str = "admin/webhook.html";
const DELETE_TEMPLATE: &str = "admin/webhook_delete.html";

#[derive(Debug, Serialize)]
struct EndpointPage {
    endpoint: Summary,
    form: EndpointForm,
    created: Option<Created>,
    deliveries: Vec<DeliveryRow>,
    older: Option<String>,
}

/// What the page's heading and facts show of the endpoint, as stored.
#[derive(Debug, Serialize)]
struct Summary {
    id: String,
    url: String,
    description: String,
    events: Vec<String>,
    active: bool,
    created: String,
    updated: String,
}

fn summary(
    formatter: &Formatter<'_>,
    endpoint: &WebhookEndpoint,
) -> Result<Summary, CatalogueError> {
    Ok(Summary {
        id: endpoint.id.to_string(),
        url: endpoint.url.as_str().to_owned(),
        description: endpoint.description.clone(),
        events: event_names(formatter, endpoint)?,
        active: endpoint.active,
        created: formatter.date(endpoint.created_at.date())?,
        updated: formatter.date(endpoint.updated_at.date())?,
    })
}

/// One delivery of the log.
#[derive(Debug, Serialize)]
pub(super) struct DeliveryRow {
    pub(super) id: String,
    pub(super) href: String,
    pub(super) event: String,
    pub(super) event_type: &'static str,
    pub(super) event_id: String,
    pub(super) status_message: &'static str,
    pub(super) status_badge: &'static str,
    pub(super) attempts: i32,
    pub(super) last_status: Option<u16>,
    pub(super) last_error: Option<String>,
    pub(super) created: String,
    pub(super) delivered: Option<String>,
}

/// The catalogue id and badge class of a delivery's status.
pub(super) fn status_view(status: DeliveryStatus) -> (&'static str, &'static str) {
    match status {
        DeliveryStatus::Pending => ("admin-webhooks-status-pending", "badge--attention"),
        DeliveryStatus::Delivered => ("admin-webhooks-status-delivered", ""),
        DeliveryStatus::Dead => ("admin-webhooks-status-dead", "badge--danger"),
    }
}

/// A delivery as the log and the details page show it.
pub(super) fn delivery_row(
    formatter: &Formatter<'_>,
    base: &str,
    delivery: &WebhookDelivery,
) -> Result<DeliveryRow, CatalogueError> {
    let (status_message, status_badge) = status_view(delivery.status);
    Ok(DeliveryRow {
        id: delivery.id.to_string(),
        href: format!("{base}{}", delivery_path(delivery.id)),
        event: formatter.text(&event_message(delivery.event_type.as_str()))?,
        event_type: delivery.event_type.as_str(),
        event_id: delivery.event.to_string(),
        status_message,
        status_badge,
        attempts: delivery.attempts,
        last_status: delivery.last_status,
        last_error: delivery.last_error.clone(),
        created: moment(formatter, delivery.created_at)?,
        delivered: delivery
            .delivered_at
            .map(|at| moment(formatter, at))
            .transpose()?,
    })
}

/// The endpoint of `id` in the page's scope; a foreign or unknown one is the branded 404.
async fn load(page: &SignedPage, id: &str) -> Result<WebhookEndpoint, Failure> {
    require(page, Permission::ManageIntegrations)?;
    let id: WebhookEndpointId = path_id(id)?;
    page.state
        .stores()
        .webhooks
        .webhook(&page.scope, id)
        .await?
        .ok_or(Failure::Page(PageError::NotFound))
}

/// `GET admin/webhooks/{id}`.
pub(crate) async fn show(
    page: SignedPage,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let cursor = super::super::cursor(query.as_deref());
    let result = async {
        let endpoint = load(&page, &id).await?;
        let fields = EndpointFields::of(&endpoint);
        render(
            &page,
            StatusCode::OK,
            &endpoint,
            cursor,
            &fields,
            None,
            None,
        )
        .await
    }
    .await;
    super::super::answer(&page, result)
}

async fn render(
    page: &SignedPage,
    status: StatusCode,
    endpoint: &WebhookEndpoint,
    cursor: Option<portal_storage::Cursor>,
    fields: &EndpointFields,
    error: Option<FormError>,
    created: Option<Created>,
) -> Result<Response, Failure> {
    let formatter = page.formatter();
    let base = &page.page.base;
    let page_size = Page::first(LIST_PAGE)
        .map_err(ApiError::from)?
        .after(cursor);
    let paged = page
        .state
        .stores()
        .webhooks
        .list_deliveries(&page.scope, Some(endpoint.id), page_size)
        .await?;
    let deliveries = paged
        .items
        .iter()
        .map(|delivery| delivery_row(&formatter, base, delivery))
        .collect::<Result<_, CatalogueError>>()?;
    let path = endpoint_path(endpoint.id);
    let view = EndpointPage {
        endpoint: summary(&formatter, endpoint)?,
        form: form::view(&formatter, fields, error)?,
        created,
        deliveries,
        older: paged
            .next
            .map(|next| format!("{base}{path}?cursor={next}#log-heading")),
    };
    Ok(page.render_status(status, TEMPLATE, view))
}

/// `POST admin/webhooks/{id}`: saves the address, description, filter and activity.
pub(crate) async fn update(
    ip: ClientIp,
    Path(id): Path<String>,
    form: PageForm<EndpointFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let result = async {
        let endpoint = load(&page, &id).await?;
        let input = match form::input(&page, &fields) {
            Ok(input) => input,
            Err(Refused::Form(error)) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return render(&page, status, &endpoint, None, &fields, Some(error), None).await;
            }
            Err(Refused::Answer(answer)) => return Ok(*answer),
        };
        page.state
            .stores()
            .webhooks
            .update_webhook(&page.scope, endpoint.id, input, &ip.audit())
            .await?;
        Ok(page.redirect_with_notice(&endpoint_path(endpoint.id), "notice-admin-webhooks-saved"))
    }
    .await;
    super::super::answer(&page, result)
}

/// `POST admin/webhooks/{id}/secret`: a new signing secret, shown once; the old one stops
/// working at once.
pub(crate) async fn rotate(
    ip: ClientIp,
    Path(id): Path<String>,
    form: PageForm<NoFields>,
) -> Response {
    let page = form.page;
    let result = async {
        let endpoint = load(&page, &id).await?;
        if let Some(prompt) = step_up(&page, &endpoint_path(endpoint.id))? {
            return Ok(prompt);
        }
        let secret = new_secret()?;
        let endpoint = page
            .state
            .stores()
            .webhooks
            .rotate_webhook_secret(&page.scope, endpoint.id, secret.bytes.to_vec(), &ip.audit())
            .await?;
        let created = Created {
            url: endpoint.url.as_str().to_owned(),
            secret: secret.shown.to_string(),
        };
        let fields = EndpointFields::of(&endpoint);
        render(
            &page,
            StatusCode::OK,
            &endpoint,
            None,
            &fields,
            None,
            Some(created),
        )
        .await
    }
    .await;
    super::super::answer(&page, result)
}

#[derive(Debug, Serialize)]
struct DeletePage {
    endpoint: Summary,
}

/// `GET admin/webhooks/{id}/delete`: asks before deleting.
pub(crate) async fn confirm_delete(page: SignedPage, Path(id): Path<String>) -> Response {
    let result = async {
        let endpoint = load(&page, &id).await?;
        let formatter = page.formatter();
        let view = DeletePage {
            endpoint: summary(&formatter, &endpoint)?,
        };
        Ok(page.render(DELETE_TEMPLATE, view))
    }
    .await;
    super::super::answer(&page, result)
}

/// `POST admin/webhooks/{id}/delete`: the endpoint receives nothing more; its pending
/// deliveries die and its log stays readable.
pub(crate) async fn delete(
    ip: ClientIp,
    Path(id): Path<String>,
    form: PageForm<NoFields>,
) -> Response {
    let page = form.page;
    let result = async {
        let endpoint = load(&page, &id).await?;
        page.state
            .stores()
            .webhooks
            .delete_webhook(&page.scope, endpoint.id, &ip.audit())
            .await?;
        Ok(page.redirect_with_notice(PATH, "notice-admin-webhooks-deleted"))
    }
    .await;
    super::super::answer(&page, result)
}
