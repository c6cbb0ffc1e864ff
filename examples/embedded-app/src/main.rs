//! Harbour with the client portal inside: flags, start-up, the notification dispatcher and
//! serving until Ctrl-C.

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use embedded_app::host::users::{DEMO_PASSWORD, HostRole};
use embedded_app::integration::mail::ConsoleMailer;
use embedded_app::integration::provision::portal_role;
use embedded_app::{EmbeddedApp, PORTAL_PATH, Setup};
use portal_auth::password::Argon2Config;
use portal_auth::{MailLinkKey, Mailer, TokenError, TotpKey};
use portal_notify::dispatch::{DispatchConfig, Dispatcher, PortalNotifyLinks};
use portal_notify::mail::MailRenderer;
use portal_notify::webhook::{WebhookSender, WebhookSenderConfig};
use portal_storage::Stores;
use portal_storage::blob::{BlobStore, FsBlobStore, MemoryBlobStore};
use portal_storage::sql::{SqliteStore, SqliteStoreConfig};
use time::OffsetDateTime;
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

/// Harbour, a project-management app, with the client portal under /portal.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The address to listen on.
    #[arg(long, env = "HARBOUR_LISTEN", default_value = "127.0.0.1:3000")]
    listen: SocketAddr,

    /// The address browsers use, for links in mail (https, or http on localhost)
    /// [default: http://<listen>].
    #[arg(long, env = "HARBOUR_PUBLIC_URL")]
    public_url: Option<String>,

    /// Keep the portal's data in a SQLite file and its documents in this folder; without it,
    /// everything is in memory and gone when Harbour stops.
    #[arg(long, env = "HARBOUR_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("Harbour stopped: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let public_url = match &args.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", args.listen),
    };
    let (stores, blobs) = storage(args.data_dir.as_deref()).await?;
    let persistent = args.data_dir.is_some();
    let totp_key = key(
        "HARBOUR_TOTP_KEY",
        TotpKey::from_base64,
        TotpKey::generate,
        persistent,
    )?;
    let mail_link_key = key(
        "HARBOUR_MAIL_LINK_KEY",
        MailLinkKey::from_base64,
        MailLinkKey::generate,
        persistent,
    )?;
    let mailer: Arc<dyn Mailer> = Arc::new(ConsoleMailer);
    let app = embedded_app::start(Setup {
        stores: stores.clone(),
        blobs,
        mailer: mailer.clone(),
        argon2: Argon2Config::default(),
        public_url: public_url.clone(),
        totp_key,
        mail_link_key: mail_link_key.clone(),
        today: OffsetDateTime::now_utc().date(),
    })
    .await
    .context("starting Harbour")?;

    // The portal's notifications: in-app, mail (printed here) and webhooks, from its outbox.
    let dispatcher = Dispatcher::new(
        stores,
        mailer,
        Arc::new(MailRenderer::builtin().context("loading the mail templates")?),
        WebhookSender::new(WebhookSenderConfig::default()).context("setting up webhooks")?,
        Arc::new(PortalNotifyLinks::new(app.links.clone(), mail_link_key)),
        DispatchConfig::default(),
    );

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    print_banner(&app, &public_url);

    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        let _ = stop_tx.send(true);
    });
    let notifications = tokio::spawn({
        let stop = stop_rx.clone();
        async move { dispatcher.run(stopped(stop)).await }
    });
    axum::serve(
        listener,
        app.router
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stopped(stop_rx))
    .await
    .context("serving")?;
    if let Err(error) = notifications.await {
        tracing::warn!(%error, "the notification dispatcher ended abnormally");
    }
    Ok(())
}

/// The memory store, or SQLite and files in `data_dir`.
async fn storage(data_dir: Option<&Path>) -> anyhow::Result<(Stores, Arc<dyn BlobStore>)> {
    let Some(dir) = data_dir else {
        return Ok((Stores::memory(), Arc::new(MemoryBlobStore::new())));
    };
    tokio::fs::create_dir_all(dir)
        .await
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let database = dir.join("portal.db");
    let store = SqliteStore::open(&database, SqliteStoreConfig::default())
        .await
        .with_context(|| format!("opening {}", database.display()))?;
    // Migrations never run on their own: the host runs them, here at every start.
    store.migrate().await.context("migrating the database")?;
    let files = FsBlobStore::open(dir.join("files"))
        .await
        .context("opening the file store")?;
    Ok((Stores::from_backend(store), Arc::new(files)))
}

/// A key from its environment variable (base64 of 32 bytes), else a new one.
fn key<K, E>(
    variable: &str,
    parse: fn(&str) -> Result<K, E>,
    generate: fn() -> Result<K, TokenError>,
    persistent: bool,
) -> anyhow::Result<K>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match std::env::var(variable) {
        Ok(text) => parse(text.trim()).with_context(|| format!("{variable} is not a valid key")),
        Err(std::env::VarError::NotPresent) => {
            if persistent {
                tracing::warn!(
                    "{variable} is not set: using a new key, which the next start will not know"
                );
            }
            Ok(generate()?)
        }
        Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!("{variable} is not valid text"),
    }
}

fn print_banner(app: &EmbeddedApp, public_url: &str) {
    let portal = format!("{public_url}{PORTAL_PATH}");
    println!();
    println!("Harbour is running: {public_url}/");
    println!("  Client portal API:    {portal}/api/v1/me (answers with your Harbour sign-in)");
    println!("  Client portal pages:  {portal}/ (the portal's own sign-in; mail is printed here)");
    println!("  API description:      {portal}/api/v1/openapi.json");
    println!(
        "  Fed the portal:       {} created, {} updated, {} refused",
        app.fed.created,
        app.fed.updated,
        app.fed.failures.len()
    );
    println!();
    println!("Harbour logins, all with the password {DEMO_PASSWORD:?}:");
    for user in app.host.users.all() {
        let portal = match (portal_role(&user.role), &user.role) {
            (None, _) => "no portal account".to_owned(),
            (Some(role), HostRole::Guest { customer, .. }) => {
                let client = app
                    .host
                    .workspace
                    .customer(customer)
                    .map_or(customer.as_str(), |customer| customer.name.as_str());
                format!("portal: {}, {client}", role.title().to_lowercase())
            }
            (Some(role), _) => format!("portal: {}", role.title().to_lowercase()),
        };
        println!(
            "  {:<12} {:<26} {:<15} {portal}",
            user.name,
            user.email,
            user.role.title()
        );
    }
    println!();
}

/// Resolves once shutdown was asked for.
async fn stopped(mut stop: watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after it sent.
    let _ = stop.wait_for(|stopped| *stopped).await;
}
