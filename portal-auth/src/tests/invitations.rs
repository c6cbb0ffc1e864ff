//! Invitations: mailed, single use, seven days, revocable, re-sending replaces the link.

use portal_core::model::{AuditContext, ClientInput};
use portal_core::{BuiltinRole, ClientId, Email};
use portal_storage::StoreError;
use time::Duration;

use super::{PASSWORD, World, ip, name, world};
use crate::password::Password;
use crate::{AuthError, Invitations, Invite, LoginOutcome, MailKind};

const CAROL: &str = "carol@client.example";

fn invitations(world: &World) -> Invitations {
    Invitations::new(&world.auth, world.mail.clone())
}

async fn client(world: &World) -> ClientId {
    world
        .stores
        .clients
        .create_client(
            &world.system(),
            ClientInput {
                name: name("Client Co"),
                external_id: None,
                branding: None,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap()
        .id
}

/// Carol accepts the invitation of `token` at `world`'s tenant with `password`.
async fn accept(world: &World, token: &str, password: &str) -> Result<LoginOutcome, AuthError> {
    invitations(world)
        .accept(
            world.tenant,
            token,
            name("Carol"),
            Password::from(password),
            &ip(1),
        )
        .await
}

async fn invite_carol(world: &World, client: ClientId) -> String {
    let role = world.role(BuiltinRole::Approver).await;
    invitations(world)
        .invite(
            &world.system(),
            Invite {
                email: Email::parse(CAROL).unwrap(),
                client: Some(client),
                role,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    world.mailed_token(MailKind::Invitation, CAROL)
}

#[tokio::test]
async fn an_invited_contact_sets_a_password_and_is_signed_in() {
    let world = world().await;
    let client = client(&world).await;
    let token = invite_carol(&world, client).await;
    let mail = world.mailer.sent().pop().unwrap();
    assert!(mail.text.contains("7 days"), "{}", mail.text);
    assert!(mail.text.contains("/agency/auth/invitation?token="));

    let pending = invitations(&world)
        .pending(world.tenant, &token)
        .await
        .unwrap();
    assert_eq!(pending.email.as_str(), CAROL);
    assert_eq!(pending.client, Some(client));

    let LoginOutcome::SignedIn(success) = accept(&world, &token, PASSWORD).await.unwrap() else {
        panic!("a new contact has no second factor");
    };
    assert!(!success.scope.is_staff_side());
    assert!(success.scope.can_reach_client(client));
    assert!(world.live(success.token.expose_secret()).await);
    assert!(world.login(CAROL, PASSWORD, 2).await.is_ok());
    assert!(
        matches!(
            accept(&world, &token, PASSWORD).await,
            Err(AuthError::InvalidInvitation)
        ),
        "an invitation works once"
    );
}

#[tokio::test]
async fn an_invitation_of_the_single_tenant_has_no_slug() {
    let world = world().await;
    let client = client(&world).await;
    let tenant = world.tenant_record().await;
    let mut mail = world.mail.clone();
    mail.links = mail.links.with_single_tenant(tenant.slug);
    let role = world.role(BuiltinRole::Approver).await;
    Invitations::new(&world.auth, mail)
        .invite(
            &world.system(),
            Invite {
                email: Email::parse(CAROL).unwrap(),
                client: Some(client),
                role,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let sent = world.mailer.sent().pop().unwrap();
    assert!(
        sent.text
            .contains("https://portal.example.com/auth/invitation?token="),
        "{}",
        sent.text
    );
    let token = world.mailed_token(MailKind::Invitation, CAROL);
    assert!(matches!(
        accept(&world, &token, PASSWORD).await,
        Ok(LoginOutcome::SignedIn(_))
    ));
}

#[tokio::test]
async fn resending_replaces_the_link_and_revoking_ends_it() {
    let world = world().await;
    let client = client(&world).await;
    let first = invite_carol(&world, client).await;
    let second = invite_carol(&world, client).await;
    assert!(matches!(
        invitations(&world).pending(world.tenant, &first).await,
        Err(AuthError::InvalidInvitation)
    ));
    let pending = invitations(&world)
        .pending(world.tenant, &second)
        .await
        .unwrap();
    invitations(&world)
        .revoke(&world.system(), pending.id, &AuditContext::default())
        .await
        .unwrap();
    assert!(matches!(
        accept(&world, &second, PASSWORD).await,
        Err(AuthError::InvalidInvitation)
    ));
}

#[tokio::test]
async fn an_invitation_lapses_after_seven_days_and_stays_in_its_tenant() {
    let world = world().await;
    let client = client(&world).await;
    let token = invite_carol(&world, client).await;
    assert!(matches!(
        invitations(&world)
            .pending(portal_core::TenantId::new(), &token)
            .await,
        Err(AuthError::InvalidInvitation)
    ));
    world
        .clock
        .advance(Duration::days(7) + Duration::seconds(1));
    assert!(matches!(
        accept(&world, &token, PASSWORD).await,
        Err(AuthError::InvalidInvitation)
    ));
}

#[tokio::test]
async fn a_weak_password_does_not_spend_the_invitation() {
    let world = world().await;
    let client = client(&world).await;
    let token = invite_carol(&world, client).await;
    assert!(matches!(
        accept(&world, &token, "password1234").await,
        Err(AuthError::WeakPassword(_))
    ));
    assert!(
        invitations(&world)
            .pending(world.tenant, &token)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn staff_without_the_permission_cannot_invite() {
    let world = world().await;
    let client = client(&world).await;
    let member = world.signed_in("alice@example.com").await;
    let role = world.role(BuiltinRole::Member).await;
    let refused = invitations(&world)
        .invite(
            &member.scope,
            Invite {
                email: Email::parse("dave@example.com").unwrap(),
                client: None,
                role,
            },
            &AuditContext::default(),
        )
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
    let approver = world.role(BuiltinRole::Approver).await;
    let refused = invitations(&world)
        .invite(
            &member.scope,
            Invite {
                email: Email::parse(CAROL).unwrap(),
                client: Some(client),
                role: approver,
            },
            &AuditContext::default(),
        )
        .await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(
        world.mailer.sent().is_empty(),
        "nothing is mailed when refused"
    );
}
