//! Invitations: staff invite a contact to a client with a role, or a new member of staff. The link
//! holds a single-use 256-bit token (only its hash is stored), valid for
//! [`invitation_lifetime`](crate::AuthConfig::invitation_lifetime) (7 days by default); inviting
//! the same person again replaces the old link. Accepting sets the password and signs in.

use portal_core::model::{AuditContext, Invitation, InvitationAcceptance, NewInvitation};
use portal_core::{ClientId, DisplayName, Email, InvitationId, RoleId, TenantId, TenantScope};

use crate::error::AuthError;
use crate::links::ACCEPT_INVITATION_PATH;
use crate::login::{Authenticator, LoginContext, LoginOutcome};
use crate::mail::MailSetup;
use crate::messages;
use crate::password::{Password, PasswordPolicy};
use crate::token::InvitationToken;

/// Whom to invite, to what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The person's email.
    pub email: Email,
    /// The client to join as a contact; `None` to join the staff.
    pub client: Option<ClientId>,
    /// The role to hold.
    pub role: RoleId,
}

/// Sending, revoking and accepting invitations.
#[derive(Debug, Clone)]
pub struct Invitations {
    auth: Authenticator,
    mail: MailSetup,
    policy: PasswordPolicy,
}

impl Invitations {
    /// Invitations for `auth`'s tenants, mailed through `mail`.
    #[must_use]
    pub fn new(auth: &Authenticator, mail: MailSetup) -> Self {
        Self {
            auth: auth.clone(),
            mail,
            policy: PasswordPolicy::new(),
        }
    }

    /// Invites someone and mails the link; inviting the same email to the same client (or the
    /// staff) again replaces the earlier link. The store checks the scope's permissions.
    pub async fn invite(
        &self,
        scope: &TenantScope,
        invite: Invite,
        audit: &AuditContext,
    ) -> Result<Invitation, AuthError> {
        let stores = self.auth.stores();
        let token = InvitationToken::generate().map_err(AuthError::Token)?;
        let lifetime = self.auth.config().invitation_lifetime;
        let invitation = stores
            .invitations
            .create_invitation(
                scope,
                NewInvitation {
                    email: invite.email.clone(),
                    client: invite.client,
                    role: invite.role,
                    token_hash: token.hash(),
                    expires_at: self.auth.now() + lifetime,
                },
                audit,
            )
            .await?;
        let tenant = stores.tenants.tenant(scope).await?;
        let link =
            self.mail
                .links
                .with_token(&tenant, ACCEPT_INVITATION_PATH, token.expose_secret());
        self.mail
            .mailer
            .send(messages::invitation(&tenant, invite.email, &link, lifetime))
            .await
            .map_err(AuthError::Mail)?;
        Ok(invitation)
    }

    /// Revokes a pending invitation: its link stops working.
    pub async fn revoke(
        &self,
        scope: &TenantScope,
        id: InvitationId,
        audit: &AuditContext,
    ) -> Result<Invitation, AuthError> {
        Ok(self
            .auth
            .stores()
            .invitations
            .revoke_invitation(scope, id, audit)
            .await?)
    }

    /// The pending invitation behind a presented link of `tenant`, for the page that accepts it;
    /// anything else is [`AuthError::InvalidInvitation`].
    pub async fn pending(
        &self,
        tenant: TenantId,
        presented: &str,
    ) -> Result<Invitation, AuthError> {
        let token = InvitationToken::parse(presented).map_err(|_| AuthError::InvalidInvitation)?;
        self.auth
            .stores()
            .invitations
            .pending_invitation(&token.hash(), self.auth.now())
            .await?
            .filter(|invitation| invitation.tenant == tenant)
            .ok_or(AuthError::InvalidInvitation)
    }

    /// Accepts an invitation of `tenant`: checks the new password against the policy (a weak
    /// one does not spend the link), creates the account if needed, sets the password (ending
    /// any other sessions of an existing account), adds the membership and signs in — or asks
    /// for the second factor of an account that has one.
    #[tracing::instrument(name = "auth.accept_invitation", skip_all, fields(%tenant))]
    pub async fn accept(
        &self,
        tenant: TenantId,
        presented: &str,
        name: DisplayName,
        password: Password,
        context: &LoginContext,
    ) -> Result<LoginOutcome, AuthError> {
        self.policy
            .check(&password)
            .map_err(AuthError::WeakPassword)?;
        let invitation = self.pending(tenant, presented).await?;
        let password_hash = self
            .auth
            .hasher()
            .hash(password)
            .await
            .map_err(AuthError::Password)?;
        let accepted = self
            .auth
            .stores()
            .invitations
            .accept_invitation(
                &invitation.token_hash,
                InvitationAcceptance {
                    name,
                    password_hash,
                },
                self.auth.now(),
                &AuditContext { ip: context.ip },
            )
            .await?
            .ok_or(AuthError::InvalidInvitation)?;
        let user = accepted.user.id;
        tracing::info!(%user, invitation = %accepted.invitation.id, "invitation accepted");
        let scope = self
            .auth
            .scope_of(tenant, user)
            .await?
            .ok_or(AuthError::InvalidInvitation)?;
        self.auth
            .after_first_factor(tenant, user, scope, "invitation", context)
            .await
    }
}
