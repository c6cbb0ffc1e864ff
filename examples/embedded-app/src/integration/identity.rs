//! Harbour's sign-in, mapped into the portal: [`HarbourIdentity`] is the `HostIdentity` the
//! portal asks when a request carries neither a portal session nor an API key.

use axum::http::request::Parts;
use portal_core::model::Tenant;
use portal_core::{Email, UserId};
use portal_http::{ApiError, HostIdentity};
use portal_storage::Stores;

use crate::host::sessions::HostSessions;
use crate::host::users::HostUsers;

/// Maps the Harbour user of the request's `harbour_session` cookie to the portal user with the
/// same email in the request's tenant.
///
/// Mapping by email is safe only because Harbour verified every address it signs people in
/// with; a host that does not would let anyone who types a client's address into its sign-up
/// form into that client's portal. A host may instead keep a table from its user ids to portal
/// user ids.
///
/// The mapping says who, not what: the portal builds the caller's scope from that user's
/// memberships, so a user disabled in the portal, or without a membership, is refused (401)
/// even with a live Harbour session.
#[derive(Debug, Clone)]
pub struct HarbourIdentity {
    users: HostUsers,
    sessions: HostSessions,
}

impl HarbourIdentity {
    /// The mapping over Harbour's users and sessions.
    #[must_use]
    pub const fn new(users: HostUsers, sessions: HostSessions) -> Self {
        Self { users, sessions }
    }
}

#[async_trait::async_trait]
impl HostIdentity for HarbourIdentity {
    async fn portal_user(
        &self,
        request: &Parts,
        tenant: &Tenant,
        stores: &Stores,
    ) -> Result<Option<UserId>, ApiError> {
        let Some(user) = self
            .sessions
            .user_of(&request.headers)
            .and_then(|id| self.users.by_id(id))
        else {
            return Ok(None);
        };
        let Ok(email) = Email::parse(&user.email) else {
            return Ok(None);
        };
        // A store failure is the portal's 500, never a sign-in.
        let credentials = stores
            .identities
            .credentials_by_email(tenant.id, &email)
            .await?;
        Ok(credentials.map(|credentials| credentials.user.id))
    }
}
