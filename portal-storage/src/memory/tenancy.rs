//! Tenants (provisioning, routing, branding, settings) and their clients.

use async_trait::async_trait;
use portal_core::model::{
    AuditContext, Branding, Client, ClientInput, NewAuditEvent, NewTenant, Tenant,
};
use portal_core::{BuiltinRole, ClientId, Permission, Role, RoleId, Slug, TenantId, TenantScope};
use serde_json::json;
use time::OffsetDateTime;

use super::{MemoryStore, RoleRow, State, now, object, require_external_id};
use crate::lifecycle;
use crate::rules::{self, events, normalise_host};
use crate::traits::{ClientStore, ErasureReport, OffboardReport, TenantDirectory, Upserted};
use crate::{Page, Paged, StoreError, StoreResult};

impl State {
    fn create_tenant(&mut self, new: NewTenant, now: OffsetDateTime) -> StoreResult<Tenant> {
        if self.tenants.values().any(|tenant| tenant.slug == new.slug) {
            return Err(StoreError::conflict("slug already in use"));
        }
        let tenant = Tenant {
            id: TenantId::new(),
            slug: new.slug,
            branding: new.branding,
            domains: Vec::new(),
            require_mfa_staff: false,
            require_mfa_contacts: false,
            created_at: now,
        };
        self.tenants.insert(tenant.id, tenant.clone());
        for builtin in BuiltinRole::ALL {
            let role = Role::builtin(RoleId::new(), builtin);
            self.roles.insert(
                role.id(),
                RoleRow {
                    tenant: tenant.id,
                    role,
                },
            );
        }
        let system = TenantScope::dangerous_system(tenant.id);
        let event = NewAuditEvent::by(
            &system,
            events::TENANT_CHANGED,
            Some(object("tenant", tenant.id.as_uuid())),
        )
        .with_details(json!({ "change": "created", "slug": tenant.slug }));
        self.append_event(tenant.id, event, &AuditContext::default(), now);
        Ok(tenant)
    }

    /// Applies `change` to the scope's tenant after `permission` is checked; writes the audit
    /// event only if something changed.
    fn change_tenant(
        &mut self,
        scope: &TenantScope,
        permission: Permission,
        change: &str,
        context: &AuditContext,
        apply: impl FnOnce(&mut Tenant, &State) -> StoreResult<()>,
    ) -> StoreResult<Tenant> {
        let current = self.require_tenant(scope)?.clone();
        rules::require_tenant_level(scope, permission)?;
        let mut next = current.clone();
        apply(&mut next, &*self)?;
        if next == current {
            return Ok(current);
        }
        self.tenants.insert(next.id, next.clone());
        self.audit(
            scope,
            events::TENANT_CHANGED,
            object("tenant", next.id.as_uuid()),
            json!({ "change": change }),
            context,
            now(),
        );
        Ok(next)
    }

