//! Passkeys from the pages: the account's list (add, rename, revoke) and signing in with one.
//! The same `Passkeys` calls the auth crate offers any host; `passkey.js` runs the browser's
//! half (`navigator.credentials.create` / `.get`).
//!
//! - `GET account/passkeys`: the person's passkeys — name, added, last used — with a form to add
//!   one and, per passkey, forms to rename and revoke it.
//! - `POST account/passkeys/options` (a recent sign-in, SEC-20): JSON — the ceremony's handle and
//!   the options for `navigator.credentials.create`. A stale sign-in answers 403 with the
//!   password prompt's address, where the script goes.
//! - `POST account/passkeys`: the name, the handle and the browser's answer (JSON) store the
//!   passkey; a 303 back to the list.
//! - `POST account/passkeys/{id}/rename`, `POST account/passkeys/{id}/revoke` (a recent sign-in).
//! - `POST login/passkey/options`: JSON — a sign-in ceremony's handle and the options for
//!   `navigator.credentials.get`, with no credential list: the browser offers the passkeys it
//!   holds for the site, so nobody types an email.
//! - `POST login/passkey`: the handle and the browser's assertion (JSON) sign in, ending as a
//!   password sign-in ends (a 303 with the new session's cookie). Every refusal shows the
//!   sign-in form with one message (SEC-08).
//!
//! Every POST is a form post (`application/x-www-form-urlencoded`) carrying the form token, the
//! session's or the pre-login one, checked before anything else (SEC-31); the script sends the
//! options requests the same way, so the JSON endpoints are no easier to forge than a form.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portal_auth::passkey::{PublicKeyCredential, RegisterPublicKeyCredential};
use portal_auth::{AuthError, RelyingParty};
use portal_core::PasskeyId;
use portal_core::model::Tenant;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::super::form::FormError;
use super::super::login::{finish_sign_in, message, pre_login_page, retry_after_header, throttled};
use super::super::page::{PageError, PageRequest};
use super::super::signed::{CONFIRM_PATH, PageForm, SignedPage};
use super::overview::moment;
use super::pre_login::PreLoginForm;
use super::{NoFields, enrolment, refuse_in_preview};
use crate::error::ApiError;
use crate::extract::{ClientIp, UserAgent};
use crate::state::PortalState;

/// The passkeys page.
pub(crate) const PASSKEYS_PATH: &str = "/account/passkeys";

/// The fields that store a new passkey.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(super) struct AddFields {
    name: String,
    ceremony: String,
    credential: String,
}

/// The field that renames a passkey.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(super) struct RenameFields {
    name: String,
}

/// The fields that sign in with a passkey.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(super) struct SignInFields {
    ceremony: String,
    credential: String,
}

/// The passkeys page.
#[derive(Debug, Serialize)]
struct ListView {
    passkeys: Vec<PasskeyItem>,
    /// The tenant requires a second factor of this person.
    required: bool,
    writable: bool,
    /// The name as typed, when adding failed.
    name: String,
    error: Option<FormError>,
}

/// One passkey of the list.
#[derive(Debug, Serialize)]
struct PasskeyItem {
    id: String,
    name: String,
    added: String,
    last_used: Option<String>,
}

