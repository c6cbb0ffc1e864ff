//! The demo's people: the agency's team in every staff role, and contacts of the two clients in
//! every client role. Addresses use the reserved `.example` domains, so no mail can ever reach a
//! real person.

use std::collections::HashMap;

use anyhow::Context as _;
use portal_auth::password::{Password, PasswordHasher};
use portal_core::model::ClientInput;
use portal_core::model::NewUser;
use portal_core::{BuiltinRole, ClientId, Email, MembershipKind, Side, TenantScope, UserId};

use super::DEMO_PASSWORD;
use super::seeder::{Seeder, name};

/// Who a demo person works for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Org {
    /// The agency running the portal.
    Agency,
    /// The first client.
    Acme,
    /// The second client.
    Globex,
}

impl Org {
    /// The client's name, or `None` for the agency.
    #[must_use]
    pub const fn client_name(self) -> Option<&'static str> {
        match self {
            Self::Agency => None,
            Self::Acme => Some("Acme Corp"),
            Self::Globex => Some("Globex"),
        }
    }
}

/// One demo account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoPerson {
    /// The name shown.
    pub name: &'static str,
    /// The login.
    pub email: &'static str,
    /// The built-in role held.
    pub role: BuiltinRole,
    /// The agency, or the client of a contact.
    pub org: Org,
}

const fn person(
    name: &'static str,
    email: &'static str,
    role: BuiltinRole,
    org: Org,
) -> DemoPerson {
    DemoPerson {
        name,
        email,
        role,
        org,
    }
}

/// Every demo account, staff first. All share [`DEMO_PASSWORD`](super::DEMO_PASSWORD).
pub const DEMO_PEOPLE: [DemoPerson; 10] = [
    person(
        "Maya Chen",
        "maya@northwind.example",
        BuiltinRole::Owner,
        Org::Agency,
    ),
    person(
        "Tom Okafor",
        "tom@northwind.example",
        BuiltinRole::Admin,
        Org::Agency,
    ),
    person(
        "Priya Raman",
        "priya@northwind.example",
        BuiltinRole::Manager,
        Org::Agency,
    ),
    person(
        "Leo Fischer",
        "leo@northwind.example",
        BuiltinRole::Member,
        Org::Agency,
    ),
    person(
        "Sarah Lin",
        "sarah@acme.example",
        BuiltinRole::ClientAdmin,
        Org::Acme,
    ),
    person(
        "James Porter",
        "james@acme.example",
        BuiltinRole::Approver,
        Org::Acme,
    ),
    person(
        "Olivia Grant",
        "olivia@acme.example",
        BuiltinRole::Finance,
        Org::Acme,
    ),
    person(
        "Ben Hughes",
        "ben@acme.example",
        BuiltinRole::Viewer,
        Org::Acme,
    ),
    person(
        "Elena Duarte",
        "elena@globex.example",
        BuiltinRole::ClientAdmin,
        Org::Globex,
    ),
    person(
        "Marcus Webb",
        "marcus@globex.example",
        BuiltinRole::Approver,
        Org::Globex,
    ),
];

/// A created person: the id, and the scope they would have once logged in.
pub(super) struct Member {
    pub(super) id: UserId,
    pub(super) scope: TenantScope,
}

/// The clients and people the rest of the seed works with.
pub(super) struct People {
    pub(super) acme: ClientId,
    pub(super) globex: ClientId,
    members: HashMap<&'static str, Member>,
}

impl People {
    /// The person with this email (one of [`DEMO_PEOPLE`]).
    pub(super) fn get(&self, email: &str) -> anyhow::Result<&Member> {
        self.members
            .get(email)
            .with_context(|| format!("{email} is not a demo person"))
    }
}

/// Creates the two clients and every person with the demo password.
pub(super) async fn create(
    seeder: &mut Seeder<'_>,
    hasher: &PasswordHasher,
) -> anyhow::Result<People> {
    let stores = seeder.stores;
    let system = TenantScope::dangerous_system(seeder.tenant);
    let mut clients = HashMap::new();
    for (org, external_id) in [(Org::Acme, "crm-acme"), (Org::Globex, "crm-globex")] {
        let client_name = org.client_name().context("a client has a name")?;
        let client = stores
            .clients
            .create_client(
                &system,
                ClientInput {
                    name: name(client_name)?,
                    external_id: Some(external_id.to_owned()),
                    branding: None,
                },
                &seeder.ctx,
            )
            .await
            .with_context(|| format!("client {client_name}"))?;
        clients.insert(org, client.id);
        seeder.counts.clients += 1;
    }
    let client = |org: Org| {
        clients
            .get(&org)
            .copied()
            .with_context(|| format!("no client for {org:?}"))
    };

    let roles = stores.memberships.roles(&system).await?;
    let mut members = HashMap::new();
    for person in DEMO_PEOPLE {
        let role = roles
            .iter()
            .find(|role| role.builtin_role() == Some(person.role))
            .with_context(|| format!("the tenant has no {} role", person.role.name()))?;
        let user = stores
            .identities
            .create_user(
                &system,
                NewUser {
                    email: Email::parse(person.email)?,
                    name: name(person.name)?,
                    side: person.role.side(),
                },
                &seeder.ctx,
            )
            .await
            .with_context(|| format!("user {}", person.email))?;
        // One hash per user, each with its own salt, as a real password change would store.
        let hash = hasher.hash(Password::from(DEMO_PASSWORD)).await?;
        stores
            .identities
            .set_password_hash(seeder.tenant, user.id, hash)
            .await?;
        let kind = match (person.role.side(), person.org) {
            // A member works only on the clients assigned to them; the others reach every client.
            (Side::Staff, _) if person.role == BuiltinRole::Member => MembershipKind::Staff {
                assigned_clients: vec![client(Org::Acme)?],
            },
            (Side::Staff, _) => MembershipKind::Staff {
                assigned_clients: Vec::new(),
            },
            (Side::Client, org) => MembershipKind::Contact {
                client: client(org)?,
            },
        };
        stores
            .memberships
            .add_membership(&system, user.id, role.id(), kind, &seeder.ctx)
            .await
            .with_context(|| format!("membership of {}", person.email))?;
        seeder.counts.users += 1;
        let scope = seeder.scope_of(user.id).await?;
        members.insert(person.email, Member { id: user.id, scope });
    }
    Ok(People {
        acme: client(Org::Acme)?,
        globex: client(Org::Globex)?,
        members,
    })
}
