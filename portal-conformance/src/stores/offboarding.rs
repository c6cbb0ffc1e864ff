use portal_core::model::{
    AuditContext, LoginTokenPurpose, NewAuditEvent, NewInvitation, OutboxStatus, ShareAccess,
    ShareTarget,
};
use portal_core::{BuiltinRole, ClientId, Email, MembershipKind, TenantScope};
use portal_storage::{AuditFilter, Page, Stores};
use time::{Duration, OffsetDateTime};

use crate::Harness;
use crate::stores::fixtures::{
    assert_conflict, assert_forbidden, assert_not_found, client, ctx, member, role, tenant, token,
    work,
};
use crate::stores::tenancy::session;

/// Makes `user` a contact of `client` too, as a viewer.
async fn also_contact_of(
    stores: &Stores,
    tenant: portal_core::TenantId,
    user: portal_core::UserId,
    client: ClientId,
) {
    let system = TenantScope::dangerous_system(tenant);
    let viewer = role(stores, tenant, BuiltinRole::Viewer).await;
    stores
        .memberships
        .add_membership(
            &system,
            user,
            viewer.id(),
            MembershipKind::Contact { client },
            &ctx(),
        )
        .await
        .unwrap();
}

pub async fn offboarding_ends_access_sessions_invitations_and_share_links(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let ending = client(stores, &owner, "Ending").await;
    let staying = client(stores, &owner, "Staying").await;
    let (leaving, _) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[ending]).await;
    let (shared, _) = member(stores, acme.id, BuiltinRole::Approver, &[ending]).await;
    also_contact_of(stores, acme.id, shared, staying).await;
    let (leaving_token, shared_token) = (token(), token());
    for (user, hash) in [(leaving, leaving_token), (shared, shared_token)] {
        stores
            .sessions
            .create_session(session(acme.id, user, hash))
            .await
            .unwrap();
    }
    let now = OffsetDateTime::now_utc();
    let invitation_token = token();
    let viewer = role(stores, acme.id, BuiltinRole::Viewer).await;
    stores
        .invitations
        .create_invitation(
            &owner,
            NewInvitation {
                email: Email::parse("new.contact@ending.example").unwrap(),
                client: Some(ending),
                role: viewer.id(),
                token_hash: invitation_token,
                expires_at: now + Duration::days(7),
            },
            &ctx(),
        )
        .await
        .unwrap();
    let work = work(stores, &owner, ending, "a").await;
    let link_token = token();
    stores
        .share_links
        .create_share_link(
            &owner,
            ShareTarget::Project(work.project),
            link_token,
            ShareAccess {
                download: false,
                upload: false,
            },
            now + Duration::days(7),
            None,
            &ctx(),
        )
        .await
        .unwrap();

    let stamp = stores.changes.stamp(acme.id);
    let report = stores
        .clients
        .offboard_client(&owner, ending, &ctx())
        .await
        .unwrap();
    if let Some(before) = stamp {
        // Caches above the stores (sessions, answers) must not serve the ended sessions.
        assert_ne!(
            stores.changes.stamp(acme.id),
            Some(before),
            "a counted write"
        );
    }
    assert!(report.client.archived);
    let offboarded_at = report
        .client
        .offboarded_at
        .expect("offboarded_at is recorded");
    let mut contacts = vec![leaving, shared];
    contacts.sort_unstable_by_key(|user| *user.as_uuid());
    assert_eq!(report.contacts, contacts);
    assert_eq!(report.contacts_kept, vec![shared]);
    assert_eq!(
        (
            report.sessions_ended,
            report.invitations_revoked,
            report.share_links_revoked
        ),
        (1, 1, 1)
    );
    assert_eq!(
        stores
            .clients
            .client(&owner, ending)
            .await
            .unwrap()
            .unwrap(),
        report.client,
        "the report holds the client as stored"
    );

    assert!(
        stores
            .sessions
            .session(&leaving_token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        stores
            .memberships
            .memberships_of(acme.id, leaving)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        stores
            .sessions
            .session(&shared_token)
            .await
            .unwrap()
            .is_some(),
        "a contact of another active client keeps the session"
    );
    let kept = stores
        .memberships
        .memberships_of(acme.id, shared)
        .await
        .unwrap();
    assert_eq!(
        kept.len(),
        1,
        "only the other client's membership still counts"
    );
    assert!(
        stores
            .invitations
            .pending_invitation(&invitation_token, now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        stores
            .share_links
            .use_share_link(&link_token, now)
            .await
            .unwrap()
            .is_none()
    );

    let events = stores
        .audit
        .list_events(
            &owner,
            AuditFilter {
                action: Some("client.offboarded".into()),
                ..AuditFilter::default()
            },
            Page::first(10).unwrap(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].details["sessions_ended"], 1);
    assert_eq!(events[0].details["invitations_revoked"], 1);
    assert_eq!(events[0].details["share_links_revoked"], 1);
    assert_eq!(events[0].details["contacts"], serde_json::json!(contacts));

    let again = stores
        .clients
        .offboard_client(&owner, ending, &ctx())
        .await
        .unwrap();
    assert_eq!(
        again.client.offboarded_at,
        Some(offboarded_at),
        "the same state"
    );
    assert_eq!(
        (
            again.sessions_ended,
            again.invitations_revoked,
            again.share_links_revoked
        ),
        (0, 0, 0)
    );
    assert!(again.contacts.is_empty());

    let restored = stores
        .clients
        .set_client_archived(&owner, ending, false, &ctx())
        .await
        .unwrap();
    assert!(!restored.archived);
    assert_eq!(
        restored.offboarded_at, None,
        "a restore ends the offboarding"
    );
    assert_eq!(
        stores
            .memberships
            .memberships_of(acme.id, leaving)
            .await
            .unwrap()
            .len(),
        1
    );
    let report = stores.audit.verify_chain(&owner).await.unwrap();
    assert_eq!(report.broken, None);
}

pub async fn offboarding_needs_its_permission_and_reach(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let globex = tenant(stores, "Globex").await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let ending = client(stores, &admin, "Ending").await;
    let other = client(stores, &admin, "Other").await;
    let (_, manager) = member(stores, acme.id, BuiltinRole::Manager, &[]).await;
    let (_, assigned_elsewhere) = member(stores, acme.id, BuiltinRole::Member, &[other]).await;
    let (_, contact) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[ending]).await;
    let (_, foreign_owner) = member(stores, globex.id, BuiltinRole::Owner, &[]).await;

    assert_forbidden(
        &stores
            .clients
            .offboard_client(&manager, ending, &ctx())
            .await,
    );
    assert_forbidden(
        &stores
            .clients
            .offboard_client(&contact, ending, &ctx())
            .await,
    );
    assert_not_found(
        &stores
            .clients
            .offboard_client(&assigned_elsewhere, ending, &ctx())
            .await,
    );
    assert_not_found(
        &stores
            .clients
            .offboard_client(&foreign_owner, ending, &ctx())
            .await,
    );
    assert_not_found(
        &stores
            .clients
            .offboard_client(&admin, ClientId::new(), &ctx())
            .await,
    );
    let unchanged = stores
        .clients
        .client(&admin, ending)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !unchanged.archived && unchanged.offboarded_at.is_none(),
        "nothing changed"
    );

    let report = stores
        .clients
        .offboard_client(&admin, ending, &ctx())
        .await
        .unwrap();
    assert!(
        report.client.offboarded_at.is_some(),
        "an admin may offboard"
    );
}

