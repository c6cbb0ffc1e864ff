//! The requests: what a client asks of the team. `GET requests` lists them (open ones first),
//! `GET requests/new` and `POST requests` submit one (`submit_requests`), `GET requests/{id}`
//! shows one with its conversation, `POST requests/{id}/messages` replies (`comment`) and
//! `POST requests/{id}/reopen` reopens a resolved one (the one status change a client makes).
//! Everything goes through the stores with the page's scope, as `/requests` in the API does.

mod detail;
mod list;
mod new;
mod status;

use axum::Router;
use axum::routing::{get, post};

use crate::state::PortalState;

/// This family's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/requests", get(list::show).post(new::submit))
        .route("/requests/new", get(new::form))
        .route("/requests/{id}", get(detail::show))
        .route("/requests/{id}/messages", post(detail::reply))
        .route("/requests/{id}/reopen", post(detail::reopen))
}

/// This family's templates: `(name, compiled-in source)`.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "client/requests.html",
        include_str!("../../../templates/client/requests.html"),
    ),
    (
        "client/request-new.html",
        include_str!("../../../templates/client/request-new.html"),
    ),
    (
        "client/request.html",
        include_str!("../../../templates/client/request.html"),
    ),
];
