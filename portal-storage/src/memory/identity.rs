//! Users, credentials, roles and memberships.

use std::collections::HashMap;

use async_trait::async_trait;
use portal_core::model::{AuditContext, Credentials, MembershipRecord, NewUser, User};
use portal_core::{
    BuiltinRole, ClientId, DisplayName, Email, Invalid, LanguageTag, Membership, MembershipId,
    MembershipKind, Permission, PermissionSet, Role, RoleId, Rule, Side, TenantId, TenantScope,
    UserId,
};
use serde_json::json;
use time::OffsetDateTime;

use super::view::page_of;
use super::{MemoryStore, RoleRow, State, UserRow, forbidden, invalid, now, object, require_text};
use crate::rules::{
    self, UserReach, client_of, conflicts, events, normalised, require_membership_admin,
    require_user_admin, side_of, writable,
};
use crate::traits::{IdentityStore, MembershipStore};
use crate::{Page, Paged, StoreError, StoreResult};

impl State {
    /// The clients `user` of `tenant` is a contact of.
    fn contact_clients(&self, tenant: TenantId, user: UserId) -> Vec<ClientId> {
        self.memberships
            .values()
            .filter(|membership| membership.tenant == tenant && membership.user == user)
            .filter_map(|membership| client_of(&membership.kind))
            .collect()
    }

