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

            async fn backdate(&self, tenant: portal_core::TenantId, change: crate::Backdate) {
                let (sql, id, at) = backdate_statement(change);
                let done = sqlx::query(sql)
                    .bind(at)
                    .bind(*tenant.as_uuid())
                    .bind(id)
                    .execute(&self.0)
                    .await
                    .unwrap();
                assert_eq!(done.rows_affected(), 1, "no record to backdate: {change:?}");
            }
        }
    };
}

/// The statement setting a backdated time (`$1` the time, `$2` the tenant, `$3` the id).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn backdate_statement(change: crate::Backdate) -> (&'static str, uuid::Uuid, time::OffsetDateTime) {
    use crate::Backdate;
    match change {
        Backdate::ApprovalRequested(id, at) => (
            "UPDATE portal_approval SET requested_at = $1 WHERE tenant_id = $2 AND approval_id = $3",
            *id.as_uuid(),
            at,
        ),
        Backdate::ApprovalDecided(id, at) => (
            "UPDATE portal_approval SET decided_at = $1 WHERE tenant_id = $2 AND approval_id = $3",
            *id.as_uuid(),
            at,
        ),
        Backdate::RequestSubmitted(id, at) => (
            "UPDATE portal_request SET created_at = $1 WHERE tenant_id = $2 AND request_id = $3",
            *id.as_uuid(),
            at,
        ),
        Backdate::InvitationCreated(id, at) => (
            "UPDATE portal_invitation SET created_at = $1 \
             WHERE tenant_id = $2 AND invitation_id = $3",
            *id.as_uuid(),
            at,
        ),
    }
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
