//! PostgreSQL row-level security, the second wall behind the typed scope (SEC-26, SEC-27): the
//! application role sees no row without a tenant, only its tenant's rows with one, cannot write
//! into another tenant, cannot change the audit log, and is no superuser and lacks BYPASSRLS.
//!
//! Needs `PORTAL_TEST_POSTGRES_URL` (a database the test may migrate); skipped without it,
//! except under CI, where a missing database fails the run.

#![cfg(feature = "postgres")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, reason = "test code")]

use portal_core::model::{
    AuditContext, Branding, ClientInput, NewTenant, NewUser, Session, Tenant,
};
use portal_core::state::Sha256Digest;
use portal_core::{
    BuiltinRole, DisplayName, Email, HexColour, MembershipKind, Side, Slug, TenantId, TenantScope,
};
use portal_storage::sql::PostgresStore;
use portal_storage::{
    ClientStore, IdentityStore, MembershipStore, OutboxStore, SessionStore, TenantDirectory,
};
use sqlx::{Connection, PgConnection};
use time::{Duration, OffsetDateTime};

/// The tables `populated_tenant` writes rows into.
const POPULATED_TABLES: &[&str] = &[
    "portal_tenant",
    "portal_tenant_domain",
    "portal_role",
    "portal_user",
    "portal_client",
    "portal_membership",
    "portal_staff_assignment",
    "portal_session",
    "portal_audit_event",
    "portal_audit_head",
    "portal_outbox_event",
];

/// The tables without row-level security: global by design.
const GLOBAL_TABLES: &[&str] = &["portal_throttle"];

