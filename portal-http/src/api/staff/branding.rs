//! `/branding`, `/security/mfa-policy` and `/clients/{client_id}/branding`: the tenant's look,
//! custom domains and second-factor policy, and a client's own look.

use axum::Json;
use axum::extract::State;
use portal_core::model::{Branding, ClientInput, Tenant};
use portal_core::{ClientId, Email, HexColour};
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
    /// The main colour, `#rrggbb` or `#rgb`.
    pub primary_colour: String,
    /// The second colour.
    pub accent_colour: String,
    /// A font family name: letters, digits, spaces, commas and hyphens.
    pub font: Option<String>,
    /// Custom CSS: no `<`, escapes, `@import`, scripts or non-https `url(…)`.
    pub custom_css: Option<String>,
    /// The name emails come from.
    pub email_sender_name: Option<String>,
    /// The address emails come from.
    pub email_sender_address: Option<String>,
}

impl BrandingBody {
    /// The look the body describes, each field checked; the 422 names the first field at fault.
    pub(crate) fn parse(self) -> Result<Branding, ApiError> {
        let colour = |field: &'static str, text: &str| -> Result<HexColour, ApiError> {
            Ok(HexColour::parse(text).map_err(|error| error.in_field(field))?)
        };
        Ok(Branding {
            display_name: display_name("display_name", &self.display_name)?,
            logo_url: non_blank(self.logo_url)
                .map(|url| https_url("logo_url", &url))
                .transpose()?,
            favicon_url: non_blank(self.favicon_url)
                .map(|url| https_url("favicon_url", &url))
                .transpose()?,
            primary_colour: colour("primary_colour", &self.primary_colour)?,
            accent_colour: colour("accent_colour", &self.accent_colour)?,
            font: non_blank(self.font).map(font).transpose()?,
            custom_css: non_blank(self.custom_css).map(css).transpose()?,
            email_sender_name: non_blank(self.email_sender_name)
                .map(|name| display_name("email_sender_name", &name))
                .transpose()?,
            email_sender_address: non_blank(self.email_sender_address)
                .map(|email| {
                    Email::parse(&email)
                        .map_err(|error| ApiError::from(error.in_field("email_sender_address")))
                })
                .transpose()?,
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

/// Custom CSS, refused rather than rewritten when it could leave the stylesheet, load a
/// script or hide what it does behind escapes (the pages put it inside a `<style>` element).
fn css(text: String) -> Result<String, ApiError> {
    super::bounded("custom_css", &text, MAX_CSS_CHARS)?;
    let lower = text.to_ascii_lowercase();
    let refused = text.contains(['<', '\\', '\0'])
        || [
            "@import",
            "expression(",
            "javascript:",
            "behavior:",
            "-moz-binding",
        ]
        .iter()
        .any(|needle| lower.contains(needle))
        || lower.match_indices("url(").any(|(at, _)| {
            let rest = lower[at + 4..].trim_start_matches([' ', '"', '\'']);
            !rest.starts_with("https://")
        });
    if refused {
        Err(ApiError::invalid(
            "custom_css",
            "invalid custom_css: no markup, escapes, imports, scripts or non-https urls",
        ))
    } else {
        Ok(text)
    }
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

/// Replaces the tenant's look (`manage_branding`).
#[utoipa::path(put, path = "/branding", tag = "staff", request_body = BrandingBody,
    responses(
        (status = 200, body = TenantSettings),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff, or without `manage_branding`", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update_branding(
    StaffCaller(caller): StaffCaller,
    State(state): State<PortalState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<BrandingBody>,
) -> Result<Json<TenantSettings>, ApiError> {
    let tenant = state
        .stores()
        .tenants
        .update_branding(&caller.scope, body.parse()?, &ip.audit())
        .await?;
    Ok(Json(tenant.into()))
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
    Ok(Json(tenant.into()))
}

/// Gives a client its own look (`manage_clients`).
#[utoipa::path(put, path = "/clients/{client_id}/branding", tag = "staff", request_body = BrandingBody,
    params(("client_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, body = ClientView),
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
) -> Result<Json<ClientView>, ApiError> {
    let branding = body.parse()?;
    client_branding(&state, &caller.scope, ip, id, Some(branding)).await
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
    client_branding(&state, &caller.scope, ip, id, None).await
}

async fn client_branding(
    state: &PortalState,
    scope: &portal_core::TenantScope,
    ip: ClientIp,
    id: ClientId,
    branding: Option<Branding>,
) -> Result<Json<ClientView>, ApiError> {
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
    Ok(Json(client.into()))
}

#[cfg(test)]
mod tests {
    use super::css;

    #[test]
    fn css_that_could_escape_or_load_scripts_is_refused() {
        for hostile in [
            "</style><script>alert(1)</script>",
            "a { background: url(javascript:alert(1)) }",
            "a { background: url( 'http://evil.example/x.png') }",
            "@import 'https://evil.example/x.css';",
            "a { width: expression(alert(1)) }",
            "a { b\\75 rl(x) }",
        ] {
            assert!(css(hostile.to_owned()).is_err(), "{hostile}");
        }
        let fine = "nav > a { color: #123456; background: url(\"https://cdn.example/x.png\") }";
        assert_eq!(css(fine.to_owned()).unwrap(), fine);
    }
}
