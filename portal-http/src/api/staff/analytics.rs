//! `/analytics/clients`: how each client adopts the portal — contacts and their logins,
//! invitation to first login, approval turnaround, open requests, downloads — over the last
//! `days` days (`view_analytics`, on the clients the caller works on). Durations are hours,
//! to one decimal; medians and 90th percentiles are nearest-rank (see `docs/analytics.md`).

use axum::Json;
use axum::extract::State;
use portal_core::{ClientId, TenantScope, UserId};
use portal_storage::analytics::{AdoptionReport, AnalyticsWindow, Spread};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

use super::StaffCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::PortalState;

/// The window when none is asked for, in days.
pub const DEFAULT_DAYS: u16 = 30;

/// Which window to report on.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WindowQuery {
    /// How many days back from now, 1 to 365 (default 30).
    #[param(minimum = 1, maximum = 365)]
    pub days: Option<i64>,
}

impl WindowQuery {
    /// The window ending now; a day count out of range is invalid (`days`).
    pub(crate) fn window(&self) -> Result<AnalyticsWindow, ApiError> {
        // Out of `u16` is out of range too: 0 is refused with the same message.
        let days = self
            .days
            .map_or(DEFAULT_DAYS, |days| u16::try_from(days).unwrap_or(0));
        Ok(AnalyticsWindow::last_days(OffsetDateTime::now_utc(), days)?)
    }
}

/// A duration in hours, to one decimal.
fn hours(duration: Duration) -> f64 {
    let tenths = duration.whole_seconds() / 360;
    i32::try_from(tenths).map_or(f64::MAX, |tenths| f64::from(tenths) / 10.0)
}

fn hours_of(duration: Option<Duration>) -> Option<f64> {
    duration.map(hours)
}

/// How many values, with their median and 90th percentile in hours.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpreadView {
    /// How many values.
    pub count: u32,
    /// The median (nearest rank); `null` without values.
    pub median_hours: Option<f64>,
    /// The 90th percentile (nearest rank); `null` without values.
    pub p90_hours: Option<f64>,
}

impl From<Spread> for SpreadView {
    fn from(spread: Spread) -> Self {
        Self {
            count: spread.count,
            median_hours: hours_of(spread.median),
            p90_hours: hours_of(spread.p90),
        }
    }
}

/// A client's key figures, for the overview.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdoptionSummary {
    /// The client.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// Its name.
    pub client_name: String,
    /// Its contacts.
    pub contacts: u32,
    /// Contacts who logged in during the window.
    pub active_contacts: u32,
    /// The most recent login of any contact.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    /// Median hours from invitation to first login, for invitations sent in the window.
    pub first_login_median_hours: Option<f64>,
    /// Approvals decided in the window.
    pub approvals_decided: u32,
    /// Median hours from request to decision.
    pub approval_median_hours: Option<f64>,
    /// 90th percentile hours from request to decision.
    pub approval_p90_hours: Option<f64>,
    /// Approvals waiting now.
    pub pending_approvals: u32,
    /// Requests open now.
    pub open_requests: u32,
    /// The oldest open request's age, in hours.
    pub oldest_open_request_hours: Option<f64>,
    /// Downloads in the window.
    pub downloads: u32,
}

impl From<&AdoptionReport> for AdoptionSummary {
    fn from(report: &AdoptionReport) -> Self {
        Self {
            client_id: report.client,
            client_name: report.client_name.clone(),
            contacts: report.contacts.total,
            active_contacts: report.contacts.active,
            last_login_at: report
                .contacts
                .people
                .iter()
                .filter_map(|person| person.last_login_at)
                .max(),
            first_login_median_hours: hours_of(report.invitations.to_first_login.median),
            approvals_decided: report.approvals.decided.count,
            approval_median_hours: hours_of(report.approvals.decided.median),
            approval_p90_hours: hours_of(report.approvals.decided.p90),
            pending_approvals: report.approvals.pending,
            open_requests: report.requests.open,
            oldest_open_request_hours: hours_of(report.requests.oldest_age),
            downloads: report.downloads.downloads,
        }
    }
}

/// Every client's key figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdoptionOverview {
    /// The window's start.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// The window's end (now).
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    /// One entry per client the caller works on (archived ones left out), by name.
    pub clients: Vec<AdoptionSummary>,
}

/// A contact and their last login.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactLoginView {
    /// The contact.
    #[schema(value_type = String, format = Uuid)]
    pub user_id: UserId,
    /// Their name.
    pub name: String,
    /// Their last login; `null` if they never logged in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
}

/// The client's contacts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactsView {
    /// How many.
    pub total: u32,
    /// How many logged in during the window.
    pub active: u32,
    /// Each, most recent login first.
    pub people: Vec<ContactLoginView>,
}

/// Invitations sent in the window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationsView {
    /// Hours from invitation to first login, per accepted invitation followed by a login.
    pub to_first_login: SpreadView,
    /// Accepted, but no login yet.
    pub accepted_without_login: u32,
    /// Still open.
    pub pending: u32,
}

/// Approval turnaround.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalsView {
    /// Hours from request to decision, for approvals decided in the window.
    pub decided: SpreadView,
    /// Waiting now.
    pub pending: u32,
    /// How long the oldest waiting one has waited, in hours.
    pub oldest_pending_hours: Option<f64>,
}

