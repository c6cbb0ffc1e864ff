//! Appending to a tenant's audit chain and to the outbox inside a method's own transaction, so
//! a change, its audit event and its notification are committed together or not at all.

use portal_core::model::{AuditContext, AuditEvent, NewAuditEvent, OutboxStatus};
use portal_core::state::Sha256Digest;
use portal_core::{OutboxEventId, TenantId};

use super::backend;
use crate::StoreResult;

/// The current time as every backend stores it (a rule they share).
pub(crate) use crate::rules::now;

/// The stored text of an outbox status.
pub(crate) const fn outbox_status_name(status: OutboxStatus) -> &'static str {
    match status {
        OutboxStatus::Pending => "pending",
        OutboxStatus::Delivered => "delivered",
        OutboxStatus::Dead => "dead",
    }
}

fn digest(bytes: &[u8]) -> Option<Sha256Digest> {
    <[u8; 32]>::try_from(bytes)
        .ok()
        .map(Sha256Digest::from_bytes)
}

for_each_backend! {
    impl Store {
        /// Starts a tenant's audit chain (its head at sequence 0). Part of creating the tenant, so
        /// concurrent first appends still serialise on the head row.
        pub(crate) async fn start_chain(
            tx: &mut Conn,
            tenant: TenantId,
        ) -> StoreResult<()> {
            sqlx::query("INSERT INTO portal_audit_head (tenant_id, seq, hash) VALUES ($1, 0, $2)")
                .bind(*tenant.as_uuid())
                .bind(vec![0u8; 32])
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            Ok(())
        }

        /// Appends `event` to `tenant`'s chain within `tx`: locks the chain head, seals the event
        /// after it, inserts it and moves the head.
        pub(crate) async fn append_audit_in(
            tx: &mut Conn,
            tenant: TenantId,
            event: NewAuditEvent,
            context: &AuditContext,
        ) -> StoreResult<AuditEvent> {
            let head: Option<(i64, Vec<u8>)> = sqlx::query_as(Store::AUDIT_HEAD_FOR_UPDATE)
                .bind(*tenant.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            let previous = match head {
                Some((0, _)) | None => None,
                Some((seq, hash)) => Some((
                    seq,
                    digest(&hash).ok_or_else(|| {
                        crate::StoreError::backend(std::io::Error::other(
                            "audit chain head is corrupt",
                        ))
                    })?,
                )),
            };
            let event = event.seal(tenant, previous, now(), context);
            let actor = serde_json::to_string(&event.actor).map_err(crate::StoreError::backend)?;
            let details = event.details.to_string();
            sqlx::query(
                "INSERT INTO portal_audit_event (audit_event_id, tenant_id, seq, occurred_at, actor, \
                 action, object_kind, object_id, outcome, ip, details, prev_hash, hash, \
                 hash_version, subject_id, personal, personal_salt, personal_digest, erased_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $19)",
            )
            .bind(*event.id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(event.seq)
            .bind(event.occurred_at)
            .bind(actor)
            .bind(&event.action)
            .bind(event.object.as_ref().map(|object| object.kind.clone()))
            .bind(event.object.as_ref().map(|object| object.id))
            .bind(audit_outcome_name(event.outcome))
            .bind(event.ip.map(|ip| ip.to_string()))
            .bind(details)
            .bind(event.prev_hash.as_bytes().to_vec())
            .bind(event.hash.as_bytes().to_vec())
            .bind(i16::from(event.hash_version.number()))
            .bind(event.subject.map(|user| *user.as_uuid()))
            .bind(event.personal.as_ref().map(serde_json::Value::to_string))
            .bind(event.personal_salt.map(|salt| salt.to_vec()))
            .bind(event.personal_digest.map(|digest| digest.as_bytes().to_vec()))
            .bind(event.erased_at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            sqlx::query(
                "INSERT INTO portal_audit_head (tenant_id, seq, hash) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            )
            .bind(*tenant.as_uuid())
            .bind(event.seq)
            .bind(event.hash.as_bytes().to_vec())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            Ok(event)
        }

        /// Adds an outbox row for `tenant` within `tx`; returns its id.
        pub(crate) async fn enqueue_in(
            tx: &mut Conn,
            tenant: TenantId,
            kind: &str,
            payload: &serde_json::Value,
        ) -> StoreResult<OutboxEventId> {
            let id = OutboxEventId::new();
            let at = now();
            sqlx::query(
                "INSERT INTO portal_outbox_event (outbox_event_id, tenant_id, kind, payload, status, \
                 attempts, next_attempt_at, last_error, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 0, $6, NULL, $6)",
            )
            .bind(*id.as_uuid())
            .bind(*tenant.as_uuid())
            .bind(kind)
            .bind(payload.to_string())
            .bind(outbox_status_name(OutboxStatus::Pending))
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            Ok(id)
        }
    }
}

/// The stored text of an audit outcome.
pub(crate) const fn audit_outcome_name(outcome: portal_core::model::AuditOutcome) -> &'static str {
    match outcome {
        portal_core::model::AuditOutcome::Success => "success",
        portal_core::model::AuditOutcome::Failure => "failure",
        portal_core::model::AuditOutcome::Denied => "denied",
    }
}
