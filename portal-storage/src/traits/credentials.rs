use async_trait::async_trait;
use portal_core::model::{
    AcceptedInvitation, ApiKey, AuditContext, Invitation, InvitationAcceptance, LoginTokenPurpose,
    NewApiKey, NewInvitation, TotpEnrolment,
};
use portal_core::state::Sha256Digest;
use portal_core::{ApiKeyId, ClientId, InvitationId, TenantId, TenantScope, UserId};
use time::OffsetDateTime;

use crate::{Page, Paged, StoreResult};

/// Invitations to join a tenant as a contact of one client, or as staff.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait InvitationStore: Send + Sync + 'static {
    /// Stores an invitation (`manage_staff` for staff; `manage_clients`, or `manage_client_contacts`
    /// within the client, for a contact). The role must be one of the tenant's, of the side the
    /// invitation joins. Re-sending: a pending invitation to the same email for the same client
    /// (or the staff) is replaced, so its old token stops working. An email that already holds
    /// that membership is a conflict.
    async fn create_invitation(
        &self,
        scope: &TenantScope,
        invitation: NewInvitation,
        audit: &AuditContext,
    ) -> StoreResult<Invitation>;

    /// The invitations the scope may manage, newest first, optionally of one client — pending,
    /// accepted, revoked and expired alike.
    async fn list_invitations(
        &self,
        scope: &TenantScope,
        client: Option<ClientId>,
        page: Page,
    ) -> StoreResult<Paged<Invitation>>;

    /// Revokes a pending invitation (same permissions as creating it). An accepted one is a
    /// conflict; revoking a revoked one returns it unchanged.
    async fn revoke_invitation(
        &self,
        scope: &TenantScope,
        id: InvitationId,
        audit: &AuditContext,
    ) -> StoreResult<Invitation>;

    /// The invitation with this token hash if it is still pending at `now` (not accepted,
    /// revoked, replaced or expired). Global: the token is the visitor's only authority.
    async fn pending_invitation(
        &self,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<Invitation>>;

    /// Accepts the pending invitation with this token hash, in one transaction: marks it
    /// accepted, creates the user (with `acceptance.name`) unless the tenant already has one with
    /// the invited email, stores the password hash (ending that user's sessions) and adds the
    /// membership. `None` if nothing is pending under this hash at `now` — so a token works once,
    /// however many arrive at the same moment. An existing user of the other side, or one that
    /// already holds the membership, is a conflict. Global, audited as the accepting user.
    async fn accept_invitation(
        &self,
        token_hash: &Sha256Digest,
        acceptance: InvitationAcceptance,
        now: OffsetDateTime,
        audit: &AuditContext,
    ) -> StoreResult<Option<AcceptedInvitation>>;
}

/// Single-use, purpose-bound login tokens (password reset, magic link). Global: they are used
/// before anyone is authenticated, and the token is the only authority.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait LoginTokenStore: Send + Sync + 'static {
    /// Stores a token for a user of `tenant`, replacing the user's earlier token of the same
    /// purpose (only the newest link works).
    async fn issue_login_token(
        &self,
        tenant: TenantId,
        user: UserId,
        purpose: LoginTokenPurpose,
        token_hash: Sha256Digest,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Spends the token: deletes it and returns its user, if a token with this hash exists in
    /// `tenant` for `purpose` and has not expired at `now`. Atomic: of two concurrent calls at
    /// most one gets the user. A token of another purpose or tenant is left alone.
    async fn consume_login_token(
        &self,
        tenant: TenantId,
        purpose: LoginTokenPurpose,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<UserId>>;

    /// Deletes the tokens expired at `now`; returns how many.
    async fn delete_expired_login_tokens(&self, now: OffsetDateTime) -> StoreResult<u64>;
}

/// Second factors: a TOTP enrolment and recovery codes per user. Global by tenant and user: the
/// second factor is checked during login, before any session exists; the auth crate checks the
/// user's own step-up before it changes anything here.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait MfaStore: Send + Sync + 'static {
    /// The user's TOTP enrolment, confirmed or not.
    async fn totp(&self, tenant: TenantId, user: UserId) -> StoreResult<Option<TotpEnrolment>>;

    /// Starts an enrolment with a new sealed secret, replacing an unconfirmed one. A confirmed
    /// enrolment is a conflict: it must be removed first. An unknown user is not found.
    async fn begin_totp(
        &self,
        tenant: TenantId,
        user: UserId,
        sealed_secret: Vec<u8>,
        now: OffsetDateTime,
    ) -> StoreResult<TotpEnrolment>;

    /// Confirms the pending enrolment, records `step` as used and replaces the user's recovery
    /// codes with these hashes, in one transaction. No enrolment is not found; a confirmed one
    /// is a conflict.
    async fn confirm_totp(
        &self,
        tenant: TenantId,
        user: UserId,
        step: u64,
        recovery_code_hashes: Vec<Sha256Digest>,
        now: OffsetDateTime,
    ) -> StoreResult<TotpEnrolment>;

    /// Records `step` as the last used step of a confirmed enrolment if it is later than the
    /// last one; `false` when it is not (a replayed code) or nothing is confirmed. Atomic, so one
    /// code opens one login however many arrive at once.
    async fn use_totp_step(&self, tenant: TenantId, user: UserId, step: u64) -> StoreResult<bool>;

    /// Removes the user's TOTP enrolment and recovery codes; returns whether there was one.
    async fn remove_totp(&self, tenant: TenantId, user: UserId) -> StoreResult<bool>;

    /// Replaces the user's recovery codes with these hashes (all old codes stop working).
    async fn replace_recovery_codes(
        &self,
        tenant: TenantId,
        user: UserId,
        code_hashes: Vec<Sha256Digest>,
    ) -> StoreResult<()>;

    /// Spends the unused recovery code with this hash; `false` if it is unknown or used. Atomic.
    async fn use_recovery_code(
        &self,
        tenant: TenantId,
        user: UserId,
        code_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;

    /// How many of the user's recovery codes are unused.
    async fn recovery_codes_left(&self, tenant: TenantId, user: UserId) -> StoreResult<u32>;
}

/// API keys for integrations.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ApiKeyStore: Send + Sync + 'static {
    /// Stores a new key created by the scope's user (`manage_api_keys`). The permissions must
    /// be staff permissions the scope holds itself: a key never grants more than its creator.
    /// A prefix already used (in any tenant) is a conflict.
    async fn create_api_key(
        &self,
        scope: &TenantScope,
        key: NewApiKey,
        audit: &AuditContext,
    ) -> StoreResult<ApiKey>;

    /// The tenant's keys, newest first, revoked ones included (`manage_api_keys`).
    async fn list_api_keys(&self, scope: &TenantScope, page: Page) -> StoreResult<Paged<ApiKey>>;

    /// Revokes a key (`manage_api_keys`); revoking a revoked key returns it unchanged.
    async fn revoke_api_key(
        &self,
        scope: &TenantScope,
        id: ApiKeyId,
        audit: &AuditContext,
    ) -> StoreResult<ApiKey>;

    /// The key with this prefix, revoked or not. Global: the key is the caller's authority.
    async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKey>>;

    /// Records that the key was used at `at`.
    async fn record_api_key_use(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
}
