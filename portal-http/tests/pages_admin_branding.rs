//! The branding editor and the clients' looks: the form with its sample panel, saving (the theme
//! stylesheet every page links changes, audited), a wrong colour — or one below WCAG AA contrast
//! — shown again next to its field (422), the default language, the list of what the sanitiser
//! dropped from custom CSS after a save (for this session only), a preview that saves nothing
//! and never applies custom CSS, who may use them (the branded 404 for others, also for another
//! tenant's client), the form token (SEC-31), and German.

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

use std::time::Duration;

use pages_support::{Jar, get, header, input_value, location, post_form, sign_in};
use portal_core::TenantScope;
use portal_http::HttpConfig;
use portal_storage::{AuditFilter, Page};
use support::Portal;
use support::client_work::{self, World};
use support::staff_api::NOBODY;

/// A portal whose tenants are read afresh on every request, so a change shows at once.
async fn seeded() -> (Portal, World) {
    let portal =
        Portal::with_config(HttpConfig::default().with_tenant_cache_ttl(Duration::ZERO)).await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

/// The `href` of the stylesheet whose URL contains `part`.
fn stylesheet(html: &str, part: &str) -> String {
    html.split("<link rel=\"stylesheet\" href=\"")
        .skip(1)
        // An attribute's `&amp;` is `&` to the browser.
        .map(|rest| rest[..rest.find('"').unwrap()].replace("&amp;", "&"))
        .find(|href| href.contains(part))
        .unwrap_or_else(|| panic!("no stylesheet {part} in {html}"))
}

/// The value of the option chosen in the select named `name`.
fn selected(html: &str, name: &str) -> String {
    let start = html
        .find(&format!(
            "<select class=\"field__input\" id=\"{name}\" name=\"{name}\""
        ))
        .unwrap_or_else(|| panic!("no select {name} in {html}"));
    let select = &html[start..start + html[start..].find("</select>").unwrap()];
    let option = select
        .split("<option ")
        .skip(1)
        .find(|option| option.contains(" selected>"))
        .unwrap_or_else(|| panic!("nothing chosen in {select}"));
    let value = option.strip_prefix("value=\"").unwrap();
    value[..value.find('"').unwrap()].to_owned()
}

/// The branding form's fields as the page shows them, with `changes` applied.
fn look_form(html: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        "csrf_token",
        "display_name",
        "logo_url",
        "favicon_url",
        "primary_colour",
        "primary_colour_picker",
        "primary_colour_saved",
        "accent_colour",
        "accent_colour_picker",
        "accent_colour_saved",
        "font",
        "email_sender_name",
        "email_sender_address",
    ]
    .iter()
    .map(|name| ((*name).to_owned(), input_value(html, name)))
    .collect();
    fields.push((
        "default_locale".to_owned(),
        selected(html, "default_locale"),
    ));
    fields.push(("custom_css".to_owned(), String::new()));
    fields.push(("intent".to_owned(), "save".to_owned()));
    for (name, value) in changes {
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

async fn post(
    portal: &Portal,
    path: &str,
    fields: &[(String, String)],
    jar: &Jar,
) -> support::Reply {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    post_form(portal, path, &pairs, jar).await
}

async fn primary_colour(portal: &Portal) -> String {
    portal
        .stores
        .tenants
        .tenant(&TenantScope::dangerous_system(portal.acme))
        .await
        .unwrap()
        .branding
        .primary_colour
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn the_editor_shows_the_look_with_a_sample_and_its_script() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/branding", &owner, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert_eq!(input_value(html, "display_name"), "Acme Agency");
    assert_eq!(input_value(html, "primary_colour"), "#123456");
    assert_eq!(input_value(html, "primary_colour_picker"), "#123456");
    assert!(html.contains("type=\"color\""), "{html}");
    assert!(html.contains("<label class=\"visually-hidden\" for=\"primary_colour\">"));
    assert!(html.contains("data-brand-sample"), "{html}");
    assert!(html.contains("class=\"button button--primary brand-sample__button\""));
    assert!(html.contains("<progress class=\"progress\""));
    assert!(html.contains("badge--attention"));
    assert!(
        html.contains("<script src=\"/acme/assets/branding-"),
        "{html}"
    );
    // No inline style or script anywhere (the CSP forbids both).
    assert!(!html.contains("style="), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("/acme/admin/branding/clients"));
}

#[tokio::test]
async fn saving_changes_the_theme_every_page_links_and_is_audited() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let before = get(&portal, "/acme/", &owner, None).await.text;
    let old_theme = stylesheet(&before, "/assets/theme-");
    let page = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;

    // Without the token nothing happens (SEC-31).
    let mut fields = look_form(&page, &[("primary_colour", "#0b6e4f")]);
    fields.retain(|(name, _)| name != "csrf_token");
    let refused = post(&portal, "/acme/admin/branding", &fields, &owner).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(primary_colour(&portal).await, "#123456");

    let fields = look_form(
        &page,
        &[("primary_colour", "#0B6E4F"), ("font", "Open Sans")],
    );
    let saved = post(&portal, "/acme/admin/branding", &fields, &owner).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(
        location(&saved),
        "/acme/admin/branding?notice=notice-admin-branding-saved"
    );
    assert_eq!(primary_colour(&portal).await, "#0b6e4f");

    let after = get(&portal, "/acme/", &owner, None).await.text;
    let new_theme = stylesheet(&after, "/assets/theme-");
    assert_ne!(old_theme, new_theme, "the pages link the new theme");
    let theme = get(&portal, &new_theme, &Jar::default(), None).await;
    assert!(
        theme.text.contains("--brand-primary: #0b6e4f;"),
        "{}",
        theme.text
    );
    assert!(
        theme.text.contains("--brand-font: \"Open Sans\""),
        "{}",
        theme.text
    );

    let editor = get(&portal, location(&saved), &owner, None).await.text;
    assert!(editor.contains("The look is saved."), "{editor}");
    assert_eq!(input_value(&editor, "primary_colour"), "#0b6e4f");

    let events = portal
        .stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(portal.acme),
            AuditFilter {
                action: Some("tenant.changed".to_owned()),
                ..AuditFilter::default()
            },
            Page::first(10).unwrap(),
        )
        .await
        .unwrap();
    assert!(!events.items.is_empty(), "the change is audited");
}

