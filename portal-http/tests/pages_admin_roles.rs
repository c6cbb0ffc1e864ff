//! The settings hub and the permission matrix page: who sees them (nobody without the
//! permission: no link, the branded 404), the grid as a real table with labelled checkboxes and
//! no box where a side may never hold a permission, saving a column (audited, effective), a
//! forged grant refused with its name (422), foreign roles as the branded 404, the form token
//! (SEC-31), step-up (SEC-20), custom roles created and deleted, and German.

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

use pages_support::{Jar, get, input_value, location, post_form, sign_in};
use portal_core::{BuiltinRole, Permission, PermissionSet, RoleId, TenantScope};
use portal_storage::{AuditFilter, Page};
use support::Portal;
use support::client_work::{self, World};
use support::staff_api::{NOBODY, role_id};

async fn seeded() -> (Portal, World) {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

/// The page's form token.
fn token(html: &str) -> String {
    input_value(html, "csrf_token")
}

async fn permissions_of(portal: &Portal, role: RoleId) -> PermissionSet {
    portal
        .stores
        .memberships
        .roles(&TenantScope::dangerous_system(portal.acme))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id() == role)
        .unwrap()
        .permissions()
}

async fn audit_actions(portal: &Portal, action: &str) -> usize {
    portal
        .stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(portal.acme),
            AuditFilter {
                action: Some(action.to_owned()),
                ..AuditFilter::default()
            },
            Page::first(200).unwrap(),
        )
        .await
        .unwrap()
        .items
        .len()
}

/// A GET of `path` with the jar, and the form token of the page it returns.
async fn page_token(portal: &Portal, path: &str, jar: &Jar) -> String {
    let page = get(portal, path, jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    token(&page.text)
}

#[tokio::test]
async fn the_hub_links_only_the_sections_a_role_may_use() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let overview = get(&portal, "/acme/", &owner, None).await.text;
    assert!(overview.contains("href=\"/acme/admin\""), "{overview}");
    let hub = get(&portal, "/acme/admin", &owner, None).await;
    assert_eq!(hub.status, 200, "{}", hub.text);
    for section in [
        "/acme/admin/roles",
        "/acme/admin/branding\"",
        "/acme/admin/branding/clients",
        "/acme/admin/preview",
        "/acme/admin/audit",
        "/acme/admin/share-links",
        "/acme/admin/api-keys",
    ] {
        assert!(hub.text.contains(section), "owner misses {section}");
    }
    assert_eq!(hub.text.matches("<h1").count(), 1);

    // A manager may preview, share and set clients' looks, but not roles, branding or keys.
    let manager = sign_in(&portal, "acme", "manager@acme.test").await;
    let hub = get(&portal, "/acme/admin", &manager, None).await.text;
    assert!(hub.contains("/acme/admin/preview"), "{hub}");
    assert!(hub.contains("/acme/admin/share-links"), "{hub}");
    for hidden in [
        "/acme/admin/roles",
        "/acme/admin/audit",
        "/acme/admin/api-keys",
        "/acme/admin/branding\"",
    ] {
        assert!(!hub.contains(hidden), "manager sees {hidden}: {hub}");
    }

    // A member and a contact get no link, and the hub does not exist for them.
    for email in ["member@acme.test", "client_admin@acme-a.test"] {
        let jar = sign_in(&portal, "acme", email).await;
        let overview = get(&portal, "/acme/", &jar, None).await.text;
        assert!(!overview.contains("/acme/admin"), "{email}: {overview}");
        let hub = get(&portal, "/acme/admin", &jar, None).await;
        assert_eq!(hub.status, 404, "{email}");
        let unknown = get(&portal, "/acme/no-such-page", &jar, None).await;
        assert_eq!(hub.text, unknown.text, "{email}: the same branded 404");
    }
}

