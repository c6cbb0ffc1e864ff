//! TOTP second factor (RFC 6238) with recovery codes (SEC-23).
//!
//! - Enrolment: [`Mfa::begin_enrolment`] gives an `otpauth://` URI, its QR code (SVG) and the
//!   secret for manual entry; [`Mfa::confirm_enrolment`] checks a first code and returns ten
//!   single-use recovery codes, shown once.
//! - Login: a user with a confirmed factor gets a [`MfaChallenge`](crate::MfaChallenge) from the
//!   first step and completes it with [`Mfa::complete_login`].
//! - Codes are 6 digits, 30-second steps, ±1 step accepted. The last accepted step is stored, so a
//!   code (or an earlier one) never works twice. After
//!   [`max_mfa_failures_per_step`](crate::AuthConfig::max_mfa_failures_per_step) wrong codes the
//!   user waits for the step to end, and at most
//!   [`max_account_failures`](crate::AuthConfig::max_account_failures) wrong codes count per
//!   [`failure_window`](crate::AuthConfig::failure_window).
//! - Secrets are stored sealed with a [`TotpKey`]; changing the factor needs a recent login
//!   (SEC-20).

mod recovery_codes;
mod seal;

use std::fmt;

use portal_core::model::{Actor, AuditContext, AuditOutcome, LoginTokenPurpose, TotpEnrolment};
use portal_core::{TenantId, UserId};
use qrcode::QrCode;
use qrcode::render::svg;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use totp_rs::{Algorithm, Builder, Totp};
use zeroize::Zeroizing;

pub use recovery_codes::{RECOVERY_CODE_COUNT, RecoveryCodes};
pub use seal::{TotpKey, TotpKeyError};

use crate::audit::{
    self, LOGIN_MFA_FAILED, MFA_ENROLLED, MFA_RECOVERY_CODES_REPLACED, MFA_REMOVED, user_object,
};
use crate::error::AuthError;
use crate::login::{Authenticator, LoginContext, LoginSuccess};
use crate::session::Authenticated;
use crate::step_up::require_recent_authentication;
use crate::token::{MfaChallengeToken, random_bytes};

/// Seconds per TOTP step.
const STEP_SECONDS: u64 = 30;
/// Digits per code.
const DIGITS: u8 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;

/// What an authenticator app needs to enrol. Everything here reveals the secret: show it to its
/// user once, over the enrolment page only. Redacted `Debug`.
pub struct TotpSetup {
    /// The `otpauth://totp/…` URI.
    pub otpauth_uri: Zeroizing<String>,
    /// The URI as a QR code, an SVG document.
    pub qr_svg: Zeroizing<String>,
    /// The secret in base32, for typing in by hand.
    pub secret_base32: Zeroizing<String>,
}

impl fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSetup([redacted])")
    }
}

/// A user's second-factor state, for their security settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MfaStatus {
    /// Whether TOTP is confirmed and in force.
    pub enrolled: bool,
    /// How many recovery codes are unused.
    pub recovery_codes_left: u32,
}

/// Second factors: enrolment, removal, recovery codes and the second step of a login.
#[derive(Debug, Clone)]
pub struct Mfa {
    auth: Authenticator,
    key: TotpKey,
}

impl Mfa {
    /// Second factors for `auth`'s users, their secrets sealed with `key`.
    #[must_use]
    pub fn new(auth: &Authenticator, key: TotpKey) -> Self {
        Self {
            auth: auth.clone(),
            key,
        }
    }

    /// The signed-in user's second-factor state.
    pub async fn status(&self, who: &Authenticated) -> Result<MfaStatus, AuthError> {
        let (tenant, user) = (who.session.tenant, who.session.user);
        let stores = self.auth.stores();
        let enrolled = self.auth.has_second_factor(tenant, user).await?;
        let recovery_codes_left = if enrolled {
            stores.mfa.recovery_codes_left(tenant, user).await?
        } else {
            0
        };
        Ok(MfaStatus {
            enrolled,
            recovery_codes_left,
        })
    }

