//! `/branding`, `/security/mfa-policy` and `/clients/{client_id}/branding`: the tenant's look,
//! custom domains and second-factor policy, and a client's own look.

use axum::Json;
use axum::extract::State;
use portal_core::css::{CssRemoval, sanitise_css};
use portal_core::model::{Branding, ClientInput, Tenant};
use portal_core::{ClientId, Email, HexColour, LanguageTag};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clients::{ClientView, found_client};
use super::{StaffCaller, display_name, https_url, non_blank, require_step_up};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ClientIp};
use crate::state::PortalState;

/// The most characters of custom CSS.
const MAX_CSS_CHARS: usize = 20_000;
/// The most characters of a font family name.
const MAX_FONT_CHARS: usize = 100;

/// A look: name, logo, colours, font, custom CSS and email sender.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrandingView {
    /// The name shown in the portal and in emails.
    pub display_name: String,
    /// The logo (https).
    pub logo_url: Option<String>,
    /// The favicon (https).
    pub favicon_url: Option<String>,
    /// The main colour, `#rrggbb`.
    pub primary_colour: String,
    /// The second colour, `#rrggbb`.
    pub accent_colour: String,
    /// A font family name.
    pub font: Option<String>,
    /// Custom CSS.
    pub custom_css: Option<String>,
    /// The name emails come from.
    pub email_sender_name: Option<String>,
    /// The address emails come from.
    pub email_sender_address: Option<String>,
    /// The language of the pages for readers who chose none (a BCP 47 tag), before the
    /// browser's.
    pub default_locale: Option<String>,
}

impl From<&Branding> for BrandingView {
    fn from(branding: &Branding) -> Self {
        Self {
            display_name: branding.display_name.as_str().to_owned(),
            logo_url: branding
                .logo_url
                .as_ref()
                .map(|url| url.as_str().to_owned()),
            favicon_url: branding
                .favicon_url
                .as_ref()
                .map(|url| url.as_str().to_owned()),
            primary_colour: branding.primary_colour.as_str().to_owned(),
            accent_colour: branding.accent_colour.as_str().to_owned(),
            font: branding.font.clone(),
            custom_css: branding.custom_css.clone(),
            email_sender_name: branding
                .email_sender_name
                .as_ref()
                .map(|name| name.as_str().to_owned()),
            email_sender_address: branding
                .email_sender_address
                .as_ref()
                .map(|email| email.as_str().to_owned()),
            default_locale: branding
                .default_locale
                .as_ref()
                .map(|tag| tag.as_str().to_owned()),
        }
    }
}

/// A new look (replaces the whole look).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandingBody {
    /// The name shown in the portal and in emails.
    pub display_name: String,
    /// The logo: an https URL.
    pub logo_url: Option<String>,
    /// The favicon: an https URL.
    pub favicon_url: Option<String>,
    /// The main colour, `#rrggbb` or `#rgb`. White or near-black text on it must reach 4.5:1,
    /// and it must stand out from white by 3:1 (WCAG AA).
    pub primary_colour: String,
    /// The second colour: white or near-black text on it must reach 4.5:1 (WCAG AA).
    pub accent_colour: String,
    /// A font family name: letters, digits, spaces, commas and hyphens.
    pub font: Option<String>,
    /// Custom CSS, at most 20,000 characters. Stored sanitised: imports, scripts, `<`, URLs
    /// other than https on the logo's or favicon's host or paths on the portal itself, and
    /// malformed parts are dropped, and the answer lists what was.
    pub custom_css: Option<String>,
    /// The name emails come from.
    pub email_sender_name: Option<String>,
    /// The address emails come from.
    pub email_sender_address: Option<String>,
    /// The language of the pages for readers who chose none: a BCP 47 tag such as `de` or
    /// `de-AT`.
    pub default_locale: Option<String>,
}

/// A look checked for saving, and what its custom CSS lost to the sanitiser.
#[derive(Debug)]
pub(crate) struct CheckedBranding {
    /// The look to store.
    pub(crate) branding: Branding,
    /// What was dropped from the custom CSS, in order.
    pub(crate) css_removed: Vec<CssRemoval>,
}