    /// A user the scope may see, with the clients it is a contact of; else `NotFound`.
    fn visible_user(&self, scope: &TenantScope, id: UserId) -> StoreResult<(User, Vec<ClientId>)> {
        let row = self
            .user_in(scope.tenant_id(), id)
            .ok_or(StoreError::NotFound)?;
        let clients = self.contact_clients(scope.tenant_id(), id);
        if UserReach::new(scope).sees(scope, &row.user, &clients) {
            Ok((row.user.clone(), clients))
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// A user the scope may give a membership: one it may see, or one that belongs to nobody
    /// yet (just created, or removed everywhere). A contact of a client out of reach is
    /// `NotFound`, so nobody can pull another client's contact into theirs to read it.
    fn joinable_user(&self, scope: &TenantScope, id: UserId) -> StoreResult<User> {
        if let Ok((user, _)) = self.visible_user(scope, id) {
            return Ok(user);
        }
        let tenant = scope.tenant_id();
        let member_somewhere = self
            .memberships
            .values()
            .any(|membership| membership.tenant == tenant && membership.user == id);
        match self.user_in(tenant, id) {
            Some(row) if !member_somewhere => Ok(row.user.clone()),
            _ => Err(StoreError::NotFound),
        }
    }

    /// Checks that every client exists in the scope's tenant.
    fn require_clients(&self, scope: &TenantScope, clients: &[ClientId]) -> StoreResult<()> {
        if clients.iter().all(|client| {
            self.clients
                .get(client)
                .is_some_and(|row| row.tenant == scope.tenant_id())
        }) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The user of `tenant` with this email.
    pub(super) fn user_by_email(&self, tenant: TenantId, email: &Email) -> Option<&UserRow> {
        self.users
            .values()
            .find(|row| row.user.tenant == tenant && row.user.email == *email)
    }

    /// Stores a new user, with `password_hash` if it sets one: `create_user` and an acceptance.
    /// An email already in use in its tenant is a conflict.
    pub(super) fn insert_user(
        &mut self,
        user: User,
        password_hash: Option<String>,
    ) -> StoreResult<()> {
        if self.user_by_email(user.tenant, &user.email).is_some() {
            return Err(StoreError::conflict(conflicts::EMAIL_IN_USE));
        }
        self.users.insert(
            user.id,
            UserRow {
                first_login_at: user.last_login_at,
                user,
                password_hash,
            },
        );
        Ok(())
    }

    /// Sets the password hash of `user` of `tenant` and ends its sessions, as a new password
    /// must: `set_password_hash` and an acceptance by an existing user.
    pub(super) fn set_password(
        &mut self,
        tenant: TenantId,
        user: UserId,
        password_hash: String,
    ) -> StoreResult<()> {
        let row = self
            .users
            .get_mut(&user)
            .filter(|row| row.user.tenant == tenant)
            .ok_or(StoreError::NotFound)?;
        row.password_hash = Some(password_hash);
        self.end_sessions(tenant, user);
        Ok(())
    }

    /// Whether `user` already holds a membership of `client` (`None`: of the staff), which
    /// adding or inviting to another would duplicate.
    pub(super) fn holds_membership(
        &self,
        tenant: TenantId,
        user: UserId,
        client: Option<ClientId>,
    ) -> bool {
        self.memberships.values().any(|membership| {
            membership.tenant == tenant
                && membership.user == user
                && client_of(&membership.kind) == client
        })
    }

    fn create_user(
        &mut self,
        scope: &TenantScope,
        new: NewUser,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<User> {
        self.require_tenant(scope)?;
        rules::require_user_creator(scope, new.side)?;
        let user = User {
            id: UserId::new(),
            tenant: scope.tenant_id(),
            email: new.email,
            name: new.name,
            side: new.side,
            disabled: false,
            locale: None,
            last_login_at: None,
            tour_done_at: None,
            erased_at: None,
            created_at: now,
        };
        self.insert_user(user.clone(), None)?;
        self.audit(
            scope,
            events::USER_CHANGED,
            object("user", user.id.as_uuid()),
            rules::user_created_details(user.side),
            context,
            now,
        );
        Ok(user)
    }

    /// Changes a user the scope may see, after `allowed` passed; audits only a real change.
    fn change_user(
        &mut self,
        scope: &TenantScope,
        id: UserId,
        change: &str,
        context: &AuditContext,
        apply: impl FnOnce(&mut User),
    ) -> StoreResult<User> {
        let (current, _) = self.visible_user(scope, id)?;
        let mut next = current.clone();
        apply(&mut next);
        if next == current {
            return Ok(current);
        }
        if let Some(row) = self.users.get_mut(&id) {
            row.user = next.clone();
        }
        self.audit(
            scope,
            events::USER_CHANGED,
            object("user", id.as_uuid()),
            json!({ "change": change }),
            context,
            now(),
        );
        Ok(next)
    }

    fn rename_user(
        &mut self,
        scope: &TenantScope,
        id: UserId,
        name: DisplayName,
        context: &AuditContext,
    ) -> StoreResult<User> {
        let (user, clients) = self.visible_user(scope, id)?;
        writable(scope)?;
        if scope.principal().user_id() != Some(id) {
            require_user_admin(scope, user.side, &clients)?;
        }
        self.change_user(scope, id, "renamed", context, |user| user.name = name)
    }

    fn set_locale(
        &mut self,
        scope: &TenantScope,
        id: UserId,
        locale: Option<LanguageTag>,
        context: &AuditContext,
    ) -> StoreResult<User> {
        let (user, clients) = self.visible_user(scope, id)?;
        writable(scope)?;
        if scope.principal().user_id() != Some(id) {
            require_user_admin(scope, user.side, &clients)?;
        }
        let locale = locale.map(LanguageTag::into_string);
        self.change_user(scope, id, "locale", context, |user| user.locale = locale)
    }

    fn finish_tour(&mut self, scope: &TenantScope, context: &AuditContext) -> StoreResult<User> {
        let id = scope.principal().user_id().ok_or(StoreError::NotFound)?;
        let (user, _) = self.visible_user(scope, id)?;
        writable(scope)?;
        if user.tour_done_at.is_some() {
            return Ok(user);
        }
        let at = now();
        self.change_user(scope, id, "tour_done", context, |user| {
            user.tour_done_at = Some(at);
        })
    }

    fn set_disabled(
        &mut self,
        scope: &TenantScope,
        id: UserId,
        disabled: bool,
        context: &AuditContext,
    ) -> StoreResult<User> {
        let (user, clients) = self.visible_user(scope, id)?;
        require_user_admin(scope, user.side, &clients)?;
        let change = if disabled { "disabled" } else { "enabled" };
        let user = self.change_user(scope, id, change, context, |user| user.disabled = disabled)?;
        if disabled {
            self.end_sessions(user.tenant, id);
        }
        Ok(user)
    }

    fn set_password_hash(
        &mut self,
        tenant: TenantId,
        user: UserId,
        password_hash: String,
    ) -> StoreResult<()> {
        require_text("password_hash", &password_hash)?;
        self.set_password(tenant, user, password_hash)?;
        let event = rules::password_changed_event(user);
        self.append_event(tenant, event, &AuditContext::default(), now());
        Ok(())
    }

    fn memberships_of(&self, tenant: TenantId, user: UserId) -> Vec<Membership> {
        let Some(row) = self.user_in(tenant, user) else {
            return Vec::new();
        };
        if row.user.disabled {
            return Vec::new();
        }
        let live = |client: &ClientId| {
            self.clients
                .get(client)
                .is_some_and(|row| row.tenant == tenant && !row.archived)
        };
        self.memberships
            .values()
            .filter(|membership| membership.tenant == tenant && membership.user == user)
            .filter_map(|membership| {
                let role = self.role_in(tenant, membership.role)?;
                let kind = match &membership.kind {
                    MembershipKind::Contact { client } => {
                        if !live(client) {
                            return None;
                        }
                        MembershipKind::Contact { client: *client }
                    }
                    MembershipKind::Staff { assigned_clients } => MembershipKind::Staff {
                        assigned_clients: assigned_clients.iter().copied().filter(live).collect(),
                    },
                };
                Some(Membership {
                    tenant,
                    user,
                    permissions: role.permissions(),
                    kind,
                })
            })
            .collect()
    }

    fn roles(&self, scope: &TenantScope) -> StoreResult<Vec<Role>> {
        self.require_tenant(scope)?;
        if !scope.is_staff_side() {
            return Err(forbidden(Rule::TenantLevelObject));
        }
        let mut roles: Vec<&RoleRow> = self
            .roles
            .values()
            .filter(|row| row.tenant == scope.tenant_id())
            .collect();
        let rank = |role: &Role| {
            role.builtin_role()
                .and_then(|builtin| BuiltinRole::ALL.iter().position(|b| *b == builtin))
                .unwrap_or(BuiltinRole::ALL.len())
        };
        roles.sort_by(|a, b| {
            rank(&a.role)
                .cmp(&rank(&b.role))
                .then_with(|| a.role.id().cmp(&b.role.id()))
        });
        Ok(roles.into_iter().map(|row| row.role.clone()).collect())
    }

    fn create_role(
        &mut self,
        scope: &TenantScope,
        name: DisplayName,
        side: Side,
        permissions: PermissionSet,
        context: &AuditContext,
    ) -> StoreResult<Role> {
        self.require_tenant(scope)?;
        rules::require_tenant_level(scope, Permission::ManageRoles)?;
        let role = Role::custom(RoleId::new(), name, side, permissions)?;
        if self
            .roles
            .values()
            .any(|row| row.tenant == scope.tenant_id() && row.role.name() == role.name())
        {
            return Err(StoreError::conflict("role name already in use"));
        }
        self.roles.insert(
            role.id(),
            RoleRow {
                tenant: scope.tenant_id(),
                role: role.clone(),
            },
        );
        self.audit(
            scope,
            events::ROLE_CHANGED,
            object("role", role.id().as_uuid()),
            json!({ "change": "created", "side": side, "permissions": role.permissions() }),
            context,
            now(),
        );
        Ok(role)
    }

    fn set_role_permissions(
        &mut self,
        scope: &TenantScope,
        id: RoleId,
        permissions: PermissionSet,
        context: &AuditContext,
    ) -> StoreResult<Role> {
        let current = self
            .role_in(scope.tenant_id(), id)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        rules::require_tenant_level(scope, Permission::ManageRoles)?;
        let mut next = current.clone();
        next.set_permissions(permissions)?;
        if next == current {
            return Ok(current);
        }
        if let Some(row) = self.roles.get_mut(&id) {
            row.role = next.clone();
        }
        self.audit(
            scope,
            events::ROLE_CHANGED,
            object("role", id.as_uuid()),
            json!({ "change": "permissions", "permissions": next.permissions() }),
            context,
            now(),
        );
        Ok(next)
    }

    fn delete_role(
        &mut self,
        scope: &TenantScope,
        id: RoleId,
        context: &AuditContext,
    ) -> StoreResult<()> {
        let role = self
            .role_in(scope.tenant_id(), id)
            .ok_or(StoreError::NotFound)?;
        rules::require_tenant_level(scope, Permission::ManageRoles)?;
        if role.builtin_role().is_some() {
            return Err(StoreError::conflict("built-in roles cannot be deleted"));
        }
        if self
            .memberships
            .values()
            .any(|membership| membership.role == id)
        {
            return Err(StoreError::conflict("role is still held"));
        }
        self.roles.remove(&id);
        self.drop_invitations_of_role(id);
        self.audit(
            scope,
            events::ROLE_CHANGED,
            object("role", id.as_uuid()),
            json!({ "change": "deleted" }),
            context,
            now(),
        );
        Ok(())
    }

    fn add_membership(
        &mut self,
        scope: &TenantScope,
        user: UserId,
        role: RoleId,
        kind: MembershipKind,
        context: &AuditContext,
    ) -> StoreResult<MembershipRecord> {
        let tenant = scope.tenant_id();
        let user = self.joinable_user(scope, user)?;
        let role = self
            .role_in(tenant, role)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        let kind = match kind {
            MembershipKind::Staff { assigned_clients } => {
                self.require_clients(scope, &assigned_clients)?;
                MembershipKind::Staff {
                    assigned_clients: normalised(assigned_clients),
                }
            }
            MembershipKind::Contact { client } => {
                self.require_clients(scope, &[client])?;
                MembershipKind::Contact { client }
            }
        };
        require_membership_admin(scope, &kind)?;
        if side_of(&kind) != user.side {
            return Err(invalid(
                "kind",
                Invalid::Malformed("does not match the user's side"),
            ));
        }
        if role.side() != user.side {
            return Err(invalid(
                "role",
                Invalid::Malformed("is a role of the other side"),
            ));
        }
        if self.holds_membership(tenant, user.id, client_of(&kind)) {
            return Err(StoreError::conflict(conflicts::ALREADY_MEMBER));
        }
        let record = MembershipRecord {
            id: MembershipId::new(),
            tenant,
            user: user.id,
            role: role.id(),
            kind,
            created_at: now(),
        };
        self.memberships.insert(record.id, record.clone());
        self.audit(
            scope,
            events::MEMBERSHIP_CHANGED,
            object("membership", record.id.as_uuid()),
            rules::membership_added_details(user.id, role.id()),
            context,
            now(),
        );
        Ok(record)
    }

    /// A membership of the scope's tenant that the scope may manage.
    fn managed_membership(
        &self,
        scope: &TenantScope,
        id: MembershipId,
    ) -> StoreResult<MembershipRecord> {
        let record = self
            .memberships
            .get(&id)
            .filter(|record| record.tenant == scope.tenant_id())
            .cloned()
            .ok_or(StoreError::NotFound)?;
        require_membership_admin(scope, &record.kind)?;
        Ok(record)
    }

    /// Stores a changed membership and audits it, unless nothing changed.
    fn replace_membership(
        &mut self,
        scope: &TenantScope,
        current: MembershipRecord,
        next: MembershipRecord,
        details: serde_json::Value,
        context: &AuditContext,
    ) -> MembershipRecord {
        if next == current {
            return current;
        }
        self.memberships.insert(next.id, next.clone());
        self.audit(
            scope,
            events::MEMBERSHIP_CHANGED,
            object("membership", next.id.as_uuid()),
            details,
            context,
            now(),
        );
        next
    }

    fn change_role(
        &mut self,
        scope: &TenantScope,
        id: MembershipId,
        role: RoleId,
        context: &AuditContext,
    ) -> StoreResult<MembershipRecord> {
        let current = self.managed_membership(scope, id)?;
        let role = self
            .role_in(scope.tenant_id(), role)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if role.side() != side_of(&current.kind) {
            return Err(invalid(
                "role",
                Invalid::Malformed("is a role of the other side"),
            ));
        }
        let next = MembershipRecord {
            role: role.id(),
            ..current.clone()
        };
        let details = json!({ "change": "role", "role": role.id() });
        Ok(self.replace_membership(scope, current, next, details, context))
    }

    fn assign_clients(
        &mut self,
        scope: &TenantScope,
        id: MembershipId,
        clients: Vec<ClientId>,
        context: &AuditContext,
    ) -> StoreResult<MembershipRecord> {
        let current = self.managed_membership(scope, id)?;
        if !matches!(current.kind, MembershipKind::Staff { .. }) {
            return Err(invalid(
                "membership",
                Invalid::Malformed("only staff memberships have assigned clients"),
            ));
        }
        self.require_clients(scope, &clients)?;
        let clients = normalised(clients);
        let next = MembershipRecord {
            kind: MembershipKind::Staff {
                assigned_clients: clients.clone(),
            },
            ..current.clone()
        };
        let details = json!({ "change": "assigned_clients", "clients": clients });
        Ok(self.replace_membership(scope, current, next, details, context))
    }

    fn remove_membership(
        &mut self,
        scope: &TenantScope,
        id: MembershipId,
        context: &AuditContext,
    ) -> StoreResult<()> {
        let record = self.managed_membership(scope, id)?;
        self.memberships.remove(&id);
        self.audit(
            scope,
            events::MEMBERSHIP_CHANGED,
            object("membership", id.as_uuid()),
            json!({ "change": "removed", "user": record.user }),
            context,
            now(),
        );
        Ok(())
    }

    fn list_memberships(
        &self,
        scope: &TenantScope,
        client: Option<ClientId>,
        page: Page,
    ) -> Paged<MembershipRecord> {
        let tenant = scope.tenant_id();
        page_of(
            &self.memberships,
            page,
            MembershipId::from_uuid,
            |record| {
                let of_client = client.is_none_or(|wanted| {
                    matches!(record.kind, MembershipKind::Contact { client } if client == wanted)
                });
                (record.tenant == tenant
                    && of_client
                    && require_membership_admin(scope, &record.kind).is_ok())
                .then(|| record.clone())
            },
            |record| *record.id.as_uuid(),
        )
    }
}

#[async_trait]
impl IdentityStore for MemoryStore {
    async fn create_user(
        &self,
        scope: &TenantScope,
        user: NewUser,
        audit: &AuditContext,
    ) -> StoreResult<User> {
        self.with_mut(|state| state.create_user(scope, user, audit, now()))
    }

    async fn user(&self, scope: &TenantScope, id: UserId) -> StoreResult<Option<User>> {
        Ok(self.with(|state| state.visible_user(scope, id).ok().map(|(user, _)| user)))
    }

    async fn list_users(
        &self,
        scope: &TenantScope,
        side: Option<Side>,
        page: Page,
    ) -> StoreResult<Paged<User>> {
        if !scope.is_staff_side() {
            return Err(forbidden(Rule::TenantLevelObject));
        }
        let reach = UserReach::new(scope);
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            let mut clients: HashMap<UserId, Vec<ClientId>> = HashMap::new();
            let of_tenant = state.memberships.values().filter(|m| m.tenant == tenant);
            for membership in of_tenant {
                if let Some(client) = client_of(&membership.kind) {
                    clients.entry(membership.user).or_default().push(client);
                }
            }
            page_of(
                &state.users,
                page,
                UserId::from_uuid,
                |row| {
                    let of_user = clients.get(&row.user.id).map_or(&[][..], Vec::as_slice);
                    (side.is_none_or(|side| row.user.side == side)
                        && reach.sees(scope, &row.user, of_user))
                    .then(|| row.user.clone())
                },
                |user| *user.id.as_uuid(),
            )
        }))
    }

    async fn rename_user(
        &self,
        scope: &TenantScope,
        id: UserId,
        name: DisplayName,
        audit: &AuditContext,
    ) -> StoreResult<User> {
        self.with_mut(|state| state.rename_user(scope, id, name, audit))
    }

    async fn set_locale(
        &self,
        scope: &TenantScope,
        id: UserId,
        locale: Option<LanguageTag>,
        audit: &AuditContext,
    ) -> StoreResult<User> {
        self.with_mut(|state| state.set_locale(scope, id, locale, audit))
    }

    async fn finish_tour(&self, scope: &TenantScope, audit: &AuditContext) -> StoreResult<User> {
        self.with_mut(|state| state.finish_tour(scope, audit))
    }

    async fn set_disabled(
        &self,
        scope: &TenantScope,
        id: UserId,
        disabled: bool,
        audit: &AuditContext,
    ) -> StoreResult<User> {
        self.with_mut(|state| state.set_disabled(scope, id, disabled, audit))
    }

    async fn credentials_by_email(
        &self,
        tenant: TenantId,
        email: &Email,
    ) -> StoreResult<Option<Credentials>> {
        Ok(self.with(|state| {
            state.user_by_email(tenant, email).map(|row| Credentials {
                user: row.user.clone(),
                password_hash: row.password_hash.clone(),
            })
        }))
    }

    async fn set_password_hash(
        &self,
        tenant: TenantId,
        user: UserId,
        password_hash: String,
    ) -> StoreResult<()> {
        self.with_mut(|state| {
            state.set_password_hash(tenant, user, password_hash)?;
            let notice = crate::rules::security_payload(user);
            let kind = crate::rules::events::SECURITY_PASSWORD_CHANGED;
            state.enqueue(tenant, kind, notice, crate::rules::now());
            Ok(())
        })
    }

    async fn rehash_password(
        &self,
        tenant: TenantId,
        user: UserId,
        password_hash: String,
    ) -> StoreResult<()> {
        require_text("password_hash", &password_hash)?;
        self.with_mut(|state| {
            let row = state
                .users
                .get_mut(&user)
                .filter(|row| row.user.tenant == tenant)
                .ok_or(StoreError::NotFound)?;
            row.password_hash = Some(password_hash);
            Ok(())
        })
    }

    async fn record_login(
        &self,
        tenant: TenantId,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.with_mut(|state| {
            let row = state
                .users
                .get_mut(&user)
                .filter(|row| row.user.tenant == tenant)
                .ok_or(StoreError::NotFound)?;
            let at = super::stored_time(at);
            row.user.last_login_at = Some(at);
            row.first_login_at.get_or_insert(at);
            Ok(())
        })
    }
}

#[async_trait]
impl MembershipStore for MemoryStore {
    async fn memberships_of(&self, tenant: TenantId, user: UserId) -> StoreResult<Vec<Membership>> {
        Ok(self.with(|state| state.memberships_of(tenant, user)))
    }

