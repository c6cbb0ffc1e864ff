//! Roles: built-in ones with default permission sets, and tenants' custom roles as data.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Invalid};
use crate::id::RoleId;
use crate::permission::{Permission, PermissionSet, Side};
use crate::validate::DisplayName;

/// The roles every tenant starts with.
///
/// Never compare roles by rank: what a role may do is its [`PermissionSet`], nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinRole {
    /// Staff: everything, including tenant-wide security settings and ownership.
    Owner,
    /// Staff: everything but tenant-wide security settings and ownership.
    Admin,
    /// Staff: runs engagements for every client, publishes, previews as a client.
    Manager,
    /// Staff: works on the clients assigned to them; cannot publish.
    Member,
    /// Client: everything a client may do, including managing the client's contacts.
    ClientAdmin,
    /// Client: approves deliverables and submits requests.
    Approver,
    /// Client: sees invoices and money fields, pays invoices.
    Finance,
    /// Client: reads what is shared, changes nothing.
    Viewer,
}

impl BuiltinRole {
    /// Every built-in role, staff first.
    pub const ALL: [Self; 8] = [
        Self::Owner,
        Self::Admin,
        Self::Manager,
        Self::Member,
        Self::ClientAdmin,
        Self::Approver,
        Self::Finance,
        Self::Viewer,
    ];

    /// The stable snake_case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Manager => "manager",
            Self::Member => "member",
            Self::ClientAdmin => "client_admin",
            Self::Approver => "approver",
            Self::Finance => "finance",
            Self::Viewer => "viewer",
        }
    }

    /// The name shown to people.
    #[must_use]
    pub const fn title(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Admin",
            Self::Manager => "Manager",
            Self::Member => "Member",
            Self::ClientAdmin => "Client admin",
            Self::Approver => "Approver",
            Self::Finance => "Finance",
            Self::Viewer => "Viewer",
        }
    }

    /// Whether the role is for staff or for a client's contacts, and its column in the grant table.
    const fn column(self) -> (Side, usize) {
        match self {
            Self::Owner => (Side::Staff, 0),
            Self::Admin => (Side::Staff, 1),
            Self::Manager => (Side::Staff, 2),
            Self::Member => (Side::Staff, 3),
            Self::ClientAdmin => (Side::Client, 0),
            Self::Approver => (Side::Client, 1),
            Self::Finance => (Side::Client, 2),
            Self::Viewer => (Side::Client, 3),
        }
    }

    /// The side the role belongs to.
    #[must_use]
    pub const fn side(self) -> Side {
        self.column().0
    }

    /// Whether the role holds `permission` by default.
    #[must_use]
    pub const fn grants_by_default(self, permission: Permission) -> bool {
        let row = default_grants(permission);
        match self.column() {
            (Side::Staff, column) => row.staff[column],
            (Side::Client, column) => row.client[column],
        }
    }

    /// The role's default permissions, computed once at compile time.
    #[must_use]
    pub const fn default_permissions(self) -> PermissionSet {
        DEFAULT_SETS[self as usize]
    }
}

/// One permission's row of the built-in grant table.
struct GrantRow {
    /// Owner, admin, manager, member.
    staff: [bool; 4],
    /// Client admin, approver, finance, viewer.
    client: [bool; 4],
}

const Y: bool = true;
const N: bool = false;

const fn row(staff: [bool; 4], client: [bool; 4]) -> GrantRow {
    GrantRow { staff, client }
}

