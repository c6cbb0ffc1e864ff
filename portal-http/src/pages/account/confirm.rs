//! `account/confirm?next=…`: the password prompt before an act that needs a recent sign-in
//! (SEC-20), where [`SignedPage::fail`] sends `ApiError::ReauthRequired`. The password is
//! checked by signing in afresh — the same `Authenticator::login`, so the same throttle per
//! account and address (SEC-10) and, for a person with a second factor, the same second step —
//! which gives a new session with a new token (SEC-13); the old one ends. Then back to `next`,
//! a path under the tenant's base only ([`NextPath`]): never an open redirect.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portal_auth::password::Password;
use portal_auth::{AuthError, LoginOutcome};
use serde::{Deserialize, Serialize};

use super::super::form::FormError;
use super::super::login::{finish_sign_in, retry_after_header, second_step};
use super::super::signed::{PageForm, SignedPage};
use super::next::NextPath;
use crate::error::ApiError;
use crate::extract::{ClientIp, UserAgent};
use crate::state::PortalState;

pub(super) use super::super::signed::CONFIRM_PATH as PATH;

/// The prompt's fields. No `Debug`: it holds a password.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ConfirmFields {
    password: String,
    next: String,
}

/// What the prompt shows.
#[derive(Debug, Serialize)]
struct ConfirmView {
    /// Whose password is asked for.
    email: String,
    /// Where to go afterwards, posted back.
    next: String,
    /// Why the last try failed.
    error: Option<FormError>,
}

/// `GET account/confirm?next=…`: the prompt. A `next` that is not a path under the base is
/// dropped in favour of the overview.
pub(super) async fn form(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    let next = next_of(query.as_deref());
    page.render(
        "account/confirm.html",
        ConfirmView {
            email: page.user.email.as_str().to_owned(),
            next: next.into_string(),
            error: None,
        },
    )
}

/// `POST account/confirm`: a 303 to `next` with a new session, the second step for a person
/// with a second factor, or the prompt again — 422 for a wrong password, 429 with
/// `Retry-After` when throttled.
pub(super) async fn submit(
    State(state): State<PortalState>,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    headers: HeaderMap,
    form: PageForm<ConfirmFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let next = NextPath::parse(&fields.next).unwrap_or_else(NextPath::overview);
    let outcome = state
        .authenticator()
        .login(
            page.page.tenant.id,
            page.user.email.as_str(),
            Password::new(fields.password),
            ip.login_context(agent),
        )
        .await;
    let (status, error, retry_after) = match outcome {
        Ok(LoginOutcome::SignedIn(success)) => {
            return finish_sign_in(&state, &page.page, &headers, &success, Some(&next)).await;
        }
        Ok(LoginOutcome::SecondFactorRequired(challenge)) => {
            return second_step(&page.page, &headers, &challenge, Some(&next));
        }
        Err(AuthError::InvalidCredentials) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormError::new(
                &page.formatter(),
                Some("password"),
                "account-confirm-wrong",
                &[],
            )
            .map_err(|error| page.fail(error)),
            None,
        ),
        Err(AuthError::Throttled { retry_after }) => {
            let seconds = retry_after.whole_seconds().max(1);
            let wait = u64::try_from(seconds).unwrap_or(1);
            (
                StatusCode::TOO_MANY_REQUESTS,
                page.form_error(ApiError::Throttled { retry_after: wait }),
                Some(seconds),
            )
        }
        Err(error) => return page.fail(error),
    };
    let error = match error {
        Ok(error) => error,
        Err(response) => return response,
    };
    let mut response = page.render_status(
        status,
        "account/confirm.html",
        ConfirmView {
            email: page.user.email.as_str().to_owned(),
            next: next.into_string(),
            error: Some(error),
        },
    );
    if let Some(seconds) = retry_after {
        retry_after_header(&mut response, seconds);
    }
    response
}

/// The `next` of a query, checked; the overview when missing or unsafe.
fn next_of(query: Option<&str>) -> NextPath {
    #[derive(Deserialize, Default)]
    struct NextQuery {
        #[serde(default)]
        next: String,
    }
    query
        .and_then(|query| serde_html_form::from_str::<NextQuery>(query).ok())
        .and_then(|query| NextPath::parse(&query.next))
        .unwrap_or_else(NextPath::overview)
}
