//! "View as client": staff with `view_as_client` see the portal as a client's contact in one
//! client role would, read-only, audited, under a banner.
//!
//! `POST admin/preview` starts a preview: it records `client_preview.started` in the audit log
//! and hands the browser a ticket cookie (`HttpOnly`, `SameSite=Strict`, `__Host-` when cookies
//! are secure) naming the client and the role, with an HMAC-SHA-256 over both keyed by the
//! session token. [`apply`] checks the ticket on every signed-in page: a ticket of another
//! session, a forged one, a role or client that no longer fits, or a viewer who lost
//! `view_as_client` — each is simply no preview. The page then works with
//! [`TenantScope::preview_as_client`], which the stores refuse every write. `POST
//! admin/preview/end` (the banner's button) ends it.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum_extra::extract::CookieJar;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use portal_core::model::{NewAuditEvent, ObjectRef};
use portal_core::{ClientId, Permission, Principal, Role, RoleId, Side, TenantScope};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use super::super::Pages;
use super::super::catalogue::CatalogueError;
use super::super::form::FormError;
use super::super::format::Formatter;
use super::super::page::{PageError, PageRequest, PreviewBanner};
use super::super::session::SignedIn;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::names::{clients, role_name};
use super::{NoFields, may_use, require};
use crate::cookies;
use crate::extract::ClientIp;
use crate::state::PortalState;

const PATH: &str = "/admin/preview";
const TEMPLATE: &str = "admin/preview.html";

/// The audit action of a started preview; its object is the client, its details the role.
pub(crate) const PREVIEW_STARTED: &str = "client_preview.started";
/// The audit action of a preview ended by its viewer.
pub(crate) const PREVIEW_ENDED: &str = "client_preview.ended";

/// Separates the ticket's MAC from any other use of the session token.
const LABEL: &[u8] = b"portal client preview v1\0";

/// The ticket cookie's name.
const fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-portal_preview"
    } else {
        "portal_preview"
    }
}

/// The preview a signed-in request asks for, if any: its read-only scope and its banner.
pub(crate) async fn apply(
    state: &PortalState,
    page: &PageRequest,
    signed_in: &SignedIn,
    headers: &HeaderMap,
) -> Result<Option<(TenantScope, PreviewBanner)>, PageError> {
    let jar = CookieJar::from_headers(headers);
    let Some(cookie) = jar.get(cookie_name(page.pages.secure_cookies)) else {
        return Ok(None);
    };
    let Some((client, role)) = Ticket::open(&signed_in.token, cookie.value()) else {
        return Ok(None);
    };
    let own = &signed_in.authenticated.scope;
    if !may_use(own, Permission::ViewAsClient) {
        return Ok(None);
    }
    let Some((scope, client_name, role)) = previewed(state, own, client, role)
        .await
        .map_err(PageError::internal)?
    else {
        return Ok(None);
    };
    let formatter = Formatter {
        catalogue: &page.pages.catalogue,
        locale: page.locale,
    };
    let banner = PreviewBanner {
        client: client_name,
        role: role_name(&formatter, &role).map_err(PageError::internal)?,
    };
    Ok(Some((scope, banner)))
}

/// The preview scope of `client` in `role` for `own`, with the client's name and the role, when
/// all of it still holds; `None` when anything does not fit.
async fn previewed(
    state: &PortalState,
    own: &TenantScope,
    client: ClientId,
    role: RoleId,
) -> Result<Option<(TenantScope, String, Role)>, portal_storage::StoreError> {
    let stores = state.stores();
    let Some(role) = stores
        .memberships
        .roles(own)
        .await?
        .into_iter()
        .find(|candidate| candidate.id() == role && candidate.side() == Side::Client)
    else {
        return Ok(None);
    };
    let Some(client) = stores.clients.client(own, client).await? else {
        return Ok(None);
    };
    if client.archived {
        return Ok(None);
    }
    Ok(own
        .preview_as_client(client.id, role.permissions())
        .ok()
        .map(|scope| (scope, client.name.as_str().to_owned(), role)))
}

/// The preview ticket's MAC could not be made.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the preview ticket could not be signed")]
struct MacFailed;

/// The ticket cookie's value: `<client>.<role>.<mac>`.
struct Ticket;

