//! Adoption figures of a client, computed the same way for every backend: each backend fetches
//! the raw facts of a client (`ClientFacts`) with indexed queries, and one function
//! (`AdoptionReport::from_facts`) turns them into numbers, so the memory and SQL stores cannot disagree on a median.
//!
//! Percentiles use the nearest-rank method ([`nearest_rank`]): the value at rank
//! `ceil(p / 100 × n)` of the `n` values sorted ascending. The median is the 50th percentile, so
//! of an even number of values it is the lower middle one — always a value that occurred.

use portal_core::{
    ClientFilter, ClientId, DocumentId, DocumentVersionId, Invalid, Permission, Rule, ShareLinkId,
    TenantId, TenantScope, UserId, Visibility,
};
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::rules::{self, invalid, stored_time};
use crate::{NewDownload, StoreResult};

/// The longest window a report looks back over, in days.
pub const MAX_WINDOW_DAYS: u16 = 365;

/// The stretch of time a report covers: from `since` up to and including `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AnalyticsWindow {
    since: OffsetDateTime,
    now: OffsetDateTime,
}

impl AnalyticsWindow {
    /// The last `days` days before `now` (1 to [`MAX_WINDOW_DAYS`]).
    pub fn last_days(now: OffsetDateTime, days: u16) -> StoreResult<Self> {
        if !(1..=MAX_WINDOW_DAYS).contains(&days) {
            return Err(invalid(
                "days",
                Invalid::Malformed("must be between 1 and 365"),
            ));
        }
        let now = stored_time(now);
        Ok(Self {
            since: now - Duration::days(i64::from(days)),
            now,
        })
    }

    /// The window's start.
    #[must_use]
    pub const fn since(&self) -> OffsetDateTime {
        self.since
    }

    /// The window's end: the moment ages are measured at.
    #[must_use]
    pub const fn now(&self) -> OffsetDateTime {
        self.now
    }

    /// Whether `at` lies in the window.
    #[must_use]
    pub fn contains(&self, at: OffsetDateTime) -> bool {
        self.since <= at && at <= self.now
    }
}

/// The value at percentile `percent` of `sorted` (ascending) by the nearest-rank method: rank
/// `ceil(percent / 100 × n)`, counted from one. `None` for no values.
#[must_use]
pub fn nearest_rank(sorted: &[Duration], percent: u32) -> Option<Duration> {
    let count = sorted.len();
    let rank = (count * percent as usize).div_ceil(100).max(1);
    sorted.get(rank.min(count).checked_sub(1)?).copied()
}

/// How many values, with their median and 90th percentile (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Spread {
    /// How many values there are.
    pub count: u32,
    /// The median (the lower middle value of an even count); `None` without values.
    pub median: Option<Duration>,
    /// The 90th percentile; `None` without values.
    pub p90: Option<Duration>,
}

impl Spread {
    /// The spread of `values`, in any order.
    #[must_use]
    pub fn of(mut values: Vec<Duration>) -> Self {
        values.sort_unstable();
        Self {
            count: count(values.len()),
            median: nearest_rank(&values, 50),
            p90: nearest_rank(&values, 90),
        }
    }
}

/// A contact of the client and when they last logged in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactLogin {
    /// The contact.
    pub user: UserId,
    /// Their name.
    pub name: String,
    /// Their last login, if they ever logged in.
    pub last_login_at: Option<OffsetDateTime>,
}

/// The client's contacts (enabled members) and how many logged in during the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactActivity {
    /// How many contacts the client has.
    pub total: u32,
    /// How many of them logged in during the window.
    pub active: u32,
    /// Each contact, most recent login first, never-logged-in last.
    pub people: Vec<ContactLogin>,
}

/// Invitations to the client sent during the window, and how soon they led to a first login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InvitationUptake {
    /// Hours from invitation to the invited person's first login, per accepted invitation whose
    /// person has logged in since.
    pub to_first_login: Spread,
    /// Accepted invitations whose person has not logged in since.
    pub accepted_without_login: u32,
    /// Invitations still open: neither accepted, revoked nor expired.
    pub pending: u32,
}

/// How fast the client decides approvals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ApprovalTurnaround {
    /// From request to decision, for approvals decided during the window.
    pub decided: Spread,
    /// Approvals waiting for a decision now.
    pub pending: u32,
    /// How long the oldest pending approval has waited.
    pub oldest_pending: Option<Duration>,
}

/// How many open requests fall in each age bracket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgeHistogram {
    /// Younger than one day.
    pub under_a_day: u32,
    /// One day up to a week.
    pub up_to_a_week: u32,
    /// One week up to 30 days.
    pub up_to_30_days: u32,
    /// 30 days and older.
    pub older: u32,
}

