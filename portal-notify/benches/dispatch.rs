//! Dispatcher throughput on SQLite into a loopback webhook receiver (target: at least 1,000
//! events a second).
//!
//! A tenant on a fresh SQLite file (WAL, `synchronous=FULL`: every acknowledged write is on
//! disk) has one webhook endpoint: an axum receiver on 127.0.0.1 that checks each signature and
//! counts. N outbox rows (`approval.decided`, the team's audience, nobody to notify in person)
//! are written first; the clock runs from the first pass until the receiver has accepted every
//! event and the store has logged every delivery.
//!
//! Run: `cargo bench -p portal-notify --bench dispatch [-- <events>]` (default 5,000).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark stops loudly on a broken setup"
)]
#![allow(missing_docs, reason = "benchmark code")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use portal_auth::RecordingMailer;
use portal_core::model::{
    AuditContext, Branding, EventType, NewTenant, Tenant, WebhookEndpointInput,
};
use portal_core::{DisplayName, HexColour, Slug, TenantScope, UserId};
use portal_notify::dispatch::{DispatchConfig, Dispatcher, NotifyLinks};
use portal_notify::mail::MailRenderer;
use portal_notify::webhook::{DestinationPolicy, WebhookSender, WebhookSenderConfig, verify};
use portal_storage::sql::{SqliteStore, SqliteStoreConfig};
use portal_storage::{Page, Stores};
use serde_json::json;
use time::OffsetDateTime;
use url::Url;

const SECRET: &[u8] = b"bench-secret-0123456789abcdef";

struct Links;

impl NotifyLinks for Links {
    fn page(&self, _tenant: &Tenant, path: &str) -> Url {
        Url::parse("https://portal.example/")
            .unwrap()
            .join(path)
            .unwrap()
    }

    fn preferences(&self, _tenant: &Tenant, _user: UserId, _event: Option<EventType>) -> Url {
        Url::parse("https://portal.example/mail").unwrap()
    }
}

/// The receiver: verifies each signature, counts the events.
async fn receive(
    State(count): State<Arc<AtomicUsize>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Some(signature) = headers
        .get("portal-signature")
        .and_then(|value| value.to_str().ok())
    else {
        return StatusCode::BAD_REQUEST;
    };
    let tolerance = time::Duration::minutes(5);
    if verify(
        SECRET,
        signature,
        &body,
        OffsetDateTime::now_utc(),
        tolerance,
    )
    .is_err()
    {
        return StatusCode::UNAUTHORIZED;
    }
    count.fetch_add(1, Ordering::Relaxed);
    StatusCode::NO_CONTENT
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let events: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(5_000);

    let received = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(received.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("portal.db"), SqliteStoreConfig::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let stores = Stores::from_backend(store);
    let tenant = stores
        .tenants
        .create_tenant(NewTenant {
            slug: Slug::parse("bench").unwrap(),
            branding: Branding {
                display_name: DisplayName::parse("Bench Studio").unwrap(),
                logo_url: None,
                favicon_url: None,
                primary_colour: HexColour::parse("#1d4ed8").unwrap(),
                accent_colour: HexColour::parse("#0f766e").unwrap(),
                font: None,
                custom_css: None,
                email_sender_name: None,
                email_sender_address: None,
                default_locale: None,
            },
        })
        .await
        .unwrap();
    let system = TenantScope::dangerous_system(tenant.id);
    stores
        .webhooks
        .create_webhook(
            &system,
            WebhookEndpointInput {
                url: Url::parse(&format!("http://{address}/hook")).unwrap(),
                description: "bench receiver".into(),
                event_types: vec![EventType::ApprovalDecided],
                active: true,
            },
            SECRET.to_vec(),
            &AuditContext::default(),
        )
        .await
        .unwrap();
    for _ in 0..events {
        let payload = json!({ "approval": uuid::Uuid::now_v7(), "status": "approved" });
        stores
            .outbox
            .enqueue(&system, "approval.decided", payload)
            .await
            .unwrap();
    }

    let sender = WebhookSenderConfig::default().with_policy(DestinationPolicy::permissive());
    let dispatcher = Dispatcher::new(
        stores.clone(),
        Arc::new(RecordingMailer::new()),
        Arc::new(MailRenderer::builtin().unwrap()),
        WebhookSender::new(sender).unwrap(),
        Arc::new(Links),
        DispatchConfig::default(),
    );

    let started = Instant::now();
    let mut passes = 0;
    while received.load(Ordering::Relaxed) < events {
        dispatcher.tick(OffsetDateTime::now_utc()).await.unwrap();
        passes += 1;
        assert!(
            passes < events * 10,
            "the dispatcher stopped making progress"
        );
    }
    // Drain: every delivery's attempt is logged before the clock stops.
    while !dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap()
        .idle()
    {}
    let elapsed = started.elapsed();

    let logged = stores
        .webhooks
        .list_deliveries(&system, None, Page::first(1).unwrap())
        .await
        .unwrap();
    assert!(!logged.items.is_empty());
    let per_second = events as f64 / elapsed.as_secs_f64();
    println!(
        "dispatch: {events} events fanned out and delivered to a loopback webhook in {:.2} s \
         over {passes} passes = {per_second:.0} events/s (target ≥ 1,000)",
        elapsed.as_secs_f64()
    );
}
