//! The branded example server: flags, start-up, serving and graceful shutdown.

use std::future::IntoFuture as _;
use std::io::IsTerminal as _;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use axum::serve::ListenerExt as _;
use branded_server::config::PortalConfig;
use branded_server::database::{self, Database};
use branded_server::mail::FileMailer;
use branded_server::seed::{self, DEMO_PASSWORD, DEMO_PEOPLE, SeedOutcome};
use branded_server::{HEALTH_PATH, app, app_with_baseline, keys, templates, verify};
use clap::Parser;
use portal_auth::password::{Argon2Config, PasswordHasher};
use portal_auth::{
    AuthConfig, Authenticator, MailLinkKey, MailSetup, Mailer, PortalLinks, Sender, SystemClock,
    TotpKey,
};
use portal_core::Email;
use portal_core::model::Tenant;
use portal_http::{HttpConfig, PortalParts, PortalState, RateLimit};
use portal_notify::dispatch::{DispatchConfig, Dispatcher, PortalNotifyLinks};
use portal_notify::mail::{MailRenderer, SmtpConfig, SmtpMailer, SmtpSecurity};
use portal_notify::webhook::{DestinationPolicy, WebhookSender, WebhookSenderConfig};
use portal_storage::Stores;
use portal_storage::blob::{BlobStore, FsBlobStore, S3BlobStore, S3Config};
use time::OffsetDateTime;
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

/// How long open connections may take to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The client portal, branded from a TOML file, with demo data on the first start.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// What to do; without a command the server runs.
    #[command(subcommand)]
    command: Option<Command>,

    /// The address to listen on.
    #[arg(long, env = "PORTAL_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// The folder for the SQLite database, the stored files, the mail folder and the TOTP key
    /// file; created if missing.
    #[arg(long, env = "PORTAL_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,

    /// The branding file [default: the bundled portal.toml].
    #[arg(long, env = "PORTAL_BRANDING")]
    branding: Option<PathBuf>,

    /// A folder of page templates replacing the built-in ones of the same name and folder
    /// (`login.html`, `client/approval.html`…); it must exist.
    #[arg(long, env = "PORTAL_TEMPLATE_DIR")]
    template_dir: Option<PathBuf>,

    /// The address browsers use, for links in mail and as the passkeys' origin (https, or http
    /// on localhost) [default: http://localhost:<port> on a loopback address, else
    /// http://<listen>].
    #[arg(long, env = "PORTAL_PUBLIC_URL")]
    public_url: Option<String>,

    /// A `postgres://` (or `sqlite:`) URL to use instead of the SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,

    /// A reverse proxy whose X-Forwarded-For header is believed (repeat, or comma-separate).
    #[arg(
        long = "trusted-proxy",
        env = "PORTAL_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpAddr>,

    /// Requests a second per client address; 0 turns the limit off (benchmarks from one
    /// address need that).
    #[arg(long, env = "PORTAL_RATE_LIMIT", default_value_t = 20)]
    rate_limit: u32,

    /// The largest upload, in MiB.
    #[arg(long, env = "PORTAL_MAX_UPLOAD_MIB", default_value_t = 100)]
    max_upload_mib: u64,

    /// MiB of built dashboard answers kept in memory and reused while nothing changed; 0 builds
    /// every answer afresh (and also checks every session in the database).
    #[arg(long, env = "PORTAL_READ_CACHE_MIB", default_value_t = 32)]
    read_cache_mib: u64,

    /// Also serve a fixed JSON answer at /__bench/fixed, for the HTTP benchmark's baseline.
    #[arg(long, hide = true)]
    bench_baseline: bool,

    /// Send mail through this SMTP server instead of writing it to `<data-dir>/mail`.
    #[arg(long, env = "PORTAL_SMTP_HOST")]
    smtp_host: Option<String>,

    /// The SMTP server's port.
    #[arg(long, env = "PORTAL_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,

    /// How the SMTP connection is secured: starttls, tls, or none (a server on this machine).
    #[arg(long, env = "PORTAL_SMTP_SECURITY", default_value = "starttls")]
    smtp_security: SmtpSecurityArg,

    /// The SMTP user name, if the server wants one (the password comes from
    /// `PORTAL_SMTP_PASSWORD`).
    #[arg(long, env = "PORTAL_SMTP_USER")]
    smtp_user: Option<String>,

    /// The sender of mail whose tenant names none.
    #[arg(long, env = "PORTAL_MAIL_FROM", default_value = "portal@localhost")]
    mail_from: String,

    /// Let webhook endpoints be plain http and on private or loopback addresses (development
    /// and tests only: it opens the server to requests into its own network).
    #[arg(long, env = "PORTAL_ALLOW_LOCAL_WEBHOOKS")]
    allow_local_webhooks: bool,

    /// Keep stored files in this S3 bucket instead of `<data-dir>/files`: what replicas share
    /// (credentials from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, else the instance's).
    #[arg(long, env = "PORTAL_S3_BUCKET")]
    s3_bucket: Option<String>,

    /// The bucket's region.
    #[arg(long, env = "PORTAL_S3_REGION", default_value = "us-east-1")]
    s3_region: String,

    /// An S3-compatible service other than AWS, e.g. `https://s3.example.net`; plain `http://`
    /// only on loopback (a local emulator).
    #[arg(long, env = "PORTAL_S3_ENDPOINT")]
    s3_endpoint: Option<String>,

    /// Keep the objects under this prefix of the bucket.
    #[arg(long, env = "PORTAL_S3_PREFIX")]
    s3_prefix: Option<String>,

    /// Seconds an outbox row claimed by a replica stays hidden from the others: how long the
    /// events of a replica that died mid-pass wait before another one sends them.
    #[arg(long, env = "PORTAL_OUTBOX_LEASE_SECS", default_value_t = 120,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    outbox_lease_secs: u32,
}

