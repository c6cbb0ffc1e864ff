//! [`SyncError`]: why one item was not applied.

use portal_core::DomainError;
use portal_storage::StoreError;

/// Why one sync item was refused or could not be applied. Every variant but
/// [`SyncError::Store`] with a backend failure is the item's own fault: the item fails alone and
/// the others go on ([`SyncError::is_fault`] tells the two apart).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The item is not one of the five kinds, or not their shape (a missing or unknown field, a
    /// value of the wrong type); `message` says what the reader found.
    #[error("{message}")]
    Malformed {
        /// What was wrong, as the JSON reader put it.
        message: String,
    },
    /// A field's value is wrong; `fields` names it (two when two fields clash).
    #[error("{message}")]
    Invalid {
        /// What was wrong.
        message: String,
        /// The item fields at fault, as the item spells them.
        fields: Vec<String>,
    },
    /// A value broke a domain rule (a name too long, an unknown currency, a bad schedule).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The scope may not write this (a budget without `view_financials`).
    #[error("not allowed")]
    Forbidden,
    /// The store refused the write (not found, forbidden, conflict) or failed.
    #[error(transparent)]
    Store(StoreError),
}

impl SyncError {
    /// A wrong value of one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
            fields: vec![field.to_owned()],
        }
    }

    /// The item fields this error names, if any.
    #[must_use]
    pub fn fields(&self) -> Vec<String> {
        match self {
            Self::Invalid { fields, .. } => fields.clone(),
            Self::Domain(error) | Self::Store(StoreError::Invalid(error)) => {
                error.field().map(str::to_owned).into_iter().collect()
            }
            _ => Vec::new(),
        }
    }

    /// Whether this is a fault of the storage backend rather than of the item: a batch should
    /// stop on it, since retrying the item later may well succeed.
    #[must_use]
    pub const fn is_fault(&self) -> bool {
        match self {
            Self::Store(
                StoreError::NotFound
                | StoreError::Forbidden(_)
                | StoreError::Conflict { .. }
                | StoreError::Invalid(_),
            ) => false,
            Self::Store(_) => true,
            Self::Malformed { .. } | Self::Invalid { .. } | Self::Domain(_) | Self::Forbidden => {
                false
            }
        }
    }
}

impl From<StoreError> for SyncError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}
