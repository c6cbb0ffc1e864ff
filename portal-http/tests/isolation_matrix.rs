//! The isolation matrix (SEC-25, SEC-26, SEC-27): every operation of the OpenAPI document ×
//! every kind of caller × {A1's object, A2's object, globex's object, a missing id}.
//!
//! The callers: anonymous; acme's staff (owner, admin, manager, a member assigned to A1, a
//! member assigned to none); A1's contacts of every client role and a contact of A2; a disabled
//! member of staff's old session; globex's owner and a globex contact; an API key of acme made
//! by its owner with a manager's permissions, and one of globex; the host product's login
//! (`HostIdentity`) mapped to A1's approver, and to the globex contact; A1's client admin
//! through acme's custom domain. Globex's callers call `/acme/…`, acme's custom domain and
//! their own `/globex/…`, always claiming acme in an `X-Tenant-ID` header that must change
//! nothing.
//!
//! The rules, checked on every cell:
//! - anonymous → 401, except on the public routes (`PUBLIC`);
//! - a disabled user's old session → 401, except on the public routes (SEC-19);
//! - a globex session, API key or host login sent to acme — by path or by acme's custom
//!   domain → 401: a credential only opens its own tenant (SEC-27);
//! - a client contact (by session, by the host's login, or through the custom domain) on a
//!   `staff`-tagged route → 403, whatever the ids: `StaffCaller` refuses contacts before the
//!   route runs, so the answer cannot depend on the object (SEC-25);
//! - an API key or a host login on an account act (`SESSION_ONLY`) → 403: those need a person's
//!   session;
//! - a caller with a twin — the same person reached another way (the host's login, the custom
//!   domain), or an API key and the member of staff holding exactly its permissions — answers
//!   every read with the twin's status (through the custom domain, with the twin's body too),
//!   account acts aside, and is refused wherever the twin gets 403: a key does no more than
//!   its permissions, a domain or a host login no more than the path and the session;
//! - an object the caller may not see (another tenant's, another client's, for a member of
//!   staff a client — or a contact of a client — they are not assigned to, or a change to a
//!   person for one who may not manage people)
//!   answers byte-for-byte like a missing id, with 404 — or 403 when the caller may not use the
//!   route at all, which the missing id answers too (SEC-26);
//! - no answer to a globex caller holds an acme canary, none to a contact of A2 holds A1's,
//!   none to a contact holds an internal canary, none to a member of staff holds a canary of a
//!   client they are not assigned to, none to anonymous or a disabled user holds any (SEC-27);
//!   the response headers are searched like the bodies, and those of a refused request or of
//!   an object the caller may not see hold no canary at all;
//! - after every refused request (status ≥ 400) both tenants' audit chains hold the same
//!   successful events as before: every write appends one in its transaction. Only `success`
//!   events count, so recorded refusals (failed logins, `authz.denied` events) do not look like
//!   changes;
//! - no mail to globex or to another client's contact, and no outbox row (webhooks and
//!   notifications) of the other tenant, holds a canary;
//! - nothing answers 5xx.
//!
//! Each operation runs against a fresh world, so permitted writes of one row cannot disturb
//! another; within a row the callers go from those refused everything to the most powerful,
//! each twin just before the caller it stands for.
//! A row's proof (a permitted caller on A1's object gets the documented 2xx) runs first — last
//! where the act locks callers out — and shows the row's path and body are valid, so the
//! refusals are not just 422s.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, header};
use portal_core::model::{AuditContext, AuditOutcome};
use portal_core::{BuiltinRole, DisplayName, TenantId, TenantScope};
use portal_storage::{AuditFilter, Page};
use serde_json::{Value, json};
use support::client_work::{self, person};
use support::host::{HOST_USER, HeaderIdentity};
use support::staff_api::role_id;
use support::{PASSWORD, Portal, Reply};
use uuid::Uuid;

/// Cells known to fail today. Each entry is `"METHOD /path/template"`; its failures are printed
/// instead of failing the test, and an entry that no longer fails fails the test so it is
/// removed. Every entry is a bug to fix, not an accepted behaviour.
const KNOWN_GAPS: &[&str] = &[];

/// Routes anyone may call: logging in and its relatives, and the API's own description.
const PUBLIC: &[&str] = &[
    "POST /auth/invitation",
    "POST /auth/invitation/accept",
    "POST /auth/login",
    "POST /auth/logout",
    "POST /auth/magic-link",
    "POST /auth/magic-link/redeem",
    "POST /auth/mfa",
    "POST /auth/reset",
    "POST /auth/reset/complete",
    "GET /openapi.json",
    "OPTIONS /uploads",
];

/// Acts for a person at a keyboard: their sessions, second factor and password, making API
/// keys, and signing an approval. An API key or the host's login gets 403 here.
const SESSION_ONLY: &[&str] = &[
    "GET /me/sessions",
    "DELETE /me/sessions/{id}",
    "GET /me/mfa",
    "POST /me/mfa/totp",
    "DELETE /me/mfa/totp",
    "POST /me/mfa/totp/confirm",
    "POST /me/mfa/recovery-codes",
    "POST /me/password",
    "POST /api-keys",
    "POST /approvals/{approval_id}/decision",
];

/// Acme's custom domain: the whole path is acme's there.
const ACME_DOMAIN: &str = "portal.acme-matrix.example";

/// Where a request is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Via {
    /// `/acme/api/v1/…` on the shared host.
    Acme,
    /// `/api/v1/…` on acme's custom domain.
    AcmeDomain,
    /// `/globex/api/v1/…` on the shared host.
    Globex,
}

impl Via {
    const fn tenant(self) -> &'static str {
        match self {
            Self::Acme | Self::AcmeDomain => "acme",
            Self::Globex => "globex",
        }
    }

    fn of(slug: &str) -> Self {
        match slug {
            "acme" => Self::Acme,
            "globex" => Self::Globex,
            other => panic!("no tenant {other}"),
        }
    }

    /// The request's `Host` and the path of its API.
    const fn address(self) -> (&'static str, &'static str) {
        match self {
            Self::Acme => ("portal.example.com", "/acme/api/v1"),
            Self::AcmeDomain => (ACME_DOMAIN, "/api/v1"),
            Self::Globex => ("portal.example.com", "/globex/api/v1"),
        }
    }
}

/// How a caller proves who it is.
#[derive(Debug, Clone, Copy)]
enum Login {
    None,
    /// A session, from logging in with the user's password through `Via`.
    Password(&'static str, Via),
    /// An API key the tenant's owner made with a manager's permissions.
    ApiKey(Via),
    /// The host product's own login, naming this user.
    Host(&'static str),
}

/// What a request carries to authenticate.
#[derive(Debug, Clone)]
enum Credential {
    Cookie(String),
    Bearer(String),
    HostUser(&'static str),
}

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    Owner,
    Admin,
    Manager,
    /// A member of staff assigned to A1 only.
    MemberA1,
    /// A member of staff assigned to no client.
    MemberNone,
    ClientAdmin,
    Approver,
    Finance,
    Viewer,
    /// A contact of A2.
    ContactA2,
    /// A member of staff whose session was opened before they were disabled.
    Disabled,
    GlobexOwner,
    GlobexContact,
    /// An API key of acme, made by its owner with the manager role's permissions.
    AcmeKey,
    /// An API key of globex, made by its owner with the manager role's permissions.
    GlobexKey,
    /// The host's login, mapped to A1's approver.
    HostApprover,
    /// The host's login, mapped to the globex contact.
    HostGlobexContact,
    /// A1's client admin, logged in and calling through acme's custom domain.
    DomainClientAdmin,
}

impl Who {
    const ALL: [Self; 19] = [
        Self::Anonymous,
        Self::Owner,
        Self::Admin,
        Self::Manager,
        Self::MemberA1,
        Self::MemberNone,
        Self::ClientAdmin,
        Self::Approver,
        Self::Finance,
        Self::Viewer,
        Self::ContactA2,
        Self::Disabled,
        Self::GlobexOwner,
        Self::GlobexContact,
        Self::AcmeKey,
        Self::GlobexKey,
        Self::HostApprover,
        Self::HostGlobexContact,
        Self::DomainClientAdmin,
    ];

    /// The callers in the matrix's order: those who should be refused everything first, then
    /// the ones whose permitted writes change the world, the most powerful last. Globex's
    /// contacts come before globex's key and owner, whose writes on globex (archiving its
    /// client) would end their access there. A twin comes just before the caller it stands
    /// for, so that the caller's own writes cannot be why the twin was refused.
    const REFUSED_FIRST: [Self; 19] = [
        Self::Anonymous,
        Self::Disabled,
        Self::GlobexContact,
        Self::HostGlobexContact,
        Self::GlobexKey,
        Self::GlobexOwner,
        Self::ContactA2,
        Self::Viewer,
        Self::Finance,
        Self::Approver,
        Self::HostApprover,
        Self::ClientAdmin,
        Self::DomainClientAdmin,
        Self::MemberNone,
        Self::MemberA1,
        Self::Manager,
        Self::AcmeKey,
        Self::Admin,
        Self::Owner,
    ];

    const fn login(self) -> Login {
        match self {
            Self::Anonymous => Login::None,
            Self::Owner => Login::Password("ada@acme.test", Via::Acme),
            Self::Admin => Login::Password("admin@acme.test", Via::Acme),
            Self::Manager => Login::Password("manager@acme.test", Via::Acme),
            Self::MemberA1 => Login::Password("member-a@acme.test", Via::Acme),
            Self::MemberNone => Login::Password("member@acme.test", Via::Acme),
            Self::ClientAdmin => Login::Password("client_admin@acme-a.test", Via::Acme),
            Self::Approver => Login::Password("approver@acme-a.test", Via::Acme),
            Self::Finance => Login::Password("finance@acme-a.test", Via::Acme),
            Self::Viewer => Login::Password("viewer@acme-a.test", Via::Acme),
            Self::ContactA2 => Login::Password("client_admin@acme-b.test", Via::Acme),
            Self::Disabled => Login::Password("disabled@acme.test", Via::Acme),
            Self::GlobexOwner => Login::Password("gil@globex.test", Via::Globex),
            Self::GlobexContact => Login::Password("client_admin@globex-g.test", Via::Globex),
            Self::AcmeKey => Login::ApiKey(Via::Acme),
            Self::GlobexKey => Login::ApiKey(Via::Globex),
            Self::HostApprover => Login::Host("approver@acme-a.test"),
            Self::HostGlobexContact => Login::Host("client_admin@globex-g.test"),
            Self::DomainClientAdmin => Login::Password("client_admin@acme-a.test", Via::AcmeDomain),
        }
    }

    /// The email a row's proof logs in with (through acme's path).
    const fn email(self) -> Option<&'static str> {
        match self.login() {
            Login::Password(email, _) => Some(email),
            Login::None | Login::ApiKey(_) | Login::Host(_) => None,
        }
    }

    /// Where the caller sends its requests: globex's callers try acme both ways, then globex.
    const fn vias(self) -> &'static [Via] {
        if self.is_globex() {
            &[Via::Acme, Via::AcmeDomain, Via::Globex]
        } else if matches!(self, Self::DomainClientAdmin) {
            &[Via::AcmeDomain]
        } else {
            &[Via::Acme]
        }
    }

