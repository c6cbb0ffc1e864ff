//! A small world built through the stores themselves: a tenant with staff of every role and two
//! clients, each with contacts of every client role and some shared and internal work.

use portal_core::model::{
    AuditContext, Branding, ClientInput, DeliverableInput, MilestoneInput, NewDocument,
    NewDocumentVersion, NewTenant, NewUser, ProjectInput, ProjectStatus,
};
use portal_core::state::Sha256Digest;
use portal_core::{
    BuiltinRole, ClientId, DeliverableId, DisplayName, DocumentId, DocumentVersionId, Email,
    HexColour, MembershipKind, MilestoneId, ProjectId, Role, Side, Slug, TenantId, TenantScope,
    UserId, Visibility,
};
use portal_storage::{StoreError, StoreResult, Stores};

pub fn ctx() -> AuditContext {
    AuditContext::default()
}

pub fn name(text: &str) -> DisplayName {
    DisplayName::parse(text).unwrap()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::now_v7().simple())
}

pub fn branding(title: &str) -> Branding {
    Branding {
        display_name: name(title),
        logo_url: None,
        favicon_url: None,
        primary_colour: HexColour::parse("#1a2b3c").unwrap(),
        accent_colour: HexColour::parse("#ffcc00").unwrap(),
        font: None,
        custom_css: None,
        email_sender_name: None,
        email_sender_address: None,
        default_locale: None,
    }
}

/// Creates a tenant with a unique slug.
pub async fn tenant(stores: &Stores, title: &str) -> portal_core::model::Tenant {
    let slug = Slug::parse(&unique("t")[..30]).unwrap();
    stores
        .tenants
        .create_tenant(NewTenant {
            slug,
            branding: branding(title),
        })
        .await
        .unwrap()
}

pub async fn role(stores: &Stores, tenant: TenantId, builtin: BuiltinRole) -> Role {
    let system = TenantScope::dangerous_system(tenant);
    stores
        .memberships
        .roles(&system)
        .await
        .unwrap()
        .into_iter()
        .find(|role| role.builtin_role() == Some(builtin))
        .unwrap()
}

/// The scope of `user`, built as the HTTP layer will: from the memberships storage loads.
pub async fn scope_of(stores: &Stores, tenant: TenantId, user: UserId) -> TenantScope {
    let memberships = stores
        .memberships
        .memberships_of(tenant, user)
        .await
        .unwrap();
    TenantScope::from_memberships(&memberships).unwrap()
}