    async fn roles(&self, scope: &TenantScope) -> StoreResult<Vec<Role>> {
        self.with(|state| state.roles(scope))
    }

    async fn create_role(
        &self,
        scope: &TenantScope,
        name: DisplayName,
        side: Side,
        permissions: PermissionSet,
        audit: &AuditContext,
    ) -> StoreResult<Role> {
        self.with_mut(|state| state.create_role(scope, name, side, permissions, audit))
    }

    async fn set_role_permissions(
        &self,
        scope: &TenantScope,
        role: RoleId,
        permissions: PermissionSet,
        audit: &AuditContext,
    ) -> StoreResult<Role> {
        self.with_mut(|state| state.set_role_permissions(scope, role, permissions, audit))
    }

    async fn delete_role(
        &self,
        scope: &TenantScope,
        role: RoleId,
        audit: &AuditContext,
    ) -> StoreResult<()> {
        self.with_mut(|state| state.delete_role(scope, role, audit))
    }

    async fn add_membership(
        &self,
        scope: &TenantScope,
        user: UserId,
        role: RoleId,
        kind: MembershipKind,
        audit: &AuditContext,
    ) -> StoreResult<MembershipRecord> {
        self.with_mut(|state| state.add_membership(scope, user, role, kind, audit))
    }

    async fn change_role(
        &self,
        scope: &TenantScope,
        membership: MembershipId,
        role: RoleId,
        audit: &AuditContext,
    ) -> StoreResult<MembershipRecord> {
        self.with_mut(|state| state.change_role(scope, membership, role, audit))
    }

