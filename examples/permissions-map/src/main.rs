#![doc = include_str!("../README.md")]

use std::io::Write as _;

use anyhow::{Context as _, bail};
use portal_core::{
    BuiltinRole, ClientId, Membership, MembershipKind, Permission, PermissionMatrix, ResourceFacts,
    TenantId, TenantScope, UserId, Visibility, explain,
};

fn main() -> anyhow::Result<()> {
    let output = match std::env::args().nth(1).as_deref() {
        None | Some("--markdown") => portal_core::permissions_document(),
        Some("--json") => PermissionMatrix::builtin().to_json(),
        Some("--explain") => explain_samples()?,
        Some(other) => bail!("unknown option `{other}`; use --markdown, --json or --explain"),
    };
    std::io::stdout()
        .write_all(output.as_bytes())
        .context("writing to standard output")?;
    Ok(())
}

/// A few decisions for two clients of one tenant, each with the rule that made it.
fn explain_samples() -> anyhow::Result<String> {
    let tenant = TenantId::new();
    let (acme, globex) = (ClientId::new(), ClientId::new());
    let contact = |role: BuiltinRole, client| Membership {
        tenant,
        user: UserId::new(),
        permissions: role.default_permissions(),
        kind: MembershipKind::Contact { client },
    };
    let viewer = TenantScope::from_membership(&contact(BuiltinRole::Viewer, acme))?;
    let approver = TenantScope::from_membership(&contact(BuiltinRole::Approver, acme))?;
    let member = TenantScope::from_membership(&Membership {
        tenant,
        user: UserId::new(),
        permissions: BuiltinRole::Member.default_permissions(),
        kind: MembershipKind::Staff {
            assigned_clients: vec![acme],
        },
    })?;
    let shared = ResourceFacts::of_client(tenant, acme, Visibility::Shared);
    let cases = [
        (
            "acme viewer",
            &viewer,
            Permission::ViewProjects,
            shared,
            "a shared acme project",
        ),
        (
            "acme viewer",
            &viewer,
            Permission::DecideApprovals,
            shared,
            "an acme approval",
        ),
        (
            "acme approver",
            &approver,
            Permission::DecideApprovals,
            shared,
            "an acme approval",
        ),
        (
            "acme approver",
            &approver,
            Permission::ViewDocuments,
            ResourceFacts::of_client(tenant, acme, Visibility::Internal),
            "an internal acme draft",
        ),
        (
            "acme approver",
            &approver,
            Permission::ViewProjects,
            ResourceFacts::of_client(tenant, globex, Visibility::Shared),
            "a globex project",
        ),
        (
            "acme approver",
            &approver,
            Permission::ViewInvoices,
            shared.finance(),
            "an acme invoice",
        ),
        (
            "staff member",
            &member,
            Permission::ViewDocuments,
            ResourceFacts::of_client(tenant, acme, Visibility::Internal),
            "an internal acme draft",
        ),
        (
            "staff member",
            &member,
            Permission::ViewProjects,
            ResourceFacts::of_client(tenant, globex, Visibility::Shared),
            "a globex project",
        ),
        (
            "staff member",
            &member,
            Permission::ViewProjects,
            ResourceFacts::of_client(TenantId::new(), acme, Visibility::Shared),
            "another tenant's project",
        ),
    ];
    let mut out = String::new();
    for (who, scope, permission, facts, what) in cases {
        let rule = explain(scope, permission, &facts);
        let answer = match (rule.decision().is_allowed(), rule.conceals_existence()) {
            (true, _) => "allow",
            (false, true) => "deny (as not found)",
            (false, false) => "deny (forbidden)",
        };
        out.push_str(&format!(
            "{who:<14} {permission:<17} on {what:<26} -> {answer:<19} because {}\n",
            rule.describe()
        ));
    }
    Ok(out)
}
