use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::DomainError;
use crate::id::{ClientId, TenantId};
use crate::validate::{DisplayName, Email, HexColour, HttpsUrl, LanguageTag, Slug};

/// A tenant's (or a client's) look: name, logo, colours, custom CSS and email sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    /// The name shown in the portal and in emails.
    pub display_name: DisplayName,
    /// The logo, an https URL.
    pub logo_url: Option<HttpsUrl>,
    /// The favicon, an https URL.
    pub favicon_url: Option<HttpsUrl>,
    /// The main colour (buttons, links).
    pub primary_colour: HexColour,
    /// The second colour (highlights).
    pub accent_colour: HexColour,
    /// A font family name, if not the default.
    pub font: Option<String>,
    /// Custom CSS, already sanitised by the HTTP layer ([`sanitise_css`](crate::css::sanitise_css)).
    pub custom_css: Option<String>,
    /// The name emails come from.
    pub email_sender_name: Option<DisplayName>,
    /// The address emails come from.
    pub email_sender_address: Option<Email>,
    /// The language pages are shown in when the reader has not chosen one, before the
    /// browser's. Looks stored before it existed load without one.
    #[serde(default)]
    pub default_locale: Option<LanguageTag>,
}

impl Branding {
    /// Checks the colours against WCAG AA before a look is saved: text in the better of white and
    /// near-black ink on the primary colour and on the accent colour reaches 4.5:1 (1.4.3), and the
    /// primary colour stands out from the white page by 3:1 (1.4.11: it draws focus rings,
    /// borders and progress bars). The error names `primary_colour` or `accent_colour`.
    pub fn check_contrast(&self) -> Result<(), DomainError> {
        self.primary_colour
            .require_text_contrast("primary_colour")?;
        self.primary_colour
            .require_contrast_on_white("primary_colour")?;
        self.accent_colour.require_text_contrast("accent_colour")
    }

    /// The hosts a look's own images come from (its logo's and favicon's): the only foreign
    /// hosts its custom CSS may load from.
    #[must_use]
    pub fn asset_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = [&self.logo_url, &self.favicon_url]
            .into_iter()
            .flatten()
            .map(HttpsUrl::host)
            .filter(|host| !host.is_empty())
            .collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }
}

/// A business that runs a portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    /// The tenant's id.
    pub id: TenantId,
    /// The tenant's path prefix and default sub-domain.
    pub slug: Slug,
    /// Its look.
    pub branding: Branding,
    /// Custom domains (lower-case host names) that resolve to this tenant.
    pub domains: Vec<String>,
    /// Whether staff must use a second factor.
    pub require_mfa_staff: bool,
    /// Whether contacts must use a second factor.
    pub require_mfa_contacts: bool,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// What it takes to create a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTenant {
    /// The path prefix.
    pub slug: Slug,
    /// The look.
    pub branding: Branding,
}

/// An organisation the tenant serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    /// The client's id.
    pub id: ClientId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// Its name.
    pub name: DisplayName,
    /// The id in the system that feeds the portal (CRM, billing), for idempotent upserts.
    pub external_id: Option<String>,
    /// A per-client look overriding the tenant's, if any.
    pub branding: Option<Branding>,
    /// Whether the engagement has ended (contacts lose access).
    pub archived: bool,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When the engagement was ended by offboarding (every contact's access, session,
    /// invitation and share link at once); cleared by a restore.
    pub offboarded_at: Option<OffsetDateTime>,
    /// When its contacts' personal data was erased: final, the client cannot be restored.
    pub erased_at: Option<OffsetDateTime>,
}

/// The writable fields of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInput {
    /// Its name.
    pub name: DisplayName,
    /// The feeding system's id.
    pub external_id: Option<String>,
    /// A per-client look, if any.
    pub branding: Option<Branding>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Invalid;

    fn look(primary: &str, accent: &str) -> Branding {
        Branding {
            display_name: DisplayName::parse("Acme").unwrap(),
            logo_url: Some(HttpsUrl::parse("https://CDN.acme.example/logo.svg").unwrap()),
            favicon_url: Some(HttpsUrl::parse("https://cdn.acme.example/icon.png").unwrap()),
            primary_colour: HexColour::parse(primary).unwrap(),
            accent_colour: HexColour::parse(accent).unwrap(),
            font: None,
            custom_css: None,
            email_sender_name: None,
            email_sender_address: None,
            default_locale: None,
        }
    }

    fn refused_field(branding: &Branding) -> Option<&'static str> {
        match branding.check_contrast() {
            Ok(()) => None,
            Err(DomainError::Validation {
                field,
                reason: Invalid::LowContrast { ratio, minimum },
            }) => {
                assert!(ratio < minimum, "{ratio} < {minimum}");
                Some(field)
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn looks_are_checked_against_wcag_aa() {
        // Navy with amber: both carry text, navy stands out from white.
        assert_eq!(refused_field(&look("#1f3a5f", "#f2a541")), None);
        // A mid grey carries neither ink at 4.5:1.
        assert_eq!(
            refused_field(&look("#777777", "#f2a541")),
            Some("primary_colour")
        );
        // Pale yellow carries dark text, but vanishes against the white page.
        assert_eq!(
            refused_field(&look("#ffee88", "#f2a541")),
            Some("primary_colour")
        );
        // The accent only needs to carry text: pale is fine, mid grey is not.
        assert_eq!(refused_field(&look("#1f3a5f", "#ffee88")), None);
        assert_eq!(
            refused_field(&look("#1f3a5f", "#7a7a7a")),
            Some("accent_colour")
        );
    }

    #[test]
    fn a_look_stored_before_the_default_language_still_loads() {
        let mut json = serde_json::to_value(look("#1f3a5f", "#f2a541")).unwrap();
        json.as_object_mut().unwrap().remove("default_locale");
        let loaded: Branding = serde_json::from_value(json).unwrap();
        assert_eq!(loaded.default_locale, None);
        assert_eq!(loaded.asset_hosts(), vec!["cdn.acme.example".to_owned()]);
    }
}
