//! Checking, rotating and ending sessions.

use std::sync::Arc;

use portal_core::model::Session;
use portal_core::state::Sha256Digest;
use portal_core::{TenantId, TenantScope, UserId};
use portal_storage::Stores;
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, SESSION_LOGGED_OUT, SESSION_REVOKED, SESSION_ROTATED};
use crate::clock::Clock;
use crate::config::AuthConfig;
use crate::error::AuthError;
use crate::login::LoginContext;
use crate::session_cache::SessionCache;
use crate::token::SessionToken;

/// A live session and the scope built from the user's memberships as they are now.
#[derive(Debug)]
pub struct Authenticated {
    /// The session, with `last_seen_at` moved to now when it was written (at most once per
    /// `AuthConfig::session_touch_interval`).
    pub session: Session,
    /// What the user may do.
    pub scope: TenantScope,
}

/// The server side of sessions: find, check, touch, rotate and end them.
#[derive(Debug, Clone)]
pub struct Sessions {
    stores: Stores,
    config: AuthConfig,
    clock: Arc<dyn Clock>,
    /// Sessions checked recently, while nothing they depend on changed (`None`: off).
    cache: Option<SessionCache>,
}

impl Sessions {
    /// Sessions over `stores`.
    #[must_use]
    pub fn new(stores: Stores, config: AuthConfig, clock: Arc<dyn Clock>) -> Self {
        let lifetime = config.session_touch_interval.unsigned_abs();
        Self {
            cache: SessionCache::new(config.session_cache_capacity, lifetime),
            stores,
            config,
            clock,
        }
    }

    /// The configuration.
    pub(crate) const fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// The current time of this service's clock.
    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Stores a new session with a new token.
    pub(crate) async fn open(
        &self,
        tenant: TenantId,
        user: UserId,
        now: OffsetDateTime,
        authenticated_at: OffsetDateTime,
        expires_at: OffsetDateTime,
        context: &LoginContext,
    ) -> Result<(SessionToken, Session), AuthError> {
        let token = SessionToken::generate().map_err(AuthError::Token)?;
        let session = Session {
            token_hash: token.hash(),
            tenant,
            user,
            created_at: now,
            authenticated_at,
            last_seen_at: now,
            expires_at,
            ip: context.ip,
            user_agent: context.user_agent.clone(),
        };
        self.stores.sessions.create_session(session.clone()).await?;
        Ok((token, session))
    }

    /// The live session of a presented token, with the user's scope rebuilt from their current
    /// memberships (so role changes and disabling take effect on the next request, SEC-19).
    ///
    /// Unknown, malformed, idle past the idle timeout or past the absolute end →
    /// [`AuthError::Unauthenticated`]; a dead session is deleted (SEC-18). The caller must
    /// check that `scope.tenant_id()` is the tenant the request is addressed to.
    #[tracing::instrument(name = "auth.session", level = "debug", skip_all)]
    pub async fn authenticate(&self, presented: &str) -> Result<Authenticated, AuthError> {
        let now = self.clock.now();
        let session = self.load(&presented_hash(presented)?).await?;
        self.check(session, now).await
    }

    /// [`authenticate`](Self::authenticate) for a request addressed to `tenant`: a session of
    /// another tenant is [`AuthError::Unauthenticated`], exactly like an unknown one (and is
    /// left alone: it is still good at its own tenant).
    ///
    /// When the stores offer change stamps, a session checked recently is answered from memory
    /// while nothing it was built from has changed (see `session_cache`); its timeouts are
    /// still checked on every use.
    #[tracing::instrument(name = "auth.session", level = "debug", skip_all)]
    pub async fn authenticate_in(
        &self,
        tenant: TenantId,
        presented: &str,
    ) -> Result<Authenticated, AuthError> {
        let now = self.clock.now();
        let hash = presented_hash(presented)?;
        // Taken before any read, so what is read is at least as new as the stamp.
        let cached = self.cache.as_ref().zip(self.stores.changes.stamp(tenant));
        if let Some((cache, stamp)) = &cached
            && let Some((session, scope)) = cache.get(&hash, *stamp)
        {
            if session.tenant != tenant {
                return Err(AuthError::Unauthenticated);
            }
            if self.alive_untouched(&session, now) {
                return Ok(Authenticated { session, scope });
            }
        }
        let session = self.load(&hash).await?;
        if session.tenant != tenant {
            return Err(AuthError::Unauthenticated);
        }
        let authenticated = self.check(session, now).await?;
        if let Some((cache, stamp)) = cached {
            cache.insert(&authenticated.session, &authenticated.scope, stamp);
        }
        Ok(authenticated)
    }

