//! Share links, sessions and login throttling.

use async_trait::async_trait;
use portal_core::model::{
    AuditContext, Project, Session, ShareAccess, ShareLink, ShareTarget, ThrottleState,
};
use portal_core::state::Sha256Digest;
use portal_core::{Invalid, Permission, ShareLinkId, TenantId, TenantScope, UserId};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::view::Stored;
use super::{MemoryStore, State, acting_user, invalid, now, object, retain_counted, stored_time};
use crate::rules::{self, events};
use crate::traits::{SessionStore, ShareLinkStore, ThrottleStore};
use crate::{Page, Paged, StoreError, StoreResult};

/// How far ahead a share link may expire.
const MAX_SHARE_LINK_LIFETIME: Duration = Duration::days(90);

impl State {
    #[allow(
        clippy::too_many_arguments,
        reason = "each argument is one field of the link"
    )]
    fn create_share_link(
        &mut self,
        scope: &TenantScope,
        target: ShareTarget,
        token_hash: Sha256Digest,
        access: ShareAccess,
        expires_at: OffsetDateTime,
        max_uses: Option<i32>,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<ShareLink> {
        let ShareTarget::Project(project) = target;
        let expires_at = stored_time(expires_at);
        let project = self.found::<Project>(scope, project)?;
        let facts = project.facts_in(self);
        rules::require(scope, Permission::ViewProjects, &facts)?;
        rules::require(scope, Permission::CreateShareLinks, &facts)?;
        if access.upload {
            rules::require(scope, Permission::UploadDocuments, &facts)?;
        }
        if expires_at <= now || expires_at > now + MAX_SHARE_LINK_LIFETIME {
            return Err(invalid(
                "expires_at",
                Invalid::Malformed("must be in the future and at most 90 days ahead"),
            ));
        }
        if max_uses.is_some_and(|uses| uses < 1) {
            return Err(invalid("max_uses", Invalid::OutOfRange));
        }
        if self
            .share_links
            .values()
            .any(|link| link.token_hash == token_hash)
        {
            return Err(StoreError::conflict("share link token already in use"));
        }
        let link = ShareLink {
            id: ShareLinkId::new(),
            tenant: scope.tenant_id(),
            client: project.client,
            target,
            token_hash,
            allow_download: access.download,
            allow_upload: access.upload,
            expires_at,
            max_uses,
            uses: 0,
            created_by: acting_user(scope),
            created_at: now,
            revoked_at: None,
        };
        self.put(link.clone());
        self.audit(
            scope,
            events::SHARE_LINK_CHANGED,
            object("share_link", link.id.as_uuid()),
            json!({
                "change": "created",
                "target": link.target,
                "allow_download": access.download,
                "allow_upload": access.upload,
                "expires_at": expires_at.unix_timestamp(),
                "max_uses": max_uses,
            }),
            context,
            now,
        );
        Ok(link)
    }

    fn revoke_share_link(
        &mut self,
        scope: &TenantScope,
        id: ShareLinkId,
        context: &AuditContext,
    ) -> StoreResult<ShareLink> {
        let current = self.load::<ShareLink>(scope, Permission::CreateShareLinks, id)?;
        if current.revoked_at.is_some() {
            return Ok(current);
        }
        let now = now();
        let next = ShareLink {
            revoked_at: Some(now),
            ..current
        };
        self.put(next.clone());
        self.audit(
            scope,
            events::SHARE_LINK_CHANGED,
            object("share_link", id.as_uuid()),
            json!({ "change": "revoked" }),
            context,
            now,
        );
        Ok(next)
    }

    fn use_share_link(
        &mut self,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> Option<ShareLink> {
        let now = stored_time(now);
        let id = self
            .share_links
            .values()
            .find(|link| link.token_hash == *token_hash)
            .filter(|link| {
                self.share_link_works(link, now) && link.max_uses.is_none_or(|max| link.uses < max)
            })?
            .id;
        let link = self.share_links.get_mut(&id)?;
        link.uses = link.uses.saturating_add(1);
        Some(link.clone())
    }

    /// Whether `link` works at `now`, its uses aside: not revoked, unexpired, client live.
    fn share_link_works(&self, link: &ShareLink, now: OffsetDateTime) -> bool {
        let client_live = self
            .clients
            .get(&link.client)
            .is_some_and(|client| client.tenant == link.tenant && !client.archived);
        link.revoked_at.is_none() && now < link.expires_at && client_live
    }
}

#[async_trait]
impl ShareLinkStore for MemoryStore {
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
        self.with_mut(|state| {
            state.create_share_link(
                scope,
                target,
                token_hash,
                access,
                expires_at,
                max_uses,
                audit,
                now(),
            )
        })
    }

    async fn list_share_links(
        &self,
        scope: &TenantScope,
        page: Page,
    ) -> StoreResult<Paged<ShareLink>> {
        Ok(self.with(|state| {
            state.list::<ShareLink>(scope, Permission::CreateShareLinks, page, |_| true)
        }))
    }

    async fn revoke_share_link(
        &self,
        scope: &TenantScope,
        id: ShareLinkId,
        audit: &AuditContext,
    ) -> StoreResult<ShareLink> {
        self.with_mut(|state| state.revoke_share_link(scope, id, audit))
    }

    async fn use_share_link(
        &self,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<ShareLink>> {
        Ok(self.with_mut(|state| state.use_share_link(token_hash, now)))
    }

    async fn live_share_link(
        &self,
        token_hash: &Sha256Digest,
        now: OffsetDateTime,
    ) -> StoreResult<Option<ShareLink>> {
        let now = stored_time(now);
        Ok(self.with(|state| {
            state
                .share_links
                .values()
                .find(|link| link.token_hash == *token_hash)
                .filter(|link| state.share_link_works(link, now))
                .cloned()
        }))
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn create_session(&self, session: Session) -> StoreResult<()> {
        let session = Session {
            created_at: stored_time(session.created_at),
            authenticated_at: stored_time(session.authenticated_at),
            last_seen_at: stored_time(session.last_seen_at),
            expires_at: stored_time(session.expires_at),
            ..session
        };
        self.with_mut_uncounted(|state| {
            if state.sessions.contains_key(&session.token_hash) {
                return Err(StoreError::conflict("session token already in use"));
            }
            state.sessions.insert(session.token_hash, session);
            Ok(())
        })
    }

    async fn session(&self, token_hash: &Sha256Digest) -> StoreResult<Option<Session>> {
        Ok(self.with(|state| state.sessions.get(token_hash).cloned()))
    }

    async fn touch_session(
        &self,
        token_hash: &Sha256Digest,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.with_mut_uncounted(|state| {
            let session = state
                .sessions
                .get_mut(token_hash)
                .ok_or(StoreError::NotFound)?;
            session.last_seen_at = stored_time(at);
            Ok(())
        })
    }

    async fn delete_session(&self, token_hash: &Sha256Digest) -> StoreResult<()> {
        self.with_mut(|state| {
            state.sessions.remove(token_hash);
        });
        Ok(())
    }

    async fn sessions_of(&self, tenant: TenantId, user: UserId) -> StoreResult<Vec<Session>> {
        Ok(self.with(|state| {
            let mut sessions: Vec<Session> = state
                .sessions
                .values()
                .filter(|session| session.tenant == tenant && session.user == user)
                .cloned()
                .collect();
            sessions.sort_by_key(|session| std::cmp::Reverse(session.created_at));
            sessions
        }))
    }

    async fn delete_sessions_of(&self, tenant: TenantId, user: UserId) -> StoreResult<u64> {
        Ok(self.with_mut(|state| state.end_sessions(tenant, user)))
    }

    async fn delete_expired_sessions(
        &self,
        now: OffsetDateTime,
        idle: Duration,
    ) -> StoreResult<u64> {
        let now = stored_time(now);
        Ok(self.with_mut(|state| {
            retain_counted(&mut state.sessions, |session| {
                session.expires_at > now && now - session.last_seen_at <= idle
            })
        }))
    }
}

#[async_trait]
impl ThrottleStore for MemoryStore {
    async fn throttle(&self, key: &str) -> StoreResult<Option<ThrottleState>> {
        Ok(self.with(|state| state.throttle.get(key).copied()))
    }

    async fn record_failure(
        &self,
        key: &str,
        now: OffsetDateTime,
        window: Duration,
    ) -> StoreResult<ThrottleState> {
        let now = stored_time(now);
        Ok(self.with_mut_uncounted(|state| {
            let entry = state
                .throttle
                .entry(key.to_owned())
                .or_insert(ThrottleState {
                    failures: 0,
                    window_started_at: now,
                    blocked_until: None,
                });
            if now - entry.window_started_at >= window {
                entry.failures = 0;
                entry.window_started_at = now;
            }
            entry.failures = entry.failures.saturating_add(1);
            *entry
        }))
    }

    async fn forgive_failure(&self, key: &str) -> StoreResult<()> {
        self.with_mut_uncounted(|state| {
            if let Some(entry) = state.throttle.get_mut(key) {
                entry.failures = entry.failures.saturating_sub(1);
            }
        });
        Ok(())
    }

    async fn block_until(&self, key: &str, until: OffsetDateTime) -> StoreResult<()> {
        let now = now();
        self.with_mut_uncounted(|state| {
            state
                .throttle
                .entry(key.to_owned())
                .or_insert(ThrottleState {
                    failures: 0,
                    window_started_at: now,
                    blocked_until: None,
                })
                .blocked_until = Some(stored_time(until));
        });
        Ok(())
    }

    async fn clear_throttle(&self, key: &str) -> StoreResult<()> {
        self.with_mut_uncounted(|state| {
            state.throttle.remove(key);
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use portal_core::Visibility;
    use portal_core::model::{ShareAccess, ShareTarget};
    use portal_core::state::Sha256Digest;
    use time::{Duration, OffsetDateTime};

    use super::super::fixture::{World, ctx};
    use crate::StoreError;
    use crate::traits::{ShareLinkStore, ThrottleStore};

    #[tokio::test]
    async fn share_links_expire_run_out_and_can_be_revoked() {
        let world = World::new("links").await;
        let project = world.project(Visibility::Shared).await;
        let store = &world.store;
        let now = OffsetDateTime::now_utc();
        let token = Sha256Digest::from_bytes([42; 32]);
        let create = |expires_at, max_uses, token| {
            let store = store.clone();
            let scope = world.owner.clone();
            async move {
                store
                    .create_share_link(
                        &scope,
                        ShareTarget::Project(project.id),
                        token,
                        ShareAccess {
                            download: false,
                            upload: false,
                        },
                        expires_at,
                        max_uses,
                        &ctx(),
                    )
                    .await
            }
        };
        for bad in [now - Duration::minutes(1), now + Duration::days(91)] {
            let err = create(bad, None, token).await.unwrap_err();
            assert!(
                matches!(&err, StoreError::Invalid(e) if e.field() == Some("expires_at")),
                "{err}"
            );
        }
        let link = create(now + Duration::days(7), Some(2), token)
            .await
            .unwrap();
        assert!(matches!(
            create(now + Duration::days(7), None, token).await,
            Err(StoreError::Conflict { .. })
        ));
        assert_eq!(
            store
                .use_share_link(&token, now)
                .await
                .unwrap()
                .unwrap()
                .uses,
            1
        );
        assert_eq!(
            store
                .use_share_link(&token, now)
                .await
                .unwrap()
                .unwrap()
                .uses,
            2
        );
        assert!(
            store.use_share_link(&token, now).await.unwrap().is_none(),
            "used up"
        );

        let other = Sha256Digest::from_bytes([43; 32]);
        let open = create(now + Duration::days(1), None, other).await.unwrap();
        assert!(
            store
                .use_share_link(&other, now + Duration::days(1))
                .await
                .unwrap()
                .is_none()
        );
        store
            .revoke_share_link(&world.owner, open.id, &ctx())
            .await
            .unwrap();
        assert!(store.use_share_link(&other, now).await.unwrap().is_none());
        assert!(
            store
                .use_share_link(&Sha256Digest::from_bytes([0; 32]), now)
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            store
                .revoke_share_link(&world.contact, link.id, &ctx())
                .await,
            Err(StoreError::Forbidden(_))
        ));
    }

    #[tokio::test]
    async fn a_throttle_window_restarts_once_it_is_over() {
        let world = World::new("throttle").await;
        let store = &world.store;
        // Whole seconds: stored times keep microseconds only.
        let start = OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp())
            .unwrap();
        let window = Duration::minutes(15);
        assert_eq!(
            store
                .record_failure("k", start, window)
                .await
                .unwrap()
                .failures,
            1
        );
        let second = store
            .record_failure("k", start + Duration::minutes(14), window)
            .await
            .unwrap();
        assert_eq!((second.failures, second.window_started_at), (2, start));
        let restarted = store
            .record_failure("k", start + window, window)
            .await
            .unwrap();
        assert_eq!(
            (restarted.failures, restarted.window_started_at),
            (1, start + window)
        );
        store.block_until("k", start + window * 2).await.unwrap();
        assert_eq!(
            store.throttle("k").await.unwrap().unwrap().blocked_until,
            Some(start + window * 2)
        );
        store.clear_throttle("k").await.unwrap();
        assert_eq!(store.throttle("k").await.unwrap(), None);
    }
}
