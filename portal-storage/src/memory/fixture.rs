//! A small world for the memory store's unit tests: one tenant with its owner, one client with
//! an approving contact, built through the store itself.

use portal_core::model::{
    AuditContext, Branding, Client, ClientInput, Deliverable, DeliverableInput, Document,
    DocumentVersion, Milestone, MilestoneInput, NewDocument, NewDocumentVersion, NewTenant,
    NewUser, Project, ProjectInput, ProjectStatus, Tenant,
};
use portal_core::state::{DeliverableStatus, Sha256Digest};
use portal_core::{
    BuiltinRole, DisplayName, Email, HexColour, MembershipKind, Side, Slug, TenantScope, UserId,
    Visibility,
};

use super::MemoryStore;
use crate::traits::{
    ClientStore, DeliverableStore, DocumentStore, IdentityStore, MembershipStore, MilestoneStore,
    ProjectStore, TenantDirectory,
};

pub(super) fn name(text: &str) -> DisplayName {
    DisplayName::parse(text).unwrap()
}

pub(super) fn ctx() -> AuditContext {
    AuditContext::default()
}

pub(super) fn branding(title: &str) -> Branding {
    Branding {
        display_name: name(title),
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

pub(super) fn project_input(client: &Client, external_id: Option<&str>) -> ProjectInput {
    ProjectInput {
        client: client.id,
        name: name("Website relaunch"),
        description: "New site".to_owned(),
        status: ProjectStatus::Active,
        schedule: None,
        budget: None,
        external_id: external_id.map(str::to_owned),
    }
}

/// One tenant, its owner, a client and a contact of that client who may approve.
pub(super) struct World {
    pub(super) store: MemoryStore,
    pub(super) tenant: Tenant,
    pub(super) system: TenantScope,
    pub(super) owner: TenantScope,
    pub(super) client: Client,
    pub(super) contact: TenantScope,
    pub(super) contact_user: UserId,
}

impl World {
    pub(super) async fn new(slug: &str) -> Self {
        Self::in_store(MemoryStore::new(), slug).await
    }

    pub(super) async fn in_store(store: MemoryStore, slug: &str) -> Self {
        let tenant = store
            .create_tenant(NewTenant {
                slug: Slug::parse(slug).unwrap(),
                branding: branding("Agency"),
            })
            .await
            .unwrap();
        let system = TenantScope::dangerous_system(tenant.id);
        let roles = store.roles(&system).await.unwrap();
        let role = |builtin: BuiltinRole| {
            roles
                .iter()
                .find(|role| role.builtin_role() == Some(builtin))
                .unwrap()
                .id()
        };
        let client = store
            .create_client(
                &system,
                ClientInput {
                    name: name("Acme"),
                    external_id: None,
                    branding: None,
                },
                &ctx(),
            )
            .await
            .unwrap();

        let owner_user = store
            .create_user(
                &system,
                NewUser {
                    email: Email::parse(&format!("owner@{slug}.example.com")).unwrap(),
                    name: name("Olive Owner"),
                    side: Side::Staff,
                },
                &ctx(),
            )
            .await
            .unwrap();
        store
            .add_membership(
                &system,
                owner_user.id,
                role(BuiltinRole::Owner),
                MembershipKind::Staff {
                    assigned_clients: Vec::new(),
                },
                &ctx(),
            )
            .await
            .unwrap();
        let contact_user = store
            .create_user(
                &system,
                NewUser {
                    email: Email::parse(&format!("ada@acme-{slug}.example.com")).unwrap(),
                    name: name("Ada Approver"),
                    side: Side::Client,
                },
                &ctx(),
            )
            .await
            .unwrap();
        store
            .add_membership(
                &system,
                contact_user.id,
                role(BuiltinRole::Approver),
                MembershipKind::Contact { client: client.id },
                &ctx(),
            )
            .await
            .unwrap();

        let owner = scope_of(&store, &tenant, owner_user.id).await;
        let contact = scope_of(&store, &tenant, contact_user.id).await;
        Self {
            store,
            tenant,
            system,
            owner,
            client,
            contact,
            contact_user: contact_user.id,
        }
    }

    pub(super) async fn project(&self, visibility: Visibility) -> Project {
        let project = self
            .store
            .create_project(&self.owner, project_input(&self.client, None), &ctx())
            .await
            .unwrap();
        self.store
            .set_project_visibility(&self.owner, project.id, visibility, &ctx())
            .await
            .unwrap()
    }

    pub(super) async fn milestone(&self, project: &Project, visibility: Visibility) -> Milestone {
        let milestone = self
            .store
            .create_milestone(
                &self.owner,
                MilestoneInput {
                    project: project.id,
                    title: name("Design"),
                    due_on: None,
                    position: 1,
                    external_id: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        self.store
            .set_milestone_visibility(&self.owner, milestone.id, visibility, &ctx())
            .await
            .unwrap()
    }

    /// A shared deliverable, in progress, under a shared milestone.
    pub(super) async fn deliverable(&self, project: &Project) -> Deliverable {
        let milestone = self.milestone(project, Visibility::Shared).await;
        let deliverable = self
            .store
            .create_deliverable(
                &self.owner,
                DeliverableInput {
                    milestone: milestone.id,
                    title: name("Homepage mock-up"),
                    due_on: None,
                    external_id: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        self.store
            .set_deliverable_visibility(&self.owner, deliverable.id, Visibility::Shared, &ctx())
            .await
            .unwrap();
        self.store
            .move_deliverable(
                &self.owner,
                deliverable.id,
                DeliverableStatus::InProgress,
                &ctx(),
            )
            .await
            .unwrap()
    }

    /// A document of `project` with one version whose digest is `[fill; 32]`.
    pub(super) async fn document(
        &self,
        project: &Project,
        visibility: Visibility,
        fill: u8,
    ) -> (Document, DocumentVersion) {
        let document = self
            .store
            .create_document(
                &self.owner,
                NewDocument {
                    client: self.client.id,
                    project: Some(project.id),
                    title: name("Mock-up.pdf"),
                    visibility,
                },
                &ctx(),
            )
            .await
            .unwrap();
        let version = self
            .store
            .add_version(
                &self.owner,
                document.id,
                NewDocumentVersion {
                    blob_key: format!("{}/{}", self.tenant.id, uuid::Uuid::now_v7()),
                    sha256: Sha256Digest::from_bytes([fill; 32]),
                    size: 1024,
                    content_type: "application/pdf".to_owned(),
                    file_name: "mock-up.pdf".to_owned(),
                    via_share_link: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        (document, version)
    }
}

/// The scope of a user, built as the HTTP layer builds it: from the memberships the store loads.
pub(super) async fn scope_of(store: &MemoryStore, tenant: &Tenant, user: UserId) -> TenantScope {
    let memberships = store.memberships_of(tenant.id, user).await.unwrap();
    TenantScope::from_memberships(&memberships).unwrap()
}
