//! The person's own preferences the stores keep for them: the language of the pages and whether
//! they finished the first-login tour.
//!
//! PENDING(store): the identity store's setter for `User.locale` and the field
//! `User.tour_done_at` with its setter are being added in parallel. Until they land, the three
//! functions below are the only place that knows: storing answers an error (the page shows the
//! branded 500, nothing is lost or faked) and the tour is never due. Fill them in with the store
//! calls — with `page.scope`, audited as the store does — and nothing else changes.

use portal_core::model::{AuditContext, User};

use super::super::locale::Locale;
use super::super::page::PageError;
use super::super::signed::{Failure, SignedPage};

/// The store cannot keep this preference yet (see the module docs).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the store cannot keep the {0} preference yet")]
struct NotYetStored(&'static str);

/// Stores the language the pages speak to the person: `None` to follow the browser.
pub(super) async fn store_locale(
    page: &SignedPage,
    locale: Option<Locale>,
    audit: &AuditContext,
) -> Result<(), Failure> {
    // PENDING(store): `identities.set_locale(&page.scope, page.user.id, locale.map(Locale::tag), audit)`.
    let _ = (page, locale, audit);
    Err(Failure::Page(PageError::internal(NotYetStored("language"))))
}

/// Whether the first-login tour is still due for `user`.
pub(super) fn tour_due(user: &User) -> bool {
    // PENDING(store): `user.tour_done_at.is_none()`.
    let _ = user;
    false
}

/// Records that the person finished (or dismissed) the tour.
pub(super) async fn store_tour_done(
    page: &SignedPage,
    audit: &AuditContext,
) -> Result<(), Failure> {
    // PENDING(store): `identities.set_tour_done(&page.scope, page.user.id, audit)`.
    let _ = (page, audit);
    Err(Failure::Page(PageError::internal(NotYetStored("tour"))))
}
