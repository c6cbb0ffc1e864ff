//! The tenant scope: the authority to touch one tenant's data.

use crate::id::{ClientId, TenantId, UserId};
use crate::permission::{Permission, PermissionSet, Side};

/// A user's membership as storage records it: staff of a tenant, or a contact of one client.
///
/// Storage loads memberships for an authenticated user; [`TenantScope::from_memberships`] turns them
/// into the scope every store method asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The tenant the membership belongs to.
    pub tenant: TenantId,
    /// The member.
    pub user: UserId,
    /// The permissions of the membership's role.
    pub permissions: PermissionSet,
    /// Staff or contact, with what that side needs.
    pub kind: MembershipKind,
}

/// The side-specific part of a [`Membership`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipKind {
    /// A member of the tenant's team. Without
    /// [`AccessAllClients`](Permission::AccessAllClients) they work only on `assigned_clients`.
    Staff {
        /// The clients assigned to this member of staff.
        assigned_clients: Vec<ClientId>,
    },
    /// A person at one client.
    Contact {
        /// The client.
        client: ClientId,
    },
}

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A member of the tenant's team.
    Staff(UserId),
    /// A person at a client.
    Contact(UserId),
    /// A member of staff previewing the portal as a client sees it: read-only and audited.
    ClientPreview {
        /// The member of staff behind the preview.
        staff: UserId,
        /// The client being previewed.
        client: ClientId,
    },
    /// A background job acting for the tenant, built by [`TenantScope::dangerous_system`].
    System,
}

impl Principal {
    /// The user behind the act, if a person.
    #[must_use]
    pub const fn user_id(&self) -> Option<UserId> {
        match self {
            Self::Staff(user) | Self::Contact(user) | Self::ClientPreview { staff: user, .. } => {
                Some(*user)
            }
            Self::System => None,
        }
    }
}

/// One client a contact-shaped scope may see, with the permissions it holds there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientGrant {
    /// The client.
    pub client: ClientId,
    /// What the scope may do in that client.
    pub permissions: PermissionSet,
}

/// What a scope may reach inside its tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    /// Staff: one permission set; the clients assigned (sorted) matter only without
    /// [`Permission::AccessAllClients`].
    Staff {
        permissions: PermissionSet,
        assigned: Box<[ClientId]>,
    },
    /// Contacts and previews: per-client permission sets, sorted by client, each masked to
    /// what a client side may hold.
    Client { grants: Box<[ClientGrant]> },
    /// Background jobs: everything in the tenant.
    System,
}

/// Why memberships could not form a scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// There was no membership at all.
    #[error("the user has no membership in this tenant")]
    NoMembership,
    /// The memberships belong to more than one tenant or user.
    #[error("the memberships belong to different tenants or users")]
    Mixed,
    /// A user cannot be staff and a contact of the same tenant, nor staff twice.
    #[error("a user is either one member of staff or a contact of one or more clients")]
    ConflictingSides,
    /// A preview needs a member of staff who may preview that client.
    #[error("previewing a client needs the view_as_client permission and access to that client")]
    PreviewNotAllowed,
}

/// The authority to touch one tenant's data: every store method on tenant data takes one.
///
/// It can only be built from a user's memberships (which storage loads once the user is
/// authenticated), as a read-only preview of a client, or — for background jobs — by the loudly
/// named [`dangerous_system`](Self::dangerous_system). It has no `Default`, no `Deserialize` and no
/// conversion from an id, so no request body can conjure one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope {
    tenant: TenantId,
    principal: Principal,
    pub(crate) access: Access,
}

impl TenantScope {
    /// The scope of a user with one membership.
    pub fn from_membership(membership: &Membership) -> Result<Self, ScopeError> {
        Self::from_memberships(std::slice::from_ref(membership))
    }

