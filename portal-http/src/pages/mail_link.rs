//! `/{tenant}/mail/preferences/{token}`: the one-click mail preference link every notification
//! mail carries (RFC 8058), which needs no sign-in. The token, signed with the
//! [`MailLinkKey`](portal_auth::MailLinkKey) of [`HttpConfig::mail_link_key`](crate::HttpConfig),
//! names the tenant, the person and the event type (or none: every type that can be turned
//! off).
//!
//! - `GET` shows the person's current choice with a confirm button; it changes nothing, since
//!   mail scanners fetch links. Its form carries the pre-login form token (SEC-31).
//! - `POST` with the form token (the button) turns the mail off and shows that it is done.
//! - `POST` with the body `List-Unsubscribe=One-Click` and no form token is the mail client's
//!   one-click request: the mail is turned off and the answer is a bare 200.
//!
//! A token that does not verify, names another tenant, or arrives while no key is configured
//! answers the branded 404, the same for every cause. Security notices cannot be turned off.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use portal_auth::MailLinkClaims;
use portal_core::TenantScope;
use portal_core::model::{EventType, MailMode};
use serde::{Deserialize, Serialize};

use super::login::{check_pre_login_token, pre_login_page};
use super::notifications::event_message;
use super::page::{PageError, PageRequest};
use crate::state::PortalState;

/// The page's form.
#[derive(Debug, Default, Deserialize)]
struct ConfirmFields {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(default, rename = "List-Unsubscribe")]
    list_unsubscribe: Option<String>,
}

#[derive(Debug, Serialize)]
struct LinkView {
    /// The catalogue id naming what the link turns off.
    subject_message: String,
    /// The catalogue id of the mode that applies now (for a single type).
    current_message: Option<&'static str>,
    /// Whether the change was made.
    done: bool,
    /// The form's action.
    action: String,
}

/// The claims of a token addressed to this page's tenant, or `None`.
fn claims(state: &PortalState, page: &PageRequest, token: &str) -> Option<MailLinkClaims> {
    let key = state.config().mail_link_key.as_ref()?;
    let claims = key.verify(token).ok()?;
    (claims.tenant == page.tenant.id).then_some(claims)
}

/// The scope the link acts with: a system scope of its tenant, limited to the one person the
/// signature names (the store accepts it only for mail preferences of that person).
fn link_scope(claims: &MailLinkClaims) -> TenantScope {
    TenantScope::dangerous_system(claims.tenant)
}

/// `GET mail/preferences/{token}`.
pub(super) async fn show(
    state: axum::extract::State<PortalState>,
    page: PageRequest,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let Some(claims) = claims(&state, &page, &token) else {
        return page.error(PageError::NotFound);
    };
    let current = match claims.event_type {
        Some(event_type) => {
            match state
                .stores()
                .notifications
                .mail_preferences(&link_scope(&claims), claims.user)
                .await
            {
                Ok(chosen) => Some(mode_message(
                    event_type.effective_mail(
                        chosen
                            .iter()
                            .find(|preference| preference.event_type == event_type)
                            .map(|preference| preference.mail),
                    ),
                )),
                Err(_) => return page.error(PageError::NotFound),
            }
        }
        None => None,
    };
    let view = LinkView {
        subject_message: subject_message(claims.event_type),
        current_message: current,
        done: false,
        action: format!("{}/mail/preferences/{token}", page.base),
    };
    pre_login_page(
        &page,
        &headers,
        StatusCode::OK,
        "notify/mail-link.html",
        view,
    )
}

/// `POST mail/preferences/{token}`: the page's button, or a mail client's one-click request.
pub(super) async fn submit(
    state: axum::extract::State<PortalState>,
    page: PageRequest,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let Some(claims) = claims(&state, &page, &token) else {
        return page.error(PageError::NotFound);
    };
    let fields: ConfirmFields = serde_html_form::from_bytes(&body).unwrap_or_default();
    let from_page = match fields.csrf_token.as_deref() {
        Some(presented) => {
            if let Err(error) = check_pre_login_token(&page, &headers, presented) {
                return page.error(error);
            }
            true
        }
        None if fields.list_unsubscribe.as_deref() == Some("One-Click") => false,
        None => return page.error(PageError::BadRequest),
    };
    if let Err(error) = turn_off(&state, &claims).await {
        return page.error(PageError::internal(error));
    }
    if !from_page {
        // RFC 8058: the mail client needs only the status.
        return StatusCode::OK.into_response();
    }
    let view = LinkView {
        subject_message: subject_message(claims.event_type),
        current_message: claims.event_type.map(|_| mode_message(MailMode::Off)),
        done: true,
        action: format!("{}/mail/preferences/{token}", page.base),
    };
    pre_login_page(
        &page,
        &headers,
        StatusCode::OK,
        "notify/mail-link.html",
        view,
    )
}

/// Sets the named type — or every type that can be turned off — to `off`.
async fn turn_off(
    state: &PortalState,
    claims: &MailLinkClaims,
) -> Result<(), portal_storage::StoreError> {
    let scope = link_scope(claims);
    let types: Vec<EventType> = match claims.event_type {
        Some(event_type) if event_type.is_security() => Vec::new(),
        Some(event_type) => vec![event_type],
        None => EventType::ALL
            .iter()
            .copied()
            .filter(|event_type| !event_type.is_security())
            .collect(),
    };
    for event_type in types {
        state
            .stores()
            .notifications
            .set_mail_preference(&scope, claims.user, event_type, MailMode::Off)
            .await?;
    }
    Ok(())
}

/// What the link turns off, as a catalogue id.
fn subject_message(event_type: Option<EventType>) -> String {
    event_type.map_or_else(
        || "mail-link-all".to_owned(),
        |event_type| event_message(event_type.as_str()),
    )
}

/// A mail mode's name, as a catalogue id.
pub(super) const fn mode_message(mode: MailMode) -> &'static str {
    match mode {
        MailMode::Instant => "mail-mode-instant",
        MailMode::Digest => "mail-mode-digest",
        MailMode::Off => "mail-mode-off",
    }
}
