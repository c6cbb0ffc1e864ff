//! Form errors in the reader's language. A form that failed is shown again with what was typed
//! and a message next to the field at fault; the API's English error text never reaches a page.

use axum::response::Response;
use portal_core::Invalid;
use serde::Serialize;

use super::catalogue::{Arg, CatalogueError};
use super::format::Formatter;
use super::signed::SignedPage;
use crate::error::ApiError;

/// Why a form was not accepted, for the form shown again.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FormError {
    /// The field at fault as the API names it (the forms use the same names), if one is.
    pub(crate) field: Option<String>,
    /// What to tell the reader, in their language.
    pub(crate) message: String,
}

impl FormError {
    /// A message of the catalogue about `field` (or the whole form).
    pub(crate) fn new(
        formatter: &Formatter<'_>,
        field: Option<&str>,
        id: &str,
        args: &[(&str, Arg<'_>)],
    ) -> Result<Self, CatalogueError> {
        Ok(Self {
            field: field.map(str::to_owned),
            message: formatter.text_with(id, args)?,
        })
    }

    /// Whether the error is about `field`: templates mark that input `aria-invalid`.
    pub(crate) fn is_about(&self, field: &str) -> bool {
        self.field.as_deref() == Some(field)
    }
}

impl SignedPage {
    /// `error` as a message for the form shown again — when the input or the object's state was
    /// at fault — or the answer to give instead (sign-in, password prompt, error page).
    #[allow(
        clippy::result_large_err,
        reason = "the error is the response to send, built once per failed form"
    )]
    pub(crate) fn form_error(&self, error: ApiError) -> Result<FormError, Response> {
        let formatter = self.formatter();
        let message = match &error {
            ApiError::Invalid { fields, reason, .. } => {
                let field = fields.first().map(String::as_str);
                match reason {
                    Some(reason) => invalid(&formatter, field, reason),
                    None => FormError::new(&formatter, field, "form-invalid", &[]),
                }
            }
            ApiError::Conflict(_) => FormError::new(&formatter, None, "form-conflict", &[]),
            ApiError::Throttled { retry_after } => FormError::new(
                &formatter,
                None,
                "form-throttled",
                &[(
                    "minutes",
                    Arg::Number(i64::try_from(retry_after.div_ceil(60)).unwrap_or(i64::MAX)),
                )],
            ),
            ApiError::InvalidCredentials(_) => {
                FormError::new(&formatter, None, "form-not-accepted", &[])
            }
            ApiError::PayloadTooLarge => FormError::new(&formatter, None, "form-too-large", &[]),
            ApiError::QuotaExceeded => FormError::new(&formatter, None, "form-quota", &[]),
            ApiError::UnsupportedMediaType => {
                FormError::new(&formatter, None, "form-file-type", &[])
            }
            _ => return Err(self.fail(error)),
        };
        message.map_err(|catalogue| self.fail(catalogue))
    }
}

/// The message of a broken rule.
fn invalid(
    formatter: &Formatter<'_>,
    field: Option<&str>,
    reason: &Invalid,
) -> Result<FormError, CatalogueError> {
    let count = |value: usize| Arg::Number(i64::try_from(value).unwrap_or(i64::MAX));
    match reason {
        Invalid::Empty => FormError::new(formatter, field, "invalid-empty", &[]),
        Invalid::TooShort { min } => FormError::new(
            formatter,
            field,
            "invalid-too-short",
            &[("min", count(*min))],
        ),
        Invalid::TooLong { max } => FormError::new(
            formatter,
            field,
            "invalid-too-long",
            &[("max", count(*max))],
        ),
        Invalid::ControlCharacter => FormError::new(formatter, field, "invalid-control", &[]),
        Invalid::NotHttps => FormError::new(formatter, field, "invalid-not-https", &[]),
        Invalid::UnknownCurrency => FormError::new(formatter, field, "invalid-currency", &[]),
        Invalid::OutOfRange | Invalid::CurrencyMismatch => {
            FormError::new(formatter, field, "invalid-out-of-range", &[])
        }
        Invalid::EndBeforeStart => {
            FormError::new(formatter, field, "invalid-end-before-start", &[])
        }
        Invalid::PermissionNotAllowed { permission } => FormError::new(
            formatter,
            field,
            "invalid-permission",
            &[("permission", Arg::Text((*permission).into()))],
        ),
        Invalid::LowContrast { ratio, minimum } => {
            // Hundredths as the page's language writes decimals: 4.50 or 4,50.
            let decimal = match formatter.locale {
                super::locale::Locale::En => '.',
                super::locale::Locale::De => ',',
            };
            let ratio_text =
                |hundredths: u16| format!("{}{decimal}{:02}", hundredths / 100, hundredths % 100);
            FormError::new(
                formatter,
                field,
                "invalid-contrast",
                &[
                    ("ratio", Arg::Text(ratio_text(*ratio).into())),
                    ("minimum", Arg::Text(ratio_text(*minimum).into())),
                ],
            )
        }
        _ => FormError::new(formatter, field, "invalid-malformed", &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalogue::Catalogue;
    use super::super::locale::Locale;
    use super::*;

    #[test]
    fn every_rule_has_its_message_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        let reasons = [
            Invalid::Empty,
            Invalid::TooShort { min: 3 },
            Invalid::TooLong { max: 9 },
            Invalid::ControlCharacter,
            Invalid::Malformed("x"),
            Invalid::NotHttps,
            Invalid::UnknownCurrency,
            Invalid::CurrencyMismatch,
            Invalid::OutOfRange,
            Invalid::EndBeforeStart,
            Invalid::PermissionNotAllowed {
                permission: "publish",
            },
            Invalid::LowContrast {
                ratio: 117,
                minimum: 300,
            },
        ];
        for locale in Locale::ALL {
            let formatter = Formatter {
                catalogue: &catalogue,
                locale,
            };
            for reason in &reasons {
                let error = invalid(&formatter, Some("name"), reason).unwrap();
                assert!(error.is_about("name"));
                assert!(!error.message.is_empty());
            }
            for id in [
                "form-invalid",
                "form-conflict",
                "form-not-accepted",
                "form-too-large",
                "form-quota",
                "form-file-type",
            ] {
                catalogue.text(locale, id, None).unwrap();
            }
            assert!(
                catalogue
                    .text_with(locale, "form-throttled", &[("minutes", Arg::Number(2))])
                    .unwrap()
                    .contains('2')
            );
        }
    }
}
