//! [`Tamper`](crate::Tamper)s for the SQL backends of `portal-storage`, by raw statements on
//! their audit table (`portal_audit_event`) — for a harness over those backends, or over stores of
//! one's own that share their database.

#[cfg(any(feature = "sqlite", feature = "postgres"))]
macro_rules! sql_tamper {
    ($(#[$doc:meta])* $name:ident, $pool:ty, $feature:literal) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        #[derive(Clone, Debug)]
        pub struct $name(pub $pool);

        #[cfg(feature = $feature)]
        #[async_trait::async_trait]
        impl crate::Tamper for $name {
            async fn alter_event(&self, tenant: portal_core::TenantId, seq: i64) {
                sqlx::query(
                    "UPDATE portal_audit_event SET details = $1 WHERE tenant_id = $2 AND seq = $3",
                )
                .bind(r#"{"tampered":true}"#)
                .bind(*tenant.as_uuid())
                .bind(seq)
                .execute(&self.0)
                .await
                .unwrap();
            }

            async fn alter_personal_facts(&self, tenant: portal_core::TenantId, seq: i64) {
                sqlx::query(
                    "UPDATE portal_audit_event SET personal = $1 WHERE tenant_id = $2 AND seq = $3",
                )
                .bind(r#"{"email":"tampered@example.com"}"#)
                .bind(*tenant.as_uuid())
                .bind(seq)
                .execute(&self.0)
                .await
                .unwrap();
            }

            async fn erase_partially(&self, tenant: portal_core::TenantId, seq: i64) {
                sqlx::query(
                    "UPDATE portal_audit_event SET personal_salt = NULL, erased_at = occurred_at \
                     WHERE tenant_id = $1 AND seq = $2",
                )
                .bind(*tenant.as_uuid())
                .bind(seq)
                .execute(&self.0)
                .await
                .unwrap();
            }

            async fn remove_event(&self, tenant: portal_core::TenantId, seq: i64) {
                sqlx::query("DELETE FROM portal_audit_event WHERE tenant_id = $1 AND seq = $2")
                    .bind(*tenant.as_uuid())
                    .bind(seq)
                    .execute(&self.0)
                    .await
                    .unwrap();
            }
        }
    };
}

#[cfg(feature = "sqlite")]
sql_tamper!(
    /// Tampers through the pool of a `SqliteStore` (`SqliteStore::pool`).
    SqliteTamper,
    sqlx::SqlitePool,
    "sqlite"
);

#[cfg(feature = "postgres")]
sql_tamper!(
    /// Tampers through the pool of a `PostgresStore` (`PostgresStore::pool`).
    PostgresTamper,
    sqlx::PgPool,
    "postgres"
);
