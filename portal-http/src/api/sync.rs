//! `/sync/batch`: the sync API that feeds the portal from the systems the team already uses (CRM,
//! project tool, billing). A batch upserts clients, projects, milestones, deliverables and
//! invoices by their external ids, in order, and answers one result per item: one item failing
//! does not stop the others.
//!
//! Every batch carries an `Idempotency-Key`. The first request under a key runs; a retry of the
//! same request (same caller, same body) gets the first response again, byte for byte, with
//! `Idempotent-Replayed: true`; the same key with another request is refused with 422, and while
//! the first is still running with 409. Keys live 24 hours.
//!
//! The items and how each is applied live in `portal_sync` (shared with pull connectors); this
//! route adds the key, the caller's scope and the per-item results.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_core::TenantScope;
use portal_core::state::Sha256Digest;
use portal_storage::{IdempotencyBegin, IdempotencyStore, idempotency_request_hash};
use portal_sync::{Batch, SyncError, SyncItem};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::extract::{ApiJson, Caller, CallerVia, ClientIp};
use crate::state::PortalState;

/// The most items in one batch.
pub const MAX_ITEMS: usize = portal_sync::MAX_BATCH_ITEMS;
/// How long a key holds its response for retries.
pub const IDEMPOTENCY_TTL: Duration = Duration::hours(24);
/// The request header naming the key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// The response header marking a replay.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// What this route is, in the request hash: a key used on another route is another request.
const ROUTE: &[u8] = b"POST /sync/batch";

/// A batch of objects to create or update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncBatchBody {
    /// 1 to 1,000 items, applied in order: an item may name a parent created earlier in the batch.
    // Read as raw JSON, so one malformed item fails alone instead of the whole batch.
    #[schema(value_type = Vec<SyncItem>)]
    pub items: Vec<serde_json::Value>,
}

/// The results of a batch, one per item, in the items' order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncBatchResponse {
    /// One result per item.
    pub results: Vec<SyncItemResult>,
}

/// What became of one item.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// A new object.
    Created,
    /// An object found by its external id, now holding the item's fields (possibly unchanged).
    Updated,
    /// Refused; `error` says why. Nothing of the item was stored.
    Failed,
}

/// The result of one item.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncItemResult {
    /// The item's place in the batch, from 0.
    pub index: usize,
    /// The item's `kind`, when it had a readable one.
    pub kind: Option<String>,
    /// The item's `external_id`, when it had a readable one.
    pub external_id: Option<String>,
    /// What became of it.
    pub status: SyncStatus,
    /// The object's portal id (created or updated).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub id: Option<Uuid>,
    /// Why it failed: the code, message and fields an API error would carry (`not_found` for an
    /// object of another tenant or client, exactly as for a missing one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

/// Creates or updates clients, projects, milestones, deliverables and invoices by external id,
/// idempotently. For integrations with an API key (`Authorization: Bearer ptk_…`); members of
/// staff signed in otherwise may call it too, and client contacts may not. Each item needs its
/// own permission (`manage_clients`, `manage_projects`, …): an item the caller may not write
/// fails alone as `forbidden`, or `not_found` for a parent out of reach.
#[utoipa::path(post, path = "/sync/batch", tag = "sync", request_body = SyncBatchBody,
    params(("Idempotency-Key" = String, Header,
        description = "Required. 1 to 255 printable ASCII characters, unique per request (a UUID); \
                       a retry sends the same key and body.")),
    responses(
        (status = 200, description = "One result per item. A replay has `Idempotent-Replayed: true`.",
            body = SyncBatchResponse,
            headers(("Idempotent-Replayed" = String, description = "`true` on a replayed response"))),
        (status = 400, description = "No `Idempotency-Key`, or a body that is not JSON", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "A client contact", body = ErrorBody),
        (status = 409, description = "A request with this key is still running", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "No items or too many, a malformed key, or the key was used for another request", body = ErrorBody),
    ))]
