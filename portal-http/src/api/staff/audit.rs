//! `/audit`: the tenant's hash-chained audit log, newest first, filtered by action and time —
//! as JSON pages, or exported whole as CSV or JSON Lines. An export streams page by page, so
//! a long log is never held in memory, and is itself recorded in the log.

use std::sync::Arc;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portal_core::model::{Actor, AuditEvent, AuditOutcome, NewAuditEvent};
use portal_core::{AuditEventId, Permission, ResourceFacts, TenantScope};
use portal_storage::{AuditFilter, AuditStore, Cursor, Page, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::{StaffCaller, instant};
use crate::api::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, ClientIp};
use crate::state::PortalState;

/// Events per store call while exporting.
const EXPORT_PAGE: u32 = Page::MAX_LIMIT;
/// The CSV columns, in order.
const CSV_HEADER: &str = "seq,occurred_at,actor_kind,actor_id,action,object_kind,object_id,outcome,ip,details,personal,hash\r\n";
/// What the `ip` and `personal` cells say of an event whose personal facts were erased.
pub(crate) const ERASED: &str = "erased";

/// One audit event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    /// The event's id.
    #[schema(value_type = String, format = Uuid)]
    pub id: AuditEventId,
    /// Its place in the tenant's chain: 1, 2, 3 …
    pub seq: i64,
    /// When, in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// `user`, `preview`, `api_key`, `share_link`, `anonymous` or `system`.
    pub actor_kind: &'static str,
    /// The user, key or link, if any.
    pub actor_id: Option<String>,
    /// What happened, as `object.verb`.
    pub action: String,
    /// The kind of object it happened to.
    pub object_kind: Option<String>,
    /// The object's id.
    pub object_id: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: &'static str,
    /// The client address (a personal fact; `null` once erased).
    pub ip: Option<String>,
    /// More facts (never secrets, never personal facts).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Personal facts, e.g. the email of a failed login or an invitation (`null` once erased).
    #[schema(value_type = Option<Object>)]
    pub personal: Option<serde_json::Value>,
    /// Whose personal facts they are, when known.
    pub subject_id: Option<String>,
    /// Whether the personal facts (address and `personal`) were erased; the chain still
    /// verifies through their commitment.
    pub erased: bool,
    /// How the hash is computed: 1 over every field (nothing can be erased), 2 over the
    /// personal facts' salted commitment instead of the facts.
    pub hash_version: u8,
    /// The previous event's hash (hex).
    pub prev_hash: String,
    /// This event's hash (hex).
    pub hash: String,
}

impl From<AuditEvent> for AuditEventView {
    fn from(event: AuditEvent) -> Self {
        let (actor_kind, actor_id) = match event.actor {
            Actor::User(id) => ("user", Some(id.to_string())),
            Actor::Preview(id) => ("preview", Some(id.to_string())),
            Actor::ApiKey(id) => ("api_key", Some(id.to_string())),
            Actor::ShareLink(id) => ("share_link", Some(id.to_string())),
            Actor::Anonymous => ("anonymous", None),
            Actor::System => ("system", None),
        };
        let outcome = match event.outcome {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
            AuditOutcome::Denied => "denied",
        };
        let (object_kind, object_id) = event
            .object
            .map(|object| (object.kind, object.id.to_string()))
            .unzip();
        Self {
            id: event.id,
            seq: event.seq,
            occurred_at: event.occurred_at,
            actor_kind,
            actor_id,
            action: event.action,
            object_kind,
            object_id,
            outcome,
            ip: event.ip.map(|ip| ip.to_string()),
            details: event.details,
            erased: event.erased_at.is_some(),
            personal: event.personal,
            subject_id: event.subject.map(|user| user.to_string()),
            hash_version: event.hash_version.number(),
            prev_hash: event.prev_hash.to_hex(),
            hash: event.hash.to_hex(),
        }
    }
}

/// Which events to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this action, e.g. `approval.decided`.
    pub action: Option<String>,
    /// Only events at or after this moment (RFC 3339).
    pub from: Option<String>,
    /// Only events before this moment (RFC 3339).
    pub until: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Comma-separated values (RFC 4180), one event per row, with a header row.
    Csv,
    /// JSON Lines: one JSON object per line.
    Jsonl,
}

impl ExportFormat {
    const fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Jsonl => "jsonl",
        }
    }
}

/// Which events to export, and how.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` or `jsonl`.
    #[param(value_type = String)]
    pub format: ExportFormat,
    /// Only this action.
    pub action: Option<String>,
    /// Only events at or after this moment (RFC 3339).
    pub from: Option<String>,
    /// Only events before this moment (RFC 3339).
    pub until: Option<String>,
}

fn filter(
    action: Option<String>,
    from: Option<&str>,
    until: Option<&str>,
) -> Result<AuditFilter, ApiError> {
    Ok(AuditFilter {
        action: super::non_blank(action),
        from: from.map(|text| instant("from", text)).transpose()?,
        until: until.map(|text| instant("until", text)).transpose()?,
    })
}

