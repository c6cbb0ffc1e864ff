//! The second factor (TOTP) from the account area, for anyone — and the place a tenant's policy
//! sends people who must set one up. The same `Mfa` calls as the API's `/me/mfa/…`:
//!
//! - `GET account/mfa`: the factor's state, and the forms that change it.
//! - `POST account/mfa/setup` (a recent sign-in, SEC-20): the QR code, the secret for typing in
//!   by hand, and the form for a first code. The page is the form's answer itself, not a
//!   redirect: the secret exists only in it (sealed in the store, never handed out again), and
//!   starting over simply makes a new one.
//! - `POST account/mfa/confirm`: a first code turns the factor on and answers the ten recovery
//!   codes, shown this once.
//! - `POST account/mfa/recovery-codes` (a recent sign-in): ten new codes, the old ones dead.
//! - `POST account/mfa/disable`: the password and a current code — checked by signing in afresh
//!   with both, under the login's throttles — then the factor is removed with that new session.
//!
//! Every change is audited by `portal-auth`, as for the API.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portal_auth::password::Password;
use portal_auth::{AuthError, Authenticated, LoginOutcome, RecoveryCodes};
use serde::{Deserialize, Serialize};

use super::super::form::FormError;
use super::super::login::{finish_sign_in, retry_after_header};
use super::super::signed::{PageForm, SignedPage};
use super::enrolment::{self, ENROL_PATH};
use super::next::NextPath;
use super::{ACCOUNT_PATH, NoFields, qr, refuse_in_preview};
use crate::error::ApiError;
use crate::extract::{ClientIp, UserAgent};
use crate::state::PortalState;

/// The first code's field.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(super) struct CodeFields {
    code: String,
}

/// The fields that turn the factor off. No `Debug`: it holds a password.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DisableFields {
    password: String,
    code: String,
}

/// `GET account/mfa`: the factor's state and its forms.
pub(super) async fn show(page: SignedPage) -> Response {
    status_page(&page, StatusCode::OK, None, None).await
}

/// A GET of a path that only answers its form: back to the second-factor page.
pub(super) async fn back(page: SignedPage) -> Response {
    page.redirect(ENROL_PATH)
}

/// `POST account/mfa/setup`: a new secret, its QR code and the form for a first code.
pub(super) async fn setup(State(state): State<PortalState>, form: PageForm<NoFields>) -> Response {
    let PageForm { page, .. } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    match state
        .mfa()
        .begin_enrolment(&page.signed_in.authenticated)
        .await
    {
        Ok(setup) => page.render(
            "account/mfa-setup.html",
            SetupView {
                qr_svg: qr::sanitise(&setup.qr_svg),
                otpauth_uri: Some(setup.otpauth_uri.to_string()),
                secret: Some(grouped(&setup.secret_base32)),
                error: None,
            },
        ),
        Err(AuthError::MfaAlreadyEnrolled) => page.redirect(ENROL_PATH),
        Err(AuthError::ReauthRequired) => page.confirm_first(ENROL_PATH),
        Err(error) => page.fail(error),
    }
}

/// `POST account/mfa/confirm`: the first code turns the factor on; the recovery codes follow,
/// once. A wrong code shows the code form again (422) — the secret is not shown twice, so
/// someone who mistyped it starts over.
pub(super) async fn confirm(
    State(state): State<PortalState>,
    form: PageForm<CodeFields>,
) -> Response {
    let PageForm { page, fields } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let confirmed = state
        .mfa()
        .confirm_enrolment(&page.signed_in.authenticated, &fields.code)
        .await;
    let (status, error, retry_after) = match confirmed {
        Ok(codes) => return codes_page(&page, &codes),
        Err(AuthError::InvalidSecondFactor) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormError::new(
                &page.formatter(),
                Some("code"),
                "account-mfa-code-wrong",
                &[],
            )
            .map_err(|error| page.fail(error)),
            None,
        ),
        Err(AuthError::Throttled { retry_after }) => throttled(&page, retry_after),
        // Nothing begun, or already on: the state page says which.
        Err(AuthError::MfaNotEnrolled | AuthError::MfaAlreadyEnrolled) => {
            return page.redirect(ENROL_PATH);
        }
        Err(error) => return page.fail(error),
    };
    let error = match error {
        Ok(error) => error,
        Err(response) => return response,
    };
    let mut response = page.render_status(
        status,
        "account/mfa-setup.html",
        SetupView {
            qr_svg: None,
            otpauth_uri: None,
            secret: None,
            error: Some(error),
        },
    );
    if let Some(seconds) = retry_after {
        retry_after_header(&mut response, seconds);
    }
    response
}

/// `POST account/mfa/recovery-codes`: ten new recovery codes, shown once; the old ones stop
/// working.
pub(super) async fn recovery_codes(
    State(state): State<PortalState>,
    form: PageForm<NoFields>,
) -> Response {
    let PageForm { page, .. } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    match state
        .mfa()
        .regenerate_recovery_codes(&page.signed_in.authenticated)
        .await
    {
        Ok(codes) => codes_page(&page, &codes),
        Err(AuthError::MfaNotEnrolled) => page.redirect(ENROL_PATH),
        Err(AuthError::ReauthRequired) => page.confirm_first(ENROL_PATH),
        Err(error) => page.fail(error),
    }
}

