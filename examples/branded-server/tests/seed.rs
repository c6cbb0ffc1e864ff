//! Seeding the demo into an empty memory store: what it creates, what each person can see, that
//! every demo login works, that a second run seeds nothing, and that a restart applies the
//! branding file only when the file changed, keeping a look edited in the portal otherwise.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::sync::Arc;

use branded_server::config::PortalConfig;
use branded_server::seed::{
    self, BRANDING_APPLIED_ACTION, BrandingSync, DEMO_PASSWORD, DEMO_PEOPLE, SeedCounts,
    SeedOutcome,
};
use portal_auth::password::{Argon2Config, Password, PasswordHasher};
use portal_auth::{AuthConfig, Authenticator, LoginContext, SystemClock};
use portal_core::model::{AuditContext, Branding, NewAuditEvent, NewTenant, Tenant};
use portal_core::state::ApprovalStatus;
use portal_core::{Email, HexColour, LanguageTag, TenantScope};
use portal_storage::blob::MemoryBlobStore;
use portal_storage::{
    ApprovalFilter, AuditFilter, DocumentFilter, InvoiceFilter, Page, ProjectFilter, Stores,
};
use time::macros::date;

const EXPECTED: SeedCounts = SeedCounts {
    clients: 2,
    users: 10,
    projects: 3,
    milestones: 7,
    deliverables: 8,
    documents: 8,
    versions: 9,
    approvals: 2,
    updates: 3,
    decisions: 3,
    tasks: 4,
    requests: 3,
    messages: 6,
    invoices: 4,
};

/// Argon2 at its cheapest: the stored hashes still verify, but the test does not wait.
fn cheap_hasher() -> PasswordHasher {
    PasswordHasher::new(
        Argon2Config::default()
            .with_memory_kib(64)
            .with_iterations(1),
    )
    .unwrap()
}

struct Demo {
    stores: Stores,
    blobs: MemoryBlobStore,
    hasher: PasswordHasher,
    config: PortalConfig,
}

impl Demo {
    fn new() -> Self {
        Self {
            stores: Stores::memory(),
            blobs: MemoryBlobStore::new(),
            hasher: cheap_hasher(),
            config: PortalConfig::bundled().unwrap(),
        }
    }

    async fn seed(&self) -> SeedOutcome {
        seed::seed(
            &self.stores,
            &self.blobs,
            &self.hasher,
            &self.config,
            date!(2026 - 03 - 02),
        )
        .await
        .unwrap()
    }

    async fn scope_of(&self, tenant: &Tenant, email: &str) -> TenantScope {
        let credentials = self
            .stores
            .identities
            .credentials_by_email(tenant.id, &Email::parse(email).unwrap())
            .await
            .unwrap()
            .unwrap();
        let memberships = self
            .stores
            .memberships
            .memberships_of(tenant.id, credentials.user.id)
            .await
            .unwrap();
        TenantScope::from_memberships(&memberships).unwrap()
    }
}

fn page() -> Page {
    Page::first(Page::MAX_LIMIT).unwrap()
}

