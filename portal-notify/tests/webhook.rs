//! Webhook deliveries against a real HTTP receiver on loopback.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed unwrap is a failed test"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use portal_notify::webhook::{DestinationPolicy, WebhookSender, WebhookSenderConfig, verify};
use time::OffsetDateTime;
use url::Url;

const SECRET: &[u8] = b"whsec_loopback";
const BODY: &str =
    r#"{"id":"0192f0c4-0000-7000-8000-000000000001","type":"approval.decided","data":{}}"#;

#[derive(Debug, Clone, Default)]
struct Seen(Arc<Mutex<Vec<(HeaderMap, Bytes)>>>);

/// A receiver on a free loopback port; returns its base URL.
async fn serve(router: Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    Url::parse(&format!("http://{address}/hook")).unwrap()
}

fn recording(seen: &Seen, status: StatusCode, answer: &'static str) -> Router {
    let seen = seen.clone();
    Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| async move {
            seen.0.lock().unwrap().push((headers, body));
            (status, answer)
        }),
    )
}

fn loopback_sender() -> WebhookSender {
    WebhookSender::new(WebhookSenderConfig::default().with_policy(DestinationPolicy::permissive()))
        .unwrap()
}

#[tokio::test]
async fn a_delivery_is_signed_and_verifiable() {
    let seen = Seen::default();
    let url = serve(recording(&seen, StatusCode::NO_CONTENT, "")).await;
    let now = OffsetDateTime::now_utc();
    let outcome = loopback_sender()
        .post(&url, SECRET, "evt-1", "approval.decided", BODY, now)
        .await;
    assert!(outcome.succeeded(), "{outcome:?}");
    assert_eq!(outcome.status, Some(204));
    assert_eq!(outcome.error, None);

    let requests = seen.0.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let (headers, body) = &requests[0];
    assert_eq!(body.as_ref(), BODY.as_bytes());
    let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "application/json");
    assert_eq!(header("portal-event-id"), "evt-1");
    assert_eq!(header("portal-event-type"), "approval.decided");
    let agent = header("user-agent");
    assert!(agent.starts_with("portal-webhooks/"), "{agent}");
    let signature = header("portal-signature");
    assert!(
        signature.starts_with(&format!("t={},v1=", now.unix_timestamp())),
        "{signature}"
    );
    assert_eq!(
        verify(SECRET, &signature, body, now, time::Duration::minutes(5)),
        Ok(())
    );
    assert!(verify(b"wrong", &signature, body, now, time::Duration::minutes(5)).is_err());
}

#[tokio::test]
async fn a_server_error_is_recorded_with_status_and_text() {
    let seen = Seen::default();
    let url = serve(recording(
        &seen,
        StatusCode::INTERNAL_SERVER_ERROR,
        "database is down",
    ))
    .await;
    let outcome = loopback_sender()
        .post(
            &url,
            SECRET,
            "evt-2",
            "approval.decided",
            BODY,
            OffsetDateTime::now_utc(),
        )
        .await;
    assert!(!outcome.succeeded());
    assert_eq!(outcome.status, Some(500));
    assert_eq!(outcome.error.as_deref(), Some("HTTP 500: database is down"));
}

#[tokio::test]
async fn only_the_first_kibibyte_of_an_answer_is_kept() {
    let long: &'static str = Box::leak("x".repeat(100_000).into_boxed_str());
    let seen = Seen::default();
    let url = serve(recording(&seen, StatusCode::BAD_REQUEST, long)).await;
    let outcome = loopback_sender()
        .post(
            &url,
            SECRET,
            "evt-3",
            "approval.decided",
            BODY,
            OffsetDateTime::now_utc(),
        )
        .await;
    assert_eq!(outcome.status, Some(400));
    let error = outcome.error.unwrap();
    assert_eq!(error.len(), "HTTP 400: ".len() + 1024, "{}", error.len());
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let seen = Seen::default();
    let target = serve(recording(&seen, StatusCode::OK, "")).await;
    let redirecting = Router::new().route(
        "/hook",
        post(move || async move {
            (
                StatusCode::TEMPORARY_REDIRECT,
                [("location", target.to_string())],
            )
        }),
    );
    let url = serve(redirecting).await;
    let outcome = loopback_sender()
        .post(
            &url,
            SECRET,
            "evt-4",
            "approval.decided",
            BODY,
            OffsetDateTime::now_utc(),
        )
        .await;
    assert_eq!(outcome.status, Some(307));
    assert!(!outcome.succeeded());
    assert!(seen.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_slow_receiver_times_out() {
    let slow = Router::new().route(
        "/hook",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::OK
        }),
    );
    let url = serve(slow).await;
    let sender = WebhookSender::new(
        WebhookSenderConfig::default()
            .with_policy(DestinationPolicy::permissive())
            .with_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let outcome = sender
        .post(
            &url,
            SECRET,
            "evt-5",
            "approval.decided",
            BODY,
            OffsetDateTime::now_utc(),
        )
        .await;
    assert_eq!(outcome.status, None);
    let error = outcome.error.unwrap();
    assert!(error.contains("timed out"), "{error}");
    assert!(
        (300..3000).contains(&outcome.duration_ms),
        "{}",
        outcome.duration_ms
    );
}

#[tokio::test]
async fn private_addresses_are_refused_by_default() {
    let seen = Seen::default();
    let url = serve(recording(&seen, StatusCode::OK, "")).await;
    // Plain HTTP allowed, private addresses not: the literal loopback address is refused.
    let sender = WebhookSender::new(WebhookSenderConfig::default().with_policy(
        DestinationPolicy {
            allow_http: true,
            allow_private: false,
        },
    ))
    .unwrap();
    let now = OffsetDateTime::now_utc();
    let outcome = sender
        .post(&url, SECRET, "evt-6", "approval.decided", BODY, now)
        .await;
    assert_eq!(outcome.status, None);
    let error = outcome.error.unwrap();
    assert!(error.contains("destination refused"), "{error}");
    assert!(error.contains("127.0.0.1"), "{error}");

    // A name that resolves to loopback is refused after resolution, before connecting.
    let mut by_name = url.clone();
    by_name.set_host(Some("localhost")).unwrap();
    let outcome = sender
        .post(&by_name, SECRET, "evt-7", "approval.decided", BODY, now)
        .await;
    assert_eq!(outcome.status, None);
    let error = outcome.error.unwrap();
    assert!(error.contains("destination refused"), "{error}");
    assert!(error.contains("localhost"), "{error}");

    // The default policy refuses plain HTTP before anything else.
    let strict = WebhookSender::new(WebhookSenderConfig::default()).unwrap();
    let outcome = strict
        .post(&url, SECRET, "evt-8", "approval.decided", BODY, now)
        .await;
    let error = outcome.error.unwrap();
    assert!(error.contains("scheme `http`"), "{error}");
    assert!(
        seen.0.lock().unwrap().is_empty(),
        "nothing may reach the receiver"
    );
}