/// The commands besides serving.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Check the hash-chained audit log of a tenant and exit: 0 when it is intact, 1 when an
    /// event was changed, removed or reordered.
    VerifyAudit {
        /// The tenant's slug, e.g. `northwind`.
        #[arg(long)]
        tenant: String,
    },
    /// Print the API's OpenAPI document (what `/api/v1/openapi.json` serves) and exit; it needs
    /// no database: `branded-server openapi > docs/openapi.json`.
    Openapi,
}

/// `--smtp-security`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SmtpSecurityArg {
    /// STARTTLS on a plain connection (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a server on this machine.
    None,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    init_tracing();
    let what = match args.command {
        Some(Command::VerifyAudit { .. }) => "verify-audit failed",
        Some(Command::Openapi) => "openapi failed",
        None => "the server stopped",
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole chain of causes on one line.
            tracing::error!("{what}: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    // `RUST_LOG` as usual (e.g. `RUST_LOG=debug,sqlx=warn`); info when unset or unreadable.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

async fn run(args: Args) -> anyhow::Result<()> {
    match &args.command {
        Some(Command::VerifyAudit { tenant }) => return verify_audit(&args, tenant).await,
        Some(Command::Openapi) => return print_openapi(),
        None => {}
    }
    let portal = match &args.branding {
        Some(path) => {
            PortalConfig::load(path).with_context(|| format!("branding file {}", path.display()))?
        }
        None => PortalConfig::bundled().context("the bundled portal.toml")?,
    };
    let pages = templates::pages_config(args.template_dir.as_deref())
        .context("--template-dir (PORTAL_TEMPLATE_DIR)")?;
    if let Some(dir) = &args.template_dir {
        tracing::info!(path = %dir.display(), "page template directory");
    }
    let links = public_links(&args)?;
    // `__Host-` cookies need https; PortalLinks allows plain http only for localhost.
    let https = links.origin().scheme() == "https";

    tokio::fs::create_dir_all(&args.data_dir)
        .await
        .with_context(|| format!("cannot create the data folder {}", args.data_dir.display()))?;
    let database = Database::open(args.database_url.as_deref(), &args.data_dir).await?;
    tracing::info!(backend = database.name(), "applying database migrations");
    database.migrate().await.context("migrating the database")?;
    let stores = database.stores();

    let blobs = blob_store(&args).await?;
    let totp_key: TotpKey = load_key(&args.data_dir)?;
    let mail_link_key: MailLinkKey = load_key(&args.data_dir)?;
    let mail_dir = args.data_dir.join("mail");
    let mailer = mailer(&args, &mail_dir)?;

    let hasher = PasswordHasher::new(Argon2Config::default())?;
    let today = OffsetDateTime::now_utc().date();
    let outcome = seed::seed(&stores, blobs.as_ref(), &hasher, &portal, today)
        .await
        .context("seeding the demo data")?;
    match &outcome {
        SeedOutcome::Seeded { counts, .. } => tracing::info!("seeded the demo data: {counts}"),
        SeedOutcome::AlreadySeeded { branding, .. } => {
            tracing::info!("demo data already present; not seeding again");
            tracing::info!("{branding}");
        }
    }

    let rate_limit = NonZeroU32::new(args.rate_limit).map(|per_second| RateLimit {
        per_second,
        burst: per_second.saturating_mul(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN)),
    });
    let mut http = HttpConfig::default()
        .with_trusted_proxies(args.trusted_proxies.clone())
        .with_rate_limit(rate_limit)
        .with_max_upload_bytes(args.max_upload_mib.saturating_mul(1024 * 1024))
        .with_response_cache_bytes(args.read_cache_mib.saturating_mul(1024 * 1024))
        .with_pages(pages);
    if !https {
        http = http.with_insecure_dev_cookies();
    }
    http = http.with_mail_link_key(mail_link_key.clone());
    if args.allow_local_webhooks {
        http = http.with_http_webhooks();
    }
    let mut auth = AuthConfig::default();
    if args.read_cache_mib == 0 {
        auth = auth.with_session_cache_capacity(0);
    }
    let authenticator = Authenticator::new(stores.clone(), hasher, auth, Arc::new(SystemClock));
    let dispatcher = dispatcher(&args, &stores, mailer.clone(), &links, mail_link_key)?;
    let state = PortalState::new(PortalParts {
        stores,
        blobs,
        authenticator,
        mail: MailSetup::new(mailer, links.clone()),
        totp_key,
        config: http,
        // Logins are the portal's own here; a host product would map its users in instead.
        host_identity: None,
    });

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    print_banner(outcome.tenant(), &links, &mail_dir);

    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let notifications = tokio::spawn({
        let stop = stop_rx.clone();
        async move { dispatcher.run(stopped(stop)).await }
    });
    tokio::spawn(sweep_uploads(state.clone(), stop_rx.clone()));
    let router = if args.bench_baseline {
        app_with_baseline(state)
    } else {
        app(state)
    };
    let router = router.route(
        HEALTH_PATH,
        axum::routing::get({
            let database = database.clone();
            move || async move { database.health().await }
        }),
    );
    let server = axum::serve(
        listener.tap_io(branded_server::no_delay),
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stopped(stop_rx.clone()));
    tokio::select! {
        served = server.into_future() => served.context("serving")?,
        () = async {
            stopped(stop_rx).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::warn!(
            "connections still open after {} s; stopping anyway",
            SHUTDOWN_GRACE.as_secs()
        ),
    }
    if let Err(error) = notifications.await {
        tracing::warn!(%error, "the notification dispatcher ended abnormally");
    }
    database.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Discards resumable uploads not finished in time, at start and then hourly, until `stop`.
async fn sweep_uploads(state: PortalState, stop: watch::Receiver<bool>) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    let stopping = stopped(stop);
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            _ = every_hour.tick() => match portal_http::sweep_expired_uploads(&state).await {
                Ok(0) => {}
                Ok(swept) => tracing::info!(swept, "expired resumable uploads discarded"),
                Err(error) => tracing::warn!(%error, "could not sweep expired resumable uploads"),
            },
            () = &mut stopping => return,
        }
    }
}