impl AgeHistogram {
    /// The brackets with their labels, youngest first.
    #[must_use]
    pub const fn buckets(&self) -> [(&'static str, u32); 4] {
        [
            ("< 1 day", self.under_a_day),
            ("1–7 days", self.up_to_a_week),
            ("7–30 days", self.up_to_30_days),
            ("> 30 days", self.older),
        ]
    }

    fn add(&mut self, age: Duration) {
        let bucket = if age < Duration::days(1) {
            &mut self.under_a_day
        } else if age < Duration::days(7) {
            &mut self.up_to_a_week
        } else if age < Duration::days(30) {
            &mut self.up_to_30_days
        } else {
            &mut self.older
        };
        *bucket += 1;
    }
}

/// The client's requests that are still open (`open` or `in_progress`) now, by age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpenRequests {
    /// How many.
    pub open: u32,
    /// The median age (nearest rank).
    pub median_age: Option<Duration>,
    /// The oldest one's age.
    pub oldest_age: Option<Duration>,
    /// The ages in brackets.
    pub ages: AgeHistogram,
}

/// Downloads in one week of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WeekDownloads {
    /// The week's first moment: the window's start plus whole weeks.
    pub starts_at: OffsetDateTime,
    /// Downloads in the week.
    pub downloads: u32,
}

/// The client's downloads during the window (by its contacts and through its share links; staff
/// downloads do not count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DownloadActivity {
    /// How many downloads.
    pub downloads: u32,
    /// How many different documents.
    pub documents: u32,
    /// How many different people (a share link counts as one).
    pub people: u32,
    /// Downloads per week, from the window's start; the last week may be shorter.
    pub weeks: Vec<WeekDownloads>,
}

/// Every adoption figure of one client over one window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdoptionReport {
    /// The client.
    pub client: ClientId,
    /// Its name.
    pub client_name: String,
    /// The window the figures cover.
    pub window: AnalyticsWindow,
    /// Contacts and their logins.
    pub contacts: ContactActivity,
    /// Invitations and first logins.
    pub invitations: InvitationUptake,
    /// Approval turnaround.
    pub approvals: ApprovalTurnaround,
    /// Open requests.
    pub requests: OpenRequests,
    /// Downloads.
    pub downloads: DownloadActivity,
}

/// An invitation to the client sent during the window, as the report needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InvitationFact {
    pub(crate) created_at: OffsetDateTime,
    pub(crate) accepted: bool,
    pub(crate) pending: bool,
    /// The invited person's first login, if the invitation was accepted and they logged in.
    pub(crate) first_login_at: Option<OffsetDateTime>,
}

/// One counted download: which document, by whom (a user's or a share link's id).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DownloadFact {
    pub(crate) document: DocumentId,
    pub(crate) downloader: Uuid,
    pub(crate) at: OffsetDateTime,
}

/// The raw facts of one client, each list fetched by one indexed query (or one map walk).
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientFacts {
    /// Enabled contacts.
    pub(crate) contacts: Vec<ContactLogin>,
    /// Invitations created in the window.
    pub(crate) invitations: Vec<InvitationFact>,
    /// (requested, decided) of approvals decided in the window.
    pub(crate) decided_approvals: Vec<(OffsetDateTime, OffsetDateTime)>,
    /// When each pending approval was requested.
    pub(crate) pending_approvals: Vec<OffsetDateTime>,
    /// When each open request was submitted.
    pub(crate) open_requests: Vec<OffsetDateTime>,
    /// Non-staff downloads in the window.
    pub(crate) downloads: Vec<DownloadFact>,
}

impl AdoptionReport {
    /// The report the facts of `client` make over `window`.
    pub(crate) fn from_facts(
        client: ClientId,
        client_name: String,
        window: AnalyticsWindow,
        facts: ClientFacts,
    ) -> Self {
        let now = window.now();
        Self {
            client,
            client_name,
            window,
            contacts: contact_activity(facts.contacts, window),
            invitations: invitation_uptake(&facts.invitations),
            approvals: ApprovalTurnaround {
                decided: Spread::of(
                    facts
                        .decided_approvals
                        .iter()
                        .map(|(requested, decided)| *decided - *requested)
                        .collect(),
                ),
                pending: count(facts.pending_approvals.len()),
                oldest_pending: facts.pending_approvals.iter().min().map(|at| now - *at),
            },
            requests: open_requests(&facts.open_requests, now),
            downloads: download_activity(&facts.downloads, window),
        }
    }
}

fn contact_activity(mut people: Vec<ContactLogin>, window: AnalyticsWindow) -> ContactActivity {
    // Most recent first, then by name for a stable order (`None` sorts below any login).
    people.sort_by(|a, b| {
        b.last_login_at
            .cmp(&a.last_login_at)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.user.cmp(&b.user))
    });
    let active = people
        .iter()
        .filter(|person| person.last_login_at.is_some_and(|at| window.contains(at)))
        .count();
    ContactActivity {
        total: count(people.len()),
        active: count(active),
        people,
    }
}

