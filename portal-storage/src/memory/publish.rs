//! Publishing and withdrawing objects: one rule for every kind that has a visibility.

use portal_core::model::{
    AuditContext, Decision, Deliverable, Document, Milestone, Project, Task, Update,
};
use portal_core::{ClientId, Permission, ProjectId, TenantScope, Visibility};
use serde_json::json;
use time::OffsetDateTime;

use super::view::Stored;
use super::{State, now, object};
use crate::StoreResult;
use crate::rules::events;

/// A row that can be published to its client or taken back.
pub(super) trait Publishable: Stored {
    /// The kind, as audit events and outbox payloads name it.
    const KIND: &'static str;

    /// Its own visibility (not the effective one).
    fn visibility(&self) -> Visibility;

    /// Sets its own visibility; kinds with an `updated_at` also touch it.
    fn set_visibility(&mut self, visibility: Visibility, now: OffsetDateTime);

    /// The client it belongs to.
    fn client(&self) -> ClientId;

    /// The project it belongs to, if any.
    fn project(&self) -> Option<ProjectId>;
}

impl State {
    /// Publishes or withdraws a row (`publish`), with its audit event and, when published, its
    /// outbox row. Setting the visibility it already has changes and records nothing.
    pub(super) fn set_visibility<R: Publishable>(
        &mut self,
        scope: &TenantScope,
        id: R::Id,
        visibility: Visibility,
        context: &AuditContext,
    ) -> StoreResult<R> {
        let current = self.load::<R>(scope, Permission::Publish, id)?;
        if current.visibility() == visibility {
            return Ok(current);
        }
        let now = now();
        let mut next = current;
        next.set_visibility(visibility, now);
        self.put(next.clone());
        let uuid = next.uuid();
        let action = if visibility.is_shared() {
            events::PUBLISHED
        } else {
            events::UNPUBLISHED
        };
        self.audit(
            scope,
            action,
            object(R::KIND, &uuid),
            json!({ "visibility": visibility }),
            context,
            now,
        );
        if visibility.is_shared() {
            self.enqueue(
                scope.tenant_id(),
                events::PUBLISHED,
                json!({
                    "kind": R::KIND,
                    "id": uuid,
                    "client": next.client(),
                    "project": next.project(),
                }),
                now,
            );
        }
        Ok(next)
    }
}

macro_rules! publishable {
    ($ty:ty, $kind:literal, |$row:ident| $project:expr $(, touch $touched:ident)?) => {
        impl Publishable for $ty {
            const KIND: &'static str = $kind;

            fn visibility(&self) -> Visibility {
                self.visibility
            }

            #[allow(unused_variables, reason = "only kinds with updated_at use the time")]
            fn set_visibility(&mut self, visibility: Visibility, now: OffsetDateTime) {
                self.visibility = visibility;
                $(self.$touched = now;)?
            }

            fn client(&self) -> ClientId {
                self.client
            }

            fn project(&self) -> Option<ProjectId> {
                let $row = self;
                $project
            }
        }
    };
}

publishable!(Project, "project", |row| Some(row.id), touch updated_at);
publishable!(Milestone, "milestone", |row| Some(row.project));
publishable!(Deliverable, "deliverable", |row| Some(row.project));
publishable!(Document, "document", |row| row.project);
publishable!(Update, "update", |row| Some(row.project));
publishable!(Decision, "decision", |row| Some(row.project));
publishable!(Task, "task", |row| Some(row.project));
