//! [`PortalState`]: everything the handlers share, cheap to clone.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use portal_auth::{
    ApiKeys, Authenticator, Invitations, MailSetup, Mfa, Passkeys, PortalLinks, Recovery, Sessions,
    ShareLinks, TotpKey,
};
use portal_core::TenantId;
use portal_storage::Stores;
use portal_storage::blob::BlobStore;
use tokio::sync::Mutex;

use crate::config::HttpConfig;
use crate::rate_limit::AddressLimiter;
use crate::response_cache::ResponseCache;
use crate::tenant::TenantCache;

/// The longest a built answer is kept, however unchanged the data: bounds what a day-old
/// answer costs in memory, not its correctness (the change stamp sees to that).
const RESPONSE_CACHE_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// How long an unused per-tenant quota lock is kept.
const QUOTA_LOCK_IDLE: Duration = Duration::from_secs(10 * 60);

/// What it takes to build a [`PortalState`].
pub struct PortalParts {
    /// Every store.
    pub stores: Stores,
    /// Where document files live.
    pub blobs: Arc<dyn BlobStore>,
    /// Logins and sessions (with its hasher, auth config and clock).
    pub authenticator: Authenticator,
    /// The mailer and where links point. The links follow the config's tenant routing
    /// ([`TenantRouting::mail_links`](crate::TenantRouting::mail_links)).
    pub mail: MailSetup,
    /// The key sealing TOTP secrets.
    pub totp_key: TotpKey,
    /// The adapter's settings.
    pub config: HttpConfig,
    /// The host product's own login, if the host keeps its own (see [`HostIdentity`]).
    pub host_identity: Option<Arc<dyn HostIdentity>>,
}

/// The state behind [`router`](crate::router). Clones share one instance.
#[derive(Clone)]
pub struct PortalState {
    inner: Arc<Inner>,
}

struct Inner {
    stores: Stores,
    blobs: Arc<dyn BlobStore>,
    authenticator: Authenticator,
    sessions: Sessions,
    recovery: Recovery,
    invitations: Invitations,
    mfa: Mfa,
    passkeys: Passkeys,
    api_keys: ApiKeys,
    share_links: ShareLinks,
    links: PortalLinks,
    config: HttpConfig,
    host_identity: Option<Arc<dyn HostIdentity>>,
    rate_limiter: Option<AddressLimiter>,
    tenant_cache: TenantCache,
    response_cache: Option<ResponseCache>,
    /// One lock per tenant under which an upload is checked against the quota and recorded.
    quota_locks: Cache<TenantId, Arc<Mutex<()>>>,
}

impl PortalState {
    /// The state from its parts.
    #[must_use]
    pub fn new(parts: PortalParts) -> Self {
        let PortalParts {
            stores,
            blobs,
            authenticator,
            mail,
            totp_key,
            config,
            host_identity,
        } = parts;
        // Links in mail must lead where the router serves the tenant, so the routing decides.
        let links = config.tenant_routing.mail_links(mail.links);
        let mail = MailSetup::new(mail.mailer, links.clone());
        Self {
            inner: Arc::new(Inner {
                sessions: authenticator.sessions(),
                recovery: Recovery::new(&authenticator, mail.clone()),
                invitations: Invitations::new(&authenticator, mail),
                mfa: Mfa::new(&authenticator, totp_key),
                passkeys: Passkeys::new(&authenticator),
                api_keys: ApiKeys::new(&authenticator),
                share_links: authenticator.share_links(),
                links,
                stores,
                blobs,
                authenticator,
                rate_limiter: config.rate_limit.map(AddressLimiter::new),
                tenant_cache: TenantCache::new(config.tenant_cache_ttl),
                response_cache: ResponseCache::new(
                    config.response_cache_bytes,
                    RESPONSE_CACHE_LIFETIME,
                ),
                quota_locks: Cache::builder().time_to_idle(QUOTA_LOCK_IDLE).build(),
                config,
                host_identity,
            }),
        }
    }

    /// Every store.
    #[must_use]
    pub fn stores(&self) -> &Stores {
        &self.inner.stores
    }

    /// The blob store.
    #[must_use]
    pub fn blobs(&self) -> &dyn BlobStore {
        self.inner.blobs.as_ref()
    }

    /// Logins.
    #[must_use]
    pub fn authenticator(&self) -> &Authenticator {
        &self.inner.authenticator
    }

    /// Sessions.
    #[must_use]
    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    /// Reset and magic links, password changes.
    #[must_use]
    pub fn recovery(&self) -> &Recovery {
        &self.inner.recovery
    }

    /// Invitations.
    #[must_use]
    pub fn invitations(&self) -> &Invitations {
        &self.inner.invitations
    }

    /// Second factors.
    #[must_use]
    pub fn mfa(&self) -> &Mfa {
        &self.inner.mfa
    }

    /// Passkeys.
    #[must_use]
    pub fn passkeys(&self) -> &Passkeys {
        &self.inner.passkeys
    }

    /// API keys.
    #[must_use]
    pub fn api_keys(&self) -> &ApiKeys {
        &self.inner.api_keys
    }

    /// Share links, with the authenticator's limits and clock.
    #[must_use]
    pub fn share_links(&self) -> &ShareLinks {
        &self.inner.share_links
    }

    /// Where links in mail point: the links given in [`PortalParts::mail`], following the
    /// tenant routing. Give the notification dispatcher these, so its links agree.
    #[must_use]
    pub fn links(&self) -> &PortalLinks {
        &self.inner.links
    }

    /// The adapter's settings.
    #[must_use]
    pub fn config(&self) -> &HttpConfig {
        &self.inner.config
    }

    /// Tenants by slug and domain, reused for a few seconds.
    pub(crate) fn tenant_cache(&self) -> &TenantCache {
        &self.inner.tenant_cache
    }

    /// Built answers of hot reads, if on.
    pub(crate) fn response_cache(&self) -> Option<&ResponseCache> {
        self.inner.response_cache.as_ref()
    }

    /// The tenant's upload-recording lock, when a quota is set. Idle locks are dropped after
    /// a while; one is held only for the quota check and the recording of one version.
    pub(crate) fn quota_lock(&self, tenant: TenantId) -> Option<Arc<Mutex<()>>> {
        self.inner.config.tenant_quota_bytes?;
        Some(
            self.inner
                .quota_locks
                .get_with(tenant, || Arc::new(Mutex::new(()))),
        )
    }

    /// The per-address limiter, if on.
    pub(crate) fn rate_limiter(&self) -> Option<&AddressLimiter> {
        self.inner.rate_limiter.as_ref()
    }

    /// The host's login mapping, if any.
    #[must_use]
    pub fn host_identity(&self) -> Option<&dyn HostIdentity> {
        self.inner.host_identity.as_deref()
    }
}

/// A host product that keeps its own login maps its authenticated user to a portal user.
///
/// The portal asks when a request carries neither an API key nor a portal session. The host reads
/// its own authentication from the request (a cookie, a header, or what its session layer put
/// into the extensions) and answers which portal user of `tenant` it is, if any — typically by
/// email through the portal's `stores.identities.credentials_by_email`, or by a mapping it keeps.
/// What that user may do still comes from their portal memberships.
#[async_trait::async_trait]
pub trait HostIdentity: Send + Sync + 'static {
    /// The portal user the request's host login stands for in `tenant`, or `None` (401).
    async fn portal_user(
        &self,
        request: &axum::http::request::Parts,
        tenant: &portal_core::model::Tenant,
        stores: &Stores,
    ) -> Result<Option<portal_core::UserId>, crate::ApiError>;
}

impl fmt::Debug for PortalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PortalState")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}
