//! Accepting an invitation at `auth/invitation?token=…`, the path the mail links to: what it
//! joins (the tenant, the client for a contact, the role), then a name and a password (twice)
//! and the person is signed in — or asked for their second factor, for an existing account that
//! has one. Opening the link spends nothing; a refused name or password leaves it unspent
//! (`Invitations::accept` checks the password before the token). A link that is unknown,
//! expired, used, replaced or revoked gets one clear page for all.
//!
//! Nobody is signed in yet, so the client's and the role's names are read with the tenant's
//! system scope — only for an invitation the token proved to be pending in this tenant, and
//! only those two names, which the invitation itself is about.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portal_auth::password::{Password, PasswordPolicy};
use portal_auth::{AuthError, LoginOutcome};
use portal_core::model::Invitation;
use portal_core::{DisplayName, TenantScope};
use serde::{Deserialize, Serialize};

use super::super::catalogue::CatalogueError;
use super::super::form::FormError;
use super::super::format::Formatter;
use super::super::login::{finish_sign_in, pre_login_page, second_step};
use super::super::page::{PageError, PageRequest};
use super::pre_login::{self, DeadLink, PreLoginForm};
use crate::error::ApiError;
use crate::extract::{ClientIp, UserAgent};
use crate::state::PortalState;

/// The acceptance form's fields. No `Debug`: it holds passwords.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AcceptFields {
    token: String,
    name: String,
    password: String,
    password_again: String,
}

/// What the invitation page shows.
#[derive(Debug, Serialize)]
struct InvitationView {
    /// Who is invited.
    email: String,
    /// The client joined, for a contact; `None` for the team.
    client: Option<String>,
    /// The role, in the reader's language for a built-in one.
    role: String,
    /// The last day the link works.
    expires: String,
    /// The link's token, posted back.
    token: String,
    /// The name as typed.
    name: String,
    /// Why the last try failed.
    error: Option<FormError>,
    /// The policy's shortest password, for the hint.
    password_min: usize,
}

/// `GET auth/invitation?token=…`: what the invitation is for, and the form. Spends nothing.
pub(super) async fn form(
    State(state): State<PortalState>,
    page: PageRequest,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let token = pre_login::query_token(query.as_deref());
    let invitation = match state.invitations().pending(page.tenant.id, &token).await {
        Ok(invitation) => invitation,
        Err(AuthError::InvalidInvitation) => {
            return pre_login::dead_link(&page, &headers, DeadLink::Invitation);
        }
        Err(error) => return page.error(ApiError::from(error).into()),
    };
    show(
        &state,
        &page,
        &headers,
        StatusCode::OK,
        &invitation,
        Entered {
            token,
            name: String::new(),
            error: None,
        },
    )
    .await
}

/// `POST auth/invitation`: accepts and signs in (303), or shows the form again (422) with the
/// name kept and the message next to the field at fault.
pub(super) async fn accept(
    State(state): State<PortalState>,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    form: PreLoginForm<AcceptFields>,
) -> Response {
    let PreLoginForm {
        page,
        headers,
        fields,
    } = form;
    let invitation = match state
        .invitations()
        .pending(page.tenant.id, &fields.token)
        .await
    {
        Ok(invitation) => invitation,
        Err(AuthError::InvalidInvitation) => {
            return pre_login::dead_link(&page, &headers, DeadLink::Invitation);
        }
        Err(error) => return page.error(ApiError::from(error).into()),
    };
    let formatter = pre_login::formatter(&page);
    let refusal = match DisplayName::parse(&fields.name) {
        Err(error) => Some(pre_login::invalid(&formatter, "name", &error)),
        Ok(_) if fields.password != fields.password_again => {
            Some(pre_login::password_mismatch(&formatter, "password_again"))
        }
        Ok(name) => {
            let accepted = state
                .invitations()
                .accept(
                    page.tenant.id,
                    &fields.token,
                    name,
                    Password::new(fields.password),
                    &ip.login_context(agent),
                )
                .await;
            match accepted {
                Ok(LoginOutcome::SignedIn(success)) => {
                    return finish_sign_in(&state, &page, &headers, &success, None).await;
                }
                Ok(LoginOutcome::SecondFactorRequired(challenge)) => {
                    return second_step(&page, &headers, &challenge, None);
                }
                Err(AuthError::WeakPassword(reason)) => {
                    Some(pre_login::password_error(&formatter, "password", &reason))
                }
                Err(AuthError::InvalidInvitation) => {
                    return pre_login::dead_link(&page, &headers, DeadLink::Invitation);
                }
                Err(error) => return page.error(ApiError::from(error).into()),
            }
        }
    };
    let error = match refusal.transpose() {
        Ok(error) => error,
        Err(error) => return page.error(PageError::internal(error)),
    };
    show(
        &state,
        &page,
        &headers,
        StatusCode::UNPROCESSABLE_ENTITY,
        &invitation,
        Entered {
            token: fields.token,
            name: fields.name,
            error,
        },
    )
    .await
}

