//! `login`, `login/mfa` and `logout` as plain HTML forms. A wrong email or password shows the
//! form again with the same message for every cause (SEC-08) and status 401; too many attempts
//! show it with 429 and `Retry-After`. Success is a 303 to the overview with the new session's
//! cookie (SEC-13), or to second-factor enrolment when the tenant requires one the person has
//! not set up yet. Each POST checks its CSRF token first (SEC-31).
//!
//! The sign-in flow's pieces here — the pre-login form token, the second step, finishing a
//! sign-in — also serve the account area's pre-login pages (reset, magic link, invitation) and
//! its password prompt, which end in the same places.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use portal_auth::password::Password;
use portal_auth::{AuthError, LoginOutcome, LoginSuccess, MfaChallenge};
use serde::{Deserialize, Serialize};

use super::account::{ENROL_PATH, NextPath};
use super::catalogue::Arg;
use super::csrf;
use super::page::{PageError, PageRequest};
use super::session;
use crate::api::auth::end_presented_session;
use crate::extract::{ClientIp, UserAgent};
use crate::state::PortalState;

/// The sign-in form's fields. No `Debug`: it holds a password.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LoginFields {
    email: String,
    password: String,
    csrf_token: String,
}

/// The second step's fields.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct MfaFields {
    challenge: String,
    code: String,
    csrf_token: String,
    /// Where to go once signed in, when the second step confirms a person's password before a
    /// sensitive act; checked by [`NextPath`].
    next: String,
}

/// A form with nothing but its token.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct TokenFields {
    csrf_token: String,
}

/// What the sign-in page shows besides the layout.
#[derive(Debug, Default, Serialize)]
struct LoginView {
    /// The email as typed, so a failed attempt need not retype it.
    email: String,
    /// Why the last attempt failed, from the catalogue.
    error: Option<String>,
    /// The catalogue id of a confirmation to show once (a password was just set).
    notice: Option<&'static str>,
}

/// What the second-step page shows.
#[derive(Debug, Serialize)]
struct MfaView {
    /// The pending login's single-use challenge.
    challenge: String,
    /// Why the last code failed, from the catalogue.
    error: Option<String>,
    /// Where to go once signed in, if not the overview.
    next: Option<String>,
}

/// The confirmations the sign-in form shows when a `notice` names one: the account area sends
/// people here after their password was set. Nothing else a link carries is shown.
const LOGIN_NOTICES: &[&str] = &[
    "notice-account-password-reset",
    "notice-account-password-changed",
];

/// The sign-in form's notice from its query, when it names one of [`LOGIN_NOTICES`].
fn login_notice(query: Option<&str>) -> Option<&'static str> {
    let value = query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("notice="))?;
    LOGIN_NOTICES
        .iter()
        .copied()
        .find(|notice| *notice == value)
}

/// `GET login`: the form, or the overview for someone already signed in here.
pub(crate) async fn form(
    State(state): State<PortalState>,
    page: PageRequest,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match session::signed_in(&state, &page.pages, &page.tenant, &headers).await {
        Ok(Some(_)) => page.redirect("/"),
        Ok(None) => pre_login_page(
            &page,
            &headers,
            StatusCode::OK,
            Step::Password.template(),
            LoginView {
                notice: login_notice(query.as_deref()),
                ..LoginView::default()
            },
        ),
        Err(error) => page.error(error),
    }
}

/// `POST login`: checks the token, then the email and password.
pub(crate) async fn submit(
    State(state): State<PortalState>,
    page: PageRequest,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    headers: HeaderMap,
    form: Result<Form<LoginFields>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = form else {
        return page.error(PageError::BadRequest);
    };
    if let Err(error) = check_pre_login_token(&page, &headers, &fields.csrf_token) {
        return page.error(error);
    }
    let outcome = state
        .authenticator()
        .login(
            page.tenant.id,
            &fields.email,
            Password::new(fields.password),
            ip.login_context(agent),
        )
        .await;
    match outcome {
        Ok(LoginOutcome::SignedIn(success)) => {
            finish_sign_in(&state, &page, &headers, &success, None).await
        }
        Ok(LoginOutcome::SecondFactorRequired(challenge)) => {
            second_step(&page, &headers, &challenge, None)
        }
        Err(error) => refused(&page, &headers, Step::Password, error, |error| LoginView {
            email: fields.email,
            error: Some(error),
            notice: None,
        }),
    }
}

