//! The errors of the domain: bad input and refused state changes.

use std::fmt;

use crate::state::InvalidTransition;

/// An error raised by domain rules: invalid input or a state change the rules forbid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    /// A value failed validation; `field` names the input that was wrong.
    #[error("invalid {field}: {reason}")]
    Validation {
        /// The name of the offending field, as the API spells it.
        field: &'static str,
        /// What was wrong with it.
        reason: Invalid,
    },
    /// A state machine refused a transition.
    #[error(transparent)]
    InvalidTransition(#[from] InvalidTransition),
    /// An approval decision named a different document version than the one under review.
    #[error("the decision names version sha256 {presented}, but the approval is for {expected}")]
    VersionMismatch {
        /// The SHA-256 (hex) of the version the approval is bound to.
        expected: String,
        /// The SHA-256 (hex) the decision was made on.
        presented: String,
    },
}

impl DomainError {
    /// A validation error for `field`.
    #[must_use]
    pub const fn validation(field: &'static str, reason: Invalid) -> Self {
        Self::Validation { field, reason }
    }

    /// The same error reported under another field name, e.g. `logo_url` for an
    /// [`HttpsUrl`](crate::HttpsUrl) that failed validation. Errors that are not about a field are unchanged.
    #[must_use]
    pub fn in_field(self, field: &'static str) -> Self {
        match self {
            Self::Validation { reason, .. } => Self::Validation { field, reason },
            other => other,
        }
    }

    /// The field a validation error is about, if any.
    #[must_use]
    pub const fn field(&self) -> Option<&'static str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            Self::InvalidTransition(_) | Self::VersionMismatch { .. } => None,
        }
    }
}

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Invalid {
    /// Empty, or only white space.
    Empty,
    /// Shorter than `min` characters.
    TooShort {
        /// The least accepted length, in characters.
        min: usize,
    },
    /// Longer than `max` characters (or bytes, where the rule says so).
    TooLong {
        /// The most accepted length.
        max: usize,
    },
    /// Holds a control or invisible formatting character (which can hide or reorder text).
    ControlCharacter,
    /// Not of the expected form; the text says which form was expected.
    Malformed(&'static str),
    /// A URL whose scheme is not `https`.
    NotHttps,
    /// A currency code that is not in ISO 4217.
    UnknownCurrency,
    /// Two money amounts in different currencies were combined.
    CurrencyMismatch,
    /// An amount outside the representable range.
    OutOfRange,
    /// A range whose end lies before its start.
    EndBeforeStart,
    /// A permission that a role of this audience may never hold.
    PermissionNotAllowed {
        /// The permission's name.
        permission: &'static str,
    },
    /// Colours whose contrast is below what WCAG AA asks for. Ratios are in hundredths (4.5:1 is
    /// 450), the actual one rounded down, so the error stays comparable.
    LowContrast {
        /// The contrast found, in hundredths.
        ratio: u16,
        /// The least contrast accepted, in hundredths.
        minimum: u16,
    },
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("must not be empty"),
            Self::TooShort { min } => write!(f, "must be at least {min} characters"),
            Self::TooLong { max } => write!(f, "must be at most {max} characters"),
            Self::ControlCharacter => f.write_str("must not contain control characters"),
            Self::Malformed(expected) => write!(f, "{expected}"),
            Self::NotHttps => f.write_str("must be an https URL"),
            Self::UnknownCurrency => f.write_str("is not an ISO 4217 currency code"),
            Self::CurrencyMismatch => f.write_str("amounts are in different currencies"),
            Self::OutOfRange => f.write_str("is out of range"),
            Self::EndBeforeStart => f.write_str("ends before it starts"),
            Self::PermissionNotAllowed { permission } => {
                write!(
                    f,
                    "permission {permission} is not allowed for this kind of role"
                )
            }
            Self::LowContrast { ratio, minimum } => write!(
                f,
                "contrast {}.{:02}:1 is below the {}.{:02}:1 WCAG AA asks for",
                ratio / 100,
                ratio % 100,
                minimum / 100,
                minimum % 100
            ),
        }
    }
}
