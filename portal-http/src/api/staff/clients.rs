//! `/clients`: the organisations the tenant serves — list, create, read, edit, archive.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::ClientId;
use portal_core::model::{Client, ClientInput};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::branding::BrandingView;
use super::{StaffCaller, display_name, non_blank, nullable, patched};
use crate::api::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientIp};
use crate::state::PortalState;

/// A client as the team sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientView {
    /// The client's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ClientId,
    /// Its name.
    pub name: String,
    /// The id in the system that feeds the portal, if any.
    pub external_id: Option<String>,
    /// Whether the engagement has ended (its contacts have no access).
    pub archived: bool,
    /// The client's own look, overriding the tenant's; `null` for the tenant's.
    pub branding: Option<BrandingView>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Client> for ClientView {
    fn from(client: Client) -> Self {
        Self {
            id: client.id,
            name: client.name.into_string(),
            external_id: client.external_id,
            archived: client.archived,
            branding: client.branding.as_ref().map(BrandingView::from),
            created_at: client.created_at,
        }
    }
}

/// A new client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientBody {
    /// Its name.
    pub name: String,
    /// The id in the feeding system (CRM, billing), for idempotent sync.
    pub external_id: Option<String>,
}

/// Changes to a client; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    /// A new name.
    pub name: Option<String>,
    /// A new feeding-system id, or `null` to clear it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

/// The tenant's clients the caller reaches.
#[utoipa::path(get, path = "/clients", tag = "staff", params(PageQuery),
    responses(
        (status = 200, body = PageOf<ClientView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a member of staff", body = ErrorBody),
        (status = 422, description = "Bad limit or cursor", body = ErrorBody),
    ))]
pub async fn list_clients(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<PageOf<ClientView>>, ApiError> {
    let paged = state
        .stores()
        .clients
        .list_clients(&caller.scope, query.page()?)
        .await?;
    Ok(Json(PageOf::map(paged, ClientView::from)))
}

/// Creates a client (`manage_clients`).
#[utoipa::path(post, path = "/clients", tag = "staff", request_body = NewClientBody,
    responses(
        (status = 201, body = ClientView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `manage_clients`", body = ErrorBody),
        (status = 409, description = "The external id is taken", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_client(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewClientBody>,
) -> Result<(StatusCode, Json<ClientView>), ApiError> {
    let input = ClientInput {
        name: display_name("name", &body.name)?,
        external_id: non_blank(body.external_id),
        branding: None,
    };
    let client = state
        .stores()
        .clients
        .create_client(&caller.scope, input, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(client.into())))
}

/// One client.
#[utoipa::path(get, path = "/clients/{client_id}", tag = "staff",
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ClientView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a member of staff", body = ErrorBody),
        (status = 404, description = "No such client the caller reaches", body = ErrorBody),
    ))]
pub async fn get_client(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiPath(id): ApiPath<ClientId>,
) -> Result<Json<ClientView>, ApiError> {
    Ok(Json(found_client(&state, &caller.scope, id).await?.into()))
}

/// Renames a client or changes its feeding-system id (`manage_clients`).
#[utoipa::path(patch, path = "/clients/{client_id}", tag = "staff", request_body = ClientPatch,
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ClientView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_client(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ClientId>,
    ApiJson(body): ApiJson<ClientPatch>,
) -> Result<Json<ClientView>, ApiError> {
    let current = found_client(&state, &caller.scope, id).await?;
    let input = ClientInput {
        name: patched(body.name, current.name, |name| display_name("name", &name))?,
        external_id: body.external_id.map_or(current.external_id, non_blank),
        branding: current.branding,
    };
    let client = state
        .stores()
        .clients
        .update_client(&caller.scope, id, input, &ip.audit())
        .await?;
    Ok(Json(client.into()))
}

/// Archives a client: its contacts lose access (`manage_clients`).
#[utoipa::path(post, path = "/clients/{client_id}/archive", tag = "staff",
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ClientView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn archive_client(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ClientId>,
) -> Result<Json<ClientView>, ApiError> {
    set_archived(&state, &caller, ip, id, true).await
}

/// Restores an archived client (`manage_clients`).
#[utoipa::path(post, path = "/clients/{client_id}/restore", tag = "staff",
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ClientView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn restore_client(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ClientId>,
) -> Result<Json<ClientView>, ApiError> {
    set_archived(&state, &caller, ip, id, false).await
}

async fn set_archived(
    state: &PortalState,
    caller: &crate::extract::Caller,
    ip: ClientIp,
    id: ClientId,
    archived: bool,
) -> Result<Json<ClientView>, ApiError> {
    let client = state
        .stores()
        .clients
        .set_client_archived(&caller.scope, id, archived, &ip.audit())
        .await?;
    Ok(Json(client.into()))
}

/// The client, or 404 for one the scope does not reach.
pub(crate) async fn found_client(
    state: &PortalState,
    scope: &portal_core::TenantScope,
    id: ClientId,
) -> Result<Client, ApiError> {
    state
        .stores()
        .clients
        .client(scope, id)
        .await?
        .ok_or(ApiError::NotFound)
}
