#![doc = include_str!("../README.md")]

pub mod host;
pub mod integration;

use std::sync::Arc;

use axum::Router;
use portal_auth::password::{Argon2Config, PasswordError, PasswordHasher};
use portal_auth::{
    AuthConfig, Authenticator, LinkError, MailLinkKey, MailSetup, Mailer, PortalLinks, SystemClock,
    TotpKey,
};
use portal_core::model::Tenant;
use portal_core::{BuiltinRole, DomainError, Slug, TenantScope};
use portal_http::{HttpConfig, PortalParts, PortalState, TenantRouting};
use portal_storage::Stores;
use portal_storage::blob::BlobStore;
use time::Date;

use host::Host;
use host::sessions::HostSessions;
use host::users::HostUsers;
use host::workspace::Workspace;
use integration::feed::{self, FeedError, FeedReport};
use integration::identity::HarbourIdentity;
use integration::provision::{self, PortalAccount, ProvisionError};

/// Where Harbour mounts the portal.
pub const PORTAL_PATH: &str = "/portal";

/// The slug of the portal's one tenant.
///
/// Harbour runs one workspace per deployment — one business, whose customers are the portal's
/// clients — so the portal has one tenant, served with `TenantRouting::Single` at
/// `/portal/api/v1/…`: no slug in any address, and no other tenant reachable through this
/// deployment. A host serving many businesses from one process would keep the default
/// `TenantRouting::PathOrDomain` instead: each at `/portal/{slug}/…`, or on its own domain.
///
/// Links in mail follow the routing too: with Harbour's address and the mount point as their
/// origin, a magic link reads `https://harbour.example/portal/auth/magic?token=…`, without the
/// slug — where the mounted router answers.
pub const PORTAL_SLUG: &str = "brightwater";

/// What Harbour needs to start.
pub struct Setup {
    /// The portal's stores: `Stores::memory()`, or a database's after its `migrate()`.
    pub stores: Stores,
    /// Where the portal keeps document files.
    pub blobs: Arc<dyn BlobStore>,
    /// Who sends the portal's mail.
    pub mailer: Arc<dyn Mailer>,
    /// The argon2 parameters of Harbour's passwords and the portal's.
    pub argon2: Argon2Config,
    /// The address browsers use for Harbour, e.g. `https://harbour.example` (plain `http` only
    /// for localhost). Cookies are `Secure` when it is https; links in mail start with it and
    /// [`PORTAL_PATH`].
    pub public_url: String,
    /// The key that seals the portal's TOTP secrets; kept outside the database.
    pub totp_key: TotpKey,
    /// The key that signs one-click mail links; the notification dispatcher signs with the same.
    pub mail_link_key: MailLinkKey,
    /// Today, for the demo workspace's dates.
    pub today: Date,
}

/// Harbour, started: its router and what the binary and the tests look at.
pub struct EmbeddedApp {
    /// Harbour's routes with the portal under [`PORTAL_PATH`].
    pub router: Router,
    /// Harbour's own state.
    pub host: Host,
    /// The portal's state.
    pub portal: PortalState,
    /// The portal's tenant.
    pub tenant: Tenant,
    /// The portal users that stand for Harbour users.
    pub accounts: Vec<PortalAccount>,
    /// Where the portal's links point: the state's, following its tenant routing, for the
    /// notification dispatcher.
    pub links: PortalLinks,
    /// What the start-up feed did.
    pub fed: FeedReport,
}

