//! Durability on SQLite: a child process writes in a burst and reports each write once its method
//! has returned; the parent kills it with SIGKILL mid-burst. After reopening, every acknowledged
//! write is there and the audit chain verifies.

#![cfg(all(feature = "sqlite", unix))]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use portal_core::model::{ClientInput, NewTenant};
use portal_core::{ClientId, DisplayName, HexColour, Slug, TenantId, TenantScope};
use portal_storage::Stores;
use portal_storage::sql::{SqliteStore, SqliteStoreConfig};

const CHILD_ENV: &str = "PORTAL_DURABILITY_CHILD_DB";
const KILL_AFTER: usize = 150;

fn branding() -> portal_core::model::Branding {
    portal_core::model::Branding {
        display_name: DisplayName::parse("Durable").unwrap(),
        logo_url: None,
        favicon_url: None,
        primary_colour: HexColour::parse("#123456").unwrap(),
        accent_colour: HexColour::parse("#abcdef").unwrap(),
        font: None,
        custom_css: None,
        email_sender_name: None,
        email_sender_address: None,
        default_locale: None,
    }
}

/// The child: creates a tenant, then clients as fast as it can, printing each acknowledged id.
/// It only runs when the parent starts it with the database path in the environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of acknowledged_writes_survive_sigkill, started by it"]
async fn durability_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = SqliteStore::open(&path, SqliteStoreConfig::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let stores = Stores::from_backend(store);
    let tenant = stores
        .tenants
        .create_tenant(NewTenant {
            slug: Slug::parse("durable").unwrap(),
            branding: branding(),
        })
        .await
        .unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "tenant {}", tenant.id).unwrap();
    out.flush().unwrap();
    let scope = TenantScope::dangerous_system(tenant.id);
    for i in 0.. {
        let client = stores
            .clients
            .create_client(
                &scope,
                ClientInput {
                    name: DisplayName::parse(&format!("Client {i}")).unwrap(),
                    external_id: None,
                    branding: None,
                },
                &Default::default(),
            )
            .await
            .unwrap();
        writeln!(out, "client {}", client.id).unwrap();
        out.flush().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portal.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "durability_child",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut tenant = None;
    let mut acknowledged = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        // The test harness may print its own text before the first line on the same line.
        if let Some((_, id)) = line.split_once("tenant ") {
            tenant = Some(id.parse::<TenantId>().unwrap());
        } else if let Some(id) = line.strip_prefix("client ") {
            acknowledged.push(id.parse::<ClientId>().unwrap());
            if acknowledged.len() == KILL_AFTER {
                child.kill().unwrap(); // SIGKILL on Unix: no cleanup, no flush.
                break;
            }
        }
    }
    child.wait().unwrap();
    assert_eq!(
        acknowledged.len(),
        KILL_AFTER,
        "the child stopped before the kill"
    );

    let store = SqliteStore::open(&path, SqliteStoreConfig::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let stores = Stores::from_backend(store);
    let scope = TenantScope::dangerous_system(tenant.unwrap());
    for id in &acknowledged {
        assert!(
            stores.clients.client(&scope, *id).await.unwrap().is_some(),
            "acknowledged client {id} was lost"
        );
    }
    let report = stores.audit.verify_chain(&scope).await.unwrap();
    assert_eq!(report.broken, None);
    assert!(
        report.verified >= KILL_AFTER as u64,
        "every acknowledged write has its audit event"
    );
}
