//! Login sessions, found by the SHA-256 of their token: global, so every replica sees the same.

use async_trait::async_trait;
use portal_core::model::Session;
use portal_core::state::Sha256Digest;
use portal_core::{TenantId, UserId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::convert::{digest, ip, stored_time};
use super::{backend, map_db_error};
use crate::StoreError;
use crate::StoreResult;
use crate::traits::SessionStore;

/// A `portal_session` row.
#[derive(sqlx::FromRow)]
struct SessionRow {
    token_hash: Vec<u8>,
    tenant_id: Uuid,
    user_id: Uuid,
    created_at: OffsetDateTime,
    authenticated_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl SessionRow {
    fn into_session(self) -> StoreResult<Session> {
        Ok(Session {
            token_hash: digest("token_hash", &self.token_hash)?,
            tenant: TenantId::from_uuid(self.tenant_id),
            user: UserId::from_uuid(self.user_id),
            created_at: self.created_at,
            authenticated_at: self.authenticated_at,
            last_seen_at: self.last_seen_at,
            expires_at: self.expires_at,
            ip: ip(self.ip.as_deref())?,
            user_agent: self.user_agent,
        })
    }
}

/// A query over `portal_session` returning whole rows, ending in `$rest`.
macro_rules! select_session {
    ($rest:literal) => {
        concat!(
            "SELECT token_hash, tenant_id, user_id, created_at, authenticated_at, last_seen_at, ",
            "expires_at, ip, user_agent FROM portal_session",
            $rest
        )
    };
}

for_each_backend! {
    #[async_trait]
    impl SessionStore for Store {
        async fn create_session(&self, session: Session) -> StoreResult<()> {
            let mut tx = self.global_uncounted().await?;
            // The composite foreign key refuses a user of another tenant (as not found).
            sqlx::query(
                "INSERT INTO portal_session (token_hash, tenant_id, user_id, created_at, \
                 authenticated_at, last_seen_at, expires_at, ip, user_agent) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(session.token_hash.as_bytes().to_vec())
            .bind(*session.tenant.as_uuid())
            .bind(*session.user.as_uuid())
            .bind(stored_time(session.created_at))
            .bind(stored_time(session.authenticated_at))
            .bind(stored_time(session.last_seen_at))
            .bind(stored_time(session.expires_at))
            .bind(session.ip.map(|ip| ip.to_string()))
            .bind(session.user_agent)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error("session token already in use"))?;
            tx.commit().await.map_err(backend)
        }

        async fn session(&self, token_hash: &Sha256Digest) -> StoreResult<Option<Session>> {
            let mut tx = self.global_read().await?;
            let row: Option<SessionRow> = sqlx::query_as(select_session!(" WHERE token_hash = $1"))
                .bind(token_hash.as_bytes().to_vec())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            row.map(SessionRow::into_session).transpose()
        }

        async fn touch_session(
            &self,
            token_hash: &Sha256Digest,
            at: OffsetDateTime,
        ) -> StoreResult<()> {
            let mut tx = self.global_uncounted().await?;
            let touched =
                sqlx::query("UPDATE portal_session SET last_seen_at = $2 WHERE token_hash = $1")
                    .bind(token_hash.as_bytes().to_vec())
                    .bind(stored_time(at))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            if touched.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.commit().await.map_err(backend)
        }

        async fn delete_session(&self, token_hash: &Sha256Digest) -> StoreResult<()> {
            let mut tx = self.global().await?;
            sqlx::query("DELETE FROM portal_session WHERE token_hash = $1")
                .bind(token_hash.as_bytes().to_vec())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)
        }

        async fn sessions_of(&self, tenant: TenantId, user: UserId) -> StoreResult<Vec<Session>> {
            let mut tx = self.global_read().await?;
            let rows: Vec<SessionRow> =
                sqlx::query_as(select_session!(" WHERE tenant_id = $1 AND user_id = $2"))
                    .bind(*tenant.as_uuid())
                    .bind(*user.as_uuid())
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            let mut sessions = rows
                .into_iter()
                .map(SessionRow::into_session)
                .collect::<StoreResult<Vec<_>>>()?;
            // Sorted here: SQLite's text timestamps do not sort as times.
            sessions.sort_by_key(|session| std::cmp::Reverse(session.created_at));
            Ok(sessions)
        }

        async fn delete_sessions_of(&self, tenant: TenantId, user: UserId) -> StoreResult<u64> {
            let mut tx = self.global().await?;
            let deleted = Store::delete_sessions_in(&mut tx, tenant, user).await?;
            tx.commit().await.map_err(backend)?;
            Ok(deleted)
        }

        async fn delete_expired_sessions(
            &self,
            now: OffsetDateTime,
            idle: Duration,
        ) -> StoreResult<u64> {
            let mut tx = self.global().await?;
            let deleted = sqlx::query(Store::DELETE_EXPIRED_SESSIONS)
                .bind(stored_time(now))
                .bind(stored_time(now - idle))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(deleted.rows_affected())
        }
    }

    impl Store {
        /// Ends all of a user's sessions within `tx` (logout everywhere, disabling, a new
        /// password); returns how many.
        pub(crate) async fn delete_sessions_in(
            tx: &mut Conn,
            tenant: TenantId,
            user: UserId,
        ) -> StoreResult<u64> {
            let deleted =
                sqlx::query("DELETE FROM portal_session WHERE tenant_id = $1 AND user_id = $2")
                    .bind(*tenant.as_uuid())
                    .bind(*user.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            Ok(deleted.rows_affected())
        }
    }
}