    /// The scope of a user from all of their memberships in one tenant: one staff membership, or
    /// one contact membership per client.
    ///
    /// A contact's permissions are masked to what a client side may hold, whatever the stored
    /// role says.
    pub fn from_memberships(memberships: &[Membership]) -> Result<Self, ScopeError> {
        let first = memberships.first().ok_or(ScopeError::NoMembership)?;
        if memberships
            .iter()
            .any(|m| m.tenant != first.tenant || m.user != first.user)
        {
            return Err(ScopeError::Mixed);
        }
        match &first.kind {
            MembershipKind::Staff { assigned_clients } => {
                if memberships.len() > 1 {
                    return Err(ScopeError::ConflictingSides);
                }
                Ok(Self {
                    tenant: first.tenant,
                    principal: Principal::Staff(first.user),
                    access: Access::Staff {
                        permissions: first
                            .permissions
                            .intersection(PermissionSet::allowed_for(Side::Staff)),
                        assigned: sorted(assigned_clients.iter().copied()),
                    },
                })
            }
            MembershipKind::Contact { .. } => {
                let mut grants = Vec::with_capacity(memberships.len());
                for membership in memberships {
                    let MembershipKind::Contact { client } = membership.kind else {
                        return Err(ScopeError::ConflictingSides);
                    };
                    grants.push(ClientGrant {
                        client,
                        permissions: membership.permissions,
                    });
                }
                Ok(Self::client_shaped(
                    first.tenant,
                    Principal::Contact(first.user),
                    grants,
                    PermissionSet::allowed_for(Side::Client),
                ))
            }
        }
    }

    /// A scope with every right in `tenant`, for background jobs (outbox dispatch, expiry sweeps).
    ///
    /// The name is loud on purpose: a request handler must never call it.
    #[must_use]
    pub const fn dangerous_system(tenant: TenantId) -> Self {
        Self {
            tenant,
            principal: Principal::System,
            access: Access::System,
        }
    }

    /// A read-only scope that sees `client` as a contact holding `client_role` would: the
    /// "view as client" preview. Needs [`Permission::ViewAsClient`] and access to the client.
    pub fn preview_as_client(
        &self,
        client: ClientId,
        client_role: PermissionSet,
    ) -> Result<Self, ScopeError> {
        let Principal::Staff(staff) = self.principal else {
            return Err(ScopeError::PreviewNotAllowed);
        };
        if !self
            .permissions_in(Some(client))
            .contains(Permission::ViewAsClient)
        {
            return Err(ScopeError::PreviewNotAllowed);
        }
        Ok(Self::client_shaped(
            self.tenant,
            Principal::ClientPreview { staff, client },
            vec![ClientGrant {
                client,
                permissions: client_role,
            }],
            PermissionSet::allowed_for(Side::Client).intersection(PermissionSet::READ_ONLY),
        ))
    }

    /// The same scope with its permissions narrowed to `allowed` (everywhere it reaches): what an
    /// API key acting for its creator may do. Nothing can be widened: without
    /// [`Permission::AccessAllClients`] in `allowed`, staff reach only their assigned clients. A
    /// system scope is not narrowed — it has no permission set to narrow, and API keys never
    /// build one.
    #[must_use]
    pub fn restricted_to(&self, allowed: PermissionSet) -> Self {
        let access = match &self.access {
            Access::Staff {
                permissions,
                assigned,
            } => Access::Staff {
                permissions: permissions.intersection(allowed),
                assigned: assigned.clone(),
            },
            Access::Client { grants } => Access::Client {
                grants: grants
                    .iter()
                    .map(|grant| ClientGrant {
                        client: grant.client,
                        permissions: grant.permissions.intersection(allowed),
                    })
                    .collect(),
            },
            Access::System => Access::System,
        };
        Self {
            tenant: self.tenant,
            principal: self.principal,
            access,
        }
    }

    fn client_shaped(
        tenant: TenantId,
        principal: Principal,
        mut grants: Vec<ClientGrant>,
        mask: PermissionSet,
    ) -> Self {
        for grant in &mut grants {
            grant.permissions = grant.permissions.intersection(mask);
        }
        grants.sort_by_key(|grant| grant.client);
        grants.dedup_by(|later, earlier| {
            let same = later.client == earlier.client;
            if same {
                earlier.permissions = earlier.permissions.union(later.permissions);
            }
            same
        });
        Self {
            tenant,
            principal,
            access: Access::Client {
                grants: grants.into_boxed_slice(),
            },
        }
    }

    /// The tenant this scope may touch. Backends bind it in every query.
    #[must_use]
    pub const fn tenant_id(&self) -> TenantId {
        self.tenant
    }

    /// Who is acting.
    #[must_use]
    pub const fn principal(&self) -> Principal {
        self.principal
    }

    /// Whether the scope sees the tenant as its team does (staff or system), rather than as a client.
    #[must_use]
    pub const fn is_staff_side(&self) -> bool {
        matches!(self.access, Access::Staff { .. } | Access::System)
    }

    /// Whether the scope may change nothing at all (a client preview).
    #[must_use]
    pub const fn is_read_only(&self) -> bool {
        matches!(self.principal, Principal::ClientPreview { .. })
    }

