//! Passkeys end to end with a software authenticator: several per user, renamed and revoked,
//! discoverable sign-in, replayed and expired ceremonies, other tenants, the signature counter,
//! step-up (SEC-20), throttling (SEC-10) and the tenant's requirement of a second factor.
//!
//! The software authenticator of `webauthn-authenticator-rs` keeps no resident keys: it signs
//! only for credentials in the allow list and returns no user handle. [`Device`] stands in for a
//! discoverable authenticator around it: it remembers each credential's user handle at
//! registration, and at sign-in picks the credential (as a person picks a passkey in the
//! browser's dialog) and hands the user handle back. Neither is covered by the signature, so the
//! server's checks run exactly as for a real passkey; the browser test uses Chromium's virtual
//! authenticator with real resident keys.

use std::collections::HashMap;

use portal_core::model::{AuditContext, Branding, NewTenant, NewUser};
use portal_core::{HexColour, Side, Slug, TenantScope};
use time::Duration;
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::{AllowCredentials, ResidentKeyRequirement};

use super::{PASSWORD, World, ip, name, world, world_with};
use crate::Clock as _;
use crate::passkey::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};
use crate::password::Password;
use crate::{AuthConfig, AuthError, Authenticated, Passkeys, RelyingParty};

const ORIGIN: &str = "https://portal.example.com";

fn rp() -> RelyingParty {
    RelyingParty::new(&Url::parse(ORIGIN).unwrap(), "Agency").unwrap()
}

fn origin() -> Url {
    Url::parse(ORIGIN).unwrap()
}

/// A discoverable authenticator, emulated around the software one (see the module docs).
struct Device {
    soft: SoftPasskey,
    user_handles: HashMap<Vec<u8>, Vec<u8>>,
}

impl Device {
    fn new() -> Self {
        Self {
            soft: SoftPasskey::new(true),
            user_handles: HashMap::new(),
        }
    }

    /// Makes a credential for the options; its id.
    fn create(
        &mut self,
        mut options: CreationChallengeResponse,
    ) -> (RegisterPublicKeyCredential, Vec<u8>) {
        let selection = options.public_key.authenticator_selection.as_mut().unwrap();
        assert_eq!(
            selection.resident_key,
            Some(ResidentKeyRequirement::Required),
            "a passkey is asked to be discoverable"
        );
        // The software authenticator refuses the resident-key hint; the server never checks it.
        selection.resident_key = None;
        selection.require_resident_key = false;
        let user_handle = options.public_key.user.id.clone();
        let credential = self.soft.do_registration(origin(), options).unwrap();
        let id = credential.raw_id.clone();
        self.user_handles.insert(id.clone(), user_handle);
        (credential, id)
    }

    /// Signs the request with the credential `id`, as the browser does when its user picks it.
    fn get(&mut self, mut options: RequestChallengeResponse, id: &[u8]) -> PublicKeyCredential {
        assert!(
            options.public_key.allow_credentials.is_empty(),
            "a discoverable sign-in names no credentials"
        );
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".to_owned(),
            id: id.to_vec(),
            transports: None,
        }];
        let mut assertion = self.soft.do_authentication(origin(), options).unwrap();
        assertion.response.user_handle = self.user_handles.get(id).cloned();
        assertion
    }
}

fn passkeys(world: &World) -> Passkeys {
    Passkeys::new(&world.auth)
}

/// Registers a passkey called `title` for `who` on `device`; its credential id.
async fn register(world: &World, who: &Authenticated, device: &mut Device, title: &str) -> Vec<u8> {
    let begun = passkeys(world)
        .begin_registration(who, &rp())
        .await
        .unwrap();
    let (credential, id) = device.create(begun.options);
    let stored = passkeys(world)
        .finish_registration(who, &rp(), begun.handle.expose_secret(), title, &credential)
        .await
        .unwrap();
    assert_eq!(stored.name.as_str(), title);
    assert_eq!(stored.credential_id, id);
    id
}