    fn create_client(
        &mut self,
        scope: &TenantScope,
        input: ClientInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Client> {
        self.require_tenant(scope)?;
        rules::require_tenant_level(scope, Permission::ManageClients)?;
        self.ensure_external_id_free::<Client>(
            scope.tenant_id(),
            input.external_id.as_deref(),
            None,
        )?;
        let client = Client {
            id: ClientId::new(),
            tenant: scope.tenant_id(),
            name: input.name,
            external_id: input.external_id,
            branding: input.branding,
            archived: false,
            created_at: now,
            offboarded_at: None,
            erased_at: None,
        };
        self.clients.insert(client.id, client.clone());
        self.audit(
            scope,
            events::CLIENT_CHANGED,
            object("client", client.id.as_uuid()),
            json!({ "change": "created" }),
            context,
            now,
        );
        Ok(client)
    }

    fn update_client(
        &mut self,
        scope: &TenantScope,
        id: ClientId,
        input: ClientInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Client> {
        let current = self.load::<Client>(scope, Permission::ManageClients, id)?;
        self.ensure_external_id_free::<Client>(
            scope.tenant_id(),
            input.external_id.as_deref(),
            Some(id),
        )?;
        let next = Client {
            name: input.name,
            external_id: input.external_id,
            branding: input.branding,
            ..current.clone()
        };
        if next == current {
            return Ok(current);
        }
        self.clients.insert(id, next.clone());
        self.audit(
            scope,
            events::CLIENT_CHANGED,
            object("client", id.as_uuid()),
            json!({ "change": "updated" }),
            context,
            now,
        );
        Ok(next)
    }

    fn set_client_archived(
        &mut self,
        scope: &TenantScope,
        id: ClientId,
        archived: bool,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Client> {
        let current = self.load::<Client>(scope, Permission::ManageClients, id)?;
        if current.archived == archived {
            return Ok(current);
        }
        lifecycle::require_restorable(&current, archived)?;
        let next = Client {
            archived,
            offboarded_at: current.offboarded_at.filter(|_| archived),
            ..current
        };
        self.clients.insert(id, next.clone());
        let change = if archived { "archived" } else { "restored" };
        self.audit(
            scope,
            events::CLIENT_CHANGED,
            object("client", id.as_uuid()),
            json!({ "change": change }),
            context,
            now,
        );
        Ok(next)
    }

    fn upsert_client(
        &mut self,
        scope: &TenantScope,
        input: ClientInput,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Upserted<Client>> {
        let external_id = require_external_id(input.external_id.as_deref())?;
        match self
            .by_external_id::<Client>(scope.tenant_id(), external_id)
            .map(|client| client.id)
        {
            Some(id) => Ok(Upserted {
                record: self.update_client(scope, id, input, context, now)?,
                created: false,
            }),
            None => Ok(Upserted {
                record: self.create_client(scope, input, context, now)?,
                created: true,
            }),
        }
    }
}

#[async_trait]
impl TenantDirectory for MemoryStore {
    async fn create_tenant(&self, tenant: NewTenant) -> StoreResult<Tenant> {
        self.with_mut(|state| state.create_tenant(tenant, now()))
    }

    async fn tenant_by_slug(&self, slug: &Slug) -> StoreResult<Option<Tenant>> {
        Ok(self.with(|state| {
            state
                .tenants
                .values()
                .find(|tenant| tenant.slug == *slug)
                .cloned()
        }))
    }

    async fn tenant_by_domain(&self, host: &str) -> StoreResult<Option<Tenant>> {
        let Ok(host) = normalise_host(host) else {
            return Ok(None);
        };
        Ok(self.with(|state| {
            state
                .tenants
                .values()
                .find(|tenant| tenant.domains.contains(&host))
                .cloned()
        }))
    }

    async fn tenant(&self, scope: &TenantScope) -> StoreResult<Tenant> {
        self.with(|state| state.require_tenant(scope).cloned())
    }

    async fn update_branding(
        &self,
        scope: &TenantScope,
        branding: Branding,
        audit: &AuditContext,
    ) -> StoreResult<Tenant> {
        self.with_mut(|state| {
            state.change_tenant(
                scope,
                Permission::ManageBranding,
                "branding",
                audit,
                |tenant, _| {
                    tenant.branding = branding;
                    Ok(())
                },
            )
        })
    }

    async fn add_domain(
        &self,
        scope: &TenantScope,
        host: &str,
        audit: &AuditContext,
    ) -> StoreResult<Tenant> {
        let host = normalise_host(host)?;
        self.with_mut(|state| {
            state.change_tenant(
                scope,
                Permission::ManageBranding,
                "domain_added",
                audit,
                |tenant, state| {
                    if state
                        .tenants
                        .values()
                        .any(|other| other.domains.contains(&host))
                    {
                        return Err(StoreError::conflict("domain already in use"));
                    }
                    tenant.domains.push(host);
                    Ok(())
                },
            )
        })
    }

    async fn remove_domain(
        &self,
        scope: &TenantScope,
        host: &str,
        audit: &AuditContext,
    ) -> StoreResult<Tenant> {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        self.with_mut(|state| {
            state.change_tenant(
                scope,
                Permission::ManageBranding,
                "domain_removed",
                audit,
                |tenant, _| {
                    let before = tenant.domains.len();
                    tenant.domains.retain(|domain| *domain != host);
                    if tenant.domains.len() == before {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                },
            )
        })
    }

    async fn set_mfa_policy(
        &self,
        scope: &TenantScope,
        staff: bool,
        contacts: bool,
        audit: &AuditContext,
    ) -> StoreResult<Tenant> {
        self.with_mut(|state| {
            state.change_tenant(
                scope,
                Permission::ManageTenant,
                "mfa_policy",
                audit,
                |tenant, _| {
                    tenant.require_mfa_staff = staff;
                    tenant.require_mfa_contacts = contacts;
                    Ok(())
                },
            )
        })
    }
}

#[async_trait]
impl ClientStore for MemoryStore {
    async fn create_client(
        &self,
        scope: &TenantScope,
        client: ClientInput,
        audit: &AuditContext,
    ) -> StoreResult<Client> {
        self.with_mut(|state| state.create_client(scope, client, audit, now()))
    }

    async fn client(&self, scope: &TenantScope, id: ClientId) -> StoreResult<Option<Client>> {
        Ok(self.with(|state| {
            state
                .find::<Client>(scope, id)
                .filter(|client| scope.can_reach_client(client.id))
                .cloned()
        }))
    }

    async fn client_by_external_id(
        &self,
        scope: &TenantScope,
        external_id: &str,
    ) -> StoreResult<Option<Client>> {
        Ok(self.with(|state| {
            state
                .by_external_id::<Client>(scope.tenant_id(), external_id)
                .filter(|client| scope.can_reach_client(client.id))
                .cloned()
        }))
    }

    async fn list_clients(&self, scope: &TenantScope, page: Page) -> StoreResult<Paged<Client>> {
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            super::view::page_of(
                &state.clients,
                page,
                ClientId::from_uuid,
                |client| {
                    (client.tenant == tenant && scope.can_reach_client(client.id))
                        .then(|| client.clone())
                },
                |client| *client.id.as_uuid(),
            )
        }))
    }

    async fn update_client(
        &self,
        scope: &TenantScope,
        id: ClientId,
        client: ClientInput,
        audit: &AuditContext,
    ) -> StoreResult<Client> {
        self.with_mut(|state| state.update_client(scope, id, client, audit, now()))
    }

    async fn set_client_archived(
        &self,
        scope: &TenantScope,
        id: ClientId,
        archived: bool,
        audit: &AuditContext,
    ) -> StoreResult<Client> {
        self.with_mut(|state| state.set_client_archived(scope, id, archived, audit, now()))
    }

    async fn offboard_client(
        &self,
        scope: &TenantScope,
        id: ClientId,
        audit: &AuditContext,
    ) -> StoreResult<OffboardReport> {
        self.with_mut(|state| state.offboard_client(scope, id, audit, now()))
    }

    async fn erase_client(
        &self,
        scope: &TenantScope,
        id: ClientId,
        audit: &AuditContext,
    ) -> StoreResult<ErasureReport> {
        self.with_mut(|state| state.erase_client(scope, id, audit, now()))
    }

    async fn upsert_client(
        &self,
        scope: &TenantScope,
        client: ClientInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Client>> {
        self.with_mut(|state| state.upsert_client(scope, client, audit, now()))
    }
}

#[cfg(test)]
mod tests {
    use portal_core::Slug;
    use portal_core::model::{ClientInput, NewTenant};

    use super::super::fixture::{World, branding, ctx, name};
    use crate::traits::{ClientStore, TenantDirectory};
    use crate::{Page, StoreError};

    #[tokio::test]
    async fn slugs_and_domains_are_unique_and_route() {
        let world = World::new("route").await;
        let store = &world.store;
        assert!(matches!(
            store
                .create_tenant(NewTenant {
                    slug: Slug::parse("route").unwrap(),
                    branding: branding("Copy"),
                })
                .await,
            Err(StoreError::Conflict { .. })
        ));
        let tenant = store
            .add_domain(&world.owner, " Portal.Example.COM. ", &ctx())
            .await
            .unwrap();
        assert_eq!(tenant.domains, ["portal.example.com"]);
        let routed = store.tenant_by_domain("PORTAL.example.com").await.unwrap();
        assert_eq!(routed.map(|t| t.id), Some(world.tenant.id));
        let other = World::in_store(store.clone(), "other").await;
        assert!(matches!(
            store
                .add_domain(&other.owner, "portal.example.com", &ctx())
                .await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            store.add_domain(&world.owner, "not a host", &ctx()).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store
                .add_domain(&world.contact, "x.example.com", &ctx())
                .await,
            Err(StoreError::Forbidden(_))
        ));
        store
            .remove_domain(&world.owner, "portal.example.com", &ctx())
            .await
            .unwrap();
        assert!(
            store
                .tenant_by_domain("portal.example.com")
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            store
                .tenant_by_slug(&Slug::parse("other").unwrap())
                .await
                .unwrap()
                .map(|t| t.id),
            Some(other.tenant.id)
        );
    }

    #[tokio::test]
    async fn clients_upsert_by_external_id_and_stay_in_their_tenant() {
        let world = World::new("clients").await;
        let other = World::in_store(world.store.clone(), "clients-two").await;
        let store = &world.store;
        let input = ClientInput {
            name: name("Globex"),
            external_id: Some("crm-9".to_owned()),
            branding: None,
        };
        let created = store
            .upsert_client(&world.owner, input.clone(), &ctx())
            .await
            .unwrap();
        let again = store
            .upsert_client(&world.owner, input.clone(), &ctx())
            .await
            .unwrap();
        assert!(created.created && !again.created);
        assert_eq!(created.record, again.record);
        assert!(matches!(
            store
                .create_client(&world.owner, input.clone(), &ctx())
                .await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(
            store
                .upsert_client(&other.owner, input, &ctx())
                .await
                .unwrap()
                .created
        );
        assert_eq!(
            store.client(&other.owner, created.record.id).await.unwrap(),
            None
        );
        assert_eq!(
            store
                .client(&world.contact, created.record.id)
                .await
                .unwrap(),
            None
        );
        let seen = store
            .list_clients(&world.contact, Page::default())
            .await
            .unwrap();
        assert_eq!(seen.items, vec![world.client.clone()]);
    }
}
