//! `/clients`: the organisations the tenant serves — list, create, read, edit, archive, offboard,
//! erase.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::model::{Client, ClientInput};
use portal_core::{ClientId, Permission, ResourceFacts, UserId, Visibility};
use portal_storage::lifecycle::NOT_OFFBOARDED;
use portal_storage::{ErasureReport, OffboardReport, rules};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::branding::BrandingView;
use super::{StaffCaller, display_name, non_blank, nullable, patched, require_step_up};
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
    /// When its engagement was ended by offboarding; `null` if it was not (or was restored).
    #[serde(with = "time::serde::rfc3339::option")]
    pub offboarded_at: Option<OffsetDateTime>,
    /// When its contacts' personal data was erased; `null` if it was not.
    #[serde(with = "time::serde::rfc3339::option")]
    pub erased_at: Option<OffsetDateTime>,
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
            offboarded_at: client.offboarded_at,
            erased_at: client.erased_at,
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

/// Restores an archived client (`manage_clients`), also one offboarded; an erased client cannot
/// be restored (409).
#[utoipa::path(post, path = "/clients/{client_id}/restore", tag = "staff",
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ClientView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The client was erased", body = ErrorBody),
    ))]
pub async fn restore_client(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ClientId>,
) -> Result<Json<ClientView>, ApiError> {
    set_archived(&state, &caller, ip, id, false).await
}

/// What offboarding a client did.
#[derive(Debug, Serialize, ToSchema)]
pub struct OffboardView {
    /// The client as it is now: archived, with `offboarded_at` set.
    pub client: ClientView,
    /// The contacts whose access to the client ended (empty when it was offboarded already).
    #[schema(value_type = Vec<String>)]
    pub contacts: Vec<UserId>,
    /// Of those, the contacts of another active client: they keep that access and sessions.
    #[schema(value_type = Vec<String>)]
    pub contacts_kept: Vec<UserId>,
    /// Sessions ended.
    pub sessions_ended: u64,
    /// Pending invitations revoked.
    pub invitations_revoked: u64,
    /// Share links revoked.
    pub share_links_revoked: u64,
}

impl From<OffboardReport> for OffboardView {
    fn from(report: OffboardReport) -> Self {
        Self {
            client: report.client.into(),
            contacts: report.contacts,
            contacts_kept: report.contacts_kept,
            sessions_ended: report.sessions_ended,
            invitations_revoked: report.invitations_revoked,
            share_links_revoked: report.share_links_revoked,
        }
    }
}

/// Ends a client's engagement at once (`offboard_clients`): archives it, ends the sessions of
/// its contacts who have no other active client, revokes its pending invitations and share
/// links. Offboarding it again changes nothing and answers zero counts.
#[utoipa::path(post, path = "/clients/{client_id}/offboard", tag = "staff",
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = OffboardView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `offboard_clients`", body = ErrorBody),
        (status = 404, description = "No such client the caller reaches", body = ErrorBody),
    ))]
pub async fn offboard_client(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ClientId>,
) -> Result<Json<OffboardView>, ApiError> {
    let report = state
        .stores()
        .clients
        .offboard_client(&caller.scope, id, &ip.audit())
        .await?;
    Ok(Json(report.into()))
}

/// The typed confirmation erasure asks for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    /// The client's name, exactly as it is: erasure cannot be undone.
    pub confirm: String,
}

/// What erasing a client's personal data did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureView {
    /// The client as it is now, with `erased_at` set.
    pub client: ClientView,
    /// The contacts erased: pseudonymous ids only.
    #[schema(value_type = Vec<String>)]
    pub contacts_erased: Vec<UserId>,
    /// The contacts of another client not offboarded: they lost only this membership.
    #[schema(value_type = Vec<String>)]
    pub contacts_kept: Vec<UserId>,
    /// Invitations given a pseudonymous email.
    pub invitations_pseudonymised: u64,
    /// Pending mail to the erased people dropped.
    pub mails_dropped: u64,
    /// Audit events whose personal facts were erased.
    pub audit_events_erased: u64,
    /// Audit events written before hash version 2, left as they are: erasing their facts
    /// would break the chain.
    pub audit_events_version_1_kept: u64,
}

impl From<ErasureReport> for ErasureView {
    fn from(report: ErasureReport) -> Self {
        Self {
            client: report.client.into(),
            contacts_erased: report.contacts_erased,
            contacts_kept: report.contacts_kept,
            invitations_pseudonymised: report.invitations_pseudonymised,
            mails_dropped: report.mails_dropped,
            audit_events_erased: report.audit_events_erased,
            audit_events_version_1_kept: report.audit_events_version_1_kept,
        }
    }
}

/// Erases the personal data of an offboarded client's contacts (`erase_client_data`, after a
/// recent sign-in): pseudonymous emails, "Erased contact" as name, credentials, sessions and
/// notifications deleted, their personal facts in the audit log erased. The body confirms with
/// the client's name. Irreversible; the audit chain stays verifiable.
#[utoipa::path(post, path = "/clients/{client_id}/erase", tag = "staff", request_body = EraseBody,
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ErasureView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, without `erase_client_data`, or a sign-in too old (`reauth_required`)", body = ErrorBody),
        (status = 404, description = "No such client the caller reaches", body = ErrorBody),
        (status = 409, description = "The client is not offboarded", body = ErrorBody),
        (status = 422, description = "`confirm` is not the client's name", body = ErrorBody),
    ))]
pub async fn erase_client(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ClientId>,
    ApiJson(body): ApiJson<EraseBody>,
) -> Result<Json<ErasureView>, ApiError> {
    let report = erase(&state, &caller, &ip, id, &body.confirm).await?;
    Ok(Json(report.into()))
}

/// Erases client `id` once the caller may, it is offboarded and `confirm` is its name — checked
/// in that order, so the answer never depends on a guess of the name.
pub(crate) async fn erase(
    state: &PortalState,
    caller: &crate::extract::Caller,
    ip: &ClientIp,
    id: ClientId,
    confirm: &str,
) -> Result<ErasureReport, ApiError> {
    let client = found_client(state, &caller.scope, id).await?;
    let facts = ResourceFacts::of_client(caller.scope.tenant_id(), id, Visibility::Shared);
    rules::require(&caller.scope, Permission::EraseClientData, &facts)?;
    if client.offboarded_at.is_none() {
        return Err(ApiError::Conflict(NOT_OFFBOARDED.to_owned()));
    }
    if client.erased_at.is_none() && confirm.trim() != client.name.as_str() {
        return Err(ApiError::invalid(
            "confirm",
            "invalid confirm: type the client's name exactly",
        ));
    }
    require_step_up(state, caller)?;
    Ok(state
        .stores()
        .clients
        .erase_client(&caller.scope, id, &ip.audit())
        .await?)
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
