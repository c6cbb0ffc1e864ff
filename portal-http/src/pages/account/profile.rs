//! The account page's forms about the person: their name, the language of the pages and their
//! password. A form that fails shows the account page again (422) with the message next to its
//! field; one that succeeds goes back to it with a confirmation.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portal_auth::password::Password;
use portal_auth::{AuthError, LoginOutcome};
use portal_core::DisplayName;
use serde::Deserialize;

use super::super::form::FormError;
use super::super::locale::Locale;
use super::super::login::{finish_sign_in, retry_after_header, second_step};
use super::super::signed::{PageForm, SignedPage};
use super::next::NextPath;
use super::overview::{self, Entered};
use super::{ACCOUNT_PATH, pre_login, preferences, refuse_in_preview};
use crate::error::ApiError;
use crate::extract::{ClientIp, UserAgent};
use crate::state::PortalState;

/// The rename form's field.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(super) struct NameFields {
    name: String,
}

/// The language form's field: a locale's tag, or empty for "as the browser says".
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(super) struct LanguageFields {
    locale: String,
}

/// The password form's fields. No `Debug`: it holds passwords.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PasswordFields {
    current_password: String,
    new_password: String,
    new_password_again: String,
}

/// `POST account/name`: the store's rename of the person themselves, audited there.
pub(super) async fn rename(
    State(state): State<PortalState>,
    ip: ClientIp,
    form: PageForm<NameFields>,
) -> Response {
    let PageForm { page, fields } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let renamed = match DisplayName::parse(&fields.name) {
        Ok(name) => state
            .stores()
            .identities
            .rename_user(&page.scope, page.user.id, name, &ip.audit())
            .await
            .map_err(ApiError::from),
        Err(error) => Err(ApiError::from(error)),
    };
    match renamed {
        Ok(_) => page.redirect_with_notice(ACCOUNT_PATH, "notice-account-renamed"),
        Err(error) => match page.form_error(error) {
            Ok(error) => {
                let entered = Entered {
                    name: Some(fields.name),
                    error: Some(error),
                };
                overview::render(&page, StatusCode::UNPROCESSABLE_ENTITY, entered).await
            }
            Err(response) => response,
        },
    }
}

/// `POST account/language`: a language of the portal, or the browser's.
pub(super) async fn language(ip: ClientIp, form: PageForm<LanguageFields>) -> Response {
    let PageForm { page, fields } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let choice = match fields.locale.as_str() {
        "" => Some(None),
        tag => Locale::ALL
            .into_iter()
            .find(|locale| locale.tag() == tag)
            .map(Some),
    };
    let Some(locale) = choice else {
        return match FormError::new(
            &page.formatter(),
            Some("locale"),
            "account-language-unknown",
            &[],
        ) {
            Ok(error) => {
                let entered = Entered {
                    name: None,
                    error: Some(error),
                };
                overview::render(&page, StatusCode::UNPROCESSABLE_ENTITY, entered).await
            }
            Err(error) => page.fail(error),
        };
    };
    match preferences::store_locale(&page, locale, &ip.audit()).await {
        Ok(()) => page.redirect_with_notice(ACCOUNT_PATH, "notice-account-language"),
        Err(failure) => page.fail(failure),
    }
}

/// `POST account/password`: the current password, the new one twice. The change ends every
/// session of the person (SEC-19), this one too; the page then signs this browser in again
/// with the new password (or asks for the second factor), so only the other devices are
/// signed out. A recent sign-in is needed (SEC-20): without one, the password prompt first.
pub(super) async fn change_password(
    State(state): State<PortalState>,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    headers: HeaderMap,
    form: PageForm<PasswordFields>,
) -> Response {
    let PageForm { page, fields } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let formatter = page.formatter();
    if fields.new_password != fields.new_password_again {
        return refused(
            &page,
            pre_login::password_mismatch(&formatter, "new_password_again"),
            None,
        )
        .await;
    }
    let context = ip.login_context(agent);
    let changed = state
        .recovery()
        .change_password(
            &page.signed_in.authenticated,
            Password::new(fields.current_password),
            Password::new(fields.new_password.clone()),
            &context,
        )
        .await;
    match changed {
        Ok(()) => {}
        Err(AuthError::InvalidCredentials) => {
            let error = FormError::new(
                &formatter,
                Some("current_password"),
                "account-password-current-wrong",
                &[],
            );
            return refused(&page, error, None).await;
        }
        Err(AuthError::WeakPassword(reason)) => {
            let error = pre_login::password_error(&formatter, "new_password", &reason);
            return refused(&page, error, None).await;
        }
        Err(AuthError::Throttled { retry_after }) => {
            let seconds = retry_after.whole_seconds().max(1);
            let wait = u64::try_from(seconds).unwrap_or(1);
            return match page.form_error(ApiError::Throttled { retry_after: wait }) {
                Ok(error) => refused(&page, Ok(error), Some(seconds)).await,
                Err(response) => response,
            };
        }
        Err(AuthError::ReauthRequired) => return page.confirm_first(ACCOUNT_PATH),
        Err(error) => return page.fail(error),
    }
    // Every session ended with the change; sign this browser in again with the new password.
    let next = NextPath::parse("/account?notice=notice-account-password-changed");
    let again = state
        .authenticator()
        .login(
            page.page.tenant.id,
            page.user.email.as_str(),
            Password::new(fields.new_password),
            context,
        )
        .await;
    match again {
        Ok(LoginOutcome::SignedIn(success)) => {
            finish_sign_in(&state, &page.page, &headers, &success, next.as_ref()).await
        }
        Ok(LoginOutcome::SecondFactorRequired(challenge)) => {
            second_step(&page.page, &headers, &challenge, next.as_ref())
        }
        Err(error) => {
            // The password is changed; only the convenience failed. Sign in by hand.
            tracing::warn!(%error, "signing in again after a password change failed");
            page.redirect("/login?notice=notice-account-password-changed")
        }
    }
}

/// The account page again with a form's error: 422, or 429 with `Retry-After` when throttled.
async fn refused(
    page: &SignedPage,
    error: Result<FormError, super::super::catalogue::CatalogueError>,
    retry_after: Option<i64>,
) -> Response {
    let error = match error {
        Ok(error) => error,
        Err(error) => return page.fail(error),
    };
    let status = if retry_after.is_some() {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let entered = Entered {
        name: None,
        error: Some(error),
    };
    let mut response = overview::render(page, status, entered).await;
    if let Some(seconds) = retry_after {
        retry_after_header(&mut response, seconds);
    }
    response
}
