//! The seeded world of the page tests and what they read of it through the stores.

use portal_core::model::{AuditContext, AuditEvent};
use portal_core::{
    BuiltinRole, ClientId, DisplayName, Email, Permission, PermissionSet, Side, TenantId,
    TenantScope, UserId,
};
use portal_http::HttpConfig;
use portal_storage::{AuditFilter, Page};

use super::{Jar, get, sign_in};
use crate::support::Portal;
use crate::support::client_work::{self, World};

/// A portal with the client-work world seeded.
pub async fn seeded() -> (Portal, World) {
    let portal = Portal::new().await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

/// A portal with `config` and the client-work world seeded.
pub async fn seeded_with(config: HttpConfig) -> (Portal, World) {
    let portal = Portal::with_config(config).await;
    let world = client_work::seed(&portal).await;
    (portal, world)
}

/// The branded 404 of acme, as an unknown path gets it.
pub async fn missing(portal: &Portal) -> String {
    let reply = get(portal, "/acme/nothing-here", &Jar::default(), None).await;
    assert_eq!(reply.status, 404);
    reply.text
}

/// The tenant's audit events with `action`.
pub async fn audited(portal: &Portal, tenant: TenantId, action: &str) -> Vec<AuditEvent> {
    portal
        .stores
        .audit
        .list_events(
            &TenantScope::dangerous_system(tenant),
            AuditFilter {
                action: Some(action.to_owned()),
                ..AuditFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap()
        .items
}

/// A contact of acme's `client` whose role holds only `permissions`, signed in.
pub async fn custom_contact(
    portal: &Portal,
    client: ClientId,
    email: &str,
    permissions: &[Permission],
) -> Jar {
    let user = client_work::person(
        &portal.stores,
        portal.acme,
        email,
        BuiltinRole::Viewer,
        Some(client),
    )
    .await;
    client_work::give_custom_role(
        &portal.stores,
        portal.acme,
        user,
        Side::Client,
        PermissionSet::from_slice(permissions),
    )
    .await;
    sign_in(portal, "acme", email).await
}
