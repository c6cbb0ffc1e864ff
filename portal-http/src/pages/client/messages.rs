//! The conversations: every thread the viewer may see, by project (`GET messages`), and one
//! thread with its messages and a form to post (`GET`/`POST messages/{kind}/{id}`). Threads
//! are read and written with the page's scope through the stores and the API's own functions,
//! like `GET`/`POST /threads/{kind}/{id}/messages`: a contact never sees an internal message.

pub(crate) mod conversation;
mod list;
pub(crate) mod listing;
pub(crate) mod subjects;
mod thread;

use axum::Router;
use axum::routing::get;

use crate::state::PortalState;

/// This family's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new().route("/messages", get(list::show)).route(
        "/messages/{kind}/{id}",
        get(thread::show).post(thread::post),
    )
}

/// This family's templates: `(name, compiled-in source)`.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "client/messages.html",
        include_str!("../../../templates/client/messages.html"),
    ),
    (
        "client/thread.html",
        include_str!("../../../templates/client/thread.html"),
    ),
    (
        "client/thread-conversation.html",
        include_str!("../../../templates/client/thread-conversation.html"),
    ),
];
