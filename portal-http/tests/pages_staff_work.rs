//! The team's delivery pages: projects with their milestones, deliverables, updates, decisions
//! and next steps and their publish toggles; the approval queue; the requests inbox. Each page
//! shows what the role may see and offers only what it may do; another tenant's or another
//! client's object is the same branded 404 as an unknown id (SEC-26); forms need their token
//! (SEC-31); what a page publishes reaches the client's overview.

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

use pages_support::{Browser, Jar, assert_shows, get, location, section, seeded, user_id};
use portal_core::MembershipKind;
use portal_core::model::AuditContext;
use portal_core::state::{ApprovalStatus, MilestoneStatus, RequestStatus};
use portal_core::{MilestoneId, TenantId, TenantScope, Visibility};
use portal_storage::{AuditFilter, Page};
use support::Portal;
use support::client_work::World;
use support::staff_api::NOBODY;

/// Assigns acme's member (no clients so far) to client A.
async fn assign_member_to_a(portal: &Portal, world: &World) {
    let system = TenantScope::dangerous_system(portal.acme);
    let memberships = portal
        .stores
        .memberships
        .list_memberships(&system, None, Page::default())
        .await
        .unwrap();
    let member = user_id(portal, "member@acme.test").await;
    let record = memberships
        .items
        .into_iter()
        .find(|record| record.user == member && matches!(record.kind, MembershipKind::Staff { .. }))
        .unwrap();
    portal
        .stores
        .memberships
        .assign_clients(
            &system,
            record.id,
            vec![world.a.client],
            &AuditContext::default(),
        )
        .await
        .unwrap();
}

/// The visibility of the tenant's milestone `id` as stored.
async fn milestone_visibility(portal: &Portal, tenant: TenantId, id: MilestoneId) -> Visibility {
    portal
        .stores
        .milestones
        .milestone(&TenantScope::dangerous_system(tenant), id)
        .await
        .unwrap()
        .unwrap()
        .visibility
}

/// The part of a page from `start` to the end of its list item (`</li>`).
fn item<'a>(html: &'a str, start: &str) -> &'a str {
    section(html, start, &["</li>"])
}

#[tokio::test]
async fn a_manager_sees_the_project_with_every_part_and_its_state() {
    let (portal, world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let page = manager
        .get(&format!("/staff/projects/{}", world.a.project))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert_shows(
        html,
        &[
            "<h1 class=\"page__title\">Website canary-acme-a</h1>",
            "Discovery canary-acme-a",
            "Design canary-acme-a",
            "Risk review canary-internal-acme-a",
            "Homepage mock-up canary-acme-a",
            "Week 1 canary-acme-a",
            "Week 2 draft canary-internal-acme-a",
            "Blue theme canary-acme-a",
            "Discount canary-internal-acme-a",
            "Send the logo canary-acme-a",
            "Chase payment canary-internal-acme-a",
            "Shared with client",
            "Internal",
            "Budget €50,000.00",
        ],
    );
    // The internal milestone has a "Share" button; the shared ones a "Make internal" one.
    let risk = item(html, "Risk review canary-internal-acme-a");
    assert!(risk.contains("badge--internal"), "{risk}");
    assert!(
        risk.contains("aria-label=\"Share with client: Risk review canary-internal-acme-a\""),
        "{risk}"
    );
    assert!(
        risk.contains("name=\"visibility\" value=\"shared\""),
        "{risk}"
    );
    let design = item(html, "Design canary-acme-a");
    assert!(design.contains("badge--shared"), "{design}");
    assert!(design.contains(">Make internal</button>"), "{design}");
    // Milestones come in the project's order.
    let (discovery, design_at, risk_at) = (
        html.find("Discovery canary-acme-a").unwrap(),
        html.find("Design canary-acme-a").unwrap(),
        html.find("Risk review canary-internal-acme-a").unwrap(),
    );
    assert!(discovery < design_at && design_at < risk_at);
    // Nothing of another client or tenant.
    for canary in ["canary-acme-b", "canary-globex"] {
        assert!(!html.contains(canary), "{canary}: {html}");
    }
    // Only the script file: no inline script or style.
    assert!(!html.contains("style="), "{html}");
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/acme/assets/").count()
    );
}