/// One age bracket of open requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgeBucketView {
    /// `< 1 day`, `1–7 days`, `7–30 days` or `> 30 days`.
    pub label: &'static str,
    /// Open requests of that age.
    pub count: u32,
}

/// Requests open now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestsView {
    /// How many.
    pub open: u32,
    /// Their median age, in hours.
    pub median_age_hours: Option<f64>,
    /// The oldest one's age, in hours.
    pub oldest_age_hours: Option<f64>,
    /// How many fall in each age bracket, youngest first.
    pub ages: Vec<AgeBucketView>,
}

/// Downloads in one week.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeekView {
    /// The week's first moment (the window's start plus whole weeks).
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// Downloads in it.
    pub downloads: u32,
}

/// Downloads by the client's contacts and share links in the window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DownloadsView {
    /// How many.
    pub downloads: u32,
    /// Different documents.
    pub documents: u32,
    /// Different people (a share link counts as one).
    pub people: u32,
    /// Per week, oldest first.
    pub weeks: Vec<WeekView>,
}

/// Every adoption figure of one client.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdoptionReportView {
    /// The client.
    #[schema(value_type = String, format = Uuid)]
    pub client_id: ClientId,
    /// Its name.
    pub client_name: String,
    /// The window's start.
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// The window's end (now).
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
    /// Contacts and logins.
    pub contacts: ContactsView,
    /// Invitations and first logins.
    pub invitations: InvitationsView,
    /// Approval turnaround.
    pub approvals: ApprovalsView,
    /// Open requests.
    pub requests: RequestsView,
    /// Downloads.
    pub downloads: DownloadsView,
}

impl From<AdoptionReport> for AdoptionReportView {
    fn from(report: AdoptionReport) -> Self {
        Self {
            client_id: report.client,
            client_name: report.client_name,
            since: report.window.since(),
            until: report.window.now(),
            contacts: ContactsView {
                total: report.contacts.total,
                active: report.contacts.active,
                people: report
                    .contacts
                    .people
                    .into_iter()
                    .map(|person| ContactLoginView {
                        user_id: person.user,
                        name: person.name,
                        last_login_at: person.last_login_at,
                    })
                    .collect(),
            },
            invitations: InvitationsView {
                to_first_login: report.invitations.to_first_login.into(),
                accepted_without_login: report.invitations.accepted_without_login,
                pending: report.invitations.pending,
            },
            approvals: ApprovalsView {
                decided: report.approvals.decided.into(),
                pending: report.approvals.pending,
                oldest_pending_hours: hours_of(report.approvals.oldest_pending),
            },
            requests: RequestsView {
                open: report.requests.open,
                median_age_hours: hours_of(report.requests.median_age),
                oldest_age_hours: hours_of(report.requests.oldest_age),
                ages: report
                    .requests
                    .ages
                    .buckets()
                    .into_iter()
                    .map(|(label, count)| AgeBucketView { label, count })
                    .collect(),
            },
            downloads: DownloadsView {
                downloads: report.downloads.downloads,
                documents: report.downloads.documents,
                people: report.downloads.people,
                weeks: report
                    .downloads
                    .weeks
                    .into_iter()
                    .map(|week| WeekView {
                        starts_at: week.starts_at,
                        downloads: week.downloads,
                    })
                    .collect(),
            },
        }
    }
}

/// The overview of every client the scope works on.
pub(crate) async fn overview(
    state: &PortalState,
    scope: &TenantScope,
    window: AnalyticsWindow,
) -> Result<AdoptionOverview, ApiError> {
    let reports = state
        .stores()
        .analytics
        .adoption_reports(scope, window)
        .await?;
    Ok(AdoptionOverview {
        since: window.since(),
        until: window.now(),
        clients: reports.iter().map(AdoptionSummary::from).collect(),
    })
}

/// One client's full report.
pub(crate) async fn report(
    state: &PortalState,
    scope: &TenantScope,
    client: ClientId,
    window: AnalyticsWindow,
) -> Result<AdoptionReportView, ApiError> {
    let report = state
        .stores()
        .analytics
        .adoption_report(scope, client, window)
        .await?;
    Ok(report.into())
}

/// Every client's key adoption figures (`view_analytics`).
#[utoipa::path(get, path = "/analytics/clients", tag = "staff", params(WindowQuery),
    responses(
        (status = 200, body = AdoptionOverview),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `view_analytics`", body = ErrorBody),
        (status = 422, description = "`days` outside 1 to 365", body = ErrorBody),
    ))]
pub async fn list_client_adoption(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> Result<Json<AdoptionOverview>, ApiError> {
    let window = query.window()?;
    Ok(Json(overview(&state, &caller.scope, window).await?))
}

/// One client's adoption report, with its series (`view_analytics`).
#[utoipa::path(get, path = "/analytics/clients/{client_id}", tag = "staff",
    params(("client_id" = String, Path, format = Uuid), WindowQuery),
    responses(
        (status = 200, body = AdoptionReportView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `view_analytics`", body = ErrorBody),
        (status = 404, description = "No such client the caller works on", body = ErrorBody),
        (status = 422, description = "`days` outside 1 to 365", body = ErrorBody),
    ))]
pub async fn get_client_adoption(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiPath(client): ApiPath<ClientId>,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> Result<Json<AdoptionReportView>, ApiError> {
    let window = query.window()?;
    Ok(Json(report(&state, &caller.scope, client, window).await?))
}
