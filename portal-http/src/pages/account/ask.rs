//! Asking for a mailed link — a password reset or a magic sign-in link — by email. Every
//! well-formed email gets the same 303 to the same "check your mail" page, and the lookup and
//! the mail happen after the answer, detached, so neither the answer nor its timing tells
//! whether the email has an account (SEC-09). Only an empty or malformed address is refused,
//! which says nothing about anyone.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portal_auth::LoginContext;
use portal_core::Email;
use portal_core::model::Tenant;
use serde::{Deserialize, Serialize};

use super::super::form::FormError;
use super::super::login::pre_login_page;
use super::super::page::{PageError, PageRequest};
use super::pre_login::{self, PreLoginForm};
use crate::extract::ClientIp;
use crate::state::PortalState;

/// Which link a person asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LinkKind {
    /// A link that sets a new password.
    PasswordReset,
    /// A link that signs in without a password.
    MagicLink,
}

/// The asking form's fields.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AskFields {
    email: String,
}

/// The asking form: its words, where it posts, and what was typed.
#[derive(Debug, Serialize)]
struct AskView {
    title_message: &'static str,
    intro_message: &'static str,
    submit_message: &'static str,
    action: &'static str,
    email: String,
    error: Option<FormError>,
}

/// The "check your mail" page.
#[derive(Debug, Serialize)]
struct SentView {
    title_message: &'static str,
    text_message: &'static str,
    again: &'static str,
}

impl LinkKind {
    /// The asking form's path under the base.
    const fn path(self) -> &'static str {
        match self {
            Self::PasswordReset => "/login/reset",
            Self::MagicLink => "/login/link",
        }
    }

    /// The "check your mail" page's path under the base.
    const fn sent_path(self) -> &'static str {
        match self {
            Self::PasswordReset => "/login/reset/sent",
            Self::MagicLink => "/login/link/sent",
        }
    }

    fn view(self, email: String, error: Option<FormError>) -> AskView {
        let (title_message, intro_message, submit_message) = match self {
            Self::PasswordReset => (
                "account-reset-ask-title",
                "account-reset-ask-intro",
                "account-reset-ask-submit",
            ),
            Self::MagicLink => (
                "account-magic-ask-title",
                "account-magic-ask-intro",
                "account-magic-ask-submit",
            ),
        };
        AskView {
            title_message,
            intro_message,
            submit_message,
            action: self.path(),
            email,
            error,
        }
    }

    const fn sent_view(self) -> SentView {
        SentView {
            title_message: "account-link-sent-title",
            text_message: match self {
                Self::PasswordReset => "account-reset-sent-text",
                Self::MagicLink => "account-magic-sent-text",
            },
            again: self.path(),
        }
    }
}

/// `GET login/reset`, `GET login/link`: the form.
pub(super) fn form(page: &PageRequest, headers: &HeaderMap, kind: LinkKind) -> Response {
    pre_login_page(
        page,
        headers,
        StatusCode::OK,
        "account/ask-link.html",
        kind.view(String::new(), None),
    )
}

/// `POST login/reset`, `POST login/link`: the 303 to "check your mail" for any well-formed
/// email, the form again (422) for an empty or malformed one.
pub(super) fn submit(
    state: PortalState,
    ip: ClientIp,
    form: PreLoginForm<AskFields>,
    kind: LinkKind,
) -> Response {
    let PreLoginForm {
        page,
        headers,
        fields,
    } = form;
    let typed = fields.email.trim().to_owned();
    let refusal = match Email::parse(&typed) {
        Ok(_) => None,
        // Which rule an address broke is not worth telling: it is usable or not.
        Err(_) => {
            let formatter = pre_login::formatter(&page);
            let id = if typed.is_empty() {
                "account-email-empty"
            } else {
                "account-email-malformed"
            };
            Some(FormError::new(&formatter, Some("email"), id, &[]))
        }
    };
    match refusal {
        None => {
            request_detached(
                state,
                page.tenant.clone(),
                ip.login_context(None),
                typed,
                kind,
            );
            page.redirect(kind.sent_path())
        }
        Some(Ok(error)) => pre_login_page(
            &page,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            "account/ask-link.html",
            kind.view(typed, Some(error)),
        ),
        Some(Err(error)) => page.error(PageError::internal(error)),
    }
}

/// `GET login/reset/sent`, `GET login/link/sent`: "if the address has an account, a link is on
/// its way".
pub(super) fn sent(page: &PageRequest, headers: &HeaderMap, kind: LinkKind) -> Response {
    pre_login_page(
        page,
        headers,
        StatusCode::OK,
        "account/link-sent.html",
        kind.sent_view(),
    )
}

/// Looks the email up and mails the link after the answer has gone: the answer must not wait
/// for, and so reveal, the lookup and the mail (SEC-09). The same calls as the API's
/// `POST /auth/reset` and `POST /auth/magic-link`.
fn request_detached(
    state: PortalState,
    tenant: Tenant,
    context: LoginContext,
    email: String,
    kind: LinkKind,
) {
    tokio::spawn(async move {
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
}

#[cfg(test)]
mod tests {
    use super::super::super::catalogue::Catalogue;
    use super::super::super::locale::Locale;
    use super::*;

    #[test]
    fn both_kinds_have_their_words_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        for kind in [LinkKind::PasswordReset, LinkKind::MagicLink] {
            let view = kind.view(String::new(), None);
            let sent = kind.sent_view();
            for locale in Locale::ALL {
                for id in [
                    view.title_message,
                    view.intro_message,
                    view.submit_message,
                    sent.title_message,
                    sent.text_message,
                    "account-email-empty",
                    "account-email-malformed",
                ] {
                    catalogue.text(locale, id, None).unwrap();
                }
            }
        }
    }
}