/// What the person entered, to show again.
struct Entered {
    token: String,
    name: String,
    error: Option<FormError>,
}

async fn show(
    state: &PortalState,
    page: &PageRequest,
    headers: &HeaderMap,
    status: StatusCode,
    invitation: &Invitation,
    entered: Entered,
) -> Response {
    match describe(state, page, invitation).await {
        Ok((client, role, expires)) => pre_login_page(
            page,
            headers,
            status,
            "account/invitation.html",
            InvitationView {
                email: invitation.email.as_str().to_owned(),
                client,
                role,
                expires,
                token: entered.token,
                name: entered.name,
                error: entered.error,
                password_min: PasswordPolicy::MIN_CHARS,
            },
        ),
        Err(error) => page.error(error),
    }
}

/// The client's name, the role's name and the last day of a pending invitation.
async fn describe(
    state: &PortalState,
    page: &PageRequest,
    invitation: &Invitation,
) -> Result<(Option<String>, String, String), PageError> {
    // Only for a pending invitation of this tenant, proved by its token (see the module docs).
    let system = TenantScope::dangerous_system(invitation.tenant);
    let stores = state.stores();
    let client = match invitation.client {
        Some(id) => stores
            .clients
            .client(&system, id)
            .await
            .map_err(|error| PageError::from(ApiError::from(error)))?
            .map(|client| client.name.as_str().to_owned()),
        None => None,
    };
    let formatter = pre_login::formatter(page);
    let role = stores
        .memberships
        .roles(&system)
        .await
        .map_err(|error| PageError::from(ApiError::from(error)))?
        .into_iter()
        .find(|role| role.id() == invitation.role)
        .map(|role| role_name(&formatter, &role))
        .transpose()
        .map_err(PageError::internal)?
        .unwrap_or_default();
    let expires = formatter
        .date(invitation.expires_at.date())
        .map_err(PageError::internal)?;
    Ok((client, role, expires))
}

/// A built-in role in the reader's language; a tenant's own role by the name it was given.
fn role_name(
    formatter: &Formatter<'_>,
    role: &portal_core::Role,
) -> Result<String, CatalogueError> {
    match role.builtin_role() {
        Some(builtin) => formatter.text(&format!("account-role-{}", builtin.name())),
        None => Ok(role.name().as_str().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use portal_core::{BuiltinRole, Role, RoleId};

    use super::super::super::catalogue::Catalogue;
    use super::super::super::locale::Locale;
    use super::*;

    #[test]
    fn every_built_in_role_has_its_name_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        for locale in Locale::ALL {
            let formatter = Formatter {
                catalogue: &catalogue,
                locale,
            };
            for builtin in BuiltinRole::ALL {
                let role = Role::builtin(RoleId::new(), builtin);
                assert!(!role_name(&formatter, &role).unwrap().is_empty());
            }
        }
    }
}