impl BrandingBody {
    /// The look the body describes, each field checked and its custom CSS sanitised; the 422
    /// names the first field at fault.
    #[allow(dead_code, reason = "for the branding pages, which save looks too")]
    pub(crate) fn parse(self) -> Result<Branding, ApiError> {
        Ok(self.check()?.branding)
    }

    /// [`parse`](Self::parse), also telling what the sanitiser dropped from the custom CSS.
    pub(crate) fn check(self) -> Result<CheckedBranding, ApiError> {
        let colour = |field: &'static str, text: &str| -> Result<HexColour, ApiError> {
            Ok(HexColour::parse(text).map_err(|error| error.in_field(field))?)
        };
        let name = display_name("display_name", &self.display_name)?;
        let logo_url = non_blank(self.logo_url)
            .map(|url| https_url("logo_url", &url))
            .transpose()?;
        let favicon_url = non_blank(self.favicon_url)
            .map(|url| https_url("favicon_url", &url))
            .transpose()?;
        let primary_colour = colour("primary_colour", &self.primary_colour)?;
        let accent_colour = colour("accent_colour", &self.accent_colour)?;
        let mut branding = Branding {
            display_name: name,
            logo_url,
            favicon_url,
            primary_colour,
            accent_colour,
            font: None,
            custom_css: None,
            email_sender_name: None,
            email_sender_address: None,
            default_locale: None,
        };
        branding.check_contrast()?;
        branding.font = non_blank(self.font).map(font).transpose()?;
        let css = non_blank(self.custom_css)
            .map(|css| {
                super::bounded("custom_css", &css, MAX_CSS_CHARS)?;
                Ok::<_, ApiError>(sanitise_css(&css, &branding.asset_hosts()))
            })
            .transpose()?;
        let css_removed = css
            .as_ref()
            .map(|css| css.removed.clone())
            .unwrap_or_default();
        // Kept as the sanitiser left it (trimming could leave an escape at the very end).
        branding.custom_css = css.map(|css| css.css).filter(|css| !css.trim().is_empty());
        branding.email_sender_name = non_blank(self.email_sender_name)
            .map(|name| display_name("email_sender_name", &name))
            .transpose()?;
        branding.email_sender_address = non_blank(self.email_sender_address)
            .map(|email| {
                Email::parse(&email)
                    .map_err(|error| ApiError::from(error.in_field("email_sender_address")))
            })
            .transpose()?;
        branding.default_locale = non_blank(self.default_locale)
            .map(|tag| {
                LanguageTag::parse(&tag)
                    .map_err(|error| ApiError::from(error.in_field("default_locale")))
            })
            .transpose()?;
        Ok(CheckedBranding {
            branding,
            css_removed,
        })
    }
}

/// A font family name, plain enough to drop into a stylesheet unquoted.
fn font(text: String) -> Result<String, ApiError> {
    super::bounded("font", &text, MAX_FONT_CHARS)?;
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | ',' | '-'))
    {
        Ok(text)
    } else {
        Err(ApiError::invalid(
            "font",
            "invalid font: only letters, digits, spaces, commas and hyphens",
        ))
    }
}

/// One piece of custom CSS the sanitiser dropped.
#[derive(Debug, Serialize, ToSchema)]
pub struct CssRemovalView {
    /// Why: `import`, `charset_or_namespace`, `script`, `url`, `markup` or `malformed`.
    pub reason: &'static str,
    /// The reason in words.
    pub message: String,
    /// The start of what was dropped, white space collapsed, at most 80 characters.
    pub css: String,
}

impl From<&CssRemoval> for CssRemovalView {
    fn from(removal: &CssRemoval) -> Self {
        Self {
            reason: removal.reason.code(),
            message: removal.reason.to_string(),
            css: removal.excerpt.clone(),
        }
    }
}

/// The views of what the sanitiser dropped.
fn removed_views(removed: &[CssRemoval]) -> Vec<CssRemovalView> {
    removed.iter().map(CssRemovalView::from).collect()
}

/// The tenant's settings after a new look was saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrandingSaved {
    /// The settings as stored.
    #[serde(flatten)]
    pub settings: TenantSettings,
    /// What the sanitiser dropped from the custom CSS (empty when nothing was).
    pub custom_css_removed: Vec<CssRemovalView>,
}

