//! `GET /clients/{id}/export`: one client's records and files as a zip archive, read back and
//! checked against what was seeded — every file's bytes and SHA-256, internal objects only on
//! request, no other client's canary — who may export (SEC-26: a client out of reach answers
//! like a missing id, a missing permission 403), the audit event, a corrupt file failing the
//! export, and memory staying bounded while a large file streams.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use std::io::{Cursor, Read as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, Response, header};
use bytes::Bytes;
use futures_util::StreamExt as _;
use http_body_util::BodyExt as _;
use portal_core::model::{
    AuditContext, NewDocument, NewDocumentVersion, NewInvitation, ShareTarget,
};
use portal_core::state::{ApprovalOutcome, Sha256Digest};
use portal_core::{
    BuiltinRole, ClientId, DisplayName, DocumentId, Email, TenantId, TenantScope, Visibility,
};
use portal_http::HttpConfig;
use portal_storage::blob::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, MemoryBlobStore, StoredBlob,
    UploadId, UploadProgress, byte_stream,
};
use portal_storage::{ApprovalDecision, Stores};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use support::client_work::{self, scope_of};
use support::staff_api::{NOBODY, role_id};
use support::{Portal, Reply};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt as _;
use zip::ZipArchive;

/// The label of the exported client: `canary-acme-x` in what it shows its contacts,
/// `canary-internal-acme-x` in what only the team sees.
const LABEL: &str = "acme-x";
/// Other clients' canaries, which no export of acme-x may hold.
const OTHERS: [&str; 3] = ["canary-acme-a", "canary-acme-b", "canary-globex-g"];
/// The token hashes of the seeded invitation and share link, which no export may hold.
const INVITATION_TOKEN: [u8; 32] = [3; 32];
const SHARE_TOKEN: [u8; 32] = [4; 32];

fn ctx() -> AuditContext {
    AuditContext::default()
}

fn sha_hex(bytes: &[u8]) -> String {
    Sha256Digest::from_bytes(Sha256::digest(bytes).into()).to_hex()
}

/// What was seeded for the exported client: the client-work fixtures, plus documents with
/// real files.
struct Seeded {
    work: client_work::Work,
    client: ClientId,
    /// A shared document of the shared project, and its versions' bytes, oldest first.
    document: DocumentId,
    versions: Vec<Vec<u8>>,
    internal_document: DocumentId,
    internal_bytes: Vec<u8>,
}

/// Stores `bytes` in the portal's blob store and records them as a version of `document` (a
/// new document when `Err`).
async fn upload(
    portal: &Portal,
    scope: &TenantScope,
    document: Result<DocumentId, NewDocument>,
    file_name: &str,
    bytes: &[u8],
) -> DocumentId {
    let body = byte_stream(futures_util::stream::iter([Ok(Bytes::copy_from_slice(
        bytes,
    ))]));
    let stored = portal
        .state
        .blobs()
        .put(scope.tenant_id(), body, u64::MAX)
        .await
        .unwrap();
    let version = NewDocumentVersion {
        blob_key: stored.key.to_string(),
        sha256: stored.sha256,
        size: i64::try_from(stored.size).unwrap(),
        content_type: "application/pdf".into(),
        file_name: file_name.into(),
        via_share_link: None,
    };
    let documents = &portal.stores.documents;
    match document {
        Ok(id) => {
            documents
                .add_version(scope, id, version, &ctx())
                .await
                .unwrap();
            id
        }
        Err(new) => {
            documents
                .create_document_with_version(scope, new, version, &ctx())
                .await
                .unwrap()
                .0
                .id
        }
    }
}

