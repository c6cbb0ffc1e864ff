//! The auth routes and the edge defences, through the router.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{Request, header};
use futures_util::{StreamExt as _, stream};
use portal_core::model::ThrottleState;
use portal_http::HttpConfig;
use portal_storage::{StoreError, StoreResult, Stores, ThrottleStore};
use serde_json::json;
use support::{PASSWORD, Portal, Reply};
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn login_sets_a_host_prefixed_secure_cookie_and_me_answers_sec_15() {
    let portal = Portal::new().await;
    let reply = portal
        .post(
            "/acme/api/v1/auth/login",
            json!({ "email": "ada@acme.test", "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["status"], "signed_in");
    let set_cookie = reply.set_cookie().unwrap();
    assert!(
        set_cookie.starts_with("__Host-portal_session="),
        "{set_cookie}"
    );
    for attribute in [
        "Path=/",
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Max-Age=43200",
    ] {
        assert!(
            set_cookie.contains(attribute),
            "{set_cookie} lacks {attribute}"
        );
    }
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");

    let cookie = reply.cookie().unwrap();
    let me = portal.get("/acme/api/v1/me", Some(&cookie)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["email"], "ada@acme.test");
    assert_eq!(me.json()["tenant"], "acme");
    assert!(
        me.json()["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "manage_tenant")
    );
    assert_eq!(
        me.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store",
        "authenticated answers are not cached (SEC-32)"
    );
}

#[tokio::test]
async fn every_login_failure_is_the_same_answer_sec_08() {
    let portal = Portal::new().await;
    let mut bodies = Vec::new();
    for (email, password) in [
        ("ada@acme.test", "wrong password here"),
        ("nobody@acme.test", PASSWORD),
        ("not an email", PASSWORD),
        ("gil@globex.test", PASSWORD),
    ] {
        let reply = portal
            .post(
                "/acme/api/v1/auth/login",
                json!({ "email": email, "password": password }),
                None,
            )
            .await;
        assert_eq!(reply.status, 401);
        assert!(reply.set_cookie().is_none());
        bodies.push(reply.text);
    }
    assert!(
        bodies.windows(2).all(|pair| pair[0] == pair[1]),
        "{bodies:?}"
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&bodies[0]).unwrap()["error"]["code"],
        "invalid_credentials"
    );
}

#[tokio::test]
async fn sessions_come_only_from_the_cookie_and_only_for_their_tenant_sec_16_sec_27() {
    let portal = Portal::new().await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    let token = cookie.split_once('=').unwrap().1.to_owned();
    let anonymous = portal.get("/acme/api/v1/me", None).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.error_code(), "unauthenticated");
    let in_query = portal
        .get(&format!("/acme/api/v1/me?session={token}"), None)
        .await;
    assert_eq!(in_query.status, 401, "no session from a query string");
    let elsewhere = portal.get("/globex/api/v1/me", Some(&cookie)).await;
    assert_eq!(
        elsewhere.status, 401,
        "acme's session means nothing at globex"
    );
    let spoofed = portal
        .send(
            Request::get("/globex/api/v1/me")
                .header(header::COOKIE, &cookie)
                .header("x-tenant-id", portal.acme.to_string())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(spoofed.status, 401, "a tenant header changes nothing");
    assert_eq!(
        portal.get("/acme/api/v1/me", Some(&cookie)).await.status,
        200
    );
}

#[tokio::test]
async fn logout_ends_the_session_sec_17() {
    let portal = Portal::new().await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    let reply = portal
        .post("/acme/api/v1/auth/logout", json!({}), Some(&cookie))
        .await;
    assert_eq!(reply.status, 204);
    assert!(reply.set_cookie().unwrap().contains("Max-Age=0"));
    assert_eq!(
        portal.get("/acme/api/v1/me", Some(&cookie)).await.status,
        401
    );
}

/// A login sent with a session cookie ends that session once the new one is issued, so a
/// replaced cookie opens nothing; a failed login ends nothing, and a session of another tenant
/// sent along is left alone.
#[tokio::test]
async fn a_login_ends_the_session_of_the_cookie_sent_with_it_sec_13() {
    let portal = Portal::new().await;
    let login = |cookie: Option<String>, password: &'static str| {
        let portal = &portal;
        async move {
            portal
                .post(
                    "/acme/api/v1/auth/login",
                    json!({ "email": "ada@acme.test", "password": password }),
                    cookie.as_deref(),
                )
                .await
        }
    };
    let a = portal.login("acme", "ada@acme.test").await;
    let again = login(Some(a.clone()), PASSWORD).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let b = again.cookie().unwrap();
    assert_ne!(a, b, "a new token");
    assert_eq!(portal.get("/acme/api/v1/me", Some(&a)).await.status, 401);
    assert_eq!(portal.get("/acme/api/v1/me", Some(&b)).await.status, 200);

    let wrong = login(Some(b.clone()), "not the password at all").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        portal.get("/acme/api/v1/me", Some(&b)).await.status,
        200,
        "a failed login ends nothing"
    );

    let globex = portal.login("globex", "gil@globex.test").await;
    let beside = login(Some(globex.clone()), PASSWORD).await;
    assert_eq!(beside.status, 200, "{}", beside.text);
    assert_eq!(
        portal.get("/globex/api/v1/me", Some(&globex)).await.status,
        200,
        "another tenant's session is not acme's to end"
    );
}

#[tokio::test]
async fn an_idle_session_ends_after_thirty_minutes_sec_18() {
    let portal = Portal::new().await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    portal.clock.advance(Duration::minutes(29));
    assert_eq!(
        portal.get("/acme/api/v1/me", Some(&cookie)).await.status,
        200
    );
    portal.clock.advance(Duration::minutes(31));
    assert_eq!(
        portal.get("/acme/api/v1/me", Some(&cookie)).await.status,
        401
    );
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_by_their_user() {
    let portal = Portal::new().await;
    let first = portal.login("acme", "ada@acme.test").await;
    let second = portal.login("acme", "ada@acme.test").await;
    let list = portal.get("/acme/api/v1/me/sessions", Some(&second)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let sessions = list.json();
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let other = sessions
        .iter()
        .find(|session| session["current"] == false)
        .unwrap();
    let id = other["id"].as_str().unwrap();
    let revoke = portal
        .send(
            Request::delete(format!("/acme/api/v1/me/sessions/{id}"))
                .header(header::HOST, "portal.example.com")
                .header(header::COOKIE, &second)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(revoke.status, 204, "{}", revoke.text);
    assert_eq!(
        portal.get("/acme/api/v1/me", Some(&first)).await.status,
        401
    );
    assert_eq!(
        portal.get("/acme/api/v1/me", Some(&second)).await.status,
        200
    );
}

#[tokio::test]
async fn cross_site_writes_and_non_json_bodies_are_refused_sec_31() {
    let portal = Portal::new().await;
    let body = json!({ "email": "ada@acme.test", "password": PASSWORD }).to_string();
    let evil = portal
        .send(
            Request::post("/acme/api/v1/auth/login")
                .header(header::HOST, "portal.example.com")
                .header(header::ORIGIN, "https://evil.example")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(evil.status, 403);
    assert_eq!(evil.error_code(), "cross_site_request");
    let cross = portal
        .send(
            Request::post("/acme/api/v1/auth/login")
                .header(header::HOST, "portal.example.com")
                .header("sec-fetch-site", "cross-site")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(cross.status, 403);
    let plain = portal
        .send(
            Request::post("/acme/api/v1/auth/login")
                .header(header::HOST, "portal.example.com")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(plain.status, 415);
    assert_eq!(plain.error_code(), "unsupported_media_type");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_sec_32() {
    let portal = Portal::new().await;
    let answers = [
        portal.get("/nobody/api/v1/me", None).await,
        portal.get("/acme/api/v1/no/such/route", None).await,
        portal.get("/acme/api/v1/me", None).await,
        portal.get("/acme/api/v1/openapi.json", None).await,
    ];
    for reply in &answers {
        assert_security_headers(reply);
    }
    assert_eq!(answers[0].status, 404);
    assert_eq!(answers[0].error_code(), "not_found");
    assert_eq!(answers[1].error_code(), "no_route");
}

/// The headers every answer carries, whatever its status (SEC-32).
fn assert_security_headers(reply: &Reply) {
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        (
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        ),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(
            reply.headers.get(name).map(|v| v.to_str().unwrap()),
            Some(value),
            "{name} on a {} answer",
            reply.status
        );
    }
    let csp = reply.headers.get("content-security-policy").unwrap();
    assert!(
        csp.to_str().unwrap().contains("frame-ancestors 'none'"),
        "{csp:?} on a {} answer",
        reply.status
    );
}

/// Login throttling whose backend is down: every call fails.
struct BrokenThrottle;

fn down() -> StoreError {
    StoreError::backend(std::io::Error::other("canary-throttle-backend-down"))
}

#[async_trait::async_trait]
impl ThrottleStore for BrokenThrottle {
    async fn throttle(&self, _key: &str) -> StoreResult<Option<ThrottleState>> {
        Err(down())
    }

    async fn record_failure(
        &self,
        _key: &str,
        _now: OffsetDateTime,
        _window: Duration,
    ) -> StoreResult<ThrottleState> {
        Err(down())
    }

    async fn forgive_failure(&self, _key: &str) -> StoreResult<()> {
        Err(down())
    }

    async fn block_until(&self, _key: &str, _until: OffsetDateTime) -> StoreResult<()> {
        Err(down())
    }

    async fn clear_throttle(&self, _key: &str) -> StoreResult<()> {
        Err(down())
    }
}

#[tokio::test]
async fn answers_413_and_500_carry_the_security_headers_too_sec_32() {
    let portal = Portal::new().await;
    let oversized = portal
        .post(
            "/acme/api/v1/auth/login",
            json!({ "email": "a".repeat(1024 * 1024), "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(oversized.status, 413, "{}", oversized.text);
    assert_eq!(oversized.error_code(), "payload_too_large");
    assert_security_headers(&oversized);

    let broken = Portal::with_stores(HttpConfig::default(), |stores| Stores {
        throttle: Arc::new(BrokenThrottle),
        ..stores
    })
    .await;
    let failed = broken
        .post(
            "/acme/api/v1/auth/login",
            json!({ "email": "ada@acme.test", "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(failed.status, 500, "{}", failed.text);
    assert_eq!(failed.error_code(), "internal");
    assert!(
        !failed.text.contains("canary-throttle"),
        "the cause stays in the log: {}",
        failed.text
    );
    assert_security_headers(&failed);
}

/// A JSON body that sends its first bytes and then nothing more, never ending.
fn stalled_body() -> Body {
    let first = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(
        b"{\"email\": \"ada@acme.test\", ",
    ))]);
    Body::from_stream(first.chain(stream::pending()))
}

#[tokio::test]
async fn a_request_whose_body_never_ends_is_cut_off_with_408_sec_35() {
    let portal = Portal::with_config(
        HttpConfig::default().with_request_timeout(std::time::Duration::from_millis(50)),
    )
    .await;
    let reply = portal
        .send(
            Request::post("/acme/api/v1/auth/login")
                .header(header::HOST, "portal.example.com")
                .header(header::CONTENT_TYPE, "application/json")
                .header("sec-fetch-site", "same-origin")
                .body(stalled_body())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 408, "{}", reply.text);
    assert_eq!(reply.error_code(), "timeout");
    assert_security_headers(&reply);
}

#[tokio::test]
async fn reset_and_magic_link_requests_answer_alike_and_links_ignore_the_host_sec_09_sec_21() {
    let portal = Portal::new().await;
    for path in ["/acme/api/v1/auth/reset", "/acme/api/v1/auth/magic-link"] {
        let mut bodies = Vec::new();
        for email in ["ada@acme.test", "nobody@acme.test"] {
            let reply = portal
                .send(
                    Request::post(path)
                        .header(header::HOST, "evil.example")
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(json!({ "email": email }).to_string()))
                        .unwrap(),
                )
                .await;
            bodies.push((reply.status, reply.text));
        }
        assert_eq!(bodies[0], bodies[1], "{path}");
        assert_eq!(bodies[0].0, 202);
    }
    // The mail goes out detached from the answer.
    for _ in 0..100 {
        if portal.mailer.sent().len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let sent = portal.mailer.sent();
    assert_eq!(sent.len(), 2);
    for mail in sent {
        assert!(
            mail.text.contains("https://portal.example.com/acme/auth/"),
            "{}",
            mail.text
        );
        assert!(!mail.text.contains("evil"));
    }
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_sec_21() {
    let portal = Portal::new().await;
    let reply = portal
        .post(
            "/acme/api/v1/auth/reset",
            json!({ "email": "ada@acme.test" }),
            None,
        )
        .await;
    assert_eq!(reply.status, 202);
    for _ in 0..100 {
        if !portal.mailer.sent().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mail = portal.mailer.sent().pop().unwrap();
    let token = mail
        .text
        .split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let weak = portal
        .post(
            "/acme/api/v1/auth/reset/complete",
            json!({ "token": token, "password": "short" }),
            None,
        )
        .await;
    assert_eq!(weak.status, 422);
    assert_eq!(weak.json()["error"]["fields"][0], "password");
    let done = portal
        .post(
            "/acme/api/v1/auth/reset/complete",
            json!({ "token": token, "password": "a brand new harbour 2027" }),
            None,
        )
        .await;
    assert_eq!(done.status, 204, "{}", done.text);
    let again = portal
        .post(
            "/acme/api/v1/auth/reset/complete",
            json!({ "token": token, "password": "a brand new harbour 2027" }),
            None,
        )
        .await;
    assert_eq!(again.status, 401);
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let portal = Portal::new().await;
    let reply = portal.get("/acme/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, 200);
    let document = reply.json();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 12, "{paths:?}");
    // Every documented operation is routed: none falls through to the router's fallback.
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "0000");
            let request = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(format!("/acme{concrete}"))
                .header(header::HOST, "portal.example.com")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let reply = portal.send(request).await;
            if reply.status == 404 {
                assert_ne!(
                    reply.error_code(),
                    "no_route",
                    "{method} {path} is not routed"
                );
            }
        }
    }
}

#[tokio::test]
async fn refused_requests_are_audited_sec_40() {
    let portal = Portal::new().await;
    let cookie = portal.login("globex", "gil@globex.test").await;
    let missing = uuid::Uuid::now_v7();
    let reply = portal
        .get(&format!("/globex/api/v1/projects/{missing}"), Some(&cookie))
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(portal.get("/globex/api/v1/me", None).await.status, 401);
    assert_eq!(
        portal
            .get("/globex/api/v1/no/such/route", Some(&cookie))
            .await
            .error_code(),
        "no_route"
    );
    let denied = portal.audit_events(portal.globex, "authz.denied").await;
    assert_eq!(
        denied.len(),
        1,
        "one refusal by an authenticated caller: {denied:?}"
    );
    let event = &denied[0];
    assert_eq!(event.details["route"], "/api/v1/projects/{project_id}");
    assert_eq!(event.details["status"], 404);
    assert_eq!(event.details["method"], "GET");
    assert_eq!(
        format!("{:?}", event.outcome),
        "Denied",
        "the event records a refusal"
    );
}

#[tokio::test]
async fn a_custom_domain_serves_its_tenant_at_the_root_sec_27() {
    use portal_core::TenantScope;
    use portal_core::model::AuditContext;

    // No tenant cache: the domain added below must show at once.
    let portal = Portal::with_config(
        portal_http::HttpConfig::default().with_tenant_cache_ttl(std::time::Duration::ZERO),
    )
    .await;
    let on_domain = |path: &str| {
        Request::post(path)
            .header(header::HOST, "clients.acme.test:443")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({ "email": "ada@acme.test", "password": PASSWORD }).to_string(),
            ))
            .unwrap()
    };
    assert_eq!(
        portal.send(on_domain("/api/v1/auth/login")).await.status,
        404
    );
    portal
        .stores
        .tenants
        .add_domain(
            &TenantScope::dangerous_system(portal.acme),
            "clients.acme.test",
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let login = portal.send(on_domain("/api/v1/auth/login")).await;
    assert_eq!(login.status, 200, "{}", login.text);
    let cookie = login.cookie().unwrap();
    let me = portal
        .send(
            Request::get("/api/v1/me")
                .header(header::HOST, "clients.acme.test")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.json()["tenant"], "acme");
    let globex_on_acme_domain = portal
        .send(
            Request::get("/globex/api/v1/me")
                .header(header::HOST, "clients.acme.test")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        globex_on_acme_domain.error_code(),
        "no_route",
        "on a tenant's domain the path is that tenant's: no other slug is read"
    );
}

/// Every operation of the document, as `(method, path template, operation)`.
fn documented_operations(document: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut found = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            found.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    found
}

/// A concrete path for a template: a fresh id for every `{…_id}`, a thread kind for `{kind}`,
/// and a plain word for the free-text parameters.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{kind}" => "project".to_owned(),
            s if s.starts_with('{') && s.ends_with("_id}") => uuid::Uuid::now_v7().to_string(),
            s if s.starts_with('{') => "word".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `operation` documents `status` with the API's error body.
fn documents_error(operation: &serde_json::Value, status: u16) -> bool {
    operation["responses"][status.to_string()]["content"]["application/json"]["schema"]["$ref"]
        == "#/components/schemas/ErrorBody"
}

#[tokio::test]
async fn every_reference_of_the_openapi_document_resolves_and_every_answer_is_described() {
    // Found by fuzzing the served document: the thread routes named a `SubjectKind` component
    // that the document did not hold, so no client could read their `kind`.
    fn walk(value: &serde_json::Value, at: &str, document: &serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(|r| r.as_str()) {
                    let name = reference
                        .strip_prefix("#/components/schemas/")
                        .unwrap_or_else(|| panic!("{at}: {reference} is not a schema"));
                    assert!(
                        document["components"]["schemas"].get(name).is_some(),
                        "{at}: {reference} names no component"
                    );
                }
                for (key, inner) in map {
                    walk(inner, &format!("{at}/{key}"), document);
                }
            }
            serde_json::Value::Array(items) => {
                for (index, inner) in items.iter().enumerate() {
                    walk(inner, &format!("{at}/{index}"), document);
                }
            }
            _ => {}
        }
    }
    let portal = Portal::new().await;
    let document = portal.get("/acme/api/v1/openapi.json", None).await.json();
    walk(&document, "", &document);
    // OpenAPI requires a description on every response object.
    for (method, path, operation) in documented_operations(&document) {
        for (status, answer) in operation["responses"].as_object().unwrap() {
            let description = answer["description"].as_str().unwrap_or_default();
            assert!(
                !description.is_empty(),
                "{method} {path}: the {status} answer has no description"
            );
        }
    }
}

#[tokio::test]
async fn every_refused_json_body_answers_a_documented_status() {
    // Found by fuzzing the served document: a body that is not JSON (400), a missing
    // `Content-Type: application/json` (415) and a body that does not fit (422) answered
    // statuses that most operations with a JSON body did not list.
    let portal =
        Portal::with_config(portal_http::HttpConfig::default().with_max_json_bytes(4096)).await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    let document = portal.get("/acme/api/v1/openapi.json", None).await.json();
    let mut checked = 0;
    for (method, path, operation) in documented_operations(&document) {
        let json_body = operation["requestBody"]["content"]
            .get("application/json")
            .is_some();
        if !json_body {
            continue;
        }
        let uri = format!("/acme{}", concrete(&path));
        let oversized = format!("{{\"x\": \"{}\"}}", "x".repeat(8192));
        for (content_type, body, expected) in [
            (None, "{}".to_owned(), 415),
            (Some("application/json"), "{".to_owned(), 400),
            (Some("application/json"), "\"text\"".to_owned(), 422),
            (Some("application/json"), oversized, 413),
        ] {
            let mut request = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .header(header::HOST, "portal.example.com")
                .header(header::COOKIE, &cookie)
                // The sync route wants one before it reads the body.
                .header("idempotency-key", uuid::Uuid::now_v7().to_string());
            if let Some(content_type) = content_type {
                request = request.header(header::CONTENT_TYPE, content_type);
            }
            let reply = portal.send(request.body(Body::from(body)).unwrap()).await;
            assert_eq!(
                reply.status, expected,
                "{method} {path} with {content_type:?}: {}",
                reply.text
            );
            assert!(
                documents_error(&operation, expected),
                "{method} {path} answers {expected}, which its document does not list"
            );
        }
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} operations with a JSON body");
}

#[tokio::test]
async fn every_list_documents_its_page_size_and_refuses_one_outside_it() {
    // Found by fuzzing the served document: `limit` was documented as any number from 0, and
    // `?limit=0` answered a 422 that the lists did not list.
    let portal = Portal::new().await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    let document = portal.get("/acme/api/v1/openapi.json", None).await.json();
    let mut checked = 0;
    for (method, path, operation) in documented_operations(&document) {
        let Some(limit) = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|parameter| parameter["name"] == "limit" && parameter["in"] == "query")
        else {
            continue;
        };
        assert_eq!(limit["schema"]["minimum"], 1, "{method} {path}");
        assert_eq!(limit["schema"]["maximum"], 200, "{method} {path}");
        for size in [0, 201] {
            let uri = format!("/acme{}?limit={size}", concrete(&path));
            let reply = portal.get(&uri, Some(&cookie)).await;
            // A path naming a missing object may answer 404 first; a list that is there must
            // refuse the size.
            if reply.status == 404 {
                continue;
            }
            assert_eq!(reply.status, 422, "{method} {uri}: {}", reply.text);
            assert!(documents_error(&operation, 422), "{method} {path}");
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} lists");
}

#[tokio::test]
async fn a_json_array_is_no_body_of_the_api() {
    // Found by fuzzing with negative data: serde reads a struct from a JSON array as well, field
    // by field in order, so `PATCH /me` with `["de", true]` set the locale and answered 200.
    let portal = Portal::new().await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    let patch = |body: &'static str| {
        Request::patch("/acme/api/v1/me")
            .header(header::HOST, "portal.example.com")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, &cookie)
            .body(Body::from(body))
            .unwrap()
    };
    for body in ["[\"de\", true]", "  [null, null]"] {
        let reply = portal.send(patch(body)).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text);
        assert_eq!(reply.error_code(), "invalid");
    }
    let me = portal.get("/acme/api/v1/me", Some(&cookie)).await.json();
    assert_eq!(me["locale"], serde_json::Value::Null, "nothing was changed");
    assert_eq!(me["tour_done"], false);
    // The object form still works, and a non-JSON type is still refused first.
    let reply = portal.send(patch("{\"locale\": \"de\"}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let typed = Request::patch("/acme/api/v1/me")
        .header(header::HOST, "portal.example.com")
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::COOKIE, &cookie)
        .body(Body::from("[1]"))
        .unwrap();
    assert_eq!(portal.send(typed).await.status, 415);
}

#[tokio::test]
async fn documented_names_are_exactly_the_ones_the_server_reads() {
    // Found by fuzzing with schema-valid data: visibility and status fields were documented as
    // any text, and every value but a few names answered 422.
    let portal = Portal::new().await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    let document = portal.get("/acme/api/v1/openapi.json", None).await.json();
    let mut checked = 0;
    for (method, path, operation) in documented_operations(&document) {
        let Some(reference) =
            operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
        else {
            continue;
        };
        let name = reference.trim_start_matches("#/components/schemas/");
        if ![
            "VisibilityBody",
            "MilestoneStatusBody",
            "DeliverableStatusBody",
            "RequestStatusBody",
        ]
        .contains(&name)
        {
            continue;
        }
        let (field, schema) = document["components"]["schemas"][name]["properties"]
            .as_object()
            .unwrap()
            .iter()
            .next()
            .unwrap();
        let names: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}.{field} lists no names"))
            .iter()
            .map(|value| value.as_str().unwrap())
            .collect();
        let uri = format!("/acme{}", concrete(&path));
        let send = |value: &str| {
            Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .header(header::HOST, "portal.example.com")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, &cookie)
                .body(Body::from(json!({ field: value }).to_string()))
                .unwrap()
        };
        // Every documented name is read (the missing object answers 404 after that) …
        for value in &names {
            let reply = portal.send(send(value)).await;
            assert_eq!(reply.status, 404, "{method} {path} {value}: {}", reply.text);
        }
        // … and serde's refusal of another lists exactly the documented ones.
        let reply = portal.send(send("no-such-name")).await;
        assert_eq!(reply.status, 422, "{method} {path}: {}", reply.text);
        let message = reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        // "… unknown variant `no-such-name`, expected `a` or `b` at …" or "expected one of `a`,
        // `b`, `c` at …": every name between backticks after "expected".
        let expected = message
            .split(", expected ")
            .nth(1)
            .and_then(|rest| rest.split(" at line").next())
            .unwrap_or_else(|| panic!("{message}"));
        let mut read: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let mut documented = names.clone();
        read.sort_unstable();
        documented.sort_unstable();
        assert_eq!(read, documented, "{method} {path}: {message}");
        checked += 1;
    }
    assert!(checked >= 9, "only {checked} operations");
}
