//! Lookups by external id: each answers exactly as the read by portal id would — another
//! tenant's, another client's or a hidden object is `None`, like a missing one.

use std::fmt::Debug;

use portal_core::model::{ClientInput, MilestoneInput, NewUser};
use portal_core::{
    BuiltinRole, ClientId, Email, MembershipKind, MilestoneId, Permission, PermissionSet,
    ProjectId, Side, TenantId, TenantScope, Visibility,
};
use portal_storage::{StoreResult, Stores};

use crate::Harness;
use crate::stores::fixtures::{ctx, member, name, project_input, scope_of, tenant};

/// One tenant's clients and work, under external ids every tenant of a test reuses.
struct World {
    tenant: TenantId,
    manager: TenantScope,
    /// A contact (viewer) of `crm-a`.
    contact_a: TenantScope,
    /// A contact (viewer) of `crm-b`.
    contact_b: TenantScope,
    /// Staff assigned to `crm-b` only.
    assigned_b: TenantScope,
    /// A contact of `crm-a` whose custom role may view projects and nothing else.
    projects_only: TenantScope,
    clients: Vec<(&'static str, ClientId)>,
    projects: Vec<(&'static str, ProjectId)>,
    milestones: Vec<(&'static str, MilestoneId)>,
}

impl World {
    fn client(&self, external_id: &str) -> ClientId {
        lookup(&self.clients, external_id)
    }

    fn project(&self, external_id: &str) -> ProjectId {
        lookup(&self.projects, external_id)
    }

    fn milestone(&self, external_id: &str) -> MilestoneId {
        lookup(&self.milestones, external_id)
    }

    /// Every scope of the world with its name, for the comparisons with the reads by id.
    fn scopes(&self) -> Vec<(&'static str, &TenantScope)> {
        vec![
            ("manager", &self.manager),
            ("contact of crm-a", &self.contact_a),
            ("contact of crm-b", &self.contact_b),
            ("staff assigned to crm-b", &self.assigned_b),
            ("contact viewing projects only", &self.projects_only),
        ]
    }
}

fn lookup<T: Copy>(pairs: &[(&'static str, T)], external_id: &str) -> T {
    pairs
        .iter()
        .find(|(key, _)| *key == external_id)
        .map(|(_, id)| *id)
        .unwrap()
}

/// Clients `crm-a` and `crm-b`; under `crm-a` a shared project `pm-shared` (with a shared
/// milestone `ms-shared` and an internal one `ms-internal`) and an internal project
/// `pm-internal` (with a shared milestone `ms-under-internal`); under `crm-b` a shared project
/// `pm-b` with a shared milestone `ms-b`.
async fn world(stores: &Stores, title: &str) -> World {
    let tenant = tenant(stores, title).await;
    let (_, manager) = member(stores, tenant.id, BuiltinRole::Manager, &[]).await;
    let mut clients = Vec::new();
    for external_id in ["crm-a", "crm-b"] {
        let client = stores
            .clients
            .create_client(
                &manager,
                ClientInput {
                    name: name(&format!("{title} {external_id}")),
                    external_id: Some(external_id.to_owned()),
                    branding: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        clients.push((external_id, client.id));
    }
    let (a, b) = (lookup(&clients, "crm-a"), lookup(&clients, "crm-b"));
    let mut projects = Vec::new();
    for (external_id, client, visibility) in [
        ("pm-shared", a, Visibility::Shared),
        ("pm-internal", a, Visibility::Internal),
        ("pm-b", b, Visibility::Shared),
    ] {
        let project = stores
            .projects
            .create_project(
                &manager,
                portal_core::model::ProjectInput {
                    external_id: Some(external_id.to_owned()),
                    ..project_input(client, &format!("{title} {external_id}"))
                },
                &ctx(),
            )
            .await
            .unwrap();
        stores
            .projects
            .set_project_visibility(&manager, project.id, visibility, &ctx())
            .await
            .unwrap();
        projects.push((external_id, project.id));
    }
    let mut milestones = Vec::new();
    for (external_id, project, visibility) in [
        ("ms-shared", "pm-shared", Visibility::Shared),
        ("ms-internal", "pm-shared", Visibility::Internal),
        ("ms-under-internal", "pm-internal", Visibility::Shared),
        ("ms-b", "pm-b", Visibility::Shared),
    ] {
        let milestone = stores
            .milestones
            .create_milestone(
                &manager,
                MilestoneInput {
                    project: lookup(&projects, project),
                    title: name(&format!("{title} {external_id}")),
                    due_on: None,
                    position: 1,
                    external_id: Some(external_id.to_owned()),
                },
                &ctx(),
            )
            .await
            .unwrap();
        stores
            .milestones
            .set_milestone_visibility(&manager, milestone.id, visibility, &ctx())
            .await
            .unwrap();
        milestones.push((external_id, milestone.id));
    }
    let (_, contact_a) = member(stores, tenant.id, BuiltinRole::Viewer, &[a]).await;
    let (_, contact_b) = member(stores, tenant.id, BuiltinRole::Viewer, &[b]).await;
    let (_, assigned_b) = member(stores, tenant.id, BuiltinRole::Member, &[b]).await;
    let projects_only = custom_contact(stores, tenant.id, a, &[Permission::ViewProjects]).await;
    World {
        tenant: tenant.id,
        manager,
        contact_a,
        contact_b,
        assigned_b,
        projects_only,
        clients,
        projects,
        milestones,
    }
}

/// A contact of `client` holding a custom client role with exactly `permissions`.
async fn custom_contact(
    stores: &Stores,
    tenant: TenantId,
    client: ClientId,
    permissions: &[Permission],
) -> TenantScope {
    let system = TenantScope::dangerous_system(tenant);
    let role = stores
        .memberships
        .create_role(
            &system,
            name(&format!("Narrow {}", uuid::Uuid::now_v7().simple())),
            Side::Client,
            PermissionSet::from_slice(permissions),
            &ctx(),
        )
        .await
        .unwrap();
    let user = stores
        .identities
        .create_user(
            &system,
            NewUser {
                email: Email::parse(&format!(
                    "narrow-{}@example.com",
                    uuid::Uuid::now_v7().simple()
                ))
                .unwrap(),
                name: name("Narrow"),
                side: Side::Client,
            },
            &ctx(),
        )
        .await
        .unwrap();
    stores
        .memberships
        .add_membership(
            &system,
            user.id,
            role.id(),
            MembershipKind::Contact { client },
            &ctx(),
        )
        .await
        .unwrap();
    scope_of(stores, tenant, user.id).await
}

/// Asserts that a lookup by external id answered as the read by portal id: the same record,
/// `None`, or the same error.
fn same<T: Debug>(
    what: &str,
    by_external_id: &StoreResult<Option<T>>,
    by_id: &StoreResult<Option<T>>,
) {
    assert_eq!(
        format!("{by_external_id:?}"),
        format!("{by_id:?}"),
        "{what}"
    );
}

fn found<T>(result: StoreResult<Option<T>>) -> T {
    result.unwrap().unwrap()
}

fn absent<T: Debug>(what: &str, result: &StoreResult<Option<T>>) {
    assert!(matches!(result, Ok(None)), "{what}: {result:?}");
}

pub async fn clients_are_found_by_external_id_within_their_scope(h: &Harness) {
    let stores = &h.stores;
    let acme = world(stores, "Acme").await;
    let globex = world(stores, "Globex").await;
    let (_, stranger) = member(
        stores,
        tenant(stores, "Initech").await.id,
        BuiltinRole::Manager,
        &[],
    )
    .await;

    for world in [&acme, &globex] {
        for (external_id, id) in &world.clients {
            let client = found(
                stores
                    .clients
                    .client_by_external_id(&world.manager, external_id)
                    .await,
            );
            assert_eq!((client.id, client.tenant), (*id, world.tenant));
            let system = TenantScope::dangerous_system(world.tenant);
            let by_system = found(
                stores
                    .clients
                    .client_by_external_id(&system, external_id)
                    .await,
            );
            assert_eq!(by_system.id, *id);
        }
    }
    assert_ne!(acme.client("crm-a"), globex.client("crm-a"));
    for (external_id, _) in &acme.clients {
        absent(
            "a tenant without the external id",
            &stores
                .clients
                .client_by_external_id(&stranger, external_id)
                .await,
        );
    }
    absent(
        "a missing external id",
        &stores
            .clients
            .client_by_external_id(&acme.manager, "crm-none")
            .await,
    );
    absent(
        "matched exactly",
        &stores
            .clients
            .client_by_external_id(&acme.manager, "CRM-A")
            .await,
    );

    // A contact or an assigned member of staff reaches its own client only.
    let own = found(
        stores
            .clients
            .client_by_external_id(&acme.contact_a, "crm-a")
            .await,
    );
    assert_eq!(own.id, acme.client("crm-a"));
    absent(
        "a contact of another client",
        &stores
            .clients
            .client_by_external_id(&acme.contact_a, "crm-b")
            .await,
    );
    absent(
        "staff not assigned to the client",
        &stores
            .clients
            .client_by_external_id(&acme.assigned_b, "crm-a")
            .await,
    );
    for (who, scope) in acme.scopes() {
        for (external_id, id) in &acme.clients {
            same(
                &format!("{who}, {external_id}"),
                &stores
                    .clients
                    .client_by_external_id(scope, external_id)
                    .await,
                &stores.clients.client(scope, *id).await,
            );
        }
    }
}

pub async fn projects_are_found_by_external_id_as_by_portal_id(h: &Harness) {
    let stores = &h.stores;
    let acme = world(stores, "Acme").await;
    let globex = world(stores, "Globex").await;
    let (_, stranger) = member(
        stores,
        tenant(stores, "Initech").await.id,
        BuiltinRole::Manager,
        &[],
    )
    .await;

    for world in [&acme, &globex] {
        for (external_id, id) in &world.projects {
            let project = found(
                stores
                    .projects
                    .project_by_external_id(&world.manager, external_id)
                    .await,
            );
            assert_eq!((project.id, project.tenant), (*id, world.tenant));
            assert_eq!(project.external_id.as_deref(), Some(*external_id));
        }
    }
    assert_ne!(acme.project("pm-shared"), globex.project("pm-shared"));
    for (external_id, _) in &acme.projects {
        absent(
            "a tenant without the external id",
            &stores
                .projects
                .project_by_external_id(&stranger, external_id)
                .await,
        );
    }
    absent(
        "a missing external id",
        &stores
            .projects
            .project_by_external_id(&acme.manager, "pm-none")
            .await,
    );

    // A contact sees its own client's published projects only.
    let shared = found(
        stores
            .projects
            .project_by_external_id(&acme.contact_a, "pm-shared")
            .await,
    );
    assert_eq!(shared.id, acme.project("pm-shared"));
    absent(
        "an internal project, to a contact",
        &stores
            .projects
            .project_by_external_id(&acme.contact_a, "pm-internal")
            .await,
    );
    absent(
        "a project of another client, to a contact",
        &stores
            .projects
            .project_by_external_id(&acme.contact_a, "pm-b")
            .await,
    );
    absent(
        "a project of another client, to staff assigned elsewhere",
        &stores
            .projects
            .project_by_external_id(&acme.assigned_b, "pm-shared")
            .await,
    );

    // Publishing and withdrawing move the lookup exactly as they move the read by id.
    let internal = acme.project("pm-internal");
    stores
        .projects
        .set_project_visibility(&acme.manager, internal, Visibility::Shared, &ctx())
        .await
        .unwrap();
    assert_eq!(
        found(
            stores
                .projects
                .project_by_external_id(&acme.contact_a, "pm-internal")
                .await
        )
        .id,
        internal
    );
    stores
        .projects
        .set_project_visibility(&acme.manager, internal, Visibility::Internal, &ctx())
        .await
        .unwrap();
    absent(
        "withdrawn again",
        &stores
            .projects
            .project_by_external_id(&acme.contact_a, "pm-internal")
            .await,
    );

    for (who, scope) in acme.scopes() {
        for (external_id, id) in &acme.projects {
            same(
                &format!("{who}, {external_id}"),
                &stores
                    .projects
                    .project_by_external_id(scope, external_id)
                    .await,
                &stores.projects.project(scope, *id).await,
            );
        }
    }
}

pub async fn milestones_are_found_by_external_id_as_by_portal_id(h: &Harness) {
    let stores = &h.stores;
    let acme = world(stores, "Acme").await;
    let globex = world(stores, "Globex").await;
    let (_, stranger) = member(
        stores,
        tenant(stores, "Initech").await.id,
        BuiltinRole::Manager,
        &[],
    )
    .await;

    for world in [&acme, &globex] {
        for (external_id, id) in &world.milestones {
            let milestone = found(
                stores
                    .milestones
                    .milestone_by_external_id(&world.manager, external_id)
                    .await,
            );
            assert_eq!((milestone.id, milestone.tenant), (*id, world.tenant));
        }
    }
    assert_ne!(acme.milestone("ms-shared"), globex.milestone("ms-shared"));
    for (external_id, _) in &acme.milestones {
        absent(
            "a tenant without the external id",
            &stores
                .milestones
                .milestone_by_external_id(&stranger, external_id)
                .await,
        );
    }
    absent(
        "a missing external id",
        &stores
            .milestones
            .milestone_by_external_id(&acme.manager, "ms-none")
            .await,
    );

    // A contact sees a milestone only while it and its project are both shared.
    let shared = found(
        stores
            .milestones
            .milestone_by_external_id(&acme.contact_a, "ms-shared")
            .await,
    );
    assert_eq!(shared.id, acme.milestone("ms-shared"));
    for (external_id, why) in [
        ("ms-internal", "an internal milestone"),
        (
            "ms-under-internal",
            "a shared milestone of an internal project",
        ),
        ("ms-b", "a milestone of another client"),
    ] {
        absent(
            &format!("{why}, to a contact"),
            &stores
                .milestones
                .milestone_by_external_id(&acme.contact_a, external_id)
                .await,
        );
    }
    found(
        stores
            .milestones
            .milestone_by_external_id(&acme.contact_b, "ms-b")
            .await,
    );
    absent(
        "another client's, to staff assigned elsewhere",
        &stores
            .milestones
            .milestone_by_external_id(&acme.assigned_b, "ms-shared")
            .await,
    );

    // Publishing the project reveals its shared milestone; withdrawing it hides it again.
    let project = acme.project("pm-internal");
    stores
        .projects
        .set_project_visibility(&acme.manager, project, Visibility::Shared, &ctx())
        .await
        .unwrap();
    assert_eq!(
        found(
            stores
                .milestones
                .milestone_by_external_id(&acme.contact_a, "ms-under-internal")
                .await
        )
        .id,
        acme.milestone("ms-under-internal")
    );
    stores
        .projects
        .set_project_visibility(&acme.manager, project, Visibility::Internal, &ctx())
        .await
        .unwrap();
    absent(
        "its project withdrawn again",
        &stores
            .milestones
            .milestone_by_external_id(&acme.contact_a, "ms-under-internal")
            .await,
    );

    for (who, scope) in acme.scopes() {
        for (external_id, id) in &acme.milestones {
            same(
                &format!("{who}, {external_id}"),
                &stores
                    .milestones
                    .milestone_by_external_id(scope, external_id)
                    .await,
                &stores.milestones.milestone(scope, *id).await,
            );
        }
    }
}
