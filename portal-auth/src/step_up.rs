//! Step-up authentication (SEC-20): sensitive actions need a recent login.
//!
//! Call [`require_recent_authentication`] (or [`Sessions::require_recent_authentication`],
//! which reads the clock itself) before:
//!
//! - approving a deliverable or document,
//! - changing the user's email, password or MFA,
//! - creating API keys,
//! - changing roles.
//!
//! A session passes if the user last authenticated (password, MFA or passkey) at most
//! [`AuthConfig::step_up_window`] ago (10 minutes by default); otherwise the answer is
//! [`AuthError::ReauthRequired`], which the API maps to `403 reauth_required`. A fresh login
//! resets the time; rotating a session does not, since rotation keeps `authenticated_at`.

use portal_core::model::Session;
use time::OffsetDateTime;

use crate::config::AuthConfig;
use crate::error::AuthError;
use crate::session::{Authenticated, Sessions};

/// Something that knows when its user last authenticated: a [`Session`] or an
/// [`Authenticated`] request.
pub trait AuthenticatedAt {
    /// When the user last entered a password, an MFA code or used a passkey.
    fn authenticated_at(&self) -> OffsetDateTime;
}

impl AuthenticatedAt for Session {
    fn authenticated_at(&self) -> OffsetDateTime {
        self.authenticated_at
    }
}

impl AuthenticatedAt for Authenticated {
    fn authenticated_at(&self) -> OffsetDateTime {
        self.session.authenticated_at
    }
}

/// `Ok` if `of` authenticated at most `config.step_up_window` before `now`, else
/// [`AuthError::ReauthRequired`] (SEC-20). Use it before approving, changing email, password
/// or MFA, and creating API keys.
pub fn require_recent_authentication(
    of: &impl AuthenticatedAt,
    config: &AuthConfig,
    now: OffsetDateTime,
) -> Result<(), AuthError> {
    let deadline = of.authenticated_at().saturating_add(config.step_up_window);
    if now <= deadline {
        Ok(())
    } else {
        Err(AuthError::ReauthRequired)
    }
}

impl Sessions {
    /// [`require_recent_authentication`] with this service's config and clock (SEC-20). Use it
    /// before approving, changing email, password or MFA, and creating API keys.
    pub fn require_recent_authentication(
        &self,
        of: &impl AuthenticatedAt,
    ) -> Result<(), AuthError> {
        require_recent_authentication(of, self.config(), self.now())
    }
}
