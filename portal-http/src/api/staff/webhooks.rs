//! `/webhooks` and `/webhook-deliveries`: endpoints that receive the tenant's events, signed
//! with a secret shown once, and the log of what was delivered (`manage_integrations`, which
//! the stores check with the caller's scope).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_core::model::{
    DeliveryAttempt, DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint,
    WebhookEndpointInput,
};
use portal_core::{OutboxEventId, WebhookDeliveryId, WebhookEndpointId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use zeroize::Zeroizing;

use super::{StaffCaller, require_step_up};
use crate::api::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientIp};
use crate::state::PortalState;

/// How many random bytes a signing secret holds (256 bits).
pub const SECRET_BYTES: usize = 32;

/// The prefix of a signing secret as shown: `whsec_<base64url>`.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: its raw bytes (stored) and the `whsec_…` text shown once.
pub(crate) struct NewSecret {
    /// The bytes the store keeps and the dispatcher signs with.
    pub(crate) bytes: Zeroizing<Vec<u8>>,
    /// `whsec_<base64url>`, for the one answer that shows it.
    pub(crate) shown: Zeroizing<String>,
}

/// Draws a signing secret from the operating system's random number generator.
pub(crate) fn new_secret() -> Result<NewSecret, ApiError> {
    let bytes = Zeroizing::new(
        portal_auth::token::random_bytes::<SECRET_BYTES>()
            .map_err(ApiError::internal)?
            .to_vec(),
    );
    let shown = Zeroizing::new(format!(
        "{SECRET_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(bytes.as_slice())
    ));
    Ok(NewSecret { bytes, shown })
}

/// An endpoint as the API shows it (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: WebhookEndpointId,
    /// Where events are posted.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types posted; empty means every type.
    #[schema(value_type = Vec<String>)]
    pub event_types: Vec<EventType>,
    /// Whether events are posted.
    pub active: bool,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<WebhookEndpoint> for WebhookView {
    fn from(endpoint: WebhookEndpoint) -> Self {
        Self {
            id: endpoint.id,
            url: endpoint.url.into(),
            description: endpoint.description,
            event_types: endpoint.event_types,
            active: endpoint.active,
            created_at: endpoint.created_at,
            updated_at: endpoint.updated_at,
        }
    }
}

/// An endpoint with its signing secret — shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    /// The endpoint.
    pub webhook: WebhookView,
    /// `whsec_<base64url>`: the key of the `HMAC-SHA256` signature; it cannot be shown again.
    pub secret: String,
}

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookBody {
    /// Where to post: `https://…` (or `http://` where the host allows it).
    pub url: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Event type names; empty or absent means every type.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Whether to post at once (default `true`).
    #[serde(default = "yes")]
    pub active: bool,
}

/// Changes to an endpoint; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChanges {
    /// Where to post.
    pub url: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Event type names; empty means every type.
    pub event_types: Option<Vec<String>>,
    /// Whether to post.
    pub active: Option<bool>,
}

const fn yes() -> bool {
    true
}

/// One delivery as the log shows it (without the body).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: WebhookDeliveryId,
    /// The endpoint.
    #[schema(value_type = String, format = Uuid)]
    pub webhook_id: WebhookEndpointId,
    /// The event, also the idempotency key receivers see.
    #[schema(value_type = String, format = Uuid)]
    pub event_id: OutboxEventId,
    /// What happened.
    #[schema(value_type = String)]
    pub event_type: EventType,
    /// `pending`, `delivered` or `dead`.
    #[schema(value_type = String)]
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: i32,
    /// The last answer's status code.
    pub last_status: Option<u16>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was queued.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the next attempt may run.
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    /// When the receiver accepted it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

impl From<WebhookDelivery> for DeliveryView {
    fn from(delivery: WebhookDelivery) -> Self {
        Self {
            id: delivery.id,
            webhook_id: delivery.endpoint,
            event_id: delivery.event,
            event_type: delivery.event_type,
            status: delivery.status,
            attempts: delivery.attempts,
            last_status: delivery.last_status,
            last_error: delivery.last_error,
            created_at: delivery.created_at,
            next_attempt_at: delivery.next_attempt_at,
            delivered_at: delivery.delivered_at,
        }
    }
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// 1 for the first attempt.
    pub number: i32,
    /// When it ran.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The receiver's status code, if it answered.
    pub status: Option<u16>,
    /// Why it failed.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: u32,
}

