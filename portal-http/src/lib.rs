#![doc = include_str!("../README.md")]

pub mod api;
pub mod client_data;
pub mod config;
mod cookies;
pub mod denials;
pub mod error;
pub mod extract;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "pages")]
mod pages;
mod rate_limit;
mod response_cache;
mod security;
pub mod state;
pub mod tenant;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::{Extension, Router};
use tower::ServiceBuilder;

pub use api::documents::resumable::sweep_expired_uploads;
pub use api::openapi_json;
pub use config::{HttpConfig, PagesConfig, RateLimit, TenantRouting};
pub use error::ApiError;
pub use extract::{ApiJson, ApiPath, ApiQuery, Caller, CallerVia, ClientIp};
pub use state::{HostIdentity, PortalParts, PortalState};
pub use tenant::RequestTenant;

/// The portal as one router for the host to mount (`app.nest_service("/portal", router(state))`)
/// or serve. It never binds a socket. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` so login throttling and the audit log
/// see client addresses.
///
/// Mount it with `nest_service`, not `nest`: axum's `nest("/portal", …)` leaves `/portal/` to the
/// host's fallback, and with [`TenantRouting::Single`] that is the pages' home, where sign-in
/// and the brand's links lead. `nest_service` routes `/portal`, `/portal/` and everything below.
///
/// Every request first finds its tenant (a registered custom domain, else the first path segment
/// as the slug — `/{slug}/api/v1/…`), then passes the cross-site check and reaches its route;
/// every response, errors included, carries the security headers. With the `pages` feature the
/// tenant's branded pages answer at `/{slug}/` too.
pub fn router<S: Clone + Send + Sync + 'static>(state: PortalState) -> Router<S> {
    let (api, openapi) = api::routes();
    let document = api::OpenApiDocument::of(&openapi);
    let config = state.config().clone();
    #[cfg(feature = "pages")]
    let (routes, pages) = match pages::Pages::new(&config) {
        Ok(pages) => (
            api.merge(pages::routes()).fallback(pages::fallback),
            Some(Arc::new(pages)),
        ),
        Err(error) => {
            // Only a broken build gets here (tests render every page); the API still serves.
            tracing::error!(%error, "the pages could not be set up; serving the API only");
            (api.fallback(|| async { ApiError::NoRoute }), None)
        }
    };
    #[cfg(not(feature = "pages"))]
    let routes = api.fallback(|| async { ApiError::NoRoute });
    let inner = routes
        .layer(Extension(document))
        .layer(DefaultBodyLimit::max(config.max_json_bytes))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            denials::record_denials,
        ))
        .with_state(state.clone());
    let guarded = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(security::refuse_cross_site))
        .service(inner);
    // The pages' templates reach every page handler, and the cross-site refusal of a form, as
    // an extension.
    #[cfg(feature = "pages")]
    let guarded = ServiceBuilder::new()
        .option_layer(pages.map(Extension))
        .service(guarded);
    let service = ServiceBuilder::new()
        .layer(axum::middleware::map_response_with_state(
            config.secure_cookies,
            security::security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (config.request_timeout, config.transfer_timeout),
            security::time_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit_rate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            tenant::resolve_tenant,
        ))
        .service(guarded);
    Router::new().fallback_service(service)
}

/// The guides of `docs/`: the Rust in them runs with this crate's doctests, so it stays true.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../../docs/authorization.md")]
    struct Authorization;

    #[doc = include_str!("../../docs/embedding.md")]
    struct Embedding;

    #[doc = include_str!("../../docs/pages.md")]
    struct Pages;

    #[doc = include_str!("../../docs/storage.md")]
    struct Storage;

    #[doc = include_str!("../../docs/testing.md")]
    struct Testing;
}
