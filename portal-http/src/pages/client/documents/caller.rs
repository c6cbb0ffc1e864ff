//! The page's viewer as the API's [`Caller`], so a page can call the API's own functions —
//! uploads, downloads, decisions — and get exactly their checks: the same scope, the same
//! session (step-up included), the same store calls.

use portal_auth::Authenticated;

use super::super::super::signed::SignedPage;
use crate::extract::{Caller, CallerVia};

/// The caller a page acts as: its session, with the page's scope (a client preview's read-only
/// one included, which the stores refuse every write).
pub(crate) fn api_caller(page: &SignedPage) -> Caller {
    Caller {
        scope: page.scope.clone(),
        via: CallerVia::Session(Box::new(Authenticated {
            session: page.signed_in.authenticated.session.clone(),
            scope: page.scope.clone(),
        })),
    }
}
