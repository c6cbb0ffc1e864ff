//! `staff/people` (`manage_staff`): the team with their roles and assigned clients, inviting a
//! member of staff, changing a member's role or clients. The same store calls as
//! `/memberships` and `/invitations`; role and client changes need a recent sign-in (SEC-20),
//! as the API asks.

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::MembershipRecord;
use portal_core::{ClientId, MembershipId, MembershipKind, Permission, Side};
use serde::{Deserialize, Serialize};

use super::super::form::FormError;
use super::super::page::PageError;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::client::Empty;
use super::invites::{
    self, Act, Choice, INVITE_FIELDS, InvitationItem, InviteFields, choices, role_name,
};
use super::shared::{Alert, Form, after_post, every, id, opens};
use crate::error::ApiError;
use crate::extract::ClientIp;

/// What opens the team page.
const TEAM: &[Permission] = &[Permission::ManageStaff];

/// The team page's path under the base.
const PATH: &str = "/staff/people";

/// A form of the team page shown again with its error.
enum Retry {
    /// Nothing to show again.
    Nothing,
    /// The invitation.
    Invite(Form<InviteFields>),
    /// A button whose act was refused.
    Act(FormError),
}

/// `GET staff/people`.
pub(crate) async fn show(page: SignedPage) -> Response {
    respond(&page, Retry::Nothing, StatusCode::OK).await
}

/// `POST staff/people/invitations`: invites a member of staff and mails the link.
pub(crate) async fn invite(ip: ClientIp, form: PageForm<InviteFields>) -> Response {
    let PageForm { page, fields } = form;
    if let Err(error) = opens(&page, TEAM) {
        return page.fail(error);
    }
    let sent = invites::send(&page, &ip.audit(), None, &fields).await;
    let path = sent.map(|_| PATH.to_owned()).map_err(Failure::from);
    after_post(
        &page,
        path,
        "notice-staff-invitation-sent",
        |error, status| {
            let form = Form::failed("invite", fields.clone(), error, INVITE_FIELDS);
            respond(&page, Retry::Invite(form), status)
        },
    )
    .await
}

/// `POST staff/people/invitations/{id}/resend`.
pub(crate) async fn resend_invitation(
    ip: ClientIp,
    Path(invitation): Path<String>,
    form: PageForm<Empty>,
) -> Response {
    invitation_act(ip, &invitation, form.page, Act::Resend).await
}

/// `POST staff/people/invitations/{id}/revoke`.
pub(crate) async fn revoke_invitation(
    ip: ClientIp,
    Path(invitation): Path<String>,
    form: PageForm<Empty>,
) -> Response {
    invitation_act(ip, &invitation, form.page, Act::Revoke).await
}

/// Resends or revokes a pending invitation to the team.
async fn invitation_act(ip: ClientIp, invitation: &str, page: SignedPage, act: Act) -> Response {
    let done = async {
        opens(&page, TEAM)?;
        invites::act_on(&page, &ip.audit(), None, invitation, act).await
    }
    .await;
    act_done(&page, done, act.notice()).await
}

/// The new role of a member of staff.
#[derive(Debug, Deserialize)]
pub(crate) struct RoleFields {
    #[serde(default)]
    role_id: String,
}

/// `POST staff/people/{membership}/role`: another staff role.
pub(crate) async fn change_role(
    ip: ClientIp,
    Path(membership): Path<String>,
    form: PageForm<RoleFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let page = &page;
    let changed = |member: MembershipId| async move {
        let role = invites::role_id(&fields.role_id)?;
        page.state
            .stores()
            .memberships
            .change_role(&page.scope, member, role, &ip.audit())
            .await?;
        Ok::<_, Failure>(())
    };
    change_member(page, &membership, "notice-staff-role-changed", changed).await
}

/// The clients a member of staff works on.
#[derive(Debug, Deserialize)]
pub(crate) struct ClientsFields {
    #[serde(default)]
    client_ids: Vec<String>,
}

