//! Invitations and API keys. Only the SHA-256 of an invitation's token and of a key's secret is
//! stored. An acceptance is claimed by one conditional `UPDATE`, so a token works once however
//! many arrive at the same moment; the global methods run in `global()` transactions, which the
//! tables' row-level-security policy admits as it does for sessions and share links.

use async_trait::async_trait;
use portal_core::model::{
    AcceptedInvitation, ApiKey, AuditContext, Invitation, InvitationAcceptance, NewApiKey,
    NewInvitation,
};
use portal_core::state::Sha256Digest;
use portal_core::{
    ApiKeyId, ClientId, Email, InvitationId, Permission, RoleId, TenantId, TenantScope,
};
use sqlx::QueryBuilder;
use time::OffsetDateTime;
use uuid::Uuid;

use super::chain::now;
use super::convert::{digest, parsed, permissions, stored_time, to_json};
use super::visibility::{empty_page, paged, push_membership_rule, push_page};
use super::work_convert::{acting_person, person};
use super::work_rules::require_text;
use super::{backend, map_db_error};
use crate::rules::{self, InvitationListRule, conflicts};
use crate::traits::{ApiKeyStore, InvitationStore};
use crate::{Page, Paged, StoreError, StoreResult};

/// A query over `portal_invitation` returning whole rows, ending in `$rest`.
macro_rules! select_invitation {
    ($rest:literal) => {
        concat!(
            "SELECT invitation_id, tenant_id, email, client_id, role_id, token_hash, invited_by, ",
            "expires_at, accepted_at, revoked_at, created_at FROM portal_invitation",
            $rest
        )
    };
}

/// A query over `portal_api_key` returning whole rows, ending in `$rest`.
macro_rules! select_api_key {
    ($rest:literal) => {
        concat!(
            "SELECT api_key_id, tenant_id, name, prefix, secret_hash, permissions, created_by, ",
            "created_at, last_used_at, revoked_at FROM portal_api_key",
            $rest
        )
    };
}

const INSERT_INVITATION: &str = "INSERT INTO portal_invitation (invitation_id, tenant_id, email, \
    client_id, role_id, token_hash, invited_by, expires_at, accepted_at, revoked_at, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, $9)";

/// Revokes the open invitations of email `$3` in tenant `$2` at `$1` — the re-send's
/// replacement — of the staff, or (the second form) of client `$4`.
const REPLACE_STAFF: &str = "UPDATE portal_invitation SET revoked_at = $1 \
    WHERE tenant_id = $2 AND email = $3 AND client_id IS NULL \
    AND accepted_at IS NULL AND revoked_at IS NULL RETURNING invitation_id";
const REPLACE_CONTACT: &str = "UPDATE portal_invitation SET revoked_at = $1 \
    WHERE tenant_id = $2 AND email = $3 AND client_id = $4 \
    AND accepted_at IS NULL AND revoked_at IS NULL RETURNING invitation_id";

/// Whether the user with email `$2` in tenant `$1` holds a staff membership, or (the second
/// form) a membership of client `$3`.
const HOLDS_STAFF: &str = "SELECT 1 FROM portal_membership m JOIN portal_user u \
    ON u.tenant_id = m.tenant_id AND u.user_id = m.user_id \
    WHERE m.tenant_id = $1 AND u.email = $2 AND m.client_id IS NULL";
const HOLDS_CONTACT: &str = "SELECT 1 FROM portal_membership m JOIN portal_user u \
    ON u.tenant_id = m.tenant_id AND u.user_id = m.user_id \
    WHERE m.tenant_id = $1 AND u.email = $2 AND m.client_id = $3";

/// A concurrent re-send stored its invitation first (the memory store serialises re-sends).
const INVITATION_PENDING: &str = "invitation already pending";

const INSERT_API_KEY: &str = "INSERT INTO portal_api_key (api_key_id, tenant_id, name, prefix, \
    secret_hash, permissions, created_by, created_at, last_used_at, revoked_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)";