#[tokio::test]
async fn the_first_run_seeds_the_demo() {
    let demo = Demo::new();
    let SeedOutcome::Seeded { tenant, counts } = demo.seed().await else {
        panic!("an empty store must be seeded");
    };
    assert_eq!(counts, EXPECTED);
    assert_eq!(tenant.slug.as_str(), "northwind");
    assert_eq!(tenant.branding, demo.config.branding);

    // The stores hold what the counts say.
    let system = TenantScope::dangerous_system(tenant.id);
    let s = &demo.stores;
    let all = ProjectFilter::default();
    assert_eq!(
        s.clients
            .list_clients(&system, page())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(
        s.identities
            .list_users(&system, None, page())
            .await
            .unwrap()
            .items
            .len(),
        10
    );
    let projects = s
        .projects
        .list_projects(&system, all, page())
        .await
        .unwrap()
        .items;
    assert_eq!(projects.len(), 3);
    let (mut milestones, mut deliverables) = (0, 0);
    for project in &projects {
        let list = s
            .milestones
            .list_milestones(&system, project.id, page())
            .await
            .unwrap();
        milestones += list.items.len();
        for milestone in list.items {
            deliverables += s
                .deliverables
                .list_deliverables(&system, milestone.id, page())
                .await
                .unwrap()
                .items
                .len();
        }
    }
    assert_eq!((milestones, deliverables), (7, 8));
    let documents = s
        .documents
        .list_documents(&system, DocumentFilter::default(), page())
        .await
        .unwrap()
        .items;
    assert_eq!(documents.len(), 8);
    assert_eq!(demo.blobs.len(), 9, "one stored file per version");
    let approvals = s
        .approvals
        .list_approvals(&system, ApprovalFilter::default(), page())
        .await
        .unwrap()
        .items;
    let statuses: Vec<_> = approvals.iter().map(|a| a.status).collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&ApprovalStatus::Pending), "{statuses:?}");
    assert!(statuses.contains(&ApprovalStatus::Approved), "{statuses:?}");
    assert_eq!(
        s.updates
            .list_updates(&system, None, page())
            .await
            .unwrap()
            .items
            .len(),
        3
    );
    assert_eq!(
        s.decisions
            .list_decisions(&system, None, page())
            .await
            .unwrap()
            .items
            .len(),
        3
    );
    assert_eq!(
        s.tasks
            .list_tasks(&system, None, page())
            .await
            .unwrap()
            .items
            .len(),
        4
    );
    assert_eq!(
        s.requests
            .list_requests(&system, None, page())
            .await
            .unwrap()
            .items
            .len(),
        3
    );
    let invoices = s
        .invoices
        .list_invoices(&system, InvoiceFilter::default(), page())
        .await
        .unwrap()
        .items;
    assert_eq!(invoices.len(), 4);
}

#[tokio::test]
async fn each_person_sees_only_what_their_role_allows() {
    let demo = Demo::new();
    let outcome = demo.seed().await;
    let tenant = outcome.tenant();
    let s = &demo.stores;
    let all = ProjectFilter::default();

    let count_projects = async |email: &str| {
        let scope = demo.scope_of(tenant, email).await;
        s.projects
            .list_projects(&scope, all, page())
            .await
            .unwrap()
            .items
            .len()
    };
    let count_invoices = async |email: &str| {
        let scope = demo.scope_of(tenant, email).await;
        s.invoices
            .list_invoices(&scope, InvoiceFilter::default(), page())
            .await
            .unwrap()
            .items
            .len()
    };
    // The team sees everything; the member only the client assigned to them.
    assert_eq!(count_projects("priya@northwind.example").await, 3);
    assert_eq!(count_projects("leo@northwind.example").await, 2);
    // A contact sees the shared project of their own client, not the internal draft.
    assert_eq!(count_projects("james@acme.example").await, 1);
    assert_eq!(count_projects("marcus@globex.example").await, 1);
    // Money: drafts are internal, and only finance roles see invoices at all.
    assert_eq!(count_invoices("tom@northwind.example").await, 4);
    assert_eq!(count_invoices("olivia@acme.example").await, 2);
    assert_eq!(count_invoices("ben@acme.example").await, 0);
    assert_eq!(count_invoices("james@acme.example").await, 0);

    // Internal documents stay with the team.
    let james = demo.scope_of(tenant, "james@acme.example").await;
    let titles: Vec<String> = s
        .documents
        .list_documents(&james, DocumentFilter::default(), page())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|d| d.title.into_string())
        .collect();
    assert_eq!(titles.len(), 5, "{titles:?}");
    assert!(
        !titles.iter().any(|t| t == "Estimate and margin"),
        "{titles:?}"
    );
}

