//! Whom staff see and change among the tenant's people (SEC-26, SEC-27): every colleague, and a
//! contact only through a client they reach; a contact of no client only with `manage_clients`
//! on every client. A person out of reach answers exactly like a missing one, and a change to a
//! contact needs `manage_clients` on each of its clients.

use std::collections::BTreeSet;

use portal_core::model::{NewInvitation, NewUser, User};
use portal_core::{
    BuiltinRole, ClientId, Email, MembershipId, MembershipKind, Permission, PermissionSet, Side,
    TenantId, TenantScope, UserId,
};
use portal_storage::{Page, StoreResult, Stores};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{
    assert_forbidden, assert_not_found, client, ctx, member, name, role, scope_of, tenant, token,
};

/// A tenant's people: staff of several reaches, and contacts of one client, of both, and of none.
struct People {
    tenant: TenantId,
    a: ClientId,
    b: ClientId,
    admin: TenantScope,
    admin_id: UserId,
    /// A member (no `manage_clients`) assigned to A.
    member_a: TenantScope,
    member_a_id: UserId,
    /// A member assigned to no client.
    colleague: UserId,
    /// Staff with `manage_clients` but not `access_all_clients`, assigned to A.
    manager_a: TenantScope,
    manager_a_id: UserId,
    contact_a: UserId,
    contact_b: UserId,
    /// A contact of A and of B.
    contact_ab: UserId,
    /// A contact holding no membership at all.
    unattached: UserId,
}

