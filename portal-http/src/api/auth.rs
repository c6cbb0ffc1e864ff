//! `/auth/…`: login (password, second factor, magic link), logout, password reset and accepting
//! an invitation. Sessions live in the `__Host-` cookie only (SEC-15, SEC-16).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use portal_auth::password::Password;
use portal_auth::{LoginOutcome, LoginSuccess};
use portal_core::model::Tenant;
use portal_core::{DisplayName, TenantId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::cookies;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ClientIp, UserAgent};
use crate::state::PortalState;
use crate::tenant::RequestTenant;

/// An email and a password.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The account's email.
    pub email: String,
    /// The password.
    pub password: String,
}

/// A finished or half-finished login.
#[derive(Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoginResponse {
    /// Signed in: the session cookie is set.
    SignedIn {
        /// The tenant requires a second factor the user has not set up: go to enrolment first.
        must_enrol_mfa: bool,
    },
    /// The password (or link) was right; send the challenge with a code to `/auth/mfa`.
    SecondFactorRequired {
        /// The single-use token of this pending login.
        challenge: String,
        /// When the pending login lapses.
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
    },
}

/// The second step of a login.
#[derive(Deserialize, ToSchema)]
pub struct MfaRequest {
    /// The challenge from the first step.
    pub challenge: String,
    /// A 6-digit TOTP code or a recovery code.
    pub code: String,
}

/// An email to send a link to.
#[derive(Deserialize, ToSchema)]
pub struct EmailRequest {
    /// The account's email.
    pub email: String,
}

/// A token from a mailed link.
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// The `token` of the link.
    pub token: String,
}

/// A reset link's token and the new password.
#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    /// The `token` of the link.
    pub token: String,
    /// The new password.
    pub password: String,
}

/// Accepting an invitation.
#[derive(Deserialize, ToSchema)]
pub struct AcceptInvitationRequest {
    /// The `token` of the invitation link.
    pub token: String,
    /// The name to show (for a new account).
    pub name: String,
    /// The password to set.
    pub password: String,
}

/// What an invitation link is for.
#[derive(Serialize, ToSchema)]
pub struct InvitationInfo {
    /// Who is invited.
    pub email: String,
    /// Whether it joins a client (`true`) or the staff.
    pub joins_client: bool,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// Logs in with an email and a password. Signing in ends the session of a cookie sent along, if
/// it is one of this tenant (SEC-13).
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in, or a second factor is due", body = LoginResponse),
        (status = 401, description = "Wrong email or password (always the same answer)", body = ErrorBody),
        (status = 429, description = "Throttled", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    jar: CookieJar,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let outcome = state
        .authenticator()
        .login(
            tenant.id,
            &body.email,
            Password::new(body.password),
            ip.login_context(agent),
        )
        .await?;
    Ok(outcome_response(&state, tenant.id, &jar, outcome).await)
}

/// Completes a login with a TOTP or recovery code; like `/auth/login`, it ends the session of a
/// cookie of this tenant sent along.
#[utoipa::path(post, path = "/auth/mfa", tag = "auth", request_body = MfaRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Wrong, used or expired code or challenge", body = ErrorBody),
        (status = 429, description = "Too many wrong codes: wait for the next step", body = ErrorBody),
    ))]
pub async fn mfa(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    jar: CookieJar,
    ApiJson(body): ApiJson<MfaRequest>,
) -> Result<Response, ApiError> {
    let success = state
        .mfa()
        .complete_login(
            tenant.id,
            &body.challenge,
            &body.code,
            ip.login_context(agent),
        )
        .await?;
    Ok(signed_in(&state, tenant.id, &jar, &success).await)
}

