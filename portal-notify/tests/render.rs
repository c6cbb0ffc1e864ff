//! Notification mail renders branded, localised, escaped and complete.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed unwrap is a failed test"
)]

use portal_core::model::EventType;
use portal_notify::mail::{
    MailBrand, MailItem, MailRenderer, NotificationMail, RenderError, RenderedMail,
};
use time::macros::datetime;
use url::Url;

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

fn brand() -> MailBrand {
    MailBrand {
        name: "Northwind Studio".to_owned(),
        primary_colour: "#0B5FFF".to_owned(),
        logo_url: Some(url("https://cdn.northwind.example/logo.png")),
    }
}

fn item(event_type: EventType, title: &str, n: u32) -> MailItem {
    MailItem {
        event_type,
        title: title.to_owned(),
        link: url(&format!(
            "https://portal.northwind.example/p/1/items/{n}?tab=a&x=1"
        )),
        occurred_at: datetime!(2026-03-02 09:15 UTC) + time::Duration::minutes(i64::from(n)),
    }
}

fn instant(locale: &str, item: MailItem) -> NotificationMail {
    NotificationMail {
        brand: brand(),
        recipient_name: "Sarah".to_owned(),
        locale: locale.to_owned(),
        items: vec![item],
        digest: false,
        preferences_link: url("https://portal.northwind.example/account/notifications"),
        unsubscribe_link: Some(url("https://portal.northwind.example/unsubscribe/tok123")),
    }
}

fn digest(locale: &str) -> NotificationMail {
    NotificationMail {
        digest: true,
        items: vec![
            item(EventType::DocumentShared, "Brand guide.pdf", 1),
            item(EventType::ApprovalRequested, "Homepage design", 2),
            item(EventType::DocumentShared, "Sitemap.xlsx", 3),
            item(EventType::MessagePosted, "Launch date", 4),
            item(
                EventType::ApprovalRequested,
                "Logo <script>alert(1)</script>",
                5,
            ),
        ],
        ..instant(locale, item(EventType::DocumentShared, "x", 0))
    }
}

fn render(mail: &NotificationMail) -> RenderedMail {
    MailRenderer::builtin().unwrap().render(mail).unwrap()
}

#[test]
fn an_instant_mail_in_english() {
    let mail = render(&instant(
        "en-GB",
        item(EventType::ApprovalRequested, "Homepage design", 7),
    ));
    assert_eq!(mail.subject, "New approval requested: Homepage design");
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("Hello Sarah,"), "{part}");
        assert!(part.contains("Homepage design"), "{part}");
        assert!(part.contains("Northwind Studio"), "{part}");
        assert!(part.contains("You receive this mail because"), "{part}");
        assert!(part.contains("Choose which mails you receive"), "{part}");
        assert!(part.contains("2 Mar 2026, 09:22 UTC"), "{part}");
    }
    // Links: the item, the preferences and the unsubscribe address, in both parts.
    assert!(
        mail.text
            .contains("https://portal.northwind.example/p/1/items/7?tab=a&x=1")
    );
    assert!(
        mail.html
            .contains("href=\"https://portal.northwind.example/p/1/items/7?tab=a&amp;x=1\""),
        "{}",
        mail.html
    );
    assert!(
        mail.text
            .contains("https://portal.northwind.example/account/notifications")
    );
    assert!(
        mail.html
            .contains("href=\"https://portal.northwind.example/account/notifications\"")
    );
    assert!(
        mail.text
            .contains("https://portal.northwind.example/unsubscribe/tok123")
    );
    assert!(
        mail.html
            .contains("href=\"https://portal.northwind.example/unsubscribe/tok123\"")
    );
    // The brand: its colour as the header bar, its logo, readable text on it.
    assert!(
        mail.html.contains("background-color:#0B5FFF"),
        "{}",
        mail.html
    );
    assert!(
        mail.html
            .contains("src=\"https://cdn.northwind.example/logo.png\"")
    );
    assert!(mail.html.contains("color:#ffffff"));
    assert!(mail.html.contains("<html lang=\"en\">"));
    assert!(mail.html.contains("Open in the portal"));
    assert!(mail.html.contains("role=\"presentation\""));
}

#[test]
fn an_instant_mail_in_german() {
    let mail = render(&instant(
        "de",
        item(EventType::ApprovalRequested, "Startseite", 1),
    ));
    assert_eq!(mail.subject, "Neue Freigabe angefragt: Startseite");
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("Hallo Sarah,"), "{part}");
        assert!(part.contains("Sie erhalten diese Mail"), "{part}");
        assert!(
            part.contains("Festlegen, welche Mails Sie erhalten"),
            "{part}"
        );
        assert!(part.contains("02.03.2026, 09:16 UTC"), "{part}");
    }
    assert!(mail.html.contains("<html lang=\"de\">"));
    assert!(mail.html.contains("Im Portal öffnen"));
}

#[test]
fn titles_are_escaped_in_html_and_kept_in_text() {
    let mail = render(&instant(
        "en",
        item(
            EventType::MessagePosted,
            "<script>alert(\"x\")</script> & co",
            1,
        ),
    ));
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
    assert!(mail.html.contains("&lt;script&gt;"), "{}", mail.html);
    assert!(mail.html.contains("&amp; co"), "{}", mail.html);
    assert!(mail.text.contains("<script>alert(\"x\")</script> & co"));
    assert_eq!(
        mail.subject,
        "New message: <script>alert(\"x\")</script> & co"
    );
    let digest = render(&digest("de"));
    assert!(!digest.html.contains("<script>"), "{}", digest.html);
    assert!(digest.html.contains("Logo &lt;script&gt;"));
}

