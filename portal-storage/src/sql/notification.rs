//! In-app notifications, the mail they lead to, and people's mail preferences.
//!
//! A person reads and marks only their own rows (`tenant_id` and `user_id` in every query); the
//! mail dispatcher claims due mail across tenants under a lease, as the outbox does.

use async_trait::async_trait;
use portal_core::model::{
    EventType, MailMode, MailPreference, MailState, NewNotification, Notification, ObjectRef,
};
use portal_core::{
    ClientId, Invalid, NotificationId, OutboxEventId, ProjectId, TenantId, TenantScope, UserId,
};
use sqlx::{Database, Encode, QueryBuilder, Type};
use time::OffsetDateTime;
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::convert::{mail_state, mail_state_name, parsed, stored_time};
use super::visibility::{paged, push_page};
use crate::rules;
use crate::traits::{MailBatch, NotificationStore};
use crate::{Page, Paged, StoreError, StoreResult};

/// A `portal_notification` row.
#[derive(sqlx::FromRow)]
struct NotificationRow {
    notification_id: Uuid,
    tenant_id: Uuid,
    user_id: Uuid,
    outbox_event_id: Uuid,
    event_type: String,
    object_kind: String,
    object_id: Uuid,
    client_id: Option<Uuid>,
    project_id: Option<Uuid>,
    title: String,
    mail_state: String,
    mail_attempts: i32,
    occurred_at: OffsetDateTime,
    read_at: Option<OffsetDateTime>,
}

impl NotificationRow {
    fn into_notification(self) -> StoreResult<Notification> {
        Ok(Notification {
            id: NotificationId::from_uuid(self.notification_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            user: UserId::from_uuid(self.user_id),
            event: OutboxEventId::from_uuid(self.outbox_event_id),
            event_type: parsed("event_type", &self.event_type)?,
            object: ObjectRef {
                kind: self.object_kind,
                id: self.object_id,
            },
            client: self.client_id.map(ClientId::from_uuid),
            project: self.project_id.map(ProjectId::from_uuid),
            title: self.title,
            mail: mail_state(&self.mail_state)?,
            mail_attempts: self.mail_attempts,
            occurred_at: self.occurred_at,
            read_at: self.read_at,
        })
    }
}

/// The columns of a whole row.
const COLUMNS: &str = "SELECT notification_id, tenant_id, user_id, outbox_event_id, event_type, \
     object_kind, object_id, client_id, project_id, title, mail_state, mail_attempts, occurred_at, \
     read_at FROM portal_notification";

/// Adds ` IN ($1, $2, …)` over `ids` to `query`; the caller skips the query for no ids.
pub(super) fn push_in<DB>(query: &mut QueryBuilder<DB>, ids: impl IntoIterator<Item = Uuid>)
where
    DB: Database,
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
{
    query.push(" IN (");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id);
    }
    list.push_unseparated(")");
}

/// The row id of each notification id.
fn uuids(ids: &[NotificationId]) -> impl Iterator<Item = Uuid> + '_ {
    ids.iter().map(|id| *id.as_uuid())
}

