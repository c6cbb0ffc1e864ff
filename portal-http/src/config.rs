//! How the adapter is set up: where tenants come from, which proxies to trust, cookies and limits.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use portal_auth::{MailLinkKey, PortalLinks};
use portal_core::Slug;

/// How a request finds its tenant. Never from a header or body field the client picks
/// (SEC-27): only from the path, or from a custom domain the tenant registered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TenantRouting {
    /// `/{slug}/api/v1/…` for every tenant, and `/api/v1/…` on a tenant's custom domain.
    #[default]
    PathOrDomain,
    /// Everything belongs to this one tenant: `/api/v1/…`.
    Single(Slug),
}

impl TenantRouting {
    /// `links` made to point where this routing serves each tenant: with `Single`, the one
    /// tenant at the origin itself, without its slug; else every tenant under its slug. A
    /// tenant's custom domain comes first either way. [`PortalState`](crate::PortalState)
    /// applies this to the links it is given; a notification dispatcher built apart from the
    /// state does the same with its own.
    #[must_use]
    pub fn mail_links(&self, links: PortalLinks) -> PortalLinks {
        match self {
            Self::PathOrDomain => links.with_tenant_slugs(),
            Self::Single(slug) => links.with_single_tenant(slug.clone()),
        }
    }
}

/// The adapter's settings. Defaults are the safe production choices; each `with_*` replaces one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Where tenants come from.
    pub tenant_routing: TenantRouting,
    /// Proxies whose `X-Forwarded-For` is believed (SEC-11). Empty (the default): the socket
    /// address is the client's, and the header is ignored.
    pub trusted_proxies: Vec<IpAddr>,
    /// Whether cookies are `Secure` with the `__Host-` prefix (SEC-15). Only plain-http
    /// development on localhost may turn this off.
    pub secure_cookies: bool,
    /// The largest JSON body read. Default: 1 MiB.
    pub max_json_bytes: usize,
    /// The largest upload streamed. Default: 100 MiB.
    pub max_upload_bytes: u64,
    /// The most bytes a tenant's documents may hold, all versions together; `None` (the
    /// default): no quota.
    pub tenant_quota_bytes: Option<u64>,
    /// How long a request (other than an upload or download) may take. Default: 30 s.
    pub request_timeout: Duration,
    /// How long an upload, a download or a client export may take. Default: 1 hour. A
    /// resumable upload's parts each get this long.
    pub transfer_timeout: Duration,
    /// How long a resumable upload may be continued after it was begun; its staged bytes are
    /// discarded after that. Default: 24 hours.
    pub resumable_upload_lifetime: Duration,
    /// How long a tenant looked up by slug or domain is reused before it is read again. Default:
    /// 5 s; a changed domain, branding or MFA policy shows after at most this long. Zero turns
    /// the cache off.
    pub tenant_cache_ttl: Duration,
    /// Requests per client address, in this process; `None` turns the limit off. Default: 20 a
    /// second with bursts of 100. Logins have their own shared throttle on top.
    pub rate_limit: Option<RateLimit>,
    /// Bytes of built answers to the hottest reads (the dashboard) kept per caller, reused while
    /// the stores' change stamps show nothing changed (only with stores that offer stamps: the
    /// memory and SQLite backends). Default: 32 MiB; zero turns the cache off.
    pub response_cache_bytes: u64,
    /// Whether webhook endpoints may be plain `http://` addresses. Default: `false`, only
    /// `https://`; turn on for tests or receivers on a loopback address.
    pub allow_http_webhooks: bool,
    /// The key that signs one-click mail preference links (RFC 8058), the same key the mail
    /// dispatcher signs the links in its mails with. `None` (the default): the page
    /// `/{tenant}/mail/preferences/{token}` answers 404, as no link can be valid.
    pub mail_link_key: Option<MailLinkKey>,
    /// The server-rendered pages (feature `pages`).
    pub pages: PagesConfig,
}

/// Settings of the server-rendered pages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PagesConfig {
    /// A directory whose files replace the compiled-in page templates of the same name and
    /// folder: any of them, from the core `layout.html`, `login.html`, `mfa.html`,
    /// `dashboard.html` and `error.html` to each area's (`client/approval.html`,
    /// `admin/branding.html`, `notify/notifications.html`…). Read once, when the router is built;
    /// a file that does not compile is logged and the built-in template kept, and files with
    /// other names are ignored. `None` (the default): the built-in templates.
    pub template_dir: Option<PathBuf>,
}

impl PagesConfig {
    /// The defaults: built-in templates.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the template override directory.
    #[must_use]
    pub fn with_template_dir(self, template_dir: impl Into<PathBuf>) -> Self {
        Self {
            template_dir: Some(template_dir.into()),
        }
    }
}

