//! How long rendering notification mail takes: one instant mail, and a digest of 20 items.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark setup: a failure aborts the run"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portal_core::model::EventType;
use portal_notify::mail::{MailBrand, MailItem, MailRenderer, NotificationMail};
use time::macros::datetime;
use url::Url;

fn mail(items: usize, digest: bool) -> NotificationMail {
    let kinds = [
        EventType::ApprovalRequested,
        EventType::DocumentShared,
        EventType::MessagePosted,
        EventType::MilestoneCompleted,
    ];
    NotificationMail {
        brand: MailBrand {
            name: "Northwind Studio".to_owned(),
            primary_colour: "#0B5FFF".to_owned(),
            logo_url: Some(Url::parse("https://cdn.northwind.example/logo.png").unwrap()),
        },
        recipient_name: "Sarah".to_owned(),
        locale: "en-GB".to_owned(),
        items: (0..items)
            .map(|n| MailItem {
                event_type: kinds[n % kinds.len()],
                title: format!("Homepage design, round {n}"),
                link: Url::parse(&format!("https://portal.northwind.example/p/1/items/{n}"))
                    .unwrap(),
                occurred_at: datetime!(2026-03-02 09:15 UTC),
            })
            .collect(),
        digest,
        preferences_link: Url::parse("https://portal.northwind.example/account/notifications")
            .unwrap(),
        unsubscribe_link: Some(
            Url::parse("https://portal.northwind.example/unsubscribe/tok").unwrap(),
        ),
    }
}

fn render(c: &mut Criterion) {
    let renderer = MailRenderer::builtin().unwrap();
    let instant = mail(1, false);
    let digest = mail(20, true);
    c.bench_function("render instant mail", |b| {
        b.iter(|| renderer.render(black_box(&instant)).unwrap());
    });
    c.bench_function("render 20-item digest", |b| {
        b.iter(|| renderer.render(black_box(&digest)).unwrap());
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
