//! The approvals pages: the list, one approval with the exact version, and the decision form —
//! deciding through the API's path (audited, step-up, one winner of two), wrong input shown next
//! to its field, the token required, foreign and unknown approvals the same branded 404, roles
//! without the permission kept out, and German.

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

use pages_support::{Jar, custom_contact, get, input_value, location, post_form, seeded, sign_in};
use portal_core::state::{ApprovalStatus, DeliverableStatus};
use portal_core::{Permission, TenantScope};
use portal_storage::{AuditFilter, Page};
use support::Portal;
use support::client_work::World;
use support::staff_api::NOBODY;

/// The status of client A's approval as stored.
async fn stored_status(portal: &Portal, world: &World) -> ApprovalStatus {
    portal
        .stores
        .approvals
        .approval(
            &TenantScope::dangerous_system(portal.acme),
            world.a.approval,
        )
        .await
        .unwrap()
        .unwrap()
        .status
}

/// The decision form's fields as a browser sends them, from the approval page.
fn decision<'a>(
    page: &'a str,
    choice: &'a str,
    comment: &'a str,
    signature: &'a str,
) -> Vec<(&'static str, String)> {
    vec![
        ("csrf_token", input_value(page, "csrf_token")),
        ("version_sha256", input_value(page, "version_sha256")),
        ("decision", choice.to_owned()),
        ("comment", comment.to_owned()),
        ("signature", signature.to_owned()),
    ]
}