#[tokio::test]
async fn the_picker_counts_when_only_the_picker_changed() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    // Without script the code field keeps the old value; the picker holds the new one.
    let fields = look_form(&page, &[("accent_colour_picker", "#ff8800")]);
    let saved = post(&portal, "/acme/admin/branding", &fields, &owner).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let editor = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    assert_eq!(input_value(&editor, "accent_colour"), "#ff8800");
}

#[tokio::test]
async fn a_wrong_colour_shows_the_form_again_next_to_its_field() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    let fields = look_form(
        &page,
        &[
            ("primary_colour", "blue-ish"),
            ("display_name", "Acme Renamed"),
        ],
    );
    let reply = post(&portal, "/acme/admin/branding", &fields, &owner).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let html = &reply.text;
    assert_eq!(
        input_value(html, "primary_colour"),
        "blue-ish",
        "what was typed is kept"
    );
    assert_eq!(input_value(html, "display_name"), "Acme Renamed");
    assert!(
        html.contains(
            "aria-invalid=\"true\" aria-describedby=\"primary_colour-hint primary_colour-error\""
        ),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"field__error\" id=\"primary_colour-error\">This is not in the expected form.</p>"),
        "{html}"
    );
    assert_eq!(primary_colour(&portal).await, "#123456");

    let fields = look_form(&page, &[("logo_url", "http://cdn.example/logo.png")]);
    let reply = post(&portal, "/acme/admin/branding", &fields, &owner).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.text.contains(
            "id=\"logo_url-error\">Please give an address that starts with https://.</p>"
        )
    );
}

