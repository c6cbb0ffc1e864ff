//! The webhooks settings: an endpoint made with its signing secret shown once (after a recent
//! sign-in), its event filter and activity changed, its secret rotated (step-up first), its
//! delivery log with a seeded delivery and its attempts, a redelivery, the confirm step before
//! deleting; `http://` refused next to its field in the reader's language unless the host
//! allows it; and the branded 404 for roles without `manage_integrations`, for contacts, for a
//! preview and for another tenant's endpoint or delivery.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]
#![cfg(feature = "pages")]

mod pages_support;
mod support;

use pages_support::{
    Browser, assert_field_error, location, missing, post_form_with, seeded, seeded_with,
};
use portal_core::model::{AuditContext, DeliveryStatus, WebhookEndpointInput};
use portal_core::{BuiltinRole, TenantId, TenantScope, WebhookDeliveryId, WebhookEndpointId};
use portal_http::HttpConfig;
use portal_storage::{AttemptRecord, Page};
use support::Portal;
use support::notify::queue_event;
use support::staff_api::role_id;
use time::{Duration, OffsetDateTime};

const URL: &str = "https://hooks.example.com/portal";
const BODY: &str = r#"{"type":"message.posted","data":{"seeded":true}}"#;

/// The `value` of the readonly field with `id`.
fn readonly_value(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in {html}"));
    let rest = &html[start..];
    let value = rest.find("value=\"").unwrap() + 7;
    rest[value..value + rest[value..].find('"').unwrap()].to_owned()
}

