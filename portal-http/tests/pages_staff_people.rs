//! The team's pages for clients and people: the clients list (archived ones marked), creating,
//! editing, archiving and restoring a client; its contacts with their roles; inviting a contact
//! or a member of staff (through portal-auth's invitations, so a mail goes out), re-sending and
//! revoking; changing a role after a recent sign-in (SEC-20); assigning clients. A role without
//! the permission gets no link and the branded 404; forms need their token (SEC-31).

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

use pages_support::{Browser, audited, get, location, section, seeded, user_id};
use portal_auth::MailKind;
use portal_core::model::MembershipRecord;
use portal_core::{BuiltinRole, ClientId, MembershipKind, TenantScope};
use portal_storage::Page;
use support::Portal;
use support::staff_api::{NOBODY, role_id};
use time::Duration;

/// The membership of `email`: a contact's of `client`, or the member of staff's.
async fn membership(portal: &Portal, email: &str, client: Option<ClientId>) -> MembershipRecord {
    let user = user_id(portal, email).await;
    portal
        .stores
        .memberships
        .list_memberships(
            &TenantScope::dangerous_system(portal.acme),
            client,
            Page::default(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|record| record.user == user)
        .unwrap()
}

/// Whether acme's audit log holds an event `action` about `object`.
async fn audited_about(portal: &Portal, action: &str, object: uuid::Uuid) -> bool {
    audited(portal, portal.acme, action)
        .await
        .iter()
        .any(|event| event.object.as_ref().is_some_and(|ref_| ref_.id == object))
}

/// The part of a page from `start` to the end of its list item or table row.
fn item<'a>(html: &'a str, start: &str) -> &'a str {
    section(html, start, &["</li>", "</tr>"])
}

#[tokio::test]
async fn a_client_is_created_edited_archived_and_restored() {
    let (portal, _world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let html = manager.get("/staff/clients").await.text;
    assert!(html.contains("Client canary-acme-a"), "{html}");
    assert!(html.contains("Client canary-acme-b"), "{html}");
    assert!(!html.contains("globex"), "{html}");

    let reply = manager
        .post("/staff/clients", &[("name", ""), ("external_id", "crm-7")])
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("aria-invalid=\"true\" aria-describedby=\"client-new-name-error\""),
        "{}",
        reply.text
    );
    assert!(
        reply
            .text
            .contains("id=\"client-new-name-error\">Please fill this in.</p>"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("value=\"crm-7\""),
        "kept: {}",
        reply.text
    );

    let reply = manager
        .post(
            "/staff/clients",
            &[("name", "Initech"), ("external_id", "crm-7")],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(html.contains("The client was created."), "{html}");
    assert!(
        html.contains("<h1 class=\"page__title\">Initech</h1>"),
        "{html}"
    );
    let path = location(&reply)
        .trim_start_matches("/acme")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let id: ClientId = path.trim_start_matches("/staff/clients/").parse().unwrap();

    let reply = manager
        .post(&path, &[("name", "Initech Ltd"), ("external_id", "")])
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(
        html.contains("<h1 class=\"page__title\">Initech Ltd</h1>"),
        "{html}"
    );

    let reply = manager.post(&format!("{path}/archive"), &[]).await;
    let html = manager.follow(&reply).await.text;
    assert!(html.contains("The client was archived."), "{html}");
    assert!(html.contains(">Restore client</button>"), "{html}");
    let list = manager.get("/staff/clients").await.text;
    assert!(
        item(&list, ">Initech Ltd</a>").contains("Archived"),
        "{list}"
    );
    assert!(audited_about(&portal, "client.changed", *id.as_uuid()).await);

    let reply = manager.post(&format!("{path}/restore"), &[]).await;
    let html = manager.follow(&reply).await.text;
    assert!(html.contains(">Archive client</button>"), "{html}");
    let stored = portal
        .stores
        .clients
        .client(&TenantScope::dangerous_system(portal.acme), id)
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.archived);
    assert_eq!(stored.external_id, None, "a blank id clears it");
}

#[tokio::test]
async fn a_role_without_the_permission_gets_no_link_and_the_404() {
    let (portal, world) = seeded().await;
    let member = Browser::open(&portal, "member@acme.test").await;
    let missing = member.get("/no-such-page").await;
    let overview = member.get("/").await.text;
    assert!(!overview.contains("/staff/clients"), "{overview}");
    for path in [
        "/staff/clients".to_owned(),
        format!("/staff/clients/{}", world.a.client),
        "/staff/people".to_owned(),
    ] {
        let reply = member.get(&path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.text, missing.text, "{path}");
    }
    let reply = member.post("/staff/clients", &[("name", "Sneaky")]).await;
    assert_eq!(reply.status, 404);

    // A manager runs clients but not the team.
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let overview = manager.get("/").await.text;
    assert!(
        overview.contains("href=\"/acme/staff/clients\""),
        "{overview}"
    );
    assert!(
        !manager
            .get("/staff/clients")
            .await
            .text
            .contains("/staff/people")
    );
    let reply = manager.get("/staff/people").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text, missing.text);
    let reply = manager
        .post(
            "/staff/people/invitations",
            &[("email", "sneaky@acme.test"), ("role_id", NOBODY)],
        )
        .await;
    assert_eq!(reply.status, 404);
    assert!(portal.mailer.sent().is_empty());

    // The owner does both.
    let owner = Browser::open(&portal, "ada@acme.test").await;
    assert!(
        owner
            .get("/staff/clients")
            .await
            .text
            .contains("href=\"/acme/staff/people\"")
    );
}

