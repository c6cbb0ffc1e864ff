//! Publishing and withdrawing objects: one rule for every kind that has a visibility.

use portal_core::model::AuditContext;
use portal_core::{Permission, TenantScope, Visibility};

use super::view::Stored;
use super::{State, now, object};
use crate::StoreResult;
use crate::rules::{self, Publishable, events};

impl State {
    /// Publishes or withdraws a row (`publish`), with its audit event and, when published, its
    /// outbox row. Setting the visibility it already has changes and records nothing.
    pub(super) fn set_visibility<R: Publishable + Stored>(
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
        self.audit(
            scope,
            rules::visibility_action(visibility),
            object(R::KIND, &next.uuid()),
            rules::visibility_details(visibility),
            context,
            now,
        );
        if visibility.is_shared() {
            let payload = rules::published_payload(&next);
            self.enqueue(scope.tenant_id(), events::PUBLISHED, payload, now);
        }
        Ok(next)
    }
}