/// `POST account/mfa/disable`: with the password and a current code, the factor is removed. A
/// tenant that requires a factor sends the person straight back to set one up — that is how a
/// factor moves to a new phone.
pub(super) async fn disable(
    State(state): State<PortalState>,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    headers: HeaderMap,
    form: PageForm<DisableFields>,
) -> Response {
    let PageForm { page, fields } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let tenant = page.page.tenant.id;
    let context = ip.login_context(agent);
    let formatter = page.formatter();
    let first = state
        .authenticator()
        .login(
            tenant,
            page.user.email.as_str(),
            Password::new(fields.password),
            context.clone(),
        )
        .await;
    let challenge = match first {
        Ok(LoginOutcome::SecondFactorRequired(challenge)) => challenge,
        Ok(LoginOutcome::SignedIn(success)) => {
            // No factor to turn off after all: drop the session this check opened.
            if let Err(error) = state.sessions().logout(success.token.expose_secret()).await {
                return page.fail(error);
            }
            return page.redirect(ENROL_PATH);
        }
        Err(AuthError::InvalidCredentials) => {
            let error = FormError::new(&formatter, Some("password"), "account-confirm-wrong", &[]);
            return refused(&page, error.map_err(|error| page.fail(error)), None).await;
        }
        Err(AuthError::Throttled { retry_after }) => {
            let (_, error, seconds) = throttled(&page, retry_after);
            return refused(&page, error, seconds).await;
        }
        Err(error) => return page.fail(error),
    };
    let second = state
        .mfa()
        .complete_login(
            tenant,
            challenge.token.expose_secret(),
            &fields.code,
            context,
        )
        .await;
    let success = match second {
        Ok(success) => success,
        Err(AuthError::InvalidSecondFactor) => {
            let error = FormError::new(&formatter, Some("code"), "account-mfa-code-wrong", &[]);
            return refused(&page, error.map_err(|error| page.fail(error)), None).await;
        }
        Err(AuthError::Throttled { retry_after }) => {
            let (_, error, seconds) = throttled(&page, retry_after);
            return refused(&page, error, seconds).await;
        }
        Err(error) => return page.fail(error),
    };
    let fresh = Authenticated {
        session: success.session.clone(),
        scope: success.scope.clone(),
    };
    if let Err(error) = state.mfa().remove(&fresh).await {
        // Keep the old session and drop the new one: nothing changed.
        if let Err(logout) = state.sessions().logout(success.token.expose_secret()).await {
            tracing::warn!(error = %logout, "the checking session could not be ended");
        }
        return page.fail(error);
    }
    let target = if enrolment::required(&page.page.tenant, &success.scope) {
        "/account/mfa?notice=notice-account-mfa-off"
    } else {
        "/account?notice=notice-account-mfa-off"
    };
    let next = NextPath::parse(target);
    finish_sign_in(&state, &page.page, &headers, &success, next.as_ref()).await
}

/// The second-factor page (enrolment state and forms).
#[derive(Debug, Serialize)]
struct StatusView {
    enrolled: bool,
    codes_left: u32,
    /// The tenant requires a factor of this person.
    required: bool,
    writable: bool,
    error: Option<FormError>,
}

/// The setup page: the QR code (sanitised SVG), the URI for an app on this device, the secret;
/// after a wrong first code only the code form.
#[derive(Serialize)]
struct SetupView {
    qr_svg: Option<String>,
    otpauth_uri: Option<String>,
    secret: Option<String>,
    error: Option<FormError>,
}

impl std::fmt::Debug for SetupView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupView([redacted])")
    }
}

/// The recovery codes, shown once.
#[derive(Serialize)]
struct CodesView {
    codes: Vec<String>,
    /// Where to go on: the overview after required enrolment, else the account.
    continue_href: &'static str,
}

impl std::fmt::Debug for CodesView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodesView([redacted])")
    }
}

/// The second-factor page with `status`, `retry_after` when throttled.
async fn status_page(
    page: &SignedPage,
    status: StatusCode,
    error: Option<FormError>,
    retry_after: Option<i64>,
) -> Response {
    let authenticated = &page.signed_in.authenticated;
    let factor = match page.state.mfa().status(authenticated).await {
        Ok(factor) => factor,
        Err(error) => return page.fail(error),
    };
    let mut response = page.render_status(
        status,
        "account/mfa.html",
        StatusView {
            enrolled: factor.enrolled,
            codes_left: factor.recovery_codes_left,
            required: enrolment::required(&page.page.tenant, &authenticated.scope),
            writable: !page.scope.is_read_only(),
            error,
        },
    );
    if let Some(seconds) = retry_after {
        retry_after_header(&mut response, seconds);
    }
    response
}

/// The second-factor page again with a form's error: 422, or 429 when throttled.
async fn refused(
    page: &SignedPage,
    error: Result<FormError, Response>,
    retry_after: Option<i64>,
) -> Response {
    match error {
        Ok(error) => {
            let status = if retry_after.is_some() {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            status_page(page, status, Some(error), retry_after).await
        }
        Err(response) => response,
    }
}

/// "Too many attempts": the status, the message and the wait in seconds.
fn throttled(
    page: &SignedPage,
    retry_after: time::Duration,
) -> (StatusCode, Result<FormError, Response>, Option<i64>) {
    let seconds = retry_after.whole_seconds().max(1);
    let wait = u64::try_from(seconds).unwrap_or(1);
    (
        StatusCode::TOO_MANY_REQUESTS,
        page.form_error(ApiError::Throttled { retry_after: wait }),
        Some(seconds),
    )
}

/// The page that shows recovery codes once.
fn codes_page(page: &SignedPage, codes: &RecoveryCodes) -> Response {
    let required = enrolment::required(&page.page.tenant, &page.signed_in.authenticated.scope);
    page.render(
        "account/recovery-codes.html",
        CodesView {
            codes: codes.expose_secrets().map(str::to_owned).collect(),
            continue_href: if required { "/" } else { ACCOUNT_PATH },
        },
    )
}

/// A base32 secret in groups of four, easier to read and type.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn secrets_are_grouped_by_four() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(grouped(""), "");
    }
}
