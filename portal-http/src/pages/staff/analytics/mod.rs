//! `staff/analytics`: how each client adopts the portal — an overview table of every client the
//! viewer works on, and one client's page with charts (downloads per week, open requests by
//! age, approval turnaround, contacts' last logins), each also shown as a table. The window is
//! chosen with a small form (7, 30, 90 or 365 days). The same store calls as
//! `GET /analytics/clients` and `GET /analytics/clients/{id}` (`view_analytics`).

mod charts;

use axum::extract::{Path, RawQuery};
use axum::response::Response;
use portal_core::{ClientId, Permission};
use portal_storage::analytics::{AdoptionReport, AnalyticsWindow};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use self::charts::{Chart, Datum, columns, rows};
use super::super::format::Formatter;
use super::super::signed::{Failure, SignedPage};
use super::invites::Choice;
use super::shared::{id, opens, query};
use crate::api::staff::analytics::{DEFAULT_DAYS, WindowQuery};
use crate::pages::catalogue::Arg;

/// Who may open these pages.
const ANALYTICS: &[Permission] = &[Permission::ViewAnalytics];

/// The windows the form offers, in days.
const WINDOWS: [u16; 4] = [7, 30, 90, 365];

/// The window's query: `?days=30`.
#[derive(Debug, Default, Deserialize)]
struct DaysQuery {
    #[serde(default)]
    days: Option<i64>,
}

/// The window the query asks for, and the form's choices.
fn window(
    raw: Option<&str>,
    formatter: Formatter<'_>,
) -> Result<(AnalyticsWindow, u16, Vec<Choice>), Failure> {
    let asked: DaysQuery = query(raw)?;
    let window = WindowQuery { days: asked.days }.window()?;
    let days = asked
        .days
        .and_then(|days| u16::try_from(days).ok())
        .unwrap_or(DEFAULT_DAYS);
    let choices = WINDOWS
        .iter()
        .map(|choice| {
            Ok(Choice {
                value: choice.to_string(),
                label: formatter.text_with(
                    "staff-analytics-window-days",
                    &[("days", Arg::Text(choice.to_string().into()))],
                )?,
                selected: *choice == days,
            })
        })
        .collect::<Result<_, Failure>>()?;
    Ok((window, days, choices))
}

/// A duration as people read it: hours under two days, days beyond, one decimal.
fn span(formatter: Formatter<'_>, duration: Duration) -> Result<String, Failure> {
    let seconds = u64::try_from(duration.whole_seconds()).unwrap_or(0);
    let (id, tenths) = if duration < Duration::days(2) {
        ("staff-analytics-hours", seconds / 360)
    } else {
        ("staff-analytics-days", seconds / 8_640)
    };
    Ok(formatter.text_with(id, &[("n", Arg::Text(formatter.tenths(tenths).into()))])?)
}

/// An optional duration; a dash without one.
fn maybe_span(formatter: Formatter<'_>, duration: Option<Duration>) -> Result<String, Failure> {
    duration.map_or_else(|| Ok("–".to_owned()), |duration| span(formatter, duration))
}

/// A moment's day; `never` without one.
fn day_or_never(formatter: Formatter<'_>, at: Option<OffsetDateTime>) -> Result<String, Failure> {
    Ok(match at {
        Some(at) => formatter.date(at.date())?,
        None => formatter.text("staff-analytics-never")?,
    })
}

/// One client's line of the overview.
#[derive(Debug, Serialize)]
struct OverviewRow {
    name: String,
    href: String,
    contacts: u32,
    active: u32,
    last_login: String,
    first_login: String,
    turnaround_median: String,
    turnaround_p90: String,
    pending_approvals: u32,
    open_requests: u32,
    oldest_request: String,
    downloads: u32,
}

#[derive(Debug, Serialize)]
struct OverviewView {
    windows: Vec<Choice>,
    days: u16,
    clients: Vec<OverviewRow>,
}

