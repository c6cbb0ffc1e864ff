//! Users and their credentials.

use async_trait::async_trait;
use portal_core::model::{AuditContext, Credentials, NewUser, User};
use portal_core::{
    ClientFilter, ClientId, DisplayName, Email, LanguageTag, Rule, Side, TenantId, TenantScope,
    UserId,
};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::chain::now;
use super::convert::{parsed, side, side_name, stored_time};
use super::counted::CountedTx;
use super::visibility::{paged, push_clients, push_page};
use super::work_rules::{event, require_text};
use super::{backend, map_db_error};
use crate::rules::{
    self, UserReach, conflicts, events, forbidden, require_user_admin, require_user_creator,
    writable,
};
use crate::traits::IdentityStore;
use crate::{Page, Paged, StoreError, StoreResult};

/// A `portal_user` row, with the password hash only the login path reads.
#[derive(sqlx::FromRow)]
struct UserRow {
    user_id: Uuid,
    tenant_id: Uuid,
    email: String,
    name: String,
    side: String,
    disabled: bool,
    locale: Option<String>,
    last_login_at: Option<OffsetDateTime>,
    tour_done_at: Option<OffsetDateTime>,
    erased_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    password_hash: Option<String>,
}

impl UserRow {
    fn into_user(self) -> StoreResult<User> {
        Ok(self.into_credentials()?.user)
    }

    fn into_credentials(self) -> StoreResult<Credentials> {
        Ok(Credentials {
            user: User {
                id: UserId::from_uuid(self.user_id),
                tenant: TenantId::from_uuid(self.tenant_id),
                email: parsed("email", &self.email)?,
                name: parsed("name", &self.name)?,
                side: side(&self.side)?,
                disabled: self.disabled,
                locale: self.locale,
                last_login_at: self.last_login_at,
                tour_done_at: self.tour_done_at,
                erased_at: self.erased_at,
                created_at: self.created_at,
            },
            password_hash: self.password_hash,
        })
    }
}

/// A query over `portal_user` returning whole rows, ending in `$rest`.
macro_rules! select_user {
    ($rest:literal) => {
        concat!(
            "SELECT user_id, tenant_id, email, name, side, disabled, locale, last_login_at, ",
            "tour_done_at, created_at, erased_at, password_hash FROM portal_user",
            $rest
        )
    };
}