/// The ids of `tenant`'s endpoints, oldest first.
async fn endpoints(portal: &Portal, tenant: TenantId) -> Vec<WebhookEndpointId> {
    portal
        .stores
        .webhooks
        .list_webhooks(
            &TenantScope::dangerous_system(tenant),
            Page::first(50).unwrap(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|endpoint| endpoint.id)
        .collect()
}

/// Queues one event for `tenant`'s endpoints and records one failed attempt of it (a 500);
/// returns the delivery's id.
async fn seed_delivery(portal: &Portal, tenant: TenantId) -> WebhookDeliveryId {
    queue_event(&portal.stores, tenant, BODY).await;
    let now = OffsetDateTime::now_utc() + Duration::minutes(1);
    let due = portal
        .stores
        .webhooks
        .claim_deliveries(now, 10, Duration::minutes(1))
        .await
        .unwrap();
    let due = due
        .into_iter()
        .find(|due| due.delivery.tenant == tenant)
        .unwrap();
    portal
        .stores
        .webhooks
        .record_attempt(
            due.delivery.id,
            AttemptRecord {
                at: now,
                status: Some(500),
                error: Some("receiver answered 500".into()),
                duration_ms: 42,
                outcome: DeliveryStatus::Pending,
                retry_at: Some(now + Duration::minutes(5)),
            },
        )
        .await
        .unwrap();
    due.delivery.id
}

/// An active endpoint of globex receiving everything, made through the store.
async fn globex_endpoint(portal: &Portal) -> WebhookEndpointId {
    portal
        .stores
        .webhooks
        .create_webhook(
            &TenantScope::dangerous_system(portal.globex),
            WebhookEndpointInput {
                url: "https://globex.example.com/hooks".parse().unwrap(),
                description: "Globex".into(),
                event_types: Vec::new(),
                active: true,
            },
            vec![7; 32],
            &AuditContext::default(),
        )
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn an_admin_makes_edits_rotates_redelivers_and_deletes_an_endpoint() {
    let (portal, _world) = seeded().await;
    let owner = Browser::open(&portal, "ada@acme.test").await;

    let hub = owner.get("/admin").await;
    assert!(
        hub.text.contains("href=\"/acme/admin/webhooks\""),
        "{}",
        hub.text
    );
    let empty = owner.get("/admin/webhooks").await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert!(empty.text.contains("There are no endpoints yet."));
    assert!(empty.text.contains("value=\"approval.requested\""));
    assert!(empty.text.contains("An approval is needed"));

    // Made: the secret is shown once, with the warning, and never again.
    let made = owner
        .post(
            "/admin/webhooks",
            &[
                ("url", URL),
                ("description", "CRM sync"),
                ("event_types", "approval.requested"),
                ("event_types", "approval.decided"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let secret = readonly_value(&made.text, "created-secret");
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    assert!(made.text.contains("it will not be shown again"));
    let list = owner.get("/admin/webhooks").await.text;
    assert!(!list.contains(&secret), "the secret is shown again");
    assert!(!list.contains("created-secret"));
    for shown in [
        URL,
        "CRM sync",
        "An approval is needed, An approval was decided",
        "Active",
    ] {
        assert!(list.contains(shown), "{shown}: {list}");
    }
    let id = endpoints(&portal, portal.acme).await[0];
    assert!(list.contains(&format!("href=\"/acme/admin/webhooks/{id}\"")));

    // Edited: another filter, paused; then every event, active again.
    let path = format!("/admin/webhooks/{id}");
    let paused = owner
        .post(
            &path,
            &[
                ("url", URL),
                ("description", "CRM sync"),
                ("event_types", "invoice.issued"),
            ],
        )
        .await;
    assert_eq!(
        location(&paused),
        format!("/acme{path}?notice=notice-admin-webhooks-saved")
    );
    let page = owner.follow(&paused).await.text;
    assert!(page.contains("The endpoint is saved."));
    assert!(page.contains("<dd>An invoice was issued</dd>"), "{page}");
    assert!(page.contains("<dd>Paused</dd>"));
    assert!(page.contains("value=\"invoice.issued\" checked"));
    assert!(!page.contains("value=\"approval.requested\" checked"));
    let all = owner
        .post(
            &path,
            &[("url", URL), ("description", "CRM"), ("active", "on")],
        )
        .await;
    let page = owner.follow(&all).await.text;
    assert!(page.contains("<dd>All events</dd>"), "{page}");
    assert!(page.contains("<dd>Active</dd>"));
    assert!(page.contains("Nothing was sent to this endpoint yet."));

    // Rotated: a new secret, shown on this answer only.
    let rotated = owner.post(&format!("{path}/secret"), &[]).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = readonly_value(&rotated.text, "created-secret");
    assert!(new_secret.starts_with("whsec_"));
    assert_ne!(new_secret, secret);
    assert!(!owner.get(&path).await.text.contains(&new_secret));

    // The log: the seeded delivery with its attempt, newest first, and its details.
    let delivery = seed_delivery(&portal, portal.acme).await;
    let page = owner.get(&path).await.text;
    for shown in [
        "A new message",
        "<code>message.posted</code>",
        "Waiting",
        "<code>500</code> receiver answered 500",
        &format!("/acme/admin/webhook-deliveries/{delivery}/redeliver"),
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    let details = owner
        .get(&format!("/admin/webhook-deliveries/{delivery}"))
        .await;
    assert_eq!(details.status, 200, "{}", details.text);
    for shown in [
        "42 ms",
        "receiver answered 500",
        "&quot;seeded&quot;:true",
        "Next attempt",
        "name=\"back\" value=\"details\"",
    ] {
        assert!(details.text.contains(shown), "{shown}: {}", details.text);
    }

    // Redelivered: due again, back to the log with a confirmation.
    let again = owner
        .post(
            &format!("/admin/webhook-deliveries/{delivery}/redeliver"),
            &[],
        )
        .await;
    assert_eq!(
        location(&again),
        format!("/acme{path}?notice=notice-admin-webhooks-redelivered")
    );
    assert!(
        owner
            .follow(&again)
            .await
            .text
            .contains("The delivery is queued again")
    );
    let (queued, _) = portal
        .stores
        .webhooks
        .delivery(&TenantScope::dangerous_system(portal.acme), delivery)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(queued.status, DeliveryStatus::Pending);
    assert!(queued.next_attempt_at <= OffsetDateTime::now_utc());

    // Deleted only after the confirm step; the log stays readable.
    let confirm = owner.get(&format!("{path}/delete")).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm
            .text
            .contains(&format!("Delete the endpoint {URL}?"))
    );
    assert!(
        confirm
            .text
            .contains(&format!("action=\"/acme{path}/delete\""))
    );
    assert_eq!(
        endpoints(&portal, portal.acme).await.len(),
        1,
        "not deleted by the GET"
    );
    let deleted = owner.post(&format!("{path}/delete"), &[]).await;
    let list = owner.follow(&deleted).await.text;
    assert!(list.contains("The endpoint is deleted."));
    assert!(list.contains("There are no endpoints yet."));
    assert!(endpoints(&portal, portal.acme).await.is_empty());
    assert_eq!(owner.get(&path).await.status, 404);
    let details = owner
        .get(&format!("/admin/webhook-deliveries/{delivery}"))
        .await;
    assert_eq!(details.status, 200);
    assert!(details.text.contains("The endpoint was deleted."));
    assert!(!details.text.contains("/redeliver\""));
}

#[tokio::test]
async fn a_new_secret_needs_a_recent_sign_in() {
    let (portal, _world) = seeded().await;
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let made = owner
        .post("/admin/webhooks", &[("url", URL), ("active", "on")])
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = endpoints(&portal, portal.acme).await[0];

    portal.clock.advance(Duration::minutes(11));
    let stale = owner
        .post(&format!("/admin/webhooks/{id}/secret"), &[])
        .await;
    assert_eq!(stale.status, 303, "{}", stale.text);
    assert_eq!(
        location(&stale),
        format!("/acme/account/confirm?next=/admin/webhooks/{id}")
    );
    let late = owner
        .post("/admin/webhooks", &[("url", "https://late.example.com/")])
        .await;
    assert_eq!(
        location(&late),
        "/acme/account/confirm?next=/admin/webhooks"
    );
    assert_eq!(endpoints(&portal, portal.acme).await.len(), 1);
}

#[tokio::test]
async fn http_is_refused_next_to_the_field_in_the_readers_language() {
    let (portal, _world) = seeded().await;
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let fields = [
        ("url", "http://hooks.example.com/portal"),
        ("description", "Plain"),
        ("event_types", "message.posted"),
    ];
    let refused = owner.post("/admin/webhooks", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_field_error(
        &refused.text,
        "webhook-url",
        "This portal sends events only to https:// addresses.",
    );
    assert!(
        refused
            .text
            .contains("value=\"http://hooks.example.com/portal\"")
    );
    assert!(
        refused.text.contains("value=\"message.posted\" checked"),
        "ticks are kept"
    );
    assert!(!refused.text.contains("created-secret"));

    let mut german_fields = vec![("csrf_token", owner.token.as_str())];
    german_fields.extend_from_slice(&fields);
    let german = post_form_with(
        &portal,
        "/acme/admin/webhooks",
        &german_fields,
        &owner.jar,
        &[
            ("origin", "null"),
            ("sec-fetch-site", "same-origin"),
            ("accept-language", "de"),
        ],
    )
    .await;
    assert_eq!(german.status, 422, "{}", german.text);
    assert_field_error(
        &german.text,
        "webhook-url",
        "Dieses Portal sendet Ereignisse nur an https://-Adressen.",
    );
    let nonsense = owner
        .post("/admin/webhooks", &[("url", "hooks.example.com")])
        .await;
    assert_eq!(nonsense.status, 422);
    assert_field_error(
        &nonsense.text,
        "webhook-url",
        "Please enter a full address, such as https://example.com/hooks.",
    );
    assert!(endpoints(&portal, portal.acme).await.is_empty());
}

#[tokio::test]
async fn http_is_accepted_where_the_host_allows_it() {
    let config = HttpConfig {
        allow_http_webhooks: true,
        ..HttpConfig::default()
    };
    let (portal, _world) = seeded_with(config).await;
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let made = owner
        .post(
            "/admin/webhooks",
            &[("url", "http://127.0.0.1:9000/hooks"), ("active", "on")],
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(endpoints(&portal, portal.acme).await.len(), 1);
}

#[tokio::test]
async fn roles_without_the_permission_contacts_and_other_tenants_get_the_branded_404() {
    let (portal, world) = seeded().await;
    let not_found = missing(&portal).await;
    let foreign = globex_endpoint(&portal).await;
    let foreign_delivery = seed_delivery(&portal, portal.globex).await;

    let owner = Browser::open(&portal, "ada@acme.test").await;
    let foreign_paths = [
        format!("/admin/webhooks/{foreign}"),
        format!("/admin/webhooks/{foreign}/delete"),
        format!("/admin/webhook-deliveries/{foreign_delivery}"),
        "/admin/webhooks/not-an-id".to_owned(),
    ];
    for path in &foreign_paths {
        let reply = owner.get(path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.text, not_found, "{path}");
    }
    for path in [
        format!("/admin/webhooks/{foreign}"),
        format!("/admin/webhooks/{foreign}/secret"),
        format!("/admin/webhooks/{foreign}/delete"),
        format!("/admin/webhook-deliveries/{foreign_delivery}/redeliver"),
    ] {
        let reply = owner.post(&path, &[("url", URL)]).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
    }
    assert_eq!(endpoints(&portal, portal.globex).await, vec![foreign]);

    // A manager (no `manage_integrations`) sees neither the card nor the pages.
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let hub = manager.get("/admin").await;
    assert_eq!(hub.status, 200);
    assert!(!hub.text.contains("/admin/webhooks"));
    for email in ["manager@acme.test", &world.a.contact("client_admin")] {
        let browser = Browser::open(&portal, email).await;
        for path in ["/admin/webhooks", &format!("/admin/webhooks/{foreign}")] {
            assert_eq!(browser.get(path).await.status, 404, "{email} {path}");
        }
        let post = browser.post("/admin/webhooks", &[("url", URL)]).await;
        assert_eq!(post.status, 404, "{email}");
    }
    assert!(endpoints(&portal, portal.acme).await.is_empty());

    // A form without its token is refused before anything happens.
    let forged = owner.forged("/admin/webhooks", &[("url", URL)]).await;
    assert_eq!(forged.status, 403);
}

#[tokio::test]
async fn a_preview_shows_no_webhook_settings() {
    let (portal, world) = seeded().await;
    let mut owner = Browser::open(&portal, "ada@acme.test").await;
    let client_admin = role_id(&portal, portal.acme, BuiltinRole::ClientAdmin).await;
    let started = owner
        .post(
            "/admin/preview",
            &[
                ("client", &world.a.client.to_string()),
                ("role", &client_admin.to_string()),
            ],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.text);
    owner.jar.update(&started);
    let reply = owner.get("/admin/webhooks").await;
    assert_eq!(reply.status, 404);
    assert!(!reply.text.contains("name=\"url\""));
}

#[tokio::test]
async fn the_page_speaks_german() {
    let (portal, _world) = seeded().await;
    let owner = Browser::open(&portal, "ada@acme.test").await;
    owner
        .post("/admin/webhooks", &[("url", URL), ("active", "on")])
        .await;
    let id = endpoints(&portal, portal.acme).await[0];
    let list = owner.german("/admin/webhooks").await;
    assert_eq!(list.status, 200);
    for text in [
        "Endpunkte",
        "Alle Ereignisse",
        "Neuer Endpunkt",
        "Zu sendende Ereignisse",
        "Eine Freigabe wird benötigt",
        "Freigaben",
    ] {
        assert!(list.text.contains(text), "{text}: {}", list.text);
    }
    let page = owner.german(&format!("/admin/webhooks/{id}")).await.text;
    for text in [
        "Zustellungen",
        "Neuen Schlüssel erstellen",
        "Endpunkt löschen",
    ] {
        assert!(page.contains(text), "{text}: {page}");
    }
}
