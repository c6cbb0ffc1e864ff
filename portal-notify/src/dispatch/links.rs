//! Where a mail's links point. The host decides (its origin, its domains, how preference links
//! are signed); [`object_path`] knows where the portal's pages show each object.

use portal_auth::{MailLinkKey, PortalLinks};
use portal_core::UserId;
use portal_core::model::{EventType, Notification, Tenant};
use url::Url;

/// The links a notification mail carries.
pub trait NotifyLinks: Send + Sync + 'static {
    /// The page that shows `path` (from [`object_path`]) of `tenant`'s portal.
    fn page(&self, tenant: &Tenant, path: &str) -> Url;

    /// The page where `user` manages their mail: one event type's choice when `event_type` is
    /// set. It opens without signing in, so it must carry a token only this host can make.
    fn preferences(&self, tenant: &Tenant, user: UserId, event_type: Option<EventType>) -> Url;
}

/// The links of the portal's own pages: under the configured origin (or the tenant's domain),
/// preference links signed with the [`MailLinkKey`] that `portal-http` checks.
#[derive(Clone)]
pub struct PortalNotifyLinks {
    links: PortalLinks,
    key: MailLinkKey,
}

impl PortalNotifyLinks {
    /// Links under `links`, preference tokens signed with `key` (the same key the router has).
    #[must_use]
    pub const fn new(links: PortalLinks, key: MailLinkKey) -> Self {
        Self { links, key }
    }
}

impl NotifyLinks for PortalNotifyLinks {
    fn page(&self, tenant: &Tenant, path: &str) -> Url {
        let base = self.links.tenant_base(tenant);
        base.join(path).unwrap_or(base)
    }

    fn preferences(&self, tenant: &Tenant, user: UserId, event_type: Option<EventType>) -> Url {
        let token = self.key.token(tenant.id, user, event_type);
        self.links.mail_preferences(tenant, &token)
    }
}

/// The path, under a tenant's portal, of the page about a notification's object.
#[must_use]
pub fn object_path(notification: &Notification, staff: bool) -> String {
    let id = notification.object.id;
    let project = notification.project.map(|project| project.to_string());
    match (notification.object.kind.as_str(), staff) {
        ("approval", false) => format!("approvals/{id}"),
        ("approval", true) => "staff/approvals".to_owned(),
        ("document", _) => format!("documents/{id}"),
        ("request", false) => format!("requests/{id}"),
        ("request", true) => format!("staff/requests/{id}"),
        ("invoice", _) => format!("invoices/{id}"),
        ("milestone" | "update", false) => project.map_or_else(
            || "projects".to_owned(),
            |project| format!("projects/{project}"),
        ),
        ("milestone" | "update", true) => project.map_or_else(
            || "staff/projects".to_owned(),
            |project| format!("staff/projects/{project}"),
        ),
        ("message", _) => "messages".to_owned(),
        ("user", _) => "account".to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use portal_core::model::{Branding, EventType, MailState, ObjectRef};
    use portal_core::{
        DisplayName, HexColour, NotificationId, OutboxEventId, ProjectId, Slug, TenantId,
    };
    use time::OffsetDateTime;
    use uuid::Uuid;

    use super::*;

    fn tenant(slug: &str) -> Tenant {
        Tenant {
            id: TenantId::new(),
            slug: Slug::parse(slug).unwrap(),
            branding: Branding {
                display_name: DisplayName::parse("Northwind").unwrap(),
                logo_url: None,
                favicon_url: None,
                primary_colour: HexColour::parse("#123456").unwrap(),
                accent_colour: HexColour::parse("#ffcc00").unwrap(),
                font: None,
                custom_css: None,
                email_sender_name: None,
                email_sender_address: None,
                default_locale: None,
            },
            domains: Vec::new(),
            require_mfa_staff: false,
            require_mfa_contacts: false,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn links_follow_the_tenant_paths_or_the_single_tenant() {
        let key = MailLinkKey::from_bytes([7; 32]);
        let origin = PortalLinks::new("https://app.example.com/portal").unwrap();
        let northwind = tenant("northwind");
        let user = UserId::new();

        let by_slug = PortalNotifyLinks::new(origin.clone(), key.clone());
        assert_eq!(
            by_slug.page(&northwind, "approvals/1").as_str(),
            "https://app.example.com/portal/northwind/approvals/1"
        );

        let single = origin.with_single_tenant(northwind.slug.clone());
        let links = PortalNotifyLinks::new(single, key.clone());
        assert_eq!(
            links.page(&northwind, "approvals/1").as_str(),
            "https://app.example.com/portal/approvals/1"
        );
        let preferences = links.preferences(&northwind, user, Some(EventType::MessagePosted));
        let token = key.token(northwind.id, user, Some(EventType::MessagePosted));
        assert_eq!(
            preferences.as_str(),
            format!("https://app.example.com/portal/mail/preferences/{token}")
        );
    }

    fn about(kind: &str, project: Option<ProjectId>) -> Notification {
        Notification {
            id: NotificationId::new(),
            tenant: TenantId::new(),
            user: UserId::new(),
            event: OutboxEventId::new(),
            event_type: EventType::MessagePosted,
            object: ObjectRef {
                kind: kind.into(),
                id: Uuid::nil(),
            },
            client: None,
            project,
            title: String::new(),
            mail: MailState::None,
            mail_attempts: 0,
            occurred_at: OffsetDateTime::UNIX_EPOCH,
            read_at: None,
        }
    }

    #[test]
    fn each_side_lands_on_its_own_page() {
        let nil = Uuid::nil();
        assert_eq!(
            object_path(&about("approval", None), false),
            format!("approvals/{nil}")
        );
        assert_eq!(
            object_path(&about("approval", None), true),
            "staff/approvals"
        );
        assert_eq!(
            object_path(&about("request", None), true),
            format!("staff/requests/{nil}")
        );
        let project = ProjectId::new();
        assert_eq!(
            object_path(&about("milestone", Some(project)), false),
            format!("projects/{project}")
        );
        assert_eq!(
            object_path(&about("update", Some(project)), true),
            format!("staff/projects/{project}")
        );
        assert_eq!(object_path(&about("user", None), false), "account");
    }
}
