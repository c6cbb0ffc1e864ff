//! The input rules and the audit shapes the work stores share, written exactly as the memory
//! store writes them so the backends cannot drift apart.

use portal_core::model::{NewAuditEvent, ObjectRef};
use portal_core::{DomainError, Invalid, TenantScope, Visibility};
use serde_json::json;
use uuid::Uuid;

use crate::rules::events;
use crate::{StoreError, StoreResult};

/// Audit actions for creating and editing work objects (those `rules::events` does not name).
pub(super) mod actions {
    pub(in crate::sql) const PROJECT_CREATED: &str = "project.created";
    pub(in crate::sql) const PROJECT_UPDATED: &str = "project.updated";
    pub(in crate::sql) const MILESTONE_CREATED: &str = "milestone.created";
    pub(in crate::sql) const MILESTONE_UPDATED: &str = "milestone.updated";
    pub(in crate::sql) const DELIVERABLE_CREATED: &str = "deliverable.created";
    pub(in crate::sql) const DELIVERABLE_UPDATED: &str = "deliverable.updated";
    pub(in crate::sql) const DOCUMENT_CREATED: &str = "document.created";
    pub(in crate::sql) const DOCUMENT_RENAMED: &str = "document.renamed";
    pub(in crate::sql) const UPDATE_CREATED: &str = "update.created";
    pub(in crate::sql) const DECISION_CREATED: &str = "decision.created";
    pub(in crate::sql) const TASK_CREATED: &str = "task.created";
}

/// The conflict an external id that another row of the kind holds raises.
pub(super) const EXTERNAL_ID_TAKEN: &str = "external id already in use";

/// An audit event by the scope's actor about one object.
pub(super) fn event(
    scope: &TenantScope,
    action: &str,
    kind: &str,
    id: &Uuid,
    details: serde_json::Value,
) -> NewAuditEvent {
    let object = ObjectRef {
        kind: kind.to_owned(),
        id: *id,
    };
    NewAuditEvent::by(scope, action, Some(object)).with_details(details)
}

/// The audit action and details of a visibility change.
pub(super) fn visibility_event(
    scope: &TenantScope,
    kind: &str,
    id: &Uuid,
    visibility: Visibility,
) -> NewAuditEvent {
    let action = if visibility.is_shared() {
        events::PUBLISHED
    } else {
        events::UNPUBLISHED
    };
    event(scope, action, kind, id, json!({ "visibility": visibility }))
}

/// The outbox payload of a published object: ids only.
pub(super) fn published_payload(
    kind: &str,
    id: &Uuid,
    client: &Uuid,
    project: Option<&Uuid>,
) -> serde_json::Value {
    json!({ "kind": kind, "id": id, "client": client, "project": project })
}

/// An invalid input naming its field.
pub(super) const fn invalid(field: &'static str, reason: Invalid) -> StoreError {
    StoreError::Invalid(DomainError::validation(field, reason))
}

/// The refusal of a change to a field fixed at creation.
pub(super) const fn fixed(field: &'static str) -> StoreError {
    invalid(field, Invalid::Malformed("cannot change once created"))
}

/// An optional external id must not be blank.
pub(super) fn check_external_id(external_id: Option<&str>) -> StoreResult<()> {
    match external_id {
        Some(id) if id.trim().is_empty() => Err(invalid("external_id", Invalid::Empty)),
        _ => Ok(()),
    }
}

/// An upsert's external id: required and not blank.
pub(super) fn require_external_id(external_id: Option<&str>) -> StoreResult<&str> {
    match external_id {
        Some(id) if !id.trim().is_empty() => Ok(id),
        _ => Err(invalid("external_id", Invalid::Empty)),
    }
}

/// A text that must not be blank.
pub(super) fn require_text(field: &'static str, text: &str) -> StoreResult<()> {
    if text.trim().is_empty() {
        Err(invalid(field, Invalid::Empty))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_ids_are_checked() {
        assert!(check_external_id(None).is_ok());
        assert!(check_external_id(Some(" ")).is_err());
        assert_eq!(require_external_id(Some("x")).unwrap(), "x");
        for missing in [None, Some(""), Some("  ")] {
            let Err(StoreError::Invalid(error)) = require_external_id(missing) else {
                panic!("{missing:?} must be refused");
            };
            assert_eq!(
                error,
                DomainError::validation("external_id", Invalid::Empty)
            );
        }
    }
}
