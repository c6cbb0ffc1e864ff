//! Login tokens and second factors.

use std::collections::HashMap;

use async_trait::async_trait;
use portal_core::model::{LoginTokenPurpose, TotpEnrolment};
use portal_core::state::Sha256Digest;
use portal_core::{TenantId, UserId};
use time::OffsetDateTime;

use super::{MemoryStore, State, retain_counted, stored_time};
use crate::rules::{conflicts, distinct_code_hashes, require_sealed_secret, totp_step, unexpired};
use crate::traits::{LoginTokenStore, MfaStore};
use crate::{StoreError, StoreResult};

/// Whose second factors: a user of one tenant.
type Owner = (TenantId, UserId);

/// A stored login token (found by its hash, the map's key). No `Debug`: it sits beside a hash.
#[derive(Clone, Copy)]
struct LoginTokenRow {
    tenant: TenantId,
    user: UserId,
    purpose: LoginTokenPurpose,
    expires_at: OffsetDateTime,
}

/// One recovery code: only its hash is kept. No `Debug`, for the same reason.
struct RecoveryCode {
    hash: Sha256Digest,
    used_at: Option<OffsetDateTime>,
}

/// The login-token, TOTP and recovery-code tables.
#[derive(Default)]
pub(super) struct MfaTables {
    /// Login tokens by the SHA-256 of the token: at most one per user and purpose.
    login_tokens: HashMap<Sha256Digest, LoginTokenRow>,
    /// TOTP enrolments, confirmed or not.
    totp: HashMap<Owner, TotpEnrolment>,
    /// Each user's recovery codes, used ones included.
    recovery_codes: HashMap<Owner, Vec<RecoveryCode>>,
}

impl MfaTables {
    fn set_recovery_codes(&mut self, owner: Owner, code_hashes: Vec<Sha256Digest>) {
        let codes = code_hashes
            .into_iter()
            .map(|hash| RecoveryCode {
                hash,
                used_at: None,
            })
            .collect();
        self.recovery_codes.insert(owner, codes);
    }
}

impl State {
    /// Drops every login token, TOTP enrolment and recovery code of `user` (an erased person).
    pub(super) fn drop_credentials_of(&mut self, tenant: TenantId, user: UserId) {
        let owner = (tenant, user);
        self.mfa
            .login_tokens
            .retain(|_, row| (row.tenant, row.user) != owner);
        self.mfa.totp.remove(&owner);
        self.mfa.recovery_codes.remove(&owner);
    }

    /// Tells the account holder their second factor changed (an outbox row).
    fn mfa_changed(&mut self, tenant: TenantId, user: UserId) {
        let notice = crate::rules::security_payload(user);
        let kind = crate::rules::events::SECURITY_MFA_CHANGED;
        self.enqueue(tenant, kind, notice, crate::rules::now());
    }

    /// `NotFound` unless `user` is a user of `tenant`.
    fn require_user(&self, tenant: TenantId, user: UserId) -> StoreResult<()> {
        self.user_in(tenant, user)
            .map(|_| ())
            .ok_or(StoreError::NotFound)
    }

    fn issue_login_token(
        &mut self,
        tenant: TenantId,
        user: UserId,
        purpose: LoginTokenPurpose,
        token_hash: Sha256Digest,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.require_user(tenant, user)?;
        let same_owner = |row: &LoginTokenRow| {
            row.tenant == tenant && row.user == user && row.purpose == purpose
        };
        let tokens = &mut self.mfa.login_tokens;
        if tokens.get(&token_hash).is_some_and(|row| !same_owner(row)) {
            return Err(StoreError::conflict(conflicts::LOGIN_TOKEN_TAKEN));
        }
        // Only the newest token of a purpose works.
        tokens.retain(|_, row| !same_owner(row));
        tokens.insert(
            token_hash,
            LoginTokenRow {
                tenant,
                user,
                purpose,
                expires_at: stored_time(expires_at),
            },
        );
        Ok(())
    }