/// The built-in roles' defaults: one exhaustive match, so a new permission does not compile until its
/// row is decided, and a new role does not compile until every row has its column.
const fn default_grants(permission: Permission) -> GrantRow {
    use Permission as P;
    match permission {
        //                          owner admin mgr member   c-admin approver finance viewer
        P::ViewProjects =>
        /*          */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::ViewMilestones =>
        /*        */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::ViewDeliverables =>
        /*      */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::ViewUpdates =>
        /*           */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::ViewDecisions =>
        /*         */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::ViewTasks =>
        /*             */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::CompleteTasks =>
        /*         */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, N])
        }
        P::ViewDocuments =>
        /*         */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::DownloadDocuments =>
        /*     */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::UploadDocuments =>
        /*       */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, N])
        }
        P::ManageDocuments =>
        /*       */
        {
            row([Y, Y, Y, Y], [N, N, N, N])
        }
        P::Comment =>
        /*               */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, N])
        }
        P::ViewApprovals =>
        /*         */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::DecideApprovals =>
        /*       */
        {
            row([N, N, N, N], [Y, Y, N, N])
        }
        P::RequestApprovals =>
        /*      */
        {
            row([Y, Y, Y, Y], [N, N, N, N])
        }
        P::SubmitRequests =>
        /*        */
        {
            row([N, N, N, N], [Y, Y, Y, N])
        }
        P::ViewRequests =>
        /*          */
        {
            row([Y, Y, Y, Y], [Y, Y, Y, Y])
        }
        P::ManageRequests =>
        /*        */
        {
            row([Y, Y, Y, Y], [N, N, N, N])
        }
        P::ViewInvoices =>
        /*          */
        {
            row([Y, Y, Y, N], [Y, N, Y, N])
        }
        P::PayInvoices =>
        /*           */
        {
            row([N, N, N, N], [Y, N, Y, N])
        }
        P::ViewFinancials =>
        /*        */
        {
            row([Y, Y, Y, N], [Y, N, Y, N])
        }
        P::ManageInvoices =>
        /*        */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::ManageClientContacts =>
        /*  */
        {
            row([N, N, N, N], [Y, N, N, N])
        }
        P::ViewInternal =>
        /*          */
        {
            row([Y, Y, Y, Y], [N, N, N, N])
        }
        P::AccessAllClients =>
        /*      */
        {
            row([Y, Y, Y, N], [N, N, N, N])
        }
        P::ViewAsClient =>
        /*          */
        {
            row([Y, Y, Y, N], [N, N, N, N])
        }
        P::ViewAnalytics =>
        /*         */
        {
            row([Y, Y, Y, N], [N, N, N, N])
        }
        P::ManageClients =>
        /*         */
        {
            row([Y, Y, Y, N], [N, N, N, N])
        }
        P::ManageProjects =>
        /*        */
        {
            row([Y, Y, Y, N], [N, N, N, N])
        }
        P::ManageMilestones =>
        /*      */
        {
            row([Y, Y, Y, Y], [N, N, N, N])
        }
        P::ManageDeliverables =>
        /*    */
        {
            row([Y, Y, Y, Y], [N, N, N, N])
        }
        P::ManageUpdates =>
        /*         */
        {
            row([Y, Y, Y, Y], [N, N, N, N])
        }
        P::ManageDecisions =>
        /*       */
        {
            row([Y, Y, Y, Y], [N, N, N, N])
        }
        P::ManageTasks =>
        /*           */
        {
            row([Y, Y, Y, Y], [N, N, N, N])
        }
        P::Publish =>
        /*               */
        {
            row([Y, Y, Y, N], [N, N, N, N])
        }
        P::CreateShareLinks =>
        /*      */
        {
            row([Y, Y, Y, N], [N, N, N, N])
        }
        P::ManageStaff =>
        /*           */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::ManageRoles =>
        /*           */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::ManageBranding =>
        /*        */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::ManageIntegrations =>
        /*    */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::ManageApiKeys =>
        /*         */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::ViewAuditLog =>
        /*          */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::ExportAuditLog =>
        /*        */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::ExportClientData =>
        /*      */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::OffboardClients =>
        /*       */
        {
            row([Y, Y, N, N], [N, N, N, N])
        }
        P::EraseClientData =>
        /*       */
        {
            row([Y, N, N, N], [N, N, N, N])
        }
        P::ManageTenant =>
        /*          */
        {
            row([Y, N, N, N], [N, N, N, N])
        }
    }
}

const DEFAULT_SETS: [PermissionSet; BuiltinRole::ALL.len()] = {
    let mut sets = [PermissionSet::EMPTY; BuiltinRole::ALL.len()];
    let mut r = 0;
    while r < BuiltinRole::ALL.len() {
        let role = BuiltinRole::ALL[r];
        let mut p = 0;
        while p < Permission::ALL.len() {
            if role.grants_by_default(Permission::ALL[p]) {
                sets[role as usize] = sets[role as usize].with(Permission::ALL[p]);
            }
            p += 1;
        }
        r += 1;
    }
    sets
};

/// A role of one tenant: a built-in one (whose permissions the tenant may adjust) or a custom one.
///
/// A role's permissions always fit its side: a client role can never hold a staff-only permission,
/// and the owner role always holds every staff permission, so no tenant can lock itself out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    id: RoleId,
    name: DisplayName,
    side: Side,
    builtin: Option<BuiltinRole>,
    permissions: PermissionSet,
}

impl Role {
    /// A built-in role with its default permissions.
    #[must_use]
    pub fn builtin(id: RoleId, role: BuiltinRole) -> Self {
        Self {
            id,
            name: DisplayName::from_static(role.title()),
            side: role.side(),
            builtin: Some(role),
            permissions: role.default_permissions(),
        }
    }

    /// A tenant's custom role. Refuses permissions that a role of `side` may never hold.
    pub fn custom(
        id: RoleId,
        name: DisplayName,
        side: Side,
        permissions: PermissionSet,
    ) -> Result<Self, DomainError> {
        check_fits_side(side, permissions)?;
        Ok(Self {
            id,
            name,
            side,
            builtin: None,
            permissions,
        })
    }