    async fn assign_clients(
        &self,
        scope: &TenantScope,
        membership: MembershipId,
        clients: Vec<ClientId>,
        audit: &AuditContext,
    ) -> StoreResult<MembershipRecord> {
        self.with_mut(|state| state.assign_clients(scope, membership, clients, audit))
    }

    async fn remove_membership(
        &self,
        scope: &TenantScope,
        membership: MembershipId,
        audit: &AuditContext,
    ) -> StoreResult<()> {
        self.with_mut(|state| state.remove_membership(scope, membership, audit))
    }

    async fn list_memberships(
        &self,
        scope: &TenantScope,
        client: Option<ClientId>,
        page: Page,
    ) -> StoreResult<Paged<MembershipRecord>> {
        Ok(self.with(|state| state.list_memberships(scope, client, page)))
    }
}

#[cfg(test)]
mod tests {
    use portal_core::model::{NewUser, Session};
    use portal_core::state::Sha256Digest;
    use portal_core::{
        BuiltinRole, Email, MembershipKind, Permission, PermissionSet, Side, TenantScope,
    };
    use time::{Duration, OffsetDateTime};

    use super::super::fixture::{World, ctx, name, scope_of};
    use crate::traits::{ClientStore, IdentityStore, MembershipStore, SessionStore};
    use crate::{Page, StoreError};