/// `GET staff/analytics`.
pub(crate) async fn overview(page: SignedPage, RawQuery(raw): RawQuery) -> Response {
    match render_overview(&page, raw.as_deref()).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

async fn render_overview(page: &SignedPage, raw: Option<&str>) -> Result<Response, Failure> {
    opens(page, ANALYTICS)?;
    let formatter = page.formatter();
    let (window, days, windows) = window(raw, formatter)?;
    let reports = page
        .state
        .stores()
        .analytics
        .adoption_reports(&page.scope, window)
        .await?;
    let base = &page.page.base;
    let clients = reports
        .iter()
        .map(|report| {
            let last_login = report
                .contacts
                .people
                .iter()
                .filter_map(|person| person.last_login_at)
                .max();
            Ok(OverviewRow {
                name: report.client_name.clone(),
                href: format!("{base}/staff/analytics/{}?days={days}", report.client),
                contacts: report.contacts.total,
                active: report.contacts.active,
                last_login: day_or_never(formatter, last_login)?,
                first_login: maybe_span(formatter, report.invitations.to_first_login.median)?,
                turnaround_median: maybe_span(formatter, report.approvals.decided.median)?,
                turnaround_p90: maybe_span(formatter, report.approvals.decided.p90)?,
                pending_approvals: report.approvals.pending,
                open_requests: report.requests.open,
                oldest_request: maybe_span(formatter, report.requests.oldest_age)?,
                downloads: report.downloads.downloads,
            })
        })
        .collect::<Result<_, Failure>>()?;
    let view = OverviewView {
        windows,
        days,
        clients,
    };
    Ok(page.render("staff/analytics.html", view))
}

/// A labelled number of the client page's summary.
#[derive(Debug, Serialize)]
struct Figure {
    label: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct ClientView {
    name: String,
    windows: Vec<Choice>,
    days: u16,
    action: String,
    overview_href: String,
    figures: Vec<Figure>,
    downloads: Chart,
    request_ages: Chart,
    turnaround: Chart,
    logins: Chart,
}

/// `GET staff/analytics/{client}`.
pub(crate) async fn client(
    page: SignedPage,
    Path(client): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    match render_client(&page, &client, raw.as_deref()).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

async fn render_client(
    page: &SignedPage,
    client: &str,
    raw: Option<&str>,
) -> Result<Response, Failure> {
    opens(page, ANALYTICS)?;
    let client: ClientId = id(client)?;
    let formatter = page.formatter();
    let (window, days, windows) = window(raw, formatter)?;
    let report = page
        .state
        .stores()
        .analytics
        .adoption_report(&page.scope, client, window)
        .await?;
    let base = &page.page.base;
    let view = ClientView {
        name: report.client_name.clone(),
        windows,
        days,
        action: format!("{base}/staff/analytics/{client}"),
        overview_href: format!("{base}/staff/analytics?days={days}"),
        figures: figures(formatter, &report)?,
        downloads: downloads_chart(formatter, &report)?,
        request_ages: request_ages_chart(formatter, &report)?,
        turnaround: turnaround_chart(formatter, &report)?,
        logins: logins_chart(formatter, &report)?,
    };
    Ok(page.render("staff/analytics_client.html", view))
}

/// The summary's numbers, each with its label.
fn figures(formatter: Formatter<'_>, report: &AdoptionReport) -> Result<Vec<Figure>, Failure> {
    let figure = |label: &str, value: String| {
        Ok::<_, Failure>(Figure {
            label: formatter.text(label)?,
            value,
        })
    };
    let invitations = &report.invitations;
    Ok(vec![
        figure(
            "staff-analytics-contacts",
            report.contacts.total.to_string(),
        )?,
        figure(
            "staff-analytics-active-contacts",
            report.contacts.active.to_string(),
        )?,
        figure(
            "staff-analytics-first-login-median",
            maybe_span(formatter, invitations.to_first_login.median)?,
        )?,
        figure(
            "staff-analytics-first-login-p90",
            maybe_span(formatter, invitations.to_first_login.p90)?,
        )?,
        figure(
            "staff-analytics-accepted-without-login",
            invitations.accepted_without_login.to_string(),
        )?,
        figure(
            "staff-analytics-pending-invitations",
            invitations.pending.to_string(),
        )?,
        figure(
            "staff-analytics-pending-approvals",
            report.approvals.pending.to_string(),
        )?,
        figure(
            "staff-analytics-oldest-pending-approval",
            maybe_span(formatter, report.approvals.oldest_pending)?,
        )?,
        figure(
            "staff-analytics-open-requests",
            report.requests.open.to_string(),
        )?,
        figure(
            "staff-analytics-median-request-age",
            maybe_span(formatter, report.requests.median_age)?,
        )?,
        figure(
            "staff-analytics-downloads",
            report.downloads.downloads.to_string(),
        )?,
        figure(
            "staff-analytics-documents-downloaded",
            report.downloads.documents.to_string(),
        )?,
        figure(
            "staff-analytics-people-downloading",
            report.downloads.people.to_string(),
        )?,
    ])
}

fn downloads_chart(formatter: Formatter<'_>, report: &AdoptionReport) -> Result<Chart, Failure> {
    let data = report
        .downloads
        .weeks
        .iter()
        .map(|week| {
            let day = week.starts_at.date();
            Ok(Datum {
                label: formatter.text_with(
                    "staff-analytics-short-date",
                    &[
                        ("day", Arg::Text(day.day().to_string().into())),
                        ("month", Arg::Text(u8::from(day.month()).to_string().into())),
                    ],
                )?,
                name: formatter.date(day)?,
                size: u64::from(week.downloads),
                value: week.downloads.to_string(),
            })
        })
        .collect::<Result<_, Failure>>()?;
    Ok(columns(
        "downloads",
        formatter.text("staff-analytics-downloads-title")?,
        formatter.text("staff-analytics-downloads-description")?,
        data,
    ))
}

fn request_ages_chart(formatter: Formatter<'_>, report: &AdoptionReport) -> Result<Chart, Failure> {
    let labels = [
        "staff-analytics-age-under-a-day",
        "staff-analytics-age-up-to-a-week",
        "staff-analytics-age-up-to-30-days",
        "staff-analytics-age-older",
    ];
    let data = labels
        .iter()
        .zip(report.requests.ages.buckets())
        .map(|(label, (_, count))| {
            let label = formatter.text(label)?;
            Ok(Datum {
                name: label.clone(),
                label,
                size: u64::from(count),
                value: count.to_string(),
            })
        })
        .collect::<Result<_, Failure>>()?;
    Ok(columns(
        "request-ages",
        formatter.text("staff-analytics-request-ages-title")?,
        formatter.text("staff-analytics-request-ages-description")?,
        data,
    ))
}

fn seconds(duration: Duration) -> u64 {
    u64::try_from(duration.whole_seconds()).unwrap_or(0)
}

fn turnaround_chart(formatter: Formatter<'_>, report: &AdoptionReport) -> Result<Chart, Failure> {
    let decided = report.approvals.decided;
    let mut data = Vec::new();
    for (label, value) in [
        ("staff-analytics-median", decided.median),
        ("staff-analytics-p90", decided.p90),
    ] {
        if let Some(value) = value {
            let label = formatter.text(label)?;
            data.push(Datum {
                name: label.clone(),
                label,
                size: seconds(value),
                value: span(formatter, value)?,
            });
        }
    }
    Ok(rows(
        "turnaround",
        formatter.text("staff-analytics-turnaround-title")?,
        formatter.text_with(
            "staff-analytics-turnaround-description",
            &[("count", Arg::Text(decided.count.to_string().into()))],
        )?,
        data,
    ))
}

fn logins_chart(formatter: Formatter<'_>, report: &AdoptionReport) -> Result<Chart, Failure> {
    let now = report.window.now();
    let data = report
        .contacts
        .people
        .iter()
        .map(|person| {
            let (size, value) = match person.last_login_at {
                Some(at) => (seconds(now - at), formatter.date(at.date())?),
                None => (0, formatter.text("staff-analytics-never")?),
            };
            Ok(Datum {
                label: person.name.clone(),
                name: person.name.clone(),
                size,
                value,
            })
        })
        .collect::<Result<_, Failure>>()?;
    Ok(rows(
        "logins",
        formatter.text("staff-analytics-logins-title")?,
        formatter.text("staff-analytics-logins-description")?,
        data,
    ))
}