pub async fn sync_batch(
    State(state): State<PortalState>,
    caller: Caller,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    if !caller.scope.is_staff_side() {
        return Err(ApiError::Forbidden);
    }
    let key = idempotency_key(&headers)?;
    let hash = batch_request_hash(&principal(&caller), &body);
    let batch: SyncBatchBody = serde_json::from_value(body).map_err(|error| ApiError::Invalid {
        message: error.to_string(),
        fields: Vec::new(),
        reason: None,
    })?;
    if batch.items.is_empty() || batch.items.len() > MAX_ITEMS {
        return Err(ApiError::invalid(
            "items",
            format!("a batch holds 1 to {MAX_ITEMS} items"),
        ));
    }

    let store = state.stores().idempotency.clone();
    let now = OffsetDateTime::now_utc();
    match store
        .begin_idempotent(&caller.scope, &key, &hash, now, IDEMPOTENCY_TTL)
        .await?
    {
        IdempotencyBegin::Started => {}
        IdempotencyBegin::Completed { status, body } => return Ok(replay(status, body)),
        IdempotencyBegin::InProgress => {
            return Err(ApiError::Conflict(
                "a request with this idempotency key is still running".to_owned(),
            ));
        }
        IdempotencyBegin::Mismatch => {
            return Err(ApiError::invalid(
                "idempotency_key",
                "this idempotency key was used for a different request",
            ));
        }
    }

    let claim = Claim::new(store, caller.scope.clone(), key);
    let results = match run(&state, &caller.scope, ip, batch.items).await {
        Ok(results) => results,
        Err(error) => {
            // A server fault: free the key so that the retry runs (the upserts are idempotent).
            claim.abandon().await;
            return Err(error);
        }
    };
    let bytes = match serde_json::to_vec(&SyncBatchResponse { results }) {
        Ok(bytes) => bytes,
        Err(error) => {
            claim.abandon().await;
            return Err(ApiError::internal(error));
        }
    };
    claim.complete(StatusCode::OK, bytes.clone()).await?;
    Ok(json_response(StatusCode::OK, bytes))
}

/// Applies the items in order. An item's own failure is its result; a server fault stops the
/// batch, since its outcome would not be the caller's to keep.
async fn run(
    state: &PortalState,
    scope: &TenantScope,
    ip: ClientIp,
    items: Vec<serde_json::Value>,
) -> Result<Vec<SyncItemResult>, ApiError> {
    let mut batch = Batch::new(state.stores(), scope, ip.audit());
    let mut results = Vec::with_capacity(items.len());
    for (index, value) in items.into_iter().enumerate() {
        let text = |field: &str| value.get(field).and_then(|v| v.as_str()).map(str::to_owned);
        let mut result = SyncItemResult {
            index,
            kind: text("kind"),
            external_id: text("external_id"),
            status: SyncStatus::Failed,
            id: None,
            error: None,
        };
        let outcome = match SyncItem::parse(value) {
            Ok(item) => batch.apply(item).await,
            Err(error) => Err(error),
        }
        .map_err(ApiError::from);
        match outcome {
            Ok(applied) => {
                result.status = if applied.created {
                    SyncStatus::Created
                } else {
                    SyncStatus::Updated
                };
                result.id = Some(applied.id);
            }
            Err(error @ ApiError::Internal(_)) => return Err(error),
            Err(error) => result.error = Some(detail(&error)),
        }
        results.push(result);
    }
    Ok(results)
}

impl From<SyncError> for ApiError {
    /// An item's error as the API answers it: a wrong value is 422 naming its fields, a store's
    /// refusal maps as any store error does, a storage fault is a server fault.
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Malformed { message } => Self::Invalid {
                message,
                fields: Vec::new(),
                reason: None,
            },
            SyncError::Invalid { message, fields } => Self::Invalid {
                message,
                fields,
                reason: None,
            },
            SyncError::Domain(error) => error.into(),
            SyncError::Forbidden => Self::Forbidden,
            SyncError::Store(error) => error.into(),
            other => Self::internal(other),
        }
    }
}

