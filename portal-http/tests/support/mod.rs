//! A portal over the memory store, with two tenants, cheap argon2 and a manual clock, driven
//! through the router with `oneshot`.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use http_body_util::BodyExt as _;
use portal_auth::password::{Argon2Config, PasswordHasher};
use portal_auth::{
    AuthConfig, Authenticator, MailSetup, ManualClock, PortalLinks, RecordingMailer, TotpKey,
};
use portal_core::model::{Branding, NewTenant};
use portal_core::{BuiltinRole, DisplayName, HexColour, Slug, TenantId, UserId};
use portal_http::{HttpConfig, PortalParts, PortalState, router};
use portal_storage::Stores;
use portal_storage::blob::{BlobStore, MemoryBlobStore};
use tower::ServiceExt as _;

pub const PASSWORD: &str = "canary-Secret-4711 harbour";

/// Where links in mail point unless a test says otherwise.
const ORIGIN: &str = "https://portal.example.com";

pub struct Portal {
    pub stores: Stores,
    pub state: PortalState,
    pub router: Router,
    pub clock: ManualClock,
    pub mailer: RecordingMailer,
    pub acme: TenantId,
    pub globex: TenantId,
    pub ada: UserId,
}

fn branding(name: &str) -> Branding {
    Branding {
        display_name: DisplayName::parse(name).unwrap(),
        logo_url: None,
        favicon_url: None,
        primary_colour: HexColour::parse("#123456").unwrap(),
        accent_colour: HexColour::parse("#abcdef").unwrap(),
        font: None,
        custom_css: None,
        email_sender_name: None,
        email_sender_address: None,
        default_locale: None,
    }
}

async fn tenant(stores: &Stores, slug: &str, name: &str) -> TenantId {
    stores
        .tenants
        .create_tenant(NewTenant {
            slug: Slug::parse(slug).unwrap(),
            branding: branding(name),
        })
        .await
        .unwrap()
        .id
}

/// A member of staff of `tenant` holding `role`, with the test password.
pub async fn staff(stores: &Stores, tenant: TenantId, email: &str, role: BuiltinRole) -> UserId {
    client_work::person(stores, tenant, email, role, None).await
}