/// Why Harbour could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Hashing the demo passwords failed.
    #[error("passwords: {0}")]
    Password(#[from] PasswordError),
    /// A fixed value (the slug) is not valid.
    #[error("invalid value: {0}")]
    Invalid(#[from] DomainError),
    /// The public URL cannot carry the portal's links.
    #[error("public URL: {0}")]
    Links(#[from] LinkError),
    /// The portal's tenant, clients or people could not be set up.
    #[error("setting up the portal: {0}")]
    Provision(#[from] ProvisionError),
    /// Feeding the portal stopped.
    #[error("feeding the portal: {0}")]
    Feed(#[from] FeedError),
    /// No Harbour admin has a portal account for the feed to act for.
    #[error("no Harbour admin has a portal account to feed the portal for")]
    NoAdmin,
}

/// Starts Harbour: its users, the portal's tenant, clients and people, the start-up feed of
/// Harbour's work, and the router with the portal mounted under [`PORTAL_PATH`].
///
/// # Errors
/// See [`StartError`].
pub async fn start(setup: Setup) -> Result<EmbeddedApp, StartError> {
    let Setup {
        stores,
        blobs,
        mailer,
        argon2,
        public_url,
        totp_key,
        mail_link_key,
        today,
    } = setup;
    let origin = format!("{}{PORTAL_PATH}", public_url.trim_end_matches('/'));
    let links = PortalLinks::new(&origin)?;
    let hasher = PasswordHasher::new(argon2)?;
    let users = HostUsers::demo(hasher.clone()).await?;
    let workspace = Workspace::demo(today);

    let slug = Slug::parse(PORTAL_SLUG)?;
    let tenant = provision::tenant(&stores, &slug, &workspace.name).await?;
    // Provisioning runs at start-up, outside any request, before the portal has anyone to act
    // for: the background job `dangerous_system` is for. No request handler builds one.
    let system = TenantScope::dangerous_system(tenant.id);
    let clients = provision::clients(&stores, &system, &workspace.customers).await?;
    let accounts = provision::people(&stores, &system, users.all(), &clients).await?;

    // The work is fed by the scope of the workspace's owner, narrowed to what feeding needs.
    let owner = accounts
        .iter()
        .find(|account| account.role == BuiltinRole::Owner)
        .ok_or(StartError::NoAdmin)?;
    let scope = feed::scope(&stores, tenant.id, owner.user).await?;
    let fed = feed::feed(&stores, &scope, &workspace).await?;

    let secure_cookies = links.origin().scheme() == "https";
    let host = Host {
        users,
        sessions: HostSessions::new(),
        workspace: Arc::new(workspace),
        secure_cookies,
    };
    let mut config = HttpConfig::default()
        .with_tenant_routing(TenantRouting::Single(slug))
        .with_mail_link_key(mail_link_key);
    if !secure_cookies {
        // `PortalLinks` allows plain http only for localhost: development.
        config = config.with_insecure_dev_cookies();
    }
    let authenticator = Authenticator::new(
        stores.clone(),
        hasher,
        AuthConfig::default(),
        Arc::new(SystemClock),
    );
    let identity = HarbourIdentity::new(host.users.clone(), host.sessions.clone());
    let portal = PortalState::new(PortalParts {
        stores,
        blobs,
        authenticator,
        // `Single` routing makes these links name no slug (see `PortalState::links`).
        mail: MailSetup::new(mailer, links),
        totp_key,
        config,
        host_identity: Some(Arc::new(identity)),
    });
    Ok(EmbeddedApp {
        router: app(host.clone(), portal.clone()),
        links: portal.links().clone(),
        host,
        portal,
        tenant,
        accounts,
        fed,
    })
}

/// Harbour's own routes, with the portal mounted under [`PORTAL_PATH`]. The portal's middleware
/// (tenant, security headers, rate limit, cross-site refusal) wraps only the mounted router.
/// Serve it with `into_make_service_with_connect_info::<SocketAddr>()`, so the portal's login
/// throttle, rate limit and audit log see client addresses.
pub fn app(host: Host, portal: PortalState) -> Router {
    // `nest_service`, not `nest`: it routes `/portal/` too, the portal's home with one tenant
    // (its pages link there, and sign-in lands there).
    host::routes::routes(host).nest_service(PORTAL_PATH, portal_http::router(portal))
}