fn invitation_uptake(invitations: &[InvitationFact]) -> InvitationUptake {
    // A person who had logged in before this invitation (a contact of another client) did not
    // log in because of it: their time is left out.
    let to_first_login = invitations
        .iter()
        .filter(|invitation| invitation.accepted)
        .filter_map(|invitation| {
            let first = invitation.first_login_at?;
            (first >= invitation.created_at).then(|| first - invitation.created_at)
        })
        .collect();
    InvitationUptake {
        to_first_login: Spread::of(to_first_login),
        accepted_without_login: count(
            invitations
                .iter()
                .filter(|invitation| invitation.accepted && invitation.first_login_at.is_none())
                .count(),
        ),
        pending: count(
            invitations
                .iter()
                .filter(|invitation| invitation.pending)
                .count(),
        ),
    }
}

fn open_requests(submitted: &[OffsetDateTime], now: OffsetDateTime) -> OpenRequests {
    let mut ages: Vec<Duration> = submitted.iter().map(|at| now - *at).collect();
    ages.sort_unstable();
    let mut histogram = AgeHistogram::default();
    for age in &ages {
        histogram.add(*age);
    }
    OpenRequests {
        open: count(ages.len()),
        median_age: nearest_rank(&ages, 50),
        oldest_age: ages.last().copied(),
        ages: histogram,
    }
}

fn download_activity(downloads: &[DownloadFact], window: AnalyticsWindow) -> DownloadActivity {
    let week = Duration::weeks(1);
    let span = window.now() - window.since();
    let week_count =
        usize::try_from(span.whole_seconds().div_euclid(week.whole_seconds())).unwrap_or(0) + 1;
    let mut weeks: Vec<WeekDownloads> = (0..week_count)
        .map(|index| WeekDownloads {
            starts_at: window.since() + week * i32::try_from(index).unwrap_or(i32::MAX),
            downloads: 0,
        })
        .collect();
    for download in downloads {
        let offset = (download.at - window.since()).whole_seconds() / week.whole_seconds();
        if let Some(slot) = usize::try_from(offset)
            .ok()
            .and_then(|index| weeks.get_mut(index))
        {
            slot.downloads += 1;
        }
    }
    // A window of whole weeks ends where a new week would start: drop that empty instant.
    if weeks.len() > 1
        && weeks
            .last()
            .is_some_and(|last| last.starts_at >= window.now())
    {
        let spill = weeks.pop().map_or(0, |last| last.downloads);
        if let Some(last) = weeks.last_mut() {
            last.downloads += spill;
        }
    }
    let mut documents: Vec<DocumentId> = downloads.iter().map(|d| d.document).collect();
    documents.sort_unstable();
    documents.dedup();
    let mut people: Vec<Uuid> = downloads.iter().map(|d| d.downloader).collect();
    people.sort_unstable();
    people.dedup();
    DownloadActivity {
        downloads: count(downloads.len()),
        documents: count(documents.len()),
        people: count(people.len()),
        weeks,
    }
}

/// The clients whose reports the scope may read: `view_analytics` (else forbidden), on the
/// clients it works on.
/// Not a tenant-level check: that would also ask for `view_internal`, which the figures do not
/// show.
pub(crate) fn reportable_clients(scope: &TenantScope) -> StoreResult<ClientFilter> {
    let permission = Permission::ViewAnalytics;
    if !scope.is_staff_side() {
        return Err(rules::forbidden(Rule::TenantLevelObject));
    }
    if !scope.permissions_in(None).contains(permission) {
        return Err(rules::forbidden(Rule::MissingPermission { permission }));
    }
    Ok(scope.clients_with(permission))
}

/// Requires `view_analytics` on `client`: an unassigned client is not found. Backends call
/// [`reportable_clients`] before they look the client up, so that without the permission every
/// id is forbidden alike, found or not.
pub(crate) fn require_report(scope: &TenantScope, client: ClientId) -> StoreResult<()> {
    rules::require_in_client(scope, Permission::ViewAnalytics, client, Visibility::Shared)
}

/// A download as stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DownloadRow {
    pub(crate) id: Uuid,
    pub(crate) tenant: TenantId,
    pub(crate) client: ClientId,
    pub(crate) document: DocumentId,
    pub(crate) version: DocumentVersionId,
    pub(crate) user: Option<UserId>,
    pub(crate) share_link: Option<ShareLinkId>,
    pub(crate) by_staff: bool,
    pub(crate) at: OffsetDateTime,
}

