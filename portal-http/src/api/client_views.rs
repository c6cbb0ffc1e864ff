//! What the client-side routes share: money in minor units, checks on free text, and the
//! caller's field-level reading rights (SEC-28). Whole objects are authorised by the stores;
//! these rules only decide which *fields* of an object the caller already may read are shown.

use portal_core::{ClientId, DomainError, Invalid, Money, Permission, TenantScope};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// The longest free text (a request's details, a message) the API accepts, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// An amount of money: minor units (cents) and an ISO 4217 code, never a float.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct MoneyView {
    /// The amount in the currency's minor unit: 1234 is EUR 12.34.
    pub amount_minor: i64,
    /// The three-letter currency code.
    #[schema(value_type = String, example = "EUR")]
    pub currency: &'static str,
}

impl From<Money> for MoneyView {
    fn from(money: Money) -> Self {
        Self {
            amount_minor: money.amount_minor,
            currency: money.currency.code(),
        }
    }
}

/// Whether the caller holds `permission` in `client`: for fields, not for whole objects.
pub(crate) fn holds(scope: &TenantScope, client: ClientId, permission: Permission) -> bool {
    scope.permissions_in(Some(client)).contains(permission)
}

/// Whether the caller is on the team's side: only then are the feeding systems' ids shown.
pub(crate) fn staff_fields(scope: &TenantScope) -> bool {
    scope.is_staff_side()
}

/// Checks free text: not blank, at most [`MAX_TEXT_CHARS`] characters; the 422 names `field`.
pub(crate) fn text(field: &'static str, input: String) -> Result<String, ApiError> {
    if input.trim().is_empty() {
        return Err(DomainError::validation(field, Invalid::Empty).into());
    }
    optional_text(field, Some(input)).map(Option::unwrap_or_default)
}

/// Checks optional free text: blank is none, longer than [`MAX_TEXT_CHARS`] is a 422.
pub(crate) fn optional_text(
    field: &'static str,
    input: Option<String>,
) -> Result<Option<String>, ApiError> {
    let Some(input) = input.filter(|text| !text.trim().is_empty()) else {
        return Ok(None);
    };
    if input.chars().count() > MAX_TEXT_CHARS {
        return Err(DomainError::validation(
            field,
            Invalid::TooLong {
                max: MAX_TEXT_CHARS,
            },
        )
        .into());
    }
    Ok(Some(input))
}

/// Parses an id from a request body or query; a malformed one is a 422 naming `field`.
pub(crate) fn parse_id<T>(field: &'static str, input: Option<&str>) -> Result<Option<T>, ApiError>
where
    T: std::str::FromStr<Err = DomainError>,
{
    input
        .map(|text| {
            text.parse::<T>()
                .map_err(|error| error.in_field(field).into())
        })
        .transpose()
}