/// acme's client `acme-x`: the client-work fixtures (contacts of every client role, shared and
/// internal work, a document version whose file was never stored), its approval decided, two
/// documents with real files, an invitation and a share link.
async fn seed_client(portal: &Portal) -> Seeded {
    let stores: &Stores = &portal.stores;
    let tenant = portal.acme;
    let manager = support::user_id(portal, "manager@acme.test").await;
    let staff = scope_of(stores, tenant, manager).await;
    let work = client_work::work(stores, tenant, manager, LABEL).await;
    let client = work.client;

    let approver = support::user_id(portal, &work.contact("approver")).await;
    stores
        .approvals
        .decide(
            &scope_of(stores, tenant, approver).await,
            work.approval,
            ApprovalDecision {
                outcome: ApprovalOutcome::Approved,
                sha256: Sha256Digest::from_bytes(client_work::VERSION_SHA),
                comment: Some(format!("Looks good canary-{LABEL}")),
                signature: DisplayName::parse("Ann Approver").unwrap(),
            },
            &ctx(),
        )
        .await
        .unwrap();

    let versions = vec![
        format!("%PDF-1.7 first draft canary-{LABEL}").into_bytes(),
        format!("%PDF-1.7 second draft canary-{LABEL}").into_bytes(),
    ];
    let new_document = |title: String, visibility| NewDocument {
        client,
        project: Some(work.project),
        title: DisplayName::parse(&title).unwrap(),
        visibility,
    };
    let shared = new_document(format!("Plan canary-{LABEL}"), Visibility::Shared);
    let document = upload(portal, &staff, Err(shared), "plan.pdf", &versions[0]).await;
    upload(portal, &staff, Ok(document), "plan.pdf", &versions[1]).await;
    let internal_bytes = format!("%PDF-1.7 risks canary-internal-{LABEL}").into_bytes();
    let internal = new_document(
        format!("Risks canary-internal-{LABEL}"),
        Visibility::Internal,
    );
    let internal_document =
        upload(portal, &staff, Err(internal), "risks.pdf", &internal_bytes).await;

    let system = TenantScope::dangerous_system(tenant);
    let in_a_week = OffsetDateTime::now_utc() + Duration::days(7);
    stores
        .invitations
        .create_invitation(
            &system,
            NewInvitation {
                email: Email::parse(&format!("invited@{LABEL}.test")).unwrap(),
                client: Some(client),
                role: role_id(portal, tenant, BuiltinRole::Viewer).await,
                token_hash: Sha256Digest::from_bytes(INVITATION_TOKEN),
                expires_at: in_a_week,
            },
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .share_links
        .create_share_link(
            &staff,
            ShareTarget::Project(work.project),
            Sha256Digest::from_bytes(SHARE_TOKEN),
            portal_core::model::ShareAccess {
                download: true,
                upload: false,
            },
            in_a_week,
            None,
            &ctx(),
        )
        .await
        .unwrap();

    Seeded {
        work,
        client,
        document,
        versions,
        internal_document,
        internal_bytes,
    }
}

/// A portal with the client-work world (other clients' canaries) and acme-x seeded.
async fn seeded() -> (Portal, Seeded) {
    seeded_over(None).await
}

async fn seeded_over(blobs: Option<Arc<dyn BlobStore>>) -> (Portal, Seeded) {
    let portal = match blobs {
        Some(blobs) => Portal::with_blob_store(HttpConfig::default(), blobs).await,
        None => Portal::new().await,
    };
    client_work::seed(&portal).await;
    let seeded = seed_client(&portal).await;
    (portal, seeded)
}

fn export_path(client: impl std::fmt::Display, internal: bool) -> String {
    format!("/acme/api/v1/clients/{client}/export?include_internal={internal}")
}

fn export_request(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path).header(header::HOST, "portal.example.com");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

/// The response to the owner's default export of `client`, its head only (asserted 200).
async fn open_export(portal: &Portal, client: ClientId, cookie: &str) -> Response<Body> {
    let request = export_request(&export_path(client, false), Some(cookie));
    let response = portal.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    response
}

/// The archive a signed-in caller downloads, as bytes (asserted 200).
async fn download(portal: &Portal, path: &str, cookie: &str) -> (axum::http::HeaderMap, Vec<u8>) {
    let response = portal
        .router
        .clone()
        .oneshot(export_request(path, Some(cookie)))
        .await
        .unwrap();
    let headers = response.headers().clone();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    (headers, bytes.to_vec())
}

/// An archive read back: every entry's name and bytes.
struct Archive {
    entries: Vec<(String, Vec<u8>)>,
}

impl Archive {
    fn read(bytes: Vec<u8>) -> Self {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut entries = Vec::new();
        for index in 0..zip.len() {
            let mut file = zip.by_index(index).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            entries.push((file.name().unwrap().into_owned(), content));
        }
        Self { entries }
    }

    fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|(name, _)| name.as_str()).collect()
    }

    fn file(&self, name: &str) -> &[u8] {
        &self
            .entries
            .iter()
            .find(|(entry, _)| entry == name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.names()))
            .1
    }

    fn manifest(&self) -> Value {
        serde_json::from_slice(self.file("export.json")).unwrap()
    }

    /// Every name and every byte of the archive, decompressed, as text.
    fn text(&self) -> String {
        self.entries
            .iter()
            .map(|(name, content)| format!("{name}\n{}\n", String::from_utf8_lossy(content)))
            .collect()
    }
}

