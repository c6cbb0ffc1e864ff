//! Harbour's own integration code unit-tested against the `mockall` mocks of the portal's store
//! traits (`portal-storage` feature `mock`): build `Stores::memory()`, swap in a mock for the one
//! store a test is about, and say exactly what it is asked and what it answers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed step should stop the test loudly"
)]
#![allow(missing_docs, unreachable_pub, reason = "test code")]

mod support;

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::request::Parts;
use axum::http::{Request, header};
use embedded_app::host::sessions::HostSessions;
use embedded_app::host::users::HostUsers;
use embedded_app::host::workspace::Workspace;
use embedded_app::integration::feed::{self, FeedError};
use embedded_app::integration::identity::HarbourIdentity;
use embedded_app::integration::provision::{self, PortalAccount};
use embedded_app::{PORTAL_PATH, PORTAL_SLUG};
use mockall::predicate::{always, eq};
use portal_auth::password::PasswordHasher;
use portal_core::model::{Credentials, Tenant, User};
use portal_core::{ClientId, Email, ScopeError, Side, Slug, TenantId, TenantScope, UserId};
use portal_http::HostIdentity;
use portal_storage::{
    MockIdentityStore, MockInvoiceStore, MockMembershipStore, MockMilestoneStore, MockProjectStore,
    StoreError, Stores,
};
use time::OffsetDateTime;

async fn users() -> HostUsers {
    HostUsers::demo(PasswordHasher::new(support::cheap()).unwrap())
        .await
        .unwrap()
}

/// A tenant as the portal hands it to `HostIdentity`.
async fn tenant() -> Tenant {
    let slug = Slug::parse(PORTAL_SLUG).unwrap();
    provision::tenant(&Stores::memory(), &slug, "Brightwater Studio")
        .await
        .unwrap()
}

fn portal_user(tenant: TenantId, email: &str, disabled: bool) -> Credentials {
    Credentials {
        user: User {
            id: UserId::new(),
            tenant,
            email: Email::parse(email).unwrap(),
            name: portal_core::DisplayName::parse("Someone").unwrap(),
            side: Side::Client,
            disabled,
            locale: None,
            last_login_at: None,
            tour_done_at: None,
            created_at: OffsetDateTime::now_utc(),
            erased_at: None,
        },
        password_hash: None,
    }
}

/// A request to the portal carrying Harbour's session cookie, if a token is given.
fn request(token: Option<&str>) -> Parts {
    let mut request = Request::get(format!("{PORTAL_PATH}/api/v1/me"));
    if let Some(token) = token {
        request = request.header(header::COOKIE, format!("harbour_session={token}"));
    }
    request.body(()).unwrap().into_parts().0
}

/// Stores whose identity store is `identities`; the rest is the memory backend.
fn stores_with(identities: MockIdentityStore) -> Stores {
    let mut stores = Stores::memory();
    stores.identities = Arc::new(identities);
    stores
}

#[tokio::test]
async fn the_mapping_asks_for_the_requests_tenant_and_the_harbour_users_email() {
    let (users, sessions, tenant) = (users().await, HostSessions::new(), tenant().await);
    let dana = users.by_email("dana@acme.example").unwrap().id;
    let token = sessions.start(dana).unwrap();
    let found = portal_user(tenant.id, "dana@acme.example", false);
    let expected = found.user.id;

    let mut identities = MockIdentityStore::new();
    identities
        .expect_credentials_by_email()
        .with(
            eq(tenant.id),
            eq(Email::parse("dana@acme.example").unwrap()),
        )
        .times(1)
        .returning(move |_, _| Ok(Some(found.clone())));
    let stores = stores_with(identities);

    let identity = HarbourIdentity::new(users, sessions);
    let mapped = identity
        .portal_user(&request(Some(&token)), &tenant, &stores)
        .await
        .unwrap();
    assert_eq!(mapped, Some(expected));
}

