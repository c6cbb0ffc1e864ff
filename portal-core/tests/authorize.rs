//! Table tests of `authorize` over every built-in role × every permission, across the kinds of
//! object a request can name: own client, another client, another tenant, internal, money fields
//! and tenant-level objects.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers build fixtures that are valid by construction"
)]

use portal_core::{
    BuiltinRole, ClientId, Decision, Membership, MembershipKind, Permission, PermissionSet,
    Principal, ResourceFacts, Rule, ScopeError, Side, TenantId, TenantScope, UserId, Visibility,
    authorize, explain,
};

struct World {
    tenant: TenantId,
    own: ClientId,
    other: ClientId,
}

impl World {
    fn new() -> Self {
        Self {
            tenant: TenantId::new(),
            own: ClientId::new(),
            other: ClientId::new(),
        }
    }

    /// A scope for `role`: a contact of `own`, or staff assigned to `own` only.
    fn scope(&self, role: BuiltinRole) -> TenantScope {
        let kind = match role.side() {
            Side::Staff => MembershipKind::Staff {
                assigned_clients: vec![self.own],
            },
            Side::Client => MembershipKind::Contact { client: self.own },
        };
        TenantScope::from_membership(&Membership {
            tenant: self.tenant,
            user: UserId::new(),
            permissions: role.default_permissions(),
            kind,
        })
        .unwrap()
    }

    fn shared(&self, client: ClientId) -> ResourceFacts {
        ResourceFacts::of_client(self.tenant, client, Visibility::Shared)
    }
}

fn granted(permission: Permission) -> Rule {
    Rule::Granted { permission }
}

fn missing(permission: Permission) -> Rule {
    Rule::MissingPermission { permission }
}

#[test]
fn every_role_and_permission_on_a_shared_object_of_its_own_client() {
    let world = World::new();
    for role in BuiltinRole::ALL {
        let scope = world.scope(role);
        for &permission in Permission::ALL {
            let expected = if role.grants_by_default(permission) {
                granted(permission)
            } else {
                missing(permission)
            };
            assert_eq!(
                explain(&scope, permission, &world.shared(world.own)),
                expected,
                "{} / {permission}",
                role.name()
            );
        }
    }
}

#[test]
fn every_role_and_permission_on_another_tenants_object_is_concealed() {
    let world = World::new();
    let foreign = ResourceFacts::of_client(TenantId::new(), world.own, Visibility::Shared);
    let foreign_tenant_level = ResourceFacts::of_tenant(TenantId::new());
    for role in BuiltinRole::ALL {
        let scope = world.scope(role);
        for &permission in Permission::ALL {
            for facts in [foreign, foreign_tenant_level, foreign.finance()] {
                let rule = explain(&scope, permission, &facts);
                assert_eq!(rule, Rule::OtherTenant, "{} / {permission}", role.name());
                assert!(rule.conceals_existence());
                assert_eq!(authorize(&scope, permission, &facts), Decision::Deny);
            }
        }
    }
}

#[test]
fn every_role_and_permission_on_another_clients_object() {
    let world = World::new();
    for role in BuiltinRole::ALL {
        let scope = world.scope(role);
        let sees_all = role.grants_by_default(Permission::AccessAllClients);
        for &permission in Permission::ALL {
            let expected = match role.side() {
                Side::Client => Rule::OtherClient,
                Side::Staff if !sees_all => Rule::ClientNotAssigned,
                Side::Staff if role.grants_by_default(permission) => granted(permission),
                Side::Staff => missing(permission),
            };
            assert_eq!(
                explain(&scope, permission, &world.shared(world.other)),
                expected,
                "{} / {permission}",
                role.name()
            );
        }
    }
}

#[test]
fn every_role_and_permission_on_an_internal_object() {
    let world = World::new();
    let draft = ResourceFacts::of_client(world.tenant, world.own, Visibility::Internal);
    for role in BuiltinRole::ALL {
        let scope = world.scope(role);
        for &permission in Permission::ALL {
            let expected = match role.side() {
                Side::Client => Rule::Internal,
                Side::Staff if role.grants_by_default(permission) => granted(permission),
                Side::Staff => missing(permission),
            };
            assert_eq!(
                explain(&scope, permission, &draft),
                expected,
                "{} / {permission}",
                role.name()
            );
        }
    }
}

