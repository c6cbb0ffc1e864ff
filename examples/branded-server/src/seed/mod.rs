//! Demo data: on the first start, a tenant branded from `portal.toml` with its team, two clients
//! and their people, and work in every state a portal shows — so the portal can be tried at once.
//!
//! Idempotent: the tenant's slug is the marker. If a tenant with that slug exists, nothing is
//! seeded; its branding is set from the file only when the file changed since it was last
//! applied, so a look edited in the portal survives restarts ([`BrandingSync`]).
//!
//! Provisioning (tenant, people, clients) runs under
//! [`TenantScope::dangerous_system`](portal_core::TenantScope::dangerous_system): it is a
//! start-up job and no user exists yet to act. Everything people author (projects, updates,
//! approvals, requests, messages…) is then written *as those people*, with the scope the HTTP
//! layer would build from their memberships, so authors and the audit log look as they would in
//! real use and every write passes the same permission checks as a request would.

mod acme;
mod branding;
mod files;
mod globex;
mod people;
mod seeder;

use std::fmt;

use anyhow::Context as _;
use portal_auth::password::{Password, PasswordHasher, PasswordPolicy};
use portal_core::model::{NewTenant, Tenant};
use portal_storage::blob::BlobStore;
use portal_storage::{StoreError, Stores};
use time::Date;

pub use branding::{BRANDING_APPLIED_ACTION, BrandingSync};
pub use files::simple_pdf;
pub use people::{DEMO_PEOPLE, DemoPerson, Org};

use crate::config::PortalConfig;
use seeder::Seeder;

/// The password of every demo account. Long and uncommon enough for the password policy; it is
/// printed at start-up, so change it (or disable the accounts) before real clients log in.
pub const DEMO_PASSWORD: &str = "northwind-demo-portal";

/// How many records of each kind a seeding created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedCounts {
    /// Clients.
    pub clients: usize,
    /// Users (staff and contacts).
    pub users: usize,
    /// Projects.
    pub projects: usize,
    /// Milestones.
    pub milestones: usize,
    /// Deliverables.
    pub deliverables: usize,
    /// Documents.
    pub documents: usize,
    /// Document versions (one stored file each).
    pub versions: usize,
    /// Approvals, decided or pending.
    pub approvals: usize,
    /// Status updates.
    pub updates: usize,
    /// Decision records.
    pub decisions: usize,
    /// Tasks.
    pub tasks: usize,
    /// Client requests.
    pub requests: usize,
    /// Thread messages.
    pub messages: usize,
    /// Invoices.
    pub invoices: usize,
}

impl fmt::Display for SeedCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} clients, {} users, {} projects, {} milestones, {} deliverables, {} documents \
             ({} files), {} approvals, {} updates, {} decisions, {} tasks, {} requests, \
             {} messages, {} invoices",
            self.clients,
            self.users,
            self.projects,
            self.milestones,
            self.deliverables,
            self.documents,
            self.versions,
            self.approvals,
            self.updates,
            self.decisions,
            self.tasks,
            self.requests,
            self.messages,
            self.invoices
        )
    }
}

/// What [`seed`] did.
#[derive(Debug, Clone)]
pub enum SeedOutcome {
    /// The tenant was new: it was created with the demo data.
    Seeded {
        /// The tenant.
        tenant: Tenant,
        /// What was created.
        counts: SeedCounts,
    },
    /// The tenant existed: nothing was seeded.
    AlreadySeeded {
        /// The tenant, with its branding as it is now.
        tenant: Tenant,
        /// What became of the branding file: applied, or left alone.
        branding: BrandingSync,
    },
}

impl SeedOutcome {
    /// The tenant, either way.
    #[must_use]
    pub const fn tenant(&self) -> &Tenant {
        match self {
            Self::Seeded { tenant, .. } | Self::AlreadySeeded { tenant, .. } => tenant,
        }
    }
}

/// Seeds the demo tenant of `config` unless it exists; if it exists, sets its branding from the
/// file when the file changed since it was last applied. `today` anchors the demo's dates, so the
/// portal always looks current.
///
/// # Errors
/// A store, blob store or hashing failure. If the first seeding fails halfway, the tenant exists
/// and the next start will not seed again: start over with an empty data folder.
pub async fn seed(
    stores: &Stores,
    blobs: &dyn BlobStore,
    hasher: &PasswordHasher,
    config: &PortalConfig,
    today: Date,
) -> anyhow::Result<SeedOutcome> {
    if let Some(tenant) = stores.tenants.tenant_by_slug(&config.slug).await? {
        return sync_branding(stores, tenant, config).await;
    }
    let created = stores
        .tenants
        .create_tenant(NewTenant {
            slug: config.slug.clone(),
            branding: config.branding.clone(),
        })
        .await;
    let tenant = match created {
        Ok(tenant) => {
            branding::created_with(stores, &tenant, &config.branding).await?;
            tenant
        }
        // Another replica sharing the database created it a moment ago and seeds it.
        Err(StoreError::Conflict { .. }) => {
            let tenant = stores
                .tenants
                .tenant_by_slug(&config.slug)
                .await?
                .context("the tenant's slug is taken, yet no tenant has it")?;
            return sync_branding(stores, tenant, config).await;
        }
        Err(error) => return Err(error).context("creating the demo tenant"),
    };
    PasswordPolicy::new()
        .check(&Password::from(DEMO_PASSWORD))
        .context("the demo password breaks the password policy")?;
    let mut seeder = Seeder::new(stores, blobs, tenant.id, today);
    let people = people::create(&mut seeder, hasher).await?;
    acme::seed(&mut seeder, &people).await?;
    globex::seed(&mut seeder, &people).await?;
    Ok(SeedOutcome::Seeded {
        tenant,
        counts: seeder.counts(),
    })
}

/// The outcome for a tenant that exists: its branding set from the file, or left alone.
async fn sync_branding(
    stores: &Stores,
    tenant: Tenant,
    config: &PortalConfig,
) -> anyhow::Result<SeedOutcome> {
    let (tenant, branding) = branding::sync(stores, tenant, &config.branding).await?;
    Ok(SeedOutcome::AlreadySeeded { tenant, branding })
}