#[tokio::test]
async fn the_matrix_is_a_labelled_grid_without_boxes_a_side_may_never_hold() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/roles", &owner, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let manager = role_id(&portal, portal.acme, BuiltinRole::Manager).await;
    assert!(html.contains("<table class=\"table matrix\">"), "{html}");
    assert!(html.contains("<th scope=\"col\""), "{html}");
    assert!(html.contains("<th scope=\"row\""), "{html}");
    assert!(html.contains("<th scope=\"colgroup\""), "{html}");
    assert!(html.contains(">Team roles<") && html.contains(">Client roles<"));
    assert!(html.contains(">Administration<") && html.contains(">Finance<"));
    // Each box is labelled "role – permission".
    assert!(
        html.contains(&format!(
            "<input type=\"checkbox\" name=\"grant\" value=\"{viewer}:view_projects\" checked><span class=\"visually-hidden\">Viewer – See projects and their status.</span>"
        )),
        "{html}"
    );
    assert!(html.contains(&format!("value=\"{manager}:publish\" checked")));
    // A client role is offered no staff permission, a staff role no client one.
    assert!(!html.contains(&format!("value=\"{viewer}:publish\"")));
    assert!(!html.contains(&format!("value=\"{manager}:decide_approvals\"")));
    assert!(
        html.contains("Viewer – Publish objects to the client, or take them back.: not available")
    );
    // The owner always holds every staff permission: shown, never offered.
    let owner_role = role_id(&portal, portal.acme, BuiltinRole::Owner).await;
    assert!(!html.contains(&format!("value=\"{owner_role}:manage_roles\"")));
    assert!(
        html.contains("Owner – Define custom roles and edit the permission matrix.: always held")
    );
    assert!(html.contains(&format!("name=\"save\" value=\"{viewer}\"")));
    assert!(!html.contains(&format!("name=\"save\" value=\"{owner_role}\"")));
    assert!(html.contains("class=\"table-wrap matrix-wrap\""));
    // Another tenant's roles never show.
    let globex_viewer = role_id(&portal, portal.globex, BuiltinRole::Viewer).await;
    assert!(!html.contains(&globex_viewer.to_string()));
}

#[tokio::test]
async fn a_role_without_manage_roles_can_neither_see_nor_post_the_grid() {
    let (portal, _world) = seeded().await;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let before = permissions_of(&portal, viewer).await;
    for email in [
        "manager@acme.test",
        "member@acme.test",
        "viewer@acme-a.test",
    ] {
        let jar = sign_in(&portal, "acme", email).await;
        let page = get(&portal, "/acme/admin/roles", &jar, None).await;
        assert_eq!(page.status, 404, "{email}");
        let overview = get(&portal, "/acme/", &jar, None).await.text;
        let token = token(&overview);
        let reply = post_form(
            &portal,
            "/acme/admin/roles",
            &[
                ("csrf_token", &token),
                ("roles", &viewer.to_string()),
                ("grant", &format!("{viewer}:comment")),
                ("save", "all"),
            ],
            &jar,
        )
        .await;
        assert_eq!(reply.status, 404, "{email}: {}", reply.text);
    }
    assert_eq!(permissions_of(&portal, viewer).await, before);
}

#[tokio::test]
async fn saving_a_column_changes_the_role_and_is_audited() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let token = page_token(&portal, "/acme/admin/roles", &owner).await;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let finance = role_id(&portal, portal.acme, BuiltinRole::Finance).await;
    let finance_before = permissions_of(&portal, finance).await;
    let audited = audit_actions(&portal, "role.changed").await;

    // Without its token the form is refused (SEC-31).
    let refused = post_form(
        &portal,
        "/acme/admin/roles",
        &[("roles", &viewer.to_string()), ("save", "all")],
        &owner,
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text);

    // Saving the viewer's column leaves the finance column as it is, whatever it posts.
    let reply = post_form(
        &portal,
        "/acme/admin/roles",
        &[
            ("csrf_token", &token),
            ("roles", &viewer.to_string()),
            ("roles", &finance.to_string()),
            ("grant", &format!("{viewer}:view_projects")),
            ("grant", &format!("{viewer}:view_invoices")),
            ("save", &viewer.to_string()),
        ],
        &owner,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(
        location(&reply),
        "/acme/admin/roles?notice=notice-admin-roles-saved"
    );
    assert_eq!(
        permissions_of(&portal, viewer).await,
        PermissionSet::from_slice(&[Permission::ViewProjects, Permission::ViewInvoices])
    );
    assert_eq!(permissions_of(&portal, finance).await, finance_before);
    assert_eq!(audit_actions(&portal, "role.changed").await, audited + 1);

    let page = get(&portal, location(&reply), &owner, None).await.text;
    assert!(page.contains("The permissions are saved."), "{page}");
    assert!(page.contains(&format!("value=\"{viewer}:view_invoices\" checked")));
    assert!(!page.contains(&format!("value=\"{viewer}:view_documents\" checked")));

    // A viewer of client A now sees the invoices on the next request (SEC-29).
    let contact = sign_in(&portal, "acme", "viewer@acme-a.test").await;
    let overview = get(&portal, "/acme/", &contact, None).await.text;
    assert!(overview.contains("Open invoices"), "{overview}");
}