fn items<'a>(manifest: &'a Value, section: &str) -> &'a Vec<Value> {
    manifest[section]
        .as_array()
        .unwrap_or_else(|| panic!("no {section} in the manifest"))
}

fn assert_no_secrets_or_strangers(text: &str) {
    for canary in OTHERS {
        assert!(!text.contains(canary), "{canary} leaked into the export");
    }
    for token in [INVITATION_TOKEN, SHARE_TOKEN] {
        let hex = Sha256Digest::from_bytes(token).to_hex();
        assert!(!text.contains(&hex), "a token hash leaked into the export");
    }
    assert!(!text.contains("\"token"), "a token field is in the export");
    assert!(!text.contains("blob_key"), "storage keys are in the export");
}

#[tokio::test]
async fn the_default_export_holds_what_the_client_sees_with_every_file_checked() {
    let (portal, seeded) = seeded().await;
    let owner = portal.login("acme", "ada@acme.test").await;
    let (headers, bytes) = download(&portal, &export_path(seeded.client, false), &owner).await;
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    let today = OffsetDateTime::now_utc().date();
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"client-canary-acme-x-export-{today}.zip\"").as_str()
    );

    let archive = Archive::read(bytes);
    let doc = seeded.document;
    let mut names = archive.names();
    names.sort_unstable();
    let mut expected = vec![
        "README.txt".to_owned(),
        "export.json".to_owned(),
        format!("files/{doc}/1-plan.pdf"),
        format!("files/{doc}/2-plan.pdf"),
    ];
    expected.sort();
    assert_eq!(names, expected);
    let readme = String::from_utf8_lossy(archive.file("README.txt"));
    assert!(readme.contains("what the client itself sees"), "{readme}");

    let manifest = archive.manifest();
    assert_eq!(manifest["format"], 1);
    assert_eq!(manifest["tenant"], "acme");
    assert_eq!(manifest["include_internal"], false);
    assert_eq!(manifest["exported_by"], portal.ada.to_string());
    let exported_at = manifest["exported_at"].as_str().unwrap();
    assert!(exported_at.starts_with(&today.to_string()), "{exported_at}");
    assert_eq!(manifest["client"]["id"], seeded.client.to_string());
    assert_eq!(manifest["client"]["name"], format!("Client canary-{LABEL}"));

    let contacts = items(&manifest, "contacts");
    let mut emails: Vec<&str> = contacts
        .iter()
        .map(|contact| contact["email"].as_str().unwrap())
        .collect();
    emails.sort_unstable();
    assert_eq!(
        emails,
        [
            "approver@acme-x.test",
            "client_admin@acme-x.test",
            "finance@acme-x.test",
            "viewer@acme-x.test"
        ]
    );
    let approver = contacts
        .iter()
        .find(|contact| contact["email"] == "approver@acme-x.test")
        .unwrap();
    assert_eq!(approver["role"]["builtin"], "approver");
    for field in ["id", "name", "locale", "last_login_at", "membership_id"] {
        assert!(approver.get(field).is_some(), "contacts lack {field}");
    }
    let invitations = items(&manifest, "invitations");
    assert_eq!(invitations.len(), 1);
    assert_eq!(invitations[0]["email"], "invited@acme-x.test");

    let projects = items(&manifest, "projects");
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0]["id"], seeded.work.project.to_string());
    assert_eq!(projects[0]["visibility"], "shared");
    assert!(projects[0].get("external_id").is_none());
    assert_eq!(projects[0]["budget"]["amount_minor"], 5_000_000);
    for (section, count) in [
        ("milestones", 2),
        ("deliverables", 1),
        ("updates", 1),
        ("decisions", 1),
        ("tasks", 2),
        ("share_links", 0),
    ] {
        assert_eq!(items(&manifest, section).len(), count, "{section}");
    }

    let approvals = items(&manifest, "approvals");
    assert_eq!(approvals.len(), 1);
    assert_eq!(approvals[0]["id"], seeded.work.approval.to_string());
    assert_eq!(approvals[0]["status"], "approved");
    assert_eq!(approvals[0]["signature"], "Ann Approver");
    assert_eq!(
        approvals[0]["comment"],
        format!("Looks good canary-{LABEL}")
    );
    assert_eq!(approvals[0]["visibility"], "shared");

    let invoices = items(&manifest, "invoices");
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0]["number"], format!("INV-1 canary-{LABEL}"));
    assert_eq!(invoices[0]["amount"]["amount_minor"], 120_000);
    assert_eq!(invoices[0]["visibility"], "shared");
    assert!(invoices[0].get("internal_note").is_none());
    assert!(invoices[0].get("external_id").is_none());

    let requests = items(&manifest, "requests");
    assert_eq!(requests.len(), 1);
    let replies = requests[0]["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["body"], format!("On it canary-{LABEL}"));
    let threads = items(&manifest, "threads");
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0]["subject"]["kind"], "project");
    assert_eq!(
        threads[0]["messages"][0]["body"],
        format!("Hello canary-{LABEL}")
    );

    let documents = items(&manifest, "documents");
    assert_eq!(documents.len(), 2);
    let uploader = support::user_id(&portal, "manager@acme.test")
        .await
        .to_string();
    let plan = documents
        .iter()
        .find(|document| document["id"] == doc.to_string())
        .unwrap();
    let versions = plan["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    for (version, bytes) in versions.iter().zip(&seeded.versions) {
        let path = version["path"].as_str().unwrap();
        let file = archive.file(path);
        assert_eq!(file, bytes.as_slice());
        assert_eq!(version["sha256"], sha_hex(file));
        assert_eq!(version["size"], bytes.len());
        assert_eq!(version["content_type"], "application/pdf");
        assert_eq!(version["uploaded_by"], uploader);
        assert!(version["created_at"].is_string());
    }
    // The fixtures' document version never had its file stored: listed, without a path.
    let lost = documents
        .iter()
        .find(|document| document["id"] == seeded.work.document.to_string())
        .unwrap();
    assert_eq!(lost["versions"][0]["sha256"], seeded.work.version_sha());
    assert!(lost["versions"][0]["path"].is_null());

    let counts = &manifest["counts"];
    assert_eq!(counts["files"], 2);
    assert_eq!(counts["missing_files"], 1);
    assert_eq!(
        counts["file_bytes"],
        seeded.versions.iter().map(Vec::len).sum::<usize>()
    );
    assert_eq!(counts["messages"], 2);

    let text = archive.text();
    assert!(text.contains(&format!("canary-{LABEL}")));
    assert!(
        !text.contains("canary-internal-"),
        "an internal object is in the default export"
    );
    assert_no_secrets_or_strangers(&text);
}

