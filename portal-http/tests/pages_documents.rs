//! The documents pages: the list by project, one document with its versions, uploads through
//! the API's upload path (a new document, a new version) as multipart forms, downloads with the
//! API's headers, wrong uploads shown next to the file field, the token required first, foreign
//! and unknown documents the same branded 404, roles without the permission kept out, German.

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

use pages_support::multipart::{BOUNDARY, Part, multipart, post_body, post_multipart};
use pages_support::{get, header, input_value, location, sign_in};
use portal_core::model::AuditContext;
use portal_core::{
    BuiltinRole, ClientId, DisplayName, DocumentId, Permission, PermissionSet, Side, TenantScope,
};
use portal_http::HttpConfig;
use portal_storage::{AuditFilter, DocumentFilter, Page};
use sha2::{Digest as _, Sha256};
use support::client_work::{self, World};
use support::staff_api::NOBODY;
use support::{Portal, Reply};

async fn seeded_with(config: HttpConfig) -> (Portal, World) {
    let portal = Portal::with_config(config).await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

async fn seeded() -> (Portal, World) {
    seeded_with(HttpConfig::default()).await
}

/// The document id a redirect to `/acme/documents/{id}?notice=…` names.
fn document_of(reply: &Reply) -> DocumentId {
    let target = location(reply);
    let id = target
        .strip_prefix("/acme/documents/")
        .and_then(|rest| rest.split('?').next())
        .unwrap_or_else(|| panic!("not a document: {target}"));
    id.parse().unwrap()
}

fn sha_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

async fn versions_of(portal: &Portal, document: DocumentId) -> usize {
    let system = TenantScope::dangerous_system(portal.acme);
    portal
        .stores
        .documents
        .list_versions(&system, document, Page::first(200).unwrap())
        .await
        .unwrap()
        .items
        .len()
}

/// The form shown again (422) with `message` next to `field`, and the choose-again hint.
fn assert_refused_at(reply: &Reply, field: &str, message: &str) {
    assert_eq!(reply.status, 422, "{field}: {}", reply.text);
    let html = &reply.text;
    assert!(
        html.contains(&format!("id=\"upload-{field}-error\">{message}")),
        "{field}: {html}"
    );
    assert!(html.contains("aria-invalid=\"true\""), "{field}: {html}");
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
}

async fn documents_of(portal: &Portal, client: ClientId) -> usize {
    let system = TenantScope::dangerous_system(portal.acme);
    portal
        .stores
        .documents
        .list_documents(
            &system,
            DocumentFilter {
                client: Some(client),
                project: None,
            },
            Page::first(200).unwrap(),
        )
        .await
        .unwrap()
        .items
        .len()
}

#[tokio::test]
async fn a_contact_uploads_a_document_and_its_next_version_and_downloads_both() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let list = get(&portal, "/acme/documents", &jar, None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let html = &list.text;
    assert!(html.contains("Mock-up PDF canary-acme-a"), "{html}");
    assert!(html.contains("Version 1 · mock-up.pdf"), "{html}");
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    assert!(html.contains("data-upload"), "{html}");
    assert!(
        html.contains(&format!(
            "<option value=\"{}\" selected>Website canary-acme-a",
            world.a.project
        )),
        "the one project is chosen: {html}"
    );
    // The form's token comes before its file, which comes last.
    let token_at = html.rfind("name=\"csrf_token\"").unwrap();
    assert!(token_at < html.find("name=\"file\"").unwrap(), "{html}");
    assert!(
        header(&list, "content-security-policy").contains("connect-src 'self'"),
        "the progress bar may send the form"
    );
    for foreign in ["canary-acme-b", "canary-globex", "canary-internal"] {
        assert!(!html.contains(foreign), "{foreign}: {html}");
    }

    let token = input_value(html, "csrf_token");
    let first = b"Brief, version one.\nIt has two lines.\n".to_vec();
    let project = world.a.project.to_string();
    let reply = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("csrf_token", &token),
            Part::Field("project", &project),
            Part::Field("title", "Project brief"),
            Part::File("file", "brief.txt", &first),
        ],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let document = document_of(&reply);
    assert!(location(&reply).ends_with("?notice=notice-documents-uploaded"));
    let page = get(&portal, location(&reply), &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert!(html.contains("The document was uploaded."), "{html}");
    assert!(
        html.contains("<h1 class=\"page__title\">Project brief</h1>"),
        "{html}"
    );
    assert!(html.contains("brief.txt"), "{html}");
    assert!(html.contains("Uploaded by Client admin on"), "{html}");
    assert!(html.contains(&sha_hex(&first)), "the checksum: {html}");
    assert!(html.contains("38 bytes"), "the size: {html}");
    // The same document on the list, and in its project.
    let list = get(&portal, "/acme/documents", &jar, None).await.text;
    assert!(list.contains("Project brief"), "{list}");

    // Downloaded through the page: the bytes, with the API's headers.
    let download = get(
        &portal,
        &format!("/acme/documents/{document}/download"),
        &jar,
        None,
    )
    .await;
    assert_eq!(download.status, 200, "{}", download.text);
    assert_eq!(download.text.as_bytes(), first.as_slice());
    assert!(
        header(&download, "content-disposition").starts_with("attachment; filename=\"brief.txt\"")
    );
    assert_eq!(header(&download, "x-content-type-options"), "nosniff");
    assert_eq!(header(&download, "cache-control"), "no-store");
    assert!(header(&download, "content-security-policy").starts_with("sandbox"));
    let api = portal
        .get(
            &format!("/acme/api/v1/documents/{document}/download"),
            Some(&jar.header()),
        )
        .await;
    for name in [
        "content-disposition",
        "content-type",
        "content-security-policy",
        "etag",
    ] {
        assert_eq!(header(&download, name), header(&api, name), "{name}");
    }

    // The next version.
    let second = b"Brief, version two.\n".to_vec();
    let reply = post_multipart(
        &portal,
        &format!("/acme/documents/{document}/versions"),
        &[
            Part::Field("csrf_token", &token),
            Part::File("file", "brief-v2.txt", &second),
        ],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(
        location(&reply),
        format!("/acme/documents/{document}?notice=notice-documents-version-uploaded")
    );
    let html = get(&portal, location(&reply), &jar, None).await.text;
    assert!(html.contains("The new version was uploaded."), "{html}");
    let v2 = html.find("Version 2").unwrap();
    let v1 = html.find("Version 1").unwrap();
    assert!(v2 < v1, "newest first: {html}");
    assert!(html.contains("brief-v2.txt"), "{html}");
    let latest = get(
        &portal,
        &format!("/acme/documents/{document}/download"),
        &jar,
        None,
    )
    .await;
    assert_eq!(latest.text.as_bytes(), second.as_slice());
    // Each version has its own link, with its own bytes.
    let marker = format!("/acme/documents/{document}/versions/");
    let links: Vec<String> = html
        .match_indices(&marker)
        .map(|(at, _)| html[at..at + html[at..].find('"').unwrap()].to_owned())
        .collect();
    assert_eq!(links.len(), 2, "{html}");
    let oldest = get(&portal, &links[1], &jar, None).await;
    assert_eq!(oldest.text.as_bytes(), first.as_slice());

    // Audited like the API's uploads.
    let system = TenantScope::dangerous_system(portal.acme);
    let audited = portal
        .stores
        .audit
        .list_events(
            &system,
            AuditFilter {
                action: Some("document.version_added".to_owned()),
                ..AuditFilter::default()
            },
            Page::first(50).unwrap(),
        )
        .await
        .unwrap()
        .items;
    assert!(audited.len() >= 2, "{audited:?}");

    // The overview links the new document's page.
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert!(
        overview.contains(&format!("href=\"/acme/documents/{document}\"")),
        "{overview}"
    );
}

#[tokio::test]
async fn a_refused_upload_shows_why_next_to_the_field_and_stores_nothing() {
    let (portal, world) = seeded_with(HttpConfig::default().with_max_upload_bytes(64)).await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let token = input_value(
        &get(&portal, "/acme/documents", &jar, None).await.text,
        "csrf_token",
    );
    let project = world.a.project.to_string();
    let before = documents_of(&portal, world.a.client).await;
    let foreign = world.b.project.to_string();
    let cases: [(&str, &str, &[u8], &str, &str); 6] = [
        (
            &project,
            "tool.exe",
            b"MZ",
            "file",
            "Files of this type cannot be uploaded. Accepted types: pdf,",
        ),
        (
            &project,
            "fake.pdf",
            b"<html>not a pdf</html>",
            "file",
            "The file&#39;s content does not match the type its name says",
        ),
        (&project, "", b"", "file", "Please choose a file to upload."),
        (
            &project,
            "big.txt",
            &[b'a'; 200],
            "file",
            "The file is too large: at most 64 bytes per file.",
        ),
        (
            "not-a-project",
            "a.txt",
            b"text",
            "project",
            "Please choose one of your projects.",
        ),
        (
            &foreign,
            "a.txt",
            b"text",
            "project",
            "Please choose one of your projects.",
        ),
    ];
    for (project, file, content, field, message) in cases {
        let reply = post_multipart(
            &portal,
            "/acme/documents",
            &[
                Part::Field("csrf_token", &token),
                Part::Field("project", project),
                Part::Field("title", "Kept title"),
                Part::File("file", file, content),
            ],
            &jar,
        )
        .await;
        assert_eq!(reply.status, 422, "{file}: {}", reply.text);
        let html = &reply.text;
        assert!(
            html.contains(&format!("id=\"upload-{field}-error\">{message}")),
            "{file}: {html}"
        );
        assert!(html.contains("aria-invalid=\"true\""), "{file}: {html}");
        assert!(html.contains("value=\"Kept title\""), "{file}: {html}");
        assert!(
            html.contains("please choose the file again"),
            "{file}: {html}"
        );
        assert!(
            !html.contains("canary-acme-b"),
            "{file}: nothing of another client: {html}"
        );
    }
    assert_eq!(documents_of(&portal, world.a.client).await, before);
    assert_eq!(documents_of(&portal, world.b.client).await, 1);
}

#[tokio::test]
async fn an_upload_needs_its_token_first_sec_31() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let token = input_value(
        &get(&portal, "/acme/documents", &jar, None).await.text,
        "csrf_token",
    );
    let project = world.a.project.to_string();
    let before = documents_of(&portal, world.a.client).await;
    let without = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("project", &project),
            Part::File("file", "a.txt", b"text"),
        ],
        &jar,
    )
    .await;
    assert_eq!(without.status, 403, "{}", without.text);
    assert!(without.text.contains("This form could not be accepted"));
    let late = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("project", &project),
            Part::File("file", "a.txt", b"text"),
            Part::Field("csrf_token", &token),
        ],
        &jar,
    )
    .await;
    assert_eq!(late.status, 403, "the token must come first");
    let forged = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("csrf_token", "forged"),
            Part::Field("project", &project),
            Part::File("file", "a.txt", b"text"),
        ],
        &jar,
    )
    .await;
    assert_eq!(forged.status, 403);
    assert_eq!(documents_of(&portal, world.a.client).await, before);
    // A body that is not a multipart form at all.
    let reply = pages_support::post_form(
        &portal,
        "/acme/documents",
        &[("csrf_token", token.as_str())],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
}

