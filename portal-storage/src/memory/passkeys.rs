//! Passkeys and the state of their ceremonies.

use std::collections::HashMap;

use async_trait::async_trait;
use portal_core::model::{NewPasskey, NewPasskeyCeremony, PasskeyCeremonyKind, PasskeyCredential};
use portal_core::state::Sha256Digest;
use portal_core::validate::DisplayName;
use portal_core::{PasskeyId, TenantId, UserId};
use time::OffsetDateTime;

use super::{MemoryStore, State, retain_counted, stored_time};
use crate::rules::{check_new_passkey, check_new_passkey_ceremony, conflicts, unexpired};
use crate::traits::PasskeyStore;
use crate::{StoreError, StoreResult};

/// A stored ceremony (found by its handle hash, the map's key).
struct CeremonyRow {
    tenant: TenantId,
    user: Option<UserId>,
    kind: PasskeyCeremonyKind,
    state: String,
    expires_at: OffsetDateTime,
}

/// The passkey and ceremony tables.
#[derive(Default)]
pub(super) struct PasskeyTables {
    /// Passkeys by id.
    passkeys: HashMap<PasskeyId, PasskeyCredential>,
    /// Ceremonies by the SHA-256 of their handle.
    ceremonies: HashMap<Sha256Digest, CeremonyRow>,
}

impl State {
    /// Drops every passkey and pending ceremony of `user` (an erased person).
    pub(super) fn drop_passkeys_of(&mut self, tenant: TenantId, user: UserId) {
        self.passkeys
            .passkeys
            .retain(|_, passkey| (passkey.tenant, passkey.user) != (tenant, user));
        self.passkeys
            .ceremonies
            .retain(|_, row| !(row.tenant == tenant && row.user == Some(user)));
    }

    /// Tells the account holder their second factors changed (an outbox row).
    fn passkeys_changed(&mut self, tenant: TenantId, user: UserId) {
        let notice = crate::rules::security_payload(user);
        let kind = crate::rules::events::SECURITY_MFA_CHANGED;
        self.enqueue(tenant, kind, notice, crate::rules::now());
    }

    /// One of `user`'s passkeys, for a change.
    fn own_passkey(
        &mut self,
        tenant: TenantId,
        user: UserId,
        id: PasskeyId,
    ) -> StoreResult<&mut PasskeyCredential> {
        self.passkeys
            .passkeys
            .get_mut(&id)
            .filter(|passkey| passkey.tenant == tenant && passkey.user == user)
            .ok_or(StoreError::NotFound)
    }

    fn add_passkey(
        &mut self,
        tenant: TenantId,
        user: UserId,
        passkey: NewPasskey,
        now: OffsetDateTime,
    ) -> StoreResult<PasskeyCredential> {
        check_new_passkey(&passkey)?;
        if self.user_in(tenant, user).is_none() {
            return Err(StoreError::NotFound);
        }
        let taken =
            self.passkeys.passkeys.values().any(|stored| {
                stored.tenant == tenant && stored.credential_id == passkey.credential_id
            });
        if taken {
            return Err(StoreError::conflict(conflicts::PASSKEY_CREDENTIAL_TAKEN));
        }
        let stored = PasskeyCredential {
            id: PasskeyId::new(),
            tenant,
            user,
            name: passkey.name,
            credential_id: passkey.credential_id,
            credential: passkey.credential,
            created_at: stored_time(now),
            last_used_at: None,
        };
        self.passkeys.passkeys.insert(stored.id, stored.clone());
        self.passkeys_changed(tenant, user);
        Ok(stored)
    }

    fn take_passkey_ceremony(
        &mut self,
        tenant: TenantId,
        kind: PasskeyCeremonyKind,
        user: Option<UserId>,
        handle_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> Option<String> {
        let ceremonies = &mut self.passkeys.ceremonies;
        ceremonies
            .get(handle_hash)
            .filter(|row| row.tenant == tenant && row.kind == kind && row.user == user)?;
        // Taken or expired, it is gone either way.
        let row = ceremonies.remove(handle_hash)?;
        unexpired(row.expires_at, now).then_some(row.state)
    }
}

#[async_trait]
impl PasskeyStore for MemoryStore {
    async fn add_passkey(
        &self,
        tenant: TenantId,
        user: UserId,
        passkey: NewPasskey,
        now: OffsetDateTime,
    ) -> StoreResult<PasskeyCredential> {
        self.with_mut(|state| state.add_passkey(tenant, user, passkey, now))
    }

