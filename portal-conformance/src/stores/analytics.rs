use portal_core::model::{ApprovalRequest, InvitationAcceptance, NewInvitation, NewRequest};
use portal_core::state::{ApprovalOutcome, RequestStatus};
use portal_core::{
    BuiltinRole, ClientId, DocumentVersionId, Email, MembershipKind, Permission, PermissionSet,
    ShareLinkId, Side, TenantId, TenantScope, UserId,
};
use portal_storage::analytics::{AdoptionReport, AnalyticsWindow};
use portal_storage::{ApprovalDecision, NewDownload, Stores};
use time::{Duration, OffsetDateTime};

use crate::stores::fixtures::{
    assert_forbidden, assert_invalid, assert_not_found, client, ctx, member, name, role, scope_of,
    tenant, token, work,
};
use crate::{Backdate, Harness};

/// The moment the scenario's reports are taken at: a whole second an hour ahead, so every record
/// the stores stamp with the real time lies before it.
fn report_time() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc() + Duration::HOUR;
    now.replace_nanosecond(0).unwrap()
}

/// A client's history with known answers (worked out by hand in the comments below).
struct Scenario {
    tenant: TenantId,
    now: OffsetDateTime,
    alpha: ClientId,
    beta: ClientId,
    manager: TenantScope,
    approver: TenantScope,
}

impl Scenario {
    fn window(&self, days: u16) -> AnalyticsWindow {
        AnalyticsWindow::last_days(self.now, days).unwrap()
    }

    fn ago(&self, hours: i64) -> OffsetDateTime {
        self.now - Duration::hours(hours)
    }
}

const DAY: i64 = 24;

async fn backdate(h: &Harness, tenant: TenantId, change: Backdate) {
    h.tamper.backdate(tenant, change).await;
}

/// Invites `email` to `client` at `invited` (hours before `now`); accepts it unless `accept` is
/// false, and logs the person in `login_after` hours after the invitation.
async fn invitation(
    h: &Harness,
    s: &Scenario,
    admin: &TenantScope,
    label: &str,
    invited: i64,
    accept: bool,
    login_after: Option<i64>,
) -> Option<UserId> {
    let stores = &h.stores;
    let viewer = role(stores, s.tenant, BuiltinRole::Viewer).await;
    let token_hash = token();
    let email = Email::parse(&format!(
        "{label}-{}@example.com",
        uuid::Uuid::now_v7().simple()
    ));
    let created = stores
        .invitations
        .create_invitation(
            admin,
            NewInvitation {
                email: email.unwrap(),
                client: Some(s.alpha),
                role: viewer.id(),
                token_hash,
                expires_at: OffsetDateTime::now_utc() + Duration::days(30),
            },
            &ctx(),
        )
        .await
        .unwrap();
    let invited_at = s.ago(invited);
    backdate(
        h,
        s.tenant,
        Backdate::InvitationCreated(created.id, invited_at),
    )
    .await;
    if !accept {
        return None;
    }
    let accepted = stores
        .invitations
        .accept_invitation(
            &token_hash,
            InvitationAcceptance {
                name: name(label),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            },
            OffsetDateTime::now_utc(),
            &ctx(),
        )
        .await
        .unwrap()
        .unwrap();
    let user = accepted.user.id;
    if let Some(after) = login_after {
        login(stores, s.tenant, user, invited_at + Duration::hours(after)).await;
    }
    Some(user)
}

async fn login(stores: &Stores, tenant: TenantId, user: UserId, at: OffsetDateTime) {
    stores
        .identities
        .record_login(tenant, user, at)
        .await
        .unwrap();
}

