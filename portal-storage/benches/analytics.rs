//! Adoption analytics on SQLite: one client's report, and the overview of every client, in a
//! tenant of 50 clients, each with 10 contacts, 5,000 approvals (one in ten pending), 500 open
//! requests and 5,000 downloads spread over the past year.
//!
//! ```text
//! cargo bench -p portal-storage --bench analytics
//! ```

#![allow(
    clippy::panic,
    reason = "a bench that cannot seed or query must stop loudly"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portal_core::model::{
    AuditContext, Branding, ClientInput, NewDocument, NewDocumentVersion, NewTenant, NewUser,
    ProjectInput, ProjectStatus,
};
use portal_core::state::Sha256Digest;
use portal_core::{
    BuiltinRole, ClientId, DisplayName, Email, HexColour, MembershipKind, Side, Slug, TenantScope,
    Visibility,
};
use portal_storage::Stores;
use portal_storage::analytics::AnalyticsWindow;
use portal_storage::sql::{SqliteStore, SqliteStoreConfig};
use time::OffsetDateTime;

const CLIENTS: usize = 50;
const CONTACTS_PER_CLIENT: usize = 10;
const APPROVALS_PER_CLIENT: i64 = 5_000;
const REQUESTS_PER_CLIENT: i64 = 500;
const DOWNLOADS_PER_CLIENT: i64 = 5_000;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// A time `i` steps into the past year, as SQLite text: spread over days and hours.
macro_rules! past {
    ($extra:literal) => {
        concat!(
            "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (i % 365) || ' days', '-' || (i % 24) || ' hours'",
            $extra,
            ")"
        )
    };
}

/// Approvals of one client's document version: nine in ten decided 0 to 71 hours after the
/// request, the rest pending.
const APPROVALS: &str = concat!(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
     INSERT INTO portal_approval (approval_id, tenant_id, client_id, project_id, \
     document_version_id, sha256, status, message, requested_at, decided_at, visibility) \
     SELECT randomblob(16), v.tenant_id, v.client_id, d.project_id, v.document_version_id, \
     v.sha256, CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'approved' END, '', ",
    past!(""),
    ", CASE WHEN i % 10 = 0 THEN NULL ELSE ",
    past!(", '+' || (i % 72) || ' hours'"),
    " END, 'shared' FROM n, portal_document_version v \
     JOIN portal_document d ON d.tenant_id = v.tenant_id AND d.document_id = v.document_id \
     WHERE v.document_version_id = $2"
);

const REQUESTS: &str = concat!(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
     INSERT INTO portal_request (request_id, tenant_id, client_id, title, body, status, \
     visibility, created_at, updated_at) \
     SELECT randomblob(16), tenant_id, client_id, 'Request', '', \
     CASE WHEN i % 2 = 0 THEN 'open' ELSE 'in_progress' END, 'shared', ",
    past!(""),
    ", ",
    past!(""),
    " FROM n, portal_client WHERE client_id = $2"
);

/// Downloads by ten different people.
const DOWNLOADS: &str = concat!(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
     INSERT INTO portal_download (download_id, tenant_id, client_id, document_id, \
     document_version_id, user_id, by_staff, downloaded_at) \
     SELECT randomblob(16), tenant_id, client_id, document_id, document_version_id, \
     CAST(zeroblob(15) || char(65 + i % 10) AS BLOB), 0, ",
    past!(""),
    " FROM n, portal_document_version WHERE document_version_id = $2"
);

fn name(text: &str) -> BenchResult<DisplayName> {
    Ok(DisplayName::parse(text)?)
}