/// `POST login/mfa`: checks the token, then the code against the pending login.
pub(crate) async fn second_factor(
    State(state): State<PortalState>,
    page: PageRequest,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    headers: HeaderMap,
    form: Result<Form<MfaFields>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = form else {
        return page.error(PageError::BadRequest);
    };
    if let Err(error) = check_pre_login_token(&page, &headers, &fields.csrf_token) {
        return page.error(error);
    }
    let outcome = state
        .mfa()
        .complete_login(
            page.tenant.id,
            &fields.challenge,
            &fields.code,
            ip.login_context(agent),
        )
        .await;
    let next = NextPath::parse(&fields.next);
    match outcome {
        Ok(success) => finish_sign_in(&state, &page, &headers, &success, next.as_ref()).await,
        Err(error) => refused(&page, &headers, Step::SecondFactor, error, |error| {
            MfaView {
                challenge: fields.challenge,
                error: Some(error),
                next: next.map(NextPath::into_string),
            }
        }),
    }
}

/// `POST logout`: ends the session (its token is the form token's secret) and returns to the
/// sign-in form. Without a session there is nothing to end.
pub(crate) async fn logout(
    State(state): State<PortalState>,
    page: PageRequest,
    headers: HeaderMap,
    form: Result<Form<TokenFields>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = form else {
        return page.error(PageError::BadRequest);
    };
    let Some(token) = session::cookie_token(&page.pages, &headers) else {
        return page.redirect("/login");
    };
    if !csrf::verify(&token, &fields.csrf_token) {
        return page.error(PageError::Forbidden);
    }
    if let Err(error) = state.sessions().logout(&token).await {
        return page.error(PageError::internal(error));
    }
    let mut response = page.redirect("/login");
    session::clear_session_cookie(&page.pages, &mut response);
    response
}

/// A step of signing in: its form, and the refusal that means a wrong answer to it.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Email and password.
    Password,
    /// The second factor's code.
    SecondFactor,
}

impl Step {
    const fn template(self) -> &'static str {
        match self {
            Self::Password => "login.html",
            Self::SecondFactor => "mfa.html",
        }
    }

    /// The catalogue id of the message for `error`, when it is a wrong answer to this step.
    const fn wrong_answer(self, error: &AuthError) -> Option<&'static str> {
        match (self, error) {
            (Self::Password, AuthError::InvalidCredentials) => Some("login-failed"),
            // The password was right, but the tenant wants a second factor and this person's
            // are passkeys: the form says to use one.
            (Self::Password, AuthError::PasskeyRequired) => Some("login-passkey-required"),
            (Self::SecondFactor, AuthError::InvalidSecondFactor) => Some("mfa-failed"),
            _ => None,
        }
    }
}

/// The step's form again after `error`, its view made by `view` from the message: 401 for a
/// wrong answer, 429 with `Retry-After` when throttled. Any other error is a fault.
fn refused<V: Serialize>(
    page: &PageRequest,
    headers: &HeaderMap,
    step: Step,
    error: AuthError,
    view: impl FnOnce(String) -> V,
) -> Response {
    let (status, text, retry_after) = if let AuthError::Throttled { retry_after } = error {
        let seconds = retry_after.whole_seconds().max(1);
        let text = throttled(page, seconds);
        (StatusCode::TOO_MANY_REQUESTS, text, Some(seconds))
    } else if let Some(id) = step.wrong_answer(&error) {
        (StatusCode::UNAUTHORIZED, message(page, id, &[]), None)
    } else {
        return page.error(PageError::internal(error));
    };
    let mut response = match text {
        Ok(text) => pre_login_page(page, headers, status, step.template(), view(text)),
        Err(error) => page.error(error),
    };
    if let Some(seconds) = retry_after {
        retry_after_header(&mut response, seconds);
    }
    response
}

