//! The dashboard query set of one contact — projects with milestone progress, pending approvals,
//! the latest 10 updates and the latest 10 shared documents — timed through the store API in a
//! database of 10 tenants and of 10,000 tenants with 100,000 projects and 1,000,000 documents.
//!
//! ```text
//! cargo bench -p portal-storage --bench dashboard                 # SQLite, both sizes
//! PORTAL_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1/empty_db \
//!     cargo bench -p portal-storage --features postgres --bench dashboard
//! ```
//! The PostgreSQL database must be empty; the bench migrates and seeds it.

use std::time::{Duration, Instant};

use portal_core::model::{
    ApprovalRequest, AuditContext, ClientInput, DeliverableInput, MilestoneInput, NewDocument,
    NewDocumentVersion, NewTenant, NewUpdate, NewUser, ProjectInput, ProjectStatus,
};
use portal_core::state::{ApprovalStatus, DeliverableStatus, MilestoneStatus, Sha256Digest};
use portal_core::{
    BuiltinRole, DisplayName, HexColour, MembershipKind, Side, Slug, TenantScope, Visibility,
};
use portal_storage::{ApprovalFilter, DocumentFilter, Page, ProjectFilter, Stores};

const FILLER_PROJECTS_PER_CLIENT: i64 = 10;
const FILLER_MILESTONES_PER_PROJECT: i64 = 3;
const FILLER_DOCUMENTS_PER_PROJECT: i64 = 10;
const WARMUP: usize = 200;
const ROUNDS: usize = 2_000;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn name(text: &str) -> BenchResult<DisplayName> {
    Ok(DisplayName::parse(text)?)
}

/// The measured contact's own tenant, built through the stores like real data.
async fn measured_contact(stores: &Stores) -> BenchResult<TenantScope> {
    let ctx = AuditContext::default();
    let branding = portal_core::model::Branding {
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
    };
    let tenant = stores
        .tenants
        .create_tenant(NewTenant {
            slug: Slug::parse("measured")?,
            branding,
        })
        .await?;
    let system = TenantScope::dangerous_system(tenant.id);
    let client = stores
        .clients
        .create_client(
            &system,
            ClientInput {
                name: name("Measured client")?,
                external_id: None,
                branding: None,
            },
            &ctx,
        )
        .await?;
    let roles = stores.memberships.roles(&system).await?;
    let role_of = |builtin| {
        roles
            .iter()
            .find(|r| r.builtin_role() == Some(builtin))
            .map(|r| r.id())
            .ok_or("missing role")
    };
    let contact = stores
        .identities
        .create_user(
            &system,
            NewUser {
                email: portal_core::Email::parse("contact@measured.example")?,
                name: name("Contact")?,
                side: Side::Client,
            },
            &ctx,
        )
        .await?;
    stores
        .memberships
        .add_membership(
            &system,
            contact.id,
            role_of(BuiltinRole::ClientAdmin)?,
            MembershipKind::Contact { client: client.id },
            &ctx,
        )
        .await?;
    for p in 0..10 {
        let project = stores
            .projects
            .create_project(
                &system,
                ProjectInput {
                    client: client.id,
                    name: name(&format!("Project {p}"))?,
                    description: String::new(),
                    status: ProjectStatus::Active,
                    schedule: None,
                    budget: None,
                    external_id: None,
                },
                &ctx,
            )
            .await?;
        stores
            .projects
            .set_project_visibility(&system, project.id, Visibility::Shared, &ctx)
            .await?;
        let mut last_milestone = None;
        for m in 0..3 {
            let milestone = stores
                .milestones
                .create_milestone(
                    &system,
                    MilestoneInput {
                        project: project.id,
                        title: name(&format!("Milestone {m}"))?,
                        due_on: None,
                        position: m,
                        external_id: None,
                    },
                    &ctx,
                )
                .await?;
            stores
                .milestones
                .set_milestone_visibility(&system, milestone.id, Visibility::Shared, &ctx)
                .await?;
            if m == 0 {
                stores
                    .milestones
                    .move_milestone(&system, milestone.id, MilestoneStatus::InProgress, &ctx)
                    .await?;
                stores
                    .milestones
                    .move_milestone(&system, milestone.id, MilestoneStatus::Completed, &ctx)
                    .await?;
            }
            last_milestone = Some(milestone.id);
        }
        let mut last_version = None;
        for d in 0..10 {
            let document = stores
                .documents
                .create_document(
                    &system,
                    NewDocument {
                        client: client.id,
                        project: Some(project.id),
                        title: name(&format!("Document {d}"))?,
                        visibility: Visibility::Shared,
                    },
                    &ctx,
                )
                .await?;
            let version = stores
                .documents
                .add_version(
                    &system,
                    document.id,
                    NewDocumentVersion {
                        blob_key: format!("{}/{}", tenant.id, uuid::Uuid::new_v4().simple()),
                        sha256: Sha256Digest::from_bytes([d as u8; 32]),
                        size: 1000,
                        content_type: "application/pdf".into(),
                        file_name: "file.pdf".into(),
                        via_share_link: None,
                    },
                    &ctx,
                )
                .await?;
            last_version = Some(version);
        }
        for u in 0..2 {
            let update = stores
                .updates
                .create_update(
                    &system,
                    NewUpdate {
                        project: project.id,
                        title: name(&format!("Update {u}"))?,
                        body: "Progress".into(),
                    },
                    &ctx,
                )
                .await?;
            stores
                .updates
                .set_update_visibility(&system, update.id, Visibility::Shared, &ctx)
                .await?;
        }
        if p < 3 {
            let milestone = last_milestone.ok_or("no milestone")?;
            let deliverable = stores
                .deliverables
                .create_deliverable(
                    &system,
                    DeliverableInput {
                        milestone,
                        title: name("Deliverable")?,
                        due_on: None,
                        external_id: None,
                    },
                    &ctx,
                )
                .await?;
            stores
                .deliverables
                .move_deliverable(&system, deliverable.id, DeliverableStatus::InProgress, &ctx)
                .await?;
            let version = last_version.ok_or("no version")?;
            stores
                .approvals
                .request_approval(
                    &system,
                    ApprovalRequest {
                        deliverable: Some(deliverable.id),
                        document_version: version.id,
                        message: "Please approve".into(),
                        due_at: None,
                    },
                    &ctx,
                )
                .await?;
        }
    }
    let memberships = stores
        .memberships
        .memberships_of(tenant.id, contact.id)
        .await?;
    Ok(TenantScope::from_memberships(&memberships)?)
}