    /// Whether a session is alive at `now` and not yet due for its touch: then nothing needs
    /// writing and a cached check stands.
    fn alive_untouched(&self, session: &Session, now: OffsetDateTime) -> bool {
        !self.timed_out(session, now)
            && now - session.last_seen_at < self.config.session_touch_interval
    }

    /// Whether a session is past its idle timeout or its absolute end at `now` (SEC-18).
    fn timed_out(&self, session: &Session, now: OffsetDateTime) -> bool {
        session.last_seen_at + self.config.idle_timeout < now || session.expires_at <= now
    }

    /// The stored session of a token hash; unknown → [`AuthError::Unauthenticated`].
    async fn load(&self, hash: &Sha256Digest) -> Result<Session, AuthError> {
        self.stores
            .sessions
            .session(hash)
            .await?
            .ok_or(AuthError::Unauthenticated)
    }

    /// Checks a stored session's timeouts at `now` and rebuilds its scope from the memberships
    /// as they are now, so a role change or a disabled user takes effect on the next request
    /// (SEC-19, SEC-29).
    async fn check(
        &self,
        mut session: Session,
        now: OffsetDateTime,
    ) -> Result<Authenticated, AuthError> {
        let hash = session.token_hash;
        if self.timed_out(&session, now) {
            self.forget(&hash);
            self.stores.sessions.delete_session(&hash).await?;
            return Err(AuthError::Unauthenticated);
        }
        let memberships = self
            .stores
            .memberships
            .memberships_of(session.tenant, session.user)
            .await?;
        let Ok(scope) = TenantScope::from_memberships(&memberships) else {
            self.forget(&hash);
            self.stores.sessions.delete_session(&hash).await?;
            return Err(AuthError::Unauthenticated);
        };
        // A session is touched at most once per `session_touch_interval`: most requests only
        // read, so a busy user does not queue a write per click. The idle timeout may then end a
        // session up to one interval early, never late.
        if now - session.last_seen_at >= self.config.session_touch_interval {
            self.stores.sessions.touch_session(&hash, now).await?;
            session.last_seen_at = now;
        }
        Ok(Authenticated { session, scope })
    }

    /// Ends the session of a presented token (SEC-17). Ending an unknown or malformed token is
    /// not an error.
    pub async fn logout(&self, presented: &str) -> Result<(), AuthError> {
        self.end(presented, None).await
    }

    /// [`logout`](Self::logout) for a request addressed to `tenant`: a session of another
    /// tenant is left alone, like an unknown one (it is still good at its own tenant).
    pub async fn logout_in(&self, tenant: TenantId, presented: &str) -> Result<(), AuthError> {
        self.end(presented, Some(tenant)).await
    }

    /// Deletes the presented session — only if it is `tenant`'s, when one is given — and
    /// audits it.
    async fn end(&self, presented: &str, tenant: Option<TenantId>) -> Result<(), AuthError> {
        let Ok(token) = SessionToken::parse(presented) else {
            return Ok(());
        };
        let hash = token.hash();
        // At worst a cache miss for a session left alone below.
        self.forget(&hash);
        let Some(session) = self.stores.sessions.session(&hash).await? else {
            return Ok(());
        };
        if tenant.is_some_and(|tenant| tenant != session.tenant) {
            return Ok(());
        }
        self.stores.sessions.delete_session(&hash).await?;
        self.audit(&session, SESSION_LOGGED_OUT, json!({})).await?;
        Ok(())
    }

