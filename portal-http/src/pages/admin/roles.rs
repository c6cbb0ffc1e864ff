//! `admin/roles`: the permission matrix as an editable grid — permissions as rows grouped by
//! product area, the tenant's roles as columns (team roles, then client roles), a checkbox where
//! the role's side may hold the permission. One form saves one column or the whole grid through
//! the store call of the API's `PUT /roles/{id}/permissions`; custom roles are created and
//! deleted as `POST /roles` and `DELETE /roles/{id}` do. Every change needs `manage_roles` and a
//! recent sign-in (SEC-20), and takes effect on the holders' next request (SEC-29).

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::{BuiltinRole, Permission, PermissionSet, Role, RoleId, Side};
use serde::{Deserialize, Serialize};

use super::super::catalogue::{Arg, CatalogueError};
use super::super::form::FormError;
use super::super::format::Formatter;
use super::super::page::PageError;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::names::{group_message, grouped, permission_message, role_name, side_message};
use super::{NoFields, path_id, require};
use crate::api::staff::display_name;
use crate::error::ApiError;
use crate::extract::ClientIp;

const PATH: &str = "/admin/roles";
const TEMPLATE: &str = "admin/roles.html";

/// The grid's form: every offered checkbox that is ticked (`<role id>:<permission>`), the
/// columns the form showed, and which column to save (`all` for the whole grid).
#[derive(Debug, Deserialize)]
pub(crate) struct GridFields {
    #[serde(default)]
    grant: Vec<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    save: String,
}

/// A new custom role.
#[derive(Debug, Deserialize)]
pub(crate) struct NewRoleFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    side: String,
}

/// What the grid shows besides the stored roles: ticks as posted, and errors.
#[derive(Debug, Default)]
struct Shown {
    /// Each posted column's ticks, shown instead of the stored permissions.
    posted: HashMap<RoleId, PermissionSet>,
    /// Why the grid was not saved.
    grid_error: Option<String>,
    /// The column at fault.
    grid_error_role: Option<RoleId>,
    /// The new role's form as typed.
    new_name: String,
    new_side: Option<Side>,
    new_error: Option<FormError>,
    /// Why a role could not be deleted.
    delete_error: Option<(RoleId, String)>,
}

#[derive(Debug, Serialize)]
struct GridView {
    staff_columns: usize,
    client_columns: usize,
    columns: Vec<ColumnView>,
    groups: Vec<GroupView>,
    grid_error: Option<String>,
    new_role: NewRoleView,
    custom: Vec<CustomRoleView>,
}

#[derive(Debug, Serialize)]
struct ColumnView {
    id: String,
    name: String,
    custom: bool,
    editable: bool,
    at_fault: bool,
}

#[derive(Debug, Serialize)]
struct GroupView {
    title_message: &'static str,
    rows: Vec<RowView>,
}

#[derive(Debug, Serialize)]
struct RowView {
    name: &'static str,
    description: String,
    cells: Vec<CellView>,
}

#[derive(Debug, Serialize)]
struct CellView {
    /// `check` (a checkbox), `fixed` (always held: the owner's staff permissions) or `none`
    /// (the role's side may never hold it).
    kind: &'static str,
    checked: bool,
    value: String,
    label: String,
}

#[derive(Debug, Serialize)]
struct NewRoleView {
    name: String,
    side: &'static str,
    error: Option<FormError>,
}

#[derive(Debug, Serialize)]
struct CustomRoleView {
    id: String,
    name: String,
    side_message: &'static str,
    error: Option<String>,
}

/// `GET admin/roles`.
pub(crate) async fn show(page: SignedPage) -> Response {
    let result = render(&page, StatusCode::OK, Shown::default()).await;
    super::answer(&page, result)
}

/// `POST admin/roles`: saves one column or the whole grid.
pub(crate) async fn save(ip: ClientIp, form: PageForm<GridFields>) -> Response {
    let PageForm { page, fields } = form;
    let result = save_grid(&page, ip, fields).await;
    super::answer(&page, result)
}

/// `POST admin/roles/new`: creates a custom role without permissions, to fill in the grid.
pub(crate) async fn create(ip: ClientIp, form: PageForm<NewRoleFields>) -> Response {
    let PageForm { page, fields } = form;
    let result = create_role(&page, ip, fields).await;
    super::answer(&page, result)
}

/// `POST admin/roles/{role_id}/delete`: deletes a custom role nobody holds.
pub(crate) async fn delete(
    ip: ClientIp,
    Path(role_id): Path<String>,
    form: PageForm<NoFields>,
) -> Response {
    let page = form.page;
    let result = delete_role(&page, ip, &role_id).await;
    super::answer(&page, result)
}

/// Checks the section's permission and the recent sign-in every change of roles needs.
fn may_change(page: &SignedPage) -> Result<(), Failure> {
    require(page, Permission::ManageRoles)?;
    page.state
        .sessions()
        .require_recent_authentication(&page.signed_in.authenticated)?;
    Ok(())
}

