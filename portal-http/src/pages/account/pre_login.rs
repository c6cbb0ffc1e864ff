//! What the pages before sign-in share: a form post checked against the pre-login token (the
//! sign-in form's), messages in the reader's language, new-password errors, and the page a
//! mailed link gets when it no longer works.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use portal_auth::password::PasswordError;
use portal_core::{DomainError, Invalid};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::super::catalogue::{Arg, CatalogueError};
use super::super::form::FormError;
use super::super::format::Formatter;
use super::super::login::{check_pre_login_token, pre_login_page};
use super::super::page::{PageError, PageRequest};
use crate::state::PortalState;

/// A form post before sign-in: its fields, read only after the pre-login form token checked out
/// (SEC-31). A body that is not a form is the branded 400; a missing or wrong token the 403.
pub(super) struct PreLoginForm<T> {
    /// The page the form was posted to.
    pub(super) page: PageRequest,
    /// The request's headers (its cookies).
    pub(super) headers: HeaderMap,
    /// The form's fields.
    pub(super) fields: T,
}

/// Just the token of a form.
#[derive(Deserialize)]
struct TokenField {
    #[serde(default)]
    csrf_token: String,
}

impl<T: DeserializeOwned> FromRequest<PortalState> for PreLoginForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request<Body>, state: &PortalState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let page = PageRequest::from_request_parts(&mut parts, state).await?;
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| mime.trim() == "application/x-www-form-urlencoded");
        if !is_form {
            return Err(page.error(PageError::BadRequest));
        }
        let headers = parts.headers.clone();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| page.error(PageError::BadRequest))?;
        let token: TokenField =
            serde_html_form::from_bytes(&bytes).map_err(|_| page.error(PageError::BadRequest))?;
        if let Err(error) = check_pre_login_token(&page, &headers, &token.csrf_token) {
            return Err(page.error(error));
        }
        let fields =
            serde_html_form::from_bytes(&bytes).map_err(|_| page.error(PageError::BadRequest))?;
        Ok(Self {
            page,
            headers,
            fields,
        })
    }
}

/// The `token` of a mailed link's query; empty when it has none.
pub(super) fn query_token(query: Option<&str>) -> String {
    #[derive(Deserialize, Default)]
    struct TokenQuery {
        #[serde(default)]
        token: String,
    }
    query
        .and_then(|query| serde_html_form::from_str::<TokenQuery>(query).ok())
        .unwrap_or_default()
        .token
}

/// Dates and messages in the page's language.
pub(super) fn formatter(page: &PageRequest) -> Formatter<'_> {
    Formatter {
        catalogue: &page.pages.catalogue,
        locale: page.locale,
    }
}

/// A new password the policy refused, as a message next to `field` (SEC-03, SEC-05).
pub(super) fn password_error(
    formatter: &Formatter<'_>,
    field: &str,
    error: &PasswordError,
) -> Result<FormError, CatalogueError> {
    let count = |value: usize| Arg::Number(i64::try_from(value).unwrap_or(i64::MAX));
    match error {
        PasswordError::TooShort { min } => FormError::new(
            formatter,
            Some(field),
            "account-password-too-short",
            &[("min", count(*min))],
        ),
        PasswordError::TooLong { max } => FormError::new(
            formatter,
            Some(field),
            "account-password-too-long",
            &[("max", count(*max))],
        ),
        PasswordError::TooManyBytes { .. } => FormError::new(
            formatter,
            Some(field),
            "account-password-too-many-bytes",
            &[],
        ),
        PasswordError::TooCommon => {
            FormError::new(formatter, Some(field), "account-password-too-common", &[])
        }
        _ => FormError::new(formatter, Some(field), "form-not-accepted", &[]),
    }
}

/// The two new-password fields differ: said next to the second.
pub(super) fn password_mismatch(
    formatter: &Formatter<'_>,
    field: &str,
) -> Result<FormError, CatalogueError> {
    FormError::new(formatter, Some(field), "account-password-mismatch", &[])
}