for_each_backend! {
    type Tx = Conn;

    impl Store {
        /// Narrows a query over `portal_user` to the users the scope sees: itself, and whom
        /// `reach` admits (the SQL form of [`UserReach::admits`]).
        fn push_user_reach(
            query: &mut sqlx::QueryBuilder<Db>,
            scope: &TenantScope,
            reach: &UserReach,
        ) {
            if reach.staff && reach.unattached && reach.clients == ClientFilter::All {
                return;
            }
            const MEMBERSHIPS: &str = " FROM portal_membership m \
                WHERE m.tenant_id = portal_user.tenant_id AND m.user_id = portal_user.user_id";
            query.push(" AND (1 = 0");
            if let Some(me) = scope.principal().user_id() {
                query.push(" OR user_id = ").push_bind(*me.as_uuid());
            }
            if reach.staff {
                query.push(" OR side = ").push_bind(side_name(Side::Staff));
            }
            if !matches!(&reach.clients, ClientFilter::Only(clients) if clients.is_empty()) {
                query
                    .push(" OR (side = ")
                    .push_bind(side_name(Side::Client))
                    .push(" AND EXISTS (SELECT 1")
                    .push(MEMBERSHIPS)
                    .push(" AND m.client_id IS NOT NULL");
                push_clients(query, "m.client_id", &reach.clients);
                query.push("))");
            }
            if reach.unattached {
                query
                    .push(" OR (side = ")
                    .push_bind(side_name(Side::Client))
                    .push(" AND NOT EXISTS (SELECT 1")
                    .push(MEMBERSHIPS)
                    .push("))");
            }
            query.push(")");
        }

        /// A user of the scope's tenant whom the scope may see (itself, and whom its
        /// [`UserReach`] admits), with the clients it is a contact of.
        pub(super) async fn visible_user_in(
            tx: &mut Tx,
            scope: &TenantScope,
            id: UserId,
        ) -> StoreResult<Option<(User, Vec<ClientId>)>> {
            let tenant = scope.tenant_id();
            let row: Option<UserRow> =
                sqlx::query_as(select_user!(" WHERE tenant_id = $1 AND user_id = $2"))
                    .bind(*tenant.as_uuid())
                    .bind(*id.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            let Some(user) = row.map(UserRow::into_user).transpose()? else {
                return Ok(None);
            };
            // Staff memberships name no client: only a contact's are worth reading.
            let clients: Vec<Uuid> = if user.side == Side::Client {
                sqlx::query_scalar(
                    "SELECT client_id FROM portal_membership \
                     WHERE tenant_id = $1 AND user_id = $2 AND client_id IS NOT NULL",
                )
                .bind(*tenant.as_uuid())
                .bind(*id.as_uuid())
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?
            } else {
                Vec::new()
            };
            let clients: Vec<ClientId> = clients.into_iter().map(ClientId::from_uuid).collect();
            let seen = UserReach::new(scope).sees(scope, &user, &clients);
            Ok(seen.then_some((user, clients)))
        }

        /// The user of `tenant` with `email` and its password hash, within `tx`.
        pub(super) async fn credentials_in(
            tx: &mut Tx,
            tenant: TenantId,
            email: &Email,
        ) -> StoreResult<Option<Credentials>> {
            let row: Option<UserRow> =
                sqlx::query_as(select_user!(" WHERE tenant_id = $1 AND email = $2"))
                    .bind(*tenant.as_uuid())
                    .bind(email.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            row.map(UserRow::into_credentials).transpose()
        }

        /// Inserts `user` with `password_hash` (`None`: it has none yet) within `tx`: the write
        /// of `create_user` and of an acceptance. An email already in use in the tenant is a
        /// conflict.
        pub(super) async fn insert_user_in(
            tx: &mut Tx,
            user: &User,
            password_hash: Option<&str>,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO portal_user (user_id, tenant_id, email, name, side, disabled, locale, \
                 password_hash, last_login_at, first_login_at, tour_done_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11)",
            )
            .bind(*user.id.as_uuid())
            .bind(*user.tenant.as_uuid())
            .bind(user.email.as_str())
            .bind(user.name.as_str())
            .bind(side_name(user.side))
            .bind(user.disabled)
            .bind(user.locale.as_deref())
            .bind(password_hash)
            .bind(user.last_login_at)
            .bind(user.tour_done_at)
            .bind(user.created_at)
            .execute(&mut *tx)
            .await
            .map_err(map_db_error(conflicts::EMAIL_IN_USE))?;
            Ok(())
        }

        /// Sets the password hash of `user` of `tenant` and ends its sessions, as a new password
        /// must, within `tx`: `set_password_hash` and an acceptance by an existing user.
        /// `NotFound` if there is no such user.
        pub(super) async fn set_password_in(
            tx: &mut Tx,
            tenant: TenantId,
            user: UserId,
            password_hash: &str,
        ) -> StoreResult<()> {
            let changed = sqlx::query(
                "UPDATE portal_user SET password_hash = $3 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if changed.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            Store::delete_sessions_in(tx, tenant, user).await?;
            Ok(())
        }

        /// Audits a change of a user and commits.
        async fn user_changed(
            mut tx: CountedTx<Db>,
            scope: &TenantScope,
            user: User,
            change: &str,
            context: &AuditContext,
        ) -> StoreResult<User> {
            let event = event(
                scope,
                events::USER_CHANGED,
                "user",
                user.id.as_uuid(),
                json!({ "change": change }),
            );
            Store::append_audit_in(&mut tx, scope.tenant_id(), event, context).await?;
            tx.commit().await.map_err(backend)?;
            Ok(user)
        }
    }

    #[async_trait]
    impl IdentityStore for Store {
        async fn create_user(
            &self,
            scope: &TenantScope,
            new: NewUser,
            audit: &AuditContext,
        ) -> StoreResult<User> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            Store::require_tenant_in(&mut tx, tenant).await?;
            require_user_creator(scope, new.side)?;
            let user = User {
                id: UserId::new(),
                tenant,
                email: new.email,
                name: new.name,
                side: new.side,
                disabled: false,
                locale: None,
                last_login_at: None,
                tour_done_at: None,
                erased_at: None,
                created_at: now(),
            };
            Store::insert_user_in(&mut tx, &user, None).await?;
            let details = rules::user_created_details(user.side);
            let event = event(
                scope,
                events::USER_CHANGED,
                "user",
                user.id.as_uuid(),
                details,
            );
            Store::append_audit_in(&mut tx, tenant, event, audit).await?;
            tx.commit().await.map_err(backend)?;
            Ok(user)
        }

        async fn user(&self, scope: &TenantScope, id: UserId) -> StoreResult<Option<User>> {
            let mut tx = self.read(scope.tenant_id()).await?;
            let user = Store::visible_user_in(&mut tx, scope, id).await?;
            tx.commit().await.map_err(backend)?;
            Ok(user.map(|(user, _)| user))
        }

        async fn list_users(
            &self,
            scope: &TenantScope,
            side: Option<Side>,
            page: Page,
        ) -> StoreResult<Paged<User>> {
            if !scope.is_staff_side() {
                return Err(forbidden(Rule::TenantLevelObject));
            }
            let tenant = scope.tenant_id();
            let tx = self.read(tenant).await?;
            let mut query = sqlx::QueryBuilder::<Db>::new(select_user!(" WHERE tenant_id = "));
            query.push_bind(*tenant.as_uuid());
            if let Some(side) = side {
                query.push(" AND side = ").push_bind(side_name(side));
            }
            Store::push_user_reach(&mut query, scope, &UserReach::new(scope));
            push_page(&mut query, "user_id", page);
            let rows: Vec<UserRow> = Store::fetch_list(tx, query).await?;
            paged(rows, page, UserRow::into_user, |user| *user.id.as_uuid())
        }

        async fn rename_user(
            &self,
            scope: &TenantScope,
            id: UserId,
            name: DisplayName,
            audit: &AuditContext,
        ) -> StoreResult<User> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let (current, clients) = Store::visible_user_in(&mut tx, scope, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            writable(scope)?;
            if scope.principal().user_id() != Some(id) {
                require_user_admin(scope, current.side, &clients)?;
            }
            if current.name == name {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            sqlx::query("UPDATE portal_user SET name = $3 WHERE tenant_id = $1 AND user_id = $2")
                .bind(*tenant.as_uuid())
                .bind(*id.as_uuid())
                .bind(name.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let renamed = User { name, ..current };
            Store::user_changed(tx, scope, renamed, "renamed", audit).await
        }

        async fn set_locale(
            &self,
            scope: &TenantScope,
            id: UserId,
            locale: Option<LanguageTag>,
            audit: &AuditContext,
        ) -> StoreResult<User> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let (current, clients) = Store::visible_user_in(&mut tx, scope, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            writable(scope)?;
            if scope.principal().user_id() != Some(id) {
                require_user_admin(scope, current.side, &clients)?;
            }
            let locale = locale.map(LanguageTag::into_string);
            if current.locale == locale {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            sqlx::query("UPDATE portal_user SET locale = $3 WHERE tenant_id = $1 AND user_id = $2")
                .bind(*tenant.as_uuid())
                .bind(*id.as_uuid())
                .bind(locale.as_deref())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let changed = User { locale, ..current };
            Store::user_changed(tx, scope, changed, "locale", audit).await
        }

        async fn finish_tour(
            &self,
            scope: &TenantScope,
            audit: &AuditContext,
        ) -> StoreResult<User> {
            let id = scope.principal().user_id().ok_or(StoreError::NotFound)?;
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let (current, _) = Store::visible_user_in(&mut tx, scope, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            writable(scope)?;
            if current.tour_done_at.is_some() {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            let at = now();
            sqlx::query(
                "UPDATE portal_user SET tour_done_at = $3 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            let changed = User {
                tour_done_at: Some(at),
                ..current
            };
            Store::user_changed(tx, scope, changed, "tour_done", audit).await
        }

        async fn set_disabled(
            &self,
            scope: &TenantScope,
            id: UserId,
            disabled: bool,
            audit: &AuditContext,
        ) -> StoreResult<User> {
            let tenant = scope.tenant_id();
            let mut tx = self.write(tenant).await?;
            let (current, clients) = Store::visible_user_in(&mut tx, scope, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            require_user_admin(scope, current.side, &clients)?;
            // Disabling always ends the sessions, even of a user already disabled.
            if disabled {
                Store::delete_sessions_in(&mut tx, tenant, id).await?;
            }
            if current.disabled == disabled {
                tx.commit().await.map_err(backend)?;
                return Ok(current);
            }
            sqlx::query(
                "UPDATE portal_user SET disabled = $3 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*id.as_uuid())
            .bind(disabled)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            let change = if disabled { "disabled" } else { "enabled" };
            Store::user_changed(
                tx,
                scope,
                User {
                    disabled,
                    ..current
                },
                change,
                audit,
            )
            .await
        }

        async fn credentials_by_email(
            &self,
            tenant: TenantId,
            email: &Email,
        ) -> StoreResult<Option<Credentials>> {
            let mut tx = self.global_read().await?;
            let credentials = Store::credentials_in(&mut tx, tenant, email).await?;
            tx.commit().await.map_err(backend)?;
            Ok(credentials)
        }

        async fn set_password_hash(
            &self,
            tenant: TenantId,
            user: UserId,
            password_hash: String,
        ) -> StoreResult<()> {
            require_text("password_hash", &password_hash)?;
            let mut tx = self.global().await?;
            Store::set_password_in(&mut tx, tenant, user, &password_hash).await?;
            let event = rules::password_changed_event(user);
            Store::append_audit_in(&mut tx, tenant, event, &AuditContext::default()).await?;
            let notice = rules::security_payload(user);
            Store::enqueue_in(&mut tx, tenant, rules::events::SECURITY_PASSWORD_CHANGED, &notice)
                .await?;
            tx.commit().await.map_err(backend)
        }

        async fn rehash_password(
            &self,
            tenant: TenantId,
            user: UserId,
            password_hash: String,
        ) -> StoreResult<()> {
            require_text("password_hash", &password_hash)?;
            let mut tx = self.global().await?;
            let changed = sqlx::query(
                "UPDATE portal_user SET password_hash = $3 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            if changed.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.commit().await.map_err(backend)
        }

        async fn record_login(
            &self,
            tenant: TenantId,
            user: UserId,
            at: OffsetDateTime,
        ) -> StoreResult<()> {
            // A tenant write: only this tenant's caches can have read the user.
            let mut tx = self.write(tenant).await?;
            let changed = sqlx::query(
                "UPDATE portal_user SET last_login_at = $3, first_login_at = COALESCE(first_login_at, $3) \
                 WHERE tenant_id = $1 AND user_id = $2",
            )
            .bind(*tenant.as_uuid())
            .bind(*user.as_uuid())
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

#[cfg(test)]
#[cfg(feature = "sqlite")]
mod sqlite_tests {
    use portal_core::Email;

    use super::super::tenant::sqlite_tests::{sqlite_store, sqlite_tenant};
    use super::*;

    #[tokio::test]
    async fn an_email_in_use_is_a_conflict_and_a_password_change_ends_sessions() {
        let (_dir, store) = sqlite_store().await;
        let tenant = sqlite_tenant(&store).await;
        let system = TenantScope::dangerous_system(tenant.id);
        let ctx = AuditContext::default();
        let new = |email: &str| NewUser {
            email: Email::parse(email).unwrap(),
            name: DisplayName::parse("Ada").unwrap(),
            side: Side::Staff,
        };
        let ada = store
            .create_user(&system, new("ada@example.com"), &ctx)
            .await
            .unwrap();
        let again = store
            .create_user(&system, new("ADA@example.com"), &ctx)
            .await;
        assert!(
            matches!(&again, Err(StoreError::Conflict { what }) if what == "email already in use"),
            "{again:?}"
        );

        let token = portal_core::state::Sha256Digest::from_bytes([7; 32]);
        let at = now();
        let session = portal_core::model::Session {
            token_hash: token,
            tenant: tenant.id,
            user: ada.id,
            created_at: at,
            authenticated_at: at,
            last_seen_at: at,
            expires_at: at + time::Duration::hours(1),
            ip: Some("192.0.2.1".parse().unwrap()),
            user_agent: None,
        };
        use crate::traits::SessionStore as _;
        store.create_session(session.clone()).await.unwrap();
        assert_eq!(store.session(&token).await.unwrap(), Some(session));
        store
            .set_password_hash(tenant.id, ada.id, "$argon2id$v=19$x".into())
            .await
            .unwrap();
        assert_eq!(store.session(&token).await.unwrap(), None);
        let blank = store.set_password_hash(tenant.id, ada.id, " ".into()).await;
        assert!(matches!(blank, Err(StoreError::Invalid(_))), "{blank:?}");
        let foreign = store
            .set_password_hash(portal_core::TenantId::new(), ada.id, "x".into())
            .await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    }
}
