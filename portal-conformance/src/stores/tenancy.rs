use portal_core::model::{ClientInput, NewTenant, NewUser, Session};
use portal_core::state::Sha256Digest;
use portal_core::{
    BuiltinRole, DomainError, Email, Invalid, MembershipKind, Permission, PermissionSet, Principal,
    Side, Slug, TenantScope,
};
use portal_storage::{Page, StoreError};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{branding, client, ctx, member, name, role, scope_of, tenant, token};

pub async fn tenants_are_created_with_built_in_roles_and_routed(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme Agency").await;
    let system = TenantScope::dangerous_system(acme.id);
    let roles = stores.memberships.roles(&system).await.unwrap();
    for builtin in BuiltinRole::ALL {
        let role = roles
            .iter()
            .find(|r| r.builtin_role() == Some(builtin))
            .unwrap();
        assert_eq!(role.permissions(), builtin.default_permissions());
    }
    assert_eq!(
        stores
            .tenants
            .tenant_by_slug(&acme.slug)
            .await
            .unwrap()
            .unwrap()
            .id,
        acme.id
    );
    assert!(
        stores
            .tenants
            .tenant_by_slug(&Slug::parse("no-such-tenant-here").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let host = format!("portal.{}.example", acme.slug);
    let with_domain = stores
        .tenants
        .add_domain(&owner, &host.to_uppercase(), &ctx())
        .await
        .unwrap();
    assert_eq!(
        with_domain.domains,
        vec![host.clone()],
        "domains are stored lower-case"
    );
    assert_eq!(
        stores
            .tenants
            .tenant_by_domain(&host)
            .await
            .unwrap()
            .unwrap()
            .id,
        acme.id
    );
    stores
        .tenants
        .remove_domain(&owner, &host, &ctx())
        .await
        .unwrap();
    assert!(
        stores
            .tenants
            .tenant_by_domain(&host)
            .await
            .unwrap()
            .is_none()
    );
    let with_mfa = stores
        .tenants
        .set_mfa_policy(&owner, true, false, &ctx())
        .await
        .unwrap();
    assert!(with_mfa.require_mfa_staff && !with_mfa.require_mfa_contacts);
    assert_eq!(stores.tenants.tenant(&owner).await.unwrap(), with_mfa);
}

pub async fn slugs_and_domains_are_unique(h: &Harness) {
    let stores = &h.stores;
    let first = tenant(stores, "First").await;
    let again = stores
        .tenants
        .create_tenant(NewTenant {
            slug: first.slug.clone(),
            branding: branding("Copy"),
        })
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    let second = tenant(stores, "Second").await;
    let (_, first_owner) = member(stores, first.id, BuiltinRole::Owner, &[]).await;
    let (_, second_owner) = member(stores, second.id, BuiltinRole::Owner, &[]).await;
    let host = format!("{}.example.org", first.slug);
    stores
        .tenants
        .add_domain(&first_owner, &host, &ctx())
        .await
        .unwrap();
    let taken = stores
        .tenants
        .add_domain(&second_owner, &host, &ctx())
        .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict { .. })),
        "{taken:?}"
    );
    // The refused write changed nothing: the domain still routes to the first tenant.
    assert_eq!(
        stores
            .tenants
            .tenant_by_domain(&host)
            .await
            .unwrap()
            .unwrap()
            .id,
        first.id
    );
    if let Err(StoreError::Conflict { what }) = taken {
        assert!(
            !what.to_lowercase().contains("constraint"),
            "no database text leaks: {what}"
        );
    }
}

pub async fn branding_needs_its_permission(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let updated = stores
        .tenants
        .update_branding(&admin, branding("Acme Studio"), &ctx())
        .await
        .unwrap();
    assert_eq!(updated.branding.display_name.as_str(), "Acme Studio");
    let refused = stores
        .tenants
        .update_branding(&manager, branding("Hijacked"), &ctx())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Forbidden(_))),
        "{refused:?}"
    );
    assert_eq!(
        stores
            .tenants
            .tenant(&admin)
            .await
            .unwrap()
            .branding
            .display_name
            .as_str(),
        "Acme Studio"
    );
}