async fn post(
    portal: &Portal,
    path: &str,
    fields: &[(&'static str, String)],
    jar: &Jar,
) -> support::Reply {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    post_form(portal, path, &fields, jar).await
}

#[tokio::test]
async fn an_approver_sees_the_exact_version_and_approves_it() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let approval = world.a.approval;

    // The overview and the list lead to the approval.
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert!(
        overview.contains(&format!("href=\"/acme/approvals/{approval}\"")),
        "{overview}"
    );
    let list = get(&portal, "/acme/approvals", &jar, None).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(
        list.text.contains("Please approve canary-acme-a"),
        "{}",
        list.text
    );
    assert!(list.text.contains("Your decision"), "{}", list.text);
    assert!(
        list.text.contains("For Website canary-acme-a"),
        "{}",
        list.text
    );
    for foreign in ["canary-acme-b", "canary-globex", "canary-internal"] {
        assert!(!list.text.contains(foreign), "{foreign}: {}", list.text);
    }

    let page = get(&portal, &format!("/acme/approvals/{approval}"), &jar, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    let sha = world.a.version_sha();
    assert!(
        html.contains("Approval: Homepage mock-up canary-acme-a"),
        "{html}"
    );
    assert!(html.contains("mock-up.pdf"), "{html}");
    assert!(html.contains("1000 bytes"), "the size: {html}");
    assert!(
        html.contains(&format!(">{}…</code>", &sha[..12])),
        "short SHA: {html}"
    );
    assert!(html.contains(&format!(">{sha}</code>")), "full SHA: {html}");
    assert!(
        html.contains(&format!("name=\"version_sha256\" value=\"{sha}\"")),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "href=\"/acme/documents/{}/versions/",
            world.a.document
        )),
        "download link: {html}"
    );
    assert!(html.contains("value=\"approve\""), "{html}");
    assert!(html.contains("value=\"request_changes\""), "{html}");
    assert!(html.contains("Required when you request changes"), "{html}");
    assert!(html.contains("autocomplete=\"name\""), "{html}");
    assert!(!html.contains(" style="), "no inline style: {html}");

    let reply = post(
        &portal,
        &format!("/acme/approvals/{approval}/decision"),
        &decision(html, "approve", "Looks great", "Ada Approver"),
        &jar,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(
        location(&reply),
        format!("/acme/approvals/{approval}?notice=notice-approvals-approved")
    );
    let decided = get(&portal, location(&reply), &jar, None).await.text;
    assert!(decided.contains("Your approval was recorded"), "{decided}");
    assert!(decided.contains("badge--approved"), "{decided}");
    assert!(decided.contains("Decided by Approver on"), "{decided}");
    assert!(decided.contains("Looks great"), "{decided}");
    assert!(decided.contains("Signed: Ada Approver"), "{decided}");
    assert!(
        !decided.contains("name=\"decision\""),
        "no second decision: {decided}"
    );

    // The same store call as the API: the deliverable moved, the act is audited.
    let system = TenantScope::dangerous_system(portal.acme);
    let stored = portal
        .stores
        .approvals
        .approval(&system, approval)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ApprovalStatus::Approved);
    let deliverable = portal
        .stores
        .deliverables
        .deliverable(&system, world.a.deliverable)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deliverable.status, DeliverableStatus::Approved);
    let audited = portal
        .stores
        .audit
        .list_events(
            &system,
            AuditFilter {
                action: Some("approval.decided".to_owned()),
                ..AuditFilter::default()
            },
            Page::first(10).unwrap(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(audited.len(), 1, "{audited:?}");

    // It no longer waits on the overview; the list shows it decided.
    let overview = get(&portal, "/acme/", &jar, None).await.text;
    assert!(!overview.contains("Your decision"), "{overview}");
    let list = get(&portal, "/acme/approvals", &jar, None).await.text;
    assert!(
        list.contains("Nothing is waiting for a decision."),
        "{list}"
    );
    assert!(list.contains("badge--approved"), "{list}");
}

#[tokio::test]
async fn wrong_input_is_shown_next_to_its_field_with_what_was_typed() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let path = format!("/acme/approvals/{}", world.a.approval);
    let page = get(&portal, &path, &jar, None).await.text;
    let action = format!("{path}/decision");

    // Changes without a comment: the comment says it is needed.
    let reply = post(
        &portal,
        &action,
        &decision(&page, "request_changes", "  ", "Ada Approver"),
        &jar,
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let html = &reply.text;
    assert!(
        html.contains("id=\"comment-error\">Please tell the team what to change."),
        "{html}"
    );
    assert!(
        html.contains("aria-describedby=\"comment-hint comment-error\""),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    assert!(
        html.contains("value=\"Ada Approver\""),
        "the signature is kept: {html}"
    );
    assert!(
        html.contains("value=\"request_changes\" checked"),
        "the choice is kept: {html}"
    );

    // No choice at all.
    let reply = post(&portal, &action, &decision(&page, "", "", "Ada"), &jar).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.text.contains("id=\"decision-error\">Please choose"),
        "{}",
        reply.text
    );

    // No signature: the API's rule, in the reader's words.
    let reply = post(&portal, &action, &decision(&page, "approve", "", " "), &jar).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply
            .text
            .contains("id=\"signature-error\">Please fill this in."),
        "{}",
        reply.text
    );

    // A SHA-256 that is not one: a clear message, never a 500.
    let mut fields = decision(&page, "approve", "", "Ada Approver");
    fields[1].1 = "not-a-sha".to_owned();
    let reply = post(&portal, &action, &fields, &jar).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.text.contains("role=\"alert\""), "{}", reply.text);

    // Nothing was decided.
    assert_eq!(
        stored_status(&portal, &world).await,
        ApprovalStatus::Pending
    );

    // Requesting changes with a comment works and says so.
    let reply = post(
        &portal,
        &action,
        &decision(
            &page,
            "request_changes",
            "Bigger logo, please",
            "Ada Approver",
        ),
        &jar,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let decided = get(&portal, location(&reply), &jar, None).await.text;
    assert!(
        decided.contains("Your change request was sent"),
        "{decided}"
    );
    assert!(decided.contains("Bigger logo, please"), "{decided}");
    assert!(decided.contains("badge--changes"), "{decided}");
}

