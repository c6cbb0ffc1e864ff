//! `GET notifications`: the viewer's own notifications, newest first, each linking to its
//! object, with an "unread only" filter and paging; and `POST notifications/read`, which marks
//! one (`id`) or all read. Everything goes through the notification store with the viewer's own
//! session scope, so nobody sees or marks anyone else's; a preview as a client changes nothing.

use axum::extract::Query;
use axum::response::Response;
use portal_core::NotificationId;
use portal_core::model::Notification;
use portal_storage::Page;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::catalogue::CatalogueError;
use super::format::Formatter;
use super::nav::NOTIFICATIONS_PATH;
use super::signed::{Failure, PageForm, SignedPage};
use crate::api::paging::PageQuery;
use crate::error::ApiError;

/// Notifications per page.
const PER_PAGE: u32 = 25;

/// The list's query: `?unread=1&after=<cursor>`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    /// Any non-empty value: only unread ones.
    #[serde(default)]
    unread: Option<String>,
    /// The cursor of the next page.
    #[serde(default)]
    after: Option<String>,
}

impl ListQuery {
    fn unread_only(&self) -> bool {
        self.unread
            .as_deref()
            .is_some_and(|value| !value.is_empty() && value != "0")
    }
}

/// `GET notifications`.
pub(super) async fn show(page: SignedPage, Query(query): Query<ListQuery>) -> Response {
    match view(&page, &query).await {
        Ok(view) => page.render("notify/notifications.html", view),
        Err(failure) => page.fail(failure),
    }
}

#[derive(Debug, Serialize)]
struct ListView {
    items: Vec<Item>,
    unread_only: bool,
    /// The link to the next page, if any.
    next: Option<String>,
    /// False in a preview: no forms then.
    writable: bool,
}

#[derive(Debug, Serialize)]
struct Item {
    id: String,
    title: String,
    /// The catalogue's name of the event.
    event: String,
    href: Option<String>,
    when: String,
    unread: bool,
}

async fn view(page: &SignedPage, query: &ListQuery) -> Result<ListView, Failure> {
    let unread_only = query.unread_only();
    let requested = PageQuery::page_of(Some(PER_PAGE), query.after.clone())
        .unwrap_or_else(|_| Page::first(PER_PAGE).unwrap_or_default());
    // The viewer's own notifications: the session's scope, also in a preview.
    let scope = &page.signed_in.authenticated.scope;
    let paged = page
        .state
        .stores()
        .notifications
        .list_notifications(scope, unread_only, requested)
        .await?;
    let formatter = page.formatter();
    let base = &page.page.base;
    let items = paged
        .items
        .into_iter()
        .map(|notification| item(&formatter, base, notification))
        .collect::<Result<Vec<_>, _>>()?;
    let filter = if unread_only { "unread=1&" } else { "" };
    Ok(ListView {
        items,
        unread_only,
        next: paged
            .next
            .map(|cursor| format!("{base}{NOTIFICATIONS_PATH}?{filter}after={cursor}")),
        writable: !page.scope.is_read_only(),
    })
}

fn item(
    formatter: &Formatter<'_>,
    base: &str,
    notification: Notification,
) -> Result<Item, CatalogueError> {
    let event = formatter.text(&event_message(notification.event_type.as_str()))?;
    Ok(Item {
        id: notification.id.to_string(),
        href: object_href(base, &notification),
        title: notification.title,
        event,
        when: moment(formatter, notification.occurred_at)?,
        unread: notification.read_at.is_none(),
    })
}

/// The catalogue id naming an event type: `event-approval-requested` for `approval.requested`.
pub(super) fn event_message(event_type: &str) -> String {
    format!("event-{}", event_type.replace(['.', '_'], "-"))
}

/// Where the object of a notification is shown, if it has a page; else its project's page.
fn object_href(base: &str, notification: &Notification) -> Option<String> {
    let id = notification.object.id;
    let path = match notification.object.kind.as_str() {
        "approval" => format!("/approvals/{id}"),
        "document" => format!("/documents/{id}"),
        "request" => format!("/requests/{id}"),
        "invoice" => format!("/invoices/{id}"),
        "project" => format!("/projects/{id}"),
        _ => format!("/projects/{}", notification.project?),
    };
    Some(format!("{base}{path}"))
}

fn moment(formatter: &Formatter<'_>, at: OffsetDateTime) -> Result<String, CatalogueError> {
    formatter.date(at.date())
}

/// The mark-read form: one notification's `id`, or none for all.
#[derive(Debug, Deserialize)]
pub(super) struct MarkFields {
    #[serde(default)]
    id: Option<String>,
    /// Keeps the "unread only" filter when going back.
    #[serde(default)]
    unread: Option<String>,
}

/// `POST notifications/read`.
pub(super) async fn mark_read(form: PageForm<MarkFields>) -> Response {
    let PageForm { page, fields } = form;
    if page.scope.is_read_only() {
        return page.fail(ApiError::Forbidden);
    }
    let ids = match fields.id.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => match id.parse::<NotificationId>() {
            Ok(id) => Some(vec![id]),
            Err(_) => return page.fail(ApiError::NotFound),
        },
        None => None,
    };
    let marked = page
        .state
        .stores()
        .notifications
        .mark_notifications_read(
            &page.signed_in.authenticated.scope,
            ids,
            OffsetDateTime::now_utc(),
        )
        .await;
    match marked {
        Ok(_) => {
            let back = if fields.unread.is_some_and(|value| !value.is_empty()) {
                format!("{NOTIFICATIONS_PATH}?unread=1")
            } else {
                NOTIFICATIONS_PATH.to_owned()
            };
            page.redirect(&back)
        }
        Err(error) => page.fail(error),
    }
}

#[cfg(test)]
mod tests {
    use portal_core::model::EventType;

    use super::super::catalogue::Catalogue;
    use super::super::locale::Locale;
    use super::event_message;

    #[test]
    fn every_event_type_has_a_name_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        for event_type in EventType::ALL {
            for locale in Locale::ALL {
                catalogue
                    .text(locale, &event_message(event_type.as_str()), None)
                    .unwrap();
            }
        }
    }
}
