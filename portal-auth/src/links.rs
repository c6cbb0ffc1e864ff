//! Links in mail, built from configuration — never from the request's `Host` header (SEC-21), so a
//! forged header cannot send a victim's one-time link to an attacker's site.

use portal_core::Slug;
use portal_core::model::Tenant;
use url::Url;

/// Why a portal origin was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// The origin is not an absolute URL.
    #[error("portal origin `{origin}` is not an absolute URL")]
    NotAUrl {
        /// What was given.
        origin: String,
    },
    /// The origin is not `https` (plain `http` is allowed only for `localhost` and loopback
    /// addresses, for development).
    #[error("portal origin `{origin}` must use https")]
    NotHttps {
        /// What was given.
        origin: String,
    },
    /// The origin carries a query, a fragment or credentials.
    #[error("portal origin `{origin}` must not carry a query, fragment or user info")]
    NotAnOrigin {
        /// What was given.
        origin: String,
    },
}

/// Where the portal is served: the configured origin (and path prefix) under which each tenant
/// lives at `/{slug}/`, unless the tenant has a custom domain, which then serves it at its root.
/// A portal that serves one tenant at the origin itself (`TenantRouting::Single` in
/// `portal-http`) names it with [`with_single_tenant`](Self::with_single_tenant): its links
/// then carry no slug.
///
/// ```
/// use portal_auth::PortalLinks;
/// use portal_core::Slug;
///
/// let links = PortalLinks::new("https://portal.example.com/clients")?;
/// assert_eq!(links.origin().as_str(), "https://portal.example.com/clients/");
///
/// let one = links.with_single_tenant(Slug::parse("northwind")?);
/// assert_eq!(one.single_tenant().map(Slug::as_str), Some("northwind"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLinks {
    origin: Url,
    /// The tenant served at the origin itself, without its slug; `None`: every tenant at
    /// `{origin}/{slug}/`.
    single_tenant: Option<Slug>,
}

/// The path, below a tenant's base, of the page that accepts an invitation.
pub const ACCEPT_INVITATION_PATH: &str = "auth/invitation";
/// The path, below a tenant's base, of the page that sets a new password.
pub const RESET_PASSWORD_PATH: &str = "auth/reset";
/// The path, below a tenant's base, of the page that redeems a magic link.
pub const MAGIC_LINK_PATH: &str = "auth/magic";
/// The path, below a tenant's base, of the one-click mail preference page; the token follows
/// as the last path segment.
pub const MAIL_PREFERENCES_PATH: &str = "mail/preferences";
/// The path, below a tenant's base, of a share link's page; the token follows as the last path
/// segment.
pub const SHARE_LINK_PATH: &str = "share";

impl PortalLinks {
    /// Links under `origin`: `https://host[:port][/prefix]`, or `http` for `localhost` or a
    /// loopback address.
    pub fn new(origin: &str) -> Result<Self, LinkError> {
        let mut url = Url::parse(origin).map_err(|_| LinkError::NotAUrl {
            origin: origin.to_owned(),
        })?;
        let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        match url.scheme() {
            "https" => {}
            "http" if local => {}
            _ => {
                return Err(LinkError::NotHttps {
                    origin: origin.to_owned(),
                });
            }
        }
        if url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
            || url.host_str().is_none()
        {
            return Err(LinkError::NotAnOrigin {
                origin: origin.to_owned(),
            });
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Self {
            origin: url,
            single_tenant: None,
        })
    }

    /// These links for a portal that serves one tenant, `slug`'s, at the origin itself:
    /// `{origin}/auth/magic?token=…`, with no slug. Other tenants keep `{origin}/{slug}/`
    /// (such a portal does not serve them); a custom domain still comes first.
    #[must_use]
    pub fn with_single_tenant(self, slug: Slug) -> Self {
        Self {
            single_tenant: Some(slug),
            ..self
        }
    }

