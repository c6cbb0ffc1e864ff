//! The portal's side of a Harbour deployment, made through the store traits: the tenant (the
//! business that runs the workspace), one client per customer, and a portal user with one
//! membership for each Harbour user who should reach the portal. Every step finds what an
//! earlier start made, so running it again changes nothing.

use std::collections::HashMap;

use portal_core::model::{AuditContext, Branding, ClientInput, NewTenant, NewUser, Tenant};
use portal_core::{
    BuiltinRole, ClientId, DisplayName, DomainError, Email, HexColour, MembershipKind, Slug,
    TenantScope, UserId,
};
use portal_storage::{StoreError, Stores};

use crate::host::users::{HostRole, HostUser, HostUserId};
use crate::host::workspace::Customer;

/// Why the portal's side could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvisionError {
    /// A store refused or failed.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// A name or address of Harbour's data is not valid in the portal.
    #[error("invalid value from Harbour: {0}")]
    Invalid(#[from] DomainError),
    /// A guest's customer is not one of the workspace's.
    #[error("no client for Harbour customer id {0}")]
    UnknownCustomer(String),
    /// The tenant lacks a built-in role (its roles were edited by hand).
    #[error("the tenant has no {0} role")]
    MissingRole(&'static str),
}

/// The portal user that stands for one Harbour user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalAccount {
    /// The Harbour user.
    pub host_user: HostUserId,
    /// The portal user.
    pub user: UserId,
    /// The role the membership was made with.
    pub role: BuiltinRole,
}

/// The portal role a Harbour role comes with; `None`: no portal account. Contractors never
/// talk to customers, so they stay out; a customer's lead signs off and sees invoices.
#[must_use]
pub const fn portal_role(role: &HostRole) -> Option<BuiltinRole> {
    match role {
        HostRole::Admin => Some(BuiltinRole::Owner),
        HostRole::Member => Some(BuiltinRole::Manager),
        HostRole::Contractor => None,
        HostRole::Guest { lead: true, .. } => Some(BuiltinRole::ClientAdmin),
        HostRole::Guest { lead: false, .. } => Some(BuiltinRole::Viewer),
    }
}

/// The tenant with `slug`, created with the workspace's name as its brand if missing.
///
/// # Errors
/// When a store fails, or the name is not a valid display name.
pub async fn tenant(stores: &Stores, slug: &Slug, name: &str) -> Result<Tenant, ProvisionError> {
    if let Some(tenant) = stores.tenants.tenant_by_slug(slug).await? {
        return Ok(tenant);
    }
    let branding = Branding {
        display_name: DisplayName::parse(name)?,
        logo_url: None,
        favicon_url: None,
        primary_colour: HexColour::parse("#0b5394")?,
        accent_colour: HexColour::parse("#f1c232")?,
        font: None,
        custom_css: None,
        email_sender_name: Some(DisplayName::parse(name)?),
        email_sender_address: None,
        default_locale: None,
    };
    let tenant = NewTenant {
        slug: slug.clone(),
        branding,
    };
    Ok(stores.tenants.create_tenant(tenant).await?)
}

/// One client per customer, found or made by the customer's Harbour id as its external id (the
/// id the sync items name it by); answers the client of each customer id.
///
/// # Errors
/// When a store fails, or a name is not valid.
pub async fn clients(
    stores: &Stores,
    system: &TenantScope,
    customers: &[Customer],
) -> Result<HashMap<String, ClientId>, ProvisionError> {
    let mut clients = HashMap::new();
    for customer in customers {
        let input = ClientInput {
            name: DisplayName::parse(&customer.name)?,
            external_id: Some(customer.id.clone()),
            branding: None,
        };
        let upserted = stores
            .clients
            .upsert_client(system, input, &AuditContext::default())
            .await?;
        clients.insert(customer.id.clone(), upserted.record.id);
    }
    Ok(clients)
}

/// A portal user with a membership for every Harbour user whose role comes with one (see
/// [`portal_role`]): staff for the team, a contact of their customer's client for guests. They
/// get no portal password: they sign in through Harbour.
///
/// A user the portal already has (by email) is kept, and so is a membership it already has, with
/// whatever role the portal's settings gave it since. Someone who leaves Harbour should be
/// disabled in the portal too (`IdentityStore::set_disabled`); the demo's user set never shrinks.
///
/// # Errors
/// When a store fails, an email is not valid, or a guest's customer has no client.
pub async fn people(
    stores: &Stores,
    system: &TenantScope,
    users: &[HostUser],
    clients: &HashMap<String, ClientId>,
) -> Result<Vec<PortalAccount>, ProvisionError> {
    let tenant = system.tenant_id();
    let audit = AuditContext::default();
    let roles = stores.memberships.roles(system).await?;
    let mut accounts = Vec::new();
    for host_user in users {
        let Some(role) = portal_role(&host_user.role) else {
            continue;
        };
        let email = Email::parse(&host_user.email)?;
        let user = match stores
            .identities
            .credentials_by_email(tenant, &email)
            .await?
        {
            // Disabled in the portal's settings: it stays out, whatever Harbour says.
            Some(existing) if existing.user.disabled => continue,
            Some(existing) => existing.user.id,
            None => {
                let new = NewUser {
                    email,
                    name: DisplayName::parse(&host_user.name)?,
                    side: role.side(),
                };
                stores.identities.create_user(system, new, &audit).await?.id
            }
        };
        if stores
            .memberships
            .memberships_of(tenant, user)
            .await?
            .is_empty()
        {
            let role_id = roles
                .iter()
                .find(|candidate| candidate.builtin_role() == Some(role))
                .ok_or(ProvisionError::MissingRole(role.name()))?
                .id();
            let kind = match &host_user.role {
                HostRole::Guest { customer, .. } => MembershipKind::Contact {
                    client: *clients
                        .get(customer)
                        .ok_or_else(|| ProvisionError::UnknownCustomer(customer.clone()))?,
                },
                HostRole::Admin | HostRole::Member | HostRole::Contractor => {
                    MembershipKind::Staff {
                        assigned_clients: Vec::new(),
                    }
                }
            };
            stores
                .memberships
                .add_membership(system, user, role_id, kind, &audit)
                .await?;
        }
        accounts.push(PortalAccount {
            host_user: host_user.id,
            user,
            role,
        });
    }
    Ok(accounts)
}
