//! Invitations and API keys.

use portal_core::model::{
    AcceptedInvitation, Actor, ApiKey, AuditEvent, Invitation, InvitationAcceptance, NewApiKey,
    NewInvitation, NewUser, User,
};
use portal_core::state::Sha256Digest;
use portal_core::{
    BuiltinRole, ClientId, DomainError, Email, Invalid, InvitationId, MembershipKind, Permission,
    PermissionSet, RoleId, Rule, Side, TenantId, TenantScope, UserId,
};
use portal_storage::{AuditFilter, Page, StoreError, StoreResult, Stores};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{
    assert_conflict, assert_forbidden, assert_invalid, assert_not_found, client, ctx, member, name,
    role, tenant, token,
};
use crate::stores::tenancy::session;

const PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn invitation(
    to: &str,
    client: Option<ClientId>,
    role: RoleId,
    token_hash: Sha256Digest,
) -> NewInvitation {
    NewInvitation {
        email: email(to),
        client,
        role,
        token_hash,
        expires_at: OffsetDateTime::now_utc() + Duration::days(7),
    }
}

/// An invitation of a fresh email, for tests about who may invite rather than whom.
fn anyone(client: Option<ClientId>, role: RoleId) -> NewInvitation {
    let to = format!("{}@x.example", uuid::Uuid::now_v7().simple());
    invitation(&to, client, role, token())
}

fn acceptance(who: &str) -> InvitationAcceptance {
    InvitationAcceptance {
        name: name(who),
        password_hash: PASSWORD_HASH.into(),
    }
}

/// A prefix no other test holds: prefixes are unique across every tenant of a shared database.
fn prefix() -> String {
    format!("pk_{}", uuid::Uuid::now_v7().simple())
}

fn api_key(prefix: &str, permissions: &[Permission]) -> NewApiKey {
    NewApiKey {
        name: name("Billing sync"),
        prefix: prefix.to_owned(),
        secret_hash: token(),
        permissions: PermissionSet::from_slice(permissions),
    }
}

async fn invite(
    stores: &Stores,
    scope: &TenantScope,
    new: NewInvitation,
) -> StoreResult<Invitation> {
    stores
        .invitations
        .create_invitation(scope, new, &ctx())
        .await
}

/// Accepts as `who`, with [`PASSWORD_HASH`], at `at`.
async fn accept(
    stores: &Stores,
    token_hash: &Sha256Digest,
    who: &str,
    at: OffsetDateTime,
) -> StoreResult<Option<AcceptedInvitation>> {
    stores
        .invitations
        .accept_invitation(token_hash, acceptance(who), at, &ctx())
        .await
}

async fn pending(
    stores: &Stores,
    token_hash: &Sha256Digest,
    at: OffsetDateTime,
) -> Option<Invitation> {
    stores
        .invitations
        .pending_invitation(token_hash, at)
        .await
        .unwrap()
}

async fn revoke(stores: &Stores, scope: &TenantScope, id: InvitationId) -> StoreResult<Invitation> {
    stores
        .invitations
        .revoke_invitation(scope, id, &ctx())
        .await
}

/// The first page of the invitations the scope lists, of `client` if set.
async fn listed(stores: &Stores, scope: &TenantScope, client: Option<ClientId>) -> Vec<Invitation> {
    stores
        .invitations
        .list_invitations(scope, client, Page::default())
        .await
        .unwrap()
        .items
}

async fn listed_ids(
    stores: &Stores,
    scope: &TenantScope,
    client: Option<ClientId>,
) -> Vec<InvitationId> {
    let listed = listed(stores, scope, client).await;
    listed.into_iter().map(|i| i.id).collect()
}

async fn user_of(stores: &Stores, tenant: TenantId, user: UserId) -> User {
    let system = TenantScope::dangerous_system(tenant);
    let found = stores.identities.user(&system, user).await.unwrap();
    found.unwrap()
}

async fn password_hash_of(stores: &Stores, tenant: TenantId, email: &Email) -> Option<String> {
    let credentials = stores
        .identities
        .credentials_by_email(tenant, email)
        .await
        .unwrap();
    credentials.unwrap().password_hash
}

async fn create_key(stores: &Stores, scope: &TenantScope, new: NewApiKey) -> StoreResult<ApiKey> {
    stores.api_keys.create_api_key(scope, new, &ctx()).await
}

