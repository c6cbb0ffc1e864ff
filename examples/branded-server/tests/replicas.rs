//! Two replicas of the example server on one PostgreSQL database and one S3 bucket: a session
//! opened on one works on the other (and ends on both), failed logins are counted across them,
//! a file uploaded through one downloads from the other, and each outbox event is delivered
//! once although both run the dispatcher.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed unwrap is a failed test"
)]

mod support;

use std::time::Duration;

use serde_json::json;
use support::{
    Backing, CLIENT_ADMIN, PASSWORD, Receiver, Replica, Services, login, register_webhook,
    staff_and_a_project, try_login,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_share_sessions_throttling_files_and_the_outbox() {
    let Some(services) = Services::from_env("replicas") else {
        return;
    };
    let backing = Backing::create(&services).await;
    let mut a = Replica::start("replica A", &backing, None, 120).await;
    let mut b = Replica::start("replica B", &backing, Some(a.keys()), 120).await;

    a_session_opened_on_one_replica_works_and_ends_on_the_other(&a, &b).await;
    failed_logins_count_across_replicas(&a, &b).await;
    a_file_stored_through_one_replica_downloads_from_the_other(&a, &b).await;
    each_event_is_delivered_once(&a, &b).await;

    a.stop().await;
    b.stop().await;
    backing.remove().await;
}

async fn a_session_opened_on_one_replica_works_and_ends_on_the_other(a: &Replica, b: &Replica) {
    let on_a = login(a, CLIENT_ADMIN).await;
    let me_on_b = on_a.get(b.api("/me")).await;
    assert_eq!(me_on_b.status, 200, "{:?}", me_on_b.body);
    assert_eq!(me_on_b.body["email"], CLIENT_ADMIN, "{:?}", me_on_b.body);
    assert_eq!(on_a.get(b.api("/dashboard")).await.status, 200);

    // Signing out on B ends the session on A at once: no replica keeps it in memory.
    let out = on_a.post(b.api("/auth/logout"), json!({})).await;
    assert!(
        out.status < 300,
        "logout on B: {} {:?}",
        out.status,
        out.body
    );
    assert_eq!(on_a.get(a.api("/me")).await.status, 401);
    assert_eq!(on_a.get(b.api("/me")).await.status, 401);
}

async fn failed_logins_count_across_replicas(a: &Replica, b: &Replica) {
    // From the fifth failure on, each failure blocks the account for a growing time (1 s, 2 s,
    // …), and a blocked attempt is refused with 429. Alternating between the replicas, the
    // first refusal comes right after the fifth failure overall when the count is shared; a
    // count per replica would not block before each had five (the eleventh attempt).
    let account = "james@acme.example";
    let mut first_refusal = None;
    for attempt in 1..=12 {
        let replica = if attempt % 2 == 1 { a } else { b };
        let (status, session) = try_login(replica, account, "not the password").await;
        assert!(session.is_none());
        match status {
            401 => {}
            429 => {
                first_refusal = Some(attempt);
                break;
            }
            other => panic!("attempt {attempt} at {}: {other}", replica.name),
        }
    }
    let first_refusal = first_refusal.expect("twelve failures were never throttled");
    // The sixth attempt, or the seventh if the 1 s block had passed before the sixth arrived.
    assert!(
        (6..=7).contains(&first_refusal),
        "the first refusal came at attempt {first_refusal}: failures were not counted across \
         replicas"
    );
    let (status, _) = try_login(a, account, PASSWORD).await;
    assert_eq!(
        status, 429,
        "while blocked, even the right password is refused"
    );
}

async fn a_file_stored_through_one_replica_downloads_from_the_other(a: &Replica, b: &Replica) {
    let (staff, project) = staff_and_a_project(a).await;
    let content = format!("shared through S3 {}\n", uuid::Uuid::new_v4()).repeat(1000);
    let uploaded = staff
        .send(
            staff
                .client()
                .post(a.api(&format!("/projects/{project}/documents?name=replicas.txt")))
                .header("content-type", "application/octet-stream")
                .body(content.clone()),
        )
        .await;
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    let document = uploaded.body["document"]["id"].as_str().unwrap().to_owned();
    let download = staff
        .client()
        .get(b.api(&format!("/documents/{document}/download")))
        .header("cookie", &staff.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap(), content.as_bytes());
}

async fn each_event_is_delivered_once(a: &Replica, b: &Replica) {
    let receiver = Receiver::start().await;
    register_webhook(a, &receiver).await;
    let sarah_a = login(a, CLIENT_ADMIN).await;
    let sarah_b = login(b, CLIENT_ADMIN).await;

    // Forty requests, half through each replica: forty `request.submitted` events, which both
    // replicas' dispatchers compete for.
    let mut submitted = Vec::new();
    for index in 0..40 {
        let (session, replica) = if index % 2 == 0 {
            (&sarah_a, a)
        } else {
            (&sarah_b, b)
        };
        let answer = session
            .post(
                replica.api("/requests"),
                json!({ "title": format!("Replica request {index}"), "body": "Please check." }),
            )
            .await;
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        submitted.push(answer.body["id"].as_str().unwrap().to_owned());
    }
    receiver
        .wait_until(
            Duration::from_secs(60),
            "40 request.submitted deliveries",
            |got| {
                got.iter()
                    .filter(|delivery| delivery.kind == "request.submitted")
                    .count()
                    >= 40
            },
        )
        .await;
    // Give a duplicate every chance to arrive: several more passes of both dispatchers.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let counts = receiver.counts();
    let twice: Vec<_> = counts.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        twice.is_empty(),
        "events delivered more than once: {twice:?}"
    );
    let received = receiver.received();
    for request in &submitted {
        let carrying = received
            .iter()
            .filter(|delivery| delivery.body.contains(request.as_str()))
            .count();
        assert_eq!(carrying, 1, "request {request} announced {carrying} times");
    }
}
