//! A replica killed with SIGKILL in the middle of a burst of writes and of an upload: after it
//! restarts, every write it acknowledged is there, no half-stored document is visible, the audit
//! chain verifies, and the outbox events nobody delivered yet are delivered.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed unwrap is a failed test"
)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt as _;
use serde_json::json;
use sha2::Digest as _;
use sqlx::Row as _;
use support::{
    Backing, CLIENT_ADMIN, Receiver, Replica, Services, Session, login, register_webhook,
    staff_and_a_project,
};

/// A short lease, so the killed replica's claimed events come back within the test.
const LEASE_SECS: u32 = 3;
/// Writers posting requests side by side.
const WRITERS: usize = 6;
const UPLOAD_NAME: &str = "killed-mid-upload.txt";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_killed_mid_burst_loses_nothing_it_acknowledged() {
    let Some(services) = Services::from_env("crash") else {
        return;
    };
    let backing = Backing::create(&services).await;
    let mut a = Replica::start("replica A", &backing, None, LEASE_SECS).await;
    let mut b = Replica::start("replica B", &backing, Some(a.keys()), LEASE_SECS).await;
    let receiver = Receiver::start().await;
    register_webhook(&b, &receiver).await;
    let (staff, project) = staff_and_a_project(&b).await;

    // The burst: writers and one slow upload against A, then SIGKILL.
    let sarah = login(&a, CLIENT_ADMIN).await;
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (sarah, url, acknowledged) =
                (sarah.clone(), a.api("/requests"), acknowledged.clone());
            tokio::spawn(
                async move { write_until_refused(writer, &sarah, &url, &acknowledged).await },
            )
        })
        .collect();
    let upload = tokio::spawn(slow_upload(
        staff.clone(),
        a.api(&format!("/projects/{project}/documents?name={UPLOAD_NAME}")),
    ));
    // Long enough for the upload's first 8 MiB part to reach the bucket; the whole file would
    // take ten seconds.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    a.kill().await;
    for writer in writers {
        writer.await.unwrap();
    }
    let upload_answer = upload.await.unwrap();
    assert!(
        upload_answer.is_none(),
        "the upload finished before the kill: {upload_answer:?}"
    );
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= WRITERS,
        "too few writes before the kill to test anything: {}",
        acknowledged.len()
    );

    let pending_at_kill = pending_events(&mut backing.connect().await).await;
    eprintln!(
        "killed replica A after {} acknowledged writes; {pending_at_kill} outbox events pending",
        acknowledged.len()
    );
    a.restart().await;
    every_acknowledged_write_is_there(&a, &b, &acknowledged).await;
    no_partial_document_is_visible(&staff, &b, &project).await;
    the_upload_was_cut_in_the_bucket(&backing).await;
    the_audit_chain_verifies(&backing).await;
    undelivered_events_are_delivered(&backing, &receiver, &acknowledged).await;

    a.stop().await;
    b.stop().await;
    backing.remove().await;
}

/// Posts requests one after another until the replica stops answering; keeps the id of each
/// one it acknowledged (201).
async fn write_until_refused(
    writer: usize,
    sarah: &Session,
    url: &str,
    acknowledged: &Mutex<Vec<String>>,
) {
    for index in 0.. {
        let request = sarah
            .client()
            .post(url)
            .header("content-type", "application/json")
            .body(
                json!({ "title": format!("Burst {writer}-{index}"), "body": "Written in a burst." })
                    .to_string(),
            );
        match sarah.try_send(request).await {
            Ok(answer) if answer.status == 201 => acknowledged
                .lock()
                .unwrap()
                .push(answer.body["id"].as_str().unwrap().to_owned()),
            Ok(answer) => panic!("writer {writer}: {} {:?}", answer.status, answer.body),
            // The replica died: this write was never acknowledged.
            Err(_) => return,
        }
    }
}

