//! Permissions: every act in the product, and sets of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{DomainError, Invalid};

/// Who may ever hold a permission: a role for the tenant's team, a role for a client's people, or both.
///
/// A client role can never hold a staff-only permission (such as seeing internal objects), whatever a
/// custom role's data says: [`Role::custom`](crate::Role::custom) refuses it and a contact's
/// [`TenantScope`](crate::TenantScope) masks it away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Only the tenant's staff.
    Staff,
    /// Only a client's contacts.
    Client,
    /// Staff and contacts.
    Both,
}

impl Audience {
    /// Whether a role on `side` may hold a permission of this audience.
    #[must_use]
    pub const fn admits(self, side: Side) -> bool {
        matches!(
            (self, side),
            (Self::Both, _) | (Self::Staff, Side::Staff) | (Self::Client, Side::Client)
        )
    }
}

/// The side a user or role belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The tenant's own team.
    Staff,
    /// People at a client organisation.
    Client,
}

/// Whether a permission only reads or also changes something: previews and share links are read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Reads data, changes nothing.
    Read,
    /// Creates, changes or deletes something.
    Write,
}

/// The area of the product a permission belongs to, used to group the permission matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionGroup {
    /// Seeing projects and their progress.
    Work,
    /// Files and their versions.
    Documents,
    /// Threads and messages.
    Conversation,
    /// Sign-offs on deliverables and document versions.
    Approvals,
    /// Client-submitted intake.
    Requests,
    /// Invoices and money fields.
    Finance,
    /// What a member of staff may see beyond the client view.
    StaffAccess,
    /// Running the engagement: creating and publishing work.
    Delivery,
    /// People, roles, branding, integrations and the audit log.
    Administration,
}

impl PermissionGroup {
    /// A short heading for the group.
    #[must_use]
    pub const fn title(self) -> &'static str {
        match self {
            Self::Work => "Work",
            Self::Documents => "Documents",
            Self::Conversation => "Conversation",
            Self::Approvals => "Approvals",
            Self::Requests => "Requests",
            Self::Finance => "Finance",
            Self::StaffAccess => "Staff access",
            Self::Delivery => "Delivery",
            Self::Administration => "Administration",
        }
    }
}

