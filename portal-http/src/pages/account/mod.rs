//! The rest of signing in — password reset, magic links, invitations, enrolling a second factor, confirming the password before a sensitive act — and the viewer's own account.

use axum::Router;

use crate::state::PortalState;

/// This area's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
}

/// This area's templates: `(name, compiled-in source)`, by page family.
pub(crate) const TEMPLATES: &[&[(&str, &str)]] = &[];
