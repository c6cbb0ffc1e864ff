//! Invitations as the client page and the team page send them: through portal-auth's
//! `Invitations`, exactly as `POST /invitations` does (the store checks `manage_clients` for a
//! contact and `manage_staff` for staff, and the mail carries the link). Re-sending is inviting
//! the same email to the same place again, which replaces the earlier link.

use portal_auth::Invite;
use portal_core::model::{AuditContext, Invitation};
use portal_core::{ClientId, DomainError, Email, Invalid, InvitationId, Role, RoleId, Side};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::super::format::Formatter;
use super::super::page::PageError;
use super::super::signed::{Failure, SignedPage};
use super::shared::every;
use crate::error::ApiError;

/// The fields of an invitation form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(super) struct InviteFields {
    /// Who to invite.
    #[serde(default)]
    pub(super) email: String,
    /// The role they will hold.
    #[serde(default)]
    pub(super) role_id: String,
}

/// The fields an invitation form's error may name.
pub(super) const INVITE_FIELDS: &[&str] = &["email", "role_id"];

/// A role to choose in a form.
#[derive(Debug, Serialize)]
pub(super) struct Choice {
    /// What the form sends.
    pub(super) value: String,
    /// What the reader sees.
    pub(super) label: String,
    /// Whether it is the one chosen now.
    pub(super) selected: bool,
}

/// The roles of `side` among `roles` as choices, `current` selected.
pub(super) fn choices(roles: &[Role], side: Side, current: &str) -> Vec<Choice> {
    roles
        .iter()
        .filter(|role| role.side() == side)
        .map(|role| {
            let value = role.id().to_string();
            Choice {
                selected: value == current,
                label: role.name().as_str().to_owned(),
                value,
            }
        })
        .collect()
}

/// The name of `role` among `roles` (empty for one the scope does not see).
pub(super) fn role_name(roles: &[Role], role: RoleId) -> String {
    roles
        .iter()
        .find(|candidate| candidate.id() == role)
        .map(|found| found.name().as_str().to_owned())
        .unwrap_or_default()
}

/// Invites `fields.email` to `client` (the staff for `None`) with `fields.role_id`, and mails
/// the link.
pub(super) async fn send(
    page: &SignedPage,
    audit: &AuditContext,
    client: Option<ClientId>,
    fields: &InviteFields,
) -> Result<Invitation, ApiError> {
    let email = Email::parse(&fields.email)?;
    let role = role_id(&fields.role_id)?;
    let invite = Invite {
        email,
        client,
        role,
    };
    Ok(page
        .state
        .invitations()
        .invite(&page.scope, invite, audit)
        .await?)
}

/// A role id from a form: blank is "choose one", anything else must be an id.
pub(super) fn role_id(text: &str) -> Result<RoleId, ApiError> {
    if text.trim().is_empty() {
        return Err(DomainError::validation("role_id", Invalid::Empty).into());
    }
    Ok(text
        .parse::<RoleId>()
        .map_err(|error| error.in_field("role_id"))?)
}

/// The pending invitations to `client` (to the staff for `None`) the scope may manage, newest
/// first.
pub(super) async fn pending(
    page: &SignedPage,
    client: Option<ClientId>,
) -> Result<Vec<Invitation>, Failure> {
    let stores = page.state.stores();
    let now = OffsetDateTime::now_utc();
    let all = every(|at| stores.invitations.list_invitations(&page.scope, client, at)).await?;
    Ok(all
        .into_iter()
        .filter(|invitation| invitation.client == client)
        .filter(|invitation| {
            invitation.accepted_at.is_none()
                && invitation.revoked_at.is_none()
                && invitation.expires_at > now
        })
        .collect())
}

/// The pending invitation `id` to `client` (the staff for `None`), or the 404.
/// What a button does to a pending invitation.
#[derive(Debug, Clone, Copy)]
pub(super) enum Act {
    /// A new link, mailed again.
    Resend,
    /// The link stops working.
    Revoke,
}

impl Act {
    /// The confirmation of the act.
    pub(super) const fn notice(self) -> &'static str {
        match self {
            Self::Resend => "notice-staff-invitation-sent",
            Self::Revoke => "notice-staff-invitation-revoked",
        }
    }
}

/// Resends or revokes the pending invitation a path names, of `client` (`None`: of the team);
/// one the viewer does not reach is the 404.
pub(super) async fn act_on(
    page: &SignedPage,
    audit: &AuditContext,
    client: Option<ClientId>,
    text: &str,
    act: Act,
) -> Result<(), Failure> {
    let id: InvitationId = super::shared::id(text)?;
    let found = find_pending(page, client, id).await?;
    match act {
        Act::Resend => resend(page, audit, found).await?,
        Act::Revoke => revoke(page, audit, &found).await?,
    };
    Ok(())
}

pub(super) async fn find_pending(
    page: &SignedPage,
    client: Option<ClientId>,
    id: InvitationId,
) -> Result<Invitation, Failure> {
    pending(page, client)
        .await?
        .into_iter()
        .find(|invitation| invitation.id == id)
        .ok_or(Failure::Page(PageError::NotFound))
}

/// Sends `invitation` again: a new link, the earlier one replaced.
pub(super) async fn resend(
    page: &SignedPage,
    audit: &AuditContext,
    invitation: Invitation,
) -> Result<Invitation, ApiError> {
    let invite = Invite {
        email: invitation.email,
        client: invitation.client,
        role: invitation.role,
    };
    Ok(page
        .state
        .invitations()
        .invite(&page.scope, invite, audit)
        .await?)
}

/// Revokes `invitation`: its link stops working.
pub(super) async fn revoke(
    page: &SignedPage,
    audit: &AuditContext,
    invitation: &Invitation,
) -> Result<Invitation, ApiError> {
    Ok(page
        .state
        .invitations()
        .revoke(&page.scope, invitation.id, audit)
        .await?)
}

/// An invitation as a list shows it.
#[derive(Debug, Serialize)]
pub(super) struct InvitationItem {
    /// Who is invited.
    pub(super) email: String,
    /// The role's name.
    pub(super) role: String,
    /// When the link stops working.
    pub(super) expires: String,
    /// Where re-sending posts.
    pub(super) resend_action: String,
    /// Where revoking posts.
    pub(super) revoke_action: String,
}

impl InvitationItem {
    /// The item of `invitation`, whose buttons post under `base_path` (`…/invitations/<id>`).
    pub(super) fn new(
        formatter: &Formatter<'_>,
        invitation: &Invitation,
        role: String,
        base_path: &str,
    ) -> Result<Self, Failure> {
        let path = format!("{base_path}/{}", invitation.id);
        Ok(Self {
            email: invitation.email.as_str().to_owned(),
            role,
            expires: formatter.date(invitation.expires_at.date())?,
            resend_action: format!("{path}/resend"),
            revoke_action: format!("{path}/revoke"),
        })
    }
}
