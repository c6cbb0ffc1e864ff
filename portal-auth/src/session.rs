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
    /// The session, with `last_seen_at` moved to now.
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
    pub async fn authenticate(&self, presented: &str) -> Result<Authenticated, AuthError> {
        let now = self.clock.now();
        let Ok(token) = SessionToken::parse(presented) else {
            return Err(AuthError::Unauthenticated);
        };
        let hash = token.hash();
        let Some(mut session) = self.stores.sessions.session(&hash).await? else {
            return Err(AuthError::Unauthenticated);
        };
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
        self.stores.sessions.touch_session(&hash, now).await?;
        session.last_seen_at = now;
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