/// An error as an item's result carries it: what its response body would say.
fn detail(error: &ApiError) -> ErrorDetail {
    ErrorDetail {
        code: error.code(),
        message: error.to_string(),
        fields: match error {
            ApiError::Invalid { fields, .. } => fields.clone(),
            _ => Vec::new(),
        },
    }
}

/// The request's idempotency key: 400 without one, 422 naming `idempotency_key` when it is not
/// 1 to 255 printable ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers
        .get(&IDEMPOTENCY_KEY)
        .ok_or_else(|| ApiError::BadRequest("the Idempotency-Key header is required".to_owned()))?;
    let key = value
        .to_str()
        .map_err(|_| ApiError::invalid("idempotency_key", "must be printable ASCII"))?
        .trim();
    portal_storage::check_idempotency_key(key)?;
    Ok(key.to_owned())
}

/// The digest a batch is known by under its idempotency key: the route, the caller
/// (`api_key:<key id>`, or `user:<user id>` for a session or the host's login) and the body as
/// canonical JSON.
pub fn batch_request_hash(principal: &str, body: &serde_json::Value) -> Sha256Digest {
    idempotency_request_hash([ROUTE, principal.as_bytes(), canonical_json(body).as_bytes()])
}

/// Who is calling, in the request hash: a key reused by another caller of the tenant is another
/// request, so nobody is ever handed someone else's response.
fn principal(caller: &Caller) -> String {
    match &caller.via {
        CallerVia::ApiKey(key) => format!("api_key:{}", key.id),
        CallerVia::Session(session) => format!("user:{}", session.session.user),
        CallerVia::Host(user) => format!("user:{user}"),
    }
}

/// The body as canonical JSON — object keys sorted, no white space — so that a retry serialised
/// differently is still the same request.
fn canonical_json(value: &serde_json::Value) -> String {
    fn write(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by_key(|(key, _)| *key);
                out.push('{');
                for (n, (key, value)) in entries.into_iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(key.clone()).to_string());
                    out.push(':');
                    write(value, out);
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// A JSON response from bytes already serialised.
fn json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = (status, Body::from(bytes)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The stored response of an earlier run of the same request.
fn replay(status: u16, bytes: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = json_response(status, bytes);
    response
        .headers_mut()
        .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    response
}

/// A key this request owns. Completing or abandoning it ends the claim; a claim dropped
/// otherwise — the request cut off by its time limit or a closed connection — is abandoned in
/// the background, so the key does not stay "in progress" for its whole lifetime.
struct Claim {
    store: Arc<dyn IdempotencyStore>,
    scope: TenantScope,
    key: String,
    settled: bool,
}

impl Claim {
    const fn new(store: Arc<dyn IdempotencyStore>, scope: TenantScope, key: String) -> Self {
        Self {
            store,
            scope,
            key,
            settled: false,
        }
    }

    /// Stores the response for replays. On failure the claim is abandoned when dropped.
    async fn complete(mut self, status: StatusCode, bytes: Vec<u8>) -> Result<(), ApiError> {
        self.store
            .complete_idempotent(&self.scope, &self.key, status.as_u16(), bytes)
            .await?;
        self.settled = true;
        Ok(())
    }

    /// Frees the key for a retry.
    async fn abandon(mut self) {
        self.settled = true;
        if let Err(error) = self.store.abandon_idempotent(&self.scope, &self.key).await {
            tracing::error!(%error, "abandoning an idempotency key failed");
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (store, scope, key) = (
            self.store.clone(),
            self.scope.clone(),
            std::mem::take(&mut self.key),
        );
        runtime.spawn(async move {
            if let Err(error) = store.abandon_idempotent(&scope, &key).await {
                tracing::error!(%error, "abandoning an idempotency key failed");
            }
        });
    }
}