    async fn passkeys_of(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> StoreResult<Vec<PasskeyCredential>> {
        Ok(self.with(|state| {
            let mut own: Vec<PasskeyCredential> = state
                .passkeys
                .passkeys
                .values()
                .filter(|passkey| passkey.tenant == tenant && passkey.user == user)
                .cloned()
                .collect();
            own.sort_by_key(|passkey| (passkey.created_at, passkey.id));
            own
        }))
    }

    async fn rename_passkey(
        &self,
        tenant: TenantId,
        user: UserId,
        id: PasskeyId,
        name: DisplayName,
    ) -> StoreResult<PasskeyCredential> {
        self.with_mut(|state| {
            let passkey = state.own_passkey(tenant, user, id)?;
            passkey.name = name;
            Ok(passkey.clone())
        })
    }

    async fn delete_passkey(
        &self,
        tenant: TenantId,
        user: UserId,
        id: PasskeyId,
    ) -> StoreResult<()> {
        self.with_mut(|state| {
            state.own_passkey(tenant, user, id)?;
            state.passkeys.passkeys.remove(&id);
            state.passkeys_changed(tenant, user);
            Ok(())
        })
    }

    async fn passkey_by_credential_id(
        &self,
        tenant: TenantId,
        credential_id: &[u8],
    ) -> StoreResult<Option<PasskeyCredential>> {
        Ok(self.with(|state| {
            state
                .passkeys
                .passkeys
                .values()
                .find(|passkey| passkey.tenant == tenant && passkey.credential_id == credential_id)
                .cloned()
        }))
    }

    async fn record_passkey_use(
        &self,
        tenant: TenantId,
        id: PasskeyId,
        credential: String,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        crate::rules::require_text("credential", &credential)?;
        self.with_mut(|state| {
            let passkey = state
                .passkeys
                .passkeys
                .get_mut(&id)
                .filter(|passkey| passkey.tenant == tenant)
                .ok_or(StoreError::NotFound)?;
            passkey.credential = credential;
            passkey.last_used_at = Some(stored_time(at));
            Ok(())
        })
    }

    async fn begin_passkey_ceremony(
        &self,
        handle_hash: Sha256Digest,
        ceremony: NewPasskeyCeremony,
    ) -> StoreResult<()> {
        check_new_passkey_ceremony(&ceremony)?;
        self.with_mut(|state| {
            if let Some(user) = ceremony.user
                && state.user_in(ceremony.tenant, user).is_none()
            {
                return Err(StoreError::NotFound);
            }
            if state.passkeys.ceremonies.contains_key(&handle_hash) {
                return Err(StoreError::conflict(conflicts::PASSKEY_CEREMONY_TAKEN));
            }
            state.passkeys.ceremonies.insert(
                handle_hash,
                CeremonyRow {
                    tenant: ceremony.tenant,
                    user: ceremony.user,
                    kind: ceremony.kind,
                    state: ceremony.state,
                    expires_at: stored_time(ceremony.expires_at),
                },
            );
            Ok(())
        })
    }

    async fn take_passkey_ceremony(
        &self,
        tenant: TenantId,
        kind: PasskeyCeremonyKind,
        user: Option<UserId>,
        handle_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<String>> {
        Ok(
            self.with_mut(|state| {
                state.take_passkey_ceremony(tenant, kind, user, handle_hash, now)
            }),
        )
    }

    async fn delete_expired_passkey_ceremonies(&self, now: OffsetDateTime) -> StoreResult<u64> {
        Ok(self.with_mut(|state| {
            retain_counted(&mut state.passkeys.ceremonies, |row| {
                unexpired(row.expires_at, now)
            })
        }))
    }
}