    /// Gives a live session a new token and kills the old one, for a change of privilege
    /// (SEC-13). The new session keeps the old one's absolute end.
    pub async fn rotate(&self, presented: &str) -> Result<(SessionToken, Session), AuthError> {
        let current = self.authenticate(presented).await?.session;
        let context = LoginContext {
            ip: current.ip,
            user_agent: current.user_agent.clone(),
        };
        let (token, session) = self
            .open(
                current.tenant,
                current.user,
                current.last_seen_at,
                current.authenticated_at,
                current.expires_at,
                &context,
            )
            .await?;
        self.forget(&current.token_hash);
        self.stores
            .sessions
            .delete_session(&current.token_hash)
            .await?;
        self.audit(&session, SESSION_ROTATED, json!({})).await?;
        Ok((token, session))
    }

    /// A user's sessions, for their list of devices.
    pub async fn sessions_of(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Vec<Session>, AuthError> {
        Ok(self.stores.sessions.sessions_of(tenant, user).await?)
    }

    /// Ends one of the user's own sessions, found by its hash (from
    /// [`sessions_of`](Self::sessions_of)). Another user's session, or an unknown one, is
    /// [`AuthError::SessionNotFound`] and stays alive.
    pub async fn revoke(
        &self,
        tenant: TenantId,
        user: UserId,
        token_hash: &Sha256Digest,
    ) -> Result<(), AuthError> {
        let session = self
            .stores
            .sessions
            .session(token_hash)
            .await?
            .filter(|session| session.tenant == tenant && session.user == user)
            .ok_or(AuthError::SessionNotFound)?;
        self.forget(token_hash);
        self.stores.sessions.delete_session(token_hash).await?;
        self.audit(&session, SESSION_REVOKED, json!({ "count": 1 }))
            .await
    }

    /// Ends every session of a user ("log out everywhere"); returns how many.
    pub async fn revoke_all(&self, tenant: TenantId, user: UserId) -> Result<u64, AuthError> {
        let count = self
            .stores
            .sessions
            .delete_sessions_of(tenant, user)
            .await?;
        audit::record_user_success(
            self.stores.audit.as_ref(),
            tenant,
            user,
            None,
            SESSION_REVOKED,
            json!({ "count": count }),
        )
        .await?;
        Ok(count)
    }

    /// Drops a session from the cache. Ending it in the stores moves every stamp anyway; this
    /// also frees the entry at once.
    fn forget(&self, hash: &Sha256Digest) {
        if let Some(cache) = &self.cache {
            cache.remove(hash);
        }
    }

    async fn audit(
        &self,
        session: &Session,
        action: &str,
        details: serde_json::Value,
    ) -> Result<(), AuthError> {
        audit::record_user_success(
            self.stores.audit.as_ref(),
            session.tenant,
            session.user,
            session.ip,
            action,
            details,
        )
        .await?;
        Ok(())
    }
}

/// The hash of a presented token; a malformed one is [`AuthError::Unauthenticated`].
fn presented_hash(presented: &str) -> Result<Sha256Digest, AuthError> {
    SessionToken::parse(presented)
        .map(|token| token.hash())
        .map_err(|_| AuthError::Unauthenticated)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use portal_core::model::{AuditContext, Branding, NewTenant, NewUser};
    use portal_core::{BuiltinRole, DisplayName, Email, HexColour, MembershipKind, Side, Slug};
    use portal_storage::{SessionStore, StoreResult};
    use time::Duration;

    use super::*;
    use crate::ManualClock;

    /// Counts the session reads of the store it wraps.
    struct CountingReads {
        inner: Arc<dyn SessionStore>,
        reads: AtomicUsize,
    }

    #[async_trait]
    impl SessionStore for CountingReads {
        async fn create_session(&self, session: Session) -> StoreResult<()> {
            self.inner.create_session(session).await
        }
        async fn session(&self, token_hash: &Sha256Digest) -> StoreResult<Option<Session>> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.session(token_hash).await
        }
        async fn touch_session(
            &self,
            token_hash: &Sha256Digest,
            at: OffsetDateTime,
        ) -> StoreResult<()> {
            self.inner.touch_session(token_hash, at).await
        }
        async fn delete_session(&self, token_hash: &Sha256Digest) -> StoreResult<()> {
            self.inner.delete_session(token_hash).await
        }
        async fn sessions_of(&self, tenant: TenantId, user: UserId) -> StoreResult<Vec<Session>> {
            self.inner.sessions_of(tenant, user).await
        }
        async fn delete_sessions_of(&self, tenant: TenantId, user: UserId) -> StoreResult<u64> {
            self.inner.delete_sessions_of(tenant, user).await
        }
        async fn delete_expired_sessions(
            &self,
            now: OffsetDateTime,
            idle: Duration,
        ) -> StoreResult<u64> {
            self.inner.delete_expired_sessions(now, idle).await
        }
    }