/// Ends the caller's session and clears the cookie.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204, description = "Logged out (also when there was no session)")))]
pub async fn logout(
    State(state): State<PortalState>,
    jar: CookieJar,
) -> Result<Response, ApiError> {
    let name = state.config().session_cookie_name();
    if let Some(cookie) = jar.get(name) {
        state.sessions().logout(cookie.value()).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    cookies::append_set_cookie(&mut response, &clear_cookie(&state));
    Ok(response)
}

/// Mails a magic sign-in link. Always 202, whether or not the email exists (SEC-09).
#[utoipa::path(post, path = "/auth/magic-link", tag = "auth", request_body = EmailRequest,
    responses((status = 202, description = "If the email belongs to an account, a link is on its way")))]
pub async fn request_magic_link(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    ip: ClientIp,
    ApiJson(body): ApiJson<EmailRequest>,
) -> StatusCode {
    detached_link_request(state, tenant, ip, body.email, LinkKind::MagicLink)
}

/// Signs in with a magic link's token.
#[utoipa::path(post, path = "/auth/magic-link/redeem", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in, or a second factor is due", body = LoginResponse),
        (status = 401, description = "Invalid, used or expired link", body = ErrorBody),
    ))]
pub async fn redeem_magic_link(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    jar: CookieJar,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Response, ApiError> {
    let outcome = state
        .recovery()
        .redeem_magic_link(tenant.id, &body.token, &ip.login_context(agent))
        .await?;
    Ok(outcome_response(&state, tenant.id, &jar, outcome).await)
}

/// Mails a password-reset link. Always 202, whether or not the email exists (SEC-09).
#[utoipa::path(post, path = "/auth/reset", tag = "auth", request_body = EmailRequest,
    responses((status = 202, description = "If the email belongs to an account, a link is on its way")))]
pub async fn request_reset(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    ip: ClientIp,
    ApiJson(body): ApiJson<EmailRequest>,
) -> StatusCode {
    detached_link_request(state, tenant, ip, body.email, LinkKind::PasswordReset)
}

/// Which link a request asks for.
#[derive(Debug, Clone, Copy)]
enum LinkKind {
    PasswordReset,
    MagicLink,
}

/// Answers 202 at once and looks the email up and mails the link detached: the answer must not
/// wait for (and so reveal) the lookup and the mail (SEC-09).
fn detached_link_request(
    state: PortalState,
    tenant: Tenant,
    ip: ClientIp,
    email: String,
    kind: LinkKind,
) -> StatusCode {
    tokio::spawn(async move {
        let context = ip.login_context(None);
        let recovery = state.recovery();
        let requested = match kind {
            LinkKind::PasswordReset => {
                recovery
                    .request_password_reset(&tenant, &email, &context)
                    .await
            }
            LinkKind::MagicLink => recovery.request_magic_link(&tenant, &email, &context).await,
        };
        if let Err(error) = requested {
            tracing::error!(%error, ?kind, "login link request failed");
        }
    });
    StatusCode::ACCEPTED
}

/// Sets a new password with a reset link's token; every session of the account ends.
#[utoipa::path(post, path = "/auth/reset/complete", tag = "auth", request_body = ResetRequest,
    responses(
        (status = 204, description = "Password set; sign in with it"),
        (status = 401, description = "Invalid, used or expired link", body = ErrorBody),
        (status = 422, description = "The password does not meet the policy", body = ErrorBody),
    ))]
pub async fn complete_reset(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    ip: ClientIp,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .recovery()
        .reset_password(
            tenant.id,
            &body.token,
            Password::new(body.password),
            &ip.login_context(None),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What an invitation link is for, before accepting it.
#[utoipa::path(post, path = "/auth/invitation", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 200, description = "The pending invitation", body = InvitationInfo),
        (status = 401, description = "Invalid, used, revoked or expired invitation", body = ErrorBody),
    ))]