    /// Starts TOTP enrolment for the signed-in user (a recent login required, SEC-20), replacing
    /// an unfinished one. The issuer shown in the app is the tenant's name.
    #[tracing::instrument(name = "auth.mfa.begin_enrolment", skip_all, fields(user = %who.session.user))]
    pub async fn begin_enrolment(&self, who: &Authenticated) -> Result<TotpSetup, AuthError> {
        require_recent_authentication(who, self.auth.config(), self.auth.now())?;
        let (tenant_id, user_id) = (who.session.tenant, who.session.user);
        let stores = self.auth.stores();
        if self.auth.has_second_factor(tenant_id, user_id).await? {
            return Err(AuthError::MfaAlreadyEnrolled);
        }
        let tenant = stores.tenants.tenant(&who.scope).await?;
        let user = stores
            .identities
            .user(&who.scope, user_id)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        let secret = Zeroizing::new(random_bytes::<SECRET_BYTES>().map_err(AuthError::Token)?);
        let sealed = self
            .key
            .seal(tenant_id, user_id, secret.as_slice())
            .map_err(|error| AuthError::SecondFactorSetup(error.to_string()))?;
        stores
            .mfa
            .begin_totp(tenant_id, user_id, sealed, self.auth.now())
            .await?;

        let issuer = otpauth_label(tenant.branding.display_name.as_str());
        let totp = totp(
            secret.to_vec(),
            Some((issuer, otpauth_label(user.email.as_str()))),
        )?;
        let otpauth_uri = Zeroizing::new(
            totp.to_url()
                .map_err(|error| AuthError::SecondFactorSetup(error.to_string()))?,
        );
        let qr_svg = Zeroizing::new(
            QrCode::new(otpauth_uri.as_bytes())
                .map_err(|error| AuthError::SecondFactorSetup(error.to_string()))?
                .render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build(),
        );
        let secret_base32 = Zeroizing::new(totp.secret().to_base32());
        Ok(TotpSetup {
            otpauth_uri,
            qr_svg,
            secret_base32,
        })
    }

    /// Finishes enrolment with a first code from the app, and returns the ten recovery codes to
    /// show once. Wrong codes count against the attempt limits.
    #[tracing::instrument(name = "auth.mfa.confirm_enrolment", skip_all, fields(user = %who.session.user))]
    pub async fn confirm_enrolment(
        &self,
        who: &Authenticated,
        code: &str,
    ) -> Result<RecoveryCodes, AuthError> {
        let (tenant, user) = (who.session.tenant, who.session.user);
        let now = self.auth.now();
        let stores = self.auth.stores();
        let enrolment = stores
            .mfa
            .totp(tenant, user)
            .await?
            .ok_or(AuthError::MfaNotEnrolled)?;
        if enrolment.is_confirmed() {
            return Err(AuthError::MfaAlreadyEnrolled);
        }
        self.check_attempts(tenant, user, now).await?;
        let Some(step) = self.matching_step(&enrolment, code, now)? else {
            return Err(self.failed(tenant, user, now).await);
        };
        let codes = RecoveryCodes::generate().map_err(AuthError::Token)?;
        stores
            .mfa
            .confirm_totp(tenant, user, step, codes.hashes(), now)
            .await?;
        self.audit(tenant, user, MFA_ENROLLED, json!({ "factor": "totp" }))
            .await?;
        Ok(codes)
    }

    /// Removes the signed-in user's TOTP and recovery codes (a recent login required, SEC-20).
    pub async fn remove(&self, who: &Authenticated) -> Result<(), AuthError> {
        require_recent_authentication(who, self.auth.config(), self.auth.now())?;
        let (tenant, user) = (who.session.tenant, who.session.user);
        if !self.auth.stores().mfa.remove_totp(tenant, user).await? {
            return Err(AuthError::MfaNotEnrolled);
        }
        self.audit(tenant, user, MFA_REMOVED, json!({ "factor": "totp" }))
            .await
    }

    /// Replaces the signed-in user's recovery codes (a recent login required, SEC-20); the old
    /// ones stop working.
    pub async fn regenerate_recovery_codes(
        &self,
        who: &Authenticated,
    ) -> Result<RecoveryCodes, AuthError> {
        require_recent_authentication(who, self.auth.config(), self.auth.now())?;
        let (tenant, user) = (who.session.tenant, who.session.user);
        let stores = self.auth.stores();
        if !self.auth.has_second_factor(tenant, user).await? {
            return Err(AuthError::MfaNotEnrolled);
        }
        let codes = RecoveryCodes::generate().map_err(AuthError::Token)?;
        stores
            .mfa
            .replace_recovery_codes(tenant, user, codes.hashes())
            .await?;
        self.audit(tenant, user, MFA_RECOVERY_CODES_REPLACED, json!({}))
            .await?;
        Ok(codes)
    }

