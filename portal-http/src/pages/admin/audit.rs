//! `admin/audit`: the tenant's audit log, newest first, filtered by actor, action, client and
//! days, a page at a time (`view_audit_log`); `admin/audit/export` downloads it as CSV or JSON
//! Lines through the API's own export function (`export_audit_log`), which records the export.
//!
//! Action and days are the store's filter, as in the API. Actor and client are narrowed here,
//! over the events the store returns: an event is about a client when its object is the client
//! or one of its projects, or its details name one of those. The export takes the action and
//! day filters, exactly as `GET /audit/export` does.

use std::collections::{HashMap, HashSet};

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{Actor, AuditEvent, AuditOutcome, User};
use portal_core::{ClientId, DomainError, Invalid, Permission, UserId};
use portal_storage::{AuditFilter, Cursor, Page};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, Time};
use uuid::Uuid;

use super::super::form::FormError;
use super::super::format::Formatter;
use super::super::signed::{Failure, SignedPage};
use super::names::{clients, people, person, projects};
use super::{LIST_PAGE, api_caller, may_use, require};
use crate::api::staff::audit::{ExportFormat, ExportQuery, export_audit_log};
use crate::error::ApiError;
use crate::extract::{ApiQuery, ClientIp};

const TEMPLATE: &str = "admin/audit.html";
/// The most events one page request reads from the store while narrowing by actor or client;
/// beyond it the page ends early and offers to go on.
const SCAN_LIMIT: usize = 2_000;

/// The filters as the form sends them.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
struct Filters {
    actor: String,
    action: String,
    client: String,
    from: String,
    to: String,
}

/// The filters, checked.
#[derive(Debug, Default)]
struct Checked {
    actor: Option<UserId>,
    client: Option<ClientId>,
    store: AuditFilter,
}

impl Filters {
    /// The checked filters, or the first field at fault.
    fn check(&self) -> Result<Checked, ApiError> {
        let id = |field: &'static str, text: &str| -> Result<Option<Uuid>, ApiError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            Uuid::try_parse(text)
                .map(Some)
                .map_err(|_| DomainError::validation(field, Invalid::Malformed("not an id")).into())
        };
        let day = |field: &'static str, text: &str| -> Result<Option<Date>, ApiError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            Date::parse(text, format_description!("[year]-[month]-[day]"))
                .map(Some)
                .map_err(|_| {
                    DomainError::validation(field, Invalid::Malformed("expected YYYY-MM-DD")).into()
                })
        };
        let actor = id("actor", &self.actor)?.map(UserId::from_uuid);
        let client = id("client", &self.client)?.map(ClientId::from_uuid);
        let from = day("from", &self.from)?;
        let to = day("to", &self.to)?;
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(DomainError::validation("to", Invalid::EndBeforeStart).into());
        }
        let action = self.action.trim();
        if action.chars().count() > 100 {
            return Err(DomainError::validation("action", Invalid::TooLong { max: 100 }).into());
        }
        Ok(Checked {
            actor,
            client,
            store: AuditFilter {
                action: (!action.is_empty()).then(|| action.to_owned()),
                from: from.map(|day| day.with_time(Time::MIDNIGHT).assume_utc()),
                // `to` is a whole day: up to the start of the next.
                until: to.map(|day| day.with_time(Time::MIDNIGHT).assume_utc() + Duration::DAY),
            },
        })
    }
}

#[derive(Debug, Serialize)]
struct AuditPage {
    filters: Filters,
    error: Option<FormError>,
    actors: Vec<Choice>,
    clients: Vec<Choice>,
    events: Vec<EventRow>,
    /// The URL of the next page, if there is one.
    older: Option<String>,
    /// Whether the viewer may export.
    export: bool,
    /// Whether actor or client filters are set, which the export does not take.
    narrowed: bool,
}

#[derive(Debug, Serialize)]
struct Choice {
    id: String,
    name: String,
    selected: bool,
}

#[derive(Debug, Serialize)]
struct EventRow {
    seq: i64,
    date: String,
    time: String,
    actor: String,
    actor_message: Option<&'static str>,
    action: String,
    object: Option<String>,
    outcome_message: &'static str,
    ip: Option<String>,
    /// The personal facts besides the address, as text (an email).
    personal: Option<String>,
    /// Whether the address and personal facts were erased.
    erased: bool,
}