/// The id of acme's user with `email`.
pub async fn user_id(portal: &Portal, email: &str) -> UserId {
    portal
        .stores
        .identities
        .credentials_by_email(portal.acme, &portal_core::Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .user
        .id
}

fn cheap() -> Argon2Config {
    Argon2Config::default()
        .with_memory_kib(256)
        .with_iterations(1)
}

impl Portal {
    pub async fn new() -> Self {
        Self::with_config(HttpConfig::default()).await
    }

    pub async fn with_config(config: HttpConfig) -> Self {
        Self::build(config, None).await
    }

    /// A portal whose links in mail start with `origin`.
    pub async fn with_links(config: HttpConfig, origin: &str) -> Self {
        Self::assemble(
            config,
            None,
            Arc::new(MemoryBlobStore::new()),
            |stores| stores,
            origin,
        )
        .await
    }

    pub async fn build(
        config: HttpConfig,
        host_identity: Option<Arc<dyn portal_http::HostIdentity>>,
    ) -> Self {
        Self::build_with_blobs(config, host_identity, MemoryBlobStore::new()).await
    }

    /// A portal over `blobs`, which the caller keeps a handle on to inspect what was stored.
    pub async fn build_with_blobs(
        config: HttpConfig,
        host_identity: Option<Arc<dyn portal_http::HostIdentity>>,
        blobs: MemoryBlobStore,
    ) -> Self {
        Self::assemble(
            config,
            host_identity,
            Arc::new(blobs),
            |stores| stores,
            ORIGIN,
        )
        .await
    }

    /// A portal over a blob store of the test's own (one that counts or fails reads, say).
    pub async fn with_blob_store(config: HttpConfig, blobs: Arc<dyn BlobStore>) -> Self {
        Self::assemble(config, None, blobs, |stores| stores, ORIGIN).await
    }

    /// A portal whose stores, once seeded, pass through `swap`: a test puts a store of its own
    /// (a failing one, say) in place of one of them.
    pub async fn with_stores(config: HttpConfig, swap: impl FnOnce(Stores) -> Stores) -> Self {
        Self::assemble(config, None, Arc::new(MemoryBlobStore::new()), swap, ORIGIN).await
    }

    /// [`with_stores`](Self::with_stores) over `blobs`, which the caller keeps a handle on.
    pub async fn with_stores_and_blobs(
        config: HttpConfig,
        blobs: MemoryBlobStore,
        swap: impl FnOnce(Stores) -> Stores,
    ) -> Self {
        Self::assemble(config, None, Arc::new(blobs), swap, ORIGIN).await
    }

    async fn assemble(
        config: HttpConfig,
        host_identity: Option<Arc<dyn portal_http::HostIdentity>>,
        blobs: Arc<dyn BlobStore>,
        swap: impl FnOnce(Stores) -> Stores,
        origin: &str,
    ) -> Self {
        let stores = Stores::memory();
        let acme = tenant(&stores, "acme", "Acme Agency").await;
        let globex = tenant(&stores, "globex", "Globex Studio").await;
        let ada = staff(&stores, acme, "ada@acme.test", BuiltinRole::Owner).await;
        staff(&stores, globex, "gil@globex.test", BuiltinRole::Owner).await;
        let stores = swap(stores);
        let clock = ManualClock::starting_now();
        let authenticator = Authenticator::new(
            stores.clone(),
            PasswordHasher::new(cheap()).unwrap(),
            AuthConfig::default(),
            Arc::new(clock.clone()),
        );
        let mailer = RecordingMailer::new();
        let state = PortalState::new(PortalParts {
            stores: stores.clone(),
            blobs,
            authenticator,
            mail: MailSetup::new(Arc::new(mailer.clone()), PortalLinks::new(origin).unwrap()),
            totp_key: TotpKey::generate().unwrap(),
            config,
            host_identity,
        });
        Self {
            stores,
            router: router(state.clone()),
            state,
            clock,
            mailer,
            acme,
            globex,
            ada,
        }
    }

    /// The audit events of `tenant` with `action`, newest first (up to the largest page).
    pub async fn audit_events(
        &self,
        tenant: TenantId,
        action: &str,
    ) -> Vec<portal_core::model::AuditEvent> {
        self.stores
            .audit
            .list_events(
                &portal_core::TenantScope::dangerous_system(tenant),
                portal_storage::AuditFilter {
                    action: Some(action.to_owned()),
                    ..portal_storage::AuditFilter::default()
                },
                portal_storage::Page::first(portal_storage::Page::MAX_LIMIT).unwrap(),
            )
            .await
            .unwrap()
            .items
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        Reply::read(response).await
    }

    /// A JSON POST from the portal's own page.
    pub async fn post(&self, path: &str, body: serde_json::Value, cookie: Option<&str>) -> Reply {
        let mut request = Request::post(path)
            .header(header::HOST, "portal.example.com")
            .header(header::CONTENT_TYPE, "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(path).header(header::HOST, "portal.example.com");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Logs in and returns the `name=value` of the session cookie.
    pub async fn login(&self, tenant: &str, email: &str) -> String {
        let reply = self
            .post(
                &format!("/{tenant}/api/v1/auth/login"),
                serde_json::json!({ "email": email, "password": PASSWORD }),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.cookie().unwrap()
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    async fn read(response: Response<Body>) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Self {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }

    pub fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap().to_owned()
    }

    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get(header::SET_COOKIE)
            .map(|value| value.to_str().unwrap().to_owned())
    }

    /// The `name=value` part of the session cookie set by this reply.
    pub fn cookie(&self) -> Option<String> {
        self.set_cookie()
            .map(|cookie| cookie.split(';').next().unwrap().to_owned())
    }
}

// client work fixtures: begin
//
// Each seeded client gets the same set of work, with its label in every title so responses can
// be searched for canaries: `canary-<label>` in everything, `canary-internal-<label>` in what
// only staff may see.

pub mod client_work {
    use portal_core::model::{
        ApprovalRequest, AuditContext, ClientInput, DeliverableInput, InvoiceInput, MilestoneInput,
        NewDecision, NewDocument, NewDocumentVersion, NewMessage, NewRequest, NewTask, NewUpdate,
        NewUser, ProjectInput, ProjectStatus, TaskOwner, ThreadSubject,
    };
    use portal_core::state::{DeliverableStatus, InvoiceStatus, MilestoneStatus, Sha256Digest};
    use portal_core::{
        ApprovalId, BuiltinRole, ClientId, Currency, DecisionId, DeliverableId, DisplayName,
        DocumentId, Email, HttpsUrl, InvoiceId, MembershipKind, MilestoneId, Money, ProjectId,
        RequestId, Side, TaskId, TenantId, TenantScope, UpdateId, UserId, Visibility,
    };
    use portal_storage::Stores;
    use time::macros::date;

    use super::{PASSWORD, Portal, cheap};
    use portal_auth::password::{Password, PasswordHasher};

    /// The SHA-256 every seeded document version has.
    pub const VERSION_SHA: [u8; 32] = [7; 32];

    /// One client's seeded work.
    pub struct Work {
        pub label: &'static str,
        pub tenant: TenantId,
        pub client: ClientId,
        pub project: ProjectId,
        pub internal_project: ProjectId,
        pub milestone_done: MilestoneId,
        pub milestone: MilestoneId,
        pub internal_milestone: MilestoneId,
        pub deliverable: DeliverableId,
        pub document: DocumentId,
        pub approval: ApprovalId,
        pub update: UpdateId,
        pub draft_update: UpdateId,
        pub decision: DecisionId,
        pub internal_decision: DecisionId,
        pub client_task: TaskId,
        pub team_task: TaskId,
        pub internal_task: TaskId,
        pub request: RequestId,
        pub invoice: InvoiceId,
        pub draft_invoice: InvoiceId,
    }

    impl Work {
        /// The email of this client's contact holding `role`.
        pub fn contact(&self, role: &str) -> String {
            format!("{role}@{}.test", self.label)
        }

        pub fn version_sha(&self) -> String {
            Sha256Digest::from_bytes(VERSION_SHA).to_hex()
        }
    }

    /// acme's clients A and B, and globex's one client; staff `manager@<tenant>.test` (all
    /// clients) and `member@<tenant>.test` (no client assigned) in both tenants.
    pub struct World {
        pub a: Work,
        pub b: Work,
        pub globex: Work,
    }

    pub async fn seed(portal: &Portal) -> World {
        let stores = &portal.stores;
        let acme_manager = person(
            stores,
            portal.acme,
            "manager@acme.test",
            BuiltinRole::Manager,
            None,
        )
        .await;
        person(
            stores,
            portal.acme,
            "member@acme.test",
            BuiltinRole::Member,
            None,
        )
        .await;
        let globex_manager = person(
            stores,
            portal.globex,
            "manager@globex.test",
            BuiltinRole::Manager,
            None,
        )
        .await;
        person(
            stores,
            portal.globex,
            "member@globex.test",
            BuiltinRole::Member,
            None,
        )
        .await;
        World {
            a: work(stores, portal.acme, acme_manager, "acme-a").await,
            b: work(stores, portal.acme, acme_manager, "acme-b").await,
            globex: work(stores, portal.globex, globex_manager, "globex-g").await,
        }
    }

    fn ctx() -> AuditContext {
        AuditContext::default()
    }

    fn name(text: &str) -> DisplayName {
        DisplayName::parse(text).unwrap()
    }

    pub async fn scope_of(stores: &Stores, tenant: TenantId, user: UserId) -> TenantScope {
        let memberships = stores
            .memberships
            .memberships_of(tenant, user)
            .await
            .unwrap();
        TenantScope::from_memberships(&memberships).unwrap()
    }

    /// A user with a password: staff with `role` (all or no clients), or a contact of `client`.
    pub async fn person(
        stores: &Stores,
        tenant: TenantId,
        email: &str,
        role: BuiltinRole,
        client: Option<ClientId>,
    ) -> UserId {
        let system = TenantScope::dangerous_system(tenant);
        let user = stores
            .identities
            .create_user(
                &system,
                NewUser {
                    email: Email::parse(email).unwrap(),
                    name: name(role.title()),
                    side: role.side(),
                },
                &ctx(),
            )
            .await
            .unwrap();
        let role_id = stores
            .memberships
            .roles(&system)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.builtin_role() == Some(role))
            .unwrap()
            .id();
        let kind = match (role.side(), client) {
            (Side::Client, Some(client)) => MembershipKind::Contact { client },
            _ => MembershipKind::Staff {
                assigned_clients: Vec::new(),
            },
        };
        stores
            .memberships
            .add_membership(&system, user.id, role_id, kind, &ctx())
            .await
            .unwrap();
        let hash = PasswordHasher::new(cheap())
            .unwrap()
            .hash(Password::from(PASSWORD))
            .await
            .unwrap();
        stores
            .identities
            .set_password_hash(tenant, user.id, hash)
            .await
            .unwrap();
        user.id
    }

    /// The one membership of `user` in `tenant` (a member of staff's, or a contact's of one
    /// client).
    pub async fn membership_of(
        stores: &Stores,
        tenant: TenantId,
        user: UserId,
    ) -> portal_core::model::MembershipRecord {
        stores
            .memberships
            .list_memberships(
                &TenantScope::dangerous_system(tenant),
                None,
                portal_storage::Page::first(200).unwrap(),
            )
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|membership| membership.user == user)
            .unwrap()
    }

    /// Gives `user`, who holds one membership of `tenant`, a new custom role of `side` holding
    /// exactly `permissions`.
    pub async fn give_custom_role(
        stores: &Stores,
        tenant: TenantId,
        user: UserId,
        side: Side,
        permissions: portal_core::PermissionSet,
    ) {
        let system = TenantScope::dangerous_system(tenant);
        let role = stores
            .memberships
            .create_role(
                &system,
                name(&format!("Custom {user}")),
                side,
                permissions,
                &ctx(),
            )
            .await
            .unwrap();
        let membership = membership_of(stores, tenant, user).await;
        stores
            .memberships
            .change_role(&system, membership.id, role.id(), &ctx())
            .await
            .unwrap();
    }

    /// A member of staff of `tenant` whose role holds exactly `permissions`, with the test
    /// password.
    pub async fn custom_staff(
        stores: &Stores,
        tenant: TenantId,
        email: &str,
        permissions: portal_core::PermissionSet,
    ) -> UserId {
        let user = person(stores, tenant, email, BuiltinRole::Member, None).await;
        give_custom_role(stores, tenant, user, Side::Staff, permissions).await;
        user
    }

    /// `archivist@acme.test`: a member of staff with an admin's permissions except
    /// `view_internal` — one who may export a client's data but not its internal objects.
    pub async fn archivist(portal: &Portal) -> UserId {
        let permissions = BuiltinRole::Admin
            .default_permissions()
            .without(portal_core::Permission::ViewInternal);
        custom_staff(
            &portal.stores,
            portal.acme,
            "archivist@acme.test",
            permissions,
        )
        .await
    }

    /// One client with contacts of every client role and a full set of shared and internal work.
    pub async fn work(
        stores: &Stores,
        tenant: TenantId,
        manager: UserId,
        label: &'static str,
    ) -> Work {
        let sys = TenantScope::dangerous_system(tenant);
        let staff = scope_of(stores, tenant, manager).await;
        let shown = |title: &str| name(&format!("{title} canary-{label}"));
        let hidden = |title: &str| name(&format!("{title} canary-internal-{label}"));
        let client = stores
            .clients
            .create_client(
                &sys,
                ClientInput {
                    name: shown("Client"),
                    external_id: None,
                    branding: None,
                },
                &ctx(),
            )
            .await
            .unwrap()
            .id;
        let approver = person(
            stores,
            tenant,
            &format!("approver@{label}.test"),
            BuiltinRole::Approver,
            Some(client),
        )
        .await;
        for role in [
            BuiltinRole::ClientAdmin,
            BuiltinRole::Finance,
            BuiltinRole::Viewer,
        ] {
            person(
                stores,
                tenant,
                &format!("{}@{label}.test", role.name()),
                role,
                Some(client),
            )
            .await;
        }
        let eur = Currency::parse("EUR").unwrap();
        let project_input = |title: DisplayName, external_id: Option<String>| ProjectInput {
            client,
            name: title,
            description: format!("About canary-{label}"),
            status: ProjectStatus::Active,
            schedule: None,
            budget: Some(Money::new(5_000_000, eur)),
            external_id,
        };
        let p = &stores.projects;
        let project = p
            .create_project(
                &sys,
                project_input(
                    shown("Website"),
                    Some(format!("ext-canary-internal-{label}")),
                ),
                &ctx(),
            )
            .await
            .unwrap()
            .id;
        p.set_project_visibility(&sys, project, Visibility::Shared, &ctx())
            .await
            .unwrap();
        let internal_project = p
            .create_project(&sys, project_input(hidden("Pitch"), None), &ctx())
            .await
            .unwrap()
            .id;

        let m = &stores.milestones;
        let milestone_input = |title: DisplayName, position| MilestoneInput {
            project,
            title,
            due_on: Some(date!(2030 - 01 - 01)),
            position,
            external_id: None,
        };
        let milestone_done = m
            .create_milestone(&sys, milestone_input(shown("Discovery"), 1), &ctx())
            .await
            .unwrap()
            .id;
        let milestone = m
            .create_milestone(&sys, milestone_input(shown("Design"), 2), &ctx())
            .await
            .unwrap()
            .id;
        let internal_milestone = m
            .create_milestone(&sys, milestone_input(hidden("Risk review"), 3), &ctx())
            .await
            .unwrap()
            .id;
        for id in [milestone_done, milestone] {
            m.set_milestone_visibility(&sys, id, Visibility::Shared, &ctx())
                .await
                .unwrap();
            m.move_milestone(&sys, id, MilestoneStatus::InProgress, &ctx())
                .await
                .unwrap();
        }
        m.move_milestone(&sys, milestone_done, MilestoneStatus::Completed, &ctx())
            .await
            .unwrap();

        let d = &stores.deliverables;
        let deliverable = d
            .create_deliverable(
                &sys,
                DeliverableInput {
                    milestone,
                    title: shown("Homepage mock-up"),
                    due_on: None,
                    external_id: None,
                },
                &ctx(),
            )
            .await
            .unwrap()
            .id;
        d.set_deliverable_visibility(&sys, deliverable, Visibility::Shared, &ctx())
            .await
            .unwrap();
        d.move_deliverable(&sys, deliverable, DeliverableStatus::InProgress, &ctx())
            .await
            .unwrap();

        let document = stores
            .documents
            .create_document(
                &sys,
                NewDocument {
                    client,
                    project: Some(project),
                    title: shown("Mock-up PDF"),
                    visibility: Visibility::Shared,
                },
                &ctx(),
            )
            .await
            .unwrap()
            .id;
        let version = stores
            .documents
            .add_version(
                &sys,
                document,
                NewDocumentVersion {
                    blob_key: format!("{tenant}/{}", uuid::Uuid::new_v4().simple()),
                    sha256: Sha256Digest::from_bytes(VERSION_SHA),
                    size: 1000,
                    content_type: "application/pdf".into(),
                    file_name: "mock-up.pdf".into(),
                    via_share_link: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        let approval = stores
            .approvals
            .request_approval(
                &staff,
                ApprovalRequest {
                    deliverable: Some(deliverable),
                    document_version: version.id,
                    message: format!("Please approve canary-{label}"),
                    due_at: None,
                },
                &ctx(),
            )
            .await
            .unwrap()
            .id;

        let u = &stores.updates;
        let new_update = |title| NewUpdate {
            project,
            title,
            body: format!("Progress canary-{label}"),
        };
        let update = u
            .create_update(&staff, new_update(shown("Week 1")), &ctx())
            .await
            .unwrap()
            .id;
        u.set_update_visibility(&staff, update, Visibility::Shared, &ctx())
            .await
            .unwrap();
        let draft_update = u
            .create_update(&staff, new_update(hidden("Week 2 draft")), &ctx())
            .await
            .unwrap()
            .id;

        let dc = &stores.decisions;
        let new_decision = |title| NewDecision {
            project,
            title,
            body: String::new(),
            decided_on: date!(2026 - 01 - 15),
        };
        let decision = dc
            .create_decision(&staff, new_decision(shown("Blue theme")), &ctx())
            .await
            .unwrap()
            .id;
        dc.set_decision_visibility(&staff, decision, Visibility::Shared, &ctx())
            .await
            .unwrap();
        let internal_decision = dc
            .create_decision(&staff, new_decision(hidden("Discount")), &ctx())
            .await
            .unwrap()
            .id;

        let t = &stores.tasks;
        let new_task = |title, owner, due_on| NewTask {
            project,
            title,
            owner,
            assignee: None,
            due_on,
        };
        let client_task = t
            .create_task(
                &staff,
                new_task(
                    shown("Send the logo"),
                    TaskOwner::Client,
                    Some(date!(2030 - 02 - 01)),
                ),
                &ctx(),
            )
            .await
            .unwrap()
            .id;
        let team_task = t
            .create_task(
                &staff,
                new_task(
                    shown("Build the page"),
                    TaskOwner::Team,
                    Some(date!(2030 - 01 - 15)),
                ),
                &ctx(),
            )
            .await
            .unwrap()
            .id;
        for id in [client_task, team_task] {
            t.set_task_visibility(&staff, id, Visibility::Shared, &ctx())
                .await
                .unwrap();
        }
        let internal_task = t
            .create_task(
                &staff,
                new_task(hidden("Chase payment"), TaskOwner::Client, None),
                &ctx(),
            )
            .await
            .unwrap()
            .id;

        let contact = scope_of(stores, tenant, approver).await;
        let request = stores
            .requests
            .submit_request(
                &contact,
                NewRequest {
                    client,
                    project: Some(project),
                    title: shown("New page"),
                    body: format!("Please add a page canary-{label}"),
                },
                &ctx(),
            )
            .await
            .unwrap()
            .id;
        for (subject, body, visibility) in [
            (
                ThreadSubject::Project(project),
                format!("Hello canary-{label}"),
                Visibility::Shared,
            ),
            (
                ThreadSubject::Project(project),
                format!("Note canary-internal-{label}"),
                Visibility::Internal,
            ),
            (
                ThreadSubject::Request(request),
                format!("On it canary-{label}"),
                Visibility::Shared,
            ),
            (
                ThreadSubject::Request(request),
                format!("Cheap fix canary-internal-{label}"),
                Visibility::Internal,
            ),
        ] {
            stores
                .threads
                .post_message(
                    &staff,
                    NewMessage {
                        subject,
                        body,
                        visibility,
                    },
                    &ctx(),
                )
                .await
                .unwrap();
        }

        let invoice_input = |number: String, status| InvoiceInput {
            client,
            project: Some(project),
            number,
            amount: Money::new(120_000, eur),
            status,
            issued_on: Some(date!(2026 - 01 - 01)),
            due_on: Some(date!(2099 - 01 - 31)),
            payment_url: Some(HttpsUrl::parse("https://pay.example.com/inv/1").unwrap()),
            internal_note: Some(format!("Slow payer canary-internal-{label}")),
            external_id: Some(format!("bill-canary-internal-{label}")),
        };
        let invoice = stores
            .invoices
            .create_invoice(
                &sys,
                invoice_input(format!("INV-1 canary-{label}"), InvoiceStatus::Open),
                &ctx(),
            )
            .await
            .unwrap()
            .id;
        let draft_invoice = stores
            .invoices
            .create_invoice(
                &sys,
                InvoiceInput {
                    external_id: None,
                    ..invoice_input(
                        format!("INV-2 canary-internal-{label}"),
                        InvoiceStatus::Draft,
                    )
                },
                &ctx(),
            )
            .await
            .unwrap()
            .id;

        Work {
            label,
            tenant,
            client,
            project,
            internal_project,
            milestone_done,
            milestone,
            internal_milestone,
            deliverable,
            document,
            approval,
            update,
            draft_update,
            decision,
            internal_decision,
            client_task,
            team_task,
            internal_task,
            request,
            invoice,
            draft_invoice,
        }
    }
}
// client work fixtures: end

// staff api helpers: begin

pub mod staff_api {
    use axum::body::Body;
    use axum::http::{Method, Request, header};
    use portal_core::{BuiltinRole, RoleId, TenantId, TenantScope};

    use super::client_work::{self, World};
    use super::{Portal, Reply};

    /// A path of acme's API.
    pub fn acme(rest: &str) -> String {
        format!("/acme/api/v1{rest}")
    }

    /// A path of globex's API.
    pub fn globex(rest: &str) -> String {
        format!("/globex/api/v1{rest}")
    }

    /// An id no object has.
    pub const NOBODY: &str = "0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee";

    /// A seeded portal and the cookies of acme's owner, a member of acme's staff, a contact of
    /// acme's client A, and globex's owner.
    pub struct Team {
        pub portal: Portal,
        pub world: World,
        pub owner: String,
        pub member: String,
        pub contact: String,
        pub foreign: String,
    }

    impl Team {
        /// The seeded world, with `member@acme.test` (no clients assigned) as the member.
        pub async fn new() -> Self {
            let portal = Portal::new().await;
            let world = client_work::seed(&portal).await;
            let member = portal.login("acme", "member@acme.test").await;
            Self::with_member(portal, world, member).await
        }

        /// The seeded world with the member signed in as `member`.
        pub async fn with_member(portal: Portal, world: World, member: String) -> Self {
            let owner = portal.login("acme", "ada@acme.test").await;
            let contact = portal.login("acme", &world.a.contact("client_admin")).await;
            let foreign = portal.login("globex", "gil@globex.test").await;
            Self {
                portal,
                world,
                owner,
                member,
                contact,
                foreign,
            }
        }

        /// A request signed in by `cookie`.
        pub async fn send(
            &self,
            method: Method,
            path: &str,
            body: Option<serde_json::Value>,
            cookie: &str,
        ) -> Reply {
            call(&self.portal, method, path, body, Auth::Cookie(cookie)).await
        }

        /// A request with no credentials.
        pub async fn anonymous(
            &self,
            method: Method,
            path: &str,
            body: Option<serde_json::Value>,
        ) -> Reply {
            call(&self.portal, method, path, body, Auth::None).await
        }

        /// The 404 a missing id gets: what a foreign id must be byte-identical to (SEC-26).
        pub async fn missing(
            &self,
            method: Method,
            path: &str,
            body: Option<serde_json::Value>,
            cookie: &str,
        ) -> Reply {
            let reply = self.send(method, path, body, cookie).await;
            assert_eq!(reply.status, 404, "{}", reply.text);
            reply
        }

        /// The JSON of what acme's owner creates with a POST to `path` (asserting the 201).
        pub async fn created(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
            let reply = self
                .send(Method::POST, &acme(path), Some(body), &self.owner)
                .await;
            assert_eq!(reply.status, 201, "{path}: {}", reply.text);
            reply.json()
        }

        /// Asserts that globex's owner gets exactly the answer for a missing id at `path` with
        /// `id` in place of `{}` (SEC-26).
        pub async fn foreign_is_missing(
            &self,
            method: Method,
            path: &str,
            id: &str,
            body: Option<serde_json::Value>,
        ) {
            let nobody = self
                .send(
                    method.clone(),
                    &globex(&path.replace("{}", NOBODY)),
                    body.clone(),
                    &self.foreign,
                )
                .await;
            assert_eq!(nobody.status, 404, "{path}: {}", nobody.text);
            let foreign = self
                .send(
                    method,
                    &globex(&path.replace("{}", id)),
                    body,
                    &self.foreign,
                )
                .await;
            assert_eq!(foreign.status, 404, "{path}: {}", foreign.text);
            assert_eq!(foreign.text, nobody.text, "{path}");
        }
    }

    /// A request of any method from the portal's own page, with a JSON body if given, signed
    /// in by a session cookie or by an API key (`Bearer`).
    pub async fn call(
        portal: &Portal,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        auth: Auth<'_>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "portal.example.com")
            .header("sec-fetch-site", "same-origin");
        match auth {
            Auth::None => {}
            Auth::Cookie(cookie) => request = request.header(header::COOKIE, cookie),
            Auth::Bearer(key) => {
                request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
            }
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        portal.send(request.body(body).unwrap()).await
    }

    /// How a request authenticates.
    #[derive(Debug, Clone, Copy)]
    pub enum Auth<'a> {
        None,
        Cookie(&'a str),
        Bearer(&'a str),
    }

    /// The id of a built-in role of `tenant`.
    pub async fn role_id(portal: &Portal, tenant: TenantId, role: BuiltinRole) -> RoleId {
        portal
            .stores
            .memberships
            .roles(&TenantScope::dangerous_system(tenant))
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.builtin_role() == Some(role))
            .unwrap()
            .id()
    }
}

// staff api helpers: end

// api key helpers: begin

pub mod api_keys {
    use portal_auth::ApiKeySecret;
    use portal_core::model::{AuditContext, NewApiKey};
    use portal_core::{DisplayName, Permission, PermissionSet, TenantId, TenantScope, UserId};

    use super::Portal;

    /// An API key of `creator` with `permissions`, stored directly (no step-up): the whole
    /// `ptk_<prefix>_<secret>` to send as `Authorization: Bearer …`. The creator needs
    /// `manage_api_keys` and every permission given.
    pub async fn api_key(
        portal: &Portal,
        tenant: TenantId,
        creator: UserId,
        permissions: &[Permission],
    ) -> String {
        const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
        let memberships = portal
            .stores
            .memberships
            .memberships_of(tenant, creator)
            .await
            .unwrap();
        let scope = TenantScope::from_memberships(&memberships).unwrap();
        let prefix: String = uuid::Uuid::new_v4().as_bytes()[..12]
            .iter()
            .map(|byte| char::from(ALPHABET[usize::from(byte & 0x1f)]))
            .collect();
        let secret = ApiKeySecret::generate().unwrap();
        portal
            .stores
            .api_keys
            .create_api_key(
                &scope,
                NewApiKey {
                    name: DisplayName::parse("Integration").unwrap(),
                    prefix: prefix.clone(),
                    secret_hash: secret.hash(),
                    permissions: PermissionSet::from_slice(permissions),
                },
                &AuditContext::default(),
            )
            .await
            .unwrap();
        format!("ptk_{prefix}_{}", secret.expose_secret())
    }
}

// api key helpers: end

// host identity helpers: begin

pub mod host {
    use axum::http::request::Parts;
    use portal_core::model::Tenant;
    use portal_core::{Email, UserId};
    use portal_http::{ApiError, HostIdentity};
    use portal_storage::Stores;

    /// The header in which the stand-in host login names its user by email.
    pub const HOST_USER: &str = "x-host-user";

    /// A host product's login, reduced to a header: the user it names by email in the request's
    /// tenant (a real host reads its own session instead).
    pub struct HeaderIdentity;

    #[async_trait::async_trait]
    impl HostIdentity for HeaderIdentity {
        async fn portal_user(
            &self,
            request: &Parts,
            tenant: &Tenant,
            stores: &Stores,
        ) -> Result<Option<UserId>, ApiError> {
            let Some(email) = request
                .headers
                .get(HOST_USER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| Email::parse(value).ok())
            else {
                return Ok(None);
            };
            let credentials = stores
                .identities
                .credentials_by_email(tenant.id, &email)
                .await?;
            Ok(credentials.map(|credentials| credentials.user.id))
        }
    }
}

// host identity helpers: end

// notification helpers: begin
/// Notifications and webhook deliveries as the dispatcher records them: straight into the
/// stores with a system scope.
#[allow(dead_code, reason = "each test binary uses some of these")]
pub mod notify {
    use portal_core::model::{
        EventType, MailState, NewNotification, ObjectRef, OutboxEvent, OutboxStatus,
    };
    use portal_core::{OutboxEventId, TenantId, TenantScope, UserId};
    use portal_storage::Stores;
    use time::OffsetDateTime;
    use uuid::Uuid;

    /// Records one notification of `event_type` about an approval titled `title` for `user`.
    pub async fn notify(
        stores: &Stores,
        tenant: TenantId,
        user: UserId,
        event_type: EventType,
        title: &str,
    ) {
        let recorded = stores
            .notifications
            .record_notifications(
                &TenantScope::dangerous_system(tenant),
                vec![NewNotification {
                    user,
                    event: OutboxEventId::new(),
                    event_type,
                    object: ObjectRef {
                        kind: "approval".into(),
                        id: Uuid::now_v7(),
                    },
                    client: None,
                    project: None,
                    title: title.into(),
                    mail: MailState::None,
                    occurred_at: OffsetDateTime::now_utc(),
                }],
            )
            .await
            .unwrap();
        assert_eq!(recorded, 1);
    }

    /// Queues one `message.posted` event for every endpoint of `tenant` that wants it; returns
    /// the event's id.
    pub async fn queue_event(stores: &Stores, tenant: TenantId, body: &str) -> OutboxEventId {
        let now = OffsetDateTime::now_utc();
        let event = OutboxEvent {
            id: OutboxEventId::new(),
            tenant,
            kind: EventType::MessagePosted.as_str().into(),
            payload: serde_json::json!({}),
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
        };
        stores
            .webhooks
            .queue_deliveries(
                &TenantScope::dangerous_system(tenant),
                vec![portal_storage::DeliveryRequest {
                    event: event.id,
                    tenant,
                    event_type: EventType::MessagePosted,
                    body: body.to_owned(),
                }],
            )
            .await
            .unwrap();
        event.id
    }
}
// notification helpers: end
