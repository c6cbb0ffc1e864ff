//! The document routes through the router: streaming uploads, lists, downloads with ranges, and
//! the file defences (SEC-35..38) and isolation (SEC-25, SEC-26).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use std::task::Poll;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, header};
use futures_util::{StreamExt as _, stream};
use http_body_util::BodyExt as _;
use portal_core::model::{AuditContext, ClientInput, ProjectInput, ProjectStatus};
use portal_core::{
    BuiltinRole, ClientId, DisplayName, ProjectId, TenantId, TenantScope, Visibility,
};
use portal_http::HttpConfig;
use portal_storage::analytics::{AdoptionReport, AnalyticsWindow};
use portal_storage::blob::MemoryBlobStore;
use portal_storage::{AnalyticsStore, NewDownload, StoreError, StoreResult, Stores};
use serde_json::Value;
use support::client_work::person;
use support::{Portal, Reply};
use tower::ServiceExt as _;

/// The upload limit of these tests: small, so "limit + 1" is cheap, and larger than the 64 KiB
/// the server inspects before storing, so the streamed tail is exercised too.
const LIMIT: u64 = 100_000;

/// acme with two clients (North, South) each with a shared project; North has a client admin and
/// a viewer, South a client admin; globex with a project of its own. Everyone is logged in.
struct World {
    portal: Portal,
    blobs: MemoryBlobStore,
    north: ClientId,
    project: ProjectId,
    south_project: ProjectId,
    globex_project: ProjectId,
    staff: String,
    contact: String,
    viewer: String,
    south_contact: String,
    globex: String,
}

fn ctx() -> AuditContext {
    AuditContext::default()
}

fn name(text: &str) -> DisplayName {
    DisplayName::parse(text).unwrap()
}

/// A client with one shared project.
async fn client_with_project(
    stores: &Stores,
    tenant: TenantId,
    label: &str,
) -> (ClientId, ProjectId) {
    let system = TenantScope::dangerous_system(tenant);
    let client = stores
        .clients
        .create_client(
            &system,
            ClientInput {
                name: name(label),
                external_id: None,
                branding: None,
            },
            &ctx(),
        )
        .await
        .unwrap()
        .id;
    let project = stores
        .projects
        .create_project(
            &system,
            ProjectInput {
                client,
                name: name(&format!("{label} website")),
                description: String::new(),
                status: ProjectStatus::Active,
                schedule: None,
                budget: None,
                external_id: None,
            },
            &ctx(),
        )
        .await
        .unwrap()
        .id;
    stores
        .projects
        .set_project_visibility(&system, project, Visibility::Shared, &ctx())
        .await
        .unwrap();
    (client, project)
}

async fn world() -> World {
    world_with(HttpConfig::default().with_max_upload_bytes(LIMIT)).await
}

async fn world_with(config: HttpConfig) -> World {
    let blobs = MemoryBlobStore::new();
    let portal = Portal::build_with_blobs(config, None, blobs.clone()).await;
    world_on(portal, blobs).await
}

/// The world in `portal`, whose blobs are `blobs`.
async fn world_on(portal: Portal, blobs: MemoryBlobStore) -> World {
    let (stores, acme, globex) = (&portal.stores, portal.acme, portal.globex);
    let (north, project) = client_with_project(stores, acme, "North").await;
    let (south, south_project) = client_with_project(stores, acme, "South").await;
    let (_, globex_project) = client_with_project(stores, globex, "Initech").await;
    for (client, email, role) in [
        (north, "carol@north.test", BuiltinRole::ClientAdmin),
        (north, "vic@north.test", BuiltinRole::Viewer),
        (south, "sam@south.test", BuiltinRole::ClientAdmin),
    ] {
        person(stores, acme, email, role, Some(client)).await;
    }
    World {
        staff: portal.login("acme", "ada@acme.test").await,
        contact: portal.login("acme", "carol@north.test").await,
        viewer: portal.login("acme", "vic@north.test").await,
        south_contact: portal.login("acme", "sam@south.test").await,
        globex: portal.login("globex", "gil@globex.test").await,
        portal,
        blobs,
        north,
        project,
        south_project,
        globex_project,
    }
}

/// Percent-encodes every byte but ASCII letters and digits, for a query value.
fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A PDF of `len` bytes: the signature, then bytes of every value.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..len - bytes.len()).map(|i| u8::try_from((i * 31 + 7) % 251).unwrap()));
    bytes
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
const HTML: &[u8] =
    b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";

/// A response with its body as bytes.
struct Raw {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl World {
    fn path(&self, tenant: &str, rest: &str) -> String {
        format!("/{tenant}/api/v1{rest}")
    }

    fn upload_request(path: &str, cookie: Option<&str>, body: Body) -> Request<Body> {
        let mut request = Request::post(path)
            .header(header::HOST, "portal.example.com")
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.body(body).unwrap()
    }

    /// Uploads `bytes` in 7,000-byte chunks, with no `Content-Length`: a streamed body.
    async fn upload(&self, path: &str, cookie: Option<&str>, bytes: &[u8]) -> Reply {
        let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
            .chunks(7_000)
            .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
            .collect();
        let body = Body::from_stream(stream::iter(chunks));
        self.portal
            .send(Self::upload_request(path, cookie, body))
            .await
    }

