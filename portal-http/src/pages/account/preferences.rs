//! The person's own preferences the stores keep for them: the language of the pages and whether
//! they finished the first-login tour. Both go through the identity store with the page's scope
//! (a client preview cannot change them) and are audited there.

use portal_core::LanguageTag;
use portal_core::model::{AuditContext, User};

use super::super::locale::Locale;
use super::super::signed::{Failure, SignedPage};

/// Stores the language the pages speak to the person: `None` to follow the tenant and browser.
pub(super) async fn store_locale(
    page: &SignedPage,
    locale: Option<Locale>,
    audit: &AuditContext,
) -> Result<(), Failure> {
    let tag = locale
        .map(|locale| LanguageTag::parse(locale.tag()))
        .transpose()?;
    page.state
        .stores()
        .identities
        .set_locale(&page.scope, page.user.id, tag, audit)
        .await?;
    Ok(())
}

/// Whether the first-login tour is still due for `user`.
pub(super) const fn tour_due(user: &User) -> bool {
    user.tour_done_at.is_none()
}

/// Records that the person finished (or dismissed) the tour.
pub(super) async fn store_tour_done(
    page: &SignedPage,
    audit: &AuditContext,
) -> Result<(), Failure> {
    page.state
        .stores()
        .identities
        .finish_tour(&page.scope, audit)
        .await?;
    Ok(())
}
