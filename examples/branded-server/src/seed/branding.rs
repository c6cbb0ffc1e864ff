//! The branding file against a look edited in the portal: the file's look is applied only when
//! the file changed since it was last applied, so an edit made through `PUT /branding` or the
//! settings pages survives restarts, and an edit of the file still shows after one.
//!
//! What was applied last is recorded in the tenant's audit log, as a
//! [`BRANDING_APPLIED_ACTION`] event holding a SHA-256 of the file's look. The audit log is in
//! the database, so replicas sharing one database agree on it whatever their data folders hold:
//! a replica started with an empty data folder does not undo an edit made in the portal. The
//! record is a convenience, never a reason to stop: when it is missing or unreadable, the file
//! is applied (as on a first start) and the start goes on.

use std::fmt;

use anyhow::Context as _;
use portal_core::model::{AuditContext, Branding, NewAuditEvent, ObjectRef, Tenant};
use portal_core::state::Sha256Digest;
use portal_core::{DomainError, TenantScope};
use portal_storage::{AuditFilter, Page, StoreError, Stores};
use serde_json::{Value, json};

/// The audit action recording that the branding file's look was applied to the tenant; its
/// details hold `sha256`, the digest of the file's look.
pub const BRANDING_APPLIED_ACTION: &str = "branding_file.applied";

/// What the start did with the branding file of a tenant that already existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BrandingSync {
    /// The file is the one applied last, and the look still has every value the file sets.
    Unchanged,
    /// The file is the one applied last, but the look was edited in the portal since: the
    /// portal's look stays.
    KeptPortalEdit,
    /// The file changed since it was last applied: its look replaced the tenant's.
    FileChanged,
    /// No usable record of the file applied last (a database from before the record, or a
    /// record that could not be read): the file's look was applied, as on a first start.
    NoRecord,
}

impl fmt::Display for BrandingSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unchanged => "the branding file is unchanged and the look matches it",
            Self::KeptPortalEdit => {
                "the branding file is unchanged since it was last applied and the look was \
                 edited in the portal since: keeping the portal's look"
            }
            Self::FileChanged => {
                "the branding file changed since it was last applied: its look replaced the \
                 tenant's"
            }
            Self::NoRecord => "no record of an earlier branding file: the file's look was applied",
        })
    }
}