    /// The second step of a login: the challenge from the first step and a TOTP or recovery
    /// code. A wrong code keeps the challenge alive (for a fresh
    /// [`mfa_challenge_lifetime`](crate::AuthConfig::mfa_challenge_lifetime)) within the attempt
    /// limits; an unknown, expired or used challenge is [`AuthError::InvalidSecondFactor`].
    #[tracing::instrument(name = "auth.mfa.complete_login", skip_all, fields(%tenant))]
    pub async fn complete_login(
        &self,
        tenant: TenantId,
        challenge: &str,
        code: &str,
        context: LoginContext,
    ) -> Result<LoginSuccess, AuthError> {
        let now = self.auth.now();
        let stores = self.auth.stores();
        let token =
            MfaChallengeToken::parse(challenge).map_err(|_| AuthError::InvalidSecondFactor)?;
        let Some(user) = stores
            .login_tokens
            .consume_login_token(tenant, LoginTokenPurpose::MfaChallenge, &token.hash(), now)
            .await?
        else {
            return Err(AuthError::InvalidSecondFactor);
        };
        match self.verify(tenant, user, code, now).await {
            Ok(method) => {
                let scope = self
                    .auth
                    .scope_of(tenant, user)
                    .await?
                    .ok_or(AuthError::InvalidSecondFactor)?;
                self.auth
                    .sign_in(tenant, user, scope, true, method, &context)
                    .await
            }
            Err(error) => {
                tracing::info!(%user, %error, "second factor refused");
                // The same challenge stays usable for the next try.
                stores
                    .login_tokens
                    .issue_login_token(
                        tenant,
                        user,
                        LoginTokenPurpose::MfaChallenge,
                        token.hash(),
                        now + self.auth.config().mfa_challenge_lifetime,
                    )
                    .await?;
                let event = audit::event(
                    Actor::User(user),
                    LOGIN_MFA_FAILED,
                    Some(user_object(user)),
                    AuditOutcome::Failure,
                    json!({ "throttled": matches!(error, AuthError::Throttled { .. }) }),
                );
                let audit_context = AuditContext { ip: context.ip };
                audit::record(stores.audit.as_ref(), tenant, &audit_context, event).await?;
                Err(error)
            }
        }
    }

    /// Checks a TOTP or recovery code of a user with a confirmed factor, within the attempt
    /// limits; the method that passed, for the audit log.
    async fn verify(
        &self,
        tenant: TenantId,
        user: UserId,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<&'static str, AuthError> {
        self.check_attempts(tenant, user, now).await?;
        let stores = self.auth.stores();
        let Some(enrolment) = stores
            .mfa
            .totp(tenant, user)
            .await?
            .filter(TotpEnrolment::is_confirmed)
        else {
            return Err(AuthError::InvalidSecondFactor);
        };
        let passed = if recovery_codes::looks_like_recovery_code(code) {
            stores
                .mfa
                .use_recovery_code(tenant, user, &recovery_codes::hash(code), now)
                .await?
                .then_some("recovery_code")
        } else {
            match self.matching_step(&enrolment, code, now)? {
                Some(step) => stores
                    .mfa
                    .use_totp_step(tenant, user, step)
                    .await?
                    .then_some("totp"),
                None => None,
            }
        };
        match passed {
            Some(method) => {
                stores
                    .throttle
                    .clear_throttle(&step_key(tenant, user))
                    .await?;
                Ok(method)
            }
            None => Err(self.failed(tenant, user, now).await),
        }
    }

