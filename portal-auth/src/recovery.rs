//! Password reset, magic-link login and password change (SEC-09, SEC-19, SEC-20, SEC-21).
//!
//! Links are single-use, purpose-bound 256-bit tokens of which only the SHA-256 is stored, valid
//! for [`login_token_lifetime`](crate::AuthConfig::login_token_lifetime) (10 minutes by default)
//! and built from the configured [`PortalLinks`](crate::PortalLinks), never from the request.
//!
//! A request for a link answers the same whether or not the email belongs to anyone. The work
//! behind it (a lookup, and for a real account a token and a mail) takes different time, so an
//! HTTP handler should answer first and run [`Recovery::request_password_reset`] or
//! [`Recovery::request_magic_link`] detached (`tokio::spawn`).

use portal_core::model::{Actor, AuditContext, AuditOutcome, LoginTokenPurpose, Tenant};
use portal_core::{Email, TenantId, UserId};
use serde_json::json;

use crate::audit::{self, LOGIN_LINK_REQUESTED, PASSWORD_CHANGED, PASSWORD_RESET, user_object};
use crate::error::AuthError;
use crate::links::{MAGIC_LINK_PATH, RESET_PASSWORD_PATH};
use crate::login::{Authenticator, LoginContext, LoginOutcome};
use crate::mail::MailSetup;
use crate::messages;
use crate::password::{Password, PasswordPolicy, Verification};
use crate::session::Authenticated;
use crate::step_up::require_recent_authentication;
use crate::throttle::{self, Keys};
use crate::token::LoginToken;

/// The two kinds of mailed login link: each its token purpose, its page and its mail.
#[derive(Debug, Clone, Copy)]
enum Link {
    PasswordReset,
    MagicLink,
}

impl Link {
    const fn purpose(self) -> LoginTokenPurpose {
        match self {
            Self::PasswordReset => LoginTokenPurpose::PasswordReset,
            Self::MagicLink => LoginTokenPurpose::MagicLink,
        }
    }

    const fn path(self) -> &'static str {
        match self {
            Self::PasswordReset => RESET_PASSWORD_PATH,
            Self::MagicLink => MAGIC_LINK_PATH,
        }
    }

    fn mail(
        self,
        tenant: &Tenant,
        to: Email,
        link: &url::Url,
        valid: time::Duration,
    ) -> crate::mail::OutgoingMail {
        match self {
            Self::PasswordReset => messages::password_reset(tenant, to, link, valid),
            Self::MagicLink => messages::magic_link(tenant, to, link, valid),
        }
    }
}

/// Reset links, magic links and password changes.
#[derive(Debug, Clone)]
pub struct Recovery {
    auth: Authenticator,
    mail: MailSetup,
    policy: PasswordPolicy,
}

impl Recovery {
    /// Recovery for `auth`'s users, mailing through `mail`.
    #[must_use]
    pub fn new(auth: &Authenticator, mail: MailSetup) -> Self {
        Self {
            auth: auth.clone(),
            mail,
            policy: PasswordPolicy::new(),
        }
    }

    /// Mails a password-reset link if `email` is an enabled member of `tenant`; otherwise does
    /// nothing. Always `Ok` for any email, so the answer never tells whether it exists (SEC-09);
    /// errors are only the server's own (storage, mail).
    pub async fn request_password_reset(
        &self,
        tenant: &Tenant,
        email: &str,
        context: &LoginContext,
    ) -> Result<(), AuthError> {
        self.send_link(tenant, email, Link::PasswordReset, context)
            .await
    }

    /// Mails a magic sign-in link, on the same terms as
    /// [`request_password_reset`](Self::request_password_reset).
    pub async fn request_magic_link(
        &self,
        tenant: &Tenant,
        email: &str,
        context: &LoginContext,
    ) -> Result<(), AuthError> {
        self.send_link(tenant, email, Link::MagicLink, context)
            .await
    }

    #[tracing::instrument(name = "auth.send_link", skip_all, fields(tenant = %tenant.id, purpose = link.purpose().as_str()))]
    async fn send_link(
        &self,
        tenant: &Tenant,
        email: &str,
        link: Link,
        context: &LoginContext,
    ) -> Result<(), AuthError> {
        let now = self.auth.now();
        let stores = self.auth.stores();
        let config = self.auth.config();
        let audit_context = AuditContext { ip: context.ip };
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let credentials = stores
            .identities
            .credentials_by_email(tenant.id, &email)
            .await?;
        let target = match credentials {
            Some(credentials) if !credentials.user.disabled => {
                let has_access = self
                    .auth
                    .scope_of(tenant.id, credentials.user.id)
                    .await?
                    .is_some();
                has_access.then_some(credentials.user)
            }
            _ => None,
        };
        // Each request is audited, known email or not: floods show up in the log.
        let event = audit::event(
            Actor::Anonymous,
            LOGIN_LINK_REQUESTED,
            target.as_ref().map(|user| user_object(user.id)),
            AuditOutcome::Success,
            json!({ "purpose": link.purpose().as_str(), "known": target.is_some() }),
        );
        audit::record(stores.audit.as_ref(), tenant.id, &audit_context, event).await?;
        tracing::info!(known = target.is_some(), "login link requested");
        let Some(user) = target else {
            return Ok(());
        };
        // At most `max_login_mails` links per account and window: nobody floods an inbox.
        let key = format!("mail:{}:{}", tenant.id, user.id);
        let sent = stores
            .throttle
            .record_failure(&key, now, config.failure_window)
            .await?;
        if sent.failures > config.max_login_mails {
            return Ok(());
        }
        let token = LoginToken::generate().map_err(AuthError::Token)?;
        let lifetime = config.login_token_lifetime;
        stores
            .login_tokens
            .issue_login_token(
                tenant.id,
                user.id,
                link.purpose(),
                token.hash(),
                now + lifetime,
            )
            .await?;
        let url = self
            .mail
            .links
            .with_token(tenant, link.path(), token.expose_secret());
        self.mail
            .mailer
            .send(link.mail(tenant, user.email, &url, lifetime))
            .await
            .map_err(AuthError::Mail)
    }

