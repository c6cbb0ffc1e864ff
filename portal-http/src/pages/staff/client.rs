//! `staff/clients/{id}`: one client — its name and feeding-system id, archiving, offboarding and
//! erasure, its contacts with their client roles (change, remove), inviting a contact, the pending
//! invitations (re-send, revoke) and the form that exports all its data (`client_export`). The
//! same store calls as `/clients`, `/memberships` and `/invitations`, with the viewer's scope: a
//! client the viewer does not reach is the branded 404.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use portal_core::model::{Client, MembershipRecord};
use portal_core::{ClientId, MembershipId, MembershipKind, Permission, Side};
use serde::{Deserialize, Serialize};

use super::super::client::documents::caller::api_caller;
use super::super::form::FormError;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::client_export::ExportForm;
use super::clients::{CLIENT_FIELDS, ClientFields};
use super::invites::{
    self, Act, Choice, INVITE_FIELDS, InvitationItem, InviteFields, choices, role_name,
};
use super::shared::{Alert, CLIENTS, Form, after_post, every, id, may, opens};
use crate::api::staff::clients::{self, found_client};
use crate::extract::ClientIp;

/// A form of the client page shown again with its error.
enum Retry {
    /// Nothing to show again.
    Nothing,
    /// The name and feeding-system id.
    Edit(Form<ClientFields>),
    /// The invitation.
    Invite(Form<InviteFields>),
    /// A button whose act was refused (a role, a removal, an invitation).
    Act(FormError),
}

/// `GET staff/clients/{id}`.
pub(crate) async fn show(page: SignedPage, Path(client): Path<String>) -> Response {
    respond(&page, &client, Retry::Nothing, StatusCode::OK).await
}

/// `POST staff/clients/{id}`: renames the client or changes its feeding-system id.
pub(crate) async fn update(
    ip: ClientIp,
    Path(client): Path<String>,
    form: PageForm<ClientFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let updated = async {
        let id = client_id(&page, &client)?;
        let input = fields.input().map_err(Failure::Api)?;
        let current = found_client(&page.state, &page.scope, id).await?;
        let input = portal_core::model::ClientInput {
            branding: current.branding,
            ..input
        };
        page.state
            .stores()
            .clients
            .update_client(&page.scope, id, input, &ip.audit())
            .await?;
        Ok::<_, Failure>(id)
    }
    .await;
    let path = updated.map(|id| format!("/staff/clients/{id}"));
    after_post(&page, path, "notice-staff-client-saved", |error, status| {
        let form = Form::failed("client-edit", fields.clone(), error, CLIENT_FIELDS);
        respond(&page, &client, Retry::Edit(form), status)
    })
    .await
}

/// `POST staff/clients/{id}/archive`: its contacts lose access.
pub(crate) async fn archive(
    ip: ClientIp,
    Path(client): Path<String>,
    form: PageForm<Empty>,
) -> Response {
    set_archived(ip, client, form.page, true).await
}

/// `POST staff/clients/{id}/restore`.
pub(crate) async fn restore(
    ip: ClientIp,
    Path(client): Path<String>,
    form: PageForm<Empty>,
) -> Response {
    set_archived(ip, client, form.page, false).await
}

/// `POST staff/clients/{id}/offboard`: ends the engagement at once (after the page's
/// confirmation step).
pub(crate) async fn offboard(
    ip: ClientIp,
    Path(client): Path<String>,
    form: PageForm<Empty>,
) -> Response {
    let page = form.page;
    let done = async {
        let id = client_id(&page, &client)?;
        page.state
            .stores()
            .clients
            .offboard_client(&page.scope, id, &ip.audit())
            .await?;
        Ok::<_, Failure>(id)
    }
    .await;
    act_done(&page, &client, done, "notice-staff-client-offboarded").await
}

