//! The projects: the list, and one project with its milestones, deliverables and timeline.

use axum::Router;

use crate::state::PortalState;

/// This family's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
}

/// This family's templates: `(name, compiled-in source)`.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[];