/// A client after its own look was saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientBrandingSaved {
    /// The client as stored.
    #[serde(flatten)]
    pub client: ClientView,
    /// What the sanitiser dropped from the custom CSS (empty when nothing was).
    pub custom_css_removed: Vec<CssRemovalView>,
}

/// The tenant's look and tenant-wide settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantSettings {
    /// The tenant's path prefix.
    pub slug: String,
    /// Its look.
    pub branding: BrandingView,
    /// Custom domains serving the portal.
    pub domains: Vec<String>,
    /// Whether staff must use a second factor.
    pub require_mfa_staff: bool,
    /// Whether contacts must use a second factor.
    pub require_mfa_contacts: bool,
}

impl From<Tenant> for TenantSettings {
    fn from(tenant: Tenant) -> Self {
        Self {
            slug: tenant.slug.into_string(),
            branding: BrandingView::from(&tenant.branding),
            domains: tenant.domains,
            require_mfa_staff: tenant.require_mfa_staff,
            require_mfa_contacts: tenant.require_mfa_contacts,
        }
    }
}

/// A custom domain.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainBody {
    /// The host name, e.g. `portal.agency.example`.
    pub host: String,
}

/// Who must use a second factor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaPolicyBody {
    /// Staff must.
    pub staff: bool,
    /// Contacts must.
    pub contacts: bool,
}

/// The tenant's look and settings.
#[utoipa::path(get, path = "/branding", tag = "staff",
    responses(
        (status = 200, body = TenantSettings),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a member of staff", body = ErrorBody),
    ))]
pub async fn get_branding(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
) -> Result<Json<TenantSettings>, ApiError> {
    let tenant = state.stores().tenants.tenant(&caller.scope).await?;
    Ok(Json(tenant.into()))
}

/// Replaces the tenant's look (`manage_branding`). Colours that fail WCAG AA are refused (422
/// naming `primary_colour` or `accent_colour`); custom CSS is stored sanitised, and the answer
/// lists what was dropped.
#[utoipa::path(put, path = "/branding", tag = "staff", request_body = BrandingBody,
    responses(
        (status = 200, body = BrandingSaved),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `manage_branding`", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_branding(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<BrandingBody>,
) -> Result<Json<BrandingSaved>, ApiError> {
    let checked = body.check()?;
    let tenant = state
        .stores()
        .tenants
        .update_branding(&caller.scope, checked.branding, &ip.audit())
        .await?;
    state.tenant_cache().forget(&tenant);
    Ok(Json(BrandingSaved {
        settings: tenant.into(),
        custom_css_removed: removed_views(&checked.css_removed),
    }))
}

/// Adds a custom domain (`manage_branding`).
#[utoipa::path(post, path = "/branding/domains", tag = "staff", request_body = DomainBody,
    responses(
        (status = 200, body = TenantSettings),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "A tenant already serves this domain", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn add_domain(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<DomainBody>,
) -> Result<Json<TenantSettings>, ApiError> {
    let tenant = state
        .stores()
        .tenants
        .add_domain(&caller.scope, &body.host, &ip.audit())
        .await?;
    state.tenant_cache().forget(&tenant);
    Ok(Json(tenant.into()))
}

/// Removes a custom domain (`manage_branding`).
#[utoipa::path(delete, path = "/branding/domains/{host}", tag = "staff",
    params(("host" = String, Path)),
    responses(
        (status = 200, body = TenantSettings),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn remove_domain(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(host): ApiPath<String>,
) -> Result<Json<TenantSettings>, ApiError> {
    let tenant = state
        .stores()
        .tenants
        .remove_domain(&caller.scope, &host, &ip.audit())
        .await?;
    state.tenant_cache().forget(&tenant);
    Ok(Json(tenant.into()))
}

/// Sets who must use a second factor (`manage_tenant`; a recent login, SEC-20).
#[utoipa::path(put, path = "/security/mfa-policy", tag = "staff", request_body = MfaPolicyBody,
    responses(
        (status = 200, body = TenantSettings),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Without `manage_tenant`, or `reauth_required`", body = ErrorBody),
    ))]