macro_rules! permissions {
    ($($variant:ident => $name:literal, $group:ident, $audience:ident, $effect:ident, $doc:literal;)+) => {
        /// One act in the product that a role may be granted.
        ///
        /// The enum is exhaustive on purpose: adding a permission must fail to compile until its
        /// row in the built-in roles' table is decided.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        pub enum Permission {
            $(#[doc = $doc] $variant,)+
        }

        impl Permission {
            /// Every permission, in matrix order.
            pub const ALL: &'static [Permission] = &[$(Self::$variant,)+];

            /// The stable, snake_case name used in the API, in stored custom roles and in docs.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $(Self::$variant => $name,)+ }
            }

            /// What the permission allows, in one sentence.
            #[must_use]
            pub const fn description(self) -> &'static str {
                match self { $(Self::$variant => $doc.trim_ascii(),)+ }
            }

            /// The product area, for grouping the matrix.
            #[must_use]
            pub const fn group(self) -> PermissionGroup {
                match self { $(Self::$variant => PermissionGroup::$group,)+ }
            }

            /// Which side may ever hold it.
            #[must_use]
            pub const fn audience(self) -> Audience {
                match self { $(Self::$variant => Audience::$audience,)+ }
            }

            /// Whether the permission only reads, or changes something.
            #[must_use]
            pub const fn effect(self) -> Effect {
                match self { $(Self::$variant => Effect::$effect,)+ }
            }

            /// Looks a permission up by its [`name`](Self::name).
            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

permissions! {
    ViewProjects => "view_projects", Work, Both, Read, "See projects and their status.";
    ViewMilestones => "view_milestones", Work, Both, Read, "See milestones and their progress.";
    ViewDeliverables => "view_deliverables", Work, Both, Read, "See deliverables and their status.";
    ViewUpdates => "view_updates", Work, Both, Read, "Read status updates.";
    ViewDecisions => "view_decisions", Work, Both, Read, "Read meeting decision records.";
    ViewTasks => "view_tasks", Work, Both, Read, "See next steps and who owns them.";
    CompleteTasks => "complete_tasks", Work, Both, Write, "Mark one's side's tasks done or reopen them.";
    ViewDocuments => "view_documents", Documents, Both, Read, "List documents and their versions.";
    DownloadDocuments => "download_documents", Documents, Both, Read, "Download document files.";
    UploadDocuments => "upload_documents", Documents, Both, Write, "Upload documents and new versions.";
    ManageDocuments => "manage_documents", Documents, Staff, Write, "Rename, move and delete documents.";
    Comment => "comment", Conversation, Both, Write, "Post messages in threads.";
    ViewApprovals => "view_approvals", Approvals, Both, Read, "See approval requests and their outcome.";
    DecideApprovals => "decide_approvals", Approvals, Client, Write, "Approve or request changes.";
    RequestApprovals => "request_approvals", Approvals, Staff, Write, "Ask a client for an approval, or cancel the ask.";
    SubmitRequests => "submit_requests", Requests, Client, Write, "Submit requests and reply to them.";
    ViewRequests => "view_requests", Requests, Both, Read, "See requests and their answers.";
    ManageRequests => "manage_requests", Requests, Staff, Write, "Answer, triage and resolve requests.";
    ViewInvoices => "view_invoices", Finance, Both, Read, "See invoices.";
    PayInvoices => "pay_invoices", Finance, Client, Write, "Open an invoice's payment link.";
    ViewFinancials => "view_financials", Finance, Both, Read, "See finance fields: budgets, amounts and rates.";
    ManageInvoices => "manage_invoices", Finance, Staff, Write, "Create, issue and void invoices.";
    ManageClientContacts => "manage_client_contacts", Administration, Client, Write, "Invite and manage the contacts of one's own client.";
    ViewInternal => "view_internal", StaffAccess, Staff, Read, "See internal objects, drafts and internal messages.";
    AccessAllClients => "access_all_clients", StaffAccess, Staff, Read, "Work on every client, not only the assigned ones.";
    ViewAsClient => "view_as_client", StaffAccess, Staff, Read, "Preview the portal as a client sees it (read-only, audited).";
    ViewAnalytics => "view_analytics", StaffAccess, Staff, Read, "See how each client uses the portal: logins, turnaround, open requests, downloads.";
    ManageClients => "manage_clients", Delivery, Staff, Write, "Create and edit clients and invite their contacts.";
    ManageProjects => "manage_projects", Delivery, Staff, Write, "Create, edit and archive projects.";
    ManageMilestones => "manage_milestones", Delivery, Staff, Write, "Create, edit and move milestones.";
    ManageDeliverables => "manage_deliverables", Delivery, Staff, Write, "Create, edit and move deliverables.";
    ManageUpdates => "manage_updates", Delivery, Staff, Write, "Write status updates.";
    ManageDecisions => "manage_decisions", Delivery, Staff, Write, "Record meeting decisions.";
    ManageTasks => "manage_tasks", Delivery, Staff, Write, "Create, assign and edit tasks.";
    Publish => "publish", Delivery, Staff, Write, "Publish objects to the client, or take them back.";
    CreateShareLinks => "create_share_links", Delivery, Staff, Write, "Create and revoke no-login share links.";
    ManageStaff => "manage_staff", Administration, Staff, Write, "Invite staff and assign staff roles and clients.";
    ManageRoles => "manage_roles", Administration, Staff, Write, "Define custom roles and edit the permission matrix.";
    ManageBranding => "manage_branding", Administration, Staff, Write, "Edit the theme, logo, domains and email sender.";
    ManageIntegrations => "manage_integrations", Administration, Staff, Write, "Configure webhooks, sync sources and email.";
    ManageApiKeys => "manage_api_keys", Administration, Staff, Write, "Create and revoke API keys.";
    ViewAuditLog => "view_audit_log", Administration, Staff, Read, "Read the audit log.";
    ExportAuditLog => "export_audit_log", Administration, Staff, Read, "Export the audit log as CSV or JSON Lines.";
    ExportClientData => "export_client_data", Administration, Staff, Read, "Export everything of a client as JSON and files (audited).";
    OffboardClients => "offboard_clients", Administration, Staff, Write, "End a client's engagement: every contact's access, sessions, invitations and share links at once.";
    EraseClientData => "erase_client_data", Administration, Staff, Write, "Erase an offboarded client's personal data (irreversible; the audit chain stays verifiable).";
    ManageTenant => "manage_tenant", Administration, Staff, Write, "Change tenant-wide security settings and ownership.";
}

impl Permission {
    /// The permission's bit in a [`PermissionSet`].
    #[must_use]
    pub const fn bit(self) -> u64 {
        1 << (self as u8)
    }
}

// A PermissionSet is a u64: more than 64 permissions would need a wider set.
const _: () = assert!(Permission::ALL.len() <= 64);

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for Permission {
    type Err = DomainError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::from_name(input.trim()).ok_or(DomainError::validation(
            "permission",
            Invalid::Malformed("not a known permission"),
        ))
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format_args!("unknown permission `{name}`")))
    }
}