/// Signs in with the credential `id` on `device`.
async fn sign_in(
    world: &World,
    device: &mut Device,
    id: &[u8],
) -> Result<crate::LoginSuccess, AuthError> {
    let begun = passkeys(world)
        .begin_sign_in(world.tenant, &rp())
        .await
        .unwrap();
    let assertion = device.get(begun.options, id);
    passkeys(world)
        .finish_sign_in(
            world.tenant,
            &rp(),
            begun.handle.expose_secret(),
            &assertion,
            ip(7),
        )
        .await
}

#[tokio::test]
async fn a_user_registers_two_renames_revokes_one_and_signs_in_with_the_other() {
    let world = world().await;
    let alice = world.signed_in("alice@example.com").await;
    let mut device = Device::new();
    let laptop = register(&world, &alice, &mut device, "Laptop").await;
    let phone = register(&world, &alice, &mut device, "Phone").await;
    let listed = passkeys(&world).list(&alice).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Laptop", "Phone"]);

    let renamed = passkeys(&world)
        .rename(&alice, listed[1].id, "  Work phone ")
        .await
        .unwrap();
    assert_eq!(renamed.name.as_str(), "Work phone");
    assert!(matches!(
        passkeys(&world).rename(&alice, listed[1].id, " ").await,
        Err(AuthError::Store(portal_storage::StoreError::Invalid(_)))
    ));
    passkeys(&world).revoke(&alice, listed[0].id).await.unwrap();
    assert_eq!(passkeys(&world).list(&alice).await.unwrap(), vec![renamed]);

    let success = sign_in(&world, &mut device, &phone).await.unwrap();
    assert_eq!(success.session.user, world.alice);
    assert!(!success.must_enrol_mfa);
    assert!(world.live(success.token.expose_secret()).await);
    assert!(matches!(
        sign_in(&world, &mut device, &laptop).await,
        Err(AuthError::InvalidCredentials)
    ));

    // Another user cannot rename or revoke alice's passkey: it is not found for them.
    let bob = world.signed_in("bob@example.com").await;
    let phone_id = passkeys(&world).list(&alice).await.unwrap()[0].id;
    assert!(matches!(
        passkeys(&world).revoke(&bob, phone_id).await,
        Err(AuthError::Store(portal_storage::StoreError::NotFound))
    ));

    assert_eq!(world.events("passkey.registered").await.len(), 2);
    assert_eq!(world.events("passkey.renamed").await.len(), 1);
    assert_eq!(world.events("passkey.revoked").await.len(), 1);
    let logins = world.events("login.succeeded").await;
    assert!(
        logins
            .iter()
            .any(|event| event.details["method"] == "passkey"),
        "{logins:?}"
    );
    let failed = world.events("login.passkey_failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].details["reason"], "unknown_credential");
}

#[tokio::test]
async fn registration_excludes_known_credentials_and_refuses_duplicates() {
    let world = world().await;
    let alice = world.signed_in("alice@example.com").await;
    let mut device = Device::new();
    let first = register(&world, &alice, &mut device, "Laptop").await;
    let begun = passkeys(&world)
        .begin_registration(&alice, &rp())
        .await
        .unwrap();
    let excluded: Vec<Vec<u8>> = begun
        .options
        .public_key
        .exclude_credentials
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|descriptor| descriptor.id.to_vec())
        .collect();
    assert_eq!(excluded, vec![first]);
    // A registration finishes once: the same answer again finds no ceremony.
    let (credential, _) = device.create(begun.options);
    let handle = begun.handle.expose_secret().to_owned();
    passkeys(&world)
        .finish_registration(&alice, &rp(), &handle, "Phone", &credential)
        .await
        .unwrap();
    assert!(matches!(
        passkeys(&world)
            .finish_registration(&alice, &rp(), &handle, "Phone", &credential)
            .await,
        Err(AuthError::InvalidPasskeyRegistration)
    ));
    // The same credential under a new ceremony is refused: its challenge is another.
    let again = passkeys(&world)
        .begin_registration(&alice, &rp())
        .await
        .unwrap();
    assert!(matches!(
        passkeys(&world)
            .finish_registration(
                &alice,
                &rp(),
                again.handle.expose_secret(),
                "Copy",
                &credential
            )
            .await,
        Err(AuthError::InvalidPasskeyRegistration)
    ));
    // Bob cannot finish alice's ceremony.
    let bob = world.signed_in("bob@example.com").await;
    let begun = passkeys(&world)
        .begin_registration(&alice, &rp())
        .await
        .unwrap();
    let (credential, _) = device.create(begun.options);
    assert!(matches!(
        passkeys(&world)
            .finish_registration(
                &bob,
                &rp(),
                begun.handle.expose_secret(),
                "Stolen",
                &credential
            )
            .await,
        Err(AuthError::InvalidPasskeyRegistration)
    ));
    assert_eq!(passkeys(&world).list(&alice).await.unwrap().len(), 2);
    assert!(passkeys(&world).list(&bob).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_replayed_or_expired_ceremony_is_refused() {
    let world = world().await;
    let alice = world.signed_in("alice@example.com").await;
    let mut device = Device::new();
    let id = register(&world, &alice, &mut device, "Laptop").await;

    let begun = passkeys(&world)
        .begin_sign_in(world.tenant, &rp())
        .await
        .unwrap();
    let handle = begun.handle.expose_secret().to_owned();
    let assertion = device.get(begun.options, &id);
    let finish = |handle: String, assertion: PublicKeyCredential| {
        let passkeys = passkeys(&world);
        let tenant = world.tenant;
        async move {
            passkeys
                .finish_sign_in(tenant, &rp(), &handle, &assertion, ip(7))
                .await
        }
    };
    finish(handle.clone(), assertion.clone()).await.unwrap();
    assert!(matches!(
        finish(handle, assertion.clone()).await,
        Err(AuthError::InvalidCredentials)
    ));
    // The same assertion under a fresh ceremony: its challenge is another.
    let fresh = passkeys(&world)
        .begin_sign_in(world.tenant, &rp())
        .await
        .unwrap();
    assert!(matches!(
        finish(fresh.handle.expose_secret().to_owned(), assertion).await,
        Err(AuthError::InvalidCredentials)
    ));
    assert!(matches!(
        finish("not-a-handle".to_owned(), device.get(fresh.options, &id)).await,
        Err(AuthError::InvalidCredentials)
    ));

    // Five minutes later a ceremony has lapsed.
    let late = passkeys(&world)
        .begin_sign_in(world.tenant, &rp())
        .await
        .unwrap();
    let assertion = device.get(late.options, &id);
    world.clock.advance(Duration::minutes(5));
    assert!(matches!(
        finish(late.handle.expose_secret().to_owned(), assertion).await,
        Err(AuthError::InvalidCredentials)
    ));
    let alice = world.signed_in("alice@example.com").await;
    let begun = passkeys(&world)
        .begin_registration(&alice, &rp())
        .await
        .unwrap();
    let (credential, _) = device.create(begun.options);
    world.clock.advance(Duration::minutes(5));
    let alice = world.signed_in("alice@example.com").await;
    assert!(matches!(
        passkeys(&world)
            .finish_registration(
                &alice,
                &rp(),
                begun.handle.expose_secret(),
                "Late",
                &credential
            )
            .await,
        Err(AuthError::InvalidPasskeyRegistration)
    ));
    let reasons: Vec<String> = world
        .events("login.passkey_failed")
        .await
        .iter()
        .map(|event| event.details["reason"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        reasons
            .iter()
            .all(|reason| ["unknown_ceremony", "unverified"].contains(&reason.as_str()))
    );
    assert_eq!(reasons.len(), 4, "{reasons:?}");
}

#[tokio::test]
async fn another_tenants_ceremony_or_credential_opens_nothing() {
    let world = world().await;
    let alice = world.signed_in("alice@example.com").await;
    let mut device = Device::new();
    let id = register(&world, &alice, &mut device, "Laptop").await;
    let other = world
        .stores
        .tenants
        .create_tenant(NewTenant {
            slug: Slug::parse("other").unwrap(),
            branding: Branding {
                display_name: name("Other"),
                logo_url: None,
                favicon_url: None,
                primary_colour: HexColour::parse("#123456").unwrap(),
                accent_colour: HexColour::parse("#abcdef").unwrap(),
                font: None,
                custom_css: None,
                email_sender_name: None,
                email_sender_address: None,
                default_locale: None,
            },
        })
        .await
        .unwrap()
        .id;
    // The other tenant has a user with alice's id as nothing: the credential is unknown there.
    world
        .stores
        .identities
        .create_user(
            &TenantScope::dangerous_system(other),
            NewUser {
                email: portal_core::Email::parse("alice@example.com").unwrap(),
                name: name("Alice"),
                side: Side::Staff,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let begun = passkeys(&world).begin_sign_in(other, &rp()).await.unwrap();
    let assertion = device.get(begun.options, &id);
    assert!(matches!(
        passkeys(&world)
            .finish_sign_in(
                other,
                &rp(),
                begun.handle.expose_secret(),
                &assertion,
                ip(7)
            )
            .await,
        Err(AuthError::InvalidCredentials)
    ));
    // A ceremony begun for one tenant cannot be finished in another.
    let begun = passkeys(&world).begin_sign_in(other, &rp()).await.unwrap();
    let assertion = device.get(begun.options, &id);
    assert!(matches!(
        passkeys(&world)
            .finish_sign_in(
                world.tenant,
                &rp(),
                begun.handle.expose_secret(),
                &assertion,
                ip(7)
            )
            .await,
        Err(AuthError::InvalidCredentials)
    ));
}

#[tokio::test]
async fn the_signature_counter_moves_forward_and_a_cloned_authenticator_is_refused() {
    let world = world().await;
    let alice = world.signed_in("alice@example.com").await;
    let mut device = Device::new();
    let id = register(&world, &alice, &mut device, "Laptop").await;
    let counter = |world: &World| {
        let stores = world.stores.clone();
        let tenant = world.tenant;
        let id = id.clone();
        async move {
            let stored = stores
                .passkeys
                .passkey_by_credential_id(tenant, &id)
                .await
                .unwrap()
                .unwrap();
            let credential: serde_json::Value = serde_json::from_str(&stored.credential).unwrap();
            (
                credential["cred"]["counter"].as_u64().unwrap(),
                stored.last_used_at,
                stored.id,
            )
        }
    };
    let (before, used, _) = counter(&world).await;
    assert_eq!(used, None);
    sign_in(&world, &mut device, &id).await.unwrap();
    world.clock.advance(Duration::seconds(1));
    sign_in(&world, &mut device, &id).await.unwrap();
    let (after, used, passkey) = counter(&world).await;
    assert!(after > before, "{before} → {after}");
    // Stored to the microsecond.
    assert!(used.is_some_and(|at| (at - world.clock.now()).abs() < Duration::milliseconds(1)));

    // A copy of the key whose counter lags behind the stored one looks cloned.
    let stored = world
        .stores
        .passkeys
        .passkey_by_credential_id(world.tenant, &id)
        .await
        .unwrap()
        .unwrap();
    let mut credential: serde_json::Value = serde_json::from_str(&stored.credential).unwrap();
    credential["cred"]["counter"] = serde_json::json!(after + 100);
    world
        .stores
        .passkeys
        .record_passkey_use(
            world.tenant,
            passkey,
            credential.to_string(),
            world.clock.now(),
        )
        .await
        .unwrap();
    assert!(matches!(
        sign_in(&world, &mut device, &id).await,
        Err(AuthError::InvalidCredentials)
    ));
    let failed = world.events("login.passkey_failed").await;
    assert_eq!(failed[0].details["reason"], "unverified");
    assert_eq!(failed[0].subject, Some(world.alice));
}

#[tokio::test]
async fn a_user_handle_of_another_user_is_refused() {
    let world = world().await;
    let alice = world.signed_in("alice@example.com").await;
    let mut device = Device::new();
    let id = register(&world, &alice, &mut device, "Laptop").await;
    device
        .user_handles
        .insert(id.clone(), world.bob.as_uuid().as_bytes().to_vec());
    assert!(matches!(
        sign_in(&world, &mut device, &id).await,
        Err(AuthError::InvalidCredentials)
    ));
    assert_eq!(
        world.events("login.passkey_failed").await[0].details["reason"],
        "wrong_user_handle"
    );
}

#[tokio::test]
async fn changing_passkeys_needs_a_recent_login_sec_20() {
    let world = world().await;
    let alice = world.signed_in("alice@example.com").await;
    let mut device = Device::new();
    register(&world, &alice, &mut device, "Laptop").await;
    let id = passkeys(&world).list(&alice).await.unwrap()[0].id;
    let begun = passkeys(&world)
        .begin_registration(&alice, &rp())
        .await
        .unwrap();
    let (credential, _) = device.create(begun.options);
    world.clock.advance(Duration::minutes(11));
    let stale = alice;
    assert!(matches!(
        passkeys(&world).begin_registration(&stale, &rp()).await,
        Err(AuthError::ReauthRequired)
    ));
    assert!(matches!(
        passkeys(&world)
            .finish_registration(
                &stale,
                &rp(),
                begun.handle.expose_secret(),
                "Late",
                &credential
            )
            .await,
        Err(AuthError::ReauthRequired)
    ));
    assert!(matches!(
        passkeys(&world).revoke(&stale, id).await,
        Err(AuthError::ReauthRequired)
    ));
    // Renaming changes nothing of the sign-in and needs no step-up.
    passkeys(&world)
        .rename(&stale, id, "Old laptop")
        .await
        .unwrap();
    assert_eq!(passkeys(&world).list(&stale).await.unwrap().len(), 1);
}

#[tokio::test]
async fn passkey_sign_ins_are_throttled_per_credential_sec_10() {
    let config = AuthConfig::default()
        .with_delay_after(u32::MAX)
        .with_max_account_failures(3);
    let world = world_with(config).await;
    let alice = world.signed_in("alice@example.com").await;
    let mut device = Device::new();
    let id = register(&world, &alice, &mut device, "Laptop").await;
    for _ in 0..3 {
        let begun = passkeys(&world)
            .begin_sign_in(world.tenant, &rp())
            .await
            .unwrap();
        let assertion = device.get(begun.options, &id);
        assert!(matches!(
            passkeys(&world)
                .finish_sign_in(world.tenant, &rp(), "unknown-handle", &assertion, ip(7))
                .await,
            Err(AuthError::InvalidCredentials)
        ));
    }
    assert!(matches!(
        sign_in(&world, &mut device, &id).await,
        Err(AuthError::Throttled { .. })
    ));
    world.clock.advance(Duration::hours(2));
    sign_in(&world, &mut device, &id).await.unwrap();
}

#[tokio::test]
async fn a_passkey_meets_the_tenants_requirement_of_a_second_factor() {
    let world = world().await;
    let bob = world.signed_in("bob@example.com").await;
    let mut device = Device::new();
    let id = register(&world, &bob, &mut device, "Phone").await;
    world
        .stores
        .tenants
        .set_mfa_policy(
            &TenantScope::dangerous_system(world.tenant),
            true,
            true,
            &AuditContext::default(),
        )
        .await
        .unwrap();
    // Alice has no second factor: signed in, but she must enrol.
    let alice = world
        .login_outcome("alice@example.com", PASSWORD, 1)
        .await
        .unwrap();
    assert!(alice.must_enrol_mfa);
    // Bob's password alone cannot open a session: his second factor is a passkey.
    assert!(matches!(
        world
            .auth
            .login(
                world.tenant,
                "bob@example.com",
                Password::from(PASSWORD),
                ip(1)
            )
            .await,
        Err(AuthError::PasskeyRequired)
    ));
    let success = sign_in(&world, &mut device, &id).await.unwrap();
    assert!(!success.must_enrol_mfa);
    assert!(!world.auth.must_enrol_mfa(&success.scope).await.unwrap());
}