#[tokio::test]
async fn with_internal_objects_everything_comes_marked_with_its_visibility() {
    let (portal, seeded) = seeded().await;
    let owner = portal.login("acme", "ada@acme.test").await;
    let (_, bytes) = download(&portal, &export_path(seeded.client, true), &owner).await;
    let archive = Archive::read(bytes);
    let manifest = archive.manifest();
    assert_eq!(manifest["include_internal"], true);

    let internal_file = format!("files/{}/1-risks.pdf", seeded.internal_document);
    assert_eq!(
        archive.file(&internal_file),
        seeded.internal_bytes.as_slice()
    );
    for (section, count) in [
        ("projects", 2),
        ("milestones", 3),
        ("documents", 3),
        ("updates", 2),
        ("decisions", 2),
        ("tasks", 3),
        ("invoices", 2),
    ] {
        let listed = items(&manifest, section);
        assert_eq!(listed.len(), count, "{section}");
        let mut marks: Vec<&str> = listed
            .iter()
            .map(|item| item["visibility"].as_str().unwrap())
            .collect();
        marks.sort_unstable();
        marks.dedup();
        assert_eq!(marks, ["internal", "shared"], "{section}");
    }
    let links = items(&manifest, "share_links");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["project_id"], seeded.work.project.to_string());
    let project = items(&manifest, "projects")
        .iter()
        .find(|project| project["id"] == seeded.work.project.to_string())
        .unwrap();
    assert_eq!(
        project["external_id"],
        format!("ext-canary-internal-{LABEL}")
    );
    let replies = items(&manifest, "requests")[0]["replies"]
        .as_array()
        .unwrap();
    assert_eq!(replies.len(), 2);
    let text = archive.text();
    for internal in [
        "Pitch",
        "Risk review",
        "Week 2 draft",
        "Discount",
        "Chase payment",
        "Note",
        "Cheap fix",
        "Slow payer",
        "INV-2",
    ] {
        assert!(
            text.contains(&format!("{internal} canary-internal-{LABEL}")),
            "{internal} is missing"
        );
    }
    assert_no_secrets_or_strangers(&text);
}

