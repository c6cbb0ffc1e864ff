//! Tenants: provisioning with their built-in roles and audit chain, routing by slug or custom
//! domain, branding and tenant-wide settings.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Branding, NewTenant, Tenant};
use portal_core::{BuiltinRole, Permission, Role, RoleId, Slug, TenantId, TenantScope};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::chain::now;
use super::convert::{from_json, parsed, to_json};
use super::counted::CountedTx;
use super::work_rules::event;
use super::{backend, map_db_error};
use crate::rules::{self, events, normalise_host};
use crate::traits::TenantDirectory;
use crate::{StoreError, StoreResult};

/// A `portal_tenant` row.
#[derive(sqlx::FromRow)]
struct TenantRow {
    tenant_id: Uuid,
    slug: String,
    branding: String,
    require_mfa_staff: bool,
    require_mfa_contacts: bool,
    created_at: OffsetDateTime,
}

impl TenantRow {
    fn into_tenant(self, domains: Vec<String>) -> StoreResult<Tenant> {
        Ok(Tenant {
            id: TenantId::from_uuid(self.tenant_id),
            slug: parsed("slug", &self.slug)?,
            branding: from_json("branding", &self.branding)?,
            domains,
            require_mfa_staff: self.require_mfa_staff,
            require_mfa_contacts: self.require_mfa_contacts,
            created_at: self.created_at,
        })
    }
}

/// A query over `portal_tenant` (aliased `t`) returning whole rows, ending in `$rest`.
macro_rules! select_tenant {
    ($rest:literal) => {
        concat!(
            "SELECT t.tenant_id, t.slug, t.branding, t.require_mfa_staff, t.require_mfa_contacts, ",
            "t.created_at FROM portal_tenant t",
            $rest
        )
    };
}