/// Streams a 64 MiB text file slowly (64 KiB every 10 ms); the answer if one came.
async fn slow_upload(staff: Session, url: String) -> Option<(u16, serde_json::Value)> {
    let chunks = futures_util::stream::iter(0..1024).then(|_| async {
        tokio::time::sleep(Duration::from_millis(10)).await;
        Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; 64 * 1024]))
    });
    let request = staff
        .client()
        .post(url)
        .header("content-type", "application/octet-stream")
        .body(reqwest::Body::wrap_stream(chunks));
    staff
        .try_send(request)
        .await
        .ok()
        .map(|answer| (answer.status, answer.body))
}

async fn every_acknowledged_write_is_there(a: &Replica, b: &Replica, acknowledged: &[String]) {
    let sarah = login(b, CLIENT_ADMIN).await;
    for (index, id) in acknowledged.iter().enumerate() {
        // Alternate replicas: the restarted one reads the same database.
        let replica = if index % 2 == 0 { a } else { b };
        let answer = sarah.get(replica.api(&format!("/requests/{id}"))).await;
        assert_eq!(answer.status, 200, "acknowledged request {id} is gone");
    }
}

async fn no_partial_document_is_visible(staff: &Session, b: &Replica, project: &str) {
    let listed = staff
        .get(b.api(&format!("/projects/{project}/documents?limit=200")))
        .await;
    assert_eq!(listed.status, 200);
    let documents = listed.body["items"].as_array().unwrap();
    assert!(!documents.is_empty());
    for document in documents {
        assert_ne!(
            document["title"], UPLOAD_NAME,
            "the killed upload is visible: {document}"
        );
        // Every visible document's current version is whole: its bytes hash as recorded.
        let id = document["id"].as_str().unwrap();
        let versions = staff.get(b.api(&format!("/documents/{id}/versions"))).await;
        let current = &versions.body["items"][0];
        let download = staff
            .client()
            .get(b.api(&format!("/documents/{id}/download")))
            .header("cookie", &staff.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), 200, "document {id}");
        let bytes = download.bytes().await.unwrap();
        assert_eq!(
            i64::try_from(bytes.len()).unwrap(),
            current["size"].as_i64().unwrap(),
            "document {id}"
        );
        assert_eq!(
            format!("{:x}", sha2::Sha256::digest(&bytes)),
            current["sha256"].as_str().unwrap(),
            "document {id}"
        );
    }
}

/// The killed upload left an incomplete multipart upload behind (invisible as an object; a
/// lifecycle rule removes it), which shows the kill came in the middle of storing the file.
async fn the_upload_was_cut_in_the_bucket(backing: &Backing) {
    let listing = reqwest::get(format!(
        "{}/{}?uploads",
        backing.s3_endpoint, backing.bucket
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(
        listing.contains("<UploadId>"),
        "no incomplete upload in the bucket: {listing}"
    );
}

async fn the_audit_chain_verifies(backing: &Backing) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_branded-server"))
        .args(["verify-audit", "--tenant", support::TENANT])
        .env("DATABASE_URL", &backing.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "verify-audit failed: {printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains("is intact"), "{printed}");
}

/// Outbox rows not delivered yet, read straight from the database.
async fn pending_events(database: &mut sqlx::PgConnection) -> i64 {
    sqlx::query("SELECT count(*) AS pending FROM portal_outbox_event WHERE status <> 'delivered'")
        .fetch_one(database)
        .await
        .unwrap()
        .get("pending")
}

async fn undelivered_events_are_delivered(
    backing: &Backing,
    receiver: &Receiver,
    acknowledged: &[String],
) {
    // Events claimed by the killed replica wait out their lease; then either replica sends them.
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut database = backing.connect().await;
    loop {
        let pending = pending_events(&mut database).await;
        let received = receiver.received();
        let missing: Vec<_> = acknowledged
            .iter()
            .filter(|id| {
                !received
                    .iter()
                    .any(|delivery| delivery.body.contains(id.as_str()))
            })
            .collect();
        if pending == 0 && missing.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} outbox events still pending; {} acknowledged requests never announced: \
             {missing:?}",
            missing.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
