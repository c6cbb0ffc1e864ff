//! End-to-end tests of login and sessions over the memory store, with cheap argon2 parameters
//! and a manual clock.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use portal_core::model::{AuditContext, Branding, NewTenant, NewUser};
use portal_core::{
    BuiltinRole, DisplayName, Email, HexColour, MembershipKind, Side, Slug, TenantId, TenantScope,
    UserId,
};
use portal_storage::{AuditFilter, Page, Stores};
use time::Duration;

use crate::Clock as _;
use crate::password::{Argon2Config, Password, PasswordHasher};
use crate::{
    AuthConfig, AuthError, Authenticator, LoginContext, MailSetup, ManualClock, PortalLinks,
    RecordingMailer, Sessions, TotpKey,
};

mod api_keys;
mod invitations;
mod mfa;
mod no_secrets_in_logs;
mod passkeys;
mod recovery;

const PASSWORD: &str = "canary-Secret-4711 harbour";

fn cheap() -> Argon2Config {
    Argon2Config::default()
        .with_memory_kib(256)
        .with_iterations(1)
}

struct World {
    stores: Stores,
    tenant: TenantId,
    clock: ManualClock,
    auth: Authenticator,
    sessions: Sessions,
    alice: UserId,
    bob: UserId,
    disabled: UserId,
    mailer: RecordingMailer,
    mail: MailSetup,
    totp_key: TotpKey,
}

fn name(text: &str) -> DisplayName {
    DisplayName::parse(text).unwrap()
}

fn ip(last: u8) -> LoginContext {
    LoginContext {
        ip: Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, last))),
        user_agent: Some("test-browser".to_owned()),
    }
}