#[test]
fn every_role_and_permission_on_money_fields() {
    let world = World::new();
    let money = world.shared(world.own).finance();
    for role in BuiltinRole::ALL {
        let scope = world.scope(role);
        for &permission in Permission::ALL {
            let expected = if !role.grants_by_default(permission) {
                missing(permission)
            } else if role.grants_by_default(Permission::ViewFinancials) {
                granted(permission)
            } else {
                Rule::FinanceWithoutPermission
            };
            assert_eq!(
                explain(&scope, permission, &money),
                expected,
                "{} / {permission}",
                role.name()
            );
        }
    }
}

#[test]
fn every_role_and_permission_on_a_tenant_level_object() {
    let world = World::new();
    let tenant_level = ResourceFacts::of_tenant(world.tenant);
    for role in BuiltinRole::ALL {
        let scope = world.scope(role);
        for &permission in Permission::ALL {
            let expected = match role.side() {
                Side::Client => Rule::TenantLevelObject,
                Side::Staff if role.grants_by_default(permission) => granted(permission),
                Side::Staff => missing(permission),
            };
            assert_eq!(
                explain(&scope, permission, &tenant_level),
                expected,
                "{} / {permission}",
                role.name()
            );
        }
    }
}

/// The rows of the default matrix that the product's promises rest on, spelled out.
#[test]
fn the_security_critical_defaults() {
    use BuiltinRole::*;
    use Permission::*;
    let holders = |permission: Permission| -> Vec<BuiltinRole> {
        BuiltinRole::ALL
            .into_iter()
            .filter(|role| role.grants_by_default(permission))
            .collect()
    };
    assert_eq!(holders(ViewInternal), [Owner, Admin, Manager, Member]);
    assert_eq!(holders(DecideApprovals), [ClientAdmin, Approver]);
    assert_eq!(
        holders(ViewInvoices),
        [Owner, Admin, Manager, ClientAdmin, Finance]
    );
    assert_eq!(
        holders(ViewFinancials),
        [Owner, Admin, Manager, ClientAdmin, Finance]
    );
    assert_eq!(holders(PayInvoices), [ClientAdmin, Finance]);
    assert_eq!(holders(Publish), [Owner, Admin, Manager]);
    assert_eq!(holders(AccessAllClients), [Owner, Admin, Manager]);
    assert_eq!(holders(ManageRoles), [Owner, Admin]);
    assert_eq!(holders(ManageTenant), [Owner]);
    assert_eq!(holders(ManageClientContacts), [ClientAdmin]);
    assert_eq!(
        Viewer.default_permissions(),
        Viewer
            .default_permissions()
            .intersection(PermissionSet::READ_ONLY)
    );
}

#[test]
fn staff_with_every_client_reach_every_client_and_members_only_theirs() {
    let world = World::new();
    let manager = world.scope(BuiltinRole::Manager);
    let member = world.scope(BuiltinRole::Member);
    assert!(manager.can_reach_client(world.other));
    assert!(member.can_reach_client(world.own));
    assert!(!member.can_reach_client(world.other));
    assert_eq!(
        member.clients_with(Permission::ViewProjects),
        portal_core::ClientFilter::Only(vec![world.own])
    );
    assert_eq!(
        manager.clients_with(Permission::ViewProjects),
        portal_core::ClientFilter::All
    );
    assert_eq!(
        member.clients_with(Permission::Publish),
        portal_core::ClientFilter::Only(vec![]),
        "a list needing a permission the role lacks returns nothing"
    );
}

