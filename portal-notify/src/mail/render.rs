//! Notification mail, rendered: one event as it happens, or a day's events in a digest, with the
//! tenant's brand, in the reader's language, as email-safe HTML (tables, inline styles) and an
//! equivalent plain text. Templates and texts are compiled in; every value is escaped in HTML.

use std::collections::BTreeMap;

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior};
use portal_core::model::EventType;
use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;
use url::Url;

use super::catalogue::{Arg, Catalogue, Language};

const HTML_TEMPLATE: &str = "mail.html";
const TEXT_TEMPLATE: &str = "mail.txt";

/// Why a mail could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A template does not compile or failed to render.
    #[error("mail template `{name}` failed")]
    Template {
        /// The template's name.
        name: &'static str,
        /// What the engine said.
        #[source]
        source: minijinja::Error,
    },
    /// A language's messages do not load or a message failed to format.
    #[error("the {locale} mail catalogue: {details}")]
    Catalogue {
        /// The language's tag.
        locale: &'static str,
        /// What went wrong.
        details: String,
    },
    /// No message has this id.
    #[error("no message `{id}` in the {locale} mail catalogue")]
    MissingMessage {
        /// The language's tag.
        locale: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The brand colour is not of the form `#RRGGBB`.
    #[error("brand colour `{0}` is not of the form #RRGGBB")]
    BrandColour(String),
    /// A mail needs at least one item.
    #[error("a notification mail needs at least one item")]
    NoItems,
    /// A mail sent as it happens is about exactly one item.
    #[error("an instant notification mail is about one item, not {0}")]
    InstantItems(usize),
}

/// The tenant's look in mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailBrand {
    /// The tenant's name as readers know it.
    pub name: String,
    /// The header bar's colour, `#RRGGBB`.
    pub primary_colour: String,
    /// The logo shown in the header bar instead of the name, if any.
    pub logo_url: Option<Url>,
}

/// One event a mail tells of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailItem {
    /// What happened.
    pub event_type: EventType,
    /// What it happened to, e.g. the deliverable's name.
    pub title: String,
    /// Where to see it in the portal.
    pub link: Url,
    /// When it happened.
    pub occurred_at: OffsetDateTime,
}

/// A notification mail to render for one reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationMail {
    /// The tenant's look.
    pub brand: MailBrand,
    /// The reader's name, for the greeting (may be empty).
    pub recipient_name: String,
    /// The reader's locale, e.g. `de` or `en-GB`; unknown locales get English.
    pub locale: String,
    /// What the mail tells of: one item, or any number in a digest.
    pub items: Vec<MailItem>,
    /// Whether this is the daily digest rather than a mail about one event.
    pub digest: bool,
    /// Where the reader chooses which mail they get.
    pub preferences_link: Url,
    /// The one-click unsubscribe address, if this mail may be unsubscribed from.
    pub unsubscribe_link: Option<Url>,
}

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// Renders notification mail from the compiled-in templates and texts. Build it once and share it.
#[derive(Debug)]
pub struct MailRenderer {
    templates: Environment<'static>,
    catalogue: Catalogue,
}

#[derive(Serialize)]
struct BrandContext<'a> {
    name: &'a str,
    colour: &'a str,
    on_colour: &'static str,
    logo_url: Option<&'a str>,
}

#[derive(Serialize)]
struct ItemContext<'a> {
    title: &'a str,
    link: &'a str,
    when: String,
}

#[derive(Serialize)]
struct GroupContext<'a> {
    heading: String,
    items: Vec<ItemContext<'a>>,
}

#[derive(Serialize)]
struct MailContext<'a> {
    lang: &'static str,
    subject: &'a str,
    brand: BrandContext<'a>,
    greeting: String,
    intro: String,
    digest: bool,
    groups: Vec<GroupContext<'a>>,
    open: String,
    why: String,
    preferences: String,
    preferences_link: &'a str,
    unsubscribe: String,
    unsubscribe_link: Option<&'a str>,
}