/// The password prompt leading back to the client page, when the sign-in is too old for a
/// change of access (SEC-20).
fn sign_in_again(page: &SignedPage, id: ClientId) -> Option<Response> {
    page.state
        .sessions()
        .require_recent_authentication(&page.signed_in.authenticated)
        .is_err()
        .then(|| page.confirm_first(&format!("/staff/clients/{id}")))
}

/// The erasure form: the client's name, typed to confirm.
#[derive(Debug, Deserialize)]
pub(crate) struct EraseFields {
    #[serde(default)]
    confirm: String,
}

/// `POST staff/clients/{id}/erase`: erases the personal data of an offboarded client's
/// contacts, once the typed name matches (a recent sign-in, SEC-20, as the API asks).
pub(crate) async fn erase(
    ip: ClientIp,
    Path(client): Path<String>,
    form: PageForm<EraseFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let done = async {
        let id = client_id(&page, &client)?;
        if let Some(confirm) = sign_in_again(&page, id) {
            return Ok(Err(confirm));
        }
        let caller = api_caller(&page);
        clients::erase(&page.state, &caller, &ip, id, &fields.confirm).await?;
        Ok::<_, Failure>(Ok(id))
    }
    .await;
    match done {
        Ok(Err(confirm)) => confirm,
        Ok(Ok(id)) => act_done(&page, &client, Ok(id), "notice-staff-client-erased").await,
        Err(failure) => act_done(&page, &client, Err(failure), "").await,
    }
}

/// A form with nothing but its token.
#[derive(Debug, Deserialize)]
pub(crate) struct Empty {}

/// Archives or restores the client of a path.
async fn set_archived(ip: ClientIp, client: String, page: SignedPage, archived: bool) -> Response {
    let done = async {
        let id = client_id(&page, &client)?;
        page.state
            .stores()
            .clients
            .set_client_archived(&page.scope, id, archived, &ip.audit())
            .await?;
        Ok::<_, Failure>(id)
    }
    .await;
    let notice = if archived {
        "notice-staff-client-archived"
    } else {
        "notice-staff-client-restored"
    };
    act_done(&page, &client, done, notice).await
}

/// `POST staff/clients/{id}/invitations`: invites a contact and mails the link.
pub(crate) async fn invite(
    ip: ClientIp,
    Path(client): Path<String>,
    form: PageForm<InviteFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let sent = async {
        let id = client_id(&page, &client)?;
        invites::send(&page, &ip.audit(), Some(id), &fields).await?;
        Ok::<_, Failure>(id)
    }
    .await;
    let path = sent.map(|id| format!("/staff/clients/{id}"));
    after_post(
        &page,
        path,
        "notice-staff-invitation-sent",
        |error, status| {
            let form = Form::failed("invite", fields.clone(), error, INVITE_FIELDS);
            respond(&page, &client, Retry::Invite(form), status)
        },
    )
    .await
}

/// `POST staff/clients/{id}/invitations/{invitation}/resend`: a new link, mailed again.
pub(crate) async fn resend_invitation(
    ip: ClientIp,
    Path((client, invitation)): Path<(String, String)>,
    form: PageForm<Empty>,
) -> Response {
    invitation_act(ip, &client, &invitation, form.page, Act::Resend).await
}

/// `POST staff/clients/{id}/invitations/{invitation}/revoke`: the link stops working.
pub(crate) async fn revoke_invitation(
    ip: ClientIp,
    Path((client, invitation)): Path<(String, String)>,
    form: PageForm<Empty>,
) -> Response {
    invitation_act(ip, &client, &invitation, form.page, Act::Revoke).await
}

/// Resends or revokes a pending invitation of the client of a path.
async fn invitation_act(
    ip: ClientIp,
    client: &str,
    invitation: &str,
    page: SignedPage,
    act: Act,
) -> Response {
    let done = async {
        let id = client_id(&page, client)?;
        invites::act_on(&page, &ip.audit(), Some(id), invitation, act).await?;
        Ok::<_, Failure>(id)
    }
    .await;
    act_done(&page, client, done, act.notice()).await
}

