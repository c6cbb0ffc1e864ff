//! `/api-keys`: keys for integrations. A key acts for the member of staff who made it, never
//! with more than the permissions given to it; its secret is shown once.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::model::ApiKey;
use portal_core::{ApiKeyId, PermissionSet, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::roles::permission_set;
use super::{StaffCaller, display_name};
use crate::api::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientIp};
use crate::state::PortalState;

/// An API key (without its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// The key's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ApiKeyId,
    /// What the team calls it.
    pub name: String,
    /// The visible prefix, to recognise the key (`ptk_<prefix>_…`).
    pub prefix: String,
    /// What it may do: permission names.
    #[schema(value_type = Vec<String>)]
    pub permissions: PermissionSet,
    /// Who made it; the key acts for them.
    #[schema(value_type = String, format = Uuid)]
    pub created_by: UserId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last used (to the minute).
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id,
            name: key.name.into_string(),
            prefix: key.prefix,
            permissions: key.permissions,
            created_by: key.created_by,
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            revoked_at: key.revoked_at,
        }
    }
}

/// A key just made, with the whole key — shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiKeyView {
    /// The key.
    pub key: ApiKeyView,
    /// The whole key for `Authorization: Bearer …`; it cannot be shown again.
    pub secret: String,
}

/// A new API key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKeyBody {
    /// What the team calls it.
    pub name: String,
    /// Permission names: staff permissions the caller holds.
    pub permissions: Vec<String>,
}

/// The tenant's API keys, newest first, revoked ones included (`manage_api_keys`).
#[utoipa::path(get, path = "/api-keys", tag = "staff", params(PageQuery),
    responses(
        (status = 200, body = PageOf<ApiKeyView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `manage_api_keys`", body = ErrorBody),
    ))]
pub async fn list_api_keys(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<ApiKeyView>>, ApiError> {
    let paged = state
        .stores()
        .api_keys
        .list_api_keys(&caller.scope, query.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, ApiKeyView::from)))
}

/// Makes an API key for the signed-in member of staff (`manage_api_keys`; a session with a
/// recent login, SEC-20 — a key cannot make keys). The answer holds the secret once.
#[utoipa::path(post, path = "/api-keys", tag = "staff", request_body = NewApiKeyBody,
    responses(
        (status = 201, body = NewApiKeyView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a signed-in member of staff with `manage_api_keys`, or `reauth_required`", body = ErrorBody),
        (status = 422, description = "Unknown permission, or one the caller lacks", body = ErrorBody),
    ))]
pub async fn create_api_key(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewApiKeyBody>,
) -> Result<(StatusCode, Json<NewApiKeyView>), ApiError> {
    let session = caller.require_session()?;
    let name = display_name("name", &body.name)?;
    let permissions = permission_set(&body.permissions)?;
    let issued = state
        .api_keys()
        .create(session, name, permissions, &ip.audit())
        .await?;
    let secret = issued.expose_secret().to_owned();
    Ok((
        StatusCode::CREATED,
        Json(NewApiKeyView {
            key: issued.key.into(),
            secret,
        }),
    ))
}

/// Revokes an API key (`manage_api_keys`): it stops working at once.
#[utoipa::path(post, path = "/api-keys/{key_id}/revoke", tag = "staff",
    params(("key_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ApiKeyView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn revoke_api_key(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ApiKeyId>,
) -> Result<Json<ApiKeyView>, ApiError> {
    let key = state
        .api_keys()
        .revoke(&caller.scope, id, &ip.audit())
        .await?;
    Ok(Json(key.into()))
}