#[tokio::test]
async fn the_export_is_audited_with_its_counts_before_it_is_sent() {
    let (portal, seeded) = seeded().await;
    let owner = portal.login("acme", "ada@acme.test").await;
    // The head of the response alone: the event is in the log before the body streams.
    let response = open_export(&portal, seeded.client, &owner).await;
    let events = portal.audit_events(portal.acme, "client.exported").await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    let object = event.object.as_ref().unwrap();
    assert_eq!(object.kind, "client");
    assert_eq!(object.id.to_string(), seeded.client.to_string());
    assert_eq!(event.details["include_internal"], false);
    let file_bytes: usize = seeded.versions.iter().map(Vec::len).sum();
    assert_eq!(event.details["file_bytes"], file_bytes);
    assert_eq!(event.details["counts"]["files"], 2);
    assert_eq!(event.details["counts"]["projects"], 1);
    drop(response);

    download(&portal, &export_path(seeded.client, true), &owner).await;
    let events = portal.audit_events(portal.acme, "client.exported").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].details["include_internal"], true);
    assert_eq!(events[0].details["counts"]["files"], 3);
}

/// SEC-26: a client out of reach answers exactly like a missing id; a missing permission, a
/// contact, or internal objects without `view_internal` are 403; nothing is audited.
#[tokio::test]
async fn only_holders_of_the_permission_export_a_client_they_reach() {
    let (portal, seeded) = seeded().await;
    let send = |path: String, cookie: Option<String>| {
        let portal = &portal;
        async move {
            let request = export_request(&path, cookie.as_deref());
            portal.send(request).await
        }
    };
    let owner = portal.login("acme", "ada@acme.test").await;
    let missing: Reply = send(export_path(NOBODY, false), Some(owner.clone())).await;
    assert_eq!(missing.status, 404);

    let member = portal.login("acme", "member@acme.test").await;
    let unassigned = send(export_path(seeded.client, false), Some(member.clone())).await;
    assert_eq!(unassigned.status, 404);
    assert_eq!(unassigned.text, missing.text);
    let member_missing = send(export_path(NOBODY, false), Some(member)).await;
    assert_eq!(unassigned.text, member_missing.text);

    let foreign = portal.login("globex", "gil@globex.test").await;
    let other_tenant = send(
        format!(
            "/globex/api/v1/clients/{}/export?include_internal=false",
            seeded.client
        ),
        Some(foreign),
    )
    .await;
    assert_eq!(other_tenant.status, 404);
    assert_eq!(other_tenant.text, missing.text);

    let manager = portal.login("acme", "manager@acme.test").await;
    let without_permission = send(export_path(seeded.client, false), Some(manager)).await;
    assert_eq!(
        without_permission.status, 403,
        "{}",
        without_permission.text
    );

    let contact = portal
        .login("acme", &format!("approver@{LABEL}.test"))
        .await;
    let refused = send(export_path(seeded.client, false), Some(contact)).await;
    assert_eq!(refused.status, 403);

    let anonymous = send(export_path(seeded.client, false), None).await;
    assert_eq!(anonymous.status, 401);

    // An exporter without `view_internal`: the shared export, but not the internal one.
    client_work::archivist(&portal).await;
    let archivist = portal.login("acme", "archivist@acme.test").await;
    let internal = send(export_path(seeded.client, true), Some(archivist.clone())).await;
    assert_eq!(internal.status, 403, "{}", internal.text);
    let (_, shared) = download(&portal, &export_path(seeded.client, false), &archivist).await;
    assert!(Archive::read(shared).manifest()["include_internal"] == false);

    let events = portal.audit_events(portal.acme, "client.exported").await;
    assert_eq!(
        events.len(),
        1,
        "only the archivist's shared export is audited"
    );
}

