#![doc = include_str!("../README.md")]

pub mod config;
pub mod database;
pub mod keys;
pub mod mail;
pub mod seed;
pub mod templates;
pub mod verify;

use axum::Router;
use axum::extract::Request;
use portal_http::PortalState;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The portal's router with one log line per response.
///
/// Spans carry the method and the path but never the query: links from mail carry one-time
/// tokens there, and logs must not.
pub fn app(state: PortalState) -> Router {
    portal_http::router(state).layer(
        TraceLayer::new_for_http()
            .make_span_with(|request: &Request| {
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                )
            })
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    )
}

/// Turns Nagle's algorithm off on an accepted connection (`TCP_NODELAY`), for
/// `axum::serve::ListenerExt::tap_io`.
///
/// hyper writes an answer's head and a streamed body (a download) separately; with Nagle on, the
/// body's small last segment waits for the client to acknowledge the head, and a client that
/// delays its acknowledgements (as Linux does on a kept-alive connection) stalls each such
/// answer by about 40 ms.
pub fn no_delay(stream: &mut tokio::net::TcpStream) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
    }
}

/// The path of the health check: 200 while the database answers, 503 when it does not. Outside
/// every tenant's path, so a load balancer needs no tenant to probe a replica.
pub const HEALTH_PATH: &str = "/healthz";

/// The path of the fixed answer the HTTP benchmark compares the portal against.
pub const BASELINE_PATH: &str = "/__bench/fixed";

/// [`app`] plus, at [`BASELINE_PATH`], a handler that returns a fixed JSON body and touches
/// nothing: the ceiling one process can serve, for `bench/http.sh` to measure the portal against.
pub fn app_with_baseline(state: PortalState) -> Router {
    app(state).route(
        BASELINE_PATH,
        axum::routing::get(|| async {
            axum::Json(serde_json::json!({ "status": "ok", "items": [1, 2, 3] }))
        }),
    )
}