impl MailRenderer {
    /// The renderer with the compiled-in templates and the English and German texts.
    ///
    /// # Errors
    /// [`RenderError::Template`] or [`RenderError::Catalogue`] if a compiled-in file is broken.
    pub fn builtin() -> Result<Self, RenderError> {
        let mut templates = Environment::new();
        templates.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|source| RenderError::Template {
                name: HTML_TEMPLATE,
                source,
            })?;
        templates.set_syntax(syntax);
        templates.add_filter("url", url_attribute);
        // The names pick the escaping: `.html` is escaped for HTML, `.txt` is left as it is.
        for (name, source) in [
            (HTML_TEMPLATE, include_str!("../../templates/mail.html")),
            (TEXT_TEMPLATE, include_str!("../../templates/mail.txt")),
        ] {
            templates
                .add_template(name, source)
                .map_err(|source| RenderError::Template { name, source })?;
        }
        Ok(Self {
            templates,
            catalogue: Catalogue::builtin()?,
        })
    }

    /// Renders `mail`'s subject, text and HTML.
    ///
    /// # Errors
    /// [`RenderError::NoItems`] for a mail without items, [`RenderError::InstantItems`] for an
    /// instant mail with more than one, [`RenderError::BrandColour`] for a colour that is not
    /// `#RRGGBB`; the others if a template or message fails.
    pub fn render(&self, mail: &NotificationMail) -> Result<RenderedMail, RenderError> {
        let language = Language::for_locale(&mail.locale);
        let first = mail.items.first().ok_or(RenderError::NoItems)?;
        if !mail.digest && mail.items.len() != 1 {
            return Err(RenderError::InstantItems(mail.items.len()));
        }
        let on_colour = text_colour_on(&mail.brand.primary_colour)?;
        let brand = mail.brand.name.as_str();
        let text = |id: &str, args: &[(&str, Arg<'_>)]| self.catalogue.text(language, id, args);
        let count = mail.items.len();

        let subject = if mail.digest {
            text(
                "subject-digest",
                &[("brand", Arg::Text(brand)), ("count", Arg::Count(count))],
            )?
        } else {
            text(
                &format!("subject-{}", message_key(first.event_type)),
                &[("title", Arg::Text(&first.title))],
            )?
        };
        let greeting = if mail.recipient_name.trim().is_empty() {
            text("greeting-anonymous", &[])?
        } else {
            text(
                "greeting",
                &[("name", Arg::Text(mail.recipient_name.trim()))],
            )?
        };
        let intro = if mail.digest {
            text(
                "intro-digest",
                &[("brand", Arg::Text(brand)), ("count", Arg::Count(count))],
            )?
        } else {
            text("intro-instant", &[("brand", Arg::Text(brand))])?
        };
        let why_id = if mail.digest {
            "why-digest"
        } else if first.event_type.is_security() {
            "why-security"
        } else {
            "why-instant"
        };

        let mut grouped: BTreeMap<EventType, Vec<&MailItem>> = BTreeMap::new();
        for item in &mail.items {
            grouped.entry(item.event_type).or_default().push(item);
        }
        let mut groups = Vec::with_capacity(grouped.len());
        for (event_type, mut items) in grouped {
            items.sort_by_key(|item| item.occurred_at);
            groups.push(GroupContext {
                heading: text(&format!("group-{}", message_key(event_type)), &[])?,
                items: items
                    .into_iter()
                    .map(|item| ItemContext {
                        title: &item.title,
                        link: item.link.as_str(),
                        when: when(item.occurred_at, language),
                    })
                    .collect(),
            });
        }

        let context = MailContext {
            lang: language.tag(),
            subject: &subject,
            brand: BrandContext {
                name: brand,
                colour: &mail.brand.primary_colour,
                on_colour,
                logo_url: mail.brand.logo_url.as_ref().map(Url::as_str),
            },
            greeting,
            intro,
            digest: mail.digest,
            groups,
            open: text("open", &[])?,
            why: text(why_id, &[("brand", Arg::Text(brand))])?,
            preferences: text("preferences", &[])?,
            preferences_link: mail.preferences_link.as_str(),
            unsubscribe: text("unsubscribe", &[])?,
            unsubscribe_link: mail.unsubscribe_link.as_ref().map(Url::as_str),
        };
        let html = self.render_template(HTML_TEMPLATE, &context)?;
        let text = self.render_template(TEXT_TEMPLATE, &context)?;
        Ok(RenderedMail {
            subject,
            text,
            html,
        })
    }

    fn render_template(
        &self,
        name: &'static str,
        context: &MailContext<'_>,
    ) -> Result<String, RenderError> {
        self.templates
            .get_template(name)
            .and_then(|template| template.render(minijinja::value::Serde(context)))
            .map_err(|source| RenderError::Template { name, source })
    }
}

/// A URL for an HTML attribute: escapes what HTML needs (`&`, quotes, `<`, `>`) but keeps `/`,
/// which the default escaping writes as `&#x2f;` and some mail clients show or break on.
fn url_attribute(url: &str) -> minijinja::Value {
    let mut escaped = String::with_capacity(url.len());
    for character in url.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            other => escaped.push(other),
        }
    }
    minijinja::Value::from_safe_string(escaped)
}

/// The part of a message id that names an event type: `approval.due_soon` → `approval-due-soon`.
pub(crate) fn message_key(event_type: EventType) -> String {
    event_type.as_str().replace(['.', '_'], "-")
}

/// When an event happened, as readers of `language` write it (in UTC, said so).
fn when(at: OffsetDateTime, language: Language) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let formatted = match language {
        Language::En => at.format(format_description!(
            "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
        )),
        Language::De => at.format(format_description!(
            "[day].[month].[year], [hour]:[minute] UTC"
        )),
    };
    // The descriptions hold only fields every UTC date has: formatting cannot fail.
    formatted.unwrap_or_default()
}

/// Black or white, whichever reads better on `colour` (`#RRGGBB`).
fn text_colour_on(colour: &str) -> Result<&'static str, RenderError> {
    let invalid = || RenderError::BrandColour(colour.to_owned());
    let hex = colour.strip_prefix('#').ok_or_else(invalid)?;
    if hex.len() != 6 || !hex.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let channel = |at: usize| {
        hex.get(at..at + 2)
            .and_then(|pair| u8::from_str_radix(pair, 16).ok())
            .map(|value| f64::from(value) / 255.0)
            .ok_or_else(invalid)
    };
    // Relative luminance (WCAG 2), then the better contrast of white and black text.
    let linear = |c: f64| {
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance =
        0.2126 * linear(channel(0)?) + 0.7152 * linear(channel(2)?) + 0.0722 * linear(channel(4)?);
    let against_white = 1.05 / (luminance + 0.05);
    let against_black = (luminance + 0.05) / 0.05;
    Ok(if against_white >= against_black {
        "#ffffff"
    } else {
        "#111827"
    })
}