fn database_url() -> Option<String> {
    match std::env::var("PORTAL_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "PORTAL_TEST_POSTGRES_URL is not set under CI: the PostgreSQL tests could not run"
            );
            println!("PostgreSQL tests skipped: PORTAL_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// A tenant with a staff user, a client with a contact, a session and an outbox row, all
/// made through the store.
async fn populated_tenant(store: &PostgresStore, label: &str) -> Tenant {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let tenant = store
        .create_tenant(NewTenant {
            slug: Slug::parse(&format!("rls-{}", &unique[..24])).unwrap(),
            branding: Branding {
                display_name: DisplayName::parse(label).unwrap(),
                logo_url: None,
                favicon_url: None,
                primary_colour: HexColour::parse("#102030").unwrap(),
                accent_colour: HexColour::parse("#405060").unwrap(),
                font: None,
                custom_css: None,
                email_sender_name: None,
                email_sender_address: None,
                default_locale: None,
            },
        })
        .await
        .unwrap();
    let system = TenantScope::dangerous_system(tenant.id);
    let ctx = AuditContext::default();
    store
        .add_domain(&system, &format!("{}.rls.example", &unique[..24]), &ctx)
        .await
        .unwrap();
    let client = store
        .create_client(
            &system,
            ClientInput {
                name: DisplayName::parse(&format!("{label} client")).unwrap(),
                external_id: Some(format!("crm-{label}")),
                branding: None,
            },
            &ctx,
        )
        .await
        .unwrap();
    let roles = store.roles(&system).await.unwrap();
    let role = |builtin: BuiltinRole| {
        roles
            .iter()
            .find(|r| r.builtin_role() == Some(builtin))
            .unwrap()
            .id()
    };
    for (side, builtin, kind) in [
        (
            Side::Staff,
            BuiltinRole::Member,
            MembershipKind::Staff {
                assigned_clients: vec![client.id],
            },
        ),
        (
            Side::Client,
            BuiltinRole::Approver,
            MembershipKind::Contact { client: client.id },
        ),
    ] {
        let user = store
            .create_user(
                &system,
                NewUser {
                    email: Email::parse(&format!("{}-{unique}@example.com", builtin.name()))
                        .unwrap(),
                    name: DisplayName::parse(label).unwrap(),
                    side,
                },
                &ctx,
            )
            .await
            .unwrap();
        store
            .add_membership(&system, user.id, role(builtin), kind, &ctx)
            .await
            .unwrap();
        let now = OffsetDateTime::now_utc();
        let mut token = [0_u8; 32];
        token[..16].copy_from_slice(uuid::Uuid::now_v7().as_bytes());
        store
            .create_session(Session {
                token_hash: Sha256Digest::from_bytes(token),
                tenant: tenant.id,
                user: user.id,
                created_at: now,
                authenticated_at: now,
                last_seen_at: now,
                expires_at: now + Duration::hours(1),
                ip: None,
                user_agent: None,
            })
            .await
            .unwrap();
    }
    store
        .enqueue(&system, "test.rls", serde_json::json!({ "label": label }))
        .await
        .unwrap();
    tenant
}

/// Every `portal_` table that row-level security guards.
async fn tenant_tables(conn: &mut PgConnection) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
         AND tablename LIKE 'portal\\_%' ORDER BY tablename",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    tables
        .into_iter()
        .filter(|table| !GLOBAL_TABLES.contains(&table.as_str()))
        .collect()
}

/// Opens a transaction as `portal_app`, with `tenant` set if given.
async fn as_app(
    conn: &mut PgConnection,
    tenant: Option<TenantId>,
) -> sqlx::Transaction<'_, sqlx::Postgres> {
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE portal_app")
        .execute(&mut *tx)
        .await
        .unwrap();
    if let Some(tenant) = tenant {
        sqlx::query("SELECT set_config('portal.tenant_id', $1, true)")
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx
}

/// The SQLSTATE of a refused statement.
fn sqlstate(result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>) -> String {
    match result {
        Err(sqlx::Error::Database(error)) => error
            .code()
            .map(|code| code.into_owned())
            .unwrap_or_default(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn row_level_security_confines_the_application_role() {
    let Some(url) = database_url() else { return };
    let store = PostgresStore::connect(&url, 4).await.unwrap();
    store.migrate().await.unwrap();
    let a = populated_tenant(&store, "Alpha").await;
    let b = populated_tenant(&store, "Beta").await;

    let mut conn = PgConnection::connect(&url).await.unwrap();
    let tables = tenant_tables(&mut conn).await;
    for mine in POPULATED_TABLES {
        assert!(
            tables.iter().any(|t| t == mine),
            "{mine} is missing from {tables:?}"
        );
    }

    // The role itself: no superuser, no BYPASSRLS, owner of no table.
    let (superuser, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'portal_app'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(
        !superuser && !bypass,
        "portal_app must be bound by row-level security"
    );
    let owned: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE tableowner = 'portal_app'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(owned, 0, "an owner would bypass the policies");

    // No tenant set: nothing at all.
    {
        let mut tx = as_app(&mut conn, None).await;
        for table in &tables {
            let sql = format!("SELECT count(*) FROM {table}");
            let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            assert_eq!(
                count, 0,
                "{table} shows rows to a connection with no tenant"
            );
        }
        tx.rollback().await.unwrap();
    }

    // Tenant A set: A's rows, and never B's.
    {
        let mut tx = as_app(&mut conn, Some(a.id)).await;
        for table in &tables {
            let sql = format!(
                "SELECT count(*) FILTER (WHERE tenant_id = $1), count(*) FILTER (WHERE tenant_id <> $1) FROM {table}"
            );
            let (own, foreign): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(*a.id.as_uuid())
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            assert_eq!(foreign, 0, "{table} shows another tenant's rows");
            if POPULATED_TABLES.contains(&table.as_str()) {
                assert!(own > 0, "{table} hides the tenant's own rows");
            }
        }
        let sees_b: i64 =
            sqlx::query_scalar("SELECT count(*) FROM portal_tenant WHERE tenant_id = $1")
                .bind(*b.id.as_uuid())
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        assert_eq!(sees_b, 0);
        tx.rollback().await.unwrap();
    }

    // WITH CHECK: tenant A cannot write a row of tenant B.
    {
        let mut tx = as_app(&mut conn, Some(a.id)).await;
        let refused =
            sqlx::query("INSERT INTO portal_tenant_domain (host, tenant_id) VALUES ($1, $2)")
                .bind(format!(
                    "{}.smuggled.example",
                    uuid::Uuid::now_v7().simple()
                ))
                .bind(*b.id.as_uuid())
                .execute(&mut *tx)
                .await;
        assert_eq!(
            sqlstate(refused),
            "42501",
            "the policy must refuse a row of another tenant"
        );
        tx.rollback().await.unwrap();
    }

    // The audit log is append-only for the application, even within its own tenant.
    for statement in [
        "UPDATE portal_audit_event SET details = '{}' WHERE tenant_id = $1",
        "DELETE FROM portal_audit_event WHERE tenant_id = $1",
    ] {
        let mut tx = as_app(&mut conn, Some(a.id)).await;
        let refused = sqlx::query(statement)
            .bind(*a.id.as_uuid())
            .execute(&mut *tx)
            .await;
        assert_eq!(sqlstate(refused), "42501", "{statement} must be refused");
        tx.rollback().await.unwrap();
    }
}