    fn session(world: &World, fill: u8) -> Session {
        let now = OffsetDateTime::now_utc();
        Session {
            token_hash: Sha256Digest::from_bytes([fill; 32]),
            tenant: world.tenant.id,
            user: world.contact_user,
            created_at: now,
            authenticated_at: now,
            last_seen_at: now,
            expires_at: now + Duration::days(1),
            ip: None,
            user_agent: None,
        }
    }

    #[tokio::test]
    async fn disabling_a_user_or_changing_the_password_ends_its_sessions() {
        let world = World::new("people").await;
        let store = &world.store;
        store.create_session(session(&world, 1)).await.unwrap();
        store.create_session(session(&world, 2)).await.unwrap();
        assert_eq!(
            store
                .sessions_of(world.tenant.id, world.contact_user)
                .await
                .unwrap()
                .len(),
            2
        );

        store
            .set_password_hash(
                world.tenant.id,
                world.contact_user,
                "$argon2id$x".to_owned(),
            )
            .await
            .unwrap();
        assert!(
            store
                .sessions_of(world.tenant.id, world.contact_user)
                .await
                .unwrap()
                .is_empty()
        );

        store.create_session(session(&world, 3)).await.unwrap();
        let disabled = store
            .set_disabled(&world.owner, world.contact_user, true, &ctx())
            .await
            .unwrap();
        assert!(disabled.disabled);
        assert!(
            store
                .session(&Sha256Digest::from_bytes([3; 32]))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .memberships_of(world.tenant.id, world.contact_user)
                .await
                .unwrap()
                .is_empty()
        );
        let credentials = store
            .credentials_by_email(world.tenant.id, &disabled.email)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(credentials.password_hash.as_deref(), Some("$argon2id$x"));
    }