    /// These links with every tenant at `{origin}/{slug}/` (the default).
    #[must_use]
    pub fn with_tenant_slugs(self) -> Self {
        Self {
            single_tenant: None,
            ..self
        }
    }

    /// The configured origin, ending in `/`.
    #[must_use]
    pub const fn origin(&self) -> &Url {
        &self.origin
    }

    /// The tenant served at the origin itself, if one is
    /// ([`with_single_tenant`](Self::with_single_tenant)).
    #[must_use]
    pub const fn single_tenant(&self) -> Option<&Slug> {
        self.single_tenant.as_ref()
    }

    /// Where `tenant`'s portal lives, ending in `/`: its first custom domain over https, else
    /// the origin itself for the single tenant, else `{origin}/{slug}/`.
    #[must_use]
    pub fn tenant_base(&self, tenant: &Tenant) -> Url {
        if let Some(domain) = tenant.domains.first()
            && let Ok(url) = Url::parse(&format!("https://{domain}/"))
        {
            return url;
        }
        if self.single_tenant.as_ref() == Some(&tenant.slug) {
            return self.origin.clone();
        }
        let mut url = self.origin.clone();
        let path = format!("{}{}/", url.path(), tenant.slug.as_str());
        url.set_path(&path);
        url
    }

    /// `{tenant base}{path}?token={token}`.
    #[must_use]
    pub fn with_token(&self, tenant: &Tenant, path: &str, token: &str) -> Url {
        let mut url = self.tenant_base(tenant);
        let full = format!("{}{path}", url.path());
        url.set_path(&full);
        url.query_pairs_mut().append_pair("token", token);
        url
    }