/// A rule of a name or email broken, as a message next to `field`.
pub(super) fn invalid(
    formatter: &Formatter<'_>,
    field: &str,
    error: &DomainError,
) -> Result<FormError, CatalogueError> {
    let reason = match error {
        DomainError::Validation { reason, .. } => Some(reason),
        _ => None,
    };
    match reason {
        Some(Invalid::Empty) => FormError::new(formatter, Some(field), "invalid-empty", &[]),
        Some(Invalid::TooLong { max }) => FormError::new(
            formatter,
            Some(field),
            "invalid-too-long",
            &[("max", Arg::Number(i64::try_from(*max).unwrap_or(i64::MAX)))],
        ),
        Some(Invalid::ControlCharacter) => {
            FormError::new(formatter, Some(field), "invalid-control", &[])
        }
        _ => FormError::new(formatter, Some(field), "invalid-malformed", &[]),
    }
}

/// What kind of mailed link stopped working, for the page that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DeadLink {
    /// A password-reset link.
    Reset,
    /// A magic sign-in link.
    Magic,
    /// An invitation.
    Invitation,
}

/// The page a dead link gets: its messages, and where to ask for a new one.
#[derive(Debug, Serialize)]
struct DeadLinkView {
    title_message: &'static str,
    text_message: &'static str,
    /// The page that mails a new link, under the base; none for an invitation, which only the
    /// team can send again.
    again_href: Option<&'static str>,
    again_message: &'static str,
}

impl DeadLink {
    fn view(self) -> DeadLinkView {
        match self {
            Self::Reset => DeadLinkView {
                title_message: "account-link-dead-title",
                text_message: "account-reset-dead-text",
                again_href: Some("/login/reset"),
                again_message: "account-reset-again",
            },
            Self::Magic => DeadLinkView {
                title_message: "account-link-dead-title",
                text_message: "account-magic-dead-text",
                again_href: Some("/login/link"),
                again_message: "account-magic-again",
            },
            Self::Invitation => DeadLinkView {
                title_message: "account-invitation-dead-title",
                text_message: "account-invitation-dead-text",
                again_href: None,
                again_message: "account-back-to-sign-in",
            },
        }
    }
}

/// The clear page for a mailed link that does not work: unknown, malformed, used, expired,
/// replaced or revoked all read alike. `410 Gone`: the link is of no further use.
pub(super) fn dead_link(page: &PageRequest, headers: &HeaderMap, link: DeadLink) -> Response {
    pre_login_page(
        page,
        headers,
        StatusCode::GONE,
        "account/link-invalid.html",
        link.view(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::super::catalogue::Catalogue;
    use super::super::super::locale::Locale;
    use super::*;

    #[test]
    fn every_refusal_has_its_message_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        for locale in Locale::ALL {
            let formatter = Formatter {
                catalogue: &catalogue,
                locale,
            };
            for error in [
                PasswordError::TooShort { min: 12 },
                PasswordError::TooLong { max: 128 },
                PasswordError::TooManyBytes { max: 1024 },
                PasswordError::TooCommon,
            ] {
                let message = password_error(&formatter, "password", &error).unwrap();
                assert!(message.is_about("password"));
                assert!(!message.message.is_empty());
            }
            assert!(
                password_error(&formatter, "p", &PasswordError::TooShort { min: 12 })
                    .unwrap()
                    .message
                    .contains("12")
            );
            password_mismatch(&formatter, "password_again").unwrap();
            for link in [DeadLink::Reset, DeadLink::Magic, DeadLink::Invitation] {
                let view = link.view();
                for id in [view.title_message, view.text_message, view.again_message] {
                    catalogue.text(locale, id, None).unwrap();
                }
            }
            for name in ["", "a\u{7}b", &"x".repeat(300)] {
                let error = portal_core::DisplayName::parse(name).unwrap_err();
                assert!(
                    invalid(&formatter, "name", &error)
                        .unwrap()
                        .is_about("name")
                );
            }
        }
    }

    #[test]
    fn the_token_comes_from_the_query() {
        assert_eq!(query_token(Some("token=abc_-1")), "abc_-1");
        assert_eq!(query_token(Some("x=1&token=a%2Bb")), "a+b");
        assert_eq!(query_token(Some("x=1")), "");
        assert_eq!(query_token(None), "");
    }
}
