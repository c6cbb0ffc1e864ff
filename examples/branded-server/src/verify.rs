//! `branded-server verify-audit`: checks a tenant's hash-chained audit log from the outside, e.g.
//! after a crash, a restore from backup, or on a schedule.

use anyhow::{Context as _, bail};
use portal_core::{Slug, TenantScope};
use portal_storage::{ChainReport, Stores};

/// The chain of the tenant at `slug`, checked from its first event to its last.
///
/// # Errors
/// When the slug is not valid, no tenant has it, or the stores fail. A broken chain is not an
/// error here: it is in the report.
pub async fn audit_chain(stores: &Stores, slug: &str) -> anyhow::Result<ChainReport> {
    let slug = Slug::parse(slug).with_context(|| format!("{slug:?} is not a tenant slug"))?;
    let Some(tenant) = stores
        .tenants
        .tenant_by_slug(&slug)
        .await
        .context("looking up the tenant")?
    else {
        bail!("no tenant has the slug {slug}");
    };
    // Reading the whole chain is the system's job, not any member's.
    let scope = TenantScope::dangerous_system(tenant.id);
    stores
        .audit
        .verify_chain(&scope)
        .await
        .context("reading the audit chain")
}
