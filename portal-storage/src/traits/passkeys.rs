use async_trait::async_trait;
use portal_core::model::{NewPasskey, NewPasskeyCeremony, PasskeyCeremonyKind, PasskeyCredential};
use portal_core::state::Sha256Digest;
use portal_core::validate::DisplayName;
use portal_core::{PasskeyId, TenantId, UserId};
use time::OffsetDateTime;

use crate::StoreResult;

/// Passkeys (WebAuthn credentials) and the state of their ceremonies. Global by tenant and user,
/// like [`MfaStore`](crate::MfaStore): a passkey signs its user in before any session exists, and
/// the auth crate checks the user's own step-up before it changes anything here. Every method
/// binds the tenant, so another tenant's credential or ceremony is never found.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait PasskeyStore: Send + Sync + 'static {
    /// Stores a new passkey of `user`, registered at `now`. A credential id already registered in
    /// the tenant (to anyone) is a conflict; an unknown user is not found; an empty or over-long
    /// credential id or an empty credential is invalid.
    async fn add_passkey(
        &self,
        tenant: TenantId,
        user: UserId,
        passkey: NewPasskey,
        now: OffsetDateTime,
    ) -> StoreResult<PasskeyCredential>;

    /// The user's passkeys, oldest first.
    async fn passkeys_of(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> StoreResult<Vec<PasskeyCredential>>;

    /// Renames one of the user's passkeys; another user's (or tenant's) is not found.
    async fn rename_passkey(
        &self,
        tenant: TenantId,
        user: UserId,
        id: PasskeyId,
        name: DisplayName,
    ) -> StoreResult<PasskeyCredential>;

    /// Deletes (revokes) one of the user's passkeys; another user's (or tenant's) is not found.
    async fn delete_passkey(
        &self,
        tenant: TenantId,
        user: UserId,
        id: PasskeyId,
    ) -> StoreResult<()>;

    /// The tenant's passkey with this credential id, if any.
    async fn passkey_by_credential_id(
        &self,
        tenant: TenantId,
        credential_id: &[u8],
    ) -> StoreResult<Option<PasskeyCredential>>;

    /// Records that the passkey signed its user in at `at`, with its credential as the
    /// authenticator now reports it (signature counter, backup state). A passkey revoked
    /// meanwhile is not found, and stays revoked.
    async fn record_passkey_use(
        &self,
        tenant: TenantId,
        id: PasskeyId,
        credential: String,
        at: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Stores the state of a begun ceremony under the hash of its random handle. A hash already
    /// in use is a conflict; a registration without a user, or a sign-in with one, is invalid.
    async fn begin_passkey_ceremony(
        &self,
        handle_hash: Sha256Digest,
        ceremony: NewPasskeyCeremony,
    ) -> StoreResult<()>;

    /// Takes the state of a ceremony: deletes it and returns its state, if a ceremony with this
    /// handle hash exists in `tenant` of this `kind` and `user` and has not expired at `now`.
    /// Atomic: of two concurrent calls at most one gets the state. A ceremony of another tenant,
    /// kind or user is left alone; an expired one is deleted.
    async fn take_passkey_ceremony(
        &self,
        tenant: TenantId,
        kind: PasskeyCeremonyKind,
        user: Option<UserId>,
        handle_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<String>>;

    /// Deletes the ceremonies expired at `now`; returns how many.
    async fn delete_expired_passkey_ceremonies(&self, now: OffsetDateTime) -> StoreResult<u64>;
}
