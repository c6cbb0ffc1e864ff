//! `admin`: the settings hub, one card per section the viewer may use. A viewer who may use
//! none gets the branded 404, like the navigation that never links here for them.

use axum::response::Response;
use portal_core::Permission;
use serde::Serialize;

use super::super::page::PageError;
use super::super::signed::SignedPage;
use super::may_use;

/// One section of the settings.
struct Section {
    path: &'static str,
    title: &'static str,
    text: &'static str,
    permission: Permission,
}

/// The sections, in the order the hub shows them.
const SECTIONS: &[Section] = &[
    Section {
        path: "/admin/roles",
        title: "admin-roles-title",
        text: "admin-hub-roles",
        permission: Permission::ManageRoles,
    },
    Section {
        path: "/admin/branding",
        title: "admin-branding-title",
        text: "admin-hub-branding",
        permission: Permission::ManageBranding,
    },
    Section {
        path: "/admin/branding/clients",
        title: "admin-clients-title",
        text: "admin-hub-clients",
        permission: Permission::ManageClients,
    },
    Section {
        path: "/admin/preview",
        title: "admin-preview-title",
        text: "admin-hub-preview",
        permission: Permission::ViewAsClient,
    },
    Section {
        path: "/admin/audit",
        title: "admin-audit-title",
        text: "admin-hub-audit",
        permission: Permission::ViewAuditLog,
    },
    Section {
        path: "/admin/share-links",
        title: "admin-share-links-title",
        text: "admin-hub-share-links",
        permission: Permission::CreateShareLinks,
    },
    Section {
        path: "/admin/api-keys",
        title: "admin-api-keys-title",
        text: "admin-hub-api-keys",
        permission: Permission::ManageApiKeys,
    },
    Section {
        path: "/admin/webhooks",
        title: "admin-webhooks-title",
        text: "admin-hub-webhooks",
        permission: Permission::ManageIntegrations,
    },
];

#[derive(Debug, Serialize)]
struct HubView {
    sections: Vec<SectionView>,
}

#[derive(Debug, Serialize)]
struct SectionView {
    href: String,
    title_message: &'static str,
    text_message: &'static str,
}

/// `GET admin`.
pub(crate) async fn show(page: SignedPage) -> Response {
    let sections: Vec<SectionView> = SECTIONS
        .iter()
        .filter(|section| may_use(&page.scope, section.permission))
        .map(|section| SectionView {
            href: format!("{}{}", page.page.base, section.path),
            title_message: section.title,
            text_message: section.text,
        })
        .collect();
    if sections.is_empty() {
        return page.fail(PageError::NotFound);
    }
    page.render("admin/hub.html", HubView { sections })
}

#[cfg(test)]
mod tests {
    use super::super::super::catalogue::Catalogue;
    use super::super::super::locale::Locale;
    use super::*;

    #[test]
    fn every_section_has_its_text_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        for locale in Locale::ALL {
            for section in SECTIONS {
                catalogue.text(locale, section.title, None).unwrap();
                catalogue.text(locale, section.text, None).unwrap();
            }
        }
    }
}
