//! The team's settings: roles and the permission matrix, branding, the client preview, the audit log, share links and API keys.

pub(crate) mod preview;

use axum::Router;

use crate::state::PortalState;

/// This area's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
}

/// This area's templates: `(name, compiled-in source)`, by page family.
pub(crate) const TEMPLATES: &[&[(&str, &str)]] = &[];