#[tokio::test]
async fn a_forged_grant_of_a_staff_permission_to_a_client_role_is_refused_by_name() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let token = page_token(&portal, "/acme/admin/roles", &owner).await;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let member = role_id(&portal, portal.acme, BuiltinRole::Member).await;
    let (viewer_before, member_before) = (
        permissions_of(&portal, viewer).await,
        permissions_of(&portal, member).await,
    );
    let reply = post_form(
        &portal,
        "/acme/admin/roles",
        &[
            ("csrf_token", &token),
            ("roles", &member.to_string()),
            ("roles", &viewer.to_string()),
            ("grant", &format!("{member}:comment")),
            ("grant", &format!("{viewer}:view_projects")),
            ("grant", &format!("{viewer}:publish")),
            ("save", "all"),
        ],
        &owner,
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("Viewer: The permission “publish” cannot be given to this kind of role."),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("role=\"alert\" id=\"grid-error\""));
    assert!(reply.text.contains("aria-describedby=\"grid-error\""));
    // Nothing was saved — not even the column that was right — and the ticks were kept.
    assert_eq!(permissions_of(&portal, viewer).await, viewer_before);
    assert_eq!(permissions_of(&portal, member).await, member_before);
    assert!(
        reply
            .text
            .contains(&format!("value=\"{member}:comment\" checked"))
    );
    assert!(
        !reply
            .text
            .contains(&format!("value=\"{member}:view_projects\" checked"))
    );

    // An unknown permission name is refused the same way, as a malformed entry.
    let reply = post_form(
        &portal,
        "/acme/admin/roles",
        &[
            ("csrf_token", &token),
            ("roles", &viewer.to_string()),
            ("grant", &format!("{viewer}:fly")),
        ],
        &owner,
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(permissions_of(&portal, viewer).await, viewer_before);
}

#[tokio::test]
async fn another_tenants_role_and_an_unknown_one_are_the_same_branded_404() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let token = page_token(&portal, "/acme/admin/roles", &owner).await;
    let foreign = role_id(&portal, portal.globex, BuiltinRole::Viewer).await;
    let foreign_before = portal
        .stores
        .memberships
        .roles(&TenantScope::dangerous_system(portal.globex))
        .await
        .unwrap();
    let mut bodies = Vec::new();
    for id in [
        foreign.to_string(),
        NOBODY.to_owned(),
        "not-an-id".to_owned(),
    ] {
        let reply = post_form(
            &portal,
            "/acme/admin/roles",
            &[
                ("csrf_token", &token),
                ("roles", &id),
                ("grant", &format!("{id}:view_projects")),
                ("save", &id),
            ],
            &owner,
        )
        .await;
        assert_eq!(reply.status, 404, "{id}: {}", reply.text);
        bodies.push(reply.text);
        let deleted = post_form(
            &portal,
            &format!("/acme/admin/roles/{id}/delete"),
            &[("csrf_token", &token)],
            &owner,
        )
        .await;
        assert_eq!(deleted.status, 404, "{id}");
        bodies.push(deleted.text);
    }
    bodies.push(get(&portal, "/acme/admin/nothing", &owner, None).await.text);
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]));
    let foreign_after = portal
        .stores
        .memberships
        .roles(&TenantScope::dangerous_system(portal.globex))
        .await
        .unwrap();
    assert_eq!(foreign_before, foreign_after);
}

