//! `/analytics/clients`: the clients' adoption figures through the router — every client's
//! summary and one client's report for the team with `view_analytics`; 403 for contacts and
//! members without it; another tenant's client, and a client the caller is not assigned to,
//! answer exactly like a missing id (SEC-26); a window outside 1 to 365 days is invalid.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use axum::http::Method;
use portal_core::DisplayName;
use portal_core::model::AuditContext;
use portal_core::{BuiltinRole, MembershipKind, Permission, PermissionSet, Side, TenantScope};
use portal_storage::Page;
use support::client_work::person;
use support::staff_api::{NOBODY, Team, acme};
use time::OffsetDateTime;

#[tokio::test]
async fn the_team_sees_every_clients_summary_and_one_clients_report() {
    let s = Team::new().await;
    let overview = s
        .send(
            Method::GET,
            &acme("/analytics/clients?days=30"),
            None,
            &s.owner,
        )
        .await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    let overview = overview.json();
    let clients = overview["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 2, "acme's clients A and B");
    let a = clients
        .iter()
        .find(|client| client["client_id"] == s.world.a.client.to_string())
        .unwrap();
    assert!(a["client_name"].as_str().unwrap().contains("canary-acme-a"));
    assert!(a["contacts"].as_u64().unwrap() >= 1, "{a}");
    assert!(!overview.to_string().contains("canary-globex"));

    // A contact logs in: one active contact, with today's login, in a one-day window.
    s.portal.login("acme", &s.world.a.contact("approver")).await;
    let path = acme(&format!("/analytics/clients/{}?days=1", s.world.a.client));
    let report = s.send(Method::GET, &path, None, &s.owner).await;
    assert_eq!(report.status, 200, "{}", report.text);
    let report = report.json();
    assert_eq!(report["client_id"], s.world.a.client.to_string());
    assert!(
        report["contacts"]["active"].as_u64().unwrap() >= 1,
        "{report}"
    );
    let people = report["contacts"]["people"].as_array().unwrap();
    let last = OffsetDateTime::parse(
        people[0]["last_login_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(OffsetDateTime::now_utc() - last < time::Duration::days(1));
    let ages: Vec<&str> = report["requests"]["ages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bucket| bucket["label"].as_str().unwrap())
        .collect();
    assert_eq!(ages, ["< 1 day", "1–7 days", "7–30 days", "> 30 days"]);
    assert_eq!(report["downloads"]["weeks"].as_array().unwrap().len(), 1);
    for key in ["to_first_login", "accepted_without_login", "pending"] {
        assert!(report["invitations"].get(key).is_some(), "{key}");
    }
    for key in ["median_hours", "p90_hours", "count"] {
        assert!(report["approvals"]["decided"].get(key).is_some(), "{key}");
    }
}

#[tokio::test]
async fn the_window_is_one_to_365_days() {
    let s = Team::new().await;
    for days in ["0", "366", "-1", "100000"] {
        let reply = s
            .send(
                Method::GET,
                &acme(&format!("/analytics/clients?days={days}")),
                None,
                &s.owner,
            )
            .await;
        assert_eq!(reply.status, 422, "{days}: {}", reply.text);
        assert!(reply.text.contains("days"), "{}", reply.text);
    }
    let default = s
        .send(Method::GET, &acme("/analytics/clients"), None, &s.owner)
        .await;
    assert_eq!(default.status, 200);
    let json = default.json();
    let since = json["since"].as_str().unwrap();
    let until = json["until"].as_str().unwrap();
    let parse = |text: &str| {
        OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    };
    assert_eq!(parse(until) - parse(since), time::Duration::days(30));
}

#[tokio::test]
async fn contacts_and_members_without_the_permission_are_refused() {
    let s = Team::new().await;
    let report = acme(&format!("/analytics/clients/{}", s.world.a.client));
    for cookie in [&s.member, &s.contact] {
        for path in [acme("/analytics/clients"), report.clone()] {
            let reply = s.send(Method::GET, &path, None, cookie).await;
            assert_eq!(reply.status, 403, "{path}: {}", reply.text);
        }
    }
    let anonymous = s.anonymous(Method::GET, &report, None).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn another_tenants_client_is_a_missing_id() {
    let s = Team::new().await;
    s.foreign_is_missing(
        Method::GET,
        "/analytics/clients/{}",
        &s.world.a.client.to_string(),
        None,
    )
    .await;
}

/// A member of staff with `view_analytics` but not every client: the overview lists the
/// assigned client only, and another client answers exactly like a missing id.
#[tokio::test]
async fn an_unassigned_client_is_a_missing_id() {
    let s = Team::new().await;
    let stores = &s.portal.stores;
    let system = TenantScope::dangerous_system(s.portal.acme);
    let analyst = person(
        stores,
        s.portal.acme,
        "analyst@acme.test",
        BuiltinRole::Member,
        None,
    )
    .await;
    let role = stores
        .memberships
        .create_role(
            &system,
            DisplayName::parse("Analyst").unwrap(),
            Side::Staff,
            PermissionSet::from_slice(&[Permission::ViewAnalytics]),
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let membership = stores
        .memberships
        .list_memberships(&system, None, Page::first(200).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|record| {
            record.user == analyst && matches!(record.kind, MembershipKind::Staff { .. })
        })
        .unwrap();
    let audit = AuditContext::default();
    stores
        .memberships
        .change_role(&system, membership.id, role.id(), &audit)
        .await
        .unwrap();
    stores
        .memberships
        .assign_clients(&system, membership.id, vec![s.world.b.client], &audit)
        .await
        .unwrap();
    let cookie = s.portal.login("acme", "analyst@acme.test").await;

    let overview = s
        .send(Method::GET, &acme("/analytics/clients"), None, &cookie)
        .await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    let clients = overview.json()["clients"].as_array().unwrap().clone();
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0]["client_id"], s.world.b.client.to_string());
    assert!(!overview.text.contains("canary-acme-a"));

    let missing = s
        .missing(
            Method::GET,
            &acme(&format!("/analytics/clients/{NOBODY}")),
            None,
            &cookie,
        )
        .await;
    let unassigned = s
        .send(
            Method::GET,
            &acme(&format!("/analytics/clients/{}", s.world.a.client)),
            None,
            &cookie,
        )
        .await;
    assert_eq!(unassigned.status, 404);
    assert_eq!(unassigned.text, missing.text);
    let assigned = s
        .send(
            Method::GET,
            &acme(&format!("/analytics/clients/{}", s.world.b.client)),
            None,
            &cookie,
        )
        .await;
    assert_eq!(assigned.status, 200, "{}", assigned.text);
}
