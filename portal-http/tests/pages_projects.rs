//! The projects pages: the list with progress, one project with its timeline (done / in progress
//! / next, due days, late ones marked), deliverables with their latest version, pending
//! approvals, next steps, updates, decisions and documents — only what the role may see, staff's
//! internal items marked — and foreign or unknown projects the same branded 404.

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

use pages_support::{Jar, assert_shows, custom_contact, get, section, seeded, sign_in};
use portal_core::model::{AuditContext, MilestoneInput};
use portal_core::{DisplayName, Permission, TenantScope, Visibility};
use support::staff_api::NOBODY;
use time::macros::date;

#[tokio::test]
async fn a_contact_sees_the_project_list_with_progress() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert!(
        overview.contains(&format!("href=\"/acme/projects/{}\"", world.a.project)),
        "the overview links the project: {overview}"
    );
    assert!(overview.contains("href=\"/acme/projects\""), "{overview}");

    let list = get(&portal, "/acme/projects", &jar, None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let html = &list.text;
    assert!(
        html.contains("<h1 class=\"page__title\">Projects</h1>"),
        "{html}"
    );
    assert!(html.contains("Website canary-acme-a"), "{html}");
    assert!(
        html.contains("max=\"2\" value=\"1\""),
        "progress bar: {html}"
    );
    assert!(html.contains("1 of 2 milestones completed"), "{html}");
    assert!(html.contains("aria-current=\"page\""), "{html}");
    for hidden in [
        "canary-internal",
        "canary-acme-b",
        "canary-globex",
        "badge--internal",
    ] {
        assert!(!html.contains(hidden), "{hidden}: {html}");
    }
}

#[tokio::test]
async fn the_project_page_shows_its_timeline_work_and_next_steps() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let page = get(
        &portal,
        &format!("/acme/projects/{}", world.a.project),
        &jar,
        None,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert!(
        html.contains("<h1 class=\"page__title\">Website canary-acme-a</h1>"),
        "{html}"
    );
    assert!(
        html.contains("About canary-acme-a"),
        "the description: {html}"
    );
    assert!(html.contains("1 of 2 milestones completed"), "{html}");

    // The timeline, in order: the done milestone, then the one in progress.
    let timeline = section(html, "class=\"timeline\"", &["</ol>"]);
    let discovery = timeline.find("Discovery canary-acme-a").unwrap();
    let design = timeline.find("Design canary-acme-a").unwrap();
    assert!(discovery < design, "{timeline}");
    assert!(timeline.contains("timeline__item--done"), "{timeline}");
    assert!(
        timeline.contains("timeline__item--in-progress"),
        "{timeline}"
    );
    assert!(timeline.contains(">Done<"), "{timeline}");
    assert!(timeline.contains(">In progress<"), "{timeline}");
    assert!(
        timeline.contains("Due January 1, 2030 · in "),
        "due days: {timeline}"
    );
    // The deliverable, waiting for approval, with the version sent for it.
    assert!(
        timeline.contains("Homepage mock-up canary-acme-a"),
        "{timeline}"
    );
    assert!(timeline.contains("Waiting for approval"), "{timeline}");
    assert!(
        timeline.contains(&format!(
            "href=\"/acme/documents/{}\">mock-up.pdf (version 1)",
            world.a.document
        )),
        "{timeline}"
    );

    assert!(
        html.contains(&format!("href=\"/acme/approvals/{}\"", world.a.approval)),
        "the pending approval: {html}"
    );
    assert!(html.contains("Your decision"), "{html}");
    assert_shows(
        html,
        &[
            "Send the logo canary-acme-a",
            "Build the page canary-acme-a",
            "Week 1 canary-acme-a",
            "Progress canary-acme-a",
            "Blue theme canary-acme-a",
            "Mock-up PDF canary-acme-a",
            "Your move",
            "With the team",
        ],
    );
    assert!(
        html.contains(&format!(
            "href=\"/acme/documents?project={}\"",
            world.a.project
        )),
        "{html}"
    );
    for hidden in [
        "canary-internal",
        "canary-acme-b",
        "canary-globex",
        "badge--internal",
    ] {
        assert!(!html.contains(hidden), "{hidden}: {html}");
    }
}

