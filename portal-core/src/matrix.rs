//! The permission matrix: roles × permissions as a table, the "permissions map" agencies ask for.

use std::fmt::Write as _;

use serde::Serialize;

use crate::permission::{Audience, Effect, Permission, PermissionGroup, Side};
use crate::role::{BuiltinRole, Role};

/// Roles × permissions, ready to show, edit or export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionMatrix {
    /// The columns.
    pub roles: Vec<MatrixRole>,
    /// One row per permission, in matrix order.
    pub rows: Vec<MatrixRow>,
}

/// A column of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixRole {
    /// The role's name as people see it.
    pub name: String,
    /// Staff or client.
    pub side: Side,
    /// The built-in role it is (or started as), if any.
    pub builtin: Option<BuiltinRole>,
}

/// A row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    /// The permission.
    pub permission: Permission,
    /// Its product area.
    pub group: PermissionGroup,
    /// Which side may ever hold it.
    pub audience: Audience,
    /// Whether it only reads.
    pub effect: Effect,
    /// What it allows.
    pub description: &'static str,
    /// For each role, in column order, whether the role holds it.
    pub granted: Vec<bool>,
}

impl PermissionMatrix {
    /// The built-in roles with their default permissions.
    #[must_use]
    pub fn builtin() -> Self {
        let roles = BuiltinRole::ALL.map(|role| (role.title().to_owned(), role.side(), Some(role)));
        Self::build(&roles, |column, permission| {
            BuiltinRole::ALL
                .get(column)
                .is_some_and(|role| role.default_permissions().contains(permission))
        })
    }

    /// A tenant's roles as they are now, custom ones included.
    #[must_use]
    pub fn for_roles(roles: &[Role]) -> Self {
        let columns: Vec<_> = roles
            .iter()
            .map(|role| (role.name().to_string(), role.side(), role.builtin_role()))
            .collect();
        Self::build(&columns, |column, permission| {
            roles
                .get(column)
                .is_some_and(|role| role.permissions().contains(permission))
        })
    }

    fn build(
        columns: &[(String, Side, Option<BuiltinRole>)],
        holds: impl Fn(usize, Permission) -> bool,
    ) -> Self {
        let roles = columns
            .iter()
            .map(|(name, side, builtin)| MatrixRole {
                name: name.clone(),
                side: *side,
                builtin: *builtin,
            })
            .collect();
        let rows = Permission::ALL
            .iter()
            .map(|&permission| MatrixRow {
                permission,
                group: permission.group(),
                audience: permission.audience(),
                effect: permission.effect(),
                description: permission.description(),
                granted: (0..columns.len())
                    .map(|column| holds(column, permission))
                    .collect(),
            })
            .collect();
        Self { roles, rows }
    }

    /// The matrix as pretty-printed JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serialising plain structs, strings and bools into a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The matrix as Markdown: one table per product area, a ✓ where a role holds a permission.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let header: String = self
            .roles
            .iter()
            .map(|role| format!(" {} |", role.name))
            .collect();
        let rule: String = self.roles.iter().map(|_| ":-:|").collect();
        let mut group = None;
        for row in &self.rows {
            if group != Some(row.group) {
                group = Some(row.group);
                let _ = write!(
                    out,
                    "\n## {}\n\n| Permission | What it allows | Who may hold it |{header}\n|---|---|---|{rule}\n",
                    row.group.title()
                );
            }
            let audience = match row.audience {
                Audience::Staff => "staff",
                Audience::Client => "client",
                Audience::Both => "both",
            };
            let cells: String = row
                .granted
                .iter()
                .map(|&held| if held { " ✓ |" } else { "   |" })
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {audience} |{cells}",
                row.permission.name(),
                row.description
            );
        }
        out
    }
}

/// The whole `docs/permissions.md` page: a short introduction and the built-in roles' matrix.
#[must_use]
pub fn permissions_document() -> String {
    let matrix = PermissionMatrix::builtin();
    let mut out = String::from(
        "# Permission matrix\n\n\
         <!-- Generated from portal-core: `cargo run -p permissions-map > docs/permissions.md`. \
         A test fails when this file is stale. -->\n\n\
         Who may do what with the built-in roles. Tenants may adjust the built-in roles and define \
         custom ones; a role's permissions always stay within its side: a client role can never \
         hold a staff-only permission.\n\n\
         Beyond the permissions, `authorize` applies these rules before any grant:\n\n\
         1. An object of another tenant does not exist for the asker (answered as not found).\n\
         2. A contact sees only the clients it is a member of; a member of staff without \
         `access_all_clients` sees only the clients assigned to them (answered as not found).\n\
         3. An internal object (a draft, an internal note or message) is visible only with \
         `view_internal`, which no client role can hold (answered as not found).\n\
         4. A \"view as client\" preview is read-only.\n\
         5. Money fields (budgets, amounts, rates) also need `view_financials`.\n",
    );
    out.push_str(&matrix.to_markdown());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PermissionSet, RoleId, validate::DisplayName};

    #[test]
    fn builtin_matrix_matches_the_roles() {
        let matrix = PermissionMatrix::builtin();
        assert_eq!(matrix.roles.len(), BuiltinRole::ALL.len());
        assert_eq!(matrix.rows.len(), Permission::ALL.len());
        for row in &matrix.rows {
            for (column, role) in BuiltinRole::ALL.iter().enumerate() {
                assert_eq!(
                    row.granted[column],
                    role.default_permissions().contains(row.permission)
                );
            }
        }
        let markdown = matrix.to_markdown();
        assert!(markdown.contains("| `decide_approvals` | Approve or request changes. | client |"));
        assert!(markdown.contains("## Administration"));
        let json: serde_json::Value = serde_json::from_str(&matrix.to_json()).unwrap();
        assert_eq!(json["rows"][0]["permission"], "view_projects");
        assert_eq!(json["roles"][4]["builtin"], "client_admin");
    }

    #[test]
    fn custom_roles_get_their_own_column() {
        let auditor = Role::custom(
            RoleId::new(),
            DisplayName::parse("Auditor").unwrap(),
            Side::Staff,
            PermissionSet::from_slice(&[Permission::ViewAuditLog]),
        )
        .unwrap();
        let matrix = PermissionMatrix::for_roles(&[
            Role::builtin(RoleId::new(), BuiltinRole::Viewer),
            auditor,
        ]);
        let row = matrix
            .rows
            .iter()
            .find(|row| row.permission == Permission::ViewAuditLog)
            .unwrap();
        assert_eq!(row.granted, vec![false, true]);
        assert!(matrix.to_markdown().contains("| Viewer | Auditor |"));
    }
}
