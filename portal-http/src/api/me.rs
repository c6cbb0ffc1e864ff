//! `/me`: who the caller is, what they may do, and their sessions (devices).

use std::net::IpAddr;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portal_core::model::User;
use portal_core::state::Sha256Digest;
use portal_core::{ClientFilter, ClientId, LanguageTag, PermissionSet, Side, UserId};
use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Caller, ClientIp};
use crate::state::PortalState;
use crate::tenant::RequestTenant;

/// The caller as the portal sees them.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// The user's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    /// Their email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// `staff` or `client`.
    #[schema(value_type = String)]
    pub side: Side,
    /// The tenant's slug.
    pub tenant: String,
    /// What they may do tenant-wide (staff) — permission names.
    #[schema(value_type = Vec<String>)]
    pub permissions: PermissionSet,
    /// The clients they reach, each with what they may do there; `null` for staff who reach
    /// every client.
    pub clients: Option<Vec<ClientAccess>>,
    /// Their preferred language (a BCP 47 tag), asked before the tenant's default and the
    /// browser's; `null` when they chose none.
    pub locale: Option<String>,
    /// Whether they finished or dismissed the first-login tour.
    pub tour_done: bool,
}

/// Changes to the caller's own preferences; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeChanges {
    /// The preferred language: a BCP 47 tag such as `de` or `de-AT`; `null` clears it, so the
    /// tenant's default and then the browser's apply.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub locale: Option<Option<String>>,
    /// `true` records that the first-login tour is done (it cannot be undone).
    pub tour_done: Option<bool>,
}

/// A field that is present: `null` is `Some(None)`, unlike an absent field (`None`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// What the caller may do in one client.
#[derive(Serialize, ToSchema)]
pub struct ClientAccess {
    /// The client.
    #[schema(value_type = String, format = Uuid)]
    pub client: ClientId,
    /// Permission names.
    #[schema(value_type = Vec<String>)]
    pub permissions: PermissionSet,
}

/// One of the caller's sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    /// The id to revoke it by.
    pub id: String,
    /// Whether it is the session of this request.
    pub current: bool,
    /// When it began.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last used.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// The address at login.
    #[schema(value_type = Option<String>)]
    pub ip: Option<IpAddr>,
    /// The browser at login.
    pub user_agent: Option<String>,
}

/// Who is calling.
#[utoipa::path(get, path = "/me", tag = "me",
    responses(
        (status = 200, body = Me),
        (status = 401, body = ErrorBody),
    ))]
pub async fn me(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    caller: Caller,
) -> Result<Json<Me>, ApiError> {
    let user_id = own_id(&caller)?;
    let user = state
        .stores()
        .identities
        .user(&caller.scope, user_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Json(view(&caller, tenant.slug.as_str(), user)))
}

/// Changes the caller's own preferences: the language of their pages and the first-login tour.
/// Each change is audited (`user.changed`); a value already set changes nothing.
#[utoipa::path(patch, path = "/me", tag = "me", request_body = MeChanges,
    responses(
        (status = 200, body = Me),
        (status = 401, body = ErrorBody),
        (status = 403, description = "A read-only client preview", body = ErrorBody),
        (status = 422, description = "A malformed language tag, or `tour_done: false`", body = ErrorBody),
    ))]
pub async fn update_me(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    caller: Caller,
    ip: ClientIp,
    ApiJson(changes): ApiJson<MeChanges>,
) -> Result<Json<Me>, ApiError> {
    let user_id = own_id(&caller)?;
    // Everything is checked before anything is written.
    let locale = changes
        .locale
        .map(|locale| {
            locale
                .map(|tag| LanguageTag::parse(&tag).map_err(|error| error.in_field("locale")))
                .transpose()
        })
        .transpose()?;
    if changes.tour_done == Some(false) {
        return Err(ApiError::invalid(
            "tour_done",
            "invalid tour_done: the tour can only be marked done",
        ));
    }
    let identities = &state.stores().identities;
    let audit = ip.audit();
    let mut user = None;
    if let Some(locale) = locale {
        user = Some(
            identities
                .set_locale(&caller.scope, user_id, locale, &audit)
                .await?,
        );
    }
    if changes.tour_done == Some(true) {
        user = Some(identities.finish_tour(&caller.scope, &audit).await?);
    }
    let user = match user {
        Some(user) => user,
        None => identities
            .user(&caller.scope, user_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?,
    };
    Ok(Json(view(&caller, tenant.slug.as_str(), user)))
}

/// The user behind the caller; a caller without one (none reaches here today) is refused.
fn own_id(caller: &Caller) -> Result<UserId, ApiError> {
    caller
        .scope
        .principal()
        .user_id()
        .ok_or(ApiError::Forbidden)
}

/// The caller as `GET /me` shows them.
fn view(caller: &Caller, tenant: &str, user: User) -> Me {
    let clients = match caller.scope.reachable_clients() {
        ClientFilter::All => None,
        ClientFilter::Only(clients) => Some(
            clients
                .into_iter()
                .map(|client| ClientAccess {
                    client,
                    permissions: caller.scope.permissions_in(Some(client)),
                })
                .collect(),
        ),
    };
    Me {
        id: user.id,
        email: user.email.as_str().to_owned(),
        name: user.name.as_str().to_owned(),
        side: user.side,
        tenant: tenant.to_owned(),
        permissions: caller.scope.permissions_in(None),
        clients,
        locale: user.locale,
        tour_done: user.tour_done_at.is_some(),
    }
}

/// The caller's sessions, newest first.
#[utoipa::path(get, path = "/me/sessions", tag = "me",
    responses(
        (status = 200, body = Vec<SessionInfo>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "API keys have no sessions", body = ErrorBody),
    ))]
pub async fn sessions(
    State(state): State<PortalState>,
    caller: Caller,
) -> Result<Json<Vec<SessionInfo>>, ApiError> {
    let current = caller.require_session()?;
    let mut sessions = state
        .sessions()
        .sessions_of(current.session.tenant, current.session.user)
        .await?;
    sessions.sort_by_key(|session| std::cmp::Reverse(session.created_at));
    Ok(Json(
        sessions
            .into_iter()
            .map(|session| SessionInfo {
                id: session.token_hash.to_hex(),
                current: session.token_hash == current.session.token_hash,
                created_at: session.created_at,
                last_seen_at: session.last_seen_at,
                ip: session.ip,
                user_agent: session.user_agent,
            })
            .collect(),
    ))
}

/// Ends one of the caller's own sessions.
#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "me",
    params(("id" = String, Path, description = "The session's id from the list")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "API keys have no sessions", body = ErrorBody),
        (status = 404, description = "No such session of the caller", body = ErrorBody),
    ))]
pub async fn revoke_session(
    State(state): State<PortalState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let current = caller.require_session()?;
    let hash = Sha256Digest::parse_hex(&id).map_err(|_| ApiError::NotFound)?;
    state
        .sessions()
        .revoke(current.session.tenant, current.session.user, &hash)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