async fn add_user(
    stores: &Stores,
    system: &TenantScope,
    email: &str,
    member: bool,
    password: Option<&str>,
    hasher: &PasswordHasher,
) -> UserId {
    let user = stores
        .identities
        .create_user(
            system,
            NewUser {
                email: Email::parse(email).unwrap(),
                name: name("Some One"),
                side: Side::Staff,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    if member {
        let roles = stores.memberships.roles(system).await.unwrap();
        let role = roles
            .iter()
            .find(|role| role.builtin_role() == Some(BuiltinRole::Member))
            .unwrap()
            .id();
        stores
            .memberships
            .add_membership(
                system,
                user.id,
                role,
                MembershipKind::Staff {
                    assigned_clients: Vec::new(),
                },
                &AuditContext::default(),
            )
            .await
            .unwrap();
    }
    if let Some(password) = password {
        let hash = hasher.hash(Password::from(password)).await.unwrap();
        stores
            .identities
            .set_password_hash(system.tenant_id(), user.id, hash)
            .await
            .unwrap();
    }
    user.id
}

async fn world_with(config: AuthConfig) -> World {
    world_hashing(config, cheap()).await
}

async fn world_hashing(config: AuthConfig, login_params: Argon2Config) -> World {
    let stores = Stores::memory();
    let tenant = stores
        .tenants
        .create_tenant(NewTenant {
            slug: Slug::parse("agency").unwrap(),
            branding: Branding {
                display_name: name("Agency"),
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
    let system = TenantScope::dangerous_system(tenant);
    let hasher = PasswordHasher::new(cheap()).unwrap();
    let alice = add_user(
        &stores,
        &system,
        "alice@example.com",
        true,
        Some(PASSWORD),
        &hasher,
    )
    .await;
    let bob = add_user(
        &stores,
        &system,
        "bob@example.com",
        true,
        Some(PASSWORD),
        &hasher,
    )
    .await;
    add_user(&stores, &system, "nopass@example.com", true, None, &hasher).await;
    add_user(
        &stores,
        &system,
        "loner@example.com",
        false,
        Some(PASSWORD),
        &hasher,
    )
    .await;
    let disabled = add_user(
        &stores,
        &system,
        "gone@example.com",
        true,
        Some(PASSWORD),
        &hasher,
    )
    .await;
    stores
        .identities
        .set_disabled(&system, disabled, true, &AuditContext::default())
        .await
        .unwrap();
    let clock = ManualClock::starting_now();
    let auth = Authenticator::new(
        stores.clone(),
        PasswordHasher::new(login_params).unwrap(),
        config,
        Arc::new(clock.clone()),
    );
    let sessions = auth.sessions();
    let mailer = RecordingMailer::new();
    World {
        stores,
        tenant,
        clock,
        auth,
        sessions,
        alice,
        bob,
        disabled,
        mailer: mailer.clone(),
        mail: MailSetup::new(
            Arc::new(mailer),
            PortalLinks::new("https://portal.example.com").unwrap(),
        ),
        totp_key: TotpKey::generate().unwrap(),
    }
}

async fn world() -> World {
    world_with(AuthConfig::default()).await
}

impl World {
    async fn login(&self, email: &str, password: &str, from: u8) -> Result<String, AuthError> {
        self.login_outcome(email, password, from)
            .await
            .map(|success| success.token.expose_secret().to_owned())
    }

    /// A password login of a user without a second factor.
    async fn login_outcome(
        &self,
        email: &str,
        password: &str,
        from: u8,
    ) -> Result<crate::LoginSuccess, AuthError> {
        self.auth
            .login(self.tenant, email, Password::from(password), ip(from))
            .await
            .map(|outcome| outcome.signed_in().expect("no second factor in this world"))
    }

    async fn live(&self, token: &str) -> bool {
        match self.sessions.authenticate(token).await {
            Ok(_) => true,
            Err(AuthError::Unauthenticated) => false,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    async fn events(&self, action: &str) -> Vec<portal_core::model::AuditEvent> {
        self.stores
            .audit
            .list_events(
                &TenantScope::dangerous_system(self.tenant),
                AuditFilter {
                    action: Some(action.to_owned()),
                    ..AuditFilter::default()
                },
                Page::first(200).unwrap(),
            )
            .await
            .unwrap()
            .items
    }
}

#[tokio::test]
async fn login_succeeds_with_scope_and_session() {
    let world = world().await;
    let success = world
        .login_outcome(" Alice@Example.com ", PASSWORD, 1)
        .await
        .unwrap();
    assert_eq!(success.session.user, world.alice);
    assert!(matches!(
        world
            .sessions
            .authenticate_in(TenantId::new(), success.token.expose_secret())
            .await,
        Err(AuthError::Unauthenticated)
    ));
    assert!(
        world
            .sessions
            .authenticate_in(world.tenant, success.token.expose_secret())
            .await
            .is_ok(),
        "a look from another tenant does not end the session"
    );
    assert_eq!(success.scope.tenant_id(), world.tenant);
    assert_eq!(success.scope.principal().user_id(), Some(world.alice));
    assert_eq!(success.session.token_hash, success.token.hash());
    assert_eq!(success.session.user_agent.as_deref(), Some("test-browser"));
    let authenticated = world
        .sessions
        .authenticate(success.token.expose_secret())
        .await
        .unwrap();
    assert_eq!(authenticated.session.user, world.alice);
}

#[tokio::test]
async fn every_failure_is_the_same_error_sec_08() {
    let world = world().await;
    let cases = [
        ("nobody@example.com", PASSWORD),   // unknown email
        ("not an email", PASSWORD),         // malformed email
        ("alice@example.com", "wrong one"), // wrong password
        ("gone@example.com", PASSWORD),     // disabled user, right password
        ("nopass@example.com", PASSWORD),   // no password set
        ("loner@example.com", PASSWORD),    // no membership, right password
    ];
    let mut messages = Vec::new();
    for (email, password) in cases {
        let error = world.login(email, password, 10).await.unwrap_err();
        assert!(
            matches!(error, AuthError::InvalidCredentials),
            "{email}: {error:?}"
        );
        messages.push(error.to_string());
    }
    assert!(
        messages.iter().all(|m| m == "invalid email or password"),
        "{messages:?}"
    );
    // The disabled user is really the disabled one.
    let failed = world.events("login.failed").await;
    assert_eq!(failed.len(), 6);
    assert!(failed.iter().any(|e| e.object.as_ref().map(|o| o.id)
        == Some(*world.disabled.as_uuid())
        && e.details["reason"] == "disabled"
        && e.subject == Some(world.disabled)));
    // The attempted email is a personal fact, kept apart so it can be erased.
    assert!(failed.iter().all(|e| e.details.get("email").is_none()
        && e.personal.as_ref().is_some_and(|p| p["email"].is_string())));
}

#[tokio::test]
async fn throttles_one_account_from_rotating_ips_sec_10() {
    let world = world().await;
    let mut evaluated = 0;
    let mut throttled = 0;
    for attempt in 0..150_u32 {
        let from = u8::try_from(attempt % 250).unwrap();
        match world.login("alice@example.com", "wrong guess", from).await {
            Err(AuthError::InvalidCredentials) => evaluated += 1,
            Err(AuthError::Throttled { retry_after }) => {
                assert!(retry_after > Duration::ZERO);
                throttled += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(evaluated <= 100, "{evaluated} evaluated");
    assert_eq!(evaluated + throttled, 150);
    assert!(throttled > 0);
    // Blocked now, even with the right password…
    assert!(matches!(
        world.login("alice@example.com", PASSWORD, 200).await,
        Err(AuthError::Throttled { .. })
    ));
    // …but no permanent lockout: after the window the right password works.
    world
        .clock
        .advance(Duration::hours(1) + Duration::seconds(1));
    let token = world
        .login("alice@example.com", PASSWORD, 201)
        .await
        .unwrap();
    assert!(world.live(&token).await);
    // Success cleared the account's counter.
    let key = format!("account:{}:alice@example.com", world.tenant);
    assert!(
        world
            .stores
            .throttle
            .throttle(&key)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn at_most_100_failures_per_hour_are_evaluated_sec_10() {
    // Without the growing delay only the hourly ceiling is left to hold.
    let world = world_with(AuthConfig::default().with_delay_after(u32::MAX)).await;
    let mut evaluated = 0;
    for attempt in 0..150_u32 {
        let from = u8::try_from(attempt % 250).unwrap();
        match world.login("alice@example.com", "wrong guess", from).await {
            Err(AuthError::InvalidCredentials) => evaluated += 1,
            Err(AuthError::Throttled { retry_after }) => {
                assert!(retry_after <= Duration::hours(1));
            }
            other => panic!("{other:?}"),
        }
        world.clock.advance(Duration::seconds(1));
    }
    assert_eq!(evaluated, 100);
    world.clock.advance(Duration::hours(1));
    assert!(world.login("alice@example.com", PASSWORD, 1).await.is_ok());
}

/// Guesses arriving all at once cannot slip under the limit together: each is counted before
/// it is evaluated, so of 150 concurrent wrong passwords at most 100 are evaluated.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_are_counted_before_they_are_evaluated_sec_10() {
    let world = world_with(AuthConfig::default().with_delay_after(u32::MAX)).await;
    let mut guesses = tokio::task::JoinSet::new();
    for attempt in 0..150_u32 {
        let (auth, tenant) = (world.auth.clone(), world.tenant);
        let from = u8::try_from(attempt % 250).unwrap();
        guesses.spawn(async move {
            auth.login(
                tenant,
                "alice@example.com",
                Password::from("wrong guess"),
                ip(from),
            )
            .await
        });
    }
    let mut evaluated = 0;
    while let Some(outcome) = guesses.join_next().await {
        match outcome.unwrap() {
            Err(AuthError::InvalidCredentials) => evaluated += 1,
            Err(AuthError::Throttled { .. }) => {}
            other => panic!("{:?}", other.map(|_| "signed in")),
        }
    }
    assert!(evaluated <= 100, "{evaluated} evaluated");
    assert_eq!(world.events("login.failed").await.len(), evaluated);
}

#[tokio::test]
async fn unknown_and_existing_accounts_are_throttled_alike_sec_08_sec_10() {
    let world = world().await;
    let mut outcomes = Vec::new();
    for email in ["alice@example.com", "nobody@example.com"] {
        let mut seen = Vec::new();
        for attempt in 0..8_u8 {
            let outcome = world
                .login(email, "wrong guess", attempt)
                .await
                .unwrap_err();
            seen.push(outcome.to_string());
        }
        outcomes.push(seen);
    }
    assert_eq!(outcomes[0], outcomes[1]);
    assert!(outcomes[0].iter().any(|m| m.contains("too many attempts")));
}

#[tokio::test]
async fn per_ip_limit_holds_across_accounts_sec_10() {
    let world = world_with(
        AuthConfig::default()
            .with_max_ip_failures(3)
            .with_delay_after(u32::MAX),
    )
    .await;
    for n in 0..3 {
        let email = format!("guess{n}@example.com");
        assert!(matches!(
            world.login(&email, "wrong guess", 7).await,
            Err(AuthError::InvalidCredentials)
        ));
    }
    assert!(matches!(
        world.login("alice@example.com", PASSWORD, 7).await,
        Err(AuthError::Throttled { .. })
    ));
    assert!(world.login("alice@example.com", PASSWORD, 8).await.is_ok());
}

#[tokio::test]
async fn every_login_gets_a_new_token_and_rotation_kills_the_old_sec_13() {
    let world = world().await;
    let first = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    let second = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    assert_ne!(first, second);
    let (rotated, session) = world.sessions.rotate(&first).await.unwrap();
    assert_ne!(rotated.expose_secret(), first);
    assert_eq!(session.user, world.alice);
    assert!(!world.live(&first).await, "old token must be dead");
    assert!(world.live(rotated.expose_secret()).await);
    assert!(world.live(&second).await);
    assert!(matches!(
        world.sessions.rotate(&first).await,
        Err(AuthError::Unauthenticated)
    ));
}

#[tokio::test]
async fn logout_kills_the_session_sec_17() {
    let world = world().await;
    let token = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    assert!(world.live(&token).await);
    world.sessions.logout(&token).await.unwrap();
    assert!(!world.live(&token).await);
    // Idempotent, and garbage is not an error.
    world.sessions.logout(&token).await.unwrap();
    world.sessions.logout("garbage").await.unwrap();
}

#[tokio::test]
async fn idle_and_absolute_timeouts_sec_18() {
    let world = world().await;
    let idle = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    world.clock.advance(Duration::minutes(29));
    assert!(world.live(&idle).await);
    world.clock.advance(Duration::minutes(31));
    assert!(!world.live(&idle).await, "31 min idle must be dead");
    assert!(
        world
            .sessions
            .sessions_of(world.tenant, world.alice)
            .await
            .unwrap()
            .is_empty()
    );

    let active = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    // Used every 20 minutes: never idle, alive up to 11 h 59 min…
    for step in 1..=35 {
        world.clock.advance(Duration::minutes(20));
        assert!(world.live(&active).await, "active at step {step}");
    }
    world.clock.advance(Duration::minutes(19));
    assert!(world.live(&active).await, "alive at 11 h 59 min");
    // …and dead at 12 h 1 min however active.
    world.clock.advance(Duration::minutes(2));
    assert!(!world.live(&active).await, "12 h 1 min must be dead");
}

#[tokio::test]
async fn disabling_or_a_new_password_kills_every_session_sec_19() {
    let world = world().await;
    let system = TenantScope::dangerous_system(world.tenant);

    let one = world.login("bob@example.com", PASSWORD, 1).await.unwrap();
    let two = world.login("bob@example.com", PASSWORD, 2).await.unwrap();
    assert!(world.live(&one).await && world.live(&two).await);
    let hash = PasswordHasher::new(cheap())
        .unwrap()
        .hash(Password::from("another long passphrase"))
        .await
        .unwrap();
    world
        .stores
        .identities
        .set_password_hash(world.tenant, world.bob, hash)
        .await
        .unwrap();
    assert!(!world.live(&one).await && !world.live(&two).await);

    let one = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    let two = world.login("alice@example.com", PASSWORD, 2).await.unwrap();
    world
        .stores
        .identities
        .set_disabled(&system, world.alice, true, &AuditContext::default())
        .await
        .unwrap();
    assert!(!world.live(&one).await && !world.live(&two).await);
    assert!(matches!(
        world.login("alice@example.com", PASSWORD, 3).await,
        Err(AuthError::InvalidCredentials)
    ));
}

#[tokio::test]
async fn audit_events_are_written_without_secrets_sec_40_sec_41() {
    let world = world().await;
    let success = world
        .login_outcome("alice@example.com", PASSWORD, 9)
        .await
        .unwrap();
    let token = success.token.expose_secret().to_owned();
    let token_hash = success.token.hash().to_string();
    let debug = format!("{success:?} {:?}", world.auth);
    for _ in 0..8 {
        let _ = world
            .login("alice@example.com", "canary-wrong-4711", 9)
            .await;
    }
    let (rotated, _) = world.sessions.rotate(&token).await.unwrap();
    world
        .sessions
        .logout(rotated.expose_secret())
        .await
        .unwrap();

    let succeeded = world.events("login.succeeded").await;
    let failed = world.events("login.failed").await;
    let throttled = world.events("login.throttled").await;
    assert_eq!(succeeded.len(), 1);
    assert!(!failed.is_empty() && !throttled.is_empty());
    assert_eq!(
        succeeded[0].actor,
        portal_core::model::Actor::User(world.alice)
    );
    assert_eq!(succeeded[0].ip, ip(9).ip);
    assert_eq!(failed[0].outcome, portal_core::model::AuditOutcome::Failure);
    assert_eq!(
        throttled[0].outcome,
        portal_core::model::AuditOutcome::Denied
    );
    assert_eq!(failed[0].actor, portal_core::model::Actor::Anonymous);

    let all = world
        .stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(world.tenant),
            AuditFilter::default(),
            Page::first(200).unwrap(),
        )
        .await
        .unwrap()
        .items;
    let dump = format!("{} {all:?} {debug}", serde_json::to_string(&all).unwrap());
    for secret in [
        PASSWORD,
        "canary",
        "Secret-4711",
        token.as_str(),
        token_hash.as_str(),
        rotated.expose_secret(),
    ] {
        assert!(!dump.contains(secret), "leaked {secret}");
    }
    assert!(dump.contains("session.rotated") && dump.contains("session.logged_out"));
}

#[tokio::test]
async fn a_user_revokes_only_its_own_sessions() {
    let world = world().await;
    let alice_one = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    let alice_two = world.login("alice@example.com", PASSWORD, 2).await.unwrap();
    let bob = world.login("bob@example.com", PASSWORD, 3).await.unwrap();

    let devices = world
        .sessions
        .sessions_of(world.tenant, world.alice)
        .await
        .unwrap();
    assert_eq!(devices.len(), 2);
    let bob_hash = world
        .sessions
        .sessions_of(world.tenant, world.bob)
        .await
        .unwrap()[0]
        .token_hash;
    assert!(matches!(
        world
            .sessions
            .revoke(world.tenant, world.alice, &bob_hash)
            .await,
        Err(AuthError::SessionNotFound)
    ));
    assert!(world.live(&bob).await);

    let two_hash = crate::SessionToken::parse(&alice_two).unwrap().hash();
    world
        .sessions
        .revoke(world.tenant, world.alice, &two_hash)
        .await
        .unwrap();
    assert!(!world.live(&alice_two).await);
    assert!(world.live(&alice_one).await);

    assert_eq!(
        world
            .sessions
            .revoke_all(world.tenant, world.alice)
            .await
            .unwrap(),
        1
    );
    assert!(!world.live(&alice_one).await);
    assert!(world.live(&bob).await);
}

#[tokio::test]
async fn a_rehash_on_login_keeps_the_new_session_sec_01_sec_19() {
    // Stored with 256 KiB; the authenticator wants 512 KiB, so the login rehashes, which ends
    // the user's sessions — before the new one is made.
    let world = world_hashing(AuthConfig::default(), cheap().with_memory_kib(512)).await;
    let old = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    let new = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    assert!(world.live(&new).await);
    let stored = world
        .stores
        .identities
        .credentials_by_email(world.tenant, &Email::parse("alice@example.com").unwrap())
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    assert!(stored.contains("m=512"), "{stored}");
    // The first login rehashed and kept its session; the second did not need to.
    assert!(world.live(&old).await);
}

#[tokio::test]
async fn malformed_and_unknown_tokens_are_unauthenticated() {
    let world = world().await;
    for presented in ["", "x", &"A".repeat(43), &"é".repeat(22), &"=".repeat(43)] {
        assert!(matches!(
            world.sessions.authenticate(presented).await,
            Err(AuthError::Unauthenticated)
        ));
    }
}

// Step-up (SEC-20).

async fn authenticated(world: &World, token: &str) -> crate::Authenticated {
    world.sessions.authenticate(token).await.unwrap()
}

#[tokio::test]
async fn step_up_allows_9_minutes_and_refuses_11_sec_20() {
    let world = world().await;
    let token = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    world.clock.advance(Duration::minutes(9));
    let me = authenticated(&world, &token).await;
    world.sessions.require_recent_authentication(&me).unwrap();
    crate::require_recent_authentication(&me.session, &AuthConfig::default(), world.clock.now())
        .unwrap();

    world.clock.advance(Duration::minutes(2));
    let me = authenticated(&world, &token).await;
    assert!(matches!(
        world.sessions.require_recent_authentication(&me),
        Err(AuthError::ReauthRequired)
    ));
    assert!(matches!(
        crate::require_recent_authentication(
            &me.session,
            &AuthConfig::default(),
            world.clock.now()
        ),
        Err(AuthError::ReauthRequired)
    ));
    assert_eq!(
        AuthError::ReauthRequired.to_string(),
        "re-authentication required"
    );

    // Rotation keeps the time of the last authentication…
    let (rotated, _) = world.sessions.rotate(&token).await.unwrap();
    let me = authenticated(&world, rotated.expose_secret()).await;
    assert!(matches!(
        world.sessions.require_recent_authentication(&me),
        Err(AuthError::ReauthRequired)
    ));
    // …a fresh login resets it.
    let fresh = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    let me = authenticated(&world, &fresh).await;
    world.sessions.require_recent_authentication(&me).unwrap();
    world
        .sessions
        .require_recent_authentication(&me.session)
        .unwrap();
}

#[tokio::test]
async fn the_step_up_window_is_configurable_sec_20() {
    let world = world_with(AuthConfig::default().with_step_up_window(Duration::minutes(1))).await;
    let token = world.login("alice@example.com", PASSWORD, 1).await.unwrap();
    world.clock.advance(Duration::seconds(59));
    let me = authenticated(&world, &token).await;
    world.sessions.require_recent_authentication(&me).unwrap();
    world.clock.advance(Duration::seconds(2));
    assert!(matches!(
        world.sessions.require_recent_authentication(&me),
        Err(AuthError::ReauthRequired)
    ));
}

// Share links (SEC-14).

struct Shares {
    links: crate::ShareLinks,
    system: TenantScope,
    project: portal_core::ProjectId,
}

async fn shares(world: &World) -> Shares {
    let system = TenantScope::dangerous_system(world.tenant);
    let client = world
        .stores
        .clients
        .create_client(
            &system,
            portal_core::model::ClientInput {
                name: name("Client"),
                external_id: None,
                branding: None,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    let project = world
        .stores
        .projects
        .create_project(
            &system,
            portal_core::model::ProjectInput {
                client: client.id,
                name: name("Project"),
                description: String::new(),
                status: portal_core::model::ProjectStatus::Active,
                schedule: None,
                budget: None,
                external_id: None,
            },
            &AuditContext::default(),
        )
        .await
        .unwrap();
    Shares {
        links: crate::ShareLinks::new(
            world.stores.clone(),
            AuthConfig::default(),
            Arc::new(world.clock.clone()),
        ),
        system,
        project: project.id,
    }
}

impl Shares {
    async fn create(
        &self,
        expires_in: Duration,
        max_uses: Option<i32>,
    ) -> Result<(crate::ShareLinkToken, portal_core::model::ShareLink), AuthError> {
        self.links
            .create(
                &self.system,
                self.project,
                false,
                expires_in,
                max_uses,
                &AuditContext::default(),
            )
            .await
    }

    async fn refused(&self, presented: &str) -> bool {
        matches!(
            self.links.open(presented).await,
            Err(AuthError::InvalidShareLink)
        )
    }
}

#[tokio::test]
async fn a_share_link_opens_and_stores_only_the_hash_sec_14() {
    let world = world().await;
    let shares = shares(&world).await;
    let (token, link) = shares.create(Duration::days(7), None).await.unwrap();
    assert_eq!(link.token_hash, token.hash());
    assert_eq!(
        link.target,
        portal_core::model::ShareTarget::Project(shares.project)
    );
    assert_eq!(token.expose_secret().len(), crate::token::TOKEN_CHARS);
    let opened = shares.links.open(token.expose_secret()).await.unwrap();
    assert_eq!(opened.id, link.id);
    assert_eq!(opened.uses, 1);
    let again = shares.links.open(token.expose_secret()).await.unwrap();
    assert_eq!(again.uses, 2);
    assert_eq!(world.events(crate::audit::SHARE_LINK_USED).await.len(), 2);
}

#[tokio::test]
async fn a_share_link_lifetime_is_required_and_bounded_sec_14() {
    let world = world().await;
    let shares = shares(&world).await;
    for bad in [
        Duration::ZERO,
        Duration::seconds(-1),
        Duration::days(90) + Duration::seconds(1),
    ] {
        assert!(matches!(
            shares.create(bad, None).await,
            Err(AuthError::ShareLinkLifetime { max }) if max == Duration::days(90)
        ));
    }
    shares.create(Duration::days(90), None).await.unwrap();
    assert!(matches!(
        shares.create(Duration::days(1), Some(0)).await,
        Err(AuthError::ShareLinkMaxUses)
    ));
    let short = crate::ShareLinks::new(
        world.stores.clone(),
        AuthConfig::default().with_share_link_max_lifetime(Duration::hours(1)),
        Arc::new(world.clock.clone()),
    );
    assert!(matches!(
        short
            .create(
                &shares.system,
                shares.project,
                true,
                Duration::hours(2),
                None,
                &AuditContext::default(),
            )
            .await,
        Err(AuthError::ShareLinkLifetime { max }) if max == Duration::hours(1)
    ));
}

#[tokio::test]
async fn a_share_link_use_limit_holds_sec_14() {
    let world = world().await;
    let shares = shares(&world).await;
    let (token, _) = shares.create(Duration::days(1), Some(2)).await.unwrap();
    shares.links.open(token.expose_secret()).await.unwrap();
    shares.links.open(token.expose_secret()).await.unwrap();
    assert!(shares.refused(token.expose_secret()).await);
    assert_eq!(world.events(crate::audit::SHARE_LINK_USED).await.len(), 2);
}

#[tokio::test]
async fn an_expired_share_link_is_refused_sec_14() {
    let world = world().await;
    let shares = shares(&world).await;
    let (token, _) = shares.create(Duration::hours(1), None).await.unwrap();
    world.clock.advance(Duration::minutes(59));
    shares.links.open(token.expose_secret()).await.unwrap();
    world
        .clock
        .advance(Duration::minutes(1) + Duration::seconds(1));
    assert!(shares.refused(token.expose_secret()).await);
}

#[tokio::test]
async fn a_revoked_share_link_is_refused_sec_14() {
    let world = world().await;
    let shares = shares(&world).await;
    let (token, link) = shares.create(Duration::days(1), None).await.unwrap();
    let (other, _) = shares.create(Duration::days(1), None).await.unwrap();
    let revoked = shares
        .links
        .revoke(&shares.system, link.id, &AuditContext::default())
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(shares.refused(token.expose_secret()).await);
    // Revoking one link leaves the others working; revoking twice is fine.
    shares.links.open(other.expose_secret()).await.unwrap();
    shares
        .links
        .revoke(&shares.system, link.id, &AuditContext::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn unknown_and_malformed_share_links_are_the_same_error_sec_14() {
    let world = world().await;
    let shares = shares(&world).await;
    let (token, _) = shares.create(Duration::days(1), None).await.unwrap();
    let unknown = crate::ShareLinkToken::generate().unwrap();
    let good = token.expose_secret();
    for presented in [
        unknown.expose_secret(),
        "",
        "garbage",
        &good[1..],
        &format!("{good}A"),
        &format!("+{}", &good[1..]),
        &format!("é{}", &good[2..]),
    ] {
        assert!(shares.refused(presented).await, "{presented:?}");
    }
    assert!(world.events(crate::audit::SHARE_LINK_USED).await.is_empty());
}

#[tokio::test]
async fn a_share_link_token_never_reaches_debug_or_the_audit_log_sec_14_sec_41() {
    let world = world().await;
    let shares = shares(&world).await;
    let created = shares.create(Duration::days(1), Some(5)).await.unwrap();
    let secret = created.0.expose_secret().to_owned();
    assert!(!format!("{created:?}").contains(&secret));
    let opened = shares.links.open(&secret).await.unwrap();
    assert!(!format!("{opened:?}").contains(&secret));
    assert!(!format!("{shares:?}", shares = shares.links).contains(&secret));

    let used = world.events(crate::audit::SHARE_LINK_USED).await;
    assert_eq!(used.len(), 1);
    assert_eq!(
        used[0].actor,
        portal_core::model::Actor::ShareLink(created.1.id)
    );
    let everything = world
        .stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(world.tenant),
            AuditFilter::default(),
            Page::first(200).unwrap(),
        )
        .await
        .unwrap()
        .items;
    let json = serde_json::to_string(&everything).unwrap();
    assert!(json.contains("share_link.used"));
    assert!(!json.contains(&secret), "{json}");
    let hex: String = created
        .0
        .hash()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!json.contains(&hex));
}

/// The code an authenticator app shows at `at` for this base32 secret.
fn totp_code(secret: &str, at: time::OffsetDateTime) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap()
        .generate(u64::try_from(at.unix_timestamp()).unwrap())
        .to_string()
}

/// Helpers the feature test modules share.
impl World {
    fn system(&self) -> TenantScope {
        TenantScope::dangerous_system(self.tenant)
    }

    async fn tenant_record(&self) -> portal_core::model::Tenant {
        self.stores.tenants.tenant(&self.system()).await.unwrap()
    }

    async fn role(&self, builtin: BuiltinRole) -> portal_core::RoleId {
        self.stores
            .memberships
            .roles(&self.system())
            .await
            .unwrap()
            .iter()
            .find(|role| role.builtin_role() == Some(builtin))
            .unwrap()
            .id()
    }

    /// Signs in with a password (no second factor) and returns the live session.
    async fn signed_in(&self, email: &str) -> crate::Authenticated {
        let token = self.login(email, PASSWORD, 50).await.unwrap();
        self.sessions.authenticate(&token).await.unwrap()
    }

    /// The token in the link of the newest mail of `kind` to `to`.
    fn mailed_token(&self, kind: crate::MailKind, to: &str) -> String {
        let mail = self
            .mailer
            .sent()
            .into_iter()
            .rev()
            .find(|mail| mail.kind == kind && mail.to.as_str() == to)
            .unwrap_or_else(|| panic!("no {kind:?} mail to {to}"));
        let link = mail
            .text
            .split_whitespace()
            .find(|word| word.starts_with("https://"))
            .unwrap();
        let url = url::Url::parse(link).unwrap();
        url.query_pairs()
            .find(|(key, _)| key == "token")
            .unwrap()
            .1
            .into_owned()
    }
}
