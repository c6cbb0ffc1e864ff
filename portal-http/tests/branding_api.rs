//! The white-label API: a look's colours are checked against WCAG AA on save (the 422 names the
//! field), its custom CSS is stored sanitised and the answer says what was dropped, the tenant's
//! default language is read and written; and `/me` shows and changes a person's own language
//! and first-login tour, audited, for nobody but themselves (SEC-28).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use portal_core::TenantScope;
use portal_storage::{AuditFilter, Page};
use serde_json::{Value, json};
use support::staff_api::{Team, acme};

/// A look that passes every check, with its logo on `cdn.acme.example`.
fn look(name: &str) -> Value {
    json!({
        "display_name": name,
        "logo_url": "https://cdn.acme.example/logo.png",
        "primary_colour": "#1f3a5f",
        "accent_colour": "#f2a541",
        "font": "Inter",
        "custom_css": ".hero { color: #fff; }",
        "default_locale": "de-at",
    })
}

/// Sends `body` as acme's owner to `PUT path` and returns the reply.
async fn put(s: &Team, path: &str, body: Value) -> support::Reply {
    s.send(Method::PUT, &acme(path), Some(body), &s.owner).await
}

#[tokio::test]
async fn colours_below_wcag_aa_are_refused_naming_the_field() {
    let s = Team::new().await;
    let saved = put(&s, "/branding", look("Acme Studio")).await;
    assert_eq!(saved.status, 200, "{}", saved.text);

    // Pale yellow carries dark text, but vanishes against the white page (WCAG 1.4.11).
    let mut pale = look("Acme Pale");
    pale["primary_colour"] = json!("#ffee88");
    let refused = put(&s, "/branding", pale).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json()["error"]["fields"], json!(["primary_colour"]));
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("contrast 1.17:1 is below the 3.00:1 WCAG AA asks for"),
        "{message}"
    );

    // A mid grey carries neither white nor dark text at 4.5:1 (WCAG 1.4.3).
    let mut grey = look("Acme Grey");
    grey["accent_colour"] = json!("#777");
    let refused = put(&s, "/branding", grey.clone()).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json()["error"]["fields"], json!(["accent_colour"]));
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("below the 4.50:1 WCAG AA asks for"),
        "{}",
        refused.text
    );
    // A client's own look is held to the same rule.
    let a = s.world.a.client;
    let refused = put(&s, &format!("/clients/{a}/branding"), grey).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json()["error"]["fields"], json!(["accent_colour"]));

    // Nothing was stored.
    let after = s
        .portal
        .get(&acme("/branding"), Some(&s.owner))
        .await
        .json();
    assert_eq!(after["branding"]["display_name"], "Acme Studio");
    assert_eq!(after["branding"]["primary_colour"], "#1f3a5f");
    let client = s
        .portal
        .get(&acme(&format!("/clients/{a}")), Some(&s.owner))
        .await
        .json();
    assert_eq!(client["branding"], Value::Null);
}