/// Requests an approval of `version` at `requested` hours before now; decided `after` hours
/// later when given.
async fn approval(
    h: &Harness,
    s: &Scenario,
    version: DocumentVersionId,
    sha256: portal_core::state::Sha256Digest,
    requested: i64,
    after: Option<i64>,
) {
    let stores = &h.stores;
    let approval = stores
        .approvals
        .request_approval(
            &s.manager,
            ApprovalRequest {
                deliverable: None,
                document_version: version,
                message: "Please sign off".into(),
                due_at: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    if let Some(after) = after {
        stores
            .approvals
            .decide(
                &s.approver,
                approval.id,
                ApprovalDecision {
                    outcome: ApprovalOutcome::Approved,
                    sha256,
                    comment: None,
                    signature: name("Grace Hopper"),
                },
                &ctx(),
            )
            .await
            .unwrap();
        let decided = s.ago(requested) + Duration::hours(after);
        backdate(h, s.tenant, Backdate::ApprovalDecided(approval.id, decided)).await;
    }
    let requested = s.ago(requested);
    backdate(
        h,
        s.tenant,
        Backdate::ApprovalRequested(approval.id, requested),
    )
    .await;
}

/// A request submitted `submitted` hours before now; resolved when `resolve` is set.
async fn request(h: &Harness, s: &Scenario, submitted: i64, resolve: bool) {
    let stores = &h.stores;
    let request = stores
        .requests
        .submit_request(
            &s.approver,
            NewRequest {
                client: s.alpha,
                project: None,
                title: name("Please add a page"),
                body: "Details".into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    if resolve {
        for status in [RequestStatus::InProgress, RequestStatus::Resolved] {
            stores
                .requests
                .move_request(&s.manager, request.id, status, &ctx())
                .await
                .unwrap();
        }
    }
    backdate(
        h,
        s.tenant,
        Backdate::RequestSubmitted(request.id, s.ago(submitted)),
    )
    .await;
}

async fn download(
    stores: &Stores,
    scope: &TenantScope,
    version: DocumentVersionId,
    share_link: Option<ShareLinkId>,
    at: OffsetDateTime,
) {
    stores
        .analytics
        .record_download(
            scope,
            NewDownload {
                version,
                share_link,
                at,
            },
        )
        .await
        .unwrap();
}

/// Builds the scenario: client Alpha with a known history, client Beta with none.
async fn scenario(h: &Harness) -> Scenario {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let alpha = client(stores, &admin, "Alpha").await;
    let beta = client(stores, &admin, "Beta").await;
    let (approver_id, approver) = member(stores, acme.id, BuiltinRole::Approver, &[alpha]).await;
    let s = Scenario {
        tenant: acme.id,
        now: report_time(),
        alpha,
        beta,
        manager,
        approver,
    };
    // Contacts: the approver (last login 2 days ago: active), five invited people.
    login(stores, s.tenant, approver_id, s.ago(40 * DAY)).await;
    login(stores, s.tenant, approver_id, s.ago(2 * DAY)).await;
    // Invitations in the window: first logins after 5, 20 and 2 hours (median 5, p90 20), one
    // accepted without a login, one pending. One from before the window (ignored), whose person
    // last logged in 40 days ago (inactive).
    let first = invitation(h, &s, &admin, "Ida", 10 * DAY, true, Some(5)).await;
    invitation(h, &s, &admin, "Jon", 9 * DAY, true, Some(20)).await;
    invitation(h, &s, &admin, "Kim", 8 * DAY, true, Some(2)).await;
    invitation(h, &s, &admin, "Lou", 7 * DAY - 1, true, None).await;
    invitation(h, &s, &admin, "Max", 6 * DAY, false, None).await;
    invitation(h, &s, &admin, "Ned", 40 * DAY, true, Some(1)).await;
    // Approvals decided in the window after 4, 10, 1 and 30 hours (median 4, p90 30); one decided
    // before it; two pending, the older for 3 days.
    let first_work = work(stores, &s.manager, alpha, "a").await;
    let other = work(stores, &s.manager, alpha, "bb").await;
    let (version, sha) = (first_work.version, first_work.version_sha);
    for (requested, after) in [(5 * DAY, 4), (6 * DAY, 10), (7 * DAY, 1), (8 * DAY, 30)] {
        approval(h, &s, version, sha, requested, Some(after)).await;
    }
    approval(h, &s, version, sha, 50 * DAY, Some(5 * DAY)).await;
    approval(h, &s, version, sha, 3 * DAY, None).await;
    approval(h, &s, version, sha, 12, None).await;
    // Open requests 2 hours, 3, 10 and 60 days old (one per bracket, median 3 days); one resolved.
    for (submitted, resolve) in [(2, false), (3 * DAY, false), (10 * DAY, false)] {
        request(h, &s, submitted, resolve).await;
    }
    request(h, &s, 60 * DAY, false).await;
    request(h, &s, 5 * DAY, true).await;
    // Downloads in the window: the approver's two (two documents), Ida's, one through a share
    // link; a staff download and one before the window do not count.
    let system = TenantScope::dangerous_system(s.tenant);
    let ida = scope_of(stores, s.tenant, first.unwrap()).await;
    download(stores, &s.approver, version, None, s.ago(DAY)).await;
    download(stores, &s.approver, other.version, None, s.ago(8 * DAY)).await;
    download(stores, &ida, version, None, s.ago(15 * DAY)).await;
    let link = Some(ShareLinkId::new());
    download(stores, &system, version, link, s.ago(2 * DAY)).await;
    download(stores, &s.manager, version, None, s.ago(DAY)).await;
    download(stores, &s.approver, version, None, s.ago(40 * DAY)).await;
    s
}

fn hours(n: i64) -> Option<Duration> {
    Some(Duration::hours(n))
}

fn assert_alpha_over_30_days(report: &AdoptionReport, s: &Scenario) {
    assert_eq!(report.client, s.alpha);
    assert_eq!(report.client_name, "Alpha");
    assert_eq!((report.contacts.total, report.contacts.active), (6, 4));
    let last = &report.contacts.people[0];
    assert_eq!(
        last.last_login_at,
        Some(s.ago(2 * DAY)),
        "most recent first"
    );
    assert_eq!(report.contacts.people[5].last_login_at, None, "never last");

    let invitations = &report.invitations;
    assert_eq!(invitations.to_first_login.count, 3);
    assert_eq!(invitations.to_first_login.median, hours(5));
    assert_eq!(invitations.to_first_login.p90, hours(20));
    assert_eq!(invitations.accepted_without_login, 1);
    assert_eq!(invitations.pending, 1);

    let approvals = &report.approvals;
    assert_eq!(approvals.decided.count, 4);
    assert_eq!(approvals.decided.median, hours(4));
    assert_eq!(approvals.decided.p90, hours(30));
    assert_eq!(approvals.pending, 2);
    assert_eq!(approvals.oldest_pending, hours(3 * DAY));

    let requests = &report.requests;
    assert_eq!(requests.open, 4);
    assert_eq!(requests.median_age, hours(3 * DAY));
    assert_eq!(requests.oldest_age, hours(60 * DAY));
    assert_eq!(requests.ages.buckets().map(|(_, n)| n), [1, 1, 1, 1]);

    let downloads = &report.downloads;
    assert_eq!(
        (downloads.downloads, downloads.documents, downloads.people),
        (4, 2, 3)
    );
    let weeks: Vec<u32> = downloads.weeks.iter().map(|week| week.downloads).collect();
    assert_eq!(weeks, [0, 0, 1, 1, 2], "30 days: four weeks and two days");
    assert_eq!(downloads.weeks[0].starts_at, s.now - Duration::days(30));
}

pub async fn adoption_figures_match_a_known_history(h: &Harness) {
    let s = scenario(h).await;
    let analytics = &h.stores.analytics;
    let report = analytics
        .adoption_report(&s.manager, s.alpha, s.window(30))
        .await
        .unwrap();
    assert_alpha_over_30_days(&report, &s);

    let all = analytics
        .adoption_reports(&s.manager, s.window(30))
        .await
        .unwrap();
    let names: Vec<&str> = all.iter().map(|r| r.client_name.as_str()).collect();
    assert_eq!(names, ["Alpha", "Beta"], "every client, by name");
    assert_eq!(all[0], report, "the list holds the same report");
    let beta = &all[1];
    assert_eq!(beta.contacts.total, 0);
    assert_eq!(beta.downloads.downloads, 0);
    assert_eq!(beta.approvals.decided.median, None);
}

pub async fn adoption_figures_respect_the_window(h: &Harness) {
    let s = scenario(h).await;
    let week = h
        .stores
        .analytics
        .adoption_report(&s.manager, s.alpha, s.window(7))
        .await
        .unwrap();
    assert_eq!(
        week.contacts.active, 1,
        "only the approver logged in this week"
    );
    assert_eq!(week.downloads.downloads, 2);
    let weeks: Vec<u32> = week.downloads.weeks.iter().map(|w| w.downloads).collect();
    assert_eq!(weeks, [2]);
    // Lou's invitation (7 days less an hour ago) and Max's are in; the rest are older.
    assert_eq!(week.invitations.to_first_login.count, 0);
    assert_eq!(week.invitations.accepted_without_login, 1);
    assert_eq!(week.invitations.pending, 1);
    // Open requests and pending approvals are measured now, whatever the window.
    assert_eq!(week.requests.open, 4);
    assert_eq!(week.approvals.pending, 2);
    // Decided 5 days + 4 h, 6 days + 10 h, 7 days + 1 h and 6 days + 18 h ago: all in the week.
    assert_eq!(week.approvals.decided.count, 4);

    let year = h
        .stores
        .analytics
        .adoption_report(&s.manager, s.alpha, s.window(365))
        .await
        .unwrap();
    assert_eq!(year.downloads.downloads, 5, "the download 40 days ago too");
    assert_eq!(year.approvals.decided.count, 5);
    assert_eq!(year.invitations.to_first_login.count, 4);
    assert_eq!(year.contacts.active, 5, "Ned logged in 40 days ago");
}

pub async fn adoption_figures_follow_assignment_and_permission(h: &Harness) {
    let s = scenario(h).await;
    let stores = &h.stores;
    let analytics = &stores.analytics;
    let window = s.window(30);
    // Staff with `view_analytics` but not every client see their assigned clients only.
    let system = TenantScope::dangerous_system(s.tenant);
    let analyst_role = stores
        .memberships
        .create_role(
            &system,
            name("Analyst"),
            Side::Staff,
            PermissionSet::from_slice(&[Permission::ViewAnalytics]),
            &ctx(),
        )
        .await
        .unwrap();
    let analyst = stores
        .identities
        .create_user(
            &system,
            portal_core::model::NewUser {
                email: Email::parse(&format!("analyst-{}@example.com", uuid::Uuid::now_v7()))
                    .unwrap(),
                name: name("Analyst"),
                side: Side::Staff,
            },
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .memberships
        .add_membership(
            &system,
            analyst.id,
            analyst_role.id(),
            MembershipKind::Staff {
                assigned_clients: vec![s.beta],
            },
            &ctx(),
        )
        .await
        .unwrap();
    let analyst = scope_of(stores, s.tenant, analyst.id).await;
    let seen = analytics.adoption_reports(&analyst, window).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].client, s.beta);
    assert_not_found(&analytics.adoption_report(&analyst, s.alpha, window).await);
    assert_not_found(
        &analytics
            .adoption_report(&s.manager, ClientId::new(), window)
            .await,
    );
    // Without the permission: refused, not hidden.
    let (_, member) = member(stores, s.tenant, BuiltinRole::Member, &[s.alpha]).await;
    assert_forbidden(&analytics.adoption_reports(&member, window).await);
    assert_forbidden(&analytics.adoption_report(&member, s.alpha, window).await);
    assert_forbidden(&analytics.adoption_reports(&s.approver, window).await);
    assert_forbidden(
        &analytics
            .adoption_report(&s.approver, s.alpha, window)
            .await,
    );
    // Without it, a missing id is refused alike: the refusal says nothing of what exists.
    assert_forbidden(
        &analytics
            .adoption_report(&member, ClientId::new(), window)
            .await,
    );
    // A download with no user must name its share link.
    let work = work(stores, &s.manager, s.alpha, "ccc").await;
    let anonymous = analytics
        .record_download(
            &system,
            NewDownload {
                version: work.version,
                share_link: None,
                at: s.now,
            },
        )
        .await;
    assert_invalid(&anonymous, Some("share_link"));
}

pub async fn adoption_figures_stay_in_their_tenant(h: &Harness) {
    let s = scenario(h).await;
    let stores = &h.stores;
    let analytics = &stores.analytics;
    let other = tenant(stores, "Other").await;
    let (_, outsider) = member(stores, other.id, BuiltinRole::Owner, &[]).await;
    let window = AnalyticsWindow::last_days(s.now, 30).unwrap();
    assert!(
        analytics
            .adoption_reports(&outsider, window)
            .await
            .unwrap()
            .is_empty()
    );
    assert_not_found(&analytics.adoption_report(&outsider, s.alpha, window).await);
    // Another tenant's version is not found, and records nothing.
    let work = work(stores, &s.manager, s.alpha, "dddd").await;
    let foreign = analytics
        .record_download(
            &outsider,
            NewDownload {
                version: work.version,
                share_link: None,
                at: s.now,
            },
        )
        .await;
    assert_not_found(&foreign);
    let report = analytics
        .adoption_report(&s.manager, s.alpha, window)
        .await
        .unwrap();
    assert_eq!(report.downloads.downloads, 4);
}
