//! Invitations and API keys.

use std::collections::BTreeMap;

use async_trait::async_trait;
use portal_core::model::{
    AcceptedInvitation, ApiKey, AuditContext, Invitation, InvitationAcceptance, NewApiKey,
    NewInvitation,
};
use portal_core::state::Sha256Digest;
use portal_core::{
    ApiKeyId, ClientId, Email, InvitationId, Permission, RoleId, TenantId, TenantScope,
};
use time::OffsetDateTime;

use super::view::page_of;
use super::{MemoryStore, State, acting_user, now, require_text, stored_time};
use crate::rules::{self, InvitationListRule, conflicts};
use crate::traits::{ApiKeyStore, InvitationStore};
use crate::{Page, Paged, StoreError, StoreResult};

/// The invitation and API-key tables.
#[derive(Default)]
pub(super) struct InvitationTables {
    invitations: BTreeMap<InvitationId, Invitation>,
    api_keys: BTreeMap<ApiKeyId, ApiKey>,
}

impl State {
    /// Invitation `id` of `tenant`, to change.
    pub(super) fn invitation_mut(
        &mut self,
        tenant: TenantId,
        id: InvitationId,
    ) -> Option<&mut Invitation> {
        self.invitations
            .invitations
            .get_mut(&id)
            .filter(|invitation| invitation.tenant == tenant)
    }

    /// The invitations to one client of `tenant`.
    pub(super) fn invitations_of_client(
        &self,
        tenant: TenantId,
        client: ClientId,
    ) -> impl Iterator<Item = &Invitation> {
        self.invitations
            .invitations
            .values()
            .filter(move |invitation| {
                invitation.tenant == tenant && invitation.client == Some(client)
            })
    }

    /// Drops the invitations of a deleted role, as the SQL backends' `ON DELETE CASCADE` does.
    pub(super) fn drop_invitations_of_role(&mut self, role: RoleId) {
        self.invitations
            .invitations
            .retain(|_, invitation| invitation.role != role);
    }

    /// Revokes every invitation to `client` neither accepted nor revoked; how many.
    pub(super) fn revoke_invitations_of_client(
        &mut self,
        tenant: TenantId,
        client: ClientId,
        now: OffsetDateTime,
    ) -> u64 {
        let mut revoked = 0;
        for invitation in self.invitations.invitations.values_mut() {
            if invitation.tenant == tenant
                && invitation.client == Some(client)
                && invitation.accepted_at.is_none()
                && invitation.revoked_at.is_none()
            {
                invitation.revoked_at = Some(now);
                revoked += 1;
            }
        }
        revoked
    }

    /// Gives every invitation to `client` a pseudonymous email; their ids and former emails.
    pub(super) fn pseudonymise_invitations_of_client(
        &mut self,
        tenant: TenantId,
        client: ClientId,
    ) -> StoreResult<Vec<(InvitationId, Email)>> {
        let mut changed = Vec::new();
        for invitation in self.invitations.invitations.values_mut() {
            if invitation.tenant == tenant && invitation.client == Some(client) {
                let pseudonym = crate::lifecycle::pseudonym(invitation.id.as_uuid())?;
                changed.push((
                    invitation.id,
                    std::mem::replace(&mut invitation.email, pseudonym),
                ));
            }
        }
        Ok(changed)
    }

