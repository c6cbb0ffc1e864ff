//! The page templates: compiled in, each replaceable by a file of the same name in the
//! configured override directory, HTML-escaped everywhere and strict about undefined values (a
//! typo in a template fails loudly instead of printing nothing).
//!
//! Templates reach the catalogue through `t("message-id", name=value, …)`, in the page's
//! `locale`; the result is escaped like any other value.

use std::path::Path;
use std::sync::Arc;

use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};

use super::catalogue::{Arg, Catalogue};
use super::locale::Locale;

/// The core templates by name, with their compiled-in source; each area of pages adds its own
/// (see [`builtin`]).
const CORE: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("mfa.html", include_str!("../../templates/mfa.html")),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
    ("error.html", include_str!("../../templates/error.html")),
    (
        "notify/notifications.html",
        include_str!("../../templates/notify/notifications.html"),
    ),
    (
        "notify/mail-link.html",
        include_str!("../../templates/notify/mail-link.html"),
    ),
];

/// Every template by name, with its compiled-in source. An override directory may replace any of
/// them; other files there are ignored.
pub(crate) fn builtin() -> impl Iterator<Item = (&'static str, &'static str)> {
    [
        &[CORE][..],
        super::client::TEMPLATES,
        super::account::TEMPLATES,
        super::staff::TEMPLATES,
        super::admin::TEMPLATES,
        super::shared::TEMPLATES,
    ]
    .into_iter()
    .flatten()
    .flat_map(|family| family.iter().copied())
}

/// The template environment.
pub(crate) struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

impl Templates {
    /// The compiled-in templates, each replaced by `overrides/<name>` where that file exists and
    /// compiles. An override that does not compile is logged and the compiled-in one is kept, so
    /// a broken file cannot take the pages down.
    pub(crate) fn new(catalogue: Arc<Catalogue>, overrides: Option<&Path>) -> Result<Self, Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_formatter(escape_html);
        for (name, builtin) in builtin() {
            if let Some(source) = overrides.and_then(|dir| read_override(dir, name)) {
                match env.add_template_owned(name, source) {
                    Ok(()) => {
                        tracing::info!(template = name, "page template overridden");
                        continue;
                    }
                    Err(error) => tracing::error!(
                        template = name,
                        %error,
                        "the override does not compile; using the built-in template"
                    ),
                }
            }
            env.add_template(name, builtin)?;
        }
        env.add_function(
            "t",
            move |state: &State<'_, '_>, id: &str, kwargs: Kwargs| -> Result<String, Error> {
                translate(&catalogue, state, id, &kwargs)
            },
        );
        Ok(Self { env })
    }

    /// Renders the template `name` with `context`.
    pub(crate) fn render(&self, name: &str, context: Value) -> Result<String, Error> {
        self.env.get_template(name)?.render(context)
    }
}

/// Writes a value HTML-escaped: `&`, `<`, `>`, `"` and `'`, which is all that text and quoted
/// attributes need. (The engine's own escaper also turns `/` into `&#x2f;`, which makes every
/// URL in a page unreadable for no gain.)
fn escape_html(
    out: &mut Output<'_>,
    state: &mut State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    if value.is_safe() || *state.auto_escape() != AutoEscape::Html {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let mut start = 0;
    for (at, c) in text.char_indices() {
        let entity = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[start..at])?;
        out.write_str(entity)?;
        start = at + c.len_utf8();
    }
    out.write_str(&text[start..])?;
    Ok(())
}

/// `overrides/<name>`, if that file exists and can be read.
fn read_override(dir: &Path, name: &str) -> Option<String> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            tracing::error!(path = %path.display(), %error, "cannot read a template override");
            None
        }
    }
}

/// The template function `t`: a catalogue message in the page's locale.
fn translate(
    catalogue: &Catalogue,
    state: &State<'_, '_>,
    id: &str,
    kwargs: &Kwargs,
) -> Result<String, Error> {
    let locale = state
        .lookup("locale")
        .as_ref()
        .and_then(Value::as_str)
        .and_then(Locale::from_tag)
        .unwrap_or(Locale::En);
    let names: Vec<String> = kwargs.args().map(str::to_owned).collect();
    let mut args = Vec::with_capacity(names.len());
    for name in &names {
        let value: Value = kwargs.get(name)?;
        let arg = match (value.as_i64(), value.as_str()) {
            (Some(number), _) => Arg::Number(number),
            (None, Some(text)) => Arg::Text(text.to_owned().into()),
            (None, None) => Arg::Text(value.to_string().into()),
        };
        args.push((name.as_str(), arg));
    }
    catalogue
        .text_with(locale, id, &args)
        .map_err(|error| Error::new(ErrorKind::InvalidOperation, error.to_string()))
}

#[cfg(test)]
mod tests {
    use minijinja::context;

    use super::super::catalogue::CatalogueError;
    use super::*;

    fn templates(overrides: Option<&Path>) -> Templates {
        Templates::new(Arc::new(Catalogue::new().unwrap()), overrides).unwrap()
    }

    #[test]
    fn every_message_a_template_names_exists() {
        let catalogue = Catalogue::new().unwrap();
        for (name, source) in builtin() {
            let mut rest = source;
            while let Some(at) = rest.find("t(\"") {
                let after = &rest[at + 3..];
                let end = after.find('"').unwrap();
                let id = &after[..end];
                rest = after;
                // Only literal ids; `t(page.x_message)` ids are checked where Rust makes them.
                if !after[end + 1..].starts_with([')', ',']) {
                    continue;
                }
                for locale in Locale::ALL {
                    assert!(
                        matches!(
                            catalogue.text(locale, id, None),
                            Ok(_) | Err(CatalogueError::Format { .. })
                        ),
                        "{name} uses `{id}`, missing in {}",
                        locale.tag()
                    );
                }
            }
        }
    }

    #[test]
    fn values_are_escaped_and_messages_translated() {
        let templates = templates(None);
        let html = templates
            .env
            .render_str(
                "{{ t('sign-out') }} {{ t('signed-in-as', name=who) }}",
                context! { locale => "de", who => "<b>Eve</b>" },
            )
            .unwrap();
        assert_eq!(html, "Abmelden Angemeldet als &lt;b&gt;Eve&lt;/b&gt;");
        let html = templates
            .env
            .render_str(
                "<a title=\"{{ x }}\">{{ y }}</a>{{ z }}{{ s|safe }}",
                context! { x => "\" onclick='a' & b", y => "<script>", z => 42, s => "<i>" },
            )
            .unwrap();
        assert_eq!(
            html,
            "<a title=\"&quot; onclick=&#39;a&#39; &amp; b\">&lt;script&gt;</a>42<i>"
        );
    }

    #[test]
    fn a_file_in_the_override_directory_replaces_its_template() {
        let dir = std::env::temp_dir().join(format!("portal-templates-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("error.html"), "custom {{ status }}").unwrap();
        std::fs::write(dir.join("login.html"), "{% if %}broken").unwrap();
        let templates = templates(Some(&dir));
        assert_eq!(
            templates
                .render("error.html", context! { status => 404 })
                .unwrap(),
            "custom 404"
        );
        // The broken override is refused; the built-in one still compiles and is used.
        assert!(templates.env.get_template("login.html").is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
