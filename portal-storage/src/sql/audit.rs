//! The append-only, hash-chained audit log of each tenant.

use async_trait::async_trait;
use portal_core::model::{
    AuditContext, AuditEvent, HashVersion, NewAuditEvent, ObjectRef, PersonalSalt, verify_chain,
};
use portal_core::state::Sha256Digest;
use portal_core::{AuditEventId, Permission, TenantId, TenantScope, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::backend;
use super::convert::{actor, audit_outcome, corrupt, digest, from_json, ip, stored_time};
use super::work_rules::require_text;
use crate::lifecycle::actor_texts;
use crate::rules;
use crate::traits::{AuditErasure, AuditFilter, AuditStore, ChainReport, PersonalFactsOf};
use crate::{Page, Paged, StoreResult};

/// How many events `verify_chain` reads at a time.
const VERIFY_BATCH: i64 = 500;

/// A `portal_audit_event` row.
#[derive(sqlx::FromRow)]
struct AuditRow {
    audit_event_id: Uuid,
    tenant_id: Uuid,
    seq: i64,
    occurred_at: OffsetDateTime,
    actor: String,
    action: String,
    object_kind: Option<String>,
    object_id: Option<Uuid>,
    outcome: String,
    ip: Option<String>,
    details: String,
    hash_version: i16,
    subject_id: Option<Uuid>,
    personal: Option<String>,
    personal_salt: Option<Vec<u8>>,
    personal_digest: Option<Vec<u8>>,
    erased_at: Option<OffsetDateTime>,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

impl AuditRow {
    fn into_event(self) -> StoreResult<AuditEvent> {
        let object = match (self.object_kind, self.object_id) {
            (Some(kind), Some(id)) => Some(ObjectRef { kind, id }),
            (None, None) => None,
            _ => {
                return Err(corrupt(
                    "object_kind",
                    "object kind and id must be set together",
                ));
            }
        };
        Ok(AuditEvent {
            id: AuditEventId::from_uuid(self.audit_event_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            seq: self.seq,
            occurred_at: self.occurred_at,
            actor: actor(&self.actor)?,
            action: self.action,
            object,
            outcome: audit_outcome(&self.outcome)?,
            ip: ip(self.ip.as_deref())?,
            details: from_json("details", &self.details)?,
            hash_version: u8::try_from(self.hash_version)
                .ok()
                .and_then(HashVersion::from_number)
                .ok_or_else(|| corrupt("hash_version", "unknown audit hash version"))?,
            subject: self.subject_id.map(UserId::from_uuid),
            personal: self
                .personal
                .as_deref()
                .map(|text| from_json("personal", text))
                .transpose()?,
            personal_salt: self
                .personal_salt
                .map(|salt| {
                    PersonalSalt::try_from(salt.as_slice())
                        .map_err(|_| corrupt("personal_salt", "a salt is 16 bytes"))
                })
                .transpose()?,
            personal_digest: self
                .personal_digest
                .map(|bytes| digest("personal_digest", &bytes))
                .transpose()?,
            erased_at: self.erased_at,
            prev_hash: digest("prev_hash", &self.prev_hash)?,
            hash: digest("hash", &self.hash)?,
        })
    }
}

/// Where a chain check stands: the last verified event and how many were verified.
struct Progress {
    previous: Option<(i64, Sha256Digest)>,
    verified: u64,
}

impl Progress {
    /// Checks the next batch; on a break, finds the event that breaks it so the count of
    /// verified events is exact.
    fn check(
        &mut self,
        tenant: TenantId,
        batch: &[AuditEvent],
    ) -> Option<portal_core::model::ChainBreak> {
        if let Ok(next) = verify_chain(tenant, self.previous, batch) {
            self.previous = next;
            self.verified = self.verified.saturating_add(batch.len() as u64);
            return None;
        }
        for event in batch {
            match verify_chain(tenant, self.previous, std::slice::from_ref(event)) {
                Ok(next) => {
                    self.previous = next;
                    self.verified = self.verified.saturating_add(1);
                }
                Err(broken) => return Some(broken),
            }
        }
        None
    }
}

for_each_backend! {
    #[async_trait]
    impl AuditStore for Store {
        async fn append(
            &self,
            scope: &TenantScope,
            event: NewAuditEvent,
            context: &AuditContext,
        ) -> StoreResult<AuditEvent> {
            require_text("action", &event.action)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            let event = Store::append_audit_in(&mut tx, tenant, event, context).await?;
            tx.commit().await.map_err(backend)?;
            Ok(event)
        }

        async fn list_events(
            &self,
            scope: &TenantScope,
            filter: AuditFilter,
            page: Page,
        ) -> StoreResult<Paged<AuditEvent>> {
            rules::require_tenant_level(scope, Permission::ViewAuditLog)?;
            let mut tx = self.read(scope.tenant_id()).await?;
            let rows: Vec<AuditRow> = sqlx::query_as(Store::LIST_AUDIT_EVENTS)
                .bind(*scope.tenant_id().as_uuid())
                .bind(filter.action)
                .bind(filter.from.map(stored_time))
                .bind(filter.until.map(stored_time))
                .bind(page.cursor().map(|cursor| cursor.id()))
                .bind(i64::from(page.limit()) + 1)
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let events = rows
                .into_iter()
                .map(AuditRow::into_event)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Paged::from_overfetch(events, page, |event| {
                *event.id.as_uuid()
            }))
        }

        async fn erase_personal_facts(
            &self,
            scope: &TenantScope,
            of: &PersonalFactsOf,
        ) -> StoreResult<AuditErasure> {
            rules::require_tenant_level(scope, Permission::EraseClientData)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            let erasure = Store::erase_personal_facts_in(&mut tx, tenant, of).await?;
            tx.commit().await.map_err(backend)?;
            Ok(erasure)
        }

        async fn verify_chain(&self, scope: &TenantScope) -> StoreResult<ChainReport> {
            rules::require_tenant_level(scope, Permission::ViewAuditLog)?;
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            // The head first: every event up to its place was committed with it, so later
            // appends cannot disturb the check, and a cut-off tail shows as a mismatch.
            let head: Option<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT seq, hash FROM portal_audit_head WHERE tenant_id = $1")
                    .bind(*tenant.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            let head = match head {
                Some((0, _)) | None => None,
                Some((seq, hash)) => Some((seq, digest("hash", &hash)?)),
            };
            let last = head.map_or(0, |(seq, _)| seq);
            let mut progress = Progress {
                previous: None,
                verified: 0,
            };
            let mut after = 0_i64;
            while after < last {
                let rows: Vec<AuditRow> = sqlx::query_as(
                    "SELECT audit_event_id, tenant_id, seq, occurred_at, actor, action, object_kind, \
                     object_id, outcome, ip, details, hash_version, subject_id, personal, \
                     personal_salt, personal_digest, erased_at, prev_hash, hash \
                     FROM portal_audit_event \
                     WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
                )
                .bind(*tenant.as_uuid())
                .bind(after)
                .bind(last)
                .bind(VERIFY_BATCH)
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
                let Some(end) = rows.last().map(|row| row.seq) else {
                    break;
                };
                after = end;
                let batch = rows
                    .into_iter()
                    .map(AuditRow::into_event)
                    .collect::<StoreResult<Vec<_>>>()?;
                if let Some(broken) = progress.check(tenant, &batch) {
                    tx.commit().await.map_err(backend)?;
                    return Ok(ChainReport {
                        verified: progress.verified,
                        broken: Some(broken),
                    });
                }
            }
            tx.commit().await.map_err(backend)?;
            // The chain verified, but it must also end where the head says: events cut off the
            // end leave the head pointing past the last one.
            let broken =
                (progress.previous != head).then(|| portal_core::model::ChainBreak::Unlinked {
                    seq: progress
                        .previous
                        .map_or(1, |(seq, _)| seq.saturating_add(1)),
                });
            Ok(ChainReport {
                verified: progress.verified,
                broken,
            })
        }
    }

    /// Adds ` AND (…)`: the events `of` names, by actor, subject, invitation or email.
    fn push_named(
        query: &mut sqlx::QueryBuilder<Db>,
        of: &PersonalFactsOf,
        actors: &[String],
        emails: &[String],
    ) {
        query.push(" AND (1 = 0");
        push_in(query, "actor", actors.iter().cloned());
        push_in(query, "subject_id", of.users.iter().map(|user| *user.as_uuid()));
        if !of.invitations.is_empty() {
            query.push(" OR (object_kind = 'invitation'");
            push_in(query, "object_id", of.invitations.iter().map(|id| *id.as_uuid()));
            query.push(")");
        }
        push_in(query, "personal", emails.iter().cloned());
        query.push(")");
    }

    /// Adds ` OR column IN (…)` when there are values.
    fn push_in<T>(
        query: &mut sqlx::QueryBuilder<Db>,
        column: &str,
        values: impl ExactSizeIterator<Item = T>,
    ) where
        T: for<'t> sqlx::Encode<'t, Db> + sqlx::Type<Db>,
    {
        if values.len() == 0 {
            return;
        }
        query.push(format_args!(" OR {column} IN ("));
        let mut list = query.separated(", ");
        for value in values {
            list.push_bind(value);
        }
        list.push_unseparated(")");
    }

    impl Store {
        /// Erases, within `tx`, the personal facts of the version 2 events of `tenant` that
        /// `of` names, and counts the version 1 events it leaves.
        pub(crate) async fn erase_personal_facts_in(
            tx: &mut Conn,
            tenant: TenantId,
            of: &PersonalFactsOf,
        ) -> StoreResult<AuditErasure> {
            if of.is_empty() {
                return Ok(AuditErasure::default());
            }
            let actors = actor_texts(of)?;
            let emails = of.email_facts();
            let mut erase = sqlx::QueryBuilder::<Db>::new(
                "UPDATE portal_audit_event SET ip = NULL, personal = NULL, personal_salt = NULL, \
                 erased_at = ",
            );
            erase.push_bind(super::chain::now());
            erase.push(" WHERE hash_version = 2 AND erased_at IS NULL AND tenant_id = ");
            erase.push_bind(*tenant.as_uuid());
            push_named(&mut erase, of, &actors, &emails);
            let erased = erase
                .build()
                .execute(&mut *tx)
                .await
                .map_err(backend)?
                .rows_affected();
            let mut count = sqlx::QueryBuilder::<Db>::new(
                "SELECT COUNT(*) FROM portal_audit_event WHERE hash_version = 1 AND tenant_id = ",
            );
            count.push_bind(*tenant.as_uuid());
            push_named(&mut count, of, &actors, &emails);
            let kept: i64 = count
                .build_query_scalar()
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
            Ok(AuditErasure {
                erased,
                version_1_kept: u64::try_from(kept).unwrap_or_default(),
            })
        }

        /// `NotFound` unless `tenant` exists (a system scope can name any id).
        pub(crate) async fn require_tenant_in(
            tx: &mut Conn,
            tenant: TenantId,
        ) -> StoreResult<()> {
            let found: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM portal_tenant WHERE tenant_id = $1")
                    .bind(*tenant.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            found.map(|_| ()).ok_or(crate::StoreError::NotFound)
        }
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod sqlite_tests {
    use std::collections::BTreeSet;

    use super::super::tenant::sqlite_tests::{sqlite_store, sqlite_tenant};
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_appends_never_fork_the_chain() {
        let (_dir, store) = sqlite_store().await;
        let tenant = sqlite_tenant(&store).await;
        let scope = TenantScope::dangerous_system(tenant.id);
        let mut tasks = Vec::new();
        for i in 0..24 {
            let store = store.clone();
            let scope = scope.clone();
            tasks.push(tokio::spawn(async move {
                let event = NewAuditEvent::by(&scope, "test.appended", None)
                    .with_details(serde_json::json!({ "i": i }));
                store
                    .append(&scope, event, &AuditContext::default())
                    .await
                    .unwrap()
            }));
        }
        let mut seqs = BTreeSet::new();
        for task in tasks {
            assert!(
                seqs.insert(task.await.unwrap().seq),
                "two events took one place"
            );
        }
        // The tenant's creation is event 1; the appends follow without gaps.
        assert_eq!(seqs, (2..=25).collect());
        let report = store.verify_chain(&scope).await.unwrap();
        assert_eq!((report.verified, report.broken), (25, None));
    }

    #[tokio::test]
    async fn a_cut_off_tail_breaks_the_chain() {
        let (_dir, store) = sqlite_store().await;
        let tenant = sqlite_tenant(&store).await;
        let scope = TenantScope::dangerous_system(tenant.id);
        for _ in 0..3 {
            let event = NewAuditEvent::by(&scope, "test.appended", None);
            store
                .append(&scope, event, &AuditContext::default())
                .await
                .unwrap();
        }
        sqlx::query("DELETE FROM portal_audit_event WHERE tenant_id = $1 AND seq = 4")
            .bind(*tenant.id.as_uuid())
            .execute(store.pool())
            .await
            .unwrap();
        let report = store.verify_chain(&scope).await.unwrap();
        assert_eq!(report.verified, 3);
        assert_eq!(
            report.broken,
            Some(portal_core::model::ChainBreak::Unlinked { seq: 4 })
        );
        let blank = store
            .append(
                &scope,
                NewAuditEvent::by(&scope, " ", None),
                &AuditContext::default(),
            )
            .await;
        assert!(
            matches!(blank, Err(crate::StoreError::Invalid(_))),
            "{blank:?}"
        );
    }

    /// An event as a release before hash version 2 wrote it stays verifiable after the
    /// migration, and erasure leaves it as it is and counts it.
    #[tokio::test]
    async fn version_1_events_verify_and_are_counted_not_erased() {
        use portal_core::model::{Actor, HashVersion};

        let (_dir, store) = sqlite_store().await;
        let tenant = sqlite_tenant(&store).await;
        let scope = TenantScope::dangerous_system(tenant.id);
        let person = UserId::new();
        let mut event = NewAuditEvent::by(&scope, "message.posted", None);
        event.actor = Actor::User(person);
        let context = AuditContext {
            ip: Some("203.0.113.9".parse().unwrap()),
        };
        let appended = store.append(&scope, event, &context).await.unwrap();
        let mut old = AuditEvent {
            hash_version: HashVersion::V1,
            personal_salt: None,
            personal_digest: None,
            ..appended
        };
        old.hash = old.computed_hash();
        sqlx::query(
            "UPDATE portal_audit_event SET hash_version = 1, personal_salt = NULL, \
             personal_digest = NULL, hash = $1 WHERE tenant_id = $2 AND seq = $3",
        )
        .bind(old.hash.as_bytes().to_vec())
        .bind(*tenant.id.as_uuid())
        .bind(old.seq)
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE portal_audit_head SET hash = $1 WHERE tenant_id = $2")
            .bind(old.hash.as_bytes().to_vec())
            .bind(*tenant.id.as_uuid())
            .execute(store.pool())
            .await
            .unwrap();
        let report = store.verify_chain(&scope).await.unwrap();
        assert_eq!((report.verified, report.broken), (2, None));

        let of = PersonalFactsOf {
            users: vec![person],
            ..PersonalFactsOf::default()
        };
        let erasure = store.erase_personal_facts(&scope, &of).await.unwrap();
        assert_eq!((erasure.erased, erasure.version_1_kept), (0, 1));
        let events = store
            .list_events(&scope, AuditFilter::default(), Page::first(10).unwrap())
            .await
            .unwrap()
            .items;
        assert_eq!(
            events[0].ip, context.ip,
            "a version 1 event keeps its address"
        );
        assert_eq!(store.verify_chain(&scope).await.unwrap().broken, None);
    }
}