#[tokio::test]
async fn a_token_after_the_file_is_refused_before_anything_is_stored_sec_31() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let token = input_value(
        &get(&portal, "/acme/documents", &jar, None).await.text,
        "csrf_token",
    );
    let project = world.a.project.to_string();
    let before = documents_of(&portal, world.a.client).await;
    let reply = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::File("file", "a.txt", b"text"),
            Part::Field("csrf_token", &token),
            Part::Field("project", &project),
        ],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert!(reply.text.contains("This form could not be accepted"));
    let versions = versions_of(&portal, world.a.document).await;
    let reply = post_multipart(
        &portal,
        &format!("/acme/documents/{}/versions", world.a.document),
        &[
            Part::File("file", "a.txt", b"text"),
            Part::Field("csrf_token", &token),
        ],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(documents_of(&portal, world.a.client).await, before);
    assert_eq!(versions_of(&portal, world.a.document).await, versions);
    // The same form with its token first goes through: the order alone was wrong.
    let reply = post_multipart(
        &portal,
        &format!("/acme/documents/{}/versions", world.a.document),
        &[
            Part::Field("csrf_token", &token),
            Part::File("file", "a.txt", b"text"),
        ],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(versions_of(&portal, world.a.document).await, versions + 1);
}

#[tokio::test]
async fn a_malformed_body_gets_a_clear_page_never_a_500() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let token = input_value(
        &get(&portal, "/acme/documents", &jar, None).await.text,
        "csrf_token",
    );
    let project = world.a.project.to_string();
    let before = documents_of(&portal, world.a.client).await;

    // Not a form at all, though it says it is: the branded 400, before any token.
    for garbage in [
        b"just some bytes".to_vec(),
        format!("--{BOUNDARY}\r\nno headers end here").into_bytes(),
        format!("--{BOUNDARY}\r\n\x01\x02: \r\n\r\nx\r\n--{BOUNDARY}--\r\n").into_bytes(),
    ] {
        let reply = post_body(&portal, "/acme/documents", garbage, &jar).await;
        assert_eq!(reply.status, 400, "{}", reply.text);
        assert!(
            reply.text.contains("That request could not be read"),
            "{}",
            reply.text
        );
    }

    // The token read, then a file that breaks off: the form again, saying so.
    let mut cut = multipart(&[
        Part::Field("csrf_token", &token),
        Part::Field("project", &project),
        Part::Field("title", "Cut short"),
        Part::File("file", "notes.txt", b"the first half of the notes"),
    ]);
    cut.truncate(cut.len() - BOUNDARY.len() - 8);
    let reply = post_body(&portal, "/acme/documents", cut, &jar).await;
    assert_refused_at(
        &reply,
        "file",
        "The upload did not get through. Please check your connection and try again.",
    );
    assert!(reply.text.contains("value=\"Cut short\""), "{}", reply.text);

    // The token read, then a part whose headers never end.
    let mut endless = multipart(&[Part::Field("csrf_token", &token)]);
    endless.truncate(endless.len() - BOUNDARY.len() - 6);
    endless.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"title").as_bytes(),
    );
    endless.resize(endless.len() + 200 * 1024, b'x');
    let reply = post_body(&portal, "/acme/documents", endless, &jar).await;
    assert_refused_at(
        &reply,
        "file",
        "The upload did not get through. Please check your connection and try again.",
    );
    assert_eq!(documents_of(&portal, world.a.client).await, before);
}