/// The sign-in form's view after a refused passkey (the fields `login.html` reads).
#[derive(Debug, Serialize)]
struct LoginView {
    email: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

/// The relying party of the request's tenant: its public base (custom domain first) and name.
fn relying_party(state: &PortalState, tenant: &Tenant) -> Result<RelyingParty, AuthError> {
    RelyingParty::new(
        &state.links().tenant_base(tenant),
        tenant.branding.display_name.as_str(),
    )
}

/// `GET account/passkeys`.
pub(super) async fn show(page: SignedPage) -> Response {
    list_page(&page, StatusCode::OK, String::new(), None).await
}

/// `POST account/passkeys/options`: JSON for `navigator.credentials.create`.
pub(super) async fn registration_options(
    State(state): State<PortalState>,
    form: PageForm<NoFields>,
) -> Response {
    let PageForm { page, .. } = form;
    if page.scope.is_read_only() {
        return ApiError::Forbidden.into_response();
    }
    let begun = match relying_party(&state, &page.page.tenant) {
        Ok(rp) => {
            state
                .passkeys()
                .begin_registration(&page.signed_in.authenticated, &rp)
                .await
        }
        Err(error) => Err(error),
    };
    match begun {
        Ok(begun) => Json(json!({
            "ceremony": begun.handle.expose_secret(),
            "options": begun.options,
        }))
        .into_response(),
        // The script sends the person to the password prompt, which returns here.
        Err(AuthError::ReauthRequired) => (
            StatusCode::FORBIDDEN,
            Json(json!({
                "error": { "code": "reauth_required" },
                "confirm": format!("{}{CONFIRM_PATH}?next={PASSKEYS_PATH}", page.page.base),
            })),
        )
            .into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// `POST account/passkeys`: stores the passkey the browser made.
pub(super) async fn add(State(state): State<PortalState>, form: PageForm<AddFields>) -> Response {
    let PageForm { page, fields } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let Ok(credential) = serde_json::from_str::<RegisterPublicKeyCredential>(&fields.credential)
    else {
        return refused(&page, fields.name, "account-passkey-failed", None).await;
    };
    let rp = match relying_party(&state, &page.page.tenant) {
        Ok(rp) => rp,
        Err(error) => return page.fail(error),
    };
    let added = state
        .passkeys()
        .finish_registration(
            &page.signed_in.authenticated,
            &rp,
            &fields.ceremony,
            &fields.name,
            &credential,
        )
        .await;
    match added {
        Ok(_) => page.redirect_with_notice(PASSKEYS_PATH, "notice-account-passkey-added"),
        Err(AuthError::ReauthRequired) => page.confirm_first(PASSKEYS_PATH),
        Err(AuthError::InvalidPasskeyRegistration) => {
            refused(&page, fields.name, "account-passkey-failed", None).await
        }
        Err(AuthError::PasskeyAlreadyRegistered) => {
            refused(&page, fields.name, "account-passkey-known", None).await
        }
        Err(AuthError::Store(portal_storage::StoreError::Invalid(_))) => {
            refused(
                &page,
                fields.name,
                "account-passkey-name-invalid",
                Some("name"),
            )
            .await
        }
        Err(error) => page.fail(error),
    }
}

/// `POST account/passkeys/{id}/rename`.
pub(super) async fn rename(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    form: PageForm<RenameFields>,
) -> Response {
    let PageForm { page, fields } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let Ok(id) = id.parse::<PasskeyId>() else {
        return page.fail(ApiError::NotFound);
    };
    match state
        .passkeys()
        .rename(&page.signed_in.authenticated, id, &fields.name)
        .await
    {
        Ok(_) => page.redirect_with_notice(PASSKEYS_PATH, "notice-account-passkey-renamed"),
        Err(AuthError::Store(portal_storage::StoreError::Invalid(_))) => {
            refused(&page, String::new(), "account-passkey-name-invalid", None).await
        }
        Err(error) => page.fail(error),
    }
}

/// `POST account/passkeys/{id}/revoke` (a recent sign-in): the passkey stops working at once.
pub(super) async fn revoke(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    form: PageForm<NoFields>,
) -> Response {
    let PageForm { page, .. } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let Ok(id) = id.parse::<PasskeyId>() else {
        return page.fail(ApiError::NotFound);
    };
    match state
        .passkeys()
        .revoke(&page.signed_in.authenticated, id)
        .await
    {
        Ok(()) => page.redirect_with_notice(PASSKEYS_PATH, "notice-account-passkey-revoked"),
        Err(AuthError::ReauthRequired) => page.confirm_first(PASSKEYS_PATH),
        Err(error) => page.fail(error),
    }
}

/// `POST login/passkey/options`: JSON for `navigator.credentials.get`.
pub(super) async fn sign_in_options(
    State(state): State<PortalState>,
    form: PreLoginForm<NoFields>,
) -> Response {
    let tenant = &form.page.tenant;
    let begun = match relying_party(&state, tenant) {
        Ok(rp) => state.passkeys().begin_sign_in(tenant.id, &rp).await,
        Err(error) => Err(error),
    };
    match begun {
        Ok(begun) => Json(json!({
            "ceremony": begun.handle.expose_secret(),
            "options": begun.options,
        }))
        .into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// `POST login/passkey`: signs in with the browser's assertion.
pub(super) async fn sign_in(
    State(state): State<PortalState>,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    form: PreLoginForm<SignInFields>,
) -> Response {
    let PreLoginForm {
        page,
        headers,
        fields,
    } = form;
    // A malformed answer is a refusal like any other.
    let outcome = match (
        serde_json::from_str::<PublicKeyCredential>(&fields.credential),
        relying_party(&state, &page.tenant),
    ) {
        (Ok(credential), Ok(rp)) => {
            state
                .passkeys()
                .finish_sign_in(
                    page.tenant.id,
                    &rp,
                    &fields.ceremony,
                    &credential,
                    ip.login_context(agent),
                )
                .await
        }
        (Err(_), _) => Err(AuthError::InvalidCredentials),
        (_, Err(error)) => Err(error),
    };
    let (status, text, retry_after) = match outcome {
        Ok(success) => return finish_sign_in(&state, &page, &headers, &success, None).await,
        Err(AuthError::InvalidCredentials) => (
            StatusCode::UNAUTHORIZED,
            message(&page, "login-passkey-failed", &[]),
            None,
        ),
        Err(AuthError::Throttled { retry_after }) => {
            let seconds = retry_after.whole_seconds().max(1);
            (
                StatusCode::TOO_MANY_REQUESTS,
                throttled(&page, seconds),
                Some(seconds),
            )
        }
        Err(error) => return page.error(PageError::internal(error)),
    };
    login_again(&page, &headers, status, text, retry_after)
}

/// The sign-in form again with a message.
fn login_again(
    page: &PageRequest,
    headers: &axum::http::HeaderMap,
    status: StatusCode,
    text: Result<String, PageError>,
    retry_after: Option<i64>,
) -> Response {
    let text = match text {
        Ok(text) => text,
        Err(error) => return page.error(error),
    };
    let mut response = pre_login_page(
        page,
        headers,
        status,
        "login.html",
        LoginView {
            email: String::new(),
            error: Some(text),
            notice: None,
        },
    );
    if let Some(seconds) = retry_after {
        retry_after_header(&mut response, seconds);
    }
    response
}

/// The list again with a form's error (422).
async fn refused(page: &SignedPage, name: String, id: &str, field: Option<&str>) -> Response {
    match FormError::new(&page.formatter(), field, id, &[]) {
        Ok(error) => list_page(page, StatusCode::UNPROCESSABLE_ENTITY, name, Some(error)).await,
        Err(error) => page.fail(error),
    }
}

/// The passkeys page with `status`.
async fn list_page(
    page: &SignedPage,
    status: StatusCode,
    name: String,
    error: Option<FormError>,
) -> Response {
    let authenticated = &page.signed_in.authenticated;
    let passkeys = match page.state.passkeys().list(authenticated).await {
        Ok(passkeys) => passkeys,
        Err(error) => return page.fail(error),
    };
    let formatter = page.formatter();
    let mut items = Vec::with_capacity(passkeys.len());
    for passkey in passkeys {
        let added = match moment(&formatter, passkey.created_at) {
            Ok(added) => added,
            Err(error) => return page.fail(error),
        };
        let last_used = match passkey
            .last_used_at
            .map(|at| moment(&formatter, at))
            .transpose()
        {
            Ok(last_used) => last_used,
            Err(error) => return page.fail(error),
        };
        items.push(PasskeyItem {
            id: passkey.id.to_string(),
            name: passkey.name.as_str().to_owned(),
            added,
            last_used,
        });
    }
    page.render_status(
        status,
        "account/passkeys.html",
        ListView {
            passkeys: items,
            required: enrolment::required(&page.page.tenant, &authenticated.scope),
            writable: !page.scope.is_read_only(),
            name,
            error,
        },
    )
}
