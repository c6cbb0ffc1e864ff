//! [`ApiError`]: every failure of the API as one JSON shape,
//! `{"error": {"code", "message", "fields"}}`, with the right status. Server faults answer a
//! generic body; their details go to the log only.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_auth::AuthError;
use portal_core::{DomainError, Invalid};
use portal_storage::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A failed API call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No valid session or API key.
    #[error("authentication required")]
    Unauthenticated,
    /// The email and password (or code, or link) do not open anything.
    #[error("{0}")]
    InvalidCredentials(&'static str),
    /// Authenticated, but this act is not allowed.
    #[error("not allowed")]
    Forbidden,
    /// A sensitive act needs a fresh login (SEC-20).
    #[error("re-authentication required")]
    ReauthRequired,
    /// Nothing there — or nothing the caller may know of (SEC-26).
    #[error("not found")]
    NotFound,
    /// No route has this method and path.
    #[error("no such route")]
    NoRoute,
    /// The act clashes with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The input is well-formed but wrong; `fields` names what.
    #[error("{message}")]
    Invalid {
        /// What was wrong.
        message: String,
        /// The fields at fault.
        fields: Vec<String>,
        /// The rule that was broken, when a domain check found it: lets pages say it in the
        /// reader's language.
        reason: Option<Invalid>,
    },
    /// The request body is not what the route reads.
    #[error("{0}")]
    BadRequest(String),
    /// The request needs `Content-Type: application/json` (SEC-31).
    #[error("expected application/json")]
    UnsupportedMediaType,
    /// The body is over the limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The upload would take the tenant over its storage quota.
    #[error("the storage quota is used up")]
    QuotaExceeded,
    /// A cross-site or unverified request that would change state (SEC-31).
    #[error("cross-site request refused")]
    CrossSite,
    /// The request took longer than allowed.
    #[error("request took too long")]
    Timeout,
    /// Too many attempts.
    #[error("too many attempts, try again later")]
    Throttled {
        /// Seconds until the next attempt is heard.
        retry_after: u64,
    },
    /// A fault of the server; logged, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The body of an error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `not_found`.
    pub code: &'static str,
    /// A human-readable message.
    pub message: String,
    /// The request fields at fault, if any.
    pub fields: Vec<String>,
}

impl ApiError {
    /// The status to answer with.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated | Self::InvalidCredentials(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::ReauthRequired | Self::CrossSite => StatusCode::FORBIDDEN,
            Self::NotFound | Self::NoRoute => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge | Self::QuotaExceeded => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Timeout => StatusCode::REQUEST_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code in the body.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials(_) => "invalid_credentials",
            Self::Forbidden => "forbidden",
            Self::ReauthRequired => "reauth_required",
            Self::NotFound => "not_found",
            Self::NoRoute => "no_route",
            Self::Conflict(_) => "conflict",
            Self::Invalid { .. } => "invalid",
            Self::BadRequest(_) => "bad_request",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::QuotaExceeded => "quota_exceeded",
            Self::CrossSite => "cross_site_request",
            Self::Throttled { .. } => "throttled",
            Self::Timeout => "timeout",
            Self::Internal(_) => "internal",
        }
    }

    /// An invalid input naming its field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
            fields: vec![field.to_owned()],
            reason: None,
        }
    }

    /// A server fault from any error.
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Self::Internal(source) = &self {
            tracing::error!(error = %source, details = ?source, "request failed");
        }
        let fields = match &self {
            Self::Invalid { fields, .. } => fields.clone(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
                fields,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Self::Throttled { retry_after } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Forbidden(_) => Self::Forbidden,
            StoreError::Conflict { what } => Self::Conflict(what),
            StoreError::Invalid(invalid) => invalid.into(),
            other => Self::internal(other),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match &error {
            DomainError::Validation { field, reason } => Self::Invalid {
                message: error.to_string(),
                fields: vec![(*field).to_owned()],
                reason: Some(reason.clone()),
            },
            // A state that does not allow the act, or a decision on a superseded version: the
            // request was fine, the object has moved on (SEC-30).
            _ => Self::Conflict(error.to_string()),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidCredentials => Self::InvalidCredentials("invalid email or password"),
            AuthError::InvalidInvitation => {
                Self::InvalidCredentials("invalid or expired invitation")
            }
            AuthError::InvalidLoginToken => Self::InvalidCredentials("invalid or expired link"),
            AuthError::InvalidSecondFactor => Self::InvalidCredentials("invalid code"),
            AuthError::InvalidApiKey | AuthError::Unauthenticated => Self::Unauthenticated,
            AuthError::InvalidShareLink | AuthError::SessionNotFound => Self::NotFound,
            AuthError::Throttled { retry_after } => Self::Throttled {
                retry_after: u64::try_from(retry_after.whole_seconds().max(1)).unwrap_or(1),
            },
            AuthError::ReauthRequired => Self::ReauthRequired,
            AuthError::MfaNotEnrolled
            | AuthError::MfaAlreadyEnrolled
            | AuthError::PasskeyAlreadyRegistered => Self::Conflict(error.to_string()),
            AuthError::PasskeyRequired => Self::InvalidCredentials("sign in with your passkey"),
            AuthError::InvalidPasskeyRegistration => Self::invalid("credential", error.to_string()),
            AuthError::WeakPassword(reason) => Self::invalid("password", reason.to_string()),
            AuthError::ShareLinkLifetime { .. } => Self::invalid("expires_at", error.to_string()),
            AuthError::ShareLinkMaxUses => Self::invalid("max_uses", error.to_string()),
            AuthError::Store(store) => store.into(),
            other => Self::internal(other),
        }
    }
}
