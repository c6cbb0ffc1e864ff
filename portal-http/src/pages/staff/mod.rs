//! The team's work pages: clients and contacts, projects with publish toggles, the approval queue and the requests inbox.

use axum::Router;

use crate::state::PortalState;

/// This area's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
}

/// This area's templates: `(name, compiled-in source)`, by page family.
pub(crate) const TEMPLATES: &[&[(&str, &str)]] = &[];