    /// The step a code belongs to (now, or one step either side), if it is right.
    fn matching_step(
        &self,
        enrolment: &TotpEnrolment,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<Option<u64>, AuthError> {
        let secret = self
            .key
            .open(enrolment.tenant, enrolment.user, &enrolment.sealed_secret)
            .map_err(|error| AuthError::SecondFactorSetup(error.to_string()))?;
        let totp = totp(secret.to_vec(), None)?;
        let Ok(seconds) = u64::try_from(now.unix_timestamp()) else {
            return Ok(None);
        };
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != usize::from(DIGITS) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        Ok(totp.check(&digits, seconds))
    }

    /// Refuses unheard while the user is locked out of second-factor attempts.
    async fn check_attempts(
        &self,
        tenant: TenantId,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        let throttle = &self.auth.stores().throttle;
        let mut until = None;
        for key in [step_key(tenant, user), window_key(tenant, user)] {
            if let Some(state) = throttle.throttle(&key).await? {
                until = until.max(state.blocked_until.filter(|until| *until > now));
            }
        }
        match until {
            Some(until) => Err(AuthError::Throttled {
                retry_after: until - now,
            }),
            None => Ok(()),
        }
    }

    /// Counts a wrong code: the user waits for the step to end after too many in it, and for
    /// the window to end after too many in the window.
    async fn failed(&self, tenant: TenantId, user: UserId, now: OffsetDateTime) -> AuthError {
        match self.count_failure(tenant, user, now).await {
            Ok(()) => AuthError::InvalidSecondFactor,
            Err(error) => error,
        }
    }

    async fn count_failure(
        &self,
        tenant: TenantId,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<(), AuthError> {
        let config = self.auth.config();
        let throttle = &self.auth.stores().throttle;
        let step_end = step_end(now);
        let key = step_key(tenant, user);
        let state = throttle.record_failure(&key, now, step_end - now).await?;
        if state.failures >= config.max_mfa_failures_per_step {
            throttle.block_until(&key, step_end).await?;
        }
        let key = window_key(tenant, user);
        let state = throttle
            .record_failure(&key, now, config.failure_window)
            .await?;
        if state.failures >= config.max_account_failures {
            throttle
                .block_until(&key, state.window_started_at + config.failure_window)
                .await?;
        }
        Ok(())
    }

    async fn audit(
        &self,
        tenant: TenantId,
        user: UserId,
        action: &str,
        details: serde_json::Value,
    ) -> Result<(), AuthError> {
        audit::record_user_success(
            self.auth.stores().audit.as_ref(),
            tenant,
            user,
            None,
            action,
            details,
        )
        .await?;
        Ok(())
    }
}

/// A TOTP generator: SHA-1 (what every app supports), 6 digits, 30 s, ±1 step.
fn totp(secret: Vec<u8>, label: Option<(String, String)>) -> Result<Totp, AuthError> {
    let builder = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret);
    let builder = match label {
        Some((issuer, account)) => builder.with_issuer(Some(issuer)).with_account_name(account),
        None => builder,
    };
    builder
        .build()
        .map_err(|error| AuthError::SecondFactorSetup(error.to_string()))
}

/// An issuer or account name the otpauth format can carry (no `:`).
fn otpauth_label(text: &str) -> String {
    text.replace(':', " ")
}

/// When the step holding `now` ends.
fn step_end(now: OffsetDateTime) -> OffsetDateTime {
    let seconds = now.unix_timestamp();
    let step = i64::try_from(STEP_SECONDS).unwrap_or(30);
    let end = (seconds.div_euclid(step) + 1) * step;
    OffsetDateTime::from_unix_timestamp(end).unwrap_or(now + Duration::seconds(step))
}

/// The throttle key of wrong codes within one step.
fn step_key(tenant: TenantId, user: UserId) -> String {
    format!("mfa-step:{tenant}:{user}")
}

/// The throttle key of wrong codes within the failure window.
fn window_key(tenant: TenantId, user: UserId) -> String {
    format!("mfa:{tenant}:{user}")
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn steps_end_on_thirty_second_boundaries() {
        assert_eq!(
            step_end(datetime!(2026-01-01 00:00:07 UTC)),
            datetime!(2026-01-01 00:00:30 UTC)
        );
        assert_eq!(
            step_end(datetime!(2026-01-01 00:00:30 UTC)),
            datetime!(2026-01-01 00:01:00 UTC)
        );
    }

    #[test]
    fn labels_lose_their_colons() {
        assert_eq!(otpauth_label("Acme: Studio"), "Acme  Studio");
    }
}
