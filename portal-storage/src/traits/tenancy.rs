use async_trait::async_trait;
use portal_core::model::{
    AuditContext, Branding, Client, ClientInput, Credentials, MembershipRecord, NewTenant, NewUser,
    Tenant, User,
};
use portal_core::{
    ClientId, DisplayName, Email, LanguageTag, Membership, MembershipId, MembershipKind,
    PermissionSet, Role, RoleId, Side, Slug, TenantId, TenantScope, UserId,
};
use time::OffsetDateTime;

use super::{ErasureReport, OffboardReport, Upserted};
use crate::{Page, Paged, StoreResult};

/// Tenants: provisioning, routing by slug or domain, branding and tenant-wide settings.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait TenantDirectory: Send + Sync + 'static {
    /// Creates a tenant with its built-in roles. Global: provisioning happens before any
    /// membership exists. A taken slug is a conflict.
    async fn create_tenant(&self, tenant: NewTenant) -> StoreResult<Tenant>;

    /// The tenant with this path prefix. Global: routing happens before authentication.
    async fn tenant_by_slug(&self, slug: &Slug) -> StoreResult<Option<Tenant>>;

    /// The tenant serving this custom domain (lower-case host). Global, for routing.
    async fn tenant_by_domain(&self, host: &str) -> StoreResult<Option<Tenant>>;

    /// The scope's own tenant.
    async fn tenant(&self, scope: &TenantScope) -> StoreResult<Tenant>;

    /// Replaces the tenant's branding (`manage_branding`).
    async fn update_branding(
        &self,
        scope: &TenantScope,
        branding: Branding,
        audit: &AuditContext,
    ) -> StoreResult<Tenant>;

    /// Adds a custom domain (`manage_branding`); a domain of any tenant is a conflict.
    async fn add_domain(
        &self,
        scope: &TenantScope,
        host: &str,
        audit: &AuditContext,
    ) -> StoreResult<Tenant>;

    /// Removes a custom domain (`manage_branding`).
    async fn remove_domain(
        &self,
        scope: &TenantScope,
        host: &str,
        audit: &AuditContext,
    ) -> StoreResult<Tenant>;

    /// Sets whether staff and contacts must use a second factor (`manage_tenant`).
    async fn set_mfa_policy(
        &self,
        scope: &TenantScope,
        staff: bool,
        contacts: bool,
        audit: &AuditContext,
    ) -> StoreResult<Tenant>;
}

