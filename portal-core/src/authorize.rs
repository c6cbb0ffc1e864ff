//! The one authorisation decision: pure, deny by default, explainable.

use serde::Serialize;

use crate::id::{ClientId, TenantId};
use crate::permission::{Effect, Permission};
use crate::scope::{Access, TenantScope, grant_for, staff_reaches};
use crate::visibility::{Sensitivity, Visibility};

/// The facts about an object that authorisation needs. Storage loads them; core decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceFacts {
    /// The tenant that owns the object.
    pub tenant: TenantId,
    /// The client the object belongs to; `None` for tenant-level objects (roles, branding, the
    /// audit log, staff).
    pub client: Option<ClientId>,
    /// Whether the object is published to the client.
    pub visibility: Visibility,
    /// Whether the data asked for is money.
    pub sensitivity: Sensitivity,
}

impl ResourceFacts {
    /// An object of one client.
    #[must_use]
    pub const fn of_client(tenant: TenantId, client: ClientId, visibility: Visibility) -> Self {
        Self {
            tenant,
            client: Some(client),
            visibility,
            sensitivity: Sensitivity::Ordinary,
        }
    }

    /// A tenant-level object, which only staff work with.
    #[must_use]
    pub const fn of_tenant(tenant: TenantId) -> Self {
        Self {
            tenant,
            client: None,
            visibility: Visibility::Internal,
            sensitivity: Sensitivity::Ordinary,
        }
    }

    /// The same object, asking for its money fields.
    #[must_use]
    pub const fn finance(self) -> Self {
        Self {
            sensitivity: Sensitivity::Finance,
            ..self
        }
    }
}

/// The outcome of an authorisation check. Exhaustive on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The act is allowed.
    Allow,
    /// The act is denied.
    Deny,
}

impl Decision {
    /// Whether the act is allowed.
    #[must_use]
    pub const fn is_allowed(self) -> bool {
        matches!(self, Self::Allow)
    }
}

/// The rule that decided, for a "why can this user see this?" view and for audit events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// Allowed: a background job's scope may do everything in its tenant.
    SystemScope,
    /// Allowed: the role grants the permission for this object.
    Granted {
        /// The permission granted.
        permission: Permission,
    },
    /// Denied: the object belongs to another tenant.
    OtherTenant,
    /// Denied: the object belongs to a client the contact is not a member of.
    OtherClient,
    /// Denied: the object belongs to a client not assigned to this member of staff.
    ClientNotAssigned,
    /// Denied: contacts do not work with tenant-level objects.
    TenantLevelObject,
    /// Denied: the object is internal (a draft or staff-only) and the scope does not see internal
    /// objects.
    Internal,
    /// Denied: the role does not grant the permission.
    MissingPermission {
        /// The permission asked for.
        permission: Permission,
    },
    /// Denied: the data is money and the role lacks `view_financials`.
    FinanceWithoutPermission,
    /// Denied: a client preview is read-only.
    ReadOnlyPreview,
}

impl Rule {
    /// The decision the rule makes.
    #[must_use]
    pub const fn decision(self) -> Decision {
        match self {
            Self::SystemScope | Self::Granted { .. } => Decision::Allow,
            Self::OtherTenant
            | Self::OtherClient
            | Self::ClientNotAssigned
            | Self::TenantLevelObject
            | Self::Internal
            | Self::MissingPermission { .. }
            | Self::FinanceWithoutPermission
            | Self::ReadOnlyPreview => Decision::Deny,
        }
    }

    /// Whether a denial must look exactly like a missing object (HTTP 404), because the asker may
    /// not even know the object exists. Other denials are plain refusals (HTTP 403).
    #[must_use]
    pub const fn conceals_existence(self) -> bool {
        matches!(
            self,
            Self::OtherTenant | Self::OtherClient | Self::ClientNotAssigned | Self::Internal
        )
    }

    /// The rule in one sentence, for people.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::SystemScope => "a background job may do everything in its tenant",
            Self::Granted { .. } => "the role grants this permission for this object",
            Self::OtherTenant => "the object belongs to another tenant",
            Self::OtherClient => "the object belongs to a client the contact is not a member of",
            Self::ClientNotAssigned => {
                "the object's client is not assigned to this member of staff"
            }
            Self::TenantLevelObject => "contacts do not work with tenant-level objects",
            Self::Internal => "the object is internal and this user does not see internal objects",
            Self::MissingPermission { .. } => "the role does not grant this permission",
            Self::FinanceWithoutPermission => "finance fields need the view_financials permission",
            Self::ReadOnlyPreview => "a client preview is read-only",
        }
    }
}

/// A denied check, as an error: the rule that denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("denied: {}", .rule.describe())]
pub struct Denied {
    /// The rule that denied.
    pub rule: Rule,
}

impl Denied {
    /// Whether the denial must look exactly like a missing object.
    #[must_use]
    pub const fn conceals_existence(&self) -> bool {
        self.rule.conceals_existence()
    }
}

/// May `scope` do `permission` on the object described by `facts`? Pure and deny by default.
#[inline]
#[must_use]
pub fn authorize(scope: &TenantScope, permission: Permission, facts: &ResourceFacts) -> Decision {
    explain(scope, permission, facts).decision()
}

/// The same decision as [`authorize`], with the rule that made it.
///
/// Rules are checked in this order: tenant, client, visibility, read-only preview, permission,
/// finance fields. The first that denies decides; if none does, the role's grant allows.
#[must_use]
pub fn explain(scope: &TenantScope, permission: Permission, facts: &ResourceFacts) -> Rule {
    if scope.tenant_id() != facts.tenant {
        return Rule::OtherTenant;
    }
    let (permissions, sees_internal) = match (&scope.access, facts.client) {
        (Access::System, _) => return Rule::SystemScope,
        (Access::Client { .. }, None) => return Rule::TenantLevelObject,
        (Access::Client { grants }, Some(client)) => match grant_for(grants, client) {
            Some(grant) => (grant.permissions, false),
            None => return Rule::OtherClient,
        },
        (
            Access::Staff {
                permissions,
                assigned,
            },
            client,
        ) => {
            if client.is_some_and(|client| !staff_reaches(*permissions, assigned, client)) {
                return Rule::ClientNotAssigned;
            }
            (*permissions, permissions.contains(Permission::ViewInternal))
        }
    };
    if !facts.visibility.is_shared() && !sees_internal {
        return Rule::Internal;
    }
    if scope.is_read_only() && !matches!(permission.effect(), Effect::Read) {
        return Rule::ReadOnlyPreview;
    }
    if !permissions.contains(permission) {
        return Rule::MissingPermission { permission };
    }
    if matches!(facts.sensitivity, Sensitivity::Finance)
        && !permissions.contains(Permission::ViewFinancials)
    {
        return Rule::FinanceWithoutPermission;
    }
    Rule::Granted { permission }
}

pub(crate) fn require(
    scope: &TenantScope,
    permission: Permission,
    facts: &ResourceFacts,
) -> Result<(), Denied> {
    let rule = explain(scope, permission, facts);
    match rule.decision() {
        Decision::Allow => Ok(()),
        Decision::Deny => Err(Denied { rule }),
    }
}