#[test]
fn a_contact_of_several_clients_holds_each_clients_own_role() {
    let world = World::new();
    let user = UserId::new();
    let membership = |client, role: BuiltinRole| Membership {
        tenant: world.tenant,
        user,
        permissions: role.default_permissions(),
        kind: MembershipKind::Contact { client },
    };
    let scope = TenantScope::from_memberships(&[
        membership(world.own, BuiltinRole::Approver),
        membership(world.other, BuiltinRole::Viewer),
    ])
    .unwrap();
    assert_eq!(scope.principal(), Principal::Contact(user));
    assert!(
        authorize(
            &scope,
            Permission::DecideApprovals,
            &world.shared(world.own)
        )
        .is_allowed()
    );
    assert!(
        !authorize(
            &scope,
            Permission::DecideApprovals,
            &world.shared(world.other)
        )
        .is_allowed()
    );
    assert!(authorize(&scope, Permission::ViewProjects, &world.shared(world.other)).is_allowed());
    assert_eq!(
        scope.clients_with(Permission::DecideApprovals),
        portal_core::ClientFilter::Only(vec![world.own])
    );
    let reachable = scope.reachable_clients();
    assert!(reachable.admits(world.own) && reachable.admits(world.other));
    let third = ClientId::new();
    assert!(!reachable.admits(third));
    assert_eq!(
        explain(&scope, Permission::ViewProjects, &world.shared(third)),
        Rule::OtherClient
    );
}

#[test]
fn a_contact_scope_masks_staff_permissions_whatever_the_stored_role_says() {
    let world = World::new();
    let scope = TenantScope::from_membership(&Membership {
        tenant: world.tenant,
        user: UserId::new(),
        permissions: PermissionSet::ALL,
        kind: MembershipKind::Contact { client: world.own },
    })
    .unwrap();
    let draft = ResourceFacts::of_client(world.tenant, world.own, Visibility::Internal);
    assert_eq!(
        explain(&scope, Permission::ViewDocuments, &draft),
        Rule::Internal
    );
    assert_eq!(
        explain(&scope, Permission::Publish, &world.shared(world.own)),
        missing(Permission::Publish)
    );
    assert!(!scope.sees_internal());
    assert_eq!(
        scope.permissions_in(Some(world.own)),
        PermissionSet::allowed_for(Side::Client)
    );
}

#[test]
fn memberships_that_do_not_form_one_scope_are_refused() {
    let world = World::new();
    let user = UserId::new();
    let contact = Membership {
        tenant: world.tenant,
        user,
        permissions: BuiltinRole::Viewer.default_permissions(),
        kind: MembershipKind::Contact { client: world.own },
    };
    let staff = Membership {
        kind: MembershipKind::Staff {
            assigned_clients: vec![],
        },
        ..contact.clone()
    };
    assert_eq!(
        TenantScope::from_memberships(&[]),
        Err(ScopeError::NoMembership)
    );
    assert_eq!(
        TenantScope::from_memberships(&[contact.clone(), staff.clone()]),
        Err(ScopeError::ConflictingSides)
    );
    assert_eq!(
        TenantScope::from_memberships(&[staff.clone(), contact.clone()]),
        Err(ScopeError::ConflictingSides)
    );
    let elsewhere = Membership {
        tenant: TenantId::new(),
        ..contact.clone()
    };
    assert_eq!(
        TenantScope::from_memberships(&[contact.clone(), elsewhere]),
        Err(ScopeError::Mixed)
    );
    let someone_else = Membership {
        user: UserId::new(),
        ..contact.clone()
    };
    assert_eq!(
        TenantScope::from_memberships(&[contact, someone_else]),
        Err(ScopeError::Mixed)
    );
}

