//! Threads and messages on any client-facing object. A thread follows its subject: whoever may
//! read the subject sees the thread. A message needs its own shared flag as well: internal
//! messages are for staff who see internal objects.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Message, NewMessage, Thread, ThreadSubject};
use portal_core::{
    ClientId, Denied, MessageId, Permission, ResourceFacts, Rule, TenantId, TenantScope, ThreadId,
    Visibility,
};
use serde_json::json;
use sqlx::QueryBuilder;
use time::OffsetDateTime;
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::visibility::{Seen, empty_page, push_page, push_rule};
use super::work_convert::{
    acting_person, person, subject, subject_parts, visibility, visibility_name,
};
use super::work_rules::{event, require_text};
use crate::rules::{self, ListRule, events};
use crate::traits::ThreadStore;
use crate::{Page, Paged, StoreError, StoreResult};

const SELECT_THREAD: &str = "SELECT thread_id, tenant_id, client_id, subject_kind, subject_id, \
    created_at FROM portal_thread WHERE tenant_id = $1 AND subject_kind = $2 AND subject_id = $3";

/// Opens the subject's thread unless one is open already (a concurrent first message included).
const OPEN_THREAD: &str = "INSERT INTO portal_thread (thread_id, tenant_id, client_id, \
    subject_kind, subject_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
    ON CONFLICT (tenant_id, subject_kind, subject_id) DO NOTHING";

const INSERT_MESSAGE: &str = "INSERT INTO portal_message (message_id, tenant_id, client_id, \
    thread_id, author, body, visibility, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

const SELECT_MESSAGES: &str = "SELECT msg.message_id, msg.tenant_id, msg.client_id, \
    msg.thread_id, msg.author, msg.body, msg.visibility, msg.created_at FROM portal_message msg";

/// The subject's shared flag is known once the subject passed its check, so only the message's
/// own flag is left to filter on.
const SHARED: &str = "msg.visibility = 'shared'";

/// A stored thread.
#[derive(sqlx::FromRow)]
struct ThreadRow {
    thread_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    subject_kind: String,
    subject_id: Uuid,
    created_at: OffsetDateTime,
}