/// The first page of the API keys the scope lists.
async fn keys(stores: &Stores, scope: &TenantScope) -> StoreResult<Vec<ApiKey>> {
    let page = stores.api_keys.list_api_keys(scope, Page::default()).await;
    page.map(|page| page.items)
}

async fn key_by_prefix(stores: &Stores, prefix: &str) -> Option<ApiKey> {
    stores.api_keys.api_key_by_prefix(prefix).await.unwrap()
}

async fn audit_events(stores: &Stores, tenant: TenantId) -> Vec<AuditEvent> {
    stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(tenant),
            AuditFilter::default(),
            Page::first(200).unwrap(),
        )
        .await
        .unwrap()
        .items
}

/// A new tenant "Acme" with an admin's scope and two clients, `A` and `B`: where most of these
/// tests start.
async fn acme_with_clients(stores: &Stores) -> (TenantId, TenantScope, [ClientId; 2]) {
    let acme = tenant(stores, "Acme").await.id;
    let (_, admin) = member(stores, acme, BuiltinRole::Admin, &[]).await;
    let client_a = client(stores, &admin, "A").await;
    let client_b = client(stores, &admin, "B").await;
    (acme, admin, [client_a, client_b])
}

pub async fn invitations_are_created_listed_and_revoked(h: &Harness) {
    let stores = &h.stores;
    let (acme, admin, [client_a, client_b]) = acme_with_clients(stores).await;
    let admin_user = admin.principal().user_id().unwrap();
    let client_admin = role(stores, acme, BuiltinRole::ClientAdmin).await;
    let member_role = role(stores, acme, BuiltinRole::Member).await;
    let now = OffsetDateTime::now_utc();
    let to_a = |to: &str, token_hash| invitation(to, Some(client_a), client_admin.id(), token_hash);

    let contact_token = token();
    let contact = invite(stores, &admin, to_a("ada@a.example", contact_token))
        .await
        .unwrap();
    assert_eq!(contact.tenant, acme);
    assert_eq!(contact.client, Some(client_a));
    assert_eq!(contact.role, client_admin.id());
    assert_eq!(contact.invited_by, admin_user);
    assert_eq!(contact.token_hash, contact_token);
    assert!(contact.accepted_at.is_none() && contact.revoked_at.is_none());
    assert_eq!(
        pending(stores, &contact_token, now).await,
        Some(contact.clone())
    );
    let staff = invitation("bo@acme.example", None, member_role.id(), token());
    let staff = invite(stores, &admin, staff).await.unwrap();
    let for_b = invitation("cy@b.example", Some(client_b), client_admin.id(), token());
    let for_b = invite(stores, &admin, for_b).await.unwrap();

    let all = stores
        .invitations
        .list_invitations(&admin, None, Page::first(10).unwrap())
        .await
        .unwrap();
    let ids: Vec<_> = all.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, vec![for_b.id, staff.id, contact.id], "newest first");
    let first_page = stores
        .invitations
        .list_invitations(&admin, None, Page::first(2).unwrap())
        .await
        .unwrap();
    assert_eq!(first_page.items.len(), 2);
    let second_page = stores
        .invitations
        .list_invitations(&admin, None, Page::first(2).unwrap().after(first_page.next))
        .await
        .unwrap();
    assert_eq!(second_page.items, vec![contact.clone()]);
    assert!(second_page.next.is_none());
    assert_eq!(
        listed(stores, &admin, Some(client_a)).await,
        vec![contact.clone()]
    );

    // A role of the other side, a role that is not the tenant's, a past expiry, a missing client.
    let wrong_side = invitation("dee@a.example", Some(client_a), member_role.id(), token());
    assert_invalid(&invite(stores, &admin, wrong_side).await, Some("role"));
    let no_role = invitation("dee@a.example", Some(client_a), RoleId::new(), token());
    assert_invalid(&invite(stores, &admin, no_role).await, Some("role"));
    let past = NewInvitation {
        expires_at: now - Duration::minutes(1),
        ..to_a("dee@a.example", token())
    };
    assert_invalid(&invite(stores, &admin, past).await, Some("expires_at"));
    let no_client = invitation(
        "dee@a.example",
        Some(ClientId::new()),
        client_admin.id(),
        token(),
    );
    assert_not_found(&invite(stores, &admin, no_client).await);
    let reused_token = to_a("dee@a.example", contact_token);
    assert_conflict(&invite(stores, &admin, reused_token).await);

    let revoked = revoke(stores, &admin, contact.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(
        pending(stores, &contact_token, now).await.is_none(),
        "a revoked invitation is not pending"
    );
    let again = revoke(stores, &admin, contact.id).await.unwrap();
    assert_eq!(again, revoked, "revoking twice changes nothing");
    assert_not_found(&revoke(stores, &admin, InvitationId::new()).await);

    let events = audit_events(stores, acme).await;
    let created = events
        .iter()
        .filter(|e| e.action == "invitation.created")
        .count();
    let revocations = events
        .iter()
        .filter(|e| e.action == "invitation.revoked")
        .collect::<Vec<_>>();
    assert_eq!(created, 3);
    assert_eq!(revocations.len(), 1, "the second revoke is not audited");
    assert_eq!(revocations[0].actor, Actor::User(admin_user));
    assert_eq!(
        revocations[0].object.as_ref().unwrap().id,
        *contact.id.as_uuid()
    );
    let hex = contact_token.to_hex();
    assert!(
        events.iter().all(|e| !e.details.to_string().contains(&hex)),
        "no token hash in the audit log"
    );
}