/// `verify-audit`: prints what was checked; fails when the chain is broken.
async fn verify_audit(args: &Args, tenant: &str) -> anyhow::Result<()> {
    let default_file = args.data_dir.join(database::SQLITE_FILE);
    if args.database_url.is_none() && !default_file.exists() {
        bail!(
            "no database at {}: pass --data-dir or DATABASE_URL",
            default_file.display()
        );
    }
    let database = Database::open(args.database_url.as_deref(), &args.data_dir).await?;
    let report = verify::audit_chain(&database.stores(), tenant).await;
    database.close().await;
    let report = report?;
    match report.broken {
        None => {
            println!(
                "the audit chain of {tenant} is intact: {} events verified",
                report.verified
            );
            Ok(())
        }
        Some(broken) => bail!(
            "the audit chain of {tenant} is broken after {} intact events: {broken}",
            report.verified
        ),
    }
}

/// `openapi`: the document pretty-printed with a final newline, exactly as `docs/openapi.json`
/// is committed (keys in sorted order, so the output is stable).
fn print_openapi() -> anyhow::Result<()> {
    let document = portal_http::openapi_json().context("building the OpenAPI document")?;
    let text = serde_json::to_string_pretty(&document).context("printing the document")?;
    println!("{text}");
    Ok(())
}

