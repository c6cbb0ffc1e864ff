//! The mail-preferences section of the account page: a table of event types × instant, digest
//! and off, and `POST account/mail`, which saves it. Security notices are shown locked (always
//! instant). The same rules and store calls as the API's `/me/mail-preferences`.

use axum::response::Response;
use portal_core::model::MailMode;
use serde::Serialize;

use super::super::mail_link::mode_message;
use super::super::notifications::event_message;
use super::super::signed::{Failure, PageForm, SignedPage};
use super::{ACCOUNT_PATH, refuse_in_preview};
use crate::api::notifications::{mail_choice, preference_table};

/// One row of the table.
#[derive(Debug, Serialize)]
pub(super) struct MailRow {
    /// The event type's name, the radio group's name.
    event_type: &'static str,
    /// The catalogue id naming the event.
    label_message: String,
    /// Always instant.
    locked: bool,
    options: Vec<MailOption>,
}

/// One radio button of a row.
#[derive(Debug, Serialize)]
struct MailOption {
    value: &'static str,
    label_message: &'static str,
    checked: bool,
}

/// The table's rows for the viewer, in the order of the event types.
pub(super) async fn rows(page: &SignedPage) -> Result<Vec<MailRow>, Failure> {
    let authenticated = &page.signed_in.authenticated;
    let table = preference_table(
        &page.state,
        &authenticated.scope,
        authenticated.session.user,
    )
    .await?;
    Ok(table
        .into_iter()
        .map(|row| MailRow {
            event_type: row.event_type.as_str(),
            label_message: event_message(row.event_type.as_str()),
            locked: row.locked,
            options: [MailMode::Instant, MailMode::Digest, MailMode::Off]
                .into_iter()
                .map(|mode| MailOption {
                    value: mode.as_str(),
                    label_message: mode_message(mode),
                    checked: mode == row.mail,
                })
                .collect(),
        })
        .collect())
}

/// `POST account/mail`: every row of the form, `<event type>=<mode>`; locked rows are not sent
/// (their radios are disabled), and one that is sent anyway is refused like in the API.
pub(super) async fn save(form: PageForm<Vec<(String, String)>>) -> Response {
    let PageForm { page, fields } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let mut choices = Vec::new();
    for (name, value) in fields.iter().filter(|(name, _)| name != "csrf_token") {
        match mail_choice(name, value) {
            Ok(choice) => choices.push(choice),
            Err(error) => return page.fail(error),
        }
    }
    let authenticated = &page.signed_in.authenticated;
    for (event_type, mail) in choices {
        if let Err(error) = page
            .state
            .stores()
            .notifications
            .set_mail_preference(
                &authenticated.scope,
                authenticated.session.user,
                event_type,
                mail,
            )
            .await
        {
            return page.fail(error);
        }
    }
    page.redirect_with_notice(ACCOUNT_PATH, "notice-account-mail-saved")
}