#[tokio::test]
async fn a_stale_sign_in_confirms_the_password_before_roles_change_sec_20() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let token = page_token(&portal, "/acme/admin/roles", &owner).await;
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    let before = permissions_of(&portal, viewer).await;
    portal.clock.advance(time::Duration::minutes(11));
    let reply = post_form(
        &portal,
        "/acme/admin/roles",
        &[
            ("csrf_token", &token),
            ("roles", &viewer.to_string()),
            ("save", "all"),
        ],
        &owner,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(location(&reply), "/acme/account/confirm?next=/admin/roles");
    assert_eq!(permissions_of(&portal, viewer).await, before);
}

#[tokio::test]
async fn custom_roles_are_created_checked_and_deleted() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let token = page_token(&portal, "/acme/admin/roles", &owner).await;

    let blank = post_form(
        &portal,
        "/acme/admin/roles/new",
        &[("csrf_token", &token), ("name", " "), ("side", "client")],
        &owner,
    )
    .await;
    assert_eq!(blank.status, 422, "{}", blank.text);
    assert!(
        blank
            .text
            .contains("aria-invalid=\"true\" aria-describedby=\"role-name-error\">"),
        "{}",
        blank.text
    );
    assert!(
        blank
            .text
            .contains("id=\"role-name-error\">Please fill this in.</p>")
    );
    assert!(
        blank.text.contains("value=\"client\" checked"),
        "the side is kept"
    );

    let created = post_form(
        &portal,
        "/acme/admin/roles/new",
        &[
            ("csrf_token", &token),
            ("name", "Auditor"),
            ("side", "client"),
        ],
        &owner,
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let page = get(&portal, location(&created), &owner, None).await.text;
    assert!(page.contains("The role is created."), "{page}");
    let auditor = portal
        .stores
        .memberships
        .roles(&TenantScope::dangerous_system(portal.acme))
        .await
        .unwrap()
        .into_iter()
        .find(|role| role.name().as_str() == "Auditor")
        .unwrap();
    assert!(auditor.permissions().is_empty());
    assert!(page.contains(&format!("value=\"{}:view_projects\"", auditor.id())));
    assert!(!page.contains(&format!("value=\"{}:publish\"", auditor.id())));

    let taken = post_form(
        &portal,
        "/acme/admin/roles/new",
        &[
            ("csrf_token", &token),
            ("name", "Auditor"),
            ("side", "staff"),
        ],
        &owner,
    )
    .await;
    assert_eq!(taken.status, 422);
    assert!(taken.text.contains("A role with this name already exists."));

    // A built-in role cannot be deleted: there is no button, and a forged post says why.
    let viewer = role_id(&portal, portal.acme, BuiltinRole::Viewer).await;
    assert!(!page.contains(&format!("/admin/roles/{viewer}/delete")));
    let refused = post_form(
        &portal,
        &format!("/acme/admin/roles/{viewer}/delete"),
        &[("csrf_token", &token)],
        &owner,
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.text);

    let deleted = post_form(
        &portal,
        &format!("/acme/admin/roles/{}/delete", auditor.id()),
        &[("csrf_token", &token)],
        &owner,
    )
    .await;
    assert_eq!(deleted.status, 303, "{}", deleted.text);
    let page = get(&portal, location(&deleted), &owner, None).await.text;
    assert!(page.contains("The role is deleted."));
    assert!(!page.contains("Auditor"));
}

#[tokio::test]
async fn the_settings_speak_german() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/roles", &owner, Some("de-DE,de;q=0.9")).await;
    assert_eq!(page.status, 200);
    for text in [
        "<html lang=\"de\"",
        "Rollen und Berechtigungen",
        "Rollen der Kunden",
        "Lesezugriff – Projekte und ihren Stand sehen.",
        "Alle Änderungen speichern",
        "Verwaltung",
    ] {
        assert!(page.text.contains(text), "{text}: {}", page.text);
    }
    let hub = get(&portal, "/acme/admin", &owner, Some("de")).await.text;
    assert!(hub.contains("Einstellungen"), "{hub}");
    assert!(hub.contains("Als Kunde ansehen"), "{hub}");
}