impl People {
    async fn new(stores: &Stores) -> Self {
        let acme = tenant(stores, "Acme").await;
        let (admin_id, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
        let a = client(stores, &admin, "A").await;
        let b = client(stores, &admin, "B").await;
        let (member_a_id, member_a) = member(stores, acme.id, BuiltinRole::Member, &[a]).await;
        let (colleague, _) = member(stores, acme.id, BuiltinRole::Member, &[]).await;
        let account_manager = stores
            .memberships
            .create_role(
                &admin,
                name("Account manager"),
                Side::Staff,
                PermissionSet::from_slice(&[
                    Permission::ViewProjects,
                    Permission::ViewInternal,
                    Permission::ManageClients,
                ]),
                &ctx(),
            )
            .await
            .unwrap();
        let manager_a_id = person(stores, acme.id, Side::Staff, "Manager of A").await;
        stores
            .memberships
            .add_membership(
                &admin,
                manager_a_id,
                account_manager.id(),
                MembershipKind::Staff {
                    assigned_clients: vec![a],
                },
                &ctx(),
            )
            .await
            .unwrap();
        let manager_a = scope_of(stores, acme.id, manager_a_id).await;
        let (contact_a, _) = member(stores, acme.id, BuiltinRole::Viewer, &[a]).await;
        let (contact_b, _) = member(stores, acme.id, BuiltinRole::Viewer, &[b]).await;
        let (contact_ab, _) = member(stores, acme.id, BuiltinRole::Approver, &[a]).await;
        let viewer = role(stores, acme.id, BuiltinRole::Viewer).await;
        stores
            .memberships
            .add_membership(
                &admin,
                contact_ab,
                viewer.id(),
                MembershipKind::Contact { client: b },
                &ctx(),
            )
            .await
            .unwrap();
        let unattached = person(stores, acme.id, Side::Client, "Nobody's contact").await;
        Self {
            tenant: acme.id,
            a,
            b,
            admin,
            admin_id,
            member_a,
            member_a_id,
            colleague,
            manager_a,
            manager_a_id,
            contact_a,
            contact_b,
            contact_ab,
            unattached,
        }
    }

    /// Every user of the tenant, as its admin lists them.
    async fn everyone(&self, stores: &Stores) -> BTreeSet<UserId> {
        listed(stores, &self.admin, None).await
    }
}

/// A user of `side` holding no membership.
async fn person(stores: &Stores, tenant: TenantId, side: Side, title: &str) -> UserId {
    let email = format!("{}@people.example", uuid::Uuid::now_v7().simple());
    stores
        .identities
        .create_user(
            &TenantScope::dangerous_system(tenant),
            NewUser {
                email: Email::parse(&email).unwrap(),
                name: name(title),
                side,
            },
            &ctx(),
        )
        .await
        .unwrap()
        .id
}

/// Every user `scope` lists, page by page (two a page, so the filter meets the cursor).
async fn listed(stores: &Stores, scope: &TenantScope, side: Option<Side>) -> BTreeSet<UserId> {
    let mut seen = BTreeSet::new();
    let mut page = Page::first(2).unwrap();
    loop {
        let paged = stores
            .identities
            .list_users(scope, side, page)
            .await
            .unwrap();
        assert!(paged.items.len() <= 2);
        seen.extend(paged.items.iter().map(|user| user.id));
        match paged.next {
            Some(cursor) => page = page.after(Some(cursor)),
            None => return seen,
        }
    }
}

fn set(users: &[UserId]) -> BTreeSet<UserId> {
    users.iter().copied().collect()
}

/// The user as the system sees it (if it exists), to show a refused change left it alone.
async fn stored(stores: &Stores, tenant: TenantId, id: UserId) -> Option<User> {
    stores
        .identities
        .user(&TenantScope::dangerous_system(tenant), id)
        .await
        .unwrap()
}

/// Asserts the three changes to a person — rename, disable, enable — all answer as `check`
/// says, and that none of them changed the person.
async fn changes_refused(
    stores: &Stores,
    scope: &TenantScope,
    people: &People,
    id: UserId,
    check: fn(&StoreResult<User>),
) {
    let before = stored(stores, people.tenant, id).await;
    let identities = &stores.identities;
    check(
        &identities
            .rename_user(scope, id, name("Renamed"), &ctx())
            .await,
    );
    check(&identities.set_disabled(scope, id, true, &ctx()).await);
    check(&identities.set_disabled(scope, id, false, &ctx()).await);
    assert_eq!(stored(stores, people.tenant, id).await, before);
}

/// The id of `user`'s membership of `client`.
async fn membership_of(
    stores: &Stores,
    people: &People,
    user: UserId,
    client: ClientId,
) -> MembershipId {
    stores
        .memberships
        .list_memberships(&people.admin, Some(client), Page::first(200).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|membership| membership.user == user)
        .unwrap()
        .id
}

pub async fn a_member_sees_colleagues_and_the_contacts_of_its_clients_only(h: &Harness) {
    let stores = &h.stores;
    let people = People::new(stores).await;
    let member = &people.member_a;
    let staff = set(&[
        people.admin_id,
        people.member_a_id,
        people.colleague,
        people.manager_a_id,
    ]);
    let contacts_of_a = set(&[people.contact_a, people.contact_ab]);

    assert_eq!(listed(stores, member, Some(Side::Staff)).await, staff);
    assert_eq!(
        listed(stores, member, Some(Side::Client)).await,
        contacts_of_a
    );
    assert_eq!(
        listed(stores, member, None).await,
        staff.union(&contacts_of_a).copied().collect()
    );
    for seen in staff.iter().chain(&contacts_of_a) {
        let user = stores.identities.user(member, *seen).await.unwrap();
        assert_eq!(user.map(|user| user.id), Some(*seen));
    }
    for unseen in [people.contact_b, people.unattached, UserId::new()] {
        assert_eq!(stores.identities.user(member, unseen).await.unwrap(), None);
        changes_refused(stores, member, &people, unseen, assert_not_found).await;
    }
    // A contact it sees, but may not manage, is refused, not hidden.
    changes_refused(stores, member, &people, people.contact_a, assert_forbidden).await;

    // A member of no client sees its colleagues and no contact at all.
    let lonely = scope_of(stores, people.tenant, people.colleague).await;
    assert_eq!(listed(stores, &lonely, None).await, staff);
}

pub async fn an_admin_sees_and_changes_everyone(h: &Harness) {
    let stores = &h.stores;
    let people = People::new(stores).await;
    let everyone = people.everyone(stores).await;
    assert_eq!(everyone.len(), 8);
    assert!(everyone.contains(&people.contact_b) && everyone.contains(&people.unattached));
    // The built-in manager reaches every client and manages contacts: the same people.
    let (_, manager) = member(stores, people.tenant, BuiltinRole::Manager, &[]).await;
    let listed_by_manager = listed(stores, &manager, None).await;
    assert!(listed_by_manager.is_superset(&everyone));
    for contact in [
        people.contact_a,
        people.contact_b,
        people.contact_ab,
        people.unattached,
    ] {
        let identities = &stores.identities;
        let disabled = identities
            .set_disabled(&people.admin, contact, true, &ctx())
            .await
            .unwrap();
        assert!(disabled.disabled);
        identities
            .set_disabled(&people.admin, contact, false, &ctx())
            .await
            .unwrap();
        let renamed = identities
            .rename_user(&people.admin, contact, name("Renamed by admin"), &ctx())
            .await
            .unwrap();
        assert_eq!(renamed.name.as_str(), "Renamed by admin");
    }
}

pub async fn a_manager_of_one_client_changes_only_that_clients_contacts(h: &Harness) {
    let stores = &h.stores;
    let people = People::new(stores).await;
    let manager = &people.manager_a;
    let identities = &stores.identities;

    // Another client's contact, and a contact of no client, do not exist for it.
    for unseen in [people.contact_b, people.unattached] {
        assert_eq!(identities.user(manager, unseen).await.unwrap(), None);
        changes_refused(stores, manager, &people, unseen, assert_not_found).await;
    }
    assert!(
        !listed(stores, manager, None)
            .await
            .contains(&people.contact_b)
    );

    // Its own client's contact it manages.
    let disabled = identities
        .set_disabled(manager, people.contact_a, true, &ctx())
        .await
        .unwrap();
    assert!(disabled.disabled);
    let enabled = identities
        .set_disabled(manager, people.contact_a, false, &ctx())
        .await
        .unwrap();
    assert!(!enabled.disabled);
    let renamed = identities
        .rename_user(manager, people.contact_a, name("Renamed by A"), &ctx())
        .await
        .unwrap();
    assert_eq!(renamed.name.as_str(), "Renamed by A");

    // A contact of A and B it sees, but a change to the person reaches B too: refused.
    assert!(
        identities
            .user(manager, people.contact_ab)
            .await
            .unwrap()
            .is_some()
    );
    changes_refused(
        stores,
        manager,
        &people,
        people.contact_ab,
        assert_forbidden,
    )
    .await;
    // Colleagues need `manage_staff`.
    changes_refused(stores, manager, &people, people.colleague, assert_forbidden).await;
}

pub async fn memberships_and_invitations_stay_within_the_managed_client(h: &Harness) {
    let stores = &h.stores;
    let people = People::new(stores).await;
    let manager = &people.manager_a;
    let viewer = role(stores, people.tenant, BuiltinRole::Viewer).await;
    let approver = role(stores, people.tenant, BuiltinRole::Approver).await;
    let of_b = membership_of(stores, &people, people.contact_b, people.b).await;
    let ab_of_b = membership_of(stores, &people, people.contact_ab, people.b).await;
    let ab_of_a = membership_of(stores, &people, people.contact_ab, people.a).await;

    let listed: BTreeSet<_> = stores
        .memberships
        .list_memberships(manager, None, Page::first(200).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|membership| membership.id)
        .collect();
    assert!(listed.contains(&ab_of_a));
    assert!(!listed.contains(&of_b) && !listed.contains(&ab_of_b));
    for membership in [of_b, ab_of_b] {
        assert_not_found(
            &stores
                .memberships
                .change_role(manager, membership, approver.id(), &ctx())
                .await,
        );
        assert_not_found(
            &stores
                .memberships
                .remove_membership(manager, membership, &ctx())
                .await,
        );
    }
    // Its own client's membership of a shared contact is its to manage.
    stores
        .memberships
        .change_role(manager, ab_of_a, viewer.id(), &ctx())
        .await
        .unwrap();

    let invite = |client| NewInvitation {
        email: Email::parse(&format!("{}@people.example", uuid::Uuid::now_v7().simple())).unwrap(),
        client: Some(client),
        role: viewer.id(),
        token_hash: token(),
        expires_at: OffsetDateTime::now_utc() + Duration::days(7),
    };
    assert_not_found(
        &stores
            .invitations
            .create_invitation(manager, invite(people.b), &ctx())
            .await,
    );
    let to_b = stores
        .invitations
        .create_invitation(&people.admin, invite(people.b), &ctx())
        .await
        .unwrap();
    assert_not_found(
        &stores
            .invitations
            .revoke_invitation(manager, to_b.id, &ctx())
            .await,
    );
    stores
        .invitations
        .create_invitation(manager, invite(people.a), &ctx())
        .await
        .unwrap();
}

/// Giving a membership is a way to read a person: a manager of A cannot pull B's contact into
/// A (that answers like a missing user), but may give a new contact, who belongs to nobody yet,
/// its first membership.
pub async fn nobody_pulls_another_clients_contact_into_theirs(h: &Harness) {
    let stores = &h.stores;
    let people = People::new(stores).await;
    let manager = &people.manager_a;
    let viewer = role(stores, people.tenant, BuiltinRole::Viewer).await;
    let into_a = MembershipKind::Contact { client: people.a };
    assert_not_found(
        &stores
            .memberships
            .add_membership(
                manager,
                people.contact_b,
                viewer.id(),
                into_a.clone(),
                &ctx(),
            )
            .await,
    );
    assert!(
        !listed(stores, manager, Some(Side::Client))
            .await
            .contains(&people.contact_b),
        "B's contact stays out of the manager's sight"
    );
    let newcomer = person(stores, people.tenant, Side::Client, "Newcomer").await;
    stores
        .memberships
        .add_membership(manager, newcomer, viewer.id(), into_a, &ctx())
        .await
        .unwrap();
    assert!(
        listed(stores, manager, Some(Side::Client))
            .await
            .contains(&newcomer)
    );
}

pub async fn a_removed_contact_is_seen_only_by_staff_managing_every_client(h: &Harness) {
    let stores = &h.stores;
    let people = People::new(stores).await;
    let (member_b_id, member_b) =
        member(stores, people.tenant, BuiltinRole::Member, &[people.b]).await;
    assert!(
        stores
            .identities
            .user(&member_b, people.contact_b)
            .await
            .unwrap()
            .is_some()
    );
    let of_b = membership_of(stores, &people, people.contact_b, people.b).await;
    stores
        .memberships
        .remove_membership(&people.admin, of_b, &ctx())
        .await
        .unwrap();

    // No longer anyone's contact: out of the member's reach…
    assert_eq!(
        stores
            .identities
            .user(&member_b, people.contact_b)
            .await
            .unwrap(),
        None
    );
    assert!(
        !listed(stores, &member_b, None)
            .await
            .contains(&people.contact_b)
    );
    // …and of staff who reach every client but do not manage contacts.
    let everywhere = stores
        .memberships
        .create_role(
            &people.admin,
            name("Everywhere"),
            Side::Staff,
            PermissionSet::from_slice(&[
                Permission::ViewProjects,
                Permission::ViewInternal,
                Permission::AccessAllClients,
            ]),
            &ctx(),
        )
        .await
        .unwrap();
    let roamer_id = person(stores, people.tenant, Side::Staff, "Roamer").await;
    stores
        .memberships
        .add_membership(
            &people.admin,
            roamer_id,
            everywhere.id(),
            MembershipKind::Staff {
                assigned_clients: Vec::new(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    let roamer = scope_of(stores, people.tenant, roamer_id).await;
    let roamer_sees = listed(stores, &roamer, None).await;
    assert!(roamer_sees.contains(&people.contact_a) && roamer_sees.contains(&people.contact_ab));
    assert!(!roamer_sees.contains(&people.contact_b) && !roamer_sees.contains(&people.unattached));
    // The admin still sees and manages the person.
    assert!(
        people
            .everyone(stores)
            .await
            .is_superset(&set(&[people.contact_b, member_b_id]))
    );
    stores
        .identities
        .set_disabled(&people.admin, people.contact_b, true, &ctx())
        .await
        .unwrap();
}

pub async fn contacts_see_themselves_and_their_clients_contacts(h: &Harness) {
    let stores = &h.stores;
    let people = People::new(stores).await;
    let contact = scope_of(stores, people.tenant, people.contact_a).await;
    let identities = &stores.identities;
    for seen in [people.contact_a, people.contact_ab] {
        assert!(identities.user(&contact, seen).await.unwrap().is_some());
    }
    for unseen in [
        people.contact_b,
        people.unattached,
        people.admin_id,
        people.member_a_id,
    ] {
        assert_eq!(identities.user(&contact, unseen).await.unwrap(), None);
    }
    assert_forbidden(
        &identities
            .list_users(&contact, None, Page::first(50).unwrap())
            .await,
    );
    // A contact of both clients sees the contacts of both.
    let both = scope_of(stores, people.tenant, people.contact_ab).await;
    for seen in [people.contact_a, people.contact_b] {
        assert!(identities.user(&both, seen).await.unwrap().is_some());
    }
}