#[tokio::test]
async fn an_email_the_portal_does_not_know_maps_to_nobody() {
    let (users, sessions, tenant) = (users().await, HostSessions::new(), tenant().await);
    let felix = users.by_email("felix@brightwater.example").unwrap().id;
    let token = sessions.start(felix).unwrap();

    let mut identities = MockIdentityStore::new();
    identities
        .expect_credentials_by_email()
        .with(
            eq(tenant.id),
            eq(Email::parse("felix@brightwater.example").unwrap()),
        )
        .times(1)
        .returning(|_, _| Ok(None));
    let stores = stores_with(identities);

    let identity = HarbourIdentity::new(users, sessions);
    let mapped = identity
        .portal_user(&request(Some(&token)), &tenant, &stores)
        .await
        .unwrap();
    assert_eq!(mapped, None, "the portal answers 401");
}

#[tokio::test]
async fn a_store_failure_is_an_error_never_a_sign_in() {
    let (users, sessions, tenant) = (users().await, HostSessions::new(), tenant().await);
    let dana = users.by_email("dana@acme.example").unwrap().id;
    let token = sessions.start(dana).unwrap();

    let mut identities = MockIdentityStore::new();
    identities
        .expect_credentials_by_email()
        .times(1)
        .returning(|_, _| {
            Err(StoreError::backend(std::io::Error::other(
                "connection reset",
            )))
        });
    let stores = stores_with(identities);

    let identity = HarbourIdentity::new(users, sessions);
    let error = identity
        .portal_user(&request(Some(&token)), &tenant, &stores)
        .await
        .unwrap_err();
    assert_eq!(error.status(), 500);
    assert_eq!(error.code(), "internal");
    assert!(
        !error.to_string().contains("connection reset"),
        "the cause goes to the log, not to the caller"
    );
}

#[tokio::test]
async fn without_a_live_harbour_session_the_store_is_not_asked() {
    let (users, sessions, tenant) = (users().await, HostSessions::new(), tenant().await);
    let dana = users.by_email("dana@acme.example").unwrap().id;
    let ended = sessions.start(dana).unwrap();
    sessions.end(&ended);

    let mut identities = MockIdentityStore::new();
    identities.expect_credentials_by_email().never();
    let stores = stores_with(identities);

    let identity = HarbourIdentity::new(users, sessions);
    for token in [None, Some("made-up"), Some(ended.as_str())] {
        let mapped = identity
            .portal_user(&request(token), &tenant, &stores)
            .await
            .unwrap();
        assert_eq!(mapped, None, "{token:?}");
    }
}

/// The portal's side provisioned for real over the memory store: the tenant, its clients and
/// people, and the feed's scope.
struct Provisioned {
    stores: Stores,
    tenant: TenantId,
    clients: HashMap<String, ClientId>,
    accounts: Vec<PortalAccount>,
    scope: TenantScope,
    workspace: Workspace,
}

async fn provisioned(users: &HostUsers) -> Provisioned {
    let stores = Stores::memory();
    let workspace = Workspace::demo(OffsetDateTime::now_utc().date());
    let slug = Slug::parse(PORTAL_SLUG).unwrap();
    let tenant = provision::tenant(&stores, &slug, &workspace.name)
        .await
        .unwrap()
        .id;
    let system = TenantScope::dangerous_system(tenant);
    let clients = provision::clients(&stores, &system, &workspace.customers)
        .await
        .unwrap();
    let accounts = provision::people(&stores, &system, users.all(), &clients)
        .await
        .unwrap();
    let scope = feed::scope(&stores, tenant, accounts[0].user)
        .await
        .unwrap();
    Provisioned {
        stores,
        tenant,
        clients,
        accounts,
        scope,
        workspace,
    }
}

#[tokio::test]
async fn a_storage_fault_stops_the_feed_before_anything_else_is_written() {
    let world = provisioned(&users().await).await;
    let mut projects = MockProjectStore::new();
    projects
        .expect_project_by_external_id()
        .with(always(), eq("prj-101"))
        .returning(|_, _| Ok(None));
    projects
        .expect_upsert_project()
        .times(1)
        .returning(|_, _, _| Err(StoreError::backend(std::io::Error::other("disk full"))));
    let mut stores = world.stores.clone();
    stores.projects = Arc::new(projects);
    // No expectations: any call to these fails the test.
    stores.milestones = Arc::new(MockMilestoneStore::new());
    stores.invoices = Arc::new(MockInvoiceStore::new());

    let error = feed::feed(&stores, &world.scope, &world.workspace)
        .await
        .unwrap_err();
    let FeedError::Apply(cause) = error else {
        panic!("not an apply fault: {error:?}");
    };
    assert!(cause.is_fault());
}