/// A `portal_invitation` row.
#[derive(sqlx::FromRow)]
struct InvitationRow {
    invitation_id: Uuid,
    tenant_id: Uuid,
    email: String,
    client_id: Option<Uuid>,
    role_id: Uuid,
    token_hash: Vec<u8>,
    invited_by: Option<Uuid>,
    expires_at: OffsetDateTime,
    accepted_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl InvitationRow {
    fn into_invitation(self) -> StoreResult<Invitation> {
        Ok(Invitation {
            id: InvitationId::from_uuid(self.invitation_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            email: parsed("email", &self.email)?,
            client: self.client_id.map(ClientId::from_uuid),
            role: RoleId::from_uuid(self.role_id),
            token_hash: digest("token_hash", &self.token_hash)?,
            invited_by: person(self.invited_by),
            expires_at: self.expires_at,
            accepted_at: self.accepted_at,
            revoked_at: self.revoked_at,
            created_at: self.created_at,
        })
    }
}

/// A `portal_api_key` row.
#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    api_key_id: Uuid,
    tenant_id: Uuid,
    name: String,
    prefix: String,
    secret_hash: Vec<u8>,
    permissions: String,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
    last_used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
}

impl ApiKeyRow {
    fn into_api_key(self) -> StoreResult<ApiKey> {
        Ok(ApiKey {
            id: ApiKeyId::from_uuid(self.api_key_id),
            tenant: TenantId::from_uuid(self.tenant_id),
            name: parsed("name", &self.name)?,
            prefix: self.prefix,
            secret_hash: digest("secret_hash", &self.secret_hash)?,
            permissions: permissions(&self.permissions)?,
            created_by: person(self.created_by),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
        })
    }
}

/// Maps an insert's error: a unique violation naming `column` is the conflict `what`, any other
/// unique violation the conflict `otherwise` (both databases name the column or its constraint
/// in the message).
fn unique_on(
    column: &'static str,
    what: &'static str,
    otherwise: &'static str,
) -> impl Fn(sqlx::Error) -> StoreError {
    move |error| {
        let on_column =
            matches!(&error, sqlx::Error::Database(db) if db.message().contains(column));
        map_db_error(if on_column { what } else { otherwise })(error)
    }
}

for_each_backend! {
    type Tx = Conn;

    impl Store {
        /// The invitation with this token hash, in any tenant (a global transaction).
        async fn invitation_by_token_in(
            tx: &mut Tx,
            token_hash: &Sha256Digest,
        ) -> StoreResult<Option<Invitation>> {
            let row: Option<InvitationRow> =
                sqlx::query_as(select_invitation!(" WHERE token_hash = $1"))
                    .bind(token_hash.as_bytes().as_slice())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            row.map(InvitationRow::into_invitation).transpose()
        }

        /// An invitation of `tenant`.
        async fn invitation_in(
            tx: &mut Tx,
            tenant: TenantId,
            id: InvitationId,
        ) -> StoreResult<Option<Invitation>> {
            let sql = select_invitation!(" WHERE tenant_id = $1 AND invitation_id = $2");
            Store::fetch_in(tx, sql, tenant, *id.as_uuid(), InvitationRow::into_invitation).await
        }

        /// Whether the user of `tenant` with `email` already holds the membership an invitation
        /// to `client` grants.
        async fn holds_membership_in(
            tx: &mut Tx,
            tenant: TenantId,
            email: &Email,
            client: Option<ClientId>,
        ) -> StoreResult<bool> {
            let query = sqlx::query_scalar::<Db, i32>(match client {
                None => HOLDS_STAFF,
                Some(_) => HOLDS_CONTACT,
            })
            .bind(*tenant.as_uuid())
            .bind(email.as_str());
            let query = match client {
                None => query,
                Some(client) => query.bind(*client.as_uuid()),
            };
            let held = query.fetch_optional(&mut *tx).await.map_err(backend)?;
            Ok(held.is_some())
        }

        /// An API key of `tenant`.
        async fn api_key_in(
            tx: &mut Tx,
            tenant: TenantId,
            id: ApiKeyId,
        ) -> StoreResult<Option<ApiKey>> {
            let sql = select_api_key!(" WHERE tenant_id = $1 AND api_key_id = $2");
            Store::fetch_in(tx, sql, tenant, *id.as_uuid(), ApiKeyRow::into_api_key).await
        }

        /// Writes an accepted invitation's user, password, sessions' end and membership, and its
        /// audit events, within `tx`; the invitation is already claimed.
        async fn accept_in(
            tx: &mut Tx,
            invitation: Invitation,
            acceptance: InvitationAcceptance,
            context: &AuditContext,
        ) -> StoreResult<AcceptedInvitation> {
            let tenant = invitation.tenant;
            let existing = Store::credentials_in(tx, tenant, &invitation.email)
                .await?
                .map(|credentials| credentials.user);
            rules::check_acceptance(&invitation, existing.as_ref())?;
            let created_at = now();
            let user_created = existing.is_none();
            let user = match existing {
                Some(user) => {
                    Store::set_password_in(tx, tenant, user.id, &acceptance.password_hash).await?;
                    user
                }
                None => {
                    let user = rules::invited_user(&invitation, acceptance.name, created_at);
                    // A concurrent acceptance that created the user first is a conflict.
                    Store::insert_user_in(tx, &user, Some(&acceptance.password_hash)).await?;
                    user
                }
            };
            // The unique indices of memberships refuse one already held.
            let membership = rules::invited_membership(&invitation, user.id, created_at);
            Store::insert_membership_in(tx, &membership).await?;
            let accepted = AcceptedInvitation {
                invitation,
                user,
                membership,
            };
            for event in rules::acceptance_events(&accepted, user_created) {
                Store::append_audit_in(tx, tenant, event, context).await?;
            }
            Ok(accepted)
        }
    }

    #[async_trait]
    impl InvitationStore for Store {
        async fn create_invitation(
            &self,
            scope: &TenantScope,
            invitation: NewInvitation,
            audit: &AuditContext,
        ) -> StoreResult<Invitation> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            if let Some(client) = invitation.client
                && !Store::client_of_tenant(&mut tx, tenant, client).await?
            {
                return Err(StoreError::NotFound);
            }
            rules::require_invitation_admin(scope, invitation.client)?;
            let at = now();
            let role = Store::role_in(&mut tx, tenant, invitation.role).await?;
            rules::check_new_invitation(role.as_ref(), &invitation, at)?;
            if Store::holds_membership_in(&mut tx, tenant, &invitation.email, invitation.client)
                .await?
            {
                return Err(StoreError::conflict(conflicts::ALREADY_MEMBER));
            }
            // A re-send revokes the open invitation it replaces, which stays listed.
            let replace = sqlx::query_scalar::<Db, Uuid>(match invitation.client {
                None => REPLACE_STAFF,
                Some(_) => REPLACE_CONTACT,
            })
            .bind(at)
            .bind(*tenant.as_uuid())
            .bind(invitation.email.as_str());
            let replace = match invitation.client {
                None => replace,
                Some(client) => replace.bind(*client.as_uuid()),
            };
            let replaced = replace.fetch_all(&mut *tx).await.map_err(backend)?;
            let replaced: Vec<InvitationId> =
                replaced.into_iter().map(InvitationId::from_uuid).collect();
            let inviter = acting_person(scope);
            let invitation = Invitation {
                id: InvitationId::new(),
                tenant,
                email: invitation.email,
                client: invitation.client,
                role: invitation.role,
                token_hash: invitation.token_hash,
                invited_by: person(inviter),
                expires_at: stored_time(invitation.expires_at),
                accepted_at: None,
                revoked_at: None,
                created_at: at,
            };
            sqlx::query(INSERT_INVITATION)
                .bind(*invitation.id.as_uuid())
                .bind(*tenant.as_uuid())
                .bind(invitation.email.as_str())
                .bind(invitation.client.map(|client| *client.as_uuid()))
                .bind(*invitation.role.as_uuid())
                .bind(invitation.token_hash.as_bytes().as_slice())
                .bind(inviter)
                .bind(invitation.expires_at)
                .bind(invitation.created_at)
                .execute(&mut *tx)
                .await
                .map_err(unique_on(
                    "token_hash",
                    conflicts::INVITATION_TOKEN_TAKEN,
                    INVITATION_PENDING,
                ))?;
            let event = rules::invitation_created_event(scope, &invitation, &replaced);
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            let notice = rules::invitation_payload(&invitation);
            Store::enqueue_in(&mut tx, tenant, rules::events::INVITATION_SENT, &notice).await?;
            tx.commit().await.map_err(backend)?;
            Ok(invitation)
        }

        async fn list_invitations(
            &self,
            scope: &TenantScope,
            client: Option<ClientId>,
            page: Page,
        ) -> StoreResult<Paged<Invitation>> {
            let rule = InvitationListRule::new(scope, client);
            if rule.is_empty() {
                return Ok(empty_page());
            }
            let tenant = scope.tenant_id();
            let mut query =
                QueryBuilder::<Db>::new(select_invitation!(" WHERE tenant_id = "));
            query.push_bind(*tenant.as_uuid());
            push_membership_rule(&mut query, &rule);
            push_page(&mut query, "invitation_id", page);
            let tx = self.read(tenant).await?;
            let rows: Vec<InvitationRow> = Store::fetch_list(tx, query).await?;
            paged(rows, page, InvitationRow::into_invitation, |invitation| {
                *invitation.id.as_uuid()
            })
        }

        async fn revoke_invitation(
            &self,
            scope: &TenantScope,
            id: InvitationId,
            audit: &AuditContext,
        ) -> StoreResult<Invitation> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = Store::invitation_in(&mut tx, tenant, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            rules::require_invitation_admin(scope, current.client)?;
            if !rules::revocable(&current)? {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            let at = now();
            let changed = sqlx::query(
                "UPDATE portal_invitation SET revoked_at = $1 WHERE tenant_id = $2 \
                 AND invitation_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if changed.rows_affected() == 0 {
                // Accepted or revoked since it was read: answer as if it had been then.
                let now_stored = Store::invitation_in(&mut tx, tenant, id)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                rules::revocable(&now_stored)?;
                tx.commit().await.map_err(backend)?;
                return Ok(now_stored);
            }
            let event = rules::invitation_revoked_event(scope, id);
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(Invitation {
                revoked_at: Some(at),
                ..current
            })
        }

        async fn pending_invitation(
            &self,
            token_hash: &Sha256Digest,
            now: OffsetDateTime,
        ) -> StoreResult<Option<Invitation>> {
            let mut tx = self.global_read().await?;
            let found = Store::invitation_by_token_in(&mut tx, token_hash).await?;
            tx.commit().await.map_err(backend)?;
            Ok(found.filter(|invitation| rules::invitation_pending(invitation, now)))
        }

        async fn accept_invitation(
            &self,
            token_hash: &Sha256Digest,
            acceptance: InvitationAcceptance,
            now: OffsetDateTime,
            audit: &AuditContext,
        ) -> StoreResult<Option<AcceptedInvitation>> {
            require_text("password_hash", &acceptance.password_hash)?;
            let mut tx = self.global().await?;
            let Some(pending) = Store::invitation_by_token_in(&mut tx, token_hash)
                .await?
                .filter(|invitation| rules::invitation_pending(invitation, now))
            else {
                return Ok(None);
            };
            // The claim: of concurrent acceptances only one still finds it open. The expiry was
            // checked above; it never changes.
            let accepted_at = stored_time(now);
            let claimed = sqlx::query(
                "UPDATE portal_invitation SET accepted_at = $1 WHERE invitation_id = $2 \
                 AND accepted_at IS NULL AND revoked_at IS NULL",
            )
            .bind(accepted_at)
            .bind(*pending.id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if claimed.rows_affected() == 0 {
                return Ok(None);
            }
            let invitation = Invitation {
                accepted_at: Some(accepted_at),
                ..pending
            };
            let accepted = Store::accept_in(&mut tx, invitation, acceptance, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(Some(accepted))
        }
    }

    #[async_trait]
    impl ApiKeyStore for Store {
        async fn create_api_key(
            &self,
            scope: &TenantScope,
            key: NewApiKey,
            audit: &AuditContext,
        ) -> StoreResult<ApiKey> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            rules::check_new_api_key(scope, &key)?;
            let creator = acting_person(scope);
            let key = ApiKey {
                id: ApiKeyId::new(),
                tenant,
                name: key.name,
                prefix: key.prefix,
                secret_hash: key.secret_hash,
                permissions: key.permissions,
                created_by: person(creator),
                created_at: now(),
                last_used_at: None,
                revoked_at: None,
            };
            sqlx::query(INSERT_API_KEY)
                .bind(*key.id.as_uuid())
                .bind(*tenant.as_uuid())
                .bind(key.name.as_str())
                .bind(&key.prefix)
                .bind(key.secret_hash.as_bytes().as_slice())
                .bind(to_json(&key.permissions)?)
                .bind(creator)
                .bind(key.created_at)
                .execute(&mut *tx)
                .await
                .map_err(unique_on(
                    "prefix",
                    conflicts::API_KEY_PREFIX_TAKEN,
                    conflicts::API_KEY_SECRET_TAKEN,
                ))?;
            let event = rules::api_key_created_event(scope, &key);
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(key)
        }

        async fn list_api_keys(
            &self,
            scope: &TenantScope,
            page: Page,
        ) -> StoreResult<Paged<ApiKey>> {
            rules::require_tenant_level(scope, Permission::ManageApiKeys)?;
            let tenant = scope.tenant_id();
            let mut query = QueryBuilder::<Db>::new(select_api_key!(" WHERE tenant_id = "));
            query.push_bind(*tenant.as_uuid());
            push_page(&mut query, "api_key_id", page);
            let tx = self.read(tenant).await?;
            let rows: Vec<ApiKeyRow> = Store::fetch_list(tx, query).await?;
            paged(rows, page, ApiKeyRow::into_api_key, |key| *key.id.as_uuid())
        }

        async fn revoke_api_key(
            &self,
            scope: &TenantScope,
            id: ApiKeyId,
            audit: &AuditContext,
        ) -> StoreResult<ApiKey> {
            rules::require_tenant_level(scope, Permission::ManageApiKeys)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let current = Store::api_key_in(&mut tx, tenant, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            if current.revoked_at.is_some() {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            let at = now();
            let changed = sqlx::query(
                "UPDATE portal_api_key SET revoked_at = $1 \
                 WHERE tenant_id = $2 AND api_key_id = $3 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if changed.rows_affected() == 0 {
                // Revoked concurrently: return it as that revocation left it.
                let revoked = Store::api_key_in(&mut tx, tenant, id)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                tx.commit().await.map_err(backend)?;
                return Ok(revoked);
            }
            let event = rules::api_key_revoked_event(scope, id);
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(ApiKey {
                revoked_at: Some(at),
                ..current
            })
        }

        async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKey>> {
            let mut tx = self.global_read().await?;
            let row: Option<ApiKeyRow> = sqlx::query_as(select_api_key!(" WHERE prefix = $1"))
                .bind(prefix)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            row.map(ApiKeyRow::into_api_key).transpose()
        }

        async fn record_api_key_use(
            &self,
            tenant: TenantId,
            id: ApiKeyId,
            at: OffsetDateTime,
        ) -> StoreResult<()> {
            // A tenant write: only this tenant's caches can have read the key.
            let mut tx = self.write(tenant).await?;
            let changed = sqlx::query(
                "UPDATE portal_api_key SET last_used_at = $3 \
                 WHERE tenant_id = $1 AND api_key_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .bind(stored_time(at))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if changed.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.commit().await.map_err(backend)
        }
    }
}
