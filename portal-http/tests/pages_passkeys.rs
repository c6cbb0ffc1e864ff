//! Passkeys through the pages, with a software authenticator standing in for the browser's:
//! adding, listing, renaming and revoking on `account/passkeys` (SEC-20 for adding and
//! revoking), signing in without a password or an email on `login/passkey`, one message for
//! every refused sign-in (SEC-08), form tokens on every POST (SEC-31), and a tenant that
//! requires a second factor taking a passkey for one.
//!
//! The software authenticator keeps no resident keys, so [`Device`] remembers each credential's
//! user handle and picks the credential at sign-in, as a person does in the browser's dialog
//! (neither is signed; the server's checks run as for a real passkey). `e2e/passkeys.test.mjs`
//! runs the same flow in Chromium with its virtual authenticator.

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

use std::collections::HashMap;

use pages_support::{
    Browser, Jar, SESSION, audited, get, location, open_form, post_form, post_login, seeded,
    sign_in,
};
use portal_auth::passkey::{
    CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse,
};
use portal_core::TenantScope;
use portal_core::model::AuditContext;
use support::PASSWORD;
use support::{Portal, Reply};
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::AllowCredentials;

/// The origin the test portal's links (and so its relying party) name.
const ORIGIN: &str = "https://portal.example.com";

/// A discoverable authenticator around the software one (see the module docs).
struct Device {
    soft: SoftPasskey,
    user_handles: HashMap<Vec<u8>, Vec<u8>>,
}

impl Device {
    fn new() -> Self {
        Self {
            soft: SoftPasskey::new(true),
            user_handles: HashMap::new(),
        }
    }

    /// A new credential for the options, as the JSON `passkey.js` posts; and its id.
    fn create(&mut self, options: serde_json::Value) -> (String, Vec<u8>) {
        let mut options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
        let selection = options.public_key.authenticator_selection.as_mut().unwrap();
        assert!(selection.require_resident_key, "a passkey is discoverable");
        selection.resident_key = None;
        selection.require_resident_key = false;
        let handle = options.public_key.user.id.clone();
        let credential = self
            .soft
            .do_registration(Url::parse(ORIGIN).unwrap(), options)
            .unwrap();
        self.user_handles.insert(credential.raw_id.clone(), handle);
        (
            serde_json::to_string(&credential).unwrap(),
            credential.raw_id,
        )
    }

    /// An assertion with the credential `id`, as the JSON `passkey.js` posts.
    fn get(&mut self, options: serde_json::Value, id: &[u8]) -> String {
        let mut options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
        assert!(options.public_key.allow_credentials.is_empty());
        assert!(options.mediation.is_none(), "a button, not autofill");
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".to_owned(),
            id: id.to_vec(),
            transports: None,
        }];
        let mut assertion: PublicKeyCredential = self
            .soft
            .do_authentication(Url::parse(ORIGIN).unwrap(), options)
            .unwrap();
        assertion.response.user_handle = self.user_handles.get(id).cloned();
        serde_json::to_string(&assertion).unwrap()
    }
}

/// The JSON of a reply.
fn json(reply: &Reply) -> serde_json::Value {
    assert_eq!(reply.status, 200, "{}", reply.text);
    serde_json::from_str(&reply.text).unwrap()
}

/// Adds a passkey called `name` through the passkeys page's form; the credential id.
async fn add(browser: &Browser<'_>, device: &mut Device, name: &str) -> Vec<u8> {
    let begun = json(&browser.post("/account/passkeys/options", &[]).await);
    let (credential, id) = device.create(begun["options"].clone());
    let stored = browser
        .post(
            "/account/passkeys",
            &[
                ("name", name),
                ("ceremony", begun["ceremony"].as_str().unwrap()),
                ("credential", &credential),
            ],
        )
        .await;
    let page = browser.follow(&stored).await;
    assert!(
        page.text.contains("Your passkey was added."),
        "{}",
        page.text
    );
    assert!(page.text.contains(name));
    id
}