impl ThreadRow {
    fn into_thread(self) -> StoreResult<Thread> {
        Ok(Thread {
            id: ThreadId::from_uuid(self.thread_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            subject: subject(&self.subject_kind, self.subject_id)?,
            created_at: self.created_at,
        })
    }
}

/// A stored message.
#[derive(sqlx::FromRow)]
struct MessageRow {
    message_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    thread_id: Uuid,
    author: Option<Uuid>,
    body: String,
    visibility: String,
    created_at: OffsetDateTime,
}

impl MessageRow {
    fn into_message(self) -> StoreResult<Message> {
        Ok(Message {
            id: MessageId::from_uuid(self.message_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            thread: ThreadId::from_uuid(self.thread_id),
            author: person(self.author),
            body: self.body,
            visibility: visibility(&self.visibility)?,
            created_at: self.created_at,
        })
    }
}

/// The subject's facts once `permission` on it holds.
fn checked<T>(
    scope: &TenantScope,
    permission: Permission,
    subject: Option<Seen<T>>,
) -> StoreResult<(ResourceFacts, Permission)> {
    let subject = subject.ok_or(StoreError::NotFound)?;
    rules::require(scope, permission, &subject.facts)?;
    Ok((subject.facts, permission))
}

for_each_backend! {
    /// The subject's facts and the permission that reads it, if the scope may read it:
    /// `NotFound` when it is missing, foreign or hidden; `Forbidden` when the scope sees it
    /// without the permission to read it.
    async fn visible_subject(
        tx: &mut Conn,
        scope: &TenantScope,
        subject: ThreadSubject,
    ) -> StoreResult<(ResourceFacts, Permission)> {
        let tenant = scope.tenant_id();
        match subject {
            ThreadSubject::Project(id) => checked(
                scope,
                Permission::ViewProjects,
                Store::fetch_project(tx, tenant, id).await?,
            ),
            ThreadSubject::Deliverable(id) => checked(
                scope,
                Permission::ViewDeliverables,
                Store::fetch_deliverable(tx, tenant, id).await?,
            ),
            ThreadSubject::Document(id) => checked(
                scope,
                Permission::ViewDocuments,
                Store::fetch_document(tx, tenant, id).await?,
            ),
            ThreadSubject::Approval(id) => checked(
                scope,
                Permission::ViewApprovals,
                Store::fetch_approval(tx, tenant, id).await?,
            ),
            ThreadSubject::Request(id) => checked(
                scope,
                Permission::ViewRequests,
                Store::fetch_request(tx, tenant, id).await?,
            ),
            ThreadSubject::Task(id) => checked(
                scope,
                Permission::ViewTasks,
                Store::fetch_task(tx, tenant, id).await?,
            ),
        }
    }

    async fn thread_on(
        tx: &mut Conn,
        tenant: TenantId,
        subject: ThreadSubject,
    ) -> StoreResult<Option<Thread>> {
        let (kind, id) = subject_parts(subject);
        sqlx::query_as::<Db, ThreadRow>(SELECT_THREAD)
            .bind(*tenant.as_uuid())
            .bind(kind)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?
            .map(ThreadRow::into_thread)
            .transpose()
    }

    #[async_trait]
    impl ThreadStore for Store {
        async fn post_message(
            &self,
            scope: &TenantScope,
            message: NewMessage,
            audit: &AuditContext,
        ) -> StoreResult<Message> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let (facts, _) = visible_subject(&mut tx, scope, message.subject).await?;
            let client = facts.client.ok_or(StoreError::NotFound)?;
            // A contact's message is always shared: the client's own words.
            let visibility = if scope.is_staff_side() {
                message.visibility
            } else {
                Visibility::Shared
            };
            rules::require(scope, Permission::Comment, &facts)?;
            if !visibility.is_shared() && !scope.sees_internal() {
                return Err(StoreError::Forbidden(Denied {
                    rule: Rule::MissingPermission {
                        permission: Permission::ViewInternal,
                    },
                }));
            }
            require_text("body", &message.body)?;
            let at = now();
            let (kind, subject_id) = subject_parts(message.subject);
            sqlx::query(OPEN_THREAD)
                .bind(*ThreadId::new().as_uuid())
                .bind(*tenant.as_uuid())
                .bind(*client.as_uuid())
                .bind(kind)
                .bind(subject_id)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let thread = thread_on(&mut tx, tenant, message.subject)
                .await?
                .ok_or(StoreError::NotFound)?;
            let author = acting_person(scope);
            let posted = Message {
                id: MessageId::new(),
                tenant,
                client,
                thread: thread.id,
                author: person(author),
                body: message.body,
                visibility,
                created_at: at,
            };
            sqlx::query(INSERT_MESSAGE)
                .bind(*posted.id.as_uuid())
                .bind(*tenant.as_uuid())
                .bind(*client.as_uuid())
                .bind(*thread.id.as_uuid())
                .bind(author)
                .bind(posted.body.as_str())
                .bind(visibility_name(visibility))
                .bind(posted.created_at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let details =
                json!({ "thread": thread.id, "subject": thread.subject, "visibility": visibility });
            let event = event(
                scope,
                events::MESSAGE_POSTED,
                "message",
                posted.id.as_uuid(),
                details,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            let payload = json!({
                "message": posted.id,
                "thread": thread.id,
                "client": client,
                "subject": thread.subject,
                "shared": visibility.is_shared(),
            });
            Store::enqueue_in(&mut tx, tenant, events::MESSAGE_POSTED, &payload).await?;
            tx.commit().await.map_err(backend)?;
            Ok(posted)
        }

        async fn thread(
            &self,
            scope: &TenantScope,
            subject: ThreadSubject,
        ) -> StoreResult<Option<Thread>> {
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            match visible_subject(&mut tx, scope, subject).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => return Ok(None),
                Err(other) => return Err(other),
            }
            let thread = thread_on(&mut tx, tenant, subject).await?;
            tx.commit().await.map_err(backend)?;
            Ok(thread)
        }

        async fn list_messages(
            &self,
            scope: &TenantScope,
            subject: ThreadSubject,
            page: Page,
        ) -> StoreResult<Paged<Message>> {
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let (_, permission) = visible_subject(&mut tx, scope, subject).await?;
            let Some(thread) = thread_on(&mut tx, tenant, subject).await? else {
                return Ok(empty_page());
            };
            let rule = ListRule::new(scope, permission);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let mut query = QueryBuilder::<Db>::new(SELECT_MESSAGES);
            query
                .push(" WHERE msg.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            query
                .push(" AND msg.thread_id = ")
                .push_bind(*thread.id.as_uuid());
            push_rule(&mut query, &rule, "msg.client_id", SHARED);
            push_page(&mut query, "msg.message_id", page);
            let rows = query
                .build_query_as::<MessageRow>()
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let items = rows
                .into_iter()
                .map(MessageRow::into_message)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Paged::from_overfetch(items, page, |message| {
                *message.id.as_uuid()
            }))
        }
    }
}