#[tokio::test]
async fn a_decision_without_its_token_is_refused_sec_31() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let path = format!("/acme/approvals/{}", world.a.approval);
    let page = get(&portal, &path, &jar, None).await.text;
    let mut fields = decision(&page, "approve", "", "Ada Approver");
    fields.remove(0);
    let reply = post(&portal, &format!("{path}/decision"), &fields, &jar).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert!(
        reply.text.contains("This form could not be accepted"),
        "{}",
        reply.text
    );
    fields.insert(0, ("csrf_token", "forged".to_owned()));
    let reply = post(&portal, &format!("{path}/decision"), &fields, &jar).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        stored_status(&portal, &world).await,
        ApprovalStatus::Pending
    );
}

#[tokio::test]
async fn of_two_decisions_at_once_one_wins_and_the_other_is_told_sec_30() {
    let (portal, world) = seeded().await;
    let approver = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let admin = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let path = format!("/acme/approvals/{}", world.a.approval);
    let first = get(&portal, &path, &approver, None).await.text;
    let second = get(&portal, &path, &admin, None).await.text;
    let action = format!("{path}/decision");
    let approve = decision(&first, "approve", "", "Ada Approver");
    let change = decision(&second, "request_changes", "Other colours", "Cai Admin");
    let (one, two) = tokio::join!(
        post(&portal, &action, &approve, &approver),
        post(&portal, &action, &change, &admin),
    );
    let mut statuses = [one.status, two.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 409], "{}\n{}", one.text, two.text);
    let loser = if one.status == 409 { &one } else { &two };
    assert!(
        loser
            .text
            .contains("Someone else decided this approval in the meantime"),
        "{}",
        loser.text
    );
    assert!(
        loser.text.contains("Decided by"),
        "the winner's decision: {}",
        loser.text
    );
    assert!(!loser.text.contains("name=\"decision\""), "{}", loser.text);
}

#[tokio::test]
async fn a_stale_sign_in_confirms_the_password_before_deciding_sec_20() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let path = format!("/acme/approvals/{}", world.a.approval);
    let page = get(&portal, &path, &jar, None).await.text;
    portal.clock.advance(time::Duration::minutes(11));

    let reply = post(
        &portal,
        &format!("{path}/decision"),
        &decision(&page, "approve", "", "Ada Approver"),
        &jar,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(
        location(&reply),
        format!("/acme/account/confirm?next=/approvals/{}", world.a.approval)
    );
    // Shown again, the page asks for the password first instead of offering the form.
    let again = get(&portal, &path, &jar, None).await.text;
    assert!(!again.contains("name=\"decision\""), "{again}");
    assert!(
        again.contains(&format!(
            "href=\"/acme/account/confirm?next=/approvals/{}\"",
            world.a.approval
        )),
        "{again}"
    );
    assert_eq!(
        stored_status(&portal, &world).await,
        ApprovalStatus::Pending
    );
}

#[tokio::test]
async fn viewers_and_staff_see_the_approval_without_a_form() {
    let (portal, world) = seeded().await;
    let path = format!("/acme/approvals/{}", world.a.approval);
    let viewer = sign_in(&portal, "acme", &world.a.contact("viewer")).await;
    let page = get(&portal, &path, &viewer, None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("mock-up.pdf"), "{}", page.text);
    assert!(page.text.contains("With another approver"), "{}", page.text);
    assert!(!page.text.contains("name=\"decision\""), "{}", page.text);
    // Typed in anyway: the API's answer, 403.
    let fields = [
        ("csrf_token", input_value(&page.text, "csrf_token")),
        ("version_sha256", world.a.version_sha()),
        ("decision", "approve".to_owned()),
        ("signature", "Vic Viewer".to_owned()),
    ];
    let reply = post(&portal, &format!("{path}/decision"), &fields, &viewer).await;
    assert_eq!(reply.status, 403, "{}", reply.text);

    let staff = sign_in(&portal, "acme", "manager@acme.test").await;
    let page = get(&portal, &path, &staff, None).await.text;
    assert!(page.contains("Waiting for the client"), "{page}");
    assert!(!page.contains("name=\"decision\""), "{page}");
    // Staff see every client's approvals, no other tenant's.
    let list = get(&portal, "/acme/approvals", &staff, None).await.text;
    assert!(
        list.contains("canary-acme-a") && list.contains("canary-acme-b"),
        "{list}"
    );
    assert!(!list.contains("canary-globex"), "{list}");
}

