//! Typed identifiers.
//!
//! Every object has its own id type, a newtype over a UUID v7 (time-ordered, so ids sort by creation
//! and index well). Ids *name* things; they carry no authority: reading tenant data always needs a
//! [`TenantScope`](crate::TenantScope) as well.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{DomainError, Invalid};

macro_rules! define_ids {
    ($($(#[$meta:meta])* $name:ident => $field:literal;)+) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        #[allow(
            clippy::new_without_default,
            reason = "a fresh random id is not a neutral default value"
        )]
        impl $name {
            /// A new, unique, time-ordered id (UUID v7).
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID, e.g. one read back from storage.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// Parses the hyphenated text form; the error names the id's field.
            pub fn parse(input: &str) -> Result<Self, DomainError> {
                Uuid::try_parse(input.trim())
                    .map(Self)
                    .map_err(|_| DomainError::validation($field, Invalid::Malformed("not a uuid")))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                Self::parse(input)
            }
        }
    )+};
}

define_ids! {
    /// A tenant: the business that runs a portal. The hard isolation boundary.
    TenantId => "tenant_id";
    /// A client organisation served by a tenant. The second isolation boundary.
    ClientId => "client_id";
    /// A person with a login inside one tenant (staff or contact).
    UserId => "user_id";
    /// A built-in or custom role.
    RoleId => "role_id";
    /// A user's membership in a tenant (staff) or a client (contact).
    MembershipId => "membership_id";
    /// An invitation to join a tenant or a client.
    InvitationId => "invitation_id";
    /// A project (engagement) for one client.
    ProjectId => "project_id";
    /// A milestone of a project.
    MilestoneId => "milestone_id";
    /// A deliverable of a milestone.
    DeliverableId => "deliverable_id";
    /// A document (a file with versions).
    DocumentId => "document_id";
    /// One immutable version of a document.
    DocumentVersionId => "document_version_id";
    /// A sign-off request on one exact deliverable or document version.
    ApprovalId => "approval_id";
    /// A status post.
    UpdateId => "update_id";
    /// A meeting decision record.
    DecisionId => "decision_id";
    /// A next step, owned by the client or the team.
    TaskId => "task_id";
    /// A client-submitted intake request.
    RequestId => "request_id";
    /// A comment thread on any object.
    ThreadId => "thread_id";
    /// One message of a thread.
    MessageId => "message_id";
    /// An invoice (read model fed from the billing system).
    InvoiceId => "invoice_id";
    /// A no-login, scoped, expiring, revocable view.
    ShareLinkId => "share_link_id";
    /// An entry of the append-only audit log.
    AuditEventId => "audit_event_id";
    /// An in-app or outbound notification.
    NotificationId => "notification_id";
    /// An API key for integrations.
    ApiKeyId => "api_key_id";
    /// A user's passkey (a WebAuthn credential).
    PasskeyId => "passkey_id";
    /// A row of the notification outbox.
    OutboxEventId => "outbox_event_id";
    /// A tenant's webhook endpoint.
    WebhookEndpointId => "webhook_endpoint_id";
    /// One event's delivery to one webhook endpoint.
    WebhookDeliveryId => "webhook_delivery_id";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_serde() {
        let id = ProjectId::new();
        assert_eq!(id.to_string().parse::<ProjectId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<ProjectId>(&json).unwrap(), id);
    }

    #[test]
    fn ids_are_version_7_and_ordered_by_creation() {
        let first = DocumentId::new();
        let second = DocumentId::new();
        assert_eq!(first.as_uuid().get_version_num(), 7);
        assert!(first < second);
    }

    #[test]
    fn a_malformed_id_names_its_field() {
        let err = TenantId::parse("nope").unwrap_err();
        assert_eq!(err.field(), Some("tenant_id"));
    }
}
