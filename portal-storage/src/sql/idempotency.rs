//! Idempotency keys (migration 0005). Every method but the sweep runs in a transaction for the
//! scope's tenant, so PostgreSQL's row-level security binds it beside the `tenant_id` in each
//! query.

use async_trait::async_trait;
use portal_core::TenantScope;
use portal_core::state::Sha256Digest;
use time::{Duration, OffsetDateTime};

use super::convert::{corrupt, digest, stored_time};
use super::{backend, map_db_error};
use crate::rules::unexpired;
use crate::traits::idempotency::{
    ALREADY_COMPLETED, StoredResponse, check_status, check_ttl, resolve_begin,
};
use crate::traits::{IdempotencyBegin, IdempotencyStore, check_idempotency_key};
use crate::{StoreError, StoreResult};

/// A `portal_idempotency_key` row as `begin` reads it.
#[derive(sqlx::FromRow)]
struct KeyRow {
    request_hash: Vec<u8>,
    status: Option<i32>,
    response: Option<Vec<u8>>,
    expires_at: OffsetDateTime,
}

impl KeyRow {
    /// The stored hash and response (`None`: in progress).
    fn into_parts(self) -> StoreResult<(Sha256Digest, Option<StoredResponse>)> {
        let hash = digest("request_hash", &self.request_hash)?;
        let response = match (self.status, self.response) {
            (Some(status), Some(body)) => Some((
                u16::try_from(status).map_err(|error| corrupt("status", error))?,
                body,
            )),
            (None, None) => None,
            _ => {
                return Err(corrupt(
                    "status",
                    "status and response must be set together",
                ));
            }
        };
        Ok((hash, response))
    }
}

#[cfg(feature = "postgres")]
impl super::PostgresStore {
    /// Reads and locks a key's row, so a concurrent begin waits for this one's decision.
    const LOCK_KEY: &'static str = "SELECT request_hash, status, response, expires_at \
         FROM portal_idempotency_key WHERE tenant_id = $1 AND idempotency_key = $2 FOR UPDATE";
}

#[cfg(feature = "sqlite")]
impl super::SqliteStore {
    /// Reads a key's row; `BEGIN IMMEDIATE` already holds the only write lock.
    const LOCK_KEY: &'static str = "SELECT request_hash, status, response, expires_at \
         FROM portal_idempotency_key WHERE tenant_id = $1 AND idempotency_key = $2";
}

/// Attempts at claiming a key whose row vanishes between the insert and the read (abandoned or
/// swept meanwhile) before giving up with a conflict.
const CLAIM_ATTEMPTS: usize = 3;