#[tokio::test]
async fn publishing_a_milestone_shows_it_on_the_clients_overview() {
    let (portal, world) = seeded().await;
    let contact = Browser::open(&portal, &world.a.contact("viewer")).await;
    let before = contact.get("/").await.text;
    assert!(before.contains("1 of 2 milestones completed"), "{before}");

    let manager = Browser::open(&portal, "manager@acme.test").await;
    let reply = manager
        .post(
            &format!(
                "/staff/milestones/{}/visibility",
                world.a.internal_milestone
            ),
            &[("visibility", "shared")],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(
        location(&reply),
        format!(
            "/acme/staff/projects/{}?notice=notice-staff-published",
            world.a.project
        )
    );
    let page = manager.follow(&reply).await.text;
    assert!(page.contains("Shared with the client."), "{page}");
    let risk = item(&page, "Risk review canary-internal-acme-a");
    assert!(risk.contains("badge--shared"), "{risk}");

    let after = contact.get("/").await.text;
    assert!(after.contains("1 of 3 milestones completed"), "{after}");
    // The client's own API lists it now, by its title.
    let listed = contact
        .get(&format!("/api/v1/projects/{}/milestones", world.a.project))
        .await
        .text;
    assert!(
        listed.contains("Risk review canary-internal-acme-a"),
        "{listed}"
    );

    // Audited, as the API's publish is.
    let events = portal
        .stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(portal.acme),
            AuditFilter::default(),
            Page::default(),
        )
        .await
        .unwrap();
    assert!(
        events.items.iter().any(|event| event
            .object
            .as_ref()
            .is_some_and(|object| object.id == *world.a.internal_milestone.as_uuid())
            && event.action.contains("publish")),
        "no audit event for the milestone"
    );

    // And back: internal again, and gone from the client's count.
    let reply = manager
        .post(
            &format!(
                "/staff/milestones/{}/visibility",
                world.a.internal_milestone
            ),
            &[("visibility", "internal")],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert!(
        contact
            .get("/")
            .await
            .text
            .contains("1 of 2 milestones completed")
    );
}

#[tokio::test]
async fn a_member_without_publish_sees_no_toggle_and_a_forged_post_is_refused() {
    let (portal, world) = seeded().await;
    assign_member_to_a(&portal, &world).await;
    let member = Browser::open(&portal, "member@acme.test").await;
    let page = member
        .get(&format!("/staff/projects/{}", world.a.project))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    // The state is shown, the buttons are not.
    assert!(html.contains("Shared with client"), "{html}");
    assert!(html.contains("badge--internal"), "{html}");
    assert!(!html.contains("Share with client"), "{html}");
    assert!(!html.contains("Make internal"), "{html}");
    assert!(!html.contains("/visibility\""), "{html}");
    // A member still manages milestones.
    assert!(html.contains("Add a milestone"), "{html}");

    let forged = member
        .post(
            &format!(
                "/staff/milestones/{}/visibility",
                world.a.internal_milestone
            ),
            &[("visibility", "shared")],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert_eq!(
        milestone_visibility(&portal, portal.acme, world.a.internal_milestone).await,
        Visibility::Internal
    );
}

#[tokio::test]
async fn assigned_only_staff_get_the_404_for_other_clients_objects() {
    let (portal, world) = seeded().await;
    assign_member_to_a(&portal, &world).await;
    let member = Browser::open(&portal, "member@acme.test").await;
    let missing = member.get(&format!("/staff/projects/{NOBODY}")).await;
    assert_eq!(missing.status, 404);
    for path in [
        format!("/staff/projects/{}", world.b.project),
        format!("/staff/projects/{}", world.globex.project),
        format!("/staff/requests/{}", world.b.request),
        "/staff/projects/not-an-id".to_owned(),
    ] {
        let reply = member.get(&path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.text, missing.text,
            "{path}: exactly like a missing one"
        );
    }
    // A post on another client's milestone changes nothing and answers the same 404.
    let reply = member
        .post(
            &format!("/staff/milestones/{}/status", world.b.internal_milestone),
            &[("status", "in_progress")],
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text, missing.text);
    // The list holds A's projects only.
    let list = member.get("/staff/projects").await.text;
    assert!(list.contains("Website canary-acme-a"), "{list}");
    assert!(!list.contains("canary-acme-b"), "{list}");
    let inbox = member.get("/staff/requests").await.text;
    assert!(inbox.contains("New page canary-acme-a"), "{inbox}");
    assert!(!inbox.contains("canary-acme-b"), "{inbox}");
}

#[tokio::test]
async fn another_tenants_objects_are_the_same_404_as_a_missing_one_sec_26() {
    let (portal, world) = seeded().await;
    let owner = Browser::open(&portal, "ada@acme.test").await;
    let missing = owner.get(&format!("/staff/projects/{NOBODY}")).await;
    assert_eq!(missing.status, 404);
    assert!(missing.text.contains("Page not found"), "{}", missing.text);
    let unknown_path = owner.get("/no-such-page").await;
    assert_eq!(missing.text, unknown_path.text);
    for path in [
        format!("/staff/projects/{}", world.globex.project),
        format!("/staff/requests/{}", world.globex.request),
        format!("/staff/clients/{}", world.globex.client),
        format!("/staff/requests/{NOBODY}"),
        format!("/staff/clients/{NOBODY}"),
    ] {
        let reply = owner.get(&path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.text, missing.text, "{path}");
    }
    for (path, fields) in [
        (
            format!(
                "/staff/milestones/{}/visibility",
                world.globex.internal_milestone
            ),
            vec![("visibility", "shared")],
        ),
        (
            format!("/staff/approvals/{}/cancel", world.globex.approval),
            vec![],
        ),
        (
            format!("/staff/requests/{}/status", world.globex.request),
            vec![("status", "closed")],
        ),
        (
            format!("/staff/tasks/{}/status", world.globex.team_task),
            vec![("status", "done")],
        ),
    ] {
        let reply = owner.post(&path, &fields).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
        assert_eq!(reply.text, missing.text, "{path}");
    }
    let globex = TenantScope::dangerous_system(portal.globex);
    assert_eq!(
        milestone_visibility(&portal, portal.globex, world.globex.internal_milestone).await,
        Visibility::Internal,
        "nothing changed"
    );
    let approval = portal
        .stores
        .approvals
        .approval(&globex, world.globex.approval)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(approval.status, ApprovalStatus::Pending, "nothing changed");
}

#[tokio::test]
async fn a_client_contact_gets_the_404_on_every_staff_page() {
    let (portal, world) = seeded().await;
    let contact = Browser::open(&portal, &world.a.contact("client_admin")).await;
    let missing = contact.get("/no-such-page").await;
    assert_eq!(missing.status, 404);
    let overview = contact.get("/").await.text;
    assert!(!overview.contains("/staff/"), "no staff links: {overview}");
    let a = &world.a;
    let gets = [
        "/staff/clients".to_owned(),
        format!("/staff/clients/{}", a.client),
        "/staff/people".to_owned(),
        "/staff/projects".to_owned(),
        format!("/staff/projects/{}", a.project),
        "/staff/approvals".to_owned(),
        format!("/staff/approvals?project={}", a.project),
        "/staff/requests".to_owned(),
        format!("/staff/requests/{}", a.request),
    ];
    for path in &gets {
        let reply = contact.get(path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.text, missing.text, "{path}");
    }
    let posts = [
        (
            format!("/staff/projects/{}/milestones", a.project),
            vec![("title", "X")],
        ),
        (
            format!("/staff/milestones/{}/visibility", a.internal_milestone),
            vec![("visibility", "shared")],
        ),
        (
            format!("/staff/requests/{}/messages", a.request),
            vec![("body", "hi"), ("visibility", "internal")],
        ),
        (format!("/staff/approvals/{}/cancel", a.approval), vec![]),
        (
            format!("/staff/clients/{}/invitations", a.client),
            vec![("email", "x@example.com"), ("role_id", NOBODY)],
        ),
    ];
    for (path, fields) in &posts {
        let reply = contact.post(path, fields).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
        assert_eq!(reply.text, missing.text, "{path}");
    }
    assert_eq!(
        milestone_visibility(&portal, portal.acme, a.internal_milestone).await,
        Visibility::Internal
    );
    assert!(portal.mailer.sent().is_empty(), "no invitation went out");
}

#[tokio::test]
async fn without_a_session_the_pages_send_to_sign_in_and_forms_need_their_token_sec_31() {
    let (portal, world) = seeded().await;
    let anonymous = get(&portal, "/acme/staff/projects", &Jar::default(), None).await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(location(&anonymous), "/acme/login");

    let manager = Browser::open(&portal, "manager@acme.test").await;
    let path = format!(
        "/staff/milestones/{}/visibility",
        world.a.internal_milestone
    );
    let forged = manager.forged(&path, &[("visibility", "shared")]).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert!(forged.text.contains("This form could not be accepted"));
    let wrong = manager
        .forged(&path, &[("visibility", "shared"), ("csrf_token", "nope")])
        .await;
    assert_eq!(wrong.status, 403);
    assert_eq!(
        milestone_visibility(&portal, portal.acme, world.a.internal_milestone).await,
        Visibility::Internal
    );
}

#[tokio::test]
async fn wrong_input_shows_the_form_again_with_the_message_next_to_its_field() {
    let (portal, world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let path = format!("/staff/projects/{}/milestones", world.a.project);

    let reply = manager
        .post(&path, &[("title", "   "), ("due_on", "2026-04-01")])
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let html = &reply.text;
    assert!(
        html.contains("aria-invalid=\"true\" aria-describedby=\"milestone-new-title-error\""),
        "{html}"
    );
    assert!(
        html.contains(
            "<p class=\"field__error\" id=\"milestone-new-title-error\">Please fill this in.</p>"
        ),
        "{html}"
    );
    // What was typed is kept, the form is open and the summary links to the field.
    assert!(html.contains("value=\"2026-04-01\""), "{html}");
    assert!(
        html.contains("<details class=\"disclosure staff-new\" open>"),
        "{html}"
    );
    assert!(html.contains("href=\"#milestone-new-title\""), "{html}");

    let reply = manager
        .post(&path, &[("title", "Launch"), ("due_on", "next tuesday")])
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("id=\"milestone-new-due_on-error\">Please give a day as YYYY-MM-DD"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("value=\"Launch\""), "{}", reply.text);

    // A project whose end lies before its start.
    let reply = manager
        .post(
            "/staff/projects",
            &[
                ("client_id", &world.a.client.to_string()),
                ("name", "Backwards"),
                ("start", "2026-05-01"),
                ("end", "2026-04-01"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("id=\"project-new-end-error\">The end lies before the start.</p>"),
        "{}",
        reply.text
    );
    // An illegal move is the page again with why, not a 500.
    let reply = manager
        .post(
            &format!("/staff/milestones/{}/status", world.a.milestone_done),
            &[("status", "completed")],
        )
        .await;
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert!(reply.text.contains("role=\"alert\""), "{}", reply.text);
    // A state that does not exist is a bad request.
    let reply = manager
        .post(
            &format!("/staff/milestones/{}/status", world.a.milestone),
            &[("status", "finished")],
        )
        .await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn milestones_and_deliverables_are_added_moved_ordered_and_edited() {
    let (portal, world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let project = format!("/staff/projects/{}", world.a.project);

    let reply = manager
        .post(
            &format!("{project}/milestones"),
            &[("title", "Launch"), ("due_on", "2030-06-30")],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(html.contains("The milestone was added."), "{html}");
    let launch = item(&html, ">Launch</h3>");
    assert!(
        launch.contains("badge--internal"),
        "new is internal: {launch}"
    );
    assert!(launch.contains("Planned"), "{launch}");
    assert!(launch.contains("Due June 30, 2030"), "{launch}");
    assert!(
        html.find(">Launch</h3>").unwrap() > html.find("Risk review").unwrap(),
        "added at the end"
    );

    let system = TenantScope::dangerous_system(portal.acme);
    let milestones = portal
        .stores
        .milestones
        .list_milestones(&system, world.a.project, Page::default())
        .await
        .unwrap()
        .items;
    let launch_id = milestones
        .iter()
        .find(|milestone| milestone.title.as_str() == "Launch")
        .unwrap()
        .id;

    // Up one place: before the risk review.
    let reply = manager
        .post(
            &format!("/staff/milestones/{launch_id}/move"),
            &[("direction", "up")],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(html.find(">Launch</h3>").unwrap() < html.find("Risk review").unwrap());
    assert!(html.find(">Launch</h3>").unwrap() > html.find("Design canary").unwrap());

    // Started, renamed, and given a deliverable that is started too.
    let reply = manager
        .post(
            &format!("/staff/milestones/{launch_id}/status"),
            &[("status", "in_progress")],
        )
        .await;
    assert_eq!(reply.status, 303);
    let reply = manager
        .post(
            &format!("/staff/milestones/{launch_id}"),
            &[("title", "Go live"), ("due_on", "")],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    let live = item(&html, ">Go live</h3>");
    assert!(live.contains("In progress"), "{live}");
    assert!(!live.contains("Due June"), "due day cleared: {live}");

    let reply = manager
        .post(
            &format!("/staff/milestones/{launch_id}/deliverables"),
            &[("title", "Launch checklist"), ("due_on", "")],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(html.contains("The deliverable was added."));
    let deliverable = portal
        .stores
        .deliverables
        .list_deliverables(&system, launch_id, Page::default())
        .await
        .unwrap()
        .items
        .remove(0);
    let reply = manager
        .post(
            &format!("/staff/deliverables/{}/status", deliverable.id),
            &[("status", "in_progress")],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let reply = manager
        .post(
            &format!("/staff/deliverables/{}/visibility", deliverable.id),
            &[("visibility", "shared")],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    let checklist = item(&html, ">Launch checklist</p>");
    assert!(checklist.contains("In progress"), "{checklist}");
    assert!(checklist.contains("badge--shared"), "{checklist}");

    let stored = portal
        .stores
        .milestones
        .milestone(&system, launch_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, MilestoneStatus::InProgress);
    assert_eq!(stored.due_on, None);
}

#[tokio::test]
async fn updates_decisions_and_next_steps_are_written_and_published() {
    let (portal, world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let project = format!("/staff/projects/{}", world.a.project);

    let reply = manager
        .post(
            &format!("{project}/updates"),
            &[
                ("title", "Week 3"),
                ("body", "**Done:** the <b>header</b>\n- next: footer"),
            ],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(
        html.contains("**Done:** the &lt;b&gt;header&lt;/b&gt;\n- next: footer"),
        "escaped, line breaks kept: {html}"
    );
    let reply = manager
        .post(
            &format!("{project}/decisions"),
            &[
                ("title", "Launch in June"),
                ("decided_on", "2026-02-03"),
                ("body", ""),
            ],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(html.contains("Decided February 3, 2026"), "{html}");
    let reply = manager
        .post(
            &format!("{project}/tasks"),
            &[
                ("title", "Approve the copy"),
                ("owner", "client"),
                ("due_on", "2030-03-01"),
            ],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    let task = item(&html, ">Approve the copy</h3>");
    assert!(task.contains("The client&#39;s move"), "{task}");
    assert!(task.contains("badge--internal"), "{task}");

    // Nothing of it reaches the client until it is published.
    let contact = Browser::open(&portal, &world.a.contact("approver")).await;
    let overview = contact.get("/").await.text;
    assert!(!overview.contains("Week 3"), "{overview}");
    assert!(!overview.contains("Approve the copy"), "{overview}");

    let system = TenantScope::dangerous_system(portal.acme);
    let update = portal
        .stores
        .updates
        .list_updates(&system, Some(world.a.project), Page::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|update| update.title.as_str() == "Week 3")
        .unwrap();
    let task = portal
        .stores
        .tasks
        .list_tasks(&system, Some(world.a.project), Page::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|task| task.title.as_str() == "Approve the copy")
        .unwrap();
    for path in [
        format!("/staff/updates/{}/visibility", update.id),
        format!("/staff/tasks/{}/visibility", task.id),
    ] {
        let reply = manager.post(&path, &[("visibility", "shared")]).await;
        assert_eq!(reply.status, 303, "{path}: {}", reply.text);
    }
    let overview = contact.get("/").await.text;
    assert!(overview.contains("Week 3"), "{overview}");
    assert!(overview.contains("Approve the copy"), "{overview}");

    // Done: off the client's next steps.
    let reply = manager
        .post(
            &format!("/staff/tasks/{}/status", task.id),
            &[("status", "done")],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(
        item(&html, ">Approve the copy</h3>").contains("Reopen"),
        "{html}"
    );
    assert!(!contact.get("/").await.text.contains("Approve the copy"));

    // Missing input names its field.
    let reply = manager
        .post(
            &format!("{project}/decisions"),
            &[("title", "No day"), ("decided_on", "")],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply
            .text
            .contains("id=\"decision-new-decided_on-error\">Please fill this in.</p>"),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn the_project_list_filters_and_a_new_project_is_internal() {
    let (portal, world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let html = manager.get("/staff/projects").await.text;
    for shown in [
        "Website canary-acme-a",
        "Pitch canary-internal-acme-a",
        "Website canary-acme-b",
        "1 of 3 milestones completed",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
    assert!(!html.contains("globex"), "{html}");
    let html = manager
        .get(&format!("/staff/projects?client={}", world.b.client))
        .await
        .text;
    assert!(html.contains("Website canary-acme-b"), "{html}");
    assert!(!html.contains("Website canary-acme-a"), "{html}");
    let html = manager.get("/staff/projects?status=completed").await.text;
    assert!(html.contains("No project matches these filters."), "{html}");
    assert_eq!(manager.get("/staff/projects?status=nope").await.status, 400);

    let reply = manager
        .post(
            "/staff/projects",
            &[
                ("client_id", &world.a.client.to_string()),
                ("name", "Brand refresh"),
                ("description", "Logo and type"),
                ("status", "active"),
                ("start", "2026-03-01"),
                ("end", "2026-06-30"),
            ],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(
        html.contains("<h1 class=\"page__title\">Brand refresh</h1>"),
        "{html}"
    );
    assert!(html.contains("March 1, 2026 to June 30, 2026"), "{html}");
    assert!(html.contains("badge--internal"), "{html}");
    let contact = Browser::open(&portal, &world.a.contact("viewer")).await;
    assert!(!contact.get("/").await.text.contains("Brand refresh"));
}

#[tokio::test]
async fn the_project_page_speaks_german() {
    let (portal, world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let html = manager
        .german(&format!("/staff/projects/{}", world.a.project))
        .await
        .text;
    assert!(html.contains("<html lang=\"de\""), "{html}");
    for german in [
        "Meilensteine",
        "Für den Kunden sichtbar",
        "Intern",
        "Für Kunden freigeben",
        "Nächste Schritte",
        "Budget 50.000,00\u{a0}€",
        "Fällig am 1. Januar 2030",
    ] {
        assert!(html.contains(german), "{german}: {html}");
    }
    for english in ["Milestones", "Shared with client", "Next steps"] {
        assert!(!html.contains(english), "{english}: {html}");
    }
    let queue = manager.german("/staff/approvals").await.text;
    assert!(queue.contains("Freigabe-Warteschlange"), "{queue}");
    let inbox = manager.german("/staff/requests").await.text;
    assert!(inbox.contains("Posteingang"), "{inbox}");
}

#[tokio::test]
async fn the_approval_queue_lists_asks_and_withdraws() {
    let (portal, world) = seeded().await;
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let html = manager.get("/staff/approvals").await.text;
    let pending = item(&html, "Please approve canary-acme-a");
    assert!(
        pending.contains("Homepage mock-up canary-acme-a"),
        "{pending}"
    );
    assert!(
        pending.contains("Mock-up PDF canary-acme-a, version 1"),
        "{pending}"
    );
    assert!(pending.contains("Waiting"), "{pending}");
    assert!(html.contains("Please approve canary-acme-b"), "{html}");
    assert!(!html.contains("globex"), "{html}");

    // Withdraw A's ask: it moves to the decided ones.
    let reply = manager
        .post(
            &format!("/staff/approvals/{}/cancel", world.a.approval),
            &[],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(
        html.contains("The approval request was withdrawn."),
        "{html}"
    );
    let decided = &html[html.find("id=\"decided-heading\"").unwrap()..];
    assert!(
        decided.contains("Please approve canary-acme-a"),
        "{decided}"
    );
    assert!(decided.contains("Withdrawn"), "{decided}");
    // Withdrawing twice: the page again with why.
    let again = manager
        .post(
            &format!("/staff/approvals/{}/cancel", world.a.approval),
            &[],
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text);

    // Ask again, in two steps: the project, then its version and deliverable.
    let step = manager
        .get(&format!("/staff/approvals?project={}", world.a.project))
        .await
        .text;
    assert!(step.contains("For Website canary-acme-a"), "{step}");
    assert!(
        step.contains("Mock-up PDF canary-acme-a, version 1 (mock-up.pdf"),
        "{step}"
    );
    let system = TenantScope::dangerous_system(portal.acme);
    let version = portal
        .stores
        .documents
        .list_versions(&system, world.a.document, Page::default())
        .await
        .unwrap()
        .items
        .remove(0)
        .id
        .to_string();
    let project = world.a.project.to_string();
    let missing_version = manager
        .post(
            "/staff/approvals",
            &[
                ("project", &project),
                ("document_version", ""),
                ("message", "Look"),
            ],
        )
        .await;
    assert_eq!(missing_version.status, 422, "{}", missing_version.text);
    assert!(
        missing_version
            .text
            .contains("id=\"approval-new-document_version-error\">Please fill this in.</p>"),
        "{}",
        missing_version.text
    );
    assert!(missing_version.text.contains(">Look</textarea>"));
    let reply = manager
        .post(
            "/staff/approvals",
            &[
                ("project", &project),
                ("document_version", &version),
                ("deliverable", &world.a.deliverable.to_string()),
                ("message", "Second look, please"),
                ("due_on", "2099-01-31"),
            ],
        )
        .await;
    let html = manager.follow(&reply).await.text;
    let asked = item(&html, "Second look, please");
    assert!(asked.contains("Decide by January 31, 2099"), "{asked}");
    // The approver sees it at once.
    let approver = Browser::open(&portal, &world.a.contact("approver")).await;
    assert!(approver.get("/").await.text.contains("Second look, please"));
}

#[tokio::test]
async fn the_inbox_puts_open_requests_first_and_a_request_is_answered_and_resolved() {
    let (portal, world) = seeded().await;
    let system = TenantScope::dangerous_system(portal.acme);
    portal
        .stores
        .requests
        .move_request(
            &system,
            world.b.request,
            RequestStatus::Resolved,
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let manager = Browser::open(&portal, "manager@acme.test").await;
    let html = manager.get("/staff/requests").await.text;
    let (open, resolved) = (
        html.find("New page canary-acme-a").unwrap(),
        html.find("New page canary-acme-b").unwrap(),
    );
    assert!(open < resolved, "open first: {html}");
    let html = manager.get("/staff/requests?status=resolved").await.text;
    assert!(!html.contains("New page canary-acme-a"), "{html}");
    assert!(html.contains("New page canary-acme-b"), "{html}");
    let html = manager
        .get(&format!("/staff/requests?client={}", world.a.client))
        .await
        .text;
    assert!(html.contains("New page canary-acme-a"), "{html}");
    assert!(!html.contains("New page canary-acme-b"), "{html}");

    let path = format!("/staff/requests/{}", world.a.request);
    let html = manager.get(&path).await.text;
    assert!(html.contains("Please add a page canary-acme-a"), "{html}");
    assert!(html.contains("On it canary-acme-a"), "{html}");
    assert!(html.contains("Cheap fix canary-internal-acme-a"), "{html}");
    assert!(html.contains("Internal note"), "{html}");

    let reply = manager
        .post(
            &format!("{path}/messages"),
            &[("body", "Done tomorrow"), ("visibility", "shared")],
        )
        .await;
    assert!(
        manager
            .follow(&reply)
            .await
            .text
            .contains("Your reply was sent.")
    );
    let reply = manager
        .post(
            &format!("{path}/messages"),
            &[
                ("body", "Needs a designer canary-note"),
                ("visibility", "internal"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);
    let reply = manager
        .post(
            &format!("{path}/messages"),
            &[("body", " "), ("visibility", "shared")],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply
            .text
            .contains("id=\"reply-body-error\">Please fill this in.</p>")
    );

    let reply = manager
        .post(&format!("{path}/status"), &[("status", "in_progress")])
        .await;
    let html = manager.follow(&reply).await.text;
    assert!(html.contains("This request is In progress."), "{html}");
    let reply = manager
        .post(&format!("{path}/status"), &[("status", "resolved")])
        .await;
    assert_eq!(reply.status, 303);
    let request = portal
        .stores
        .requests
        .request(&system, world.a.request)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.status, RequestStatus::Resolved);

    // The client reads the reply, never the note.
    let contact = Browser::open(&portal, &world.a.contact("approver")).await;
    let thread = contact
        .get(&format!("/api/v1/requests/{}/messages", world.a.request))
        .await
        .text;
    assert!(thread.contains("Done tomorrow"), "{thread}");
    assert!(!thread.contains("canary-note"), "{thread}");
}
