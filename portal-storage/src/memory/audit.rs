//! The audit chain and the notification outbox.

use async_trait::async_trait;
use portal_core::model::{
    AuditContext, AuditEvent, NewAuditEvent, OutboxEvent, OutboxStatus, verify_chain,
};
use portal_core::state::{ApprovalStatus, InvoiceStatus};
use portal_core::{OutboxEventId, Permission, TenantId, TenantScope};
use serde_json::json;
use time::OffsetDateTime;

use super::{MemoryStore, now, require_text, stored_time};
use crate::lifecycle;
use crate::rules::{self, events};
use crate::traits::{
    AuditErasure, AuditFilter, AuditStore, ChainReport, OutboxStore, PersonalFactsOf,
};
use crate::{Cursor, Page, Paged, StoreError, StoreResult};

/// How many events `verify_chain` checks at a time, as a SQL backend reads them.
const VERIFY_BATCH: usize = 256;

/// Checks a whole chain in batches: how many events verified, and the break, if any.
fn verify(tenant: TenantId, events: &[AuditEvent]) -> ChainReport {
    let mut previous = None;
    let mut verified = 0_u64;
    for batch in events.chunks(VERIFY_BATCH) {
        match verify_chain(tenant, previous, batch) {
            Ok(next) => {
                previous = next;
                verified = verified.saturating_add(u64::try_from(batch.len()).unwrap_or(u64::MAX));
            }
            Err(_) => {
                // Find the event that breaks the batch, counting those before it.
                for event in batch {
                    match verify_chain(tenant, previous, std::slice::from_ref(event)) {
                        Ok(next) => {
                            previous = next;
                            verified = verified.saturating_add(1);
                        }
                        Err(broken) => {
                            return ChainReport {
                                verified,
                                broken: Some(broken),
                            };
                        }
                    }
                }
            }
        }
    }
    ChainReport {
        verified,
        broken: None,
    }
}

impl MemoryStore {
    /// Test support: changes the stored audit event `seq` of `tenant` in place, without
    /// re-sealing it, as someone editing the database by hand would. Returns whether the
    /// event existed. Never call this outside tests.
    #[doc(hidden)]
    pub fn tamper_audit_event(
        &self,
        tenant: TenantId,
        seq: i64,
        change: impl FnOnce(&mut AuditEvent),
    ) -> bool {
        self.with_mut(|state| {
            state
                .audit
                .get_mut(&tenant)
                .and_then(|chain| chain.iter_mut().find(|event| event.seq == seq))
                .map(change)
                .is_some()
        })
    }

    /// Test support: deletes the stored audit event `seq` of `tenant`, as someone editing the
    /// database by hand would. Returns whether the event existed. Never call this outside tests.
    #[doc(hidden)]
    pub fn remove_audit_event(&self, tenant: TenantId, seq: i64) -> bool {
        self.with_mut(|state| {
            state.audit.get_mut(&tenant).is_some_and(|chain| {
                let before = chain.len();
                chain.retain(|event| event.seq != seq);
                chain.len() != before
            })
        })
    }
}

impl super::State {
    /// Erases the personal facts of the version 2 events of `tenant` that `of` names; counts
    /// the version 1 events it leaves.
    pub(super) fn erase_personal_facts(
        &mut self,
        tenant: TenantId,
        of: &PersonalFactsOf,
        now: OffsetDateTime,
    ) -> AuditErasure {
        let mut erasure = AuditErasure::default();
        let Some(chain) = self.audit.get_mut(&tenant) else {
            return erasure;
        };
        for event in chain.iter_mut().filter(|event| lifecycle::names(of, event)) {
            if event.is_erased() {
                continue;
            }
            match event.erased(now) {
                Some(erased) => {
                    *event = erased;
                    erasure.erased += 1;
                }
                None => erasure.version_1_kept += 1,
            }
        }
        erasure
    }
}