/// A blob store that hands out a memory store's blobs in small chunks, counting the bytes the
/// export pulls; it can serve other bytes than were stored for one key.
#[derive(Clone, Default)]
struct CountingBlobs {
    inner: MemoryBlobStore,
    pulled: Arc<AtomicU64>,
    tampered: Arc<std::sync::Mutex<Option<BlobKey>>>,
}

const SERVED_CHUNK: usize = 16 * 1024;

#[async_trait]
impl BlobStore for CountingBlobs {
    async fn put(
        &self,
        tenant: TenantId,
        body: ByteStream,
        max_size: u64,
    ) -> Result<StoredBlob, BlobError> {
        self.inner.put(tenant, body, max_size).await
    }

    async fn get(
        &self,
        tenant: TenantId,
        key: &BlobKey,
        range: Option<ByteRange>,
    ) -> Result<BlobRead, BlobError> {
        let read = self.inner.get(tenant, key, range).await?;
        let tampered = self.tampered.lock().unwrap().as_ref() == Some(key);
        let pulled = Arc::clone(&self.pulled);
        let body = read.body.flat_map(move |chunk| {
            let pieces: Vec<std::io::Result<Bytes>> = match chunk {
                Ok(bytes) => {
                    let mut bytes = if tampered {
                        let mut changed = bytes.to_vec();
                        changed[0] ^= 1;
                        Bytes::from(changed)
                    } else {
                        bytes
                    };
                    let mut pieces = Vec::new();
                    while !bytes.is_empty() {
                        pieces.push(Ok(bytes.split_to(SERVED_CHUNK.min(bytes.len()))));
                    }
                    pieces
                }
                Err(error) => vec![Err(error)],
            };
            let pulled = Arc::clone(&pulled);
            futures_util::stream::iter(pieces).inspect(move |piece| {
                if let Ok(piece) = piece {
                    pulled.fetch_add(piece.len() as u64, Ordering::SeqCst);
                }
            })
        });
        Ok(BlobRead {
            body: byte_stream(body),
            ..read
        })
    }

    async fn delete(&self, tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
        self.inner.delete(tenant, key).await
    }

    async fn begin_upload(
        &self,
        tenant: TenantId,
        length: u64,
        max_size: u64,
    ) -> Result<UploadId, BlobError> {
        self.inner.begin_upload(tenant, length, max_size).await
    }

