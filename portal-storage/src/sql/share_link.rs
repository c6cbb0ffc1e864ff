//! Share links: no-login views of one project's shared content, which may take uploads. Only the
//! SHA-256 of a link's token is stored; a use is counted by one conditional `UPDATE … RETURNING`,
//! so a use limit holds however many visitors arrive at once.

use async_trait::async_trait;
use portal_core::model::{AuditContext, ShareAccess, ShareLink, ShareTarget};
use portal_core::state::Sha256Digest;
use portal_core::{ClientId, Invalid, Permission, ProjectId, ShareLinkId, TenantId, TenantScope};
use serde_json::json;
use sqlx::QueryBuilder;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::backend;
use super::chain::now;
use super::convert::{corrupt, digest, stored_time};
use super::map_db_error;
use super::visibility::{Seen, empty_page, permitted, push_page, push_rule, seen_page};
use super::work_convert::{acting_person, person};
use super::work_rules::{event, invalid};
use crate::rules::{self, ListRule, events};
use crate::traits::ShareLinkStore;
use crate::{Page, Paged, StoreError, StoreResult};

/// How far ahead a share link may expire.
const MAX_LIFETIME: Duration = Duration::days(90);

/// The columns of a share link row with its effective visibility (its project's), from `l`
/// joined to the project `p` it shows.
macro_rules! link_select {
    () => {
        "SELECT l.share_link_id, l.tenant_id, l.client_id, l.target_kind, l.project_id, \
         l.token_hash, l.allow_download, l.allow_upload, l.expires_at, l.max_uses, l.uses, \
         l.created_by, \
         l.created_at, l.revoked_at, (p.visibility = 'shared') AS shared \
         FROM portal_share_link l \
         JOIN portal_project p ON p.tenant_id = l.tenant_id AND p.project_id = l.project_id"
    };
}

const SHARED: &str = "p.visibility = 'shared'";

const SELECT_ONE: &str = concat!(
    link_select!(),
    " WHERE l.share_link_id = $1 AND l.tenant_id = $2"
);

const INSERT: &str = "INSERT INTO portal_share_link (share_link_id, tenant_id, client_id, \
    target_kind, project_id, token_hash, allow_download, allow_upload, expires_at, max_uses, uses, \
    created_by, created_at, revoked_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, NULL)";

/// The link with token hash `$1` if it is not revoked and its client is not archived (its
/// expiry is compared by the caller).
const SELECT_LIVE: &str = "SELECT l.share_link_id, l.tenant_id, l.client_id, l.target_kind, \
    l.project_id, l.token_hash, l.allow_download, l.allow_upload, l.expires_at, l.max_uses, \
    l.uses, l.created_by, l.created_at, l.revoked_at FROM portal_share_link l \
    JOIN portal_client c ON c.tenant_id = l.tenant_id AND c.client_id = l.client_id \
    WHERE l.token_hash = $1 AND l.revoked_at IS NULL AND NOT c.archived";

const REVOKE: &str = "UPDATE portal_share_link SET revoked_at = $1 \
    WHERE share_link_id = $2 AND tenant_id = $3 AND revoked_at IS NULL";

