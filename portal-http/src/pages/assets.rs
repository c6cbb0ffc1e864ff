//! The files the pages link, all under the tenant's base: the portal's stylesheet
//! (`assets/portal-<hash>.css`, compiled in from `assets/css/`), its scripts
//! (`assets/<name>-<hash>.js`, from `assets/js/`, progressive enhancement only), the tenant's
//! theme (`assets/theme-<hash>.css`: the branding's colours and font as CSS custom properties,
//! then its custom CSS) and a client's own theme (`assets/client-theme-<client>-<hash>.css`,
//! answered only to a session that reaches the client — anyone else gets the 404 of a path
//! that does not exist, SEC-26). Each URL carries a hash of its content, so the file may be
//! cached for a year (a client's theme only by the browser: `private`); pages link the current
//! hash, and a stale one is still answered, but not cached.
//!
//! The theme is a file rather than an inline `<style>` so the pages' CSP can forbid inline
//! styles and scripts altogether.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portal_core::css::sanitise_css;
use portal_core::model::Branding;
use portal_core::validate::{DARK_INK, TEXT_CONTRAST_AA};
use portal_core::{ClientId, HexColour};
use sha2::{Digest as _, Sha256};

use super::page::{Look, PageError, PageRequest};
use super::session;
use crate::state::PortalState;

/// The portal's stylesheet: the shared rules, then each family of pages' own.
pub(crate) const STYLESHEET: &str = concat!(
    include_str!("../../assets/css/portal.css"),
    include_str!("../../assets/css/projects.css"),
    include_str!("../../assets/css/approvals.css"),
    include_str!("../../assets/css/documents.css"),
    include_str!("../../assets/css/requests.css"),
    include_str!("../../assets/css/messages.css"),
    include_str!("../../assets/css/invoices.css"),
    include_str!("../../assets/css/account.css"),
    include_str!("../../assets/css/staff.css"),
    include_str!("../../assets/css/admin.css"),
    include_str!("../../assets/css/analytics.css"),
);

/// A script of the pages: progressive enhancement, never needed for a page to work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// `portal.js`, on every page: upload progress, drag and drop.
    Portal,
    /// `branding.js`, on the branding editor: the live preview.
    Branding,
    /// `passkey.js`, on the sign-in form and the passkeys page: the WebAuthn ceremonies.
    Passkey,
}

impl Script {
    /// Every script.
    pub(crate) const ALL: [Self; 3] = [Self::Portal, Self::Branding, Self::Passkey];

    /// The name its URL starts with.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Branding => "branding",
            Self::Passkey => "passkey",
        }
    }

    /// Its source.
    pub(crate) const fn source(self) -> &'static str {
        match self {
            Self::Portal => include_str!("../../assets/js/portal.js"),
            Self::Branding => include_str!("../../assets/js/branding.js"),
            Self::Passkey => include_str!("../../assets/js/passkey.js"),
        }
    }
}

/// The fonts after the tenant's, and the whole stack when it names none.
const SYSTEM_FONTS: &str = "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", \
                            Arial, sans-serif";

/// How long a hashed asset may be cached: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// How long a client's theme may be cached: as long, but only by the browser that may see it.
const PRIVATE_IMMUTABLE: &str = "private, max-age=31536000, immutable";

/// What a client's theme file name starts with.
const CLIENT_THEME_PREFIX: &str = "client-theme-";