    async fn upload_progress(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<UploadProgress, BlobError> {
        self.inner.upload_progress(tenant, upload).await
    }

    async fn append(
        &self,
        tenant: TenantId,
        upload: &UploadId,
        offset: u64,
        body: ByteStream,
    ) -> Result<u64, BlobError> {
        self.inner.append(tenant, upload, offset, body).await
    }

    async fn finish_upload(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<StoredBlob, BlobError> {
        self.inner.finish_upload(tenant, upload).await
    }

    async fn abort_upload(&self, tenant: TenantId, upload: &UploadId) -> Result<(), BlobError> {
        self.inner.abort_upload(tenant, upload).await
    }

    async fn sweep_uploads(&self, older_than: std::time::Duration) -> Result<u64, BlobError> {
        self.inner.sweep_uploads(older_than).await
    }
}

/// A multi-MiB file streams through while the body is read in small steps: at no point has the
/// export pulled more than a few chunks beyond what the reader took, so it never holds the file.
#[tokio::test]
async fn a_large_file_streams_through_in_bounded_memory() {
    const FILE_BYTES: usize = 8 * 1024 * 1024;
    /// The channel's chunks, the writer's buffer and the piece in hand, with room to spare.
    const BOUND: u64 = 1024 * 1024;
    let blobs = CountingBlobs::default();
    let (portal, seeded) = seeded_over(Some(Arc::new(blobs.clone()))).await;
    let lead = support::user_id(&portal, "manager@acme.test").await;
    let staff = scope_of(&portal.stores, portal.acme, lead).await;
    let large: Vec<u8> = (0..FILE_BYTES).map(|i| (i % 251) as u8).collect();
    let big = upload(&portal, &staff, Ok(seeded.document), "big.pdf", &large).await;
    assert_eq!(big, seeded.document);

    let owner = portal.login("acme", "ada@acme.test").await;
    // Seeding pulled nothing; the probes before the archive open each file but read none of it.
    let before = blobs.pulled.load(Ordering::SeqCst);
    let response = open_export(&portal, seeded.client, &owner).await;
    let mut body = response.into_body();
    let mut received: Vec<u8> = Vec::new();
    let mut largest_lead = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.unwrap();
        if let Some(data) = frame.data_ref() {
            received.extend_from_slice(data);
            let pulled = blobs.pulled.load(Ordering::SeqCst) - before;
            let lead = pulled.saturating_sub(received.len() as u64);
            largest_lead = largest_lead.max(lead);
            assert!(
                lead <= BOUND,
                "the export pulled {pulled} bytes while {} were read",
                received.len()
            );
        }
    }
    assert!(blobs.pulled.load(Ordering::SeqCst) - before >= FILE_BYTES as u64);
    let archive = Archive::read(received);
    let path = format!("files/{}/3-big.pdf", seeded.document);
    assert_eq!(archive.file(&path).len(), FILE_BYTES);
    assert_eq!(sha_hex(archive.file(&path)), sha_hex(&large));
    assert!(largest_lead <= BOUND);
}

/// A file whose bytes do not match its recorded SHA-256 fails the export: the archive is cut
/// off before its directory, so no reader takes it for a whole one.
#[tokio::test]
async fn a_file_that_does_not_match_its_sha256_fails_the_export() {
    let blobs = CountingBlobs::default();
    let (portal, seeded) = seeded_over(Some(Arc::new(blobs.clone()))).await;
    let lead = support::user_id(&portal, "manager@acme.test").await;
    let staff = scope_of(&portal.stores, portal.acme, lead).await;
    let current = portal
        .stores
        .documents
        .document(&staff, seeded.document)
        .await
        .unwrap()
        .unwrap()
        .current_version
        .unwrap();
    let version = portal
        .stores
        .documents
        .version(&staff, current)
        .await
        .unwrap()
        .unwrap();
    *blobs.tampered.lock().unwrap() = Some(BlobKey::parse(&version.blob_key).unwrap());

    let owner = portal.login("acme", "ada@acme.test").await;
    let response = open_export(&portal, seeded.client, &owner).await;
    let error = response.into_body().collect().await.unwrap_err();
    let message = format!("{error} {:?}", std::error::Error::source(&error));
    assert!(message.contains("does not match its SHA-256"), "{message}");
}
