//! Audit events of authentication (SEC-40/41). Details never hold a password, a token or a
//! token's hash; an attempted email is a personal fact, kept where it can be erased.

use std::net::IpAddr;

use portal_core::model::{Actor, AuditContext, AuditOutcome, NewAuditEvent, ObjectRef};
use portal_core::{TenantId, TenantScope, UserId};
use portal_storage::{AuditStore, StoreResult};

/// A successful login.
pub const LOGIN_SUCCEEDED: &str = "login.succeeded";
/// A failed login (any reason; the reason is in the details, never in the answer).
pub const LOGIN_FAILED: &str = "login.failed";
/// The first factor passed and a second factor was asked for.
pub const LOGIN_MFA_CHALLENGED: &str = "login.mfa_challenged";
/// A wrong second-factor code.
pub const LOGIN_MFA_FAILED: &str = "login.mfa_failed";
/// A password set through a reset link.
pub const PASSWORD_RESET: &str = "password.reset";
/// A password changed by its signed-in user.
pub const PASSWORD_CHANGED: &str = "password.changed";
/// A reset or magic link asked for (whether or not the email exists).
pub const LOGIN_LINK_REQUESTED: &str = "login_link.requested";
/// TOTP confirmed for a user.
pub const MFA_ENROLLED: &str = "mfa.enrolled";
/// TOTP removed from a user.
pub const MFA_REMOVED: &str = "mfa.removed";
/// New recovery codes made, the old ones void.
pub const MFA_RECOVERY_CODES_REPLACED: &str = "mfa.recovery_codes_replaced";
/// A passkey registered by its user.
pub const PASSKEY_REGISTERED: &str = "passkey.registered";
/// A passkey renamed by its user.
pub const PASSKEY_RENAMED: &str = "passkey.renamed";
/// A passkey revoked by its user.
pub const PASSKEY_REVOKED: &str = "passkey.revoked";
/// A refused passkey sign-in (the reason is in the details, never in the answer). A passkey
/// sign-in that succeeds is a `login.succeeded` with the method `passkey`.
pub const LOGIN_PASSKEY_FAILED: &str = "login.passkey_failed";
/// A login refused unheard by the throttle.
pub const LOGIN_THROTTLED: &str = "login.throttled";
/// A session ended by its own user.
pub const SESSION_LOGGED_OUT: &str = "session.logged_out";
/// A session given a new token.
pub const SESSION_ROTATED: &str = "session.rotated";
/// One or all sessions of a user revoked.
pub const SESSION_REVOKED: &str = "session.revoked";
/// One use of a share link (its actor is the link).
pub const SHARE_LINK_USED: &str = "share_link.used";
/// A file uploaded through a share link (its actor is the link; the object the document).
pub const SHARE_LINK_UPLOADED: &str = "share_link.uploaded";

/// The object of an authentication event: the user, when known.
pub(crate) fn user_object(user: UserId) -> ObjectRef {
    ObjectRef {
        kind: "user".to_owned(),
        id: *user.as_uuid(),
    }
}

/// Appends one event to the tenant's chain with a system scope: nobody is authenticated yet.
pub(crate) async fn record(
    store: &dyn AuditStore,
    tenant: TenantId,
    context: &AuditContext,
    event: NewAuditEvent,
) -> StoreResult<()> {
    let scope = TenantScope::dangerous_system(tenant);
    store.append(&scope, event, context).await.map(drop)
}

/// An event with the given fields.
pub(crate) fn event(
    actor: Actor,
    action: &str,
    object: Option<ObjectRef>,
    outcome: AuditOutcome,
    details: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor,
        action: action.to_owned(),
        object,
        outcome,
        details,
        subject: None,
        personal: None,
    }
}

/// Records a successful act of `user` on their own account (the user is actor and object).
pub(crate) async fn record_user_success(
    store: &dyn AuditStore,
    tenant: TenantId,
    user: UserId,
    ip: Option<IpAddr>,
    action: &str,
    details: serde_json::Value,
) -> StoreResult<()> {
    let event = event(
        Actor::User(user),
        action,
        Some(user_object(user)),
        AuditOutcome::Success,
        details,
    );
    record(store, tenant, &AuditContext { ip }, event).await
}