#[test]
fn view_as_client_is_read_only_and_needs_the_permission() {
    let world = World::new();
    let manager = world.scope(BuiltinRole::Manager);
    let preview = manager
        .preview_as_client(world.own, BuiltinRole::ClientAdmin.default_permissions())
        .unwrap();
    assert!(preview.is_read_only());
    assert!(!preview.is_staff_side());
    assert!(
        matches!(preview.principal(), Principal::ClientPreview { client, .. } if client == world.own)
    );
    let shared = world.shared(world.own);
    assert!(authorize(&preview, Permission::ViewInvoices, &shared.finance()).is_allowed());
    assert_eq!(
        explain(&preview, Permission::DecideApprovals, &shared),
        Rule::ReadOnlyPreview
    );
    assert_eq!(
        explain(&preview, Permission::UploadDocuments, &shared),
        Rule::ReadOnlyPreview
    );
    let draft = ResourceFacts::of_client(world.tenant, world.own, Visibility::Internal);
    assert_eq!(
        explain(&preview, Permission::ViewDocuments, &draft),
        Rule::Internal
    );
    assert_eq!(
        explain(
            &preview,
            Permission::ViewProjects,
            &world.shared(world.other)
        ),
        Rule::OtherClient
    );

    let member = world.scope(BuiltinRole::Member);
    assert_eq!(
        member.preview_as_client(world.own, PermissionSet::ALL),
        Err(ScopeError::PreviewNotAllowed)
    );
    assert_eq!(
        preview.preview_as_client(world.own, PermissionSet::ALL),
        Err(ScopeError::PreviewNotAllowed),
        "a preview cannot preview again"
    );
    let assigned_elsewhere = TenantScope::from_membership(&Membership {
        tenant: world.tenant,
        user: UserId::new(),
        permissions: BuiltinRole::Member
            .default_permissions()
            .with(Permission::ViewAsClient),
        kind: MembershipKind::Staff {
            assigned_clients: vec![world.other],
        },
    })
    .unwrap();
    assert_eq!(
        assigned_elsewhere.preview_as_client(world.own, PermissionSet::ALL),
        Err(ScopeError::PreviewNotAllowed)
    );
}

#[test]
fn the_system_scope_reaches_its_tenant_only() {
    let world = World::new();
    let system = TenantScope::dangerous_system(world.tenant);
    let draft = ResourceFacts::of_client(world.tenant, world.other, Visibility::Internal);
    assert_eq!(
        explain(&system, Permission::ManageTenant, &draft.finance()),
        Rule::SystemScope
    );
    assert_eq!(
        explain(
            &system,
            Permission::ViewProjects,
            &ResourceFacts::of_tenant(TenantId::new())
        ),
        Rule::OtherTenant
    );
    assert_eq!(system.principal().user_id(), None);
}

#[test]
fn require_returns_the_denying_rule() {
    let world = World::new();
    let viewer = world.scope(BuiltinRole::Viewer);
    let err = viewer
        .require(Permission::Comment, &world.shared(world.own))
        .unwrap_err();
    assert_eq!(err.rule, missing(Permission::Comment));
    assert!(!err.conceals_existence());
    assert_eq!(
        err.to_string(),
        "denied: the role does not grant this permission"
    );
    assert!(
        viewer
            .require(Permission::ViewProjects, &world.shared(world.own))
            .is_ok()
    );
}

#[test]
fn a_restricted_scope_keeps_its_reach_and_loses_the_rest() {
    let world = World::new();
    let owner = world.scope(BuiltinRole::Owner);
    let read_projects = PermissionSet::EMPTY.with(Permission::ViewProjects);
    let key = owner.restricted_to(read_projects);
    assert_eq!(key.principal(), owner.principal());
    let shared = world.shared(world.own);
    assert!(authorize(&key, Permission::ViewProjects, &shared).is_allowed());
    assert_eq!(
        explain(&key, Permission::ManageProjects, &shared),
        missing(Permission::ManageProjects)
    );
    assert!(authorize(&owner, Permission::ViewProjects, &world.shared(world.other)).is_allowed());
    assert_eq!(
        explain(&key, Permission::ViewProjects, &world.shared(world.other)),
        Rule::ClientNotAssigned,
        "without access_all_clients the reach narrows to the assigned clients"
    );
    let everywhere = owner.restricted_to(read_projects.with(Permission::AccessAllClients));
    assert!(
        authorize(
            &everywhere,
            Permission::ViewProjects,
            &world.shared(world.other)
        )
        .is_allowed()
    );
    let widened = world
        .scope(BuiltinRole::Member)
        .restricted_to(PermissionSet::ALL);
    assert_eq!(
        explain(
            &widened,
            Permission::ManageTenant,
            &ResourceFacts::of_tenant(world.tenant)
        ),
        missing(Permission::ManageTenant),
        "restricting to everything grants nothing new"
    );

    let contact = world.scope(BuiltinRole::ClientAdmin);
    let narrowed = contact.restricted_to(read_projects);
    assert!(authorize(&narrowed, Permission::ViewProjects, &shared).is_allowed());
    assert_eq!(
        explain(&narrowed, Permission::DecideApprovals, &shared),
        missing(Permission::DecideApprovals)
    );
}
