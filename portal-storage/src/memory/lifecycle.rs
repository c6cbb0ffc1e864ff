//! Offboarding and erasing a client.

use portal_core::model::{AuditContext, Client, OutboxStatus};
use portal_core::{ClientId, MembershipKind, Permission, TenantId, TenantScope, UserId};
use time::OffsetDateTime;

use super::State;
use crate::StoreResult;
use crate::lifecycle::{
    add_invitations, erased_event, erased_name, mail_to, nothing_done, nothing_erased,
    offboarded_event, pseudonym, require_offboarded, sorted,
};
use crate::traits::{ErasureReport, OffboardReport, PersonalFactsOf};

impl State {
    /// The users holding a contact membership of `client`.
    pub(super) fn contacts_of(&self, tenant: TenantId, client: ClientId) -> Vec<UserId> {
        sorted(
            self.memberships
                .values()
                .filter(|membership| {
                    membership.tenant == tenant
                        && membership.kind == MembershipKind::Contact { client }
                })
                .map(|membership| membership.user)
                .collect(),
        )
    }

    /// Whether `user` is a contact of a client other than `client` that `counts` admits.
    pub(super) fn contact_elsewhere(
        &self,
        tenant: TenantId,
        user: UserId,
        client: ClientId,
        counts: impl Fn(&Client) -> bool,
    ) -> bool {
        self.memberships.values().any(|membership| {
            membership.tenant == tenant
                && membership.user == user
                && matches!(membership.kind, MembershipKind::Contact { client: other }
                    if other != client
                        && self.clients.get(&other).is_some_and(|row| row.tenant == tenant && counts(row)))
        })
    }

    pub(super) fn offboard_client(
        &mut self,
        scope: &TenantScope,
        id: ClientId,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<OffboardReport> {
        let current = self.load::<Client>(scope, Permission::OffboardClients, id)?;
        if current.offboarded_at.is_some() {
            return Ok(nothing_done(current));
        }
        let tenant = scope.tenant_id();
        let contacts = self.contacts_of(tenant, id);
        let (contacts_kept, leaving): (Vec<UserId>, Vec<UserId>) =
            contacts.iter().partition(|user| {
                self.contact_elsewhere(tenant, **user, id, |client| !client.archived)
            });
        let sessions_ended = leaving
            .iter()
            .map(|user| self.end_sessions(tenant, *user))
            .sum();
        let invitations_revoked = self.revoke_invitations_of_client(tenant, id, now);
        let mut share_links_revoked = 0;
        for link in self.share_links.values_mut() {
            if link.tenant == tenant && link.client == id && link.revoked_at.is_none() {
                link.revoked_at = Some(now);
                share_links_revoked += 1;
            }
        }
        let client = Client {
            archived: true,
            offboarded_at: Some(now),
            ..current
        };
        self.clients.insert(id, client.clone());
        let report = OffboardReport {
            client,
            contacts,
            contacts_kept,
            sessions_ended,
            invitations_revoked,
            share_links_revoked,
        };
        self.append_event(tenant, offboarded_event(scope, &report), context, now);
        Ok(report)
    }

    pub(super) fn erase_client(
        &mut self,
        scope: &TenantScope,
        id: ClientId,
        context: &AuditContext,
        now: OffsetDateTime,
    ) -> StoreResult<ErasureReport> {
        let current = self.load::<Client>(scope, Permission::EraseClientData, id)?;
        if current.erased_at.is_some() {
            return Ok(nothing_erased(current));
        }
        require_offboarded(&current)?;
        let tenant = scope.tenant_id();
        let (contacts_kept, contacts_erased): (Vec<UserId>, Vec<UserId>) =
            self.contacts_of(tenant, id).into_iter().partition(|user| {
                self.contact_elsewhere(tenant, *user, id, |client| client.offboarded_at.is_none())
            });
        // Everything is checked before anything is written: a failed call changes nothing.
        let name = erased_name()?;
        let pseudonyms = contacts_erased
            .iter()
            .map(|user| pseudonym(user.as_uuid()))
            .collect::<StoreResult<Vec<_>>>()?;
        let mut of = PersonalFactsOf {
            users: contacts_erased.clone(),
            ..PersonalFactsOf::default()
        };
        for (user, email) in contacts_erased.iter().zip(pseudonyms) {
            if let Some(row) = self
                .users
                .get_mut(user)
                .filter(|row| row.user.tenant == tenant)
            {
                of.emails
                    .push(std::mem::replace(&mut row.user.email, email));
                row.user.name = name.clone();
                row.user.locale = None;
                row.user.disabled = true;
                row.user.erased_at = Some(now);
                row.password_hash = None;
            }
            self.end_sessions(tenant, *user);
            self.drop_credentials_of(tenant, *user);
            self.drop_passkeys_of(tenant, *user);
            self.drop_notifications_of(tenant, *user);
        }
        self.memberships.retain(|_, membership| {
            !(membership.tenant == tenant
                && membership.kind == MembershipKind::Contact { client: id }
                && contacts_kept.contains(&membership.user))
        });
        let kept_emails: Vec<_> = contacts_kept
            .iter()
            .filter_map(|user| self.user_in(tenant, *user))
            .map(|row| row.user.email.clone())
            .collect();
        let invitations = self.pseudonymise_invitations_of_client(tenant, id)?;
        let invitations_pseudonymised = u64::try_from(invitations.len()).unwrap_or(u64::MAX);
        add_invitations(&mut of, invitations, &kept_emails);
        let before = self.outbox.len();
        self.outbox.retain(|_, row| {
            !(row.tenant == tenant
                && row.status == OutboxStatus::Pending
                && mail_to(&of, &row.kind, &row.payload))
        });
        let mails_dropped = u64::try_from(before - self.outbox.len()).unwrap_or(u64::MAX);
        let audit = self.erase_personal_facts(tenant, &of, now);
        let client = Client {
            erased_at: Some(now),
            ..current
        };
        self.clients.insert(id, client.clone());
        let report = ErasureReport {
            client,
            contacts_erased,
            contacts_kept,
            invitations_pseudonymised,
            mails_dropped,
            audit_events_erased: audit.erased,
            audit_events_version_1_kept: audit.version_1_kept,
        };
        self.append_event(tenant, erased_event(scope, &report), context, now);
        Ok(report)
    }
}