/// A page of the sign-in flow: its form token comes from the pre-login cookie, which is set
/// first if the browser has none.
pub(super) fn pre_login_page(
    page: &PageRequest,
    headers: &HeaderMap,
    status: StatusCode,
    template: &str,
    view: impl Serialize,
) -> Response {
    let secure = page.pages.secure_cookies;
    let (secret, new_cookie) = match csrf::pre_login_secret(headers, secure) {
        Some(secret) => (secret, None),
        None => match csrf::new_pre_login_secret(secure) {
            Ok((secret, cookie)) => (secret, Some(cookie)),
            Err(error) => return page.error(PageError::internal(error)),
        },
    };
    let layout = page.layout(None, Some(csrf::token(&secret)));
    let mut response = page.render(status, template, layout, view);
    if let Some(cookie) = new_cookie {
        crate::cookies::append_set_cookie(&mut response, &cookie);
    }
    response
}

/// Refuses a sign-in form without the token of the browser's pre-login cookie.
pub(super) fn check_pre_login_token(
    page: &PageRequest,
    headers: &HeaderMap,
    presented: &str,
) -> Result<(), PageError> {
    let secret =
        csrf::pre_login_secret(headers, page.pages.secure_cookies).ok_or(PageError::Forbidden)?;
    if csrf::verify(&secret, presented) {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

/// The second step's form for a pending login, which goes on to `next` once complete.
pub(super) fn second_step(
    page: &PageRequest,
    headers: &HeaderMap,
    challenge: &MfaChallenge,
    next: Option<&NextPath>,
) -> Response {
    pre_login_page(
        page,
        headers,
        StatusCode::OK,
        Step::SecondFactor.template(),
        MfaView {
            challenge: challenge.token.expose_secret().to_owned(),
            error: None,
            next: next.map(|next| next.as_str().to_owned()),
        },
    )
}

/// The 303 that completes a sign-in, carrying the new session's cookie (SEC-13): to
/// second-factor enrolment when the tenant requires a factor the person lacks, else to `next`
/// or the overview. A session the browser still held in this tenant ends first, so signing in
/// again — to confirm a password, say — never leaves the old cookie's session alive; one of
/// another tenant is left alone, as the API's sign-in leaves it.
pub(super) async fn finish_sign_in(
    state: &PortalState,
    page: &PageRequest,
    headers: &HeaderMap,
    success: &LoginSuccess,
    next: Option<&NextPath>,
) -> Response {
    let previous = session::cookie_token(&page.pages, headers);
    end_presented_session(state, page.tenant.id, previous.as_deref(), success).await;
    let target = if success.must_enrol_mfa {
        ENROL_PATH
    } else {
        next.map_or("/", NextPath::as_str)
    };
    let mut response = page.redirect(target);
    session::set_session_cookie(&page.pages, &mut response, success);
    response
}

/// A catalogue message in the page's language.
pub(super) fn message(
    page: &PageRequest,
    id: &str,
    args: &[(&str, Arg<'_>)],
) -> Result<String, PageError> {
    page.pages
        .catalogue
        .text_with(page.locale, id, args)
        .map_err(PageError::internal)
}

/// "Too many attempts", with the wait in whole minutes, rounded up.
pub(super) fn throttled(page: &PageRequest, seconds: i64) -> Result<String, PageError> {
    let minutes = (seconds + 59) / 60;
    message(
        page,
        "login-throttled",
        &[("minutes", Arg::Number(minutes))],
    )
}

/// Sets `Retry-After` to `seconds`.
pub(super) fn retry_after_header(response: &mut Response, seconds: i64) {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}

#[cfg(test)]
mod tests {
    use super::login_notice;

    #[test]
    fn only_known_notices_reach_the_sign_in_form() {
        assert_eq!(
            login_notice(Some("notice=notice-account-password-reset")),
            Some("notice-account-password-reset")
        );
        assert_eq!(
            login_notice(Some("x=1&notice=notice-account-password-changed")),
            Some("notice-account-password-changed")
        );
        assert_eq!(login_notice(Some("notice=notice-other")), None);
        assert_eq!(login_notice(Some("notice=<b>")), None);
        assert_eq!(login_notice(None), None);
    }
}
