//! The tenant's clients, including the idempotent upsert by the feeding system's id.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Client, ClientInput};
use portal_core::{
    ClientFilter, ClientId, Permission, ResourceFacts, TenantId, TenantScope, Visibility,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::chain::now;
use super::convert::{from_json_opt, parsed, to_json};
use super::visibility::{empty_page, paged, push_clients, push_page};
use super::work_rules::{EXTERNAL_ID_TAKEN, check_external_id, event, require_external_id};
use super::{backend, map_db_error};
use crate::lifecycle;
use crate::rules::{self, events};
use crate::traits::{ClientStore, ErasureReport, OffboardReport, Upserted};
use crate::{Page, Paged, StoreError, StoreResult};

/// A `portal_client` row.
#[derive(sqlx::FromRow)]
struct ClientRow {
    client_id: Uuid,
    tenant_id: Uuid,
    name: String,
    external_id: Option<String>,
    branding: Option<String>,
    archived: bool,
    created_at: OffsetDateTime,
    offboarded_at: Option<OffsetDateTime>,
    erased_at: Option<OffsetDateTime>,
}

impl ClientRow {
    fn into_client(self) -> StoreResult<Client> {
        Ok(Client {
            id: ClientId::from_uuid(self.client_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            name: parsed("name", &self.name)?,
            external_id: self.external_id,
            branding: from_json_opt("branding", self.branding.as_deref())?,
            archived: self.archived,
            created_at: self.created_at,
            offboarded_at: self.offboarded_at,
            erased_at: self.erased_at,
        })
    }
}

/// A query over `portal_client` returning whole rows, ending in `$rest`.
macro_rules! select_client {
    ($rest:literal) => {
        concat!(
            "SELECT client_id, tenant_id, name, external_id, branding, archived, created_at, ",
            "offboarded_at, erased_at ",
            "FROM portal_client",
            $rest
        )
    };
}

/// A whole client by external id, through the `(tenant_id, external_id)` unique index.
const BY_EXTERNAL_ID: &str = select_client!(" WHERE tenant_id = $1 AND external_id = $2");

/// May the scope manage this client.
fn require_manager(scope: &TenantScope, client: ClientId) -> StoreResult<()> {
    let facts = ResourceFacts::of_client(scope.tenant_id(), client, Visibility::Shared);
    rules::require(scope, Permission::ManageClients, &facts)
}

for_each_backend! {
    type Tx = Conn;

    impl Store {
        /// A client of `tenant`, whatever the scope may see of it.
        pub(super) async fn client_in(
            tx: &mut Tx,
            tenant: TenantId,
            id: ClientId,
        ) -> StoreResult<Option<Client>> {
            let row: Option<ClientRow> =
                sqlx::query_as(select_client!(" WHERE tenant_id = $1 AND client_id = $2"))
                    .bind(*tenant.as_uuid())
                    .bind(*id.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            row.map(ClientRow::into_client).transpose()
        }

        /// A client the scope may manage, for a change.
        async fn managed_client_in(
            tx: &mut Tx,
            scope: &TenantScope,
            id: ClientId,
        ) -> StoreResult<Client> {
            let client = Store::client_in(tx, scope.tenant_id(), id)
                .await?
                .ok_or(StoreError::NotFound)?;
            require_manager(scope, id)?;
            Ok(client)
        }

        /// Creates a client within `tx`, audited.
        async fn create_client_in(
            tx: &mut Tx,
            scope: &TenantScope,
            input: ClientInput,
            context: &AuditContext,
        ) -> StoreResult<Client> {
            let tenant = scope.tenant_id();
            Store::require_tenant_in(tx, tenant).await?;
            rules::require_tenant_level(scope, Permission::ManageClients)?;
            check_external_id(input.external_id.as_deref())?;
            let client = Client {
                id: ClientId::new(),
                tenant,
                name: input.name,
                external_id: input.external_id,
                branding: input.branding,
                archived: false,
                created_at: now(),
                offboarded_at: None,
                erased_at: None,
            };
            sqlx::query(
                "INSERT INTO portal_client (client_id, tenant_id, name, external_id, branding, archived, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(*client.id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(client.name.as_str())
            .bind(client.external_id.as_deref())
            .bind(client.branding.as_ref().map(to_json).transpose()?)
            .bind(client.archived)
            .bind(client.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
            Store::client_changed(tx, scope, client.id, "created", context).await?;
            Ok(client)
        }

        /// Replaces a client's writable fields within `tx`; audited only if something changed.
        async fn update_client_in(
            tx: &mut Tx,
            scope: &TenantScope,
            id: ClientId,
            input: ClientInput,
            context: &AuditContext,
        ) -> StoreResult<Client> {
            let current = Store::managed_client_in(tx, scope, id).await?;
            check_external_id(input.external_id.as_deref())?;
            let next = Client {
                name: input.name,
                external_id: input.external_id,
                branding: input.branding,
                ..current.clone()
            };
            if next == current {
                return Ok(current);
            }
            sqlx::query(
                "UPDATE portal_client SET name = $3, external_id = $4, branding = $5 \
                 WHERE tenant_id = $1 AND client_id = $2",
            )
            .bind(*next.tenant.as_uuid())
            .bind(*id.as_uuid())
            .bind(next.name.as_str())
            .bind(next.external_id.as_deref())
            .bind(next.branding.as_ref().map(to_json).transpose()?)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(EXTERNAL_ID_TAKEN))?;
            Store::client_changed(tx, scope, id, "updated", context).await?;
            Ok(next)
        }

        /// Audits a change of a client within `tx`.
        async fn client_changed(
            tx: &mut Tx,
            scope: &TenantScope,
            id: ClientId,
            change: &str,
            context: &AuditContext,
        ) -> StoreResult<()> {
            let event = event(
                scope,
                events::CLIENT_CHANGED,
                "client",
                id.as_uuid(),
                json!({ "change": change }),
            );
            Store::append_audit_in(tx, scope.tenant_id(), event, context).await?;
            Ok(())
        }

        /// One attempt at an upsert: update the client holding the external id, or create it.
        async fn upsert_client_once(
            &self,
            scope: &TenantScope,
            input: ClientInput,
            context: &AuditContext,
        ) -> StoreResult<Upserted<Client>> {
            let external_id = require_external_id(input.external_id.as_deref())?.to_owned();
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let existing: Option<Uuid> = sqlx::query_scalar(
                "SELECT client_id FROM portal_client WHERE tenant_id = $1 AND external_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(external_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            let upserted = match existing {
                Some(id) => Upserted {
                    record: Store::update_client_in(
                        &mut tx,
                        scope,
                        ClientId::from_uuid(id),
                        input,
                        context,
                    )
                    .await?,
                    created: false,
                },
                None => Upserted {
                    record: Store::create_client_in(&mut tx, scope, input, context).await?,
                    created: true,
                },
            };
            tx.commit().await.map_err(backend)?;
            Ok(upserted)
        }
    }

    #[async_trait]
    impl ClientStore for Store {
        async fn create_client(
            &self,
            scope: &TenantScope,
            client: ClientInput,
            audit: &AuditContext,
        ) -> StoreResult<Client> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let client = Store::create_client_in(&mut tx, scope, client, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(client)
        }

        async fn client(&self, scope: &TenantScope, id: ClientId) -> StoreResult<Option<Client>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let client = Store::client_in(&mut tx, scope.tenant_id(), id).await?;
            tx.commit().await.map_err(backend)?;
            Ok(client.filter(|client| scope.can_reach_client(client.id)))
        }

        async fn client_by_external_id(
            &self,
            scope: &TenantScope,
            external_id: &str,
        ) -> StoreResult<Option<Client>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let row: Option<ClientRow> = sqlx::query_as(BY_EXTERNAL_ID)
                .bind(*scope.tenant_id().as_uuid())
                .bind(external_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let client = row.map(ClientRow::into_client).transpose()?;
            Ok(client.filter(|client| scope.can_reach_client(client.id)))
        }

        async fn list_clients(
            &self,
            scope: &TenantScope,
            page: Page,
        ) -> StoreResult<Paged<Client>> {
            let clients = scope.reachable_clients();
            if matches!(&clients, ClientFilter::Only(some) if some.is_empty()) {
                return Ok(empty_page());
            }
            let tenant = scope.tenant_id();
            let tx = self.read(tenant).await?;
            let mut query = sqlx::QueryBuilder::<Db>::new(select_client!(" WHERE tenant_id = "));
            query.push_bind(*tenant.as_uuid());
            push_clients(&mut query, "client_id", &clients);
            push_page(&mut query, "client_id", page);
            let rows: Vec<ClientRow> = Store::fetch_list(tx, query).await?;
            paged(rows, page, ClientRow::into_client, |client| {
                *client.id.as_uuid()
            })
        }

        async fn update_client(
            &self,
            scope: &TenantScope,
            id: ClientId,
            client: ClientInput,
            audit: &AuditContext,
        ) -> StoreResult<Client> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let client = Store::update_client_in(&mut tx, scope, id, client, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(client)
        }

        async fn set_client_archived(
            &self,
            scope: &TenantScope,
            id: ClientId,
            archived: bool,
            audit: &AuditContext,
        ) -> StoreResult<Client> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let current = Store::managed_client_in(&mut tx, scope, id).await?;
            if current.archived == archived {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            lifecycle::require_restorable(&current, archived)?;
            // A restore ends the offboarding too.
            let offboarded_at = current.offboarded_at.filter(|_| archived);
            sqlx::query(
                "UPDATE portal_client SET archived = $3, offboarded_at = $4 \
                 WHERE tenant_id = $1 AND client_id = $2",
            )
            .bind(*current.tenant.as_uuid())
            .bind(*id.as_uuid())
            .bind(archived)
            .bind(offboarded_at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            let change = if archived { "archived" } else { "restored" };
            Store::client_changed(&mut tx, scope, id, change, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(Client {
                archived,
                offboarded_at,
                ..current
            })
        }

        async fn offboard_client(
            &self,
            scope: &TenantScope,
            id: ClientId,
            audit: &AuditContext,
        ) -> StoreResult<OffboardReport> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let report = Store::offboard_in(&mut tx, scope, id, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(report)
        }

        async fn erase_client(
            &self,
            scope: &TenantScope,
            id: ClientId,
            audit: &AuditContext,
        ) -> StoreResult<ErasureReport> {
            let mut tx = self.write(scope.tenant_id()).await?;
            let report = Store::erase_in(&mut tx, scope, id, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(report)
        }

        async fn upsert_client(
            &self,
            scope: &TenantScope,
            client: ClientInput,
            audit: &AuditContext,
        ) -> StoreResult<Upserted<Client>> {
            // A concurrent upsert of the same id can win the insert (PostgreSQL runs them side
            // by side); the second attempt then finds its row and updates it.
            match self.upsert_client_once(scope, client.clone(), audit).await {
                Err(StoreError::Conflict { .. }) => {
                    self.upsert_client_once(scope, client, audit).await
                }
                other => other,
            }
        }
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod tests {
    use super::super::work_fixture::assert_external_id_lookup_indexed;
    use super::*;

    /// The lookup by external id searches the `(tenant_id, external_id)` unique index: no scan.
    #[tokio::test]
    async fn the_lookup_by_external_id_uses_an_index() {
        assert_external_id_lookup_indexed(BY_EXTERNAL_ID).await;
    }
}