/// The new role of a contact.
#[derive(Debug, Deserialize)]
pub(crate) struct RoleFields {
    #[serde(default)]
    role_id: String,
}

/// `POST staff/clients/{id}/contacts/{membership}/role`: another client role (a recent
/// sign-in, SEC-20, as the API asks).
pub(crate) async fn change_role(
    ip: ClientIp,
    Path((client, membership)): Path<(String, String)>,
    form: PageForm<RoleFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let done = async {
        let id = client_id(&page, &client)?;
        let record = contact_of(&page, id, &membership).await?;
        if let Some(confirm) = sign_in_again(&page, id) {
            return Ok(Err(confirm));
        }
        let role = invites::role_id(&fields.role_id)?;
        page.state
            .stores()
            .memberships
            .change_role(&page.scope, record.id, role, &ip.audit())
            .await?;
        Ok::<_, Failure>(Ok(id))
    }
    .await;
    match done {
        Ok(Err(confirm)) => confirm,
        Ok(Ok(id)) => act_done(&page, &client, Ok(id), "notice-staff-role-changed").await,
        Err(failure) => act_done(&page, &client, Err(failure), "").await,
    }
}

/// `POST staff/clients/{id}/contacts/{membership}/remove`: the contact leaves the client.
pub(crate) async fn remove_contact(
    ip: ClientIp,
    Path((client, membership)): Path<(String, String)>,
    form: PageForm<Empty>,
) -> Response {
    let page = form.page;
    let done = async {
        let id = client_id(&page, &client)?;
        let record = contact_of(&page, id, &membership).await?;
        page.state
            .stores()
            .memberships
            .remove_membership(&page.scope, record.id, &ip.audit())
            .await?;
        Ok::<_, Failure>(id)
    }
    .await;
    act_done(&page, &client, done, "notice-staff-contact-removed").await
}

/// The client of a path, for a viewer the client section opens to.
pub(super) fn client_id(page: &SignedPage, text: &str) -> Result<ClientId, Failure> {
    opens(page, CLIENTS)?;
    Ok(id(text)?)
}

/// The contact membership `text` of `client` the viewer may manage, or the 404 — a staff
/// membership or another client's contact is not found here, like an unknown id.
async fn contact_of(
    page: &SignedPage,
    client: ClientId,
    text: &str,
) -> Result<MembershipRecord, Failure> {
    let wanted: MembershipId = id(text)?;
    contacts(page, client)
        .await?
        .into_iter()
        .find(|record| record.id == wanted)
        .ok_or(Failure::Page(super::super::page::PageError::NotFound))
}

/// The contact memberships of `client` the viewer may manage.
async fn contacts(page: &SignedPage, client: ClientId) -> Result<Vec<MembershipRecord>, Failure> {
    let stores = page.state.stores();
    let all = every(|at| {
        stores
            .memberships
            .list_memberships(&page.scope, Some(client), at)
    })
    .await?;
    Ok(all
        .into_iter()
        .filter(
            |record| matches!(record.kind, MembershipKind::Contact { client: of } if of == client),
        )
        .collect())
}

/// After a button's act: back to the client page with `notice`, or the page again with why the
/// act was refused.
async fn act_done(
    page: &SignedPage,
    client: &str,
    done: Result<ClientId, Failure>,
    notice: &'static str,
) -> Response {
    let path = done.map(|id| format!("/staff/clients/{id}"));
    after_post(page, path, notice, |error, status| {
        respond(page, client, Retry::Act(error), status)
    })
    .await
}

/// The page's data.
#[derive(Debug, Serialize)]
struct ClientView {
    alert: Option<Alert>,
    name: String,
    archived: bool,
    offboarded: bool,
    erased: bool,
    /// Whether the viewer may offboard the client now.
    offboard: bool,
    /// Whether the viewer may erase the client's personal data now.
    erase: bool,
    external_id: Option<String>,
    path: String,
    projects_href: String,
    edit: Option<Form<ClientFields>>,
    contacts: Vec<ContactItem>,
    invite: Option<Form<InviteFields>>,
    roles: Vec<Choice>,
    invitations: Vec<InvitationItem>,
    export: Option<ExportForm>,
}