    #[tokio::test]
    async fn archiving_a_client_takes_its_contacts_access() {
        let world = World::new("archive").await;
        let store = &world.store;
        store
            .set_client_archived(&world.owner, world.client.id, true, &ctx())
            .await
            .unwrap();
        assert!(
            store
                .memberships_of(world.tenant.id, world.contact_user)
                .await
                .unwrap()
                .is_empty()
        );
        store
            .set_client_archived(&world.owner, world.client.id, false, &ctx())
            .await
            .unwrap();
        let memberships = store
            .memberships_of(world.tenant.id, world.contact_user)
            .await
            .unwrap();
        assert_eq!(memberships.len(), 1);
        assert_eq!(
            memberships[0].permissions,
            BuiltinRole::Approver.default_permissions()
        );
    }

    #[tokio::test]
    async fn roles_keep_their_rules() {
        let world = World::new("roles").await;
        let store = &world.store;
        let roles = store.roles(&world.owner).await.unwrap();
        assert_eq!(roles.len(), 8);
        assert_eq!(roles[0].builtin_role(), Some(BuiltinRole::Owner));
        assert!(matches!(
            store.roles(&world.contact).await,
            Err(StoreError::Forbidden(_))
        ));

        let auditor = store
            .create_role(
                &world.owner,
                name("Auditor"),
                Side::Client,
                PermissionSet::from_slice(&[Permission::ViewProjects]),
                &ctx(),
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .create_role(
                    &world.owner,
                    name("Auditor"),
                    Side::Client,
                    PermissionSet::EMPTY,
                    &ctx()
                )
                .await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            store.delete_role(&world.owner, roles[0].id(), &ctx()).await,
            Err(StoreError::Conflict { .. })
        ));

