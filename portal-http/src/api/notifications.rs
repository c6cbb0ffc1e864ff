//! `/notifications` and `/me/mail-preferences`: the caller's own in-app notifications and how
//! they hear of each event type by mail. Every call reads and writes only the caller's own
//! rows: the stores take the caller's scope, and another person's ids are ignored.

use axum::Json;
use axum::extract::State;
use portal_core::model::{EventType, MailMode, Notification};
use portal_core::{NotificationId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::paging::{PageOf, PageQuery};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::state::PortalState;

/// The most ids one `POST /notifications/read` marks.
const MAX_MARK_IDS: usize = 200;

/// One notification as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: NotificationId,
    /// What happened, e.g. `approval.requested`.
    #[schema(value_type = String)]
    pub event_type: EventType,
    /// The kind of object it is about, e.g. `approval`.
    pub object_kind: String,
    /// The object's id.
    #[schema(value_type = String, format = Uuid)]
    pub object_id: Uuid,
    /// The object's project, if it has one.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub project_id: Option<portal_core::ProjectId>,
    /// The object's name as the caller may see it.
    pub title: String,
    /// When the change happened.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// When the caller read it; `null` while unread.
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

impl From<Notification> for NotificationView {
    fn from(notification: Notification) -> Self {
        Self {
            id: notification.id,
            event_type: notification.event_type,
            object_kind: notification.object.kind,
            object_id: notification.object.id,
            project_id: notification.project,
            title: notification.title,
            occurred_at: notification.occurred_at,
            read_at: notification.read_at,
        }
    }
}

/// Which notifications to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// `true`: only unread ones.
    #[serde(default)]
    pub unread: bool,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (`cursor` is accepted too).
    #[serde(alias = "cursor")]
    pub after: Option<String>,
}

/// How many notifications are unread.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnreadCount {
    /// The count.
    pub unread: u64,
}

/// Which notifications to mark read: `ids`, or `all: true`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// The notifications to mark; others' ids are ignored.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub ids: Option<Vec<NotificationId>>,
    /// `true` marks every notification of the caller.
    #[serde(default)]
    pub all: bool,
}

/// How many notifications changed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Marked {
    /// Notifications that were unread and are read now.
    pub marked: u64,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "me", params(NotificationQuery),
    responses(
        (status = 200, body = PageOf<NotificationView>),
        (status = 401, body = ErrorBody),
        (status = 422, description = "A bad `limit` or `after`", body = ErrorBody),
    ))]
pub async fn list_notifications(
    State(state): State<PortalState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NotificationQuery>,
) -> Result<Json<PageOf<NotificationView>>, ApiError> {
    let page = PageQuery::page_of(query.limit, query.after)?;
    let paged = state
        .stores()
        .notifications
        .list_notifications(&caller.scope, query.unread, page)
        .await?;
    Ok(Json(PageOf::map(paged, NotificationView::from)))
}

/// How many of the caller's notifications are unread.
#[utoipa::path(get, path = "/notifications/unread", tag = "me",
    responses(
        (status = 200, body = UnreadCount),
        (status = 401, body = ErrorBody),
    ))]
pub async fn unread_count(
    State(state): State<PortalState>,
    caller: Caller,
) -> Result<Json<UnreadCount>, ApiError> {
    let unread = state
        .stores()
        .notifications
        .unread_notifications(&caller.scope)
        .await?;
    Ok(Json(UnreadCount { unread }))
}

/// Marks the caller's notifications read: the listed `ids` (others' are ignored) or `all`.
#[utoipa::path(post, path = "/notifications/read", tag = "me", request_body = MarkRead,
    responses(
        (status = 200, body = Marked),
        (status = 401, body = ErrorBody),
        (status = 422, description = "Neither `ids` nor `all: true`, both, or over 200 ids", body = ErrorBody),
    ))]
pub async fn mark_read(
    State(state): State<PortalState>,
    caller: Caller,
    ApiJson(body): ApiJson<MarkRead>,
) -> Result<Json<Marked>, ApiError> {
    let ids = match (body.ids, body.all) {
        (Some(_), true) | (None, false) => {
            return Err(ApiError::invalid(
                "ids",
                "invalid ids: give either `ids` or `all: true`",
            ));
        }
        (Some(ids), false) if ids.len() > MAX_MARK_IDS => {
            return Err(ApiError::invalid(
                "ids",
                format!("invalid ids: at most {MAX_MARK_IDS} at once"),
            ));
        }
        (Some(ids), false) => Some(ids),
        (None, true) => None,
    };
    let marked = state
        .stores()
        .notifications
        .mark_notifications_read(&caller.scope, ids, OffsetDateTime::now_utc())
        .await?;
    Ok(Json(Marked { marked }))
}

