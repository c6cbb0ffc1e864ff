//! Guessing the current password through `/me/password` is throttled like logging in
//! (SEC-10), and a new task's optional day reads like the API's other optional days.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::http::{Method, header};
use serde_json::{Value, json};
use support::staff_api::{Team, acme};
use support::{PASSWORD, Portal, Reply};
use time::Duration;

const NEW_PASSWORD: &str = "another long passphrase for 2031";

async fn change_password(portal: &Portal, cookie: &str, current: &str) -> Reply {
    portal
        .post(
            "/acme/api/v1/me/password",
            json!({ "current_password": current, "new_password": NEW_PASSWORD }),
            Some(cookie),
        )
        .await
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_failed_logins_sec_10() {
    let portal = Portal::new().await;
    let cookie = portal.login("acme", "ada@acme.test").await;
    // The default policy blocks an account for a second after its fifth failure.
    for attempt in 0..5 {
        let wrong = change_password(&portal, &cookie, "not the password at all").await;
        assert_eq!(wrong.status, 422, "attempt {attempt}: {}", wrong.text);
        assert_eq!(wrong.json()["error"]["fields"], json!(["current_password"]));
    }
    let throttled = change_password(&portal, &cookie, "not the password at all").await;
    assert_eq!(throttled.status, 429, "{}", throttled.text);
    assert_eq!(throttled.error_code(), "throttled");
    assert!(throttled.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(
        change_password(&portal, &cookie, PASSWORD).await.status,
        429,
        "while blocked even the right password is not checked"
    );
    let login = portal
        .post(
            "/acme/api/v1/auth/login",
            json!({ "email": "ada@acme.test", "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(
        login.status, 429,
        "guesses through a session spend the login's budget: {}",
        login.text
    );

    portal.clock.advance(Duration::seconds(2));
    let changed = change_password(&portal, &cookie, PASSWORD).await;
    assert_eq!(changed.status, 204, "{}", changed.text);
}

#[tokio::test]
async fn a_blank_due_day_of_a_new_task_means_none_like_the_other_optional_days() {
    let s = Team::new().await;
    let project = s.world.a.project;
    let tasks = acme(&format!("/projects/{project}/tasks"));
    let create = |due_on: Value| {
        s.send(
            Method::POST,
            &tasks,
            Some(json!({ "title": "Send copy", "owner": "client", "due_on": due_on })),
            &s.owner,
        )
    };
    for none in [json!(""), json!("   "), Value::Null] {
        let task = create(none.clone()).await;
        assert_eq!(task.status, 201, "{none}: {}", task.text);
        assert_eq!(task.json()["due_on"], Value::Null, "{none}");
    }
    let dated = create(json!(" 2030-02-01 ")).await;
    assert_eq!(dated.status, 201, "{}", dated.text);
    assert_eq!(dated.json()["due_on"], "2030-02-01");
    for wrong in [json!("2030-02-30"), json!("soon")] {
        let task = create(wrong.clone()).await;
        assert_eq!(task.status, 422, "{wrong}: {}", task.text);
        assert_eq!(task.json()["error"]["fields"], json!(["due_on"]));
    }

    // A milestone's and a deliverable's day read the same way.
    let milestone = s
        .send(
            Method::POST,
            &acme(&format!("/projects/{project}/milestones")),
            Some(json!({ "title": "Launch", "due_on": "" })),
            &s.owner,
        )
        .await;
    assert_eq!(milestone.status, 201, "{}", milestone.text);
    assert_eq!(milestone.json()["due_on"], Value::Null);
    let milestone_id = milestone.json()["id"].as_str().unwrap().to_owned();
    let deliverable = s
        .send(
            Method::POST,
            &acme(&format!("/milestones/{milestone_id}/deliverables")),
            Some(json!({ "title": "Footer", "due_on": "  " })),
            &s.owner,
        )
        .await;
    assert_eq!(deliverable.status, 201, "{}", deliverable.text);
    assert_eq!(deliverable.json()["due_on"], Value::Null);
}
