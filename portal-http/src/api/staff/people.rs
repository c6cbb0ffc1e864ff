//! People: `/users` (staff and contacts), `/memberships` (who holds which role where) and
//! `/invitations` (asking someone to join a client or the staff).
//!
//! A member of staff sees every colleague and the contacts of the clients it reaches. Changing
//! people needs `manage_staff` (members of staff) or `manage_clients` on the contact's clients
//! (contacts). A caller without both gets 403 for every user, membership, invitation, role or
//! client id it cannot act on, whether the id exists or not, so refusals never tell which ids
//! are real (SEC-26).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_auth::Invite;
use portal_core::model::{Invitation, MembershipRecord, NewUser, User};
use portal_core::{
    ClientId, Email, InvitationId, MembershipId, MembershipKind, Permission, RoleId, Side,
    TenantScope, UserId,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::{StaffCaller, display_name, require_step_up};
use crate::api::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, ClientIp};
use crate::state::PortalState;

/// A person with a login.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
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
    /// A disabled user cannot log in.
    pub disabled: bool,
    /// When they last logged in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    /// When the account was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When their personal data was erased (the email is a pseudonym, the name "Erased
    /// contact"); `null` for everyone else.
    #[serde(with = "time::serde::rfc3339::option")]
    pub erased_at: Option<OffsetDateTime>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email.into_string(),
            name: user.name.into_string(),
            side: user.side,
            disabled: user.disabled,
            last_login_at: user.last_login_at,
            created_at: user.created_at,
            erased_at: user.erased_at,
        }
    }
}

/// Which users to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// `staff` or `client`; both when absent.
    #[param(value_type = Option<String>)]
    pub side: Option<Side>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A new user without a password (they set one through a reset link, or sign in through the
/// host's own login).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// Their email, unique in the tenant.
    pub email: String,
    /// Their name.
    pub name: String,
    /// `staff` or `client`.
    #[schema(value_type = String)]
    pub side: Side,
}

/// A new name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameBody {
    /// The name to show.
    pub name: String,
}

/// Whether the scope may act on people of both kinds: members of staff (`manage_staff`) and
/// contacts (`manage_clients`).
fn manages_everyone(scope: &TenantScope) -> bool {
    let held = scope.permissions_in(None);
    held.contains(Permission::ManageStaff) && held.contains(Permission::ManageClients)
}

/// The answer to an act on a person — a user, membership or invitation, named by id or in the
/// body — for a caller who lacks `manage_staff` or `manage_clients`. Such a caller is refused
/// (403) on the people it may not manage, so a 404 for an id that is not there (or not in its
/// reach) would tell the two apart: it gets the same 403 (SEC-26). Whoever holds both
/// permissions is never refused for want of them, and keeps the plain 404.
fn refused_alike<T>(scope: &TenantScope, result: Result<T, ApiError>) -> Result<T, ApiError> {
    match result {
        Err(ApiError::NotFound) if !manages_everyone(scope) => Err(ApiError::Forbidden),
        other => other,
    }
}

/// A membership just written, as answered: refused alike (see [`refused_alike`]), with its
/// member.
async fn membership_answer(
    state: &PortalState,
    scope: &TenantScope,
    written: Result<MembershipRecord, impl Into<ApiError>>,
) -> Result<MembershipView, ApiError> {
    let record = refused_alike(scope, written.map_err(Into::into))?;
    let user = state.stores().identities.user(scope, record.user).await?;
    Ok(MembershipView::new(record, user))
}

/// The users the caller sees: every member of staff, and the contacts of the clients it reaches.
#[utoipa::path(get, path = "/users", tag = "staff", params(UserQuery),
    responses(
        (status = 200, body = PageOf<UserView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a member of staff", body = ErrorBody),
    ))]