/// One client with its contacts (some logged in), a project, a document version, and its bulk
/// history.
async fn client(
    store: &SqliteStore,
    stores: &Stores,
    system: &TenantScope,
    index: usize,
) -> BenchResult<ClientId> {
    let ctx = AuditContext::default();
    let tenant = system.tenant_id();
    let client = stores
        .clients
        .create_client(
            system,
            ClientInput {
                name: name(&format!("Client {index:02}"))?,
                external_id: None,
                branding: None,
            },
            &ctx,
        )
        .await?
        .id;
    let viewer = stores
        .memberships
        .roles(system)
        .await?
        .into_iter()
        .find(|role| role.builtin_role() == Some(BuiltinRole::Viewer))
        .ok_or("no viewer role")?;
    for contact in 0..CONTACTS_PER_CLIENT {
        let user = stores
            .identities
            .create_user(
                system,
                NewUser {
                    email: Email::parse(&format!("c{contact}@client{index}.example"))?,
                    name: name(&format!("Contact {contact}"))?,
                    side: Side::Client,
                },
                &ctx,
            )
            .await?;
        stores
            .memberships
            .add_membership(
                system,
                user.id,
                viewer.id(),
                MembershipKind::Contact { client },
                &ctx,
            )
            .await?;
        if contact % 2 == 0 {
            stores
                .identities
                .record_login(tenant, user.id, OffsetDateTime::now_utc())
                .await?;
        }
    }
    let project = stores
        .projects
        .create_project(
            system,
            ProjectInput {
                client,
                name: name("Website")?,
                description: String::new(),
                status: ProjectStatus::Active,
                schedule: None,
                budget: None,
                external_id: None,
            },
            &ctx,
        )
        .await?;
    let (_, version) = stores
        .documents
        .create_document_with_version(
            system,
            NewDocument {
                client,
                project: Some(project.id),
                title: name("Proposal")?,
                visibility: Visibility::Shared,
            },
            NewDocumentVersion {
                blob_key: format!("{tenant}/{}", uuid::Uuid::now_v7().simple()),
                sha256: Sha256Digest::from_bytes([7; 32]),
                size: 1_000,
                content_type: "application/pdf".into(),
                file_name: "proposal.pdf".into(),
                via_share_link: None,
            },
            &ctx,
        )
        .await?;
    let version = *version.id.as_uuid();
    for (sql, rows) in [
        (APPROVALS, APPROVALS_PER_CLIENT),
        (DOWNLOADS, DOWNLOADS_PER_CLIENT),
    ] {
        sqlx::query(sql)
            .bind(rows)
            .bind(version)
            .execute(store.pool())
            .await?;
    }
    sqlx::query(REQUESTS)
        .bind(REQUESTS_PER_CLIENT)
        .bind(*client.as_uuid())
        .execute(store.pool())
        .await?;
    Ok(client)
}

/// The seeded database, the owner's scope and one client.
async fn world(dir: &std::path::Path) -> BenchResult<(Stores, TenantScope, ClientId)> {
    let store = SqliteStore::open(dir.join("analytics.db"), SqliteStoreConfig::default()).await?;
    store.migrate().await?;
    let stores = Stores::from_backend(store.clone());
    let tenant = stores
        .tenants
        .create_tenant(NewTenant {
            slug: Slug::parse("measured")?,
            branding: Branding {
                display_name: name("Measured agency")?,
                logo_url: None,
                favicon_url: None,
                primary_colour: HexColour::parse("#224466")?,
                accent_colour: HexColour::parse("#ffaa00")?,
                font: None,
                custom_css: None,
                email_sender_name: None,
                email_sender_address: None,
                default_locale: None,
            },
        })
        .await?;
    let system = TenantScope::dangerous_system(tenant.id);
    let mut clients = Vec::with_capacity(CLIENTS);
    for index in 0..CLIENTS {
        clients.push(client(&store, &stores, &system, index).await?);
    }
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    let first = *clients.first().ok_or("no client")?;
    Ok((stores, system, first))
}

fn analytics(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("runtime: {error}"));
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("temporary directory: {error}"));
    let (stores, scope, client) = runtime
        .block_on(world(dir.path()))
        .unwrap_or_else(|error| panic!("seeding: {error}"));
    let window = |days| {
        AnalyticsWindow::last_days(OffsetDateTime::now_utc(), days)
            .unwrap_or_else(|error| panic!("window: {error}"))
    };
    let mut group = c.benchmark_group("analytics_sqlite");
    group.sample_size(20);
    for days in [30, 365] {
        group.bench_function(format!("one_client_{days}_days"), |b| {
            b.iter(|| {
                runtime
                    .block_on(
                        stores
                            .analytics
                            .adoption_report(&scope, client, window(days)),
                    )
                    .unwrap_or_else(|error| panic!("report: {error}"))
            });
        });
    }
    group.bench_function("all_50_clients_30_days", |b| {
        b.iter(|| {
            let reports = runtime
                .block_on(stores.analytics.adoption_reports(&scope, window(30)))
                .unwrap_or_else(|error| panic!("overview: {error}"));
            black_box(reports.len())
        });
    });
    group.finish();
}

criterion_group!(benches, analytics);
criterion_main!(benches);