impl Ticket {
    /// A ticket for `client` and `role`, bound to the session `token`.
    fn issue(token: &str, client: ClientId, role: RoleId) -> Option<String> {
        let body = format!("{client}.{role}");
        let mac = URL_SAFE_NO_PAD.encode(mac(token, &body)?);
        Some(format!("{body}.{mac}"))
    }

    /// The client and role of a ticket, when its MAC is this session's.
    fn open(token: &str, value: &str) -> Option<(ClientId, RoleId)> {
        let (body, presented) = value.rsplit_once('.')?;
        let (client, role) = body.split_once('.')?;
        let client = ClientId::parse(client).ok()?;
        let role = RoleId::parse(role).ok()?;
        let presented = URL_SAFE_NO_PAD.decode(presented).ok()?;
        let expected = mac(token, &format!("{client}.{role}"))?;
        bool::from(expected.as_slice().ct_eq(presented.as_slice())).then_some((client, role))
    }
}

/// HMAC-SHA-256 (RFC 2104) of the labelled `body`, keyed by the session `token`.
fn mac(token: &str, body: &str) -> Option<[u8; 32]> {
    let mut message = LABEL.to_vec();
    message.extend_from_slice(body.as_bytes());
    hmac_sha256(token.as_bytes(), &message)
}

/// HMAC-SHA-256 (RFC 2104); `None` only if the MAC could not be keyed (HMAC takes keys of any
/// length, so never in practice — but a failure must never yield a MAC anyone could guess).
pub(super) fn hmac_sha256(key: &[u8], message: &[u8]) -> Option<[u8; 32]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(message);
    Some(mac.finalize().into_bytes().into())
}

/// The `Set-Cookie` of a ticket (an empty `value` ends it).
fn ticket_cookie(pages: &Pages, value: &str) -> String {
    let secure = pages.secure_cookies;
    let ending = if value.is_empty() { "; Max-Age=0" } else { "" };
    let flags = if secure { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict{ending}{flags}",
        cookie_name(secure)
    )
}

/// The start form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct StartFields {
    client: String,
    role: String,
}

#[derive(Debug, Serialize)]
struct PreviewPage {
    clients: Vec<Choice>,
    roles: Vec<Choice>,
    error: Option<FormError>,
}

#[derive(Debug, Serialize)]
struct Choice {
    id: String,
    name: String,
    selected: bool,
}

/// `GET admin/preview`: choose a client and a client role.
pub(crate) async fn show(page: SignedPage) -> Response {
    let result = render(&page, StatusCode::OK, &StartFields::default(), None).await;
    super::answer(&page, result)
}

async fn render(
    page: &SignedPage,
    status: StatusCode,
    chosen: &StartFields,
    error: Option<FormError>,
) -> Result<Response, Failure> {
    require(page, Permission::ViewAsClient)?;
    let formatter = page.formatter();
    let clients = clients(&page.state, &page.scope)
        .await?
        .into_iter()
        .filter(|client| {
            !client.archived
                && page
                    .scope
                    .permissions_in(Some(client.id))
                    .contains(Permission::ViewAsClient)
        })
        .map(|client| Choice {
            selected: chosen.client == client.id.to_string(),
            id: client.id.to_string(),
            name: client.name.as_str().to_owned(),
        })
        .collect();
    let roles = client_roles(page)
        .await?
        .iter()
        .map(|role| {
            Ok(Choice {
                selected: chosen.role == role.id().to_string(),
                id: role.id().to_string(),
                name: role_name(&formatter, role)?,
            })
        })
        .collect::<Result<Vec<_>, CatalogueError>>()?;
    let view = PreviewPage {
        clients,
        roles,
        error,
    };
    Ok(page.render_status(status, TEMPLATE, view))
}

async fn client_roles(page: &SignedPage) -> Result<Vec<Role>, Failure> {
    Ok(page
        .state
        .stores()
        .memberships
        .roles(&page.scope)
        .await?
        .into_iter()
        .filter(|role| role.side() == Side::Client)
        .collect())
}

/// `POST admin/preview`: starts a preview and shows the overview as the client would see it.
pub(crate) async fn start(ip: ClientIp, form: PageForm<StartFields>) -> Response {
    let PageForm { page, fields } = form;
    let result = start_preview(&page, ip, &fields).await;
    super::answer(&page, result)
}