/// Stored files: in the S3 bucket of `--s3-bucket`, else in `<data-dir>/files`.
async fn blob_store(args: &Args) -> anyhow::Result<Arc<dyn BlobStore>> {
    let Some(bucket) = &args.s3_bucket else {
        let files = FsBlobStore::open(args.data_dir.join("files"))
            .await
            .context("opening the file store")?;
        return Ok(Arc::new(files));
    };
    let config = s3_config(bucket, &args.s3_region, args.s3_endpoint.as_deref())?;
    tracing::info!(bucket = %bucket, "keeping files in S3");
    let mut store = S3BlobStore::new(config).context("setting up the S3 file store")?;
    if let Some(prefix) = &args.s3_prefix {
        store = store
            .with_prefix(prefix)
            .with_context(|| format!("--s3-prefix {prefix:?} is not a valid object path"))?;
    }
    Ok(Arc::new(store))
}

/// The S3 settings of the flags, with static credentials when the environment has them.
fn s3_config(bucket: &str, region: &str, endpoint: Option<&str>) -> anyhow::Result<S3Config> {
    let mut config = S3Config::new(bucket, region);
    if let Some(endpoint) = endpoint {
        let url = url::Url::parse(endpoint).context("--s3-endpoint is not a URL")?;
        let loopback = match url.host() {
            Some(url::Host::Domain(name)) => name == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => config = config.with_allow_http(true),
            _ => bail!("--s3-endpoint must be https (or http on loopback, for an emulator)"),
        }
        config = config.with_endpoint(endpoint);
    }
    let key_id = std::env::var("AWS_ACCESS_KEY_ID").ok();
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY").ok();
    if let (Some(key_id), Some(secret)) = (key_id, secret) {
        config = config.with_credentials(key_id, secret);
        if let Ok(token) = std::env::var("AWS_SESSION_TOKEN") {
            config = config.with_session_token(token);
        }
    }
    Ok(config)
}

/// A secret key from its environment variable or its file in the data folder, logged by where
/// it came from.
fn load_key<K: keys::StoredKey>(data_dir: &std::path::Path) -> anyhow::Result<K> {
    let from_env = match std::env::var(K::ENV_VAR) {
        Ok(value) => Some(value),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => bail!("{} is not valid text", K::ENV_VAR),
    };
    let (key, source) = keys::load_or_create::<K>(data_dir, from_env.as_deref())?;
    match source {
        keys::KeySource::Environment => tracing::info!("{} from {}", K::WHAT, K::ENV_VAR),
        keys::KeySource::File(path) => tracing::info!(path = %path.display(), "{} file", K::WHAT),
        keys::KeySource::Created(path) => tracing::warn!(
            path = %path.display(),
            "created a new {} file; back it up: losing it changes what it protects", K::WHAT
        ),
    }
    Ok(key)
}

