//! The client address: from the socket, or from `X-Forwarded-For` only through a trusted proxy
//! (SEC-11); per-address rate limits follow it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use portal_http::{HttpConfig, RateLimit};
use support::{PASSWORD, Portal};

const PROXY: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));

fn from(peer: IpAddr, forwarded: Option<&str>, path: &str) -> Request<Body> {
    let mut request = Request::get(path).header(header::HOST, "portal.example.com");
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    let mut request = request.body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(peer, 40_000)));
    request
}

fn tight() -> HttpConfig {
    HttpConfig::default()
        .with_trusted_proxies(vec![PROXY])
        .with_rate_limit(Some(RateLimit {
            per_second: NonZeroU32::new(1).unwrap(),
            burst: NonZeroU32::new(2).unwrap(),
        }))
}

#[tokio::test]
async fn a_spoofed_forwarded_for_does_not_escape_the_rate_limit_sec_11() {
    let portal = Portal::with_config(tight()).await;
    let peer: IpAddr = "198.51.100.7".parse().unwrap();
    let mut statuses = Vec::new();
    for n in 0..4 {
        let spoof = format!("203.0.113.{n}");
        let reply = portal
            .send(from(peer, Some(&spoof), "/acme/api/v1/openapi.json"))
            .await;
        statuses.push(reply.status);
    }
    assert_eq!(statuses, [200, 200, 429, 429]);
    let limited = portal
        .send(from(peer, None, "/acme/api/v1/openapi.json"))
        .await;
    assert_eq!(limited.error_code(), "throttled");
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    let other: IpAddr = "198.51.100.8".parse().unwrap();
    assert_eq!(
        portal
            .send(from(other, None, "/acme/api/v1/openapi.json"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_nearest_untrusted_address_counts_sec_11() {
    let portal = Portal::with_config(tight()).await;
    for _ in 0..2 {
        let reply = portal
            .send(from(
                PROXY,
                Some("1.1.1.1, 203.0.113.50"),
                "/acme/api/v1/openapi.json",
            ))
            .await;
        assert_eq!(reply.status, 200);
    }
    let third = portal
        .send(from(
            PROXY,
            Some("9.9.9.9, 203.0.113.50"),
            "/acme/api/v1/openapi.json",
        ))
        .await;
    assert_eq!(
        third.status, 429,
        "the client-written left part does not pick the key"
    );
    let someone_else = portal
        .send(from(
            PROXY,
            Some("203.0.113.51"),
            "/acme/api/v1/openapi.json",
        ))
        .await;
    assert_eq!(someone_else.status, 200);
}

#[tokio::test]
async fn the_audit_log_records_the_socket_address_not_a_spoofed_one_sec_11() {
    let portal = Portal::new().await;
    let peer: IpAddr = "198.51.100.20".parse().unwrap();
    let mut request = Request::post("/acme/api/v1/auth/login")
        .header(header::HOST, "portal.example.com")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", "203.0.113.99")
        .body(Body::from(
            serde_json::json!({ "email": "ada@acme.test", "password": PASSWORD }).to_string(),
        ))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(peer, 40_000)));
    assert_eq!(portal.send(request).await.status, 200);
    let events = portal.audit_events(portal.acme, "login.succeeded").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].ip, Some(peer));
}