/// How the caller hears of one event type by mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailPreferenceView {
    /// The event type, e.g. `approval.requested`.
    #[schema(value_type = String)]
    pub event_type: EventType,
    /// The mode that applies: the caller's choice, else the default.
    #[schema(value_type = String)]
    pub mail: MailMode,
    /// The mode when nothing is chosen.
    #[schema(value_type = String)]
    pub default: MailMode,
    /// A security notice: always instant, the choice cannot change it.
    pub locked: bool,
}

/// A mail choice for one event type.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailChoice {
    /// `instant`, `digest` or `off`.
    pub mail: String,
}

/// Every event type with how `user` hears of it, in [`EventType::ALL`] order.
pub(crate) async fn preference_table(
    state: &PortalState,
    scope: &portal_core::TenantScope,
    user: UserId,
) -> Result<Vec<MailPreferenceView>, ApiError> {
    let chosen = state
        .stores()
        .notifications
        .mail_preferences(scope, user)
        .await?;
    Ok(EventType::ALL
        .iter()
        .map(|&event_type| {
            let choice = chosen
                .iter()
                .find(|preference| preference.event_type == event_type)
                .map(|preference| preference.mail);
            MailPreferenceView {
                event_type,
                mail: event_type.effective_mail(choice),
                default: event_type.default_mail(),
                locked: event_type.is_security(),
            }
        })
        .collect())
}

/// Checks a mail choice for `event_type` from text: a known type, not a security one, a known
/// mode. Each refusal names its field.
pub(crate) fn mail_choice(event_type: &str, mail: &str) -> Result<(EventType, MailMode), ApiError> {
    let event_type: EventType = event_type.parse()?;
    if event_type.is_security() {
        return Err(ApiError::invalid(
            "event_type",
            format!("invalid event_type: `{event_type}` is a security notice and always mailed"),
        ));
    }
    let mail: MailMode = mail.parse()?;
    Ok((event_type, mail))
}

/// The caller's own user id; callers without one are refused.
fn own_id(caller: &Caller) -> Result<UserId, ApiError> {
    caller
        .scope
        .principal()
        .user_id()
        .ok_or(ApiError::Forbidden)
}

/// Every event type with how the caller hears of it by mail.
#[utoipa::path(get, path = "/me/mail-preferences", tag = "me",
    responses(
        (status = 200, body = Vec<MailPreferenceView>),
        (status = 401, body = ErrorBody),
    ))]
pub async fn mail_preferences(
    State(state): State<PortalState>,
    caller: Caller,
) -> Result<Json<Vec<MailPreferenceView>>, ApiError> {
    let user = own_id(&caller)?;
    Ok(Json(preference_table(&state, &caller.scope, user).await?))
}

/// Sets how the caller hears of one event type by mail. Security notices cannot be changed.
#[utoipa::path(put, path = "/me/mail-preferences/{event_type}", tag = "me",
    params(("event_type" = String, Path, description = "e.g. `approval.requested`")),
    request_body = MailChoice,
    responses(
        (status = 200, body = MailPreferenceView),
        (status = 401, body = ErrorBody),
        (status = 422, description = "An unknown or security event type, or an unknown mode", body = ErrorBody),
    ))]
pub async fn set_mail_preference(
    State(state): State<PortalState>,
    caller: Caller,
    ApiPath(event_type): ApiPath<String>,
    ApiJson(body): ApiJson<MailChoice>,
) -> Result<Json<MailPreferenceView>, ApiError> {
    let user = own_id(&caller)?;
    let (event_type, mail) = mail_choice(&event_type, &body.mail)?;
    let stored = state
        .stores()
        .notifications
        .set_mail_preference(&caller.scope, user, event_type, mail)
        .await?;
    Ok(Json(MailPreferenceView {
        event_type: stored.event_type,
        mail: event_type.effective_mail(Some(stored.mail)),
        default: event_type.default_mail(),
        locked: false,
    }))
}