async fn roles_of(page: &SignedPage) -> Result<Vec<Role>, Failure> {
    Ok(page.state.stores().memberships.roles(&page.scope).await?)
}

async fn save_grid(
    page: &SignedPage,
    ip: ClientIp,
    fields: GridFields,
) -> Result<Response, Failure> {
    may_change(page)?;
    let roles = roles_of(page).await?;
    let find = |text: &str| -> Result<&Role, Failure> {
        let id: RoleId = path_id(text)?;
        roles
            .iter()
            .find(|role| role.id() == id)
            .ok_or(Failure::Page(PageError::NotFound))
    };
    // The columns the form showed start empty: an unticked box is a permission taken away.
    let mut posted: HashMap<RoleId, PermissionSet> = HashMap::new();
    for text in &fields.roles {
        posted.insert(find(text)?.id(), PermissionSet::EMPTY);
    }
    let mut shown = Shown::default();
    for grant in &fields.grant {
        let Some((role, permission)) = grant.split_once(':') else {
            return Err(PageError::BadRequest.into());
        };
        let role = find(role)?.id();
        let permission = match permission.parse::<Permission>() {
            Ok(permission) => permission,
            Err(error) => {
                shown.posted = posted;
                return grid_error(page, &roles, shown, None, ApiError::from(error)).await;
            }
        };
        let set = posted.entry(role).or_insert(PermissionSet::EMPTY);
        *set = set.with(permission);
    }
    let targets: Vec<&Role> = if fields.save.is_empty() || fields.save == "all" {
        roles
            .iter()
            .filter(|role| {
                posted.contains_key(&role.id()) && role.builtin_role() != Some(BuiltinRole::Owner)
            })
            .collect()
    } else {
        vec![find(&fields.save)?]
    };
    // Every column is checked before any is saved, so a wrong one saves nothing.
    for role in &targets {
        let mut next = (*role).clone();
        let set = posted
            .get(&role.id())
            .copied()
            .unwrap_or(PermissionSet::EMPTY);
        if let Err(error) = next.set_permissions(set) {
            let at_fault = role.id();
            shown.posted = posted;
            return grid_error(page, &roles, shown, Some(at_fault), error.into()).await;
        }
    }
    for role in &targets {
        let set = posted
            .get(&role.id())
            .copied()
            .unwrap_or(PermissionSet::EMPTY);
        if set == role.permissions() {
            continue;
        }
        let saved = page
            .state
            .stores()
            .memberships
            .set_role_permissions(&page.scope, role.id(), set, &ip.audit())
            .await;
        if let Err(error) = saved {
            let at_fault = role.id();
            shown.posted = posted;
            return grid_error(page, &roles, shown, Some(at_fault), error.into()).await;
        }
    }
    Ok(page.redirect_with_notice(PATH, "notice-admin-roles-saved"))
}

/// The grid again with the posted ticks and why it was not saved (422), or the answer the error
/// needs instead (the password prompt, an error page).
async fn grid_error(
    page: &SignedPage,
    roles: &[Role],
    mut shown: Shown,
    at_fault: Option<RoleId>,
    error: ApiError,
) -> Result<Response, Failure> {
    let message = match page.form_error(error) {
        Ok(form_error) => form_error.message,
        Err(response) => return Ok(response),
    };
    let formatter = page.formatter();
    shown.grid_error = Some(
        match at_fault.and_then(|id| roles.iter().find(|r| r.id() == id)) {
            Some(role) => formatter.text_with(
                "admin-roles-column-error",
                &[
                    ("role", Arg::Text(role_name(&formatter, role)?.into())),
                    ("message", Arg::Text(message.into())),
                ],
            )?,
            None => message,
        },
    );
    shown.grid_error_role = at_fault;
    let view = grid(&formatter, roles, shown)?;
    Ok(page.render_status(StatusCode::UNPROCESSABLE_ENTITY, TEMPLATE, view))
}

