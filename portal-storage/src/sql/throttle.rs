//! Login-throttle counters: global, shared by every replica through the database.

use async_trait::async_trait;
use portal_core::model::ThrottleState;
use time::{Duration, OffsetDateTime};

use super::chain::now;
use super::convert::{corrupt, stored_time};
use super::{backend, map_db_error};
use crate::StoreResult;
use crate::traits::ThrottleStore;

/// A `portal_throttle` row.
#[derive(sqlx::FromRow)]
struct ThrottleRow {
    failures: i32,
    window_started_at: OffsetDateTime,
    blocked_until: Option<OffsetDateTime>,
}

impl ThrottleRow {
    fn into_state(self) -> StoreResult<ThrottleState> {
        Ok(ThrottleState {
            failures: u32::try_from(self.failures).map_err(|error| corrupt("failures", error))?,
            window_started_at: self.window_started_at,
            blocked_until: self.blocked_until,
        })
    }
}

for_each_backend! {
    #[async_trait]
    impl ThrottleStore for Store {
        async fn throttle(&self, key: &str) -> StoreResult<Option<ThrottleState>> {
            let mut tx = self.global_read().await?;
            let row: Option<ThrottleRow> = sqlx::query_as(
                "SELECT failures, window_started_at, blocked_until FROM portal_throttle \
                 WHERE throttle_key = $1",
            )
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            row.map(ThrottleRow::into_state).transpose()
        }

        async fn record_failure(
            &self,
            key: &str,
            now: OffsetDateTime,
            window: Duration,
        ) -> StoreResult<ThrottleState> {
            let now = stored_time(now);
            // One statement, so concurrent failures of one key never lose a count.
            let mut tx = self.global_uncounted().await?;
            let row: ThrottleRow = sqlx::query_as(Store::RECORD_FAILURE)
                .bind(key)
                .bind(now)
                .bind(stored_time(now - window))
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            row.into_state()
        }

        async fn forgive_failure(&self, key: &str) -> StoreResult<()> {
            let mut tx = self.global_uncounted().await?;
            sqlx::query(
                "UPDATE portal_throttle SET failures = failures - 1 \
                 WHERE throttle_key = $1 AND failures > 0",
            )
            .bind(key)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            tx.commit().await.map_err(backend)
        }

        async fn block_until(&self, key: &str, until: OffsetDateTime) -> StoreResult<()> {
            let mut tx = self.global_uncounted().await?;
            sqlx::query(
                "INSERT INTO portal_throttle (throttle_key, failures, window_started_at, blocked_until) \
                 VALUES ($1, 0, $2, $3) \
                 ON CONFLICT (throttle_key) DO UPDATE SET blocked_until = excluded.blocked_until",
            )
            .bind(key)
            .bind(now())
            .bind(stored_time(until))
            .execute(&mut *tx)
            .await
            .map_err(map_db_error("throttle key"))?;
            tx.commit().await.map_err(backend)
        }

        async fn clear_throttle(&self, key: &str) -> StoreResult<()> {
            let mut tx = self.global_uncounted().await?;
            sqlx::query("DELETE FROM portal_throttle WHERE throttle_key = $1")
                .bind(key)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)
        }
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod sqlite_tests {
    use time::macros::datetime;

    use super::super::tenant::sqlite_tests::sqlite_store;
    use super::*;

    #[tokio::test]
    async fn fractional_seconds_compare_as_times() {
        // SQLite keeps times as text with trimmed fractions, where `…:00Z` sorts after
        // `…:00.5Z`; the comparison must still follow time.
        let (_dir, store) = sqlite_store().await;
        let start = datetime!(2026-01-01 12:00:00 UTC);
        let first = store
            .record_failure("k", start, Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(first.failures, 1);
        let later = start + Duration::milliseconds(1_500);
        let restarted = store
            .record_failure("k", later, Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(
            (restarted.failures, restarted.window_started_at),
            (1, later)
        );
        let within = store
            .record_failure(
                "k",
                later + Duration::milliseconds(999),
                Duration::seconds(1),
            )
            .await
            .unwrap();
        assert_eq!((within.failures, within.window_started_at), (2, later));
    }
}
