//! `admin/branding`: the editor of the tenant's look (`manage_branding`), saved through the
//! API's `update_branding` (`PUT /branding`); and each client's own look under
//! `admin/branding/clients/{id}` (`manage_clients`), set and cleared through the API's client
//! branding functions. Both check a look with [`BrandingBody::check`].
//!
//! A saved look's custom CSS is stored sanitised; the page after the save lists what the
//! sanitiser dropped and why ([`css_removed`](super::css_removed)). Saving changes the tenant, so
//! the API's functions the pages call also make the routing cache forget it: the next page shows
//! the new look.
//!
//! A sample panel shows the look. `branding.js` restyles it as the fields change; without
//! script, the form's "Preview" button shows the page again with the posted colours and font
//! applied to the panel by `admin/branding/preview.css` — a stylesheet built from validated
//! colours and a filtered font name only, scoped to the panel. An unsaved preview never applies
//! custom CSS: that is served only once saved, from the theme stylesheet.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_core::model::{Branding, Client};
use portal_core::{ClientId, HexColour, Permission};
use serde::{Deserialize, Serialize};

use super::super::assets;
use super::super::form::FormError;
use super::super::page::PageError;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::css_removed::{self, RemovedCss};
use super::{NoFields, api_caller, may_use, path_id, query_value, require};
use crate::api::staff::branding::{
    BrandingBody, BrandingView, CssRemovalView, clear_client_branding, set_client_branding,
    update_branding,
};
use crate::api::staff::clients::found_client;
use crate::extract::{ApiJson, ApiPath, ClientIp};

const PATH: &str = "/admin/branding";
/// The languages the pages speak, offered as a look's default language (a stored tag outside
/// them is offered too, as it was saved).
const PAGE_LANGUAGES: [&str; 2] = ["en", "de"];
/// The longest font name the preview stylesheet takes (the API's limit).
const MAX_FONT_CHARS: usize = 100;

/// The look form's fields. Each colour comes as the text field, the colour picker and the value
/// the form was shown with (see [`chosen_colour`]); `intent` is `save` or `preview`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LookFields {
    display_name: String,
    logo_url: String,
    favicon_url: String,
    primary_colour: String,
    primary_colour_picker: String,
    primary_colour_saved: String,
    accent_colour: String,
    accent_colour_picker: String,
    accent_colour_saved: String,
    font: String,
    custom_css: String,
    email_sender_name: String,
    email_sender_address: String,
    default_locale: String,
    intent: String,
}

impl LookFields {
    fn previewing(&self) -> bool {
        self.intent == "preview"
    }
}

/// The API's body for a look form. The one place the form meets the API's body: a field added
/// to [`BrandingBody`] is added here.
fn branding_body(fields: &LookFields) -> BrandingBody {
    let optional = |text: &str| Some(text.to_owned());
    BrandingBody {
        display_name: fields.display_name.clone(),
        logo_url: optional(&fields.logo_url),
        favicon_url: optional(&fields.favicon_url),
        primary_colour: chosen_colour(
            &fields.primary_colour,
            &fields.primary_colour_picker,
            &fields.primary_colour_saved,
        ),
        accent_colour: chosen_colour(
            &fields.accent_colour,
            &fields.accent_colour_picker,
            &fields.accent_colour_saved,
        ),
        font: optional(&fields.font),
        custom_css: optional(&fields.custom_css),
        email_sender_name: optional(&fields.email_sender_name),
        email_sender_address: optional(&fields.email_sender_address),
        default_locale: optional(&fields.default_locale),
    }
}

/// The colour the person chose: what they typed, when it differs from the colour the form was
/// shown with, else the picker's. With script the two fields mirror each other; without it,
/// either may be the one that was changed.
fn chosen_colour(text: &str, picker: &str, shown: &str) -> String {
    let (text, picker, shown) = (text.trim(), picker.trim(), shown.trim());
    if !text.eq_ignore_ascii_case(shown) || picker.is_empty() || picker.eq_ignore_ascii_case(shown)
    {
        text.to_owned()
    } else {
        picker.to_owned()
    }
}

/// A look form as the template shows it.
#[derive(Debug, Serialize)]
struct LookForm {
    action: String,
    display_name: String,
    logo_url: String,
    favicon_url: String,
    primary_colour: String,
    primary_picker: String,
    accent_colour: String,
    accent_picker: String,
    font: String,
    custom_css: String,
    email_sender_name: String,
    email_sender_address: String,
    /// The default language's tag; empty for none (the browser decides).
    default_locale: String,
    /// Whether that tag is none of [`PAGE_LANGUAGES`] (stored through the API), so the select
    /// offers it as it is.
    other_locale: bool,
    /// Whether the form edits a client's look (no default language: the tenant's applies).
    for_client: bool,
    error: Option<FormError>,
}

