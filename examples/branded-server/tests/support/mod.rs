//! Replicas of the example server as real processes, for the scale-out and crash tests: a fresh
//! PostgreSQL database and S3 bucket per test, each replica the built `branded-server` binary on
//! its own port and data folder, sharing the keys as an operator would, and a webhook receiver
//! that counts deliveries.
//!
//! They need `PORTAL_TEST_POSTGRES_URL` (a database whose server may create more) and
//! `PORTAL_TEST_S3_ENDPOINT` (an S3 emulator that creates buckets on `PUT /<bucket>`); `.ci/test`
//! starts both. Without them the tests say so and pass, except under CI.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test; each test uses some of them"
)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use branded_server::keys::StoredKey;
use portal_auth::{MailLinkKey, TotpKey};
use serde_json::{Value, json};
use sqlx::Connection as _;
use tokio::process::{Child, Command};

/// The demo tenant's slug and password (see the seed).
pub(crate) const TENANT: &str = "northwind";
pub(crate) const PASSWORD: &str = branded_server::seed::DEMO_PASSWORD;
/// A client admin of Acme.
pub(crate) const CLIENT_ADMIN: &str = "sarah@acme.example";
/// The tenant's admin (manages webhooks).
pub(crate) const TENANT_ADMIN: &str = "tom@northwind.example";

/// The services the replicas share, from the environment.
#[derive(Debug, Clone)]
pub(crate) struct Services {
    postgres_url: String,
    s3_endpoint: String,
}

impl Services {
    /// The configured services, or `None` with a note when either is missing (a failure under
    /// CI, where they must run).
    pub(crate) fn from_env(test: &str) -> Option<Self> {
        let postgres_url = std::env::var("PORTAL_TEST_POSTGRES_URL").ok();
        let s3_endpoint = std::env::var("PORTAL_TEST_S3_ENDPOINT").ok();
        match (postgres_url, s3_endpoint) {
            (Some(postgres_url), Some(s3_endpoint)) => Some(Self {
                postgres_url,
                s3_endpoint,
            }),
            _ => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{test}: PORTAL_TEST_POSTGRES_URL and PORTAL_TEST_S3_ENDPOINT must be set under CI"
                );
                eprintln!(
                    "{test} skipped: it needs PostgreSQL (PORTAL_TEST_POSTGRES_URL) and an S3 \
                     emulator (PORTAL_TEST_S3_ENDPOINT); `bash .ci/test` starts both"
                );
                None
            }
        }
    }
}

/// A fresh database and bucket, dropped by [`Backing::remove`].
#[derive(Debug)]
pub(crate) struct Backing {
    admin_url: String,
    database: String,
    pub(crate) database_url: String,
    pub(crate) bucket: String,
    pub s3_endpoint: String,
}

impl Backing {
    pub(crate) async fn create(services: &Services) -> Self {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let database = format!("portal_replicas_{suffix}");
        let mut admin = sqlx::PgConnection::connect(&services.postgres_url)
            .await
            .expect("connecting to PORTAL_TEST_POSTGRES_URL");
        // The name is ours (a UUID), never input.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE \"{database}\""
        )))
        .execute(&mut admin)
        .await
        .unwrap();
        admin.close().await.unwrap();
        let mut database_url = url::Url::parse(&services.postgres_url).unwrap();
        database_url.set_path(&format!("/{database}"));

        let bucket = format!("portal-replicas-{suffix}");
        let created = http_client()
            .put(format!("{}/{bucket}", services.s3_endpoint))
            .send()
            .await
            .unwrap();
        assert!(created.status().is_success(), "creating bucket {bucket}");
        Self {
            admin_url: services.postgres_url.clone(),
            database,
            database_url: database_url.to_string(),
            bucket,
            s3_endpoint: services.s3_endpoint.clone(),
        }
    }

    /// Drops the database (the emulator's bucket goes with the emulator).
    pub(crate) async fn remove(self) {
        let mut admin = sqlx::PgConnection::connect(&self.admin_url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.database
        )))
        .execute(&mut admin)
        .await
        .unwrap();
    }

    /// A direct connection, for what the API does not show (the outbox).
    pub(crate) async fn connect(&self) -> sqlx::PgConnection {
        sqlx::PgConnection::connect(&self.database_url)
            .await
            .unwrap()
    }
}

