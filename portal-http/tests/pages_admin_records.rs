//! The audit log page (filters by action, actor, client and days; a wrong day next to its field;
//! the CSV download of the filtered rows through the API's export), share links (made with the
//! token shown once, listed, revoked; bad input next to its field; another tenant's link the
//! branded 404) and API keys (made with the secret shown once, step-up first, revoked) — and
//! that roles without each permission reach none of it.

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

use pages_support::{Jar, get, header, input_value, location, post_form, sign_in};
use portal_core::model::AuditContext;
use portal_core::{BuiltinRole, TenantScope};
use portal_storage::{AuditFilter, Page};
use support::Portal;
use support::client_work::{self, World};
use support::staff_api::{NOBODY, role_id};

async fn seeded() -> (Portal, World) {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

fn token(html: &str) -> String {
    input_value(html, "csrf_token")
}

/// The `value` of the readonly field with `id`.
fn readonly_value(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap();
    let rest = &html[start..];
    let value = rest.find("value=\"").unwrap() + 7;
    rest[value..value + rest[value..].find('"').unwrap()].to_owned()
}

/// Saves the viewer role's permissions unchanged-but-one through the roles page, so the log
/// has a `role.changed` by the owner.
async fn change_a_role(portal: &Portal, jar: &Jar) {
    let viewer = role_id(portal, portal.acme, BuiltinRole::Viewer).await;
    let token = token(&get(portal, "/acme/admin/roles", jar, None).await.text);
    let reply = post_form(
        portal,
        "/acme/admin/roles",
        &[
            ("csrf_token", &token),
            ("roles", &viewer.to_string()),
            ("grant", &format!("{viewer}:view_projects")),
            ("save", "all"),
        ],
        jar,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
}

#[tokio::test]
async fn the_log_filters_by_action_actor_client_and_days() {
    let (portal, world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    change_a_role(&portal, &owner).await;

    let page = get(&portal, "/acme/admin/audit", &owner, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("<th scope=\"col\">Action</th>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("<code>role.changed</code>"));
    assert!(page.text.contains("<code>project.created</code>"));
    assert!(!page.text.contains("globex"), "{}", page.text);

    let only = get(
        &portal,
        "/acme/admin/audit?action=role.changed",
        &owner,
        None,
    )
    .await
    .text;
    assert!(only.contains("<code>role.changed</code>"), "{only}");
    assert!(!only.contains("<code>project.created</code>"), "{only}");

    // By person: the owner changed the role; the seed's system acts are not theirs.
    let by_ada = get(
        &portal,
        &format!("/acme/admin/audit?actor={}", portal.ada),
        &owner,
        None,
    )
    .await
    .text;
    assert!(by_ada.contains("<code>role.changed</code>"), "{by_ada}");
    assert!(!by_ada.contains("<code>project.created</code>"), "{by_ada}");
    assert!(by_ada.contains(&format!("<option value=\"{}\" selected>", portal.ada)));

    // By client: A's projects, not B's.
    let about_a = get(
        &portal,
        &format!("/acme/admin/audit?client={}", world.a.client),
        &owner,
        None,
    )
    .await
    .text;
    assert!(about_a.contains(&world.a.project.to_string()), "{about_a}");
    assert!(!about_a.contains(&world.b.project.to_string()), "{about_a}");
    assert!(about_a.contains("the person and client filters apply to the list on this page only"));

    // Days: today's events, none in a day long past.
    let today = time::OffsetDateTime::now_utc().date();
    let today = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let todays = get(
        &portal,
        &format!("/acme/admin/audit?from={today}&to={today}&action=role.changed"),
        &owner,
        None,
    )
    .await
    .text;
    assert!(todays.contains("<code>role.changed</code>"), "{todays}");
    let past = get(
        &portal,
        "/acme/admin/audit?from=2001-01-01&to=2001-01-31",
        &owner,
        None,
    )
    .await
    .text;
    assert!(past.contains("No entries match."), "{past}");
}

#[tokio::test]
async fn a_wrong_day_is_shown_next_to_its_field() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let reply = get(&portal, "/acme/admin/audit?from=2026-13-01", &owner, None).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("aria-invalid=\"true\" aria-describedby=\"audit-from-error\"")
    );
    assert!(
        reply
            .text
            .contains("id=\"audit-from-error\">This is not in the expected form.</p>")
    );
    assert!(
        reply.text.contains("value=\"2026-13-01\""),
        "what was typed is kept"
    );
    let backwards = get(
        &portal,
        "/acme/admin/audit?from=2026-03-02&to=2026-03-01",
        &owner,
        None,
    )
    .await;
    assert_eq!(backwards.status, 422);
    assert!(
        backwards
            .text
            .contains("id=\"audit-to-error\">The end lies before the start.</p>")
    );
}

#[tokio::test]
async fn the_export_downloads_the_filtered_rows_as_csv_and_is_recorded() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    change_a_role(&portal, &owner).await;
    let page = get(
        &portal,
        "/acme/admin/audit?action=role.changed",
        &owner,
        None,
    )
    .await
    .text;
    assert!(
        page.contains("action=\"/acme/admin/audit/export\""),
        "{page}"
    );
    assert!(
        page.contains("name=\"action\" value=\"role.changed\""),
        "{page}"
    );

    let csv = get(
        &portal,
        "/acme/admin/audit/export?action=role.changed&from=&to=&format=csv",
        &owner,
        None,
    )
    .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(header(&csv, "content-type").starts_with("text/csv"));
    assert_eq!(
        header(&csv, "content-disposition"),
        "attachment; filename=\"audit-log.csv\""
    );
    let lines: Vec<&str> = csv.text.lines().collect();
    assert!(
        lines[0].starts_with("seq,occurred_at,actor_kind"),
        "{}",
        csv.text
    );
    assert_eq!(
        lines.len(),
        2,
        "the header and the one role change: {}",
        csv.text
    );
    assert!(lines[1].contains(",role.changed,role,"), "{}", csv.text);
    assert!(lines[1].contains(&portal.ada.to_string()));

    let jsonl = get(
        &portal,
        "/acme/admin/audit/export?action=role.changed&format=jsonl",
        &owner,
        None,
    )
    .await;
    assert_eq!(jsonl.status, 200);
    assert!(header(&jsonl, "content-type").starts_with("application/x-ndjson"));
    let row: serde_json::Value = serde_json::from_str(jsonl.text.lines().next().unwrap()).unwrap();
    assert_eq!(row["action"], "role.changed");

    let exports = portal
        .stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(portal.acme),
            AuditFilter {
                action: Some("audit.exported".to_owned()),
                ..AuditFilter::default()
            },
            Page::first(10).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(exports.items.len(), 2);
}

#[tokio::test]
async fn only_roles_with_the_audit_permissions_read_or_export_the_log() {
    let (portal, _world) = seeded().await;
    for email in [
        "manager@acme.test",
        "member@acme.test",
        "client_admin@acme-a.test",
    ] {
        let jar = sign_in(&portal, "acme", email).await;
        assert_eq!(
            get(&portal, "/acme/admin/audit", &jar, None).await.status,
            404,
            "{email}"
        );
        let export = get(&portal, "/acme/admin/audit/export?format=csv", &jar, None).await;
        assert_eq!(export.status, 404, "{email}");
        assert!(!export.text.contains("seq,occurred_at"));
    }
}

#[tokio::test]
async fn share_links_are_made_shown_once_listed_and_revoked() {
    let (portal, world) = seeded().await;
    let manager = sign_in(&portal, "acme", "manager@acme.test").await;
    let page = get(&portal, "/acme/admin/share-links", &manager, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("There are no share links yet."));
    assert!(page.text.contains(&format!(
        "<option value=\"{}\">Website canary-acme-a (Client canary-acme-a)</option>",
        world.a.project
    )));
    assert!(!page.text.contains("globex"), "{}", page.text);
    let token = token(&page.text);

    let refused = post_form(
        &portal,
        "/acme/admin/share-links",
        &[("project", &world.a.project.to_string())],
        &manager,
    )
    .await;
    assert_eq!(refused.status, 403);

    let bad_days = post_form(
        &portal,
        "/acme/admin/share-links",
        &[
            ("csrf_token", &token),
            ("project", &world.a.project.to_string()),
            ("expires_in_days", "400"),
        ],
        &manager,
    )
    .await;
    assert_eq!(bad_days.status, 422, "{}", bad_days.text);
    assert!(
        bad_days
            .text
            .contains("id=\"link-days-error\">Please give 1 to 90 days.</p>")
    );
    assert!(bad_days.text.contains("aria-invalid=\"true\""));
    assert!(
        bad_days.text.contains("value=\"400\""),
        "what was typed is kept"
    );
    let bad_uses = post_form(
        &portal,
        "/acme/admin/share-links",
        &[
            ("csrf_token", &token),
            ("project", &world.a.project.to_string()),
            ("max_uses", "0"),
        ],
        &manager,
    )
    .await;
    assert_eq!(bad_uses.status, 422);
    assert!(bad_uses.text.contains("id=\"link-uses-error\">"));

    let made = post_form(
        &portal,
        "/acme/admin/share-links",
        &[
            ("csrf_token", &token),
            ("project", &world.a.project.to_string()),
            ("expires_in_days", "3"),
            ("max_uses", "5"),
            ("allow_download", "yes"),
        ],
        &manager,
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert!(made.text.contains("Link to Website canary-acme-a made"));
    let secret = readonly_value(&made.text, "created-token");
    assert!(secret.len() >= 40, "{secret}");
    assert!(made.text.contains("Used 0 of 5 times"));
    assert!(made.text.contains("Downloads allowed"));

    // The token is never shown again.
    let link = portal
        .stores
        .share_links
        .list_share_links(
            &TenantScope::dangerous_system(portal.acme),
            Page::first(10).unwrap(),
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let list = get(&portal, "/acme/admin/share-links", &manager, None)
        .await
        .text;
    assert!(!list.contains(&secret));
    assert!(list.contains("Working"));

    // Another tenant's link, an unknown one: the same branded 404.
    let globex_manager = support::client_work::scope_of(
        &portal.stores,
        portal.globex,
        portal
            .stores
            .identities
            .list_users(
                &TenantScope::dangerous_system(portal.globex),
                None,
                Page::first(50).unwrap(),
            )
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|user| user.email.as_str() == "manager@globex.test")
            .unwrap()
            .id,
    )
    .await;
    let foreign = foreign_share_link(&portal, &globex_manager, world.globex.project).await;
    let mut bodies = Vec::new();
    for id in [foreign.to_string(), NOBODY.to_owned()] {
        let reply = post_form(
            &portal,
            &format!("/acme/admin/share-links/{id}/revoke"),
            &[("csrf_token", &token)],
            &manager,
        )
        .await;
        assert_eq!(reply.status, 404, "{id}: {}", reply.text);
        bodies.push(reply.text);
    }
    assert_eq!(bodies[0], bodies[1]);

    let revoked = post_form(
        &portal,
        &format!("/acme/admin/share-links/{}/revoke", link.id),
        &[("csrf_token", &token)],
        &manager,
    )
    .await;
    assert_eq!(revoked.status, 303, "{}", revoked.text);
    assert_eq!(
        location(&revoked),
        "/acme/admin/share-links?notice=notice-admin-share-links-revoked"
    );
    let list = get(&portal, location(&revoked), &manager, None).await.text;
    assert!(list.contains("Revoked"), "{list}");
    assert!(!list.contains(&format!("/share-links/{}/revoke", link.id)));

    let member = sign_in(&portal, "acme", "member@acme.test").await;
    assert_eq!(
        get(&portal, "/acme/admin/share-links", &member, None)
            .await
            .status,
        404
    );
}

/// A share link of another tenant, made through its stores directly.
async fn foreign_share_link(
    portal: &Portal,
    scope: &TenantScope,
    project: portal_core::ProjectId,
) -> portal_core::ShareLinkId {
    let link = portal
        .stores
        .share_links
        .create_share_link(
            scope,
            portal_core::model::ShareTarget::Project(project),
            portal_core::state::Sha256Digest::from_bytes([9; 32]),
            portal_core::model::ShareAccess {
                download: false,
                upload: false,
            },
            time::OffsetDateTime::now_utc() + time::Duration::days(1),
            None,
            &AuditContext::default(),
        )
        .await
        .unwrap();
    link.id
}

#[tokio::test]
async fn api_keys_are_made_after_step_up_shown_once_and_revoked() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let page = get(&portal, "/acme/admin/api-keys", &owner, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text
            .contains("name=\"permissions\" value=\"view_projects\"")
    );
    assert!(
        !page.text.contains("value=\"decide_approvals\""),
        "no client permission"
    );
    let token = token(&page.text);

    let blank = post_form(
        &portal,
        "/acme/admin/api-keys",
        &[
            ("csrf_token", &token),
            ("name", ""),
            ("permissions", "view_projects"),
        ],
        &owner,
    )
    .await;
    assert_eq!(blank.status, 422, "{}", blank.text);
    assert!(
        blank
            .text
            .contains("id=\"key-name-error\">Please fill this in.</p>")
    );
    assert!(
        blank.text.contains("value=\"view_projects\" checked"),
        "ticks are kept"
    );
    let client_only = post_form(
        &portal,
        "/acme/admin/api-keys",
        &[
            ("csrf_token", &token),
            ("name", "CRM"),
            ("permissions", "decide_approvals"),
        ],
        &owner,
    )
    .await;
    assert_eq!(client_only.status, 422, "{}", client_only.text);
    assert!(
        client_only.text.contains("id=\"key-permissions-error\""),
        "{}",
        client_only.text
    );

    let made = post_form(
        &portal,
        "/acme/admin/api-keys",
        &[
            ("csrf_token", &token),
            ("name", "CRM sync"),
            ("permissions", "view_projects"),
            ("permissions", "manage_projects"),
        ],
        &owner,
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let secret = readonly_value(&made.text, "created-secret");
    assert!(secret.starts_with("ptk_"), "{secret}");
    // The key works against the API, with the permissions given.
    let me = portal
        .send(
            axum::http::Request::get("/acme/api/v1/roles")
                .header("host", "portal.example.com")
                .header("authorization", format!("Bearer {secret}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    let list = get(&portal, "/acme/admin/api-keys", &owner, None)
        .await
        .text;
    assert!(list.contains("CRM sync"));
    assert!(!list.contains(&secret));
    assert!(list.contains("<code>manage_projects</code>"));

    let key = portal
        .stores
        .api_keys
        .list_api_keys(
            &TenantScope::dangerous_system(portal.acme),
            Page::first(10).unwrap(),
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let revoked = post_form(
        &portal,
        &format!("/acme/admin/api-keys/{}/revoke", key.id),
        &[("csrf_token", &token)],
        &owner,
    )
    .await;
    assert_eq!(revoked.status, 303, "{}", revoked.text);
    let list = get(&portal, location(&revoked), &owner, None).await.text;
    assert!(list.contains("The key is revoked and no longer works."));
    assert!(list.contains(">Revoked<"));
    let unknown = post_form(
        &portal,
        &format!("/acme/admin/api-keys/{NOBODY}/revoke"),
        &[("csrf_token", &token)],
        &owner,
    )
    .await;
    assert_eq!(unknown.status, 404);

    // A stale sign-in confirms the password before a key is made (SEC-20).
    portal.clock.advance(time::Duration::minutes(11));
    let stale = post_form(
        &portal,
        "/acme/admin/api-keys",
        &[
            ("csrf_token", &token),
            ("name", "Late"),
            ("permissions", "view_projects"),
        ],
        &owner,
    )
    .await;
    assert_eq!(stale.status, 303, "{}", stale.text);
    assert_eq!(
        location(&stale),
        "/acme/account/confirm?next=/admin/api-keys"
    );

    let manager = sign_in(&portal, "acme", "manager@acme.test").await;
    assert_eq!(
        get(&portal, "/acme/admin/api-keys", &manager, None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn the_log_speaks_german() {
    let (portal, _world) = seeded().await;
    let owner = sign_in(&portal, "acme", "ada@acme.test").await;
    let html = get(&portal, "/acme/admin/audit", &owner, Some("de"))
        .await
        .text;
    for text in ["Protokoll", "Vorgang", "Herunterladen", "Erledigt"] {
        assert!(html.contains(text), "{text}: {html}");
    }
}