pub async fn inspect_invitation(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Json<InvitationInfo>, ApiError> {
    let invitation = state.invitations().pending(tenant.id, &body.token).await?;
    Ok(Json(InvitationInfo {
        email: invitation.email.as_str().to_owned(),
        joins_client: invitation.client.is_some(),
        expires_at: invitation.expires_at,
    }))
}

/// Accepts an invitation: sets the password and signs in.
#[utoipa::path(post, path = "/auth/invitation/accept", tag = "auth", request_body = AcceptInvitationRequest,
    responses(
        (status = 200, description = "Signed in, or a second factor is due", body = LoginResponse),
        (status = 401, description = "Invalid, used, revoked or expired invitation", body = ErrorBody),
        (status = 422, description = "The name or password is not acceptable", body = ErrorBody),
    ))]
pub async fn accept_invitation(
    State(state): State<PortalState>,
    RequestTenant(tenant): RequestTenant,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    jar: CookieJar,
    ApiJson(body): ApiJson<AcceptInvitationRequest>,
) -> Result<Response, ApiError> {
    let name = DisplayName::parse(&body.name).map_err(ApiError::from)?;
    let outcome = state
        .invitations()
        .accept(
            tenant.id,
            &body.token,
            name,
            Password::new(body.password),
            &ip.login_context(agent),
        )
        .await?;
    Ok(outcome_response(&state, tenant.id, &jar, outcome).await)
}

/// The answer to a first login step. A pending second factor ends nothing yet: the session sent
/// with the request ends when the second step signs in.
async fn outcome_response(
    state: &PortalState,
    tenant: TenantId,
    jar: &CookieJar,
    outcome: LoginOutcome,
) -> Response {
    match outcome {
        LoginOutcome::SignedIn(success) => signed_in(state, tenant, jar, &success).await,
        LoginOutcome::SecondFactorRequired(challenge) => {
            Json(LoginResponse::SecondFactorRequired {
                challenge: challenge.token.expose_secret().to_owned(),
                expires_at: challenge.expires_at,
            })
            .into_response()
        }
    }
}

/// Ends the session of the cookie sent with the login and sets the new session's cookie in its
/// place (SEC-13).
async fn signed_in(
    state: &PortalState,
    tenant: TenantId,
    jar: &CookieJar,
    success: &LoginSuccess,
) -> Response {
    let presented = jar
        .get(state.config().session_cookie_name())
        .map(|cookie| cookie.value());
    end_presented_session(state, tenant, presented, success).await;
    let mut response = Json(LoginResponse::SignedIn {
        must_enrol_mfa: success.must_enrol_mfa,
    })
    .into_response();
    let max_age = (success.session.expires_at - success.session.created_at).whole_seconds();
    let cookie = session_cookie(state, success.token.expose_secret(), max_age);
    cookies::append_set_cookie(&mut response, &cookie);
    response
}

/// Ends the session of the cookie sent with a completed login, if it is one of the request's
/// tenant: the new session replaces it. A session of another tenant is left alone, as this
/// tenant's routes treat it like no session at all (SEC-27). The pages' sign-in ends the
/// presented session the same way.
pub(crate) async fn end_presented_session(
    state: &PortalState,
    tenant: TenantId,
    presented: Option<&str>,
    success: &LoginSuccess,
) {
    let Some(presented) = presented else {
        return;
    };
    if presented == success.token.expose_secret() {
        return;
    }
    // An unknown token or another tenant's session: nothing of this tenant to end.
    if let Err(error) = state.sessions().logout_in(tenant, presented).await {
        // The new session stands either way; the old one still times out on its own.
        tracing::warn!(%error, "the previous session could not be ended");
    }
}

/// `name=value; Path=/; HttpOnly; SameSite=Lax; Max-Age=…` plus `Secure` unless in plain-http
/// development (SEC-15).
fn session_cookie(state: &PortalState, value: &str, max_age: i64) -> String {
    let config = state.config();
    cookies::session_cookie(
        config.session_cookie_name(),
        config.secure_cookies,
        value,
        max_age,
    )
}

/// The `Set-Cookie` value that ends the session cookie.
pub(crate) fn clear_cookie(state: &PortalState) -> String {
    session_cookie(state, "", 0)
}
