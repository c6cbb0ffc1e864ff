//! What the settings pages call things: roles, permissions, their groups and sides in the
//! reader's language, and the names of the tenant's people, clients and projects by id, read
//! through the stores with the page's scope (so a name the scope may not see is never shown).

use std::collections::HashMap;

use portal_core::model::{Client, Project, User};
use portal_core::{
    ClientId, Permission, PermissionGroup, ProjectId, Role, Side, TenantScope, UserId,
};
use portal_storage::{Cursor, Page, Paged, ProjectFilter, StoreResult};

use super::super::catalogue::CatalogueError;
use super::super::format::Formatter;
use crate::state::PortalState;

/// The most rows read for a lookup or a choice list: settings pages list a tenant's people,
/// clients and projects, which stay well below this; beyond it a list simply ends.
const LOOKUP_ROWS: usize = 2_000;

/// A role's name as the reader sees it: a built-in role's in their language, a custom role's
/// as the tenant named it.
pub(super) fn role_name(formatter: &Formatter<'_>, role: &Role) -> Result<String, CatalogueError> {
    match role.builtin_role() {
        Some(builtin) => formatter.text(&format!("admin-role-{}", builtin.name())),
        None => Ok(role.name().as_str().to_owned()),
    }
}

/// The catalogue id of what `permission` allows.
pub(super) fn permission_message(permission: Permission) -> String {
    format!("admin-permission-{}", permission.name())
}

/// The catalogue id of a product area's heading.
pub(super) const fn group_message(group: PermissionGroup) -> &'static str {
    match group {
        PermissionGroup::Work => "admin-group-work",
        PermissionGroup::Documents => "admin-group-documents",
        PermissionGroup::Conversation => "admin-group-conversation",
        PermissionGroup::Approvals => "admin-group-approvals",
        PermissionGroup::Requests => "admin-group-requests",
        PermissionGroup::Finance => "admin-group-finance",
        PermissionGroup::StaffAccess => "admin-group-staff-access",
        PermissionGroup::Delivery => "admin-group-delivery",
        PermissionGroup::Administration => "admin-group-administration",
    }
}

/// The catalogue id of a side's name.
pub(super) const fn side_message(side: Side) -> &'static str {
    match side {
        Side::Staff => "admin-side-staff",
        Side::Client => "admin-side-client",
    }
}

/// `permissions` grouped by product area, each area once, in the order areas first appear.
pub(super) fn grouped(
    permissions: impl IntoIterator<Item = Permission>,
) -> Vec<(PermissionGroup, Vec<Permission>)> {
    let mut groups: Vec<(PermissionGroup, Vec<Permission>)> = Vec::new();
    for permission in permissions {
        match groups
            .iter_mut()
            .find(|(group, _)| *group == permission.group())
        {
            Some((_, members)) => members.push(permission),
            None => groups.push((permission.group(), vec![permission])),
        }
    }
    groups
}

/// Every row of a paged list, up to [`LOOKUP_ROWS`].
async fn all<T, F, Fut>(mut fetch: F) -> StoreResult<Vec<T>>
where
    F: FnMut(Page) -> Fut,
    Fut: Future<Output = StoreResult<Paged<T>>>,
{
    let first = Page::first(Page::MAX_LIMIT)?;
    let mut rows = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let paged = fetch(first.after(cursor)).await?;
        rows.extend(paged.items);
        match paged.next {
            Some(next) if rows.len() < LOOKUP_ROWS => cursor = Some(next),
            _ => return Ok(rows),
        }
    }
}

/// The clients `scope` reaches, in the store's order.
pub(super) async fn clients(state: &PortalState, scope: &TenantScope) -> StoreResult<Vec<Client>> {
    all(|page| state.stores().clients.list_clients(scope, page)).await
}

/// The projects `scope` may see, of one client or all.
pub(super) async fn projects(
    state: &PortalState,
    scope: &TenantScope,
    client: Option<ClientId>,
) -> StoreResult<Vec<Project>> {
    all(|page| {
        let filter = ProjectFilter {
            client,
            ..ProjectFilter::default()
        };
        state.stores().projects.list_projects(scope, filter, page)
    })
    .await
}

/// The people `scope` may see, by id.
pub(super) async fn people(
    state: &PortalState,
    scope: &TenantScope,
) -> StoreResult<HashMap<UserId, User>> {
    let users = all(|page| state.stores().identities.list_users(scope, None, page)).await?;
    Ok(users.into_iter().map(|user| (user.id, user)).collect())
}

/// Client names by id.
pub(super) fn client_names(clients: &[Client]) -> HashMap<ClientId, String> {
    clients
        .iter()
        .map(|client| (client.id, client.name.as_str().to_owned()))
        .collect()
}

/// Project names by id.
pub(super) fn project_names(projects: &[Project]) -> HashMap<ProjectId, String> {
    projects
        .iter()
        .map(|project| (project.id, project.name.as_str().to_owned()))
        .collect()
}

/// A person's name, or — for someone the scope does not see (any more) — the id itself.
pub(super) fn person(people: &HashMap<UserId, User>, id: UserId) -> String {
    people
        .get(&id)
        .map_or_else(|| id.to_string(), |user| user.name.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use portal_core::BuiltinRole;

    use super::super::super::catalogue::Catalogue;
    use super::super::super::locale::Locale;
    use super::*;

    #[test]
    fn every_permission_group_side_and_role_has_its_text_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        for locale in Locale::ALL {
            for permission in Permission::ALL {
                catalogue
                    .text(locale, &permission_message(*permission), None)
                    .unwrap();
                catalogue
                    .text(locale, group_message(permission.group()), None)
                    .unwrap();
            }
            for side in [Side::Staff, Side::Client] {
                catalogue.text(locale, side_message(side), None).unwrap();
            }
            for role in BuiltinRole::ALL {
                catalogue
                    .text(locale, &format!("admin-role-{}", role.name()), None)
                    .unwrap();
            }
        }
    }

    #[test]
    fn each_group_shows_once_in_the_order_it_first_appears() {
        let groups = grouped(Permission::ALL.iter().copied());
        let mut seen = std::collections::HashSet::new();
        for (group, members) in &groups {
            assert!(seen.insert(*group), "{group:?} twice");
            assert!(members.iter().all(|p| p.group() == *group));
        }
        assert_eq!(
            groups.iter().map(|(_, m)| m.len()).sum::<usize>(),
            Permission::ALL.len()
        );
        assert_eq!(groups[0].0, PermissionGroup::Work);
    }
}