#[tokio::test]
async fn inviting_a_contact_mails_a_link_that_can_be_resent_and_revoked() {
    let (portal, world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let path = format!("/staff/clients/{}", world.a.client);
    let html = manager.get(&path).await.text;
    for contact in ["approver@acme-a.test", "viewer@acme-a.test"] {
        assert!(html.contains(contact), "{contact}: {html}");
    }
    // Client roles only.
    let invite = &html[html.find("id=\"invite-role_id\"").unwrap()..];
    let invite = &invite[..invite.find("</select>").unwrap()];
    assert!(invite.contains(">Approver</option>"), "{invite}");
    assert!(!invite.contains(">Owner</option>"), "{invite}");

    let approver = role_id(&portal, portal.acme, BuiltinRole::Approver)
        .await
        .to_string();
    let reply = manager
        .post(
            &format!("{path}/invitations"),
            &[("email", "not an address"), ("role_id", &approver)],
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply.text.contains(
            "id=\"invite-email-error\">Please give an email address like name@example.com.</p>"
        ),
        "{}",
        reply.text
    );
    let reply = manager
        .post(
            &format!("{path}/invitations"),
            &[("email", "new@acme-a.test"), ("role_id", "")],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply
            .text
            .contains("id=\"invite-role_id-error\">Please fill this in.</p>"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("value=\"new@acme-a.test\""));
    assert!(
        portal.mailer.sent().is_empty(),
        "nothing sent for wrong input"
    );

    let reply = manager
        .post(
            &format!("{path}/invitations"),
            &[("email", "new@acme-a.test"), ("role_id", &approver)],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(html.contains("The invitation was sent."), "{html}");
    let sent = portal.mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to.as_str(), "new@acme-a.test");
    assert_eq!(sent[0].kind, MailKind::Invitation);
    assert!(
        sent[0].text.contains("https://portal.example.com/"),
        "{}",
        sent[0].text
    );
    let pending = item(&html, ">new@acme-a.test</p>");
    assert!(pending.contains("Approver"), "{pending}");
    assert!(pending.contains("Send again"), "{pending}");

    let invitation = portal
        .stores
        .invitations
        .list_invitations(
            &TenantScope::dangerous_system(portal.acme),
            Some(world.a.client),
            Page::default(),
        )
        .await
        .unwrap()
        .items
        .remove(0);
    assert!(audited_about(&portal, "invitation.created", *invitation.id.as_uuid()).await);
    let reply = manager
        .post(&format!("{path}/invitations/{}/resend", invitation.id), &[])
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(portal.mailer.sent().len(), 2, "sent again");

    // Revoke the current (re-sent) one: nothing is pending any more.
    let html = manager.get(&path).await.text;
    let revoke = html
        .split("action=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .find(|action| action.ends_with("/revoke"))
        .unwrap()
        .trim_start_matches("/acme")
        .to_owned();
    let reply = manager.post(&revoke, &[]).await;
    let html = manager.follow(&reply).await.text;
    assert!(html.contains("The invitation was revoked"), "{html}");
    assert!(html.contains("No invitations are waiting."), "{html}");
    // An unknown invitation is the 404.
    let reply = manager
        .post(&format!("{path}/invitations/{NOBODY}/revoke"), &[])
        .await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn a_contacts_role_changes_after_a_recent_sign_in_and_a_contact_is_removed() {
    let (portal, world) = seeded().await;
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let path = format!("/staff/clients/{}", world.a.client);
    let viewer = membership(&portal, "viewer@acme-a.test", Some(world.a.client)).await;
    let approver = role_id(&portal, portal.acme, BuiltinRole::Approver).await;

    let reply = owner
        .post(
            &format!("{path}/contacts/{}/role", viewer.id),
            &[("role_id", &approver.to_string())],
        )
        .await;
    let html = owner.follow(&reply).await.text;
    assert!(html.contains("The role was changed."), "{html}");
    let row = item(&html, "viewer@acme-a.test");
    assert!(row.contains("selected>Approver</option>"), "{row}");
    let stored = membership(&portal, "viewer@acme-a.test", Some(world.a.client)).await;
    assert_eq!(stored.role, approver);
    assert!(audited_about(&portal, "membership.changed", *viewer.id.as_uuid()).await);

    // Eleven minutes later the password is asked for first (SEC-20), and nothing changes.
    portal.clock.advance(Duration::minutes(11));
    let viewer_role = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let reply = owner
        .post(
            &format!("{path}/contacts/{}/role", viewer.id),
            &[("role_id", &viewer_role.to_string())],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(
        location(&reply),
        format!(
            "/acme/account/confirm?next=/staff/clients/{}",
            world.a.client
        )
    );
    let stored = membership(&portal, "viewer@acme-a.test", Some(world.a.client)).await;
    assert_eq!(stored.role, approver);

    // A staff membership is no contact of this client: the same 404 as an unknown one.
    let staff = membership(&portal, "member@acme.test", None).await;
    let missing = owner.get("/no-such-page").await;
    for id in [staff.id.to_string(), NOBODY.to_owned()] {
        let reply = owner
            .post(&format!("{path}/contacts/{id}/remove"), &[])
            .await;
        assert_eq!(reply.status, 404, "{id}");
        assert_eq!(reply.text, missing.text);
    }

    // Removing needs no recent sign-in, as in the API.
    let reply = owner
        .post(&format!("{path}/contacts/{}/remove", viewer.id), &[])
        .await;
    let html = owner.follow(&reply).await.text;
    assert!(
        html.contains("The contact was removed from this client."),
        "{html}"
    );
    assert!(!html.contains("viewer@acme-a.test"), "{html}");
}

#[tokio::test]
async fn the_team_page_invites_staff_and_assigns_clients() {
    let (portal, world) = seeded().await;
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let html = owner.get("/staff/people").await.text;
    let member_row = item(&html, "member@acme.test");
    assert!(member_row.contains("No clients assigned"), "{member_row}");
    let manager_row = item(&html, "manager@acme.test");
    assert!(manager_row.contains("All clients"), "{manager_row}");
    assert_eq!(html.matches(">You</span>").count(), 1, "{html}");
    assert!(
        html.contains("Owner <span class=\"badge\">You</span>"),
        "{html}"
    );
    assert!(
        !html.contains("approver@acme-a.test"),
        "contacts are not the team: {html}"
    );

    let member_role = role_id(&portal, portal.acme, BuiltinRole::Member)
        .await
        .to_string();
    let reply = owner
        .post(
            "/staff/people/invitations",
            &[("email", "newbie@acme.test"), ("role_id", &member_role)],
        )
        .await;
    let html = owner.follow(&reply).await.text;
    assert!(html.contains(">newbie@acme.test</p>"), "{html}");
    let sent = portal.mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to.as_str(), "newbie@acme.test");

    let member = membership(&portal, "member@acme.test", None).await;
    assert!(matches!(member.kind, MembershipKind::Staff { .. }));
    let reply = owner
        .post(
            &format!("/staff/people/{}/clients", member.id),
            &[("client_ids", &world.a.client.to_string())],
        )
        .await;
    let html = owner.follow(&reply).await.text;
    assert!(html.contains("The clients were saved."), "{html}");
    assert!(
        item(&html, "member@acme.test").contains("Works on Client canary-acme-a"),
        "{html}"
    );
    let member_page = Browser::open(&portal, "member@acme.test").await;
    let projects = member_page.get("/staff/projects").await.text;
    assert!(projects.contains("Website canary-acme-a"), "{projects}");
    assert!(!projects.contains("Website canary-acme-b"), "{projects}");

    // A client id that is not one names the field; nothing changes.
    let reply = owner
        .post(
            &format!("/staff/people/{}/clients", member.id),
            &[("client_ids", "nope")],
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.text.contains("role=\"alert\""), "{}", reply.text);
}

#[tokio::test]
async fn the_client_pages_speak_german() {
    let (portal, world) = seeded().await;
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let html = get(
        &portal,
        &format!("/acme/staff/clients/{}", world.a.client),
        &owner.jar,
        Some("de"),
    )
    .await
    .text;
    for german in [
        "Kontakte",
        "Kontakt einladen",
        "Offene Einladungen",
        "Kunden archivieren",
    ] {
        assert!(html.contains(german), "{german}: {html}");
    }
    for english in ["Contacts", "Invite a contact", "Archive client"] {
        assert!(!html.contains(english), "{english}: {html}");
    }
}
