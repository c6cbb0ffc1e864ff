//! The JSON API under `/api/v1`, one module per area. Every handler is registered through
//! [`utoipa_axum`], so the OpenAPI document lists exactly the routes that exist.

pub mod approvals;
pub mod auth;
pub mod client_views;
pub mod content;
pub mod dashboard;
pub mod documents;
pub mod invoices;
pub mod me;
pub mod notifications;
mod openapi;
pub mod paging;
pub mod requests;
pub mod staff;
pub mod sync;
pub mod threads;
pub mod work;

use axum::Extension;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::PortalState;

/// The document's frame: title, version, tags.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Client portal API",
        description = "Every act of the client portal. Sessions travel in the `__Host-portal_session` cookie; integrations send `Authorization: Bearer ptk_…`."
    ),
    tags(
        (name = "auth", description = "Login, second factor, magic links, reset, invitations"),
        (name = "me", description = "The caller, their preferences and their sessions"),
        (name = "work", description = "The dashboard, projects, milestones, deliverables, updates, decisions and tasks"),
        (name = "approvals", description = "Approvals: list, and decide on the exact version"),
        (name = "documents", description = "Shared documents: streaming upload, versions, download"),
        (name = "requests", description = "Client requests and their conversations"),
        (name = "conversation", description = "Message threads on projects, deliverables and other objects"),
        (name = "finance", description = "Invoices, for finance roles"),
        (name = "sync", description = "Batch upserts by external id for integrations, with idempotency keys"),
        (name = "staff", description = "The team's side: clients and their exports, people, roles, work, invoices, share links, branding, audit, API keys, webhooks, adoption analytics"),
        (name = "meta", description = "The API itself"),
    )
)]
struct ApiDoc;