impl LookForm {
    /// The form for a stored look.
    fn stored(action: String, branding: &Branding) -> Self {
        let view = BrandingView::from(branding);
        Self {
            action,
            display_name: view.display_name,
            logo_url: view.logo_url.unwrap_or_default(),
            favicon_url: view.favicon_url.unwrap_or_default(),
            primary_picker: view.primary_colour.clone(),
            primary_colour: view.primary_colour,
            accent_picker: view.accent_colour.clone(),
            accent_colour: view.accent_colour,
            font: view.font.unwrap_or_default(),
            custom_css: view.custom_css.unwrap_or_default(),
            email_sender_name: view.email_sender_name.unwrap_or_default(),
            email_sender_address: view.email_sender_address.unwrap_or_default(),
            other_locale: is_other_locale(view.default_locale.as_deref()),
            default_locale: view.default_locale.unwrap_or_default(),
            for_client: false,
            error: None,
        }
    }

    /// The form as it was posted, nothing lost; each picker keeps a valid colour.
    fn posted(action: String, fields: &LookFields, error: Option<FormError>) -> Self {
        let body = branding_body(fields);
        let picker = |typed: &str, shown: &str| {
            HexColour::parse(typed)
                .or_else(|_| HexColour::parse(shown))
                .map_or_else(
                    |_| "#000000".to_owned(),
                    |colour| colour.as_str().to_owned(),
                )
        };
        Self {
            action,
            primary_picker: picker(&body.primary_colour, &fields.primary_colour_saved),
            accent_picker: picker(&body.accent_colour, &fields.accent_colour_saved),
            display_name: body.display_name,
            logo_url: fields.logo_url.clone(),
            favicon_url: fields.favicon_url.clone(),
            primary_colour: body.primary_colour,
            accent_colour: body.accent_colour,
            font: fields.font.clone(),
            custom_css: fields.custom_css.clone(),
            email_sender_name: fields.email_sender_name.clone(),
            email_sender_address: fields.email_sender_address.clone(),
            default_locale: fields.default_locale.trim().to_owned(),
            other_locale: is_other_locale(Some(fields.default_locale.trim())),
            for_client: false,
            error,
        }
    }

    /// The form as a client's look editor shows it.
    fn of_client(self) -> Self {
        Self {
            for_client: true,
            ..self
        }
    }
}

/// Whether a default language needs its own option: set, and none of [`PAGE_LANGUAGES`].
fn is_other_locale(tag: Option<&str>) -> bool {
    tag.is_some_and(|tag| !tag.trim().is_empty() && !PAGE_LANGUAGES.contains(&tag))
}

#[derive(Debug, Serialize)]
struct BrandingPage {
    form: LookForm,
    /// The sample panel's stylesheet for colours not saved yet (or a client's own).
    preview_css: Option<String>,
    /// Whether the page shows a preview that is not saved.
    previewing: bool,
    /// Whether the viewer may also edit clients' looks.
    clients_link: Option<String>,
    /// What the sanitiser dropped from the custom CSS just saved.
    removed: Option<RemovedCss>,
}

#[derive(Debug, Serialize)]
struct ClientLookPage {
    client: String,
    own_look: bool,
    clear_action: String,
    form: LookForm,
    preview_css: Option<String>,
    previewing: bool,
    /// What the sanitiser dropped from the custom CSS just saved.
    removed: Option<RemovedCss>,
}

#[derive(Debug, Serialize)]
struct ClientsPage {
    clients: Vec<ClientItem>,
}

#[derive(Debug, Serialize)]
struct ClientItem {
    name: String,
    href: String,
    own_look: bool,
}

/// `GET admin/branding[?removed=…]`.
pub(crate) async fn show(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    let mut page = page;
    let result = show_tenant_look(&mut page, query.as_deref()).await;
    super::answer(&page, result)
}

async fn show_tenant_look(page: &mut SignedPage, query: Option<&str>) -> Result<Response, Failure> {
    require(page, Permission::ManageBranding)?;
    // Read afresh: the form shows the look as stored, whatever the routing cache holds.
    let tenant = page.state.stores().tenants.tenant(&page.scope).await?;
    page.page.tenant = tenant;
    let action = format!("{}{PATH}", page.page.base);
    let form = LookForm::stored(action, &page.page.tenant.branding);
    let mut view = tenant_page(page, form, None);
    view.removed = removed_css(page, query);
    Ok(page.render("admin/branding.html", view))
}