/// What `assets/<file>` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asset<'a> {
    /// `portal-<hash>.css`.
    Stylesheet(&'a str),
    /// `theme-<hash>.css`.
    Theme(&'a str),
    /// `<script>-<hash>.js`.
    Script(Script, &'a str),
}

impl<'a> Asset<'a> {
    /// The asset a file name names, with the hash it asks for.
    pub(crate) fn parse(file: &'a str) -> Option<Self> {
        if let Some(stem) = file.strip_suffix(".js") {
            let (name, hash) = stem.split_once('-')?;
            let script = Script::ALL
                .into_iter()
                .find(|script| script.name() == name)?;
            return Some(Self::Script(script, hash));
        }
        let stem = file.strip_suffix(".css")?;
        if let Some(hash) = stem.strip_prefix("portal-") {
            return Some(Self::Stylesheet(hash));
        }
        stem.strip_prefix("theme-").map(Self::Theme)
    }
}

/// A client's own theme, `client-theme-<client>-<hash>.css` (the client's id as 32 hex
/// digits): the client and the hash it asks for.
pub(crate) fn parse_client_theme(file: &str) -> Option<(ClientId, &str)> {
    let rest = file
        .strip_prefix(CLIENT_THEME_PREFIX)?
        .strip_suffix(".css")?;
    let (id, hash) = rest.split_once('-')?;
    if id.len() != 32 || !id.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    let id = ClientId::parse(id).ok()?;
    Some((id, hash))
}

/// The URL of `look`'s theme under `base`.
pub(crate) fn theme_url(base: &str, look: &Look) -> String {
    let version = version(&theme(&look.branding));
    match look.client {
        None => format!("{base}/assets/theme-{version}.css"),
        Some(client) => format!(
            "{base}/assets/{CLIENT_THEME_PREFIX}{}-{version}.css",
            client.as_uuid().simple()
        ),
    }
}

/// The answer to `assets/<file>`: a stylesheet, a script, the tenant's theme, or a client's
/// theme for a session that reaches the client; the branded 404 for anything else.
pub(crate) async fn serve(
    state: &PortalState,
    page: &PageRequest,
    headers: &HeaderMap,
    file: &str,
) -> Response {
    if let Some((client, hash)) = parse_client_theme(file) {
        return match client_theme(state, page, headers, client).await {
            Ok(Some(theme)) => {
                let current = version(&theme);
                private_css_response(theme, &current, hash)
            }
            Ok(None) => page.error(PageError::NotFound),
            Err(error) => page.error(error),
        };
    }
    match Asset::parse(file) {
        Some(Asset::Stylesheet(hash)) => {
            css_response(STYLESHEET, &page.pages.stylesheet_version, hash)
        }
        Some(Asset::Script(script, hash)) => {
            script_response(script, page.pages.script_version(script), hash)
        }
        Some(Asset::Theme(hash)) => {
            let theme = theme(&page.tenant.branding);
            let current = version(&theme);
            css_response(theme, &current, hash)
        }
        None => page.error(PageError::NotFound),
    }
}

/// The theme of `client`'s own look, if the request's session reaches the client and the client
/// has one; `None` — a 404 like any unknown path — otherwise.
async fn client_theme(
    state: &PortalState,
    page: &PageRequest,
    headers: &HeaderMap,
    client: ClientId,
) -> Result<Option<String>, PageError> {
    let Some(signed_in) = session::signed_in(state, &page.pages, &page.tenant, headers).await?
    else {
        return Ok(None);
    };
    let scope = &signed_in.authenticated.scope;
    if !scope.can_reach_client(client) {
        return Ok(None);
    }
    let found = state
        .stores()
        .clients
        .client(scope, client)
        .await
        .map_err(|error| PageError::from(crate::error::ApiError::from(error)))?;
    Ok(found
        .and_then(|client| client.branding)
        .map(|branding| theme(&branding)))
}

/// The first 16 hex digits of the SHA-256 of `content`: the version in an asset's URL.
pub(crate) fn version(content: &str) -> String {
    Sha256::digest(content.as_bytes())
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A stylesheet answer: cached for a year when the URL names `current`, the [`version`] of
/// `content`, else not cached (a page from before a change asked for it).
pub(crate) fn css_response(content: impl IntoResponse, current: &str, requested: &str) -> Response {
    asset_response(content, "text/css; charset=utf-8", current, requested)
}

/// A client's theme: like [`css_response`], but only the browser may keep it.
fn private_css_response(content: String, current: &str, requested: &str) -> Response {
    let mut response = css_response(content, current, requested);
    if requested == current {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(PRIVATE_IMMUTABLE),
        );
    }
    response
}

/// A script answer, cached like a stylesheet.
pub(crate) fn script_response(script: Script, current: &str, requested: &str) -> Response {
    asset_response(
        script.source(),
        "text/javascript; charset=utf-8",
        current,
        requested,
    )
}

fn asset_response(
    content: impl IntoResponse,
    content_type: &'static str,
    current: &str,
    requested: &str,
) -> Response {
    let cache = if requested == current {
        IMMUTABLE
    } else {
        "no-cache"
    };
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// A look's theme: its colours, the text colours that read on them, its font, then its custom
/// CSS — sanitised again here, against the look's own hosts, so CSS that reached the store by
/// another road than the API (a seed, an old row) is held to the same rules.
pub(crate) fn theme(branding: &Branding) -> String {
    let primary = &branding.primary_colour;
    let accent = &branding.accent_colour;
    let mut css = format!(
        ":root {{\n  --brand-primary: {primary};\n  --brand-on-primary: {on_primary};\n  \
         --brand-accent: {accent};\n  --brand-on-accent: {on_accent};\n  --brand-link: {link};\n  \
         --brand-font: {font};\n}}\n",
        primary = primary.as_str(),
        on_primary = primary.best_ink().0,
        accent = accent.as_str(),
        on_accent = accent.best_ink().0,
        link = link_colour(primary),
        font = font_stack(branding.font.as_deref()),
    );
    if let Some(custom) = branding.custom_css.as_deref() {
        let custom = sanitise_css(custom, &branding.asset_hosts()).css;
        css.push_str("\n/* The tenant's own styles. */\n");
        css.push_str(&custom);
        css.push('\n');
    }
    css
}

/// The primary colour for links on white, when it has the 4.5:1 contrast text needs; a dark ink
/// otherwise (a pale brand colour still colours buttons and bars, just not small text).
fn link_colour(primary: &HexColour) -> &str {
    if primary.contrast_ratio(&HexColour::white()) >= TEXT_CONTRAST_AA {
        primary.as_str()
    } else {
        DARK_INK
    }
}

/// The tenant's font families, quoted, before the system fonts. The API accepts only letters,
/// digits, spaces, commas and hyphens; anything else that reached the store is dropped here, so
/// a name can never end the declaration.
fn font_stack(font: Option<&str>) -> String {
    let families: Vec<String> = font
        .unwrap_or_default()
        .split(',')
        .map(|family| {
            family
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-'))
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .filter(|family| !family.is_empty())
        .map(|family| format!("\"{family}\""))
        .collect();
    if families.is_empty() {
        SYSTEM_FONTS.to_owned()
    } else {
        format!("{}, {SYSTEM_FONTS}", families.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use portal_core::DisplayName;

    use super::*;

    fn branding(primary: &str, font: Option<&str>, css: Option<&str>) -> Branding {
        Branding {
            display_name: DisplayName::parse("Acme").unwrap(),
            logo_url: None,
            favicon_url: None,
            primary_colour: HexColour::parse(primary).unwrap(),
            accent_colour: HexColour::parse("#f2a541").unwrap(),
            font: font.map(str::to_owned),
            custom_css: css.map(str::to_owned),
            email_sender_name: None,
            email_sender_address: None,
            default_locale: None,
        }
    }

    #[test]
    fn the_theme_carries_the_brand() {
        let css = theme(&branding(
            "#1f3a5f",
            Some("Inter, Open Sans"),
            Some(".x { y: z }"),
        ));
        assert!(css.contains("--brand-primary: #1f3a5f;"), "{css}");
        assert!(css.contains("--brand-on-primary: #ffffff;"), "{css}");
        assert!(css.contains("--brand-on-accent: #111827;"), "{css}");
        assert!(css.contains("--brand-link: #1f3a5f;"), "{css}");
        assert!(
            css.contains("--brand-font: \"Inter\", \"Open Sans\", system-ui"),
            "{css}"
        );
        assert!(css.ends_with(".x { y: z }\n"), "{css}");
    }

    #[test]
    fn pale_brands_get_readable_ink_and_fonts_cannot_escape() {
        let css = theme(&branding("#ffee88", Some("x;}body{color:red"), None));
        assert!(css.contains("--brand-on-primary: #111827;"), "{css}");
        assert!(css.contains("--brand-link: #111827;"), "{css}");
        assert!(css.contains("--brand-font: \"xbodycolorred\""), "{css}");
        assert!(!css.contains("/* The tenant's own styles. */"));
    }

    #[test]
    fn asset_names_carry_their_hash() {
        assert_eq!(
            Asset::parse("portal-0123abcd.css"),
            Some(Asset::Stylesheet("0123abcd"))
        );
        assert_eq!(Asset::parse("theme-ff.css"), Some(Asset::Theme("ff")));
        assert_eq!(Asset::parse("portal.js"), None);
        assert_eq!(
            Asset::parse("portal-12ab.js"),
            Some(Asset::Script(Script::Portal, "12ab"))
        );
        assert_eq!(Asset::parse("other-12ab.js"), None);
        assert_eq!(Asset::parse("logo.css"), None);
        assert_eq!(version("a").len(), 16);
    }
}
