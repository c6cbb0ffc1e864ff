//! The signed-in pages' navigation: which sections the viewer's role opens, and which one the
//! current page belongs to. A link is shown only where its page would show the viewer something;
//! the pages themselves still authorise every read through the stores.

use portal_core::{ClientFilter, Permission, TenantScope};
use serde::Serialize;

/// The navigation of a signed-in page.
#[derive(Debug, Serialize)]
pub(crate) struct Nav {
    /// The client-facing sections, for everyone.
    pub(crate) main: Vec<NavLink>,
    /// The team's sections: empty for contacts and in a client preview.
    pub(crate) staff: Vec<NavLink>,
    /// The notifications page, with the unread badge.
    pub(crate) notifications: NavLink,
    /// How many of the viewer's notifications are unread (the badge; none at zero).
    pub(crate) unread: u64,
}

/// One link of the navigation.
#[derive(Debug, Serialize)]
pub(crate) struct NavLink {
    /// Its URL.
    pub(crate) href: String,
    /// The catalogue id of its label.
    pub(crate) label: &'static str,
    /// Whether the current page is in this section.
    pub(crate) current: bool,
}

/// What opens a section: any of these permissions, anywhere the scope reaches.
struct Section {
    path: &'static str,
    label: &'static str,
    any_of: &'static [Permission],
}

/// The notifications page, open to everyone signed in.
pub(crate) const NOTIFICATIONS_PATH: &str = "/notifications";

const MAIN: &[Section] = &[
    Section {
        path: "/",
        label: "nav-dashboard",
        any_of: &[],
    },
    Section {
        path: "/projects",
        label: "nav-projects",
        any_of: &[Permission::ViewProjects],
    },
    Section {
        path: "/approvals",
        label: "nav-approvals",
        any_of: &[Permission::ViewApprovals],
    },
    Section {
        path: "/documents",
        label: "nav-documents",
        any_of: &[Permission::ViewDocuments],
    },
    Section {
        path: "/requests",
        label: "nav-requests",
        any_of: &[Permission::ViewRequests],
    },
    Section {
        path: "/messages",
        label: "nav-messages",
        any_of: &[Permission::ViewProjects],
    },
    Section {
        path: "/invoices",
        label: "nav-invoices",
        any_of: &[Permission::ViewInvoices],
    },
];

const STAFF: &[Section] = &[
    Section {
        path: "/staff/clients",
        label: "nav-staff-clients",
        any_of: &[Permission::ManageClients, Permission::ManageStaff],
    },
    Section {
        path: "/staff/projects",
        label: "nav-staff-projects",
        any_of: &[
            Permission::ManageProjects,
            Permission::ManageMilestones,
            Permission::ManageDeliverables,
            Permission::ManageUpdates,
            Permission::ManageDecisions,
            Permission::Publish,
        ],
    },
    Section {
        path: "/staff/approvals",
        label: "nav-staff-approvals",
        any_of: &[Permission::RequestApprovals],
    },
    Section {
        path: "/staff/requests",
        label: "nav-staff-requests",
        any_of: &[Permission::ManageRequests],
    },
    Section {
        path: "/staff/analytics",
        label: "nav-staff-analytics",
        any_of: &[Permission::ViewAnalytics],
    },
    Section {
        path: "/admin",
        label: "nav-admin",
        any_of: &[
            Permission::ManageRoles,
            Permission::ManageBranding,
            Permission::ViewAuditLog,
            Permission::ManageApiKeys,
            Permission::CreateShareLinks,
            Permission::ViewAsClient,
            Permission::ManageIntegrations,
        ],
    },
];

impl Nav {
    /// The navigation `scope` opens, on the page at `path` (relative to `base`).
    pub(crate) fn new(scope: &TenantScope, base: &str, path: &str) -> Self {
        let links = |sections: &[Section]| {
            sections
                .iter()
                .filter(|section| section.any_of.is_empty() || holds_any(scope, section.any_of))
                .map(|section| NavLink {
                    href: format!("{base}{}", section.path),
                    label: section.label,
                    current: in_section(path, section.path),
                })
                .collect()
        };
        let staff = if scope.is_staff_side() && !scope.is_read_only() {
            links(STAFF)
        } else {
            Vec::new()
        };
        Self {
            main: links(MAIN),
            staff,
            notifications: NavLink {
                href: format!("{base}{NOTIFICATIONS_PATH}"),
                label: "nav-notifications",
                current: in_section(path, NOTIFICATIONS_PATH),
            },
            unread: 0,
        }
    }
}

/// Whether `scope` holds any of `permissions` tenant-wide or in any client it reaches.
pub(crate) fn holds_any(scope: &TenantScope, permissions: &[Permission]) -> bool {
    permissions
        .iter()
        .any(|permission| holds_somewhere(scope, *permission))
}

/// Whether `scope` holds `permission` tenant-wide or in at least one client it reaches.
pub(crate) fn holds_somewhere(scope: &TenantScope, permission: Permission) -> bool {
    scope.permissions_in(None).contains(permission)
        || match scope.clients_with(permission) {
            ClientFilter::All => true,
            ClientFilter::Only(clients) => !clients.is_empty(),
        }
}

/// Whether the page at `path` belongs to the section at `section`.
fn in_section(path: &str, section: &str) -> bool {
    if section == "/" {
        return path == "/";
    }
    path == section
        || path
            .strip_prefix(section)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::in_section;

    #[test]
    fn a_page_is_in_the_section_its_path_starts_with() {
        assert!(in_section("/", "/"));
        assert!(!in_section("/projects", "/"));
        assert!(in_section("/projects", "/projects"));
        assert!(in_section("/projects/abc", "/projects"));
        assert!(!in_section("/projectsx", "/projects"));
        assert!(in_section("/admin/roles", "/admin"));
    }
}
