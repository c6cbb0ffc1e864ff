//! Offboarding a client (`POST /clients/{id}/offboard` and the client page's action): its
//! contacts' live sessions are refused on the very next request (API and pages, through the
//! session cache), its invitations and share links stop working, a contact of another active
//! client keeps that access, and a second offboarding changes nothing (SEC-19, SEC-29).

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
use pages_support::{Browser, get, location, sign_in};
use portal_auth::token::InvitationToken;
use portal_core::model::{AuditContext, NewInvitation};
use portal_core::{BuiltinRole, Email, MembershipKind, TenantScope};
use serde_json::json;
use support::client_work::person;
use support::staff_api::{NOBODY, Team, acme, role_id};
use time::{Duration, OffsetDateTime};

/// A contact of A who is also a viewer at B, signed in.
async fn contact_of_a_and_b(s: &Team) -> String {
    let portal = &s.portal;
    let email = "both@acme-a.test";
    let user = person(
        &portal.stores,
        portal.acme,
        email,
        BuiltinRole::Viewer,
        Some(s.world.a.client),
    )
    .await;
    let viewer = role_id(portal, portal.acme, BuiltinRole::Viewer).await;
    portal
        .stores
        .memberships
        .add_membership(
            &TenantScope::dangerous_system(portal.acme),
            user,
            viewer,
            MembershipKind::Contact {
                client: s.world.b.client,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    portal.login("acme", email).await
}

/// A pending invitation to A; its token.
async fn invitation_to_a(s: &Team) -> String {
    let token = InvitationToken::generate().unwrap();
    let viewer = role_id(&s.portal, s.portal.acme, BuiltinRole::Viewer).await;
    s.portal
        .stores
        .invitations
        .create_invitation(
            &TenantScope::dangerous_system(s.portal.acme),
            NewInvitation {
                email: Email::parse("invited@acme-a.test").unwrap(),
                client: Some(s.world.a.client),
                role: viewer,
                token_hash: token.hash(),
                expires_at: OffsetDateTime::now_utc() + Duration::days(3),
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    token.expose_secret().to_owned()
}

async fn inspect_invitation(s: &Team, token: &str) -> u16 {
    s.portal
        .post(&acme("/auth/invitation"), json!({ "token": token }), None)
        .await
        .status
}

#[tokio::test]
async fn offboarding_signs_contacts_out_and_ends_invitations_and_share_links() {
    let s = Team::new().await;
    let a = s.world.a.client;
    let both = contact_of_a_and_b(&s).await;
    let invitation = invitation_to_a(&s).await;
    let link = s
        .created("/share-links", json!({ "project_id": s.world.a.project }))
        .await;
    let link_token = link["token"].as_str().unwrap().to_owned();
    // Warm the session cache: the next request after offboarding must not be served from it.
    for cookie in [&s.contact, &both] {
        assert_eq!(s.portal.get(&acme("/me"), Some(cookie)).await.status, 200);
    }
    assert_eq!(inspect_invitation(&s, &invitation).await, 200);

    let path = acme(&format!("/clients/{a}/offboard"));
    let manager = s.portal.login("acme", "manager@acme.test").await;
    let refused = s.send(Method::POST, &path, None, &manager).await;
    assert_eq!(
        refused.status, 403,
        "a manager lacks offboard_clients: {}",
        refused.text
    );
    let missing = s
        .send(
            Method::POST,
            &acme(&format!("/clients/{NOBODY}/offboard")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(missing.status, 404);
    s.foreign_is_missing(Method::POST, "/clients/{}/offboard", &a.to_string(), None)
        .await;

    let done = s.send(Method::POST, &path, None, &s.owner).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let report = done.json();
    assert_eq!(report["client"]["archived"], true);
    assert!(report["client"]["offboarded_at"].is_string(), "{report}");
    assert_eq!(report["sessions_ended"], 1, "{report}");
    assert_eq!(report["invitations_revoked"], 1, "{report}");
    assert_eq!(report["share_links_revoked"], 1, "{report}");
    assert_eq!(
        report["contacts_kept"].as_array().unwrap().len(),
        1,
        "{report}"
    );

    assert_eq!(
        s.portal.get(&acme("/me"), Some(&s.contact)).await.status,
        401,
        "the contact's live session is refused at once"
    );
    assert_eq!(
        s.portal.get(&acme("/me"), Some(&both)).await.status,
        200,
        "a contact of another active client keeps that access"
    );
    assert_eq!(inspect_invitation(&s, &invitation).await, 401);
    assert!(
        s.portal
            .state
            .share_links()
            .open(&link_token)
            .await
            .is_err()
    );

    let again = s.send(Method::POST, &path, None, &s.owner).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let again = again.json();
    assert_eq!(
        again["client"]["offboarded_at"],
        report["client"]["offboarded_at"]
    );
    assert_eq!(
        (
            &again["sessions_ended"],
            &again["invitations_revoked"],
            &again["share_links_revoked"]
        ),
        (&json!(0), &json!(0), &json!(0))
    );
    let events = s
        .portal
        .audit_events(s.portal.acme, "client.offboarded")
        .await;
    assert_eq!(events.len(), 1, "offboarding twice is audited once");
    assert!(
        !events[0].details.to_string().contains('@'),
        "ids only: {}",
        events[0].details
    );

    let restored = s
        .send(
            Method::POST,
            &acme(&format!("/clients/{a}/restore")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(restored.json()["offboarded_at"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_client_page_offboards_after_a_confirmation_and_signs_contacts_out() {
    let s = Team::new().await;
    let a = s.world.a.client;
    let contact = sign_in(&s.portal, "acme", &s.world.a.contact("approver")).await;
    assert_eq!(get(&s.portal, "/acme/", &contact, None).await.status, 200);

    let manager = Browser::open(&s.portal, "manager@acme.test").await;
    let page = manager.get(&format!("/staff/clients/{a}")).await.text;
    assert!(
        !page.contains("/offboard\""),
        "no action without the permission: {page}"
    );

    let owner = Browser::open(&s.portal, "ada@acme.test").await;
    let page = owner.get(&format!("/staff/clients/{a}")).await.text;
    assert!(
        page.contains(&format!("/acme/staff/clients/{a}/offboard\"")),
        "{page}"
    );
    assert!(
        page.contains("<details class=\"disclosure\">"),
        "a confirmation step first"
    );
    assert!(
        page.contains("Offboard Client canary-acme-a now?"),
        "{page}"
    );

    let refused = manager
        .post(&format!("/staff/clients/{a}/offboard"), &[])
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let done = owner
        .post(&format!("/staff/clients/{a}/offboard"), &[])
        .await;
    let page = owner.follow(&done).await.text;
    assert!(page.contains("The client was offboarded."), "{page}");
    assert!(page.contains("This client was offboarded"), "{page}");
    assert!(
        !page.contains("/offboard\""),
        "nothing left to offboard: {page}"
    );

    let after = get(&s.portal, "/acme/", &contact, None).await;
    assert_eq!(
        after.status, 303,
        "the contact's page session is refused at once"
    );
    assert!(
        location(&after).contains("/acme/login"),
        "{}",
        location(&after)
    );
}