pub async fn set_mfa_policy(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<MfaPolicyBody>,
) -> Result<Json<TenantSettings>, ApiError> {
    require_step_up(&state, &caller)?;
    let tenant = state
        .stores()
        .tenants
        .set_mfa_policy(&caller.scope, body.staff, body.contacts, &ip.audit())
        .await?;
    state.tenant_cache().forget(&tenant);
    Ok(Json(tenant.into()))
}

/// Gives a client its own look (`manage_clients`): its contacts see it instead of the
/// tenant's. Checked and sanitised like the tenant's.
#[utoipa::path(put, path = "/clients/{client_id}/branding", tag = "staff", request_body = BrandingBody,
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ClientBrandingSaved),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn set_client_branding(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ClientId>,
    ApiJson(body): ApiJson<BrandingBody>,
) -> Result<Json<ClientBrandingSaved>, ApiError> {
    let checked = body.check()?;
    let client = client_branding(&state, &caller.scope, ip, id, Some(checked.branding)).await?;
    Ok(Json(ClientBrandingSaved {
        client,
        custom_css_removed: removed_views(&checked.css_removed),
    }))
}

/// Drops a client's own look: the tenant's applies again (`manage_clients`).
#[utoipa::path(delete, path = "/clients/{client_id}/branding", tag = "staff",
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ClientView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
pub async fn clear_client_branding(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiPath(id): ApiPath<ClientId>,
) -> Result<Json<ClientView>, ApiError> {
    Ok(Json(
        client_branding(&state, &caller.scope, ip, id, None).await?,
    ))
}

async fn client_branding(
    state: &PortalState,
    scope: &portal_core::TenantScope,
    ip: ClientIp,
    id: ClientId,
    branding: Option<Branding>,
) -> Result<ClientView, ApiError> {
    let current = found_client(state, scope, id).await?;
    let input = ClientInput {
        name: current.name,
        external_id: current.external_id,
        branding,
    };
    let client = state
        .stores()
        .clients
        .update_client(scope, id, input, &ip.audit())
        .await?;
    Ok(client.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(css: &str) -> BrandingBody {
        BrandingBody {
            display_name: "Acme".into(),
            logo_url: Some("https://cdn.acme.example/logo.svg".into()),
            favicon_url: None,
            primary_colour: "#1f3a5f".into(),
            accent_colour: "#f2a541".into(),
            font: None,
            custom_css: Some(css.into()),
            email_sender_name: None,
            email_sender_address: None,
            default_locale: Some(" de-at ".into()),
        }
    }

    #[test]
    fn css_is_sanitised_against_the_looks_own_hosts() {
        let checked = body(
            "@import 'https://evil.example/x.css';\n\
             nav > a { color: #123456; background: url(\"https://cdn.acme.example/x.png\") }",
        )
        .check()
        .unwrap();
        assert_eq!(
            checked.branding.custom_css.as_deref(),
            Some(
                "\nnav > a { color: #123456; background: url(\"https://cdn.acme.example/x.png\") }"
            )
        );
        assert_eq!(checked.css_removed.len(), 1);
        assert_eq!(
            checked
                .branding
                .default_locale
                .as_ref()
                .map(LanguageTag::as_str),
            Some("de-AT")
        );
        let emptied = body("</style>").check().unwrap();
        assert_eq!(emptied.branding.custom_css, None);
        assert_eq!(emptied.css_removed.len(), 1);
    }

    #[test]
    fn colours_must_reach_wcag_aa_and_the_error_names_the_field() {
        let mut pale = body("");
        pale.primary_colour = "#ffee88".into();
        let Err(ApiError::Invalid {
            fields, message, ..
        }) = pale.check()
        else {
            panic!("a pale primary colour was accepted");
        };
        assert_eq!(fields, ["primary_colour"]);
        assert!(
            message.contains("below the 3.00:1 WCAG AA asks for"),
            "{message}"
        );
        let mut grey = body("");
        grey.accent_colour = "#777777".into();
        let Err(ApiError::Invalid { fields, .. }) = grey.check() else {
            panic!("a grey accent was accepted");
        };
        assert_eq!(fields, ["accent_colour"]);
    }
}
