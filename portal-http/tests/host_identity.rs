//! A host product's own login, mapped into the portal through `HostIdentity`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, header};
use portal_http::HttpConfig;
use support::Portal;
use support::host::{HOST_USER, HeaderIdentity};

async fn me_as(portal: &Portal, tenant: &str, user: Option<&str>) -> support::Reply {
    let mut request =
        Request::get(format!("/{tenant}/api/v1/me")).header(header::HOST, "portal.example.com");
    if let Some(user) = user {
        request = request.header(HOST_USER, user);
    }
    portal.send(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn the_hosts_login_stands_for_a_portal_user_of_that_tenant_only() {
    let portal = Portal::build(HttpConfig::default(), Some(Arc::new(HeaderIdentity))).await;

    let me = me_as(&portal, "acme", Some("ada@acme.test")).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["email"], "ada@acme.test");
    assert_eq!(me_as(&portal, "acme", None).await.status, 401);
    assert_eq!(
        me_as(&portal, "acme", Some("nobody@acme.test"))
            .await
            .status,
        401
    );
    assert_eq!(
        me_as(&portal, "acme", Some("gil@globex.test")).await.status,
        401,
        "a user of another tenant is nobody here"
    );
    assert_eq!(
        me_as(&portal, "globex", Some("gil@globex.test"))
            .await
            .status,
        200
    );
}
