//! Checking, rotating and ending sessions.

use std::sync::Arc;

use portal_core::model::{Actor, AuditContext, AuditOutcome, Session};
use portal_core::state::Sha256Digest;
use portal_core::{TenantId, TenantScope, UserId};
use portal_storage::Stores;
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{self, SESSION_LOGGED_OUT, SESSION_REVOKED, SESSION_ROTATED, user_object};
use crate::clock::Clock;
use crate::config::AuthConfig;
use crate::error::AuthError;
use crate::login::LoginContext;
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
}

impl Sessions {
    /// Sessions over `stores`.
    #[must_use]
    pub fn new(stores: Stores, config: AuthConfig, clock: Arc<dyn Clock>) -> Self {
        Self {
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
        let session = self.find(presented).await?;
        self.check(session, now).await
    }

    /// [`authenticate`](Self::authenticate) for a request addressed to `tenant`: a session of
    /// another tenant is [`AuthError::Unauthenticated`], exactly like an unknown one (and is
    /// left alone: it is still good at its own tenant).
    #[tracing::instrument(name = "auth.session", level = "debug", skip_all)]
    pub async fn authenticate_in(
        &self,
        tenant: TenantId,
        presented: &str,
    ) -> Result<Authenticated, AuthError> {
        let now = self.clock.now();
        let session = self.find(presented).await?;
        if session.tenant != tenant {
            return Err(AuthError::Unauthenticated);
        }
        self.check(session, now).await
    }

    /// The stored session of a presented token, read once per request; unknown or malformed →
    /// [`AuthError::Unauthenticated`].
    async fn find(&self, presented: &str) -> Result<Session, AuthError> {
        let Ok(token) = SessionToken::parse(presented) else {
            return Err(AuthError::Unauthenticated);
        };
        self.stores
            .sessions
            .session(&token.hash())
            .await?
            .ok_or(AuthError::Unauthenticated)
    }

    /// Checks a stored session's timeouts at `now` and rebuilds its scope from the memberships
    /// as they are now: never cached, so a role change or a disabled user takes effect on the
    /// next request (SEC-19, SEC-29).
    async fn check(
        &self,
        mut session: Session,
        now: OffsetDateTime,
    ) -> Result<Authenticated, AuthError> {
        let hash = session.token_hash;
        if session.last_seen_at + self.config.idle_timeout < now || session.expires_at <= now {
            self.stores.sessions.delete_session(&hash).await?;
            return Err(AuthError::Unauthenticated);
        }
        let memberships = self
            .stores
            .memberships
            .memberships_of(session.tenant, session.user)
            .await?;
        let Ok(scope) = TenantScope::from_memberships(&memberships) else {
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
        let Ok(token) = SessionToken::parse(presented) else {
            return Ok(());
        };
        let hash = token.hash();
        if let Some(session) = self.stores.sessions.session(&hash).await? {
            self.stores.sessions.delete_session(&hash).await?;
            self.audit(&session, SESSION_LOGGED_OUT, json!({})).await?;
        }
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
        let event = audit::event(
            Actor::User(user),
            SESSION_REVOKED,
            Some(user_object(user)),
            AuditOutcome::Success,
            json!({ "count": count }),
        );
        audit::record(
            self.stores.audit.as_ref(),
            tenant,
            &AuditContext::default(),
            event,
        )
        .await?;
        Ok(count)
    }

    async fn audit(
        &self,
        session: &Session,
        action: &str,
        details: serde_json::Value,
    ) -> Result<(), AuthError> {
        let event = audit::event(
            Actor::User(session.user),
            action,
            Some(user_object(session.user)),
            AuditOutcome::Success,
            details,
        );
        let context = AuditContext { ip: session.ip };
        audit::record(self.stores.audit.as_ref(), session.tenant, &context, event).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use portal_core::model::{Branding, NewTenant, NewUser};
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
        let sessions = Sessions::new(stores, AuthConfig::default(), Arc::new(clock.clone()));
        Fixture {
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
}
