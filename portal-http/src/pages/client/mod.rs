//! The client-facing pages behind the sign-in: projects, approvals, documents, requests,
//! messages and invoices. Staff see them too, with everything their role reaches.

mod approvals;
pub(crate) mod documents;
mod invoices;
mod messages;
pub(crate) mod projects;
mod requests;

use axum::Router;

use crate::state::PortalState;

/// The client-facing pages' routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .merge(projects::routes())
        .merge(approvals::routes())
        .merge(documents::routes())
        .merge(requests::routes())
        .merge(messages::routes())
        .merge(invoices::routes())
}

/// Their templates.
pub(crate) const TEMPLATES: &[&[(&str, &str)]] = &[
    projects::TEMPLATES,
    approvals::TEMPLATES,
    documents::TEMPLATES,
    requests::TEMPLATES,
    messages::TEMPLATES,
    invoices::TEMPLATES,
];