#[tokio::test]
async fn an_item_the_portal_refuses_fails_alone() {
    let world = provisioned(&users().await).await;
    let mut invoices = MockInvoiceStore::new();
    invoices
        .expect_upsert_invoice()
        .times(world.workspace.invoices.len())
        .returning(|_, _, _| Err(StoreError::conflict("invoice number already in use")));
    let mut stores = world.stores.clone();
    stores.invoices = Arc::new(invoices);

    let report = feed::feed(&stores, &world.scope, &world.workspace)
        .await
        .unwrap();
    let failed: Vec<(&str, &str)> = report
        .failures
        .iter()
        .map(|failure| (failure.kind, failure.external_id.as_str()))
        .collect();
    assert_eq!(
        failed,
        [
            ("invoice", "inv-3001"),
            ("invoice", "inv-3002"),
            ("invoice", "inv-3003"),
            ("invoice", "inv-3004"),
        ]
    );
    // Every project and milestone went in all the same.
    let milestones: usize = world
        .workspace
        .projects
        .iter()
        .map(|project| project.milestones.len())
        .sum();
    assert_eq!(report.created, world.workspace.projects.len() + milestones);
    let relaunch = stores
        .projects
        .project_by_external_id(&world.scope, "prj-101")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(relaunch.visibility, portal_core::Visibility::Shared);
    assert_eq!(relaunch.client, world.clients["cust-acme"]);
}

#[tokio::test]
async fn the_feed_acts_for_no_one_without_a_membership() {
    let world = provisioned(&users().await).await;
    let owner = world.accounts[0].user;
    let mut memberships = MockMembershipStore::new();
    memberships
        .expect_memberships_of()
        .with(eq(world.tenant), eq(owner))
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let mut stores = world.stores.clone();
    stores.memberships = Arc::new(memberships);

    let error = feed::scope(&stores, world.tenant, owner).await.unwrap_err();
    assert!(
        matches!(error, FeedError::Scope(ScopeError::NoMembership)),
        "{error:?}"
    );
}

#[tokio::test]
async fn provisioning_again_keeps_the_users_the_portal_already_has() {
    let users = users().await;
    let world = provisioned(&users).await;
    let mut known = HashMap::new();
    for user in users.all() {
        let email = Email::parse(&user.email).unwrap();
        if let Some(credentials) = world
            .stores
            .identities
            .credentials_by_email(world.tenant, &email)
            .await
            .unwrap()
        {
            known.insert(email, credentials);
        }
    }
    assert_eq!(known.len(), world.accounts.len());

    let mut identities = MockIdentityStore::new();
    identities
        .expect_credentials_by_email()
        .times(world.accounts.len())
        .returning(move |_, email| Ok(known.get(email).cloned()));
    identities.expect_create_user().never();
    let mut stores = world.stores.clone();
    stores.identities = Arc::new(identities);

    let system = TenantScope::dangerous_system(world.tenant);
    let again = provision::people(&stores, &system, users.all(), &world.clients)
        .await
        .unwrap();
    assert_eq!(again, world.accounts);
}

#[tokio::test]
async fn a_user_disabled_in_the_portal_stays_out() {
    let users = users().await;
    let world = provisioned(&users).await;
    let tenant = world.tenant;

    let mut identities = MockIdentityStore::new();
    identities
        .expect_credentials_by_email()
        .returning(move |_, email| Ok(Some(portal_user(tenant, email.as_str(), true))));
    identities.expect_create_user().never();
    let mut stores = world.stores.clone();
    stores.identities = Arc::new(identities);

    let system = TenantScope::dangerous_system(tenant);
    let accounts = provision::people(&stores, &system, users.all(), &world.clients)
        .await
        .unwrap();
    assert_eq!(accounts, []);
}
