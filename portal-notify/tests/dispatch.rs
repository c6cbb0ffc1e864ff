//! The dispatcher end to end on the memory store: who hears of what, what reaches mail, and
//! that internal work never reaches a contact.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed fixture step should stop the test loudly"
)]
#![allow(missing_docs, reason = "test code")]

use std::sync::Arc;

use portal_auth::{MailKind, RecordingMailer};
use portal_core::model::{
    AuditContext, Branding, ClientInput, EventType, MailMode, MailState, MilestoneInput,
    NewMessage, NewTenant, NewUser, ProjectInput, ProjectStatus, Tenant, ThreadSubject,
};
use portal_core::{
    BuiltinRole, ClientId, DisplayName, Email, HexColour, MembershipKind, Side, Slug, TenantScope,
    UserId, Visibility,
};
use portal_notify::dispatch::{DispatchConfig, Dispatcher, NotifyLinks};
use portal_notify::mail::MailRenderer;
use portal_notify::webhook::{WebhookSender, WebhookSenderConfig};
use portal_storage::{MemoryStore, Page, Stores};
use time::{Duration, OffsetDateTime};
use url::Url;

fn name(text: &str) -> DisplayName {
    DisplayName::parse(text).unwrap()
}

fn ctx() -> AuditContext {
    AuditContext::default()
}

/// Links under a fixed origin; preference links carry the user and type in plain sight (tests
/// only: a host signs them).
struct TestLinks;

impl NotifyLinks for TestLinks {
    fn page(&self, tenant: &Tenant, path: &str) -> Url {
        Url::parse(&format!(
            "https://portal.example/{}/{path}",
            tenant.slug.as_str()
        ))
        .unwrap()
    }

    fn preferences(&self, tenant: &Tenant, user: UserId, event_type: Option<EventType>) -> Url {
        let kind = event_type.map_or("all", EventType::as_str);
        Url::parse(&format!(
            "https://portal.example/{}/mail/preferences/{user}-{kind}",
            tenant.slug.as_str()
        ))
        .unwrap()
    }
}

/// A tenant with a manager, and two clients with a contact each.
struct World {
    stores: Stores,
    tenant: Tenant,
    manager: TenantScope,
    manager_id: UserId,
    client: ClientId,
    ada: TenantScope,
    ada_id: UserId,
    bob_id: UserId,
    mailer: RecordingMailer,
    dispatcher: Dispatcher,
}

