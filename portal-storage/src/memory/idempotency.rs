//! Idempotency keys.

use std::collections::HashMap;

use async_trait::async_trait;
use portal_core::state::Sha256Digest;
use portal_core::{TenantId, TenantScope};
use time::{Duration, OffsetDateTime};

use super::{MemoryStore, State, retain_counted, stored_time};
use crate::rules::unexpired;
use crate::traits::idempotency::{
    ALREADY_COMPLETED, StoredResponse, check_status, check_ttl, resolve_begin,
};
use crate::traits::{IdempotencyBegin, IdempotencyStore, check_idempotency_key};
use crate::{StoreError, StoreResult};

/// One key's record: the request it was first used for and, once finished, its response.
struct IdempotencyRow {
    request_hash: Sha256Digest,
    response: Option<StoredResponse>,
    expires_at: OffsetDateTime,
}

/// The idempotency records, by tenant and key.
#[derive(Default)]
pub(super) struct IdempotencyTables {
    records: HashMap<(TenantId, String), IdempotencyRow>,
}

impl State {
    fn begin_idempotent(
        &mut self,
        scope: &TenantScope,
        key: &str,
        request_hash: &Sha256Digest,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> StoreResult<IdempotencyBegin> {
        check_idempotency_key(key)?;
        check_ttl(ttl)?;
        self.require_tenant(scope)?;
        let id = (scope.tenant_id(), key.to_owned());
        let records = &mut self.idempotency.records;
        if let Some(row) = records
            .get(&id)
            .filter(|row| unexpired(row.expires_at, now))
        {
            return Ok(resolve_begin(
                &row.request_hash,
                request_hash,
                row.response.clone(),
            ));
        }
        records.insert(
            id,
            IdempotencyRow {
                request_hash: *request_hash,
                response: None,
                expires_at: stored_time(now + ttl),
            },
        );
        Ok(IdempotencyBegin::Started)
    }

    fn complete_idempotent(
        &mut self,
        scope: &TenantScope,
        key: &str,
        status: u16,
        body: Vec<u8>,
    ) -> StoreResult<()> {
        check_idempotency_key(key)?;
        check_status(status)?;
        let row = self
            .idempotency
            .records
            .get_mut(&(scope.tenant_id(), key.to_owned()))
            .ok_or(StoreError::NotFound)?;
        if row.response.is_some() {
            return Err(StoreError::conflict(ALREADY_COMPLETED));
        }
        row.response = Some((status, body));
        Ok(())
    }

    fn abandon_idempotent(&mut self, scope: &TenantScope, key: &str) -> StoreResult<bool> {
        check_idempotency_key(key)?;
        let id = (scope.tenant_id(), key.to_owned());
        let records = &mut self.idempotency.records;
        if records.get(&id).is_some_and(|row| row.response.is_none()) {
            records.remove(&id);
            return Ok(true);
        }
        Ok(false)
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn begin_idempotent(
        &self,
        scope: &TenantScope,
        key: &str,
        request_hash: &Sha256Digest,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> StoreResult<IdempotencyBegin> {
        self.with_mut_uncounted(|state| state.begin_idempotent(scope, key, request_hash, now, ttl))
    }

    async fn complete_idempotent(
        &self,
        scope: &TenantScope,
        key: &str,
        status: u16,
        body: Vec<u8>,
    ) -> StoreResult<()> {
        self.with_mut_uncounted(|state| state.complete_idempotent(scope, key, status, body))
    }

    async fn abandon_idempotent(&self, scope: &TenantScope, key: &str) -> StoreResult<bool> {
        self.with_mut_uncounted(|state| state.abandon_idempotent(scope, key))
    }

    async fn delete_expired_idempotent(&self, now: OffsetDateTime) -> StoreResult<u64> {
        Ok(self.with_mut(|state| {
            retain_counted(&mut state.idempotency.records, |row| {
                unexpired(row.expires_at, now)
            })
        }))
    }
}