#[tokio::test]
async fn every_demo_login_works() {
    let demo = Demo::new();
    let outcome = demo.seed().await;
    let auth = Authenticator::new(
        demo.stores.clone(),
        demo.hasher.clone(),
        AuthConfig::default(),
        Arc::new(SystemClock),
    );
    for person in DEMO_PEOPLE {
        let outcome = auth
            .login(
                outcome.tenant().id,
                person.email,
                Password::from(DEMO_PASSWORD),
                LoginContext::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", person.email));
        assert!(outcome.signed_in().is_some(), "{}", person.email);
    }
}

#[tokio::test]
async fn the_second_run_seeds_nothing() {
    let demo = Demo::new();
    let first = demo.seed().await;
    let SeedOutcome::AlreadySeeded { tenant, branding } = demo.seed().await else {
        panic!("the second run must not seed");
    };
    assert_eq!(tenant.id, first.tenant().id);
    assert_eq!(branding, BrandingSync::Unchanged);
    assert_eq!(demo.blobs.len(), 9);
    let system = TenantScope::dangerous_system(tenant.id);
    let users = demo
        .stores
        .identities
        .list_users(&system, None, page())
        .await
        .unwrap();
    assert_eq!(users.items.len(), 10);
}

#[tokio::test]
async fn a_changed_branding_file_rebrands_without_seeding() {
    let mut demo = Demo::new();
    let first = demo.seed().await;
    demo.config.branding.primary_colour = HexColour::parse("#204060").unwrap();
    let SeedOutcome::AlreadySeeded { tenant, branding } = demo.seed().await else {
        panic!("the second run must not seed");
    };
    assert_eq!(branding, BrandingSync::FileChanged);
    assert_eq!(tenant.id, first.tenant().id);
    assert_eq!(tenant.branding.primary_colour.as_str(), "#204060");
    assert_eq!(demo.blobs.len(), 9);
}

/// Seeds again, as a restart does, and returns what became of the branding file.
async fn restart(demo: &Demo) -> (Tenant, BrandingSync) {
    match demo.seed().await {
        SeedOutcome::AlreadySeeded { tenant, branding } => (tenant, branding),
        SeedOutcome::Seeded { .. } => panic!("a restart must not seed"),
    }
}

/// The tenant's look as stored now.
async fn stored_look(demo: &Demo) -> Branding {
    demo.stores
        .tenants
        .tenant_by_slug(&demo.config.slug)
        .await
        .unwrap()
        .unwrap()
        .branding
}

/// The look an admin saves in the portal: another main colour, CSS of their own and German as
/// the default language (which the file has no key for).
async fn edit_in_portal(demo: &Demo, tenant: &Tenant) -> Branding {
    let admin = demo.scope_of(tenant, "tom@northwind.example").await;
    edit_as(demo, &admin, tenant).await
}

/// [`edit_in_portal`] by `scope`.
async fn edit_as(demo: &Demo, scope: &TenantScope, tenant: &Tenant) -> Branding {
    let mut look = tenant.branding.clone();
    look.primary_colour = HexColour::parse("#0b6e4f").unwrap();
    look.custom_css = Some(".portal-header { border-bottom: 0; }".to_owned());
    look.default_locale = Some(LanguageTag::parse("de").unwrap());
    demo.stores
        .tenants
        .update_branding(scope, look, &AuditContext::default())
        .await
        .unwrap()
        .branding
}

/// How many times the audit log records the branding file as applied.
async fn applied_records(demo: &Demo, tenant: &Tenant) -> usize {
    let filter = AuditFilter {
        action: Some(BRANDING_APPLIED_ACTION.to_owned()),
        ..AuditFilter::default()
    };
    demo.stores
        .audit
        .list_events(&TenantScope::dangerous_system(tenant.id), filter, page())
        .await
        .unwrap()
        .items
        .len()
}

#[tokio::test]
async fn a_look_edited_in_the_portal_survives_restarts_with_the_same_file() {
    let demo = Demo::new();
    let tenant = demo.seed().await.tenant().clone();
    assert_eq!(applied_records(&demo, &tenant).await, 1, "the first start");
    let edited = edit_in_portal(&demo, &tenant).await;
    assert_ne!(edited, demo.config.branding);

    for _ in 0..2 {
        let (tenant, branding) = restart(&demo).await;
        assert_eq!(branding, BrandingSync::KeptPortalEdit);
        assert_eq!(tenant.branding, edited);
        assert_eq!(stored_look(&demo).await, edited);
    }
    assert_eq!(
        applied_records(&demo, &tenant).await,
        1,
        "nothing applied since"
    );
}

#[tokio::test]
async fn a_changed_file_replaces_a_look_edited_in_the_portal() {
    let mut demo = Demo::new();
    let tenant = demo.seed().await.tenant().clone();
    let edited = edit_in_portal(&demo, &tenant).await;
    demo.config.branding.accent_colour = HexColour::parse("#ffd966").unwrap();

    let (tenant, branding) = restart(&demo).await;
    assert_eq!(branding, BrandingSync::FileChanged);
    // Every value the file sets is the file's again; the default language, which it has no
    // key for, stays as the portal set it.
    let expected = Branding {
        default_locale: edited.default_locale.clone(),
        ..demo.config.branding.clone()
    };
    assert_eq!(tenant.branding, expected);
    assert_eq!(stored_look(&demo).await, expected);
    assert_eq!(applied_records(&demo, &tenant).await, 2);

    // The changed file is now the one applied last: the next restart leaves the look alone.
    let (_, branding) = restart(&demo).await;
    assert_eq!(branding, BrandingSync::Unchanged);
    assert_eq!(applied_records(&demo, &tenant).await, 2);
}

#[tokio::test]
async fn a_tenant_without_a_record_gets_the_file_once() {
    // A database from before the record: the tenant's look is not the file's, and nothing says
    // which file was applied.
    let demo = Demo::new();
    let mut older = demo.config.branding.clone();
    older.primary_colour = HexColour::parse("#204060").unwrap();
    let tenant = demo
        .stores
        .tenants
        .create_tenant(NewTenant {
            slug: demo.config.slug.clone(),
            branding: older,
        })
        .await
        .unwrap();

    let (restarted, branding) = restart(&demo).await;
    assert_eq!(branding, BrandingSync::NoRecord);
    assert_eq!(restarted.id, tenant.id);
    assert_eq!(restarted.branding, demo.config.branding);
    assert_eq!(applied_records(&demo, &tenant).await, 1);

    // Recorded now: an edit survives the next restart (this tenant has no people, so the
    // edit is a job's).
    let system = TenantScope::dangerous_system(tenant.id);
    let edited = edit_as(&demo, &system, &restarted).await;
    let (restarted, branding) = restart(&demo).await;
    assert_eq!(branding, BrandingSync::KeptPortalEdit);
    assert_eq!(restarted.branding, edited);
}

#[tokio::test]
async fn an_unreadable_record_applies_the_file_and_the_start_goes_on() {
    let demo = Demo::new();
    let tenant = demo.seed().await.tenant().clone();
    edit_in_portal(&demo, &tenant).await;
    // The newest record holds no digest that can be read.
    let system = TenantScope::dangerous_system(tenant.id);
    for details in [
        serde_json::json!({ "sha256": "not a digest" }),
        serde_json::json!({}),
    ] {
        let corrupt =
            NewAuditEvent::by(&system, BRANDING_APPLIED_ACTION, None).with_details(details);
        demo.stores
            .audit
            .append(&system, corrupt, &AuditContext::default())
            .await
            .unwrap();

        let (restarted, branding) = restart(&demo).await;
        assert_eq!(branding, BrandingSync::NoRecord);
        assert_eq!(
            restarted.branding,
            Branding {
                default_locale: Some(LanguageTag::parse("de").unwrap()),
                ..demo.config.branding.clone()
            }
        );
        // A good record follows, so the next restart knows the file again.
        let (_, branding) = restart(&demo).await;
        assert_eq!(branding, BrandingSync::Unchanged);
    }
}

#[test]
fn the_demo_password_passes_the_policy() {
    portal_auth::password::PasswordPolicy::new()
        .check(&Password::from(DEMO_PASSWORD))
        .unwrap();
}

#[test]
fn the_demo_people_cover_every_builtin_role() {
    for role in portal_core::BuiltinRole::ALL {
        assert!(
            DEMO_PEOPLE.iter().any(|p| p.role == role),
            "no demo person is {}",
            role.name()
        );
    }
}
