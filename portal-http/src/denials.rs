//! Refused requests go to the audit log (SEC-40): when an authenticated caller gets 403 or 404 on
//! a route, an `authz.denied` event with the method, the route and the status is appended to the
//! caller's tenant's chain. A 404 for a truly missing id is logged alike: the portal answers both
//! the same way on purpose, and the log can tell a probe from a typo by its volume.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use portal_core::TenantScope;
use portal_core::model::{AuditContext, AuditOutcome, NewAuditEvent};
use serde_json::json;

use crate::extract::ClientIp;
use crate::state::PortalState;

/// The audit action of a refused request.
pub const AUTHZ_DENIED: &str = "authz.denied";

/// Where the [`Caller`](crate::Caller) extractor leaves the scope it authenticated, so a refusal
/// is recorded without authenticating the request a second time.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallerSlot(Arc<OnceLock<TenantScope>>);

impl CallerSlot {
    /// Keeps the request's authenticated scope.
    pub(crate) fn fill(&self, scope: &TenantScope) {
        // A request is authenticated once; a second extractor finds the slot already full.
        let _first = self.0.set(scope.clone());
    }
}

/// Middleware (inside routing): appends `authz.denied` for a refused, authenticated request.
pub(crate) async fn record_denials(
    State(state): State<PortalState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let method = request.method().clone();
    let (mut parts, body) = request.into_parts();
    let Ok(ClientIp(ip)) = ClientIp::from_request_parts(&mut parts, &state).await;
    let slot = CallerSlot::default();
    parts.extensions.insert(slot.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status();
    if (status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND)
        && let (Some(route), Some(scope)) = (route, slot.0.get())
    {
        let event = NewAuditEvent {
            outcome: AuditOutcome::Denied,
            ..NewAuditEvent::by(scope, AUTHZ_DENIED, None)
        }
        .with_details(json!({
            "method": method.as_str(),
            "route": route,
            "status": status.as_u16(),
        }));
        if let Err(error) = state
            .stores()
            .audit
            .append(scope, event, &AuditContext { ip })
            .await
        {
            tracing::warn!(%error, "could not record a refused request");
        }
    }
    response
}
