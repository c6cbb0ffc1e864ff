//! The invoices pages: only for roles that may see invoices (no link and the branded 404 for
//! the others), only the viewer's own client's invoices and never a draft or the team's note,
//! money and days per locale, overdue marked, and a "Pay" link — in a new tab, without opener
//! or referrer — only for roles that may pay.

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

use pages_support::{assert_shows, get, missing, seeded, sign_in};
use portal_core::model::{AuditContext, InvoiceInput};
use portal_core::state::InvoiceStatus;
use portal_core::{Currency, HttpsUrl, Money, TenantScope};
use support::staff_api::NOBODY;
use time::macros::date;

/// What a contact of acme's client A must never see on the invoices pages.
const NEVER_FOR_CLIENT_A: [&str; 6] = [
    "canary-internal",
    "canary-acme-b",
    "canary-globex",
    "INV-2",
    "Slow payer",
    "bill-",
];

#[tokio::test]
async fn finance_sees_their_clients_invoices_with_amount_days_and_a_pay_link() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("finance")).await;
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert!(
        overview.contains("href=\"/acme/invoices\">Invoices</a>"),
        "the navigation links the invoices: {overview}"
    );

    let page = get(&portal, "/acme/invoices", &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert!(
        html.contains("<h1 class=\"page__title\">Invoices</h1>"),
        "{html}"
    );
    assert!(
        html.contains("aria-current=\"page\">Invoices</a>"),
        "{html}"
    );
    assert_shows(
        html,
        &[
            "INV-1 canary-acme-a",
            "€1,200.00",
            "January 1, 2026",
            "January 31, 2099",
            ">Open</span>",
            &format!("href=\"/acme/invoices/{}\"", world.a.invoice),
        ],
    );
    assert!(
        html.contains(
            "href=\"https://pay.example.com/inv/1\" target=\"_blank\" rel=\"noopener noreferrer\""
        ),
        "the pay link opens in a new tab without opener or referrer: {html}"
    );
    assert!(
        html.contains("aria-label=\"Pay invoice INV-1 canary-acme-a (opens in a new tab)\""),
        "{html}"
    );
    for never in NEVER_FOR_CLIENT_A {
        assert!(!html.contains(never), "finance sees {never}: {html}");
    }

    // One invoice, with its project and the same pay link.
    let page = get(
        &portal,
        &format!("/acme/invoices/{}", world.a.invoice),
        &jar,
        None,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert_shows(
        html,
        &[
            "<h1 class=\"page__title\">Invoice INV-1 canary-acme-a</h1>",
            "€1,200.00",
            "January 31, 2099",
            "Website canary-acme-a",
            "href=\"https://pay.example.com/inv/1\" target=\"_blank\" rel=\"noopener noreferrer\"",
            "(opens in a new tab)",
        ],
    );
    for never in NEVER_FOR_CLIENT_A {
        assert!(!html.contains(never), "finance sees {never}: {html}");
    }
}

#[tokio::test]
async fn a_role_without_invoices_has_no_link_and_gets_the_branded_404() {
    let (portal, world) = seeded().await;
    let missing = missing(&portal).await;
    for role in ["viewer", "approver"] {
        let jar = sign_in(&portal, "acme", &world.a.contact(role)).await;
        let overview = get(&portal, "/acme/", &jar, None).await.text;
        assert!(!overview.contains("/acme/invoices"), "{role}: {overview}");
        for path in [
            "/acme/invoices".to_owned(),
            format!("/acme/invoices/{}", world.a.invoice),
        ] {
            let reply = get(&portal, &path, &jar, None).await;
            assert_eq!(reply.status, 404, "{role} {path}: {}", reply.text);
            assert_eq!(reply.text, missing, "{role} {path}: like any missing page");
        }
    }
}

#[tokio::test]
async fn other_clients_other_tenants_drafts_and_unknown_ids_are_the_same_404() {
    let (portal, world) = seeded().await;
    let missing = missing(&portal).await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    for id in [
        world.b.invoice.to_string(),
        world.globex.invoice.to_string(),
        world.a.draft_invoice.to_string(),
        NOBODY.to_owned(),
        "not-an-id".to_owned(),
    ] {
        let reply = get(&portal, &format!("/acme/invoices/{id}"), &jar, None).await;
        assert_eq!(reply.status, 404, "{id}");
        assert_eq!(reply.text, missing, "{id}: like any missing page");
    }
    // A client admin may see and pay their own.
    let html = get(&portal, "/acme/invoices", &jar, None).await.text;
    assert!(html.contains("INV-1 canary-acme-a"), "{html}");
    assert!(html.contains("https://pay.example.com/inv/1"), "{html}");
}

#[tokio::test]
async fn overdue_invoices_are_marked_and_paid_ones_have_no_pay_link() {
    let (portal, world) = seeded().await;
    let system = TenantScope::dangerous_system(portal.acme);
    let eur = Currency::parse("EUR").unwrap();
    for (number, status, due) in [
        ("INV-LATE", InvoiceStatus::Open, date!(2020 - 03 - 01)),
        ("INV-PAID", InvoiceStatus::Paid, date!(2020 - 02 - 01)),
    ] {
        portal
            .stores
            .invoices
            .create_invoice(
                &system,
                InvoiceInput {
                    client: world.a.client,
                    project: None,
                    number: number.to_owned(),
                    amount: Money::new(99_950, eur),
                    status,
                    issued_on: Some(date!(2020 - 01 - 15)),
                    due_on: Some(due),
                    payment_url: Some(
                        HttpsUrl::parse(&format!("https://pay.example.com/{number}")).unwrap(),
                    ),
                    internal_note: None,
                    external_id: None,
                },
                &AuditContext::default(),
            )
            .await
            .unwrap();
    }
    let jar = sign_in(&portal, "acme", &world.a.contact("finance")).await;
    let html = get(&portal, "/acme/invoices", &jar, None).await.text;
    let late = &html[html.find("INV-LATE").unwrap()..];
    let late = &late[..late.find("</tr>").unwrap()];
    assert!(
        late.contains("<span class=\"list__due list__due--late\">March 1, 2020</span>"),
        "{late}"
    );
    assert!(
        late.contains("<span class=\"badge badge--danger\">Overdue</span>"),
        "{late}"
    );
    assert!(late.contains("https://pay.example.com/INV-LATE"), "{late}");
    let paid = &html[html.find("INV-PAID").unwrap()..];
    let paid = &paid[..paid.find("</tr>").unwrap()];
    assert!(paid.contains(">Paid</span>"), "{paid}");
    assert!(
        !paid.contains("https://pay.example.com"),
        "nothing to pay: {paid}"
    );
    assert!(!html.contains("https://pay.example.com/INV-PAID"), "{html}");
}

#[tokio::test]
async fn the_team_sees_invoices_without_a_pay_button() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", "manager@acme.test").await;
    let html = get(&portal, "/acme/invoices", &jar, None).await.text;
    assert!(html.contains("INV-1 canary-acme-a"), "{html}");
    assert!(html.contains("INV-1 canary-acme-b"), "{html}");
    assert!(!html.contains("canary-globex"), "{html}");
    assert!(
        !html.contains("https://pay.example.com"),
        "the team does not pay: {html}"
    );
    let html = get(
        &portal,
        &format!("/acme/invoices/{}", world.a.invoice),
        &jar,
        None,
    )
    .await
    .text;
    assert!(!html.contains("Pay now"), "{html}");
}

#[tokio::test]
async fn invoices_speak_german() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("finance")).await;
    let html = get(&portal, "/acme/invoices", &jar, Some("de")).await.text;
    assert_shows(
        &html,
        &[
            "<h1 class=\"page__title\">Rechnungen</h1>",
            "1.200,00\u{a0}€",
            "31. Januar 2099",
            "1. Januar 2026",
            ">Fällig am</th>",
            "Rechnung INV-1 canary-acme-a bezahlen (öffnet in einem neuen Tab)",
        ],
    );
    for english in ["Invoices</h1>", "January", "Pay invoice", "Amount"] {
        assert!(!html.contains(english), "{english} in German: {html}");
    }
    let html = get(
        &portal,
        &format!("/acme/invoices/{}", world.a.invoice),
        &jar,
        Some("de"),
    )
    .await
    .text;
    assert!(html.contains("Rechnung INV-1 canary-acme-a"), "{html}");
    assert!(html.contains("Jetzt bezahlen"), "{html}");
}