impl From<DeliveryAttempt> for AttemptView {
    fn from(attempt: DeliveryAttempt) -> Self {
        Self {
            number: attempt.number,
            at: attempt.at,
            status: attempt.status,
            error: attempt.error,
            duration_ms: attempt.duration_ms,
        }
    }
}

/// A delivery with its body and attempts, oldest attempt first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    /// The delivery.
    pub delivery: DeliveryView,
    /// The JSON body every attempt posts.
    pub body: String,
    /// The attempts.
    pub attempts: Vec<AttemptView>,
}

/// An endpoint input from request fields, checked: the address (`https`, or `http` where
/// `allow_http`), the description, the event types. Each refusal names its field.
pub(crate) fn endpoint_input(
    allow_http: bool,
    url: &str,
    description: String,
    event_types: &[String],
    active: bool,
) -> Result<WebhookEndpointInput, ApiError> {
    let url = url::Url::parse(url.trim())
        .map_err(|_| ApiError::invalid("url", "invalid url: expected an https:// address"))?;
    if url.scheme() == "http" && !allow_http {
        return Err(ApiError::invalid(
            "url",
            "invalid url: this portal posts only to https:// addresses",
        ));
    }
    let event_types = event_types
        .iter()
        .map(|name| {
            name.parse::<EventType>().map_err(|_| {
                ApiError::invalid(
                    "event_types",
                    format!("invalid event_types: unknown event type `{name}`"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WebhookEndpointInput {
        url,
        description,
        event_types,
        active,
    }
    .validated()?)
}

/// The tenant's webhook endpoints, oldest first.
#[utoipa::path(get, path = "/webhooks", tag = "staff", params(PageQuery),
    responses(
        (status = 200, body = PageOf<WebhookView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `manage_integrations`", body = ErrorBody),
    ))]
pub async fn list_webhooks(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<WebhookView>>, ApiError> {
    let paged = state
        .stores()
        .webhooks
        .list_webhooks(&caller.scope, query.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, WebhookView::from)))
}

/// Adds an endpoint (a recent login for a session caller). The answer holds its signing secret
/// once.
#[utoipa::path(post, path = "/webhooks", tag = "staff", request_body = NewWebhookBody,
    responses(
        (status = 201, body = WebhookWithSecret),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff with `manage_integrations`, or `reauth_required`", body = ErrorBody),
        (status = 422, description = "A bad `url`, `description` or `event_types`", body = ErrorBody),
    ))]
pub async fn create_webhook(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewWebhookBody>,
) -> Result<(StatusCode, Json<WebhookWithSecret>), ApiError> {
    require_step_up(&state, &caller)?;
    let input = endpoint_input(
        state.config().allow_http_webhooks,
        &body.url,
        body.description,
        &body.event_types,
        body.active,
    )?;
    let secret = new_secret()?;
    let endpoint = state
        .stores()
        .webhooks
        .create_webhook(&caller.scope, input, secret.bytes.to_vec(), &ip.audit())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(WebhookWithSecret {
            webhook: endpoint.into(),
            secret: secret.shown.to_string(),
        }),
    ))
}

/// One endpoint.
#[utoipa::path(get, path = "/webhooks/{webhook_id}", tag = "staff",
    params(("webhook_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = WebhookView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn get_webhook(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiPath(id): ApiPath<WebhookEndpointId>,
) -> Result<Json<WebhookView>, ApiError> {
    let endpoint = state
        .stores()
        .webhooks
        .webhook(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(endpoint.into()))
}

/// Changes an endpoint's address, description, filter or activity.
#[utoipa::path(patch, path = "/webhooks/{webhook_id}", tag = "staff",
    params(("webhook_id" = String, Path, format = Uuid)),
    request_body = WebhookChanges,
    responses(
        (status = 200, body = WebhookView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "A bad `url`, `description` or `event_types`", body = ErrorBody),
    ))]