/// Users and their credentials.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait IdentityStore: Send + Sync + 'static {
    /// Creates a user (`manage_staff` for staff; `manage_clients` or `manage_client_contacts` for
    /// contacts). An email already used in the tenant is a conflict.
    async fn create_user(
        &self,
        scope: &TenantScope,
        user: NewUser,
        audit: &AuditContext,
    ) -> StoreResult<User>;

    /// A user of the scope's tenant the scope may see ([`UserReach`](crate::rules::UserReach)):
    /// itself; for staff every colleague and the contacts of the clients it reaches — a contact
    /// of no client only with `manage_clients` on every client; for a contact the contacts of its
    /// own clients. Anyone else is `None`, exactly like a missing id.
    async fn user(&self, scope: &TenantScope, id: UserId) -> StoreResult<Option<User>>;

    /// The users [`user`](Self::user) would return, optionally of one side (staff only).
    async fn list_users(
        &self,
        scope: &TenantScope,
        side: Option<Side>,
        page: Page,
    ) -> StoreResult<Paged<User>>;

    /// Renames a user the scope sees: the user itself, `manage_staff` for a member of staff, or
    /// `manage_clients` on every client of a contact (a person changes for all of them). A user
    /// the scope does not see is not found.
    async fn rename_user(
        &self,
        scope: &TenantScope,
        id: UserId,
        name: DisplayName,
        audit: &AuditContext,
    ) -> StoreResult<User>;

    /// Sets a user's preferred language, or clears it with `None` (the tenant's default and the
    /// browser's apply again). The rule of [`rename_user`](Self::rename_user): the user itself,
    /// `manage_staff` for a member of staff, or `manage_clients` on every client of a contact —
    /// so whoever onboards a person can set the language of their pages before the first sign-in.
    /// Audited as a `user.changed` event with `"change": "locale"`; setting the same value again
    /// changes and audits nothing. A user the scope does not see is not found; a read-only scope
    /// (a client preview) is forbidden.
    async fn set_locale(
        &self,
        scope: &TenantScope,
        id: UserId,
        locale: Option<LanguageTag>,
        audit: &AuditContext,
    ) -> StoreResult<User>;

    /// Records that the scope's own user finished or dismissed the first-login tour: only the
    /// person may say so, hence no id. The first time is kept; a later call changes and audits
    /// nothing. Audited as a `user.changed` event with `"change": "tour_done"`. A scope without a
    /// user (a system scope) finds no one; a read-only scope (a client preview) is forbidden.
    async fn finish_tour(&self, scope: &TenantScope, audit: &AuditContext) -> StoreResult<User>;

    /// Disables or enables a user the scope sees; disabling ends all of the user's sessions in
    /// the same transaction (`manage_staff` for a member of staff, `manage_clients` on every
    /// client of a contact). A user the scope does not see is not found.
    async fn set_disabled(
        &self,
        scope: &TenantScope,
        id: UserId,
        disabled: bool,
        audit: &AuditContext,
    ) -> StoreResult<User>;

    /// The user and password hash for a login. Global by necessity: nobody is authenticated yet.
    async fn credentials_by_email(
        &self,
        tenant: TenantId,
        email: &Email,
    ) -> StoreResult<Option<Credentials>>;

    /// Stores a new password hash and ends all of the user's sessions, in one transaction.
    /// Global: called by the auth crate after it verified the user (old password or reset token).
    async fn set_password_hash(
        &self,
        tenant: TenantId,
        user: UserId,
        password_hash: String,
    ) -> StoreResult<()>;

    /// Replaces the hash of the *same* password with a stronger one (new hashing parameters,
    /// found at login). Not a password change: sessions stay, nobody is told. Global, for the
    /// auth crate, after it verified the password.
    async fn rehash_password(
        &self,
        tenant: TenantId,
        user: UserId,
        password_hash: String,
    ) -> StoreResult<()>;

    /// Records a successful login. Global, for the auth crate.
    async fn record_login(
        &self,
        tenant: TenantId,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
}

/// Roles, memberships and staff assignments.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait MembershipStore: Send + Sync + 'static {
    /// The memberships from which a user's scope is built: enabled user, clients not archived.
    /// Global: this is how a scope comes to exist after authentication.
    async fn memberships_of(&self, tenant: TenantId, user: UserId) -> StoreResult<Vec<Membership>>;

    /// The tenant's roles, built-in first (staff; at most a few hundred, so not paginated).
    async fn roles(&self, scope: &TenantScope) -> StoreResult<Vec<Role>>;

    /// Creates a custom role (`manage_roles`). A name already used is a conflict.
    async fn create_role(
        &self,
        scope: &TenantScope,
        name: DisplayName,
        side: Side,
        permissions: PermissionSet,
        audit: &AuditContext,
    ) -> StoreResult<Role>;

    /// Replaces a role's permissions (`manage_roles`), within the role's side.
    async fn set_role_permissions(
        &self,
        scope: &TenantScope,
        role: RoleId,
        permissions: PermissionSet,
        audit: &AuditContext,
    ) -> StoreResult<Role>;

    /// Deletes a custom role (`manage_roles`); a role still held, or a built-in one, is a conflict.
    async fn delete_role(
        &self,
        scope: &TenantScope,
        role: RoleId,
        audit: &AuditContext,
    ) -> StoreResult<()>;

    /// Makes a user a member (`manage_staff` for staff; `manage_clients` or, within its own
    /// client, `manage_client_contacts` for contacts). The role's side must match the user's.
    async fn add_membership(
        &self,
        scope: &TenantScope,
        user: UserId,
        role: RoleId,
        kind: MembershipKind,
        audit: &AuditContext,
    ) -> StoreResult<MembershipRecord>;

    /// Gives a membership another role of the same side.
    async fn change_role(
        &self,
        scope: &TenantScope,
        membership: MembershipId,
        role: RoleId,
        audit: &AuditContext,
    ) -> StoreResult<MembershipRecord>;

    /// Replaces the clients assigned to a member of staff (`manage_staff`).
    async fn assign_clients(
        &self,
        scope: &TenantScope,
        membership: MembershipId,
        clients: Vec<ClientId>,
        audit: &AuditContext,
    ) -> StoreResult<MembershipRecord>;

    /// Ends a membership.
    async fn remove_membership(
        &self,
        scope: &TenantScope,
        membership: MembershipId,
        audit: &AuditContext,
    ) -> StoreResult<()>;

    /// The memberships the scope may manage, optionally of one client.
    async fn list_memberships(
        &self,
        scope: &TenantScope,
        client: Option<ClientId>,
        page: Page,
    ) -> StoreResult<Paged<MembershipRecord>>;
}

