//! The staff client page's "Export client data" form: shown to holders of
//! `export_client_data`, its "include internal objects" box only to holders of `view_internal`,
//! and its GET download — the same audited archive as the API's — refused with 403 without the
//! permission and with the branded 404 for a client out of reach (SEC-26).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]
#![cfg(feature = "pages")]

mod pages_support;
mod support;

use std::io::{Cursor, Read as _};

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt as _;
use pages_support::{Browser, Jar, audited, missing, section, seeded};
use support::Portal;
use support::client_work;
use tower::ServiceExt as _;

/// The archive a signed-in browser downloads from `path` (under `/acme`): status and bytes.
async fn download(portal: &Portal, jar: &Jar, path: &str) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let request = Request::get(format!("/acme{path}"))
        .header(header::HOST, "portal.example.com")
        .header(header::COOKIE, jar.header())
        .body(Body::empty())
        .unwrap();
    let response = portal.router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

/// `export.json` of an archive.
fn manifest(bytes: Vec<u8>) -> serde_json::Value {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name("export.json")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn the_owner_exports_a_client_from_its_page() {
    let (portal, world) = seeded().await;
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let page = format!("/staff/clients/{}", world.a.client);
    let html = owner.get(&page).await.text;
    let form = section(&html, "id=\"export-heading\"", &["</section>"]);
    assert!(form.contains("Export client data"), "{html}");
    assert!(
        form.contains(&format!(
            "method=\"get\" action=\"/acme/staff/clients/{}/export\"",
            world.a.client
        )),
        "{form}"
    );
    assert!(
        form.contains("name=\"include_internal\" value=\"true\""),
        "{form}"
    );

    let (status, headers, bytes) = download(&portal, &owner.jar, &format!("{page}/export")).await;
    assert_eq!(status, 200);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"client-canary-acme-a-export-")
    );
    let shared = manifest(bytes);
    assert_eq!(shared["include_internal"], false);
    assert_eq!(shared["client"]["id"], world.a.client.to_string());
    assert!(!shared.to_string().contains("canary-internal-"));

    let (status, _, bytes) = download(
        &portal,
        &owner.jar,
        &format!("{page}/export?include_internal=true"),
    )
    .await;
    assert_eq!(status, 200);
    let everything = manifest(bytes);
    assert_eq!(everything["include_internal"], true);
    assert!(everything.to_string().contains("canary-internal-acme-a"));
    assert!(!everything.to_string().contains("canary-acme-b"));

    let events = audited(&portal, portal.acme, "client.exported").await;
    assert_eq!(events.len(), 2);
}

#[tokio::test]
async fn without_the_permission_there_is_no_form_and_no_download() {
    let (portal, world) = seeded().await;
    let page = format!("/staff/clients/{}", world.a.client);

    // A manager opens the page (`manage_clients`) but may not export.
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let html = manager.get(&page).await.text;
    assert!(html.contains("Client canary-acme-a"), "{html}");
    assert!(!html.contains("export-heading"), "{html}");
    let (status, _, _) = download(&portal, &manager.jar, &format!("{page}/export")).await;
    assert_eq!(status, 403);

    // A client out of reach, or none at all, is the branded 404.
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let not_found = missing(&portal).await;
    for client in [world.globex.client.to_string(), "nothing".to_owned()] {
        let (status, _, bytes) = download(
            &portal,
            &owner.jar,
            &format!("/staff/clients/{client}/export"),
        )
        .await;
        assert_eq!(status, 404);
        assert_eq!(String::from_utf8(bytes).unwrap(), not_found, "{client}");
    }
    // So is a client the member of staff does not reach.
    let member = Browser::open(&portal, "member@acme.test").await;
    let (status, _, bytes) = download(&portal, &member.jar, &format!("{page}/export")).await;
    assert_eq!(status, 404);
    assert_eq!(String::from_utf8(bytes).unwrap(), not_found);
    assert!(
        audited(&portal, portal.acme, "client.exported")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_internal_box_is_only_for_holders_of_view_internal() {
    let (portal, world) = seeded().await;
    client_work::archivist(&portal).await;
    let archivist = Browser::open(&portal, "archivist@acme.test").await;
    let page = format!("/staff/clients/{}", world.a.client);
    let html = archivist.get(&page).await.text;
    let form = section(&html, "id=\"export-heading\"", &["</section>"]);
    assert!(form.contains("Export client data"), "{html}");
    assert!(!form.contains("include_internal"), "{form}");
    let (status, _, _) = download(
        &portal,
        &archivist.jar,
        &format!("{page}/export?include_internal=true"),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = download(&portal, &archivist.jar, &format!("{page}/export")).await;
    assert_eq!(status, 200);
}
