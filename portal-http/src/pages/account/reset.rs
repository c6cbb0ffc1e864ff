//! Password reset: `login/reset` asks for a link by email; `auth/reset?token=…`, the path the
//! mail links to, sets a new password. Opening the link spends nothing — only the form does,
//! and only once the new password meets the policy (`Recovery::reset_password` checks it before
//! the token). Every session of the account ends (SEC-19); the person then signs in with the new
//! password.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portal_auth::password::{Password, PasswordPolicy};
use portal_auth::{AuthError, LoginToken};
use serde::{Deserialize, Serialize};

use super::super::form::FormError;
use super::super::login::pre_login_page;
use super::super::page::{PageError, PageRequest};
use super::ask::{self, AskFields, LinkKind};
use super::pre_login::{self, DeadLink, PreLoginForm};
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::state::PortalState;

/// The new-password form's fields. No `Debug`: it holds passwords.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ResetFields {
    token: String,
    password: String,
    password_again: String,
}

/// The new-password form: the link's token to post back, and why the last try failed.
#[derive(Debug, Serialize)]
struct ResetView {
    token: String,
    error: Option<FormError>,
    /// The policy's shortest password, for the hint.
    password_min: usize,
}

/// `GET login/reset`: the form that asks for a link.
pub(super) async fn ask_form(page: PageRequest, headers: HeaderMap) -> Response {
    ask::form(&page, &headers, LinkKind::PasswordReset)
}

/// `POST login/reset`: the same answer for every email (SEC-09).
pub(super) async fn ask(
    State(state): State<PortalState>,
    ip: ClientIp,
    form: PreLoginForm<AskFields>,
) -> Response {
    ask::submit(state, ip, form, LinkKind::PasswordReset)
}

/// `GET login/reset/sent`: "check your mail".
pub(super) async fn sent(page: PageRequest, headers: HeaderMap) -> Response {
    ask::sent(&page, &headers, LinkKind::PasswordReset)
}

/// `GET auth/reset?token=…`: the new-password form, or the dead-link page for a token that
/// cannot be one. Nothing is spent.
pub(super) async fn form(
    page: PageRequest,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let token = pre_login::query_token(query.as_deref());
    if LoginToken::parse(&token).is_err() {
        return pre_login::dead_link(&page, &headers, DeadLink::Reset);
    }
    show(&page, &headers, StatusCode::OK, token, None)
}

/// `POST auth/reset`: sets the password; a 303 to the sign-in form with a confirmation. A
/// mismatch or a refused password shows the form again (422) with the link still unspent.
pub(super) async fn submit(
    State(state): State<PortalState>,
    ip: ClientIp,
    form: PreLoginForm<ResetFields>,
) -> Response {
    let PreLoginForm {
        page,
        headers,
        fields,
    } = form;
    if LoginToken::parse(&fields.token).is_err() {
        return pre_login::dead_link(&page, &headers, DeadLink::Reset);
    }
    let formatter = pre_login::formatter(&page);
    if fields.password != fields.password_again {
        return match pre_login::password_mismatch(&formatter, "password_again") {
            Ok(error) => refused(&page, &headers, fields.token, error),
            Err(error) => page.error(PageError::internal(error)),
        };
    }
    let reset = state
        .recovery()
        .reset_password(
            page.tenant.id,
            &fields.token,
            Password::new(fields.password),
            &ip.login_context(None),
        )
        .await;
    match reset {
        Ok(()) => page.redirect("/login?notice=notice-account-password-reset"),
        Err(AuthError::WeakPassword(reason)) => {
            match pre_login::password_error(&formatter, "password", &reason) {
                Ok(error) => refused(&page, &headers, fields.token, error),
                Err(error) => page.error(PageError::internal(error)),
            }
        }
        Err(AuthError::InvalidLoginToken) => pre_login::dead_link(&page, &headers, DeadLink::Reset),
        Err(error) => page.error(ApiError::from(error).into()),
    }
}

/// The form again with `error`, 422.
fn refused(page: &PageRequest, headers: &HeaderMap, token: String, error: FormError) -> Response {
    show(
        page,
        headers,
        StatusCode::UNPROCESSABLE_ENTITY,
        token,
        Some(error),
    )
}

fn show(
    page: &PageRequest,
    headers: &HeaderMap,
    status: StatusCode,
    token: String,
    error: Option<FormError>,
) -> Response {
    pre_login_page(
        page,
        headers,
        status,
        "account/reset.html",
        ResetView {
            token,
            error,
            password_min: PasswordPolicy::MIN_CHARS,
        },
    )
}