/// A user holding `role`: staff assigned to `clients`, or a contact of `clients[0]`.
pub async fn member(
    stores: &Stores,
    tenant: TenantId,
    builtin: BuiltinRole,
    clients: &[ClientId],
) -> (UserId, TenantScope) {
    let system = TenantScope::dangerous_system(tenant);
    let user = stores
        .identities
        .create_user(
            &system,
            NewUser {
                email: Email::parse(&format!("{}@example.com", unique(builtin.name()))).unwrap(),
                name: name(builtin.title()),
                side: builtin.side(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    let kind = match builtin.side() {
        Side::Staff => MembershipKind::Staff {
            assigned_clients: clients.to_vec(),
        },
        Side::Client => MembershipKind::Contact { client: clients[0] },
    };
    let role = role(stores, tenant, builtin).await;
    stores
        .memberships
        .add_membership(&system, user.id, role.id(), kind, &ctx())
        .await
        .unwrap();
    (user.id, scope_of(stores, tenant, user.id).await)
}

pub async fn client(stores: &Stores, scope: &TenantScope, title: &str) -> ClientId {
    stores
        .clients
        .create_client(
            scope,
            ClientInput {
                name: name(title),
                external_id: None,
                branding: None,
            },
            &ctx(),
        )
        .await
        .unwrap()
        .id
}

pub fn project_input(client: ClientId, title: &str) -> ProjectInput {
    ProjectInput {
        client,
        name: name(title),
        description: format!("{title} description"),
        status: ProjectStatus::Active,
        schedule: None,
        budget: None,
        external_id: None,
    }
}

/// Work of one client: a shared project with a shared and an internal milestone, a deliverable,
/// a shared document with one version, and an internal project.
pub struct ClientWork {
    pub client: ClientId,
    pub project: ProjectId,
    pub internal_project: ProjectId,
    pub milestone: MilestoneId,
    pub internal_milestone: MilestoneId,
    pub deliverable: DeliverableId,
    pub document: DocumentId,
    pub version: DocumentVersionId,
    pub version_sha: Sha256Digest,
}

pub async fn work(
    stores: &Stores,
    staff: &TenantScope,
    client: ClientId,
    label: &str,
) -> ClientWork {
    let projects = &stores.projects;
    let project = projects
        .create_project(
            staff,
            project_input(client, &format!("{label} shared project")),
            &ctx(),
        )
        .await
        .unwrap();
    projects
        .set_project_visibility(staff, project.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let internal_project = projects
        .create_project(
            staff,
            project_input(client, &format!("{label} internal project")),
            &ctx(),
        )
        .await
        .unwrap();
    let milestone_input = |title: &str, position| MilestoneInput {
        project: project.id,
        title: name(title),
        due_on: None,
        position,
        external_id: None,
    };
    let milestone = stores
        .milestones
        .create_milestone(
            staff,
            milestone_input(&format!("{label} milestone"), 1),
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .milestones
        .set_milestone_visibility(staff, milestone.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let internal_milestone = stores
        .milestones
        .create_milestone(
            staff,
            milestone_input(&format!("{label} internal milestone"), 2),
            &ctx(),
        )
        .await
        .unwrap();
    let deliverable = stores
        .deliverables
        .create_deliverable(
            staff,
            DeliverableInput {
                milestone: milestone.id,
                title: name(&format!("{label} deliverable")),
                due_on: None,
                external_id: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .deliverables
        .set_deliverable_visibility(staff, deliverable.id, Visibility::Shared, &ctx())
        .await
        .unwrap();
    let document = stores
        .documents
        .create_document(
            staff,
            NewDocument {
                client,
                project: Some(project.id),
                title: name(&format!("{label} document")),
                visibility: Visibility::Shared,
            },
            &ctx(),
        )
        .await
        .unwrap();
    let version_sha = Sha256Digest::from_bytes([label.len() as u8; 32]);
    let version = stores
        .documents
        .add_version(
            staff,
            document.id,
            new_version(staff.tenant_id(), version_sha),
            &ctx(),
        )
        .await
        .unwrap();
    ClientWork {
        client,
        project: project.id,
        internal_project: internal_project.id,
        milestone: milestone.id,
        internal_milestone: internal_milestone.id,
        deliverable: deliverable.id,
        document: document.id,
        version: version.id,
        version_sha,
    }
}

pub fn new_version(tenant: TenantId, sha256: Sha256Digest) -> NewDocumentVersion {
    NewDocumentVersion {
        blob_key: format!("{tenant}/{}", uuid::Uuid::new_v4().simple()),
        sha256,
        size: 1234,
        content_type: "application/pdf".into(),
        file_name: "proposal.pdf".into(),
        via_share_link: None,
    }
}

/// A random token hash: tokens are global, so tests sharing a database must never reuse one.
pub fn token() -> Sha256Digest {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    Sha256Digest::from_bytes(bytes)
}

/// Asserts a refusal that conceals the object: `NotFound`.
#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(result: &StoreResult<T>) {
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

/// Asserts a `Conflict`, whatever its wording.
#[track_caller]
pub fn assert_conflict<T: std::fmt::Debug>(result: &StoreResult<T>) {
    assert!(
        matches!(result, Err(StoreError::Conflict { .. })),
        "{result:?}"
    );
}

/// Asserts a refusal the scope may know of: `Forbidden`, whatever the rule.
#[track_caller]
pub fn assert_forbidden<T: std::fmt::Debug>(result: &StoreResult<T>) {
    assert!(
        matches!(result, Err(StoreError::Forbidden(_))),
        "{result:?}"
    );
}

/// Asserts an invalid input, of `field` if one is named.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(result: &StoreResult<T>, field: Option<&str>) {
    assert!(
        matches!(result, Err(StoreError::Invalid(error)) if field.is_none_or(|field| error.field() == Some(field))),
        "{result:?}"
    );
}