#[tokio::test]
async fn foreign_and_unknown_approvals_are_the_same_branded_404_sec_26() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("client_admin")).await;
    let missing = get(&portal, "/acme/nothing-here", &jar, None).await;
    assert_eq!(missing.status, 404);
    let token = input_value(
        &get(&portal, "/acme/approvals", &jar, None).await.text,
        "csrf_token",
    );
    for id in [
        world.b.approval.to_string(),
        world.globex.approval.to_string(),
        NOBODY.to_owned(),
        "not-an-id".to_owned(),
    ] {
        let reply = get(&portal, &format!("/acme/approvals/{id}"), &jar, None).await;
        assert_eq!(reply.status, 404, "{id}");
        assert_eq!(reply.text, missing.text, "{id}: like any missing page");
        let fields = [
            ("csrf_token", token.clone()),
            ("version_sha256", world.a.version_sha()),
            ("decision", "approve".to_owned()),
            ("signature", "Cai Admin".to_owned()),
        ];
        let reply = post(
            &portal,
            &format!("/acme/approvals/{id}/decision"),
            &fields,
            &jar,
        )
        .await;
        assert_eq!(reply.status, 404, "{id}");
        assert_eq!(reply.text, missing.text, "{id}");
    }
    let system = TenantScope::dangerous_system(portal.acme);
    let other = portal
        .stores
        .approvals
        .approval(&system, world.b.approval)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other.status, ApprovalStatus::Pending, "nothing decided");
}

#[tokio::test]
async fn a_role_without_view_approvals_gets_no_link_and_a_404() {
    let (portal, world) = seeded().await;
    let jar = custom_contact(
        &portal,
        world.a.client,
        "projects-only@acme-a.test",
        &[Permission::ViewProjects, Permission::ViewMilestones],
    )
    .await;
    let overview = get(&portal, "/acme/", &jar, None).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    assert!(
        !overview.text.contains("href=\"/acme/approvals\""),
        "{}",
        overview.text
    );
    let list = get(&portal, "/acme/approvals", &jar, None).await;
    assert_eq!(list.status, 404);
    let one = get(
        &portal,
        &format!("/acme/approvals/{}", world.a.approval),
        &jar,
        None,
    )
    .await;
    assert!(matches!(one.status, 403 | 404), "{}", one.status);
    assert!(!one.text.contains("canary"), "{}", one.text);
}

#[tokio::test]
async fn the_approval_speaks_german() {
    let (portal, world) = seeded().await;
    let jar = sign_in(&portal, "acme", &world.a.contact("approver")).await;
    let path = format!("/acme/approvals/{}", world.a.approval);
    let html = get(&portal, &path, &jar, Some("de")).await.text;
    assert!(html.contains("<html lang=\"de\""), "{html}");
    for german in [
        "Ihre Entscheidung",
        "Freigeben",
        "Änderungen anfordern",
        "Ihr vollständiger Name",
        "Die zu prüfende Version",
        "Vollständige Prüfsumme anzeigen",
    ] {
        assert!(html.contains(german), "{german}: {html}");
    }
    for english in ["Your decision", "Request changes", "Download this version"] {
        assert!(!html.contains(english), "{english}: {html}");
    }
    let fields = decision(&html, "request_changes", "", "Ada");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let reply = pages_support::post_form_with(
        &portal,
        &format!("{path}/decision"),
        &fields,
        &jar,
        &[
            ("origin", "null"),
            ("sec-fetch-site", "same-origin"),
            ("accept-language", "de"),
        ],
    )
    .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply
            .text
            .contains("Bitte schreiben Sie dem Team, was geändert werden soll."),
        "{}",
        reply.text
    );
}
