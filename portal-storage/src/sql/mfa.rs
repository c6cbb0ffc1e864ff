//! Login tokens and second factors. Global by tenant and user (they are used before any session
//! exists), yet each method about one user runs in a transaction for that user's tenant, so
//! PostgreSQL's row-level security still binds it; only the expiry sweep crosses tenants.

use async_trait::async_trait;
use portal_core::model::{LoginTokenPurpose, TotpEnrolment};
use portal_core::state::Sha256Digest;
use portal_core::{TenantId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::chain::now;
use super::convert::{corrupt, stored_time};
use super::{backend, map_db_error};
use crate::rules::{
    self, conflicts, distinct_code_hashes, require_sealed_secret, totp_step, unexpired,
};
use crate::traits::{LoginTokenStore, MfaStore};
use crate::{StoreError, StoreResult};

/// A `portal_totp` row. No `Debug`: it holds the sealed secret.
#[derive(sqlx::FromRow)]
struct TotpRow {
    tenant_id: Uuid,
    user_id: Uuid,
    sealed_secret: Vec<u8>,
    confirmed_at: Option<OffsetDateTime>,
    last_step: Option<i64>,
    created_at: OffsetDateTime,
}

impl TotpRow {
    fn into_enrolment(self) -> StoreResult<TotpEnrolment> {
        let last_step = self
            .last_step
            .map(|step| u64::try_from(step).map_err(|error| corrupt("last_step", error)))
            .transpose()?;
        Ok(TotpEnrolment {
            tenant: TenantId::from_uuid(self.tenant_id),
            user: UserId::from_uuid(self.user_id),
            sealed_secret: self.sealed_secret,
            confirmed_at: self.confirmed_at,
            last_step,
            created_at: self.created_at,
        })
    }
}

/// `$sql` followed by the `portal_totp` columns a [`TotpRow`] reads.
macro_rules! returning_totp {
    ($sql:literal) => {
        concat!(
            $sql,
            " RETURNING tenant_id, user_id, sealed_secret, confirmed_at, last_step, created_at"
        )
    };
}

#[cfg(feature = "postgres")]
impl super::PostgresStore {
    /// Locks the user's row, so the changes to one user's second factors take turns: two
    /// replacements of the recovery codes running at once would otherwise leave both sets
    /// behind. `NO KEY` leaves foreign-key checks (new sessions, tokens) free to proceed.
    const LOCK_USER: &'static str =
        "SELECT 1 FROM portal_user WHERE tenant_id = $1 AND user_id = $2 FOR NO KEY UPDATE";
}

#[cfg(feature = "sqlite")]
impl super::SqliteStore {
    /// Finds the user's row; `BEGIN IMMEDIATE` already holds the only write lock.
    const LOCK_USER: &'static str =
        "SELECT 1 FROM portal_user WHERE tenant_id = $1 AND user_id = $2";
}

for_each_backend! {
    type Tx = Conn;

    impl Store {
        /// Locks `user` of `tenant` for the rest of `tx`; `false` if there is no such user.
        async fn lock_user_in(tx: &mut Tx, tenant: TenantId, user: UserId) -> StoreResult<bool> {
            let found: Option<i32> = sqlx::query_scalar(Store::LOCK_USER)
                .bind(*tenant.as_uuid())
                .bind(*user.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            Ok(found.is_some())
        }

        /// Replaces the user's recovery codes within `tx`; the caller holds the user's lock.
        async fn set_recovery_codes_in(
            tx: &mut Tx,
            tenant: TenantId,
            user: UserId,
            code_hashes: &[Sha256Digest],
        ) -> StoreResult<()> {
            sqlx::query("DELETE FROM portal_recovery_code WHERE tenant_id = $1 AND user_id = $2")
                .bind(*tenant.as_uuid())
                .bind(*user.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            for hash in code_hashes {
                sqlx::query(
                    "INSERT INTO portal_recovery_code (tenant_id, user_id, code_hash) \
                     VALUES ($1, $2, $3)",
                )
                .bind(*tenant.as_uuid())
                .bind(*user.as_uuid())
                .bind(hash.as_bytes().to_vec())
                .execute(&mut *tx)
                .await
                .map_err(map_db_error("recovery code"))?;
            }
            Ok(())
        }
    }

    #[async_trait]
    impl LoginTokenStore for Store {
        async fn issue_login_token(
            &self,
            tenant: TenantId,
            user: UserId,
            purpose: LoginTokenPurpose,
            token_hash: Sha256Digest,
            expires_at: OffsetDateTime,
        ) -> StoreResult<()> {
            let mut tx = self.write(tenant).await?;
            // One row per user and purpose: the upsert replaces the earlier token. The composite
            // foreign key refuses a user of another tenant (as not found); a hash already held
            // by another token is a conflict.
            sqlx::query(
                "INSERT INTO portal_login_token \
                 (token_hash, tenant_id, user_id, purpose, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (tenant_id, user_id, purpose) DO UPDATE SET \
                 token_hash = excluded.token_hash, expires_at = excluded.expires_at, \
                 created_at = excluded.created_at",
            )
            .bind(token_hash.as_bytes().to_vec())
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(purpose.as_str())
            .bind(stored_time(expires_at))
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(conflicts::LOGIN_TOKEN_TAKEN))?;
            tx.commit().await.map_err(backend)
        }

        async fn consume_login_token(
            &self,
            tenant: TenantId,
            purpose: LoginTokenPurpose,
            token_hash: &Sha256Digest,
            now: OffsetDateTime,
        ) -> StoreResult<Option<UserId>> {
            let mut tx = self.write(tenant).await?;
            // Deleting is the claim: of concurrent consumers only one gets the row. An expired
            // token goes too; its expiry is compared here because SQLite's text times do not
            // sort as times.
            let spent: Option<(Uuid, OffsetDateTime)> = sqlx::query_as(
                "DELETE FROM portal_login_token \
                 WHERE token_hash = $1 AND tenant_id = $2 AND purpose = $3 \
                 RETURNING user_id, expires_at",
            )
            .bind(token_hash.as_bytes().to_vec())
            .bind(*tenant.as_uuid())
            .bind(purpose.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(spent
                .filter(|(_, expires_at)| unexpired(*expires_at, now))
                .map(|(user, _)| UserId::from_uuid(user)))
        }

        async fn delete_expired_login_tokens(&self, now: OffsetDateTime) -> StoreResult<u64> {
            let mut tx = self.global().await?;
            // Compared here, not in SQL, as SQLite's text times do not sort as times. Tokens are
            // few: one per user and purpose, each living minutes.
            let tokens: Vec<(Vec<u8>, OffsetDateTime)> =
                sqlx::query_as("SELECT token_hash, expires_at FROM portal_login_token")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(backend)?;
            let mut deleted = 0_u64;
            for (token_hash, expires_at) in tokens {
                if unexpired(expires_at, now) {
                    continue;
                }
                let done = sqlx::query("DELETE FROM portal_login_token WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                deleted += done.rows_affected();
            }
            tx.commit().await.map_err(backend)?;
            Ok(deleted)
        }
    }

    #[async_trait]
    impl MfaStore for Store {
        async fn totp(&self, tenant: TenantId, user: UserId) -> StoreResult<Option<TotpEnrolment>> {
            let mut tx = self.read(tenant).await?;
            let row: Option<TotpRow> = sqlx::query_as(
                "SELECT tenant_id, user_id, sealed_secret, confirmed_at, last_step, created_at \
                 FROM portal_totp WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            row.map(TotpRow::into_enrolment).transpose()
        }

        async fn begin_totp(
            &self,
            tenant: TenantId,
            user: UserId,
            sealed_secret: Vec<u8>,
            now: OffsetDateTime,
        ) -> StoreResult<TotpEnrolment> {
            require_sealed_secret(&sealed_secret)?;
            let mut tx = self.write(tenant).await?;
            // One statement: an unconfirmed enrolment is replaced, a confirmed one is left alone
            // and returns no row. An unknown user fails the foreign key (not found).
            let row: Option<TotpRow> = sqlx::query_as(returning_totp!(
                "INSERT INTO portal_totp (tenant_id, user_id, sealed_secret, created_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (tenant_id, user_id) DO UPDATE SET \
                 sealed_secret = excluded.sealed_secret, created_at = excluded.created_at \
                 WHERE portal_totp.confirmed_at IS NULL"
            ))
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(sealed_secret)
            .bind(stored_time(now))
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_db_error("totp enrolment"))?;
            let row = row.ok_or_else(|| StoreError::conflict(conflicts::TOTP_CONFIRMED))?;
            tx.commit().await.map_err(backend)?;
            row.into_enrolment()
        }

        async fn confirm_totp(
            &self,
            tenant: TenantId,
            user: UserId,
            step: u64,
            recovery_code_hashes: Vec<Sha256Digest>,
            now: OffsetDateTime,
        ) -> StoreResult<TotpEnrolment> {
            let step = totp_step(step)?;
            distinct_code_hashes(&recovery_code_hashes)?;
            let mut tx = self.write(tenant).await?;
            if !Store::lock_user_in(&mut tx, tenant, user).await? {
                return Err(StoreError::NotFound);
            }
            let row: Option<TotpRow> = sqlx::query_as(returning_totp!(
                "UPDATE portal_totp SET confirmed_at = $3, last_step = $4 \
                 WHERE tenant_id = $1 AND user_id = $2 AND confirmed_at IS NULL"
            ))
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(stored_time(now))
            .bind(step)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            let Some(row) = row else {
                let exists: Option<i32> = sqlx::query_scalar(
                    "SELECT 1 FROM portal_totp WHERE tenant_id = $1 AND user_id = $2",
                )
                .bind(*tenant.as_uuid())
                .bind(*user.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
                return Err(if exists.is_some() {
                    StoreError::conflict(conflicts::TOTP_CONFIRMED)
                } else {
                    StoreError::NotFound
                });
            };
            Store::set_recovery_codes_in(&mut tx, tenant, user, &recovery_code_hashes).await?;
            let notice = rules::security_payload(user);
            Store::enqueue_in(&mut tx, tenant, rules::events::SECURITY_MFA_CHANGED, &notice).await?;
            tx.commit().await.map_err(backend)?;
            row.into_enrolment()
        }

        async fn use_totp_step(
            &self,
            tenant: TenantId,
            user: UserId,
            step: u64,
        ) -> StoreResult<bool> {
            let step = totp_step(step)?;
            let mut tx = self.write(tenant).await?;
            // The condition is the replay check: of concurrent uses of one step, one updates
            // and the others find the step already taken.
            let used = sqlx::query(
                "UPDATE portal_totp SET last_step = $3 \
                 WHERE tenant_id = $1 AND user_id = $2 AND confirmed_at IS NOT NULL \
                 AND (last_step IS NULL OR last_step < $3)",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(step)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(used.rows_affected() == 1)
        }

        async fn remove_totp(&self, tenant: TenantId, user: UserId) -> StoreResult<bool> {
            let mut tx = self.write(tenant).await?;
            if !Store::lock_user_in(&mut tx, tenant, user).await? {
                return Ok(false);
            }
            Store::set_recovery_codes_in(&mut tx, tenant, user, &[]).await?;
            let removed =
                sqlx::query("DELETE FROM portal_totp WHERE tenant_id = $1 AND user_id = $2")
                    .bind(*tenant.as_uuid())
                    .bind(*user.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            if removed.rows_affected() > 0 {
                let notice = rules::security_payload(user);
                Store::enqueue_in(&mut tx, tenant, rules::events::SECURITY_MFA_CHANGED, &notice)
                    .await?;
            }
            tx.commit().await.map_err(backend)?;
            Ok(removed.rows_affected() > 0)
        }

        async fn replace_recovery_codes(
            &self,
            tenant: TenantId,
            user: UserId,
            code_hashes: Vec<Sha256Digest>,
        ) -> StoreResult<()> {
            distinct_code_hashes(&code_hashes)?;
            let mut tx = self.write(tenant).await?;
            if !Store::lock_user_in(&mut tx, tenant, user).await? {
                return Err(StoreError::NotFound);
            }
            Store::set_recovery_codes_in(&mut tx, tenant, user, &code_hashes).await?;
            tx.commit().await.map_err(backend)
        }

        async fn use_recovery_code(
            &self,
            tenant: TenantId,
            user: UserId,
            code_hash: &Sha256Digest,
            now: OffsetDateTime,
        ) -> StoreResult<bool> {
            let mut tx = self.write(tenant).await?;
            // Only an unused code is marked, so of concurrent uses one wins.
            let used = sqlx::query(
                "UPDATE portal_recovery_code SET used_at = $4 \
                 WHERE tenant_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at IS NULL",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(code_hash.as_bytes().to_vec())
            .bind(stored_time(now))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(used.rows_affected() == 1)
        }

        async fn recovery_codes_left(&self, tenant: TenantId, user: UserId) -> StoreResult<u32> {
            let mut tx = self.read(tenant).await?;
            let left: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM portal_recovery_code \
                 WHERE tenant_id = $1 AND user_id = $2 AND used_at IS NULL",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            u32::try_from(left).map_err(|error| corrupt("recovery codes left", error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(last_step: Option<i64>) -> TotpRow {
        TotpRow {
            tenant_id: Uuid::now_v7(),
            user_id: Uuid::now_v7(),
            sealed_secret: vec![1, 2, 3],
            confirmed_at: None,
            last_step,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_negative_stored_step_is_corruption() {
        assert!(matches!(
            row(Some(-1)).into_enrolment(),
            Err(StoreError::Backend(_))
        ));
        assert_eq!(
            row(Some(i64::MAX)).into_enrolment().unwrap().last_step,
            Some(u64::MAX / 2)
        );
        assert_eq!(row(None).into_enrolment().unwrap().last_step, None);
    }
}