pub async fn erasure_needs_an_offboarded_client_its_permission_and_reach(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let globex = tenant(stores, "Globex").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let (_, admin) = member(stores, acme.id, BuiltinRole::Admin, &[]).await;
    let (_, foreign_owner) = member(stores, globex.id, BuiltinRole::Owner, &[]).await;
    let ending = client(stores, &owner, "Ending").await;
    let (contact, _) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[ending]).await;

    assert_conflict(&stores.clients.erase_client(&owner, ending, &ctx()).await);
    stores
        .clients
        .offboard_client(&owner, ending, &ctx())
        .await
        .unwrap();
    assert_forbidden(&stores.clients.erase_client(&admin, ending, &ctx()).await);
    assert_not_found(
        &stores
            .clients
            .erase_client(&foreign_owner, ending, &ctx())
            .await,
    );
    assert_not_found(
        &stores
            .clients
            .erase_client(&owner, ClientId::new(), &ctx())
            .await,
    );
    let untouched = stores
        .identities
        .user(&owner, contact)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !untouched.email.as_str().starts_with("erased-"),
        "nothing changed"
    );
    let erased = stores
        .clients
        .erase_client(&owner, ending, &ctx())
        .await
        .unwrap();
    assert_eq!(erased.contacts_erased, vec![contact]);
}