#[tokio::test]
async fn late_milestones_are_marked_and_the_first_planned_one_is_next() {
    let (portal, world) = seeded().await;
    let system = TenantScope::dangerous_system(portal.acme);
    let late = portal
        .stores
        .milestones
        .create_milestone(
            &system,
            MilestoneInput {
                project: world.a.project,
                title: DisplayName::parse("Launch").unwrap(),
                due_on: Some(date!(2020 - 01 - 01)),
                position: 5,
                external_id: None,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    portal
        .stores
        .milestones
        .set_milestone_visibility(
            &system,
            late.id,
            Visibility::Shared,
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let jar = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let html = get(
        &portal,
        &format!("/acme/projects/{}", world.a.project),
        &jar,
        None,
    )
    .await
    .text;
    let launch = section(&html, "timeline__item--next", &["</li>"]);
    assert!(launch.contains("Launch"), "{launch}");
    assert!(launch.contains(">Next<"), "{launch}");
    assert!(launch.contains("due--late"), "{launch}");
    assert!(launch.contains("Due January 1, 2020 · "), "{launch}");
    assert!(launch.contains(" days late"), "{launch}");
    assert!(html.contains("1 of 3 milestones completed"), "{html}");
}

#[tokio::test]
async fn staff_see_internal_work_marked_as_internal() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", "manager@acme.test").await;
    let list = get(&portal, "/acme/projects", &jar, None).await.text;
    assert!(list.contains("Pitch canary-internal-acme-a"), "{list}");
    assert!(list.contains("Website canary-acme-b"), "{list}");
    assert!(list.contains("badge--internal"), "{list}");
    assert!(!list.contains("canary-globex"), "{list}");
    let html = get(
        &portal,
        &format!("/acme/projects/{}", world.a.project),
        &jar,
        None,
    )
    .await
    .text;
    for internal in [
        "Risk review canary-internal-acme-a",
        "Week 2 draft canary-internal-acme-a",
        "Discount canary-internal-acme-a",
        "Chase payment canary-internal-acme-a",
    ] {
        assert!(html.contains(internal), "{internal}: {html}");
    }
    let risk = section(&html, "Risk review", &["</li>"]);
    assert!(risk.contains("badge--internal"), "{risk}");
    assert!(
        !html.contains("Your decision"),
        "staff never decide: {html}"
    );
}

#[tokio::test]
async fn foreign_hidden_and_unknown_projects_are_the_same_branded_404_sec_26() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let missing = get(&portal, "/acme/nothing-here", &jar, None).await;
    assert_eq!(missing.status, 404);
    for id in [
        world.b.project.to_string(),
        world.globex.project.to_string(),
        world.a.internal_project.to_string(),
        NOBODY.to_owned(),
        "not-an-id".to_owned(),
    ] {
        let reply = get(&portal, &format!("/acme/projects/{id}"), &jar, None).await;
        assert_eq!(reply.status, 404, "{id}");
        assert_eq!(reply.text, missing.text, "{id}: like any missing page");
    }
    // Without a session: the sign-in form, as for every page.
    let anonymous = get(
        &portal,
        &format!("/acme/projects/{}", world.a.project),
        &Jar::default(),
        None,
    )
    .await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(pages_support::location(&anonymous), "/acme/login");
    // A malformed page cursor is a clear 400, not a 500.
    let reply = get(&portal, "/acme/projects?cursor=nope", &jar, None).await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn roles_see_the_sections_they_may_read_and_nothing_else() {
    let (portal, world) = seeded().await;
    // Projects and milestones only: the project without updates, tasks or documents.
    let jar = custom_contact(
        &portal,
        world.a.client,
        "milestones-only@acme-a.test",
        &[Permission::ViewProjects, Permission::ViewMilestones],
    )
    .await;
    let page = get(
        &portal,
        &format!("/acme/projects/{}", world.a.project),
        &jar,
        None,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Design canary-acme-a"), "{}", page.text);
    for hidden in [
        "Week 1 canary-acme-a",
        "Send the logo",
        "Mock-up PDF",
        "Homepage mock-up",
        "Please approve",
    ] {
        assert!(!page.text.contains(hidden), "{hidden}: {}", page.text);
    }
    assert!(
        !page.text.contains("id=\"updates-heading\""),
        "{}",
        page.text
    );

    // No projects at all: no link, and the list is the 404 the missing link promises.
    let jar = custom_contact(
        &portal,
        world.a.client,
        "documents-only@acme-a.test",
        &[Permission::ViewDocuments, Permission::DownloadDocuments],
    )
    .await;
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert!(!overview.contains("href=\"/acme/projects\""), "{overview}");
    assert_eq!(get(&portal, "/acme/projects", &jar, None).await.status, 404);
    let one = get(
        &portal,
        &format!("/acme/projects/{}", world.a.project),
        &jar,
        None,
    )
    .await;
    assert!(matches!(one.status, 403 | 404), "{}", one.status);
    assert!(!one.text.contains("canary"), "{}", one.text);
}

#[tokio::test]
async fn the_project_speaks_german() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let html = get(
        &portal,
        &format!("/acme/projects/{}", world.a.project),
        &jar,
        Some("de"),
    )
    .await
    .text;
    assert!(html.contains("<html lang=\"de\""), "{html}");
    for german in [
        "Meilensteine",
        "Erledigt",
        "In Arbeit",
        "Fällig am 1. Januar 2030 · in ",
        "Wartet auf Freigabe",
        "1 von 2 Meilensteinen abgeschlossen",
        "Entscheidungen",
    ] {
        assert!(html.contains(german), "{german}: {html}");
    }
    for english in ["Milestones", "Waiting for approval", "January", "Decisions"] {
        assert!(!html.contains(english), "{english}: {html}");
    }
    let list = get(&portal, "/acme/projects", &jar, Some("de")).await.text;
    assert!(
        list.contains("<h1 class=\"page__title\">Projekte</h1>"),
        "{list}"
    );
}
