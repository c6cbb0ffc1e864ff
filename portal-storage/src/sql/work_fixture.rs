//! Test fixtures for the work stores: a migrated SQLite database in a temporary file (or the
//! PostgreSQL database the environment names), and tenants, clients, members and work made
//! through the stores themselves.

use portal_core::model::{
    AuditContext, Branding, ClientInput, DeliverableInput, MilestoneInput, NewDocument,
    NewDocumentVersion, NewTenant, NewUser, ProjectInput, ProjectStatus,
};
use portal_core::state::{DeliverableStatus, Sha256Digest};
use portal_core::{
    BuiltinRole, ClientId, DeliverableId, DisplayName, DocumentVersionId, Email, HexColour,
    MembershipKind, MilestoneId, ProjectId, Side, Slug, TenantId, TenantScope, Visibility,
};

use super::{SqliteStore, SqliteStoreConfig};
use crate::Backend;

/// A migrated SQLite store in a temporary directory (kept alive as long as the fixture).
pub(super) struct Db {
    pub(super) store: SqliteStore,
    _dir: tempfile::TempDir,
}

pub(super) fn ctx() -> AuditContext {
    AuditContext::default()
}

pub(super) fn name(text: &str) -> DisplayName {
    DisplayName::parse(text).unwrap()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::now_v7().simple())
}

/// A fresh, migrated database with room for `connections` concurrent callers.
pub(super) async fn database(connections: u32) -> Db {
    let dir = tempfile::tempdir().unwrap();
    let config = SqliteStoreConfig::default().with_max_connections(connections);
    let store = SqliteStore::open(dir.path().join("portal.db"), config)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    Db { store, _dir: dir }
}

/// The migrated PostgreSQL store `PORTAL_TEST_POSTGRES_URL` names, or `None` (with a note) when
/// it is not set; under CI a missing database fails the test instead.
#[cfg(feature = "postgres")]
pub(super) async fn postgres(connections: u32) -> Option<super::PostgresStore> {
    let Ok(url) = std::env::var("PORTAL_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PORTAL_TEST_POSTGRES_URL is not set under CI"
        );
        eprintln!("PostgreSQL test skipped: PORTAL_TEST_POSTGRES_URL is not set");
        return None;
    };
    let store = super::PostgresStore::connect(&url, connections)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    Some(store)
}

/// A new tenant; returns its id.
pub(super) async fn tenant(store: &impl Backend) -> TenantId {
    let branding = Branding {
        display_name: name("Acme"),
        logo_url: None,
        favicon_url: None,
        primary_colour: HexColour::parse("#1a2b3c").unwrap(),
        accent_colour: HexColour::parse("#ffcc00").unwrap(),
        font: None,
        custom_css: None,
        email_sender_name: None,
        email_sender_address: None,
        default_locale: None,
    };
    let slug = Slug::parse(&unique("t")[..30]).unwrap();
    store
        .create_tenant(NewTenant { slug, branding })
        .await
        .unwrap()
        .id
}

/// A new client of `tenant`.
pub(super) async fn client(store: &impl Backend, tenant: TenantId) -> ClientId {
    let input = ClientInput {
        name: name("Client"),
        external_id: None,
        branding: None,
    };
    let system = TenantScope::dangerous_system(tenant);
    store
        .create_client(&system, input, &ctx())
        .await
        .unwrap()
        .id
}

/// A new user holding `role`, as staff assigned to `clients` or a contact of `clients[0]`;
/// returns the scope the HTTP layer would build for them.
pub(super) async fn member(
    store: &impl Backend,
    tenant: TenantId,
    role: BuiltinRole,
    clients: &[ClientId],
) -> TenantScope {
    let system = TenantScope::dangerous_system(tenant);
    let user = NewUser {
        email: Email::parse(&format!("{}@example.com", unique(role.name()))).unwrap(),
        name: name(role.title()),
        side: role.side(),
    };
    let user = store.create_user(&system, user, &ctx()).await.unwrap();
    let role_id = store
        .roles(&system)
        .await
        .unwrap()
        .into_iter()
        .find(|candidate| candidate.builtin_role() == Some(role))
        .unwrap()
        .id();
    let kind = match role.side() {
        Side::Staff => MembershipKind::Staff {
            assigned_clients: clients.to_vec(),
        },
        Side::Client => MembershipKind::Contact { client: clients[0] },
    };
    store
        .add_membership(&system, user.id, role_id, kind, &ctx())
        .await
        .unwrap();
    let memberships = store.memberships_of(tenant, user.id).await.unwrap();
    TenantScope::from_memberships(&memberships).unwrap()
}