    struct Fixture {
        stores: Stores,
        sessions: Sessions,
        counter: Arc<CountingReads>,
        clock: ManualClock,
        tenant: TenantId,
        user: UserId,
    }

    async fn fixture() -> Fixture {
        let mut stores = Stores::memory();
        let counter = Arc::new(CountingReads {
            inner: stores.sessions.clone(),
            reads: AtomicUsize::new(0),
        });
        stores.sessions = counter.clone();
        let name = |text: &str| DisplayName::parse(text).unwrap();
        let tenant = stores
            .tenants
            .create_tenant(NewTenant {
                slug: Slug::parse("agency").unwrap(),
                branding: Branding {
                    display_name: name("Agency"),
                    logo_url: None,
                    favicon_url: None,
                    primary_colour: HexColour::parse("#123456").unwrap(),
                    accent_colour: HexColour::parse("#abcdef").unwrap(),
                    font: None,
                    custom_css: None,
                    email_sender_name: None,
                    email_sender_address: None,
                    default_locale: None,
                },
            })
            .await
            .unwrap()
            .id;
        let system = TenantScope::dangerous_system(tenant);
        let audit = AuditContext::default();
        let user = stores
            .identities
            .create_user(
                &system,
                NewUser {
                    email: Email::parse("alice@example.com").unwrap(),
                    name: name("Alice"),
                    side: Side::Staff,
                },
                &audit,
            )
            .await
            .unwrap()
            .id;
        let role = stores
            .memberships
            .roles(&system)
            .await
            .unwrap()
            .iter()
            .find(|role| role.builtin_role() == Some(BuiltinRole::Member))
            .unwrap()
            .id();
        let kind = MembershipKind::Staff {
            assigned_clients: Vec::new(),
        };
        stores
            .memberships
            .add_membership(&system, user, role, kind, &audit)
            .await
            .unwrap();
        let clock = ManualClock::starting_now();
        let sessions = Sessions::new(
            stores.clone(),
            AuthConfig::default(),
            Arc::new(clock.clone()),
        );
        Fixture {
            stores,
            sessions,
            counter,
            clock,
            tenant,
            user,
        }
    }

    async fn open(fixture: &Fixture) -> SessionToken {
        let now = fixture.clock.now();
        let context = LoginContext {
            ip: None,
            user_agent: None,
        };
        let (token, _) = fixture
            .sessions
            .open(
                fixture.tenant,
                fixture.user,
                now,
                now,
                now + Duration::hours(12),
                &context,
            )
            .await
            .unwrap();
        token
    }

    /// One request reads its session once, then its memberships.
    #[tokio::test]
    async fn a_request_reads_its_session_once() {
        let fixture = fixture().await;
        let token = open(&fixture).await;
        let authenticated = fixture
            .sessions
            .authenticate_in(fixture.tenant, token.expose_secret())
            .await
            .unwrap();
        assert_eq!(authenticated.session.user, fixture.user);
        assert_eq!(authenticated.scope.tenant_id(), fixture.tenant);
        assert_eq!(fixture.counter.reads.load(Ordering::SeqCst), 1);
    }

    /// Another tenant's request neither authenticates nor ends the session; an idle one is
    /// refused and deleted at its own tenant (SEC-18, SEC-27).
    #[tokio::test]
    async fn foreign_and_idle_sessions_are_refused_sec_18_sec_27() {
        let fixture = fixture().await;
        let token = open(&fixture).await;
        assert!(matches!(
            fixture
                .sessions
                .authenticate_in(TenantId::new(), token.expose_secret())
                .await,
            Err(AuthError::Unauthenticated)
        ));
        assert!(
            fixture
                .sessions
                .authenticate_in(fixture.tenant, token.expose_secret())
                .await
                .is_ok()
        );
        fixture
            .clock
            .advance(fixture.sessions.config().idle_timeout + Duration::minutes(1));
        assert!(matches!(
            fixture
                .sessions
                .authenticate_in(fixture.tenant, token.expose_secret())
                .await,
            Err(AuthError::Unauthenticated)
        ));
        let stored = fixture
            .sessions
            .sessions_of(fixture.tenant, fixture.user)
            .await
            .unwrap();
        assert!(stored.is_empty(), "the idle session is deleted");
    }

