//! `admin/webhook-deliveries/{id}`: one delivery — its event, status, the body every attempt
//! posts, and each attempt with the receiver's answer — and sending it again. A delivery stays
//! readable after its endpoint is deleted (as in the API); only sending it again needs the
//! endpoint. A foreign or unknown id is the branded 404.

use axum::extract::Path;
use axum::response::Response;
use portal_core::model::DeliveryAttempt;
use portal_core::{Permission, WebhookDeliveryId};
use serde::{Deserialize, Serialize};

use super::super::super::catalogue::CatalogueError;
use super::super::super::format::Formatter;
use super::super::super::page::PageError;
use super::super::super::signed::{Failure, PageForm, SignedPage};
use super::super::{path_id, require};
use super::endpoint::{DeliveryRow, delivery_row};
use super::{endpoint_path, moment};
use crate::extract::ClientIp;

const TEMPLATE: &str = "admin/webhook_delivery.html";

/// The page of one delivery, under the tenant's base.
pub(super) fn delivery_path(id: WebhookDeliveryId) -> String {
    format!("/admin/webhook-deliveries/{id}")
}

#[derive(Debug, Serialize)]
struct DeliveryPage {
    delivery: DeliveryRow,
    /// The endpoint's page and address, while the endpoint exists.
    endpoint: Option<EndpointLink>,
    next_attempt: Option<String>,
    body: String,
    attempts: Vec<AttemptRow>,
}

#[derive(Debug, Serialize)]
struct EndpointLink {
    href: String,
    url: String,
}

#[derive(Debug, Serialize)]
struct AttemptRow {
    number: i32,
    at: String,
    status: Option<u16>,
    error: Option<String>,
    duration_ms: u32,
}

fn attempt_row(
    formatter: &Formatter<'_>,
    attempt: DeliveryAttempt,
) -> Result<AttemptRow, CatalogueError> {
    Ok(AttemptRow {
        number: attempt.number,
        at: moment(formatter, attempt.at)?,
        status: attempt.status,
        error: attempt.error,
        duration_ms: attempt.duration_ms,
    })
}

/// `GET admin/webhook-deliveries/{delivery_id}`.
pub(crate) async fn show(page: SignedPage, Path(id): Path<String>) -> Response {
    let result = render(&page, &id).await;
    super::super::answer(&page, result)
}

async fn render(page: &SignedPage, id: &str) -> Result<Response, Failure> {
    require(page, Permission::ManageIntegrations)?;
    let id: WebhookDeliveryId = path_id(id)?;
    let webhooks = &page.state.stores().webhooks;
    let (delivery, attempts) = webhooks
        .delivery(&page.scope, id)
        .await?
        .ok_or(Failure::Page(PageError::NotFound))?;
    let endpoint = webhooks
        .webhook(&page.scope, delivery.endpoint)
        .await?
        .map(|endpoint| EndpointLink {
            href: format!("{}{}", page.page.base, endpoint_path(endpoint.id)),
            url: endpoint.url.as_str().to_owned(),
        });
    let formatter = page.formatter();
    let pending = delivery.status == portal_core::model::DeliveryStatus::Pending;
    let view = DeliveryPage {
        delivery: delivery_row(&formatter, &page.page.base, &delivery)?,
        endpoint,
        next_attempt: pending
            .then(|| moment(&formatter, delivery.next_attempt_at))
            .transpose()?,
        body: delivery.body,
        attempts: attempts
            .into_iter()
            .map(|attempt| attempt_row(&formatter, attempt))
            .collect::<Result<_, CatalogueError>>()?,
    };
    Ok(page.render(TEMPLATE, view))
}

/// The redeliver form: where to go back to, `details` or the endpoint's log (anything else).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RedeliverFields {
    back: String,
}

/// `POST admin/webhook-deliveries/{delivery_id}/redeliver`: queues the delivery again, due now,
/// with the same body and event id.
pub(crate) async fn redeliver(
    ip: ClientIp,
    Path(id): Path<String>,
    form: PageForm<RedeliverFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let result = async {
        require(&page, Permission::ManageIntegrations)?;
        let id: WebhookDeliveryId = path_id(&id)?;
        let delivery = page
            .state
            .stores()
            .webhooks
            .redeliver(&page.scope, id, &ip.audit())
            .await?;
        let back = if fields.back == "details" {
            delivery_path(delivery.id)
        } else {
            endpoint_path(delivery.endpoint)
        };
        Ok(page.redirect_with_notice(&back, "notice-admin-webhooks-redelivered"))
    }
    .await;
    super::super::answer(&page, result)
}