/// `POST staff/people/{membership}/clients`: replaces the clients a member works on.
pub(crate) async fn assign_clients(
    ip: ClientIp,
    Path(membership): Path<String>,
    form: PageForm<ClientsFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let page = &page;
    let assigned = |member: MembershipId| async move {
        let clients = fields
            .client_ids
            .iter()
            .map(|text| {
                text.parse::<ClientId>()
                    .map_err(|error| ApiError::from(error.in_field("client_ids")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        page.state
            .stores()
            .memberships
            .assign_clients(&page.scope, member, clients, &ip.audit())
            .await?;
        Ok::<_, Failure>(())
    };
    change_member(page, &membership, "notice-staff-clients-assigned", assigned).await
}

/// Changes the access of the member of a path with `change`, once the viewer has signed in
/// recently enough (SEC-20; otherwise the password prompt first).
async fn change_member<Change: Future<Output = Result<(), Failure>>>(
    page: &SignedPage,
    membership: &str,
    notice: &'static str,
    change: impl FnOnce(MembershipId) -> Change,
) -> Response {
    let done = async {
        let record = member(page, membership).await?;
        if !recently_signed_in(page) {
            return Ok(false);
        }
        change(record.id).await?;
        Ok(true)
    }
    .await;
    match done {
        Ok(false) => page.confirm_first(PATH),
        Ok(true) => act_done(page, Ok(()), notice).await,
        Err(failure) => act_done(page, Err(failure), "").await,
    }
}

/// Whether the viewer signed in recently enough to change someone's access (SEC-20).
fn recently_signed_in(page: &SignedPage) -> bool {
    page.state
        .sessions()
        .require_recent_authentication(&page.signed_in.authenticated)
        .is_ok()
}

/// The staff membership `text`, for a viewer the team page opens to; anything else is the 404.
async fn member(page: &SignedPage, text: &str) -> Result<MembershipRecord, Failure> {
    opens(page, TEAM)?;
    let wanted: MembershipId = id(text)?;
    staff(page)
        .await?
        .into_iter()
        .find(|record| record.id == wanted)
        .ok_or(Failure::Page(PageError::NotFound))
}

/// The staff memberships the viewer may manage.
async fn staff(page: &SignedPage) -> Result<Vec<MembershipRecord>, Failure> {
    let stores = page.state.stores();
    let all = every(|at| stores.memberships.list_memberships(&page.scope, None, at)).await?;
    Ok(all
        .into_iter()
        .filter(|record| matches!(record.kind, MembershipKind::Staff { .. }))
        .collect())
}

/// Back to the team page with `notice`, or the page again with why the act was refused.
async fn act_done(page: &SignedPage, done: Result<(), Failure>, notice: &'static str) -> Response {
    let path = done.map(|()| PATH.to_owned());
    after_post(page, path, notice, |error, status| {
        respond(page, Retry::Act(error), status)
    })
    .await
}

/// The page's data.
#[derive(Debug, Serialize)]
struct PeopleView {
    alert: Option<Alert>,
    members: Vec<MemberItem>,
    invite: Form<InviteFields>,
    roles: Vec<Choice>,
    invitations: Vec<InvitationItem>,
}

/// A member of staff with their role, their clients and the forms that change them.
#[derive(Debug, Serialize)]
struct MemberItem {
    name: String,
    email: String,
    disabled: bool,
    you: bool,
    role: String,
    roles: Vec<Choice>,
    all_clients: bool,
    assigned: Vec<String>,
    clients: Vec<ClientChoice>,
    path: String,
}

/// A client to tick for a member of staff.
#[derive(Debug, Serialize)]
struct ClientChoice {
    value: String,
    label: String,
    checked: bool,
}

/// The team page, or the answer to why it cannot be shown.
async fn respond(page: &SignedPage, retry: Retry, status: StatusCode) -> Response {
    match render(page, retry, status).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The team page with `retry`'s form shown again, answering `status`.
async fn render(page: &SignedPage, retry: Retry, status: StatusCode) -> Result<Response, Failure> {
    opens(page, TEAM)?;
    let stores = page.state.stores();
    let formatter = page.formatter();
    let base = &page.page.base;
    let roles = stores.memberships.roles(&page.scope).await?;
    let clients = every(|at| stores.clients.list_clients(&page.scope, at)).await?;
    let client_names: HashMap<ClientId, String> = clients
        .iter()
        .map(|client| (client.id, client.name.as_str().to_owned()))
        .collect();

    let mut members = Vec::new();
    for record in staff(page).await? {
        let Some(user) = stores.identities.user(&page.scope, record.user).await? else {
            continue;
        };
        let MembershipKind::Staff { assigned_clients } = &record.kind else {
            continue;
        };
        let all_clients = roles
            .iter()
            .find(|role| role.id() == record.role)
            .is_some_and(|role| role.permissions().contains(Permission::AccessAllClients));
        members.push(MemberItem {
            you: user.id == page.user.id,
            name: user.name.into_string(),
            email: user.email.into_string(),
            disabled: user.disabled,
            role: role_name(&roles, record.role),
            roles: choices(&roles, Side::Staff, &record.role.to_string()),
            all_clients,
            assigned: assigned_clients
                .iter()
                .filter_map(|client| client_names.get(client).cloned())
                .collect(),
            clients: clients
                .iter()
                .map(|client| ClientChoice {
                    value: client.id.to_string(),
                    label: client.name.as_str().to_owned(),
                    checked: assigned_clients.contains(&client.id),
                })
                .collect(),
            path: format!("{base}{PATH}/{}", record.id),
        });
    }
    let mut invitations = Vec::new();
    for invitation in invites::pending(page, None).await? {
        invitations.push(InvitationItem::new(
            &formatter,
            &invitation,
            role_name(&roles, invitation.role),
            &format!("{base}{PATH}/invitations"),
        )?);
    }
    let (invite, act) = match retry {
        Retry::Nothing => (Form::new("invite", InviteFields::default()), None),
        Retry::Invite(form) => (form, None),
        Retry::Act(error) => (Form::new("invite", InviteFields::default()), Some(error)),
    };
    let alert = act
        .map(|error| Alert {
            message: error.message,
            href: None,
        })
        .or_else(|| invite.alert());
    let view = PeopleView {
        alert,
        members,
        roles: choices(&roles, Side::Staff, &invite.values.role_id),
        invite,
        invitations,
    };
    Ok(page.render_status(status, "staff/people.html", view))
}
