//! Resumable uploads over tus 1.0.0 through the router: parts, a dropped connection resumed, the
//! checks before the first byte, sniffing, ownership, termination and the sweep.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::stream;
use portal_core::model::{AuditContext, ClientInput, ProjectInput, ProjectStatus};
use portal_core::{BuiltinRole, DisplayName, ProjectId, TenantId, TenantScope, Visibility};
use portal_http::HttpConfig;
use portal_storage::Stores;
use portal_storage::blob::{BlobStore, FsBlobStore, MemoryBlobStore};
use sha2::{Digest as _, Sha256};
use support::client_work::person;
use support::{Portal, Reply};

/// The upload limit of these tests: above the 64 KiB the server sniffs, so parts after the head
/// are exercised.
const LIMIT: u64 = 300_000;

struct World {
    portal: Portal,
    project: ProjectId,
    south_project: ProjectId,
    staff: String,
    contact: String,
    viewer: String,
    south_contact: String,
    globex: String,
}

fn name(text: &str) -> DisplayName {
    DisplayName::parse(text).unwrap()
}

async fn shared_project(
    stores: &Stores,
    tenant: TenantId,
    label: &str,
) -> (portal_core::ClientId, ProjectId) {
    let system = TenantScope::dangerous_system(tenant);
    let ctx = AuditContext::default();
    let client = stores
        .clients
        .create_client(
            &system,
            ClientInput {
                name: name(label),
                external_id: None,
                branding: None,
            },
            &ctx,
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
                name: name(&format!("{label} film")),
                description: String::new(),
                status: ProjectStatus::Active,
                schedule: None,
                budget: None,
                external_id: None,
            },
            &ctx,
        )
        .await
        .unwrap()
        .id;
    stores
        .projects
        .set_project_visibility(&system, project, Visibility::Shared, &ctx)
        .await
        .unwrap();
    (client, project)
}

async fn world_with(config: HttpConfig) -> World {
    world_over(config, Arc::new(MemoryBlobStore::new())).await
}

async fn world_over(config: HttpConfig, blobs: Arc<dyn BlobStore>) -> World {
    let portal = Portal::with_blob_store(config, blobs).await;
    let (stores, acme) = (&portal.stores, portal.acme);
    let (north, project) = shared_project(stores, acme, "North").await;
    let (south, south_project) = shared_project(stores, acme, "South").await;
    for (client, email, role) in [
        (north, "carol@north.test", BuiltinRole::ClientAdmin),
        (north, "vic@north.test", BuiltinRole::Viewer),
        (north, "nina@north.test", BuiltinRole::ClientAdmin),
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
        project,
        south_project,
    }
}

async fn world() -> World {
    world_with(HttpConfig::default().with_max_upload_bytes(LIMIT)).await
}

/// A PDF of `len` bytes: the signature, then bytes of every value.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..len - bytes.len()).map(|i| u8::try_from((i * 31 + 7) % 251).unwrap()));
    bytes
}

fn meta(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key} {}", STANDARD.encode(value)))
        .collect::<Vec<_>>()
        .join(",")
}

const UPLOADS: &str = "/acme/api/v1/uploads";