pub async fn resending_replaces_the_pending_invitation(h: &Harness) {
    let stores = &h.stores;
    let (acme, admin, [client_a, client_b]) = acme_with_clients(stores).await;
    let viewer = role(stores, acme, BuiltinRole::Viewer).await;
    let now = OffsetDateTime::now_utc();

    let old_token = token();
    let old = invitation("ada@a.example", Some(client_a), viewer.id(), old_token);
    let old = invite(stores, &admin, old).await.unwrap();
    let new_token = token();
    let resent = invitation("ADA@a.example", Some(client_a), viewer.id(), new_token);
    let resent = invite(stores, &admin, resent).await.unwrap();
    assert_ne!(resent.id, old.id);
    assert!(
        pending(stores, &old_token, now).await.is_none(),
        "the old token stops working"
    );
    assert_eq!(
        pending(stores, &new_token, now).await.map(|i| i.id),
        Some(resent.id)
    );
    assert!(
        accept(stores, &old_token, "Ada", now)
            .await
            .unwrap()
            .is_none()
    );
    // The replaced invitation stays listed, revoked.
    let listed = listed(stores, &admin, Some(client_a)).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, resent.id);
    assert!(listed[0].revoked_at.is_none());
    assert_eq!(listed[1].id, old.id);
    assert!(listed[1].revoked_at.is_some());

    // The same email for another client, or for the staff, replaces nothing.
    let other_client_token = token();
    let other_client = invitation(
        "ada@a.example",
        Some(client_b),
        viewer.id(),
        other_client_token,
    );
    invite(stores, &admin, other_client).await.unwrap();
    let member_role = role(stores, acme, BuiltinRole::Member).await;
    let staff_token = token();
    let staff = invitation("ada@a.example", None, member_role.id(), staff_token);
    invite(stores, &admin, staff).await.unwrap();
    for still_pending in [new_token, other_client_token, staff_token] {
        assert!(pending(stores, &still_pending, now).await.is_some());
    }
    let created = audit_events(stores, acme)
        .await
        .into_iter()
        .find(|e| {
            e.action == "invitation.created"
                && e.object.as_ref().map(|o| o.id) == Some(*resent.id.as_uuid())
        })
        .unwrap();
    assert_eq!(
        created.details["replaced"],
        serde_json::json!([old.id]),
        "the re-send names the invitation it replaced"
    );
}