pub async fn update_webhook(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<WebhookEndpointId>,
    ApiJson(changes): ApiJson<WebhookChanges>,
) -> Result<Json<WebhookView>, ApiError> {
    let webhooks = &state.stores().webhooks;
    let current = webhooks
        .webhook(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let event_types = changes.event_types.unwrap_or_else(|| {
        current
            .event_types
            .iter()
            .map(|event_type| event_type.as_str().to_owned())
            .collect()
    });
    let input = endpoint_input(
        state.config().allow_http_webhooks,
        changes.url.as_deref().unwrap_or(current.url.as_str()),
        changes.description.unwrap_or(current.description),
        &event_types,
        changes.active.unwrap_or(current.active),
    )?;
    let endpoint = webhooks
        .update_webhook(&caller.scope, id, input, &ip.audit())
        .await?;
    Ok(Json(endpoint.into()))
}

/// Deletes an endpoint: its pending deliveries die, its log stays readable.
#[utoipa::path(delete, path = "/webhooks/{webhook_id}", tag = "staff",
    params(("webhook_id" = String, Path, format = Uuid)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn delete_webhook(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<WebhookEndpointId>,
) -> Result<StatusCode, ApiError> {
    state
        .stores()
        .webhooks
        .delete_webhook(&caller.scope, id, &ip.audit())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces an endpoint's signing secret (a recent login for a session caller); the answer
/// holds the new secret once, and attempts from now on sign with it.
#[utoipa::path(post, path = "/webhooks/{webhook_id}/secret", tag = "staff",
    params(("webhook_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = WebhookWithSecret),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without `manage_integrations`, or `reauth_required`", body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn rotate_webhook_secret(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<WebhookEndpointId>,
) -> Result<Json<WebhookWithSecret>, ApiError> {
    require_step_up(&state, &caller)?;
    let secret = new_secret()?;
    let endpoint = state
        .stores()
        .webhooks
        .rotate_webhook_secret(&caller.scope, id, secret.bytes.to_vec(), &ip.audit())
        .await?;
    Ok(Json(WebhookWithSecret {
        webhook: endpoint.into(),
        secret: secret.shown.to_string(),
    }))
}

/// One endpoint's deliveries, newest first.
#[utoipa::path(get, path = "/webhooks/{webhook_id}/deliveries", tag = "staff",
    params(("webhook_id" = String, Path, format = Uuid), PageQuery),
    responses(
        (status = 200, body = PageOf<DeliveryView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn list_deliveries(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiPath(id): ApiPath<WebhookEndpointId>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<DeliveryView>>, ApiError> {
    let webhooks = &state.stores().webhooks;
    // A foreign or unknown endpoint is a 404, not an empty log (SEC-26).
    webhooks
        .webhook(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let paged = webhooks
        .list_deliveries(&caller.scope, Some(id), query.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, DeliveryView::from)))
}

/// One delivery with its body and attempts.
#[utoipa::path(get, path = "/webhook-deliveries/{delivery_id}", tag = "staff",
    params(("delivery_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = DeliveryDetail),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn get_delivery(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiPath(id): ApiPath<WebhookDeliveryId>,
) -> Result<Json<DeliveryDetail>, ApiError> {
    let (delivery, attempts) = state
        .stores()
        .webhooks
        .delivery(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let body = delivery.body.clone();
    Ok(Json(DeliveryDetail {
        delivery: delivery.into(),
        body,
        attempts: attempts.into_iter().map(AttemptView::from).collect(),
    }))
}

/// Queues a delivery again, due now: the receiver gets the same body and event id.
#[utoipa::path(post, path = "/webhook-deliveries/{delivery_id}/redeliver", tag = "staff",
    params(("delivery_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = DeliveryView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The endpoint was deleted", body = ErrorBody),
    ))]
pub async fn redeliver(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<WebhookDeliveryId>,
) -> Result<Json<DeliveryView>, ApiError> {
    let delivery = state
        .stores()
        .webhooks
        .redeliver(&caller.scope, id, &ip.audit())
        .await?;
    Ok(Json(delivery.into()))
}
