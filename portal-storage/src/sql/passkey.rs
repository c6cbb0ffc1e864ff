//! Passkeys and the state of their ceremonies. Global by tenant and user (a passkey signs its
//! user in before any session exists), yet each method runs in a transaction for one tenant, so
//! PostgreSQL's row-level security still binds it; only the expiry sweep crosses tenants.

use async_trait::async_trait;
use portal_core::model::{NewPasskey, NewPasskeyCeremony, PasskeyCeremonyKind, PasskeyCredential};
use portal_core::state::Sha256Digest;
use portal_core::validate::DisplayName;
use portal_core::{PasskeyId, TenantId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::chain::now;
use super::convert::{parsed, stored_time};
use super::{backend, map_db_error};
use crate::rules::{
    self, check_new_passkey, check_new_passkey_ceremony, conflicts, require_text, unexpired,
};
use crate::traits::PasskeyStore;
use crate::{StoreError, StoreResult};

/// A `portal_passkey` row.
#[derive(sqlx::FromRow)]
struct PasskeyRow {
    passkey_id: Uuid,
    tenant_id: Uuid,
    user_id: Uuid,
    name: String,
    credential_id: Vec<u8>,
    credential: String,
    created_at: OffsetDateTime,
    last_used_at: Option<OffsetDateTime>,
}

impl PasskeyRow {
    fn into_passkey(self) -> StoreResult<PasskeyCredential> {
        Ok(PasskeyCredential {
            id: PasskeyId::from_uuid(self.passkey_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            user: UserId::from_uuid(self.user_id),
            name: parsed("name", &self.name)?,
            credential_id: self.credential_id,
            credential: self.credential,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        })
    }
}

/// `$sql` followed by the `portal_passkey` columns a [`PasskeyRow`] reads.
macro_rules! passkey_columns {
    ($before:literal, $after:literal) => {
        concat!(
            $before,
            " passkey_id, tenant_id, user_id, name, credential_id, credential, created_at, \
             last_used_at ",
            $after
        )
    };
}

for_each_backend! {
    impl Store {
        /// Tells the account holder their second factors changed (an outbox row), within `tx`.
        async fn passkeys_changed_in(
            tx: &mut Conn,
            tenant: TenantId,
            user: UserId,
        ) -> StoreResult<()> {
            let notice = rules::security_payload(user);
            Store::enqueue_in(tx, tenant, rules::events::SECURITY_MFA_CHANGED, &notice)
                .await
                .map(drop)
        }
    }

    #[async_trait]
    impl PasskeyStore for Store {
        async fn add_passkey(
            &self,
            tenant: TenantId,
            user: UserId,
            passkey: NewPasskey,
            now: OffsetDateTime,
        ) -> StoreResult<PasskeyCredential> {
            check_new_passkey(&passkey)?;
            let mut tx = self.write(tenant).await?;
            // The composite foreign key refuses a user of another tenant (as not found); the
            // unique key a credential id already registered in the tenant (a conflict).
            let row: PasskeyRow = sqlx::query_as(passkey_columns!(
                "INSERT INTO portal_passkey (passkey_id, tenant_id, user_id, name, credential_id, \
                 credential, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING",
                ""
            ))
            .bind(*PasskeyId::new().as_uuid())
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(passkey.name.as_str())
            .bind(passkey.credential_id)
            .bind(passkey.credential)
            .bind(stored_time(now))
            .fetch_one(&mut *tx)
            .await
            .map_err(map_db_error(conflicts::PASSKEY_CREDENTIAL_TAKEN))?;
            Store::passkeys_changed_in(&mut tx, tenant, user).await?;
            tx.commit().await.map_err(backend)?;
            row.into_passkey()
        }

        async fn passkeys_of(
            &self,
            tenant: TenantId,
            user: UserId,
        ) -> StoreResult<Vec<PasskeyCredential>> {
            let mut tx = self.read(tenant).await?;
            let rows: Vec<PasskeyRow> = sqlx::query_as(passkey_columns!(
                "SELECT",
                "FROM portal_passkey WHERE tenant_id = $1 AND user_id = $2 \
                 ORDER BY created_at, passkey_id"
            ))
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            rows.into_iter().map(PasskeyRow::into_passkey).collect()
        }

        async fn rename_passkey(
            &self,
            tenant: TenantId,
            user: UserId,
            id: PasskeyId,
            name: DisplayName,
        ) -> StoreResult<PasskeyCredential> {
            let mut tx = self.write(tenant).await?;
            let row: Option<PasskeyRow> = sqlx::query_as(passkey_columns!(
                "UPDATE portal_passkey SET name = $4 \
                 WHERE tenant_id = $1 AND user_id = $2 AND passkey_id = $3 RETURNING",
                ""
            ))
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(*id.as_uuid())
            .bind(name.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            let row = row.ok_or(StoreError::NotFound)?;
            tx.commit().await.map_err(backend)?;
            row.into_passkey()
        }

        async fn delete_passkey(
            &self,
            tenant: TenantId,
            user: UserId,
            id: PasskeyId,
        ) -> StoreResult<()> {
            let mut tx = self.write(tenant).await?;
            let deleted = sqlx::query(
                "DELETE FROM portal_passkey \
                 WHERE tenant_id = $1 AND user_id = $2 AND passkey_id = $3",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(*id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if deleted.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            Store::passkeys_changed_in(&mut tx, tenant, user).await?;
            tx.commit().await.map_err(backend)
        }

        async fn passkey_by_credential_id(
            &self,
            tenant: TenantId,
            credential_id: &[u8],
        ) -> StoreResult<Option<PasskeyCredential>> {
            let mut tx = self.read(tenant).await?;
            let row: Option<PasskeyRow> = sqlx::query_as(passkey_columns!(
                "SELECT",
                "FROM portal_passkey WHERE tenant_id = $1 AND credential_id = $2"
            ))
            .bind(*tenant.as_uuid())
            .bind(credential_id.to_vec())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            row.map(PasskeyRow::into_passkey).transpose()
        }

        async fn record_passkey_use(
            &self,
            tenant: TenantId,
            id: PasskeyId,
            credential: String,
            at: OffsetDateTime,
        ) -> StoreResult<()> {
            require_text("credential", &credential)?;
            let mut tx = self.write(tenant).await?;
            let updated = sqlx::query(
                "UPDATE portal_passkey SET credential = $3, last_used_at = $4 \
                 WHERE tenant_id = $1 AND passkey_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .bind(credential)
            .bind(stored_time(at))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.commit().await.map_err(backend)
        }

        async fn begin_passkey_ceremony(
            &self,
            handle_hash: Sha256Digest,
            ceremony: NewPasskeyCeremony,
        ) -> StoreResult<()> {
            check_new_passkey_ceremony(&ceremony)?;
            let mut tx = self.write(ceremony.tenant).await?;
            sqlx::query(
                "INSERT INTO portal_passkey_ceremony \
                 (handle_hash, tenant_id, user_id, kind, state, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(handle_hash.as_bytes().to_vec())
            .bind(*ceremony.tenant.as_uuid())
            .bind(ceremony.user.map(|user| *user.as_uuid()))
            .bind(ceremony.kind.as_str())
            .bind(ceremony.state)
            .bind(stored_time(ceremony.expires_at))
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(conflicts::PASSKEY_CEREMONY_TAKEN))?;
            tx.commit().await.map_err(backend)
        }

        async fn take_passkey_ceremony(
            &self,
            tenant: TenantId,
            kind: PasskeyCeremonyKind,
            user: Option<UserId>,
            handle_hash: &Sha256Digest,
            now: OffsetDateTime,
        ) -> StoreResult<Option<String>> {
            let mut tx = self.write(tenant).await?;
            // Deleting is the claim: of concurrent takers only one gets the row. An expired
            // ceremony goes too; its expiry is compared here because SQLite's text times do not
            // sort as times. A sign-in has no user (the table's CHECK), a registration one.
            let taken: Option<(String, OffsetDateTime)> = match user {
                Some(user) => sqlx::query_as(
                    "DELETE FROM portal_passkey_ceremony \
                     WHERE handle_hash = $1 AND tenant_id = $2 AND kind = $3 AND user_id = $4 \
                     RETURNING state, expires_at",
                )
                .bind(handle_hash.as_bytes().to_vec())
                .bind(*tenant.as_uuid())
                .bind(kind.as_str())
                .bind(*user.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?,
                None => sqlx::query_as(
                    "DELETE FROM portal_passkey_ceremony \
                     WHERE handle_hash = $1 AND tenant_id = $2 AND kind = $3 AND user_id IS NULL \
                     RETURNING state, expires_at",
                )
                .bind(handle_hash.as_bytes().to_vec())
                .bind(*tenant.as_uuid())
                .bind(kind.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?,
            };
            tx.commit().await.map_err(backend)?;
            Ok(taken
                .filter(|(_, expires_at)| unexpired(*expires_at, now))
                .map(|(state, _)| state))
        }

        async fn delete_expired_passkey_ceremonies(
            &self,
            now: OffsetDateTime,
        ) -> StoreResult<u64> {
            let mut tx = self.global().await?;
            // Compared here, not in SQL, as SQLite's text times do not sort as times. Ceremonies
            // are few, each living minutes.
            let rows: Vec<(Vec<u8>, OffsetDateTime)> =
                sqlx::query_as("SELECT handle_hash, expires_at FROM portal_passkey_ceremony")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(backend)?;
            let mut deleted = 0_u64;
            for (handle_hash, expires_at) in rows {
                if unexpired(expires_at, now) {
                    continue;
                }
                let done =
                    sqlx::query("DELETE FROM portal_passkey_ceremony WHERE handle_hash = $1")
                        .bind(handle_hash)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                deleted += done.rows_affected();
            }
            tx.commit().await.map_err(backend)?;
            Ok(deleted)
        }
    }
}
