use async_trait::async_trait;
use portal_core::model::{
    AuditContext, Session, ShareAccess, ShareLink, ShareTarget, ThrottleState,
};
use portal_core::state::Sha256Digest;
use portal_core::{ShareLinkId, TenantId, TenantScope, UserId};
use time::{Duration, OffsetDateTime};

use crate::{Page, Paged, StoreResult};

/// Share links: no-login, expiring, revocable views, which may take uploads.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ShareLinkStore: Send + Sync + 'static {
    /// Stores a new link (`create_share_links` on the target's client, and `upload_documents`
    /// there too for a link that takes uploads). The caller made the token and passes only its
    /// hash.
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is one field of the link"
    )]
    async fn create_share_link(
        &self,
        scope: &TenantScope,
        target: ShareTarget,
        token_hash: Sha256Digest,
        access: ShareAccess,
        expires_at: OffsetDateTime,
        max_uses: Option<i32>,
        audit: &AuditContext,
    ) -> StoreResult<ShareLink>;

    /// The links the scope may manage.
    async fn list_share_links(
        &self,
        scope: &TenantScope,
        page: Page,
    ) -> StoreResult<Paged<ShareLink>>;

    /// Revokes a link (`create_share_links`).
    async fn revoke_share_link(
        &self,
        scope: &TenantScope,
        id: ShareLinkId,
        audit: &AuditContext,
    ) -> StoreResult<ShareLink>;

    /// Counts one use of the link with this token hash and returns it — or `None` if it is
    /// unknown, revoked, expired or used up. Atomic, so a use limit holds under concurrency.
    /// Global: the token is the visitor's only authority.
    async fn use_share_link(
        &self,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<ShareLink>>;

    /// The link with this token hash if it still works at `now` (not revoked, unexpired, its
    /// client not archived), without counting a use: the parts of an upload begun through the
    /// link (which counted one) are checked with it. A used-up link still answers, so an upload
    /// begun with its last use can finish. Global: the token is the visitor's only authority.
    async fn live_share_link(
        &self,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<ShareLink>>;
}

/// Login sessions, found by the SHA-256 of their token. Global: the token is the authority,
/// and every replica must see the same sessions.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Stores a new session.
    async fn create_session(&self, session: Session) -> StoreResult<()>;

    /// The session with this token hash, if any (expiry is the caller's to judge).
    async fn session(&self, token_hash: &Sha256Digest) -> StoreResult<Option<Session>>;

    /// Records that the session was used at `at`.
    async fn touch_session(&self, token_hash: &Sha256Digest, at: OffsetDateTime)
    -> StoreResult<()>;

    /// Deletes one session (logout, rotation); deleting a missing one is not an error.
    async fn delete_session(&self, token_hash: &Sha256Digest) -> StoreResult<()>;

    /// A user's sessions, for the list of devices.
    async fn sessions_of(&self, tenant: TenantId, user: UserId) -> StoreResult<Vec<Session>>;

    /// Ends all of a user's sessions; returns how many.
    async fn delete_sessions_of(&self, tenant: TenantId, user: UserId) -> StoreResult<u64>;

    /// Deletes sessions past their absolute end or idle longer than `idle`; returns how many.
    async fn delete_expired_sessions(
        &self,
        now: OffsetDateTime,
        idle: Duration,
    ) -> StoreResult<u64>;
}

/// Login-throttle counters, per key (an account or a client address), shared by all replicas.
/// Global: throttling happens before authentication.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ThrottleStore: Send + Sync + 'static {
    /// The key's counter, if any.
    async fn throttle(&self, key: &str) -> StoreResult<Option<ThrottleState>>;

    /// Counts one failure at `now`, atomically: a window older than `window` starts again at one.
    /// Returns the new state.
    async fn record_failure(
        &self,
        key: &str,
        now: OffsetDateTime,
        window: Duration,
    ) -> StoreResult<ThrottleState>;

    /// Takes back one counted failure, atomically, never below zero: callers count an attempt
    /// before evaluating it (so concurrent attempts cannot all slip under the limit) and take
    /// the count back when it was refused unheard or turned out right. An unknown key is left
    /// alone.
    async fn forgive_failure(&self, key: &str) -> StoreResult<()>;

    /// Blocks the key until `until`.
    async fn block_until(&self, key: &str, until: OffsetDateTime) -> StoreResult<()>;

    /// Forgets the key (after a successful login).
    async fn clear_throttle(&self, key: &str) -> StoreResult<()>;
}