for_each_backend! {
    type Tx = Conn;

    impl Store {
        /// The tenant of `row`, with its domains (sorted: the table keeps no insertion order).
        async fn with_domains(tx: &mut Tx, row: Option<TenantRow>) -> StoreResult<Option<Tenant>> {
            let Some(row) = row else {
                return Ok(None);
            };
            let domains: Vec<String> = sqlx::query_scalar(
                "SELECT host FROM portal_tenant_domain WHERE tenant_id = $1 ORDER BY host",
            )
            .bind(row.tenant_id)
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            row.into_tenant(domains).map(Some)
        }

        /// The tenant with this id.
        async fn tenant_in(tx: &mut Tx, tenant: TenantId) -> StoreResult<Option<Tenant>> {
            let row: Option<TenantRow> = sqlx::query_as(select_tenant!(" WHERE t.tenant_id = $1"))
                .bind(*tenant.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            Store::with_domains(tx, row).await
        }

        /// Opens the change of the scope's tenant: the tenant must exist and the scope hold
        /// `permission`.
        async fn begin_tenant_change(
            &self,
            scope: &TenantScope,
            permission: Permission,
        ) -> StoreResult<(CountedTx<Db>, Tenant)> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let current = Store::tenant_in(&mut tx, scope.tenant_id())
                .await?
                .ok_or(StoreError::NotFound)?;
            rules::require_tenant_level(scope, permission)?;
            Ok((tx, current))
        }

        /// Audits a change of the scope's tenant, commits and returns the tenant as it is now.
        async fn tenant_changed(
            mut tx: CountedTx<Db>,
            scope: &TenantScope,
            change: &str,
            context: &AuditContext,
        ) -> StoreResult<Tenant> {
            let tenant = scope.tenant_id();
            let event = event(
                scope,
                events::TENANT_CHANGED,
                "tenant",
                tenant.as_uuid(),
                json!({ "change": change }),
            );
            Store::append_audit_in(&mut tx, tenant, event, context).await?;
            let changed = Store::tenant_in(&mut tx, tenant)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await.map_err(backend)?;
            Ok(changed)
        }
    }

    #[async_trait]
    impl TenantDirectory for Store {
        async fn create_tenant(&self, new: NewTenant) -> StoreResult<Tenant> {
            let tenant = Tenant {
                id: TenantId::new(),
                slug: new.slug,
                branding: new.branding,
                domains: Vec::new(),
                require_mfa_staff: false,
                require_mfa_contacts: false,
                created_at: now(),
            };
            let mut tx = self.global().await?;
            sqlx::query(
                "INSERT INTO portal_tenant (tenant_id, slug, branding, require_mfa_staff, \
                 require_mfa_contacts, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(*tenant.id.as_uuid())
            .bind(tenant.slug.as_str())
            .bind(to_json(&tenant.branding)?)
            .bind(tenant.require_mfa_staff)
            .bind(tenant.require_mfa_contacts)
            .bind(tenant.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error("slug already in use"))?;
            for builtin in BuiltinRole::ALL {
                let role = Role::builtin(RoleId::new(), builtin);
                Store::insert_role_in(&mut tx, tenant.id, &role, tenant.created_at).await?;
            }
            Store::start_chain(&mut tx, tenant.id).await?;
            let system = TenantScope::dangerous_system(tenant.id);
            let details = json!({ "change": "created", "slug": tenant.slug });
            let event = event(
                &system,
                events::TENANT_CHANGED,
                "tenant",
                tenant.id.as_uuid(),
                details,
            );
            Store::append_audit_in(&mut tx, tenant.id, event, &AuditContext::default()).await?;
            tx.commit().await.map_err(backend)?;
            Ok(tenant)
        }

        async fn tenant_by_slug(&self, slug: &Slug) -> StoreResult<Option<Tenant>> {
            let mut tx = self.global_read().await?;
            let row: Option<TenantRow> = sqlx::query_as(select_tenant!(" WHERE t.slug = $1"))
                .bind(slug.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            let tenant = Store::with_domains(&mut tx, row).await?;
            tx.commit().await.map_err(backend)?;
            Ok(tenant)
        }

        async fn tenant_by_domain(&self, host: &str) -> StoreResult<Option<Tenant>> {
            let Ok(host) = normalise_host(host) else {
                return Ok(None);
            };
            let mut tx = self.global_read().await?;
            let row: Option<TenantRow> = sqlx::query_as(select_tenant!(
                " JOIN portal_tenant_domain d ON d.tenant_id = t.tenant_id WHERE d.host = $1"
            ))
            .bind(host)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            let tenant = Store::with_domains(&mut tx, row).await?;
            tx.commit().await.map_err(backend)?;
            Ok(tenant)
        }

        async fn tenant(&self, scope: &TenantScope) -> StoreResult<Tenant> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let tenant = Store::tenant_in(&mut tx, scope.tenant_id())
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await.map_err(backend)?;
            Ok(tenant)
        }

        async fn update_branding(
            &self,
            scope: &TenantScope,
            branding: Branding,
            audit: &AuditContext,
        ) -> StoreResult<Tenant> {
            let (mut tx, current) = self
                .begin_tenant_change(scope, Permission::ManageBranding)
                .await?;
            if current.branding == branding {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            sqlx::query("UPDATE portal_tenant SET branding = $2 WHERE tenant_id = $1")
                .bind(*current.id.as_uuid())
                .bind(to_json(&branding)?)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            Store::tenant_changed(tx, scope, "branding", audit).await
        }

        async fn add_domain(
            &self,
            scope: &TenantScope,
            host: &str,
            audit: &AuditContext,
        ) -> StoreResult<Tenant> {
            let host = normalise_host(host)?;
            let (mut tx, current) = self
                .begin_tenant_change(scope, Permission::ManageBranding)
                .await?;
            // The host is the primary key: a domain of any tenant, this one included, conflicts.
            sqlx::query("INSERT INTO portal_tenant_domain (host, tenant_id) VALUES ($1, $2)")
                .bind(host)
                .bind(*current.id.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(map_db_error("domain already in use"))?;
            Store::tenant_changed(tx, scope, "domain_added", audit).await
        }

        async fn remove_domain(
            &self,
            scope: &TenantScope,
            host: &str,
            audit: &AuditContext,
        ) -> StoreResult<Tenant> {
            let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
            let (mut tx, current) = self
                .begin_tenant_change(scope, Permission::ManageBranding)
                .await?;
            let removed =
                sqlx::query("DELETE FROM portal_tenant_domain WHERE tenant_id = $1 AND host = $2")
                    .bind(*current.id.as_uuid())
                    .bind(host)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            if removed.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            Store::tenant_changed(tx, scope, "domain_removed", audit).await
        }

        async fn set_mfa_policy(
            &self,
            scope: &TenantScope,
            staff: bool,
            contacts: bool,
            audit: &AuditContext,
        ) -> StoreResult<Tenant> {
            let (mut tx, current) = self
                .begin_tenant_change(scope, Permission::ManageTenant)
                .await?;
            if current.require_mfa_staff == staff && current.require_mfa_contacts == contacts {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            sqlx::query(
                "UPDATE portal_tenant SET require_mfa_staff = $2, require_mfa_contacts = $3 WHERE tenant_id = $1",
            )
            .bind(*current.id.as_uuid())
            .bind(staff)
            .bind(contacts)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            Store::tenant_changed(tx, scope, "mfa_policy", audit).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_normalised_like_the_memory_store() {
        assert_eq!(
            normalise_host(" Portal.Example.COM. ").unwrap(),
            "portal.example.com"
        );
        for bad in [
            "",
            "localhost",
            "a..b",
            "-a.b",
            "a_b.c",
            "x.y/z",
            "192.0.2.10",
            "127.0.0.1",
        ] {
            assert!(
                matches!(normalise_host(bad), Err(StoreError::Invalid(_))),
                "{bad}"
            );
        }
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
pub(super) mod sqlite_tests {
    use super::*;

    /// A migrated SQLite store in a temporary directory, for the SQL modules' own tests.
    pub(in crate::sql) async fn sqlite_store() -> (tempfile::TempDir, crate::sql::SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::sql::SqliteStore::open(
            dir.path().join("portal.db"),
            crate::sql::SqliteStoreConfig::default(),
        )
        .await
        .unwrap();
        store.migrate().await.unwrap();
        (dir, store)
    }

    /// A new tenant in `store`.
    pub(in crate::sql) async fn sqlite_tenant(store: &crate::sql::SqliteStore) -> Tenant {
        use portal_core::{DisplayName, HexColour};
        let branding = Branding {
            display_name: DisplayName::parse("Acme").unwrap(),
            logo_url: None,
            favicon_url: None,
            primary_colour: HexColour::parse("#112233").unwrap(),
            accent_colour: HexColour::parse("#445566").unwrap(),
            font: None,
            custom_css: None,
            email_sender_name: None,
            email_sender_address: None,
            default_locale: None,
        };
        let slug =
            Slug::parse(&format!("t-{}", &Uuid::now_v7().simple().to_string()[..20])).unwrap();
        store
            .create_tenant(NewTenant { slug, branding })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn migrating_twice_is_harmless_and_uses_our_own_table() {
        let (_dir, store) = sqlite_store().await;
        store.migrate().await.unwrap();
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert!(
            tables.iter().any(|t| t == "_portal_migrations"),
            "{tables:?}"
        );
        assert!(
            !tables.iter().any(|t| t == "_sqlx_migrations"),
            "{tables:?}"
        );
        assert!(tables.iter().any(|t| t == "portal_tenant"), "{tables:?}");
        let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _portal_migrations")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(applied >= 1);
    }

    #[tokio::test]
    async fn a_taken_slug_or_domain_is_a_conflict_without_database_text() {
        let (_dir, store) = sqlite_store().await;
        let first = sqlite_tenant(&store).await;
        let again = store
            .create_tenant(NewTenant {
                slug: first.slug.clone(),
                branding: first.branding.clone(),
            })
            .await;
        let Err(StoreError::Conflict { what }) = again else {
            panic!("expected a conflict, got {again:?}");
        };
        assert_eq!(what, "slug already in use");
        // Nothing of the refused tenant was kept: one tenant, one set of roles.
        let roles: i64 = sqlx::query_scalar("SELECT count(*) FROM portal_role")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(roles, BuiltinRole::ALL.len() as i64);

        let second = sqlite_tenant(&store).await;
        let first_owner = TenantScope::dangerous_system(first.id);
        let second_owner = TenantScope::dangerous_system(second.id);
        let ctx = AuditContext::default();
        let added = store
            .add_domain(&first_owner, "Portal.Acme.Example", &ctx)
            .await
            .unwrap();
        assert_eq!(added.domains, vec!["portal.acme.example".to_owned()]);
        let taken = store
            .add_domain(&second_owner, "portal.acme.example.", &ctx)
            .await;
        assert!(
            matches!(&taken, Err(StoreError::Conflict { what }) if what == "domain already in use"),
            "{taken:?}"
        );
        let routed = store
            .tenant_by_domain("PORTAL.acme.example")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(routed.id, first.id);
    }
}