        let user = store
            .create_user(
                &world.owner,
                NewUser {
                    email: Email::parse("bo@acme.example.com").unwrap(),
                    name: name("Bo"),
                    side: Side::Client,
                },
                &ctx(),
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .create_user(
                    &world.owner,
                    NewUser {
                        email: Email::parse("BO@acme.example.com").unwrap(),
                        name: name("Bo again"),
                        side: Side::Client,
                    },
                    &ctx(),
                )
                .await,
            Err(StoreError::Conflict { .. })
        ));
        // A staff role for a contact is refused.
        assert!(matches!(
            store
                .add_membership(
                    &world.owner,
                    user.id,
                    roles[0].id(),
                    MembershipKind::Contact {
                        client: world.client.id
                    },
                    &ctx(),
                )
                .await,
            Err(StoreError::Invalid(_))
        ));
        let membership = store
            .add_membership(
                &world.owner,
                user.id,
                auditor.id(),
                MembershipKind::Contact {
                    client: world.client.id,
                },
                &ctx(),
            )
            .await
            .unwrap();
        assert!(matches!(
            store.delete_role(&world.owner, auditor.id(), &ctx()).await,
            Err(StoreError::Conflict { .. })
        ));
        let scope: TenantScope = scope_of(store, &world.tenant, user.id).await;
        assert!(
            scope
                .permissions_in(Some(world.client.id))
                .contains(Permission::ViewProjects)
        );