    fn consume_login_token(
        &mut self,
        tenant: TenantId,
        purpose: LoginTokenPurpose,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> Option<UserId> {
        let tokens = &mut self.mfa.login_tokens;
        let row = *tokens
            .get(token_hash)
            .filter(|row| row.tenant == tenant && row.purpose == purpose)?;
        // Spent or expired, it is gone either way.
        tokens.remove(token_hash);
        unexpired(row.expires_at, now).then_some(row.user)
    }

    fn begin_totp(
        &mut self,
        tenant: TenantId,
        user: UserId,
        sealed_secret: Vec<u8>,
        now: OffsetDateTime,
    ) -> StoreResult<TotpEnrolment> {
        require_sealed_secret(&sealed_secret)?;
        self.require_user(tenant, user)?;
        let owner = (tenant, user);
        if self
            .mfa
            .totp
            .get(&owner)
            .is_some_and(|enrolment| enrolment.confirmed_at.is_some())
        {
            return Err(StoreError::conflict(conflicts::TOTP_CONFIRMED));
        }
        let enrolment = TotpEnrolment {
            tenant,
            user,
            sealed_secret,
            confirmed_at: None,
            last_step: None,
            created_at: stored_time(now),
        };
        self.mfa.totp.insert(owner, enrolment.clone());
        Ok(enrolment)
    }

    fn confirm_totp(
        &mut self,
        tenant: TenantId,
        user: UserId,
        step: u64,
        recovery_code_hashes: Vec<Sha256Digest>,
        now: OffsetDateTime,
    ) -> StoreResult<TotpEnrolment> {
        totp_step(step)?;
        distinct_code_hashes(&recovery_code_hashes)?;
        let owner = (tenant, user);
        let enrolment = self.mfa.totp.get_mut(&owner).ok_or(StoreError::NotFound)?;
        if enrolment.confirmed_at.is_some() {
            return Err(StoreError::conflict(conflicts::TOTP_CONFIRMED));
        }
        enrolment.confirmed_at = Some(stored_time(now));
        enrolment.last_step = Some(step);
        let confirmed = enrolment.clone();
        self.mfa.set_recovery_codes(owner, recovery_code_hashes);
        Ok(confirmed)
    }

    fn use_totp_step(&mut self, tenant: TenantId, user: UserId, step: u64) -> StoreResult<bool> {
        totp_step(step)?;
        let Some(enrolment) = self.mfa.totp.get_mut(&(tenant, user)) else {
            return Ok(false);
        };
        if enrolment.confirmed_at.is_none() || enrolment.last_step.is_some_and(|last| last >= step)
        {
            return Ok(false);
        }
        enrolment.last_step = Some(step);
        Ok(true)
    }

    fn replace_recovery_codes(
        &mut self,
        tenant: TenantId,
        user: UserId,
        code_hashes: Vec<Sha256Digest>,
    ) -> StoreResult<()> {
        distinct_code_hashes(&code_hashes)?;
        self.require_user(tenant, user)?;
        self.mfa.set_recovery_codes((tenant, user), code_hashes);
        Ok(())
    }

    fn use_recovery_code(
        &mut self,
        tenant: TenantId,
        user: UserId,
        code_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> bool {
        let unused = self
            .mfa
            .recovery_codes
            .get_mut(&(tenant, user))
            .and_then(|codes| {
                codes
                    .iter_mut()
                    .find(|code| code.hash == *code_hash && code.used_at.is_none())
            });
        match unused {
            Some(code) => {
                code.used_at = Some(stored_time(now));
                true
            }
            None => false,
        }
    }
}

#[async_trait]
impl LoginTokenStore for MemoryStore {
    async fn issue_login_token(
        &self,
        tenant: TenantId,
        user: UserId,
        purpose: LoginTokenPurpose,
        token_hash: Sha256Digest,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.with_mut(|state| {
            state.issue_login_token(tenant, user, purpose, token_hash, expires_at)
        })
    }

    async fn consume_login_token(
        &self,
        tenant: TenantId,
        purpose: LoginTokenPurpose,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<UserId>> {
        Ok(self.with_mut(|state| state.consume_login_token(tenant, purpose, token_hash, now)))
    }

    async fn delete_expired_login_tokens(&self, now: OffsetDateTime) -> StoreResult<u64> {
        Ok(self.with_mut(|state| {
            retain_counted(&mut state.mfa.login_tokens, |row| {
                unexpired(row.expires_at, now)
            })
        }))
    }
}

#[async_trait]
impl MfaStore for MemoryStore {
    async fn totp(&self, tenant: TenantId, user: UserId) -> StoreResult<Option<TotpEnrolment>> {
        Ok(self.with(|state| state.mfa.totp.get(&(tenant, user)).cloned()))
    }

    async fn begin_totp(
        &self,
        tenant: TenantId,
        user: UserId,
        sealed_secret: Vec<u8>,
        now: OffsetDateTime,
    ) -> StoreResult<TotpEnrolment> {
        self.with_mut(|state| state.begin_totp(tenant, user, sealed_secret, now))
    }

    async fn confirm_totp(
        &self,
        tenant: TenantId,
        user: UserId,
        step: u64,
        recovery_code_hashes: Vec<Sha256Digest>,
        now: OffsetDateTime,
    ) -> StoreResult<TotpEnrolment> {
        self.with_mut(|state| {
            let enrolment = state.confirm_totp(tenant, user, step, recovery_code_hashes, now)?;
            state.mfa_changed(tenant, user);
            Ok(enrolment)
        })
    }

    async fn use_totp_step(&self, tenant: TenantId, user: UserId, step: u64) -> StoreResult<bool> {
        self.with_mut(|state| state.use_totp_step(tenant, user, step))
    }

    async fn remove_totp(&self, tenant: TenantId, user: UserId) -> StoreResult<bool> {
        Ok(self.with_mut(|state| {
            let owner = (tenant, user);
            state.mfa.recovery_codes.remove(&owner);
            let removed = state.mfa.totp.remove(&owner).is_some();
            if removed {
                state.mfa_changed(tenant, user);
            }
            removed
        }))
    }

    async fn replace_recovery_codes(
        &self,
        tenant: TenantId,
        user: UserId,
        code_hashes: Vec<Sha256Digest>,
    ) -> StoreResult<()> {
        self.with_mut(|state| state.replace_recovery_codes(tenant, user, code_hashes))
    }

    async fn use_recovery_code(
        &self,
        tenant: TenantId,
        user: UserId,
        code_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        Ok(self.with_mut(|state| state.use_recovery_code(tenant, user, code_hash, now)))
    }

    async fn recovery_codes_left(&self, tenant: TenantId, user: UserId) -> StoreResult<u32> {
        Ok(self.with(|state| {
            let left = state
                .mfa
                .recovery_codes
                .get(&(tenant, user))
                .map_or(0, |codes| {
                    codes.iter().filter(|code| code.used_at.is_none()).count()
                });
            u32::try_from(left).unwrap_or(u32::MAX)
        }))
    }
}