#[tokio::test]
async fn an_oversize_text_field_is_refused() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let token = input_value(
        &get(&portal, "/acme/documents", &jar, None).await.text,
        "csrf_token",
    );
    let project = world.a.project.to_string();
    let before = documents_of(&portal, world.a.client).await;
    let long = "ü".repeat(2000);
    // The title: the form again, the title's rule next to it, the rest kept.
    let reply = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("csrf_token", &token),
            Part::Field("project", &project),
            Part::Field("title", &long),
            Part::File("file", "a.txt", b"text"),
        ],
        &jar,
    )
    .await;
    assert_refused_at(
        &reply,
        "title",
        "Please use a title of 1 to 200 characters, without control characters.",
    );
    assert!(!reply.text.contains(&long[..100]), "not shown again");
    assert!(
        reply
            .text
            .contains(&format!("<option value=\"{project}\" selected>")),
        "{}",
        reply.text
    );
    // The project.
    let reply = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("csrf_token", &token),
            Part::Field("project", &long),
            Part::File("file", "a.txt", b"text"),
        ],
        &jar,
    )
    .await;
    assert_refused_at(&reply, "project", "Please choose one of your projects.");
    // A field the form does not have.
    let reply = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("csrf_token", &token),
            Part::Field("project", &project),
            Part::Field("notes", &long),
            Part::File("file", "a.txt", b"text"),
        ],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("That was not accepted. Please check it and try again."),
        "{}",
        reply.text
    );
    // A token longer than any token is not one.
    let reply = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("csrf_token", &long),
            Part::Field("project", &project),
            Part::File("file", "a.txt", b"text"),
        ],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(documents_of(&portal, world.a.client).await, before);
}