/// Signs in with the credential `id` from the sign-in form; the reply to the final POST and
/// the browser's jar.
async fn sign_in_with(portal: &Portal, device: &mut Device, id: &[u8]) -> (Reply, Jar) {
    let (jar, token, page) = open_form(portal, "/acme/login").await;
    assert!(page.text.contains("data-passkey-login"));
    assert!(page.text.contains("/assets/passkey-"));
    let begun = json(
        &post_form(
            portal,
            "/acme/login/passkey/options",
            &[("csrf_token", &token)],
            &jar,
        )
        .await,
    );
    let assertion = device.get(begun["options"].clone(), id);
    let reply = post_form(
        portal,
        "/acme/login/passkey",
        &[
            ("csrf_token", &token),
            ("ceremony", begun["ceremony"].as_str().unwrap()),
            ("credential", &assertion),
        ],
        &jar,
    )
    .await;
    (reply, jar)
}

/// The ids of the passkeys a page lists (from their revoke forms).
fn passkey_ids(html: &str) -> Vec<String> {
    html.split("/account/passkeys/")
        .skip(1)
        .filter_map(|rest| rest.split_once("/revoke\"").map(|(id, _)| id.to_owned()))
        .collect()
}

#[tokio::test]
async fn passkeys_are_added_used_renamed_and_revoked_through_the_pages() {
    let (portal, _world) = seeded().await;
    let browser = Browser::open(&portal, "ada@acme.test").await;
    let empty = browser.get("/account/passkeys").await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert!(empty.text.contains("You have no passkeys yet."));
    assert!(empty.text.contains("data-passkey-register"));
    let overview = browser.get("/account").await;
    assert!(overview.text.contains("/account/passkeys"));
    assert!(overview.text.contains("No passkeys yet."));

    let mut device = Device::new();
    let laptop = add(&browser, &mut device, "Laptop").await;
    let phone = add(&browser, &mut device, "Phone").await;
    let page = browser.get("/account/passkeys").await;
    let ids = passkey_ids(&page.text);
    assert_eq!(ids.len(), 2, "{}", page.text);
    assert!(page.text.contains("Not used yet"));

    // Signing in with the phone: no email, no password, a new session.
    let (reply, mut jar) = sign_in_with(&portal, &mut device, &phone).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(location(&reply), "/acme/");
    jar.update(&reply);
    assert!(jar.get(SESSION).is_some());
    let overview = get(&portal, "/acme/", &jar, None).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    let events = audited(&portal, portal.acme, "login.succeeded").await;
    assert!(
        events
            .iter()
            .any(|event| event.details["method"] == "passkey")
    );
    let page = browser.get("/account/passkeys").await;
    assert!(page.text.contains("Last used"));

    let renamed = browser
        .post(
            &format!("/account/passkeys/{}/rename", ids[0]),
            &[("name", "Old laptop")],
        )
        .await;
    let page = browser.follow(&renamed).await;
    assert!(page.text.contains("Old laptop"));
    assert!(page.text.contains("Your passkey was renamed."));
    let refused = browser
        .post(
            &format!("/account/passkeys/{}/rename", ids[0]),
            &[("name", " ")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);

    let revoked = browser
        .post(&format!("/account/passkeys/{}/revoke", ids[0]), &[])
        .await;
    let page = browser.follow(&revoked).await;
    assert!(page.text.contains("Your passkey was removed."));
    assert!(!page.text.contains("Old laptop"));
    let (reply, _) = sign_in_with(&portal, &mut device, &laptop).await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert!(reply.text.contains("This passkey did not sign you in."));
    assert_eq!(
        audited(&portal, portal.acme, "passkey.registered")
            .await
            .len(),
        2
    );
    assert_eq!(
        audited(&portal, portal.acme, "passkey.revoked").await.len(),
        1
    );

    // Another person's passkey id is not found for them.
    let other = Browser::open(&portal, "member@acme.test").await;
    let foreign = other
        .post(&format!("/account/passkeys/{}/revoke", ids[1]), &[])
        .await;
    assert_eq!(foreign.status, 404, "{}", foreign.text);
}

#[tokio::test]
async fn every_passkey_post_needs_its_form_token_sec_31() {
    let (portal, _world) = seeded().await;
    let browser = Browser::open(&portal, "ada@acme.test").await;
    for path in [
        "/account/passkeys/options",
        "/account/passkeys",
        "/account/passkeys/00000000-0000-0000-0000-000000000000/revoke",
    ] {
        let forged = browser.forged(path, &[]).await;
        assert_eq!(forged.status, 403, "{path}: {}", forged.text);
    }
    let (jar, _, _) = open_form(&portal, "/acme/login").await;
    for path in ["/acme/login/passkey/options", "/acme/login/passkey"] {
        let forged = post_form(&portal, path, &[("csrf_token", "forged")], &jar).await;
        assert_eq!(forged.status, 403, "{path}: {}", forged.text);
    }
}

#[tokio::test]
async fn a_refused_or_replayed_sign_in_shows_one_message_sec_08() {
    let (portal, _world) = seeded().await;
    let browser = Browser::open(&portal, "ada@acme.test").await;
    let mut device = Device::new();
    let id = add(&browser, &mut device, "Laptop").await;
    let (jar, token, _) = open_form(&portal, "/acme/login").await;
    let begun = json(
        &post_form(
            &portal,
            "/acme/login/passkey/options",
            &[("csrf_token", &token)],
            &jar,
        )
        .await,
    );
    let assertion = device.get(begun["options"].clone(), &id);
    let fields = [
        ("csrf_token", token.as_str()),
        ("ceremony", begun["ceremony"].as_str().unwrap()),
        ("credential", assertion.as_str()),
    ];
    let first = post_form(&portal, "/acme/login/passkey", &fields, &jar).await;
    assert_eq!(first.status, 303, "{}", first.text);
    let replayed = post_form(&portal, "/acme/login/passkey", &fields, &jar).await;
    let garbled = post_form(
        &portal,
        "/acme/login/passkey",
        &[
            ("csrf_token", token.as_str()),
            ("ceremony", begun["ceremony"].as_str().unwrap()),
            ("credential", "{not json"),
        ],
        &jar,
    )
    .await;
    for reply in [&replayed, &garbled] {
        assert_eq!(reply.status, 401, "{}", reply.text);
        assert!(reply.text.contains("This passkey did not sign you in."));
        let cookies: Vec<_> = reply.headers.get_all("set-cookie").iter().collect();
        assert!(
            cookies
                .iter()
                .all(|cookie| !cookie.to_str().unwrap().starts_with(SESSION)),
            "no session: {cookies:?}"
        );
    }
}

#[tokio::test]
async fn adding_a_passkey_needs_a_recent_sign_in_sec_20() {
    let (portal, _world) = seeded().await;
    let browser = Browser::open(&portal, "ada@acme.test").await;
    portal.clock.advance(time::Duration::minutes(11));
    let reply = browser.post("/account/passkeys/options", &[]).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    let answer: serde_json::Value = serde_json::from_str(&reply.text).unwrap();
    assert_eq!(
        answer["confirm"],
        "/acme/account/confirm?next=/account/passkeys"
    );
}

#[tokio::test]
async fn a_tenant_requiring_a_second_factor_takes_a_passkey() {
    let (portal, _world) = seeded().await;
    portal
        .stores
        .tenants
        .set_mfa_policy(
            &TenantScope::dangerous_system(portal.acme),
            true,
            false,
            &AuditContext::default(),
        )
        .await
        .unwrap();
    // Signed in with a password only, ada is sent to enrolment, which offers a passkey too.
    let jar = sign_in(&portal, "acme", "ada@acme.test").await;
    let overview = get(&portal, "/acme/", &jar, None).await;
    assert_eq!(overview.status, 303);
    assert_eq!(location(&overview), "/acme/account/mfa");
    let enrol = get(&portal, "/acme/account/mfa", &jar, None).await;
    assert!(enrol.text.contains("/account/passkeys"));
    let browser = Browser {
        portal: &portal,
        token: pages_support::input_value(
            &get(&portal, "/acme/account/passkeys", &jar, None)
                .await
                .text,
            "csrf_token",
        ),
        jar,
    };
    let mut device = Device::new();
    let id = add(&browser, &mut device, "Laptop").await;
    let overview = browser.get("/").await;
    assert_eq!(overview.status, 200, "a passkey is a second factor");

    // Her password alone no longer opens a session: the form says to use the passkey.
    let (jar, token, _) = open_form(&portal, "/acme/login").await;
    let refused = post_login(&portal, "acme", &jar, "ada@acme.test", PASSWORD, &token).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert!(refused.text.contains("please sign in with your passkey"));
    let (reply, _) = sign_in_with(&portal, &mut device, &id).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(location(&reply), "/acme/");
}