/// A set of permissions as a bitset: a check is one AND.
///
/// Stored and sent as a list of permission names, so the bit layout never leaks into data.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PermissionSet(u64);

impl PermissionSet {
    /// No permissions.
    pub const EMPTY: Self = Self(0);

    /// Every permission.
    pub const ALL: Self = Self::from_slice(Permission::ALL);

    /// Every permission that only reads.
    pub const READ_ONLY: Self = {
        let mut set = Self::EMPTY;
        let mut i = 0;
        while i < Permission::ALL.len() {
            if matches!(Permission::ALL[i].effect(), Effect::Read) {
                set = set.with(Permission::ALL[i]);
            }
            i += 1;
        }
        set
    };

    /// Every permission a role on `side` may hold.
    #[must_use]
    pub const fn allowed_for(side: Side) -> Self {
        let mut set = Self::EMPTY;
        let mut i = 0;
        while i < Permission::ALL.len() {
            let permission = Permission::ALL[i];
            if permission.audience().admits(side) {
                set = set.with(permission);
            }
            i += 1;
        }
        set
    }

    /// The set holding exactly `permissions`.
    #[must_use]
    pub const fn from_slice(permissions: &[Permission]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < permissions.len() {
            bits |= permissions[i].bit();
            i += 1;
        }
        Self(bits)
    }

    /// Whether the set holds `permission`.
    #[inline]
    #[must_use]
    pub const fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    /// Whether the set holds every permission of `other`.
    #[must_use]
    pub const fn contains_all(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The set with `permission` added.
    #[must_use]
    pub const fn with(self, permission: Permission) -> Self {
        Self(self.0 | permission.bit())
    }

    /// The set with `permission` removed.
    #[must_use]
    pub const fn without(self, permission: Permission) -> Self {
        Self(self.0 & !permission.bit())
    }

    /// Permissions in either set.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Permissions in both sets.
    #[must_use]
    pub const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// Permissions in `self` but not in `other`.
    #[must_use]
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many permissions the set holds.
    #[must_use]
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The permissions in matrix order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }
}

impl fmt::Debug for PermissionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Permission::name))
            .finish()
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

impl Serialize for PermissionSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for PermissionSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<Permission>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discriminants_follow_the_list_so_bits_are_distinct() {
        for (index, permission) in Permission::ALL.iter().enumerate() {
            assert_eq!(*permission as usize, index);
        }
        assert_eq!(PermissionSet::ALL.len(), Permission::ALL.len());
    }

    #[test]
    fn names_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for permission in Permission::ALL {
            let name = permission.name();
            assert!(seen.insert(name), "duplicate name {name}");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
            assert_eq!(name.parse::<Permission>().unwrap(), *permission);
            assert!(!permission.description().is_empty());
        }
        assert_eq!(
            "no_such".parse::<Permission>().unwrap_err().field(),
            Some("permission")
        );
    }

    #[test]
    fn set_operations() {
        let set = PermissionSet::from_slice(&[Permission::ViewProjects, Permission::Comment]);
        assert!(set.contains(Permission::Comment));
        assert!(!set.contains(Permission::Publish));
        assert_eq!(set.len(), 2);
        assert!(set.with(Permission::Publish).contains_all(set));
        assert_eq!(set.without(Permission::Comment).len(), 1);
        assert_eq!(set.intersection(PermissionSet::EMPTY), PermissionSet::EMPTY);
        assert_eq!(set.union(set), set);
        assert!(set.difference(set).is_empty());
        assert_eq!(set.iter().collect::<PermissionSet>(), set);
    }

    #[test]
    fn sets_serialise_as_names_and_refuse_unknown_ones() {
        let set = PermissionSet::from_slice(&[Permission::Publish, Permission::ViewProjects]);
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"["view_projects","publish"]"#);
        assert_eq!(serde_json::from_str::<PermissionSet>(&json).unwrap(), set);
        let err = serde_json::from_str::<PermissionSet>(r#"["fly"]"#).unwrap_err();
        assert!(err.to_string().contains("unknown permission `fly`"));
    }

    #[test]
    fn client_sides_never_admit_staff_only_permissions() {
        let client = PermissionSet::allowed_for(Side::Client);
        assert!(!client.contains(Permission::ViewInternal));
        assert!(!client.contains(Permission::AccessAllClients));
        assert!(client.contains(Permission::DecideApprovals));
        let staff = PermissionSet::allowed_for(Side::Staff);
        assert!(!staff.contains(Permission::DecideApprovals));
        assert_eq!(client.union(staff), PermissionSet::ALL);
    }
}