impl World {
    async fn new() -> Self {
        let stores = Stores::from_backend(MemoryStore::new());
        let tenant = stores
            .tenants
            .create_tenant(NewTenant {
                slug: Slug::parse("northwind").unwrap(),
                branding: Branding {
                    display_name: name("Northwind Studio"),
                    logo_url: None,
                    favicon_url: None,
                    primary_colour: HexColour::parse("#1d4ed8").unwrap(),
                    accent_colour: HexColour::parse("#0f766e").unwrap(),
                    font: None,
                    custom_css: None,
                    email_sender_name: None,
                    email_sender_address: Some(Email::parse("studio@northwind.example").unwrap()),
                    default_locale: None,
                },
            })
            .await
            .unwrap();
        let system = TenantScope::dangerous_system(tenant.id);
        let roles = stores.memberships.roles(&system).await.unwrap();
        let role = |builtin: BuiltinRole| {
            roles
                .iter()
                .find(|role| role.builtin_role() == Some(builtin))
                .unwrap()
                .id()
        };
        let mut clients = Vec::new();
        for client_name in ["Acme", "Globex"] {
            let input = ClientInput {
                name: name(client_name),
                external_id: None,
                branding: None,
            };
            clients.push(
                stores
                    .clients
                    .create_client(&system, input, &ctx())
                    .await
                    .unwrap(),
            );
        }
        let person = |email: &str, person_name: &str, side: Side| NewUser {
            email: Email::parse(email).unwrap(),
            name: name(person_name),
            side,
        };
        let mut users = Vec::new();
        for (new, role_name, kind) in [
            (
                person("priya@northwind.example", "Priya Manager", Side::Staff),
                BuiltinRole::Owner,
                MembershipKind::Staff {
                    assigned_clients: Vec::new(),
                },
            ),
            (
                person("ada@acme.example", "Ada Approver", Side::Client),
                BuiltinRole::Approver,
                MembershipKind::Contact {
                    client: clients[0].id,
                },
            ),
            (
                person("bob@globex.example", "Bob Approver", Side::Client),
                BuiltinRole::Approver,
                MembershipKind::Contact {
                    client: clients[1].id,
                },
            ),
        ] {
            let user = stores
                .identities
                .create_user(&system, new, &ctx())
                .await
                .unwrap();
            stores
                .memberships
                .add_membership(&system, user.id, role(role_name), kind, &ctx())
                .await
                .unwrap();
            users.push(user.id);
        }
        let scope_of = |user: UserId| {
            let stores = stores.clone();
            let tenant = tenant.id;
            async move {
                let memberships = stores
                    .memberships
                    .memberships_of(tenant, user)
                    .await
                    .unwrap();
                TenantScope::from_memberships(&memberships).unwrap()
            }
        };
        let manager = scope_of(users[0]).await;
        let ada = scope_of(users[1]).await;
        let mailer = RecordingMailer::new();
        let dispatcher = Dispatcher::new(
            stores.clone(),
            Arc::new(mailer.clone()),
            Arc::new(MailRenderer::builtin().unwrap()),
            WebhookSender::new(WebhookSenderConfig::default()).unwrap(),
            Arc::new(TestLinks),
            DispatchConfig::default(),
        );
        // Whatever the setup announced is not part of the tests.
        dispatcher.tick(OffsetDateTime::now_utc()).await.unwrap();
        mailer.clear();
        Self {
            stores,
            tenant,
            manager,
            manager_id: users[0],
            client: clients[0].id,
            ada,
            ada_id: users[1],
            bob_id: users[2],
            mailer,
            dispatcher,
        }
    }

