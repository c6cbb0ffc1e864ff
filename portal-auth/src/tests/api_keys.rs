//! API keys: shown once, hashed, scoped to a permission set, revocable, last use recorded.

use portal_core::model::AuditContext;
use portal_core::{BuiltinRole, Permission, PermissionSet, UserId};
use portal_storage::StoreError;
use time::Duration;

use super::{PASSWORD, World, add_user, cheap, name, world};
use crate::password::PasswordHasher;
use crate::{ApiKeys, AuthError, Authenticated};

async fn owner(world: &World) -> (UserId, Authenticated) {
    let hasher = PasswordHasher::new(cheap()).unwrap();
    let system = world.system();
    let user = add_user(
        &world.stores,
        &system,
        "owner@example.com",
        false,
        Some(PASSWORD),
        &hasher,
    )
    .await;
    world
        .stores
        .memberships
        .add_membership(
            &system,
            user,
            world.role(BuiltinRole::Owner).await,
            portal_core::MembershipKind::Staff {
                assigned_clients: Vec::new(),
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    (user, world.signed_in("owner@example.com").await)
}

fn read_only() -> PermissionSet {
    PermissionSet::EMPTY
        .with(Permission::ViewProjects)
        .with(Permission::AccessAllClients)
}

#[tokio::test]
async fn a_key_acts_with_its_own_permissions_only() {
    let world = world().await;
    let (owner, who) = owner(&world).await;
    let keys = ApiKeys::new(&world.auth);
    let issued = keys
        .create(
            &who,
            name("CRM sync"),
            read_only(),
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let presented = issued.expose_secret().to_owned();
    assert!(presented.starts_with(&format!("ptk_{}_", issued.key.prefix)));
    assert!(!format!("{issued:?}").contains(&presented[17..]));

    let used = keys
        .authenticate_in(world.tenant, &presented)
        .await
        .unwrap();
    assert!(matches!(
        keys.authenticate_in(portal_core::TenantId::new(), &presented)
            .await,
        Err(AuthError::InvalidApiKey)
    ));
    assert_eq!(used.scope.principal().user_id(), Some(owner));
    assert_eq!(used.scope.tenant_id(), world.tenant);
    let everywhere = used.scope.permissions_in(None);
    assert!(everywhere.contains(Permission::ViewProjects));
    assert!(!everywhere.contains(Permission::ManageProjects));
    assert!(!everywhere.contains(Permission::ManageApiKeys));

    let listed = world
        .stores
        .api_keys
        .list_api_keys(&who.scope, portal_storage::Page::first(10).unwrap())
        .await
        .unwrap()
        .items;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some(), "the use is recorded");
}

#[tokio::test]
async fn wrong_revoked_and_orphaned_keys_are_refused_alike() {
    let world = world().await;
    let (owner, who) = owner(&world).await;
    let keys = ApiKeys::new(&world.auth);
    let issued = keys
        .create(&who, name("Billing"), read_only(), &AuditContext::default())
        .await
        .unwrap();
    let presented = issued.expose_secret().to_owned();
    // One character inside the secret: still well-formed, so only the hash comparison can
    // refuse it (the last character carries padding bits and might not even parse).
    let mut tampered = presented.clone();
    let at = presented.len() - 10;
    let swapped = if tampered[at..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(at..=at, swapped);
    for bad in [
        "",
        "ptk_",
        "Bearer nothing",
        tampered.as_str(),
        &presented.replacen("ptk_", "ptx_", 1),
    ] {
        assert!(
            matches!(keys.authenticate(bad).await, Err(AuthError::InvalidApiKey)),
            "{bad}"
        );
    }
    keys.revoke(&who.scope, issued.key.id, &AuditContext::default())
        .await
        .unwrap();
    assert!(matches!(
        keys.authenticate(&presented).await,
        Err(AuthError::InvalidApiKey)
    ));

    let second = keys
        .create(&who, name("Reports"), read_only(), &AuditContext::default())
        .await
        .unwrap();
    assert!(keys.authenticate(second.expose_secret()).await.is_ok());
    world
        .stores
        .identities
        .set_disabled(&world.system(), owner, true, &AuditContext::default())
        .await
        .unwrap();
    assert!(
        matches!(
            keys.authenticate(second.expose_secret()).await,
            Err(AuthError::InvalidApiKey)
        ),
        "a key dies with its creator's access"
    );
}

#[tokio::test]
async fn creating_a_key_needs_a_recent_login_the_permission_and_no_escalation_sec_20() {
    let world = world().await;
    let (_owner, who) = owner(&world).await;
    let keys = ApiKeys::new(&world.auth);
    world.clock.advance(Duration::minutes(11));
    assert!(matches!(
        keys.create(&who, name("Late"), read_only(), &AuditContext::default())
            .await,
        Err(AuthError::ReauthRequired)
    ));
    let member = world.signed_in("alice@example.com").await;
    let refused = keys
        .create(&member, name("Mine"), read_only(), &AuditContext::default())
        .await;
    assert!(
        matches!(
            refused,
            Err(AuthError::Store(
                StoreError::Forbidden(_) | StoreError::NotFound
            ))
        ),
        "{refused:?}"
    );
    let fresh = world.signed_in("owner@example.com").await;
    let client_side = PermissionSet::EMPTY.with(Permission::DecideApprovals);
    assert!(
        keys.create(&fresh, name("Odd"), client_side, &AuditContext::default())
            .await
            .is_err(),
        "a key holds staff permissions only"
    );
}