/// `GET admin/audit?actor=&action=&client=&from=&to=&cursor=`.
pub(crate) async fn show(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    let result = show_log(&page, query.as_deref()).await;
    super::answer(&page, result)
}

async fn show_log(page: &SignedPage, query: Option<&str>) -> Result<Response, Failure> {
    require(page, Permission::ViewAuditLog)?;
    let filters: Filters = serde_html_form::from_str(query.unwrap_or_default()).unwrap_or_default();
    let formatter = page.formatter();
    let people = people(&page.state, &page.scope).await?;
    let clients = clients(&page.state, &page.scope).await?;
    let mut view = AuditPage {
        actors: choices(
            people
                .values()
                .map(|user| (user.id.to_string(), label(user))),
            &filters.actor,
        ),
        clients: choices(
            clients
                .iter()
                .map(|client| (client.id.to_string(), client.name.as_str().to_owned())),
            &filters.client,
        ),
        filters: filters.clone(),
        error: None,
        events: Vec::new(),
        older: None,
        export: may_use(&page.scope, Permission::ExportAuditLog),
        narrowed: false,
    };
    let checked = match filters.check() {
        Ok(checked) => checked,
        Err(error) => {
            view.error = Some(match page.form_error(error) {
                Ok(error) => error,
                Err(response) => return Ok(response),
            });
            return Ok(page.render_status(StatusCode::UNPROCESSABLE_ENTITY, TEMPLATE, view));
        }
    };
    view.narrowed = checked.actor.is_some() || checked.client.is_some();
    let about = match checked.client {
        Some(client) => Some(client_ids(page, client).await?),
        None => None,
    };
    let (events, next) = read(page, &checked, about.as_ref(), super::cursor(query)).await?;
    view.events = events
        .into_iter()
        .map(|event| row(&formatter, &people, event))
        .collect::<Result<_, _>>()?;
    if let Some(next) = next {
        let older = Older {
            filters,
            cursor: next.to_string(),
        };
        let query =
            serde_html_form::to_string(&older).map_err(super::super::page::PageError::internal)?;
        view.older = Some(format!("{}/admin/audit?{query}", page.page.base));
    }
    Ok(page.render(TEMPLATE, view))
}

/// The query of the "older" link: the same filters, after the last event shown.
#[derive(Debug, Serialize)]
struct Older {
    #[serde(flatten)]
    filters: Filters,
    cursor: String,
}

/// The choices of a select, the one with `selected`'s id marked, sorted by name.
fn choices(items: impl Iterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
    let mut choices: Vec<Choice> = items
        .map(|(id, name)| Choice {
            selected: id == selected,
            id,
            name,
        })
        .collect();
    choices.sort_by_key(|choice| choice.name.to_lowercase());
    choices
}

fn label(user: &User) -> String {
    format!("{} ({})", user.name.as_str(), user.email.as_str())
}

/// The ids that make an event about `client`: the client and its projects.
async fn client_ids(page: &SignedPage, client: ClientId) -> Result<HashSet<Uuid>, Failure> {
    let mut ids: HashSet<Uuid> = projects(&page.state, &page.scope, Some(client))
        .await?
        .into_iter()
        .map(|project| *project.id.as_uuid())
        .collect();
    ids.insert(*client.as_uuid());
    Ok(ids)
}

/// Up to a page of matching events after `cursor`, and where the next page starts.
async fn read(
    page: &SignedPage,
    checked: &Checked,
    about: Option<&HashSet<Uuid>>,
    cursor: Option<Cursor>,
) -> Result<(Vec<AuditEvent>, Option<Cursor>), Failure> {
    let wanted = LIST_PAGE as usize;
    let narrowing = checked.actor.is_some() || about.is_some();
    let size = if narrowing {
        Page::MAX_LIMIT
    } else {
        LIST_PAGE
    };
    let mut store_page = Page::first(size).map_err(ApiError::from)?.after(cursor);
    let mut found = Vec::new();
    let mut scanned = 0;
    loop {
        let paged = page
            .state
            .stores()
            .audit
            .list_events(&page.scope, checked.store.clone(), store_page)
            .await?;
        let count = paged.items.len();
        for (index, event) in paged.items.into_iter().enumerate() {
            scanned += 1;
            let last = Cursor::after(*event.id.as_uuid());
            // Where the next page starts: nowhere after the log's last event.
            let next = (index + 1 < count || paged.next.is_some()).then_some(last);
            if matches(&event, checked.actor, about) {
                found.push(event);
                if found.len() == wanted {
                    return Ok((found, next));
                }
            }
            if scanned >= SCAN_LIMIT {
                return Ok((found, next));
            }
        }
        match paged.next {
            Some(next) => store_page = store_page.after(Some(next)),
            None => return Ok((found, None)),
        }
    }
}