async fn start_preview(
    page: &SignedPage,
    ip: ClientIp,
    fields: &StartFields,
) -> Result<Response, Failure> {
    require(page, Permission::ViewAsClient)?;
    let formatter = page.formatter();
    let missing = |field: &str, id: &str| FormError::new(&formatter, Some(field), id, &[]);
    let error = if fields.client.trim().is_empty() {
        Some(missing("client", "admin-preview-choose-client")?)
    } else if fields.role.trim().is_empty() {
        Some(missing("role", "admin-preview-choose-role")?)
    } else {
        None
    };
    if error.is_some() {
        return render(page, StatusCode::UNPROCESSABLE_ENTITY, fields, error).await;
    }
    // Anything not of this tenant, not reached, or not a client role is the branded 404.
    let client: ClientId = super::path_id(&fields.client)?;
    let role: RoleId = super::path_id(&fields.role)?;
    let Some((_, client_name, role)) = previewed(&page.state, &page.scope, client, role).await?
    else {
        return Err(PageError::NotFound.into());
    };
    let event = NewAuditEvent::by(
        &page.scope,
        PREVIEW_STARTED,
        Some(ObjectRef {
            kind: "client".to_owned(),
            id: *client.as_uuid(),
        }),
    )
    .with_details(json!({
        "client": client,
        "client_name": client_name,
        "role": role.id(),
        "role_name": role.name().as_str(),
    }));
    page.state
        .stores()
        .audit
        .append(&page.scope, event, &ip.audit())
        .await?;
    let ticket = Ticket::issue(&page.signed_in.token, client, role.id())
        .ok_or_else(|| PageError::internal(MacFailed))?;
    let mut response = page.redirect_with_notice("/", "notice-admin-preview-started");
    cookies::append_set_cookie(&mut response, &ticket_cookie(&page.page.pages, &ticket));
    Ok(response)
}

/// `POST admin/preview/end`: ends the preview (recorded when one was running) and goes back to
/// the preview's start page, or to the overview for someone who may not start one.
pub(crate) async fn end(ip: ClientIp, form: PageForm<NoFields>) -> Response {
    let page = form.page;
    let result = end_preview(&page, ip).await;
    super::answer(&page, result)
}

async fn end_preview(page: &SignedPage, ip: ClientIp) -> Result<Response, Failure> {
    let own = &page.signed_in.authenticated.scope;
    if let Principal::ClientPreview { client, .. } = page.scope.principal() {
        let event = NewAuditEvent::by(
            own,
            PREVIEW_ENDED,
            Some(ObjectRef {
                kind: "client".to_owned(),
                id: *client.as_uuid(),
            }),
        );
        page.state
            .stores()
            .audit
            .append(own, event, &ip.audit())
            .await?;
    }
    let mut response = if may_use(own, Permission::ViewAsClient) {
        page.redirect_with_notice(PATH, "notice-admin-preview-ended")
    } else {
        page.redirect("/")
    };
    cookies::append_set_cookie(&mut response, &ticket_cookie(&page.page.pages, ""));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?").unwrap();
        let hex: String = mac.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let long_key = [0xaa_u8; 131];
        let mac = hmac_sha256(
            &long_key,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        )
        .unwrap();
        let hex: String = mac.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(
            hex,
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_ticket_opens_only_for_its_own_session_and_content() {
        let (client, role) = (ClientId::new(), RoleId::new());
        let ticket = Ticket::issue("session-a", client, role).unwrap();
        assert_eq!(Ticket::open("session-a", &ticket), Some((client, role)));
        assert_eq!(Ticket::open("session-b", &ticket), None);
        let other = ClientId::new();
        let forged = ticket.replacen(&client.to_string(), &other.to_string(), 1);
        assert_eq!(Ticket::open("session-a", &forged), None);
        assert_eq!(Ticket::open("session-a", "garbage"), None);
        assert_eq!(Ticket::open("session-a", ""), None);
    }

    #[test]
    fn the_cookie_is_host_only_http_only_and_strict() {
        let pages = Pages::new(&crate::config::HttpConfig::default()).unwrap();
        assert_eq!(
            ticket_cookie(&pages, "v"),
            "__Host-portal_preview=v; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            ticket_cookie(&pages, ""),
            "__Host-portal_preview=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
        );
        assert_eq!(cookie_name(false), "portal_preview");
    }
}