/// The secret keys replicas must share: given to each as environment variables.
#[derive(Debug, Clone)]
pub(crate) struct SharedKeys {
    totp: String,
    mail_link: String,
}

/// One `branded-server` process.
pub(crate) struct Replica {
    pub(crate) name: &'static str,
    port: u16,
    data_dir: tempfile::TempDir,
    child: Option<Child>,
    keys: Option<SharedKeys>,
    lease_secs: u32,
    backing_env: Vec<(String, String)>,
    args: Vec<String>,
}

impl Replica {
    /// Starts a replica and waits until `/healthz` answers. The first replica of a database
    /// migrates and seeds it; give the others the first one's [`Replica::keys`].
    pub(crate) async fn start(
        name: &'static str,
        backing: &Backing,
        keys: Option<SharedKeys>,
        lease_secs: u32,
    ) -> Self {
        let port = free_port();
        let mut replica = Self {
            name,
            port,
            data_dir: tempfile::tempdir().unwrap(),
            child: None,
            keys,
            lease_secs,
            backing_env: vec![
                ("DATABASE_URL".into(), backing.database_url.clone()),
                ("AWS_ACCESS_KEY_ID".into(), "test".into()),
                ("AWS_SECRET_ACCESS_KEY".into(), "test".into()),
            ],
            args: vec![
                "--s3-bucket".into(),
                backing.bucket.clone(),
                "--s3-endpoint".into(),
                backing.s3_endpoint.clone(),
            ],
        };
        replica.spawn().await;
        replica
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_branded-server"));
        command
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .arg("--rate-limit")
            .arg("0")
            .arg("--allow-local-webhooks")
            .arg("--outbox-lease-secs")
            .arg(self.lease_secs.to_string())
            .args(&self.args)
            .envs(
                self.backing_env
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .env("RUST_LOG", "warn,branded_server=info")
            .env_remove("PORTAL_TOTP_KEY")
            .env_remove("PORTAL_MAIL_LINK_KEY")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true);
        if let Some(keys) = &self.keys {
            command
                .env("PORTAL_TOTP_KEY", &keys.totp)
                .env("PORTAL_MAIL_LINK_KEY", &keys.mail_link);
        }
        self.child = Some(command.spawn().unwrap());
        self.wait_healthy().await;
    }