pub async fn pending_invitations_honour_expiry_revocation_and_acceptance(h: &Harness) {
    let stores = &h.stores;
    let (acme, admin, [client_a, _]) = acme_with_clients(stores).await;
    let viewer = role(stores, acme, BuiltinRole::Viewer).await;
    let now = OffsetDateTime::now_utc();
    let expires_at = now + Duration::days(1);

    let expiring = token();
    let new = NewInvitation {
        expires_at,
        ..invitation("ada@a.example", Some(client_a), viewer.id(), expiring)
    };
    let created = invite(stores, &admin, new).await.unwrap();
    assert!(pending(stores, &expiring, now).await.is_some());
    let last_second = created.expires_at - Duration::seconds(1);
    assert!(pending(stores, &expiring, last_second).await.is_some());
    assert!(
        pending(stores, &expiring, created.expires_at)
            .await
            .is_none(),
        "expired at its end"
    );
    let later = now + Duration::days(2);
    assert!(pending(stores, &expiring, later).await.is_none());
    assert!(
        accept(stores, &expiring, "Ada", later)
            .await
            .unwrap()
            .is_none(),
        "an expired invitation cannot be accepted"
    );
    assert!(
        pending(stores, &expiring, now).await.is_some(),
        "a late attempt changes nothing"
    );

    let accepted_at = now + Duration::hours(1);
    let accepted = accept(stores, &expiring, "Ada", accepted_at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        accepted
            .invitation
            .accepted_at
            .map(|at| at.unix_timestamp()),
        Some(accepted_at.unix_timestamp())
    );
    assert!(
        pending(stores, &expiring, now).await.is_none(),
        "an accepted invitation is spent"
    );
    assert_conflict(&revoke(stores, &admin, created.id).await);
    assert!(pending(stores, &token(), now).await.is_none());
}

