//! Extractors: who is calling ([`Caller`]), from where ([`ClientIp`]), and JSON bodies in the
//! API's error shape ([`ApiJson`]).

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use portal_auth::{Authenticated, LoginContext};
use portal_core::model::{ApiKey, AuditContext};
use portal_core::{TenantScope, UserId};
use serde::de::DeserializeOwned;

use crate::denials::CallerSlot;
use crate::error::ApiError;
use crate::state::PortalState;
use crate::tenant::RequestTenant;

/// The authenticated caller of a request to its tenant: an API key from
/// `Authorization: Bearer ptk_…`, else a session from the session cookie, else — when the host
/// plugged one in — the host's own login through its [`HostIdentity`](crate::HostIdentity). Built once per request; handlers never compare
/// tenant ids. A session or key of another tenant is unauthenticated here (SEC-27).
#[derive(Debug)]
pub struct Caller {
    /// What the caller may do.
    pub scope: TenantScope,
    /// How the caller authenticated.
    pub via: CallerVia,
}

/// How a [`Caller`] authenticated.
#[derive(Debug)]
pub enum CallerVia {
    /// A browser session.
    Session(Box<Authenticated>),
    /// An integration's API key.
    ApiKey(Box<ApiKey>),
    /// The host product's own login, mapped by its [`HostIdentity`](crate::HostIdentity).
    Host(UserId),
}

impl Caller {
    /// The session, if the caller is a browser.
    #[must_use]
    pub fn session(&self) -> Option<&Authenticated> {
        match &self.via {
            CallerVia::Session(session) => Some(session),
            CallerVia::ApiKey(_) | CallerVia::Host(_) => None,
        }
    }

    /// Leaves the scope where the refusal log finds it (see [`crate::denials`]).
    fn noted_in(self, parts: &Parts) -> Self {
        if let Some(slot) = parts.extensions.get::<CallerSlot>() {
            slot.fill(&self.scope);
        }
        self
    }

    /// The session, or [`ApiError::Forbidden`] for an API key (account acts are for people).
    pub fn require_session(&self) -> Result<&Authenticated, ApiError> {
        self.session().ok_or(ApiError::Forbidden)
    }
}

impl FromRequestParts<PortalState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &PortalState,
    ) -> Result<Self, Self::Rejection> {
        let RequestTenant(tenant) = RequestTenant::from_request_parts(parts, state).await?;
        if let Some(key) = bearer(parts) {
            let authenticated = state.api_keys().authenticate_in(tenant.id, key).await?;
            return Ok(Self {
                scope: authenticated.scope,
                via: CallerVia::ApiKey(Box::new(authenticated.key)),
            }
            .noted_in(parts));
        }
        // Only the cookie carries a session: never a query string or body field (SEC-16).
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(cookie) = jar.get(state.config().session_cookie_name()) {
            let authenticated = state
                .sessions()
                .authenticate_in(tenant.id, cookie.value())
                .await?;
            return Ok(Self {
                scope: authenticated.scope.clone(),
                via: CallerVia::Session(Box::new(authenticated)),
            }
            .noted_in(parts));
        }
        let Some(host) = state.host_identity() else {
            return Err(ApiError::Unauthenticated);
        };
        let user = host
            .portal_user(parts, &tenant, state.stores())
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        // The host vouches for who; the portal's memberships still decide what.
        let scope = state
            .authenticator()
            .scope_of(tenant.id, user)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok(Self {
            scope,
            via: CallerVia::Host(user),
        }
        .noted_in(parts))
    }
}

/// The API key of an `Authorization: Bearer …` header, if any.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The client's address: the socket's peer, or — only when that peer is a trusted proxy — the
/// nearest untrusted address in `X-Forwarded-For` (SEC-11). `None` when the host serves without
/// connect info.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The login context of a request from this address.
    #[must_use]
    pub fn login_context(self, parts_user_agent: Option<String>) -> LoginContext {
        LoginContext {
            ip: self.0,
            user_agent: parts_user_agent,
        }
    }

    /// The audit context of a request from this address.
    #[must_use]
    pub const fn audit(self) -> AuditContext {
        AuditContext { ip: self.0 }
    }
}

impl FromRequestParts<PortalState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &PortalState,
    ) -> Result<Self, Self::Rejection> {
        // The rate limit, the refusal log and the route all ask: work it out once a request.
        if let Some(known) = parts.extensions.get::<Self>() {
            return Ok(*known);
        }
        let found = Self::of(parts, state);
        parts.extensions.insert(found);
        Ok(found)
    }
}

impl ClientIp {
    fn of(parts: &Parts, state: &PortalState) -> Self {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        let trusted = &state.config().trusted_proxies;
        let Some(peer) = peer else {
            return Self(None);
        };
        if !trusted.contains(&peer) {
            return Self(Some(peer));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|part| part.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        // Walk from the nearest hop outwards; the first address not one of our proxies is the
        // client. Anything further left was written by the client and proves nothing.
        let client = forwarded
            .iter()
            .rev()
            .find(|address| !trusted.contains(address))
            .copied()
            .unwrap_or(peer);
        Self(Some(client))
    }
}

/// The `User-Agent` of a request, for the list of devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgent(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for UserAgent {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .map(|agent| agent.chars().take(256).collect()),
        ))
    }
}

/// A JSON body, refused in the API's error shape: 415 without `Content-Type: application/json`
/// (which also keeps HTML forms of other sites out, SEC-31), 413 over the limit, 400 when not
/// JSON, 422 when the JSON does not fit.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest(rejection.body_text())
                }
            })?;
        // Every body of this API is an object. serde would also read a struct from an array,
        // field by field in declaration order (`[null, true]` as `{"locale": null,
        // "tour_done": true}`): no field is set by its position.
        if bytes.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'[') {
            return Err(ApiError::Invalid {
                message: "the body must be a JSON object".to_owned(),
                fields: Vec::new(),
                reason: None,
            });
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::JsonDataError(error) => ApiError::Invalid {
                    message: error.body_text(),
                    fields: Vec::new(),
                    reason: None,
                },
                JsonRejection::JsonSyntaxError(error) => ApiError::BadRequest(error.body_text()),
                other => ApiError::BadRequest(other.body_text()),
            }),
        }
    }
}

/// Whether the request says its body is JSON: `application/json`, or any `application/…+json`,
/// as axum's `Json` decides.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Path parameters; one that does not parse (a malformed id) answers 404 like any unknown id.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|_| ApiError::NotFound)
    }
}

/// Query parameters, refused with 422 in the API's error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| ApiError::Invalid {
                message: rejection.body_text(),
                fields: Vec::new(),
                reason: None,
            })
    }
}
