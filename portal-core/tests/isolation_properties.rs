//! Property tests of the isolation promises: whatever the memberships and permissions, a contact's
//! scope never authorises anything of another client or tenant, nor an internal object, nor money
//! fields without `view_financials`; a preview never writes; staff reach only their clients.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers build fixtures that are valid by construction"
)]

use portal_core::{
    ClientId, Effect, Membership, MembershipKind, Permission, PermissionSet, ResourceFacts,
    Sensitivity, Side, TenantId, TenantScope, UserId, Visibility, authorize,
};
use proptest::prelude::*;
use uuid::Uuid;

/// A small world — two tenants with three clients each — so random picks collide often.
fn tenant(index: u8) -> TenantId {
    TenantId::from_uuid(Uuid::from_u128(0x1000 + u128::from(index % 2)))
}

fn client(index: u8) -> ClientId {
    ClientId::from_uuid(Uuid::from_u128(0x2000 + u128::from(index % 6)))
}

fn permission_set() -> impl Strategy<Value = PermissionSet> {
    prop::collection::vec(
        prop::sample::select(Permission::ALL),
        0..Permission::ALL.len(),
    )
    .prop_map(|permissions| permissions.into_iter().collect())
}

fn facts() -> impl Strategy<Value = ResourceFacts> {
    (
        any::<u8>(),
        prop::option::of(any::<u8>()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(t, c, shared, finance)| ResourceFacts {
            tenant: tenant(t),
            client: c.map(client),
            visibility: if shared {
                Visibility::Shared
            } else {
                Visibility::Internal
            },
            sensitivity: if finance {
                Sensitivity::Finance
            } else {
                Sensitivity::Ordinary
            },
        })
}

/// A contact with one to three memberships (any permissions, even staff-only ones) in tenant 0.
fn contact() -> impl Strategy<Value = (TenantScope, Vec<(ClientId, PermissionSet)>)> {
    prop::collection::vec((any::<u8>(), permission_set()), 1..4).prop_map(|grants| {
        let user = UserId::from_uuid(Uuid::from_u128(7));
        let memberships: Vec<Membership> = grants
            .iter()
            .map(|(c, permissions)| Membership {
                tenant: tenant(0),
                user,
                permissions: *permissions,
                kind: MembershipKind::Contact { client: client(*c) },
            })
            .collect();
        let scope = TenantScope::from_memberships(&memberships).unwrap();
        let grants = grants.into_iter().map(|(c, p)| (client(c), p)).collect();
        (scope, grants)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn a_contact_never_reaches_beyond_its_clients_shared_objects(
        (scope, grants) in contact(),
        facts in facts(),
        permission in prop::sample::select(Permission::ALL),
    ) {
        if authorize(&scope, permission, &facts).is_allowed() {
            prop_assert_eq!(facts.tenant, scope.tenant_id());
            let client = facts.client.unwrap();
            prop_assert!(grants.iter().any(|(c, _)| *c == client), "another client's object");
            prop_assert_eq!(facts.visibility, Visibility::Shared, "an internal object");
            prop_assert!(permission.audience().admits(Side::Client), "a staff-only permission");
            let held: PermissionSet = grants
                .iter()
                .filter(|(c, _)| *c == client)
                .fold(PermissionSet::EMPTY, |all, (_, p)| all.union(*p));
            prop_assert!(held.contains(permission));
            if facts.sensitivity == Sensitivity::Finance {
                prop_assert!(held.contains(Permission::ViewFinancials), "money without view_financials");
            }
        }
    }

    #[test]
    fn a_denied_foreign_object_always_looks_missing(
        (scope, _) in contact(),
        facts in facts(),
        permission in prop::sample::select(Permission::ALL),
    ) {
        let rule = portal_core::explain(&scope, permission, &facts);
        let foreign = facts.tenant != scope.tenant_id();
        let hidden = !facts.visibility.is_shared() && facts.client.is_some();
        if foreign || hidden {
            prop_assert!(rule.conceals_existence(), "{:?}", rule);
            prop_assert!(!rule.decision().is_allowed());
        }
    }

    #[test]
    fn a_preview_never_writes_nor_sees_internal(
        client_index in any::<u8>(),
        role in permission_set(),
        facts in facts(),
        permission in prop::sample::select(Permission::ALL),
    ) {
        let manager = TenantScope::from_membership(&Membership {
            tenant: tenant(0),
            user: UserId::from_uuid(Uuid::from_u128(9)),
            permissions: PermissionSet::allowed_for(Side::Staff),
            kind: MembershipKind::Staff { assigned_clients: vec![] },
        }).unwrap();
        let preview = manager.preview_as_client(client(client_index), role).unwrap();
        if authorize(&preview, permission, &facts).is_allowed() {
            prop_assert_eq!(permission.effect(), Effect::Read);
            prop_assert_eq!(facts.visibility, Visibility::Shared);
            prop_assert_eq!(facts.client, Some(client(client_index)));
        }
    }

    #[test]
    fn staff_without_every_client_reach_only_assigned_ones(
        assigned in prop::collection::vec(any::<u8>(), 0..4),
        permissions in permission_set(),
        facts in facts(),
        permission in prop::sample::select(Permission::ALL),
    ) {
        let permissions = permissions.without(Permission::AccessAllClients);
        let assigned: Vec<ClientId> = assigned.into_iter().map(client).collect();
        let scope = TenantScope::from_membership(&Membership {
            tenant: tenant(0),
            user: UserId::from_uuid(Uuid::from_u128(11)),
            permissions,
            kind: MembershipKind::Staff { assigned_clients: assigned.clone() },
        }).unwrap();
        if authorize(&scope, permission, &facts).is_allowed() {
            prop_assert_eq!(facts.tenant, scope.tenant_id());
            prop_assert!(facts.client.is_none_or(|c| assigned.contains(&c)));
            prop_assert!(permissions.contains(permission));
            prop_assert!(facts.visibility.is_shared() || permissions.contains(Permission::ViewInternal));
        }
    }
}