pub async fn list_users(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<PageOf<UserView>>, ApiError> {
    let page = PageQuery::page_of(query.limit, query.cursor)?;
    let paged = state
        .stores()
        .identities
        .list_users(&caller.scope, query.side, page)
        .await?;
    Ok(Json(PageOf::map(paged, UserView::from)))
}

/// Creates a user (`manage_staff` for staff, `manage_clients` for contacts). Add a membership
/// next; an invitation does both and mails a link.
#[utoipa::path(post, path = "/users", tag = "staff", request_body = NewUserBody,
    responses(
        (status = 201, body = UserView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "The email is taken in this tenant", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create_user(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let user = NewUser {
        email: Email::parse(&body.email)?,
        name: display_name("name", &body.name)?,
        side: body.side,
    };
    let user = state
        .stores()
        .identities
        .create_user(&caller.scope, user, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// One user.
#[utoipa::path(get, path = "/users/{user_id}", tag = "staff",
    params(("user_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn get_user(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Json<UserView>, ApiError> {
    let user = state
        .stores()
        .identities
        .user(&caller.scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(user.into()))
}

/// Renames a user (`manage_staff` / `manage_clients`, or the user itself).
#[utoipa::path(put, path = "/users/{user_id}/name", tag = "staff", request_body = RenameBody,
    params(("user_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without the permission; also for any id without both `manage_staff` and `manage_clients`", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn rename_user(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(body): ApiJson<RenameBody>,
) -> Result<Json<UserView>, ApiError> {
    let name = display_name("name", &body.name)?;
    let renamed = state
        .stores()
        .identities
        .rename_user(&caller.scope, id, name, &ip.audit())
        .await
        .map_err(ApiError::from);
    let user = refused_alike(&caller.scope, renamed)?;
    Ok(Json(user.into()))
}

/// Disables a user: every session of theirs ends at once (`manage_staff` / `manage_clients`).
#[utoipa::path(post, path = "/users/{user_id}/disable", tag = "staff",
    params(("user_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without the permission; also for any id without both `manage_staff` and `manage_clients`", body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn disable_user(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Json<UserView>, ApiError> {
    set_disabled(&state, &caller.scope, ip, id, true).await
}

/// Enables a disabled user (`manage_staff` / `manage_clients`).
#[utoipa::path(post, path = "/users/{user_id}/enable", tag = "staff",
    params(("user_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without the permission; also for any id without both `manage_staff` and `manage_clients`", body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn enable_user(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Json<UserView>, ApiError> {
    set_disabled(&state, &caller.scope, ip, id, false).await
}

async fn set_disabled(
    state: &PortalState,
    scope: &TenantScope,
    ip: ClientIp,
    id: UserId,
    disabled: bool,
) -> Result<Json<UserView>, ApiError> {
    let changed = state
        .stores()
        .identities
        .set_disabled(scope, id, disabled, &ip.audit())
        .await
        .map_err(ApiError::from);
    let user = refused_alike(scope, changed)?;
    Ok(Json(user.into()))
}

/// Who a membership belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberSummary {
    /// Their email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// Whether they are disabled.
    pub disabled: bool,
}

/// A membership: a user holding a role, on the staff or at one client.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    /// The membership's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: MembershipId,
    /// The member.
    #[schema(value_type = String, format = Uuid)]
    pub user_id: UserId,
    /// The member's email and name, when the caller may see them.
    pub user: Option<MemberSummary>,
    /// The role held.
    #[schema(value_type = String, format = Uuid)]
    pub role_id: RoleId,
    /// `staff` or `client`.
    #[schema(value_type = String)]
    pub side: Side,
    /// The client, for a contact.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<ClientId>,
    /// The clients assigned, for a member of staff.
    #[schema(value_type = Option<Vec<String>>)]
    pub assigned_clients: Option<Vec<ClientId>>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl MembershipView {
    fn new(record: MembershipRecord, user: Option<User>) -> Self {
        let (side, client_id, assigned_clients) = match record.kind {
            MembershipKind::Staff { assigned_clients } => {
                (Side::Staff, None, Some(assigned_clients))
            }
            MembershipKind::Contact { client } => (Side::Client, Some(client), None),
        };
        Self {
            id: record.id,
            user_id: record.user,
            user: user.map(|user| MemberSummary {
                email: user.email.into_string(),
                name: user.name.into_string(),
                disabled: user.disabled,
            }),
            role_id: record.role,
            side,
            client_id,
            assigned_clients,
            created_at: record.created_at,
        }
    }
}

/// Which memberships to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembershipQuery {
    /// Only this client's contacts.
    #[param(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<ClientId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A new membership: `client_id` for a contact, else staff with `assigned_clients`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMembershipBody {
    /// The user.
    #[schema(value_type = String, format = Uuid)]
    pub user_id: UserId,
    /// The role, of the user's side.
    #[schema(value_type = String, format = Uuid)]
    pub role_id: RoleId,
    /// The client a contact joins.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<ClientId>,
    /// The clients a member of staff works on (without `access_all_clients`).
    #[schema(value_type = Option<Vec<String>>)]
    pub assigned_clients: Option<Vec<ClientId>>,
}

/// Another role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoleBody {
    /// The new role, of the same side.
    #[schema(value_type = String, format = Uuid)]
    pub role_id: RoleId,
}

/// The clients a member of staff works on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignClientsBody {
    /// The clients (replacing the earlier ones).
    #[schema(value_type = Vec<String>)]
    pub client_ids: Vec<ClientId>,
}

/// The memberships the caller may manage, optionally of one client, each with its member's
/// email and name.
#[utoipa::path(get, path = "/memberships", tag = "staff", params(MembershipQuery),
    responses(
        (status = 200, body = PageOf<MembershipView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
pub async fn list_memberships(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiQuery(query): ApiQuery<MembershipQuery>,
) -> Result<Json<PageOf<MembershipView>>, ApiError> {
    let page = PageQuery::page_of(query.limit, query.cursor)?;
    let stores = state.stores();
    let paged = stores
        .memberships
        .list_memberships(&caller.scope, query.client_id, page)
        .await?;
    // No store call joins members to their users; one lookup per row, bounded by the page.
    let mut items = Vec::with_capacity(paged.items.len());
    for record in paged.items {
        let user = stores.identities.user(&caller.scope, record.user).await?;
        items.push(MembershipView::new(record, user));
    }
    Ok(Json(PageOf {
        items,
        next_cursor: paged.next.map(|cursor| cursor.to_string()),
    }))
}

/// Makes a user a member (`manage_staff` for staff; `manage_clients` for contacts).
#[utoipa::path(post, path = "/memberships", tag = "staff", request_body = NewMembershipBody,
    responses(
        (status = 201, body = MembershipView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without the permission (also for any id without both `manage_staff` and `manage_clients`), or `reauth_required`", body = ErrorBody),
        (status = 404, description = "No such user, role or client", body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn add_membership(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewMembershipBody>,
) -> Result<(StatusCode, Json<MembershipView>), ApiError> {
    require_step_up(&state, &caller)?;
    let kind = match (body.client_id, body.assigned_clients) {
        (Some(client), None) => MembershipKind::Contact { client },
        (None, assigned) => MembershipKind::Staff {
            assigned_clients: assigned.unwrap_or_default(),
        },
        (Some(_), Some(_)) => {
            return Err(ApiError::Invalid {
                message: "a membership is a contact's (client_id) or staff's (assigned_clients)"
                    .to_owned(),
                fields: vec!["client_id".to_owned(), "assigned_clients".to_owned()],
                reason: None,
            });
        }
    };
    let added = state
        .stores()
        .memberships
        .add_membership(&caller.scope, body.user_id, body.role_id, kind, &ip.audit())
        .await;
    let view = membership_answer(&state, &caller.scope, added).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Gives a membership another role of its side (a recent login, SEC-20).
#[utoipa::path(put, path = "/memberships/{membership_id}/role", tag = "staff", request_body = ChangeRoleBody,
    params(("membership_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = MembershipView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without the permission (also for any id without both `manage_staff` and `manage_clients`), or `reauth_required`", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn change_role(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<MembershipId>,
    ApiJson(body): ApiJson<ChangeRoleBody>,
) -> Result<Json<MembershipView>, ApiError> {
    require_step_up(&state, &caller)?;
    let changed = state
        .stores()
        .memberships
        .change_role(&caller.scope, id, body.role_id, &ip.audit())
        .await;
    let view = membership_answer(&state, &caller.scope, changed).await?;
    Ok(Json(view))
}

/// Replaces the clients a member of staff works on (`manage_staff`; a recent login, SEC-20).
#[utoipa::path(put, path = "/memberships/{membership_id}/clients", tag = "staff", request_body = AssignClientsBody,
    params(("membership_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = MembershipView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without the permission; also for any id without both `manage_staff` and `manage_clients`", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn assign_clients(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<MembershipId>,
    ApiJson(body): ApiJson<AssignClientsBody>,
) -> Result<Json<MembershipView>, ApiError> {
    require_step_up(&state, &caller)?;
    let assigned = state
        .stores()
        .memberships
        .assign_clients(&caller.scope, id, body.client_ids, &ip.audit())
        .await;
    let view = membership_answer(&state, &caller.scope, assigned).await?;
    Ok(Json(view))
}

/// Ends a membership.
#[utoipa::path(delete, path = "/memberships/{membership_id}", tag = "staff",
    params(("membership_id" = String, Path, format = Uuid)),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without the permission; also for any id without both `manage_staff` and `manage_clients`", body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn remove_membership(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<MembershipId>,
) -> Result<StatusCode, ApiError> {
    let removed = state
        .stores()
        .memberships
        .remove_membership(&caller.scope, id, &ip.audit())
        .await
        .map_err(ApiError::from);
    refused_alike(&caller.scope, removed)?;
    Ok(StatusCode::NO_CONTENT)
}

/// An invitation; its link's token is never shown again after the mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    /// The invitation's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: InvitationId,
    /// Who is invited.
    pub email: String,
    /// The client to join; `null` for the staff.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<ClientId>,
    /// The role to hold.
    #[schema(value_type = String, format = Uuid)]
    pub role_id: RoleId,
    /// Who invited.
    #[schema(value_type = String, format = Uuid)]
    pub invited_by: UserId,
    /// When the link stops working.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// When it was accepted.
    #[serde(with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<OffsetDateTime>,
    /// When it was revoked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    /// When it was sent (or re-sent).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Invitation> for InvitationView {
    fn from(invitation: Invitation) -> Self {
        Self {
            id: invitation.id,
            email: invitation.email.into_string(),
            client_id: invitation.client,
            role_id: invitation.role,
            invited_by: invitation.invited_by,
            expires_at: invitation.expires_at,
            accepted_at: invitation.accepted_at,
            revoked_at: invitation.revoked_at,
            created_at: invitation.created_at,
        }
    }
}

/// Whom to invite, to what.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// Their email.
    pub email: String,
    /// The role to hold: a client role with `client_id`, a staff role without.
    #[schema(value_type = String, format = Uuid)]
    pub role_id: RoleId,
    /// The client to join as a contact; absent to join the staff.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<ClientId>,
}

/// Which invitations to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// Only invitations to this client.
    #[param(value_type = Option<String>, format = Uuid)]
    pub client_id: Option<ClientId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The invitations the caller may manage, newest first: pending, accepted, revoked and expired.
#[utoipa::path(get, path = "/invitations", tag = "staff", params(InvitationQuery),
    responses(
        (status = 200, body = PageOf<InvitationView>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
pub async fn list_invitations(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiQuery(query): ApiQuery<InvitationQuery>,
) -> Result<Json<PageOf<InvitationView>>, ApiError> {
    let page = PageQuery::page_of(query.limit, query.cursor)?;
    let paged = state
        .stores()
        .invitations
        .list_invitations(&caller.scope, query.client_id, page)
        .await?;
    Ok(Json(PageOf::map(paged, InvitationView::from)))
}

/// Invites someone and mails the link (`manage_clients` for a contact, `manage_staff` for
/// staff); inviting the same email to the same place again replaces the earlier link.
#[utoipa::path(post, path = "/invitations", tag = "staff", request_body = InviteBody,
    responses(
        (status = 201, body = InvitationView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without the permission; also for any id without both `manage_staff` and `manage_clients`", body = ErrorBody),
        (status = 404, description = "No such client or role", body = ErrorBody),
        (status = 409, description = "The person already holds this membership", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn invite(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<InvitationView>), ApiError> {
    let invite = Invite {
        email: Email::parse(&body.email)?,
        client: body.client_id,
        role: body.role_id,
    };
    let invited = state
        .invitations()
        .invite(&caller.scope, invite, &ip.audit())
        .await
        .map_err(ApiError::from);
    let invitation = refused_alike(&caller.scope, invited)?;
    Ok((StatusCode::CREATED, Json(invitation.into())))
}

/// Revokes a pending invitation: its link stops working.
#[utoipa::path(post, path = "/invitations/{invitation_id}/revoke", tag = "staff",
    params(("invitation_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = InvitationView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without the permission; also for any id without both `manage_staff` and `manage_clients`", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already accepted", body = ErrorBody),
    ))]
pub async fn revoke_invitation(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<InvitationId>,
) -> Result<Json<InvitationView>, ApiError> {
    let revoked = state
        .invitations()
        .revoke(&caller.scope, id, &ip.audit())
        .await
        .map_err(ApiError::from);
    let invitation = refused_alike(&caller.scope, revoked)?;
    Ok(Json(invitation.into()))
}