/// One dashboard: the four queries a contact's landing page makes.
async fn dashboard(stores: &Stores, contact: &TenantScope) -> BenchResult<usize> {
    let progress = stores
        .projects
        .list_project_progress(contact, ProjectFilter::default(), Page::first(50)?)
        .await?;
    let approvals = stores
        .approvals
        .list_approvals(
            contact,
            ApprovalFilter {
                status: Some(ApprovalStatus::Pending),
                project: None,
            },
            Page::first(20)?,
        )
        .await?;
    let updates = stores
        .updates
        .list_updates(contact, None, Page::first(10)?)
        .await?;
    let documents = stores
        .documents
        .list_documents(contact, DocumentFilter::default(), Page::first(10)?)
        .await?;
    Ok(progress.items.len() + approvals.items.len() + updates.items.len() + documents.items.len())
}

async fn measure(label: &str, stores: &Stores, contact: &TenantScope) -> BenchResult<Duration> {
    let expected = dashboard(stores, contact).await?;
    assert_eq!(
        expected,
        10 + 3 + 10 + 10,
        "the dashboard returns the measured tenant's data"
    );
    for _ in 0..WARMUP {
        dashboard(stores, contact).await?;
    }
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        dashboard(stores, contact).await?;
        times.push(start.elapsed());
    }
    times.sort();
    let p50 = times[ROUNDS / 2];
    let p99 = times[ROUNDS * 99 / 100];
    let mean = times.iter().sum::<Duration>() / ROUNDS as u32;
    println!(
        "{label:<44} p50 {p50:>10.3?}  p99 {p99:>10.3?}  mean {mean:>10.3?}  ({ROUNDS} dashboards)"
    );
    Ok(p50)
}

/// Server-side bulk filler: tenants with one client each, projects, milestones and documents.
/// The statements differ only in how each database makes rows and random ids.
struct FillerSql {
    tenants: &'static str,
    clients: &'static str,
    projects: &'static str,
    milestones: &'static str,
    documents: &'static str,
}

const SQLITE_FILLER: FillerSql = FillerSql {
    tenants: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
              INSERT INTO portal_tenant (tenant_id, slug, branding, created_at) \
              SELECT randomblob(16), 'filler-' || i, '{}', $2 FROM n",
    clients: "INSERT INTO portal_client (client_id, tenant_id, name, created_at) \
              SELECT randomblob(16), tenant_id, 'Filler client', $1 FROM portal_tenant WHERE slug LIKE 'filler-%'",
    projects: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
               INSERT INTO portal_project (project_id, tenant_id, client_id, name, description, status, visibility, created_at, updated_at) \
               SELECT randomblob(16), c.tenant_id, c.client_id, 'Filler project', '', 'active', 'shared', $2, $2 \
               FROM portal_client c, n WHERE c.name = 'Filler client'",
    milestones: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                 INSERT INTO portal_milestone (milestone_id, tenant_id, client_id, project_id, title, status, position, visibility, created_at) \
                 SELECT randomblob(16), p.tenant_id, p.client_id, p.project_id, 'Filler milestone', 'planned', n.i, 'shared', $2 \
                 FROM portal_project p, n WHERE p.name = 'Filler project'",
    documents: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                INSERT INTO portal_document (document_id, tenant_id, client_id, project_id, title, visibility, created_at) \
                SELECT randomblob(16), p.tenant_id, p.client_id, p.project_id, 'Filler document', 'shared', $2 \
                FROM portal_project p, n WHERE p.name = 'Filler project'",
};

