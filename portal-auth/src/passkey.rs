//! Passkeys (WebAuthn): sign in without a password, and without typing an email.
//!
//! - Registration: a signed-in user with a recent login (SEC-20) asks
//!   [`Passkeys::begin_registration`] for the browser's creation options, lets
//!   `navigator.credentials.create` make a credential, and hands the answer and a name to
//!   [`Passkeys::finish_registration`]. Credentials the user already has are excluded, so one
//!   authenticator is not registered twice. A user may hold several passkeys, rename them and
//!   revoke them (revoking needs a recent login too).
//! - Sign-in: [`Passkeys::begin_sign_in`] gives request options with no credential list, so the
//!   browser offers the passkeys it holds for this site (discoverable credentials): nobody types
//!   an email, and nothing tells which accounts exist. [`Passkeys::finish_sign_in`] finds the
//!   passkey by its credential id within the tenant, checks that the user handle is its user's,
//!   verifies the signature and the signature counter, and opens the same session a password
//!   login opens. Every refusal — unknown credential, wrong signature, used or expired ceremony,
//!   disabled user — is [`AuthError::InvalidCredentials`], as for a wrong password (SEC-08), and
//!   counts against the per-credential and per-address throttle (SEC-10).
//! - User verification (PIN or biometric) is required at registration and sign-in, so a passkey
//!   is two factors at once: it meets a tenant's requirement of a second factor.
//! - The server's half of each ceremony is stored for five minutes under the hash of a random
//!   handle, bound to the tenant (and, for a registration, the user), and taken once.
//! - The relying party is the tenant's public origin: its host is the RP id, and the browser
//!   must report exactly that origin.

use std::fmt;

use portal_core::model::{
    Actor, AuditContext, AuditOutcome, NewPasskey, NewPasskeyCeremony, PasskeyCeremonyKind,
    PasskeyCredential,
};
use portal_core::validate::DisplayName;
use portal_core::{DomainError, PasskeyId, TenantId};
use portal_storage::StoreError;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use url::Url;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

pub use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use crate::audit::{
    self, LOGIN_PASSKEY_FAILED, LOGIN_THROTTLED, PASSKEY_REGISTERED, PASSKEY_RENAMED,
    PASSKEY_REVOKED, user_object,
};
use crate::error::AuthError;
use crate::login::{Authenticator, LoginContext, LoginSuccess};
use crate::session::Authenticated;
use crate::step_up::require_recent_authentication;
use crate::throttle::{self, Keys};
use crate::token::PasskeyCeremonyToken;

/// How long a begun ceremony waits for the browser's answer.
pub const PASSKEY_CEREMONY_LIFETIME: Duration = Duration::minutes(5);

/// A begun ceremony: the options for the browser and the handle to send back with its answer.
#[derive(Debug)]
pub struct PasskeyCeremony<T> {
    /// The single-use handle of the stored ceremony state; only its hash is stored.
    pub handle: PasskeyCeremonyToken,
    /// The options for `navigator.credentials.create` or `.get`, as JSON with base64url bytes.
    pub options: T,
    /// When the ceremony lapses.
    pub expires_at: OffsetDateTime,
}

/// The relying party of a tenant: its public origin (scheme, host, port) and name.
#[derive(Clone, PartialEq, Eq)]
pub struct RelyingParty {
    origin: Url,
    name: String,
}

impl fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelyingParty")
            .field("origin", &self.origin.as_str())
            .finish_non_exhaustive()
    }
}

impl RelyingParty {
    /// The relying party of `public_url` (the tenant's base URL; only its origin counts), shown
    /// to people as `name`. The URL must have a host name (browsers refuse IP addresses as an RP
    /// id: use `localhost` for local testing).
    pub fn new(public_url: &Url, name: &str) -> Result<Self, AuthError> {
        let origin = Url::parse(&public_url.origin().ascii_serialization())
            .map_err(|error| AuthError::PasskeySetup(error.to_string()))?;
        match origin.host() {
            Some(url::Host::Domain(_)) => Ok(Self {
                origin,
                name: name.to_owned(),
            }),
            _ => Err(AuthError::PasskeySetup(
                "the public origin must have a host name".to_owned(),
            )),
        }
    }

