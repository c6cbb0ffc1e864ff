//! Threads and messages on any client-facing object.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Message, NewMessage, Thread, ThreadSubject};
use portal_core::{MessageId, Permission, Rule, TenantScope, ThreadId, Visibility};
use serde_json::json;
use time::OffsetDateTime;

use super::{MemoryStore, State, acting_user, forbidden, now, object, require_text, visible};
use crate::rules::{self, events};
use crate::traits::ThreadStore;
use crate::{Page, Paged, StoreError, StoreResult};

impl State {
    /// The thread on `subject` in the scope's tenant, if one was opened.
    fn thread_on(&self, scope: &TenantScope, subject: ThreadSubject) -> Option<&Thread> {
        self.threads
            .values()
            .find(|thread| thread.tenant == scope.tenant_id() && thread.subject == subject)
    }

    fn post_message(
        &mut self,
        scope: &TenantScope,
        new: NewMessage,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<Message> {
        let facts = self.visible_subject(scope, new.subject)?;
        let client = facts.client.ok_or(StoreError::NotFound)?;
        let visibility = if scope.is_staff_side() {
            new.visibility
        } else {
            Visibility::Shared
        };
        rules::require(scope, Permission::Comment, &facts)?;
        if !visibility.is_shared() && !scope.sees_internal() {
            return Err(forbidden(Rule::MissingPermission {
                permission: Permission::ViewInternal,
            }));
        }
        require_text("body", &new.body)?;
        let thread = match self.thread_on(scope, new.subject) {
            Some(thread) => thread.clone(),
            None => {
                let thread = Thread {
                    id: ThreadId::new(),
                    tenant: scope.tenant_id(),
                    client,
                    subject: new.subject,
                    created_at: now,
                };
                self.threads.insert(thread.id, thread.clone());
                thread
            }
        };
        let message = Message {
            id: MessageId::new(),
            tenant: scope.tenant_id(),
            client,
            thread: thread.id,
            author: acting_user(scope),
            body: new.body,
            visibility,
            created_at: now,
        };
        self.put(message.clone());
        self.audit(
            scope,
            events::MESSAGE_POSTED,
            object("message", message.id.as_uuid()),
            json!({ "thread": thread.id, "subject": thread.subject, "visibility": visibility }),
            context,
            now,
        );
        self.enqueue(
            scope.tenant_id(),
            events::MESSAGE_POSTED,
            json!({
                "message": message.id,
                "thread": thread.id,
                "client": client,
                "subject": thread.subject,
                "shared": visibility.is_shared(),
            }),
            now,
        );
        Ok(message)
    }
}

#[async_trait]
impl ThreadStore for MemoryStore {
    async fn post_message(
        &self,
        scope: &TenantScope,
        message: NewMessage,
        audit: &AuditContext,
    ) -> StoreResult<Message> {
        self.with_mut(|state| state.post_message(scope, message, audit, now()))
    }

    async fn thread(
        &self,
        scope: &TenantScope,
        subject: ThreadSubject,
    ) -> StoreResult<Option<Thread>> {
        self.with(|state| {
            if !visible(state.visible_subject(scope, subject).map(|_| ()))? {
                return Ok(None);
            }
            Ok(state.thread_on(scope, subject).cloned())
        })
    }

    async fn list_messages(
        &self,
        scope: &TenantScope,
        subject: ThreadSubject,
        page: Page,
    ) -> StoreResult<Paged<Message>> {
        self.with(|state| {
            let (_, permission) = state
                .subject_facts(scope.tenant_id(), subject)
                .ok_or(StoreError::NotFound)?;
            state.visible_subject(scope, subject)?;
            let Some(thread) = state.thread_on(scope, subject).map(|thread| thread.id) else {
                return Ok(Paged {
                    items: Vec::new(),
                    next: None,
                });
            };
            Ok(state.list::<Message>(scope, permission, page, |message| message.thread == thread))
        })
    }
}

#[cfg(test)]
mod tests {
    use portal_core::Visibility;
    use portal_core::model::{NewMessage, ThreadSubject};

    use super::super::fixture::{World, ctx};
    use crate::traits::{OutboxStore, ProjectStore, ThreadStore};
    use crate::{Page, StoreError};

    fn message(subject: ThreadSubject, visibility: Visibility) -> NewMessage {
        NewMessage {
            subject,
            body: "Hello".to_owned(),
            visibility,
        }
    }

    #[tokio::test]
    async fn messages_need_their_own_flag_and_a_visible_subject() {
        let world = World::new("talk").await;
        let draft = world.project(Visibility::Internal).await;
        let store = &world.store;
        let subject = ThreadSubject::Project(draft.id);
        let shared = store
            .post_message(&world.owner, message(subject, Visibility::Shared), &ctx())
            .await
            .unwrap();
        store
            .post_message(&world.owner, message(subject, Visibility::Internal), &ctx())
            .await
            .unwrap();
        assert!(matches!(
            store
                .list_messages(&world.contact, subject, Page::default())
                .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(store.thread(&world.contact, subject).await.unwrap(), None);
        assert!(matches!(
            store
                .post_message(&world.contact, message(subject, Visibility::Shared), &ctx())
                .await,
            Err(StoreError::NotFound)
        ));

        store
            .set_project_visibility(&world.owner, draft.id, Visibility::Shared, &ctx())
            .await
            .unwrap();
        let seen = store
            .list_messages(&world.contact, subject, Page::default())
            .await
            .unwrap();
        assert_eq!(seen.items, vec![shared]);
        let all = store
            .list_messages(&world.owner, subject, Page::default())
            .await
            .unwrap();
        assert_eq!(all.items.len(), 2);

        let reply = store
            .post_message(
                &world.contact,
                message(subject, Visibility::Internal),
                &ctx(),
            )
            .await
            .unwrap();
        assert_eq!(
            reply.visibility,
            Visibility::Shared,
            "a contact's message is shared"
        );
        assert!(
            store
                .thread(&world.contact, subject)
                .await
                .unwrap()
                .is_some()
        );
        let rows = store
            .list_outbox(&world.owner, Page::first(200).unwrap())
            .await
            .unwrap();
        let posted: Vec<bool> = rows
            .items
            .iter()
            .filter(|row| row.kind == crate::rules::events::MESSAGE_POSTED)
            .map(|row| row.payload["shared"].as_bool().unwrap())
            .collect();
        assert_eq!(posted, [true, false, true]);
    }
}
