//! Signing out other devices from the account page: one session, or every session but this
//! one. The same `Sessions::revoke` as the API's `DELETE /me/sessions/{id}`, which finds only the
//! person's own sessions (another's id is the same 404 as one that does not exist) and audits
//! each end.

use axum::extract::{Path, State};
use axum::response::Response;
use portal_core::state::Sha256Digest;

use super::super::page::PageError;
use super::super::signed::PageForm;
use super::{ACCOUNT_PATH, NoFields, refuse_in_preview};
use crate::state::PortalState;

/// `POST account/sessions/{id}/end`: ends one of the person's sessions.
pub(super) async fn end_one(
    State(state): State<PortalState>,
    Path(id): Path<String>,
    form: PageForm<NoFields>,
) -> Response {
    let PageForm { page, .. } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let Ok(hash) = Sha256Digest::parse_hex(&id) else {
        return page.fail(PageError::NotFound);
    };
    let session = &page.signed_in.authenticated.session;
    match state
        .sessions()
        .revoke(session.tenant, session.user, &hash)
        .await
    {
        Ok(()) => page.redirect_with_notice(ACCOUNT_PATH, "notice-account-session-ended"),
        Err(error) => page.fail(error),
    }
}

/// `POST account/sessions/end-others`: ends every session of the person but this one.
pub(super) async fn end_others(
    State(state): State<PortalState>,
    form: PageForm<NoFields>,
) -> Response {
    let PageForm { page, .. } = form;
    if let Some(refused) = refuse_in_preview(&page) {
        return refused;
    }
    let session = &page.signed_in.authenticated.session;
    let sessions = state.sessions();
    let all = match sessions.sessions_of(session.tenant, session.user).await {
        Ok(all) => all,
        Err(error) => return page.fail(error),
    };
    for other in all
        .iter()
        .filter(|other| other.token_hash != session.token_hash)
    {
        match sessions
            .revoke(session.tenant, session.user, &other.token_hash)
            .await
        {
            // Ended meanwhile (timed out, signed out): nothing left to do.
            Ok(()) | Err(portal_auth::AuthError::SessionNotFound) => {}
            Err(error) => return page.fail(error),
        }
    }
    page.redirect_with_notice(ACCOUNT_PATH, "notice-account-sessions-ended")
}