    /// A logged-out session is refused on the next request (SEC-17).
    #[tokio::test]
    async fn a_logged_out_session_is_refused_sec_17() {
        let fixture = fixture().await;
        let token = open(&fixture).await;
        fixture
            .sessions
            .logout(token.expose_secret())
            .await
            .unwrap();
        assert!(matches!(
            fixture
                .sessions
                .authenticate_in(fixture.tenant, token.expose_secret())
                .await,
            Err(AuthError::Unauthenticated)
        ));
    }

    async fn authenticate(
        fixture: &Fixture,
        token: &SessionToken,
    ) -> Result<Authenticated, AuthError> {
        fixture
            .sessions
            .authenticate_in(fixture.tenant, token.expose_secret())
            .await
    }

    /// A checked session is answered from memory while nothing changed, and is read again,
    /// and touched, once its touch interval has passed.
    #[tokio::test]
    async fn a_checked_session_is_kept_until_its_touch_is_due() {
        let fixture = fixture().await;
        let token = open(&fixture).await;
        for _ in 0..5 {
            authenticate(&fixture, &token).await.unwrap();
        }
        assert_eq!(fixture.counter.reads.load(Ordering::SeqCst), 1);

        let interval = fixture.sessions.config().session_touch_interval;
        fixture.clock.advance(interval + Duration::seconds(1));
        let touched = authenticate(&fixture, &token).await.unwrap();
        assert_eq!(fixture.counter.reads.load(Ordering::SeqCst), 2);
        assert_eq!(touched.session.last_seen_at, fixture.clock.now());
        authenticate(&fixture, &token).await.unwrap();
        assert_eq!(fixture.counter.reads.load(Ordering::SeqCst), 2);
    }

    /// Disabling the user — a write the change feed counts — refuses the very next request,
    /// though the session was cached (SEC-19).
    #[tokio::test]
    async fn a_disabled_user_is_refused_at_once_despite_the_cache_sec_19() {
        let fixture = fixture().await;
        let token = open(&fixture).await;
        authenticate(&fixture, &token).await.unwrap();
        let system = TenantScope::dangerous_system(fixture.tenant);
        fixture
            .stores
            .identities
            .set_disabled(&system, fixture.user, true, &AuditContext::default())
            .await
            .unwrap();
        assert!(matches!(
            authenticate(&fixture, &token).await,
            Err(AuthError::Unauthenticated)
        ));
    }

    /// Sessions ended behind `Sessions`' back (another service, "log out everywhere") are
    /// refused on the next request (SEC-17).
    #[tokio::test]
    async fn sessions_ended_elsewhere_are_refused_at_once_sec_17() {
        let fixture = fixture().await;
        let token = open(&fixture).await;
        authenticate(&fixture, &token).await.unwrap();
        fixture
            .stores
            .sessions
            .delete_sessions_of(fixture.tenant, fixture.user)
            .await
            .unwrap();
        assert!(matches!(
            authenticate(&fixture, &token).await,
            Err(AuthError::Unauthenticated)
        ));
    }

    /// Stores without change stamps are read on every request.
    #[tokio::test]
    async fn without_stamps_every_request_reads() {
        let mut fixture = fixture().await;
        fixture.stores.changes = Arc::new(portal_storage::NoChangeFeed);
        fixture.sessions = Sessions::new(
            fixture.stores.clone(),
            AuthConfig::default(),
            Arc::new(fixture.clock.clone()),
        );
        let token = open(&fixture).await;
        authenticate(&fixture, &token).await.unwrap();
        authenticate(&fixture, &token).await.unwrap();
        assert_eq!(fixture.counter.reads.load(Ordering::SeqCst), 2);
    }
}