impl DownloadRow {
    /// Who counts as the downloader: the share link, else the user.
    pub(crate) fn downloader(&self) -> Uuid {
        self.share_link.map_or_else(
            || self.user.map_or_else(Uuid::nil, |user| *user.as_uuid()),
            |link| *link.as_uuid(),
        )
    }
}

/// The row recording `download` of a version of `document` in `client` by the scope, which must
/// hold `download_documents` there. A scope without a user (a system job) must name the share
/// link the visitor came through.
pub(crate) fn download_row(
    scope: &TenantScope,
    download: NewDownload,
    client: ClientId,
    document: DocumentId,
) -> StoreResult<DownloadRow> {
    rules::require_in_client(
        scope,
        Permission::DownloadDocuments,
        client,
        Visibility::Shared,
    )?;
    let user = scope.principal().user_id();
    if user.is_none() && download.share_link.is_none() {
        return Err(invalid(
            "share_link",
            Invalid::Malformed("is required for a download by no user"),
        ));
    }
    Ok(DownloadRow {
        id: Uuid::now_v7(),
        tenant: scope.tenant_id(),
        client,
        document,
        version: download.version,
        user,
        share_link: download.share_link,
        by_staff: download.share_link.is_none() && scope.is_staff_side(),
        at: stored_time(download.at),
    })
}

/// Orders reports by client name (then id, for clients of one name), as every backend lists
/// them.
pub(crate) fn sort_by_client_name(reports: &mut [AdoptionReport]) {
    reports.sort_by(|a, b| {
        a.client_name
            .cmp(&b.client_name)
            .then_with(|| a.client.cmp(&b.client))
    });
}

/// A count as reported (saturating: no client has four billion of anything).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(values: &[i64]) -> Vec<Duration> {
        values.iter().map(|h| Duration::hours(*h)).collect()
    }

    #[test]
    fn nearest_rank_picks_values_that_occurred() {
        let ten = hours(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(nearest_rank(&ten, 50), Some(Duration::hours(5)));
        assert_eq!(nearest_rank(&ten, 90), Some(Duration::hours(9)));
        assert_eq!(nearest_rank(&ten, 100), Some(Duration::hours(10)));
        let one = hours(&[7]);
        assert_eq!(nearest_rank(&one, 50), Some(Duration::hours(7)));
        assert_eq!(nearest_rank(&one, 90), Some(Duration::hours(7)));
        assert_eq!(nearest_rank(&[], 50), None);
        let five = hours(&[10, 20, 30, 40, 50]);
        assert_eq!(nearest_rank(&five, 50), Some(Duration::hours(30)));
        assert_eq!(nearest_rank(&five, 90), Some(Duration::hours(50)));
    }

    #[test]
    fn windows_are_one_to_365_days() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1_000);
        assert!(AnalyticsWindow::last_days(now, 0).is_err());
        assert!(AnalyticsWindow::last_days(now, 366).is_err());
        let window = AnalyticsWindow::last_days(now, 30).unwrap();
        assert_eq!(window.now() - window.since(), Duration::days(30));
        assert!(window.contains(window.since()) && window.contains(now));
        assert!(!window.contains(now + Duration::seconds(1)));
    }

    #[test]
    fn open_requests_fall_into_brackets() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1_000);
        let submitted: Vec<_> = [1, 30, 24 * 8, 24 * 40]
            .iter()
            .map(|h| now - Duration::hours(*h))
            .collect();
        let open = open_requests(&submitted, now);
        assert_eq!(open.open, 4);
        assert_eq!(open.median_age, Some(Duration::hours(30)));
        assert_eq!(open.oldest_age, Some(Duration::hours(24 * 40)));
        assert_eq!(
            open.ages.buckets().map(|(_, n)| n),
            [1, 1, 1, 1],
            "one request per bracket"
        );
    }

    #[test]
    fn downloads_are_counted_per_week_of_the_window() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1_000);
        let window = AnalyticsWindow::last_days(now, 14).unwrap();
        let at = |days: i64| window.since() + Duration::days(days);
        let fact = |document: u128, who: u128, at| DownloadFact {
            document: DocumentId::from_uuid(Uuid::from_u128(document)),
            downloader: Uuid::from_u128(who),
            at,
        };
        let activity = download_activity(
            &[fact(1, 1, at(0)), fact(1, 2, at(8)), fact(2, 1, now)],
            window,
        );
        assert_eq!(
            (activity.downloads, activity.documents, activity.people),
            (3, 2, 2)
        );
        let per_week: Vec<u32> = activity.weeks.iter().map(|w| w.downloads).collect();
        assert_eq!(
            per_week,
            [1, 2],
            "the window's last instant belongs to its last week"
        );
    }
}
