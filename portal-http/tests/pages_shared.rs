//! The share-link visitor's pages (`share/{token}`): the address the admin page shows, the
//! shared project with only its shared milestones, deliverables and documents, downloads only
//! through links that allow them and only of listed documents, each download recorded for the
//! client's adoption figures, every dead link the same 404 page, the headers that keep the
//! token out of referrers, caches and search engines, and how uses are counted.

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

use axum::body::Bytes;
use pages_support::{Jar, get, header, input_value, post_form, sign_in};
use portal_core::model::{AuditContext, NewDocument, NewDocumentVersion};
use portal_core::{ClientId, DisplayName, DocumentId, ProjectId, TenantScope, Visibility};
use portal_storage::Page;
use portal_storage::analytics::AnalyticsWindow;
use portal_storage::blob::byte_stream;
use support::Portal;
use support::client_work::{self, World};
use support::staff_api::NOBODY;
use time::{Duration, OffsetDateTime};

const BRIEF: &[u8] = b"Brief for the visitor.\n";

async fn seeded() -> (Portal, World) {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

/// acme's manager, as a scope.
async fn manager(portal: &Portal) -> TenantScope {
    let id = support::user_id(portal, "manager@acme.test").await;
    client_work::scope_of(&portal.stores, portal.acme, id).await
}

/// A link to `project` made through the share-link service; its token.
async fn link(
    portal: &Portal,
    scope: &TenantScope,
    project: ProjectId,
    allow_download: bool,
    max_uses: Option<i32>,
) -> String {
    let (token, _) = portal
        .state
        .share_links()
        .create(
            scope,
            project,
            allow_download,
            Duration::days(7),
            max_uses,
            &AuditContext::default(),
        )
        .await
        .unwrap();
    token.expose_secret().to_owned()
}

/// A document with a real file: `title` in `project` of `client`, with `visibility`.
async fn document(
    portal: &Portal,
    tenant: portal_core::TenantId,
    client: ClientId,
    project: ProjectId,
    title: &str,
    visibility: Visibility,
) -> DocumentId {
    let scope = TenantScope::dangerous_system(tenant);
    let body = byte_stream(futures_util::stream::iter([Ok(Bytes::from_static(BRIEF))]));
    let stored = portal
        .state
        .blobs()
        .put(tenant, body, u64::MAX)
        .await
        .unwrap();
    portal
        .stores
        .documents
        .create_document_with_version(
            &scope,
            NewDocument {
                client,
                project: Some(project),
                title: DisplayName::parse(title).unwrap(),
                visibility,
            },
            NewDocumentVersion {
                blob_key: stored.key.to_string(),
                sha256: stored.sha256,
                size: i64::try_from(stored.size).unwrap(),
                content_type: "text/plain; charset=utf-8".into(),
                file_name: "brief.txt".into(),
                via_share_link: None,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap()
        .0
        .id
}

fn page_of(token: &str) -> String {
    format!("/acme/share/{token}")
}

fn download_of(token: &str, document: impl std::fmt::Display) -> String {
    format!("/acme/share/{token}/documents/{document}/download")
}

/// The link's use count, as the store has it.
async fn uses(portal: &Portal) -> Vec<i32> {
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
        .into_iter()
        .map(|link| link.uses)
        .collect()
}

/// The page a dead link gets.
async fn dead(portal: &Portal, path: &str) -> String {
    let reply = get(portal, path, &Jar::default(), None).await;
    assert_eq!(reply.status, 404, "{path}: {}", reply.text);
    assert!(
        reply.text.contains("This link does not work"),
        "{path}: {}",
        reply.text
    );
    assert_eq!(header(&reply, "x-robots-tag"), "noindex, nofollow");
    reply.text
}

#[tokio::test]
async fn the_admin_page_gives_the_address_a_visitor_opens() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", "manager@acme.test").await;
    let page = get(&portal, "/acme/admin/share-links", &jar, None).await;
    let made = post_form(
        &portal,
        "/acme/admin/share-links",
        &[
            ("csrf_token", &input_value(&page.text, "csrf_token")),
            ("project", &world.a.project.to_string()),
            ("expires_in_days", "3"),
            ("allow_download", "yes"),
        ],
        &jar,
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let html = &made.text;
    let url_at = html.find("id=\"created-url\"").unwrap();
    let value_at = url_at + html[url_at..].find("value=\"").unwrap() + 7;
    let url = &html[value_at..value_at + html[value_at..].find('"').unwrap()];
    let token_at = html.find("id=\"created-token\"").unwrap();
    let token_value = token_at + html[token_at..].find("value=\"").unwrap() + 7;
    let token = &html[token_value..token_value + html[token_value..].find('"').unwrap()];
    assert_eq!(
        url,
        format!("https://portal.example.com/acme/share/{token}")
    );

    // Opened by a browser without any cookie.
    let visit = get(&portal, &page_of(token), &Jar::default(), None).await;
    assert_eq!(visit.status, 200, "{}", visit.text);
    assert!(
        visit.text.contains("Website canary-acme-a"),
        "{}",
        visit.text
    );
}

#[tokio::test]
async fn a_link_shows_its_project_s_shared_work_and_documents_only() {
    let (portal, world) = seeded().await;
    let staff = manager(&portal).await;
    let a = &world.a;
    let shared = document(
        &portal,
        portal.acme,
        a.client,
        a.project,
        "Shared brief",
        Visibility::Shared,
    )
    .await;
    let internal = document(
        &portal,
        portal.acme,
        a.client,
        a.project,
        "Notes canary-internal-acme-a",
        Visibility::Internal,
    )
    .await;
    let other_project = document(
        &portal,
        portal.acme,
        world.b.client,
        world.b.project,
        "Brief canary-acme-b",
        Visibility::Shared,
    )
    .await;
    let in_internal_project = document(
        &portal,
        portal.acme,
        a.client,
        a.internal_project,
        "Pitch deck canary-internal-acme-a",
        Visibility::Shared,
    )
    .await;
    let token = link(&portal, &staff, a.project, true, None).await;

    let reply = get(&portal, &page_of(&token), &Jar::default(), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let html = &reply.text;
    for shown in [
        "Website canary-acme-a",
        "Acme Agency shared this project with you.",
        "<span class=\"badge\">In progress</span>",
        "Discovery canary-acme-a",
        "Design canary-acme-a",
        "Homepage mock-up canary-acme-a",
        "1 of 2 milestones completed",
        "Mock-up PDF canary-acme-a",
        "mock-up.pdf",
        "Shared brief",
        "brief.txt",
        "23 bytes",
        &download_of(&token, shared),
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
    for hidden in ["canary-internal", "canary-acme-b", "canary-globex"] {
        assert!(!html.contains(hidden), "{hidden}: {html}");
    }
    // The sign-in page's frame: no navigation, no account menu, no form.
    for absent in ["portal-nav", "account__name", "/logout", "<form"] {
        assert!(!html.contains(absent), "{absent}: {html}");
    }
    assert_eq!(header(&reply, "referrer-policy"), "no-referrer");
    assert_eq!(header(&reply, "cache-control"), "no-store");
    assert_eq!(header(&reply, "x-robots-tag"), "noindex, nofollow");
    assert!(header(&reply, "content-security-policy").contains("default-src 'none'"));
    assert!(
        header(&reply, "set-cookie").is_empty(),
        "a visit sets no cookie"
    );

    // The shared document downloads, as a signed-in download would.
    let download = get(&portal, &download_of(&token, shared), &Jar::default(), None).await;
    assert_eq!(download.status, 200, "{}", download.text);
    assert_eq!(download.text.as_bytes(), BRIEF);
    assert!(
        header(&download, "content-disposition").starts_with("attachment; filename=\"brief.txt\"")
    );
    assert_eq!(header(&download, "x-content-type-options"), "nosniff");
    assert_eq!(header(&download, "cache-control"), "no-store");
    assert_eq!(header(&download, "referrer-policy"), "no-referrer");
    assert_eq!(header(&download, "x-robots-tag"), "noindex, nofollow");
    assert!(header(&download, "content-security-policy").starts_with("sandbox"));

    // Nothing the page does not list: the branded 404, not the dead-link page.
    let not_found = pages_support::missing(&portal).await;
    for document in [
        internal.to_string(),
        other_project.to_string(),
        in_internal_project.to_string(),
        world.globex.document.to_string(),
        NOBODY.to_owned(),
        "not-an-id".to_owned(),
    ] {
        let reply = get(
            &portal,
            &download_of(&token, &document),
            &Jar::default(),
            None,
        )
        .await;
        assert_eq!(reply.status, 404, "{document}: {}", reply.text);
        assert_eq!(reply.text, not_found, "{document}");
        assert!(!reply.text.contains("Notes canary"), "{document}");
    }

    // The download counts for the client, through the link.
    let report = portal
        .stores
        .analytics
        .adoption_report(
            &TenantScope::dangerous_system(portal.acme),
            a.client,
            AnalyticsWindow::last_days(OffsetDateTime::now_utc(), 30).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(report.downloads.downloads, 1);
    assert_eq!(report.downloads.documents, 1);
    assert_eq!(report.downloads.people, 1, "one link is one person");

    // Every request through the link was one use, audited with the link as the actor.
    let used = portal.audit_events(portal.acme, "share_link.used").await;
    assert_eq!(used.len(), 8);
    assert_eq!(uses(&portal).await, vec![8]);
}

#[tokio::test]
async fn a_link_without_downloads_lists_but_does_not_serve_files() {
    let (portal, world) = seeded().await;
    let staff = manager(&portal).await;
    let shared = document(
        &portal,
        portal.acme,
        world.a.client,
        world.a.project,
        "Shared brief",
        Visibility::Shared,
    )
    .await;
    let token = link(&portal, &staff, world.a.project, false, None).await;
    let reply = get(&portal, &page_of(&token), &Jar::default(), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.text.contains("Shared brief"), "{}", reply.text);
    assert!(
        reply
            .text
            .contains("This link shows the documents but does not let you download them.")
    );
    assert!(!reply.text.contains("/download"), "{}", reply.text);

    let refused = get(&portal, &download_of(&token, shared), &Jar::default(), None).await;
    assert_eq!(refused.status, 404);
    assert_eq!(refused.text, pages_support::missing(&portal).await);
    let report = portal
        .stores
        .analytics
        .adoption_report(
            &TenantScope::dangerous_system(portal.acme),
            world.a.client,
            AnalyticsWindow::last_days(OffsetDateTime::now_utc(), 30).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(report.downloads.downloads, 0);
}

#[tokio::test]
async fn every_dead_link_gets_the_same_page() {
    let (portal, world) = seeded().await;
    let staff = manager(&portal).await;

    let revoked = link(&portal, &staff, world.a.project, true, None).await;
    let id = portal
        .stores
        .share_links
        .list_share_links(&staff, Page::first(10).unwrap())
        .await
        .unwrap()
        .items[0]
        .id;
    portal
        .state
        .share_links()
        .revoke(&staff, id, &AuditContext::default())
        .await
        .unwrap();

    let used_up = link(&portal, &staff, world.a.project, true, Some(1)).await;
    let once = get(&portal, &page_of(&used_up), &Jar::default(), None).await;
    assert_eq!(once.status, 200, "{}", once.text);

    // A link to a project that is not shared (any more) works nowhere either.
    let internal = link(&portal, &staff, world.a.internal_project, true, None).await;

    let globex_manager = client_work::scope_of(
        &portal.stores,
        portal.globex,
        portal
            .stores
            .identities
            .credentials_by_email(
                portal.globex,
                &portal_core::Email::parse("manager@globex.test").unwrap(),
            )
            .await
            .unwrap()
            .unwrap()
            .user
            .id,
    )
    .await;
    let foreign = link(&portal, &globex_manager, world.globex.project, true, None).await;
    let foreign_works_at_home = get(
        &portal,
        &format!("/globex/share/{foreign}"),
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(foreign_works_at_home.status, 200);

    let expiring = link(&portal, &staff, world.a.project, true, None).await;
    portal.clock.advance(Duration::days(8));

    let unknown = "A".repeat(43);
    let mut pages = Vec::new();
    for token in [
        revoked.as_str(),
        used_up.as_str(),
        internal.as_str(),
        foreign.as_str(),
        expiring.as_str(),
        unknown.as_str(),
        "malformed",
        "%2e%2e",
    ] {
        pages.push(dead(&portal, &page_of(token)).await);
        pages.push(dead(&portal, &download_of(token, world.a.document)).await);
    }
    assert!(pages.windows(2).all(|pair| pair[0] == pair[1]));
    assert!(!pages[0].contains("canary"), "{}", pages[0]);

    let german = get(&portal, &page_of(&unknown), &Jar::default(), Some("de")).await;
    assert_eq!(german.status, 404);
    assert!(german.text.contains("Dieser Link funktioniert nicht"));
}

#[tokio::test]
async fn a_page_view_and_each_download_are_one_use_each() {
    let (portal, world) = seeded().await;
    let staff = manager(&portal).await;
    let shared = document(
        &portal,
        portal.acme,
        world.a.client,
        world.a.project,
        "Shared brief",
        Visibility::Shared,
    )
    .await;
    let token = link(&portal, &staff, world.a.project, true, Some(3)).await;
    assert_eq!(
        get(&portal, &page_of(&token), &Jar::default(), None)
            .await
            .status,
        200
    );
    assert_eq!(uses(&portal).await, vec![1]);
    let download = get(&portal, &download_of(&token, shared), &Jar::default(), None).await;
    assert_eq!(download.status, 200);
    assert_eq!(uses(&portal).await, vec![2]);
    assert_eq!(
        get(&portal, &page_of(&token), &Jar::default(), None)
            .await
            .status,
        200
    );
    assert_eq!(uses(&portal).await, vec![3]);
    // Used up: the page and the file alike.
    dead(&portal, &page_of(&token)).await;
    dead(&portal, &download_of(&token, shared)).await;
    assert_eq!(
        uses(&portal).await,
        vec![3],
        "a refused request spends nothing"
    );
}

#[tokio::test]
async fn a_use_is_audited_with_the_visitor_s_address_and_the_paths_are_rate_limited() {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    use std::num::NonZeroU32;

    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::{Request, header as names};
    use portal_core::model::Actor;
    use portal_http::{HttpConfig, RateLimit};

    let portal = Portal::with_config(HttpConfig::default().with_rate_limit(Some(RateLimit {
        per_second: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(2).unwrap(),
    })))
    .await;
    let world = client_work::seed(&portal).await;
    let staff = manager(&portal).await;
    let token = link(&portal, &staff, world.a.project, true, None).await;
    let visitor = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
    let request = || {
        let mut request = Request::get(page_of(&token))
            .header(names::HOST, "portal.example.com")
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(visitor, 40_000)));
        request
    };
    assert_eq!(portal.send(request()).await.status, 200);
    let used = portal.audit_events(portal.acme, "share_link.used").await;
    assert_eq!(used.len(), 1);
    assert_eq!(used[0].ip, Some(visitor));
    assert!(matches!(used[0].actor, Actor::ShareLink(_)));
    assert!(
        !used[0].details.to_string().contains(&token),
        "no token in the log"
    );

    // The per-address limit covers the link's paths: the burst, then 429.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(portal.send(request()).await.status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}