#[async_trait]
impl AuditStore for MemoryStore {
    async fn append(
        &self,
        scope: &TenantScope,
        event: NewAuditEvent,
        context: &AuditContext,
    ) -> StoreResult<AuditEvent> {
        require_text("action", &event.action)?;
        self.with_mut_uncounted(|state| {
            state.require_tenant(scope)?;
            Ok(state.append_event(scope.tenant_id(), event, context, now()))
        })
    }

    async fn erase_personal_facts(
        &self,
        scope: &TenantScope,
        of: &PersonalFactsOf,
    ) -> StoreResult<AuditErasure> {
        rules::require_tenant_level(scope, Permission::EraseClientData)?;
        self.with_mut(|state| {
            state.require_tenant(scope)?;
            Ok(state.erase_personal_facts(scope.tenant_id(), of, now()))
        })
    }

    async fn list_events(
        &self,
        scope: &TenantScope,
        filter: AuditFilter,
        page: Page,
    ) -> StoreResult<Paged<AuditEvent>> {
        rules::require_tenant_level(scope, Permission::ViewAuditLog)?;
        let below = page.cursor().map(|cursor: Cursor| cursor.id());
        let wanted = usize::try_from(page.limit())
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let items = self.with(|state| {
            state
                .audit
                .get(&scope.tenant_id())
                .map(|chain| {
                    chain
                        .iter()
                        .rev()
                        .filter(|event| below.is_none_or(|below| *event.id.as_uuid() < below))
                        .filter(|event| {
                            filter
                                .action
                                .as_ref()
                                .is_none_or(|action| event.action == *action)
                                && filter.from.is_none_or(|from| event.occurred_at >= from)
                                && filter.until.is_none_or(|until| event.occurred_at < until)
                        })
                        .take(wanted)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        });
        Ok(Paged::from_overfetch(items, page, |event| {
            *event.id.as_uuid()
        }))
    }

    async fn verify_chain(&self, scope: &TenantScope) -> StoreResult<ChainReport> {
        rules::require_tenant_level(scope, Permission::ViewAuditLog)?;
        let tenant = scope.tenant_id();
        let events = self.with(|state| state.audit.get(&tenant).cloned().unwrap_or_default());
        Ok(verify(tenant, &events))
    }
}

#[async_trait]
impl OutboxStore for MemoryStore {
    async fn enqueue(
        &self,
        scope: &TenantScope,
        kind: &str,
        payload: serde_json::Value,
    ) -> StoreResult<OutboxEvent> {
        require_text("kind", kind)?;
        self.with_mut(|state| {
            state.require_tenant(scope)?;
            Ok(state.enqueue(scope.tenant_id(), kind, payload, now()))
        })
    }

    async fn claim_due(
        &self,
        now: OffsetDateTime,
        limit: u32,
        lease: time::Duration,
    ) -> StoreResult<Vec<OutboxEvent>> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let now = stored_time(now);
        Ok(self.with_mut(|state| {
            let due: Vec<OutboxEventId> = state
                .outbox
                .values()
                .filter(|event| {
                    event.status == OutboxStatus::Pending && event.next_attempt_at <= now
                })
                .take(limit)
                .map(|event| event.id)
                .collect();
            due.into_iter()
                .filter_map(|id| {
                    let event = state.outbox.get_mut(&id)?;
                    event.next_attempt_at = stored_time(now + lease);
                    Some(event.clone())
                })
                .collect()
        }))
    }

    async fn mark_delivered(&self, id: OutboxEventId) -> StoreResult<()> {
        self.with_mut(|state| {
            let event = state.outbox.get_mut(&id).ok_or(StoreError::NotFound)?;
            event.status = OutboxStatus::Delivered;
            Ok(())
        })
    }

    async fn mark_failed(
        &self,
        id: OutboxEventId,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> StoreResult<()> {
        self.with_mut(|state| {
            let event = state.outbox.get_mut(&id).ok_or(StoreError::NotFound)?;
            event.attempts = event.attempts.saturating_add(1);
            event.last_error = Some(rules::clipped_error(error));
            match retry_at {
                Some(at) => {
                    event.status = OutboxStatus::Pending;
                    event.next_attempt_at = stored_time(at);
                }
                None => event.status = OutboxStatus::Dead,
            }
            Ok(())
        })
    }

    async fn announce_deadlines(
        &self,
        now: OffsetDateTime,
        within: time::Duration,
    ) -> StoreResult<u64> {
        let now = stored_time(now);
        let horizon = now + within;
        Ok(self.with_mut_uncounted(|state| {
            let mut due = Vec::new();
            for approval in state.approvals.values() {
                let soon = approval.due_at.is_some_and(|due_at| due_at <= horizon);
                if approval.status == ApprovalStatus::Pending
                    && soon
                    && !state.deadlines_announced.contains(approval.id.as_uuid())
                {
                    let payload = json!({
                        "approval": approval.id,
                        "client": approval.client,
                        "project": approval.project,
                        "deliverable": approval.deliverable,
                    });
                    due.push((
                        approval.tenant,
                        *approval.id.as_uuid(),
                        events::APPROVAL_DUE_SOON,
                        payload,
                    ));
                }
            }
            for invoice in state.invoices.values() {
                let overdue = invoice.due_on.is_some_and(|due_on| due_on < now.date());
                if invoice.status == InvoiceStatus::Open
                    && overdue
                    && !state.deadlines_announced.contains(invoice.id.as_uuid())
                {
                    let payload = json!({
                        "invoice": invoice.id,
                        "client": invoice.client,
                        "project": invoice.project,
                    });
                    due.push((
                        invoice.tenant,
                        *invoice.id.as_uuid(),
                        events::INVOICE_OVERDUE,
                        payload,
                    ));
                }
            }
            let written = due.len();
            for (tenant, id, kind, payload) in due {
                state.deadlines_announced.insert(id);
                state.enqueue(tenant, kind, payload, now);
            }
            u64::try_from(written).unwrap_or(u64::MAX)
        }))
    }

    async fn list_outbox(
        &self,
        scope: &TenantScope,
        page: Page,
    ) -> StoreResult<Paged<OutboxEvent>> {
        rules::require_tenant_level(scope, Permission::ManageIntegrations)?;
        let tenant = scope.tenant_id();
        Ok(self.with(|state| {
            super::view::page_of(
                &state.outbox,
                page,
                OutboxEventId::from_uuid,
                |event| (event.tenant == tenant).then(|| event.clone()),
                |event| *event.id.as_uuid(),
            )
        }))
    }
}

#[cfg(test)]
mod tests {
    use portal_core::Visibility;
    use portal_core::model::{ChainBreak, NewAuditEvent, OutboxStatus};
    use time::{Duration, OffsetDateTime};

    use super::super::fixture::{World, ctx};
    use crate::traits::{AuditFilter, AuditStore, OutboxStore};
    use crate::{Page, StoreError};

    #[tokio::test]
    async fn the_chain_verifies_and_catches_a_changed_or_removed_event() {
        let world = World::new("chain").await;
        for _ in 0..3 {
            world.project(Visibility::Shared).await;
        }
        let store = &world.store;
        let appended = store
            .append(
                &world.owner,
                NewAuditEvent::by(&world.owner, "export.started", None),
                &ctx(),
            )
            .await
            .unwrap();
        let report = store.verify_chain(&world.owner).await.unwrap();
        assert_eq!(report.broken, None);
        assert_eq!(u64::try_from(appended.seq).unwrap(), report.verified);
        assert!(report.verified > 6);
        assert!(matches!(
            store.verify_chain(&world.contact).await,
            Err(StoreError::Forbidden(_))
        ));

        let tenant = world.tenant.id;
        assert!(store.tamper_audit_event(tenant, 3, |event| {
            event.details = serde_json::json!({ "forged": true });
        }));
        let report = store.verify_chain(&world.owner).await.unwrap();
        assert_eq!(report.broken, Some(ChainBreak::Altered { seq: 3 }));
        assert_eq!(report.verified, 2);

        let other = World::in_store(store.clone(), "chain-two").await;
        other.project(Visibility::Shared).await;
        assert!(store.remove_audit_event(other.tenant.id, 2));
        let report = store.verify_chain(&other.owner).await.unwrap();
        assert_eq!(report.broken, Some(ChainBreak::Unlinked { seq: 3 }));
        assert_eq!(report.verified, 1);
        assert!(!store.remove_audit_event(other.tenant.id, 999));
    }

    #[tokio::test]
    async fn events_list_newest_first_with_filters() {
        let world = World::new("events").await;
        let before = OffsetDateTime::now_utc() - Duration::seconds(1);
        world.project(Visibility::Shared).await;
        let store = &world.store;
        let all = store
            .list_events(
                &world.owner,
                AuditFilter::default(),
                Page::first(3).unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(all.items.len(), 3);
        assert!(all.items.windows(2).all(|pair| pair[0].seq > pair[1].seq));
        let rest = store
            .list_events(
                &world.owner,
                AuditFilter::default(),
                Page::first(200).unwrap().after(all.next),
            )
            .await
            .unwrap();
        assert_eq!(
            rest.items.first().map(|e| e.seq),
            Some(all.items[2].seq - 1)
        );
        let published = store
            .list_events(
                &world.owner,
                AuditFilter {
                    action: Some(crate::rules::events::PUBLISHED.to_owned()),
                    from: Some(before),
                    until: None,
                },
                Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(published.items.len(), 1);
        let none = store
            .list_events(
                &world.owner,
                AuditFilter {
                    until: Some(before),
                    ..AuditFilter::default()
                },
                Page::default(),
            )
            .await
            .unwrap();
        assert!(none.items.is_empty());
    }

    #[tokio::test]
    async fn a_claimed_row_is_leased_until_it_is_due_again() {
        let world = World::new("outbox").await;
        let other = World::in_store(world.store.clone(), "outbox-two").await;
        let store = &world.store;
        let first = store
            .enqueue(&world.owner, "test.first", serde_json::json!({ "n": 1 }))
            .await
            .unwrap();
        let second = store
            .enqueue(&other.system, "test.second", serde_json::json!({ "n": 2 }))
            .await
            .unwrap();
        // Whole seconds: stored times keep microseconds only.
        let now =
            OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp() + 1)
                .unwrap();
        let lease = Duration::minutes(5);

        let claimed = store.claim_due(now, 10, lease).await.unwrap();
        let ids: Vec<_> = claimed.iter().map(|row| row.id).collect();
        assert!(
            ids.contains(&first.id) && ids.contains(&second.id),
            "across tenants"
        );
        assert!(
            claimed.windows(2).all(|pair| pair[0].id < pair[1].id),
            "oldest first"
        );
        assert!(claimed.iter().all(|row| row.next_attempt_at == now + lease));
        assert!(store.claim_due(now, 10, lease).await.unwrap().is_empty());

        let later = now + lease;
        let again = store.claim_due(later, 1, lease).await.unwrap();
        assert_eq!(again.len(), 1);

        store.mark_delivered(first.id).await.unwrap();
        store
            .mark_failed(second.id, "smtp down", None)
            .await
            .unwrap();
        assert!(
            store
                .claim_due(later + lease, 100, lease)
                .await
                .unwrap()
                .is_empty()
        );
        let rows = store
            .list_outbox(&other.owner, Page::first(200).unwrap())
            .await
            .unwrap();
        let dead = rows.items.iter().find(|row| row.id == second.id).unwrap();
        assert_eq!(dead.status, OutboxStatus::Dead);
        assert_eq!(dead.attempts, 1);
        assert_eq!(dead.last_error.as_deref(), Some("smtp down"));
        assert!(rows.items.iter().all(|row| row.tenant == other.tenant.id));
        assert!(matches!(
            store
                .mark_delivered(portal_core::OutboxEventId::new())
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.list_outbox(&world.contact, Page::default()).await,
            Err(StoreError::Forbidden(_))
        ));
    }
}