#[tokio::test]
async fn a_file_far_over_the_limit_is_refused_with_the_limit_named() {
    let (portal, world) = seeded_with(HttpConfig::default().with_max_upload_bytes(1024)).await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let token = input_value(
        &get(&portal, "/acme/documents", &jar, None).await.text,
        "csrf_token",
    );
    let project = world.a.project.to_string();
    let before = documents_of(&portal, world.a.client).await;
    // Past the upload limit and the whole form's allowance besides.
    let huge = vec![b'a'; 3 * 1024 * 1024];
    let reply = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("csrf_token", &token),
            Part::Field("project", &project),
            Part::File("file", "big.txt", &huge),
        ],
        &jar,
    )
    .await;
    assert_refused_at(
        &reply,
        "file",
        "The file is too large: at most 1\u{a0}KB per file.",
    );
    assert_eq!(documents_of(&portal, world.a.client).await, before);
}

#[tokio::test]
async fn a_viewer_downloads_but_may_not_upload() {
    let (portal, world) = seeded().await;
    let admin = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let token = input_value(
        &get(&portal, "/acme/documents", &admin, None).await.text,
        "csrf_token",
    );
    let project = world.a.project.to_string();
    let reply = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("csrf_token", &token),
            Part::Field("project", &project),
            Part::File("file", "notes.md", b"# Notes\n"),
        ],
        &admin,
    )
    .await;
    let document = document_of(&reply);

    let viewer = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let list = get(&portal, "/acme/documents", &viewer, None).await;
    assert_eq!(list.status, 200);
    assert!(list.text.contains("notes.md"), "{}", list.text);
    assert!(
        !list.text.contains("enctype=\"multipart/form-data\""),
        "{}",
        list.text
    );
    let page = get(
        &portal,
        &format!("/acme/documents/{document}"),
        &viewer,
        None,
    )
    .await
    .text;
    assert!(!page.contains("name=\"file\""), "{page}");
    let download = get(
        &portal,
        &format!("/acme/documents/{document}/download"),
        &viewer,
        None,
    )
    .await;
    assert_eq!(download.text, "# Notes\n");
    // Typed in anyway: the API's 403, and nothing stored.
    let token = input_value(&list.text, "csrf_token");
    let before = documents_of(&portal, world.a.client).await;
    for path in [
        "/acme/documents".to_owned(),
        format!("/acme/documents/{document}/versions"),
    ] {
        let reply = post_multipart(
            &portal,
            &path,
            &[
                Part::Field("csrf_token", &token),
                Part::Field("project", &project),
                Part::File("file", "x.txt", b"text"),
            ],
            &viewer,
        )
        .await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.text);
    }
    assert_eq!(documents_of(&portal, world.a.client).await, before);
}