fn tenant_page(page: &SignedPage, form: LookForm, preview_css: Option<String>) -> BrandingPage {
    BrandingPage {
        form,
        previewing: preview_css.is_some(),
        preview_css,
        clients_link: may_use(&page.scope, Permission::ManageClients)
            .then(|| format!("{}{PATH}/clients", page.page.base)),
        removed: None,
    }
}

/// What the save before this page dropped from the custom CSS, when its query says so.
fn removed_css(page: &SignedPage, query: Option<&str>) -> Option<RemovedCss> {
    let value = query_value(query, css_removed::PARAMETER)?;
    css_removed::open(&page.signed_in.token, &value)
}

/// The answer to a saved look: back to `path` with `saved`, or — when the sanitiser dropped
/// parts of its custom CSS — with `saved_css` and the list of what and why.
fn after_save(
    page: &SignedPage,
    path: &str,
    removed: &[CssRemovalView],
    saved: &'static str,
    saved_css: &'static str,
) -> Response {
    match css_removed::seal(&page.signed_in.token, removed) {
        Some(list) => page.redirect_with_notice(
            &format!("{path}?{}={list}", css_removed::PARAMETER),
            saved_css,
        ),
        None => page.redirect_with_notice(path, saved),
    }
}

/// `POST admin/branding`: saves the look, or previews it (`intent=preview`).
pub(crate) async fn submit(ip: ClientIp, form: PageForm<LookFields>) -> Response {
    let PageForm { page, fields } = form;
    let result = submit_tenant_look(&page, ip, &fields).await;
    super::answer(&page, result)
}

async fn submit_tenant_look(
    page: &SignedPage,
    ip: ClientIp,
    fields: &LookFields,
) -> Result<Response, Failure> {
    require(page, Permission::ManageBranding)?;
    let action = format!("{}{PATH}", page.page.base);
    let error = if fields.previewing() {
        match branding_body(fields).parse() {
            Ok(branding) => {
                let form = LookForm::posted(action, fields, None);
                let css = preview_css_url(page, &branding)?;
                return Ok(page.render("admin/branding.html", tenant_page(page, form, Some(css))));
            }
            Err(error) => error,
        }
    } else {
        // As `PUT /branding`: checked, stored, audited, and forgotten by the routing cache.
        let saved = update_branding(
            api_caller(page),
            State(page.state.clone()),
            ip,
            ApiJson(branding_body(fields)),
        )
        .await;
        match saved {
            Ok(Json(saved)) => {
                return Ok(after_save(
                    page,
                    PATH,
                    &saved.custom_css_removed,
                    "notice-admin-branding-saved",
                    "notice-admin-branding-saved-css",
                ));
            }
            Err(error) => error,
        }
    };
    let error = match page.form_error(error) {
        Ok(error) => error,
        Err(response) => return Ok(response),
    };
    let form = LookForm::posted(action, fields, Some(error));
    Ok(page.render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/branding.html",
        tenant_page(page, form, None),
    ))
}

/// `GET admin/branding/clients`: the clients whose look the viewer may set.
pub(crate) async fn clients(page: SignedPage) -> Response {
    let result = list_clients(&page).await;
    super::answer(&page, result)
}

async fn list_clients(page: &SignedPage) -> Result<Response, Failure> {
    require(page, Permission::ManageClients)?;
    let clients = super::names::clients(&page.state, &page.scope).await?;
    let items = clients
        .into_iter()
        .filter(|client| {
            page.scope
                .permissions_in(Some(client.id))
                .contains(Permission::ManageClients)
        })
        .map(|client| ClientItem {
            href: format!("{}{PATH}/clients/{}", page.page.base, client.id),
            own_look: client.branding.is_some(),
            name: client.name.as_str().to_owned(),
        })
        .collect();
    Ok(page.render("admin/clients.html", ClientsPage { clients: items }))
}