    /// Sets a new password with a reset link's token. The password is checked against the
    /// policy first, so a weak one does not spend the link. Every session of the user ends
    /// (SEC-19); the user signs in afresh.
    #[tracing::instrument(name = "auth.reset_password", skip_all, fields(%tenant))]
    pub async fn reset_password(
        &self,
        tenant: TenantId,
        presented: &str,
        new_password: Password,
        context: &LoginContext,
    ) -> Result<(), AuthError> {
        self.policy
            .check(&new_password)
            .map_err(AuthError::WeakPassword)?;
        let user = self
            .consume(tenant, LoginTokenPurpose::PasswordReset, presented)
            .await?;
        self.store_password(tenant, user, new_password, PASSWORD_RESET, context)
            .await?;
        tracing::info!(%user, "password reset");
        Ok(())
    }

    /// Hashes and stores a user's new password, which ends every session of the user
    /// (SEC-19), and records `action`.
    async fn store_password(
        &self,
        tenant: TenantId,
        user: UserId,
        new_password: Password,
        action: &str,
        context: &LoginContext,
    ) -> Result<(), AuthError> {
        let hash = self
            .auth
            .hasher()
            .hash(new_password)
            .await
            .map_err(AuthError::Password)?;
        let stores = self.auth.stores();
        stores
            .identities
            .set_password_hash(tenant, user, hash)
            .await?;
        audit::record_user_success(
            stores.audit.as_ref(),
            tenant,
            user,
            context.ip,
            action,
            json!({}),
        )
        .await?;
        Ok(())
    }

    /// Signs in with a magic link's token: a session, or a second-factor challenge for a user
    /// who has one.
    #[tracing::instrument(name = "auth.redeem_magic_link", skip_all, fields(%tenant))]
    pub async fn redeem_magic_link(
        &self,
        tenant: TenantId,
        presented: &str,
        context: &LoginContext,
    ) -> Result<LoginOutcome, AuthError> {
        let user = self
            .consume(tenant, LoginTokenPurpose::MagicLink, presented)
            .await?;
        let scope = self
            .auth
            .scope_of(tenant, user)
            .await?
            .ok_or(AuthError::InvalidLoginToken)?;
        self.auth
            .after_first_factor(tenant, user, scope, "magic_link", context)
            .await
    }

    /// Spends a link's token; any failure is the same [`AuthError::InvalidLoginToken`].
    async fn consume(
        &self,
        tenant: TenantId,
        purpose: LoginTokenPurpose,
        presented: &str,
    ) -> Result<UserId, AuthError> {
        let token = LoginToken::parse(presented).map_err(|_| AuthError::InvalidLoginToken)?;
        self.auth
            .stores()
            .login_tokens
            .consume_login_token(tenant, purpose, &token.hash(), self.auth.now())
            .await?
            .ok_or(AuthError::InvalidLoginToken)
    }

    /// Changes the signed-in user's password: a recent login (SEC-20) and the current password
    /// are required, the new one must meet the policy. A wrong current password counts as a
    /// failed login of the account and the client address, under the login's own throttle
    /// keys: a borrowed session gives no extra guesses, and while either key is blocked the
    /// attempt is [`AuthError::Throttled`] without the password being checked (SEC-10). Every
    /// session of the user ends (SEC-19), this one included; the caller signs the user in again.
    pub async fn change_password(
        &self,
        who: &Authenticated,
        current: Password,
        new_password: Password,
        context: &LoginContext,
    ) -> Result<(), AuthError> {
        let now = self.auth.now();
        let config = self.auth.config();
        require_recent_authentication(who, config, now)?;
        self.policy
            .check(&new_password)
            .map_err(AuthError::WeakPassword)?;
        let (tenant, user) = (who.session.tenant, who.session.user);
        let stores = self.auth.stores();
        let record = stores
            .identities
            .user(&who.scope, user)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        let keys = Keys {
            account: throttle::account_key(tenant, record.email.as_str()),
            ip: context.ip.map(throttle::ip_key),
        };
        let throttle_store = stores.throttle.as_ref();
        let admitted = match throttle::admit(throttle_store, config, &keys, now).await? {
            Ok(admitted) => admitted,
            Err(retry_after) => {
                tracing::info!(
                    retry_after = retry_after.whole_seconds(),
                    "password change throttled"
                );
                return Err(AuthError::Throttled { retry_after });
            }
        };
        let credentials = stores
            .identities
            .credentials_by_email(tenant, &record.email)
            .await?;
        let stored = credentials.and_then(|c| c.password_hash);
        let verification = self.auth.verify_stored(stored.as_deref(), current).await?;
        if verification == Verification::Invalid {
            throttle::settle_failure(throttle_store, config, &keys, admitted, now).await?;
            return Err(AuthError::InvalidCredentials);
        }
        // As after a successful login: whoever knows the password has no guesses to ration.
        throttle::settle_success(throttle_store, &keys).await?;
        self.store_password(tenant, user, new_password, PASSWORD_CHANGED, context)
            .await
    }
}
