//! The rest of signing in — password reset, magic links, invitations, enrolling a second factor,
//! confirming the password before a sensitive act — and the viewer's own account.
//!
//! Before sign-in (`login/reset`, `login/link`, `auth/…`) the pages use the pre-login form token
//! of the sign-in form, and every answer that could tell whether an email has an account is the
//! same for all (SEC-09). The `auth/…` paths are the ones the mails link to
//! ([`portal_auth::links`]); their GET never spends a token — mail scanners fetch links — only
//! the form they show does. Signed in, everything goes through the same `portal-auth` calls
//! as the API's `/me/…` routes, so a page can do no more than the API.

mod ask;
mod confirm;
mod device;
mod enrolment;
mod invitation;
mod magic;
mod mail;
mod next;
mod overview;
mod passkeys;
mod pre_login;
mod preferences;
mod profile;
mod qr;
mod reset;
mod second_factor;
mod sessions;
mod tour;

use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

pub(crate) use self::enrolment::ENROL_PATH;
pub(crate) use self::enrolment::gate;
pub(crate) use self::next::NextPath;
pub(crate) use self::passkeys::PASSKEYS_PATH;
pub(crate) use self::tour::{TourView, view as tour_view};
use super::signed::SignedPage;
use crate::error::ApiError;
use crate::state::PortalState;

/// The account page.
const ACCOUNT_PATH: &str = "/account";

/// A form with nothing but its token (which [`PageForm`](super::signed::PageForm) checks).
#[derive(Debug, Deserialize)]
struct NoFields {}

/// The branded 403 for a form of the account area posted in a "view as client" preview: the
/// account is the viewer's own, but a preview changes nothing (its banner says so).
fn refuse_in_preview(page: &SignedPage) -> Option<Response> {
    page.scope
        .is_read_only()
        .then(|| page.fail(ApiError::Forbidden))
}

/// This area's routes, relative to the tenant's base.
pub(crate) fn routes() -> Router<PortalState> {
    Router::new()
        .route("/login/reset", get(reset::ask_form).post(reset::ask))
        .route("/login/reset/sent", get(reset::sent))
        .route("/auth/reset", get(reset::form).post(reset::submit))
        .route("/login/link", get(magic::ask_form).post(magic::ask))
        .route("/login/link/sent", get(magic::sent))
        .route("/auth/magic", get(magic::form).post(magic::redeem))
        .route(
            "/auth/invitation",
            get(invitation::form).post(invitation::accept),
        )
        .route("/account", get(overview::show))
        .route("/account/name", post(profile::rename))
        .route("/account/language", post(profile::language))
        .route("/account/password", post(profile::change_password))
        .route("/account/confirm", get(confirm::form).post(confirm::submit))
        .route("/account/mfa", get(second_factor::show))
        // These answer their form with a page of secrets shown once, never stored to be shown
        // again; a GET (a bookmark, a reload) goes back to the second-factor page.
        .route(
            "/account/mfa/setup",
            get(second_factor::back).post(second_factor::setup),
        )
        .route(
            "/account/mfa/confirm",
            get(second_factor::back).post(second_factor::confirm),
        )
        .route(
            "/account/mfa/recovery-codes",
            get(second_factor::back).post(second_factor::recovery_codes),
        )
        .route(
            "/account/mfa/disable",
            get(second_factor::back).post(second_factor::disable),
        )
        .route("/login/passkey/options", post(passkeys::sign_in_options))
        .route("/login/passkey", post(passkeys::sign_in))
        .route("/account/passkeys", get(passkeys::show).post(passkeys::add))
        .route(
            "/account/passkeys/options",
            post(passkeys::registration_options),
        )
        .route("/account/passkeys/{id}/rename", post(passkeys::rename))
        .route("/account/passkeys/{id}/revoke", post(passkeys::revoke))
        .route("/account/sessions/{id}/end", post(sessions::end_one))
        .route("/account/sessions/end-others", post(sessions::end_others))
        .route("/account/tour/done", post(tour::done))
        .route("/account/mail", post(mail::save))
}

/// This area's templates: `(name, compiled-in source)`, by page family.
pub(crate) const TEMPLATES: &[&[(&str, &str)]] = &[&[
    (
        "account/fields.html",
        include_str!("../../../templates/account/fields.html"),
    ),
    (
        "account/ask-link.html",
        include_str!("../../../templates/account/ask-link.html"),
    ),
    (
        "account/link-sent.html",
        include_str!("../../../templates/account/link-sent.html"),
    ),
    (
        "account/link-invalid.html",
        include_str!("../../../templates/account/link-invalid.html"),
    ),
    (
        "account/reset.html",
        include_str!("../../../templates/account/reset.html"),
    ),
    (
        "account/magic.html",
        include_str!("../../../templates/account/magic.html"),
    ),
    (
        "account/invitation.html",
        include_str!("../../../templates/account/invitation.html"),
    ),
    (
        "account/confirm.html",
        include_str!("../../../templates/account/confirm.html"),
    ),
    (
        "account/index.html",
        include_str!("../../../templates/account/index.html"),
    ),
    (
        "account/mfa.html",
        include_str!("../../../templates/account/mfa.html"),
    ),
    (
        "account/mfa-setup.html",
        include_str!("../../../templates/account/mfa-setup.html"),
    ),
    (
        "account/recovery-codes.html",
        include_str!("../../../templates/account/recovery-codes.html"),
    ),
    (
        "account/passkeys.html",
        include_str!("../../../templates/account/passkeys.html"),
    ),
    (
        "account/tour.html",
        include_str!("../../../templates/account/tour.html"),
    ),
]];