/// Why the record of the file applied last could not be used.
#[derive(Debug, thiserror::Error)]
enum RecordError {
    /// The audit log could not be read.
    #[error("cannot read the audit log: {0}")]
    Store(#[from] StoreError),
    /// The newest record's details hold no valid digest.
    #[error("the newest `{BRANDING_APPLIED_ACTION}` event holds no valid `sha256`")]
    Unreadable,
}

/// Applies the file's look to an existing tenant when the file changed since it was last
/// applied (or nothing records that it was), and records it; otherwise leaves the look alone.
pub(super) async fn sync(
    stores: &Stores,
    tenant: Tenant,
    file: &Branding,
) -> anyhow::Result<(Tenant, BrandingSync)> {
    // A start-up job applying the operator's file: no user acts, hence the system scope.
    let system = TenantScope::dangerous_system(tenant.id);
    let digest = digest(file).context("hashing the branding file's look")?;
    let sync = match last_applied(stores, &system).await {
        Ok(Some(last)) if last == digest => {
            let sync = if tenant.branding == file_look(file, &tenant.branding) {
                BrandingSync::Unchanged
            } else {
                BrandingSync::KeptPortalEdit
            };
            return Ok((tenant, sync));
        }
        Ok(Some(_)) => BrandingSync::FileChanged,
        Ok(None) => BrandingSync::NoRecord,
        Err(error) => {
            tracing::warn!(
                %error,
                "cannot tell which branding file was applied last; applying this one"
            );
            BrandingSync::NoRecord
        }
    };
    let look = file_look(file, &tenant.branding);
    let tenant = if tenant.branding == look {
        tenant
    } else {
        stores
            .tenants
            .update_branding(&system, look, &AuditContext::default())
            .await
            .context("updating the tenant's branding from the file")?
    };
    record_applied(stores, &system, &tenant, digest).await;
    Ok((tenant, sync))
}

/// Records the file's look as applied to a tenant just created with it (the first start).
pub(super) async fn created_with(
    stores: &Stores,
    tenant: &Tenant,
    file: &Branding,
) -> anyhow::Result<()> {
    let digest = digest(file).context("hashing the branding file's look")?;
    let system = TenantScope::dangerous_system(tenant.id);
    record_applied(stores, &system, tenant, digest).await;
    Ok(())
}

/// Records that the file with `digest` was applied to `tenant`. A failure is logged, not
/// returned: the look is already set, and the next start, finding no record, applies the file
/// again (replacing an edit made in the portal meanwhile, as before the record existed).
async fn record_applied(
    stores: &Stores,
    system: &TenantScope,
    tenant: &Tenant,
    digest: Sha256Digest,
) {
    let object = ObjectRef {
        kind: "tenant".to_owned(),
        id: *tenant.id.as_uuid(),
    };
    let event = NewAuditEvent::by(system, BRANDING_APPLIED_ACTION, Some(object))
        .with_details(json!({ "sha256": digest.to_hex() }));
    if let Err(error) = stores
        .audit
        .append(system, event, &AuditContext::default())
        .await
    {
        tracing::warn!(
            %error,
            "cannot record the branding file as applied; the next start applies it again"
        );
    }
}

/// The digest of the file applied last, from the newest record; `None` when there is none.
async fn last_applied(
    stores: &Stores,
    system: &TenantScope,
) -> Result<Option<Sha256Digest>, RecordError> {
    let filter = AuditFilter {
        action: Some(BRANDING_APPLIED_ACTION.to_owned()),
        ..AuditFilter::default()
    };
    let page = Page::first(1).map_err(StoreError::from)?;
    let newest = stores.audit.list_events(system, filter, page).await?;
    let Some(event) = newest.items.into_iter().next() else {
        return Ok(None);
    };
    let text = event
        .details
        .get("sha256")
        .and_then(Value::as_str)
        .ok_or(RecordError::Unreadable)?;
    Sha256Digest::parse_hex(text)
        .map(Some)
        .map_err(|_: DomainError| RecordError::Unreadable)
}

/// The look the file gives the tenant: every value the file sets, and the default language,
/// which the file has no key for, as the tenant has it.
fn file_look(file: &Branding, current: &Branding) -> Branding {
    Branding {
        default_locale: current.default_locale.clone(),
        ..file.clone()
    }
}

/// The SHA-256 of a look's JSON with empty values left out, so a field a later version adds
/// (empty in the file) does not count as a change. Struct fields serialise in a fixed order.
fn digest(branding: &Branding) -> Result<Sha256Digest, serde_json::Error> {
    let mut look = serde_json::to_value(branding)?;
    if let Value::Object(fields) = &mut look {
        fields.retain(|_, value| !value.is_null());
    }
    Ok(Sha256Digest::of(&serde_json::to_vec(&look)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

    use portal_core::LanguageTag;

    use super::digest;
    use crate::config::PortalConfig;

    #[test]
    fn the_digest_follows_the_values_the_file_sets_only() {
        let file = PortalConfig::bundled().unwrap().branding;
        let same = digest(&file).unwrap();
        // Empty values are left out: the digest is that of the JSON without them, so a field a
        // later version adds, empty in the file, changes nothing.
        let mut json = serde_json::to_value(&file).unwrap();
        json.as_object_mut()
            .unwrap()
            .retain(|_, value| !value.is_null());
        assert!(
            file.default_locale.is_none(),
            "the file never sets a default language"
        );
        assert_eq!(
            same,
            portal_core::state::Sha256Digest::of(&serde_json::to_vec(&json).unwrap())
        );

        let mut font = file.clone();
        font.font = Some("Source Sans 3".to_owned());
        assert_ne!(digest(&font).unwrap(), same);

        let mut no_css = file.clone();
        no_css.custom_css = None;
        assert_ne!(digest(&no_css).unwrap(), same);

        // The file never sets a default language; a value there would be a different look.
        let mut german = file;
        german.default_locale = Some(LanguageTag::parse("de").unwrap());
        assert_ne!(digest(&german).unwrap(), same);
    }
}
