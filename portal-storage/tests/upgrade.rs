//! Upgrades of stored data: a tenant created before a migration ends up as one created after it.
//! Here: the built-in roles of a tenant made before the client-lifecycle permissions existed
//! (migration 0009) hold them afterwards, exactly as a new tenant's do; running the migration
//! again changes nothing.

#![cfg(any(feature = "sqlite", feature = "postgres"))]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::collections::BTreeMap;

use portal_core::model::{Branding, NewTenant};
use portal_core::{BuiltinRole, DisplayName, HexColour, Permission, Slug, TenantScope};
use portal_storage::traits::{MembershipStore, TenantDirectory};

/// The permissions migration 0009 grants.
const ADDED: [Permission; 4] = [
    Permission::ViewAnalytics,
    Permission::ExportClientData,
    Permission::OffboardClients,
    Permission::EraseClientData,
];

fn branding() -> Branding {
    Branding {
        display_name: DisplayName::parse("Upgraded").unwrap(),
        logo_url: None,
        favicon_url: None,
        primary_colour: HexColour::parse("#123456").unwrap(),
        accent_colour: HexColour::parse("#abcdef").unwrap(),
        font: None,
        custom_css: None,
        email_sender_name: None,
        email_sender_address: None,
        default_locale: None,
    }
}

fn slug() -> Slug {
    Slug::parse(&format!("upgrade-{}", uuid::Uuid::new_v4().simple())).unwrap()
}

/// Each stored built-in role's permissions, as its JSON list of names without the added ones:
/// the row as a release before 0009 wrote it.
fn without_added(permissions: &str) -> String {
    let names: Vec<String> = serde_json::from_str(permissions).unwrap();
    let kept: Vec<&String> = names
        .iter()
        .filter(|name| ADDED.iter().all(|added| added.name() != name.as_str()))
        .collect();
    serde_json::to_string(&kept).unwrap()
}

/// Every built-in role of the tenant holds exactly its default permissions.
async fn assert_builtin_defaults(store: &dyn MembershipStore, scope: &TenantScope) {
    let roles = store.roles(scope).await.unwrap();
    let builtins: BTreeMap<&str, _> = roles
        .iter()
        .filter_map(|role| role.builtin_role().map(|b| (b.name(), role.permissions())))
        .collect();
    assert_eq!(builtins.len(), BuiltinRole::ALL.len());
    for builtin in BuiltinRole::ALL {
        assert_eq!(
            builtins[builtin.name()],
            builtin.default_permissions(),
            "built-in role {}",
            builtin.name()
        );
    }
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_builtin_roles_gain_the_client_lifecycle_permissions() {
    use portal_storage::sql::{SqliteStore, SqliteStoreConfig};
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("portal.db"), SqliteStoreConfig::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let tenant = store
        .create_tenant(NewTenant {
            slug: slug(),
            branding: branding(),
        })
        .await
        .unwrap();
    let scope = TenantScope::dangerous_system(tenant.id);
    let pool = store.pool();
    let rows: Vec<(Vec<u8>, String)> = sqlx::query_as(
        "SELECT role_id, permissions FROM portal_role WHERE tenant_id = $1 AND builtin IS NOT NULL",
    )
    .bind(tenant.id.as_uuid().as_bytes().as_slice())
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!rows.is_empty());
    for (role, permissions) in rows {
        sqlx::query("UPDATE portal_role SET permissions = $1 WHERE role_id = $2")
            .bind(without_added(&permissions))
            .bind(role)
            .execute(pool)
            .await
            .unwrap();
    }
    // Without the migration the owner role, which always holds every staff permission, would
    // no longer load.
    assert!(store.roles(&scope).await.is_err());
    // Twice: the second run must change nothing.
    for _ in 0..2 {
        sqlx::query("DELETE FROM _portal_migrations WHERE version = 9")
            .execute(pool)
            .await
            .unwrap();
        store.migrate().await.unwrap();
        assert_builtin_defaults(&store, &scope).await;
    }
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_builtin_roles_gain_the_client_lifecycle_permissions() {
    use portal_storage::sql::PostgresStore;
    let Ok(url) = std::env::var("PORTAL_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PORTAL_TEST_POSTGRES_URL is not set under CI: the PostgreSQL suite could not run"
        );
        eprintln!("PostgreSQL upgrade test skipped: PORTAL_TEST_POSTGRES_URL is not set");
        return;
    };
    let store = PostgresStore::connect(&url, 4).await.unwrap();
    store.migrate().await.unwrap();
    let tenant = store
        .create_tenant(NewTenant {
            slug: slug(),
            branding: branding(),
        })
        .await
        .unwrap();
    let scope = TenantScope::dangerous_system(tenant.id);
    let pool = store.pool();
    let rows: Vec<(uuid::Uuid, String)> = sqlx::query_as(
        "SELECT role_id, permissions FROM portal_role WHERE tenant_id = $1 AND builtin IS NOT NULL",
    )
    .bind(*tenant.id.as_uuid())
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!rows.is_empty());
    for (role, permissions) in rows {
        sqlx::query("UPDATE portal_role SET permissions = $1 WHERE role_id = $2")
            .bind(without_added(&permissions))
            .bind(role)
            .execute(pool)
            .await
            .unwrap();
    }
    assert!(store.roles(&scope).await.is_err());
    // Only this tenant's rows lack the permissions, so re-running the migration touches only
    // them while other tests share the database.
    for _ in 0..2 {
        sqlx::query("DELETE FROM _portal_migrations WHERE version = 9")
            .execute(pool)
            .await
            .unwrap();
        store.migrate().await.unwrap();
        assert_builtin_defaults(&store, &scope).await;
    }
}