pub async fn accepting_creates_the_user_and_membership(h: &Harness) {
    let stores = &h.stores;
    let (acme, admin, [client_a, _]) = acme_with_clients(stores).await;
    let approver = role(stores, acme, BuiltinRole::Approver).await;
    let member_role = role(stores, acme, BuiltinRole::Member).await;
    let now = OffsetDateTime::now_utc();

    let contact_token = token();
    let contact = invitation(
        "ada@a.example",
        Some(client_a),
        approver.id(),
        contact_token,
    );
    invite(stores, &admin, contact).await.unwrap();
    let blank = stores
        .invitations
        .accept_invitation(
            &contact_token,
            InvitationAcceptance {
                name: name("Ada"),
                password_hash: " ".into(),
            },
            now,
            &ctx(),
        )
        .await;
    assert_invalid(&blank, Some("password_hash"));
    let accepted = accept(stores, &contact_token, "Ada Lovelace", now)
        .await
        .unwrap()
        .unwrap();
    let user = &accepted.user;
    assert_eq!(user.tenant, acme);
    assert_eq!(user.email, email("ada@a.example"));
    assert_eq!(user.name.as_str(), "Ada Lovelace");
    assert_eq!(user.side, Side::Client);
    assert!(!user.disabled);
    assert_eq!(accepted.membership.user, user.id);
    assert_eq!(accepted.membership.role, approver.id());
    assert_eq!(
        accepted.membership.kind,
        MembershipKind::Contact { client: client_a }
    );
    let credentials = stores
        .identities
        .credentials_by_email(acme, &user.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.user, *user);
    assert_eq!(credentials.password_hash.as_deref(), Some(PASSWORD_HASH));
    let scope = crate::stores::fixtures::scope_of(stores, acme, user.id).await;
    assert_eq!(
        scope.permissions_in(Some(client_a)),
        approver.permissions(),
        "the membership is in force"
    );
    assert!(
        accept(stores, &contact_token, "Ada", now)
            .await
            .unwrap()
            .is_none(),
        "a token works once"
    );

    // Staff join with no assigned clients.
    let staff_token = token();
    let staff = invitation("bo@acme.example", None, member_role.id(), staff_token);
    invite(stores, &admin, staff).await.unwrap();
    let staff = accept(stores, &staff_token, "Bo", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(staff.user.side, Side::Staff);
    assert_eq!(
        staff.membership.kind,
        MembershipKind::Staff {
            assigned_clients: Vec::new()
        }
    );

    let events = audit_events(stores, acme).await;
    let by_ada: Vec<(&str, serde_json::Value)> = events
        .iter()
        .rev()
        .filter(|e| e.actor == Actor::User(user.id))
        .map(|e| (e.action.as_str(), e.details["change"].clone()))
        .collect();
    assert_eq!(
        by_ada,
        vec![
            ("user.changed", serde_json::json!("created")),
            ("user.changed", serde_json::json!("password")),
            ("membership.changed", serde_json::json!("added")),
            ("invitation.accepted", serde_json::Value::Null),
        ],
        "the acceptance is audited as the accepting user"
    );
    assert!(
        events
            .iter()
            .all(|e| !e.details.to_string().contains(PASSWORD_HASH)),
        "no password hash in the audit log"
    );
}

pub async fn accepting_as_an_existing_user_sets_the_password_and_ends_sessions(h: &Harness) {
    let stores = &h.stores;
    let (acme, admin, [client_a, client_b]) = acme_with_clients(stores).await;
    let viewer = role(stores, acme, BuiltinRole::Viewer).await;
    let (contact, _) = member(stores, acme, BuiltinRole::Approver, &[client_a]).await;
    let existing = user_of(stores, acme, contact).await;
    let live_session = token();
    stores
        .sessions
        .create_session(session(acme, contact, live_session))
        .await
        .unwrap();

    let invite_token = token();
    let to_b = invitation(
        existing.email.as_str(),
        Some(client_b),
        viewer.id(),
        invite_token,
    );
    invite(stores, &admin, to_b).await.unwrap();
    let accepted = accept(
        stores,
        &invite_token,
        "Someone Else",
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(accepted.user, existing, "the existing user, name unchanged");
    assert!(
        stores
            .sessions
            .session(&live_session)
            .await
            .unwrap()
            .is_none(),
        "a new password ends the user's sessions"
    );
    assert_eq!(
        password_hash_of(stores, acme, &existing.email)
            .await
            .as_deref(),
        Some(PASSWORD_HASH)
    );
    assert_eq!(
        stores
            .memberships
            .memberships_of(acme, contact)
            .await
            .unwrap()
            .len(),
        2,
        "a contact of both clients now"
    );
    assert!(
        !audit_events(stores, acme)
            .await
            .iter()
            .any(|e| e.actor == Actor::User(contact)
                && e.details["change"] == serde_json::json!("created")),
        "no user was created"
    );

    // Inviting someone to a membership they hold is a conflict.
    let held = invitation(
        existing.email.as_str(),
        Some(client_a),
        viewer.id(),
        token(),
    );
    assert_conflict(&invite(stores, &admin, held).await);
    let admin_email = user_of(stores, acme, admin.principal().user_id().unwrap())
        .await
        .email;
    let member_role = role(stores, acme, BuiltinRole::Member).await;
    let staff_held = invitation(admin_email.as_str(), None, member_role.id(), token());
    assert_conflict(&invite(stores, &admin, staff_held).await);
}

pub async fn concurrent_acceptances_have_one_winner(h: &Harness) {
    let stores = &h.stores;
    let (acme, admin, [client_a, _]) = acme_with_clients(stores).await;
    let viewer = role(stores, acme, BuiltinRole::Viewer).await;
    let shared_token = token();
    let new = invitation("ada@a.example", Some(client_a), viewer.id(), shared_token);
    invite(stores, &admin, new).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let stores = stores.clone();
        tasks.push(tokio::spawn(async move {
            accept(&stores, &shared_token, "Ada", OffsetDateTime::now_utc()).await
        }));
    }
    let mut winners = 0;
    for task in tasks {
        if task.await.unwrap().unwrap().is_some() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1, "exactly one acceptance wins");
    let memberships = stores
        .memberships
        .list_memberships(&admin, Some(client_a), Page::default())
        .await
        .unwrap();
    assert_eq!(memberships.items.len(), 1, "one membership, one user");
}

pub async fn accepting_conflicts_with_the_other_side_or_a_disabled_user(h: &Harness) {
    let stores = &h.stores;
    let (acme, admin, [client_a, client_b]) = acme_with_clients(stores).await;
    let viewer = role(stores, acme, BuiltinRole::Viewer).await;
    let member_role = role(stores, acme, BuiltinRole::Member).await;
    let system = TenantScope::dangerous_system(acme);
    let now = OffsetDateTime::now_utc();

    // A member of staff invited as a contact.
    let staff = stores
        .identities
        .create_user(
            &system,
            NewUser {
                email: email("sam@acme.example"),
                name: name("Sam"),
                side: Side::Staff,
            },
            &ctx(),
        )
        .await
        .unwrap();
    let as_contact = token();
    let new = invitation("sam@acme.example", Some(client_a), viewer.id(), as_contact);
    invite(stores, &admin, new).await.unwrap();
    assert_conflict(&accept(stores, &as_contact, "Sam", now).await);
    assert!(
        pending(stores, &as_contact, now).await.is_some(),
        "a refused acceptance changes nothing"
    );
    assert_eq!(password_hash_of(stores, acme, &staff.email).await, None);

    // A contact invited to the staff.
    let (contact, _) = member(stores, acme, BuiltinRole::Viewer, &[client_a]).await;
    let contact_email = user_of(stores, acme, contact).await.email;
    let as_staff = token();
    let new = invitation(contact_email.as_str(), None, member_role.id(), as_staff);
    invite(stores, &admin, new).await.unwrap();
    assert_conflict(&accept(stores, &as_staff, "C", now).await);

    // A disabled contact is not silently re-enabled.
    stores
        .identities
        .set_disabled(&admin, contact, true, &ctx())
        .await
        .unwrap();
    let to_b = token();
    let new = invitation(contact_email.as_str(), Some(client_b), viewer.id(), to_b);
    invite(stores, &admin, new).await.unwrap();
    assert_conflict(&accept(stores, &to_b, "C", now).await);
    assert!(user_of(stores, acme, contact).await.disabled);
}

pub async fn inviting_needs_the_permission(h: &Harness) {
    let stores = &h.stores;
    let (acme, admin, [client_a, client_b]) = acme_with_clients(stores).await;
    let (_, manager) = member(stores, acme, BuiltinRole::Manager, &[]).await;
    let (_, staff_member) = member(stores, acme, BuiltinRole::Member, &[client_a]).await;
    let (_, client_admin) = member(stores, acme, BuiltinRole::ClientAdmin, &[client_a]).await;
    let (_, approver) = member(stores, acme, BuiltinRole::Approver, &[client_a]).await;
    let viewer = role(stores, acme, BuiltinRole::Viewer).await;
    let member_role = role(stores, acme, BuiltinRole::Member).await;
    let contact_of = |client| anyone(Some(client), viewer.id());
    let staff = || anyone(None, member_role.id());

    // A client admin invites to its own client only; another client is concealed.
    let own = invite(stores, &client_admin, contact_of(client_a))
        .await
        .unwrap();
    assert_not_found(&invite(stores, &client_admin, contact_of(client_b)).await);
    assert_forbidden(&invite(stores, &client_admin, staff()).await);
    // A contact without manage_client_contacts.
    let by_approver = invite(stores, &approver, contact_of(client_a)).await;
    assert!(
        matches!(
            by_approver,
            Err(StoreError::Forbidden(portal_core::Denied {
                rule: Rule::MissingPermission { .. }
            }))
        ),
        "{by_approver:?}"
    );
    // Staff without manage_staff, and staff without reach.
    let staff_by_manager = invite(stores, &manager, staff()).await;
    assert!(
        matches!(
            staff_by_manager,
            Err(StoreError::Forbidden(portal_core::Denied {
                rule: Rule::MissingPermission {
                    permission: Permission::ManageStaff
                }
            }))
        ),
        "{staff_by_manager:?}"
    );
    let by_manager = invite(stores, &manager, contact_of(client_b))
        .await
        .unwrap();
    assert_not_found(&invite(stores, &staff_member, contact_of(client_b)).await);
    assert_forbidden(&invite(stores, &staff_member, contact_of(client_a)).await);
    let staff_invitation = invite(stores, &admin, staff()).await.unwrap();

    // Lists: each sees what it may manage.
    assert_eq!(
        listed_ids(stores, &admin, None).await,
        vec![staff_invitation.id, by_manager.id, own.id]
    );
    assert_eq!(listed_ids(stores, &client_admin, None).await, vec![own.id]);
    assert!(
        listed(stores, &client_admin, Some(client_b))
            .await
            .is_empty()
    );
    assert_eq!(
        listed_ids(stores, &manager, None).await,
        vec![by_manager.id, own.id],
        "no staff invitations without manage_staff"
    );
    assert!(listed(stores, &approver, None).await.is_empty());
    assert!(listed(stores, &staff_member, None).await.is_empty());

    // Revoking takes the same permissions.
    assert_not_found(&revoke(stores, &client_admin, by_manager.id).await);
    assert_forbidden(&revoke(stores, &manager, staff_invitation.id).await);
    assert_forbidden(&revoke(stores, &approver, own.id).await);
    let revoked = revoke(stores, &client_admin, own.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
}

pub async fn invitations_stay_in_their_tenant(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let other = tenant(stores, "Other").await;
    let (_, acme_admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let (_, other_owner) = member(stores, other.id, BuiltinRole::Owner, &[]).await;
    let client_a = client(stores, &acme_admin, "A").await;
    let acme_viewer = role(stores, acme.id, BuiltinRole::Viewer).await;
    let other_viewer = role(stores, other.id, BuiltinRole::Viewer).await;
    let other_client = client(stores, &other_owner, "Other client").await;
    let acme_token = token();
    let new = invitation(
        "ada@a.example",
        Some(client_a),
        acme_viewer.id(),
        acme_token,
    );
    let acme_invitation = invite(stores, &acme_admin, new).await.unwrap();

    assert!(listed(stores, &other_owner, None).await.is_empty());
    assert!(
        listed(stores, &other_owner, Some(client_a))
            .await
            .is_empty()
    );
    assert_not_found(&revoke(stores, &other_owner, acme_invitation.id).await);
    let foreign_client = invitation("eve@x.example", Some(client_a), other_viewer.id(), token());
    assert_not_found(&invite(stores, &other_owner, foreign_client).await);
    let foreign_role = invitation(
        "eve@x.example",
        Some(other_client),
        acme_viewer.id(),
        token(),
    );
    assert_invalid(
        &invite(stores, &other_owner, foreign_role).await,
        Some("role"),
    );
    // Accepting joins the invitation's tenant, and only it.
    let accepted = accept(stores, &acme_token, "Ada", OffsetDateTime::now_utc())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(accepted.user.tenant, acme.id);
    assert!(
        stores
            .identities
            .credentials_by_email(other.id, &email("ada@a.example"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        audit_events(stores, other.id)
            .await
            .iter()
            .all(|e| !e.action.starts_with("invitation.")),
        "nothing of acme's lands in the other tenant's log"
    );
}

pub async fn deleting_a_role_drops_its_invitations(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let client_a = client(stores, &owner, "A").await;
    let auditor = stores
        .memberships
        .create_role(
            &owner,
            name("Auditor"),
            Side::Client,
            PermissionSet::from_slice(&[Permission::ViewProjects]),
            &ctx(),
        )
        .await
        .unwrap();
    let auditor_token = token();
    let new = invitation("ada@a.example", Some(client_a), auditor.id(), auditor_token);
    invite(stores, &owner, new).await.unwrap();
    stores
        .memberships
        .delete_role(&owner, auditor.id(), &ctx())
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    assert!(pending(stores, &auditor_token, now).await.is_none());
    assert!(
        accept(stores, &auditor_token, "Ada", now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(listed(stores, &owner, None).await.is_empty());
}

pub async fn api_keys_are_created_listed_and_revoked(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (admin_user, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let first_prefix = prefix();
    let new = api_key(
        &first_prefix,
        &[Permission::ViewProjects, Permission::ManageProjects],
    );
    let secret_hash = new.secret_hash;
    let key = create_key(stores, &admin, new).await.unwrap();
    assert_eq!(key.tenant, acme.id);
    assert_eq!(key.prefix, first_prefix);
    assert_eq!(key.secret_hash, secret_hash);
    assert_eq!(key.created_by, admin_user);
    assert_eq!(
        key.permissions,
        PermissionSet::from_slice(&[Permission::ViewProjects, Permission::ManageProjects])
    );
    assert!(key.last_used_at.is_none() && key.revoked_at.is_none());
    let second = create_key(stores, &admin, api_key(&prefix(), &[]))
        .await
        .unwrap();
    assert_eq!(
        keys(stores, &admin).await.unwrap(),
        vec![second.clone(), key.clone()],
        "newest first"
    );
    assert_eq!(
        key_by_prefix(stores, &first_prefix).await,
        Some(key.clone())
    );
    assert!(key_by_prefix(stores, &prefix()).await.is_none());

    let used_at = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    stores
        .api_keys
        .record_api_key_use(acme.id, key.id, used_at)
        .await
        .unwrap();
    assert_eq!(
        key_by_prefix(stores, &first_prefix)
            .await
            .unwrap()
            .last_used_at,
        Some(used_at)
    );
    let wrong_tenant = stores
        .api_keys
        .record_api_key_use(TenantId::new(), key.id, used_at)
        .await;
    assert_not_found(&wrong_tenant);

    let revoked = stores
        .api_keys
        .revoke_api_key(&admin, key.id, &ctx())
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(revoked.last_used_at, Some(used_at));
    assert_eq!(
        key_by_prefix(stores, &first_prefix).await,
        Some(revoked.clone()),
        "a revoked key is still found, so its use can be refused and logged"
    );
    assert_eq!(
        stores
            .api_keys
            .revoke_api_key(&admin, key.id, &ctx())
            .await
            .unwrap(),
        revoked,
        "revoking twice changes nothing"
    );
    let events = audit_events(stores, acme.id).await;
    let actions: Vec<&str> = events
        .iter()
        .filter(|e| e.action.starts_with("api_key."))
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        actions,
        vec!["api_key.revoked", "api_key.created", "api_key.created"]
    );
    let hex = secret_hash.to_hex();
    assert!(
        events.iter().all(|e| !e.details.to_string().contains(&hex)),
        "no secret hash in the audit log"
    );
}

pub async fn api_key_prefixes_are_unique_across_tenants(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let other = tenant(stores, "Other").await;
    let (_, acme_owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let (_, other_owner) = member(stores, other.id, BuiltinRole::Owner, &[]).await;
    let taken = prefix();
    let key = create_key(
        stores,
        &acme_owner,
        api_key(&taken, &[Permission::ViewProjects]),
    )
    .await
    .unwrap();
    for scope in [&acme_owner, &other_owner] {
        assert_conflict(&create_key(stores, scope, api_key(&taken, &[])).await);
    }
    let same_secret = NewApiKey {
        secret_hash: key.secret_hash,
        ..api_key(&prefix(), &[])
    };
    assert_conflict(&create_key(stores, &other_owner, same_secret).await);
    assert_eq!(
        key_by_prefix(stores, &taken)
            .await
            .map(|found| found.tenant),
        Some(acme.id)
    );
    assert!(
        keys(stores, &other_owner).await.unwrap().is_empty(),
        "the refused keys were not stored"
    );
    let blank = create_key(stores, &acme_owner, api_key(" ", &[])).await;
    assert_invalid(&blank, Some("prefix"));
}

pub async fn api_keys_never_exceed_their_creator(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let client_a = client(stores, &admin, "A").await;
    let (_, client_admin) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[client_a]).await;
    let key_with = |permissions: &[Permission]| api_key(&prefix(), permissions);

    // The admin lacks manage_tenant (the owner's alone).
    let beyond = key_with(&[Permission::ViewProjects, Permission::ManageTenant]);
    let beyond = create_key(stores, &admin, beyond).await;
    assert!(
        matches!(
            beyond,
            Err(StoreError::Forbidden(portal_core::Denied {
                rule: Rule::MissingPermission {
                    permission: Permission::ManageTenant
                }
            }))
        ),
        "{beyond:?}"
    );
    let client_side = key_with(&[Permission::DecideApprovals]);
    let client_side = create_key(stores, &admin, client_side).await;
    assert!(
        matches!(
            &client_side,
            Err(StoreError::Invalid(DomainError::Validation {
                field: "permissions",
                reason: Invalid::PermissionNotAllowed { .. }
            }))
        ),
        "{client_side:?}"
    );
    for scope in [&manager, &client_admin] {
        let refused = create_key(stores, scope, key_with(&[Permission::ViewProjects])).await;
        assert_forbidden(&refused);
        assert_forbidden(&keys(stores, scope).await);
    }
    let key = create_key(stores, &admin, key_with(&[Permission::ViewProjects]))
        .await
        .unwrap();
    let by_manager = stores
        .api_keys
        .revoke_api_key(&manager, key.id, &ctx())
        .await;
    assert_forbidden(&by_manager);
    assert!(
        keys(stores, &admin)
            .await
            .unwrap()
            .iter()
            .all(|k| k.revoked_at.is_none()),
        "only the allowed key exists, unrevoked"
    );
}

pub async fn api_keys_stay_in_their_tenant(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let other = tenant(stores, "Other").await;
    let (_, acme_owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let (_, other_owner) = member(stores, other.id, BuiltinRole::Owner, &[]).await;
    let new = api_key(&prefix(), &[Permission::ViewProjects]);
    let key = create_key(stores, &acme_owner, new).await.unwrap();
    assert!(keys(stores, &other_owner).await.unwrap().is_empty());
    let revoke = stores
        .api_keys
        .revoke_api_key(&other_owner, key.id, &ctx())
        .await;
    assert_not_found(&revoke);
    let used = stores
        .api_keys
        .record_api_key_use(other.id, key.id, OffsetDateTime::now_utc())
        .await;
    assert_not_found(&used);
    assert_eq!(
        key_by_prefix(stores, &key.prefix).await.unwrap(),
        key,
        "nothing changed"
    );
}
