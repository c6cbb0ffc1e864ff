//! The input rules and the audit shapes the work stores share, written exactly as the memory
//! store writes them so the backends cannot drift apart.

use portal_core::TenantScope;
use portal_core::model::{NewAuditEvent, ObjectRef};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

pub(super) use crate::rules::{
    check_external_id, fixed, invalid, require_external_id, require_text,
};

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

/// The audit event of a status move: the state it left and the state it entered.
pub(super) fn move_event<S: Serialize>(
    scope: &TenantScope,
    action: &str,
    kind: &str,
    id: &Uuid,
    from: S,
    to: S,
) -> NewAuditEvent {
    event(scope, action, kind, id, json!({ "from": from, "to": to }))
}

#[cfg(test)]
mod tests {
    use portal_core::{DomainError, Invalid};

    use super::*;
    use crate::StoreError;

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
