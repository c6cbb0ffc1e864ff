//! A tenant may require a second factor of its staff, of its clients' contacts, or of both. A
//! person it requires one of who has none is signed in (`LoginSuccess::must_enrol_mfa`) but sent
//! to enrolment — straight after signing in, and from every signed-in page until done
//! ([`gate`], which the signed-in page extractor calls). A passkey counts as a second factor.
//! Only enrolment itself (TOTP or a passkey) and the password prompt it may need stay open;
//! signing out is not a signed-in page.

use axum::response::Response;
use portal_core::TenantScope;
use portal_core::model::Tenant;

use super::super::page::PageRequest;
use super::super::session::SignedIn;
use super::super::signed::CONFIRM_PATH;
use crate::error::ApiError;
use crate::state::PortalState;

/// Where a second factor is set up.
pub(crate) const ENROL_PATH: &str = "/account/mfa";

/// Whether `tenant` requires a second factor of the side `scope` is on.
pub(crate) fn required(tenant: &Tenant, scope: &TenantScope) -> bool {
    if scope.is_staff_side() {
        tenant.require_mfa_staff
    } else {
        tenant.require_mfa_contacts
    }
}

/// The 303 to enrolment for a signed-in page at `path` (under the base) whose person must set up
/// a second factor first; `None` to show the page. The tenant's policy comes with the request,
/// so only people under a policy cost a lookup of their factor.
pub(crate) async fn gate(
    state: &PortalState,
    page: &PageRequest,
    signed_in: &SignedIn,
    path: &str,
) -> Option<Response> {
    let authenticated = &signed_in.authenticated;
    if exempt(path) || !required(&page.tenant, &authenticated.scope) {
        return None;
    }
    match state.mfa().status(authenticated).await {
        Ok(status) if status.enrolled => None,
        // A passkey is a second factor too (it verifies its user).
        Ok(_) => match state.passkeys().list(authenticated).await {
            Ok(passkeys) if !passkeys.is_empty() => None,
            Ok(_) => Some(page.redirect(ENROL_PATH)),
            Err(error) => Some(page.error(ApiError::from(error).into())),
        },
        Err(error) => Some(page.error(ApiError::from(error).into())),
    }
}

/// The pages a person who must enrol can still open: enrolment (TOTP or a passkey) and the
/// password prompt.
fn exempt(path: &str) -> bool {
    let under = |root: &str| {
        path == root
            || path
                .strip_prefix(root)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    under(ENROL_PATH) || under(super::PASSKEYS_PATH) || path == CONFIRM_PATH
}

#[cfg(test)]
mod tests {
    use super::exempt;

    #[test]
    fn only_enrolment_and_the_password_prompt_stay_open() {
        assert!(exempt("/account/mfa"));
        assert!(exempt("/account/mfa/setup"));
        assert!(exempt("/account/mfa/confirm"));
        assert!(exempt("/account/confirm"));
        assert!(exempt("/account/passkeys"));
        assert!(exempt("/account/passkeys/options"));
        assert!(!exempt("/account/passkeysx"));
        assert!(!exempt("/"));
        assert!(!exempt("/account"));
        assert!(!exempt("/account/mfax"));
        assert!(!exempt("/projects"));
    }
}