pub async fn emails_are_unique_per_tenant(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let other = tenant(stores, "Other").await;
    let new_user = |email: &str| NewUser {
        email: Email::parse(email).unwrap(),
        name: name("Ada"),
        side: Side::Staff,
    };
    let acme_system = TenantScope::dangerous_system(acme.id);
    stores
        .identities
        .create_user(&acme_system, new_user("ada@example.com"), &ctx())
        .await
        .unwrap();
    let again = stores
        .identities
        .create_user(&acme_system, new_user("ADA@Example.com"), &ctx())
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    let other_system = TenantScope::dangerous_system(other.id);
    stores
        .identities
        .create_user(&other_system, new_user("ada@example.com"), &ctx())
        .await
        .expect("the same email in another tenant is another person");
}

pub async fn credentials_and_password_changes(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (user, _) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let system = TenantScope::dangerous_system(acme.id);
    let email = stores
        .identities
        .user(&system, user)
        .await
        .unwrap()
        .unwrap()
        .email;
    let before = stores
        .identities
        .credentials_by_email(acme.id, &email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.user.id, user);
    assert_eq!(before.password_hash, None);
    let stranger = Email::parse("nobody@example.com").unwrap();
    assert!(
        stores
            .identities
            .credentials_by_email(acme.id, &stranger)
            .await
            .unwrap()
            .is_none()
    );
    let other = tenant(stores, "Other").await;
    assert!(
        stores
            .identities
            .credentials_by_email(other.id, &email)
            .await
            .unwrap()
            .is_none(),
        "a login is looked up in one tenant only"
    );

    let first_token = token();
    stores
        .sessions
        .create_session(session(acme.id, user, first_token))
        .await
        .unwrap();
    stores
        .identities
        .set_password_hash(
            acme.id,
            user,
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        )
        .await
        .unwrap();
    let after = stores
        .identities
        .credentials_by_email(acme.id, &email)
        .await
        .unwrap()
        .unwrap();
    assert!(after.password_hash.unwrap().starts_with("$argon2id$"));
    assert!(
        stores
            .sessions
            .session(&first_token)
            .await
            .unwrap()
            .is_none(),
        "a password change ends sessions"
    );
    let at = OffsetDateTime::now_utc();
    stores
        .identities
        .record_login(acme.id, user, at)
        .await
        .unwrap();
    let logged = stores
        .identities
        .user(&system, user)
        .await
        .unwrap()
        .unwrap();
    assert!(logged.last_login_at.is_some());
}

pub fn session(
    tenant: portal_core::TenantId,
    user: portal_core::UserId,
    token_hash: Sha256Digest,
) -> Session {
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    Session {
        token_hash,
        tenant,
        user,
        created_at: now,
        authenticated_at: now,
        last_seen_at: now,
        expires_at: now + Duration::hours(12),
        ip: None,
        user_agent: Some("test".into()),
    }
}