/// Whether `event` is by `actor` (in person or in a preview) and about one of `about`'s ids.
fn matches(event: &AuditEvent, actor: Option<UserId>, about: Option<&HashSet<Uuid>>) -> bool {
    let by = actor.is_none_or(|actor| match event.actor {
        Actor::User(user) | Actor::Preview(user) => user == actor,
        Actor::ApiKey(_) | Actor::ShareLink(_) | Actor::Anonymous | Actor::System => false,
    });
    let concerns = about.is_none_or(|ids| {
        event
            .object
            .as_ref()
            .is_some_and(|object| ids.contains(&object.id))
            || names_any(&event.details, ids)
    });
    by && concerns
}

/// Whether the details name one of `ids` as a value (or in a list) at their top level.
fn names_any(details: &serde_json::Value, ids: &HashSet<Uuid>) -> bool {
    let is_one = |value: &serde_json::Value| {
        value
            .as_str()
            .and_then(|text| Uuid::try_parse(text).ok())
            .is_some_and(|id| ids.contains(&id))
    };
    details.as_object().is_some_and(|fields| {
        fields.values().any(|value| {
            is_one(value)
                || value
                    .as_array()
                    .is_some_and(|items| items.iter().any(is_one))
        })
    })
}

fn row(
    formatter: &Formatter<'_>,
    people: &HashMap<UserId, User>,
    event: AuditEvent,
) -> Result<EventRow, Failure> {
    let (actor, actor_message) = match event.actor {
        Actor::User(user) => (person(people, user), None),
        Actor::Preview(user) => (person(people, user), Some("admin-audit-actor-preview")),
        Actor::ApiKey(key) => (key.to_string(), Some("admin-audit-actor-api-key")),
        Actor::ShareLink(link) => (link.to_string(), Some("admin-audit-actor-share-link")),
        Actor::Anonymous => (String::new(), Some("admin-audit-actor-anonymous")),
        Actor::System => (String::new(), Some("admin-audit-actor-system")),
    };
    let at = event.occurred_at;
    Ok(EventRow {
        seq: event.seq,
        date: formatter.date(at.date())?,
        time: format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second()),
        actor,
        actor_message,
        action: event.action,
        object: event
            .object
            .map(|object| format!("{} {}", object.kind, object.id)),
        outcome_message: match event.outcome {
            AuditOutcome::Success => "admin-audit-outcome-success",
            AuditOutcome::Failure => "admin-audit-outcome-failure",
            AuditOutcome::Denied => "admin-audit-outcome-denied",
        },
        ip: event.ip.map(|ip| ip.to_string()),
        personal: event.personal.as_ref().map(personal_text),
        erased: event.erased_at.is_some(),
    })
}

