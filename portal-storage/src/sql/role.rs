//! Roles: the built-in ones every tenant starts with and tenants' custom ones, stored with their
//! permissions as a list of names.

use portal_core::model::AuditContext;
use portal_core::{
    BuiltinRole, DisplayName, Permission, PermissionSet, Role, RoleId, Rule, Side, TenantId,
    TenantScope,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::chain::now;
use super::convert::{builtin_role, corrupt, parsed, permissions, side, side_name, to_json};
use super::counted::CountedTx;
use super::work_rules::event;
use super::{backend, map_db_error};
use crate::rules::{self, events, forbidden};
use crate::{StoreError, StoreResult};

/// A `portal_role` row.
#[derive(sqlx::FromRow)]
pub(super) struct RoleRow {
    role_id: Uuid,
    name: String,
    side: String,
    builtin: Option<String>,
    permissions: String,
}

impl RoleRow {
    /// Rebuilds the role, checking its permissions fit its side as when it was written.
    pub(super) fn into_role(self) -> StoreResult<Role> {
        Role::restore(
            RoleId::from_uuid(self.role_id),
            parsed("name", &self.name)?,
            self.builtin.as_deref().map(builtin_role).transpose()?,
            side(&self.side)?,
            permissions(&self.permissions)?,
        )
        .map_err(|error| corrupt("role", error))
    }
}

/// A role's rank in `roles`: the built-in ones first, in their fixed order.
fn rank(role: &Role) -> usize {
    role.builtin_role()
        .and_then(|builtin| BuiltinRole::ALL.iter().position(|b| *b == builtin))
        .unwrap_or(BuiltinRole::ALL.len())
}

for_each_backend! {
    type Tx = Conn;

    impl Store {
        /// Stores a role of `tenant` within `tx` (tenant creation stores the built-in ones).
        pub(super) async fn insert_role_in(
            tx: &mut Tx,
            tenant: TenantId,
            role: &Role,
            created_at: OffsetDateTime,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO portal_role (role_id, tenant_id, name, side, builtin, permissions, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(*role.id().as_uuid())
            .bind(*tenant.as_uuid())
            .bind(role.name().as_str())
            .bind(side_name(role.side()))
            .bind(role.builtin_role().map(BuiltinRole::name))
            .bind(to_json(&role.permissions())?)
            .bind(created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error("role name already in use"))?;
            Ok(())
        }

        /// A role of `tenant`.
        pub(super) async fn role_in(
            tx: &mut Tx,
            tenant: TenantId,
            role: RoleId,
        ) -> StoreResult<Option<Role>> {
            let row: Option<RoleRow> = sqlx::query_as(
                "SELECT role_id, name, side, builtin, permissions FROM portal_role \
                 WHERE tenant_id = $1 AND role_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*role.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            row.map(RoleRow::into_role).transpose()
        }

        /// Audits a role change and commits.
        async fn role_changed(
            mut tx: CountedTx<Db>,
            scope: &TenantScope,
            role: RoleId,
            details: serde_json::Value,
            context: &AuditContext,
        ) -> StoreResult<()> {
            let event = event(scope, events::ROLE_CHANGED, "role", role.as_uuid(), details);
            Store::append_audit_in(&mut tx, scope.tenant_id(), event, context).await?;
            tx.commit().await.map_err(backend)
        }
        /// The tenant's roles, built-in first.
        pub(super) async fn load_roles(&self, scope: &TenantScope) -> StoreResult<Vec<Role>> {
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            if !scope.is_staff_side() {
                return Err(forbidden(Rule::TenantLevelObject));
            }
            let rows: Vec<RoleRow> = sqlx::query_as(
                "SELECT role_id, name, side, builtin, permissions FROM portal_role WHERE tenant_id = $1",
            )
            .bind(*tenant.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let mut roles = rows
                .into_iter()
                .map(RoleRow::into_role)
                .collect::<StoreResult<Vec<_>>>()?;
            roles.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.id().cmp(&b.id())));
            Ok(roles)
        }

        /// Creates a custom role.
        pub(super) async fn add_role(
            &self,
            scope: &TenantScope,
            name: DisplayName,
            side: Side,
            permissions: PermissionSet,
            audit: &AuditContext,
        ) -> StoreResult<Role> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            rules::require_tenant_level(scope, Permission::ManageRoles)?;
            let role = Role::custom(RoleId::new(), name, side, permissions)?;
            Store::insert_role_in(&mut tx, tenant, &role, now()).await?;
            let details =
                json!({ "change": "created", "side": side, "permissions": role.permissions() });
            Store::role_changed(tx, scope, role.id(), details, audit).await?;
            Ok(role)
        }

        /// Replaces a role's permissions.
        pub(super) async fn edit_role_permissions(
            &self,
            scope: &TenantScope,
            role: RoleId,
            permissions: PermissionSet,
            audit: &AuditContext,
        ) -> StoreResult<Role> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = Store::role_in(&mut tx, tenant, role)
                .await?
                .ok_or(StoreError::NotFound)?;
            rules::require_tenant_level(scope, Permission::ManageRoles)?;
            let mut next = current.clone();
            next.set_permissions(permissions)?;
            if next == current {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            sqlx::query(
                "UPDATE portal_role SET permissions = $3 WHERE tenant_id = $1 AND role_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*role.as_uuid())
            .bind(to_json(&next.permissions())?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            let details = json!({ "change": "permissions", "permissions": next.permissions() });
            Store::role_changed(tx, scope, role, details, audit).await?;
            Ok(next)
        }

        /// Deletes a custom role nobody holds.
        pub(super) async fn remove_role(
            &self,
            scope: &TenantScope,
            role: RoleId,
            audit: &AuditContext,
        ) -> StoreResult<()> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = Store::role_in(&mut tx, tenant, role)
                .await?
                .ok_or(StoreError::NotFound)?;
            rules::require_tenant_level(scope, Permission::ManageRoles)?;
            if current.builtin_role().is_some() {
                return Err(StoreError::conflict("built-in roles cannot be deleted"));
            }
            let held: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM portal_membership WHERE tenant_id = $1 AND role_id = $2 LIMIT 1",
            )
            .bind(*tenant.as_uuid())
            .bind(*role.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            if held.is_some() {
                return Err(StoreError::conflict("role is still held"));
            }
            sqlx::query("DELETE FROM portal_role WHERE tenant_id = $1 AND role_id = $2")
                .bind(*tenant.as_uuid())
                .bind(*role.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(map_db_error("role is still held"))?;
            Store::role_changed(tx, scope, role, json!({ "change": "deleted" }), audit).await
        }
    }
}