#[test]
fn a_digest_groups_items_by_event_type() {
    let mail = render(&digest("en"));
    assert_eq!(
        mail.subject,
        "Your daily summary from Northwind Studio: 5 updates"
    );
    let text = &mail.text;
    assert!(text.contains("Here are the 5 updates"), "{text}");
    // Groups follow the event types' order; items within a group follow time.
    let position = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing from {text}"))
    };
    assert!(position("Documents shared") < position("Brand guide.pdf"));
    assert!(position("Brand guide.pdf") < position("Sitemap.xlsx"));
    assert!(position("Sitemap.xlsx") < position("Approvals requested"));
    assert!(position("Approvals requested") < position("Homepage design"));
    assert!(position("Homepage design") < position("New messages"));
    assert_eq!(text.matches("Documents shared").count(), 1);
    assert!(text.contains("daily summary because"), "{text}");
    for n in 1..=5 {
        let link = format!("https://portal.northwind.example/p/1/items/{n}?tab=a&x=1");
        assert!(text.contains(&link), "{link}");
    }
    assert!(
        mail.html.contains(">Documents shared</h2>"),
        "{}",
        mail.html
    );
    assert!(mail.html.contains(">Approvals requested</h2>"));
    assert!(mail.html.contains("background-color:#0B5FFF"));
    assert!(!mail.html.contains("Open in the portal"));
}

#[test]
fn a_digest_in_german() {
    let mail = render(&digest("de-AT"));
    assert_eq!(
        mail.subject,
        "Ihre tägliche Zusammenfassung von Northwind Studio: 5 Neuigkeiten"
    );
    assert!(
        mail.text.contains("Freigegebene Dokumente"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Angefragte Freigaben"));
    assert!(mail.html.contains("tägliche Zusammenfassung"));
    assert!(mail.html.contains("Diese Mails abbestellen"));
}

#[test]
fn every_event_type_has_a_subject_and_heading_in_both_languages() {
    let renderer = MailRenderer::builtin().unwrap();
    for &event_type in EventType::ALL {
        let en = renderer
            .render(&instant("en", item(event_type, "Thing", 1)))
            .unwrap();
        let de = renderer
            .render(&instant("de", item(event_type, "Thing", 1)))
            .unwrap();
        assert!(
            en.subject.ends_with(": Thing"),
            "{event_type}: {}",
            en.subject
        );
        assert!(
            de.subject.ends_with(": Thing"),
            "{event_type}: {}",
            de.subject
        );
        assert_ne!(en.subject, de.subject, "{event_type} is not translated");
        let mut one = digest("de");
        one.items = vec![item(event_type, "Thing", 1)];
        let rendered = renderer.render(&one).unwrap();
        assert!(
            rendered.subject.contains(": 1 Neuigkeit"),
            "{}",
            rendered.subject
        );
    }
}

#[test]
fn security_notices_say_they_cannot_be_turned_off() {
    let mail = render(&instant(
        "en",
        item(EventType::SecurityNewDevice, "Firefox on Linux", 1),
    ));
    assert!(
        mail.text.contains("Security notices cannot be turned off"),
        "{}",
        mail.text
    );
}

#[test]
fn unknown_locales_fall_back_to_english_and_missing_parts_are_left_out() {
    let mut mail = instant("fr-CA", item(EventType::InvoiceIssued, "INV-42", 1));
    mail.brand.logo_url = None;
    mail.brand.primary_colour = "#FFE066".to_owned();
    mail.unsubscribe_link = None;
    mail.recipient_name = "  ".to_owned();
    let rendered = render(&mail);
    assert_eq!(rendered.subject, "New invoice: INV-42");
    assert!(rendered.text.starts_with("Hello,\n"), "{}", rendered.text);
    assert!(!rendered.html.contains("<img"));
    assert!(rendered.html.contains("Northwind Studio"));
    // A light brand colour gets dark text.
    assert!(
        rendered.html.contains("color:#111827;padding"),
        "{}",
        rendered.html
    );
    assert!(!rendered.text.contains("Unsubscribe"));
    assert!(!rendered.html.contains("Unsubscribe"));
}

#[test]
fn bad_input_gives_named_errors() {
    let renderer = MailRenderer::builtin().unwrap();
    let mut mail = instant("en", item(EventType::InvoiceIssued, "INV-42", 1));
    mail.brand.primary_colour = "red;background:url(x)".to_owned();
    assert!(matches!(
        renderer.render(&mail),
        Err(RenderError::BrandColour(colour)) if colour == "red;background:url(x)"
    ));
    let mut mail = instant("en", item(EventType::InvoiceIssued, "INV-42", 1));
    mail.items.clear();
    assert!(matches!(renderer.render(&mail), Err(RenderError::NoItems)));
    let mut mail = digest("en");
    mail.digest = false;
    assert!(matches!(
        renderer.render(&mail),
        Err(RenderError::InstantItems(5))
    ));
}