    const fn is_globex(self) -> bool {
        matches!(
            self,
            Self::GlobexOwner | Self::GlobexContact | Self::GlobexKey | Self::HostGlobexContact
        )
    }

    const fn is_contact(self) -> bool {
        matches!(
            self,
            Self::ClientAdmin
                | Self::Approver
                | Self::Finance
                | Self::Viewer
                | Self::ContactA2
                | Self::GlobexContact
                | Self::HostApprover
                | Self::HostGlobexContact
                | Self::DomainClientAdmin
        )
    }

    /// Whether the caller acts through a person's session (not a key or the host's login).
    const fn has_session(self) -> bool {
        matches!(self.login(), Login::Password(..))
    }

    /// The caller that must answer as this one does: the same person reached another way, or
    /// for acme's key the member of staff holding exactly its permissions.
    const fn twin(self) -> Option<Self> {
        match self {
            Self::HostApprover => Some(Self::Approver),
            Self::HostGlobexContact => Some(Self::GlobexContact),
            Self::DomainClientAdmin => Some(Self::ClientAdmin),
            Self::AcmeKey => Some(Self::Manager),
            _ => None,
        }
    }

    /// Text that must never reach this caller.
    fn forbidden(self) -> Vec<&'static str> {
        if matches!(self, Self::Anonymous | Self::Disabled) {
            return vec!["canary"];
        }
        let mut never = if self.is_globex() {
            vec!["canary-acme", "canary-internal-acme"]
        } else {
            vec!["canary-globex", "canary-internal-globex"]
        };
        never.extend(match self {
            Self::ClientAdmin
            | Self::DomainClientAdmin
            | Self::Approver
            | Self::HostApprover
            | Self::Finance
            | Self::Viewer => {
                vec!["canary-acme-b", "canary-internal"]
            }
            Self::ContactA2 => vec!["canary-acme-a", "canary-internal"],
            Self::GlobexContact | Self::HostGlobexContact => vec!["canary-internal"],
            Self::MemberA1 => vec!["canary-acme-b", "canary-internal-acme-b"],
            Self::MemberNone => vec![
                "canary-acme-a",
                "canary-acme-b",
                "canary-internal-acme-a",
                "canary-internal-acme-b",
            ],
            _ => Vec::new(),
        });
        never
    }
}

/// Which object a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    /// The route names no object.
    None,
    A1,
    A2,
    Globex,
    Missing,
}

/// How a row's objects are seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// No object in the path or body.
    None,
    /// A client's object: seen by staff with access to that client and by its contacts.
    Client,
    /// A tenant's object: seen (as far as permissions go) by everyone of the tenant.
    Tenant,
    /// Someone else's session: seen by nobody here.
    Nobody,
    /// A list filtered by a client's object: like `Client`, but an unseen filter may also
    /// answer the same empty page as a missing id does.
    Filter,
    /// A change to people (a contact of the client, their membership or invitation): seen only
    /// by staff who may manage that client's people; to anyone else an existing id answers
    /// like a missing one.
    People,
    /// A contact of the client, read: seen by the staff who reach that client, like the
    /// client's objects; a member of staff reaching another client answers as for a missing id.
    Contact,
}

/// The ids of one target's objects, as the API writes them.
#[derive(Debug, Clone)]
struct Ids {
    client: String,
    project: String,
    milestone: String,
    deliverable: String,
    document: String,
    version: String,
    approval: String,
    update: String,
    decision: String,
    task: String,
    request: String,
    invoice: String,
    /// A contact of the client who is not one of the callers.
    user: String,
    membership: String,
    invitation: String,
    share_link: String,
    api_key: String,
    role: String,
    viewer_role: String,
    domain: String,
    session: String,
    webhook: String,
    delivery: String,
    /// A resumable upload begun by a contact of the client who is not one of the callers.
    upload: String,
}

impl Ids {
    fn missing() -> Self {
        let id = || Uuid::new_v4().to_string();
        Self {
            client: id(),
            project: id(),
            milestone: id(),
            deliverable: id(),
            document: id(),
            version: id(),
            approval: id(),
            update: id(),
            decision: id(),
            task: id(),
            request: id(),
            invoice: id(),
            user: id(),
            membership: id(),
            invitation: id(),
            share_link: id(),
            api_key: id(),
            role: id(),
            viewer_role: id(),
            domain: "missing.example".into(),
            session: format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple()),
            webhook: id(),
            delivery: id(),
            upload: Uuid::new_v4().simple().to_string(),
        }
    }

    fn all(&self) -> [&str; 24] {
        [
            &self.client,
            &self.project,
            &self.milestone,
            &self.deliverable,
            &self.document,
            &self.version,
            &self.approval,
            &self.update,
            &self.decision,
            &self.task,
            &self.request,
            &self.invoice,
            &self.user,
            &self.membership,
            &self.invitation,
            &self.share_link,
            &self.api_key,
            &self.role,
            &self.viewer_role,
            &self.domain,
            &self.session,
            &self.webhook,
            &self.delivery,
            &self.upload,
        ]
    }
}