    async fn wait_healthy(&mut self) {
        let client = http_client();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("{} exited ({status}):\n{}", self.name, self.log());
            }
            if let Ok(answer) = client.get(self.url("/healthz")).send().await
                && answer.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not become healthy:\n{}",
                self.name,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The keys this replica created on its first start, for the next replicas.
    pub(crate) fn keys(&self) -> SharedKeys {
        let read = |file: &str| {
            std::fs::read_to_string(self.data_dir.path().join(file))
                .unwrap()
                .trim()
                .to_owned()
        };
        self.keys.clone().unwrap_or_else(|| SharedKeys {
            totp: read(<TotpKey as StoredKey>::FILE_NAME),
            mail_link: read(<MailLinkKey as StoredKey>::FILE_NAME),
        })
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    pub(crate) async fn kill(&mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().await.unwrap();
    }

    /// SIGTERM and wait: a graceful stop.
    pub(crate) async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Some(pid) = child.id() {
                // What `docker stop` or systemd sends.
                let _ = std::process::Command::new("kill")
                    .arg("-TERM")
                    .arg(pid.to_string())
                    .status();
            }
            let _ = tokio::time::timeout(Duration::from_secs(40), child.wait()).await;
        }
    }

    /// Starts the process again on the same port and data folder.
    pub(crate) async fn restart(&mut self) {
        assert!(self.child.is_none(), "{} is still running", self.name);
        self.spawn().await;
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// An API route of the demo tenant.
    pub(crate) fn api(&self, path: &str) -> String {
        self.url(&format!("/{TENANT}/api/v1{path}"))
    }

    fn log_path(&self) -> std::path::PathBuf {
        self.data_dir.path().join("server.log")
    }

    /// The replica's log so far, for failure messages.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub(crate) fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A client of the API with one signed-in person's cookie; writes carry what a browser's
/// same-origin request carries.
#[derive(Clone)]
pub(crate) struct Session {
    client: reqwest::Client,
    pub(crate) cookie: String,
}

/// What the API answered.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

/// An HTTP client without a cookie jar or pooled connections to a dead replica.
pub(crate) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Signs in at `replica`; the answer's status and, on success, the session.
pub(crate) async fn try_login(
    replica: &Replica,
    email: &str,
    password: &str,
) -> (u16, Option<Session>) {
    let client = http_client();
    let answer = client
        .post(replica.api("/auth/login"))
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(json!({ "email": email, "password": password }).to_string())
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let cookie = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.contains("portal_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned);
    (status, cookie.map(|cookie| Session { client, cookie }))
}

/// Signs in at `replica`, which must succeed.
pub(crate) async fn login(replica: &Replica, email: &str) -> Session {
    match try_login(replica, email, PASSWORD).await {
        (200, Some(session)) => session,
        (status, _) => panic!("signing in {email} at {}: {status}", replica.name),
    }
}

impl Session {
    pub(crate) async fn get(&self, url: String) -> Answer {
        self.send(self.client.get(url)).await
    }

    pub(crate) async fn post(&self, url: String, body: Value) -> Answer {
        self.send(
            self.client
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// Sends one request; `Err` when the connection failed (the replica died).
    pub(crate) async fn try_send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> reqwest::Result<Answer> {
        let answer = request
            .header("cookie", &self.cookie)
            .header("sec-fetch-site", "same-origin")
            .send()
            .await?;
        let status = answer.status().as_u16();
        let headers = answer.headers().clone();
        let bytes = answer.bytes().await?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        self.try_send(request).await.unwrap()
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

/// One delivery a webhook endpoint received.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    /// `Portal-Event-Id`.
    pub(crate) id: String,
    /// `Portal-Event-Type`.
    pub(crate) kind: String,
    /// The envelope as sent.
    pub(crate) body: String,
}

/// Every delivery a webhook endpoint received, in arrival order.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub(crate) deliveries: Arc<Mutex<Vec<Delivery>>>,
    address: SocketAddr,
}

impl Receiver {
    /// A receiver on a free loopback port that answers 204 to every post.
    pub(crate) async fn start() -> Self {
        let deliveries: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post({
                let deliveries = deliveries.clone();
                move |headers: HeaderMap, body: String| async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|value| value.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    deliveries.lock().unwrap().push(Delivery {
                        id: header("portal-event-id"),
                        kind: header("portal-event-type"),
                        body,
                    });
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            deliveries,
            address,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}/hook", self.address)
    }

    /// The deliveries so far.
    pub(crate) fn received(&self) -> Vec<Delivery> {
        self.deliveries.lock().unwrap().clone()
    }

    /// How many times each event id arrived.
    pub(crate) fn counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for delivery in self.received() {
            *counts.entry(delivery.id).or_default() += 1;
        }
        counts
    }

    /// Waits until `done` holds for the deliveries so far, or panics after `limit`.
    pub(crate) async fn wait_until(
        &self,
        limit: Duration,
        what: &str,
        done: impl Fn(&[Delivery]) -> bool,
    ) {
        let deadline = Instant::now() + limit;
        loop {
            if done(&self.received()) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Registers `receiver` as a webhook endpoint for every event type, as the tenant's admin.
pub(crate) async fn register_webhook(replica: &Replica, receiver: &Receiver) {
    let admin = login(replica, TENANT_ADMIN).await;
    let created = admin
        .post(
            replica.api("/webhooks"),
            json!({ "url": receiver.url(), "description": "replica test" }),
        )
        .await;
    assert_eq!(
        created.status, 201,
        "creating the webhook: {:?}",
        created.body
    );
}

/// Signs in the demo's project lead at `replica`; her session and the first project she sees.
pub(crate) async fn staff_and_a_project(replica: &Replica) -> (Session, String) {
    let staff = login(replica, "priya@northwind.example").await;
    let project = first_id(&staff.get(replica.api("/projects")).await);
    (staff, project)
}

/// The id of the first item of a list answer.
pub(crate) fn first_id(answer: &Answer) -> String {
    answer.body["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no items in {:?}", answer.body))
        .to_owned()
}
