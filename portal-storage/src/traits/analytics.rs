use async_trait::async_trait;
use portal_core::{ClientId, DocumentVersionId, ShareLinkId, TenantScope};
use time::OffsetDateTime;

use crate::StoreResult;
use crate::analytics::{AdoptionReport, AnalyticsWindow};

/// One download of a document version, to be recorded for the adoption figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewDownload {
    /// The version whose bytes were sent (its document and client follow from it).
    pub version: DocumentVersionId,
    /// The share link it came through, when a visitor without a login downloaded it; otherwise
    /// the scope's user is the downloader.
    pub share_link: Option<ShareLinkId>,
    /// When it was sent.
    pub at: OffsetDateTime,
}

/// How clients adopt the portal: logins, invitations taken up, approval turnaround, open
/// requests, downloads. Every figure comes from indexed queries over the records themselves,
/// never from a scan of the audit log.
///
/// Reads need `view_analytics` and cover only the clients the scope works on: an unassigned or
/// another tenant's client is [`StoreError::NotFound`](crate::StoreError::NotFound), exactly as
/// a missing id.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait AnalyticsStore: Send + Sync + 'static {
    /// The report of every client the scope works on (archived clients left out), by name.
    async fn adoption_reports(
        &self,
        scope: &TenantScope,
        window: AnalyticsWindow,
    ) -> StoreResult<Vec<AdoptionReport>>;

    /// The report of one client.
    async fn adoption_report(
        &self,
        scope: &TenantScope,
        client: ClientId,
        window: AnalyticsWindow,
    ) -> StoreResult<AdoptionReport>;

    /// Records a download the scope was just served (`download_documents` on the version's
    /// client; a system scope with `share_link` for a share-link visitor). Downloads by staff
    /// are recorded too but do not count as the client's. Callers log a failure here and still
    /// serve the file: a lost count must never cost a download.
    async fn record_download(&self, scope: &TenantScope, download: NewDownload) -> StoreResult<()>;
}