#[tokio::test]
async fn custom_css_is_stored_sanitised_and_the_answer_lists_what_went() {
    let s = Team::new().await;
    let mut hostile = look("Acme Studio");
    hostile["custom_css"] = json!(
        "@import url(https://evil.example/x.css);\n\
         .hero { color: #fff; background: url(https://cdn.acme.example/hero.png); }\n\
         .card { width: expr/**/ession(alert(1)); color: red; }\n\
         .bad { background: \\75rl(https://evil.example/track.gif); }\n\
         /* </style><script>alert(1)</script> */"
    );
    let saved = put(&s, "/branding", hostile).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let body = saved.json();
    let stored = body["branding"]["custom_css"].as_str().unwrap().to_owned();
    assert_eq!(
        stored,
        "\n.hero { color: #fff; background: url(https://cdn.acme.example/hero.png); }\n\
         .card { color: red; }\n\
         .bad { }"
    );
    let removed = body["custom_css_removed"].as_array().unwrap();
    let reasons: Vec<&str> = removed
        .iter()
        .map(|removal| removal["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["import", "script", "url", "markup"]);
    assert_eq!(
        removed[0]["css"],
        "@import url(https://evil.example/x.css);"
    );
    assert!(!removed[2]["message"].as_str().unwrap().is_empty());

    // Stored as answered, and served so in the theme.
    let again = s
        .portal
        .get(&acme("/branding"), Some(&s.owner))
        .await
        .json();
    assert_eq!(again["branding"]["custom_css"], stored.as_str());
    assert!(again.get("custom_css_removed").is_none());

    // A look whose CSS is all dropped has none; clean CSS drops nothing.
    let mut emptied = look("Acme Studio");
    emptied["custom_css"] = json!("</style>");
    let saved = put(&s, "/branding", emptied).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.json()["branding"]["custom_css"], Value::Null);
    let clean = put(&s, "/branding", look("Acme Studio")).await;
    assert_eq!(clean.json()["custom_css_removed"], json!([]));

    // The limit on length stays.
    let mut long = look("Acme Studio");
    long["custom_css"] = json!("a".repeat(20_001));
    let refused = put(&s, "/branding", long).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json()["error"]["fields"], json!(["custom_css"]));

    // The change is audited.
    let events = s
        .portal
        .stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(s.portal.acme),
            AuditFilter::default(),
            Page::first(50).unwrap(),
        )
        .await
        .unwrap();
    assert!(
        events
            .items
            .iter()
            .any(|event| event.action == "tenant.changed" && event.details["change"] == "branding"),
        "{:?}",
        events.items
    );
}

#[tokio::test]
async fn a_clients_css_may_load_from_its_own_logos_host_only() {
    let s = Team::new().await;
    let a = s.world.a.client;
    let mut client_look = look("Client A");
    client_look["logo_url"] = json!("https://assets.client-a.example/logo.svg");
    client_look["custom_css"] = json!(
        ".a { background: url(https://assets.client-a.example/bg.png) }\n\
         .b { background: url(https://cdn.acme.example/bg.png) }"
    );
    let saved = put(&s, &format!("/clients/{a}/branding"), client_look).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let body = saved.json();
    assert_eq!(body["id"], a.to_string());
    assert_eq!(
        body["branding"]["custom_css"],
        ".a { background: url(https://assets.client-a.example/bg.png) }\n.b {}"
    );
    assert_eq!(body["custom_css_removed"][0]["reason"], "url");
    assert_eq!(body["branding"]["default_locale"], "de-AT");
}

#[tokio::test]
async fn the_tenants_default_language_is_read_and_written() {
    let s = Team::new().await;
    let before = s
        .portal
        .get(&acme("/branding"), Some(&s.owner))
        .await
        .json();
    assert_eq!(before["branding"]["default_locale"], Value::Null);

    let saved = put(&s, "/branding", look("Acme Studio")).await;
    assert_eq!(saved.json()["branding"]["default_locale"], "de-AT");
    let read = s
        .portal
        .get(&acme("/branding"), Some(&s.owner))
        .await
        .json();
    assert_eq!(read["branding"]["default_locale"], "de-AT");

    let mut bad = look("Acme Studio");
    bad["default_locale"] = json!("deutsch");
    let refused = put(&s, "/branding", bad).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json()["error"]["fields"], json!(["default_locale"]));

    // The whole look is replaced: without it, there is no default again.
    let mut none = look("Acme Studio");
    none.as_object_mut().unwrap().remove("default_locale");
    let cleared = put(&s, "/branding", none).await;
    assert_eq!(cleared.json()["branding"]["default_locale"], Value::Null);
}

/// A `PATCH /me` with `body`, signed in by `cookie`.
async fn patch_me(s: &Team, body: Value, cookie: &str) -> support::Reply {
    s.send(Method::PATCH, &acme("/me"), Some(body), cookie)
        .await
}