/// The tenant's clients.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ClientStore: Send + Sync + 'static {
    /// Creates a client (`manage_clients`).
    async fn create_client(
        &self,
        scope: &TenantScope,
        client: ClientInput,
        audit: &AuditContext,
    ) -> StoreResult<Client>;

    /// A client the scope reaches.
    async fn client(&self, scope: &TenantScope, id: ClientId) -> StoreResult<Option<Client>>;

    /// The client with this external id (matched exactly), if the scope reaches it: the rules of
    /// [`client`](Self::client), so another tenant's or client's answers `None` like a missing one.
    async fn client_by_external_id(
        &self,
        scope: &TenantScope,
        external_id: &str,
    ) -> StoreResult<Option<Client>>;

    /// The clients the scope reaches.
    async fn list_clients(&self, scope: &TenantScope, page: Page) -> StoreResult<Paged<Client>>;

    /// Replaces a client's writable fields (`manage_clients`).
    async fn update_client(
        &self,
        scope: &TenantScope,
        id: ClientId,
        client: ClientInput,
        audit: &AuditContext,
    ) -> StoreResult<Client>;

    /// Archives (or restores) a client: its contacts lose access (`manage_clients`). Restoring
    /// an offboarded client clears `offboarded_at`; an erased client cannot be restored (a
    /// conflict).
    async fn set_client_archived(
        &self,
        scope: &TenantScope,
        id: ClientId,
        archived: bool,
        audit: &AuditContext,
    ) -> StoreResult<Client>;

    /// Ends the client's engagement at once (`offboard_clients` on a client the scope reaches),
    /// in one transaction: archives it and records `offboarded_at`; ends the sessions of its
    /// contacts who have no other active client; revokes its pending invitations and the share
    /// links to its objects; appends a `client.offboarded` event (the counts and the contacts'
    /// ids). A counted write, so caches above the stores drop the ended sessions at once. A
    /// client already offboarded is answered as it is, with zero counts.
    async fn offboard_client(
        &self,
        scope: &TenantScope,
        id: ClientId,
        audit: &AuditContext,
    ) -> StoreResult<OffboardReport>;

    /// Erases the personal data of an offboarded client's contacts (`erase_client_data` on a
    /// client the scope reaches; a client not offboarded is a conflict), in one transaction.
    /// Each contact with no membership at another client that is not offboarded gets a
    /// pseudonymous email and the name "Erased contact", loses locale, password, second factor,
    /// recovery codes, sessions, login tokens, mail preferences and notifications, and is
    /// disabled; a contact still at such a client loses only this client's membership. The
    /// client's invitations get pseudonymous emails, pending mail to those people is dropped,
    /// and their personal facts in the audit log are erased (version 1 events are counted and
    /// left). The client is marked erased for good. Audited as `client.erased` (counts and ids
    /// only). Business records the contacts wrote stay. A client already erased is answered
    /// as it is, with zero counts.
    async fn erase_client(
        &self,
        scope: &TenantScope,
        id: ClientId,
        audit: &AuditContext,
    ) -> StoreResult<ErasureReport>;

    /// Creates or updates the client with `client.external_id` (required), idempotently.
    async fn upsert_client(
        &self,
        scope: &TenantScope,
        client: ClientInput,
        audit: &AuditContext,
    ) -> StoreResult<Upserted<Client>>;
}
