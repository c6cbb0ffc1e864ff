//! The team's adoption analytics pages: the overview table of every client, and one client's
//! page with its charts — each an accessible SVG (`role="img"`, a title, a description) in the
//! brand's colours from the stylesheet, its numbers also in a table — and the window form.
//! The navigation offers the pages to `view_analytics` only; a contact, a member without the
//! permission, another tenant's client and an unknown id get the branded 404.

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

use pages_support::{Browser, assert_shows, missing, seeded, stylesheet};
use support::staff_api::NOBODY;

#[tokio::test]
async fn the_overview_lists_every_client_with_its_figures() {
    let (portal, world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let page = manager.get("/staff/analytics").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert_shows(
        html,
        &[
            "Client adoption",
            "canary-acme-a",
            "canary-acme-b",
            "Approval turnaround (median)",
            "Oldest open request",
            &format!("/acme/staff/analytics/{}?days=30", world.a.client),
            // The window form, 30 days chosen.
            r#"<option value="30" selected>Last 30 days</option>"#,
            r#"<option value="365">"#,
        ],
    );
    assert!(!html.contains("canary-globex"), "another tenant's client");
    assert!(
        html.contains(r#"href="/acme/staff/analytics""#) && html.contains(">Analytics<"),
        "the navigation links the page"
    );
    let week = manager.get("/staff/analytics?days=7").await;
    assert_shows(
        &week.text,
        &[
            r#"<option value="7" selected>Last 7 days</option>"#,
            "over the last 7 days",
        ],
    );
}

#[tokio::test]
async fn a_clients_page_draws_accessible_charts_with_tables() {
    let (portal, world) = seeded().await;
    portal.login("acme", &world.a.contact("approver")).await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let page = manager
        .get(&format!("/staff/analytics/{}?days=90", world.a.client))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert_shows(
        html,
        &[
            "Downloads per week",
            "Open requests by age",
            "Contacts&#39; last logins",
            "Under a day",
            "Over 30 days",
            r#"<option value="90" selected>"#,
            "Logged in during the period",
        ],
    );
    // Every chart is an image with a title and a description, and its numbers in a table.
    let charts = html.matches("<svg ").count();
    assert!(charts >= 3, "{charts} charts");
    assert_eq!(html.matches(r#"role="img""#).count(), charts);
    assert_eq!(html.matches("<title id=").count(), charts);
    assert_eq!(html.matches("<desc id=").count(), charts);
    assert!(html.matches(r#"<table class="table chart-table">"#).count() >= charts);
    assert!(html.contains(r#"<rect class="chart__bar""#));
    // No inline style: the bars take the brand colour from the stylesheet.
    assert!(!html.contains("style="), "inline style under the CSP");
    let href = stylesheet(html, "portal-");
    let css = manager.get(href.trim_start_matches("/acme")).await.text;
    assert!(css.contains(".chart__bar") && css.contains("var(--brand-primary)"));
    // The window's label in German.
    let german = manager
        .german(&format!("/staff/analytics/{}", world.a.client))
        .await;
    assert_shows(&german.text, &["Downloads pro Woche", "Letzte 30 Tage"]);
}

#[tokio::test]
async fn only_the_team_with_view_analytics_sees_the_pages() {
    let (portal, world) = seeded().await;
    let not_found = missing(&portal).await;
    assert!(not_found.contains("Page not found"));
    let client_page = format!("/staff/analytics/{}", world.a.client);
    // A contact and a member without the permission: no link, and the branded 404.
    for email in [
        world.a.contact("client_admin"),
        "member@acme.test".to_owned(),
    ] {
        let browser = Browser::open(&portal, &email).await;
        let overview = browser.get("/").await;
        assert!(!overview.text.contains("/staff/analytics"), "{email}");
        for path in ["/staff/analytics", client_page.as_str()] {
            let page = browser.get(path).await;
            assert_eq!(page.status, 404, "{email} {path}");
        }
    }
    // Another tenant's client, an unknown id and no id at all are the same 404.
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let unknown = owner.get("/no-such-page").await;
    for id in [
        world.globex.client.to_string(),
        NOBODY.to_owned(),
        "not-an-id".into(),
    ] {
        let page = owner.get(&format!("/staff/analytics/{id}")).await;
        assert_eq!(page.status, 404, "{id}");
        assert_eq!(page.text, unknown.text, "{id}");
    }
}
