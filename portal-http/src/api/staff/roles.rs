//! Roles and the permission matrix: `/roles`, `/permissions`, `/permission-matrix`. Changing a
//! role changes what its holders may do on their next request (SEC-29), so every change needs a
//! recent login (SEC-20).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_core::{
    Audience, Effect, Permission, PermissionGroup, PermissionMatrix, PermissionSet, Role, RoleId,
    Side,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{StaffCaller, display_name, require_step_up};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientIp};
use crate::state::PortalState;

/// A role of the tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleView {
    /// The role's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: RoleId,
    /// Its name.
    pub name: String,
    /// `staff` or `client`.
    #[schema(value_type = String)]
    pub side: Side,
    /// The built-in role it is (`owner`, `client_admin`, …); `null` for a custom role.
    pub builtin: Option<&'static str>,
    /// What it may do: permission names.
    #[schema(value_type = Vec<String>)]
    pub permissions: PermissionSet,
}

impl From<Role> for RoleView {
    fn from(role: Role) -> Self {
        Self {
            id: role.id(),
            name: role.name().as_str().to_owned(),
            side: role.side(),
            builtin: role.builtin_role().map(|builtin| builtin.name()),
            permissions: role.permissions(),
        }
    }
}

/// One permission, as a row of the matrix describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionView {
    /// The stable name.
    pub name: &'static str,
    /// The product area.
    #[schema(value_type = String)]
    pub group: PermissionGroup,
    /// The area's heading.
    pub group_title: &'static str,
    /// Who may ever hold it: `staff`, `client` or `both`.
    #[schema(value_type = String)]
    pub audience: Audience,
    /// `read` or `write`.
    #[schema(value_type = String)]
    pub effect: Effect,
    /// What it allows.
    pub description: &'static str,
}

impl From<Permission> for PermissionView {
    fn from(permission: Permission) -> Self {
        Self {
            name: permission.name(),
            group: permission.group(),
            group_title: permission.group().title(),
            audience: permission.audience(),
            effect: permission.effect(),
            description: permission.description(),
        }
    }
}

/// Roles × permissions as a table.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixView {
    /// The columns, in the order of each row's `granted`.
    pub roles: Vec<RoleView>,
    /// One row per permission, in matrix order.
    pub rows: Vec<MatrixRowView>,
}

/// One permission's row of the matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixRowView {
    /// The permission.
    pub permission: PermissionView,
    /// For each role, in column order, whether it holds the permission.
    pub granted: Vec<bool>,
}

/// A new custom role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoleBody {
    /// Its name, unique in the tenant.
    pub name: String,
    /// `staff` or `client`.
    #[schema(value_type = String)]
    pub side: Side,
    /// Permission names, all of which the side may hold.
    pub permissions: Vec<String>,
}

/// A role's new permissions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionsBody {
    /// Permission names (replacing the earlier ones).
    pub permissions: Vec<String>,
}

/// Permission names from a request; an unknown one is a 422 naming `permissions`.
pub(crate) fn permission_set(names: &[String]) -> Result<PermissionSet, ApiError> {
    names
        .iter()
        .map(|name| {
            name.parse::<Permission>()
                .map_err(|error| error.in_field("permissions").into())
        })
        .collect()
}

/// The tenant's roles, built-in first, with their permissions.
#[utoipa::path(get, path = "/roles", tag = "staff",
    responses(
        (status = 200, body = Vec<RoleView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a member of staff", body = ErrorBody),
    ))]
pub async fn list_roles(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    let roles = state.stores().memberships.roles(&caller.scope).await?;
    Ok(Json(roles.into_iter().map(RoleView::from).collect()))
}

/// Every permission there is, in matrix order.
#[utoipa::path(get, path = "/permissions", tag = "staff",
    responses(
        (status = 200, body = Vec<PermissionView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a member of staff", body = ErrorBody),
    ))]
pub async fn list_permissions(StaffCaller(_caller): StaffCaller) -> Json<Vec<PermissionView>> {
    Json(
        Permission::ALL
            .iter()
            .copied()
            .map(PermissionView::from)
            .collect(),
    )
}

/// The tenant's roles × every permission.
#[utoipa::path(get, path = "/permission-matrix", tag = "staff",
    responses(
        (status = 200, body = MatrixView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a member of staff", body = ErrorBody),
    ))]
pub async fn permission_matrix(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
) -> Result<Json<MatrixView>, ApiError> {
    let roles = state.stores().memberships.roles(&caller.scope).await?;
    let matrix = PermissionMatrix::for_roles(&roles);
    Ok(Json(MatrixView {
        roles: roles.into_iter().map(RoleView::from).collect(),
        rows: matrix
            .rows
            .into_iter()
            .map(|row| MatrixRowView {
                permission: row.permission.into(),
                granted: row.granted,
            })
            .collect(),
    }))
}

/// Defines a custom role (`manage_roles`; a recent login, SEC-20).
#[utoipa::path(post, path = "/roles", tag = "staff", request_body = NewRoleBody,
    responses(
        (status = 201, body = RoleView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without `manage_roles`, or `reauth_required`", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "Unknown permission, or one the side may not hold", body = ErrorBody),
    ))]
pub async fn create_role(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewRoleBody>,
) -> Result<(StatusCode, Json<RoleView>), ApiError> {
    require_step_up(&state, &caller)?;
    let name = display_name("name", &body.name)?;
    let permissions = permission_set(&body.permissions)?;
    let role = state
        .stores()
        .memberships
        .create_role(&caller.scope, name, body.side, permissions, &ip.audit())
        .await?;
    Ok((StatusCode::CREATED, Json(role.into())))
}

/// Replaces a role's permissions — one column of the matrix (`manage_roles`; a recent login,
/// SEC-20). Holders get the new set on their next request.
#[utoipa::path(put, path = "/roles/{role_id}/permissions", tag = "staff", request_body = PermissionsBody,
    params(("role_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = RoleView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without `manage_roles`, or `reauth_required`", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "Unknown permission, one the side may not hold, or the owner losing one", body = ErrorBody),
    ))]
pub async fn set_role_permissions(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<RoleId>,
    ApiJson(body): ApiJson<PermissionsBody>,
) -> Result<Json<RoleView>, ApiError> {
    require_step_up(&state, &caller)?;
    let permissions = permission_set(&body.permissions)?;
    let role = state
        .stores()
        .memberships
        .set_role_permissions(&caller.scope, id, permissions, &ip.audit())
        .await?;
    Ok(Json(role.into()))
}

/// Deletes a custom role nobody holds (`manage_roles`; a recent login, SEC-20).
#[utoipa::path(delete, path = "/roles/{role_id}", tag = "staff",
    params(("role_id" = String, Path, format = Uuid)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without `manage_roles`, or `reauth_required`", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Built-in, or still held", body = ErrorBody),
    ))]
pub async fn delete_role(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<RoleId>,
) -> Result<StatusCode, ApiError> {
    require_step_up(&state, &caller)?;
    state
        .stores()
        .memberships
        .delete_role(&caller.scope, id, &ip.audit())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