#[tokio::test]
async fn staff_uploads_stay_internal_and_are_marked() {
    let (portal, world) = seeded().await;
    let staff = sign_in(&portal, "acme", "member@acme.test").await;
    // A member with no client assigned may upload nowhere: no form.
    let list = get(&portal, "/acme/documents", &staff, None).await.text;
    assert!(!list.contains("enctype=\"multipart/form-data\""), "{list}");

    let manager = sign_in(&portal, "acme", "manager@acme.test").await;
    let list = get(&portal, "/acme/documents", &manager, None).await.text;
    assert!(
        list.contains("canary-acme-a") && list.contains("canary-acme-b"),
        "{list}"
    );
    assert!(list.contains("Share with the client right away"), "{list}");
    let token = input_value(&list, "csrf_token");
    let project = world.a.project.to_string();
    let reply = post_multipart(
        &portal,
        "/acme/documents",
        &[
            Part::Field("csrf_token", &token),
            Part::Field("project", &project),
            Part::Field("title", "Margin sheet canary-internal-x"),
            Part::File("file", "margin.csv", b"a,b\n1,2\n"),
        ],
        &manager,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let page = get(&portal, location(&reply), &manager, None).await.text;
    assert!(page.contains("badge--internal"), "{page}");
    let contact = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let list = get(&portal, "/acme/documents", &contact, None).await.text;
    assert!(!list.contains("Margin sheet"), "{list}");
    let hidden = get(
        &portal,
        location(&reply).split('?').next().unwrap(),
        &contact,
        None,
    )
    .await;
    assert_eq!(hidden.status, 404);
}

#[tokio::test]
async fn foreign_and_unknown_documents_are_the_same_branded_404_sec_26() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let missing = get(&portal, "/acme/nothing-here", &jar, None).await;
    assert_eq!(missing.status, 404);
    let ids = [
        world.b.document.to_string(),
        world.globex.document.to_string(),
        NOBODY.to_owned(),
        "not-an-id".to_owned(),
    ];
    for id in &ids {
        for path in [
            format!("/acme/documents/{id}"),
            format!("/acme/documents/{id}/download"),
            format!("/acme/documents/{id}/versions/{NOBODY}/download"),
        ] {
            let reply = get(&portal, &path, &jar, None).await;
            assert_eq!(reply.status, 404, "{path}");
            assert_eq!(reply.text, missing.text, "{path}: like any missing page");
        }
    }
    for project in [
        world.b.project.to_string(),
        world.a.internal_project.to_string(),
        NOBODY.to_owned(),
    ] {
        let reply = get(
            &portal,
            &format!("/acme/documents?project={project}"),
            &jar,
            None,
        )
        .await;
        assert_eq!(reply.status, 404, "{project}");
        assert_eq!(reply.text, missing.text);
    }
    // A version of another document under this one's path is not found either.
    let token = input_value(
        &get(&portal, "/acme/documents", &jar, None).await.text,
        "csrf_token",
    );
    let project = world.a.project.to_string();
    let mut created = Vec::new();
    for name in ["one.txt", "two.txt"] {
        let reply = post_multipart(
            &portal,
            "/acme/documents",
            &[
                Part::Field("csrf_token", &token),
                Part::Field("project", &project),
                Part::File("file", name, name.as_bytes()),
            ],
            &jar,
        )
        .await;
        created.push(document_of(&reply));
    }
    let second = get(
        &portal,
        &format!("/acme/documents/{}", created[1]),
        &jar,
        None,
    )
    .await
    .text;
    let marker = format!("/acme/documents/{}/versions/", created[1]);
    let at = second.find(&marker).unwrap() + marker.len();
    let version = &second[at..at + second[at..].find('/').unwrap()];
    let crossed = get(
        &portal,
        &format!("/acme/documents/{}/versions/{version}/download", created[0]),
        &jar,
        None,
    )
    .await;
    assert_eq!(crossed.status, 404);
    // Uploading a version to a foreign document: the 404, nothing stored.
    let reply = post_multipart(
        &portal,
        &format!("/acme/documents/{}/versions", world.b.document),
        &[
            Part::Field("csrf_token", &token),
            Part::File("file", "x.txt", b"x"),
        ],
        &jar,
    )
    .await;
    assert_eq!(reply.status, 404, "{}", reply.text);
    assert_eq!(reply.text, missing.text);
}

