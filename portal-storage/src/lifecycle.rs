//! Offboarding and erasing a client: the checks and audit events every backend shares.

use portal_core::model::{Actor, AuditEvent, Client, NewAuditEvent, ObjectRef};
use portal_core::{
    ClientId, DisplayName, Email, InvitationId, Permission, ResourceFacts, TenantScope, UserId,
    Visibility,
};
use serde_json::json;
use uuid::Uuid;

use crate::rules::{self, events};
use crate::traits::{ErasureReport, OffboardReport, PersonalFactsOf};
use crate::{StoreError, StoreResult};

/// Why an erased client cannot be restored.
pub const ERASED_FOR_GOOD: &str = "the client's personal data was erased: it cannot be restored";

/// May the scope act with `permission` on `client` (a client out of reach is not found).
pub(crate) fn require_on_client(
    scope: &TenantScope,
    permission: Permission,
    client: ClientId,
) -> StoreResult<()> {
    let facts = ResourceFacts::of_client(scope.tenant_id(), client, Visibility::Shared);
    rules::require(scope, permission, &facts)
}

/// Why a client must be offboarded before its data is erased.
pub const NOT_OFFBOARDED: &str =
    "the client is not offboarded: offboard it before erasing its personal data";

/// The name an erased person's records show.
pub const ERASED_NAME: &str = "Erased contact";

/// The outbox kinds that are mail to one person, named in their payload by `user` or
/// `invitation`: dropped when that person's data is erased.
const MAIL_TO_A_PERSON: [&str; 3] = [
    events::INVITATION_SENT,
    events::SECURITY_PASSWORD_CHANGED,
    events::SECURITY_MFA_CHANGED,
];

/// The pseudonymous email of an erased person or invitation: unique, and at a domain that
/// can never receive mail (RFC 2606).
pub(crate) fn pseudonym(id: &Uuid) -> StoreResult<Email> {
    Ok(Email::parse(&format!(
        "erased-{}@erased.invalid",
        id.simple()
    ))?)
}

/// The name of an erased person.
pub(crate) fn erased_name() -> StoreResult<DisplayName> {
    Ok(DisplayName::parse(ERASED_NAME)?)
}

/// Refuses to erase a client that was not offboarded.
pub(crate) fn require_offboarded(client: &Client) -> StoreResult<()> {
    if client.offboarded_at.is_none() {
        return Err(StoreError::conflict(NOT_OFFBOARDED));
    }
    Ok(())
}

/// Whether a pending outbox row of `kind` with `payload` is mail to someone `of` names.
pub(crate) fn mail_to(of: &PersonalFactsOf, kind: &str, payload: &serde_json::Value) -> bool {
    if !MAIL_TO_A_PERSON.contains(&kind) {
        return false;
    }
    let named = |field: &str| payload.get(field).and_then(serde_json::Value::as_str);
    let to_user =
        named("user").is_some_and(|id| of.users.iter().any(|user| user.to_string() == id));
    let to_invitation = named("invitation").is_some_and(|id| {
        of.invitations
            .iter()
            .any(|invitation| invitation.to_string() == id)
    });
    to_user || to_invitation
}

/// Adds the client's invitations to what erasure names, with their former emails — except the
/// emails of contacts who stay at another client: their own audit facts are not erased.
pub(crate) fn add_invitations(
    of: &mut PersonalFactsOf,
    invitations: Vec<(InvitationId, Email)>,
    kept_emails: &[Email],
) {
    for (invitation, email) in invitations {
        of.invitations.push(invitation);
        if !kept_emails.contains(&email) && !of.emails.contains(&email) {
            of.emails.push(email);
        }
    }
}

/// The answer to erasing a client already erased: nothing done.
pub(crate) fn nothing_erased(client: Client) -> ErasureReport {
    ErasureReport {
        client,
        contacts_erased: Vec::new(),
        contacts_kept: Vec::new(),
        invitations_pseudonymised: 0,
        mails_dropped: 0,
        audit_events_erased: 0,
        audit_events_version_1_kept: 0,
    }
}

/// The `client.erased` event: the counts and pseudonymous ids, never a name or an email.
pub(crate) fn erased_event(scope: &TenantScope, report: &ErasureReport) -> NewAuditEvent {
    NewAuditEvent::by(
        scope,
        events::CLIENT_ERASED,
        Some(ObjectRef {
            kind: "client".to_owned(),
            id: *report.client.id.as_uuid(),
        }),
    )
    .with_details(json!({
        "contacts_erased": report.contacts_erased,
        "contacts_kept": report.contacts_kept,
        "invitations_pseudonymised": report.invitations_pseudonymised,
        "mails_dropped": report.mails_dropped,
        "audit_events_erased": report.audit_events_erased,
        "audit_events_version_1_kept": report.audit_events_version_1_kept,
    }))
}

/// Refuses to restore an erased client.
pub(crate) fn require_restorable(client: &Client, archived: bool) -> StoreResult<()> {
    if !archived && client.erased_at.is_some() {
        return Err(StoreError::conflict(ERASED_FOR_GOOD));
    }
    Ok(())
}

/// The answer to offboarding a client already offboarded: nothing done.
pub(crate) fn nothing_done(client: Client) -> OffboardReport {
    OffboardReport {
        client,
        contacts: Vec::new(),
        contacts_kept: Vec::new(),
        sessions_ended: 0,
        invitations_revoked: 0,
        share_links_revoked: 0,
    }
}

/// Sorts and dedups user ids, so every backend reports and audits them alike.
pub(crate) fn sorted(mut users: Vec<UserId>) -> Vec<UserId> {
    users.sort_unstable_by_key(|user| *user.as_uuid());
    users.dedup();
    users
}

/// The `client.offboarded` event: the counts and the contacts' ids, nothing personal.
pub(crate) fn offboarded_event(scope: &TenantScope, report: &OffboardReport) -> NewAuditEvent {
    NewAuditEvent::by(
        scope,
        events::CLIENT_OFFBOARDED,
        Some(ObjectRef {
            kind: "client".to_owned(),
            id: *report.client.id.as_uuid(),
        }),
    )
    .with_details(json!({
        "contacts": report.contacts,
        "contacts_kept": report.contacts_kept,
        "sessions_ended": report.sessions_ended,
        "invitations_revoked": report.invitations_revoked,
        "share_links_revoked": report.share_links_revoked,
    }))
}

/// Whether `of` names `event`: its actor or subject is one of the people, its object one of
/// the invitations, or its personal facts one of the emails.
pub(crate) fn names(of: &PersonalFactsOf, event: &AuditEvent) -> bool {
    let by = match event.actor {
        Actor::User(user) | Actor::Preview(user) => of.users.contains(&user),
        _ => false,
    };
    let about = event.subject.is_some_and(|user| of.users.contains(&user));
    let invitation = event.object.as_ref().is_some_and(|object| {
        object.kind == "invitation" && of.invitations.iter().any(|id| id.as_uuid() == &object.id)
    });
    let email = event.personal.as_ref().is_some_and(|personal| {
        of.emails
            .iter()
            .any(|email| *personal == json!({ "email": email.as_str() }))
    });
    by || about || invitation || email
}

/// The stored actor texts of the people `of` names, as the SQL backends match them.
pub(crate) fn actor_texts(of: &PersonalFactsOf) -> StoreResult<Vec<String>> {
    of.users
        .iter()
        .flat_map(|user| [Actor::User(*user), Actor::Preview(*user)])
        .map(|actor| serde_json::to_string(&actor).map_err(StoreError::backend))
        .collect()
}
