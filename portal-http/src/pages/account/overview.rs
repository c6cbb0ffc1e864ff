//! `GET account`: the viewer's own account — name (with a form to change it), email, the
//! language of the pages, a password change, the second factor's state, the passkeys, and the sessions
//! (devices) signed in, each of which can be signed out. The same calls as the API's `/me`,
//! `/me/sessions` and `/me/mfa`, with the session's own identity, so nobody sees or ends
//! anyone else's.

use axum::http::StatusCode;
use axum::response::Response;
use portal_auth::password::PasswordPolicy;
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};

use super::super::catalogue::{Arg, CatalogueError};
use super::super::form::FormError;
use super::super::format::Formatter;
use super::super::locale::Locale;
use super::super::signed::{Failure, SignedPage};
use super::device::Device;
use super::enrolment;

/// `GET account`.
pub(super) async fn show(page: SignedPage) -> Response {
    render(&page, StatusCode::OK, Entered::default()).await
}

/// What a failed form of the account page brings back to show again.
#[derive(Debug, Default)]
pub(super) struct Entered {
    /// The name as typed, when the rename failed.
    pub(super) name: Option<String>,
    /// Why the form failed, next to its field.
    pub(super) error: Option<FormError>,
}

/// The account page with `status` (422 when a form of it failed).
pub(super) async fn render(page: &SignedPage, status: StatusCode, entered: Entered) -> Response {
    match view(page, entered).await {
        Ok(view) => page.render_status(status, "account/index.html", view),
        Err(failure) => page.fail(failure),
    }
}

/// The account page's data.
#[derive(Debug, Serialize)]
struct AccountView {
    name: String,
    email: String,
    /// False in a "view as client" preview: no forms then.
    writable: bool,
    languages: Vec<LanguageOption>,
    /// The policy's shortest password, for the hint.
    password_min: usize,
    mfa: MfaSummary,
    /// How many passkeys the person has.
    passkeys: usize,
    sessions: Vec<SessionItem>,
    /// How many sessions besides this one.
    others: usize,
    error: Option<FormError>,
    /// The mail preferences table.
    mail: Vec<super::mail::MailRow>,
}

#[derive(Debug, Serialize)]
struct LanguageOption {
    /// The form's value: a locale's tag, or empty for "as the browser says".
    value: &'static str,
    label_message: &'static str,
    selected: bool,
}

#[derive(Debug, Serialize)]
struct MfaSummary {
    enrolled: bool,
    codes_left: u32,
    required: bool,
}

#[derive(Debug, Serialize)]
struct SessionItem {
    /// The id to end it by (the hex of its token's hash, as the API's).
    id: String,
    device: String,
    ip: Option<String>,
    started: String,
    last_seen: String,
    current: bool,
}

async fn view(page: &SignedPage, entered: Entered) -> Result<AccountView, Failure> {
    let state = &page.state;
    let authenticated = &page.signed_in.authenticated;
    let formatter = page.formatter();
    let status = state.mfa().status(authenticated).await?;
    let passkeys = state.passkeys().list(authenticated).await?.len();
    let mut sessions = state
        .sessions()
        .sessions_of(authenticated.session.tenant, authenticated.session.user)
        .await?;
    let current = authenticated.session.token_hash;
    // This device first, then the most recently used.
    sessions.sort_by_key(|session| {
        (
            session.token_hash != current,
            std::cmp::Reverse(session.last_seen_at),
        )
    });
    let mut items = Vec::with_capacity(sessions.len());
    for session in sessions {
        items.push(SessionItem {
            id: session.token_hash.to_hex(),
            device: device(&formatter, session.user_agent.as_deref())?,
            ip: session.ip.map(|ip| ip.to_string()),
            started: moment(&formatter, session.created_at)?,
            last_seen: moment(&formatter, session.last_seen_at)?,
            current: session.token_hash == current,
        });
    }
    let others = items.iter().filter(|item| !item.current).count();
    Ok(AccountView {
        name: entered
            .name
            .unwrap_or_else(|| page.user.name.as_str().to_owned()),
        email: page.user.email.as_str().to_owned(),
        writable: !page.scope.is_read_only(),
        languages: languages(page.user.locale.as_deref()),
        password_min: PasswordPolicy::MIN_CHARS,
        mfa: MfaSummary {
            enrolled: status.enrolled,
            codes_left: status.recovery_codes_left,
            required: enrolment::required(&page.page.tenant, &authenticated.scope),
        },
        passkeys,
        sessions: items,
        others,
        error: entered.error,
        mail: super::mail::rows(page).await?,
    })
}

/// The language choices, with the stored one selected ("as the browser says" when none).
fn languages(stored: Option<&str>) -> Vec<LanguageOption> {
    let stored = stored.and_then(Locale::from_tag);
    let mut options = vec![LanguageOption {
        value: "",
        label_message: "account-language-browser",
        selected: stored.is_none(),
    }];
    options.extend(Locale::ALL.into_iter().map(|locale| LanguageOption {
        value: locale.tag(),
        label_message: language_message(locale),
        selected: stored == Some(locale),
    }));
    options
}

/// A language's name, in itself.
pub(super) const fn language_message(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "account-language-en",
        Locale::De => "account-language-de",
    }
}

/// "Firefox on Windows", or what is known of it.
fn device(formatter: &Formatter<'_>, agent: Option<&str>) -> Result<String, CatalogueError> {
    let device = Device::of(agent);
    match (device.browser, device.system) {
        (Some(browser), Some(system)) => formatter.text_with(
            "account-device",
            &[
                ("browser", Arg::Text(browser.into())),
                ("system", Arg::Text(system.into())),
            ],
        ),
        (Some(name), None) | (None, Some(name)) => Ok(name.to_owned()),
        (None, None) => formatter.text("account-device-unknown"),
    }
}

/// A moment as a day and a time of day, in UTC (the pages have no time zones yet).
pub(super) fn moment(
    formatter: &Formatter<'_>,
    at: OffsetDateTime,
) -> Result<String, CatalogueError> {
    let at = at.to_offset(UtcOffset::UTC);
    formatter.text_with(
        "account-moment",
        &[
            ("date", Arg::Text(formatter.date(at.date())?.into())),
            (
                "time",
                Arg::Text(format!("{:02}:{:02}", at.hour(), at.minute()).into()),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::super::super::catalogue::Catalogue;
    use super::*;

    #[test]
    fn moments_and_devices_read_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        let at = datetime!(2026-03-07 14:05 +01:00);
        let english = Formatter {
            catalogue: &catalogue,
            locale: Locale::En,
        };
        let german = Formatter {
            catalogue: &catalogue,
            locale: Locale::De,
        };
        assert_eq!(moment(&english, at).unwrap(), "March 7, 2026, 13:05 UTC");
        assert_eq!(moment(&german, at).unwrap(), "7. März 2026, 13:05 Uhr UTC");
        let firefox =
            Some("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        assert_eq!(device(&english, firefox).unwrap(), "Firefox on Linux");
        assert_eq!(device(&german, firefox).unwrap(), "Firefox unter Linux");
        assert!(!device(&german, None).unwrap().is_empty());
        for option in languages(Some("de")) {
            assert_eq!(option.selected, option.value == "de");
            for locale in Locale::ALL {
                catalogue.text(locale, option.label_message, None).unwrap();
            }
        }
        assert!(languages(None)[0].selected);
    }
}