/// A contact with their role and the forms that change it.
#[derive(Debug, Serialize)]
struct ContactItem {
    name: String,
    email: String,
    disabled: bool,
    role: String,
    roles: Vec<Choice>,
    path: String,
}

/// The client page, or the answer to why it cannot be shown.
async fn respond(page: &SignedPage, client: &str, retry: Retry, status: StatusCode) -> Response {
    match render(page, client, retry, status).await {
        Ok(response) => response,
        Err(failure) => page.fail(failure),
    }
}

/// The client page with `retry`'s form shown again, answering `status`.
async fn render(
    page: &SignedPage,
    client: &str,
    retry: Retry,
    status: StatusCode,
) -> Result<Response, Failure> {
    let id = client_id(page, client)?;
    let found: Client = found_client(&page.state, &page.scope, id).await?;
    let manages = may(&page.scope, id, Permission::ManageClients);
    let base = &page.page.base;
    let path = format!("{base}/staff/clients/{id}");
    let formatter = page.formatter();
    let stores = page.state.stores();

    let roles = stores.memberships.roles(&page.scope).await?;
    let mut contact_items = Vec::new();
    for record in contacts(page, id).await? {
        let Some(user) = stores.identities.user(&page.scope, record.user).await? else {
            continue;
        };
        let current = record.role.to_string();
        contact_items.push(ContactItem {
            name: user.name.into_string(),
            email: user.email.into_string(),
            disabled: user.disabled,
            role: role_name(&roles, record.role),
            roles: choices(&roles, Side::Client, &current),
            path: format!("{path}/contacts/{}", record.id),
        });
    }
    let mut invitations = Vec::new();
    if manages {
        for invitation in invites::pending(page, Some(id)).await? {
            invitations.push(InvitationItem::new(
                &formatter,
                &invitation,
                role_name(&roles, invitation.role),
                &format!("{path}/invitations"),
            )?);
        }
    }

    let (mut edit, mut invite, mut act) = (None, None, None);
    match retry {
        Retry::Nothing => {}
        Retry::Edit(form) => edit = Some(form),
        Retry::Invite(form) => invite = Some(form),
        Retry::Act(error) => act = Some(error),
    }
    let edit = manages.then(|| {
        edit.unwrap_or_else(|| {
            Form::new(
                "client-edit",
                ClientFields {
                    name: found.name.as_str().to_owned(),
                    external_id: found.external_id.clone().unwrap_or_default(),
                },
            )
        })
    });
    let invite =
        manages.then(|| invite.unwrap_or_else(|| Form::new("invite", InviteFields::default())));
    let chosen = invite
        .as_ref()
        .map(|form| form.values.role_id.clone())
        .unwrap_or_default();
    let alert = act
        .map(|error| Alert {
            message: error.message,
            href: None,
        })
        .or_else(|| edit.as_ref().and_then(Form::alert))
        .or_else(|| invite.as_ref().and_then(Form::alert));
    let view = ClientView {
        alert,
        name: found.name.into_string(),
        archived: found.archived,
        offboarded: found.offboarded_at.is_some(),
        erased: found.erased_at.is_some(),
        offboard: found.offboarded_at.is_none()
            && may(&page.scope, id, Permission::OffboardClients),
        erase: found.offboarded_at.is_some()
            && found.erased_at.is_none()
            && may(&page.scope, id, Permission::EraseClientData),
        external_id: found.external_id,
        projects_href: format!("{base}/staff/projects?client={id}"),
        edit,
        contacts: contact_items,
        roles: if manages {
            choices(&roles, Side::Client, &chosen)
        } else {
            Vec::new()
        },
        invite,
        invitations,
        export: ExportForm::of(page, id, &path),
        path,
    };
    Ok(page.render_status(status, "staff/client.html", view))
}
