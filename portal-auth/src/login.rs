//! Logging in with an email and a password.

use std::net::IpAddr;
use std::sync::Arc;

use portal_core::model::LoginTokenPurpose;
use portal_core::model::{Actor, AuditContext, AuditOutcome, Credentials, Session};
use portal_core::{Email, TenantId, TenantScope, UserId};
use portal_storage::Stores;
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::{
    self, LOGIN_FAILED, LOGIN_MFA_CHALLENGED, LOGIN_SUCCEEDED, LOGIN_THROTTLED, user_object,
};
use crate::clock::Clock;
use crate::config::AuthConfig;
use crate::error::AuthError;
use crate::password::{Password, PasswordError, PasswordHasher, Verification};
use crate::session::Sessions;
use crate::share_link::ShareLinks;
use crate::throttle::{self, Keys};
use crate::token::{MfaChallengeToken, SessionToken};

/// Where a login attempt comes from. The address must come from the socket or a trusted
/// proxy's header only (SEC-11): it keys the per-address throttle and goes into the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginContext {
    /// The client address.
    pub ip: Option<IpAddr>,
    /// The browser, for the user's list of devices.
    pub user_agent: Option<String>,
}

/// A successful login: the token to hand to the browser, the stored session and the user's
/// scope.
#[derive(Debug)]
pub struct LoginSuccess {
    /// The new session's token; only its hash is stored.
    pub token: SessionToken,
    /// The new session.
    pub session: Session,
    /// What the user may do, from their current memberships.
    pub scope: TenantScope,
    /// The tenant requires a second factor of this user's side and the user has none yet (no
    /// TOTP, no passkey): the application should lead them to enrolment before anything else.
    pub must_enrol_mfa: bool,
}

/// The first step of a login passed, and the user has a second factor: present the challenge's
/// token with a TOTP or recovery code to [`Mfa::complete_login`](crate::Mfa::complete_login).
#[derive(Debug)]
pub struct MfaChallenge {
    /// The single-use token of this pending login; only its hash is stored.
    pub token: MfaChallengeToken,
    /// When the pending login lapses.
    pub expires_at: OffsetDateTime,
}

/// How a first login step ended when it did not fail.
#[derive(Debug)]
#[must_use]
pub enum LoginOutcome {
    /// Signed in.
    SignedIn(Box<LoginSuccess>),
    /// A second factor is due.
    SecondFactorRequired(MfaChallenge),
}

impl LoginOutcome {
    /// The session, if the login is complete.
    #[must_use]
    pub fn signed_in(self) -> Option<LoginSuccess> {
        match self {
            Self::SignedIn(success) => Some(*success),
            Self::SecondFactorRequired(_) => None,
        }
    }
}

/// Checks emails and passwords, throttles guessing, and opens sessions.
#[derive(Debug, Clone)]
pub struct Authenticator {
    stores: Stores,
    hasher: PasswordHasher,
    config: AuthConfig,
    clock: Arc<dyn Clock>,
    /// One session service (and so one session cache) for every clone.
    sessions: Sessions,
}

/// Why an attempt failed, for the audit log only: the caller always sees
/// [`AuthError::InvalidCredentials`].
#[derive(Debug, Clone, Copy)]
enum Failure {
    MalformedEmail,
    UnknownUser,
    NoPassword,
    WrongPassword,
    Disabled,
    NoMembership,
}

impl Failure {
    const fn as_str(self) -> &'static str {
        match self {
            Self::MalformedEmail => "malformed_email",
            Self::UnknownUser => "unknown_user",
            Self::NoPassword => "no_password",
            Self::WrongPassword => "wrong_password",
            Self::Disabled => "disabled",
            Self::NoMembership => "no_membership",
        }
    }
}