pub async fn disabling_a_user_ends_sessions_and_memberships(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let client = client(stores, &admin, "Client").await;
    let (contact, _) = member(stores, acme.id, BuiltinRole::Approver, &[client]).await;
    for _ in 0..2 {
        stores
            .sessions
            .create_session(session(acme.id, contact, token()))
            .await
            .unwrap();
    }
    assert_eq!(
        stores
            .sessions
            .sessions_of(acme.id, contact)
            .await
            .unwrap()
            .len(),
        2
    );
    let disabled = stores
        .identities
        .set_disabled(&admin, contact, true, &ctx())
        .await
        .unwrap();
    assert!(disabled.disabled);
    assert!(
        stores
            .sessions
            .sessions_of(acme.id, contact)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        stores
            .memberships
            .memberships_of(acme.id, contact)
            .await
            .unwrap()
            .is_empty()
    );
    stores
        .identities
        .set_disabled(&admin, contact, false, &ctx())
        .await
        .unwrap();
    assert_eq!(
        stores
            .memberships
            .memberships_of(acme.id, contact)
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn custom_roles(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let auditor_permissions = PermissionSet::from_slice(&[Permission::ViewAuditLog]);
    let auditor = stores
        .memberships
        .create_role(
            &admin,
            name("Auditor"),
            Side::Staff,
            auditor_permissions,
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(auditor.permissions(), auditor_permissions);
    let duplicate = stores
        .memberships
        .create_role(
            &admin,
            name("Auditor"),
            Side::Staff,
            auditor_permissions,
            &ctx(),
        )
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict { .. })),
        "{duplicate:?}"
    );
    let staff_only_for_client = stores
        .memberships
        .create_role(
            &admin,
            name("Peeker"),
            Side::Client,
            PermissionSet::from_slice(&[Permission::ViewInternal]),
            &ctx(),
        )
        .await;
    assert!(
        matches!(
            staff_only_for_client,
            Err(StoreError::Invalid(DomainError::Validation {
                field: "permissions",
                ..
            }))
        ),
        "{staff_only_for_client:?}"
    );
    let by_manager = stores
        .memberships
        .create_role(
            &manager,
            name("Sneaky"),
            Side::Staff,
            PermissionSet::ALL,
            &ctx(),
        )
        .await;
    assert!(
        matches!(by_manager, Err(StoreError::Forbidden(_))),
        "{by_manager:?}"
    );

    let wider = auditor_permissions.with(Permission::ExportAuditLog);
    let edited = stores
        .memberships
        .set_role_permissions(&admin, auditor.id(), wider, &ctx())
        .await
        .unwrap();
    assert_eq!(edited.permissions(), wider);

    let (user, _) = member(stores, acme.id, BuiltinRole::Member, &[]).await;
    let membership = stores
        .memberships
        .list_memberships(&admin, None, Page::first(200).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.user == user)
        .unwrap();
    stores
        .memberships
        .change_role(&admin, membership.id, auditor.id(), &ctx())
        .await
        .unwrap();
    let scope = scope_of(stores, acme.id, user).await;
    assert_eq!(
        scope.permissions_in(None),
        wider,
        "a role change takes effect on the next scope"
    );
    let held = stores
        .memberships
        .delete_role(&admin, auditor.id(), &ctx())
        .await;
    assert!(matches!(held, Err(StoreError::Conflict { .. })), "{held:?}");
    let owner_role = role(stores, acme.id, BuiltinRole::Owner).await;
    let builtin = stores
        .memberships
        .delete_role(&admin, owner_role.id(), &ctx())
        .await;
    assert!(
        matches!(builtin, Err(StoreError::Conflict { .. })),
        "{builtin:?}"
    );
    let viewer_role = role(stores, acme.id, BuiltinRole::Viewer).await;
    let wrong_side = stores
        .memberships
        .change_role(&admin, membership.id, viewer_role.id(), &ctx())
        .await;
    assert!(
        matches!(wrong_side, Err(StoreError::Invalid(_))),
        "{wrong_side:?}"
    );
    stores
        .memberships
        .remove_membership(&admin, membership.id, &ctx())
        .await
        .unwrap();
    stores
        .memberships
        .delete_role(&admin, auditor.id(), &ctx())
        .await
        .unwrap();
    assert!(
        stores
            .memberships
            .memberships_of(acme.id, user)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn memberships_build_scopes(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let first = client(stores, &admin, "First").await;
    let second = client(stores, &admin, "Second").await;
    let (contact, scope) = member(stores, acme.id, BuiltinRole::Approver, &[first]).await;
    assert_eq!(scope.principal(), Principal::Contact(contact));
    assert!(scope.can_reach_client(first) && !scope.can_reach_client(second));
    let viewer = role(stores, acme.id, BuiltinRole::Viewer).await;
    stores
        .memberships
        .add_membership(
            &admin,
            contact,
            viewer.id(),
            MembershipKind::Contact { client: second },
            &ctx(),
        )
        .await
        .unwrap();
    let both = scope_of(stores, acme.id, contact).await;
    assert!(
        both.permissions_in(Some(first))
            .contains(Permission::DecideApprovals)
    );
    assert!(
        !both
            .permissions_in(Some(second))
            .contains(Permission::DecideApprovals)
    );
    assert!(
        both.permissions_in(Some(second))
            .contains(Permission::ViewProjects)
    );
    let twice = stores
        .memberships
        .add_membership(
            &admin,
            contact,
            viewer.id(),
            MembershipKind::Contact { client: second },
            &ctx(),
        )
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );
}

pub async fn members_see_only_assigned_clients(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let first = client(stores, &admin, "First").await;
    let second = client(stores, &admin, "Second").await;
    let (user, member_scope) = member(stores, acme.id, BuiltinRole::Member, &[first]).await;
    let page = Page::first(50).unwrap();
    let listed: Vec<_> = stores
        .clients
        .list_clients(&member_scope, page)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(listed, vec![first]);
    assert!(
        stores
            .clients
            .client(&member_scope, second)
            .await
            .unwrap()
            .is_none()
    );
    let all: Vec<_> = stores
        .clients
        .list_clients(&admin, page)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(all, vec![second, first], "newest first");

    let membership = stores
        .memberships
        .list_memberships(&admin, None, Page::first(200).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.user == user)
        .unwrap();
    stores
        .memberships
        .assign_clients(&admin, membership.id, vec![second], &ctx())
        .await
        .unwrap();
    let reassigned = scope_of(stores, acme.id, user).await;
    assert!(reassigned.can_reach_client(second) && !reassigned.can_reach_client(first));
}

pub async fn clients_upsert_idempotently(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let input = ClientInput {
        name: name("Globex"),
        external_id: Some("crm-17".into()),
        branding: None,
    };
    let created = stores
        .clients
        .upsert_client(&admin, input.clone(), &ctx())
        .await
        .unwrap();
    assert!(created.created);
    let again = stores
        .clients
        .upsert_client(&admin, input.clone(), &ctx())
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.record, created.record);
    let renamed = stores
        .clients
        .upsert_client(
            &admin,
            ClientInput {
                name: name("Globex Corp"),
                ..input
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(renamed.record.id, created.record.id);
    assert_eq!(renamed.record.name.as_str(), "Globex Corp");
    let missing = stores
        .clients
        .upsert_client(
            &admin,
            ClientInput {
                name: name("X"),
                external_id: None,
                branding: None,
            },
            &ctx(),
        )
        .await;
    assert!(
        matches!(
            missing,
            Err(StoreError::Invalid(DomainError::Validation {
                field: "external_id",
                reason: Invalid::Empty
            }))
        ),
        "{missing:?}"
    );
    let page = Page::first(50).unwrap();
    assert_eq!(
        stores
            .clients
            .list_clients(&admin, page)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

pub async fn archived_clients_lose_their_contacts(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let client = client(stores, &admin, "Client").await;
    let (contact, _) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[client]).await;
    let archived = stores
        .clients
        .set_client_archived(&admin, client, true, &ctx())
        .await
        .unwrap();
    assert!(archived.archived);
    assert!(
        stores
            .memberships
            .memberships_of(acme.id, contact)
            .await
            .unwrap()
            .is_empty()
    );
    stores
        .clients
        .set_client_archived(&admin, client, false, &ctx())
        .await
        .unwrap();
    assert_eq!(
        stores
            .memberships
            .memberships_of(acme.id, contact)
            .await
            .unwrap()
            .len(),
        1
    );
}