    /// The origin the browser must report.
    #[must_use]
    pub const fn origin(&self) -> &Url {
        &self.origin
    }

    /// The RP id: the origin's host.
    #[must_use]
    pub fn id(&self) -> &str {
        self.origin.host_str().unwrap_or_default()
    }

    fn webauthn(&self) -> Result<Webauthn, AuthError> {
        WebauthnBuilder::new(self.id(), &self.origin)
            .and_then(|builder| builder.rp_name(&self.name).build())
            .map_err(|error| AuthError::PasskeySetup(error.to_string()))
    }
}

/// Why a sign-in failed, for the audit log only: the caller always sees
/// [`AuthError::InvalidCredentials`].
#[derive(Debug, Clone, Copy)]
enum Failure {
    UnknownCeremony,
    UnknownCredential,
    WrongUser,
    Unverified,
    NoMembership,
}

impl Failure {
    const fn as_str(self) -> &'static str {
        match self {
            Self::UnknownCeremony => "unknown_ceremony",
            Self::UnknownCredential => "unknown_credential",
            Self::WrongUser => "wrong_user_handle",
            Self::Unverified => "unverified",
            Self::NoMembership => "no_membership",
        }
    }
}

/// Passkeys: registration, the user's list, and signing in.
#[derive(Debug, Clone)]
pub struct Passkeys {
    auth: Authenticator,
}

impl Passkeys {
    /// Passkeys for `auth`'s users.
    #[must_use]
    pub fn new(auth: &Authenticator) -> Self {
        Self { auth: auth.clone() }
    }

    /// The signed-in user's passkeys, oldest first.
    pub async fn list(&self, who: &Authenticated) -> Result<Vec<PasskeyCredential>, AuthError> {
        let (tenant, user) = (who.session.tenant, who.session.user);
        Ok(self
            .auth
            .stores()
            .passkeys
            .passkeys_of(tenant, user)
            .await?)
    }

    /// Begins registering a passkey for the signed-in user (a recent login required, SEC-20).
    /// The options ask for a discoverable credential with user verification and exclude the
    /// credentials the user already has.
    #[tracing::instrument(name = "auth.passkey.begin_registration", skip_all, fields(user = %who.session.user))]
    pub async fn begin_registration(
        &self,
        who: &Authenticated,
        rp: &RelyingParty,
    ) -> Result<PasskeyCeremony<CreationChallengeResponse>, AuthError> {
        let now = self.auth.now();
        require_recent_authentication(who, self.auth.config(), now)?;
        let (tenant, user_id) = (who.session.tenant, who.session.user);
        let stores = self.auth.stores();
        let user = stores
            .identities
            .user(&who.scope, user_id)
            .await?
            .ok_or(AuthError::Unauthenticated)?;
        let mut exclude = Vec::new();
        for stored in stores.passkeys.passkeys_of(tenant, user_id).await? {
            exclude.push(passkey_of(&stored)?.cred_id().clone());
        }
        let (mut options, state) = rp
            .webauthn()?
            .start_passkey_registration(
                *user_id.as_uuid(),
                user.email.as_str(),
                user.name.as_str(),
                Some(exclude),
            )
            .map_err(|error| AuthError::PasskeySetup(error.to_string()))?;
        // A passkey is found by the browser at sign-in, so it must live on the authenticator
        // (the server never checks this hint; it only asks for it).
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let state = to_state(&state)?;
        let handle = self
            .store_ceremony(
                tenant,
                Some(user_id),
                PasskeyCeremonyKind::Registration,
                state,
            )
            .await?;
        Ok(PasskeyCeremony {
            handle,
            options,
            expires_at: now + PASSKEY_CEREMONY_LIFETIME,
        })
    }