/// `GET admin/branding/clients/{client_id}[?removed=…]`.
pub(crate) async fn client_show(
    page: SignedPage,
    Path(client_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = show_client_look(&page, &client_id, query.as_deref()).await;
    super::answer(&page, result)
}

/// The client of the path, when the viewer may set its look; else the branded 404.
async fn client_of(page: &SignedPage, client_id: &str) -> Result<Client, Failure> {
    require(page, Permission::ManageClients)?;
    let id: ClientId = path_id(client_id)?;
    let client = found_client(&page.state, &page.scope, id).await?;
    if page
        .scope
        .permissions_in(Some(client.id))
        .contains(Permission::ManageClients)
    {
        Ok(client)
    } else {
        Err(PageError::NotFound.into())
    }
}

fn client_action(page: &SignedPage, client: &Client) -> String {
    format!("{}{PATH}/clients/{}", page.page.base, client.id)
}

async fn show_client_look(
    page: &SignedPage,
    client_id: &str,
    query: Option<&str>,
) -> Result<Response, Failure> {
    let client = client_of(page, client_id).await?;
    let tenant = page.state.stores().tenants.tenant(&page.scope).await?;
    // A client without a look of its own starts from the tenant's — but not its default
    // language, which applies to the client anyway until the client has one of its own.
    let form = match &client.branding {
        Some(look) => LookForm::stored(client_action(page, &client), look),
        None => LookForm {
            default_locale: String::new(),
            other_locale: false,
            ..LookForm::stored(client_action(page, &client), &tenant.branding)
        },
    }
    .of_client();
    // The sample shows the client's own colours; without one, the tenant's (the page's theme).
    let preview_css = client
        .branding
        .as_ref()
        .map(|branding| preview_css_url(page, branding))
        .transpose()?;
    let mut view = client_page(page, &client, form, preview_css, false);
    view.removed = removed_css(page, query);
    Ok(page.render("admin/client_branding.html", view))
}

fn client_page(
    page: &SignedPage,
    client: &Client,
    form: LookForm,
    preview_css: Option<String>,
    previewing: bool,
) -> ClientLookPage {
    ClientLookPage {
        client: client.name.as_str().to_owned(),
        own_look: client.branding.is_some(),
        clear_action: format!("{}/clear", client_action(page, client)),
        form,
        preview_css,
        previewing,
        removed: None,
    }
}

/// `POST admin/branding/clients/{client_id}`: sets the client's look, or previews it.
pub(crate) async fn client_submit(
    ip: ClientIp,
    Path(client_id): Path<String>,
    form: PageForm<LookFields>,
) -> Response {
    let PageForm { page, fields } = form;
    let result = submit_client_look(&page, ip, &client_id, &fields).await;
    super::answer(&page, result)
}

async fn submit_client_look(
    page: &SignedPage,
    ip: ClientIp,
    client_id: &str,
    fields: &LookFields,
) -> Result<Response, Failure> {
    let client = client_of(page, client_id).await?;
    let action = client_action(page, &client);
    let error = if fields.previewing() {
        match branding_body(fields).parse() {
            Ok(branding) => {
                let form = LookForm::posted(action, fields, None).of_client();
                let css = preview_css_url(page, &branding)?;
                return Ok(page.render(
                    "admin/client_branding.html",
                    client_page(page, &client, form, Some(css), true),
                ));
            }
            Err(error) => error,
        }
    } else {
        let saved = set_client_branding(
            api_caller(page),
            State(page.state.clone()),
            ip,
            ApiPath(client.id),
            ApiJson(branding_body(fields)),
        )
        .await;
        match saved {
            Ok(Json(saved)) => {
                return Ok(after_save(
                    page,
                    &format!("{PATH}/clients/{}", client.id),
                    &saved.custom_css_removed,
                    "notice-admin-branding-client-saved",
                    "notice-admin-branding-client-saved-css",
                ));
            }
            Err(error) => error,
        }
    };
    let error = match page.form_error(error) {
        Ok(error) => error,
        Err(response) => return Ok(response),
    };
    let form = LookForm::posted(action, fields, Some(error)).of_client();
    Ok(page.render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/client_branding.html",
        client_page(page, &client, form, None, false),
    ))
}

/// `POST admin/branding/clients/{client_id}/clear`: the tenant's look applies again.
pub(crate) async fn client_clear(
    ip: ClientIp,
    Path(client_id): Path<String>,
    form: PageForm<NoFields>,
) -> Response {
    let page = form.page;
    let result = clear_client_look(&page, ip, &client_id).await;
    super::answer(&page, result)
}

async fn clear_client_look(
    page: &SignedPage,
    ip: ClientIp,
    client_id: &str,
) -> Result<Response, Failure> {
    let client = client_of(page, client_id).await?;
    let _cleared = clear_client_branding(
        api_caller(page),
        State(page.state.clone()),
        ip,
        ApiPath(client.id),
    )
    .await?;
    let path = format!("{PATH}/clients/{}", client.id);
    Ok(page.redirect_with_notice(&path, "notice-admin-branding-client-cleared"))
}

