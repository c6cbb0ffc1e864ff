//! Share links: no-login, expiring, revocable views of a project (SEC-14), which may also take
//! uploads.
//!
//! A link's token is 256 bits from the operating system's CSPRNG ([`ShareLinkToken`]); only its
//! SHA-256 is stored. Every link expires (at most [`AuthConfig::share_link_max_lifetime`], 90
//! days by default), may carry a use limit, and can be revoked. Opening a link counts one use
//! atomically in the store and appends a `share_link.used` event to the tenant's audit log with
//! the link as the actor; the token never goes into the audit log. The later parts of an upload
//! begun through a link are checked with [`ShareLinks::live`], which counts nothing; a finished
//! upload appends `share_link.uploaded`.

use std::sync::Arc;

use portal_core::model::{
    Actor, AuditContext, AuditOutcome, ObjectRef, ShareAccess, ShareLink, ShareTarget,
};
use portal_core::{DocumentId, DocumentVersionId, ProjectId, ShareLinkId, TenantScope};
use portal_storage::Stores;
use serde_json::json;
use time::Duration;

use crate::audit::{self, SHARE_LINK_UPLOADED, SHARE_LINK_USED};
use crate::clock::Clock;
use crate::config::AuthConfig;
use crate::error::AuthError;
use crate::token::ShareLinkToken;

/// Makes, opens and revokes share links.
#[derive(Debug, Clone)]
pub struct ShareLinks {
    stores: Stores,
    config: AuthConfig,
    clock: Arc<dyn Clock>,
}

/// What a new share link looks like, apart from its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewShareLink {
    /// The project it shows.
    pub project: ProjectId,
    /// Whether files may be downloaded through it.
    pub allow_download: bool,
    /// Whether visitors may upload files through it (each becomes an internal document of the
    /// project); the maker needs `upload_documents` there.
    pub allow_upload: bool,
    /// How long it lives: positive and at most [`AuthConfig::share_link_max_lifetime`].
    pub expires_in: Duration,
    /// How many uses it allows (at least one), if limited.
    pub max_uses: Option<i32>,
}

fn link_object(id: ShareLinkId) -> ObjectRef {
    ObjectRef {
        kind: "share_link".to_owned(),
        id: *id.as_uuid(),
    }
}

impl ShareLinks {
    /// Share links over `stores`.
    #[must_use]
    pub fn new(stores: Stores, config: AuthConfig, clock: Arc<dyn Clock>) -> Self {
        Self {
            stores,
            config,
            clock,
        }
    }

    /// Creates a link to `project` for `scope` (which needs `create_share_links` on the
    /// project's client). Returns the token — to show once, in the link's URL — and the stored
    /// link, which holds only the token's hash.
    ///
    /// A lifetime that is not positive or exceeds the configured maximum is
    /// [`AuthError::ShareLinkLifetime`]; a use limit below one is
    /// [`AuthError::ShareLinkMaxUses`].
    pub async fn create(
        &self,
        scope: &TenantScope,
        project: ProjectId,
        allow_download: bool,
        expires_in: Duration,
        max_uses: Option<i32>,
        audit: &AuditContext,
    ) -> Result<(ShareLinkToken, ShareLink), AuthError> {
        self.create_link(
            scope,
            NewShareLink {
                project,
                allow_download,
                allow_upload: false,
                expires_in,
                max_uses,
            },
            audit,
        )
        .await
    }

    /// [`create`](Self::create) with its settings in one value.
    pub async fn create_link(
        &self,
        scope: &TenantScope,
        new: NewShareLink,
        audit: &AuditContext,
    ) -> Result<(ShareLinkToken, ShareLink), AuthError> {
        let max = self.config.share_link_max_lifetime;
        if !new.expires_in.is_positive() || new.expires_in > max {
            return Err(AuthError::ShareLinkLifetime { max });
        }
        if new.max_uses.is_some_and(|uses| uses < 1) {
            return Err(AuthError::ShareLinkMaxUses);
        }
        let token = ShareLinkToken::generate().map_err(AuthError::Token)?;
        let expires_at = self.clock.now().saturating_add(new.expires_in);
        let link = self
            .stores
            .share_links
            .create_share_link(
                scope,
                ShareTarget::Project(new.project),
                token.hash(),
                ShareAccess {
                    download: new.allow_download,
                    upload: new.allow_upload,
                },
                expires_at,
                new.max_uses,
                audit,
            )
            .await?;
        Ok((token, link))
    }

    /// Opens a presented link token, counting one use. Unknown, malformed, revoked, expired
    /// and used-up links all give the same [`AuthError::InvalidShareLink`]. Every use appends
    /// `share_link.used` to the link's tenant's audit log.
    pub async fn open(&self, presented: &str) -> Result<ShareLink, AuthError> {
        self.open_from(presented, &AuditContext::default()).await
    }

    /// [`open`](Self::open), recording the visitor's address from `context` in the audit log.
    pub async fn open_from(
        &self,
        presented: &str,
        context: &AuditContext,
    ) -> Result<ShareLink, AuthError> {
        let Ok(token) = ShareLinkToken::parse(presented) else {
            return Err(AuthError::InvalidShareLink);
        };
        let now = self.clock.now();
        let link = self
            .stores
            .share_links
            .use_share_link(&token.hash(), now)
            .await?
            .ok_or(AuthError::InvalidShareLink)?;
        let event = audit::event(
            Actor::ShareLink(link.id),
            SHARE_LINK_USED,
            Some(link_object(link.id)),
            AuditOutcome::Success,
            json!({
                "target": link.target,
                "uses": link.uses,
                "max_uses": link.max_uses,
            }),
        );
        audit::record(self.stores.audit.as_ref(), link.tenant, context, event).await?;
        Ok(link)
    }

    /// The link whose token is `presented`, if it still works (not revoked, unexpired, its
    /// client not archived), counting no use: for the parts of an upload begun through it (a
    /// used-up link answers too, so the upload begun with its last use can finish). Anything
    /// else is [`AuthError::InvalidShareLink`].
    pub async fn live(&self, presented: &str) -> Result<ShareLink, AuthError> {
        let Ok(token) = ShareLinkToken::parse(presented) else {
            return Err(AuthError::InvalidShareLink);
        };
        self.stores
            .share_links
            .live_share_link(&token.hash(), self.clock.now())
            .await?
            .ok_or(AuthError::InvalidShareLink)
    }

    /// Appends `share_link.uploaded` to the link's tenant's audit log: `document` (its
    /// `version`) came in through `link`. The store recorded the document itself under a system
    /// scope, so this event is what names the link as its source.
    pub async fn record_upload(
        &self,
        link: &ShareLink,
        document: DocumentId,
        version: DocumentVersionId,
        context: &AuditContext,
    ) -> Result<(), AuthError> {
        let event = audit::event(
            Actor::ShareLink(link.id),
            SHARE_LINK_UPLOADED,
            Some(ObjectRef {
                kind: "document".to_owned(),
                id: *document.as_uuid(),
            }),
            AuditOutcome::Success,
            json!({ "target": link.target, "version": version }),
        );
        audit::record(self.stores.audit.as_ref(), link.tenant, context, event).await?;
        Ok(())
    }

    /// Revokes a link (`create_share_links`); revoking a revoked link is not an error.
    pub async fn revoke(
        &self,
        scope: &TenantScope,
        id: ShareLinkId,
        audit: &AuditContext,
    ) -> Result<ShareLink, AuthError> {
        Ok(self
            .stores
            .share_links
            .revoke_share_link(scope, id, audit)
            .await?)
    }
}