    /// A shared project of Acme with an internal milestone.
    async fn project_with_milestone(&self) -> (portal_core::ProjectId, portal_core::MilestoneId) {
        let project = self
            .stores
            .projects
            .create_project(
                &self.manager,
                ProjectInput {
                    client: self.client,
                    name: name("Website relaunch"),
                    description: String::new(),
                    status: ProjectStatus::Active,
                    schedule: None,
                    budget: None,
                    external_id: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        self.stores
            .projects
            .set_project_visibility(&self.manager, project.id, Visibility::Shared, &ctx())
            .await
            .unwrap();
        let milestone = self
            .stores
            .milestones
            .create_milestone(
                &self.manager,
                MilestoneInput {
                    project: project.id,
                    title: name("Design sign-off"),
                    due_on: None,
                    position: 1,
                    external_id: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        (project.id, milestone.id)
    }

    async fn notifications_of(&self, user: UserId) -> Vec<portal_core::model::Notification> {
        let memberships = self
            .stores
            .memberships
            .memberships_of(self.tenant.id, user)
            .await
            .unwrap();
        let scope = TenantScope::from_memberships(&memberships).unwrap();
        self.stores
            .notifications
            .list_notifications(&scope, false, Page::default())
            .await
            .unwrap()
            .items
    }
}

#[tokio::test]
async fn a_published_milestone_reaches_its_clients_contacts_only() {
    let world = World::new().await;
    let (_, milestone) = world.project_with_milestone().await;
    world
        .dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert!(
        world.notifications_of(world.ada_id).await.is_empty(),
        "an internal milestone is announced to no contact"
    );

    world
        .stores
        .milestones
        .set_milestone_visibility(&world.manager, milestone, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let report = world
        .dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert!(report.notifications >= 1);

    let ada = world.notifications_of(world.ada_id).await;
    let published: Vec<_> = ada
        .iter()
        .filter(|notification| notification.event_type == EventType::MilestonePublished)
        .collect();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].title, "Design sign-off");
    assert_eq!(
        published[0].mail,
        MailState::Digest,
        "milestones default to the digest"
    );
    assert!(
        world.notifications_of(world.bob_id).await.is_empty(),
        "another client hears nothing"
    );
    assert!(
        world.notifications_of(world.manager_id).await.is_empty(),
        "the team is not told of its own publishing"
    );
    assert!(
        world.mailer.sent().is_empty(),
        "no instant mail for a digest type"
    );

    // A second pass finds nothing new: the row is done.
    let again = world
        .dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(again.notifications, 0);
}

#[tokio::test]
async fn the_daily_digest_gathers_a_persons_notifications_in_one_mail() {
    let world = World::new().await;
    let (_, milestone) = world.project_with_milestone().await;
    world
        .stores
        .milestones
        .set_milestone_visibility(&world.manager, milestone, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    world.dispatcher.tick(now).await.unwrap();
    assert!(world.mailer.sent().is_empty());

    // The next day, after the digest hour.
    let tomorrow = (now + Duration::days(1)).replace_time(time::macros::time!(9:00));
    let report = world.dispatcher.tick(tomorrow).await.unwrap();
    assert_eq!(report.mails, 1);
    let sent = world.mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to.as_str(), "ada@acme.example");
    assert_eq!(sent[0].kind, MailKind::Digest);
    let ada = world.notifications_of(world.ada_id).await;
    assert!(
        ada.iter()
            .all(|notification| notification.mail == MailState::Sent)
    );

    // The same day's digest is not sent twice.
    let later = tomorrow + Duration::hours(2);
    assert_eq!(world.dispatcher.tick(later).await.unwrap().mails, 0);
}

#[tokio::test]
async fn internal_messages_reach_only_staff_and_authors_hear_nothing_of_their_own() {
    let world = World::new().await;
    let (project, _) = world.project_with_milestone().await;
    let post = |scope: &TenantScope, body: &str, visibility: Visibility| {
        let stores = world.stores.clone();
        let scope = scope.clone();
        let message = NewMessage {
            subject: ThreadSubject::Project(project),
            body: body.to_owned(),
            visibility,
        };
        async move {
            stores
                .threads
                .post_message(&scope, message, &ctx())
                .await
                .unwrap()
        }
    };
    post(
        &world.manager,
        "Internal: budget is tight",
        Visibility::Internal,
    )
    .await;
    world
        .dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert!(world.notifications_of(world.ada_id).await.is_empty());
    assert!(world.mailer.sent().is_empty());

    post(
        &world.ada,
        "Could we move the review to Friday?",
        Visibility::Shared,
    )
    .await;
    world
        .dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap();
    let manager = world.notifications_of(world.manager_id).await;
    assert_eq!(manager.len(), 1);
    assert_eq!(manager[0].event_type, EventType::MessagePosted);
    assert_eq!(manager[0].title, "Could we move the review to Friday?");
    assert!(
        world.notifications_of(world.ada_id).await.is_empty(),
        "the author is not told of her own message"
    );
    // Messages default to instant mail: the manager got one, and nobody else.
    let sent = world.mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to.as_str(), "priya@northwind.example");
    assert_eq!(sent[0].kind, MailKind::Notification);
    assert!(
        sent.iter().all(|mail| !mail.text.contains("budget")),
        "internal content never reaches a mail"
    );
}

#[tokio::test]
async fn a_person_who_turned_mail_off_gets_the_notification_without_mail() {
    let world = World::new().await;
    world
        .stores
        .notifications
        .set_mail_preference(
            &world.manager,
            world.manager_id,
            EventType::MessagePosted,
            MailMode::Off,
        )
        .await
        .unwrap();
    let (project, _) = world.project_with_milestone().await;
    world
        .stores
        .threads
        .post_message(
            &world.ada,
            NewMessage {
                subject: ThreadSubject::Project(project),
                body: "Hello".into(),
                visibility: Visibility::Shared,
            },
            &ctx(),
        )
        .await
        .unwrap();
    world
        .dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap();
    let manager = world.notifications_of(world.manager_id).await;
    assert_eq!(manager.len(), 1);
    assert_eq!(manager[0].mail, MailState::None);
    assert!(world.mailer.sent().is_empty());
}

#[tokio::test]
async fn a_password_change_is_told_to_its_owner_even_with_mail_off() {
    let world = World::new().await;
    for event_type in [EventType::SecurityPasswordChanged, EventType::MessagePosted] {
        // Security notices ignore the choice; the store keeps it all the same.
        world
            .stores
            .notifications
            .set_mail_preference(&world.ada, world.ada_id, event_type, MailMode::Off)
            .await
            .unwrap();
    }
    let identities = &world.stores.identities;
    // Before her first sign-in, setting a password is setting up the account: no notice.
    identities
        .set_password_hash(world.tenant.id, world.ada_id, "$argon2id$v=19$first".into())
        .await
        .unwrap();
    world
        .dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert!(world.notifications_of(world.ada_id).await.is_empty());
    assert!(world.mailer.sent().is_empty());

    identities
        .record_login(world.tenant.id, world.ada_id, OffsetDateTime::now_utc())
        .await
        .unwrap();
    // A stronger hash of the same password (found at login) is no change either.
    identities
        .rehash_password(
            world.tenant.id,
            world.ada_id,
            "$argon2id$v=19$stronger".into(),
        )
        .await
        .unwrap();
    world
        .dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert!(world.notifications_of(world.ada_id).await.is_empty());

    identities
        .set_password_hash(world.tenant.id, world.ada_id, "$argon2id$v=19$fake".into())
        .await
        .unwrap();
    world
        .dispatcher
        .tick(OffsetDateTime::now_utc())
        .await
        .unwrap();
    let ada = world.notifications_of(world.ada_id).await;
    assert_eq!(ada.len(), 1);
    assert_eq!(ada[0].event_type, EventType::SecurityPasswordChanged);
    assert!(world.notifications_of(world.manager_id).await.is_empty());
    let sent = world.mailer.sent();
    assert_eq!(sent.len(), 1, "security mail cannot be turned off");
    assert_eq!(sent[0].to.as_str(), "ada@acme.example");
}

#[tokio::test]
async fn an_overdue_invoice_reaches_finance_but_not_viewers() {
    use portal_core::model::InvoiceInput;
    use portal_core::state::InvoiceStatus;
    use portal_core::{Currency, Money};

    let world = World::new().await;
    let system = TenantScope::dangerous_system(world.tenant.id);
    let roles = world.stores.memberships.roles(&system).await.unwrap();
    let finance_role = roles
        .iter()
        .find(|role| role.builtin_role() == Some(BuiltinRole::Finance))
        .unwrap()
        .id();
    let olivia = world
        .stores
        .identities
        .create_user(
            &system,
            NewUser {
                email: Email::parse("olivia@acme.example").unwrap(),
                name: name("Olivia Finance"),
                side: Side::Client,
            },
            &ctx(),
        )
        .await
        .unwrap();
    world
        .stores
        .memberships
        .add_membership(
            &system,
            olivia.id,
            finance_role,
            MembershipKind::Contact {
                client: world.client,
            },
            &ctx(),
        )
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    world
        .stores
        .invoices
        .create_invoice(
            &world.manager,
            InvoiceInput {
                client: world.client,
                project: None,
                number: "INV-7".into(),
                amount: Money::new(10_000, Currency::parse("EUR").unwrap()),
                status: InvoiceStatus::Open,
                issued_on: None,
                due_on: Some((now - Duration::days(3)).date()),
                payment_url: None,
                internal_note: Some("chase gently".into()),
                external_id: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    // The deadline scan runs once a minute; it writes the row, the next pass fans it out.
    let later = OffsetDateTime::now_utc() + Duration::minutes(2);
    world.dispatcher.tick(later).await.unwrap();
    world.dispatcher.tick(later).await.unwrap();
    let olivia_heard: Vec<EventType> = world
        .notifications_of(olivia.id)
        .await
        .iter()
        .map(|notification| notification.event_type)
        .collect();
    assert!(olivia_heard.contains(&EventType::InvoiceIssued));
    assert!(olivia_heard.contains(&EventType::InvoiceOverdue));
    assert!(
        world.notifications_of(world.ada_id).await.is_empty(),
        "an approver without the finance permission hears nothing of invoices"
    );
    assert!(
        world
            .mailer
            .sent()
            .iter()
            .all(|mail| !mail.text.contains("chase gently")),
        "the internal note never reaches a mail"
    );
}
