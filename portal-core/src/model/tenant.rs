use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::{ClientId, TenantId};
use crate::validate::{DisplayName, Email, HexColour, HttpsUrl, Slug};

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
    /// Custom CSS, already sanitised by the HTTP layer.
    pub custom_css: Option<String>,
    /// The name emails come from.
    pub email_sender_name: Option<DisplayName>,
    /// The address emails come from.
    pub email_sender_address: Option<Email>,
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