/// A stored share link.
#[derive(sqlx::FromRow)]
struct LinkRow {
    share_link_id: Uuid,
    tenant_id: Uuid,
    client_id: Uuid,
    target_kind: String,
    project_id: Uuid,
    token_hash: Vec<u8>,
    allow_download: bool,
    allow_upload: bool,
    expires_at: OffsetDateTime,
    max_uses: Option<i32>,
    uses: i32,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

impl LinkRow {
    fn into_link(self) -> StoreResult<ShareLink> {
        let target = match self.target_kind.as_str() {
            "project" => ShareTarget::Project(ProjectId::from_uuid(self.project_id)),
            other => {
                return Err(corrupt(
                    "target_kind",
                    format_args!("unknown target `{other}`"),
                ));
            }
        };
        Ok(ShareLink {
            id: ShareLinkId::from_uuid(self.share_link_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            client: ClientId::from_uuid(self.client_id),
            target,
            token_hash: digest("token_hash", &self.token_hash)?,
            allow_download: self.allow_download,
            allow_upload: self.allow_upload,
            expires_at: self.expires_at,
            max_uses: self.max_uses,
            uses: self.uses,
            created_by: person(self.created_by),
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        })
    }
}

/// A stored share link with its project's visibility.
#[derive(sqlx::FromRow)]
struct SeenLinkRow {
    #[sqlx(flatten)]
    link: LinkRow,
    shared: bool,
}

impl SeenLinkRow {
    fn into_seen(self) -> StoreResult<Seen<ShareLink>> {
        let link = self.link.into_link()?;
        let (tenant, client) = (link.tenant, link.client);
        Ok(Seen::new(link, tenant, client, self.shared))
    }
}

/// Refuses a deadline in the past or more than 90 days ahead, and a use limit below one.
fn check_limits(
    expires_at: OffsetDateTime,
    max_uses: Option<i32>,
    now: OffsetDateTime,
) -> StoreResult<()> {
    if expires_at <= now || expires_at > now + MAX_LIFETIME {
        return Err(invalid(
            "expires_at",
            Invalid::Malformed("must be in the future and at most 90 days ahead"),
        ));
    }
    if max_uses.is_some_and(|uses| uses < 1) {
        return Err(invalid("max_uses", Invalid::OutOfRange));
    }
    Ok(())
}

for_each_backend! {
    async fn fetch(
        tx: &mut Conn,
        tenant: TenantId,
        id: ShareLinkId,
    ) -> StoreResult<Option<Seen<ShareLink>>> {
        Store::fetch_seen(
            tx,
            SELECT_ONE,
            *id.as_uuid(),
            tenant,
            SeenLinkRow::into_seen,
        )
        .await
    }

    #[async_trait]
    impl ShareLinkStore for Store {
        async fn create_share_link(
            &self,
            scope: &TenantScope,
            target: ShareTarget,
            token_hash: Sha256Digest,
            access: ShareAccess,
            expires_at: OffsetDateTime,
            max_uses: Option<i32>,
            audit: &AuditContext,
        ) -> StoreResult<ShareLink> {
            let tenant = scope.tenant_id();
            let ShareTarget::Project(project) = target;
            let mut tx = self.write(tenant).await?;
            let project = Store::fetch_project(&mut tx, tenant, project)
                .await?
                .ok_or(StoreError::NotFound)?;
            rules::require(scope, Permission::ViewProjects, &project.facts)?;
            rules::require(scope, Permission::CreateShareLinks, &project.facts)?;
            if access.upload {
                rules::require(scope, Permission::UploadDocuments, &project.facts)?;
            }
            let at = now();
            let expires_at = stored_time(expires_at);
            check_limits(expires_at, max_uses, at)?;
            let creator = acting_person(scope);
            let link = ShareLink {
                id: ShareLinkId::new(),
                tenant,
                client: project.record.client,
                target,
                token_hash,
                allow_download: access.download,
                allow_upload: access.upload,
                expires_at,
                max_uses,
                uses: 0,
                created_by: person(creator),
                created_at: at,
                revoked_at: None,
            };
            sqlx::query(INSERT)
                .bind(*link.id.as_uuid())
                .bind(*tenant.as_uuid())
                .bind(*link.client.as_uuid())
                .bind("project")
                .bind(*project.record.id.as_uuid())
                .bind(token_hash.as_bytes().as_slice())
                .bind(access.download)
                .bind(access.upload)
                .bind(link.expires_at)
                .bind(max_uses)
                .bind(creator)
                .bind(link.created_at)
                .execute(&mut *tx)
                .await
                .map_err(map_db_error("share link token already in use"))?;
            let details = json!({
                "change": "created",
                "target": link.target,
                "allow_download": access.download,
                "allow_upload": access.upload,
                "expires_at": link.expires_at.unix_timestamp(),
                "max_uses": max_uses,
            });
            let event = event(
                scope,
                events::SHARE_LINK_CHANGED,
                "share_link",
                link.id.as_uuid(),
                details,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(link)
        }

        async fn list_share_links(
            &self,
            scope: &TenantScope,
            page: Page,
        ) -> StoreResult<Paged<ShareLink>> {
            let rule = ListRule::new(scope, Permission::CreateShareLinks);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let tenant = scope.tenant_id();
            let mut query = QueryBuilder::<Db>::new(link_select!());
            query
                .push(" WHERE l.tenant_id = ")
                .push_bind(*tenant.as_uuid());
            push_rule(&mut query, &rule, "l.client_id", SHARED);
            push_page(&mut query, "l.share_link_id", page);
            let tx = self.read(tenant).await?;
            let rows = Store::fetch_list(tx, query).await?;
            seen_page(rows, page, SeenLinkRow::into_seen, |link| {
                *link.id.as_uuid()
            })
        }

        async fn revoke_share_link(
            &self,
            scope: &TenantScope,
            id: ShareLinkId,
            audit: &AuditContext,
        ) -> StoreResult<ShareLink> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = permitted(
                scope,
                Permission::CreateShareLinks,
                fetch(&mut tx, tenant, id).await?,
            )?
            .record;
            if current.revoked_at.is_some() {
                return Ok(current);
            }
            let at = now();
            sqlx::query(REVOKE)
                .bind(at)
                .bind(*id.as_uuid())
                .bind(*tenant.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let event = event(
                scope,
                events::SHARE_LINK_CHANGED,
                "share_link",
                id.as_uuid(),
                json!({ "change": "revoked" }),
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(ShareLink {
                revoked_at: Some(at),
                ..current
            })
        }

        async fn use_share_link(
            &self,
            token_hash: &Sha256Digest,
            now: OffsetDateTime,
        ) -> StoreResult<Option<ShareLink>> {
            let mut tx = self.global().await?;
            let row = sqlx::query_as::<Db, LinkRow>(Store::USE_SHARE_LINK)
                .bind(token_hash.as_bytes().as_slice())
                .bind(stored_time(now))
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            row.map(LinkRow::into_link).transpose()
        }

        async fn live_share_link(
            &self,
            token_hash: &Sha256Digest,
            now: OffsetDateTime,
        ) -> StoreResult<Option<ShareLink>> {
            let mut tx = self.global_read().await?;
            let row = sqlx::query_as::<Db, LinkRow>(SELECT_LIVE)
                .bind(token_hash.as_bytes().as_slice())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            // Expiry compared here: SQLite's text times do not sort as times.
            let now = stored_time(now);
            Ok(row
                .map(LinkRow::into_link)
                .transpose()?
                .filter(|link| now < link.expires_at))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_bounded() {
        let at = OffsetDateTime::now_utc();
        assert!(check_limits(at + Duration::days(1), Some(3), at).is_ok());
        assert!(check_limits(at + MAX_LIFETIME, None, at).is_ok());
        for bad in [
            at,
            at - Duration::seconds(1),
            at + MAX_LIFETIME + Duration::seconds(1),
        ] {
            let Err(StoreError::Invalid(error)) = check_limits(bad, None, at) else {
                panic!("{bad} must be refused");
            };
            assert_eq!(error.field(), Some("expires_at"));
        }
        assert!(check_limits(at + Duration::days(1), Some(0), at).is_err());
    }
}

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod store_tests {
    use std::sync::Arc;

    use portal_core::model::{ShareAccess, ShareTarget};
    use portal_core::{BuiltinRole, Visibility};

    use super::super::work_fixture::{client, ctx, database, member, project, tenant};
    use super::*;
    use crate::Backend;

    /// A token hash no other test holds, so tests can share a PostgreSQL database.
    fn random_token() -> Sha256Digest {
        let mut bytes = [0; 32];
        bytes[..16].copy_from_slice(Uuid::new_v4().as_bytes());
        bytes[16..].copy_from_slice(Uuid::new_v4().as_bytes());
        Sha256Digest::from_bytes(bytes)
    }

    /// A use limit holds under concurrency; a revoked or expired link is not used.
    async fn uses_are_counted_once_each(store: impl Backend + Clone) {
        let acme = tenant(&store).await;
        let manager = member(&store, acme, BuiltinRole::Manager, &[]).await;
        let client = client(&store, acme).await;
        let project = project(&store, &manager, client, Visibility::Shared).await;
        let token = random_token();
        let expires_at = OffsetDateTime::now_utc() + Duration::days(1);
        let link = store
            .create_share_link(
                &manager,
                ShareTarget::Project(project),
                token,
                ShareAccess {
                    download: false,
                    upload: false,
                },
                expires_at,
                Some(3),
                &ctx(),
            )
            .await
            .unwrap();
        assert_eq!(link.expires_at, stored_time(expires_at));

        let store = Arc::new(store);
        let mut uses = Vec::new();
        for _ in 0..10 {
            let store = store.clone();
            uses.push(tokio::spawn(async move {
                store
                    .use_share_link(&token, OffsetDateTime::now_utc())
                    .await
            }));
        }
        let mut counted = Vec::new();
        for used in uses {
            if let Some(link) = used.await.unwrap().unwrap() {
                counted.push(link.uses);
            }
        }
        counted.sort_unstable();
        assert_eq!(counted, vec![1, 2, 3], "exactly max_uses uses are counted");

        let other = random_token();
        let open = store
            .create_share_link(
                &manager,
                ShareTarget::Project(project),
                other,
                ShareAccess {
                    download: true,
                    upload: false,
                },
                expires_at,
                None,
                &ctx(),
            )
            .await
            .unwrap();
        let after_expiry = expires_at + Duration::microseconds(1);
        assert!(
            store
                .use_share_link(&other, after_expiry)
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        assert!(
            store
                .use_share_link(&other, OffsetDateTime::now_utc())
                .await
                .unwrap()
                .is_some()
        );
        store
            .revoke_share_link(&manager, open.id, &ctx())
            .await
            .unwrap();
        assert!(
            store
                .use_share_link(&other, OffsetDateTime::now_utc())
                .await
                .unwrap()
                .is_none(),
            "revoked"
        );
        let again = store
            .create_share_link(
                &manager,
                ShareTarget::Project(project),
                other,
                ShareAccess {
                    download: true,
                    upload: false,
                },
                expires_at,
                None,
                &ctx(),
            )
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict { .. })),
            "{again:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn uses_are_counted_once_each_on_sqlite() {
        uses_are_counted_once_each(database(8).await.store).await;
    }

    #[cfg(feature = "postgres")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn uses_are_counted_once_each_on_postgres() {
        if let Some(store) = super::super::work_fixture::postgres(10).await {
            uses_are_counted_once_each(store).await;
        }
    }
}