#[tokio::test]
async fn a_preview_saves_nothing_and_never_applies_custom_css() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    let fields = look_form(
        &page,
        &[
            ("primary_colour", "#aa0000"),
            ("custom_css", "body { display: none }"),
            ("intent", "preview"),
        ],
    );
    let reply = post(&portal, "/acme/admin/branding", &fields, &owner).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("This is a preview: nothing is saved yet.")
    );
    assert_eq!(input_value(&reply.text, "primary_colour"), "#aa0000");
    assert_eq!(primary_colour(&portal).await, "#123456", "nothing saved");
    let href = stylesheet(&reply.text, "/admin/branding/preview.css");
    assert!(
        href.starts_with("/acme/admin/branding/preview.css?"),
        "{href}"
    );
    let css = get(&portal, &href, &owner, None).await;
    assert_eq!(css.status, 200);
    assert!(header(&css, "content-type").starts_with("text/css"));
    assert!(css.text.starts_with(".brand-sample {"), "{}", css.text);
    assert!(
        css.text.contains("--brand-primary: #aa0000;"),
        "{}",
        css.text
    );
    assert!(!css.text.contains("display: none"), "{}", css.text);
    assert!(!css.text.contains(":root"), "{}", css.text);

    // A colour that is not one, or a viewer who may not edit a look, gets nothing.
    let bad = get(
        &portal,
        "/acme/admin/branding/preview.css?primary=red&accent=%23ffffff",
        &owner,
        None,
    )
    .await;
    assert_eq!(bad.status, 404);
    let member = sign_in(&portal, "acme", "member@acme.test").await;
    let theirs = get(&portal, &href, &member, None).await;
    assert_eq!(theirs.status, 404);
}

#[tokio::test]
async fn only_roles_with_manage_branding_reach_the_editor() {
    let (portal, _world) = seeded().await;
    for email in [
        "manager@acme.test",
        "member@acme.test",
        "client_admin@acme-a.test",
    ] {
        let jar = sign_in(&portal, "acme", email).await;
        let page = get(&portal, "/acme/admin/branding", &jar, None).await;
        assert_eq!(page.status, 404, "{email}");
        let token = input_value(&get(&portal, "/acme/", &jar, None).await.text, "csrf_token");
        let reply = post_form(
            &portal,
            "/acme/admin/branding",
            &[
                ("csrf_token", &token),
                ("display_name", "Hijacked"),
                ("primary_colour", "#000000"),
                ("accent_colour", "#000000"),
            ],
            &jar,
        )
        .await;
        assert_eq!(reply.status, 404, "{email}");
    }
    assert_eq!(primary_colour(&portal).await, "#123456");
}

