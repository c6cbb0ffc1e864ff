//! The team's side of the API: clients, people and invitations, roles and the permission
//! matrix, the work and its publication, approvals, invoices, share links, branding, the audit
//! log, API keys, client exports and adoption analytics — plus the caller's own account (second
//! factor, password), which serves contacts too.
//!
//! Every staff route takes a [`StaffCaller`]: a client contact (or a preview as a client) is
//! refused with 403 before the route runs (SEC-25). What a member of staff may do is still the
//! stores' decision, made with the caller's scope on every call.

pub mod account;
pub mod analytics;
pub mod api_keys;
pub mod approvals;
pub mod audit;
pub mod branding;
pub mod client_export;
pub mod clients;
pub mod content;
pub mod invoices;
pub mod people;
pub mod roles;
pub mod share_links;
pub mod webhooks;
pub mod work;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use portal_core::{Currency, DisplayName, DomainError, HttpsUrl, Money};
use serde::{Deserialize, Deserializer, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::Caller;
use crate::state::PortalState;

/// A caller on the team's side: a member of staff by session, API key or the host's login.
#[derive(Debug)]
pub struct StaffCaller(pub Caller);

impl FromRequestParts<PortalState> for StaffCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &PortalState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.scope.is_staff_side() {
            Ok(Self(caller))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// Requires a recent login of a session caller before a change of access (SEC-20). API keys
/// and host logins have no login time of their own: the key, or the host, is the authority.
pub(crate) fn require_step_up(state: &PortalState, caller: &Caller) -> Result<(), ApiError> {
    if let Some(session) = caller.session() {
        state.sessions().require_recent_authentication(session)?;
    }
    Ok(())
}

/// An amount of money in a request or a response.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyBody {
    /// The amount in the currency's minor unit (cents): 1234 is EUR 12.34.
    pub amount_minor: i64,
    /// The ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

impl MoneyBody {
    /// The validated amount; an unknown currency names `field`.
    pub(crate) fn parse(&self, field: &'static str) -> Result<Money, ApiError> {
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

/// A display name (or title) from a request, refused as `field`.
pub(crate) fn display_name(field: &'static str, text: &str) -> Result<DisplayName, ApiError> {
    Ok(DisplayName::parse(text).map_err(|error| error.in_field(field))?)
}

/// An https URL from a request, refused as `field`.
pub(crate) fn https_url(field: &'static str, text: &str) -> Result<HttpsUrl, ApiError> {
    Ok(HttpsUrl::parse(text).map_err(|error| error.in_field(field))?)
}

/// A calendar day (`2025-03-31`) from a request, refused as `field`.
pub(crate) fn date(field: &'static str, text: &str) -> Result<Date, ApiError> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| ApiError::invalid(field, format!("invalid {field}: expected YYYY-MM-DD")))
}

/// An optional calendar day from a request: absent, `null` and blank all mean none (as in the
/// sync API), anything else must be a day, refused as `field`.
pub(crate) fn optional_date(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<Date>, ApiError> {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| date(field, text))
        .transpose()
}

/// A moment (RFC 3339) from a request, refused as `field`.
pub(crate) fn instant(field: &'static str, text: &str) -> Result<OffsetDateTime, ApiError> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map_err(|_| ApiError::invalid(field, format!("invalid {field}: expected RFC 3339")))
}

/// Optional text: blank counts as absent.
pub(crate) fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// Refuses text over `max` characters as `field`.
pub(crate) fn bounded(field: &'static str, text: &str, max: usize) -> Result<(), ApiError> {
    if text.chars().count() > max {
        return Err(DomainError::validation(field, portal_core::Invalid::TooLong { max }).into());
    }
    Ok(())
}

/// A field of a partial update: absent keeps `current`, a given value is checked by `parse`.
pub(crate) fn patched<T, U>(
    change: Option<T>,
    current: U,
    parse: impl FnOnce(T) -> Result<U, ApiError>,
) -> Result<U, ApiError> {
    change.map_or(Ok(current), parse)
}

/// For `Option<Option<T>>` fields of a partial update: absent leaves the value as it is
/// (`None`), `null` clears it (`Some(None)`), a value replaces it.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