/// SMTP when `--smtp-host` is given, else files in `mail_dir`.
fn mailer(args: &Args, mail_dir: &std::path::Path) -> anyhow::Result<Arc<dyn Mailer>> {
    let Some(host) = &args.smtp_host else {
        let files = FileMailer::new(mail_dir).context("creating the mail folder")?;
        return Ok(Arc::new(files));
    };
    let password = std::env::var("PORTAL_SMTP_PASSWORD").unwrap_or_default();
    let default_sender = Sender {
        name: "Client portal".to_owned(),
        address: Email::parse(&args.mail_from).context("--mail-from")?,
    };
    let config = SmtpConfig {
        host: host.clone(),
        port: args.smtp_port,
        security: match args.smtp_security {
            SmtpSecurityArg::Starttls => SmtpSecurity::StartTls,
            SmtpSecurityArg::Tls => SmtpSecurity::Tls,
            SmtpSecurityArg::None => SmtpSecurity::None,
        },
        credentials: args.smtp_user.clone().map(|user| (user, password)),
        default_sender,
        timeout: Duration::from_secs(30),
    };
    tracing::info!(host = %host, port = args.smtp_port, "sending mail over SMTP");
    Ok(Arc::new(
        SmtpMailer::new(config).context("setting up SMTP")?,
    ))
}

/// The notification dispatcher: the outbox to in-app notifications, mail and webhooks.
fn dispatcher(
    args: &Args,
    stores: &Stores,
    mailer: Arc<dyn Mailer>,
    links: &PortalLinks,
    key: MailLinkKey,
) -> anyhow::Result<Dispatcher> {
    let policy = if args.allow_local_webhooks {
        DestinationPolicy::permissive()
    } else {
        DestinationPolicy::default()
    };
    let sender = WebhookSender::new(WebhookSenderConfig::default().with_policy(policy))
        .context("setting up webhook delivery")?;
    let renderer = MailRenderer::builtin().context("loading the mail templates")?;
    Ok(Dispatcher::new(
        stores.clone(),
        mailer,
        Arc::new(renderer),
        sender,
        Arc::new(PortalNotifyLinks::new(links.clone(), key)),
        DispatchConfig {
            lease: time::Duration::seconds(i64::from(args.outbox_lease_secs)),
            ..DispatchConfig::default()
        },
    ))
}

/// The links in mail: `--public-url`, or the listen address — as `localhost` on a loopback
/// address, since browsers accept passkeys (WebAuthn) for a domain only, never for an IP address.
fn public_links(args: &Args) -> anyhow::Result<PortalLinks> {
    let origin = match &args.public_url {
        Some(url) => url.clone(),
        None if args.listen.ip().is_loopback() => {
            format!("http://localhost:{}", args.listen.port())
        }
        None if args.listen.ip().is_unspecified() => bail!(
            "listening on {} needs --public-url (PORTAL_PUBLIC_URL): the address browsers use, \
             e.g. https://portal.example.com or http://localhost:{}",
            args.listen,
            args.listen.port()
        ),
        None => format!("http://{}", args.listen),
    };
    PortalLinks::new(&origin).context("invalid public URL (--public-url, PORTAL_PUBLIC_URL)")
}

fn print_banner(tenant: &Tenant, links: &PortalLinks, mail_dir: &Path) {
    let base = links.tenant_base(tenant);
    println!();
    println!("{} portal is running: {base}", tenant.branding.display_name);
    println!("  API description:  {base}api/v1/openapi.json");
    println!(
        "  Mail (no server): {} (one file per mail)",
        mail_dir.display()
    );
    println!();
    println!("Demo logins, all with the password {DEMO_PASSWORD:?}:");
    for person in DEMO_PEOPLE {
        let org = person.org.client_name().unwrap_or("staff");
        println!(
            "  {:<14} {:<13} {:<24} {}",
            person.role.title(),
            person.name,
            person.email,
            org
        );
    }
    println!();
}

/// Resolves once shutdown was asked for.
async fn stopped(mut stop: watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after it sent.
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Ctrl-C, or SIGTERM on unix (what `docker stop` and systemd send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}