pub async fn erasure_pseudonymises_contacts_and_keeps_the_chain_verifiable(h: &Harness) {
    let stores = &h.stores;
    let acme = tenant(stores, "Acme").await;
    let (_, owner) = member(stores, acme.id, BuiltinRole::Owner, &[]).await;
    let ending = client(stores, &owner, "Ending").await;
    let ongoing = client(stores, &owner, "Ongoing").await;
    let (gone, _) = member(stores, acme.id, BuiltinRole::ClientAdmin, &[ending]).await;
    let (shared, _) = member(stores, acme.id, BuiltinRole::Approver, &[ending]).await;
    also_contact_of(stores, acme.id, shared, ongoing).await;
    let gone_before = stores.identities.user(&owner, gone).await.unwrap().unwrap();
    let now = OffsetDateTime::now_utc();
    // Credentials, a session and a security notice waiting in the outbox.
    stores
        .identities
        .set_password_hash(
            acme.id,
            gone,
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        )
        .await
        .unwrap();
    let session_token = token();
    stores
        .sessions
        .create_session(session(acme.id, gone, session_token))
        .await
        .unwrap();
    let login_token = token();
    stores
        .login_tokens
        .issue_login_token(
            acme.id,
            gone,
            LoginTokenPurpose::MagicLink,
            login_token,
            now + Duration::minutes(10),
        )
        .await
        .unwrap();
    stores
        .mfa
        .replace_recovery_codes(acme.id, gone, vec![token(), token()])
        .await
        .unwrap();
    stores
        .passkeys
        .add_passkey(
            acme.id,
            gone,
            portal_core::model::NewPasskey {
                name: portal_core::DisplayName::parse("Laptop").unwrap(),
                credential_id: token().as_bytes().to_vec(),
                credential: "{}".to_owned(),
            },
            now,
        )
        .await
        .unwrap();
    let viewer = role(stores, acme.id, BuiltinRole::Viewer).await;
    let invited = Email::parse("canary-invited@ending.example").unwrap();
    stores
        .invitations
        .create_invitation(
            &owner,
            NewInvitation {
                email: invited.clone(),
                client: Some(ending),
                role: viewer.id(),
                token_hash: token(),
                expires_at: now + Duration::days(7),
            },
            &ctx(),
        )
        .await
        .unwrap();
    // A failed login with the person's email, as the login path records it.
    let failed = NewAuditEvent::by(
        &TenantScope::dangerous_system(acme.id),
        "login.failed",
        None,
    )
    .with_personal(serde_json::json!({ "email": gone_before.email.as_str() }))
    .about(gone);
    let context = AuditContext {
        ip: Some("203.0.113.9".parse().unwrap()),
    };
    stores.audit.append(&owner, failed, &context).await.unwrap();
    let shared_email = stores
        .identities
        .user(&owner, shared)
        .await
        .unwrap()
        .unwrap()
        .email;
    let staying = NewAuditEvent::by(
        &TenantScope::dangerous_system(acme.id),
        "login.failed",
        None,
    )
    .with_personal(serde_json::json!({ "email": shared_email.as_str() }))
    .about(shared);
    let staying = stores
        .audit
        .append(&owner, staying, &context)
        .await
        .unwrap();

    stores
        .clients
        .offboard_client(&owner, ending, &ctx())
        .await
        .unwrap();
    let report = stores
        .clients
        .erase_client(&owner, ending, &ctx())
        .await
        .unwrap();
    assert!(report.client.erased_at.is_some());
    assert_eq!(report.contacts_erased, vec![gone]);
    assert_eq!(report.contacts_kept, vec![shared]);
    assert_eq!(report.invitations_pseudonymised, 1);
    assert!(report.mails_dropped >= 1, "{report:?}");
    assert!(report.audit_events_erased >= 2, "{report:?}");
    assert_eq!(report.audit_events_version_1_kept, 0);

    let erased = stores.identities.user(&owner, gone).await.unwrap().unwrap();
    assert_eq!(
        erased.email.as_str(),
        format!("erased-{}@erased.invalid", gone.as_uuid().simple())
    );
    assert_eq!(erased.name.as_str(), "Erased contact");
    assert!(erased.disabled && erased.locale.is_none() && erased.erased_at.is_some());
    let stays = stores
        .identities
        .user(&owner, shared)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stays.erased_at, None, "a contact who stays is not erased");
    assert!(
        stores
            .identities
            .credentials_by_email(acme.id, &gone_before.email)
            .await
            .unwrap()
            .is_none()
    );
    let credentials = stores
        .identities
        .credentials_by_email(acme.id, &erased.email)
        .await
        .unwrap()
        .unwrap();
    assert!(credentials.password_hash.is_none(), "no password is left");
    assert!(
        stores
            .sessions
            .session(&session_token)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        stores
            .login_tokens
            .consume_login_token(acme.id, LoginTokenPurpose::MagicLink, &login_token, now)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        stores.mfa.recovery_codes_left(acme.id, gone).await.unwrap(),
        0
    );
    assert!(
        stores
            .passkeys
            .passkeys_of(acme.id, gone)
            .await
            .unwrap()
            .is_empty(),
        "no passkey is left"
    );

    let kept = stores
        .memberships
        .memberships_of(acme.id, shared)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1, "the ongoing client's membership stays");
    let of_ending = stores
        .memberships
        .list_memberships(&owner, Some(ending), Page::first(10).unwrap())
        .await
        .unwrap()
        .items;
    assert!(
        of_ending.iter().all(|m| m.user != shared),
        "only this client's membership ends"
    );
    let invitations = stores
        .invitations
        .list_invitations(&owner, Some(ending), Page::first(10).unwrap())
        .await
        .unwrap()
        .items;
    assert!(
        invitations
            .iter()
            .all(|i| i.email.as_str().ends_with("@erased.invalid"))
    );

    let pending = stores
        .outbox
        .list_outbox(&owner, Page::first(100).unwrap())
        .await
        .unwrap()
        .items;
    let gone_id = gone.to_string();
    assert!(
        pending
            .iter()
            .filter(|row| row.status == OutboxStatus::Pending)
            .all(|row| row.payload.get("user").and_then(|u| u.as_str()) != Some(gone_id.as_str())),
        "no mail to the erased person waits"
    );
    let events = stores
        .audit
        .list_events(&owner, AuditFilter::default(), Page::first(100).unwrap())
        .await
        .unwrap()
        .items;
    let everything = serde_json::to_string(&events).unwrap();
    for canary in [gone_before.email.as_str(), invited.as_str()] {
        assert!(
            !everything.contains(canary),
            "{canary} left in the audit log"
        );
    }
    let kept_event = events.iter().find(|e| e.seq == staying.seq).unwrap();
    assert!(
        !kept_event.is_erased(),
        "a contact who stays keeps their audit facts"
    );
    let erasure_event = events.iter().find(|e| e.action == "client.erased").unwrap();
    assert_eq!(
        erasure_event.details["contacts_erased"],
        serde_json::json!([gone])
    );
    let chain = stores.audit.verify_chain(&owner).await.unwrap();
    assert_eq!(chain.broken, None, "the chain verifies after erasure");

    assert_conflict(
        &stores
            .clients
            .set_client_archived(&owner, ending, false, &ctx())
            .await,
    );
    let again = stores
        .clients
        .erase_client(&owner, ending, &ctx())
        .await
        .unwrap();
    assert!(again.contacts_erased.is_empty() && again.invitations_pseudonymised == 0);
    assert_eq!(again.client.erased_at, report.client.erased_at);
}