    fn create_invitation(
        &mut self,
        scope: &TenantScope,
        new: NewInvitation,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Invitation> {
        self.require_tenant(scope)?;
        let tenant = scope.tenant_id();
        if let Some(client) = new.client
            && self
                .clients
                .get(&client)
                .is_none_or(|row| row.tenant != tenant)
        {
            return Err(StoreError::NotFound);
        }
        rules::require_invitation_admin(scope, new.client)?;
        rules::check_new_invitation(self.role_in(tenant, new.role), &new, now)?;
        if self
            .user_by_email(tenant, &new.email)
            .is_some_and(|row| self.holds_membership(tenant, row.user.id, new.client))
        {
            return Err(StoreError::conflict(conflicts::ALREADY_MEMBER));
        }
        let table = &mut self.invitations.invitations;
        if table.values().any(|row| row.token_hash == new.token_hash) {
            return Err(StoreError::conflict(conflicts::INVITATION_TOKEN_TAKEN));
        }
        // A re-send revokes the open invitation it replaces, which stays listed.
        let mut replaced = Vec::new();
        for open in table.values_mut().filter(|row| {
            row.tenant == tenant
                && row.email == new.email
                && row.client == new.client
                && row.accepted_at.is_none()
                && row.revoked_at.is_none()
        }) {
            open.revoked_at = Some(now);
            replaced.push(open.id);
        }
        let invitation = Invitation {
            id: InvitationId::new(),
            tenant,
            email: new.email,
            client: new.client,
            role: new.role,
            token_hash: new.token_hash,
            invited_by: acting_user(scope),
            expires_at: stored_time(new.expires_at),
            accepted_at: None,
            revoked_at: None,
            created_at: now,
        };
        table.insert(invitation.id, invitation.clone());
        let event = rules::invitation_created_event(scope, &invitation, &replaced);
        self.append_event(tenant, event, context, now);
        let notice = rules::invitation_payload(&invitation);
        self.enqueue(tenant, rules::events::INVITATION_SENT, notice, now);
        Ok(invitation)
    }

    fn revoke_invitation(
        &mut self,
        scope: &TenantScope,
        id: InvitationId,
        context: &AuditContext,
    ) -> StoreResult<Invitation> {
        let current = self
            .invitations
            .invitations
            .get(&id)
            .filter(|row| row.tenant == scope.tenant_id())
            .cloned()
            .ok_or(StoreError::NotFound)?;
        rules::require_invitation_admin(scope, current.client)?;
        if !rules::revocable(&current)? {
            return Ok(current);
        }
        let now = now();
        let revoked = Invitation {
            revoked_at: Some(now),
            ..current
        };
        self.invitations.invitations.insert(id, revoked.clone());
        let event = rules::invitation_revoked_event(scope, id);
        self.append_event(scope.tenant_id(), event, context, now);
        Ok(revoked)
    }

    /// The invitation with this token hash if it is pending at `now`.
    fn pending_invitation(
        &self,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> Option<Invitation> {
        self.invitations
            .invitations
            .values()
            .find(|row| row.token_hash == *token_hash)
            .filter(|row| rules::invitation_pending(row, now))
            .cloned()
    }

    fn accept_invitation(
        &mut self,
        token_hash: &Sha256Digest,
        acceptance: InvitationAcceptance,
        now: OffsetDateTime,
        context: &AuditContext,
    ) -> StoreResult<Option<AcceptedInvitation>> {
        require_text("password_hash", &acceptance.password_hash)?;
        let Some(pending) = self.pending_invitation(token_hash, now) else {
            return Ok(None);
        };
        let tenant = pending.tenant;
        let existing = self
            .user_by_email(tenant, &pending.email)
            .map(|row| row.user.clone());
        rules::check_acceptance(&pending, existing.as_ref())?;
        if existing
            .as_ref()
            .is_some_and(|user| self.holds_membership(tenant, user.id, pending.client))
        {
            return Err(StoreError::conflict(conflicts::ALREADY_MEMBER));
        }
        // Every check passed: from here on the acceptance is written whole (the user writes
        // below repeat checks that passed above, so they cannot fail).
        let created_at = super::now();
        let user_created = existing.is_none();
        let user = match existing {
            Some(user) => {
                self.set_password(tenant, user.id, acceptance.password_hash)?;
                user
            }
            None => {
                let user = rules::invited_user(&pending, acceptance.name, created_at);
                self.insert_user(user.clone(), Some(acceptance.password_hash))?;
                user
            }
        };
        let membership = rules::invited_membership(&pending, user.id, created_at);
        self.memberships.insert(membership.id, membership.clone());
        let invitation = Invitation {
            accepted_at: Some(stored_time(now)),
            ..pending
        };
        self.invitations
            .invitations
            .insert(invitation.id, invitation.clone());
        let accepted = AcceptedInvitation {
            invitation,
            user,
            membership,
        };
        for event in rules::acceptance_events(&accepted, user_created) {
            self.append_event(tenant, event, context, created_at);
        }
        Ok(Some(accepted))
    }

    fn create_api_key(
        &mut self,
        scope: &TenantScope,
        new: NewApiKey,
        context: &AuditContext,
    ) -> StoreResult<ApiKey> {
        self.require_tenant(scope)?;
        rules::check_new_api_key(scope, &new)?;
        let keys = &self.invitations.api_keys;
        if keys.values().any(|key| key.prefix == new.prefix) {
            return Err(StoreError::conflict(conflicts::API_KEY_PREFIX_TAKEN));
        }
        if keys.values().any(|key| key.secret_hash == new.secret_hash) {
            return Err(StoreError::conflict(conflicts::API_KEY_SECRET_TAKEN));
        }
        let now = now();
        let key = ApiKey {
            id: ApiKeyId::new(),
            tenant: scope.tenant_id(),
            name: new.name,
            prefix: new.prefix,
            secret_hash: new.secret_hash,
            permissions: new.permissions,
            created_by: acting_user(scope),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        self.invitations.api_keys.insert(key.id, key.clone());
        let event = rules::api_key_created_event(scope, &key);
        self.append_event(key.tenant, event, context, now);
        Ok(key)
    }

    fn revoke_api_key(
        &mut self,
        scope: &TenantScope,
        id: ApiKeyId,
        context: &AuditContext,
    ) -> StoreResult<ApiKey> {
        rules::require_tenant_level(scope, Permission::ManageApiKeys)?;
        let key = self
            .invitations
            .api_keys
            .get_mut(&id)
            .filter(|key| key.tenant == scope.tenant_id())
            .ok_or(StoreError::NotFound)?;
        if key.revoked_at.is_some() {
            return Ok(key.clone());
        }
        let now = now();
        key.revoked_at = Some(now);
        let revoked = key.clone();
        let event = rules::api_key_revoked_event(scope, id);
        self.append_event(scope.tenant_id(), event, context, now);
        Ok(revoked)
    }
}

#[async_trait]
impl InvitationStore for MemoryStore {
    async fn create_invitation(
        &self,
        scope: &TenantScope,
        invitation: NewInvitation,
        audit: &AuditContext,
    ) -> StoreResult<Invitation> {
        self.with_mut(|state| state.create_invitation(scope, invitation, audit, now()))
    }

    async fn list_invitations(
        &self,
        scope: &TenantScope,
        client: Option<ClientId>,
        page: Page,
    ) -> StoreResult<Paged<Invitation>> {
        let rule = InvitationListRule::new(scope, client);
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            page_of(
                &state.invitations.invitations,
                page,
                InvitationId::from_uuid,
                |row| (row.tenant == tenant && rule.admits(row.client)).then(|| row.clone()),
                |row| *row.id.as_uuid(),
            )
        }))
    }