    /// Finishes a registration with the browser's answer, under the name the user chose. The
    /// ceremony is spent whatever the outcome; a recent login is required again, so a session
    /// that went stale meanwhile cannot add a passkey.
    #[tracing::instrument(name = "auth.passkey.finish_registration", skip_all, fields(user = %who.session.user))]
    pub async fn finish_registration(
        &self,
        who: &Authenticated,
        rp: &RelyingParty,
        handle: &str,
        name: &str,
        credential: &RegisterPublicKeyCredential,
    ) -> Result<PasskeyCredential, AuthError> {
        let now = self.auth.now();
        require_recent_authentication(who, self.auth.config(), now)?;
        let name = DisplayName::parse(name).map_err(invalid)?;
        let (tenant, user) = (who.session.tenant, who.session.user);
        let state = self
            .take_ceremony(
                tenant,
                Some(user),
                PasskeyCeremonyKind::Registration,
                handle,
            )
            .await?
            .ok_or(AuthError::InvalidPasskeyRegistration)?;
        let state: PasskeyRegistration =
            serde_json::from_str(&state).map_err(|_| AuthError::InvalidPasskeyRegistration)?;
        let passkey = rp
            .webauthn()?
            .finish_passkey_registration(credential, &state)
            .map_err(|error| {
                tracing::info!(%error, "passkey registration refused");
                AuthError::InvalidPasskeyRegistration
            })?;
        let stored = self
            .auth
            .stores()
            .passkeys
            .add_passkey(
                tenant,
                user,
                NewPasskey {
                    name,
                    credential_id: passkey.cred_id().to_vec(),
                    credential: to_state(&passkey)?,
                },
                now,
            )
            .await
            .map_err(|error| match error {
                StoreError::Conflict { .. } => AuthError::PasskeyAlreadyRegistered,
                other => AuthError::Store(other),
            })?;
        self.audit(
            tenant,
            who,
            PASSKEY_REGISTERED,
            json!({ "passkey_id": stored.id }),
        )
        .await?;
        Ok(stored)
    }

    /// Renames one of the signed-in user's passkeys; another user's is not found.
    pub async fn rename(
        &self,
        who: &Authenticated,
        id: PasskeyId,
        name: &str,
    ) -> Result<PasskeyCredential, AuthError> {
        let name = DisplayName::parse(name).map_err(invalid)?;
        let (tenant, user) = (who.session.tenant, who.session.user);
        let renamed = self
            .auth
            .stores()
            .passkeys
            .rename_passkey(tenant, user, id, name)
            .await?;
        self.audit(tenant, who, PASSKEY_RENAMED, json!({ "passkey_id": id }))
            .await?;
        Ok(renamed)
    }

    /// Revokes one of the signed-in user's passkeys (a recent login required, SEC-20); another
    /// user's is not found. It stops working at once.
    pub async fn revoke(&self, who: &Authenticated, id: PasskeyId) -> Result<(), AuthError> {
        require_recent_authentication(who, self.auth.config(), self.auth.now())?;
        let (tenant, user) = (who.session.tenant, who.session.user);
        self.auth
            .stores()
            .passkeys
            .delete_passkey(tenant, user, id)
            .await?;
        self.audit(tenant, who, PASSKEY_REVOKED, json!({ "passkey_id": id }))
            .await
    }

    /// Begins a sign-in: request options with no credential list (the browser offers the
    /// passkeys it holds for the RP), and user verification required.
    pub async fn begin_sign_in(
        &self,
        tenant: TenantId,
        rp: &RelyingParty,
    ) -> Result<PasskeyCeremony<RequestChallengeResponse>, AuthError> {
        let (mut options, state) = rp
            .webauthn()?
            .start_discoverable_authentication()
            .map_err(|error| AuthError::PasskeySetup(error.to_string()))?;
        // A button starts this ceremony, not an autofilled field: the browser shows its dialog.
        options.mediation = None;
        let handle = self
            .store_ceremony(
                tenant,
                None,
                PasskeyCeremonyKind::Authentication,
                to_state(&state)?,
            )
            .await?;
        Ok(PasskeyCeremony {
            handle,
            options,
            expires_at: self.auth.now() + PASSKEY_CEREMONY_LIFETIME,
        })
    }