    /// What the scope may do on an object of `client` (or on a tenant-level object, for `None`).
    /// Empty where the client is out of reach.
    #[inline]
    #[must_use]
    pub fn permissions_in(&self, client: Option<ClientId>) -> PermissionSet {
        match (&self.access, client) {
            (Access::System, _) => PermissionSet::ALL,
            (Access::Staff { permissions, .. }, None) => *permissions,
            (
                Access::Staff {
                    permissions,
                    assigned,
                },
                Some(client),
            ) => {
                if staff_reaches(*permissions, assigned, client) {
                    *permissions
                } else {
                    PermissionSet::EMPTY
                }
            }
            (Access::Client { .. }, None) => PermissionSet::EMPTY,
            (Access::Client { grants }, Some(client)) => {
                grant_for(grants, client).map_or(PermissionSet::EMPTY, |grant| grant.permissions)
            }
        }
    }

    /// Whether the scope may see `client` at all.
    #[must_use]
    pub fn can_reach_client(&self, client: ClientId) -> bool {
        match &self.access {
            Access::System => true,
            Access::Staff {
                permissions,
                assigned,
            } => staff_reaches(*permissions, assigned, client),
            Access::Client { grants } => grant_for(grants, client).is_some(),
        }
    }

    /// Every client the scope reaches, as a list filter: the same answer as
    /// [`can_reach_client`](Self::can_reach_client) for each client.
    #[must_use]
    pub fn reachable_clients(&self) -> ClientFilter {
        match &self.access {
            Access::System => ClientFilter::All,
            Access::Staff {
                permissions,
                assigned,
            } => {
                if permissions.contains(Permission::AccessAllClients) {
                    ClientFilter::All
                } else {
                    ClientFilter::Only(assigned.to_vec())
                }
            }
            Access::Client { grants } => {
                ClientFilter::Only(grants.iter().map(|grant| grant.client).collect())
            }
        }
    }

    /// Whether internal objects, drafts and internal messages are visible to the scope.
    #[must_use]
    pub fn sees_internal(&self) -> bool {
        match &self.access {
            Access::System => true,
            Access::Staff { permissions, .. } => permissions.contains(Permission::ViewInternal),
            Access::Client { .. } => false,
        }
    }

    /// Which clients' objects a list made with `permission` may return: the filter storage puts
    /// into its queries.
    #[must_use]
    pub fn clients_with(&self, permission: Permission) -> ClientFilter {
        match &self.access {
            Access::System => ClientFilter::All,
            Access::Staff {
                permissions,
                assigned,
            } => {
                if !permissions.contains(permission) {
                    ClientFilter::Only(Vec::new())
                } else if permissions.contains(Permission::AccessAllClients) {
                    ClientFilter::All
                } else {
                    ClientFilter::Only(assigned.to_vec())
                }
            }
            Access::Client { grants } => ClientFilter::Only(
                grants
                    .iter()
                    .filter(|grant| grant.permissions.contains(permission))
                    .map(|grant| grant.client)
                    .collect(),
            ),
        }
    }

    /// Checks that the scope may `permission` on an object described by `facts`, as an error
    /// for `?`-style use. See [`authorize`](crate::authorize).
    pub fn require(
        &self,
        permission: Permission,
        facts: &crate::ResourceFacts,
    ) -> Result<(), crate::Denied> {
        crate::authorize::require(self, permission, facts)
    }
}

/// Which clients a list may return rows of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFilter {
    /// Every client of the tenant.
    All,
    /// Only these clients (none, if empty).
    Only(Vec<ClientId>),
}

impl ClientFilter {
    /// Whether the filter lets `client` through.
    #[must_use]
    pub fn admits(&self, client: ClientId) -> bool {
        match self {
            Self::All => true,
            Self::Only(clients) => clients.contains(&client),
        }
    }
}

/// Whether a member of staff with `permissions` and `assigned` clients reaches `client`.
#[inline]
pub(crate) fn staff_reaches(
    permissions: PermissionSet,
    assigned: &[ClientId],
    client: ClientId,
) -> bool {
    permissions.contains(Permission::AccessAllClients) || assigned.binary_search(&client).is_ok()
}

/// The grant for `client` in a sorted list of grants.
#[inline]
pub(crate) fn grant_for(grants: &[ClientGrant], client: ClientId) -> Option<&ClientGrant> {
    grants
        .binary_search_by_key(&client, |grant| grant.client)
        .ok()
        .and_then(|index| grants.get(index))
}

fn sorted(clients: impl Iterator<Item = ClientId>) -> Box<[ClientId]> {
    let mut clients: Vec<ClientId> = clients.collect();
    clients.sort_unstable();
    clients.dedup();
    clients.into_boxed_slice()
}