/// What a request carries.
enum Payload {
    None,
    Json(Value),
    /// A small valid PDF, streamed as `application/octet-stream`.
    Upload,
    /// A sync batch: JSON under a fresh `Idempotency-Key`.
    Sync(Value),
    /// A resumable upload's request: its tus headers and body.
    Tus(Vec<(&'static str, String)>, Vec<u8>),
}

/// Who proves a row valid, and with which status.
#[derive(Debug, Clone, Copy)]
enum Proof {
    /// This caller gets the lowest 2xx the document lists.
    Documented(Who),
    /// This caller gets exactly this status (the act needs a state the world lacks).
    Status(Who, u16),
    /// Like `Documented`, but after the matrix: the act would lock callers out.
    Last(Who),
}

/// One operation of the API and how to fill it.
struct Row {
    method: Method,
    /// The template as the OpenAPI document writes it, without `/api/v1`.
    template: &'static str,
    reach: Reach,
    /// The path (with its query) and body for one target's ids.
    build: fn(&Ids) -> (String, Payload),
    ok: Proof,
}

impl Row {
    fn key(&self) -> String {
        format!("{} {}", self.method, self.template)
    }
}

fn row(
    method: Method,
    template: &'static str,
    reach: Reach,
    build: fn(&Ids) -> (String, Payload),
    ok: Proof,
) -> Row {
    Row {
        method,
        template,
        reach,
        build,
        ok,
    }
}

fn get(path: String) -> (String, Payload) {
    (path, Payload::None)
}

fn body(path: String, json: Value) -> (String, Payload) {
    (path, Payload::Json(json))
}

fn branding_body() -> Value {
    json!({ "display_name": "Matrix Brand", "primary_colour": "#123456", "accent_colour": "#abcdef" })
}

const NEW_PASSWORD: &str = "another long passphrase for 2030";

/// Begins a resumable upload of a new document (a small PDF) in `project`.
fn begin_upload(project: &str) -> Payload {
    use base64::Engine as _;
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    Payload::Tus(
        vec![
            ("upload-length", pdf().len().to_string()),
            (
                "upload-metadata",
                format!(
                    "filename {},project {}",
                    encode("brief.pdf"),
                    encode(project)
                ),
            ),
        ],
        Vec::new(),
    )
}

/// The table: one row per operation of the document.
#[allow(
    clippy::too_many_lines,
    reason = "one row per operation keeps the table readable"
)]
fn rows() -> Vec<Row> {
    use Proof::{Documented, Last, Status};
    use Reach::{Client, Nobody, People, Tenant};
    use Who::{Anonymous, Approver, ClientAdmin, Owner};
    let none = Reach::None;
    let (g, p, u, d) = (Method::GET, Method::POST, Method::PUT, Method::DELETE);
    let patch = Method::PATCH;
    vec![
        // auth (public)
        row(
            p.clone(),
            "/auth/invitation",
            none,
            |_| {
                body(
                    "/auth/invitation".into(),
                    json!({ "token": "no-such-token" }),
                )
            },
            Status(Anonymous, 401),
        ),
        row(
            p.clone(),
            "/auth/invitation/accept",
            none,
            |_| {
                body(
                    "/auth/invitation/accept".into(),
                    json!({ "token": "no-such-token", "name": "New Person", "password": NEW_PASSWORD }),
                )
            },
            Status(Anonymous, 401),
        ),
        row(
            p.clone(),
            "/auth/login",
            none,
            |_| {
                body(
                    "/auth/login".into(),
                    json!({ "email": "nobody@acme.test", "password": "wrong password entirely" }),
                )
            },
            Status(Anonymous, 401),
        ),
        row(
            p.clone(),
            "/auth/logout",
            none,
            |_| get("/auth/logout".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/auth/magic-link",
            none,
            |_| {
                body(
                    "/auth/magic-link".into(),
                    json!({ "email": "nobody@acme.test" }),
                )
            },
            Documented(Anonymous),
        ),
        row(
            p.clone(),
            "/auth/magic-link/redeem",
            none,
            |_| {
                body(
                    "/auth/magic-link/redeem".into(),
                    json!({ "token": "no-such-token" }),
                )
            },
            Status(Anonymous, 401),
        ),
        row(
            p.clone(),
            "/auth/mfa",
            none,
            |_| {
                body(
                    "/auth/mfa".into(),
                    json!({ "challenge": "no-such-challenge", "code": "000000" }),
                )
            },
            Status(Anonymous, 401),
        ),
        row(
            p.clone(),
            "/auth/reset",
            none,
            |_| body("/auth/reset".into(), json!({ "email": "nobody@acme.test" })),
            Documented(Anonymous),
        ),
        row(
            p.clone(),
            "/auth/reset/complete",
            none,
            |_| {
                body(
                    "/auth/reset/complete".into(),
                    json!({ "token": "no-such-token", "password": NEW_PASSWORD }),
                )
            },
            Status(Anonymous, 401),
        ),
        row(
            g.clone(),
            "/openapi.json",
            none,
            |_| get("/openapi.json".into()),
            Documented(Anonymous),
        ),
        // me
        row(
            g.clone(),
            "/me",
            none,
            |_| get("/me".into()),
            Documented(Owner),
        ),
        row(
            patch.clone(),
            "/me",
            none,
            |_| body("/me".into(), json!({ "locale": "de" })),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/me/sessions",
            none,
            |_| get("/me/sessions".into()),
            Documented(Owner),
        ),
        row(
            d.clone(),
            "/me/sessions/{id}",
            Nobody,
            |i| get(format!("/me/sessions/{}", i.session)),
            Status(Owner, 404),
        ),
        row(
            g.clone(),
            "/me/mfa",
            none,
            |_| get("/me/mfa".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/me/mfa/totp",
            none,
            |_| get("/me/mfa/totp".into()),
            Documented(Owner),
        ),
        row(
            d.clone(),
            "/me/mfa/totp",
            none,
            |_| get("/me/mfa/totp".into()),
            Status(Owner, 409),
        ),
        row(
            p.clone(),
            "/me/mfa/totp/confirm",
            none,
            |_| body("/me/mfa/totp/confirm".into(), json!({ "code": "000000" })),
            Status(Owner, 409),
        ),
        row(
            p.clone(),
            "/me/mfa/recovery-codes",
            none,
            |_| get("/me/mfa/recovery-codes".into()),
            Status(Owner, 409),
        ),
        row(
            p.clone(),
            "/me/password",
            none,
            |_| {
                body(
                    "/me/password".into(),
                    json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
                )
            },
            Documented(Owner),
        ),
        // client work
        row(
            g.clone(),
            "/dashboard",
            none,
            |_| get("/dashboard".into()),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/projects",
            none,
            |_| get("/projects".into()),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/projects/{project_id}",
            Client,
            |i| get(format!("/projects/{}", i.project)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/projects/{project_id}/milestones",
            Client,
            |i| get(format!("/projects/{}/milestones", i.project)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/milestones/{milestone_id}",
            Client,
            |i| get(format!("/milestones/{}", i.milestone)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/milestones/{milestone_id}/deliverables",
            Client,
            |i| get(format!("/milestones/{}/deliverables", i.milestone)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/deliverables/{deliverable_id}",
            Client,
            |i| get(format!("/deliverables/{}", i.deliverable)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/projects/{project_id}/updates",
            Client,
            |i| get(format!("/projects/{}/updates", i.project)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/projects/{project_id}/decisions",
            Client,
            |i| get(format!("/projects/{}/decisions", i.project)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/projects/{project_id}/tasks",
            Client,
            |i| get(format!("/projects/{}/tasks", i.project)),
            Documented(ClientAdmin),
        ),
        row(
            p.clone(),
            "/tasks/{task_id}/done",
            Client,
            |i| get(format!("/tasks/{}/done", i.task)),
            Documented(ClientAdmin),
        ),
        // The seeded task is open: reopening it is a conflict, which still proves the row valid.
        row(
            p.clone(),
            "/tasks/{task_id}/reopen",
            Client,
            |i| get(format!("/tasks/{}/reopen", i.task)),
            Status(ClientAdmin, 409),
        ),
        row(
            g.clone(),
            "/approvals",
            none,
            |_| get("/approvals".into()),
            Documented(Approver),
        ),
        row(
            g.clone(),
            "/approvals/{approval_id}",
            Client,
            |i| get(format!("/approvals/{}", i.approval)),
            Documented(Approver),
        ),
        row(
            p.clone(),
            "/approvals/{approval_id}/decision",
            Client,
            |i| {
                body(
                    format!("/approvals/{}/decision", i.approval),
                    json!({ "decision": "approve", "signature": "Alice Approver", "version_sha256": sha_hex() }),
                )
            },
            Documented(Approver),
        ),
        row(
            g.clone(),
            "/requests",
            none,
            |_| get("/requests".into()),
            Documented(ClientAdmin),
        ),
        row(
            p.clone(),
            "/requests",
            Client,
            |i| {
                body(
                    "/requests".into(),
                    json!({ "title": "A new page", "body": "Please", "client_id": i.client, "project_id": i.project }),
                )
            },
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/requests/{request_id}",
            Client,
            |i| get(format!("/requests/{}", i.request)),
            Documented(ClientAdmin),
        ),
        // The seeded request is open: reopening it is a conflict, which still proves the row
        // valid.
        row(
            p.clone(),
            "/requests/{request_id}/reopen",
            Client,
            |i| get(format!("/requests/{}/reopen", i.request)),
            Status(ClientAdmin, 409),
        ),
        row(
            u.clone(),
            "/requests/{request_id}/status",
            Client,
            |i| {
                body(
                    format!("/requests/{}/status", i.request),
                    json!({ "status": "in_progress" }),
                )
            },
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/requests/{request_id}/messages",
            Client,
            |i| get(format!("/requests/{}/messages", i.request)),
            Documented(ClientAdmin),
        ),
        row(
            p.clone(),
            "/requests/{request_id}/messages",
            Client,
            |i| {
                body(
                    format!("/requests/{}/messages", i.request),
                    json!({ "body": "Any news?" }),
                )
            },
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/threads/{kind}/{subject_id}/messages",
            Client,
            |i| get(format!("/threads/project/{}/messages", i.project)),
            Documented(ClientAdmin),
        ),
        row(
            p.clone(),
            "/threads/{kind}/{subject_id}/messages",
            Client,
            |i| {
                body(
                    format!("/threads/project/{}/messages", i.project),
                    json!({ "body": "Hello" }),
                )
            },
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/invoices",
            none,
            |_| get("/invoices".into()),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/invoices/{invoice_id}",
            Client,
            |i| get(format!("/invoices/{}", i.invoice)),
            Documented(Owner),
        ),
        // documents
        row(
            g.clone(),
            "/documents",
            none,
            |_| get("/documents".into()),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/projects/{project_id}/documents",
            Client,
            |i| get(format!("/projects/{}/documents", i.project)),
            Documented(ClientAdmin),
        ),
        row(
            p.clone(),
            "/projects/{project_id}/documents",
            Client,
            |i| {
                (
                    format!(
                        "/projects/{}/documents?name=brief.pdf&visibility=shared",
                        i.project
                    ),
                    Payload::Upload,
                )
            },
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/documents/{document_id}",
            Client,
            |i| get(format!("/documents/{}", i.document)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/documents/{document_id}/versions",
            Client,
            |i| get(format!("/documents/{}/versions", i.document)),
            Documented(ClientAdmin),
        ),
        row(
            p.clone(),
            "/documents/{document_id}/versions",
            Client,
            |i| {
                (
                    format!("/documents/{}/versions?name=brief-2.pdf", i.document),
                    Payload::Upload,
                )
            },
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/documents/{document_id}/download",
            Client,
            |i| get(format!("/documents/{}/download", i.document)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/documents/{document_id}/versions/{version_id}/download",
            Client,
            |i| {
                get(format!(
                    "/documents/{}/versions/{}/download",
                    i.document, i.version
                ))
            },
            Documented(ClientAdmin),
        ),
        // resumable uploads (tus): each belongs to whoever began it — here a contact who is not
        // one of the callers, so every caller finds nothing
        row(
            Method::OPTIONS,
            "/uploads",
            none,
            |_| ("/uploads".into(), Payload::None),
            Documented(Anonymous),
        ),
        row(
            p.clone(),
            "/uploads",
            Client,
            |i| ("/uploads".into(), begin_upload(&i.project)),
            Documented(Owner),
        ),
        row(
            Method::HEAD,
            "/uploads/{upload_id}",
            Nobody,
            |i| {
                (
                    format!("/uploads/{}", i.upload),
                    Payload::Tus(Vec::new(), Vec::new()),
                )
            },
            Status(Owner, 404),
        ),
        row(
            patch.clone(),
            "/uploads/{upload_id}",
            Nobody,
            |i| {
                (
                    format!("/uploads/{}", i.upload),
                    Payload::Tus(
                        vec![
                            ("upload-offset", "0".to_owned()),
                            ("content-type", "application/offset+octet-stream".to_owned()),
                        ],
                        pdf(),
                    ),
                )
            },
            Status(Owner, 404),
        ),
        row(
            d.clone(),
            "/uploads/{upload_id}",
            Nobody,
            |i| {
                (
                    format!("/uploads/{}", i.upload),
                    Payload::Tus(Vec::new(), Vec::new()),
                )
            },
            Status(Owner, 404),
        ),
        // staff: clients and branding
        row(
            g.clone(),
            "/clients",
            none,
            |_| get("/clients".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/clients",
            none,
            |_| body("/clients".into(), json!({ "name": "Initech" })),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/clients/{client_id}",
            Client,
            |i| get(format!("/clients/{}", i.client)),
            Documented(Owner),
        ),
        row(
            patch.clone(),
            "/clients/{client_id}",
            Client,
            |i| {
                body(
                    format!("/clients/{}", i.client),
                    json!({ "name": "Renamed Client" }),
                )
            },
            Documented(Owner),
        ),
        // Archiving ends the client's sessions: proven last, so its contacts are still callers.
        row(
            p.clone(),
            "/clients/{client_id}/archive",
            Client,
            |i| get(format!("/clients/{}/archive", i.client)),
            Last(Owner),
        ),
        // Offboarding ends the client's sessions at once: proven last, like archiving.
        row(
            p.clone(),
            "/clients/{client_id}/offboard",
            Client,
            |i| get(format!("/clients/{}/offboard", i.client)),
            Last(Owner),
        ),
        // Erasure needs an offboarded client, which the world lacks: the owner is told so.
        row(
            p.clone(),
            "/clients/{client_id}/erase",
            Client,
            |i| {
                body(
                    format!("/clients/{}/erase", i.client),
                    json!({ "confirm": "Client canary-acme-a" }),
                )
            },
            Status(Owner, 409),
        ),
        row(
            p.clone(),
            "/clients/{client_id}/restore",
            Client,
            |i| get(format!("/clients/{}/restore", i.client)),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/clients/{client_id}/export",
            Client,
            |i| {
                get(format!(
                    "/clients/{}/export?include_internal=true",
                    i.client
                ))
            },
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/clients/{client_id}/branding",
            Client,
            |i| body(format!("/clients/{}/branding", i.client), branding_body()),
            Documented(Owner),
        ),
        row(
            d.clone(),
            "/clients/{client_id}/branding",
            Client,
            |i| get(format!("/clients/{}/branding", i.client)),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/branding",
            none,
            |_| get("/branding".into()),
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/branding",
            none,
            |_| body("/branding".into(), branding_body()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/branding/domains",
            none,
            |_| {
                body(
                    "/branding/domains".into(),
                    json!({ "host": "new.matrix.example" }),
                )
            },
            Documented(Owner),
        ),
        row(
            d.clone(),
            "/branding/domains/{host}",
            Tenant,
            |i| get(format!("/branding/domains/{}", i.domain)),
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/security/mfa-policy",
            none,
            |_| {
                body(
                    "/security/mfa-policy".into(),
                    json!({ "staff": false, "contacts": false }),
                )
            },
            Documented(Owner),
        ),
        // staff: people
        row(
            g.clone(),
            "/users",
            none,
            |_| get("/users".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/users",
            none,
            |_| {
                body(
                    "/users".into(),
                    json!({ "email": "new@matrix.test", "name": "New Person", "side": "staff" }),
                )
            },
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/users/{user_id}",
            Reach::Contact,
            |i| get(format!("/users/{}", i.user)),
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/users/{user_id}/name",
            People,
            |i| {
                body(
                    format!("/users/{}/name", i.user),
                    json!({ "name": "Renamed Person" }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/users/{user_id}/disable",
            People,
            |i| get(format!("/users/{}/disable", i.user)),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/users/{user_id}/enable",
            People,
            |i| get(format!("/users/{}/enable", i.user)),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/memberships",
            none,
            |_| get("/memberships".into()),
            Documented(Owner),
        ),
        // The user already has a membership of the client: a conflict proves the body valid.
        row(
            p.clone(),
            "/memberships",
            People,
            |i| {
                body(
                    "/memberships".into(),
                    json!({ "user_id": i.user, "role_id": i.viewer_role, "client_id": i.client }),
                )
            },
            Status(Owner, 409),
        ),
        row(
            d.clone(),
            "/memberships/{membership_id}",
            People,
            |i| get(format!("/memberships/{}", i.membership)),
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/memberships/{membership_id}/role",
            People,
            |i| {
                body(
                    format!("/memberships/{}/role", i.membership),
                    json!({ "role_id": i.viewer_role }),
                )
            },
            Documented(Owner),
        ),
        // A contact's membership has no assigned clients: 422 proves the row reaches the store.
        row(
            u.clone(),
            "/memberships/{membership_id}/clients",
            People,
            |i| {
                body(
                    format!("/memberships/{}/clients", i.membership),
                    json!({ "client_ids": [i.client] }),
                )
            },
            Status(Owner, 422),
        ),
        row(
            g.clone(),
            "/invitations",
            none,
            |_| get("/invitations".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/invitations",
            People,
            |i| {
                body(
                    "/invitations".into(),
                    json!({ "email": "newcomer@matrix.test", "role_id": i.viewer_role, "client_id": i.client }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/invitations/{invitation_id}/revoke",
            People,
            |i| get(format!("/invitations/{}/revoke", i.invitation)),
            Documented(Owner),
        ),
        // staff: roles
        row(
            g.clone(),
            "/roles",
            none,
            |_| get("/roles".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/roles",
            none,
            |_| {
                body(
                    "/roles".into(),
                    json!({ "name": "Auditor", "side": "staff", "permissions": ["view_audit_log"] }),
                )
            },
            Documented(Owner),
        ),
        row(
            d.clone(),
            "/roles/{role_id}",
            Tenant,
            |i| get(format!("/roles/{}", i.role)),
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/roles/{role_id}/permissions",
            Tenant,
            |i| {
                body(
                    format!("/roles/{}/permissions", i.role),
                    json!({ "permissions": ["view_projects"] }),
                )
            },
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/permissions",
            none,
            |_| get("/permissions".into()),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/permission-matrix",
            none,
            |_| get("/permission-matrix".into()),
            Documented(Owner),
        ),
        // staff: work
        row(
            p.clone(),
            "/projects",
            Client,
            |i| {
                body(
                    "/projects".into(),
                    json!({ "client_id": i.client, "name": "New project" }),
                )
            },
            Documented(Owner),
        ),
        row(
            patch.clone(),
            "/projects/{project_id}",
            Client,
            |i| {
                body(
                    format!("/projects/{}", i.project),
                    json!({ "name": "Renamed project" }),
                )
            },
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/projects/{project_id}/visibility",
            Client,
            |i| {
                body(
                    format!("/projects/{}/visibility", i.project),
                    json!({ "visibility": "internal" }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/projects/{project_id}/milestones",
            Client,
            |i| {
                body(
                    format!("/projects/{}/milestones", i.project),
                    json!({ "title": "Launch", "position": 9 }),
                )
            },
            Documented(Owner),
        ),
        row(
            patch.clone(),
            "/milestones/{milestone_id}",
            Client,
            |i| {
                body(
                    format!("/milestones/{}", i.milestone),
                    json!({ "title": "Renamed milestone" }),
                )
            },
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/milestones/{milestone_id}/status",
            Client,
            |i| {
                body(
                    format!("/milestones/{}/status", i.milestone),
                    json!({ "status": "completed" }),
                )
            },
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/milestones/{milestone_id}/visibility",
            Client,
            |i| {
                body(
                    format!("/milestones/{}/visibility", i.milestone),
                    json!({ "visibility": "internal" }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/milestones/{milestone_id}/deliverables",
            Client,
            |i| {
                body(
                    format!("/milestones/{}/deliverables", i.milestone),
                    json!({ "title": "Footer" }),
                )
            },
            Documented(Owner),
        ),
        row(
            patch.clone(),
            "/deliverables/{deliverable_id}",
            Client,
            |i| {
                body(
                    format!("/deliverables/{}", i.deliverable),
                    json!({ "title": "Renamed deliverable" }),
                )
            },
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/deliverables/{deliverable_id}/status",
            Client,
            |i| {
                body(
                    format!("/deliverables/{}/status", i.deliverable),
                    json!({ "status": "in_progress" }),
                )
            },
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/deliverables/{deliverable_id}/visibility",
            Client,
            |i| {
                body(
                    format!("/deliverables/{}/visibility", i.deliverable),
                    json!({ "visibility": "internal" }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/projects/{project_id}/updates",
            Client,
            |i| {
                body(
                    format!("/projects/{}/updates", i.project),
                    json!({ "title": "Week 3", "body": "Going well" }),
                )
            },
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/updates/{update_id}/visibility",
            Client,
            |i| {
                body(
                    format!("/updates/{}/visibility", i.update),
                    json!({ "visibility": "internal" }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/projects/{project_id}/decisions",
            Client,
            |i| {
                body(
                    format!("/projects/{}/decisions", i.project),
                    json!({ "title": "Serif font", "body": "", "decided_on": "2026-02-01" }),
                )
            },
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/decisions/{decision_id}/visibility",
            Client,
            |i| {
                body(
                    format!("/decisions/{}/visibility", i.decision),
                    json!({ "visibility": "internal" }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/projects/{project_id}/tasks",
            Client,
            |i| {
                body(
                    format!("/projects/{}/tasks", i.project),
                    json!({ "title": "Send copy", "owner": "client" }),
                )
            },
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/tasks/{task_id}/visibility",
            Client,
            |i| {
                body(
                    format!("/tasks/{}/visibility", i.task),
                    json!({ "visibility": "internal" }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/approvals",
            Client,
            |i| {
                body(
                    "/approvals".into(),
                    json!({ "document_version_id": i.version, "message": "Please sign" }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/approvals/{approval_id}/cancel",
            Client,
            |i| get(format!("/approvals/{}/cancel", i.approval)),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/invoices",
            Client,
            |i| {
                body(
                    "/invoices".into(),
                    json!({ "client_id": i.client, "number": "INV-9", "amount": { "amount_minor": 100, "currency": "EUR" } }),
                )
            },
            Documented(Owner),
        ),
        row(
            patch.clone(),
            "/invoices/{invoice_id}",
            Client,
            |i| {
                body(
                    format!("/invoices/{}", i.invoice),
                    json!({ "number": "INV-1b" }),
                )
            },
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/share-links",
            none,
            |_| get("/share-links".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/share-links",
            Client,
            |i| {
                body(
                    "/share-links".into(),
                    json!({ "project_id": i.project, "allow_download": true }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/share-links/{link_id}/revoke",
            Client,
            |i| get(format!("/share-links/{}/revoke", i.share_link)),
            Documented(Owner),
        ),
        // staff: audit and keys
        row(
            g.clone(),
            "/audit",
            none,
            |_| get("/audit".into()),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/audit/export",
            none,
            |_| get("/audit/export?format=jsonl".into()),
            Documented(Owner),
        ),
        // staff: adoption analytics
        row(
            g.clone(),
            "/analytics/clients",
            none,
            |_| get("/analytics/clients?days=30".into()),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/analytics/clients/{client_id}",
            Client,
            |i| get(format!("/analytics/clients/{}?days=30", i.client)),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/api-keys",
            none,
            |_| get("/api-keys".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/api-keys",
            none,
            |_| {
                body(
                    "/api-keys".into(),
                    json!({ "name": "Matrix key", "permissions": ["view_projects"] }),
                )
            },
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/api-keys/{key_id}/revoke",
            Tenant,
            |i| get(format!("/api-keys/{}/revoke", i.api_key)),
            Documented(Owner),
        ),
        // notifications and mail preferences
        row(
            g.clone(),
            "/notifications",
            none,
            |_| get("/notifications?unread=true".into()),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/notifications/unread",
            none,
            |_| get("/notifications/unread".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/notifications/read",
            none,
            |_| body("/notifications/read".into(), json!({ "all": true })),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/me/mail-preferences",
            none,
            |_| get("/me/mail-preferences".into()),
            Documented(Owner),
        ),
        row(
            u.clone(),
            "/me/mail-preferences/{event_type}",
            none,
            |_| {
                body(
                    "/me/mail-preferences/update.published".into(),
                    json!({ "mail": "off" }),
                )
            },
            Documented(Owner),
        ),
        // staff: webhooks
        row(
            g.clone(),
            "/webhooks",
            none,
            |_| get("/webhooks".into()),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/webhooks",
            none,
            |_| {
                body(
                    "/webhooks".into(),
                    json!({ "url": "https://hooks.matrix.example/in", "event_types": ["message.posted"] }),
                )
            },
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/webhooks/{webhook_id}",
            Tenant,
            |i| get(format!("/webhooks/{}", i.webhook)),
            Documented(Owner),
        ),
        row(
            patch.clone(),
            "/webhooks/{webhook_id}",
            Tenant,
            |i| {
                body(
                    format!("/webhooks/{}", i.webhook),
                    json!({ "active": false }),
                )
            },
            Documented(Owner),
        ),
        row(
            d.clone(),
            "/webhooks/{webhook_id}",
            Tenant,
            |i| get(format!("/webhooks/{}", i.webhook)),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/webhooks/{webhook_id}/secret",
            Tenant,
            |i| get(format!("/webhooks/{}/secret", i.webhook)),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/webhooks/{webhook_id}/deliveries",
            Tenant,
            |i| get(format!("/webhooks/{}/deliveries", i.webhook)),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/webhook-deliveries/{delivery_id}",
            Tenant,
            |i| get(format!("/webhook-deliveries/{}", i.delivery)),
            Documented(Owner),
        ),
        row(
            p.clone(),
            "/webhook-deliveries/{delivery_id}/redeliver",
            Tenant,
            |i| get(format!("/webhook-deliveries/{}/redeliver", i.delivery)),
            Documented(Owner),
        ),
        // sync
        row(
            p,
            "/sync/batch",
            none,
            |_| {
                (
                    String::from("/sync/batch"),
                    Payload::Sync(
                        json!({ "items": [{ "kind": "client", "external_id": "crm-matrix", "name": "Initech" }] }),
                    ),
                )
            },
            Documented(Owner),
        ),
    ]
}

/// Lists filtered by a parent id (SEC-27: a foreign parent id finds nothing). These repeat
/// operations of `rows()`, which cover the unfiltered lists.
fn filter_rows() -> Vec<Row> {
    use Proof::Documented;
    use Reach::Filter;
    use Who::{Approver, ClientAdmin, Owner};
    let g = Method::GET;
    vec![
        row(
            g.clone(),
            "/approvals",
            Filter,
            |i| get(format!("/approvals?project_id={}", i.project)),
            Documented(Approver),
        ),
        row(
            g.clone(),
            "/documents",
            Filter,
            |i| get(format!("/documents?client={}", i.client)),
            Documented(ClientAdmin),
        ),
        row(
            g.clone(),
            "/invitations",
            Filter,
            |i| get(format!("/invitations?client_id={}", i.client)),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/invoices",
            Filter,
            |i| get(format!("/invoices?client_id={}", i.client)),
            Documented(Owner),
        ),
        row(
            g.clone(),
            "/memberships",
            Filter,
            |i| get(format!("/memberships?client_id={}", i.client)),
            Documented(Owner),
        ),
        row(
            g,
            "/projects",
            Filter,
            |i| get(format!("/projects?client_id={}", i.client)),
            Documented(ClientAdmin),
        ),
    ]
}

fn sha_hex() -> String {
    portal_core::state::Sha256Digest::from_bytes(client_work::VERSION_SHA).to_hex()
}

/// A small PDF the upload routes accept.
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 200));
    bytes
}

/// The two tenants, seeded, with every caller signed in.
struct World {
    portal: Portal,
    credentials: BTreeMap<Who, Credential>,
    a1: Ids,
    a2: Ids,
    globex: Ids,
    missing: Ids,
}

impl World {
    async fn build() -> Self {
        let config = portal_http::HttpConfig::default().with_rate_limit(None);
        let portal = Portal::build(config, Some(Arc::new(HeaderIdentity))).await;
        let work = client_work::seed(&portal).await;
        let stores = &portal.stores;
        let (acme, globex) = (portal.acme, portal.globex);
        person(stores, acme, "admin@acme.test", BuiltinRole::Admin, None).await;
        let member_a = person(
            stores,
            acme,
            "member-a@acme.test",
            BuiltinRole::Member,
            None,
        )
        .await;
        let disabled = person(stores, acme, "disabled@acme.test", BuiltinRole::Admin, None).await;
        let mut bystanders = Vec::new();
        for (tenant, w) in [(acme, &work.a), (acme, &work.b), (globex, &work.globex)] {
            let email = format!("bystander@{}.test", w.label);
            let bystander =
                person(stores, tenant, &email, BuiltinRole::Viewer, Some(w.client)).await;
            // A canary in the contact's name: `GET /users` and `/users/{id}` must show it only
            // to the staff who reach its client (SEC-27).
            stores
                .identities
                .rename_user(
                    &TenantScope::dangerous_system(tenant),
                    bystander,
                    DisplayName::parse(&format!("Bystander canary-{}", w.label)).unwrap(),
                    &AuditContext::default(),
                )
                .await
                .unwrap();
            bystanders.push(bystander);
        }
        let mut world = Self {
            portal,
            credentials: BTreeMap::new(),
            a1: Ids::missing(),
            a2: Ids::missing(),
            globex: Ids::missing(),
            missing: Ids::missing(),
        };
        let owner = world.sign_in(Via::Acme, "ada@acme.test").await;
        let gil = world.sign_in(Via::Globex, "gil@globex.test").await;
        let domain = world
            .send(
                Via::Acme,
                Some(&Credential::Cookie(owner.clone())),
                Method::POST,
                "/branding/domains",
                Payload::Json(json!({ "host": ACME_DOMAIN })),
                false,
            )
            .await;
        assert_eq!(domain.status, 200, "{}", domain.text);
        for who in Who::ALL {
            let credential = match who.login() {
                Login::None => continue,
                Login::Password(email, via) => Credential::Cookie(world.sign_in(via, email).await),
                Login::ApiKey(via) => {
                    let maker = if via == Via::Acme { &owner } else { &gil };
                    Credential::Bearer(world.manager_key(via, maker).await)
                }
                Login::Host(email) => Credential::HostUser(email),
            };
            world.credentials.insert(who, credential);
        }
        let disable = world
            .send_as(
                Who::Owner,
                Via::Acme,
                Method::POST,
                &format!("/users/{disabled}/disable"),
                None,
            )
            .await;
        assert_eq!(disable.status, 200, "{}", disable.text);

        let membership = world.membership_of("acme", &owner, member_a).await;
        let assigned = world
            .send_as(
                Who::Owner,
                Via::Acme,
                Method::PUT,
                &format!("/memberships/{membership}/clients"),
                Some(Payload::Json(json!({ "client_ids": [work.a.client] }))),
            )
            .await;
        assert_eq!(assigned.status, 200, "{}", assigned.text);
        world.a1 = world
            .ids(&work.a, acme, "acme", &owner, bystanders[0])
            .await;
        world.a2 = world
            .ids(&work.b, acme, "acme", &owner, bystanders[1])
            .await;
        world.globex = world
            .ids(&work.globex, globex, "globex", &gil, bystanders[2])
            .await;
        world
    }

    /// Logs in through `via` and returns the `name=value` of the session cookie.
    async fn sign_in(&self, via: Via, email: &str) -> String {
        let reply = self
            .send(
                via,
                None,
                Method::POST,
                "/auth/login",
                Payload::Json(json!({ "email": email, "password": PASSWORD })),
                false,
            )
            .await;
        assert_eq!(reply.status, 200, "{email} via {via:?}: {}", reply.text);
        reply.cookie().unwrap()
    }

    /// An API key made through the API by the owner signed in as `cookie`, with exactly the
    /// manager role's permissions: the whole `ptk_…` secret.
    async fn manager_key(&self, via: Via, cookie: &str) -> String {
        let permissions: Vec<&str> = BuiltinRole::Manager
            .default_permissions()
            .iter()
            .map(|permission| permission.name())
            .collect();
        let reply = self
            .send(
                via,
                Some(&Credential::Cookie(cookie.to_owned())),
                Method::POST,
                "/api-keys",
                Payload::Json(json!({ "name": "Matrix integration", "permissions": permissions })),
                false,
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()["secret"].as_str().unwrap().to_owned()
    }

    /// One client's objects: the seeded work plus what only the API creates.
    async fn ids(
        &self,
        w: &client_work::Work,
        tenant: TenantId,
        slug: &str,
        cookie: &str,
        bystander: portal_core::UserId,
    ) -> Ids {
        let label = w.label;
        let signed_in = Credential::Cookie(cookie.to_owned());
        let call = |method: Method, path: String, payload: Payload| {
            let signed_in = &signed_in;
            async move {
                let reply = self
                    .send(
                        Via::of(slug),
                        Some(signed_in),
                        method,
                        &path,
                        payload,
                        false,
                    )
                    .await;
                assert!(
                    reply.status < 300,
                    "{path}: {} {}",
                    reply.status,
                    reply.text
                );
                reply.json()
            }
        };
        let text = |value: &Value| value.as_str().unwrap().to_owned();
        let uploaded = call(
            Method::POST,
            format!(
                "/projects/{}/documents?name=spec.pdf&title=Spec%20canary-{label}&visibility=shared",
                w.project
            ),
            Payload::Upload,
        )
        .await;
        let viewer_role = role_id(&self.portal, tenant, BuiltinRole::Viewer).await;
        let invitation = call(
            Method::POST,
            "/invitations".into(),
            Payload::Json(json!({
                "email": format!("invitee@{label}.test"),
                "role_id": viewer_role,
                "client_id": w.client,
            })),
        )
        .await;
        let link = call(
            Method::POST,
            "/share-links".into(),
            Payload::Json(json!({ "project_id": w.project, "allow_download": true })),
        )
        .await;
        let key = call(
            Method::POST,
            "/api-keys".into(),
            Payload::Json(json!({
                "name": format!("Key canary-internal-{slug}-{}", if label.ends_with('b') { 2 } else { 1 }),
                "permissions": ["view_projects"],
            })),
        )
        .await;
        let role = call(
            Method::POST,
            "/roles".into(),
            Payload::Json(json!({
                "name": format!("Role canary-internal-{slug}-{}", if label.ends_with('b') { 2 } else { 1 }),
                "side": "client",
                "permissions": ["view_projects"],
            })),
        )
        .await;
        let domain = format!("{label}.matrix.example");
        call(
            Method::POST,
            "/branding/domains".into(),
            Payload::Json(json!({ "host": domain })),
        )
        .await;
        let webhook = call(
            Method::POST,
            "/webhooks".into(),
            Payload::Json(json!({
                "url": format!("https://hooks.{label}.example/in"),
                "description": format!("Hook canary-internal-{slug}-{}", if label.ends_with('b') { 2 } else { 1 }),
            })),
        )
        .await;
        let webhook = text(&webhook["webhook"]["id"]);
        support::notify::queue_event(
            &self.portal.stores,
            tenant,
            &format!(
                r#"{{"note":"canary-internal-{slug}-{}"}}"#,
                if label.ends_with('b') { 2 } else { 1 }
            ),
        )
        .await;
        let deliveries = call(
            Method::GET,
            format!("/webhooks/{webhook}/deliveries"),
            Payload::None,
        )
        .await;
        let delivery = text(&deliveries["items"][0]["id"]);
        let membership = self.membership_of(slug, cookie, bystander).await;
        let bystander_cookie = self
            .sign_in(Via::of(slug), &format!("bystander@{label}.test"))
            .await;
        let sessions = self
            .send(
                Via::of(slug),
                Some(&Credential::Cookie(bystander_cookie)),
                Method::GET,
                "/me/sessions",
                Payload::None,
                false,
            )
            .await
            .json();
        // An upload of the bystander's (a viewer, who could not begin one through the API: the
        // record is made in the store): nobody among the callers may see it.
        let bystander_scope =
            support::client_work::scope_of(&self.portal.stores, tenant, bystander).await;
        let now = time::OffsetDateTime::now_utc();
        let upload = self
            .portal
            .stores
            .uploads
            .create_resumable_upload(
                &bystander_scope,
                portal_storage::traits::UploadOwner::User(bystander),
                portal_storage::traits::NewResumableUpload {
                    id: portal_storage::blob::UploadId::generate(),
                    target: portal_storage::traits::UploadTarget::NextVersion {
                        document: text(&uploaded["document"]["id"]).parse().unwrap(),
                    },
                    file_name: "brief.pdf".into(),
                    length: 1_000,
                    created_at: now,
                    expires_at: now + time::Duration::hours(1),
                },
            )
            .await
            .unwrap()
            .id
            .to_string();
        Ids {
            client: w.client.to_string(),
            project: w.project.to_string(),
            milestone: w.milestone.to_string(),
            deliverable: w.deliverable.to_string(),
            document: text(&uploaded["document"]["id"]),
            version: text(&uploaded["version"]["id"]),
            approval: w.approval.to_string(),
            update: w.update.to_string(),
            decision: w.decision.to_string(),
            task: w.client_task.to_string(),
            request: w.request.to_string(),
            invoice: w.invoice.to_string(),
            user: bystander.to_string(),
            membership: membership.to_string(),
            invitation: text(&invitation["id"]),
            share_link: text(&link["link"]["id"]),
            api_key: text(&key["key"]["id"]),
            role: text(&role["id"]),
            viewer_role: viewer_role.to_string(),
            domain,
            session: text(&sessions[0]["id"]),
            webhook,
            delivery,
            upload,
        }
    }

    /// The id of `user`'s membership, as the API lists it.
    async fn membership_of(&self, slug: &str, cookie: &str, user: portal_core::UserId) -> String {
        let list = self
            .send(
                Via::of(slug),
                Some(&Credential::Cookie(cookie.to_owned())),
                Method::GET,
                "/memberships?limit=200",
                Payload::None,
                false,
            )
            .await
            .json();
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["user_id"] == json!(user))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn target(&self, target: Target) -> &Ids {
        match target {
            Target::A1 | Target::None => &self.a1,
            Target::A2 => &self.a2,
            Target::Globex => &self.globex,
            Target::Missing => &self.missing,
        }
    }

    /// A request from the portal's own page, to `path` under the API of `via`. Globex callers
    /// also claim acme in a header, which must change nothing (SEC-27).
    async fn send(
        &self,
        via: Via,
        credential: Option<&Credential>,
        method: Method,
        path: &str,
        payload: Payload,
        claim_acme: bool,
    ) -> Reply {
        let (host, base) = via.address();
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{base}{path}"))
            .header(header::HOST, host)
            .header("sec-fetch-site", "same-origin");
        match credential {
            None => {}
            Some(Credential::Cookie(cookie)) => request = request.header(header::COOKIE, cookie),
            Some(Credential::Bearer(key)) => {
                request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
            }
            Some(Credential::HostUser(email)) => request = request.header(HOST_USER, *email),
        }
        if claim_acme {
            request = request.header("x-tenant-id", self.portal.acme.to_string());
        }
        let body = match payload {
            Payload::None => Body::empty(),
            Payload::Json(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            Payload::Sync(json) => {
                request = request
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("idempotency-key", Uuid::new_v4().to_string());
                Body::from(json.to_string())
            }
            Payload::Upload => {
                request = request.header(header::CONTENT_TYPE, "application/octet-stream");
                Body::from(pdf())
            }
            Payload::Tus(headers, body) => {
                request = request.header("tus-resumable", "1.0.0");
                for (name, value) in headers {
                    request = request.header(name, value);
                }
                Body::from(body)
            }
        };
        self.portal.send(request.body(body).unwrap()).await
    }

    async fn send_as(
        &self,
        who: Who,
        via: Via,
        method: Method,
        path: &str,
        payload: Option<Payload>,
    ) -> Reply {
        self.send(
            via,
            self.credentials.get(&who),
            method,
            path,
            payload.unwrap_or(Payload::None),
            who.is_globex(),
        )
        .await
    }

    /// Canaries in mails to the wrong people and in the wrong tenant's outbox (webhooks and
    /// notifications start there).
    async fn mail_and_outbox_leaks(&self) -> Vec<String> {
        let mut leaks = Vec::new();
        for mail in self.portal.mailer.sent() {
            let to = mail.to.as_str().to_owned();
            let never: &[&str] = if to.ends_with("globex.test") || to.ends_with("globex-g.test") {
                &["canary-acme", "canary-internal-acme"]
            } else if to.ends_with("acme-a.test") {
                &["canary-acme-b", "canary-internal", "canary-globex"]
            } else if to.ends_with("acme-b.test") {
                &["canary-acme-a", "canary-internal", "canary-globex"]
            } else {
                &["canary-globex", "canary-internal-globex"]
            };
            let text = format!(
                "{} {} {}",
                mail.subject,
                mail.text,
                mail.html.unwrap_or_default()
            );
            for word in never {
                if text.contains(word) {
                    leaks.push(format!("mail to {to} leaks {word:?}: {}", mail.subject));
                }
            }
        }
        for (tenant, never) in [
            (self.portal.acme, "canary-globex"),
            (self.portal.globex, "canary-acme"),
        ] {
            let scope = TenantScope::dangerous_system(tenant);
            let page = Page::first(Page::MAX_LIMIT).unwrap();
            let rows = self
                .portal
                .stores
                .outbox
                .list_outbox(&scope, page)
                .await
                .unwrap();
            for event in rows.items {
                if event.payload.to_string().contains(never) {
                    leaks.push(format!(
                        "outbox of {tenant} leaks {never:?}: {}",
                        event.kind
                    ));
                }
            }
        }
        leaks
    }

    /// Both tenants' audit events that record a refusal or failure.
    async fn denials(&self) -> usize {
        let mut count = 0;
        for tenant in [self.portal.acme, self.portal.globex] {
            let scope = TenantScope::dangerous_system(tenant);
            let mut page = Page::first(Page::MAX_LIMIT).unwrap();
            loop {
                let paged = self
                    .portal
                    .stores
                    .audit
                    .list_events(&scope, AuditFilter::default(), page)
                    .await
                    .unwrap();
                count += paged
                    .items
                    .iter()
                    .filter(|event| event.outcome != AuditOutcome::Success)
                    .count();
                match paged.next {
                    Some(cursor) => page = page.after(Some(cursor)),
                    None => break,
                }
            }
        }
        count
    }

    /// Both tenants' successful audit events: what any write leaves behind.
    async fn fingerprint(&self) -> Vec<(i64, String)> {
        let mut seen = Vec::new();
        for tenant in [self.portal.acme, self.portal.globex] {
            let scope = TenantScope::dangerous_system(tenant);
            let mut page = Page::first(Page::MAX_LIMIT).unwrap();
            loop {
                let paged = self
                    .portal
                    .stores
                    .audit
                    .list_events(&scope, AuditFilter::default(), page)
                    .await
                    .unwrap();
                seen.extend(
                    paged
                        .items
                        .iter()
                        .filter(|event| event.outcome == AuditOutcome::Success)
                        .map(|event| (event.seq, event.action.clone())),
                );
                match paged.next {
                    Some(cursor) => page = page.after(Some(cursor)),
                    None => break,
                }
            }
        }
        seen
    }
}

/// May `who`, calling `tenant`, see `target`'s object of a row reaching that far?
fn sees(who: Who, tenant: &str, target: Target, reach: Reach) -> bool {
    use Who::*;
    match (tenant, target, reach) {
        (_, Target::Missing, _) | (_, _, Reach::Nobody) => false,
        (_, Target::None, _) | (_, _, Reach::None) => true,
        ("globex", target, _) => target == Target::Globex,
        (_, Target::Globex, _) => false,
        (_, _, Reach::Tenant) => true,
        // The people seen are contacts: staff with `manage_clients` on every client.
        (_, _, Reach::People) => matches!(who, Owner | Admin | Manager | AcmeKey),
        // `Reach::Contact` falls through: a contact is seen where its client's objects are.
        (_, Target::A1, _) => matches!(
            who,
            Owner
                | Admin
                | Manager
                | AcmeKey
                | MemberA1
                | ClientAdmin
                | DomainClientAdmin
                | Approver
                | HostApprover
                | Finance
                | Viewer
        ),
        (_, _, _) => matches!(who, Owner | Admin | Manager | AcmeKey | ContactA2),
    }
}

/// The document's operations as `METHOD /path` (without `/api/v1`), with their tags and
/// lowest documented 2xx.
async fn operations(portal: &Portal) -> BTreeMap<String, (Vec<String>, u16)> {
    let document = portal.get("/acme/api/v1/openapi.json", None).await.json();
    let mut found = BTreeMap::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let tags = operation["tags"]
                .as_array()
                .map(|tags| {
                    tags.iter()
                        .map(|t| t.as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            let ok = operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .filter_map(|code| code.parse::<u16>().ok())
                .filter(|code| (200..300).contains(code))
                .min()
                .unwrap_or(200);
            let path = path.strip_prefix("/api/v1").unwrap_or(path);
            found.insert(format!("{} {path}", method.to_uppercase()), (tags, ok));
        }
    }
    found
}

/// Masks the target's ids, so an error that names the id it was given still compares equal.
fn masked(reply: &Reply, ids: &Ids) -> (u16, String) {
    let mut text = reply.text.clone();
    for id in ids.all() {
        text = text.replace(id, "{id}");
    }
    (reply.status, text)
}

/// Every header of an answer as `name: value` lines, to search like a body.
fn header_text(headers: &HeaderMap) -> String {
    headers
        .iter()
        .map(|(name, value)| format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes())))
        .collect()
}

/// What a run checked, to show the matrix is not vacuous.
#[derive(Debug, Default)]
struct Tally {
    /// Requests sent in the matrix.
    cells: usize,
    /// Foreign objects compared with a missing id.
    compared: usize,
    /// Refused requests whose audit fingerprint was compared.
    refused: usize,
    /// Answers to acme's owner holding an acme canary: the canaries are there to find.
    acme_canaries_seen: usize,
    /// Answers to globex's owner holding a globex canary.
    globex_canaries_seen: usize,
    /// Cells answered to an API key, the host's login or through the custom domain with 2xx:
    /// the new ways in are exercised, not only refused.
    other_ways_in_succeeded: usize,
    /// Cells compared with the same cell of the caller's twin.
    twins_compared: usize,
    /// Denied or failed events in both audit chains at the end of each row.
    denials_audited: usize,
}

impl Tally {
    fn add(&mut self, other: &Self) {
        self.cells += other.cells;
        self.compared += other.compared;
        self.refused += other.refused;
        self.acme_canaries_seen += other.acme_canaries_seen;
        self.globex_canaries_seen += other.globex_canaries_seen;
        self.other_ways_in_succeeded += other.other_ways_in_succeeded;
        self.twins_compared += other.twins_compared;
        self.denials_audited += other.denials_audited;
    }
}

/// One answer of a row, kept to compare twins: status and masked body.
type Answers = BTreeMap<(Who, &'static str, Target), (u16, String)>;

/// Runs one row in a fresh world; returns what broke.
async fn run_row(row: &Row, tags: &[String], documented_ok: u16) -> (Vec<String>, Tally) {
    let mut tally = Tally::default();
    let world = World::build().await;
    let key = row.key();
    let public = PUBLIC.contains(&key.as_str());
    let session_only = SESSION_ONLY.contains(&key.as_str());
    let staff_route = tags.iter().any(|tag| tag == "staff");
    let mut failures = Vec::new();
    let mut fail = |text: String| failures.push(format!("{key}: {text}"));

    // The row is valid: a permitted caller gets through on A1 with its own fresh session.
    let proof = match row.ok {
        Proof::Documented(who) | Proof::Last(who) => (who, documented_ok),
        Proof::Status(who, status) => (who, status),
    };
    if !matches!(row.ok, Proof::Last(_)) {
        prove(&world, row, proof, &mut fail).await;
    }

    let targets: &[Target] = if row.reach == Reach::None {
        &[Target::None]
    } else {
        &[Target::Missing, Target::Globex, Target::A2, Target::A1]
    };
    let mut answers = Answers::new();
    // Only requests change the world: each cell's "after" is the next cell's "before".
    let mut fingerprint = world.fingerprint().await;
    for who in Who::REFUSED_FIRST {
        for &via in who.vias() {
            let tenant = via.tenant();
            let mut missing: Option<(u16, String)> = None;
            for &target in targets {
                let ids = world.target(target);
                let (path, payload) = (row.build)(ids);
                let reply = world
                    .send_as(who, via, row.method.clone(), &path, Some(payload))
                    .await;
                let after = world.fingerprint().await;
                let changed = after != fingerprint;
                fingerprint = after;
                let cell = format!("{who:?} via {via:?} → {target:?}");
                tally.cells += 1;
                if who == Who::Owner && reply.text.contains("canary-acme") {
                    tally.acme_canaries_seen += 1;
                }
                if who == Who::GlobexOwner && reply.text.contains("canary-globex") {
                    tally.globex_canaries_seen += 1;
                }
                let other_way_in = !who.has_session() || via == Via::AcmeDomain;
                if other_way_in && who != Who::Anonymous && (200..300).contains(&reply.status) {
                    tally.other_ways_in_succeeded += 1;
                }
                let seen = format!("{} {}", reply.status, reply.text);
                let sees = sees(who, tenant, target, row.reach);
                if reply.status >= 500 {
                    fail(format!("{cell}: server error {seen}"));
                }
                if reply.status >= 400 {
                    tally.refused += 1;
                }
                if reply.status >= 400 && changed {
                    fail(format!(
                        "{cell}: refused ({}) but data changed",
                        reply.status
                    ));
                }
                let headers = header_text(&reply.headers);
                for never in who.forbidden() {
                    if reply.text.contains(never) {
                        fail(format!("{cell}: leaks {never:?}: {seen}"));
                    }
                    if headers.contains(never) {
                        fail(format!("{cell}: leaks {never:?} in a header: {headers}"));
                    }
                }
                if (reply.status >= 400 || !sees) && headers.contains("canary") {
                    fail(format!(
                        "{cell}: a refused or unseen object's headers hold a canary: {headers}"
                    ));
                }
                let unauthenticated = who == Who::Anonymous
                    || who == Who::Disabled
                    || (who.is_globex() && tenant == "acme");
                if !public {
                    if unauthenticated && reply.status != 401 {
                        fail(format!("{cell}: expected 401 (SEC-25/SEC-27), got {seen}"));
                    }
                    if staff_route && !unauthenticated && who.is_contact() && reply.status != 403 {
                        fail(format!(
                            "{cell}: contact on a staff route, expected 403, got {seen}"
                        ));
                    }
                    if session_only && !unauthenticated && !who.has_session() && reply.status != 403
                    {
                        fail(format!(
                            "{cell}: an account act without a session, expected 403, got {seen}"
                        ));
                    }
                }
                let answer = masked(&reply, ids);
                answers.insert((who, tenant, target), answer.clone());
                if target == Target::Missing {
                    let empty_page = row.reach == Reach::Filter && reply.status == 200;
                    if !public && !matches!(reply.status, 401 | 403 | 404) && !empty_page {
                        fail(format!("{cell}: a missing id answered {seen}"));
                    }
                    missing = Some(answer);
                } else if !sees {
                    tally.compared += 1;
                    let empty_page = row.reach == Reach::Filter && reply.status == 200;
                    if !matches!(reply.status, 401 | 403 | 404) && !empty_page {
                        fail(format!("{cell}: a foreign object answered {seen} (SEC-26)"));
                    }
                    if missing.as_ref() != Some(&answer) {
                        fail(format!(
                            "{cell}: foreign object answered {seen}, missing id answered {:?} (SEC-26)",
                            missing
                        ));
                    }
                }
            }
        }
    }
    tally.twins_compared += compare_twins(row, session_only, &answers, &mut fail);
    if matches!(row.ok, Proof::Last(_)) {
        prove(&world, row, proof, &mut fail).await;
    }
    tally.denials_audited = world.denials().await;
    for leak in world.mail_and_outbox_leaks().await {
        fail(leak);
    }
    (failures, tally)
}

/// Holds each caller with a twin to it (see the file's header); returns the cells compared.
fn compare_twins(
    row: &Row,
    session_only: bool,
    answers: &Answers,
    fail: &mut impl FnMut(String),
) -> usize {
    let mut compared = 0;
    for (&(who, tenant, target), (status, body)) in answers {
        let Some(twin) = who.twin() else {
            continue;
        };
        let Some((twin_status, twin_body)) = answers.get(&(twin, tenant, target)) else {
            continue;
        };
        compared += 1;
        let cell = format!("{who:?} on {tenant} → {target:?}");
        if *twin_status == 403 && *status < 400 {
            fail(format!(
                "{cell}: answered {status} where {twin:?} is refused with 403: {body}"
            ));
        }
        // Account acts answer for the session they are made with, or need one.
        if row.method != Method::GET || session_only {
            continue;
        }
        if status != twin_status {
            fail(format!(
                "{cell}: a read answered {status}, {twin:?} answered {twin_status}: {body}"
            ));
        } else if who == Who::DomainClientAdmin && body != twin_body {
            fail(format!(
                "{cell}: through the custom domain the read answered {body}, through the path {twin_body}"
            ));
        }
    }
    compared
}

/// Checks that `who` gets `expected` for the row on A1's object.
async fn prove(
    world: &World,
    row: &Row,
    (who, expected): (Who, u16),
    fail: &mut impl FnMut(String),
) {
    let credential = match who.email() {
        Some(email) => Some(Credential::Cookie(world.sign_in(Via::Acme, email).await)),
        None => None,
    };
    let (path, payload) = (row.build)(world.target(Target::A1));
    let reply = world
        .send(
            Via::Acme,
            credential.as_ref(),
            row.method.clone(),
            &path,
            payload,
            false,
        )
        .await;
    if reply.status != expected {
        fail(format!(
            "ok check: {who:?} on A1 answered {} (expected {expected}): {}",
            reply.status, reply.text
        ));
    }
}

/// Runs the selected rows, each in its own world, and fails on any broken cell.
async fn run(area: &str, select: fn(&Row) -> bool) {
    let started = Instant::now();
    let portal = Portal::new().await;
    let documented = operations(&portal).await;
    let mut failures = Vec::new();
    let mut known = Vec::new();
    let mut count = 0;
    let mut tally = Tally::default();
    for row in rows()
        .iter()
        .chain(&filter_rows())
        .filter(|row| select(row))
    {
        let key = row.key();
        let Some((tags, ok)) = documented.get(&key) else {
            continue;
        };
        count += 1;
        let (broken, checked) = run_row(row, tags, *ok).await;
        tally.add(&checked);
        if KNOWN_GAPS.contains(&key.as_str()) {
            if broken.is_empty() {
                failures.push(format!("{key}: listed in KNOWN_GAPS but passes: remove it"));
            }
            known.extend(broken);
        } else {
            failures.extend(broken);
        }
    }
    for gap in &known {
        println!("KNOWN_GAPS {gap}");
    }
    println!(
        "{area}: {count} operations in {:.1} s; {tally:?}",
        started.elapsed().as_secs_f64()
    );
    assert!(count > 0, "{area}: no rows ran");
    assert!(tally.compared > 0 || area == "account and client side");
    assert!(
        tally.other_ways_in_succeeded > 0 && tally.twins_compared > 0,
        "{area}: keys, host logins and the custom domain were only refused"
    );
    assert!(
        failures.is_empty(),
        "{} isolation failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn area(row: &Row) -> u8 {
    let first = row.template.split('/').nth(1).unwrap_or_default();
    match first {
        "auth" | "openapi.json" | "me" | "dashboard" | "approvals" | "requests" | "threads" => 0,
        "projects" | "milestones" | "deliverables" | "tasks" | "updates" | "decisions" => 1,
        "documents" | "invoices" | "share-links" | "audit" | "api-keys" | "sync" => 2,
        _ => 3,
    }
}

#[tokio::test]
async fn every_operation_has_a_matrix_row_sec_25() {
    let portal = Portal::new().await;
    let documented: BTreeSet<String> = operations(&portal).await.into_keys().collect();
    let table: Vec<String> = rows().iter().map(Row::key).collect();
    let listed: BTreeSet<String> = table.iter().cloned().collect();
    assert_eq!(table.len(), listed.len(), "a row is listed twice");
    let unlisted: Vec<_> = documented.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&documented).collect();
    assert!(
        unlisted.is_empty(),
        "operations without an isolation matrix row: {unlisted:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for operations that no longer exist: {stale:?}"
    );
    for row in filter_rows() {
        assert!(
            documented.contains(&row.key()),
            "{} is not an operation",
            row.key()
        );
    }
    for key in PUBLIC.iter().chain(SESSION_ONLY).chain(KNOWN_GAPS) {
        assert!(listed.contains(*key), "{key} is not an operation");
    }
}

/// The document says who may call what as the matrix finds it: `security: []` on exactly the
/// public operations, the session scheme alone on exactly the session-only ones, and either
/// scheme (the document's default) everywhere else.
#[tokio::test]
async fn the_documents_security_is_what_the_routes_enforce_sec_25() {
    let portal = Portal::new().await;
    let document = portal.get("/acme/api/v1/openapi.json", None).await.json();
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .unwrap();
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "__Host-portal_session");
    assert_eq!(schemes["apiKey"]["scheme"], "bearer");
    assert_eq!(
        document["security"],
        serde_json::json!([{ "session": [] }, { "apiKey": [] }])
    );
    let (mut public, mut session_only) = (BTreeSet::new(), BTreeSet::new());
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let key = format!(
                "{} {}",
                method.to_uppercase(),
                path.strip_prefix("/api/v1").unwrap_or(path)
            );
            match &operation["security"] {
                serde_json::Value::Null => {}
                security if *security == serde_json::json!([]) => {
                    public.insert(key);
                }
                security if *security == serde_json::json!([{ "session": [] }]) => {
                    session_only.insert(key);
                }
                other => panic!("{key}: unexpected security {other}"),
            }
        }
    }
    let expected_public: BTreeSet<String> = PUBLIC.iter().map(|key| (*key).to_owned()).collect();
    let expected_session: BTreeSet<String> =
        SESSION_ONLY.iter().map(|key| (*key).to_owned()).collect();
    assert_eq!(public, expected_public);
    assert_eq!(session_only, expected_session);
}

#[tokio::test]
async fn matrix_account_and_client_side_sec_25_sec_26_sec_27() {
    run("account and client side", |row| area(row) == 0).await;
}

#[tokio::test]
async fn matrix_work_sec_25_sec_26_sec_27() {
    run("work", |row| area(row) == 1).await;
}

#[tokio::test]
async fn matrix_documents_finance_and_integrations_sec_25_sec_26_sec_27() {
    run("documents, finance and integrations", |row| area(row) == 2).await;
}

#[tokio::test]
async fn matrix_tenant_administration_sec_25_sec_26_sec_27() {
    run("tenant administration", |row| area(row) == 3).await;
}

/// A member of staff who may not manage some people — a manager (no `manage_staff`) facing
/// the staff, a member (neither permission) facing anyone — gets the same 403 for an id that
/// exists as for one that does not, on every change to people: the refusal cannot be used to
/// find out which ids are real (SEC-26). The matrix sees contacts only, and some of its rows
/// prove the act (deleting the membership) before the callers come; this covers the rest.
#[tokio::test]
async fn people_refusals_do_not_tell_existing_ids_from_missing_ones_sec_26() {
    use support::staff_api::{Auth, Team, acme, call};

    async fn send_to(
        portal: &Portal,
        method: Method,
        path: String,
        body: Option<Value>,
        cookie: &str,
    ) -> Reply {
        call(portal, method, &acme(&path), body, Auth::Cookie(cookie)).await
    }

    let s = Team::new().await;
    let portal = &s.portal;
    let manager = portal.login("acme", "manager@acme.test").await;
    support::staff(
        &portal.stores,
        portal.acme,
        "colleague@acme.test",
        BuiltinRole::Member,
    )
    .await;
    let users = send_to(
        portal,
        Method::GET,
        "/users?limit=200".into(),
        None,
        &s.owner,
    )
    .await
    .json();
    let user = |email: &str| {
        users["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|user| user["email"] == email)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let memberships = send_to(
        portal,
        Method::GET,
        "/memberships?limit=200".into(),
        None,
        &s.owner,
    )
    .await
    .json();
    let membership = |user: &str| {
        memberships["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|membership| membership["user_id"] == user)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let member_role = role_id(portal, portal.acme, BuiltinRole::Member)
        .await
        .to_string();
    let viewer_role = role_id(portal, portal.acme, BuiltinRole::Viewer)
        .await
        .to_string();
    let invite = |email: &str, client: Option<String>| {
        let body = json!({ "email": email, "role_id": member_role, "client_id": client });
        let viewer = json!({ "email": email, "role_id": viewer_role, "client_id": client });
        send_to(
            portal,
            Method::POST,
            "/invitations".into(),
            Some(if client.is_some() { viewer } else { body }),
            &s.owner,
        )
    };
    let staff_invitation = invite("new-staff@acme.test", None).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contact_invitation = invite(
        "new-contact@acme-a.test",
        Some(s.world.a.client.to_string()),
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let colleague = user("colleague@acme.test");
    let contact = user("approver@acme-a.test");
    let targets = [
        (
            "staff",
            colleague.clone(),
            membership(&colleague),
            staff_invitation,
        ),
        (
            "contact",
            contact.clone(),
            membership(&contact),
            contact_invitation,
        ),
    ];
    let missing = || Uuid::new_v4().to_string();
    let changes = || async {
        portal
            .stores
            .audit
            .list_events(
                &TenantScope::dangerous_system(portal.acme),
                AuditFilter::default(),
                Page::first(Page::MAX_LIMIT).unwrap(),
            )
            .await
            .unwrap()
            .items
            .iter()
            .filter(|event| event.outcome == AuditOutcome::Success)
            .count()
    };
    let before = changes().await;

    // (caller, kinds of people it may not manage)
    let callers = [
        ("manager", manager.as_str(), &["staff"][..]),
        ("member", s.member.as_str(), &["staff", "contact"][..]),
    ];
    let mut checked = 0;
    for (name, cookie, unmanaged) in callers {
        for (kind, user_id, membership_id, invitation_id) in &targets {
            if !unmanaged.contains(kind) {
                continue;
            }
            let acts: Vec<(Method, String, Option<Value>, String)> = vec![
                (
                    Method::PUT,
                    "/users/{}/name".into(),
                    Some(json!({ "name": "Renamed" })),
                    user_id.clone(),
                ),
                (
                    Method::POST,
                    "/users/{}/disable".into(),
                    None,
                    user_id.clone(),
                ),
                (
                    Method::POST,
                    "/users/{}/enable".into(),
                    None,
                    user_id.clone(),
                ),
                (
                    Method::PUT,
                    "/memberships/{}/role".into(),
                    Some(json!({ "role_id": member_role })),
                    membership_id.clone(),
                ),
                (
                    Method::PUT,
                    "/memberships/{}/clients".into(),
                    Some(json!({ "client_ids": [] })),
                    membership_id.clone(),
                ),
                (
                    Method::DELETE,
                    "/memberships/{}".into(),
                    None,
                    membership_id.clone(),
                ),
                (
                    Method::POST,
                    "/invitations/{}/revoke".into(),
                    None,
                    invitation_id.clone(),
                ),
            ];
            for (method, path, body, id) in acts {
                let existing = send_to(
                    portal,
                    method.clone(),
                    path.replace("{}", &id),
                    body.clone(),
                    cookie,
                )
                .await;
                let absent = send_to(
                    portal,
                    method.clone(),
                    path.replace("{}", &missing()),
                    body,
                    cookie,
                )
                .await;
                let cell = format!("{name} {method} {path} on a {kind}");
                assert_eq!(existing.status, 403, "{cell}: {}", existing.text);
                assert_eq!(
                    (absent.status, &absent.text),
                    (existing.status, &existing.text),
                    "{cell}: a missing id answers like an existing one"
                );
                checked += 1;
            }
            // Naming a person in the body: an existing user and a missing one alike.
            let add = |user: String| {
                let client = (*kind == "contact").then(|| s.world.b.client.to_string());
                let role = if client.is_some() {
                    &viewer_role
                } else {
                    &member_role
                };
                send_to(
                    portal,
                    Method::POST,
                    "/memberships".into(),
                    Some(json!({ "user_id": user, "role_id": role, "client_id": client })),
                    cookie,
                )
            };
            let existing = add(user_id.clone()).await;
            let absent = add(missing()).await;
            assert_eq!(
                existing.status, 403,
                "{name} adds a {kind}: {}",
                existing.text
            );
            assert_eq!(
                (absent.status, &absent.text),
                (existing.status, &existing.text)
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 24);
    let after = changes().await;
    assert_eq!(after, before, "a refused change wrote something");

    // Those who may manage everyone still learn that an id is not there…
    let nobody = missing();
    for (method, path) in [
        (Method::POST, format!("/users/{nobody}/disable")),
        (Method::DELETE, format!("/memberships/{nobody}")),
        (Method::POST, format!("/invitations/{nobody}/revoke")),
    ] {
        let reply = send_to(portal, method, path.clone(), None, &s.owner).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
    }
    // …and the manager still manages contacts.
    let renamed = send_to(
        portal,
        Method::PUT,
        format!("/users/{contact}/name"),
        Some(json!({ "name": "Renamed Approver" })),
        &manager,
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
}

/// The people a member of staff assigned to A1 reads, from the outside: its colleagues and
/// A1's contacts, and nothing of A2's — the list holds no A2 canary, and A2's contact by id
/// answers byte-for-byte like a missing id — while the owner reads everyone (SEC-26, SEC-27).
/// The matrix checks the refusals cell by cell; this shows what is still seen.
#[tokio::test]
async fn a_member_reads_only_the_contacts_of_its_clients_sec_26_sec_27() {
    let world = World::build().await;
    let read = |who: Who, path: String| {
        let world = &world;
        async move {
            world
                .send_as(who, Via::Acme, Method::GET, &path, None)
                .await
        }
    };
    let listed = |reply: &Reply| -> BTreeSet<String> {
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|user| user["email"].as_str().unwrap().to_owned())
            .collect()
    };

    let member = read(Who::MemberA1, "/users?limit=200".into()).await;
    let seen = listed(&member);
    for email in [
        "ada@acme.test",
        "member@acme.test",
        "member-a@acme.test",
        "bystander@acme-a.test",
        "approver@acme-a.test",
    ] {
        assert!(seen.contains(email), "{email} missing from {seen:?}");
    }
    assert!(
        seen.iter().all(|email| !email.ends_with("@acme-b.test")),
        "{seen:?}"
    );
    assert!(member.text.contains("canary-acme-a"), "{}", member.text);
    assert!(!member.text.contains("canary-acme-b"), "{}", member.text);
    let contacts = read(Who::MemberA1, "/users?side=client&limit=200".into()).await;
    assert!(
        !contacts.text.contains("canary-acme-b"),
        "{}",
        contacts.text
    );

    let own = read(Who::MemberA1, format!("/users/{}", world.a1.user)).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert!(own.text.contains("canary-acme-a"), "{}", own.text);
    let other = read(Who::MemberA1, format!("/users/{}", world.a2.user)).await;
    let missing = read(Who::MemberA1, format!("/users/{}", world.missing.user)).await;
    assert_eq!(other.status, 404, "{}", other.text);
    assert_eq!(masked(&other, &world.a2), masked(&missing, &world.missing));

    // A member of no client sees its colleagues only.
    let lonely = read(Who::MemberNone, "/users?limit=200".into()).await;
    assert!(
        listed(&lonely)
            .iter()
            .all(|email| email.ends_with("@acme.test")),
        "{}",
        lonely.text
    );

    let owner = listed(&read(Who::Owner, "/users?limit=200".into()).await);
    assert!(owner.contains("bystander@acme-a.test") && owner.contains("bystander@acme-b.test"));
    let by_id = read(Who::Owner, format!("/users/{}", world.a2.user)).await;
    assert!(by_id.text.contains("canary-acme-b"), "{}", by_id.text);
}