/// The API's routes under `/api/v1`, and its OpenAPI document.
pub(crate) fn routes() -> (axum::Router<PortalState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::<PortalState>::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::mfa))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::request_magic_link))
        .routes(routes!(auth::redeem_magic_link))
        .routes(routes!(auth::request_reset))
        .routes(routes!(auth::complete_reset))
        .routes(routes!(auth::inspect_invitation))
        .routes(routes!(auth::accept_invitation))
        .routes(routes!(me::me, me::update_me))
        .routes(routes!(me::sessions))
        .routes(routes!(me::revoke_session))
        .routes(routes!(notifications::mail_preferences))
        .routes(routes!(notifications::set_mail_preference))
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::unread_count))
        .routes(routes!(notifications::mark_read))
        // client work routes: begin
        .routes(routes!(dashboard::dashboard))
        .routes(routes!(work::list_projects))
        .routes(routes!(work::get_project))
        .routes(routes!(work::list_milestones))
        .routes(routes!(work::get_milestone))
        .routes(routes!(work::list_deliverables))
        .routes(routes!(work::get_deliverable))
        .routes(routes!(content::list_updates))
        .routes(routes!(content::list_decisions))
        .routes(routes!(content::list_tasks))
        .routes(routes!(content::complete_task))
        .routes(routes!(content::reopen_task))
        .routes(routes!(approvals::list_approvals))
        .routes(routes!(approvals::get_approval))
        .routes(routes!(approvals::decide_approval))
        .routes(routes!(requests::list_requests, requests::submit_request))
        .routes(routes!(requests::get_request))
        .routes(routes!(requests::reopen_request))
        .routes(routes!(requests::move_request))
        .routes(routes!(
            requests::list_request_messages,
            requests::reply_to_request
        ))
        .routes(routes!(threads::list_messages, threads::post_message))
        .routes(routes!(invoices::list_invoices))
        .routes(routes!(invoices::get_invoice))
        // client work routes: end
        // document routes: begin
        .routes(routes!(documents::list_documents))
        .routes(routes!(
            documents::list_project_documents,
            documents::upload::upload_document
        ))
        .routes(routes!(documents::get_document))
        .routes(routes!(
            documents::list_versions,
            documents::upload::upload_version
        ))
        .routes(routes!(
            documents::resumable::upload_options,
            documents::resumable::create_upload
        ))
        .routes(routes!(
            documents::resumable::upload_offset,
            documents::resumable::append_upload,
            documents::resumable::cancel_upload
        ))
        .routes(routes!(documents::download::download_latest))
        .routes(routes!(documents::download::download_version))
        // document routes: end
        // staff routes: begin
        .routes(routes!(
            staff::clients::list_clients,
            staff::clients::create_client
        ))
        .routes(routes!(
            staff::clients::get_client,
            staff::clients::update_client
        ))
        .routes(routes!(staff::clients::archive_client))
        .routes(routes!(staff::clients::restore_client))
        .routes(routes!(staff::client_export::export_client))
        .routes(routes!(staff::clients::offboard_client))
        .routes(routes!(staff::clients::erase_client))
        .routes(routes!(
            staff::branding::set_client_branding,
            staff::branding::clear_client_branding
        ))
        .routes(routes!(
            staff::people::list_users,
            staff::people::create_user
        ))
        .routes(routes!(staff::people::get_user))
        .routes(routes!(staff::people::rename_user))
        .routes(routes!(staff::people::disable_user))
        .routes(routes!(staff::people::enable_user))
        .routes(routes!(
            staff::people::list_memberships,
            staff::people::add_membership
        ))
        .routes(routes!(staff::people::remove_membership))
        .routes(routes!(staff::people::change_role))
        .routes(routes!(staff::people::assign_clients))
        .routes(routes!(
            staff::people::list_invitations,
            staff::people::invite
        ))
        .routes(routes!(staff::people::revoke_invitation))
        .routes(routes!(staff::roles::list_roles, staff::roles::create_role))
        .routes(routes!(staff::roles::delete_role))
        .routes(routes!(staff::roles::set_role_permissions))
        .routes(routes!(staff::roles::list_permissions))
        .routes(routes!(staff::roles::permission_matrix))
        .routes(routes!(staff::work::create_project))
        .routes(routes!(staff::work::update_project))
        .routes(routes!(staff::work::set_project_visibility))
        .routes(routes!(staff::work::create_milestone))
        .routes(routes!(staff::work::update_milestone))
        .routes(routes!(staff::work::move_milestone))
        .routes(routes!(staff::work::set_milestone_visibility))
        .routes(routes!(staff::work::create_deliverable))
        .routes(routes!(staff::work::update_deliverable))
        .routes(routes!(staff::work::move_deliverable))
        .routes(routes!(staff::work::set_deliverable_visibility))
        .routes(routes!(staff::content::create_update))
        .routes(routes!(staff::content::set_update_visibility))
        .routes(routes!(staff::content::create_decision))
        .routes(routes!(staff::content::set_decision_visibility))
        .routes(routes!(staff::content::create_task))
        .routes(routes!(staff::content::set_task_visibility))
        .routes(routes!(staff::approvals::request_approval))
        .routes(routes!(staff::approvals::cancel_approval))
        .routes(routes!(staff::invoices::create_invoice))
        .routes(routes!(staff::invoices::update_invoice))
        .routes(routes!(
            staff::share_links::list_share_links,
            staff::share_links::create_share_link
        ))
        .routes(routes!(staff::share_links::revoke_share_link))
        .routes(routes!(
            staff::branding::get_branding,
            staff::branding::update_branding
        ))
        .routes(routes!(staff::branding::add_domain))
        .routes(routes!(staff::branding::remove_domain))
        .routes(routes!(staff::branding::set_mfa_policy))
        .routes(routes!(staff::audit::list_audit_events))
        .routes(routes!(staff::audit::export_audit_log))
        .routes(routes!(
            staff::api_keys::list_api_keys,
            staff::api_keys::create_api_key
        ))
        .routes(routes!(staff::api_keys::revoke_api_key))
        .routes(routes!(
            staff::webhooks::list_webhooks,
            staff::webhooks::create_webhook
        ))
        .routes(routes!(
            staff::webhooks::get_webhook,
            staff::webhooks::update_webhook,
            staff::webhooks::delete_webhook
        ))
        .routes(routes!(staff::webhooks::rotate_webhook_secret))
        .routes(routes!(staff::webhooks::list_deliveries))
        .routes(routes!(staff::webhooks::get_delivery))
        .routes(routes!(staff::webhooks::redeliver))
        .routes(routes!(staff::account::mfa_status))
        .routes(routes!(
            staff::account::begin_totp,
            staff::account::remove_totp
        ))
        .routes(routes!(staff::account::confirm_totp))
        .routes(routes!(staff::account::regenerate_recovery_codes))
        .routes(routes!(staff::account::change_password))
        .routes(routes!(staff::analytics::list_client_adoption))
        .routes(routes!(staff::analytics::get_client_adoption))
        // staff routes: end
        // sync routes: begin
        .routes(routes!(sync::sync_batch))
        // sync routes: end
        .routes(routes!(openapi_document));
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .split_for_parts();
    openapi::complete(&mut document, &documents::download::served_media_types());
    (router, document)
}

/// The API's OpenAPI 3.1 document as JSON: what `GET /api/v1/openapi.json` answers. It is
/// built from the registered routes alone, so it needs no state; `docs/openapi.json` is this
/// value, pretty-printed, and a test keeps the two equal.
///
/// # Errors
/// If the document cannot be turned into JSON, which the tests rule out.
pub fn openapi_json() -> Result<serde_json::Value, serde_json::Error> {
    let (_, document) = routes();
    serde_json::to_value(&document)
}

/// The generated OpenAPI document as JSON, serialised once when the router is built and
/// shared by every request.
#[derive(Debug, Clone)]
pub struct OpenApiDocument(pub bytes::Bytes);

impl OpenApiDocument {
    /// The document of `openapi` (an empty object, logged, if it could not be serialised —
    /// which the tests rule out).
    pub(crate) fn of(openapi: &utoipa::openapi::OpenApi) -> Self {
        let json = serde_json::to_vec(openapi).unwrap_or_else(|error| {
            tracing::error!(%error, "the OpenAPI document could not be serialised");
            b"{}".to_vec()
        });
        Self(json.into())
    }
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API")))]
pub async fn openapi_document(
    Extension(OpenApiDocument(document)): Extension<OpenApiDocument>,
) -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        document,
    )
}