/// A per-address request rate: `per_second` on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: NonZeroU32,
    /// Requests allowed at once before the rate applies.
    pub burst: NonZeroU32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            tenant_routing: TenantRouting::default(),
            trusted_proxies: Vec::new(),
            secure_cookies: true,
            max_json_bytes: 1024 * 1024,
            max_upload_bytes: 100 * 1024 * 1024,
            tenant_quota_bytes: None,
            request_timeout: Duration::from_secs(30),
            transfer_timeout: Duration::from_secs(60 * 60),
            resumable_upload_lifetime: Duration::from_secs(24 * 60 * 60),
            tenant_cache_ttl: Duration::from_secs(5),
            rate_limit: Some(RateLimit {
                per_second: NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN),
                burst: NonZeroU32::new(100).unwrap_or(NonZeroU32::MIN),
            }),
            response_cache_bytes: 32 * 1024 * 1024,
            allow_http_webhooks: false,
            mail_link_key: None,
            pages: PagesConfig::default(),
        }
    }
}

impl HttpConfig {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets where tenants come from.
    #[must_use]
    pub fn with_tenant_routing(self, tenant_routing: TenantRouting) -> Self {
        Self {
            tenant_routing,
            ..self
        }
    }

    /// Sets the trusted proxies.
    #[must_use]
    pub fn with_trusted_proxies(self, trusted_proxies: Vec<IpAddr>) -> Self {
        Self {
            trusted_proxies,
            ..self
        }
    }

    /// Plain-http cookies without the `__Host-` prefix, for development on localhost only.
    #[must_use]
    pub fn with_insecure_dev_cookies(self) -> Self {
        Self {
            secure_cookies: false,
            ..self
        }
    }

    /// Sets the largest JSON body.
    #[must_use]
    pub fn with_max_json_bytes(self, max_json_bytes: usize) -> Self {
        Self {
            max_json_bytes,
            ..self
        }
    }

    /// Sets the largest upload.
    #[must_use]
    pub fn with_max_upload_bytes(self, max_upload_bytes: u64) -> Self {
        Self {
            max_upload_bytes,
            ..self
        }
    }

    /// Sets the per-tenant storage quota (`None`: none).
    #[must_use]
    pub fn with_tenant_quota_bytes(self, tenant_quota_bytes: Option<u64>) -> Self {
        Self {
            tenant_quota_bytes,
            ..self
        }
    }

    /// Sets the request timeout.
    #[must_use]
    pub fn with_request_timeout(self, request_timeout: Duration) -> Self {
        Self {
            request_timeout,
            ..self
        }
    }

    /// Sets the upload and download timeout.
    #[must_use]
    pub fn with_transfer_timeout(self, transfer_timeout: Duration) -> Self {
        Self {
            transfer_timeout,
            ..self
        }
    }

    /// Replaces [`resumable_upload_lifetime`](Self::resumable_upload_lifetime).
    #[must_use]
    pub fn with_resumable_upload_lifetime(self, resumable_upload_lifetime: Duration) -> Self {
        Self {
            resumable_upload_lifetime,
            ..self
        }
    }

    /// Sets how long a looked-up tenant is reused (zero: never).
    #[must_use]
    pub fn with_tenant_cache_ttl(self, tenant_cache_ttl: Duration) -> Self {
        Self {
            tenant_cache_ttl,
            ..self
        }
    }

    /// Sets the per-address rate limit (`None`: off).
    #[must_use]
    pub fn with_rate_limit(self, rate_limit: Option<RateLimit>) -> Self {
        Self { rate_limit, ..self }
    }

    /// Sets how many bytes of built answers are kept (zero: none).
    #[must_use]
    pub fn with_response_cache_bytes(self, response_cache_bytes: u64) -> Self {
        Self {
            response_cache_bytes,
            ..self
        }
    }

    /// Allows plain `http://` webhook endpoints (tests, loopback receivers).
    #[must_use]
    pub fn with_http_webhooks(self) -> Self {
        Self {
            allow_http_webhooks: true,
            ..self
        }
    }

    /// Sets the key of one-click mail preference links.
    #[must_use]
    pub fn with_mail_link_key(self, mail_link_key: MailLinkKey) -> Self {
        Self {
            mail_link_key: Some(mail_link_key),
            ..self
        }
    }

    /// Sets how the pages are set up.
    #[must_use]
    pub fn with_pages(self, pages: PagesConfig) -> Self {
        Self { pages, ..self }
    }

    /// The session cookie's name: `__Host-portal_session` when secure (SEC-15).
    #[must_use]
    pub const fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-portal_session"
        } else {
            "portal_session"
        }
    }
}