/// Personal facts as a reader wants them: the values, not the JSON (`{"email": "x"}` → `x`).
fn personal_text(personal: &serde_json::Value) -> String {
    match personal {
        serde_json::Value::Object(fields) => fields
            .values()
            .map(|value| {
                value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The export's query: a format and the store's filters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExportFields {
    format: String,
    action: String,
    from: String,
    to: String,
}

/// `GET admin/audit/export?format=csv|jsonl&action=&from=&to=`: the download, from the API's
/// export function. Filters that do not parse show the log again with the message.
pub(crate) async fn export(page: SignedPage, ip: ClientIp, RawQuery(query): RawQuery) -> Response {
    let result = export_log(&page, ip, query.as_deref()).await;
    super::answer(&page, result)
}

async fn export_log(
    page: &SignedPage,
    ip: ClientIp,
    query: Option<&str>,
) -> Result<Response, Failure> {
    require(page, Permission::ViewAuditLog)?;
    require(page, Permission::ExportAuditLog)?;
    let fields: ExportFields =
        serde_html_form::from_str(query.unwrap_or_default()).unwrap_or_default();
    let format = match fields.format.as_str() {
        "jsonl" => ExportFormat::Jsonl,
        _ => ExportFormat::Csv,
    };
    let filters = Filters {
        action: fields.action,
        from: fields.from,
        to: fields.to,
        ..Filters::default()
    };
    let checked = match filters.check() {
        Ok(checked) => checked,
        // The list page says what is wrong, next to the field.
        Err(_) => {
            let query = serde_html_form::to_string(&filters)
                .map_err(super::super::page::PageError::internal)?;
            return show_log(page, Some(&query)).await;
        }
    };
    let moment = |at: Option<time::OffsetDateTime>| at.and_then(|at| at.format(&Rfc3339).ok());
    let query = ExportQuery {
        format,
        action: checked.store.action,
        from: moment(checked.store.from),
        until: moment(checked.store.until),
    };
    let response = export_audit_log(
        api_caller(page),
        State(page.state.clone()),
        ip,
        ApiQuery(query),
    )
    .await?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use portal_core::model::ObjectRef;
    use portal_core::state::Sha256Digest;
    use portal_core::{AuditEventId, TenantId};
    use time::OffsetDateTime;

    use super::*;

    fn event(actor: Actor, object: Option<Uuid>, details: serde_json::Value) -> AuditEvent {
        AuditEvent {
            id: AuditEventId::new(),
            tenant: TenantId::new(),
            seq: 1,
            occurred_at: OffsetDateTime::UNIX_EPOCH,
            actor,
            action: "x.y".to_owned(),
            object: object.map(|id| ObjectRef {
                kind: "project".to_owned(),
                id,
            }),
            outcome: AuditOutcome::Success,
            ip: None,
            details,
            hash_version: portal_core::model::HashVersion::V2,
            subject: None,
            personal: None,
            personal_salt: None,
            personal_digest: None,
            erased_at: None,
            prev_hash: Sha256Digest::from_bytes([0; 32]),
            hash: Sha256Digest::from_bytes([0; 32]),
        }
    }

    #[test]
    fn events_are_narrowed_by_actor_and_client() {
        let (ada, bob) = (UserId::new(), UserId::new());
        let (project, other) = (Uuid::now_v7(), Uuid::now_v7());
        let ids: HashSet<Uuid> = [project].into();
        let by_ada = event(Actor::User(ada), Some(project), serde_json::Value::Null);
        assert!(matches(&by_ada, Some(ada), Some(&ids)));
        assert!(!matches(&by_ada, Some(bob), None));
        assert!(matches(
            &event(Actor::Preview(ada), None, serde_json::Value::Null),
            Some(ada),
            None
        ));
        let named = event(
            Actor::System,
            Some(other),
            serde_json::json!({ "project": project.to_string() }),
        );
        assert!(matches(&named, None, Some(&ids)));
        assert!(!matches(&named, Some(ada), None));
        let listed = event(
            Actor::System,
            None,
            serde_json::json!({ "clients": [project.to_string()] }),
        );
        assert!(matches(&listed, None, Some(&ids)));
        let elsewhere = event(Actor::System, Some(other), serde_json::json!({ "n": 1 }));
        assert!(!matches(&elsewhere, None, Some(&ids)));
    }

    #[test]
    fn filters_are_checked_and_days_are_whole() {
        let filters = Filters {
            from: "2026-03-01".to_owned(),
            to: "2026-03-01".to_owned(),
            action: " role.changed ".to_owned(),
            ..Filters::default()
        };
        let checked = filters.check().unwrap();
        assert_eq!(checked.store.action.as_deref(), Some("role.changed"));
        let (from, until) = (checked.store.from.unwrap(), checked.store.until.unwrap());
        assert_eq!(until - from, Duration::DAY);
        let backwards = Filters {
            from: "2026-03-02".to_owned(),
            to: "2026-03-01".to_owned(),
            ..Filters::default()
        };
        assert!(matches!(
            backwards.check(),
            Err(ApiError::Invalid { fields, .. }) if fields == ["to"]
        ));
        let bad = Filters {
            actor: "nobody".to_owned(),
            ..Filters::default()
        };
        assert!(matches!(
            bad.check(),
            Err(ApiError::Invalid { fields, .. }) if fields == ["actor"]
        ));
    }
}
