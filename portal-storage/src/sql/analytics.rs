//! Adoption analytics: the facts of one client, each list read through an index of migration
//! 0010 (or an older one) by one query, and the figures computed by [`crate::analytics`] as
//! for every backend.
//!
//! Window bounds are widened by a second in SQL and applied exactly in Rust: SQLite's TEXT
//! timestamps sort as time only to the second (see `sortable_time!`), and a range on the bare
//! column is what lets the index serve it.

use async_trait::async_trait;
use portal_core::{ClientFilter, ClientId, DocumentId, TenantId, TenantScope, UserId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::backend;
use crate::analytics::{
    AdoptionReport, AnalyticsWindow, ClientFacts, ContactLogin, DownloadFact, InvitationFact,
    download_row, reportable_clients, require_report, sort_by_client_name,
};
use crate::traits::AnalyticsStore;
use crate::{NewDownload, StoreError, StoreResult};

/// Every query the reports run, for the test that proves each is served by an index.
#[cfg(test)]
pub(crate) const REPORT_QUERIES: [&str; 8] = [
    CLIENTS,
    CLIENT,
    CONTACTS,
    INVITATIONS,
    DECIDED_APPROVALS,
    PENDING_APPROVALS,
    OPEN_REQUESTS,
    DOWNLOADS,
];

const CLIENTS: &str = "SELECT client_id, name FROM portal_client \
    WHERE tenant_id = $1 AND archived = $2";

const CLIENT: &str = "SELECT client_id, name FROM portal_client \
    WHERE tenant_id = $1 AND client_id = $2";

const CONTACTS: &str = "SELECT u.user_id, u.name, u.last_login_at FROM portal_membership m \
    JOIN portal_user u ON u.tenant_id = m.tenant_id AND u.user_id = m.user_id \
    WHERE m.tenant_id = $1 AND m.client_id = $2 AND NOT u.disabled";

const INVITATIONS: &str = "SELECT i.created_at, i.accepted_at, i.revoked_at, i.expires_at, \
    u.first_login_at FROM portal_invitation i \
    LEFT JOIN portal_user u ON u.tenant_id = i.tenant_id AND u.email = i.email \
    WHERE i.tenant_id = $1 AND i.client_id = $2 AND i.created_at >= $3 AND i.created_at <= $4";

const DECIDED_APPROVALS: &str = "SELECT requested_at, decided_at FROM portal_approval \
    WHERE tenant_id = $1 AND client_id = $2 AND decided_at IS NOT NULL \
    AND decided_at >= $3 AND decided_at <= $4";

const PENDING_APPROVALS: &str = "SELECT requested_at FROM portal_approval \
    WHERE tenant_id = $1 AND client_id = $2 AND status = 'pending'";

const OPEN_REQUESTS: &str = "SELECT created_at FROM portal_request \
    WHERE tenant_id = $1 AND client_id = $2 AND status IN ('open', 'in_progress')";

const DOWNLOADS: &str = "SELECT document_id, user_id, share_link_id, downloaded_at \
    FROM portal_download WHERE tenant_id = $1 AND client_id = $2 \
    AND downloaded_at >= $3 AND downloaded_at <= $4 AND NOT by_staff";

const VERSION: &str = "SELECT client_id, document_id FROM portal_document_version \
    WHERE tenant_id = $1 AND document_version_id = $2";

const INSERT_DOWNLOAD: &str = "INSERT INTO portal_download (download_id, tenant_id, client_id, \
    document_id, document_version_id, user_id, share_link_id, by_staff, downloaded_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

#[derive(sqlx::FromRow)]
struct ClientRow {
    client_id: Uuid,
    name: String,
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    user_id: Uuid,
    name: String,
    last_login_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    created_at: OffsetDateTime,
    accepted_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
    expires_at: OffsetDateTime,
    first_login_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct DownloadRowRead {
    document_id: Uuid,
    user_id: Option<Uuid>,
    share_link_id: Option<Uuid>,
    downloaded_at: OffsetDateTime,
}

/// The window's bounds, widened by a second each way (exact filtering happens in Rust).
fn widened(window: AnalyticsWindow) -> (OffsetDateTime, OffsetDateTime) {
    (
        window.since() - Duration::SECOND,
        window.now() + Duration::SECOND,
    )
}

for_each_backend! {
    impl Store {
        /// The rows of one of the client's queries: `$1` the tenant, `$2` the client, and for a
        /// query over the window `$3` and `$4` its widened bounds.
        async fn client_rows<T>(
            tx: &mut Conn,
            sql: &'static str,
            (tenant, client): (Uuid, Uuid),
            window: Option<AnalyticsWindow>,
        ) -> StoreResult<Vec<T>>
        where
            T: for<'row> sqlx::FromRow<'row, <Db as sqlx::Database>::Row> + Send + Unpin,
        {
            let mut query = sqlx::query_as::<_, T>(sql).bind(tenant).bind(client);
            if let Some(window) = window {
                let (from, to) = widened(window);
                query = query.bind(from).bind(to);
            }
            query.fetch_all(&mut *tx).await.map_err(backend)
        }

        /// The facts of one client over `window`.
        async fn client_facts(
            tx: &mut Conn,
            tenant: TenantId,
            client: ClientId,
            window: AnalyticsWindow,
        ) -> StoreResult<ClientFacts> {
            let ids = (*tenant.as_uuid(), *client.as_uuid());
            let within = Some(window);
            let contacts = Store::client_rows::<ContactRow>(tx, CONTACTS, ids, None)
                .await?
                .into_iter()
                .map(|row| ContactLogin {
                    user: UserId::from_uuid(row.user_id),
                    name: row.name,
                    last_login_at: row.last_login_at,
                })
                .collect();
            let invitations = Store::client_rows::<InvitationRow>(tx, INVITATIONS, ids, within)
                .await?
                .into_iter()
                .filter(|row| window.contains(row.created_at))
                .map(|row| InvitationFact {
                    created_at: row.created_at,
                    accepted: row.accepted_at.is_some(),
                    pending: row.accepted_at.is_none()
                        && row.revoked_at.is_none()
                        && row.expires_at > window.now(),
                    first_login_at: row.accepted_at.and(row.first_login_at),
                })
                .collect();
            let decided_approvals = Store::client_rows::<(OffsetDateTime, OffsetDateTime)>(
                tx,
                DECIDED_APPROVALS,
                ids,
                within,
            )
            .await?
            .into_iter()
            .filter(|(_, decided)| window.contains(*decided))
            .collect();
            let times = |rows: Vec<(OffsetDateTime,)>| rows.into_iter().map(|(at,)| at).collect();
            let pending_approvals =
                times(Store::client_rows(tx, PENDING_APPROVALS, ids, None).await?);
            let open_requests = times(Store::client_rows(tx, OPEN_REQUESTS, ids, None).await?);
            let downloads = Store::client_rows::<DownloadRowRead>(tx, DOWNLOADS, ids, within)
                .await?
                .into_iter()
                .filter(|row| window.contains(row.downloaded_at))
                .map(|row| DownloadFact {
                    document: DocumentId::from_uuid(row.document_id),
                    downloader: row.share_link_id.or(row.user_id).unwrap_or_else(Uuid::nil),
                    at: row.downloaded_at,
                })
                .collect();
            Ok(ClientFacts {
                contacts,
                invitations,
                decided_approvals,
                pending_approvals,
                open_requests,
                downloads,
            })
        }

        async fn report_of(
            tx: &mut Conn,
            tenant: TenantId,
            row: ClientRow,
            window: AnalyticsWindow,
        ) -> StoreResult<AdoptionReport> {
            let client = ClientId::from_uuid(row.client_id);
            let facts = Store::client_facts(tx, tenant, client, window).await?;
            Ok(AdoptionReport::from_facts(client, row.name, window, facts))
        }
    }

    #[async_trait]
    impl AnalyticsStore for Store {
        async fn adoption_reports(
            &self,
            scope: &TenantScope,
            window: AnalyticsWindow,
        ) -> StoreResult<Vec<AdoptionReport>> {
            let clients = reportable_clients(scope)?;
            if matches!(&clients, ClientFilter::Only(ids) if ids.is_empty()) {
                return Ok(Vec::new());
            }
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let rows = sqlx::query_as::<_, ClientRow>(CLIENTS)
                .bind(*tenant.as_uuid())
                .bind(false)
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            let mut reports = Vec::new();
            for row in rows {
                if clients.admits(ClientId::from_uuid(row.client_id)) {
                    reports.push(Store::report_of(&mut tx, tenant, row, window).await?);
                }
            }
            tx.commit().await.map_err(backend)?;
            sort_by_client_name(&mut reports);
            Ok(reports)
        }

        async fn adoption_report(
            &self,
            scope: &TenantScope,
            client: ClientId,
            window: AnalyticsWindow,
        ) -> StoreResult<AdoptionReport> {
            reportable_clients(scope)?;
            let tenant = scope.tenant_id();
            let mut tx = self.read(tenant).await?;
            let row = sqlx::query_as::<_, ClientRow>(CLIENT)
                .bind(*tenant.as_uuid())
                .bind(*client.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .ok_or(StoreError::NotFound)?;
            require_report(scope, client)?;
            let report = Store::report_of(&mut tx, tenant, row, window).await?;
            tx.commit().await.map_err(backend)?;
            Ok(report)
        }

        async fn record_download(
            &self,
            scope: &TenantScope,
            download: NewDownload,
        ) -> StoreResult<()> {
            let tenant = scope.tenant_id();
            // A log no cache reads: uncounted, like the audit log.
            let mut tx = self.write_uncounted(tenant).await?;
            let (client, document) = sqlx::query_as::<_, (Uuid, Uuid)>(VERSION)
                .bind(*tenant.as_uuid())
                .bind(*download.version.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .ok_or(StoreError::NotFound)?;
            let row = download_row(
                scope,
                download,
                ClientId::from_uuid(client),
                DocumentId::from_uuid(document),
            )?;
            sqlx::query(INSERT_DOWNLOAD)
                .bind(row.id)
                .bind(*row.tenant.as_uuid())
                .bind(*row.client.as_uuid())
                .bind(*row.document.as_uuid())
                .bind(*row.version.as_uuid())
                .bind(row.user.map(|user| *user.as_uuid()))
                .bind(row.share_link.map(|link| *link.as_uuid()))
                .bind(row.by_staff)
                .bind(row.at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)
        }
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod tests {
    use super::REPORT_QUERIES;
    use crate::sql::work_fixture::{assert_indexed, database};

    /// The index each report query must search, in the order of `REPORT_QUERIES`.
    const EXPECTED_INDEXES: [&str; 8] = [
        "portal_client",
        "portal_client",
        "portal_membership_client_user",
        "portal_invitation_client_created",
        "portal_approval_client_decided",
        "portal_approval_client",
        "portal_request_client_status",
        "portal_download_client",
    ];

    /// Every report query is served by an index: none scans a portal table.
    #[tokio::test]
    async fn report_queries_use_indexes() {
        let db = database(1).await;
        for (sql, index) in REPORT_QUERIES.into_iter().zip(EXPECTED_INDEXES) {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut query =
                sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(explain))
                    .bind(uuid::Uuid::nil())
                    .bind(uuid::Uuid::nil());
            for _ in 2..sql.matches('$').count() {
                query = query.bind("2026-01-01T00:00:00Z");
            }
            let plan: Vec<String> = query
                .fetch_all(db.store.pool())
                .await
                .unwrap()
                .into_iter()
                .map(|(_, _, _, step)| step)
                .collect();
            assert_indexed(&plan);
            assert!(
                !plan
                    .iter()
                    .any(|step| step.contains("SCAN portal_") && !step.contains("USING INDEX")),
                "{sql}: {plan:#?}"
            );
            assert!(
                plan.iter().any(|step| step.contains(index)),
                "{sql} should search {index}: {plan:#?}"
            );
        }
    }
}