#[tokio::test]
async fn people_set_their_own_language_and_finish_the_tour() {
    let s = Team::new().await;
    let me = s.portal.get(&acme("/me"), Some(&s.contact)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["locale"], Value::Null);
    assert_eq!(me.json()["tour_done"], false);

    let set = patch_me(&s, json!({ "locale": "de-at" }), &s.contact).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json()["locale"], "de-AT");
    assert_eq!(set.json()["tour_done"], false);
    assert_eq!(
        s.portal.get(&acme("/me"), Some(&s.contact)).await.json()["locale"],
        "de-AT"
    );

    let done = patch_me(&s, json!({ "tour_done": true }), &s.contact).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json()["tour_done"], true);
    assert_eq!(done.json()["locale"], "de-AT", "absent fields stay");

    let cleared = patch_me(&s, json!({ "locale": null }), &s.contact).await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert_eq!(cleared.json()["locale"], Value::Null);
    assert_eq!(cleared.json()["tour_done"], true);

    // Staff alike; an empty change changes nothing.
    let staff = patch_me(&s, json!({ "locale": "en" }), &s.owner).await;
    assert_eq!(staff.json()["locale"], "en");
    let nothing = patch_me(&s, json!({}), &s.owner).await;
    assert_eq!(nothing.status, 200, "{}", nothing.text);
    assert_eq!(nothing.json()["locale"], "en");

    // Each change is audited as the person's own act; the contact's: locale, tour, locale.
    let events = s.portal.audit_events(s.portal.acme, "user.changed").await;
    let contact_id = s.portal.get(&acme("/me"), Some(&s.contact)).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let changes: Vec<String> = events
        .iter()
        .filter(|event| {
            event.object.as_ref().map(|object| object.id.to_string()) == Some(contact_id.clone())
        })
        .map(|event| event.details["change"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(changes[..3], ["locale", "tour_done", "locale"]);
}

#[tokio::test]
async fn wrong_changes_to_me_are_refused_and_change_nothing_sec_28() {
    let s = Team::new().await;
    patch_me(&s, json!({ "locale": "de" }), &s.contact).await;
    for (body, field) in [
        (json!({ "locale": "deutsch" }), "locale"),
        (json!({ "locale": "" }), "locale"),
        (json!({ "tour_done": false }), "tour_done"),
    ] {
        let refused = patch_me(&s, body.clone(), &s.contact).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.text);
        assert_eq!(
            refused.json()["error"]["fields"],
            json!([field]),
            "{body}: {}",
            refused.text
        );
    }
    // No mass assignment: other fields are refused, the locale is not half-applied.
    let tenant_id = s.portal.globex.to_string();
    let refused = patch_me(
        &s,
        json!({ "locale": "en", "role": "staff_admin", "tenant_id": tenant_id }),
        &s.contact,
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let me = s.portal.get(&acme("/me"), Some(&s.contact)).await.json();
    assert_eq!(me["locale"], "de");
    assert_eq!(me["side"], "client");

    // Without a session, from another site, or not as JSON: refused before anything is read.
    let anonymous = s
        .anonymous(Method::PATCH, &acme("/me"), Some(json!({ "locale": "en" })))
        .await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    let cross_site = s
        .portal
        .send(
            Request::patch(acme("/me"))
                .header(header::HOST, "portal.example.com")
                .header(header::COOKIE, &s.contact)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, "https://evil.example")
                .body(Body::from(r#"{"locale":"en"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(cross_site.status, 403, "{}", cross_site.text);
    let plain = s
        .portal
        .send(
            Request::patch(acme("/me"))
                .header(header::HOST, "portal.example.com")
                .header(header::COOKIE, &s.contact)
                .header("sec-fetch-site", "same-origin")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from(r#"{"locale":"en"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(plain.status, 415, "{}", plain.text);
    let me = s.portal.get(&acme("/me"), Some(&s.contact)).await.json();
    assert_eq!(me["locale"], "de");
}

#[tokio::test]
async fn the_openapi_document_lists_the_new_fields() {
    let s = Team::new().await;
    let document = s.portal.get(&acme("/openapi.json"), None).await.json();
    let me = &document["paths"]["/api/v1/me"];
    assert!(me.get("get").is_some() && me.get("patch").is_some(), "{me}");
    let schemas = &document["components"]["schemas"];
    assert!(schemas["MeChanges"]["properties"].get("locale").is_some());
    assert!(schemas["Me"]["properties"].get("tour_done").is_some());
    assert!(
        schemas["BrandingBody"]["properties"]
            .get("default_locale")
            .is_some()
    );
    assert!(
        document.to_string().contains("custom_css_removed"),
        "no custom_css_removed"
    );
}
