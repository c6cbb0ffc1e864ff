//! The team's routes for clients, people, invitations, roles and branding, through the router:
//! what works for an owner, and what anonymous callers, contacts, members without the
//! permission and other tenants get — with proof that refused writes changed nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::http::Method;
use portal_core::{BuiltinRole, Permission};
use serde_json::{Value, json};
use support::Portal;
use support::client_work;
use support::staff_api::{NOBODY, Team, acme, globex, role_id};
use time::Duration;

#[tokio::test]
async fn clients_are_created_listed_edited_and_archived_by_the_team() {
    let s = Team::new().await;
    let created = s
        .send(
            Method::POST,
            &acme("/clients"),
            Some(json!({ "name": "Initech", "external_id": "crm-7" })),
            &s.owner,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["archived"], false);
    assert_eq!(created.json()["branding"], Value::Null);

    let list = s.portal.get(&acme("/clients"), Some(&s.owner)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(
        list.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Initech")
    );

    let patched = s
        .send(
            Method::PATCH,
            &acme(&format!("/clients/{id}")),
            Some(json!({ "name": "Initech Ltd", "external_id": null })),
            &s.owner,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["name"], "Initech Ltd");
    assert_eq!(patched.json()["external_id"], Value::Null);

    let archived = s
        .send(
            Method::POST,
            &acme(&format!("/clients/{id}/archive")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(archived.status, 200, "{}", archived.text);
    assert_eq!(archived.json()["archived"], true);
    let restored = s
        .send(
            Method::POST,
            &acme(&format!("/clients/{id}/restore")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(restored.json()["archived"], false);

    let fetched = s
        .portal
        .get(&acme(&format!("/clients/{id}")), Some(&s.owner))
        .await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json()["name"], "Initech Ltd");

    let unknown = s
        .send(
            Method::POST,
            &acme("/clients"),
            Some(json!({ "name": "X", "tenant_id": "whatever" })),
            &s.owner,
        )
        .await;
    assert_eq!(unknown.status, 422, "mass assignment is refused (SEC-28)");
    let blank = s
        .send(
            Method::POST,
            &acme("/clients"),
            Some(json!({ "name": "  " })),
            &s.owner,
        )
        .await;
    assert_eq!(blank.status, 422);
    assert_eq!(blank.json()["error"]["fields"], json!(["name"]));
}

#[tokio::test]
async fn client_routes_refuse_anonymous_contacts_and_members_sec_25() {
    let s = Team::new().await;
    let a = s.world.a.client;
    assert_eq!(
        s.anonymous(Method::GET, &acme("/clients"), None)
            .await
            .status,
        401
    );
    let anonymous = s
        .anonymous(
            Method::POST,
            &acme("/clients"),
            Some(json!({ "name": "Z" })),
        )
        .await;
    assert_eq!(anonymous.status, 401);

    for method in [Method::GET, Method::PATCH] {
        let body = (method == Method::PATCH).then(|| json!({ "name": "Hijacked" }));
        let reply = s
            .send(method, &acme(&format!("/clients/{a}")), body, &s.contact)
            .await;
        assert_eq!(
            reply.status, 403,
            "a contact on a staff route: {}",
            reply.text
        );
    }
    let before = s.portal.get(&acme("/clients"), Some(&s.owner)).await.json();
    let refused = s
        .send(
            Method::POST,
            &acme("/clients"),
            Some(json!({ "name": "Z" })),
            &s.member,
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let renamed = s
        .send(
            Method::PATCH,
            &acme(&format!("/clients/{a}")),
            Some(json!({ "name": "Hijacked" })),
            &s.member,
        )
        .await;
    assert!(matches!(renamed.status, 403 | 404), "{}", renamed.text);
    assert_eq!(
        s.portal.get(&acme("/clients"), Some(&s.owner)).await.json(),
        before,
        "refused writes changed nothing"
    );
}

#[tokio::test]
async fn another_tenants_client_is_answered_like_a_missing_one_sec_26() {
    let s = Team::new().await;
    let a = s.world.a.client;
    let before = s
        .portal
        .get(&acme(&format!("/clients/{a}")), Some(&s.owner))
        .await
        .text;
    let nobody = s
        .missing(
            Method::GET,
            &globex(&format!("/clients/{NOBODY}")),
            None,
            &s.foreign,
        )
        .await;
    let foreign = s
        .portal
        .get(&globex(&format!("/clients/{a}")), Some(&s.foreign))
        .await;
    assert_eq!(foreign.status, 404);
    assert_eq!(foreign.text, nobody.text, "byte-identical to a missing id");
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/clients/{a}"),
            Some(json!({ "name": "Hijacked" })),
        ),
        (Method::POST, format!("/clients/{a}/archive"), None),
        (
            Method::PUT,
            format!("/clients/{a}/branding"),
            Some(branding("Evil")),
        ),
        (Method::DELETE, format!("/clients/{a}/branding"), None),
    ] {
        let reply = s.send(method, &globex(&path), body, &s.foreign).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
        assert_eq!(reply.text, nobody.text, "{path}");
    }
    let list = s.portal.get(&globex("/clients"), Some(&s.foreign)).await;
    assert!(!list.text.contains("canary-acme"), "{}", list.text);
    assert_eq!(
        s.portal
            .get(&acme(&format!("/clients/{a}")), Some(&s.owner))
            .await
            .text,
        before
    );
}

#[tokio::test]
async fn invitations_are_sent_listed_and_revoked() {
    let s = Team::new().await;
    let a = s.world.a.client;
    let viewer = role_id(&s.portal, s.portal.acme, BuiltinRole::Viewer).await;
    let sent_before = s.portal.mailer.sent().len();
    let invited = s
        .send(
            Method::POST,
            &acme("/invitations"),
            Some(json!({ "email": "New.Person@Acme-A.test", "role_id": viewer, "client_id": a })),
            &s.owner,
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let id = invited.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(invited.json()["email"], "new.person@acme-a.test");
    assert!(!invited.text.contains("token"), "{}", invited.text);
    let sent = s.portal.mailer.sent();
    assert_eq!(sent.len(), sent_before + 1);
    assert_eq!(sent.last().unwrap().to.as_str(), "new.person@acme-a.test");

    let listed = s
        .portal
        .get(
            &acme(&format!("/invitations?client_id={a}")),
            Some(&s.owner),
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert!(
        listed.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id)
    );

    // Refused: a member without the permission, a contact, another tenant; nothing changes.
    let by_member = s
        .send(
            Method::POST,
            &acme("/invitations"),
            Some(json!({ "email": "x@acme-a.test", "role_id": viewer, "client_id": a })),
            &s.member,
        )
        .await;
    assert!(matches!(by_member.status, 403 | 404), "{}", by_member.text);
    let by_contact = s
        .send(
            Method::POST,
            &acme("/invitations"),
            Some(json!({ "email": "x@acme-a.test", "role_id": viewer, "client_id": a })),
            &s.contact,
        )
        .await;
    assert_eq!(by_contact.status, 403);
    let nobody = s
        .missing(
            Method::POST,
            &globex(&format!("/invitations/{NOBODY}/revoke")),
            None,
            &s.foreign,
        )
        .await;
    let foreign = s
        .send(
            Method::POST,
            &globex(&format!("/invitations/{id}/revoke")),
            None,
            &s.foreign,
        )
        .await;
    assert_eq!(foreign.text, nobody.text, "SEC-26");
    assert_eq!(
        s.portal.mailer.sent().len(),
        sent_before + 1,
        "no mail for refused invitations"
    );
    let still = s
        .portal
        .get(
            &acme(&format!("/invitations?client_id={a}")),
            Some(&s.owner),
        )
        .await
        .json();
    let pending = still["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap();
    assert_eq!(pending["revoked_at"], Value::Null);

    let revoked = s
        .send(
            Method::POST,
            &acme(&format!("/invitations/{id}/revoke")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_ne!(revoked.json()["revoked_at"], Value::Null);
}

#[tokio::test]
async fn users_and_memberships_are_managed_with_a_recent_login_sec_20() {
    let s = Team::new().await;
    let a = s.world.a.client;
    let contacts = s
        .portal
        .get(
            &acme(&format!("/memberships?client_id={a}")),
            Some(&s.owner),
        )
        .await;
    assert_eq!(contacts.status, 200, "{}", contacts.text);
    let emails: Vec<String> = contacts.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"]["email"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        emails.contains(&s.world.a.contact("approver")),
        "{emails:?}"
    );
    assert!(
        emails.iter().all(|e| e.ends_with("@acme-a.test")),
        "{emails:?}"
    );

    let user = s
        .send(
            Method::POST,
            &acme("/users"),
            Some(json!({ "email": "dev@acme.test", "name": "Dev Eloper", "side": "staff" })),
            &s.owner,
        )
        .await;
    assert_eq!(user.status, 201, "{}", user.text);
    let user_id = user.json()["id"].as_str().unwrap().to_owned();
    let member_role = role_id(&s.portal, s.portal.acme, BuiltinRole::Member).await;
    let manager_role = role_id(&s.portal, s.portal.acme, BuiltinRole::Manager).await;
    let added = s
        .send(
            Method::POST,
            &acme("/memberships"),
            Some(json!({ "user_id": user_id, "role_id": member_role, "assigned_clients": [a] })),
            &s.owner,
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    let membership = added.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(added.json()["assigned_clients"], json!([a]));
    assert_eq!(added.json()["user"]["email"], "dev@acme.test");

    let promoted = s
        .send(
            Method::PUT,
            &acme(&format!("/memberships/{membership}/role")),
            Some(json!({ "role_id": manager_role })),
            &s.owner,
        )
        .await;
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    assert_eq!(promoted.json()["role_id"], json!(manager_role));

    let renamed = s
        .send(
            Method::PUT,
            &acme(&format!("/users/{user_id}/name")),
            Some(json!({ "name": "Dev Ops" })),
            &s.owner,
        )
        .await;
    assert_eq!(renamed.json()["name"], "Dev Ops");
    let disabled = s
        .send(
            Method::POST,
            &acme(&format!("/users/{user_id}/disable")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(disabled.json()["disabled"], true);
    let enabled = s
        .send(
            Method::POST,
            &acme(&format!("/users/{user_id}/enable")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(enabled.json()["disabled"], false);

    // A member may not change roles; another tenant does not see the membership.
    let by_member = s
        .send(
            Method::PUT,
            &acme(&format!("/memberships/{membership}/role")),
            Some(json!({ "role_id": member_role })),
            &s.member,
        )
        .await;
    assert!(matches!(by_member.status, 403 | 404), "{}", by_member.text);
    let nobody = s
        .missing(
            Method::GET,
            &globex(&format!("/users/{NOBODY}")),
            None,
            &s.foreign,
        )
        .await;
    let foreign = s
        .portal
        .get(&globex(&format!("/users/{user_id}")), Some(&s.foreign))
        .await;
    assert_eq!(foreign.text, nobody.text, "SEC-26");
    let foreign = s
        .send(
            Method::DELETE,
            &globex(&format!("/memberships/{membership}")),
            None,
            &s.foreign,
        )
        .await;
    assert_eq!(foreign.status, 404);

    // An old login may not change access (SEC-20); the role stays.
    s.portal.clock.advance(Duration::minutes(11));
    let stale = s
        .send(
            Method::PUT,
            &acme(&format!("/memberships/{membership}/role")),
            Some(json!({ "role_id": member_role })),
            &s.owner,
        )
        .await;
    assert_eq!(stale.status, 403, "{}", stale.text);
    assert_eq!(stale.error_code(), "reauth_required");
    let listed = s
        .portal
        .get(&acme("/memberships"), Some(&s.owner))
        .await
        .json();
    let held = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == membership)
        .unwrap();
    assert_eq!(held["role_id"], json!(manager_role));

    let removed = s
        .send(
            Method::DELETE,
            &acme(&format!("/memberships/{membership}")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    assert_eq!(
        s.anonymous(Method::GET, &acme("/users"), None).await.status,
        401
    );
    assert_eq!(
        s.portal.get(&acme("/users"), Some(&s.contact)).await.status,
        403
    );
}

#[tokio::test]
async fn the_permission_matrix_is_read_and_edited_sec_20_sec_29() {
    let s = Team::new().await;
    let roles = s.portal.get(&acme("/roles"), Some(&s.owner)).await;
    assert_eq!(roles.status, 200, "{}", roles.text);
    let roles = roles.json();
    assert_eq!(roles.as_array().unwrap().len(), BuiltinRole::ALL.len());
    assert_eq!(roles[0]["builtin"], "owner");
    assert!(
        roles[0]["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("manage_tenant"))
    );
    let permissions = s
        .portal
        .get(&acme("/permissions"), Some(&s.owner))
        .await
        .json();
    assert_eq!(permissions.as_array().unwrap().len(), Permission::ALL.len());
    assert_eq!(permissions[0]["name"], "view_projects");
    assert_eq!(permissions[0]["group"], "work");
    assert_eq!(permissions[0]["audience"], "both");
    let matrix = s
        .portal
        .get(&acme("/permission-matrix"), Some(&s.owner))
        .await
        .json();
    assert_eq!(
        matrix["rows"].as_array().unwrap().len(),
        Permission::ALL.len()
    );
    assert_eq!(
        matrix["rows"][0]["granted"].as_array().unwrap().len(),
        matrix["roles"].as_array().unwrap().len()
    );

    let created = s
        .send(
            Method::POST,
            &acme("/roles"),
            Some(json!({
                "name": "Auditor",
                "side": "staff",
                "permissions": ["view_audit_log", "view_internal"],
            })),
            &s.owner,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let auditor = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["builtin"], Value::Null);

    let unknown = s
        .send(
            Method::POST,
            &acme("/roles"),
            Some(json!({ "name": "Pilot", "side": "staff", "permissions": ["fly"] })),
            &s.owner,
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.json()["error"]["fields"], json!(["permissions"]));
    let staff_only = s
        .send(
            Method::POST,
            &acme("/roles"),
            Some(json!({ "name": "Spy", "side": "client", "permissions": ["view_internal"] })),
            &s.owner,
        )
        .await;
    assert_eq!(staff_only.status, 422, "{}", staff_only.text);

    // A member holding the custom role reads the audit log until the role loses it (SEC-29).
    let dev = client_work::person(
        &s.portal.stores,
        s.portal.acme,
        "dev@acme.test",
        BuiltinRole::Member,
        None,
    )
    .await;
    let membership = s
        .portal
        .get(&acme("/memberships"), Some(&s.owner))
        .await
        .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(dev))
        .unwrap()["id"]
        .clone();
    let changed = s
        .send(
            Method::PUT,
            &acme(&format!(
                "/memberships/{}/role",
                membership.as_str().unwrap()
            )),
            Some(json!({ "role_id": auditor })),
            &s.owner,
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let dev_cookie = s.portal.login("acme", "dev@acme.test").await;
    let read = s.portal.get(&acme("/audit"), Some(&dev_cookie)).await;
    assert_eq!(read.status, 200, "{}", read.text);
    let narrowed = s
        .send(
            Method::PUT,
            &acme(&format!("/roles/{auditor}/permissions")),
            Some(json!({ "permissions": ["view_projects", "view_internal"] })),
            &s.owner,
        )
        .await;
    assert_eq!(narrowed.status, 200, "{}", narrowed.text);
    assert_eq!(
        narrowed.json()["permissions"],
        json!(["view_projects", "view_internal"])
    );
    assert_eq!(
        s.portal
            .get(&acme("/audit"), Some(&dev_cookie))
            .await
            .status,
        403,
        "the next request already has the narrower role"
    );

    // Refused: a member, another tenant, a stale login; the role is unchanged.
    let by_member = s
        .send(
            Method::PUT,
            &acme(&format!("/roles/{auditor}/permissions")),
            Some(json!({ "permissions": ["view_audit_log", "export_audit_log"] })),
            &s.member,
        )
        .await;
    assert_eq!(by_member.status, 403, "{}", by_member.text);
    let nobody = s
        .missing(
            Method::DELETE,
            &globex(&format!("/roles/{NOBODY}")),
            None,
            &s.foreign,
        )
        .await;
    let foreign = s
        .send(
            Method::DELETE,
            &globex(&format!("/roles/{auditor}")),
            None,
            &s.foreign,
        )
        .await;
    assert_eq!(foreign.text, nobody.text, "SEC-26");
    let held = s
        .send(
            Method::DELETE,
            &acme(&format!("/roles/{auditor}")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(held.status, 409, "a role still held: {}", held.text);
    s.portal.clock.advance(Duration::minutes(11));
    let stale = s
        .send(
            Method::PUT,
            &acme(&format!("/roles/{auditor}/permissions")),
            Some(json!({ "permissions": ["view_audit_log"] })),
            &s.owner,
        )
        .await;
    assert_eq!(stale.error_code(), "reauth_required");
    let after = s.portal.get(&acme("/roles"), Some(&s.owner)).await.json();
    let kept = after
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == json!(auditor))
        .unwrap();
    assert_eq!(
        kept["permissions"],
        json!(["view_projects", "view_internal"])
    );
    assert_eq!(
        s.portal.get(&acme("/roles"), Some(&s.contact)).await.status,
        403
    );
    assert_eq!(
        s.anonymous(Method::GET, &acme("/permissions"), None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn unheld_custom_roles_are_deleted() {
    let s = Team::new().await;
    let created = s
        .send(
            Method::POST,
            &acme("/roles"),
            Some(json!({ "name": "Reader", "side": "client", "permissions": ["view_projects"] })),
            &s.owner,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let deleted = s
        .send(
            Method::DELETE,
            &acme(&format!("/roles/{id}")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let owner = role_id(&s.portal, s.portal.acme, BuiltinRole::Owner).await;
    let builtin = s
        .send(
            Method::DELETE,
            &acme(&format!("/roles/{owner}")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(builtin.status, 409, "{}", builtin.text);
}

fn branding(name: &str) -> Value {
    json!({
        "display_name": name,
        "logo_url": "https://cdn.acme.example/logo.png",
        "primary_colour": "#123",
        "accent_colour": "#abcdef",
        "font": "Inter, sans-serif",
        "custom_css": ".hero { color: #fff; }",
        "email_sender_name": "Acme Team",
        "email_sender_address": "team@acme.example",
    })
}

#[tokio::test]
async fn branding_domains_and_mfa_policy_are_set_by_admins() {
    let s = Team::new().await;
    let current = s.portal.get(&acme("/branding"), Some(&s.owner)).await;
    assert_eq!(current.status, 200, "{}", current.text);
    assert_eq!(current.json()["branding"]["display_name"], "Acme Agency");

    let updated = s
        .send(
            Method::PUT,
            &acme("/branding"),
            Some(branding("Acme Studio")),
            &s.owner,
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.json()["branding"]["primary_colour"], "#112233");
    assert_eq!(updated.json()["branding"]["display_name"], "Acme Studio");

    // Hostile CSS is dropped, not refused (the rules are in tests/branding_api.rs).
    let mut hostile = branding("Acme Studio");
    hostile["custom_css"] = json!("</style><script>alert(1)</script>");
    let sanitised = s
        .send(Method::PUT, &acme("/branding"), Some(hostile), &s.owner)
        .await;
    assert_eq!(sanitised.status, 200, "{}", sanitised.text);
    assert_eq!(sanitised.json()["branding"]["custom_css"], Value::Null);
    assert_eq!(
        sanitised.json()["custom_css_removed"][0]["reason"],
        "markup"
    );
    let mut http_logo = branding("Acme Hacked");
    http_logo["logo_url"] = json!("http://cdn.acme.example/logo.png");
    let refused = s
        .send(Method::PUT, &acme("/branding"), Some(http_logo), &s.owner)
        .await;
    assert_eq!(refused.json()["error"]["fields"], json!(["logo_url"]));
    let by_member = s
        .send(
            Method::PUT,
            &acme("/branding"),
            Some(branding("Acme Hacked")),
            &s.member,
        )
        .await;
    assert_eq!(by_member.status, 403);
    let by_contact = s
        .send(
            Method::PUT,
            &acme("/branding"),
            Some(branding("Acme Hacked")),
            &s.contact,
        )
        .await;
    assert_eq!(by_contact.status, 403);
    let after = s
        .portal
        .get(&acme("/branding"), Some(&s.owner))
        .await
        .json();
    assert_eq!(
        after["branding"]["display_name"], "Acme Studio",
        "refusals changed nothing"
    );

    let domain = s
        .send(
            Method::POST,
            &acme("/branding/domains"),
            Some(json!({ "host": "Portal.Acme.Example" })),
            &s.owner,
        )
        .await;
    assert_eq!(domain.status, 200, "{}", domain.text);
    assert_eq!(domain.json()["domains"], json!(["portal.acme.example"]));
    let taken = s
        .send(
            Method::POST,
            &globex("/branding/domains"),
            Some(json!({ "host": "portal.acme.example" })),
            &s.foreign,
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.text);
    let removed = s
        .send(
            Method::DELETE,
            &acme("/branding/domains/portal.acme.example"),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(removed.json()["domains"], json!([]));

    let a = s.world.a.client;
    let client = s
        .send(
            Method::PUT,
            &acme(&format!("/clients/{a}/branding")),
            Some(branding("Client A look")),
            &s.owner,
        )
        .await;
    assert_eq!(client.status, 200, "{}", client.text);
    assert_eq!(client.json()["branding"]["display_name"], "Client A look");
    let cleared = s
        .send(
            Method::DELETE,
            &acme(&format!("/clients/{a}/branding")),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(cleared.json()["branding"], Value::Null);

    let policy = s
        .send(
            Method::PUT,
            &acme("/security/mfa-policy"),
            Some(json!({ "staff": true, "contacts": false })),
            &s.owner,
        )
        .await;
    assert_eq!(policy.status, 200, "{}", policy.text);
    assert_eq!(policy.json()["require_mfa_staff"], true);
    let by_manager = s
        .send(
            Method::PUT,
            &acme("/security/mfa-policy"),
            Some(json!({ "staff": false, "contacts": false })),
            &s.portal.login("acme", "manager@acme.test").await,
        )
        .await;
    assert_eq!(by_manager.status, 403);
    assert_eq!(
        s.portal
            .get(&acme("/branding"), Some(&s.owner))
            .await
            .json()["require_mfa_staff"],
        true
    );
    assert_eq!(
        s.anonymous(Method::GET, &acme("/branding"), None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn the_openapi_document_lists_the_staff_routes_and_their_schemas() {
    let portal = Portal::new().await;
    let doc = portal.get(&acme("/openapi.json"), None).await.json();
    for (path, method) in [
        ("/clients", "get"),
        ("/clients", "post"),
        ("/clients/{client_id}", "patch"),
        ("/clients/{client_id}/archive", "post"),
        ("/clients/{client_id}/offboard", "post"),
        ("/clients/{client_id}/erase", "post"),
        ("/clients/{client_id}/branding", "put"),
        ("/users", "post"),
        ("/users/{user_id}/disable", "post"),
        ("/memberships", "post"),
        ("/memberships/{membership_id}/role", "put"),
        ("/memberships/{membership_id}", "delete"),
        ("/invitations", "post"),
        ("/invitations/{invitation_id}/revoke", "post"),
        ("/roles", "post"),
        ("/roles/{role_id}/permissions", "put"),
        ("/roles/{role_id}", "delete"),
        ("/permissions", "get"),
        ("/permission-matrix", "get"),
        ("/projects", "post"),
        ("/projects", "get"),
        ("/projects/{project_id}", "patch"),
        ("/projects/{project_id}", "get"),
        ("/projects/{project_id}/visibility", "put"),
        ("/projects/{project_id}/milestones", "post"),
        ("/milestones/{milestone_id}/status", "put"),
        ("/milestones/{milestone_id}/deliverables", "post"),
        ("/deliverables/{deliverable_id}/visibility", "put"),
        ("/projects/{project_id}/updates", "post"),
        ("/decisions/{decision_id}/visibility", "put"),
        ("/tasks/{task_id}/visibility", "put"),
        ("/approvals", "post"),
        ("/approvals", "get"),
        ("/approvals/{approval_id}/cancel", "post"),
        ("/invoices", "post"),
        ("/invoices/{invoice_id}", "patch"),
        ("/share-links", "post"),
        ("/share-links/{link_id}/revoke", "post"),
        ("/branding", "put"),
        ("/branding/domains/{host}", "delete"),
        ("/security/mfa-policy", "put"),
        ("/audit", "get"),
        ("/audit/export", "get"),
        ("/api-keys", "post"),
        ("/api-keys/{key_id}/revoke", "post"),
        ("/me/mfa", "get"),
        ("/me/mfa/totp", "post"),
        ("/me/mfa/totp", "delete"),
        ("/me/mfa/totp/confirm", "post"),
        ("/me/mfa/recovery-codes", "post"),
        ("/me/password", "post"),
    ] {
        let operation = &doc["paths"][format!("/api/v1{path}")][method];
        assert!(operation.is_object(), "{method} {path} missing");
    }
    // Each schema name stands for one type: a clash with another area's DTO would show here.
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("ClientView", "archived"),
        ("ClientView", "offboarded_at"),
        ("OffboardView", "sessions_ended"),
        ("ErasureView", "contacts_erased"),
        ("EraseBody", "confirm"),
        ("AuditEventView", "personal"),
        ("UserView", "disabled"),
        ("MembershipView", "assigned_clients"),
        ("InvitationView", "invited_by"),
        ("RoleView", "builtin"),
        ("PermissionView", "group_title"),
        ("MatrixView", "rows"),
        ("StaffProjectView", "budget"),
        ("StaffMilestoneView", "position"),
        ("StaffDeliverableView", "milestone_id"),
        ("StaffUpdateView", "author"),
        ("StaffDecisionView", "decided_on"),
        ("StaffTaskView", "owner"),
        ("StaffApprovalView", "version_sha256"),
        ("StaffInvoiceView", "internal_note"),
        ("ShareLinkView", "max_uses"),
        ("ApiKeyView", "prefix"),
        ("TenantSettings", "domains"),
        ("BrandingView", "custom_css"),
        ("AuditEventView", "prev_hash"),
        ("TotpSetupView", "qr_svg"),
        ("RecoveryCodesView", "recovery_codes"),
        ("MoneyBody", "amount_minor"),
        ("VisibilityBody", "visibility"),
    ] {
        assert!(
            schemas[schema]["properties"].get(field).is_some(),
            "{schema}.{field}: {}",
            schemas[schema]
        );
    }
}

#[tokio::test]
async fn every_staff_route_refuses_anonymous_callers_and_contacts_sec_25() {
    let s = Team::new().await;
    let doc = s.portal.get(&acme("/openapi.json"), None).await.json();
    let mut swept = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !operation["tags"]
                .as_array()
                .is_some_and(|tags| tags.contains(&json!("staff")))
            {
                continue;
            }
            // Any id will do: the caller is refused before the route looks at it.
            let concrete: String = path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        NOBODY
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let url = format!("/acme{concrete}");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            let anonymous = s.anonymous(method.clone(), &url, body.clone()).await;
            assert_eq!(anonymous.status, 401, "{method} {path}: {}", anonymous.text);
            let contact = s.send(method.clone(), &url, body, &s.contact).await;
            assert_eq!(contact.status, 403, "{method} {path}: {}", contact.text);
            swept += 1;
        }
    }
    assert!(swept >= 55, "{swept} staff routes");
}
