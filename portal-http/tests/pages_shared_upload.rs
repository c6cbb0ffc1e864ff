//! Files sent through a share link that takes uploads (`share/{token}/documents` without script,
//! `share/{token}/uploads` resumable): each becomes an internal document of the link's project,
//! audited as the link's; one file costs one use however many parts it takes; the parts need the
//! link still working and the upload begun through it; links without uploads refuse both.

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

use axum::body::Body;
use axum::http::{Method, Request, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pages_support::multipart::{Part, post_multipart};
use pages_support::{Jar, get};
use portal_auth::NewShareLink;
use portal_core::model::{Actor, AuditContext};
use portal_core::{DocumentId, ProjectId, TenantScope, Visibility};
use portal_storage::Page;
use support::client_work::{self, World};
use support::{Portal, Reply};
use time::Duration;

async fn seeded() -> (Portal, World) {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

/// A link to `project` made by acme's manager; its token.
async fn link(
    portal: &Portal,
    project: ProjectId,
    allow_upload: bool,
    max_uses: Option<i32>,
) -> String {
    let manager = support::user_id(portal, "manager@acme.test").await;
    let scope = client_work::scope_of(&portal.stores, portal.acme, manager).await;
    let (token, link) = portal
        .state
        .share_links()
        .create_link(
            &scope,
            NewShareLink {
                project,
                allow_download: false,
                allow_upload,
                expires_in: Duration::days(7),
                max_uses,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    assert_eq!(link.allow_upload, allow_upload);
    token.expose_secret().to_owned()
}

/// A PDF of `len` bytes.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..len - bytes.len()).map(|i| u8::try_from(i % 251).unwrap()));
    bytes
}

/// The documents of `project` as the tenant holds them (internal ones too).
async fn documents(portal: &Portal, project: ProjectId) -> Vec<portal_core::model::Document> {
    portal
        .stores
        .documents
        .list_documents(
            &TenantScope::dangerous_system(portal.acme),
            portal_storage::DocumentFilter {
                project: Some(project),
                ..portal_storage::DocumentFilter::default()
            },
            Page::first(50).unwrap(),
        )
        .await
        .unwrap()
        .items
}

/// The uses the store counted, over all of acme's links.
async fn uses(portal: &Portal) -> i32 {
    portal
        .stores
        .share_links
        .list_share_links(
            &TenantScope::dangerous_system(portal.acme),
            Page::first(50).unwrap(),
        )
        .await
        .unwrap()
        .items
        .iter()
        .map(|link| link.uses)
        .sum()
}

/// A tus request as a visitor's browser sends it: same origin, no cookie.
async fn tus(
    portal: &Portal,
    method: Method,
    path: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "portal.example.com")
        .header("sec-fetch-site", "same-origin")
        .header("tus-resumable", "1.0.0");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    portal.send(request.body(Body::from(body)).unwrap()).await
}

fn metadata(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key} {}", STANDARD.encode(value)))
        .collect::<Vec<_>>()
        .join(",")
}

async fn begin(portal: &Portal, token: &str, length: usize, meta: &str) -> Reply {
    tus(
        portal,
        Method::POST,
        &format!("/acme/share/{token}/uploads"),
        &[
            ("upload-length", length.to_string()),
            ("upload-metadata", meta.to_owned()),
        ],
        Vec::new(),
    )
    .await
}

async fn patch(portal: &Portal, url: &str, offset: usize, part: &[u8]) -> Reply {
    tus(
        portal,
        Method::PATCH,
        url,
        &[
            ("upload-offset", offset.to_string()),
            ("content-type", "application/offset+octet-stream".to_owned()),
        ],
        part.to_vec(),
    )
    .await
}

/// The `share_link.uploaded` events: each with the link as actor and the document as object.
async fn uploaded_events(portal: &Portal) -> Vec<(Actor, DocumentId)> {
    portal
        .audit_events(portal.acme, "share_link.uploaded")
        .await
        .into_iter()
        .map(|event| {
            let object = event.object.unwrap();
            assert_eq!(object.kind, "document");
            (event.actor, DocumentId::from_uuid(object.id))
        })
        .collect()
}

#[tokio::test]
async fn a_plain_post_through_the_link_becomes_an_internal_document() {
    let (portal, world) = seeded().await;
    let token = link(&portal, world.a.project, true, None).await;
    let page = get(
        &portal,
        &format!("/acme/share/{token}"),
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text
            .contains(&format!("action=\"/acme/share/{token}/documents\""))
    );
    assert!(
        page.text
            .contains(&format!("data-resumable=\"/acme/share/{token}/uploads\""))
    );
    assert!(page.text.contains("Send files to"));

    let before = documents(&portal, world.a.project).await.len();
    let file = pdf(3_000);
    let sent = post_multipart(
        &portal,
        &format!("/acme/share/{token}/documents"),
        &[
            Part::Field("title", "Signed contract"),
            Part::File("file", "contract.pdf", &file),
        ],
        &Jar::default(),
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert!(sent.text.contains("your file arrived"), "{}", sent.text);

    let now = documents(&portal, world.a.project).await;
    assert_eq!(now.len(), before + 1);
    let document = now
        .iter()
        .find(|document| document.title.as_str() == "Signed contract")
        .unwrap();
    assert_eq!(
        document.visibility,
        Visibility::Internal,
        "for the team to review"
    );
    assert!(
        !sent.text.contains("Signed contract"),
        "an internal document is not listed to the visitor"
    );
    let events = uploaded_events(&portal).await;
    assert_eq!(events.len(), 1);
    let Actor::ShareLink(link_id) = events[0].0 else {
        panic!("the link is the actor: {:?}", events[0].0);
    };
    assert_eq!(events[0].1, document.id);

    // The team sees where it came from: the version names the link, and the page says so.
    let manager = portal.login("acme", "manager@acme.test").await;
    let versions = portal
        .get(
            &format!("/acme/api/v1/documents/{}/versions", document.id),
            Some(&manager),
        )
        .await
        .json();
    assert_eq!(versions["items"][0]["via_share_link"], link_id.to_string());
    assert_eq!(
        versions["items"][0]["uploaded_by"],
        uuid::Uuid::nil().to_string()
    );
    let jar = pages_support::sign_in(&portal, "acme", "manager@acme.test").await;
    let detail = get(
        &portal,
        &format!("/acme/documents/{}", document.id),
        &jar,
        None,
    )
    .await;
    assert_eq!(detail.status, 200);
    assert!(
        detail.text.contains("Sent through a share link"),
        "{}",
        detail.text
    );
    assert_eq!(uses(&portal).await, 2, "the page and the post");

    // A refused file: the page again, with the reason, in the reader's language.
    let refused = post_multipart(
        &portal,
        &format!("/acme/share/{token}/documents"),
        &[Part::File("file", "tool.exe", b"MZ not a document")],
        &Jar::default(),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text
            .contains("Files of this type cannot be uploaded")
    );
    let disguised = post_multipart(
        &portal,
        &format!("/acme/share/{token}/documents"),
        &[Part::File(
            "file",
            "invoice.pdf",
            b"<html><script>alert(1)</script></html>",
        )],
        &Jar::default(),
    )
    .await;
    assert_eq!(disguised.status, 422);
    assert!(disguised.text.contains("does not match"));
    assert_eq!(documents(&portal, world.a.project).await.len(), before + 1);
}

#[tokio::test]
async fn a_resumable_upload_through_the_link_costs_one_use() {
    let (portal, world) = seeded().await;
    let token = link(&portal, world.a.project, true, Some(1)).await;
    let file = pdf(150_000);
    let begun = begin(
        &portal,
        &token,
        file.len(),
        &metadata(&[("filename", "site plan.pdf"), ("title", "Site plan")]),
    )
    .await;
    assert_eq!(begun.status, 201, "{}", begun.text);
    let url = begun.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("/acme/share/{token}/uploads/")),
        "{url}"
    );
    assert_eq!(uses(&portal).await, 1, "beginning is the link's one use");

    let first = patch(&portal, &url, 0, &file[..70_000]).await;
    assert_eq!(first.status, 204, "{}", first.text);
    let head = tus(&portal, Method::HEAD, &url, &[], Vec::new()).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.headers["upload-offset"], "70000");
    let last = patch(&portal, &url, 70_000, &file[70_000..]).await;
    assert_eq!(last.status, 204, "{}", last.text);
    let document: DocumentId = last.headers["portal-document-id"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(uses(&portal).await, 1, "the parts counted no use");

    let stored = documents(&portal, world.a.project)
        .await
        .into_iter()
        .find(|candidate| candidate.id == document)
        .unwrap();
    assert_eq!(stored.title.as_str(), "Site plan");
    assert_eq!(stored.visibility, Visibility::Internal);
    assert_eq!(uploaded_events(&portal).await.len(), 1);

    // The link is used up: a new upload cannot begin.
    let again = begin(&portal, &token, 10, &metadata(&[("filename", "more.pdf")])).await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn the_parts_need_the_link_working_and_the_upload_begun_through_it() {
    let (portal, world) = seeded().await;
    let token = link(&portal, world.a.project, true, None).await;
    let other = link(&portal, world.a.project, true, None).await;
    let file = pdf(90_000);
    let begun = begin(
        &portal,
        &token,
        file.len(),
        &metadata(&[("filename", "a.pdf")]),
    )
    .await;
    assert_eq!(begun.status, 201, "{}", begun.text);
    let url = begun.headers[header::LOCATION].to_str().unwrap().to_owned();
    let id = url.rsplit('/').next().unwrap().to_owned();

    // Another link of the same project, and the API of a signed-in contact, find nothing.
    let through_other = format!("/acme/share/{other}/uploads/{id}");
    assert_eq!(
        tus(&portal, Method::HEAD, &through_other, &[], Vec::new())
            .await
            .status,
        404
    );
    assert_eq!(patch(&portal, &through_other, 0, &file).await.status, 404);
    let contact = portal.login("acme", &world.a.contact("client_admin")).await;
    let api = Request::head(format!("/acme/api/v1/uploads/{id}"))
        .header(header::HOST, "portal.example.com")
        .header(header::COOKIE, contact)
        .header("tus-resumable", "1.0.0")
        .body(Body::empty())
        .unwrap();
    assert_eq!(portal.send(api).await.status, 404);

    // A document target is refused: a link's uploads are new documents of its project.
    let version = begin(
        &portal,
        &token,
        10,
        &metadata(&[
            ("filename", "b.pdf"),
            ("document", &world.a.document.to_string()),
        ]),
    )
    .await;
    assert_eq!(version.status, 422, "{}", version.text);

    // Revoked: the parts stop at once.
    let part = patch(&portal, &url, 0, &file[..10_000]).await;
    assert_eq!(part.status, 204);
    let manager = support::user_id(&portal, "manager@acme.test").await;
    let scope = client_work::scope_of(&portal.stores, portal.acme, manager).await;
    let links = portal
        .stores
        .share_links
        .list_share_links(&scope, Page::first(50).unwrap())
        .await
        .unwrap()
        .items;
    for link in links {
        portal
            .state
            .share_links()
            .revoke(&scope, link.id, &AuditContext::default())
            .await
            .unwrap();
    }
    assert_eq!(
        patch(&portal, &url, 10_000, &file[10_000..]).await.status,
        404
    );
    assert_eq!(
        tus(&portal, Method::HEAD, &url, &[], Vec::new())
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn links_without_uploads_take_no_files() {
    let (portal, world) = seeded().await;
    let token = link(&portal, world.a.project, false, None).await;
    let page = get(
        &portal,
        &format!("/acme/share/{token}"),
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("data-resumable"), "no upload form");
    let before = documents(&portal, world.a.project).await.len();
    let posted = post_multipart(
        &portal,
        &format!("/acme/share/{token}/documents"),
        &[Part::File("file", "a.pdf", &pdf(1_000))],
        &Jar::default(),
    )
    .await;
    assert_eq!(posted.status, 404);
    let begun = begin(&portal, &token, 10, &metadata(&[("filename", "a.pdf")])).await;
    assert_eq!(begun.status, 404);
    assert_eq!(documents(&portal, world.a.project).await.len(), before);
    assert!(uploaded_events(&portal).await.is_empty());
}