/// A project of `client`, published or not.
pub(super) async fn project(
    store: &impl Backend,
    staff: &TenantScope,
    client: ClientId,
    visibility: Visibility,
) -> ProjectId {
    let input = ProjectInput {
        client,
        name: name("Project"),
        description: String::new(),
        status: ProjectStatus::Active,
        schedule: None,
        budget: None,
        external_id: None,
    };
    let project = store.create_project(staff, input, &ctx()).await.unwrap();
    store
        .set_project_visibility(staff, project.id, visibility, &ctx())
        .await
        .unwrap();
    project.id
}

/// A shared milestone with a deliverable in progress and a shared document version to approve.
pub(super) struct Work {
    pub(super) milestone: MilestoneId,
    pub(super) deliverable: DeliverableId,
    pub(super) version: DocumentVersionId,
    pub(super) sha256: Sha256Digest,
}

/// Shared work under `project` (a shared project of `client`), made by `staff`.
pub(super) async fn work(
    store: &impl Backend,
    staff: &TenantScope,
    client: ClientId,
    project: ProjectId,
) -> Work {
    let milestone = MilestoneInput {
        project,
        title: name("Design"),
        due_on: None,
        position: 1,
        external_id: None,
    };
    let milestone = store
        .create_milestone(staff, milestone, &ctx())
        .await
        .unwrap()
        .id;
    store
        .set_milestone_visibility(staff, milestone, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let deliverable = DeliverableInput {
        milestone,
        title: name("Mock-ups"),
        due_on: None,
        external_id: None,
    };
    let deliverable = store
        .create_deliverable(staff, deliverable, &ctx())
        .await
        .unwrap()
        .id;
    store
        .set_deliverable_visibility(staff, deliverable, Visibility::Shared, &ctx())
        .await
        .unwrap();
    store
        .move_deliverable(staff, deliverable, DeliverableStatus::InProgress, &ctx())
        .await
        .unwrap();
    let document = NewDocument {
        client,
        project: Some(project),
        title: name("Mock-ups.pdf"),
        visibility: Visibility::Shared,
    };
    let document = store
        .create_document(staff, document, &ctx())
        .await
        .unwrap()
        .id;
    let sha256 = Sha256Digest::from_bytes([7; 32]);
    let version = NewDocumentVersion {
        blob_key: format!("{}/{}", staff.tenant_id(), uuid::Uuid::new_v4().simple()),
        sha256,
        size: 1234,
        content_type: "application/pdf".into(),
        file_name: "mock-ups.pdf".into(),
        via_share_link: None,
    };
    let version = store
        .add_version(staff, document, version, &ctx())
        .await
        .unwrap()
        .id;
    Work {
        milestone,
        deliverable,
        version,
        sha256,
    }
}

/// The plan SQLite picks for `query` (built after `EXPLAIN QUERY PLAN `), one line per step.
pub(super) async fn plan(
    store: &SqliteStore,
    mut query: sqlx::QueryBuilder<sqlx::Sqlite>,
) -> Vec<String> {
    let rows: Vec<(i64, i64, i64, String)> = query
        .build_query_as()
        .fetch_all(store.pool())
        .await
        .unwrap();
    rows.into_iter().map(|(_, _, _, detail)| detail).collect()
}

/// Asserts that a lookup by external id, `sql` with the tenant as `$1` and the external id as
/// `$2`, searches an index.
pub(super) async fn assert_external_id_lookup_indexed(sql: &str) {
    let db = database(1).await;
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(explain))
        .bind(uuid::Uuid::nil())
        .bind("crm-1")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    let plan: Vec<String> = rows.into_iter().map(|(_, _, _, step)| step).collect();
    assert_indexed(&plan);
}

/// Asserts that every table step of a plan uses an index: no full scan of a work table.
pub(super) fn assert_indexed(plan: &[String]) {
    assert!(
        plan.iter()
            .any(|step| step.contains("USING INDEX") || step.contains("USING COVERING INDEX")),
        "{plan:#?}"
    );
    for step in plan {
        assert!(!step.starts_with("SCAN portal_"), "a full scan: {plan:#?}");
        if step.starts_with("SCAN ") || step.starts_with("SEARCH ") {
            assert!(
                step.contains("INDEX") || step.contains("PRIMARY KEY"),
                "a step without an index: {plan:#?}"
            );
        }
    }
}
