//! `admin/api-keys`: the tenant's API keys (name, prefix, permissions, who made it, last use),
//! making one and revoking one, through the same key service as `POST /api-keys` and
//! `POST /api-keys/{id}/revoke` (`manage_api_keys`). Making a key needs a recent sign-in
//! (SEC-20): a stale one goes to the password prompt first. A key may only hold staff
//! permissions its maker holds; its secret is shown once, in the answer to the form.

use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::ApiKey;
use portal_core::{ApiKeyId, Permission, PermissionSet, Side};
use portal_storage::Page;
use serde::{Deserialize, Serialize};

use super::super::catalogue::CatalogueError;
use super::super::form::FormError;
use super::super::format::Formatter;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::names::{group_message, grouped, people, permission_message, person};
use super::{LIST_PAGE, NoFields, path_id, require};
use crate::api::staff::display_name;
use crate::api::staff::roles::permission_set;
use crate::error::ApiError;
use crate::extract::ClientIp;

const PATH: &str = "/admin/api-keys";
const TEMPLATE: &str = "admin/api_keys.html";

/// The new key's form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NewKeyFields {
    name: String,
    permissions: Vec<String>,
}

#[derive(Debug, Serialize)]
struct KeysPage {
    keys: Vec<KeyRow>,
    older: Option<String>,
    form: FormView,
    created: Option<Created>,
}

#[derive(Debug, Serialize)]
struct KeyRow {
    id: String,
    name: String,
    prefix: String,
    permissions: Vec<&'static str>,
    created_by: String,
    created: String,
    last_used: Option<String>,
    revoked: bool,
}

#[derive(Debug, Serialize)]
struct FormView {
    name: String,
    groups: Vec<PermissionGroupView>,
    error: Option<FormError>,
}

#[derive(Debug, Serialize)]
struct PermissionGroupView {
    title_message: &'static str,
    permissions: Vec<PermissionChoice>,
}

#[derive(Debug, Serialize)]
struct PermissionChoice {
    name: &'static str,
    description: String,
    checked: bool,
}

/// A key just made: its whole secret, shown this once.
#[derive(Debug, Serialize)]
struct Created {
    name: String,
    secret: String,
}

/// `GET admin/api-keys`.
pub(crate) async fn show(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    let cursor = super::cursor(query.as_deref());
    let fields = NewKeyFields::default();
    let result = render(&page, StatusCode::OK, cursor, &fields, None, None).await;
    super::answer(&page, result)
}

async fn render(
    page: &SignedPage,
    status: StatusCode,
    cursor: Option<portal_storage::Cursor>,
    fields: &NewKeyFields,
    error: Option<FormError>,
    created: Option<Created>,
) -> Result<Response, Failure> {
    require(page, Permission::ManageApiKeys)?;
    let formatter = page.formatter();
    let people = people(&page.state, &page.scope).await?;
    let page_size = Page::first(LIST_PAGE)
        .map_err(ApiError::from)?
        .after(cursor);
    let paged = page
        .state
        .stores()
        .api_keys
        .list_api_keys(&page.scope, page_size)
        .await?;
    let keys = paged
        .items
        .into_iter()
        .map(|key| row(&formatter, &people, key))
        .collect::<Result<_, CatalogueError>>()?;
    let older = paged
        .next
        .map(|next| format!("{}{PATH}?cursor={next}", page.page.base));
    let view = KeysPage {
        keys,
        older,
        form: FormView {
            name: fields.name.clone(),
            groups: offered(&formatter, &page.scope, &fields.permissions)?,
            error,
        },
        created,
    };
    Ok(page.render_status(status, TEMPLATE, view))
}

fn row(
    formatter: &Formatter<'_>,
    people: &std::collections::HashMap<portal_core::UserId, portal_core::model::User>,
    key: ApiKey,
) -> Result<KeyRow, CatalogueError> {
    Ok(KeyRow {
        id: key.id.to_string(),
        name: key.name.as_str().to_owned(),
        prefix: key.prefix,
        permissions: key.permissions.iter().map(Permission::name).collect(),
        created_by: person(people, key.created_by),
        created: formatter.date(key.created_at.date())?,
        last_used: formatter.day(key.last_used_at.map(|at| at.date()))?,
        revoked: key.revoked_at.is_some(),
    })
}

/// The permissions a new key may hold — the staff permissions the viewer holds — by area.
fn offered(
    formatter: &Formatter<'_>,
    scope: &portal_core::TenantScope,
    checked: &[String],
) -> Result<Vec<PermissionGroupView>, CatalogueError> {
    let holds = scope
        .permissions_in(None)
        .intersection(PermissionSet::allowed_for(Side::Staff));
    grouped(holds.iter())
        .into_iter()
        .map(|(group, permissions)| {
            Ok(PermissionGroupView {
                title_message: group_message(group),
                permissions: permissions
                    .into_iter()
                    .map(|permission| {
                        Ok(PermissionChoice {
                            name: permission.name(),
                            description: formatter.text(&permission_message(permission))?,
                            checked: checked.iter().any(|name| name == permission.name()),
                        })
                    })
                    .collect::<Result<_, CatalogueError>>()?,
            })
        })
        .collect()
}

/// `POST admin/api-keys`: makes a key and shows its secret once.
pub(crate) async fn create(ip: ClientIp, form: PageForm<NewKeyFields>) -> Response {
    let PageForm { page, fields } = form;
    let result = create_key(&page, ip, &fields).await;
    super::answer(&page, result)
}

async fn create_key(
    page: &SignedPage,
    ip: ClientIp,
    fields: &NewKeyFields,
) -> Result<Response, Failure> {
    require(page, Permission::ManageApiKeys)?;
    // A stale sign-in confirms the password first, before anything is checked or made.
    page.state
        .sessions()
        .require_recent_authentication(&page.signed_in.authenticated)?;
    let made = match (
        display_name("name", &fields.name),
        permission_set(&fields.permissions),
    ) {
        (Ok(name), Ok(permissions)) => page
            .state
            .api_keys()
            .create(
                &page.signed_in.authenticated,
                name,
                permissions,
                &ip.audit(),
            )
            .await
            .map_err(ApiError::from),
        (Err(error), _) | (_, Err(error)) => Err(error),
    };
    match made {
        Ok(issued) => {
            let created = Created {
                name: issued.key.name.as_str().to_owned(),
                secret: issued.expose_secret().to_owned(),
            };
            let empty = NewKeyFields::default();
            render(page, StatusCode::CREATED, None, &empty, None, Some(created)).await
        }
        Err(error) => {
            let error = match page.form_error(error) {
                Ok(error) => error,
                Err(response) => return Ok(response),
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(page, status, None, fields, Some(error), None).await
        }
    }
}

/// `POST admin/api-keys/{key_id}/revoke`: the key stops working at once.
pub(crate) async fn revoke(
    ip: ClientIp,
    Path(key_id): Path<String>,
    form: PageForm<NoFields>,
) -> Response {
    let page = form.page;
    let result = revoke_key(&page, ip, &key_id).await;
    super::answer(&page, result)
}

async fn revoke_key(page: &SignedPage, ip: ClientIp, key_id: &str) -> Result<Response, Failure> {
    require(page, Permission::ManageApiKeys)?;
    let id: ApiKeyId = path_id(key_id)?;
    page.state
        .api_keys()
        .revoke(&page.scope, id, &ip.audit())
        .await?;
    Ok(page.redirect_with_notice(PATH, "notice-admin-api-keys-revoked"))
}