    /// Rebuilds a stored role, checking its permissions as [`custom`](Self::custom) and
    /// [`set_permissions`](Self::set_permissions) do.
    pub fn restore(
        id: RoleId,
        name: DisplayName,
        builtin: Option<BuiltinRole>,
        side: Side,
        permissions: PermissionSet,
    ) -> Result<Self, DomainError> {
        if builtin.is_some_and(|role| role.side() != side) {
            return Err(DomainError::validation(
                "side",
                Invalid::Malformed("does not match the built-in role"),
            ));
        }
        let mut restored = Self::custom(id, name, side, PermissionSet::EMPTY)?;
        restored.builtin = builtin;
        restored.set_permissions(permissions)?;
        Ok(restored)
    }

    /// Replaces the role's permissions, as an edit of the permission matrix does.
    pub fn set_permissions(&mut self, permissions: PermissionSet) -> Result<(), DomainError> {
        check_fits_side(self.side, permissions)?;
        if self.builtin == Some(BuiltinRole::Owner)
            && !permissions.contains_all(PermissionSet::allowed_for(Side::Staff))
        {
            return Err(DomainError::validation(
                "permissions",
                Invalid::Malformed("the owner role always holds every staff permission"),
            ));
        }
        self.permissions = permissions;
        Ok(())
    }

    /// The role's id.
    #[must_use]
    pub const fn id(&self) -> RoleId {
        self.id
    }

    /// The role's name.
    #[must_use]
    pub const fn name(&self) -> &DisplayName {
        &self.name
    }

    /// Staff or client.
    #[must_use]
    pub const fn side(&self) -> Side {
        self.side
    }

    /// The built-in role this one started as, if any.
    #[must_use]
    pub const fn builtin_role(&self) -> Option<BuiltinRole> {
        self.builtin
    }

    /// What the role may do.
    #[must_use]
    pub const fn permissions(&self) -> PermissionSet {
        self.permissions
    }
}

fn check_fits_side(side: Side, permissions: PermissionSet) -> Result<(), DomainError> {
    match permissions
        .difference(PermissionSet::allowed_for(side))
        .iter()
        .next()
    {
        None => Ok(()),
        Some(permission) => Err(DomainError::validation(
            "permissions",
            Invalid::PermissionNotAllowed {
                permission: permission.name(),
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_roles_never_exceed_their_side() {
        for role in BuiltinRole::ALL {
            let allowed = PermissionSet::allowed_for(role.side());
            assert!(
                allowed.contains_all(role.default_permissions()),
                "{} holds {:?}",
                role.name(),
                role.default_permissions().difference(allowed)
            );
        }
    }

    #[test]
    fn owner_holds_every_staff_permission() {
        assert_eq!(
            BuiltinRole::Owner.default_permissions(),
            PermissionSet::allowed_for(Side::Staff)
        );
    }

    #[test]
    fn custom_client_role_cannot_see_internal() {
        let err = Role::custom(
            RoleId::new(),
            DisplayName::parse("Auditor").unwrap(),
            Side::Client,
            PermissionSet::from_slice(&[Permission::ViewProjects, Permission::ViewInternal]),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("permissions"));
        assert!(err.to_string().contains("view_internal"), "{err}");
    }

    #[test]
    fn built_in_roles_are_editable_within_their_side() {
        let mut viewer = Role::builtin(RoleId::new(), BuiltinRole::Viewer);
        viewer
            .set_permissions(viewer.permissions().with(Permission::Comment))
            .unwrap();
        assert!(viewer.permissions().contains(Permission::Comment));
        assert!(viewer.set_permissions(PermissionSet::ALL).is_err());
        assert!(
            viewer.permissions().contains(Permission::Comment),
            "a refused edit changes nothing"
        );
    }

    #[test]
    fn the_owner_cannot_lose_a_staff_permission() {
        let mut owner = Role::builtin(RoleId::new(), BuiltinRole::Owner);
        let weaker = owner.permissions().without(Permission::ManageRoles);
        assert!(owner.set_permissions(weaker).is_err());
    }

    #[test]
    fn restore_checks_the_side_of_a_built_in_role() {
        let name = DisplayName::parse("Owner").unwrap();
        let all_staff = PermissionSet::allowed_for(Side::Staff);
        let err = Role::restore(
            RoleId::new(),
            name.clone(),
            Some(BuiltinRole::Owner),
            Side::Client,
            all_staff,
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("side"));
        let owner = Role::restore(
            RoleId::new(),
            name,
            Some(BuiltinRole::Owner),
            Side::Staff,
            all_staff,
        )
        .unwrap();
        assert_eq!(owner.builtin_role(), Some(BuiltinRole::Owner));
    }
}