impl Authenticator {
    /// An authenticator over `stores`.
    #[must_use]
    pub fn new(
        stores: Stores,
        hasher: PasswordHasher,
        config: AuthConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            sessions: Sessions::new(stores.clone(), config, Arc::clone(&clock)),
            stores,
            hasher,
            config,
            clock,
        }
    }

    /// The sessions this authenticator opens, with the same stores, config and clock; clones
    /// share one cache of checked sessions.
    #[must_use]
    pub fn sessions(&self) -> Sessions {
        self.sessions.clone()
    }

    /// Share links under the same stores, config (their longest lifetime) and clock.
    #[must_use]
    pub fn share_links(&self) -> ShareLinks {
        ShareLinks::new(self.stores.clone(), self.config, Arc::clone(&self.clock))
    }

    /// Logs a user of `tenant` in.
    ///
    /// Every way of getting it wrong — unknown or malformed email, wrong password, disabled
    /// user, no password set, no membership — gives the same [`AuthError::InvalidCredentials`],
    /// and unknown users spend the same argon2 work on a dummy hash (SEC-08). The account and the
    /// client address are throttled before the password is looked at, for known and unknown
    /// emails alike (SEC-10). Success opens a new session with a new token (SEC-13) — or, for a
    /// user with a confirmed second factor, a [`MfaChallenge`] to complete first.
    #[tracing::instrument(name = "auth.login", skip_all, fields(%tenant))]
    pub async fn login(
        &self,
        tenant: TenantId,
        email: &str,
        password: Password,
        context: LoginContext,
    ) -> Result<LoginOutcome, AuthError> {
        let now = self.clock.now();
        let audit_context = AuditContext { ip: context.ip };
        let parsed = Email::parse(email).ok();
        let normalised = parsed.as_ref().map_or_else(
            || {
                email
                    .trim()
                    .to_lowercase()
                    .chars()
                    .take(Email::MAX_CHARS)
                    .collect()
            },
            |email| email.as_str().to_owned(),
        );
        let keys = Keys {
            account: throttle::account_key(tenant, &normalised),
            ip: context.ip.map(throttle::ip_key),
        };

        let throttle_store = self.stores.throttle.as_ref();
        let admission = throttle::admit(throttle_store, &self.config, &keys, now).await?;
        let admitted = match admission {
            Ok(admitted) => admitted,
            Err(retry_after) => {
                let event = audit::event(
                    Actor::Anonymous,
                    LOGIN_THROTTLED,
                    None,
                    AuditOutcome::Denied,
                    json!({ "retry_after_seconds": retry_after.whole_seconds() }),
                )
                .with_personal(json!({ "email": normalised }));
                audit::record(self.stores.audit.as_ref(), tenant, &audit_context, event).await?;
                tracing::info!(retry_after = retry_after.whole_seconds(), "login throttled");
                return Err(AuthError::Throttled { retry_after });
            }
        };

        let credentials = match &parsed {
            Some(email) => {
                self.stores
                    .identities
                    .credentials_by_email(tenant, email)
                    .await?
            }
            None => None,
        };
        let (verification, failure) = self
            .check_password(parsed.is_some(), credentials.as_ref(), password.clone())
            .await?;
        let checked = match (credentials, failure) {
            (Some(credentials), None) => {
                let memberships = self
                    .stores
                    .memberships
                    .memberships_of(tenant, credentials.user.id)
                    .await?;
                match TenantScope::from_memberships(&memberships) {
                    Ok(scope) => Ok((credentials, scope)),
                    Err(_) => Err((Some(credentials.user.id), Failure::NoMembership)),
                }
            }
            (credentials, failure) => Err((
                credentials.map(|c| c.user.id),
                failure.unwrap_or(Failure::UnknownUser),
            )),
        };
        let (credentials, scope) = match checked {
            Ok(found) => found,
            Err((user, failure)) => {
                tracing::info!(reason = failure.as_str(), "login failed");
                throttle::settle_failure(throttle_store, &self.config, &keys, admitted, now)
                    .await?;
                let mut event = audit::event(
                    Actor::Anonymous,
                    LOGIN_FAILED,
                    user.map(user_object),
                    AuditOutcome::Failure,
                    json!({ "reason": failure.as_str() }),
                )
                .with_personal(json!({ "email": normalised }));
                event.subject = user;
                audit::record(self.stores.audit.as_ref(), tenant, &audit_context, event).await?;
                return Err(AuthError::InvalidCredentials);
            }
        };
        let user = credentials.user.id;

        // Rehash first: storing a hash ends every session of the user, so the new one must
        // come after it.
        if matches!(verification, Verification::Valid { needs_rehash: true }) {
            let rehashed = self
                .hasher
                .hash(password)
                .await
                .map_err(AuthError::Password)?;
            self.stores
                .identities
                .rehash_password(tenant, user, rehashed)
                .await?;
        }
        throttle::settle_success(throttle_store, &keys).await?;
        self.after_first_factor(tenant, user, scope, "password", &context)
            .await
    }

    /// What follows a passed first factor (password, magic link, accepted invitation): a
    /// challenge if the user has a confirmed second factor, else a new session.
    pub(crate) async fn after_first_factor(
        &self,
        tenant: TenantId,
        user: UserId,
        scope: TenantScope,
        method: &'static str,
        context: &LoginContext,
    ) -> Result<LoginOutcome, AuthError> {
        let now = self.clock.now();
        if !self.has_second_factor(tenant, user).await? {
            // A tenant that requires a second factor takes a passkey for one, but a password
            // cannot be completed by a passkey: its holder signs in with the passkey instead.
            if self.tenant_requires_mfa(&scope).await? && self.has_passkey(tenant, user).await? {
                tracing::info!(%user, method, "passkey sign-in required");
                return Err(AuthError::PasskeyRequired);
            }
            return self
                .sign_in(tenant, user, scope, false, method, context)
                .await
                .map(|success| LoginOutcome::SignedIn(Box::new(success)));
        }
        tracing::info!(%user, method, "second factor required");
        let token = MfaChallengeToken::generate().map_err(AuthError::Token)?;
        let expires_at = now + self.config.mfa_challenge_lifetime;
        self.stores
            .login_tokens
            .issue_login_token(
                tenant,
                user,
                LoginTokenPurpose::MfaChallenge,
                token.hash(),
                expires_at,
            )
            .await?;
        audit::record_user_success(
            self.stores.audit.as_ref(),
            tenant,
            user,
            context.ip,
            LOGIN_MFA_CHALLENGED,
            json!({ "method": method }),
        )
        .await?;
        Ok(LoginOutcome::SecondFactorRequired(MfaChallenge {
            token,
            expires_at,
        }))
    }

    /// Opens a session for a fully authenticated user and records the login. The caller says
    /// whether the user has a confirmed second factor: it just looked.
    pub(crate) async fn sign_in(
        &self,
        tenant: TenantId,
        user: UserId,
        scope: TenantScope,
        has_second_factor: bool,
        method: &'static str,
        context: &LoginContext,
    ) -> Result<LoginSuccess, AuthError> {
        let now = self.clock.now();
        let (token, session) = self
            .sessions()
            .open(
                tenant,
                user,
                now,
                now,
                now + self.config.absolute_timeout,
                context,
            )
            .await?;
        self.stores
            .identities
            .record_login(tenant, user, now)
            .await?;
        audit::record_user_success(
            self.stores.audit.as_ref(),
            tenant,
            user,
            context.ip,
            LOGIN_SUCCEEDED,
            json!({ "method": method }),
        )
        .await?;
        let must_enrol_mfa = !has_second_factor
            && self.tenant_requires_mfa(&scope).await?
            && !self.has_passkey(tenant, user).await?;
        tracing::info!(%user, method, must_enrol_mfa, "signed in");
        Ok(LoginSuccess {
            token,
            session,
            scope,
            must_enrol_mfa,
        })
    }

    /// Whether the tenant requires a second factor of the scope's side and the user has none
    /// (neither TOTP nor a passkey).
    pub async fn must_enrol_mfa(&self, scope: &TenantScope) -> Result<bool, AuthError> {
        let Some(user) = scope.principal().user_id() else {
            return Ok(false);
        };
        Ok(self.tenant_requires_mfa(scope).await?
            && !self.has_second_factor(scope.tenant_id(), user).await?
            && !self.has_passkey(scope.tenant_id(), user).await?)
    }

    /// Whether the user has a passkey: it meets a tenant's requirement of a second factor, as
    /// its use needs user verification (something the user has plus a PIN or biometric).
    pub(crate) async fn has_passkey(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<bool, AuthError> {
        Ok(!self
            .stores
            .passkeys
            .passkeys_of(tenant, user)
            .await?
            .is_empty())
    }

    /// Whether the scope's tenant requires a second factor of the scope's side.
    async fn tenant_requires_mfa(&self, scope: &TenantScope) -> Result<bool, AuthError> {
        let tenant = self.stores.tenants.tenant(scope).await?;
        Ok(if scope.is_staff_side() {
            tenant.require_mfa_staff
        } else {
            tenant.require_mfa_contacts
        })
    }

    /// Whether the user has a confirmed TOTP factor.
    pub(crate) async fn has_second_factor(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<bool, AuthError> {
        Ok(self
            .stores
            .mfa
            .totp(tenant, user)
            .await?
            .is_some_and(|totp| totp.is_confirmed()))
    }

    /// Checks `password` against a stored hash — or, when there is none, spends the same work on
    /// the dummy hash and answers `Invalid` (SEC-08). Over-long input is simply wrong.
    pub(crate) async fn verify_stored(
        &self,
        stored: Option<&str>,
        password: Password,
    ) -> Result<Verification, AuthError> {
        let outcome = match stored {
            Some(stored) => self.hasher.verify(password, stored).await,
            None => self.hasher.dummy_verify(password).await,
        };
        match outcome {
            Ok(verification) => Ok(verification),
            Err(PasswordError::TooManyBytes { .. }) => Ok(Verification::Invalid),
            Err(other) => Err(AuthError::Password(other)),
        }
    }

    /// The stores.
    pub(crate) const fn stores(&self) -> &Stores {
        &self.stores
    }

    /// The password hasher.
    pub(crate) const fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    /// The configuration.
    pub(crate) const fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// The current time of this authenticator's clock.
    pub(crate) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The scope of a user from their memberships as they are now; `None` without any (a
    /// disabled user, or one whose clients are all archived, has none).
    pub async fn scope_of(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<TenantScope>, AuthError> {
        let memberships = self.stores.memberships.memberships_of(tenant, user).await?;
        Ok(TenantScope::from_memberships(&memberships).ok())
    }

    /// Verifies the password against the stored hash, or against the dummy hash when there is
    /// none, so that every path spends the same work (SEC-08).
    async fn check_password(
        &self,
        well_formed: bool,
        credentials: Option<&Credentials>,
        password: Password,
    ) -> Result<(Verification, Option<Failure>), AuthError> {
        let stored = credentials.and_then(|c| c.password_hash.as_deref());
        let verification = self.verify_stored(stored, password).await?;
        let failure = match (credentials, stored, verification) {
            (None, _, _) if !well_formed => Some(Failure::MalformedEmail),
            (None, _, _) => Some(Failure::UnknownUser),
            (Some(_), None, _) => Some(Failure::NoPassword),
            (Some(_), Some(_), Verification::Invalid) => Some(Failure::WrongPassword),
            (Some(c), Some(_), Verification::Valid { .. }) if c.user.disabled => {
                Some(Failure::Disabled)
            }
            (Some(_), Some(_), Verification::Valid { .. }) => None,
        };
        Ok((verification, failure))
    }
}
