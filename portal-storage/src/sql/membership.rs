//! Roles, memberships and staff assignments, and the memberships a scope is built from.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use portal_core::model::{AuditContext, MembershipRecord};
use portal_core::{
    ClientId, DisplayName, Invalid, Membership, MembershipId, MembershipKind, PermissionSet, Role,
    RoleId, Side, TenantId, TenantScope, UserId,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::chain::now;
use super::convert::side;
use super::counted::CountedTx;
use super::role::RoleRow;
use super::visibility::{empty_page, push_membership_rule, push_page};
use super::work_rules::{event, invalid};
use super::{backend, map_db_error};
use crate::rules::{
    self, InvitationListRule, client_of, conflicts, events, normalised, require_membership_admin,
    side_of,
};
use crate::traits::MembershipStore;
use crate::{Page, Paged, StoreError, StoreResult};

/// A `portal_membership` row.
#[derive(sqlx::FromRow)]
struct MembershipRow {
    membership_id: Uuid,
    tenant_id: Uuid,
    user_id: Uuid,
    role_id: Uuid,
    client_id: Option<Uuid>,
    created_at: OffsetDateTime,
}

/// A membership with its role, as `memberships_of` reads it.
#[derive(sqlx::FromRow)]
struct HeldRow {
    membership_id: Uuid,
    client_id: Option<Uuid>,
    #[sqlx(flatten)]
    role: RoleRow,
}

for_each_backend! {
    type Tx = Conn;

    impl Store {
        /// The side of a user of `tenant`.
        async fn user_side_in(
            tx: &mut Tx,
            tenant: TenantId,
            user: UserId,
        ) -> StoreResult<Option<Side>> {
            let found: Option<String> = sqlx::query_scalar(
                "SELECT side FROM portal_user WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            found.as_deref().map(side).transpose()
        }

        /// The side of a user the scope may give a membership: one it may see, or one that
        /// belongs to nobody yet (just created, or removed everywhere). A contact of a client
        /// out of reach is `NotFound`, so nobody can pull another client's contact into theirs
        /// to read it.
        async fn joinable_user_side_in(
            tx: &mut Tx,
            scope: &TenantScope,
            user: UserId,
        ) -> StoreResult<Side> {
            if let Some((found, _)) = Store::visible_user_in(tx, scope, user).await? {
                return Ok(found.side);
            }
            let tenant = scope.tenant_id();
            let member_somewhere: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM portal_membership \
                 WHERE tenant_id = $1 AND user_id = $2)",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            if member_somewhere {
                return Err(StoreError::NotFound);
            }
            Store::user_side_in(tx, tenant, user)
                .await?
                .ok_or(StoreError::NotFound)
        }

        /// `NotFound` unless every client is a client of `tenant`.
        async fn require_clients_in(
            tx: &mut Tx,
            tenant: TenantId,
            clients: &[ClientId],
        ) -> StoreResult<()> {
            let wanted: BTreeSet<ClientId> = clients.iter().copied().collect();
            if wanted.is_empty() {
                return Ok(());
            }
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT client_id FROM portal_client WHERE tenant_id = ",
            );
            query
                .push_bind(*tenant.as_uuid())
                .push(" AND client_id IN (");
            let mut list = query.separated(", ");
            for client in &wanted {
                list.push_bind(*client.as_uuid());
            }
            list.push_unseparated(")");
            let found: Vec<Uuid> = query
                .build_query_scalar()
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            if found.len() == wanted.len() {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            }
        }

        /// The memberships of these rows, with the clients assigned to the staff ones.
        async fn records_in(
            tx: &mut Tx,
            tenant: TenantId,
            rows: Vec<MembershipRow>,
        ) -> StoreResult<Vec<MembershipRecord>> {
            let staff: Vec<Uuid> = rows
                .iter()
                .filter(|row| row.client_id.is_none())
                .map(|row| row.membership_id)
                .collect();
            let mut assigned: HashMap<Uuid, Vec<ClientId>> = HashMap::new();
            if !staff.is_empty() {
                let mut query = sqlx::QueryBuilder::<Db>::new(
                    "SELECT membership_id, client_id FROM portal_staff_assignment WHERE tenant_id = ",
                );
                query
                    .push_bind(*tenant.as_uuid())
                    .push(" AND membership_id IN (");
                let mut list = query.separated(", ");
                for id in &staff {
                    list.push_bind(*id);
                }
                list.push_unseparated(") ORDER BY membership_id, client_id");
                let pairs: Vec<(Uuid, Uuid)> = query
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(backend)?;
                for (membership, client) in pairs {
                    assigned
                        .entry(membership)
                        .or_default()
                        .push(ClientId::from_uuid(client));
                }
            }
            Ok(rows
                .into_iter()
                .map(|row| MembershipRecord {
                    id: MembershipId::from_uuid(row.membership_id),
                    tenant: TenantId::from_uuid(row.tenant_id),
                    user: UserId::from_uuid(row.user_id),
                    role: RoleId::from_uuid(row.role_id),
                    kind: match row.client_id {
                        Some(client) => MembershipKind::Contact {
                            client: ClientId::from_uuid(client),
                        },
                        None => MembershipKind::Staff {
                            assigned_clients: assigned
                                .remove(&row.membership_id)
                                .unwrap_or_default(),
                        },
                    },
                    created_at: row.created_at,
                })
                .collect())
        }

        /// A membership of the scope's tenant that the scope may manage.
        async fn managed_membership_in(
            tx: &mut Tx,
            scope: &TenantScope,
            id: MembershipId,
        ) -> StoreResult<MembershipRecord> {
            let tenant = scope.tenant_id();
            let row: MembershipRow = sqlx::query_as(
                "SELECT membership_id, tenant_id, user_id, role_id, client_id, created_at \
                 FROM portal_membership WHERE tenant_id = $1 AND membership_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound)?;
            let record = Store::records_in(tx, tenant, vec![row])
                .await?
                .pop()
                .ok_or(StoreError::NotFound)?;
            require_membership_admin(scope, &record.kind)?;
            Ok(record)
        }

        /// Audits a membership change and commits.
        async fn membership_changed(
            mut tx: CountedTx<Db>,
            scope: &TenantScope,
            record: MembershipRecord,
            details: serde_json::Value,
            context: &AuditContext,
        ) -> StoreResult<MembershipRecord> {
            let event = event(
                scope,
                events::MEMBERSHIP_CHANGED,
                "membership",
                record.id.as_uuid(),
                details,
            );
            Store::append_audit_in(&mut tx, scope.tenant_id(), event, context).await?;
            tx.commit().await.map_err(backend)?;
            Ok(record)
        }
    }

    #[async_trait]
    impl MembershipStore for Store {
        async fn memberships_of(
            &self,
            tenant: TenantId,
            user: UserId,
        ) -> StoreResult<Vec<Membership>> {
            let mut tx = self.global_read().await?;
            let disabled: Option<bool> = sqlx::query_scalar(
                "SELECT disabled FROM portal_user WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            if disabled != Some(false) {
                return Ok(Vec::new());
            }
            // Contacts of archived clients lose access; so do staff assignments to them.
            let held: Vec<HeldRow> = sqlx::query_as(
                "SELECT m.membership_id, m.client_id, r.role_id, r.name, r.side, r.builtin, r.permissions \
                 FROM portal_membership m \
                 JOIN portal_role r ON r.tenant_id = m.tenant_id AND r.role_id = m.role_id \
                 LEFT JOIN portal_client c ON c.tenant_id = m.tenant_id AND c.client_id = m.client_id \
                 WHERE m.tenant_id = $1 AND m.user_id = $2 AND (m.client_id IS NULL OR NOT c.archived) \
                 ORDER BY m.membership_id",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            let mut memberships = Vec::with_capacity(held.len());
            for row in held {
                let kind = match row.client_id {
                    Some(client) => MembershipKind::Contact {
                        client: ClientId::from_uuid(client),
                    },
                    None => {
                        let clients: Vec<Uuid> = sqlx::query_scalar(
                            "SELECT a.client_id FROM portal_staff_assignment a \
                             JOIN portal_client c ON c.tenant_id = a.tenant_id AND c.client_id = a.client_id \
                             WHERE a.tenant_id = $1 AND a.membership_id = $2 AND NOT c.archived \
                             ORDER BY a.client_id",
                        )
                        .bind(*tenant.as_uuid())
                        .bind(row.membership_id)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(backend)?;
                        MembershipKind::Staff {
                            assigned_clients: clients
                                .into_iter()
                                .map(ClientId::from_uuid)
                                .collect(),
                        }
                    }
                };
                memberships.push(Membership {
                    tenant,
                    user,
                    permissions: row.role.into_role()?.permissions(),
                    kind,
                });
            }
            tx.commit().await.map_err(backend)?;
            Ok(memberships)
        }

        async fn roles(&self, scope: &TenantScope) -> StoreResult<Vec<Role>> {
            self.load_roles(scope).await
        }

        async fn create_role(
            &self,
            scope: &TenantScope,
            name: DisplayName,
            side: Side,
            permissions: PermissionSet,
            audit: &AuditContext,
        ) -> StoreResult<Role> {
            self.add_role(scope, name, side, permissions, audit).await
        }

        async fn set_role_permissions(
            &self,
            scope: &TenantScope,
            role: RoleId,
            permissions: PermissionSet,
            audit: &AuditContext,
        ) -> StoreResult<Role> {
            self.edit_role_permissions(scope, role, permissions, audit)
                .await
        }

        async fn delete_role(
            &self,
            scope: &TenantScope,
            role: RoleId,
            audit: &AuditContext,
        ) -> StoreResult<()> {
            self.remove_role(scope, role, audit).await
        }

        async fn add_membership(
            &self,
            scope: &TenantScope,
            user: UserId,
            role: RoleId,
            kind: MembershipKind,
            audit: &AuditContext,
        ) -> StoreResult<MembershipRecord> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let user_side = Store::joinable_user_side_in(&mut tx, scope, user).await?;
            let role = Store::role_in(&mut tx, tenant, role)
                .await?
                .ok_or(StoreError::NotFound)?;
            let kind = match kind {
                MembershipKind::Staff { assigned_clients } => {
                    Store::require_clients_in(&mut tx, tenant, &assigned_clients).await?;
                    MembershipKind::Staff {
                        assigned_clients: normalised(assigned_clients),
                    }
                }
                MembershipKind::Contact { client } => {
                    Store::require_clients_in(&mut tx, tenant, &[client]).await?;
                    MembershipKind::Contact { client }
                }
            };
            require_membership_admin(scope, &kind)?;
            if side_of(&kind) != user_side {
                return Err(invalid(
                    "kind",
                    Invalid::Malformed("does not match the user's side"),
                ));
            }
            if role.side() != user_side {
                return Err(invalid(
                    "role",
                    Invalid::Malformed("is a role of the other side"),
                ));
            }
            let record = MembershipRecord {
                id: MembershipId::new(),
                tenant,
                user,
                role: role.id(),
                kind,
                created_at: now(),
            };
            Store::insert_membership_in(&mut tx, &record).await?;
            let details = rules::membership_added_details(user, role.id());
            Store::membership_changed(tx, scope, record, details, audit).await
        }

        async fn change_role(
            &self,
            scope: &TenantScope,
            membership: MembershipId,
            role: RoleId,
            audit: &AuditContext,
        ) -> StoreResult<MembershipRecord> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = Store::managed_membership_in(&mut tx, scope, membership).await?;
            let role = Store::role_in(&mut tx, tenant, role)
                .await?
                .ok_or(StoreError::NotFound)?;
            if role.side() != side_of(&current.kind) {
                return Err(invalid(
                    "role",
                    Invalid::Malformed("is a role of the other side"),
                ));
            }
            if role.id() == current.role {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            sqlx::query("UPDATE portal_membership SET role_id = $3 WHERE tenant_id = $1 AND membership_id = $2")
                .bind(*tenant.as_uuid())
                .bind(*membership.as_uuid())
                .bind(*role.id().as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(map_db_error("membership"))?;
            let next = MembershipRecord {
                role: role.id(),
                ..current
            };
            let details = json!({ "change": "role", "role": role.id() });
            Store::membership_changed(tx, scope, next, details, audit).await
        }

        async fn assign_clients(
            &self,
            scope: &TenantScope,
            membership: MembershipId,
            clients: Vec<ClientId>,
            audit: &AuditContext,
        ) -> StoreResult<MembershipRecord> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = Store::managed_membership_in(&mut tx, scope, membership).await?;
            let MembershipKind::Staff {
                assigned_clients: before,
            } = &current.kind
            else {
                return Err(invalid(
                    "membership",
                    Invalid::Malformed("only staff memberships have assigned clients"),
                ));
            };
            Store::require_clients_in(&mut tx, tenant, &clients).await?;
            let clients = normalised(clients);
            if *before == clients {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            sqlx::query(
                "DELETE FROM portal_staff_assignment WHERE tenant_id = $1 AND membership_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*membership.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            Store::insert_assignments_in(&mut tx, tenant, membership, &clients).await?;
            let details = json!({ "change": "assigned_clients", "clients": clients });
            let next = MembershipRecord {
                kind: MembershipKind::Staff {
                    assigned_clients: clients,
                },
                ..current
            };
            Store::membership_changed(tx, scope, next, details, audit).await
        }

        async fn remove_membership(
            &self,
            scope: &TenantScope,
            membership: MembershipId,
            audit: &AuditContext,
        ) -> StoreResult<()> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let record = Store::managed_membership_in(&mut tx, scope, membership).await?;
            // Staff assignments go with it (ON DELETE CASCADE).
            sqlx::query(
                "DELETE FROM portal_membership WHERE tenant_id = $1 AND membership_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*membership.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            let details = json!({ "change": "removed", "user": record.user });
            Store::membership_changed(tx, scope, record, details, audit).await?;
            Ok(())
        }

        async fn list_memberships(
            &self,
            scope: &TenantScope,
            client: Option<ClientId>,
            page: Page,
        ) -> StoreResult<Paged<MembershipRecord>> {
            let rule = InvitationListRule::new(scope, client);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT membership_id, tenant_id, user_id, role_id, client_id, created_at \
                 FROM portal_membership WHERE tenant_id = ",
            );
            query.push_bind(*tenant.as_uuid());
            push_membership_rule(&mut query, &rule);
            push_page(&mut query, "membership_id", page);
            let rows: Vec<MembershipRow> = query
                .build_query_as()
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            let records = Store::records_in(&mut tx, tenant, rows).await?;
            tx.commit().await.map_err(backend)?;
            Ok(Paged::from_overfetch(records, page, |record| {
                *record.id.as_uuid()
            }))
        }
    }

    impl Store {
        /// Inserts `record`, with a staff membership's assigned clients, within `tx`: the write
        /// of `add_membership` and of an acceptance. The unique indices refuse a membership
        /// already held.
        pub(super) async fn insert_membership_in(
            tx: &mut Tx,
            record: &MembershipRecord,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO portal_membership (membership_id, tenant_id, user_id, role_id, client_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(*record.id.as_uuid())
            .bind(*record.tenant.as_uuid())
            .bind(*record.user.as_uuid())
            .bind(*record.role.as_uuid())
            .bind(client_of(&record.kind).map(|client| *client.as_uuid()))
            .bind(record.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(conflicts::ALREADY_MEMBER))?;
            if let MembershipKind::Staff { assigned_clients } = &record.kind {
                Store::insert_assignments_in(tx, record.tenant, record.id, assigned_clients)
                    .await?;
            }
            Ok(())
        }

        /// Assigns `clients` to a staff membership within `tx`.
        async fn insert_assignments_in(
            tx: &mut Tx,
            tenant: TenantId,
            membership: MembershipId,
            clients: &[ClientId],
        ) -> StoreResult<()> {
            for client in clients {
                sqlx::query(
                    "INSERT INTO portal_staff_assignment (tenant_id, membership_id, client_id) VALUES ($1, $2, $3)",
                )
                .bind(*tenant.as_uuid())
                .bind(*membership.as_uuid())
                .bind(*client.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(map_db_error("client already assigned"))?;
            }
            Ok(())
        }
    }
}