for_each_backend! {
    #[async_trait]
    impl IdempotencyStore for Store {
        async fn begin_idempotent(
            &self,
            scope: &TenantScope,
            key: &str,
            request_hash: &Sha256Digest,
            now: OffsetDateTime,
            ttl: Duration,
        ) -> StoreResult<IdempotencyBegin> {
            check_idempotency_key(key)?;
            check_ttl(ttl)?;
            let tenant = scope.tenant_id();
            let expires_at = stored_time(now + ttl);
            let mut tx = self.write_uncounted(tenant).await?;
            for _ in 0..CLAIM_ATTEMPTS {
                // The insert is the claim: of concurrent begins one inserts; PostgreSQL makes the
                // others wait for it and then do nothing. An unknown tenant fails the foreign key.
                let claimed = sqlx::query(
                    "INSERT INTO portal_idempotency_key \
                     (tenant_id, idempotency_key, request_hash, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
                )
                .bind(*tenant.as_uuid())
                .bind(key)
                .bind(request_hash.as_bytes().to_vec())
                .bind(stored_time(now))
                .bind(expires_at)
                .execute(&mut *tx)
                .await
                .map_err(map_db_error("idempotency key"))?;
                if claimed.rows_affected() == 1 {
                    tx.commit().await.map_err(backend)?;
                    return Ok(IdempotencyBegin::Started);
                }
                let row: Option<KeyRow> = sqlx::query_as(Store::LOCK_KEY)
                    .bind(*tenant.as_uuid())
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
                let Some(row) = row else { continue };
                // Expiry is compared here, as SQLite's text times do not sort as times.
                if unexpired(row.expires_at, now) {
                    let (stored_hash, response) = row.into_parts()?;
                    tx.commit().await.map_err(backend)?;
                    return Ok(resolve_begin(&stored_hash, request_hash, response));
                }
                // Expired: as good as absent, so this request takes the key over; the row is
                // locked, so no other begin does the same.
                sqlx::query(
                    "UPDATE portal_idempotency_key SET request_hash = $3, status = NULL, \
                     response = NULL, created_at = $4, expires_at = $5 \
                     WHERE tenant_id = $1 AND idempotency_key = $2",
                )
                .bind(*tenant.as_uuid())
                .bind(key)
                .bind(request_hash.as_bytes().to_vec())
                .bind(stored_time(now))
                .bind(expires_at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                tx.commit().await.map_err(backend)?;
                return Ok(IdempotencyBegin::Started);
            }
            Err(StoreError::conflict("idempotency key changed concurrently"))
        }

        async fn complete_idempotent(
            &self,
            scope: &TenantScope,
            key: &str,
            status: u16,
            body: Vec<u8>,
        ) -> StoreResult<()> {
            check_idempotency_key(key)?;
            check_status(status)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            // Only an in-progress row takes a response, so a response is never overwritten.
            let done = sqlx::query(
                "UPDATE portal_idempotency_key SET status = $3, response = $4 \
                 WHERE tenant_id = $1 AND idempotency_key = $2 AND status IS NULL",
            )
            .bind(*tenant.as_uuid())
            .bind(key)
            .bind(i32::from(status))
            .bind(body)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 0 {
                let exists: Option<i32> = sqlx::query_scalar(
                    "SELECT 1 FROM portal_idempotency_key \
                     WHERE tenant_id = $1 AND idempotency_key = $2",
                )
                .bind(*tenant.as_uuid())
                .bind(key)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
                return Err(if exists.is_some() {
                    StoreError::conflict(ALREADY_COMPLETED)
                } else {
                    StoreError::NotFound
                });
            }
            tx.commit().await.map_err(backend)
        }

        async fn abandon_idempotent(&self, scope: &TenantScope, key: &str) -> StoreResult<bool> {
            check_idempotency_key(key)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write_uncounted(tenant).await?;
            let deleted = sqlx::query(
                "DELETE FROM portal_idempotency_key \
                 WHERE tenant_id = $1 AND idempotency_key = $2 AND status IS NULL",
            )
            .bind(*tenant.as_uuid())
            .bind(key)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(deleted.rows_affected() > 0)
        }

        async fn delete_expired_idempotent(&self, now: OffsetDateTime) -> StoreResult<u64> {
            let mut tx = self.global().await?;
            let deleted = sqlx::query(Store::DELETE_EXPIRED_KEYS)
                .bind(stored_time(now))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(deleted.rows_affected())
        }
    }
}

#[cfg(test)]
#[cfg(all(feature = "sqlite", feature = "postgres"))]
mod tests {
    use super::*;
    use crate::sql::work_fixture::{postgres, tenant};

    /// Row-level security is the second wall: a transaction of another tenant sees none of a
    /// tenant's keys, even when it asks for the key by name alone.
    #[tokio::test]
    async fn another_tenants_transaction_sees_no_key() {
        let Some(store) = postgres(2).await else {
            return;
        };
        let (acme, globex) = (tenant(&store).await, tenant(&store).await);
        let key = format!("key-{}", uuid::Uuid::now_v7());
        let hash = Sha256Digest::from_bytes([7; 32]);
        let begun = store
            .begin_idempotent(
                &TenantScope::dangerous_system(acme),
                &key,
                &hash,
                OffsetDateTime::now_utc(),
                Duration::hours(1),
            )
            .await
            .unwrap();
        assert_eq!(begun, IdempotencyBegin::Started);
        let count = |tenant| {
            let (store, key) = (store.clone(), key.clone());
            async move {
                let mut tx = store.read(tenant).await.unwrap();
                let count: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM portal_idempotency_key WHERE idempotency_key = $1",
                )
                .bind(key)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
                count
            }
        };
        assert_eq!(count(acme).await, 1);
        assert_eq!(count(globex).await, 0);
    }
}
