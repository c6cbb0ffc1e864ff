//! `login`, `login/mfa` and `logout` as plain HTML forms. A wrong email or password shows the
//! form again with the same message for every cause (SEC-08) and status 401; too many attempts
//! show it with 429 and `Retry-After`. Success is a 303 to the overview with the new session's
//! cookie (SEC-13). Each POST checks its CSRF token first (SEC-31).

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use portal_auth::password::Password;
use portal_auth::{AuthError, LoginOutcome, LoginSuccess};
use serde::{Deserialize, Serialize};

use super::catalogue::Arg;
use super::csrf;
use super::page::{PageError, PageRequest};
use super::session;
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
}

/// What the second-step page shows.
#[derive(Debug, Serialize)]
struct MfaView {
    /// The pending login's single-use challenge.
    challenge: String,
    /// Why the last code failed, from the catalogue.
    error: Option<String>,
}

/// `GET login`: the form, or the overview for someone already signed in here.
pub(crate) async fn form(
    State(state): State<PortalState>,
    page: PageRequest,
    headers: HeaderMap,
) -> Response {
    match session::signed_in(&state, &page.pages, &page.tenant, &headers).await {
        Ok(Some(_)) => page.redirect("/"),
        Ok(None) => pre_login_page(
            &page,
            &headers,
            StatusCode::OK,
            Step::Password.template(),
            LoginView::default(),
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
        Ok(LoginOutcome::SignedIn(success)) => signed_in(&page, &success),
        Ok(LoginOutcome::SecondFactorRequired(challenge)) => pre_login_page(
            &page,
            &headers,
            StatusCode::OK,
            Step::SecondFactor.template(),
            MfaView {
                challenge: challenge.token.expose_secret().to_owned(),
                error: None,
            },
        ),
        Err(error) => refused(&page, &headers, Step::Password, error, |error| LoginView {
            email: fields.email,
            error: Some(error),
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
    match outcome {
        Ok(success) => signed_in(&page, &success),
        Err(error) => refused(&page, &headers, Step::SecondFactor, error, |error| {
            MfaView {
                challenge: fields.challenge,
                error: Some(error),
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
fn pre_login_page(
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
fn check_pre_login_token(
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

/// The 303 to the overview that carries the new session's cookie.
fn signed_in(page: &PageRequest, success: &LoginSuccess) -> Response {
    let mut response = page.redirect("/");
    session::set_session_cookie(&page.pages, &mut response, success);
    response
}

/// A catalogue message in the page's language.
fn message(page: &PageRequest, id: &str, args: &[(&str, Arg<'_>)]) -> Result<String, PageError> {
    page.pages
        .catalogue
        .text_with(page.locale, id, args)
        .map_err(PageError::internal)
}

/// "Too many attempts", with the wait in whole minutes, rounded up.
fn throttled(page: &PageRequest, seconds: i64) -> Result<String, PageError> {
    let minutes = (seconds + 59) / 60;
    message(
        page,
        "login-throttled",
        &[("minutes", Arg::Number(minutes))],
    )
}

fn retry_after_header(response: &mut Response, seconds: i64) {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}
