//! Offboarding and erasing a client, each in the caller's one transaction.

use portal_core::model::{AuditContext, Client};
use portal_core::{ClientId, Email, InvitationId, Permission, TenantId, TenantScope, UserId};
use uuid::Uuid;

use super::backend;
use super::chain::{now, outbox_status_name};
use super::convert::{from_json, parsed};
use crate::lifecycle::{
    add_invitations, erased_event, erased_name, mail_to, nothing_done, nothing_erased,
    offboarded_event, pseudonym, require_offboarded, require_on_client, sorted,
};
use crate::traits::{ErasureReport, OffboardReport, PersonalFactsOf};
use crate::{StoreError, StoreResult};

/// The users holding a contact membership of client `$2` in tenant `$1`.
const CONTACTS: &str =
    "SELECT user_id FROM portal_membership WHERE tenant_id = $1 AND client_id = $2";

/// Of the contacts of client `$2`, those also contacts of another client that is not archived.
const CONTACTS_OF_ANOTHER_ACTIVE_CLIENT: &str = "SELECT DISTINCT m.user_id \
    FROM portal_membership m JOIN portal_client c \
      ON c.tenant_id = m.tenant_id AND c.client_id = m.client_id \
    WHERE m.tenant_id = $1 AND m.client_id <> $2 AND NOT c.archived \
      AND m.user_id IN (SELECT user_id FROM portal_membership \
                        WHERE tenant_id = $1 AND client_id = $2)";

/// Of the contacts of client `$2`, those also contacts of another client not offboarded.
const CONTACTS_OF_ANOTHER_ONGOING_CLIENT: &str = "SELECT DISTINCT m.user_id \
    FROM portal_membership m JOIN portal_client c \
      ON c.tenant_id = m.tenant_id AND c.client_id = m.client_id \
    WHERE m.tenant_id = $1 AND m.client_id <> $2 AND c.offboarded_at IS NULL \
      AND m.user_id IN (SELECT user_id FROM portal_membership \
                        WHERE tenant_id = $1 AND client_id = $2)";

/// Revokes the pending invitations to a client.
const REVOKE_PENDING_INVITATIONS: &str = "UPDATE portal_invitation SET revoked_at = $3 \
    WHERE tenant_id = $1 AND client_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL";

/// Revokes the share links to a client's objects not revoked yet.
const REVOKE_SHARE_LINKS: &str = "UPDATE portal_share_link SET revoked_at = $3 \
    WHERE tenant_id = $1 AND client_id = $2 AND revoked_at IS NULL";

/// Archives a client and records when it was offboarded.
const MARK_OFFBOARDED: &str = "UPDATE portal_client SET archived = TRUE, offboarded_at = $3 \
    WHERE tenant_id = $1 AND client_id = $2";

/// Records when a client's personal data was erased.
const MARK_ERASED: &str =
    "UPDATE portal_client SET erased_at = $3 WHERE tenant_id = $1 AND client_id = $2";

/// Ends a contact's membership of one client.
const LEAVE_CLIENT: &str =
    "DELETE FROM portal_membership WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3";

/// What an erased person leaves behind, table by table: `(tenant_id, user_id)` rows deleted.
const PERSONAL_ROWS: [&str; 8] = [
    "DELETE FROM portal_session WHERE tenant_id = $1 AND user_id = $2",
    "DELETE FROM portal_login_token WHERE tenant_id = $1 AND user_id = $2",
    "DELETE FROM portal_totp WHERE tenant_id = $1 AND user_id = $2",
    "DELETE FROM portal_recovery_code WHERE tenant_id = $1 AND user_id = $2",
    "DELETE FROM portal_passkey WHERE tenant_id = $1 AND user_id = $2",
    "DELETE FROM portal_passkey_ceremony WHERE tenant_id = $1 AND user_id = $2",
    "DELETE FROM portal_mail_preference WHERE tenant_id = $1 AND user_id = $2",
    "DELETE FROM portal_notification WHERE tenant_id = $1 AND user_id = $2",
];