#[tokio::test]
async fn a_clients_look_is_set_and_cleared_and_other_clients_are_404() {
    let (portal, world) = seeded().await;
    // A manager may set clients' looks (manage_clients), not the tenant's.
    let manager = sign_in(&portal, "acme", "manager@acme.test").await;
    let list = get(&portal, "/acme/admin/branding/clients", &manager, None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains("Client canary-acme-a"));
    assert!(list.text.contains("Client canary-acme-b"));
    assert!(!list.text.contains("globex"), "{}", list.text);

    let path = format!("/acme/admin/branding/clients/{}", world.a.client);
    let page = get(&portal, &path, &manager, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Look for Client canary-acme-a"));
    assert!(
        page.text
            .contains("This client uses your portal&#39;s look.")
    );
    assert_eq!(input_value(&page.text, "primary_colour"), "#123456");

    let fields = look_form(
        &page.text,
        &[("primary_colour", "#336699"), ("display_name", "Acme A")],
    );
    let saved = post(&portal, &path, &fields, &manager).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let client = |portal: &Portal, id| {
        let stores = portal.stores.clone();
        let acme = portal.acme;
        async move {
            stores
                .clients
                .client(&TenantScope::dangerous_system(acme), id)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let stored = client(&portal, world.a.client).await;
    assert_eq!(
        stored.branding.as_ref().unwrap().primary_colour.as_str(),
        "#336699"
    );
    assert!(client(&portal, world.b.client).await.branding.is_none());

    let page = get(&portal, &path, &manager, None).await.text;
    assert!(page.contains("This client has a look of its own."));
    let sample = stylesheet(&page, "/admin/branding/preview.css");
    assert!(sample.contains("%23336699"), "{sample}");
    let token = input_value(&page, "csrf_token");
    let cleared = post_form(
        &portal,
        &format!("{path}/clear"),
        &[("csrf_token", &token)],
        &manager,
    )
    .await;
    assert_eq!(cleared.status, 303, "{}", cleared.text);
    assert!(client(&portal, world.a.client).await.branding.is_none());

    // Another tenant's client, an unknown one and a malformed id: the same branded 404.
    let mut bodies = Vec::new();
    for id in [
        world.globex.client.to_string(),
        NOBODY.to_owned(),
        "x".to_owned(),
    ] {
        let reply = get(
            &portal,
            &format!("/acme/admin/branding/clients/{id}"),
            &manager,
            None,
        )
        .await;
        assert_eq!(reply.status, 404, "{id}");
        bodies.push(reply.text);
        let posted = post(
            &portal,
            &format!("/acme/admin/branding/clients/{id}"),
            &fields,
            &manager,
        )
        .await;
        assert_eq!(posted.status, 404, "{id}");
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]));

    // A member, without manage_clients, reaches none of it.
    let member = sign_in(&portal, "acme", "member@acme.test").await;
    assert_eq!(get(&portal, &path, &member, None).await.status, 404);
    assert_eq!(
        get(&portal, "/acme/admin/branding/clients", &member, None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_editor_speaks_german() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/branding", &owner, Some("de"))
        .await
        .text;
    for text in [
        "Erscheinungsbild",
        "Hauptfarbe",
        "Vorschau",
        "Speichern",
        "Muster",
    ] {
        assert!(page.contains(text), "{text}: {page}");
    }
}

/// The tenant's look as stored.
async fn stored_look(portal: &Portal) -> portal_core::model::Branding {
    portal
        .stores
        .tenants
        .tenant(&TenantScope::dangerous_system(portal.acme))
        .await
        .unwrap()
        .branding
}

#[tokio::test]
async fn a_colour_below_wcag_aa_is_refused_next_to_its_field_and_nothing_is_saved() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    // Pale yellow carries dark text, but vanishes against the white page (1.17:1).
    let fields = look_form(
        &page,
        &[
            ("primary_colour", "#ffee88"),
            ("display_name", "Acme Pale"),
            ("default_locale", "de"),
        ],
    );
    let reply = post(&portal, "/acme/admin/branding", &fields, &owner).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let html = &reply.text;
    assert!(
        html.contains(
            "aria-invalid=\"true\" aria-describedby=\"primary_colour-hint primary_colour-error\""
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<p class=\"field__error\" id=\"primary_colour-error\">The contrast is only 1.17:1, \
             below the 3.00:1 that WCAG AA asks for. Please choose a colour with more contrast.</p>"
        ),
        "{html}"
    );
    // Only the colour is marked; what was typed is all kept.
    assert_eq!(html.matches("aria-invalid=\"true\"").count(), 1, "{html}");
    assert_eq!(input_value(html, "primary_colour"), "#ffee88");
    assert_eq!(input_value(html, "display_name"), "Acme Pale");
    assert_eq!(selected(html, "default_locale"), "de");
    let stored = stored_look(&portal).await;
    assert_eq!(stored.primary_colour.as_str(), "#123456", "nothing saved");
    assert_eq!(stored.display_name.as_str(), "Acme Agency");
    assert_eq!(stored.default_locale, None);

    // In German, with a decimal comma; the accent is checked too.
    let fields = look_form(&page, &[("accent_colour", "#7a7a7a")]);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let reply = pages_support::post_form_with(
        &portal,
        "/acme/admin/branding",
        &pairs,
        &owner,
        &[
            ("origin", "null"),
            ("sec-fetch-site", "same-origin"),
            ("accept-language", "de"),
        ],
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply.text.contains(
            "id=\"accent_colour-error\">Der Kontrast beträgt nur 4,29:1 und liegt unter den \
             4,50:1, die WCAG AA verlangt."
        ),
        "{}",
        reply.text
    );
    assert_eq!(stored_look(&portal).await.accent_colour.as_str(), "#abcdef");
}

#[tokio::test]
async fn the_default_language_is_offered_saved_shown_and_used_by_the_next_page() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    assert!(
        page.contains(
            "<label class=\"field__label\" for=\"default_locale\">Default language</label>"
        ),
        "{page}"
    );
    assert_eq!(
        selected(&page, "default_locale"),
        "",
        "none: the browser decides"
    );
    assert!(page.contains("<option value=\"\" selected>None: the browser decides</option>"));
    assert!(page.contains("<option value=\"en\" lang=\"en\">English</option>"));
    assert!(page.contains("<option value=\"de\" lang=\"de\">Deutsch</option>"));

    let saved = post(
        &portal,
        "/acme/admin/branding",
        &look_form(&page, &[("default_locale", "de")]),
        &owner,
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(
        stored_look(&portal)
            .await
            .default_locale
            .as_ref()
            .map(|tag| tag.as_str()),
        Some("de")
    );
    // The owner chose no language of their own: the tenant's default now comes before the
    // browser's English.
    let editor = get(&portal, location(&saved), &owner, Some("en"))
        .await
        .text;
    assert!(editor.contains("<html lang=\"de\""), "{editor}");
    assert!(editor.contains("Das Erscheinungsbild ist gespeichert."));
    assert_eq!(selected(&editor, "default_locale"), "de");

    // A tag stored through the API that is neither is offered as it was saved, and kept.
    let mut look = stored_look(&portal).await;
    look.default_locale = Some(portal_core::LanguageTag::parse("de-AT").unwrap());
    portal
        .stores
        .tenants
        .update_branding(
            &TenantScope::dangerous_system(portal.acme),
            look,
            &portal_core::model::AuditContext::default(),
        )
        .await
        .unwrap();
    let editor = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    assert!(
        editor.contains("<option value=\"de-AT\" selected>de-AT (wie gespeichert)</option>"),
        "{editor}"
    );
    let saved = post(
        &portal,
        "/acme/admin/branding",
        &look_form(&editor, &[]),
        &owner,
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(
        stored_look(&portal)
            .await
            .default_locale
            .as_ref()
            .map(|tag| tag.as_str()),
        Some("de-AT")
    );

    // Back to none; a tag that is not one is refused next to the select.
    let editor = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    let refused = post(
        &portal,
        "/acme/admin/branding",
        &look_form(&editor, &[("default_locale", "not a tag!")]),
        &owner,
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"default_locale-error\">"),
        "{}",
        refused.text
    );
    let cleared = post(
        &portal,
        "/acme/admin/branding",
        &look_form(&editor, &[("default_locale", "")]),
        &owner,
    )
    .await;
    assert_eq!(cleared.status, 303, "{}", cleared.text);
    assert_eq!(stored_look(&portal).await.default_locale, None);
    let page = get(&portal, "/acme/admin/branding", &owner, Some("en"))
        .await
        .text;
    assert!(page.contains("<html lang=\"en\""), "{page}");
}

/// Custom CSS with an import, a foreign image and a rule that is fine.
const HOSTILE_CSS: &str = "@import url(https://evil.example/x.css);\n\
    .hero { color: #0b6e4f; background: url(https://elsewhere.example/bg.png) }\n\
    .note { font-weight: 600 }";

#[tokio::test]
async fn after_a_save_the_page_lists_what_was_removed_from_the_css_and_why() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    let saved = post(
        &portal,
        "/acme/admin/branding",
        &look_form(&page, &[("custom_css", HOSTILE_CSS)]),
        &owner,
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let next = location(&saved).to_owned();
    assert!(
        next.starts_with("/acme/admin/branding?removed=")
            && next.ends_with("&notice=notice-admin-branding-saved-css"),
        "{next}"
    );
    let stored = stored_look(&portal).await.custom_css.unwrap();
    assert!(
        !stored.contains("@import") && !stored.contains("elsewhere"),
        "{stored}"
    );
    assert!(stored.contains(".note { font-weight: 600 }"), "{stored}");

    let editor = get(&portal, &next, &owner, None).await.text;
    assert!(
        editor.contains("The look is saved, but parts of its custom CSS were removed."),
        "{editor}"
    );
    assert!(
        editor.contains(
            "<section class=\"card css-removed\" aria-labelledby=\"css-removed-heading\">"
        )
    );
    assert!(editor.contains("Removed from the custom CSS"));
    assert!(editor.contains(
        "<code class=\"css-removed__css\">@import url(https://evil.example/x.css);</code>"
    ));
    assert!(editor.contains("@import is not allowed: the portal loads no other stylesheets."));
    assert!(editor.contains("background: url(https://elsewhere.example/bg.png)"));
    assert!(editor.contains("This address may not be loaded"));
    // The form shows the CSS as stored.
    assert!(!editor[editor.find("id=\"custom_css\"").unwrap()..].contains("@import url"));

    // In the reader's language.
    let german = get(&portal, &next, &owner, Some("de")).await.text;
    assert!(german.contains("Aus dem eigenen CSS entfernt"), "{german}");
    assert!(german.contains("@import ist nicht erlaubt"));

    // The list is this session's: another session, or a list made up in a link, shows nothing.
    let again = sign_in(&portal, "acme", "ada@acme.test").await;
    let elsewhere = get(&portal, &next, &again, None).await;
    assert_eq!(elsewhere.status, 200);
    assert!(
        !elsewhere.text.contains("css-removed"),
        "{}",
        elsewhere.text
    );
    let forged = next.replacen("removed=", "removed=x", 1);
    let forged = get(&portal, &forged, &owner, None).await;
    assert_eq!(forged.status, 200);
    assert!(!forged.text.contains("css-removed"));

    // A save that removes nothing says just that.
    let page = get(&portal, "/acme/admin/branding", &owner, None)
        .await
        .text;
    let clean = post(
        &portal,
        "/acme/admin/branding",
        &look_form(&page, &[("custom_css", ".note { font-weight: 700 }")]),
        &owner,
    )
    .await;
    assert_eq!(
        location(&clean),
        "/acme/admin/branding?notice=notice-admin-branding-saved"
    );
}

#[tokio::test]
async fn a_clients_look_takes_a_language_and_lists_removed_css_too() {
    let (portal, world) = seeded().await;
    let manager = sign_in(&portal, "acme", "manager@acme.test").await;
    let path = format!("/acme/admin/branding/clients/{}", world.a.client);
    let page = get(&portal, &path, &manager, None).await.text;
    assert_eq!(selected(&page, "default_locale"), "");
    assert!(
        page.contains("<option value=\"\" selected>Your portal&#39;s default language</option>"),
        "{page}"
    );
    let saved = post(
        &portal,
        &path,
        &look_form(
            &page,
            &[("default_locale", "en"), ("custom_css", HOSTILE_CSS)],
        ),
        &manager,
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let next = location(&saved).to_owned();
    assert!(
        next.starts_with(&format!("{path}?removed="))
            && next.ends_with("&notice=notice-admin-branding-client-saved-css"),
        "{next}"
    );
    let client = portal
        .stores
        .clients
        .client(&TenantScope::dangerous_system(portal.acme), world.a.client)
        .await
        .unwrap()
        .unwrap();
    let look = client.branding.unwrap();
    assert_eq!(
        look.default_locale.as_ref().map(|tag| tag.as_str()),
        Some("en")
    );
    assert!(!look.custom_css.unwrap().contains("@import"));

    let editor = get(&portal, &next, &manager, None).await.text;
    assert!(
        editor
            .contains("The client&#39;s look is saved, but parts of its custom CSS were removed."),
        "{editor}"
    );
    assert!(editor.contains("@import is not allowed"));
    assert_eq!(selected(&editor, "default_locale"), "en");
}