    /// A new document in a project of acme (or `tenant`), by `cookie`.
    async fn new_document(
        &self,
        tenant: &str,
        project: ProjectId,
        query: &str,
        cookie: &str,
        bytes: &[u8],
    ) -> Reply {
        let path = self.path(tenant, &format!("/projects/{project}/documents?{query}"));
        self.upload(&path, Some(cookie), bytes).await
    }

    /// Uploads a shared document as staff and returns `(document id, version id)`.
    async fn shared(&self, project: ProjectId, file: &str, bytes: &[u8]) -> (String, String) {
        let reply = self
            .new_document(
                "acme",
                project,
                &format!("name={}&visibility=shared", enc(file)),
                &self.staff,
                bytes,
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        ids(&reply.json())
    }

    async fn raw(&self, path: &str, cookie: Option<&str>, extra: &[(&str, &str)]) -> Raw {
        let mut request = Request::get(path).header(header::HOST, "portal.example.com");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let response = self
            .portal
            .router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Raw {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str, cookie: &str) -> Reply {
        self.portal.get(path, Some(cookie)).await
    }

    /// How many versions the document has, asked as `cookie`.
    async fn version_count(&self, tenant: &str, document: &str, cookie: &str) -> usize {
        let reply = self
            .get(
                &self.path(tenant, &format!("/documents/{document}/versions")),
                cookie,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()["items"].as_array().unwrap().len()
    }

    async fn project_documents(
        &self,
        tenant: &str,
        project: ProjectId,
        cookie: &str,
    ) -> Vec<Value> {
        let reply = self
            .get(
                &self.path(tenant, &format!("/projects/{project}/documents")),
                cookie,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()["items"].as_array().unwrap().clone()
    }
}

/// `(document id, version id)` of an upload's answer.
fn ids(uploaded: &Value) -> (String, String) {
    (
        uploaded["document"]["id"].as_str().unwrap().to_owned(),
        uploaded["version"]["id"].as_str().unwrap().to_owned(),
    )
}

fn hv<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Splits `attachment; filename="…"; filename*=UTF-8''…` and returns both names, checking
/// the shape on the way.
fn disposition_names(value: &str) -> (String, String) {
    let rest = value
        .strip_prefix("attachment; filename=\"")
        .unwrap_or_else(|| panic!("{value}"));
    let (fallback, rest) = rest.split_once('"').unwrap();
    let encoded = rest
        .strip_prefix("; filename*=UTF-8''")
        .unwrap_or_else(|| panic!("{value}"));
    assert!(
        fallback.is_ascii() && !fallback.contains(['\\', ';', '/']),
        "{value}"
    );
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~%".contains(&b)),
        "{value}"
    );
    (fallback.to_owned(), percent_decode(encoded))
}

#[tokio::test]
async fn upload_list_and_download_round_trip_sec_35_sec_38() {
    let w = world().await;
    let bytes = pdf(90_000);
    let reply = w
        .new_document(
            "acme",
            w.project,
            "name=report.pdf&title=Quarterly%20report&visibility=shared",
            &w.staff,
            &bytes,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let uploaded = reply.json();
    let (document, version) = ids(&uploaded);
    assert_eq!(uploaded["document"]["title"], "Quarterly report");
    assert_eq!(uploaded["document"]["visibility"], "shared");
    assert_eq!(uploaded["document"]["current_version"], version.as_str());
    assert_eq!(uploaded["version"]["number"], 1);
    assert_eq!(uploaded["version"]["size"], 90_000);
    assert_eq!(uploaded["version"]["content_type"], "application/pdf");
    assert_eq!(uploaded["version"]["file_name"], "report.pdf");
    let sha = uploaded["version"]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);
    assert!(
        !reply.text.contains("blob") && !reply.text.contains(&w.portal.acme.to_string()),
        "where the bytes live is never shown (SEC-28): {}",
        reply.text
    );
    assert_eq!(w.blobs.len(), 1);

    for cookie in [&w.staff, &w.contact] {
        let listed = w.project_documents("acme", w.project, cookie).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["id"], document.as_str());
        let all = w.get(&w.path("acme", "/documents"), cookie).await;
        assert_eq!(all.json()["items"][0]["id"], document.as_str());
        let detail = w
            .get(&w.path("acme", &format!("/documents/{document}")), cookie)
            .await;
        assert_eq!(detail.status, 200, "{}", detail.text);
        assert_eq!(detail.json()["current"]["id"], version.as_str());
        assert_eq!(detail.json()["current"]["sha256"], sha.as_str());
        assert_eq!(w.version_count("acme", &document, cookie).await, 1);
        for route in [
            format!("/documents/{document}/download"),
            format!("/documents/{document}/versions/{version}/download"),
        ] {
            let download = w.raw(&w.path("acme", &route), Some(cookie), &[]).await;
            assert_eq!(download.status, 200);
            assert_eq!(download.body.as_ref(), bytes.as_slice(), "bytes identical");
            assert_eq!(hv(&download.headers, "content-length"), "90000");
        }
    }
}

#[tokio::test]
async fn a_contact_uploads_shared_documents_and_new_versions() {
    let w = world().await;
    let reply = w
        .new_document(
            "acme",
            w.project,
            "name=notes.txt&visibility=internal",
            &w.contact,
            b"first draft",
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(
        reply.json()["document"]["visibility"],
        "shared",
        "a contact's upload is always shared"
    );
    let (document, first) = ids(&reply.json());
    assert_eq!(
        w.project_documents("acme", w.project, &w.staff).await.len(),
        1
    );

    let second = w
        .upload(
            &w.path(
                "acme",
                &format!("/documents/{document}/versions?name=notes-v2.md"),
            ),
            Some(&w.contact),
            b"# second draft\n",
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(second.json()["number"], 2);
    assert_eq!(
        second.json()["content_type"],
        "text/markdown; charset=utf-8"
    );

    let versions = w
        .get(
            &w.path("acme", &format!("/documents/{document}/versions")),
            &w.staff,
        )
        .await
        .json();
    let numbers: Vec<i64> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1], "newest first");

    let latest = w
        .raw(
            &w.path("acme", &format!("/documents/{document}/download")),
            Some(&w.staff),
            &[],
        )
        .await;
    assert_eq!(latest.body.as_ref(), b"# second draft\n");
    let old = w
        .raw(
            &w.path(
                "acme",
                &format!("/documents/{document}/versions/{first}/download"),
            ),
            Some(&w.contact),
            &[],
        )
        .await;
    assert_eq!(old.body.as_ref(), b"first draft");
    assert_eq!(
        hv(&old.headers, "content-type"),
        "text/plain; charset=utf-8"
    );
}

#[tokio::test]
async fn internal_documents_stay_with_the_team() {
    let w = world().await;
    let reply = w
        .new_document("acme", w.project, "name=plan.pdf", &w.staff, &pdf(500))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["document"]["visibility"], "internal");
    let (document, version) = ids(&reply.json());
    assert!(
        w.project_documents("acme", w.project, &w.contact)
            .await
            .is_empty()
    );
    let missing = uuid::Uuid::new_v4();
    for (route, missing_route) in [
        (
            format!("/documents/{document}"),
            format!("/documents/{missing}"),
        ),
        (
            format!("/documents/{document}/versions"),
            format!("/documents/{missing}/versions"),
        ),
        (
            format!("/documents/{document}/download"),
            format!("/documents/{missing}/download"),
        ),
        (
            format!("/documents/{document}/versions/{version}/download"),
            format!("/documents/{missing}/versions/{version}/download"),
        ),
    ] {
        let hidden = w.get(&w.path("acme", &route), &w.contact).await;
        let absent = w.get(&w.path("acme", &missing_route), &w.contact).await;
        assert_eq!(hidden.status, 404, "{route}");
        assert_eq!(hidden.text, absent.text, "{route}");
    }
}

#[tokio::test]
async fn single_ranges_are_206_and_outside_ranges_416() {
    let w = world().await;
    let bytes = pdf(1_000);
    let (document, _) = w.shared(w.project, "range.pdf", &bytes).await;
    let path = w.path("acme", &format!("/documents/{document}/download"));
    let whole = w.raw(&path, Some(&w.contact), &[]).await;
    assert_eq!(hv(&whole.headers, "accept-ranges"), "bytes");
    let etag = hv(&whole.headers, "etag").to_owned();

    for (range, expected, content_range) in [
        ("bytes=0-9", &bytes[..10], "bytes 0-9/1000"),
        ("bytes=-5", &bytes[995..], "bytes 995-999/1000"),
        ("bytes=990-", &bytes[990..], "bytes 990-999/1000"),
        ("bytes=500-5000", &bytes[500..], "bytes 500-999/1000"),
    ] {
        let part = w.raw(&path, Some(&w.contact), &[("range", range)]).await;
        assert_eq!(part.status, 206, "{range}");
        assert_eq!(hv(&part.headers, "content-range"), content_range);
        assert_eq!(
            hv(&part.headers, "content-length"),
            expected.len().to_string()
        );
        assert_eq!(part.body.as_ref(), expected, "{range}");
        assert!(hv(&part.headers, "content-disposition").starts_with("attachment;"));
    }

    for outside in ["bytes=1000-", "bytes=5000-6000", "bytes=-0"] {
        let refused = w.raw(&path, Some(&w.contact), &[("range", outside)]).await;
        assert_eq!(refused.status, 416, "{outside}");
        assert_eq!(hv(&refused.headers, "content-range"), "bytes */1000");
        let body: Value = serde_json::from_slice(&refused.body).unwrap();
        assert_eq!(body["error"]["code"], "range_not_satisfiable");
    }

    // Several ranges, or a range of an older representation, get the whole file.
    for extra in [
        vec![("range", "bytes=0-1,5-6")],
        vec![("range", "bytes=0-1"), ("if-range", "\"0000\"")],
    ] {
        let full = w.raw(&path, Some(&w.contact), &extra).await;
        assert_eq!(full.status, 200);
        assert_eq!(full.body.as_ref(), bytes.as_slice());
    }
    let matching = w
        .raw(
            &path,
            Some(&w.contact),
            &[("range", "bytes=0-1"), ("if-range", etag.as_str())],
        )
        .await;
    assert_eq!(matching.status, 206);
}

/// An upload gets the transfer timeout, not the request timeout: one that stops sending is cut
/// off with 408 when the transfer timeout runs out, and leaves nothing behind.
#[tokio::test]
async fn a_stalled_upload_is_cut_off_with_408_sec_35() {
    let w = world_with(
        HttpConfig::default()
            .with_max_upload_bytes(LIMIT)
            .with_transfer_timeout(std::time::Duration::from_millis(50)),
    )
    .await;
    let documents = w.path("acme", &format!("/projects/{}/documents", w.project));
    let first = stream::iter([Ok::<_, std::io::Error>(Bytes::from(pdf(1_000)))]);
    let stalled = Body::from_stream(first.chain(stream::pending()));
    let reply = w
        .portal
        .send(World::upload_request(
            &format!("{documents}?name=stalled.pdf"),
            Some(&w.staff),
            stalled,
        ))
        .await;
    assert_eq!(reply.status, 408, "{}", reply.text);
    assert_eq!(reply.error_code(), "timeout");
    assert_eq!(w.blobs.len(), 0, "no blob is left");
    assert!(
        w.project_documents("acme", w.project, &w.staff)
            .await
            .is_empty(),
        "no document is left"
    );
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413_and_leaves_nothing_sec_35() {
    let w = world().await;
    let documents = w.path("acme", &format!("/projects/{}/documents", w.project));
    let limit = usize::try_from(LIMIT).unwrap();

    // Streamed without a length: the limit bites while the body streams.
    let over = w
        .upload(
            &format!("{documents}?name=big.pdf"),
            Some(&w.staff),
            &pdf(limit + 1),
        )
        .await;
    assert_eq!(over.status, 413, "{}", over.text);
    assert_eq!(over.error_code(), "payload_too_large");
    assert!(w.blobs.is_empty(), "nothing partial is kept");
    assert!(
        w.project_documents("acme", w.project, &w.staff)
            .await
            .is_empty()
    );

    // Exactly the limit is fine.
    let exact = w
        .upload(
            &format!("{documents}?name=exact.pdf"),
            Some(&w.staff),
            &pdf(limit),
        )
        .await;
    assert_eq!(exact.status, 201, "{}", exact.text);
    let (document, _) = ids(&exact.json());
    assert_eq!(w.blobs.len(), 1);

    // An announced length over the limit is refused before the body is read: this body would
    // fail the test if it were polled.
    let never_read = || {
        Body::from_stream(stream::poll_fn(
            |_| -> Poll<Option<Result<Bytes, std::io::Error>>> { panic!("the body was read") },
        ))
    };
    for path in [
        format!("{documents}?name=big.pdf"),
        w.path(
            "acme",
            &format!("/documents/{document}/versions?name=big.pdf"),
        ),
    ] {
        let mut request = World::upload_request(&path, Some(&w.staff), never_read());
        request.headers_mut().insert(
            header::CONTENT_LENGTH,
            (LIMIT + 1).to_string().parse().unwrap(),
        );
        let refused = w.portal.send(request).await;
        assert_eq!(refused.status, 413, "{path}: {}", refused.text);
    }

    // A new version over the limit changes nothing either.
    let version = w
        .upload(
            &w.path(
                "acme",
                &format!("/documents/{document}/versions?name=big.pdf"),
            ),
            Some(&w.staff),
            &pdf(limit + 1),
        )
        .await;
    assert_eq!(version.status, 413);
    assert_eq!(w.blobs.len(), 1);
    assert_eq!(w.version_count("acme", &document, &w.staff).await, 1);
}

#[tokio::test]
async fn the_tenant_quota_counts_every_version_and_bites_while_streaming_sec_35() {
    let w = world_with(
        HttpConfig::default()
            .with_max_upload_bytes(LIMIT)
            .with_tenant_quota_bytes(Some(3_000)),
    )
    .await;
    let documents = w.path("acme", &format!("/projects/{}/documents", w.project));
    let first = w
        .upload(
            &format!("{documents}?name=a.pdf"),
            Some(&w.staff),
            &pdf(2_000),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let over = w
        .upload(
            &format!("{documents}?name=b.pdf"),
            Some(&w.contact),
            &pdf(1_500),
        )
        .await;
    assert_eq!(over.status, 413, "{}", over.text);
    assert_eq!(over.error_code(), "quota_exceeded");
    assert_eq!(w.blobs.len(), 1, "nothing partial is kept");
    assert_eq!(
        w.project_documents("acme", w.project, &w.staff).await.len(),
        1,
        "no empty document is kept"
    );
    let fills = w
        .upload(
            &format!("{documents}?name=c.pdf"),
            Some(&w.staff),
            &pdf(1_000),
        )
        .await;
    assert_eq!(fills.status, 201, "{}", fills.text);
    let full = w
        .upload(
            &format!("{documents}?name=d.pdf"),
            Some(&w.staff),
            &pdf(100),
        )
        .await;
    assert_eq!(full.error_code(), "quota_exceeded");
    let elsewhere = w.path(
        "globex",
        &format!("/projects/{}/documents", w.globex_project),
    );
    let theirs = w
        .upload(
            &format!("{elsewhere}?name=e.pdf"),
            Some(&w.globex),
            &pdf(2_500),
        )
        .await;
    assert_eq!(
        theirs.status, 201,
        "another tenant has its own quota: {}",
        theirs.text
    );
}

/// Uploads streaming side by side each fit what was left when they began; the one recorded
/// second finds the quota used up and is refused, its blob deleted.
#[tokio::test]
async fn uploads_side_by_side_cannot_overshoot_the_quota_together_sec_35() {
    let w = world_with(
        HttpConfig::default()
            .with_max_upload_bytes(LIMIT)
            .with_tenant_quota_bytes(Some(3_000)),
    )
    .await;
    let documents = w.path("acme", &format!("/projects/{}/documents", w.project));
    // Bodies fed by hand: both uploads start (and pass the quota check) before either ends.
    let channel_body = || {
        let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(4);
        let body = Body::from_stream(stream::unfold(receiver, |mut receiver| async move {
            let chunk = receiver.recv().await?;
            Some((Ok::<_, std::io::Error>(chunk), receiver))
        }));
        (sender, body)
    };
    let (send_a, body_a) = channel_body();
    let (send_b, body_b) = channel_body();
    let request_a =
        World::upload_request(&format!("{documents}?name=a.pdf"), Some(&w.staff), body_a);
    let request_b =
        World::upload_request(&format!("{documents}?name=b.pdf"), Some(&w.staff), body_b);
    let file = Bytes::from(pdf(2_000));
    let feed = async {
        send_a.send(file.slice(..1_000)).await.unwrap();
        send_b.send(file.slice(..1_000)).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        send_a.send(file.slice(1_000..)).await.unwrap();
        send_b.send(file.slice(1_000..)).await.unwrap();
        drop((send_a, send_b));
    };
    let (a, b, ()) = tokio::join!(w.portal.send(request_a), w.portal.send(request_b), feed);
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 413], "{} / {}", a.text, b.text);
    assert_eq!(w.blobs.len(), 1, "the refused upload leaves no blob");
    let listed = w.project_documents("acme", w.project, &w.staff).await;
    assert_eq!(
        listed.len(),
        1,
        "the refused upload leaves no empty document either: {listed:?}"
    );
}

#[tokio::test]
async fn disguised_files_and_bad_names_are_refused_sec_36() {
    let w = world().await;
    let php = b"<?php system($_GET['c']); ?>";
    for (file, bytes, field) in [
        ("report.pdf", HTML, "body"),
        ("notes.txt", HTML, "body"),
        ("notes.md", b"<svg onload=alert(1)>".as_slice(), "body"),
        (
            "logo.png",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".as_slice(),
            "body",
        ),
        ("photo.pdf", PNG, "body"),
        ("scan.png", b"%PDF-1.7 not a png".as_slice(), "body"),
        ("x.php%00.pdf", php.as_slice(), "body"),
        ("x.php\0.pdf", b"%PDF-1.7".as_slice(), "name"),
        ("x.pdf.exe", b"%PDF-1.7".as_slice(), "name"),
        ("page.html", HTML, "name"),
        ("image.svg", b"<svg/>".as_slice(), "name"),
        ("evil\u{202E}fdp.exe", b"MZ".as_slice(), "name"),
        ("passwd", b"root:x:0:0".as_slice(), "name"),
    ] {
        let reply = w
            .new_document(
                "acme",
                w.project,
                &format!("name={}", enc(file)),
                &w.staff,
                bytes,
            )
            .await;
        assert_eq!(reply.status, 422, "{file:?}: {}", reply.text);
        assert_eq!(reply.json()["error"]["fields"][0], field, "{file:?}");
    }

    // The client's Content-Type is never believed; the form types are refused outright.
    for content_type in ["text/plain", "multipart/form-data; boundary=x", "text/html"] {
        let mut request = World::upload_request(
            &w.path(
                "acme",
                &format!("/projects/{}/documents?name=report.pdf", w.project),
            ),
            Some(&w.staff),
            Body::from(pdf(100)),
        );
        request
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        let reply = w.portal.send(request).await;
        assert_eq!(reply.status, 415, "{content_type}");
        assert_eq!(reply.error_code(), "unsupported_media_type");
    }

    // Unknown query fields are not silently taken (SEC-28).
    let extra = w
        .new_document(
            "acme",
            w.project,
            "name=a.pdf&tenant=globex",
            &w.staff,
            &pdf(100),
        )
        .await;
    assert_eq!(extra.status, 422);

    assert!(w.blobs.is_empty());
    assert!(
        w.project_documents("acme", w.project, &w.staff)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn hostile_file_names_stay_metadata_and_headers_stay_whole_sec_37_sec_38() {
    let w = world().await;
    let long = format!("{}.txt", "a".repeat(10_000));
    for (file, stored) in [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("..%2f..%2fsecret.txt", "%2f..%2fsecret.txt"),
        ("a\r\nSet-Cookie: pwned=1.txt", "aSet-Cookie: pwned=1.txt"),
        (
            "quote\"; filename=evil.html.txt",
            "quote\"; filename=evil.html.txt",
        ),
        ("Résumé – Zoë.txt", "Résumé – Zoë.txt"),
        (long.as_str(), ""),
    ] {
        let reply = w
            .new_document(
                "acme",
                w.project,
                &format!("name={}&visibility=shared", enc(file)),
                &w.staff,
                b"hello",
            )
            .await;
        assert_eq!(reply.status, 201, "{file:?}: {}", reply.text);
        let recorded = reply.json()["version"]["file_name"]
            .as_str()
            .unwrap()
            .to_owned();
        if stored.is_empty() {
            assert_eq!(recorded.len(), 255);
            assert!(recorded.ends_with(".txt"));
        } else {
            assert_eq!(recorded, stored);
        }
        assert!(!recorded.contains(['/', '\\', '\r', '\n', '\0']));
        let (document, _) = ids(&reply.json());

        let download = w
            .raw(
                &w.path("acme", &format!("/documents/{document}/download")),
                Some(&w.contact),
                &[],
            )
            .await;
        assert_eq!(download.status, 200);
        assert_eq!(download.body.as_ref(), b"hello");
        let dispositions: Vec<_> = download
            .headers
            .get_all(header::CONTENT_DISPOSITION)
            .iter()
            .collect();
        assert_eq!(dispositions.len(), 1, "{file:?}");
        let (fallback, exact) = disposition_names(dispositions[0].to_str().unwrap());
        assert_eq!(exact, recorded, "filename* carries the exact name");
        assert!(fallback.ends_with(".txt"), "{fallback}");
        assert!(download.headers.get(header::SET_COOKIE).is_none());
        assert_eq!(
            hv(&download.headers, "content-type"),
            "text/plain; charset=utf-8"
        );
    }
    assert_eq!(w.blobs.len(), 8);
}

#[tokio::test]
async fn download_headers_snapshot_sec_38() {
    let w = world().await;
    let (document, _) = w.shared(w.project, "Angebot Müller.pdf", &pdf(300)).await;
    let download = w
        .raw(
            &w.path("acme", &format!("/documents/{document}/download")),
            Some(&w.contact),
            &[],
        )
        .await;
    assert_eq!(download.status, 200);
    let headers = &download.headers;
    assert_eq!(
        hv(headers, "content-type"),
        "application/pdf",
        "the sniffed type, not the octet-stream the client sent"
    );
    assert_eq!(
        hv(headers, "content-disposition"),
        "attachment; filename=\"Angebot M_ller.pdf\"; filename*=UTF-8''Angebot%20M%C3%BCller.pdf"
    );
    assert_eq!(hv(headers, "x-content-type-options"), "nosniff");
    let csp = hv(headers, "content-security-policy");
    assert!(
        csp.split(';')
            .any(|directive| directive.trim() == "sandbox"),
        "{csp}"
    );
    assert_eq!(hv(headers, "accept-ranges"), "bytes");
    assert_eq!(hv(headers, "cache-control"), "no-store");
    assert_eq!(hv(headers, "x-frame-options"), "DENY");
    assert_eq!(hv(headers, "content-length"), "300");
    let etag = hv(headers, "etag");
    assert!(etag.starts_with('"') && etag.len() == 66, "{etag}");
}

#[tokio::test]
async fn another_tenants_documents_answer_like_missing_ones_sec_26() {
    let w = world().await;
    let reply = w
        .new_document(
            "globex",
            w.globex_project,
            "name=secret.pdf&visibility=shared",
            &w.globex,
            &pdf(200),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let (document, version) = ids(&reply.json());
    let (own, _) = w.shared(w.project, "own.pdf", &pdf(100)).await;
    let missing = uuid::Uuid::new_v4().to_string();
    assert_foreign_looks_missing(
        &w,
        &w.staff,
        &document,
        &version,
        &missing,
        &own,
        w.globex_project,
    )
    .await;

    // globex's document is untouched.
    assert_eq!(w.version_count("globex", &document, &w.globex).await, 1);
    assert_eq!(w.blobs.len(), 2);
    let listed = w
        .project_documents("globex", w.globex_project, &w.globex)
        .await;
    assert_eq!(listed.len(), 1);
    let all = w.get(&w.path("acme", "/documents"), &w.staff).await;
    assert!(!all.text.contains(&document), "{}", all.text);
}

#[tokio::test]
async fn another_clients_documents_answer_like_missing_ones_sec_26() {
    let w = world().await;
    let (document, version) = w.shared(w.south_project, "south.pdf", &pdf(200)).await;
    let (own, _) = w.shared(w.project, "north.pdf", &pdf(100)).await;
    let missing = uuid::Uuid::new_v4().to_string();
    assert_foreign_looks_missing(
        &w,
        &w.contact,
        &document,
        &version,
        &missing,
        &own,
        w.south_project,
    )
    .await;

    assert_eq!(
        w.version_count("acme", &document, &w.south_contact).await,
        1
    );
    assert_eq!(w.blobs.len(), 2);
    let all = w.get(&w.path("acme", "/documents"), &w.contact).await;
    assert_eq!(all.json()["items"].as_array().unwrap().len(), 1);
    assert!(!all.text.contains(&document));
}

/// Every document route on a foreign document, version or project answers 404 with the very body
/// of a missing id, and a foreign version under one's own document is not found either.
async fn assert_foreign_looks_missing(
    w: &World,
    cookie: &str,
    document: &str,
    version: &str,
    missing: &str,
    own: &str,
    foreign_project: ProjectId,
) {
    for (route, missing_route) in [
        (
            format!("/documents/{document}"),
            format!("/documents/{missing}"),
        ),
        (
            format!("/documents/{document}/versions"),
            format!("/documents/{missing}/versions"),
        ),
        (
            format!("/documents/{document}/download"),
            format!("/documents/{missing}/download"),
        ),
        (
            format!("/documents/{document}/versions/{version}/download"),
            format!("/documents/{missing}/versions/{missing}/download"),
        ),
        (
            format!("/documents/{own}/versions/{version}/download"),
            format!("/documents/{own}/versions/{missing}/download"),
        ),
        (
            format!("/projects/{foreign_project}/documents"),
            format!("/projects/{missing}/documents"),
        ),
    ] {
        let foreign = w.get(&w.path("acme", &route), cookie).await;
        let absent = w.get(&w.path("acme", &missing_route), cookie).await;
        assert_eq!(foreign.status, 404, "{route}: {}", foreign.text);
        assert_eq!(foreign.text, absent.text, "{route}");
    }
    for (route, missing_route) in [
        (
            format!("/documents/{document}/versions?name=v2.pdf"),
            format!("/documents/{missing}/versions?name=v2.pdf"),
        ),
        (
            format!("/projects/{foreign_project}/documents?name=new.pdf"),
            format!("/projects/{missing}/documents?name=new.pdf"),
        ),
    ] {
        let foreign = w
            .upload(&w.path("acme", &route), Some(cookie), &pdf(100))
            .await;
        let absent = w
            .upload(&w.path("acme", &missing_route), Some(cookie), &pdf(100))
            .await;
        assert_eq!(foreign.status, 404, "{route}: {}", foreign.text);
        assert_eq!(foreign.text, absent.text, "{route}");
    }
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_upload_sec_25() {
    let w = world().await;
    let (document, _) = w.shared(w.project, "brief.pdf", &pdf(100)).await;
    let refused = w
        .new_document("acme", w.project, "name=mine.pdf", &w.viewer, &pdf(100))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.error_code(), "forbidden");
    let refused = w
        .upload(
            &w.path(
                "acme",
                &format!("/documents/{document}/versions?name=v2.pdf"),
            ),
            Some(&w.viewer),
            &pdf(100),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(w.blobs.len(), 1, "nothing stored");
    assert_eq!(
        w.project_documents("acme", w.project, &w.staff).await.len(),
        1
    );
    assert_eq!(w.version_count("acme", &document, &w.staff).await, 1);

    let download = w
        .raw(
            &w.path("acme", &format!("/documents/{document}/download")),
            Some(&w.viewer),
            &[],
        )
        .await;
    assert_eq!(download.status, 200);
}

#[tokio::test]
async fn every_document_route_needs_a_caller_sec_25() {
    let w = world().await;
    let (document, version) = w.shared(w.project, "brief.pdf", &pdf(100)).await;
    let project = w.project;
    for route in [
        "/documents".to_owned(),
        format!("/projects/{project}/documents"),
        format!("/documents/{document}"),
        format!("/documents/{document}/versions"),
        format!("/documents/{document}/download"),
        format!("/documents/{document}/versions/{version}/download"),
    ] {
        let reply = w.portal.get(&w.path("acme", &route), None).await;
        assert_eq!(reply.status, 401, "{route}");
    }
    for route in [
        format!("/projects/{project}/documents?name=a.pdf"),
        format!("/documents/{document}/versions?name=a.pdf"),
    ] {
        let reply = w.upload(&w.path("acme", &route), None, &pdf(100)).await;
        assert_eq!(reply.status, 401, "{route}");
    }
    assert_eq!(w.blobs.len(), 1);
}

#[tokio::test]
async fn malformed_ids_are_not_found_and_cross_site_uploads_refused_sec_31() {
    let w = world().await;
    for route in [
        "/documents/not-an-id",
        "/documents/../../etc/passwd/download",
        "/documents/..%2f..%2fetc/download",
        "/projects/42/documents",
    ] {
        let reply = w.get(&w.path("acme", route), &w.staff).await;
        assert_eq!(reply.status, 404, "{route}");
    }
    let mut request = World::upload_request(
        &w.path(
            "acme",
            &format!("/projects/{}/documents?name=a.pdf", w.project),
        ),
        Some(&w.staff),
        Body::from(pdf(100)),
    );
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let reply = w.portal.send(request).await;
    assert_eq!(reply.status, 403);
    assert!(w.blobs.is_empty());
}

#[tokio::test]
async fn the_openapi_document_lists_the_document_routes() {
    let w = world().await;
    let reply = w.portal.get("/acme/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, 200);
    let paths = &reply.json()["paths"];
    for (path, methods) in [
        ("/api/v1/documents", &["get"][..]),
        ("/api/v1/projects/{project_id}/documents", &["get", "post"]),
        ("/api/v1/documents/{document_id}", &["get"]),
        ("/api/v1/documents/{document_id}/versions", &["get", "post"]),
        ("/api/v1/documents/{document_id}/download", &["get"]),
        (
            "/api/v1/documents/{document_id}/versions/{version_id}/download",
            &["get"],
        ),
    ] {
        for method in methods {
            assert!(paths[path][method].is_object(), "{method} {path}");
        }
    }
    let upload = &paths["/api/v1/projects/{project_id}/documents"]["post"];
    assert!(upload["requestBody"]["content"]["application/octet-stream"].is_object());
    assert!(
        upload["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "name" && p["in"] == "query")
    );
}

#[tokio::test]
async fn files_are_documented_as_bytes_of_the_media_types_they_are_served_as() {
    // Found by fuzzing the served document: it said every download was
    // `application/octet-stream`, while a file is served as the type sniffed at upload; and it
    // described file bodies as arrays of numbers (the Rust `Vec<u8>`), so a client generated from
    // it would upload the text `[37, 80, …]`.
    let w = world().await;
    let document = w.portal.get("/acme/api/v1/openapi.json", None).await.json();
    let bytes = serde_json::json!({ "type": "string", "format": "binary" });
    for (template, method) in [
        ("/api/v1/projects/{project_id}/documents", "post"),
        ("/api/v1/documents/{document_id}/versions", "post"),
    ] {
        let schema = &document["paths"][template][method]["requestBody"]["content"]["application/octet-stream"]
            ["schema"];
        assert_eq!(schema, &bytes, "{method} {template}");
    }
    for template in [
        "/api/v1/documents/{document_id}/download",
        "/api/v1/documents/{document_id}/versions/{version_id}/download",
    ] {
        for (media_type, content) in
            document["paths"][template]["get"]["responses"]["200"]["content"]
                .as_object()
                .unwrap()
        {
            assert_eq!(content["schema"], bytes, "{template} as {media_type}");
        }
    }
    let documented = |template: &str, status: &str| -> Vec<String> {
        document["paths"][template]["get"]["responses"][status]["content"]
            .as_object()
            .unwrap_or_else(|| panic!("{template} {status} has no content"))
            .keys()
            .cloned()
            .collect()
    };
    for (file, bytes) in [
        ("offer.pdf", pdf(300)),
        ("pixel.png", PNG.to_vec()),
        ("notes.txt", b"plain words\n".to_vec()),
        ("table.csv", b"a,b\n1,2\n".to_vec()),
    ] {
        let (document_id, version_id) = w.shared(w.project, file, &bytes).await;
        for (template, path) in [
            (
                "/api/v1/documents/{document_id}/download",
                format!("/documents/{document_id}/download"),
            ),
            (
                "/api/v1/documents/{document_id}/versions/{version_id}/download",
                format!("/documents/{document_id}/versions/{version_id}/download"),
            ),
        ] {
            for (range, status) in [(None, "200"), (Some("bytes=0-3"), "206")] {
                let extra: Vec<(&str, &str)> = range.map(|r| ("range", r)).into_iter().collect();
                let download = w
                    .raw(&w.path("acme", &path), Some(&w.contact), &extra)
                    .await;
                assert_eq!(download.status.to_string(), status, "{file} {path}");
                let served = hv(&download.headers, "content-type");
                let essence = served.split(';').next().unwrap().trim();
                assert!(
                    documented(template, status).iter().any(|t| t == essence),
                    "{file}: {template} answers {status} as {served}, which is not documented"
                );
            }
        }
    }
}

/// Downloads by the client's people count for its adoption figures — a whole file, or a range
/// from its first byte — while a range resuming a download, and the team's own, do not.
#[tokio::test]
async fn downloads_count_for_the_clients_adoption_figures() {
    let w = world().await;
    let (document, _) = w.shared(w.project, "plan.pdf", &pdf(2_000)).await;
    let route = w.path("acme", &format!("/documents/{document}/download"));
    assert_eq!(w.raw(&route, Some(&w.contact), &[]).await.status, 200);
    let first = w
        .raw(&route, Some(&w.viewer), &[("range", "bytes=0-99")])
        .await;
    assert_eq!(first.status, 206);
    let resumed = w
        .raw(&route, Some(&w.contact), &[("range", "bytes=100-")])
        .await;
    assert_eq!(resumed.status, 206);
    assert_eq!(w.raw(&route, Some(&w.staff), &[]).await.status, 200);
    let path = w.path("acme", &format!("/analytics/clients/{}?days=7", w.north));
    let report = w.get(&path, &w.staff).await;
    assert_eq!(report.status, 200, "{}", report.text);
    let downloads = &report.json()["downloads"];
    assert_eq!(downloads["downloads"], 2, "{downloads}");
    assert_eq!(downloads["documents"], 1);
    assert_eq!(downloads["people"], 2);
    assert_eq!(downloads["weeks"][0]["downloads"], 2);
}

/// An analytics store that cannot write.
struct Unrecorded;

#[async_trait::async_trait]
impl AnalyticsStore for Unrecorded {
    async fn adoption_reports(
        &self,
        _: &TenantScope,
        _: AnalyticsWindow,
    ) -> StoreResult<Vec<AdoptionReport>> {
        Ok(Vec::new())
    }

    async fn adoption_report(
        &self,
        _: &TenantScope,
        _: ClientId,
        _: AnalyticsWindow,
    ) -> StoreResult<AdoptionReport> {
        Err(StoreError::NotFound)
    }

    async fn record_download(&self, _: &TenantScope, _: NewDownload) -> StoreResult<()> {
        Err(StoreError::Backend(
            "the download log is unavailable".into(),
        ))
    }
}

/// A download whose count cannot be written is served all the same (the failure is logged).
#[tokio::test]
async fn a_download_is_served_when_its_count_cannot_be_written() {
    let blobs = MemoryBlobStore::new();
    let config = HttpConfig::default().with_max_upload_bytes(LIMIT);
    let portal = Portal::with_stores_and_blobs(config, blobs.clone(), |stores| Stores {
        analytics: std::sync::Arc::new(Unrecorded),
        ..stores
    })
    .await;
    let w = world_on(portal, blobs).await;
    let bytes = pdf(2_000);
    let (document, _) = w.shared(w.project, "plan.pdf", &bytes).await;
    let route = w.path("acme", &format!("/documents/{document}/download"));
    let download = w.raw(&route, Some(&w.contact), &[]).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body.as_ref(), bytes.as_slice());
}