    /// Finishes a sign-in with the browser's assertion: a new session, as after a password and
    /// a second factor. Every refusal is [`AuthError::InvalidCredentials`] (SEC-08), throttled
    /// per credential and per client address (SEC-10).
    #[tracing::instrument(name = "auth.passkey.sign_in", skip_all, fields(%tenant))]
    pub async fn finish_sign_in(
        &self,
        tenant: TenantId,
        rp: &RelyingParty,
        handle: &str,
        credential: &PublicKeyCredential,
        context: LoginContext,
    ) -> Result<LoginSuccess, AuthError> {
        let now = self.auth.now();
        let stores = self.auth.stores();
        let audit_context = AuditContext { ip: context.ip };
        let keys = Keys {
            account: format!("passkey:{tenant}:{}", hex(credential.get_credential_id())),
            ip: context.ip.map(throttle::ip_key),
        };
        let throttle_store = stores.throttle.as_ref();
        let admitted = match throttle::admit(throttle_store, self.auth.config(), &keys, now).await?
        {
            Ok(admitted) => admitted,
            Err(retry_after) => {
                let event = audit::event(
                    Actor::Anonymous,
                    LOGIN_THROTTLED,
                    None,
                    AuditOutcome::Denied,
                    json!({
                        "method": "passkey",
                        "retry_after_seconds": retry_after.whole_seconds(),
                    }),
                );
                audit::record(stores.audit.as_ref(), tenant, &audit_context, event).await?;
                return Err(AuthError::Throttled { retry_after });
            }
        };
        match self.verify_sign_in(tenant, rp, handle, credential).await? {
            Ok((user, scope)) => {
                throttle::settle_success(throttle_store, &keys).await?;
                self.auth
                    .sign_in(tenant, user, scope, true, "passkey", &context)
                    .await
            }
            Err((user, failure)) => {
                tracing::info!(reason = failure.as_str(), "passkey sign-in failed");
                throttle::settle_failure(throttle_store, self.auth.config(), &keys, admitted, now)
                    .await?;
                let mut event = audit::event(
                    Actor::Anonymous,
                    LOGIN_PASSKEY_FAILED,
                    user.map(user_object),
                    AuditOutcome::Failure,
                    json!({ "reason": failure.as_str() }),
                );
                event.subject = user;
                audit::record(stores.audit.as_ref(), tenant, &audit_context, event).await?;
                Err(AuthError::InvalidCredentials)
            }
        }
    }

    /// The user and scope an assertion signs in, or why not (and whose passkey it was, if
    /// known). Records the use — new counter, last used — of a passkey that verified.
    async fn verify_sign_in(
        &self,
        tenant: TenantId,
        rp: &RelyingParty,
        handle: &str,
        credential: &PublicKeyCredential,
    ) -> Result<
        Result<
            (portal_core::UserId, portal_core::TenantScope),
            (Option<portal_core::UserId>, Failure),
        >,
        AuthError,
    > {
        let stores = self.auth.stores();
        let Some(state) = self
            .take_ceremony(tenant, None, PasskeyCeremonyKind::Authentication, handle)
            .await?
        else {
            return Ok(Err((None, Failure::UnknownCeremony)));
        };
        let state: DiscoverableAuthentication = serde_json::from_str(&state)
            .map_err(|error| AuthError::PasskeySetup(error.to_string()))?;
        let Some(stored) = stores
            .passkeys
            .passkey_by_credential_id(tenant, credential.get_credential_id())
            .await?
        else {
            return Ok(Err((None, Failure::UnknownCredential)));
        };
        let user = stored.user;
        // The user handle the authenticator keeps must name the passkey's own user.
        let webauthn = rp.webauthn()?;
        match webauthn.identify_discoverable_authentication(credential) {
            Ok((handle_user, _)) if handle_user == *user.as_uuid() => {}
            _ => return Ok(Err((Some(user), Failure::WrongUser))),
        }
        let mut passkey = passkey_of(&stored)?;
        let result =
            match webauthn.finish_discoverable_authentication_v2(credential, state, &passkey) {
                Ok(result) => result,
                Err(error) => {
                    tracing::info!(%error, "passkey assertion refused");
                    return Ok(Err((Some(user), Failure::Unverified)));
                }
            };
        passkey.update_credential(&result);
        match stores
            .passkeys
            .record_passkey_use(tenant, stored.id, to_state(&passkey)?, self.auth.now())
            .await
        {
            Ok(()) => {}
            // Revoked while this sign-in ran: it stays revoked and opens nothing.
            Err(StoreError::NotFound) => return Ok(Err((Some(user), Failure::UnknownCredential))),
            Err(other) => return Err(other.into()),
        }
        match self.auth.scope_of(tenant, user).await? {
            Some(scope) => Ok(Ok((user, scope))),
            None => Ok(Err((Some(user), Failure::NoMembership))),
        }
    }

