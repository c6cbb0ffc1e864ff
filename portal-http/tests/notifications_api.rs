//! Notifications, mail preferences and webhooks through the JSON API: each person sees and
//! marks only their own notifications, preferences follow the security rule, and webhook
//! secrets are shown once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::http::Method;
use portal_core::BuiltinRole;
use portal_core::model::EventType;
use serde_json::{Value, json};
use support::notify::{notify, queue_event};
use support::staff_api::{Auth, NOBODY, acme, call, globex};
use support::{Portal, staff};

async fn send(
    portal: &Portal,
    method: Method,
    path: &str,
    body: Option<Value>,
    cookie: &str,
) -> support::Reply {
    call(portal, method, path, body, Auth::Cookie(cookie)).await
}

#[tokio::test]
async fn people_list_count_and_mark_only_their_own_notifications() {
    let portal = Portal::new().await;
    let bob = staff(
        &portal.stores,
        portal.acme,
        "bob@acme.test",
        BuiltinRole::Admin,
    )
    .await;
    for title in ["first", "second", "third"] {
        notify(
            &portal.stores,
            portal.acme,
            portal.ada,
            EventType::ApprovalRequested,
            title,
        )
        .await;
    }
    notify(
        &portal.stores,
        portal.acme,
        bob,
        EventType::MessagePosted,
        "bob's own",
    )
    .await;
    let ada = portal.login("acme", "ada@acme.test").await;
    let bob_cookie = portal.login("acme", "bob@acme.test").await;

    let unread = send(
        &portal,
        Method::GET,
        &acme("/notifications/unread"),
        None,
        &ada,
    )
    .await;
    assert_eq!(unread.json(), json!({ "unread": 3 }));
    let list = send(
        &portal,
        Method::GET,
        &acme("/notifications?limit=2"),
        None,
        &ada,
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.text);
    let items = list.json()["items"].as_array().unwrap().clone();
    let titles: Vec<_> = items
        .iter()
        .map(|item| item["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["third", "second"], "newest first");
    assert!(!list.text.contains("bob's own"));
    let next = list.json()["next_cursor"].as_str().unwrap().to_owned();
    let rest = send(
        &portal,
        Method::GET,
        &acme(&format!("/notifications?limit=2&after={next}")),
        None,
        &ada,
    )
    .await;
    assert_eq!(rest.json()["items"][0]["title"], "first");

    // Bob's id in Ada's request is ignored; Ada's own is marked.
    let bobs = send(
        &portal,
        Method::GET,
        &acme("/notifications"),
        None,
        &bob_cookie,
    )
    .await
    .json()["items"][0]["id"]
        .clone();
    let marked = send(
        &portal,
        Method::POST,
        &acme("/notifications/read"),
        Some(json!({ "ids": [bobs, items[0]["id"]] })),
        &ada,
    )
    .await;
    assert_eq!(marked.json(), json!({ "marked": 1 }));
    let bob_unread = send(
        &portal,
        Method::GET,
        &acme("/notifications/unread"),
        None,
        &bob_cookie,
    )
    .await;
    assert_eq!(bob_unread.json(), json!({ "unread": 1 }));
    let only_unread = send(
        &portal,
        Method::GET,
        &acme("/notifications?unread=true"),
        None,
        &ada,
    )
    .await;
    assert_eq!(only_unread.json()["items"].as_array().unwrap().len(), 2);

    let all = send(
        &portal,
        Method::POST,
        &acme("/notifications/read"),
        Some(json!({ "all": true })),
        &ada,
    )
    .await;
    assert_eq!(all.json(), json!({ "marked": 2 }));
    let neither = send(
        &portal,
        Method::POST,
        &acme("/notifications/read"),
        Some(json!({})),
        &ada,
    )
    .await;
    assert_eq!(neither.status, 422);
    assert_eq!(neither.json()["error"]["fields"], json!(["ids"]));
    assert_eq!(
        send(
            &portal,
            Method::GET,
            &acme("/notifications/unread"),
            None,
            &ada
        )
        .await
        .json(),
        json!({ "unread": 0 })
    );
}

#[tokio::test]
async fn mail_preferences_follow_defaults_and_lock_security_notices() {
    let portal = Portal::new().await;
    let ada = portal.login("acme", "ada@acme.test").await;
    let table = send(
        &portal,
        Method::GET,
        &acme("/me/mail-preferences"),
        None,
        &ada,
    )
    .await;
    assert_eq!(table.status, 200, "{}", table.text);
    let rows = table.json();
    assert_eq!(rows.as_array().unwrap().len(), EventType::ALL.len());
    let update = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["event_type"] == "update.published")
        .unwrap();
    assert_eq!(
        update,
        &json!({ "event_type": "update.published", "mail": "digest", "default": "digest", "locked": false })
    );

    let set = send(
        &portal,
        Method::PUT,
        &acme("/me/mail-preferences/update.published"),
        Some(json!({ "mail": "off" })),
        &ada,
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json()["mail"], "off");
    let again = send(
        &portal,
        Method::GET,
        &acme("/me/mail-preferences"),
        None,
        &ada,
    )
    .await
    .json();
    assert!(
        again
            .as_array()
            .unwrap()
            .iter()
            .any(|row| row["event_type"] == "update.published" && row["mail"] == "off")
    );

    let locked = send(
        &portal,
        Method::PUT,
        &acme("/me/mail-preferences/security.new_device"),
        Some(json!({ "mail": "off" })),
        &ada,
    )
    .await;
    assert_eq!(locked.status, 422);
    assert_eq!(locked.json()["error"]["fields"], json!(["event_type"]));
    let unknown = send(
        &portal,
        Method::PUT,
        &acme("/me/mail-preferences/approval.unknown"),
        Some(json!({ "mail": "off" })),
        &ada,
    )
    .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.json()["error"]["fields"], json!(["event_type"]));
    let weekly = send(
        &portal,
        Method::PUT,
        &acme("/me/mail-preferences/update.published"),
        Some(json!({ "mail": "weekly" })),
        &ada,
    )
    .await;
    assert_eq!(weekly.status, 422);
    assert_eq!(weekly.json()["error"]["fields"], json!(["mail"]));
}

