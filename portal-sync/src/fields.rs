//! Checks of single item fields, each refusing its value by the field's name.

use portal_core::{Currency, DisplayName, DomainError, HttpsUrl, Invalid, Money};
use serde::{Deserialize, Deserializer};
use time::Date;
use time::macros::format_description;

use crate::SyncError;

/// An amount of money in a request or a response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoneyBody {
    /// The amount in the currency's minor unit (cents): 1234 is EUR 12.34.
    pub amount_minor: i64,
    /// The ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

impl MoneyBody {
    /// The validated amount; an unknown currency names `field`.
    pub fn parse(&self, field: &'static str) -> Result<Money, SyncError> {
        let currency = Currency::parse(&self.currency).map_err(|error| error.in_field(field))?;
        Ok(Money::new(self.amount_minor, currency))
    }
}

impl From<Money> for MoneyBody {
    fn from(money: Money) -> Self {
        Self {
            amount_minor: money.amount_minor,
            currency: money.currency.code().to_owned(),
        }
    }
}

/// A display name (or title), refused as `field`.
pub(crate) fn display_name(field: &'static str, text: &str) -> Result<DisplayName, SyncError> {
    Ok(DisplayName::parse(text).map_err(|error| error.in_field(field))?)
}

/// An https URL, refused as `field`.
pub(crate) fn https_url(field: &'static str, text: &str) -> Result<HttpsUrl, SyncError> {
    Ok(HttpsUrl::parse(text).map_err(|error| error.in_field(field))?)
}

/// A calendar day (`2025-03-31`), refused as `field`.
pub(crate) fn date(field: &'static str, text: &str) -> Result<Date, SyncError> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| SyncError::invalid(field, format!("invalid {field}: expected YYYY-MM-DD")))
}

/// Optional text: blank counts as absent.
pub(crate) fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// Refuses text over `max` characters as `field`.
pub(crate) fn bounded(field: &'static str, text: &str, max: usize) -> Result<(), SyncError> {
    if text.chars().count() > max {
        return Err(DomainError::validation(field, Invalid::TooLong { max }).into());
    }
    Ok(())
}

/// For `Option<Option<T>>` fields: absent leaves the value as it is (`None`), `null` clears it
/// (`Some(None)`), a value replaces it.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
