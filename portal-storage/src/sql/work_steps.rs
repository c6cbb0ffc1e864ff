//! The steps the work stores' writes share: a conditional status move, an upsert's lookup by
//! external id, and publishing or withdrawing an object. Each store keeps its own SQL; these run it the same way.

use portal_core::model::AuditContext;
use portal_core::{Permission, StateMachine, TenantId, TenantScope, Visibility};
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::visibility::{Seen, permitted};
use super::work_convert::visibility_name;
use super::work_rules::event;
use crate::StoreResult;
use crate::rules::{self, Publishable, events};

for_each_backend! {
    impl Store {
        /// Moves a row from status `from` to `to` if it is still in `from` (`sql` binds `$1` to
        /// the new status, `$2` to the id, `$3` to the tenant, `$4` to the old status); whether
        /// it moved. The caller checked the move against the state machine; a row another
        /// writer moved first is left alone.
        pub(super) async fn shift_in<S: StateMachine>(
            tx: &mut Conn,
            sql: &'static str,
            tenant: TenantId,
            id: &Uuid,
            from: S,
            to: S,
        ) -> StoreResult<bool> {
            let moved = sqlx::query(sql)
                .bind(to.name())
                .bind(*id)
                .bind(*tenant.as_uuid())
                .bind(from.name())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            Ok(moved.rows_affected() == 1)
        }

        /// The id of the row that holds `external_id` in `tenant` (`sql` binds `$1` to the tenant,
        /// `$2` to the external id): the lookup that decides whether an upsert updates.
        pub(super) async fn by_external_id_in(
            tx: &mut Conn,
            sql: &'static str,
            tenant: TenantId,
            external_id: &str,
        ) -> StoreResult<Option<Uuid>> {
            sqlx::query_scalar(sql)
                .bind(*tenant.as_uuid())
                .bind(external_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)
        }

        /// Publishes or withdraws the row `fetched` (`sql` binds `$1` to the visibility, `$2` to
        /// the id, `$3` to the tenant), with its audit event and, when published, its outbox
        /// event. Setting the visibility it already has changes and records nothing.
        pub(super) async fn publish_in<R: Publishable>(
            tx: &mut Conn,
            scope: &TenantScope,
            sql: &'static str,
            fetched: Option<Seen<R>>,
            visibility: Visibility,
            audit: &AuditContext,
        ) -> StoreResult<R> {
            let mut row = permitted(scope, Permission::Publish, fetched)?.record;
            if row.visibility() == visibility {
                return Ok(row);
            }
            row.set_visibility(visibility, now());
            sqlx::query(sql)
                .bind(visibility_name(visibility))
                .bind(row.object_id())
                .bind(*scope.tenant_id().as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            Store::announce_visibility_in(tx, scope, &row, audit).await?;
            Ok(row)
        }

        /// Records a visibility change already written: its audit event and, when the object
        /// is now shared, the outbox event that tells the client.
        pub(super) async fn announce_visibility_in<R: Publishable>(
            tx: &mut Conn,
            scope: &TenantScope,
            row: &R,
            audit: &AuditContext,
        ) -> StoreResult<()> {
            let tenant = scope.tenant_id();
            let visibility = row.visibility();
            let event = event(
                scope,
                rules::visibility_action(visibility),
                R::KIND,
                &row.object_id(),
                rules::visibility_details(visibility),
            );
            Store::append_audit_in(tx, tenant, event, audit).await?;
            if visibility.is_shared() {
                let payload = rules::published_payload(row);
                Store::enqueue_in(tx, tenant, events::PUBLISHED, &payload).await?;
            }
            Ok(())
        }
    }
}
