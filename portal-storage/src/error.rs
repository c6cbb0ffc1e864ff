//! The one error type of every store.

use portal_core::{Denied, DomainError};

/// What a store method can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Nothing matches within the scope: missing, of another tenant or client, or hidden from the
    /// asker. The three are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    /// The scope may see the object but not do this to it.
    #[error("forbidden: {}", .0.rule.describe())]
    Forbidden(Denied),
    /// A uniqueness rule or a concurrent change refused the write; `what` names the rule.
    #[error("conflict: {what}")]
    Conflict {
        /// Which rule, e.g. `email already in use` or `approval already decided`.
        what: String,
    },
    /// The input broke a domain rule (a bad value, an illegal state change).
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The backend failed; the source holds the details (for logs, never for clients).
    #[error("storage backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// A conflict naming its rule.
    pub fn conflict(what: impl Into<String>) -> Self {
        Self::Conflict { what: what.into() }
    }

    /// A backend failure.
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(error))
    }
}

impl From<Denied> for StoreError {
    /// A denial that must conceal the object becomes [`StoreError::NotFound`].
    fn from(denied: Denied) -> Self {
        if denied.conceals_existence() {
            Self::NotFound
        } else {
            Self::Forbidden(denied)
        }
    }
}

impl From<portal_core::InvalidTransition> for StoreError {
    fn from(error: portal_core::InvalidTransition) -> Self {
        Self::Invalid(error.into())
    }
}

/// The result of a store method.
pub type StoreResult<T> = Result<T, StoreError>;
