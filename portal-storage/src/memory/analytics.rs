//! Adoption analytics: the facts of a client gathered from the maps, the figures computed by
//! [`crate::analytics`] as for every backend.

use async_trait::async_trait;
use portal_core::model::{Approval, Client, Invitation, Request};
use portal_core::state::{ApprovalStatus, RequestStatus};
use portal_core::{
    ApprovalId, ClientId, InvitationId, MembershipKind, RequestId, TenantId, TenantScope,
};

use super::{MemoryStore, State};
use crate::analytics::{
    AdoptionReport, AnalyticsWindow, ClientFacts, ContactLogin, DownloadFact, DownloadRow,
    InvitationFact, download_row, reportable_clients, require_report, sort_by_client_name,
};
use crate::traits::AnalyticsStore;
use crate::{NewDownload, StoreError, StoreResult};

/// The download log.
#[derive(Default)]
pub(super) struct DownloadTable {
    rows: Vec<DownloadRow>,
}

impl State {
    fn client_facts(&self, client: &Client, window: AnalyticsWindow) -> ClientFacts {
        let (tenant, id) = (client.tenant, client.id);
        let contacts = self
            .memberships
            .values()
            .filter(|membership| {
                membership.tenant == tenant
                    && matches!(membership.kind, MembershipKind::Contact { client } if client == id)
            })
            .filter_map(|membership| self.user_in(tenant, membership.user))
            .filter(|row| !row.user.disabled)
            .map(|row| ContactLogin {
                user: row.user.id,
                name: row.user.name.as_str().to_owned(),
                last_login_at: row.user.last_login_at,
            })
            .collect();
        let invitations = self
            .invitations_of_client(tenant, id)
            .filter(|invitation| window.contains(invitation.created_at))
            .map(|invitation| InvitationFact {
                created_at: invitation.created_at,
                accepted: invitation.accepted_at.is_some(),
                pending: invitation.accepted_at.is_none()
                    && invitation.revoked_at.is_none()
                    && invitation.expires_at > window.now(),
                first_login_at: invitation
                    .accepted_at
                    .and_then(|_| self.user_by_email(tenant, &invitation.email))
                    .and_then(|row| row.first_login_at),
            })
            .collect();
        let approvals = || {
            self.approvals
                .values()
                .filter(|approval| approval.tenant == tenant && approval.client == id)
        };
        let decided_approvals = approvals()
            .filter_map(|approval| Some((approval.requested_at, approval.decided_at?)))
            .filter(|(_, decided)| window.contains(*decided))
            .collect();
        let pending_approvals = approvals()
            .filter(|approval| approval.status == ApprovalStatus::Pending)
            .map(|approval| approval.requested_at)
            .collect();
        let open_requests = self
            .requests
            .values()
            .filter(|request| {
                request.tenant == tenant
                    && request.client == id
                    && matches!(
                        request.status,
                        RequestStatus::Open | RequestStatus::InProgress
                    )
            })
            .map(|request| request.created_at)
            .collect();
        let downloads = self
            .downloads
            .rows
            .iter()
            .filter(|row| {
                row.tenant == tenant && row.client == id && !row.by_staff && window.contains(row.at)
            })
            .map(|row| DownloadFact {
                document: row.document,
                downloader: row.downloader(),
                at: row.at,
            })
            .collect();
        ClientFacts {
            contacts,
            invitations,
            decided_approvals,
            pending_approvals,
            open_requests,
            downloads,
        }
    }

    fn report(&self, client: &Client, window: AnalyticsWindow) -> AdoptionReport {
        AdoptionReport::from_facts(
            client.id,
            client.name.as_str().to_owned(),
            window,
            self.client_facts(client, window),
        )
    }
}

/// Test support: changes stored records in place, as someone editing the database by hand would,
/// so a check can build a history with known ages. Each returns whether the record existed.
/// Never call these outside tests.
impl MemoryStore {
    /// Changes approval `id` of `tenant`.
    #[doc(hidden)]
    pub fn tamper_approval(
        &self,
        tenant: TenantId,
        id: ApprovalId,
        change: impl FnOnce(&mut Approval),
    ) -> bool {
        self.with_mut(|state| {
            state
                .approvals
                .get_mut(&id)
                .filter(|approval| approval.tenant == tenant)
                .map(change)
                .is_some()
        })
    }

    /// Changes request `id` of `tenant`.
    #[doc(hidden)]
    pub fn tamper_request(
        &self,
        tenant: TenantId,
        id: RequestId,
        change: impl FnOnce(&mut Request),
    ) -> bool {
        self.with_mut(|state| {
            state
                .requests
                .get_mut(&id)
                .filter(|request| request.tenant == tenant)
                .map(change)
                .is_some()
        })
    }

    /// Changes invitation `id` of `tenant`.
    #[doc(hidden)]
    pub fn tamper_invitation(
        &self,
        tenant: TenantId,
        id: InvitationId,
        change: impl FnOnce(&mut Invitation),
    ) -> bool {
        self.with_mut(|state| state.invitation_mut(tenant, id).map(change).is_some())
    }
}

#[async_trait]
impl AnalyticsStore for MemoryStore {
    async fn adoption_reports(
        &self,
        scope: &TenantScope,
        window: AnalyticsWindow,
    ) -> StoreResult<Vec<AdoptionReport>> {
        let clients = reportable_clients(scope)?;
        self.with(|state| {
            let mut reports: Vec<AdoptionReport> = state
                .clients
                .values()
                .filter(|client| {
                    client.tenant == scope.tenant_id()
                        && !client.archived
                        && clients.admits(client.id)
                })
                .map(|client| state.report(client, window))
                .collect();
            sort_by_client_name(&mut reports);
            Ok(reports)
        })
    }

    async fn adoption_report(
        &self,
        scope: &TenantScope,
        client: ClientId,
        window: AnalyticsWindow,
    ) -> StoreResult<AdoptionReport> {
        reportable_clients(scope)?;
        self.with(|state| {
            let found = state
                .clients
                .get(&client)
                .filter(|found| found.tenant == scope.tenant_id())
                .ok_or(StoreError::NotFound)?;
            require_report(scope, client)?;
            Ok(state.report(found, window))
        })
    }

    async fn record_download(&self, scope: &TenantScope, download: NewDownload) -> StoreResult<()> {
        // A log no cache reads: uncounted, like the audit log.
        self.with_mut_uncounted(|state| {
            let version = state
                .versions
                .get(&download.version)
                .filter(|version| version.tenant == scope.tenant_id())
                .ok_or(StoreError::NotFound)?;
            let row = download_row(scope, download, version.client, version.document)?;
            state.downloads.rows.push(row);
            Ok(())
        })
    }
}