for_each_backend! {
    impl Store {
        /// Refuses notifications for anyone who is not a user of `tenant`, as every backend does.
        async fn require_users_in(
            tx: &mut Conn,
            tenant: TenantId,
            notifications: &[NewNotification],
        ) -> StoreResult<()> {
            let mut users: Vec<Uuid> = notifications
                .iter()
                .map(|new| *new.user.as_uuid())
                .collect();
            users.sort_unstable();
            users.dedup();
            if users.is_empty() {
                return Ok(());
            }
            let mut query =
                QueryBuilder::<Db>::new("SELECT COUNT(*) FROM portal_user WHERE tenant_id = ");
            query.push_bind(*tenant.as_uuid()).push(" AND user_id");
            push_in(&mut query, users.iter().copied());
            let found: i64 = query
                .build_query_scalar()
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
            if usize::try_from(found).ok() == Some(users.len()) {
                Ok(())
            } else {
                Err(rules::invalid(
                    "user",
                    Invalid::Malformed("a user of the tenant"),
                ))
            }
        }

        /// Whether `user` is a user of `tenant` (else `NotFound`).
        async fn require_user_in(
            tx: &mut Conn,
            tenant: TenantId,
            user: UserId,
        ) -> StoreResult<()> {
            let found: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM portal_user WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            found.map(|_| ()).ok_or(StoreError::NotFound)
        }

        /// Runs a global update over the notifications `ids`, whose `SET` clause is `set`.
        async fn update_mail(
            &self,
            ids: &[NotificationId],
            set: impl FnOnce(&mut QueryBuilder<Db>),
        ) -> StoreResult<()> {
            if ids.is_empty() {
                return Ok(());
            }
            let mut tx = self.global_uncounted().await?;
            let mut query = QueryBuilder::<Db>::new("UPDATE portal_notification SET ");
            set(&mut query);
            query.push(" WHERE notification_id");
            push_in(&mut query, uuids(ids));
            query.build().execute(&mut *tx).await.map_err(backend)?;
            tx.commit().await.map_err(backend)
        }
    }

    #[async_trait]
    impl NotificationStore for Store {
        async fn record_notifications(
            &self,
            scope: &TenantScope,
            notifications: Vec<NewNotification>,
        ) -> StoreResult<u64> {
            rules::require_system(scope)?;
            let tenant = scope.tenant_id();
            let at = now();
            let mut tx = self.write_uncounted(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            Store::require_users_in(&mut tx, tenant, &notifications).await?;
            // Mail is due from the moment the change happened (`mail_next_at` = `occurred_at`).
            let mut added = 0;
            for new in notifications {
                let inserted = sqlx::query(
                    "INSERT INTO portal_notification (notification_id, tenant_id, user_id, \
                     outbox_event_id, event_type, object_kind, object_id, client_id, project_id, \
                     title, mail_state, mail_attempts, mail_next_at, occurred_at, read_at, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $13, \
                     $13, NULL, $12) ON CONFLICT DO NOTHING",
                )
                .bind(*NotificationId::new().as_uuid())
                .bind(*tenant.as_uuid())
                .bind(*new.user.as_uuid())
                .bind(*new.event.as_uuid())
                .bind(new.event_type.as_str())
                .bind(new.object.kind)
                .bind(new.object.id)
                .bind(new.client.map(|client| *client.as_uuid()))
                .bind(new.project.map(|project| *project.as_uuid()))
                .bind(new.title)
                .bind(mail_state_name(new.mail))
                .bind(at)
                .bind(stored_time(new.occurred_at))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                added += inserted.rows_affected();
            }
            tx.commit().await.map_err(backend)?;
            Ok(added)
        }

        async fn list_notifications(
            &self,
            scope: &TenantScope,
            unread_only: bool,
            page: Page,
        ) -> StoreResult<Paged<Notification>> {
            let user = rules::notified_user(scope, None)?;
            let tenant = scope.tenant_id();
            let tx = self.read(tenant).await?;
            let mut query = QueryBuilder::<Db>::new(COLUMNS);
            query
                .push(" WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid())
                .push(" AND user_id = ")
                .push_bind(*user.as_uuid());
            if unread_only {
                query.push(" AND read_at IS NULL");
            }
            push_page(&mut query, "notification_id", page);
            let rows: Vec<NotificationRow> = Store::fetch_list(tx, query).await?;
            paged(rows, page, NotificationRow::into_notification, |notification| {
                *notification.id.as_uuid()
            })
        }

        async fn unread_notifications(&self, scope: &TenantScope) -> StoreResult<u64> {
            let user = rules::notified_user(scope, None)?;
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let unread: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM portal_notification WHERE tenant_id = $1 AND user_id = $2 \
                 AND read_at IS NULL",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(u64::try_from(unread).unwrap_or_default())
        }

        async fn mark_notifications_read(
            &self,
            scope: &TenantScope,
            ids: Option<Vec<NotificationId>>,
            at: OffsetDateTime,
        ) -> StoreResult<u64> {
            let user = rules::notified_user(scope, None)?;
            rules::writable(scope)?;
            if ids.as_ref().is_some_and(Vec::is_empty) {
                return Ok(0);
            }
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            let mut query = QueryBuilder::<Db>::new("UPDATE portal_notification SET read_at = ");
            query
                .push_bind(stored_time(at))
                .push(" WHERE tenant_id = ")
                .push_bind(*tenant.as_uuid())
                .push(" AND user_id = ")
                .push_bind(*user.as_uuid())
                .push(" AND read_at IS NULL");
            if let Some(ids) = &ids {
                query.push(" AND notification_id");
                push_in(&mut query, uuids(ids));
            }
            let marked = query.build().execute(&mut *tx).await.map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(marked.rows_affected())
        }

        async fn mail_preferences(
            &self,
            scope: &TenantScope,
            user: UserId,
        ) -> StoreResult<Vec<MailPreference>> {
            let user = rules::notified_user(scope, Some(user))?;
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            Store::require_user_in(&mut tx, tenant, user).await?;
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT event_type, mail FROM portal_mail_preference \
                 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let mut chosen = rows
                .into_iter()
                .map(|(event_type, mail)| {
                    Ok(MailPreference {
                        event_type: parsed::<EventType>("event_type", &event_type)?,
                        mail: parsed::<MailMode>("mail", &mail)?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            chosen.sort_by_key(|preference| preference.event_type);
            Ok(chosen)
        }

        async fn set_mail_preference(
            &self,
            scope: &TenantScope,
            user: UserId,
            event_type: EventType,
            mail: MailMode,
        ) -> StoreResult<MailPreference> {
            let user = rules::notified_user(scope, Some(user))?;
            rules::writable(scope)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            Store::require_user_in(&mut tx, tenant, user).await?;
            sqlx::query(
                "INSERT INTO portal_mail_preference (tenant_id, user_id, event_type, mail) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, user_id, event_type) \
                 DO UPDATE SET mail = excluded.mail",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(event_type.as_str())
            .bind(mail.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(MailPreference { event_type, mail })
        }

        async fn claim_mail(
            &self,
            batch: MailBatch,
            now: OffsetDateTime,
            limit: u32,
            lease: time::Duration,
        ) -> StoreResult<Vec<Notification>> {
            let now = stored_time(now);
            let (state, before) = match batch {
                MailBatch::Instant => (MailState::Instant, None),
                MailBatch::Digest { before } => (MailState::Digest, Some(stored_time(before))),
            };
            let mut tx = self.global_uncounted().await?;
            let rows: Vec<NotificationRow> = sqlx::query_as(Store::CLAIM_MAIL)
                .bind(now)
                .bind(stored_time(now + lease))
                .bind(i64::from(limit))
                .bind(mail_state_name(state))
                .bind(before)
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let mut claimed = rows
                .into_iter()
                .map(NotificationRow::into_notification)
                .collect::<StoreResult<Vec<_>>>()?;
            // RETURNING promises no order: oldest first, as they were picked.
            claimed.sort_by_key(|notification| notification.id);
            Ok(claimed)
        }

        async fn mark_mail_sent(&self, ids: &[NotificationId]) -> StoreResult<()> {
            self.update_mail(ids, |query| {
                query
                    .push("mail_state = ")
                    .push_bind(mail_state_name(MailState::Sent))
                    .push(", mail_attempts = mail_attempts + 1");
            })
            .await
        }

        async fn mark_mail_failed(
            &self,
            ids: &[NotificationId],
            retry_at: Option<OffsetDateTime>,
        ) -> StoreResult<()> {
            self.update_mail(ids, |query| {
                query.push("mail_attempts = mail_attempts + 1, ");
                match retry_at {
                    Some(at) => query.push("mail_next_at = ").push_bind(stored_time(at)),
                    None => query
                        .push("mail_state = ")
                        .push_bind(mail_state_name(MailState::Failed)),
                };
            })
            .await
        }

        async fn drop_mail(&self, ids: &[NotificationId], state: MailState) -> StoreResult<()> {
            self.update_mail(ids, |query| {
                query.push("mail_state = ").push_bind(mail_state_name(state));
            })
            .await
        }
    }
}