impl World {
    async fn tus(
        &self,
        method: Method,
        path: &str,
        cookie: &str,
        headers: &[(&str, String)],
        body: Body,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "portal.example.com")
            .header("sec-fetch-site", "same-origin")
            .header(header::COOKIE, cookie);
        if !headers.iter().any(|(name, _)| *name == "tus-resumable") {
            request = request.header("tus-resumable", "1.0.0");
        }
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        self.portal.send(request.body(body).unwrap()).await
    }

    /// Begins an upload of `length` bytes; the reply (201 with `Location` on success).
    async fn create(&self, cookie: &str, length: u64, metadata: &str) -> Reply {
        self.tus(
            Method::POST,
            UPLOADS,
            cookie,
            &[
                ("upload-length", length.to_string()),
                ("upload-metadata", metadata.to_owned()),
            ],
            Body::empty(),
        )
        .await
    }

    /// Begins a new document's upload in the North project and answers its URL.
    async fn begin(&self, cookie: &str, file: &str, length: u64) -> String {
        let reply = self
            .create(
                cookie,
                length,
                &meta(&[
                    ("filename", file),
                    ("project", &self.project.to_string()),
                    ("title", "Launch film notes"),
                    ("visibility", "shared"),
                ]),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.headers["tus-resumable"], "1.0.0");
        assert!(
            reply.headers["upload-expires"]
                .to_str()
                .unwrap()
                .ends_with(" GMT")
        );
        reply.headers[header::LOCATION].to_str().unwrap().to_owned()
    }

    async fn patch(&self, url: &str, cookie: &str, offset: u64, body: Body) -> Reply {
        self.tus(
            Method::PATCH,
            url,
            cookie,
            &[
                ("upload-offset", offset.to_string()),
                ("content-type", "application/offset+octet-stream".to_owned()),
            ],
            body,
        )
        .await
    }

    async fn head(&self, url: &str, cookie: &str) -> Reply {
        self.tus(Method::HEAD, url, cookie, &[], Body::empty())
            .await
    }

    async fn offset_of(&self, url: &str, cookie: &str) -> u64 {
        let reply = self.head(url, cookie).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store");
        reply.headers["upload-offset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    }
}

fn header_number(reply: &Reply, name: &str) -> u64 {
    reply.headers[name].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn options_announce_the_protocol() {
    let w = world().await;
    let reply = w
        .portal
        .send(
            Request::options(UPLOADS)
                .header(header::HOST, "portal.example.com")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(reply.headers["tus-version"], "1.0.0");
    assert_eq!(
        reply.headers["tus-extension"],
        "creation,expiration,termination"
    );
    assert_eq!(header_number(&reply, "tus-max-size"), LIMIT);
}

#[tokio::test]
async fn a_file_sent_in_parts_over_a_dropped_connection_becomes_a_document() {
    let w = world().await;
    let file = pdf(250_000);
    let url = w
        .begin(&w.contact, "launch notes.pdf", file.len() as u64)
        .await;
    assert!(url.starts_with("/acme/api/v1/uploads/"), "{url}");
    assert_eq!(w.offset_of(&url, &w.contact).await, 0);

    // The first part, whole.
    let first = w
        .patch(&url, &w.contact, 0, Body::from(file[..80_000].to_vec()))
        .await;
    assert_eq!(first.status, 204, "{}", first.text);
    assert_eq!(header_number(&first, "upload-offset"), 80_000);

    // The second part breaks off after 30,000 bytes: what arrived is kept.
    let dropped = Body::from_stream(stream::iter(vec![
        Ok(Bytes::copy_from_slice(&file[80_000..110_000])),
        Err(std::io::Error::other("connection reset")),
    ]));
    let broken = w.patch(&url, &w.contact, 80_000, dropped).await;
    assert_eq!(broken.status, 400, "{}", broken.text);
    let resume = w.offset_of(&url, &w.contact).await;
    assert_eq!(resume, 110_000, "the bytes before the break are kept");

    // A part at the wrong offset is refused, naming where to resume.
    let wrong = w
        .patch(
            &url,
            &w.contact,
            80_000,
            Body::from(file[80_000..].to_vec()),
        )
        .await;
    assert_eq!(wrong.status, 409, "{}", wrong.text);
    assert_eq!(header_number(&wrong, "upload-offset"), resume);
    assert_eq!(wrong.error_code(), "offset_mismatch");

    // A part past the declared length is refused.
    let mut too_much = file[110_000..].to_vec();
    too_much.push(0);
    let beyond = w
        .patch(&url, &w.contact, 110_000, Body::from(too_much))
        .await;
    assert_eq!(beyond.status, 413, "{}", beyond.text);
    let resume = w.offset_of(&url, &w.contact).await;

    // A part announced longer than what is left is refused before it is read.
    let announced = w
        .tus(
            Method::PATCH,
            &url,
            &w.contact,
            &[
                ("upload-offset", resume.to_string()),
                ("content-type", "application/offset+octet-stream".to_owned()),
                (
                    "content-length",
                    (file.len() as u64 - resume + 1).to_string(),
                ),
            ],
            Body::from(vec![0; file.len() - resume as usize + 1]),
        )
        .await;
    assert_eq!(announced.status, 413, "{}", announced.text);
    assert_eq!(w.offset_of(&url, &w.contact).await, resume);

    // The rest completes the file: recorded as a new shared document.
    let last = w
        .patch(
            &url,
            &w.contact,
            resume,
            Body::from(file[resume as usize..].to_vec()),
        )
        .await;
    assert_eq!(last.status, 204, "{}", last.text);
    assert_eq!(header_number(&last, "upload-offset"), file.len() as u64);
    let document = last.headers["portal-document-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let version = last.headers["portal-version-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let shown = w
        .portal
        .get(
            &format!("/acme/api/v1/documents/{document}"),
            Some(&w.contact),
        )
        .await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let shown = shown.json();
    assert_eq!(shown["title"], "Launch film notes");
    assert_eq!(shown["visibility"], "shared");
    let versions = w
        .portal
        .get(
            &format!("/acme/api/v1/documents/{document}/versions"),
            Some(&w.contact),
        )
        .await
        .json();
    let listed = &versions["items"][0];
    assert_eq!(listed["id"], version.as_str());
    assert_eq!(listed["file_name"], "launch notes.pdf");
    assert_eq!(listed["size"], file.len() as u64);
    assert_eq!(
        listed["sha256"],
        Sha256::digest(&file)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    );
    let downloaded = w
        .portal
        .get(
            &format!("/acme/api/v1/documents/{document}/download"),
            Some(&w.contact),
        )
        .await;
    assert_eq!(downloaded.status, 200);
    assert_eq!(
        downloaded.headers[header::CONTENT_LENGTH],
        file.len().to_string().as_str()
    );

    // Finished: the upload is gone.
    assert_eq!(w.head(&url, &w.contact).await.status, 404);
}

#[tokio::test]
async fn size_quota_and_target_are_checked_before_the_first_byte_sec_35() {
    let w = world().await;
    let project = w.project.to_string();
    let doc = |file: &str| meta(&[("filename", file), ("project", &project)]);
    let too_large = w.create(&w.contact, LIMIT + 1, &doc("big.pdf")).await;
    assert_eq!(too_large.status, 413, "{}", too_large.text);
    assert_eq!(too_large.error_code(), "payload_too_large");

    let cases: [(&str, String, u16); 7] = [
        ("an extension not accepted", doc("film.exe"), 422),
        ("no file name", meta(&[("project", &project)]), 422),
        ("no target", meta(&[("filename", "a.pdf")]), 422),
        (
            "a project and a document",
            meta(&[
                ("filename", "a.pdf"),
                ("project", &project),
                ("document", &project),
            ]),
            422,
        ),
        (
            "a bad visibility",
            meta(&[
                ("filename", "a.pdf"),
                ("project", &project),
                ("visibility", "public"),
            ]),
            422,
        ),
        (
            "another client's project",
            meta(&[
                ("filename", "a.pdf"),
                ("project", &w.south_project.to_string()),
            ]),
            404,
        ),
        ("metadata not base64", "filename !!!".to_owned(), 400),
    ];
    for (case, metadata, status) in cases {
        let reply = w.create(&w.contact, 10, &metadata).await;
        assert_eq!(reply.status, status, "{case}: {}", reply.text);
    }
    let viewer = w.create(&w.viewer, 10, &doc("a.pdf")).await;
    assert_eq!(
        viewer.status, 403,
        "a viewer may not upload: {}",
        viewer.text
    );

    let no_length = w
        .tus(
            Method::POST,
            UPLOADS,
            &w.contact,
            &[("upload-metadata", doc("a.pdf"))],
            Body::empty(),
        )
        .await;
    assert_eq!(no_length.status, 400);
    let with_body = w
        .tus(
            Method::POST,
            UPLOADS,
            &w.contact,
            &[
                ("upload-length", "3".to_owned()),
                ("upload-metadata", doc("a.txt")),
            ],
            Body::from("abc"),
        )
        .await;
    assert_eq!(with_body.status, 400, "creation with upload is not offered");
    let old_version = w
        .tus(
            Method::POST,
            UPLOADS,
            &w.contact,
            &[
                ("upload-length", "3".to_owned()),
                ("upload-metadata", doc("a.txt")),
                ("tus-resumable", "0.2.2".to_owned()),
            ],
            Body::empty(),
        )
        .await;
    assert_eq!(old_version.status, 412);
    assert_eq!(old_version.headers["tus-version"], "1.0.0");

    // The quota: what is left of it bounds an upload before any byte.
    let quota = world_with(
        HttpConfig::default()
            .with_max_upload_bytes(LIMIT)
            .with_tenant_quota_bytes(Some(1_000)),
    )
    .await;
    let over = quota
        .create(
            &quota.contact,
            1_001,
            &meta(&[
                ("filename", "a.pdf"),
                ("project", &quota.project.to_string()),
            ]),
        )
        .await;
    assert_eq!(over.status, 413, "{}", over.text);
    assert_eq!(over.error_code(), "quota_exceeded");
}

#[tokio::test]
async fn the_first_part_is_sniffed_sec_36() {
    let w = world().await;
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".repeat(1_200);
    let url = w.begin(&w.contact, "invoice.pdf", html.len() as u64).await;
    let reply = w.patch(&url, &w.contact, 0, Body::from(html.clone())).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(w.head(&url, &w.contact).await.status, 404, "given up");

    // A first part too short to judge is judged when the file is complete.
    let url = w.begin(&w.contact, "invoice.pdf", html.len() as u64).await;
    let head = w
        .patch(&url, &w.contact, 0, Body::from(html[..1_000].to_vec()))
        .await;
    assert_eq!(head.status, 204, "{}", head.text);
    let rest = w
        .patch(&url, &w.contact, 1_000, Body::from(html[1_000..].to_vec()))
        .await;
    assert_eq!(rest.status, 422, "{}", rest.text);
    assert_eq!(w.head(&url, &w.contact).await.status, 404);
    let documents = w
        .portal
        .get(
            &format!("/acme/api/v1/projects/{}/documents", w.project),
            Some(&w.contact),
        )
        .await
        .json();
    assert_eq!(
        documents["items"].as_array().unwrap().len(),
        0,
        "nothing recorded"
    );
}

#[tokio::test]
async fn an_upload_belongs_to_the_user_who_began_it_sec_25() {
    let w = world().await;
    let file = pdf(1_000);
    let url = w.begin(&w.contact, "mine.pdf", file.len() as u64).await;
    let nina = w.portal.login("acme", "nina@north.test").await;
    for (who, cookie) in [
        ("a colleague", &nina),
        ("another client's contact", &w.south_contact),
        ("staff", &w.staff),
    ] {
        assert_eq!(w.head(&url, cookie).await.status, 404, "{who}");
        let patched = w.patch(&url, cookie, 0, Body::from(file.clone())).await;
        assert_eq!(patched.status, 404, "{who}");
        let deleted = w
            .tus(Method::DELETE, &url, cookie, &[], Body::empty())
            .await;
        assert_eq!(deleted.status, 404, "{who}");
    }
    // Another tenant's session is no session here; under its own tenant the id names nothing.
    assert_eq!(w.head(&url, &w.globex).await.status, 401);
    let id = url.rsplit('/').next().unwrap();
    let elsewhere = format!("/globex/api/v1/uploads/{id}");
    assert_eq!(w.head(&elsewhere, &w.globex).await.status, 404);
    assert_eq!(
        w.head("/acme/api/v1/uploads/not-an-id", &w.contact)
            .await
            .status,
        404
    );
    // Still the owner's, untouched.
    assert_eq!(w.offset_of(&url, &w.contact).await, 0);
}

#[tokio::test]
async fn a_next_version_termination_and_media_type() {
    let w = world().await;
    let file = pdf(5_000);
    let url = w.begin(&w.staff, "plan.pdf", file.len() as u64).await;
    let done = w.patch(&url, &w.staff, 0, Body::from(file.clone())).await;
    assert_eq!(done.status, 204, "{}", done.text);
    let document = done.headers["portal-document-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let next = pdf(6_000);
    let reply = w
        .create(
            &w.staff,
            next.len() as u64,
            &meta(&[("filename", "plan v2.pdf"), ("document", &document)]),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let url = reply.headers[header::LOCATION].to_str().unwrap().to_owned();
    let plain = w
        .tus(
            Method::PATCH,
            &url,
            &w.staff,
            &[
                ("upload-offset", "0".to_owned()),
                ("content-type", "application/octet-stream".to_owned()),
            ],
            Body::from(next.clone()),
        )
        .await;
    assert_eq!(plain.status, 415);
    let done = w.patch(&url, &w.staff, 0, Body::from(next)).await;
    assert_eq!(done.status, 204, "{}", done.text);
    assert_eq!(done.headers["portal-document-id"], document.as_str());
    let versions = w
        .portal
        .get(
            &format!("/acme/api/v1/documents/{document}/versions"),
            Some(&w.staff),
        )
        .await
        .json();
    assert_eq!(versions["items"].as_array().unwrap().len(), 2);

    // Termination.
    let url = w.begin(&w.staff, "drop.pdf", 10_000).await;
    let part = w
        .patch(&url, &w.staff, 0, Body::from(pdf(10_000)[..4_000].to_vec()))
        .await;
    assert_eq!(part.status, 204);
    let deleted = w
        .tus(Method::DELETE, &url, &w.staff, &[], Body::empty())
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(w.head(&url, &w.staff).await.status, 404);
}

#[tokio::test]
async fn expired_uploads_are_swept() {
    let w = world_with(
        HttpConfig::default()
            .with_max_upload_bytes(LIMIT)
            .with_resumable_upload_lifetime(Duration::from_millis(50)),
    )
    .await;
    let url = w.begin(&w.contact, "late.pdf", 1_000).await;
    let part = w
        .patch(&url, &w.contact, 0, Body::from(pdf(1_000)[..500].to_vec()))
        .await;
    assert_eq!(part.status, 204);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        w.head(&url, &w.contact).await.status,
        404,
        "expired counts as gone"
    );
    let swept = portal_http::sweep_expired_uploads(&w.portal.state)
        .await
        .unwrap();
    assert_eq!(swept, 1);
    assert_eq!(
        portal_http::sweep_expired_uploads(&w.portal.state)
            .await
            .unwrap(),
        0
    );
}

/// The size of the large upload: 2 GiB, or `PORTAL_TEST_RESUMABLE_BYTES` (e.g. a few MiB for a
/// quick local run). CI runs the default.
fn large_upload_bytes() -> u64 {
    std::env::var("PORTAL_TEST_RESUMABLE_BYTES")
        .ok()
        .map(|bytes| {
            bytes
                .parse()
                .expect("PORTAL_TEST_RESUMABLE_BYTES is a number of bytes")
        })
        .unwrap_or(2 << 30)
}

/// `len` bytes of the large file from `offset` on, regenerated for any offset: a PDF header, then
/// one pseudo-random MiB repeated at a shifting rotation (fast to make even in a debug build).
fn large_content(offset: u64, len: u64) -> Vec<u8> {
    const BLOCK: u64 = 1 << 20;
    static BASE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let base = BASE.get_or_init(|| {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        (0..BLOCK)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect()
    });
    let mut out = Vec::with_capacity(len as usize);
    let mut at = offset;
    while at < offset + len {
        let (block, within) = (at / BLOCK, at % BLOCK);
        let from = ((within + block * 7_919) % BLOCK) as usize;
        let take = (offset + len - at)
            .min(BLOCK - within)
            .min(BLOCK - from as u64) as usize;
        out.extend_from_slice(&base[from..from + take]);
        at += take as u64;
    }
    let header = b"%PDF-1.7\n";
    for (index, byte) in header.iter().enumerate() {
        let index = index as u64;
        if index >= offset && index < offset + len {
            out[(index - offset) as usize] = *byte;
        }
    }
    out
}

/// A part from `start` to `end` in 1 MiB chunks, each hashed into `sent`; when `cut`, the
/// connection drops after them.
fn large_part(start: u64, end: u64, cut: bool, sent: Arc<Mutex<Sha256>>) -> Body {
    const CHUNK: u64 = 1 << 20;
    let chunks = (start..end).step_by(CHUNK as usize).map(move |from| {
        let data = large_content(from, CHUNK.min(end - from));
        sent.lock().unwrap().update(&data);
        Ok::<_, std::io::Error>(Bytes::from(data))
    });
    let dropped = cut.then(|| Err(std::io::Error::other("connection reset")));
    Body::from_stream(stream::iter(chunks.chain(dropped)))
}

/// Peak resident memory of this process so far, in bytes (Linux).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test]
async fn a_2_gib_upload_cut_off_three_times_completes_with_the_right_sha256_in_bounded_memory() {
    let total = large_upload_bytes();
    let root = tempfile::tempdir().unwrap();
    let blobs = FsBlobStore::open(root.path()).await.unwrap();
    let w = world_over(
        HttpConfig::default().with_max_upload_bytes(total),
        Arc::new(blobs),
    )
    .await;
    let before = peak_rss();
    let url = w.begin(&w.contact, "site archive.pdf", total).await;

    let sent = Arc::new(Mutex::new(Sha256::new()));
    // Where the connection drops: at odd bytes, mid-chunk.
    let cuts = [total / 10 + 12_345, total / 2 + 7, total * 4 / 5 + 999];
    let mut offset = 0;
    for cut in cuts {
        let reply = w
            .patch(
                &url,
                &w.contact,
                offset,
                large_part(offset, cut, true, sent.clone()),
            )
            .await;
        assert_eq!(reply.status, 400, "the part broke off: {}", reply.text);
        offset = w.offset_of(&url, &w.contact).await;
        assert_eq!(offset, cut, "every byte before the drop was kept");
    }
    let last = w
        .patch(
            &url,
            &w.contact,
            offset,
            large_part(offset, total, false, sent.clone()),
        )
        .await;
    assert_eq!(last.status, 204, "{}", last.text);
    let document = last.headers["portal-document-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let expected: String = std::mem::take(&mut *sent.lock().unwrap())
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let versions = w
        .portal
        .get(
            &format!("/acme/api/v1/documents/{document}/versions"),
            Some(&w.contact),
        )
        .await
        .json();
    assert_eq!(versions["items"][0]["sha256"], expected.as_str());
    assert_eq!(versions["items"][0]["size"], total);
    let growth = peak_rss().saturating_sub(before);
    println!("peak RSS growth over the upload: {} MiB", growth >> 20);
    assert!(
        growth < 256 << 20,
        "memory grew by {} MiB for a {} MiB upload",
        growth >> 20,
        total >> 20
    );
}