        let listed = store
            .list_memberships(&world.owner, Some(world.client.id), Page::default())
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 2);
        assert!(
            store
                .list_memberships(&world.contact, None, Page::default())
                .await
                .unwrap()
                .items
                .is_empty(),
            "an approver manages nobody"
        );
        store
            .remove_membership(&world.owner, membership.id, &ctx())
            .await
            .unwrap();
        store
            .delete_role(&world.owner, auditor.id(), &ctx())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_contact_sees_itself_and_its_colleagues_only() {
        let world = World::new("privacy").await;
        let store = &world.store;
        let staff = store
            .list_users(&world.owner, Some(Side::Staff), Page::default())
            .await
            .unwrap();
        let owner = staff.items[0].id;
        assert!(
            store
                .user(&world.contact, world.contact_user)
                .await
                .unwrap()
                .is_some()
        );
        assert!(store.user(&world.contact, owner).await.unwrap().is_none());
        assert!(
            store
                .user(&world.owner, world.contact_user)
                .await
                .unwrap()
                .is_some()
        );
        assert!(matches!(
            store
                .list_users(&world.contact, None, Page::default())
                .await,
            Err(StoreError::Forbidden(_))
        ));
        let renamed = store
            .rename_user(&world.contact, world.contact_user, name("Ada L."), &ctx())
            .await
            .unwrap();
        assert_eq!(renamed.name.as_str(), "Ada L.");
        assert!(matches!(
            store
                .rename_user(&world.contact, owner, name("Nope"), &ctx())
                .await,
            Err(StoreError::NotFound)
        ));
    }
}