    async fn revoke_invitation(
        &self,
        scope: &TenantScope,
        id: InvitationId,
        audit: &AuditContext,
    ) -> StoreResult<Invitation> {
        self.with_mut(|state| state.revoke_invitation(scope, id, audit))
    }

    async fn pending_invitation(
        &self,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<Invitation>> {
        Ok(self.with(|state| state.pending_invitation(token_hash, now)))
    }

    async fn accept_invitation(
        &self,
        token_hash: &Sha256Digest,
        acceptance: InvitationAcceptance,
        now: OffsetDateTime,
        audit: &AuditContext,
    ) -> StoreResult<Option<AcceptedInvitation>> {
        self.with_mut(|state| state.accept_invitation(token_hash, acceptance, now, audit))
    }
}

#[async_trait]
impl ApiKeyStore for MemoryStore {
    async fn create_api_key(
        &self,
        scope: &TenantScope,
        key: NewApiKey,
        audit: &AuditContext,
    ) -> StoreResult<ApiKey> {
        self.with_mut(|state| state.create_api_key(scope, key, audit))
    }

    async fn list_api_keys(&self, scope: &TenantScope, page: Page) -> StoreResult<Paged<ApiKey>> {
        rules::require_tenant_level(scope, Permission::ManageApiKeys)?;
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            page_of(
                &state.invitations.api_keys,
                page,
                ApiKeyId::from_uuid,
                |key| (key.tenant == tenant).then(|| key.clone()),
                |key| *key.id.as_uuid(),
            )
        }))
    }

    async fn revoke_api_key(
        &self,
        scope: &TenantScope,
        id: ApiKeyId,
        audit: &AuditContext,
    ) -> StoreResult<ApiKey> {
        self.with_mut(|state| state.revoke_api_key(scope, id, audit))
    }

    async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKey>> {
        Ok(self.with(|state| {
            state
                .invitations
                .api_keys
                .values()
                .find(|key| key.prefix == prefix)
                .cloned()
        }))
    }

    async fn record_api_key_use(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.with_mut(|state| {
            let key = state
                .invitations
                .api_keys
                .get_mut(&id)
                .filter(|key| key.tenant == tenant)
                .ok_or(StoreError::NotFound)?;
            key.last_used_at = Some(stored_time(at));
            Ok(())
        })
    }
}