#[cfg(feature = "postgres")]
const POSTGRES_FILLER: FillerSql = FillerSql {
    tenants: "INSERT INTO portal_tenant (tenant_id, slug, branding, created_at) \
              SELECT gen_random_uuid(), 'filler-' || i, '{}', $2 FROM generate_series(1, $1) AS i",
    clients: "INSERT INTO portal_client (client_id, tenant_id, name, created_at) \
              SELECT gen_random_uuid(), tenant_id, 'Filler client', $1 FROM portal_tenant WHERE slug LIKE 'filler-%'",
    projects: "INSERT INTO portal_project (project_id, tenant_id, client_id, name, description, status, visibility, created_at, updated_at) \
               SELECT gen_random_uuid(), c.tenant_id, c.client_id, 'Filler project', '', 'active', 'shared', $2, $2 \
               FROM portal_client c, generate_series(1, $1) AS i WHERE c.name = 'Filler client'",
    milestones: "INSERT INTO portal_milestone (milestone_id, tenant_id, client_id, project_id, title, status, position, visibility, created_at) \
                 SELECT gen_random_uuid(), p.tenant_id, p.client_id, p.project_id, 'Filler milestone', 'planned', i, 'shared', $2 \
                 FROM portal_project p, generate_series(1, $1) AS i WHERE p.name = 'Filler project'",
    documents: "INSERT INTO portal_document (document_id, tenant_id, client_id, project_id, title, visibility, created_at) \
                SELECT gen_random_uuid(), p.tenant_id, p.client_id, p.project_id, 'Filler document', 'shared', $2 \
                FROM portal_project p, generate_series(1, $1) AS i WHERE p.name = 'Filler project'",
};

macro_rules! fill {
    ($pool:expr, $sql:expr, $tenants:expr) => {{
        let now = time::OffsetDateTime::now_utc();
        let started = Instant::now();
        sqlx::query($sql.tenants)
            .bind($tenants)
            .bind(now)
            .execute($pool)
            .await?;
        sqlx::query($sql.clients).bind(now).execute($pool).await?;
        sqlx::query($sql.projects)
            .bind(FILLER_PROJECTS_PER_CLIENT)
            .bind(now)
            .execute($pool)
            .await?;
        sqlx::query($sql.milestones)
            .bind(FILLER_MILESTONES_PER_PROJECT)
            .bind(now)
            .execute($pool)
            .await?;
        sqlx::query($sql.documents)
            .bind(FILLER_DOCUMENTS_PER_PROJECT)
            .bind(now)
            .execute($pool)
            .await?;
        let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM portal_tenant")
            .fetch_one($pool)
            .await?;
        let projects: i64 = sqlx::query_scalar("SELECT count(*) FROM portal_project")
            .fetch_one($pool)
            .await?;
        let documents: i64 = sqlx::query_scalar("SELECT count(*) FROM portal_document")
            .fetch_one($pool)
            .await?;
        println!(
            "seeded {tenants} tenants, {projects} projects, {documents} documents in {:.1?}",
            started.elapsed()
        );
    }};
}

async fn sqlite_run(tenants: i64) -> BenchResult<Duration> {
    use portal_storage::sql::{SqliteStore, SqliteStoreConfig};
    let dir = tempfile::tempdir()?;
    let store =
        SqliteStore::open(dir.path().join("bench.db"), SqliteStoreConfig::default()).await?;
    store.migrate().await?;
    fill!(store.pool(), SQLITE_FILLER, tenants - 1);
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    let stores = Stores::from_backend(store);
    let contact = measured_contact(&stores).await?;
    measure(&format!("sqlite, {tenants} tenants"), &stores, &contact).await
}

#[cfg(feature = "postgres")]
async fn postgres_run(url: &str, tenants: i64) -> BenchResult<Duration> {
    use portal_storage::sql::PostgresStore;
    let store = PostgresStore::connect(url, 4).await?;
    store.migrate().await?;
    fill!(store.pool(), POSTGRES_FILLER, tenants - 1);
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    let stores = Stores::from_backend(store);
    let contact = measured_contact(&stores).await?;
    measure(&format!("postgres, {tenants} tenants"), &stores, &contact).await
}

fn main() -> BenchResult<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let small = sqlite_run(10).await?;
        let large = sqlite_run(10_000).await?;
        println!(
            "sqlite: 10,000 tenants take {:.2}x the time of 10 tenants (target: p50 <= 2 ms and <= 1.5x)",
            large.as_secs_f64() / small.as_secs_f64()
        );
        #[cfg(feature = "postgres")]
        if let Ok(url) = std::env::var("PORTAL_BENCH_POSTGRES_URL") {
            postgres_run(&url, 10_000).await?;
        } else {
            println!("postgres: skipped (set PORTAL_BENCH_POSTGRES_URL to an empty database)");
        }
        Ok(())
    })
}
