//! `/me/mfa/…` and `/me/password`: the signed-in person's own second factor and password, for
//! staff and contacts alike. Each needs a browser session (an API key has no person to
//! protect) and, to change anything, a recent login (SEC-20). Secrets in these answers are
//! shown once and never cached (`Cache-Control: no-store` on every API answer).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portal_auth::password::Password;
use portal_auth::{AuthError, RecoveryCodes};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cookies;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Caller, ClientIp, UserAgent};
use crate::state::PortalState;

/// The caller's second-factor state.
#[derive(Debug, Serialize, ToSchema)]
pub struct MfaStatusView {
    /// Whether TOTP is confirmed and in force.
    pub enrolled: bool,
    /// How many recovery codes are unused.
    pub recovery_codes_left: u32,
}

/// What an authenticator app needs; shown once.
#[derive(Serialize, ToSchema)]
pub struct TotpSetupView {
    /// The `otpauth://totp/…` URI.
    pub otpauth_uri: String,
    /// The URI as a QR code (an SVG document).
    pub qr_svg: String,
    /// The secret in base32, for typing in by hand.
    pub secret: String,
}

impl std::fmt::Debug for TotpSetupView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSetupView([redacted])")
    }
}

/// A first code from the app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotpBody {
    /// The 6-digit code the app shows now.
    pub code: String,
}

/// Single-use recovery codes; shown once.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesView {
    /// Each works once in place of a TOTP code.
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for RecoveryCodesView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCodesView([redacted])")
    }
}

impl From<RecoveryCodes> for RecoveryCodesView {
    fn from(codes: RecoveryCodes) -> Self {
        Self {
            recovery_codes: codes.expose_secrets().map(str::to_owned).collect(),
        }
    }
}

/// The current and the new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    /// The password in use now.
    pub current_password: String,
    /// The new password.
    pub new_password: String,
}

impl std::fmt::Debug for ChangePasswordBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePasswordBody([redacted])")
    }
}

/// The caller's second-factor state.
#[utoipa::path(get, path = "/me/mfa", tag = "me",
    responses(
        (status = 200, body = MfaStatusView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a browser session", body = ErrorBody),
    ))]
pub async fn mfa_status(
    caller: Caller,
    State(state): State<PortalState>,
) -> Result<Json<MfaStatusView>, ApiError> {
    let status = state.mfa().status(caller.require_session()?).await?;
    Ok(Json(MfaStatusView {
        enrolled: status.enrolled,
        recovery_codes_left: status.recovery_codes_left,
    }))
}

/// Starts TOTP enrolment (a recent login, SEC-20): the app's URI, its QR code and the secret.
/// An unfinished enrolment is replaced; the factor is in force only once confirmed.
#[utoipa::path(post, path = "/me/mfa/totp", tag = "me",
    responses(
        (status = 200, body = TotpSetupView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a browser session, or `reauth_required`", body = ErrorBody),
        (status = 409, description = "Already enrolled: remove the factor first", body = ErrorBody),
    ))]
pub async fn begin_totp(
    caller: Caller,
    State(state): State<PortalState>,
) -> Result<Json<TotpSetupView>, ApiError> {
    let setup = state
        .mfa()
        .begin_enrolment(caller.require_session()?)
        .await?;
    Ok(Json(TotpSetupView {
        otpauth_uri: setup.otpauth_uri.to_string(),
        qr_svg: setup.qr_svg.to_string(),
        secret: setup.secret_base32.to_string(),
    }))
}

/// Confirms enrolment with a first code; answers the ten recovery codes, once.
#[utoipa::path(post, path = "/me/mfa/totp/confirm", tag = "me", request_body = ConfirmTotpBody,
    responses(
        (status = 200, body = RecoveryCodesView),
        (status = 401, description = "Wrong code", body = ErrorBody),
        (status = 403, description = "Not a browser session", body = ErrorBody),
        (status = 409, description = "Nothing to confirm, or already confirmed", body = ErrorBody),
        (status = 429, description = "Too many wrong codes", body = ErrorBody),
    ))]
pub async fn confirm_totp(
    caller: Caller,
    State(state): State<PortalState>,
    ApiJson(body): ApiJson<ConfirmTotpBody>,
) -> Result<Json<RecoveryCodesView>, ApiError> {
    let codes = state
        .mfa()
        .confirm_enrolment(caller.require_session()?, &body.code)
        .await?;
    Ok(Json(codes.into()))
}

/// Removes the caller's TOTP factor and recovery codes (a recent login, SEC-20).
#[utoipa::path(delete, path = "/me/mfa/totp", tag = "me",
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a browser session, or `reauth_required`", body = ErrorBody),
        (status = 409, description = "Not enrolled", body = ErrorBody),
    ))]
pub async fn remove_totp(
    caller: Caller,
    State(state): State<PortalState>,
) -> Result<StatusCode, ApiError> {
    state.mfa().remove(caller.require_session()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the caller's recovery codes (a recent login, SEC-20); the old ones stop working.
#[utoipa::path(post, path = "/me/mfa/recovery-codes", tag = "me",
    responses(
        (status = 200, body = RecoveryCodesView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a browser session, or `reauth_required`", body = ErrorBody),
        (status = 409, description = "Not enrolled", body = ErrorBody),
    ))]
pub async fn regenerate_recovery_codes(
    caller: Caller,
    State(state): State<PortalState>,
) -> Result<Json<RecoveryCodesView>, ApiError> {
    let codes = state
        .mfa()
        .regenerate_recovery_codes(caller.require_session()?)
        .await?;
    Ok(Json(codes.into()))
}

/// Changes the caller's password (the current one and a recent login required, SEC-20).
/// Every session of the account ends, this one too (SEC-19): the cookie is cleared and the
/// person signs in again with the new password. Wrong current passwords count as failed logins
/// of the account and the address, so guessing through a session is throttled like logging
/// in (SEC-10).
#[utoipa::path(post, path = "/me/password", tag = "me", request_body = ChangePasswordBody,
    responses(
        (status = 204, description = "Changed; signed out everywhere"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a browser session, or `reauth_required`", body = ErrorBody),
        (status = 422, description = "The current password is wrong, or the new one does not meet the policy", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords for the account or from the address; see `Retry-After`", body = ErrorBody),
    ))]
pub async fn change_password(
    caller: Caller,
    State(state): State<PortalState>,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> Result<Response, ApiError> {
    let changed = state
        .recovery()
        .change_password(
            caller.require_session()?,
            Password::new(body.current_password),
            Password::new(body.new_password),
            &ip.login_context(agent),
        )
        .await;
    match changed {
        Ok(()) => {}
        // The caller is signed in: a wrong current password is bad input, not a lost session.
        Err(AuthError::InvalidCredentials) => {
            return Err(ApiError::invalid(
                "current_password",
                "the current password is wrong",
            ));
        }
        Err(error) => return Err(error.into()),
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    cookies::append_set_cookie(&mut response, &crate::api::auth::clear_cookie(&state));
    Ok(response)
}
