//! Notifications, mail preferences and the one-click mail link through the pages: the unread
//! badge, the notifications list, the account's preference table and the RFC 8058 link.

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

use pages_support::{Browser, Jar, get, input_value, post_form, post_form_with};
use portal_auth::MailLinkKey;
use portal_core::TenantScope;
use portal_core::model::{EventType, MailMode};
use portal_http::HttpConfig;
use support::Portal;
use support::notify::notify;

fn key() -> MailLinkKey {
    MailLinkKey::from_bytes([42; 32])
}

async fn portal() -> Portal {
    Portal::with_config(
        HttpConfig::default()
            .with_rate_limit(None)
            .with_mail_link_key(key()),
    )
    .await
}

/// How `user` hears of `event_type` by mail now.
async fn mode(portal: &Portal, event_type: EventType) -> Option<MailMode> {
    portal
        .stores
        .notifications
        .mail_preferences(&TenantScope::dangerous_system(portal.acme), portal.ada)
        .await
        .unwrap()
        .into_iter()
        .find(|preference| preference.event_type == event_type)
        .map(|preference| preference.mail)
}

#[tokio::test]
async fn the_badge_counts_unread_and_the_list_marks_them_read() {
    let portal = portal().await;
    for title in ["Logo v2", "Homepage copy"] {
        notify(
            &portal.stores,
            portal.acme,
            portal.ada,
            EventType::ApprovalRequested,
            title,
        )
        .await;
    }
    let browser = Browser::open(&portal, "ada@acme.test").await;
    let overview = browser.get("/").await;
    assert!(
        overview.text.contains(r#"data-unread="2""#),
        "{}",
        overview.text
    );

    let list = browser.get("/notifications").await;
    assert_eq!(list.status, 200, "{}", list.text);
    let (newer, older) = (
        list.text.find("Homepage copy").unwrap(),
        list.text.find("Logo v2").unwrap(),
    );
    assert!(newer < older, "newest first");
    assert!(list.text.contains("An approval is needed"));
    assert!(list.text.contains(r#"href="/acme/approvals/"#));

    let id = input_value(&list.text, "id");
    let marked = browser.post("/notifications/read", &[("id", &id)]).await;
    let after = browser.follow(&marked).await;
    assert!(after.text.contains(r#"data-unread="1""#), "{}", after.text);
    let unread_only = browser.get("/notifications?unread=1").await;
    assert_eq!(
        unread_only
            .text
            .matches("notifications__item--unread")
            .count(),
        1
    );

    let all = browser.post("/notifications/read", &[]).await;
    let after = browser.follow(&all).await;
    assert!(!after.text.contains("data-unread="), "no badge at zero");
    let forged = browser.forged("/notifications/read", &[]).await;
    assert_eq!(forged.status, 403);
    let german = browser.german("/notifications").await;
    assert!(german.text.contains("Benachrichtigungen"));
}

#[tokio::test]
async fn the_account_page_saves_mail_preferences_and_locks_security_rows() {
    let portal = portal().await;
    let browser = Browser::open(&portal, "ada@acme.test").await;
    let account = browser.get("/account").await;
    assert_eq!(account.status, 200, "{}", account.text);
    assert!(
        account
            .text
            .contains(r#"<tr data-event-type="security.new_device" data-locked>"#)
    );
    assert!(
        account
            .text
            .contains(r#"name="update.published" value="digest" checked"#)
    );

    let saved = browser
        .post(
            "/account/mail",
            &[("update.published", "off"), ("message.posted", "digest")],
        )
        .await;
    let page = browser.follow(&saved).await;
    assert!(
        page.text
            .contains(r#"name="update.published" value="off" checked"#)
    );
    assert_eq!(
        mode(&portal, EventType::UpdatePublished).await,
        Some(MailMode::Off)
    );
    assert_eq!(
        mode(&portal, EventType::MessagePosted).await,
        Some(MailMode::Digest)
    );

    let locked = browser
        .post("/account/mail", &[("security.new_device", "off")])
        .await;
    // The form never sends a locked row (its radios are disabled): a crafted one is refused.
    assert_eq!(locked.status, 400, "{}", locked.text);
    assert_eq!(mode(&portal, EventType::SecurityNewDevice).await, None);
}

#[tokio::test]
async fn the_one_click_link_turns_mail_off_without_a_login() {
    let portal = portal().await;
    let token = key().token(portal.acme, portal.ada, Some(EventType::MessagePosted));
    let path = format!("/acme/mail/preferences/{token}");

    // Showing the page changes nothing (mail scanners fetch links).
    let mut jar = Jar::default();
    let page = get(&portal, &path, &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("A new message"));
    assert_eq!(mode(&portal, EventType::MessagePosted).await, None);
    jar.update(&page);
    let csrf = input_value(&page.text, "csrf_token");
    let forged = post_form(&portal, &path, &[("csrf_token", "wrong")], &jar).await;
    assert_eq!(forged.status, 403);
    let confirmed = post_form(&portal, &path, &[("csrf_token", &csrf)], &jar).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(
        mode(&portal, EventType::MessagePosted).await,
        Some(MailMode::Off)
    );

    // RFC 8058: the mail client's POST, without cookies or fetch metadata.
    let all = key().token(portal.acme, portal.ada, None);
    let one_click = post_form_with(
        &portal,
        &format!("/acme/mail/preferences/{all}"),
        &[("List-Unsubscribe", "One-Click")],
        &Jar::default(),
        &[],
    )
    .await;
    assert_eq!(one_click.status, 200, "{}", one_click.text);
    assert_eq!(
        mode(&portal, EventType::UpdatePublished).await,
        Some(MailMode::Off)
    );
    assert_eq!(
        mode(&portal, EventType::SecurityNewDevice).await,
        None,
        "security stays on"
    );

    // A tampered token, another key's or another tenant's: the same 404 page.
    // The last character changed (to one it is not: a token may end in `A`).
    let last = if token.ends_with('A') { 'B' } else { 'A' };
    let tampered = format!("{}{last}", &token[..token.len() - 1]);
    let foreign = MailLinkKey::from_bytes([1; 32]).token(portal.acme, portal.ada, None);
    let globex = key().token(portal.globex, portal.ada, None);
    for bad in [tampered.as_str(), foreign.as_str(), "nonsense"] {
        let reply = get(
            &portal,
            &format!("/acme/mail/preferences/{bad}"),
            &Jar::default(),
            None,
        )
        .await;
        assert_eq!(reply.status, 404, "{bad}");
    }
    let cross = get(
        &portal,
        &format!("/acme/mail/preferences/{globex}"),
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(cross.status, 404);
    let posted = post_form_with(
        &portal,
        &format!("/acme/mail/preferences/{tampered}"),
        &[("List-Unsubscribe", "One-Click")],
        &Jar::default(),
        &[],
    )
    .await;
    assert_eq!(posted.status, 404);
}

#[tokio::test]
async fn without_a_key_no_link_is_valid() {
    let portal = Portal::new().await;
    let token = key().token(portal.acme, portal.ada, None);
    let reply = get(
        &portal,
        &format!("/acme/mail/preferences/{token}"),
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(reply.status, 404);
}