#[tokio::test]
async fn a_role_without_view_documents_gets_no_link_and_a_404() {
    let (portal, world) = seeded().await;
    let system = TenantScope::dangerous_system(portal.acme);
    let role = portal
        .stores
        .memberships
        .create_role(
            &system,
            DisplayName::parse("Projects only").unwrap(),
            Side::Client,
            PermissionSet::from_slice(&[Permission::ViewProjects, Permission::ViewMilestones]),
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let email = "projects-only@acme-a.test";
    let user = client_work::person(
        &portal.stores,
        portal.acme,
        email,
        BuiltinRole::Viewer,
        Some(world.a.client),
    )
    .await;
    let membership = portal
        .stores
        .memberships
        .list_memberships(&system, None, Page::first(200).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|membership| membership.user == user)
        .unwrap();
    portal
        .stores
        .memberships
        .change_role(&system, membership.id, role.id(), &AuditContext::default())
        .await
        .unwrap();
    let jar = sign_in(&portal, "acme", email).await;
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert!(!overview.contains("href=\"/acme/documents\""), "{overview}");
    assert_eq!(
        get(&portal, "/acme/documents", &jar, None).await.status,
        404
    );
    let one = get(
        &portal,
        &format!("/acme/documents/{}", world.a.document),
        &jar,
        None,
    )
    .await;
    assert!(matches!(one.status, 403 | 404), "{}", one.status);
    assert!(!one.text.contains("Mock-up PDF"), "{}", one.text);
}

#[tokio::test]
async fn the_documents_speak_german() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let html = get(&portal, "/acme/documents", &jar, Some("de-DE"))
        .await
        .text;
    assert!(html.contains("<html lang=\"de\""), "{html}");
    for german in [
        "Dokument hochladen",
        "Alle Projekte",
        "Bis zu 100\u{a0}MB pro Datei",
        "Hochladen",
    ] {
        assert!(html.contains(german), "{german}: {html}");
    }
    for english in ["Upload a document", "All projects", "Accepted types"] {
        assert!(!html.contains(english), "{english}: {html}");
    }
    let page = get(
        &portal,
        &format!("/acme/documents/{}", world.a.document),
        &jar,
        Some("de"),
    )
    .await
    .text;
    assert!(page.contains("Versionen"), "{page}");
    assert!(page.contains("Aktuell"), "{page}");
    assert!(page.contains("1000 Byte"), "{page}");
}