/// The tenant's audit events, newest first (`view_audit_log`).
#[utoipa::path(get, path = "/audit", tag = "staff", params(AuditQuery),
    responses(
        (status = 200, body = PageOf<AuditEventView>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `view_audit_log`", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn list_audit_events(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<PageOf<AuditEventView>>, ApiError> {
    let filter = filter(query.action, query.from.as_deref(), query.until.as_deref())?;
    let page = PageQuery::page_of(query.limit, query.cursor)?;
    let paged = state
        .stores()
        .audit
        .list_events(&caller.scope, filter, page)
        .await?;
    Ok(Json(PageOf::map(paged, AuditEventView::from)))
}

/// The tenant's audit events, newest first, as one CSV or JSON Lines download
/// (`export_audit_log` and `view_audit_log`). CSV cells that a spreadsheet would run as a
/// formula are prefixed with `'`.
#[utoipa::path(get, path = "/audit/export", tag = "staff", params(ExportQuery),
    responses(
        (status = 200, description = "The events, streamed", content(
            (String = "text/csv"),
            (String = "application/x-ndjson"),
        )),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `export_audit_log`", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn export_audit_log(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let scope = caller.scope;
    // No store method exports, so the export permission is asked of core's policy here;
    // listing still checks `view_audit_log` in the store.
    scope
        .require(
            Permission::ExportAuditLog,
            &ResourceFacts::of_tenant(scope.tenant_id()),
        )
        .map_err(StoreError::from)?;
    let format = query.format;
    let filter = filter(query.action, query.from.as_deref(), query.until.as_deref())?;
    let store = Arc::clone(&state.stores().audit);
    let page = Page::first(EXPORT_PAGE)?;
    // The first page before any byte is sent, so a refusal is still a proper error answer.
    let first = store.list_events(&scope, filter.clone(), page).await?;
    let event = NewAuditEvent::by(&scope, "audit.exported", None).with_details(json!({
        "format": format.name(),
        "action": filter.action,
        "from": filter.from.map(|at| at.unix_timestamp()),
        "until": filter.until.map(|at| at.unix_timestamp()),
    }));
    store.append(&scope, event, &ip.audit()).await?;

    let pager = Pager {
        store,
        scope,
        filter,
        page,
        pending: Some((first.items, first.next)),
        header: format == ExportFormat::Csv,
        format,
    };
    let stream = futures_util::stream::try_unfold(pager, Pager::next_chunk);
    let (content_type, file) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "audit-log.csv"),
        ExportFormat::Jsonl => ("application/x-ndjson", "audit-log.jsonl"),
    };
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Walks the log page by page for an export.
struct Pager {
    store: Arc<dyn AuditStore>,
    scope: TenantScope,
    filter: AuditFilter,
    page: Page,
    /// A page fetched but not yet sent, and where the next one starts.
    pending: Option<(Vec<AuditEvent>, Option<Cursor>)>,
    /// Whether the CSV header is still to be sent.
    header: bool,
    format: ExportFormat,
}

impl Pager {
    /// The next chunk of the file, or `None` at the end.
    async fn next_chunk(mut self) -> Result<Option<(Bytes, Self)>, StoreError> {
        let Some((items, next)) = self.pending.take() else {
            return Ok(None);
        };
        if let Some(cursor) = next {
            let paged = self
                .store
                .list_events(
                    &self.scope,
                    self.filter.clone(),
                    self.page.after(Some(cursor)),
                )
                .await
                .inspect_err(|error| tracing::error!(%error, "audit export failed"))?;
            self.pending = Some((paged.items, paged.next));
        }
        let mut chunk = String::new();
        if std::mem::take(&mut self.header) {
            chunk.push_str(CSV_HEADER);
        }
        for event in items {
            let view = AuditEventView::from(event);
            match self.format {
                ExportFormat::Csv => csv_row(&mut chunk, &view),
                ExportFormat::Jsonl => {
                    chunk.push_str(&serde_json::to_string(&view).unwrap_or_default());
                    chunk.push('\n');
                }
            }
        }
        Ok(Some((Bytes::from(chunk), self)))
    }
}

/// Appends one event as a CSV row.
fn csv_row(out: &mut String, view: &AuditEventView) {
    let occurred_at = view
        .occurred_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let cells = [
        view.seq.to_string(),
        occurred_at,
        view.actor_kind.to_owned(),
        view.actor_id.clone().unwrap_or_default(),
        view.action.clone(),
        view.object_kind.clone().unwrap_or_default(),
        view.object_id.clone().unwrap_or_default(),
        view.outcome.to_owned(),
        erased_or(view, view.ip.clone()),
        view.details.to_string(),
        erased_or(
            view,
            view.personal.as_ref().map(serde_json::Value::to_string),
        ),
        view.hash.clone(),
    ];
    for (index, cell) in cells.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str(&csv_cell(cell));
    }
    out.push_str("\r\n");
}

/// A personal-facts cell: "erased" once erased, else the fact or nothing.
fn erased_or(view: &AuditEventView, fact: Option<String>) -> String {
    if view.erased {
        ERASED.to_owned()
    } else {
        fact.unwrap_or_default()
    }
}

/// One CSV cell: quoted when it holds a separator, quote or line break (RFC 4180), and
/// prefixed with `'` when a spreadsheet would read it as a formula (CSV injection).
fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn formulas_are_defused_and_separators_quoted() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell(""), "");
    }
}