/// The colours and font of a preview stylesheet.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct PreviewQuery {
    primary: String,
    accent: String,
    font: String,
}

/// The URL of the sample panel's stylesheet for `branding`'s colours and font.
fn preview_css_url(page: &SignedPage, branding: &Branding) -> Result<String, Failure> {
    let query = PreviewQuery {
        primary: branding.primary_colour.as_str().to_owned(),
        accent: branding.accent_colour.as_str().to_owned(),
        font: branding.font.clone().unwrap_or_default(),
    };
    let query = serde_html_form::to_string(&query).map_err(PageError::internal)?;
    Ok(format!("{}{PATH}/preview.css?{query}", page.page.base))
}

/// `GET admin/branding/preview.css?primary=…&accent=…&font=…`: the theme's custom properties
/// for these colours and font, scoped to the sample panel. Only for those who may edit a look;
/// a colour that does not parse is the branded 404. Never any custom CSS.
pub(crate) async fn preview_css(page: SignedPage, RawQuery(query): RawQuery) -> Response {
    if !(may_use(&page.scope, Permission::ManageBranding)
        || may_use(&page.scope, Permission::ManageClients))
    {
        return page.fail(PageError::NotFound);
    }
    match preview_theme(
        &page.page.tenant.branding,
        query.as_deref().unwrap_or_default(),
    ) {
        Some(css) => {
            let mut response = css.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        None => page.fail(PageError::NotFound),
    }
}

/// The sample panel's stylesheet for a preview query: `base`'s look with the query's colours and
/// font, no custom CSS, its custom properties on `.brand-sample` instead of the whole page.
fn preview_theme(base: &Branding, query: &str) -> Option<String> {
    let query: PreviewQuery = serde_html_form::from_str(query).ok()?;
    if query.font.chars().count() > MAX_FONT_CHARS {
        return None;
    }
    let look = Branding {
        primary_colour: HexColour::parse(&query.primary).ok()?,
        accent_colour: HexColour::parse(&query.accent).ok()?,
        font: Some(query.font).filter(|font| !font.trim().is_empty()),
        custom_css: None,
        ..base.clone()
    };
    let theme = assets::theme(&look);
    let scoped = theme.strip_prefix(":root")?;
    Some(format!(".brand-sample{scoped}"))
}

#[cfg(test)]
mod tests {
    use portal_core::DisplayName;

    use super::*;

    fn look() -> Branding {
        Branding {
            display_name: DisplayName::parse("Acme").unwrap(),
            logo_url: None,
            favicon_url: None,
            primary_colour: HexColour::parse("#123456").unwrap(),
            accent_colour: HexColour::parse("#abcdef").unwrap(),
            font: None,
            custom_css: Some("body { display: none }".to_owned()),
            email_sender_name: None,
            email_sender_address: None,
            default_locale: None,
        }
    }

    #[test]
    fn the_colour_changed_is_the_one_chosen() {
        assert_eq!(chosen_colour("#112233", "#123456", "#123456"), "#112233");
        assert_eq!(chosen_colour("#123456", "#654321", "#123456"), "#654321");
        assert_eq!(chosen_colour("#123456", "#123456", "#123456"), "#123456");
        assert_eq!(chosen_colour("#ABC", "#654321", "#abc"), "#654321");
        assert_eq!(chosen_colour(" nope ", "#654321", "#123456"), "nope");
        assert_eq!(chosen_colour("#123456", "", "#123456"), "#123456");
    }

    #[test]
    fn a_preview_sets_only_the_samples_colours_and_font_never_custom_css() {
        let css = preview_theme(&look(), "primary=%230b6e4f&accent=%23fa0&font=Open+Sans").unwrap();
        assert!(css.starts_with(".brand-sample {"), "{css}");
        assert!(css.contains("--brand-primary: #0b6e4f;"), "{css}");
        assert!(css.contains("--brand-accent: #ffaa00;"), "{css}");
        assert!(css.contains("--brand-font: \"Open Sans\""), "{css}");
        assert!(!css.contains(":root"), "{css}");
        assert!(!css.contains("display: none"), "{css}");
        // A font cannot end the declaration, and a bad colour gives nothing.
        let css =
            preview_theme(&look(), "primary=%23000&accent=%23fff&font=x%3B%7Dbody%7B").unwrap();
        assert!(!css.contains(";}body{"), "{css}");
        assert!(preview_theme(&look(), "primary=red&accent=%23fff").is_none());
        assert!(preview_theme(&look(), "primary=%23000").is_none());
    }
}