    /// `{tenant base}mail/preferences/{token}`: the one-click mail preference page (RFC 8058)
    /// for a token of [`MailLinkKey::token`](crate::mail_links::MailLinkKey::token). The token
    /// is a path segment, so the same address serves the page and the one-click `POST`.
    #[must_use]
    pub fn mail_preferences(&self, tenant: &Tenant, token: &str) -> Url {
        let mut url = self.tenant_base(tenant);
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            segments.extend(MAIL_PREFERENCES_PATH.split('/'));
            segments.push(token);
        }
        url
    }

    /// `{tenant base}share/{token}`: the page a share link opens, for a token of
    /// [`ShareLinks::create`](crate::ShareLinks::create). The token is a path segment, so the
    /// page's own links (its downloads) sit below it.
    #[must_use]
    pub fn share_link(&self, tenant: &Tenant, token: &str) -> Url {
        let mut url = self.tenant_base(tenant);
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            segments.push(SHARE_LINK_PATH);
            segments.push(token);
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use portal_core::model::Branding;
    use portal_core::{DisplayName, HexColour, Slug, TenantId};
    use time::OffsetDateTime;

    use super::*;

    fn tenant(domains: Vec<String>) -> Tenant {
        Tenant {
            id: TenantId::new(),
            slug: Slug::parse("northwind").unwrap(),
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
            domains,
            require_mfa_staff: false,
            require_mfa_contacts: false,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn links_use_the_configured_origin_or_the_custom_domain_sec_21() {
        let links = PortalLinks::new("https://portal.example.com/p").unwrap();
        let plain = tenant(Vec::new());
        assert_eq!(
            links
                .with_token(&plain, RESET_PASSWORD_PATH, "abc_-1")
                .as_str(),
            "https://portal.example.com/p/northwind/auth/reset?token=abc_-1"
        );
        let branded = tenant(vec!["clients.northwind.test".to_owned()]);
        assert_eq!(
            links.with_token(&branded, MAGIC_LINK_PATH, "t").as_str(),
            "https://clients.northwind.test/auth/magic?token=t"
        );
    }

    #[test]
    fn mail_preference_links_put_the_token_in_the_path() {
        let links = PortalLinks::new("https://portal.example.com/p").unwrap();
        assert_eq!(
            links
                .mail_preferences(&tenant(Vec::new()), "m1.abc.d-_")
                .as_str(),
            "https://portal.example.com/p/northwind/mail/preferences/m1.abc.d-_"
        );
        let branded = tenant(vec!["clients.northwind.test".to_owned()]);
        assert_eq!(
            links.mail_preferences(&branded, "t").as_str(),
            "https://clients.northwind.test/mail/preferences/t"
        );
    }

    #[test]
    fn share_links_put_the_token_in_the_path() {
        let links = PortalLinks::new("https://portal.example.com/p").unwrap();
        assert_eq!(
            links.share_link(&tenant(Vec::new()), "Ab-_9").as_str(),
            "https://portal.example.com/p/northwind/share/Ab-_9"
        );
        let branded = tenant(vec!["clients.northwind.test".to_owned()]);
        assert_eq!(
            links.share_link(&branded, "t").as_str(),
            "https://clients.northwind.test/share/t"
        );
        let single = links.with_single_tenant(Slug::parse("northwind").unwrap());
        assert_eq!(
            single.share_link(&tenant(Vec::new()), "t").as_str(),
            "https://portal.example.com/p/share/t"
        );
    }

    #[test]
    fn the_single_tenant_lives_at_the_origin_without_its_slug() {
        let links = PortalLinks::new("https://app.example.com/portal")
            .unwrap()
            .with_single_tenant(Slug::parse("northwind").unwrap());
        let plain = tenant(Vec::new());
        assert_eq!(
            links.tenant_base(&plain).as_str(),
            "https://app.example.com/portal/"
        );
        assert_eq!(
            links.with_token(&plain, MAGIC_LINK_PATH, "t").as_str(),
            "https://app.example.com/portal/auth/magic?token=t"
        );
        assert_eq!(
            links
                .with_token(&plain, ACCEPT_INVITATION_PATH, "t")
                .as_str(),
            "https://app.example.com/portal/auth/invitation?token=t"
        );
        assert_eq!(
            links.mail_preferences(&plain, "m1.a").as_str(),
            "https://app.example.com/portal/mail/preferences/m1.a"
        );

        let mut other = tenant(Vec::new());
        other.slug = Slug::parse("globex").unwrap();
        assert_eq!(
            links.tenant_base(&other).as_str(),
            "https://app.example.com/portal/globex/",
            "only the named tenant loses its slug"
        );
        let branded = tenant(vec!["clients.northwind.test".to_owned()]);
        assert_eq!(
            links.with_token(&branded, MAGIC_LINK_PATH, "t").as_str(),
            "https://clients.northwind.test/auth/magic?token=t",
            "a custom domain still comes first"
        );
        assert_eq!(
            links.with_tenant_slugs().tenant_base(&plain).as_str(),
            "https://app.example.com/portal/northwind/"
        );
    }

    #[test]
    fn a_single_tenant_at_the_host_root_keeps_one_slash() {
        let links = PortalLinks::new("https://portal.example.com")
            .unwrap()
            .with_single_tenant(Slug::parse("northwind").unwrap());
        assert_eq!(
            links
                .with_token(&tenant(Vec::new()), RESET_PASSWORD_PATH, "t")
                .as_str(),
            "https://portal.example.com/auth/reset?token=t"
        );
    }

    #[test]
    fn origins_must_be_https_origins() {
        assert!(matches!(
            PortalLinks::new("portal.example.com"),
            Err(LinkError::NotAUrl { .. })
        ));
        assert!(matches!(
            PortalLinks::new("http://portal.example.com"),
            Err(LinkError::NotHttps { .. })
        ));
        assert!(PortalLinks::new("http://localhost:8080").is_ok());
        assert!(PortalLinks::new("http://127.0.0.1:8080/").is_ok());
        assert!(matches!(
            PortalLinks::new("https://portal.example.com/?x=1"),
            Err(LinkError::NotAnOrigin { .. })
        ));
        assert!(matches!(
            PortalLinks::new("https://user:pw@portal.example.com/"),
            Err(LinkError::NotAnOrigin { .. })
        ));
    }
}