for_each_backend! {
    impl Store {
        /// User ids answered by `query` over (tenant, client).
        async fn users_of_client_in(
            tx: &mut Conn,
            query: &'static str,
            tenant: TenantId,
            client: ClientId,
        ) -> StoreResult<Vec<UserId>> {
            let ids: Vec<Uuid> = sqlx::query_scalar(query)
                .bind(*tenant.as_uuid())
                .bind(*client.as_uuid())
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            Ok(sorted(ids.into_iter().map(UserId::from_uuid).collect()))
        }

        /// Runs `statement` over (tenant `$1`, client `$2`, moment `$3`); how many rows it touched.
        async fn at_client_in(
            tx: &mut Conn,
            statement: &'static str,
            tenant: TenantId,
            client: ClientId,
            at: time::OffsetDateTime,
        ) -> StoreResult<u64> {
            Ok(sqlx::query(statement)
                .bind(*tenant.as_uuid())
                .bind(*client.as_uuid())
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(backend)?
                .rows_affected())
        }

        /// Runs `statement` over (tenant `$1`, user `$2`, and client `$3` when given).
        async fn for_user_in(
            tx: &mut Conn,
            statement: &'static str,
            tenant: TenantId,
            user: UserId,
            client: Option<ClientId>,
        ) -> StoreResult<()> {
            let mut query = sqlx::query(statement)
                .bind(*tenant.as_uuid())
                .bind(*user.as_uuid());
            if let Some(client) = client {
                query = query.bind(*client.as_uuid());
            }
            query.execute(&mut *tx).await.map_err(backend)?;
            Ok(())
        }

        /// A client the scope may act on with `permission`, for a change.
        pub(super) async fn client_for_in(
            tx: &mut Conn,
            scope: &TenantScope,
            permission: Permission,
            id: ClientId,
        ) -> StoreResult<Client> {
            let client = Store::client_in(tx, scope.tenant_id(), id)
                .await?
                .ok_or(StoreError::NotFound)?;
            require_on_client(scope, permission, id)?;
            Ok(client)
        }

        /// Offboards a client within `tx` (see `ClientStore::offboard_client`).
        pub(super) async fn offboard_in(
            tx: &mut Conn,
            scope: &TenantScope,
            id: ClientId,
            context: &AuditContext,
        ) -> StoreResult<OffboardReport> {
            let current = Store::client_for_in(tx, scope, Permission::OffboardClients, id).await?;
            if current.offboarded_at.is_some() {
                return Ok(nothing_done(current));
            }
            let tenant = scope.tenant_id();
            let at = now();
            let contacts = Store::users_of_client_in(tx, CONTACTS, tenant, id).await?;
            let contacts_kept =
                Store::users_of_client_in(tx, CONTACTS_OF_ANOTHER_ACTIVE_CLIENT, tenant, id)
                    .await?;
            let mut sessions_ended = 0;
            for user in contacts.iter().filter(|user| !contacts_kept.contains(user)) {
                sessions_ended += Store::delete_sessions_in(tx, tenant, *user).await?;
            }
            let invitations_revoked =
                Store::at_client_in(tx, REVOKE_PENDING_INVITATIONS, tenant, id, at).await?;
            let share_links_revoked =
                Store::at_client_in(tx, REVOKE_SHARE_LINKS, tenant, id, at).await?;
            Store::at_client_in(tx, MARK_OFFBOARDED, tenant, id, at).await?;
            let report = OffboardReport {
                client: Client {
                    archived: true,
                    offboarded_at: Some(at),
                    ..current
                },
                contacts,
                contacts_kept,
                sessions_ended,
                invitations_revoked,
                share_links_revoked,
            };
            Store::append_audit_in(tx, tenant, offboarded_event(scope, &report), context).await?;
            Ok(report)
        }

        /// Erases, within `tx`, a person's personal data: a pseudonymous email, the erased
        /// name, no locale or password, disabled; their credentials, sessions and
        /// notifications deleted. Returns their former email.
        async fn erase_person_in(
            tx: &mut Conn,
            tenant: TenantId,
            user: UserId,
            at: time::OffsetDateTime,
        ) -> StoreResult<Option<Email>> {
            let email = Store::email_of_in(tx, tenant, user).await?;
            sqlx::query(
                "UPDATE portal_user SET email = $3, name = $4, locale = NULL, password_hash = NULL, \
                 disabled = $5, erased_at = $6 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(pseudonym(user.as_uuid())?.as_str())
            .bind(erased_name()?.as_str())
            .bind(true)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            for statement in PERSONAL_ROWS {
                Store::for_user_in(tx, statement, tenant, user, None).await?;
            }
            Ok(email)
        }

        /// The email of a user of `tenant`, if there is one.
        async fn email_of_in(
            tx: &mut Conn,
            tenant: TenantId,
            user: UserId,
        ) -> StoreResult<Option<Email>> {
            let email: Option<String> = sqlx::query_scalar(
                "SELECT email FROM portal_user WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            email.map(|email| parsed("email", &email)).transpose()
        }

        /// Gives every invitation to `client` a pseudonymous email, within `tx`; their ids and
        /// former emails.
        async fn pseudonymise_invitations_in(
            tx: &mut Conn,
            tenant: TenantId,
            client: ClientId,
        ) -> StoreResult<Vec<(InvitationId, Email)>> {
            let rows: Vec<(Uuid, String)> = sqlx::query_as(
                "SELECT invitation_id, email FROM portal_invitation \
                 WHERE tenant_id = $1 AND client_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*client.as_uuid())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            let mut changed = Vec::with_capacity(rows.len());
            for (id, email) in rows {
                sqlx::query(
                    "UPDATE portal_invitation SET email = $3 WHERE tenant_id = $1 AND invitation_id = $2",
                )
                .bind(*tenant.as_uuid())
                .bind(id)
                .bind(pseudonym(&id)?.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
                changed.push((InvitationId::from_uuid(id), parsed("email", &email)?));
            }
            Ok(changed)
        }

        /// Drops, within `tx`, the pending mail of `tenant` to someone `of` names; how many.
        async fn drop_mail_in(
            tx: &mut Conn,
            tenant: TenantId,
            of: &PersonalFactsOf,
        ) -> StoreResult<u64> {
            let pending: Vec<(Uuid, String, String)> = sqlx::query_as(
                "SELECT outbox_event_id, kind, payload FROM portal_outbox_event \
                 WHERE tenant_id = $1 AND status = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(outbox_status_name(portal_core::model::OutboxStatus::Pending))
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            let mut dropped = 0;
            for (id, kind, payload) in pending {
                if mail_to(of, &kind, &from_json("payload", &payload)?) {
                    dropped += sqlx::query(
                        "DELETE FROM portal_outbox_event WHERE tenant_id = $1 AND outbox_event_id = $2",
                    )
                    .bind(*tenant.as_uuid())
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?
                    .rows_affected();
                }
            }
            Ok(dropped)
        }

        /// Erases an offboarded client's personal data within `tx` (see
        /// `ClientStore::erase_client`).
        pub(super) async fn erase_in(
            tx: &mut Conn,
            scope: &TenantScope,
            id: ClientId,
            context: &AuditContext,
        ) -> StoreResult<ErasureReport> {
            let current = Store::client_for_in(tx, scope, Permission::EraseClientData, id).await?;
            if current.erased_at.is_some() {
                return Ok(nothing_erased(current));
            }
            require_offboarded(&current)?;
            let tenant = scope.tenant_id();
            let at = now();
            let contacts = Store::users_of_client_in(tx, CONTACTS, tenant, id).await?;
            let contacts_kept =
                Store::users_of_client_in(tx, CONTACTS_OF_ANOTHER_ONGOING_CLIENT, tenant, id)
                    .await?;
            let contacts_erased: Vec<UserId> = contacts
                .into_iter()
                .filter(|user| !contacts_kept.contains(user))
                .collect();
            let mut of = PersonalFactsOf {
                users: contacts_erased.clone(),
                ..PersonalFactsOf::default()
            };
            for user in &contacts_erased {
                of.emails.extend(Store::erase_person_in(tx, tenant, *user, at).await?);
            }
            for user in &contacts_kept {
                Store::for_user_in(tx, LEAVE_CLIENT, tenant, *user, Some(id)).await?;
            }
            let mut kept_emails = Vec::new();
            for user in &contacts_kept {
                kept_emails.extend(Store::email_of_in(tx, tenant, *user).await?);
            }
            let invitations = Store::pseudonymise_invitations_in(tx, tenant, id).await?;
            let invitations_pseudonymised = u64::try_from(invitations.len()).unwrap_or(u64::MAX);
            add_invitations(&mut of, invitations, &kept_emails);
            let mails_dropped = Store::drop_mail_in(tx, tenant, &of).await?;
            let audit = Store::erase_personal_facts_in(tx, tenant, &of).await?;
            Store::at_client_in(tx, MARK_ERASED, tenant, id, at).await?;
            let report = ErasureReport {
                client: Client {
                    erased_at: Some(at),
                    ..current
                },
                contacts_erased,
                contacts_kept,
                invitations_pseudonymised,
                mails_dropped,
                audit_events_erased: audit.erased,
                audit_events_version_1_kept: audit.version_1_kept,
            };
            Store::append_audit_in(tx, tenant, erased_event(scope, &report), context).await?;
            Ok(report)
        }
    }
}