    /// Stores a ceremony's state under a new handle.
    async fn store_ceremony(
        &self,
        tenant: TenantId,
        user: Option<portal_core::UserId>,
        kind: PasskeyCeremonyKind,
        state: String,
    ) -> Result<PasskeyCeremonyToken, AuthError> {
        let handle = PasskeyCeremonyToken::generate().map_err(AuthError::Token)?;
        self.auth
            .stores()
            .passkeys
            .begin_passkey_ceremony(
                handle.hash(),
                NewPasskeyCeremony {
                    tenant,
                    user,
                    kind,
                    state,
                    expires_at: self.auth.now() + PASSKEY_CEREMONY_LIFETIME,
                },
            )
            .await?;
        Ok(handle)
    }

    /// Takes a ceremony's state by its presented handle: `None` if the handle is malformed,
    /// unknown, used, expired or of another tenant, kind or user.
    async fn take_ceremony(
        &self,
        tenant: TenantId,
        user: Option<portal_core::UserId>,
        kind: PasskeyCeremonyKind,
        handle: &str,
    ) -> Result<Option<String>, AuthError> {
        let Ok(handle) = PasskeyCeremonyToken::parse(handle) else {
            return Ok(None);
        };
        Ok(self
            .auth
            .stores()
            .passkeys
            .take_passkey_ceremony(tenant, kind, user, &handle.hash(), self.auth.now())
            .await?)
    }

    async fn audit(
        &self,
        tenant: TenantId,
        who: &Authenticated,
        action: &str,
        details: serde_json::Value,
    ) -> Result<(), AuthError> {
        audit::record_user_success(
            self.auth.stores().audit.as_ref(),
            tenant,
            who.session.user,
            None,
            action,
            details,
        )
        .await?;
        Ok(())
    }
}

/// The webauthn credential of a stored passkey.
fn passkey_of(stored: &PasskeyCredential) -> Result<Passkey, AuthError> {
    serde_json::from_str(&stored.credential)
        .map_err(|error| AuthError::PasskeySetup(format!("stored passkey unreadable: {error}")))
}

/// Ceremony state or a credential as stored text.
fn to_state(value: &impl serde::Serialize) -> Result<String, AuthError> {
    serde_json::to_string(value).map_err(|error| AuthError::PasskeySetup(error.to_string()))
}

/// A name the user typed that is no name.
fn invalid(error: DomainError) -> AuthError {
    AuthError::Store(StoreError::Invalid(error))
}

/// Lower-case hex, for throttle keys.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rp_is_the_origins_host_and_ip_addresses_are_refused() {
        let rp = RelyingParty::new(
            &Url::parse("https://portal.acme.example:8443/base/").unwrap(),
            "Acme",
        )
        .unwrap();
        assert_eq!(rp.id(), "portal.acme.example");
        assert_eq!(rp.origin().as_str(), "https://portal.acme.example:8443/");
        assert!(rp.webauthn().is_ok());
        let local = RelyingParty::new(&Url::parse("http://localhost:3000").unwrap(), "Dev");
        assert_eq!(local.unwrap().id(), "localhost");
        for ip in ["http://127.0.0.1:3000", "http://[::1]:3000"] {
            assert!(matches!(
                RelyingParty::new(&Url::parse(ip).unwrap(), "Dev"),
                Err(AuthError::PasskeySetup(_))
            ));
        }
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0, 171, 255]), "00abff");
    }
}
