//! Erasing an offboarded client's personal data (`POST /clients/{id}/erase` and the client
//! page's typed confirmation): refused before offboarding (409) and on a wrong name (422,
//! naming `confirm`); afterwards no answer — API, pages, audit log and its export — holds the
//! erased names or emails (canary strings), the contact's request stays, shown as by "Erased
//! contact", and the audit chain still verifies (SEC-27, SEC-40).

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

use axum::http::Method;
use pages_support::{Browser, get, sign_in};
use portal_auth::password::{Password, PasswordHasher};
use portal_core::model::{AuditContext, NewInvitation, NewRequest, NewUser};
use portal_core::{BuiltinRole, DisplayName, Email, MembershipKind, Side, TenantScope, UserId};
use serde_json::{Value, json};
use support::PASSWORD;
use support::staff_api::{Team, acme, role_id};
use time::{Duration, OffsetDateTime};

/// The erased person's name and email, and an invited email: none may survive erasure.
const NAME: &str = "Canary Hollingsworth";
const EMAIL: &str = "canary.hollingsworth@acme-a.test";
const INVITED: &str = "canary.invitee@acme-a.test";

/// A contact of A with a canary name and email and a password; their id.
async fn canary_contact(s: &Team) -> UserId {
    let portal = &s.portal;
    let system = TenantScope::dangerous_system(portal.acme);
    let user = portal
        .stores
        .identities
        .create_user(
            &system,
            NewUser {
                email: Email::parse(EMAIL).unwrap(),
                name: DisplayName::parse(NAME).unwrap(),
                side: Side::Client,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let role = role_id(portal, portal.acme, BuiltinRole::ClientAdmin).await;
    portal
        .stores
        .memberships
        .add_membership(
            &system,
            user.id,
            role,
            MembershipKind::Contact {
                client: s.world.a.client,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let hasher = PasswordHasher::new(
        portal_auth::password::Argon2Config::default()
            .with_memory_kib(256)
            .with_iterations(1),
    )
    .unwrap();
    let hash = hasher.hash(Password::from(PASSWORD)).await.unwrap();
    portal
        .stores
        .identities
        .set_password_hash(portal.acme, user.id, hash)
        .await
        .unwrap();
    user.id
}

/// Every answer an erased person's data could hide in, as the owner sees them.
async fn answers(s: &Team, user: UserId) -> Vec<(String, String)> {
    let a = s.world.a.client;
    let mut all = Vec::new();
    for path in [
        "/users?limit=200".to_owned(),
        format!("/users/{user}"),
        format!("/memberships?client_id={a}&limit=200"),
        "/invitations?limit=200".to_owned(),
        "/audit?limit=200".to_owned(),
        "/audit/export?format=csv".to_owned(),
        "/audit/export?format=jsonl".to_owned(),
        "/requests?limit=200".to_owned(),
    ] {
        let reply = s.portal.get(&acme(&path), Some(&s.owner)).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        all.push((path, reply.text));
    }
    let owner = sign_in(&s.portal, "acme", "ada@acme.test").await;
    for path in [
        format!("/acme/staff/clients/{a}"),
        "/acme/staff/people".to_owned(),
        "/acme/admin/audit".to_owned(),
        "/acme/staff/requests".to_owned(),
    ] {
        let reply = get(&s.portal, &path, &owner, None).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        all.push((path, reply.text));
    }
    all
}

#[tokio::test]
async fn erasure_leaves_no_name_or_email_and_the_chain_verifies() {
    let s = Team::new().await;
    let a = s.world.a.client;
    let user = canary_contact(&s).await;
    let cookie = s.portal.login("acme", EMAIL).await;
    let wrong = s
        .portal
        .post(
            &acme("/auth/login"),
            json!({ "email": EMAIL, "password": "wrong password here" }),
            None,
        )
        .await;
    assert_eq!(wrong.status, 401);
    let contact_scope = support::client_work::scope_of(&s.portal.stores, s.portal.acme, user).await;
    let request = s
        .portal
        .stores
        .requests
        .submit_request(
            &contact_scope,
            NewRequest {
                client: a,
                project: None,
                title: DisplayName::parse("Please resend the invoice").unwrap(),
                body: "Thanks!".into(),
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let viewer = role_id(&s.portal, s.portal.acme, BuiltinRole::Viewer).await;
    s.portal
        .stores
        .invitations
        .create_invitation(
            &TenantScope::dangerous_system(s.portal.acme),
            NewInvitation {
                email: Email::parse(INVITED).unwrap(),
                client: Some(a),
                role: viewer,
                token_hash: portal_core::state::Sha256Digest::of(b"erasure invitation"),
                expires_at: OffsetDateTime::now_utc() + Duration::days(3),
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let before = answers(&s, user).await;
    assert!(
        before.iter().any(|(_, text)| text.contains(NAME)),
        "the canaries are planted"
    );
    assert!(before.iter().any(|(_, text)| text.contains(INVITED)));

    let path = acme(&format!("/clients/{a}/erase"));
    let name = "Client canary-acme-a";
    let early = s
        .send(
            Method::POST,
            &path,
            Some(json!({ "confirm": name })),
            &s.owner,
        )
        .await;
    assert_eq!(early.status, 409, "not offboarded yet: {}", early.text);
    assert!(early.text.contains("offboard"), "{}", early.text);
    let offboarded = s
        .send(
            Method::POST,
            &acme(&format!("/clients/{a}/offboard")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(offboarded.status, 200, "{}", offboarded.text);
    let mistyped = s
        .send(
            Method::POST,
            &path,
            Some(json!({ "confirm": "Client canary-acme-b" })),
            &s.owner,
        )
        .await;
    assert_eq!(mistyped.status, 422, "{}", mistyped.text);
    assert_eq!(mistyped.json()["error"]["fields"], json!(["confirm"]));
    let manager = s.portal.login("acme", "manager@acme.test").await;
    let refused = s
        .send(
            Method::POST,
            &path,
            Some(json!({ "confirm": name })),
            &manager,
        )
        .await;
    assert_eq!(
        refused.status, 403,
        "a manager lacks erase_client_data: {}",
        refused.text
    );
    s.foreign_is_missing(
        Method::POST,
        "/clients/{}/erase",
        &a.to_string(),
        Some(json!({ "confirm": name })),
    )
    .await;

    let erased = s
        .send(
            Method::POST,
            &path,
            Some(json!({ "confirm": name })),
            &s.owner,
        )
        .await;
    assert_eq!(erased.status, 200, "{}", erased.text);
    let report = erased.json();
    assert!(report["client"]["erased_at"].is_string(), "{report}");
    assert!(
        report["contacts_erased"]
            .as_array()
            .unwrap()
            .contains(&Value::String(user.to_string())),
        "{report}"
    );
    assert_eq!(report["invitations_pseudonymised"], 1, "{report}");
    assert!(
        report["audit_events_erased"].as_u64().unwrap() >= 2,
        "{report}"
    );

    assert_eq!(s.portal.get(&acme("/me"), Some(&cookie)).await.status, 401);
    for (path, text) in answers(&s, user).await {
        for canary in [NAME, EMAIL, INVITED, "canary.hollingsworth"] {
            assert!(!text.contains(canary), "{path} still holds {canary}");
        }
    }
    let kept = s
        .portal
        .get(&acme(&format!("/requests/{}", request.id)), Some(&s.owner))
        .await;
    assert_eq!(kept.status, 200, "the request stays: {}", kept.text);
    assert_eq!(kept.json()["submitted_by"], user.to_string());
    let person = s
        .portal
        .get(&acme(&format!("/users/{user}")), Some(&s.owner))
        .await
        .json();
    assert_eq!(person["name"], "Erased contact", "{person}");
    assert!(person["erased_at"].is_string(), "{person}");

    let chain = s
        .portal
        .stores
        .audit
        .verify_chain(&TenantScope::dangerous_system(s.portal.acme))
        .await
        .unwrap();
    assert_eq!(chain.broken, None, "the audit chain verifies after erasure");
    let restore = s
        .send(
            Method::POST,
            &acme(&format!("/clients/{a}/restore")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(
        restore.status, 409,
        "an erased client stays erased: {}",
        restore.text
    );
    // Last: a new attempt records the typed email again, as it would for anyone.
    let relogin = s
        .portal
        .post(
            &acme("/auth/login"),
            json!({ "email": EMAIL, "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(relogin.status, 401, "the erased person cannot sign in");
}

#[tokio::test]
async fn the_client_page_erases_after_the_name_is_typed() {
    let s = Team::new().await;
    let a = s.world.a.client;
    let owner = Browser::open(&s.portal, "ada@acme.test").await;
    let page = owner.get(&format!("/staff/clients/{a}")).await.text;
    assert!(
        !page.contains("/erase\""),
        "nothing to erase before offboarding: {page}"
    );
    owner
        .follow(
            &owner
                .post(&format!("/staff/clients/{a}/offboard"), &[])
                .await,
        )
        .await;
    let page = owner.get(&format!("/staff/clients/{a}")).await.text;
    assert!(
        page.contains(&format!("/acme/staff/clients/{a}/erase\"")),
        "{page}"
    );
    assert!(page.contains("name=\"confirm\""), "{page}");

    let mistyped = owner
        .post(
            &format!("/staff/clients/{a}/erase"),
            &[("confirm", "Client")],
        )
        .await;
    assert_eq!(mistyped.status, 422, "{}", mistyped.text);
    assert!(
        mistyped.text.contains("Please check this entry."),
        "{}",
        mistyped.text
    );
    assert!(
        !mistyped.text.contains("personal data was erased"),
        "nothing was erased"
    );

    let done = owner
        .post(
            &format!("/staff/clients/{a}/erase"),
            &[("confirm", "Client canary-acme-a")],
        )
        .await;
    let page = owner.follow(&done).await.text;
    assert!(page.contains("personal data was erased"), "{page}");
    assert!(page.contains("Erased contact"), "{page}");
    assert!(!page.contains("/erase\""), "nothing left to erase: {page}");
    assert!(
        !page.contains("@acme-a.test"),
        "no contact's email is left: {page}"
    );
}
