//! The team's settings under `admin/`: a hub, roles and the permission matrix, the tenant's and
//! each client's look, the client preview, the audit log, share links, API keys and webhooks.
//!
//! Every page reads and writes through the stores (or the API's own functions) with the page's
//! scope, so it can never show or do more than the JSON API would. Each section answers the
//! branded 404 to a role without its permission — and to every client preview, which is
//! read-only and has no settings.

mod api_keys;
mod audit;
mod branding;
mod css_removed;
mod hub;
mod names;
pub(crate) mod preview;
mod roles;
mod share_links;
mod webhooks;

use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use portal_auth::Authenticated;
use portal_core::{Permission, TenantScope};
use serde::Deserialize;

use super::nav::holds_somewhere;
use super::page::PageError;
use super::signed::{Failure, SignedPage};
use crate::api::staff::StaffCaller;
use crate::extract::{Caller, CallerVia};
use crate::state::PortalState;

/// This area's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/admin", get(hub::show))
        .route("/admin/roles", get(roles::show).post(roles::save))
        .route("/admin/roles/new", post(roles::create))
        .route("/admin/roles/{role_id}/delete", post(roles::delete))
        .route(
            "/admin/branding",
            get(branding::show).post(branding::submit),
        )
        .route("/admin/branding/preview.css", get(branding::preview_css))
        .route("/admin/branding/clients", get(branding::clients))
        .route(
            "/admin/branding/clients/{client_id}",
            get(branding::client_show).post(branding::client_submit),
        )
        .route(
            "/admin/branding/clients/{client_id}/clear",
            post(branding::client_clear),
        )
        .route("/admin/preview", get(preview::show).post(preview::start))
        .route("/admin/preview/end", post(preview::end))
        .route("/admin/audit", get(audit::show))
        .route("/admin/audit/export", get(audit::export))
        .route(
            "/admin/share-links",
            get(share_links::show).post(share_links::create),
        )
        .route(
            "/admin/share-links/{link_id}/revoke",
            post(share_links::revoke),
        )
        .route(
            "/admin/api-keys",
            get(api_keys::show).post(api_keys::create),
        )
        .route("/admin/api-keys/{key_id}/revoke", post(api_keys::revoke))
        .route(
            "/admin/webhooks",
            get(webhooks::show).post(webhooks::create),
        )
        .route(
            "/admin/webhooks/{webhook_id}",
            get(webhooks::endpoint::show).post(webhooks::endpoint::update),
        )
        .route(
            "/admin/webhooks/{webhook_id}/secret",
            post(webhooks::endpoint::rotate),
        )
        .route(
            "/admin/webhooks/{webhook_id}/delete",
            get(webhooks::endpoint::confirm_delete).post(webhooks::endpoint::delete),
        )
        .route(
            "/admin/webhook-deliveries/{delivery_id}",
            get(webhooks::delivery::show),
        )
        .route(
            "/admin/webhook-deliveries/{delivery_id}/redeliver",
            post(webhooks::delivery::redeliver),
        )
}

/// This area's templates: `(name, compiled-in source)`, by page family.
pub(crate) const TEMPLATES: &[&[(&str, &str)]] = &[&[
    (
        "admin/hub.html",
        include_str!("../../../templates/admin/hub.html"),
    ),
    (
        "admin/roles.html",
        include_str!("../../../templates/admin/roles.html"),
    ),
    (
        "admin/branding.html",
        include_str!("../../../templates/admin/branding.html"),
    ),
    (
        "admin/look_fields.html",
        include_str!("../../../templates/admin/look_fields.html"),
    ),
    (
        "admin/css_removed.html",
        include_str!("../../../templates/admin/css_removed.html"),
    ),
    (
        "admin/brand_sample.html",
        include_str!("../../../templates/admin/brand_sample.html"),
    ),
    (
        "admin/clients.html",
        include_str!("../../../templates/admin/clients.html"),
    ),
    (
        "admin/client_branding.html",
        include_str!("../../../templates/admin/client_branding.html"),
    ),
    (
        "admin/preview.html",
        include_str!("../../../templates/admin/preview.html"),
    ),
    (
        "admin/audit.html",
        include_str!("../../../templates/admin/audit.html"),
    ),
    (
        "admin/share_links.html",
        include_str!("../../../templates/admin/share_links.html"),
    ),
    (
        "admin/api_keys.html",
        include_str!("../../../templates/admin/api_keys.html"),
    ),
    (
        "admin/webhook_fields.html",
        include_str!("../../../templates/admin/webhook_fields.html"),
    ),
    (
        "admin/webhook_secret.html",
        include_str!("../../../templates/admin/webhook_secret.html"),
    ),
    (
        "admin/webhooks.html",
        include_str!("../../../templates/admin/webhooks.html"),
    ),
    (
        "admin/webhook.html",
        include_str!("../../../templates/admin/webhook.html"),
    ),
    (
        "admin/webhook_delete.html",
        include_str!("../../../templates/admin/webhook_delete.html"),
    ),
    (
        "admin/webhook_delivery.html",
        include_str!("../../../templates/admin/webhook_delivery.html"),
    ),
]];

/// The most rows one list page shows.
const LIST_PAGE: u32 = 50;

/// A form with nothing but its token (revoke, delete, end the preview).
#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

/// `Ok` when the page's scope may use a section guarded by `permission` — a member of staff,
/// not in a preview, holding it anywhere — else the branded 404 (SEC-26: a section the viewer
/// may not use does not exist for them).
fn require(page: &SignedPage, permission: Permission) -> Result<(), Failure> {
    if may_use(&page.scope, permission) {
        Ok(())
    } else {
        Err(PageError::NotFound.into())
    }
}

/// Whether `scope` may use a section guarded by `permission`.
fn may_use(scope: &TenantScope, permission: Permission) -> bool {
    scope.is_staff_side() && !scope.is_read_only() && holds_somewhere(scope, permission)
}

/// An id from a path segment; anything that is not one is the branded 404, like an unknown id.
fn path_id<T: std::str::FromStr>(text: &str) -> Result<T, Failure> {
    text.parse::<T>()
        .map_err(|_| Failure::Page(PageError::NotFound))
}

/// The `cursor` of a list page's query, if one was given and is well-formed; a malformed one
/// starts from the top (it only ever comes from the page's own "older" link).
fn cursor(query: Option<&str>) -> Option<portal_storage::Cursor> {
    query_value(query, "cursor").and_then(|text| text.parse().ok())
}

/// The value of `name` in a query string, percent-decoded.
fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_html_form::from_str(query.unwrap_or_default()).ok()?;
    pairs
        .into_iter()
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// The page's answer, or the one its failure needs.
fn answer(page: &SignedPage, result: Result<Response, Failure>) -> Response {
    result.unwrap_or_else(|failure| page.fail(failure))
}

/// The page's viewer as the API's staff caller, for an API function the page calls exactly as
/// the API route does (same checks, same audit).
fn api_caller(page: &SignedPage) -> StaffCaller {
    StaffCaller(Caller {
        scope: page.scope.clone(),
        via: CallerVia::Session(Box::new(Authenticated {
            session: page.signed_in.authenticated.session.clone(),
            scope: page.scope.clone(),
        })),
    })
}