#[tokio::test]
async fn webhooks_show_their_secret_once_rotate_and_redeliver() {
    let portal = Portal::new().await;
    let ada = portal.login("acme", "ada@acme.test").await;
    let created = send(&portal, Method::POST, &acme("/webhooks"), Some(json!({
        "url": "https://hooks.example/portal", "description": "CRM", "event_types": ["message.posted"]
    })), &ada).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let body = created.json();
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 6 + 43,
        "{secret}"
    );
    let id = body["webhook"]["id"].as_str().unwrap().to_owned();
    let shown = send(
        &portal,
        Method::GET,
        &acme(&format!("/webhooks/{id}")),
        None,
        &ada,
    )
    .await;
    assert_eq!(shown.status, 200);
    assert!(
        !shown.text.contains(&secret[6..]),
        "the secret is shown once"
    );
    let list = send(&portal, Method::GET, &acme("/webhooks"), None, &ada).await;
    assert!(!list.text.contains(&secret[6..]));
    assert_eq!(
        list.json()["items"][0]["event_types"],
        json!(["message.posted"])
    );

    let rotated = send(
        &portal,
        Method::POST,
        &acme(&format!("/webhooks/{id}/secret")),
        None,
        &ada,
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = rotated.json()["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);

    let patched = send(
        &portal,
        Method::PATCH,
        &acme(&format!("/webhooks/{id}")),
        Some(json!({ "active": false })),
        &ada,
    )
    .await;
    assert_eq!(patched.json()["active"], false);
    assert_eq!(patched.json()["url"], "https://hooks.example/portal");
    let plain = send(
        &portal,
        Method::PATCH,
        &acme(&format!("/webhooks/{id}")),
        Some(json!({ "url": "http://hooks.example/" })),
        &ada,
    )
    .await;
    assert_eq!(plain.status, 422);
    assert_eq!(plain.json()["error"]["fields"], json!(["url"]));
    let bad_type = send(
        &portal,
        Method::POST,
        &acme("/webhooks"),
        Some(json!({ "url": "https://a.example/", "event_types": ["nope"] })),
        &ada,
    )
    .await;
    assert_eq!(bad_type.json()["error"]["fields"], json!(["event_types"]));
    send(
        &portal,
        Method::PATCH,
        &acme(&format!("/webhooks/{id}")),
        Some(json!({ "active": true })),
        &ada,
    )
    .await;

    queue_event(&portal.stores, portal.acme, r#"{"canary":"body"}"#).await;
    let deliveries = send(
        &portal,
        Method::GET,
        &acme(&format!("/webhooks/{id}/deliveries")),
        None,
        &ada,
    )
    .await;
    assert_eq!(deliveries.status, 200, "{}", deliveries.text);
    let delivery = deliveries.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = send(
        &portal,
        Method::GET,
        &acme(&format!("/webhook-deliveries/{delivery}")),
        None,
        &ada,
    )
    .await;
    assert_eq!(detail.json()["body"], r#"{"canary":"body"}"#);
    assert_eq!(detail.json()["attempts"], json!([]));
    let again = send(
        &portal,
        Method::POST,
        &acme(&format!("/webhook-deliveries/{delivery}/redeliver")),
        None,
        &ada,
    )
    .await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["status"], "pending");

    // Globex sees none of it.
    let gil = portal.login("globex", "gil@globex.test").await;
    for path in [
        format!("/webhooks/{id}"),
        format!("/webhooks/{id}/deliveries"),
        format!("/webhook-deliveries/{delivery}"),
        format!("/webhooks/{NOBODY}"),
    ] {
        let reply = send(&portal, Method::GET, &globex(&path), None, &gil).await;
        assert_eq!(reply.status, 404, "{path}");
    }
    assert_eq!(
        send(&portal, Method::GET, &globex("/webhooks"), None, &gil)
            .await
            .json()["items"],
        json!([])
    );

    let deleted = send(
        &portal,
        Method::DELETE,
        &acme(&format!("/webhooks/{id}")),
        None,
        &ada,
    )
    .await;
    assert_eq!(deleted.status, 204);
    let refused = send(
        &portal,
        Method::POST,
        &acme(&format!("/webhook-deliveries/{delivery}/redeliver")),
        None,
        &ada,
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
}

#[tokio::test]
async fn plain_http_endpoints_need_the_host_to_allow_them() {
    let strict = Portal::new().await;
    let ada = strict.login("acme", "ada@acme.test").await;
    let refused = send(
        &strict,
        Method::POST,
        &acme("/webhooks"),
        Some(json!({ "url": "http://127.0.0.1:9/hook" })),
        &ada,
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.json()["error"]["fields"], json!(["url"]));
    let open = Portal::with_config(portal_http::HttpConfig::default().with_http_webhooks()).await;
    let ada = open.login("acme", "ada@acme.test").await;
    let created = send(
        &open,
        Method::POST,
        &acme("/webhooks"),
        Some(json!({ "url": "http://127.0.0.1:9/hook" })),
        &ada,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
}