async fn create_role(
    page: &SignedPage,
    ip: ClientIp,
    fields: NewRoleFields,
) -> Result<Response, Failure> {
    may_change(page)?;
    let side = match fields.side.as_str() {
        "staff" => Some(Side::Staff),
        "client" => Some(Side::Client),
        _ => None,
    };
    let mut shown = Shown {
        new_name: fields.name.clone(),
        new_side: side,
        ..Shown::default()
    };
    let formatter = page.formatter();
    let error = match (display_name("name", &fields.name), side) {
        (Err(error), _) => error,
        (Ok(_), None) => {
            shown.new_error = Some(FormError::new(
                &formatter,
                Some("side"),
                "admin-roles-side-missing",
                &[],
            )?);
            return render(page, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
        }
        (Ok(name), Some(side)) => {
            let created = page
                .state
                .stores()
                .memberships
                .create_role(&page.scope, name, side, PermissionSet::EMPTY, &ip.audit())
                .await;
            match created {
                Ok(_) => return Ok(page.redirect_with_notice(PATH, "notice-admin-roles-created")),
                Err(portal_storage::StoreError::Conflict { .. }) => {
                    shown.new_error = Some(FormError::new(
                        &formatter,
                        Some("name"),
                        "admin-roles-name-taken",
                        &[],
                    )?);
                    return render(page, StatusCode::UNPROCESSABLE_ENTITY, shown).await;
                }
                Err(error) => ApiError::from(error),
            }
        }
    };
    shown.new_error = Some(match page.form_error(error) {
        Ok(form_error) => form_error,
        Err(response) => return Ok(response),
    });
    render(page, StatusCode::UNPROCESSABLE_ENTITY, shown).await
}

async fn delete_role(page: &SignedPage, ip: ClientIp, role_id: &str) -> Result<Response, Failure> {
    may_change(page)?;
    let id: RoleId = path_id(role_id)?;
    let deleted = page
        .state
        .stores()
        .memberships
        .delete_role(&page.scope, id, &ip.audit())
        .await;
    match deleted {
        Ok(()) => Ok(page.redirect_with_notice(PATH, "notice-admin-roles-deleted")),
        // Built-in, or still held: the page says what to do instead.
        Err(portal_storage::StoreError::Conflict { .. }) => {
            let message = page.formatter().text("admin-roles-delete-blocked")?;
            let shown = Shown {
                delete_error: Some((id, message)),
                ..Shown::default()
            };
            render(page, StatusCode::CONFLICT, shown).await
        }
        Err(error) => Err(error.into()),
    }
}

async fn render(page: &SignedPage, status: StatusCode, shown: Shown) -> Result<Response, Failure> {
    require(page, Permission::ManageRoles)?;
    let roles = roles_of(page).await?;
    let view = grid(&page.formatter(), &roles, shown)?;
    Ok(page.render_status(status, TEMPLATE, view))
}

/// The grid of `roles`, team roles first, with `shown`'s ticks and errors.
fn grid(
    formatter: &Formatter<'_>,
    roles: &[Role],
    shown: Shown,
) -> Result<GridView, CatalogueError> {
    let mut columns: Vec<&Role> = roles.iter().filter(|r| r.side() == Side::Staff).collect();
    let staff_columns = columns.len();
    columns.extend(roles.iter().filter(|r| r.side() == Side::Client));
    let names = columns
        .iter()
        .map(|role| role_name(formatter, role))
        .collect::<Result<Vec<_>, _>>()?;

    let mut groups = Vec::new();
    for (group, permissions) in grouped(Permission::ALL.iter().copied()) {
        let mut rows = Vec::with_capacity(permissions.len());
        for permission in permissions {
            let description = formatter.text(&permission_message(permission))?;
            let mut cells = Vec::with_capacity(columns.len());
            for (role, name) in columns.iter().zip(&names) {
                let label = formatter.text_with(
                    "admin-roles-cell",
                    &[
                        ("role", Arg::Text(name.as_str().into())),
                        ("permission", Arg::Text(description.as_str().into())),
                    ],
                )?;
                let held = shown
                    .posted
                    .get(&role.id())
                    .copied()
                    .unwrap_or_else(|| role.permissions())
                    .contains(permission);
                let kind = if !PermissionSet::allowed_for(role.side()).contains(permission) {
                    "none"
                } else if role.builtin_role() == Some(BuiltinRole::Owner) {
                    "fixed"
                } else {
                    "check"
                };
                cells.push(CellView {
                    kind,
                    checked: held,
                    value: format!("{}:{}", role.id(), permission.name()),
                    label,
                });
            }
            rows.push(RowView {
                name: permission.name(),
                description,
                cells,
            });
        }
        groups.push(GroupView {
            title_message: group_message(group),
            rows,
        });
    }

    let custom = columns
        .iter()
        .zip(&names)
        .filter(|(role, _)| role.builtin_role().is_none())
        .map(|(role, name)| CustomRoleView {
            id: role.id().to_string(),
            name: name.clone(),
            side_message: side_message(role.side()),
            error: shown
                .delete_error
                .as_ref()
                .filter(|(id, _)| *id == role.id())
                .map(|(_, message)| message.clone()),
        })
        .collect();
    Ok(GridView {
        staff_columns,
        client_columns: columns.len() - staff_columns,
        columns: columns
            .iter()
            .zip(names)
            .map(|(role, name)| ColumnView {
                id: role.id().to_string(),
                name,
                custom: role.builtin_role().is_none(),
                editable: role.builtin_role() != Some(BuiltinRole::Owner),
                at_fault: shown.grid_error_role == Some(role.id()),
            })
            .collect(),
        groups,
        grid_error: shown.grid_error,
        new_role: NewRoleView {
            name: shown.new_name,
            side: match shown.new_side {
                Some(Side::Client) => "client",
                Some(Side::Staff) | None => "staff",
            },
            error: shown.new_error,
        },
        custom,
    })
}
