//! From an outbox row to the event people hear of: which [`EventType`], which object, and who
//! the audience is. Rows that announce nothing anyone subscribes to (an edit, a role change)
//! classify as `None` and are only marked delivered.

use portal_core::model::{EventType, ObjectRef, OutboxEvent, ThreadSubject};
use portal_core::{ClientId, ProjectId, UserId};
use serde_json::Value;
use uuid::Uuid;

/// Who may hear of an event (each still only if their own scope can read the object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The client's contacts: what the team shared or asked of them.
    Contacts,
    /// The team members who work with the client.
    Staff,
    /// Everyone on both sides who can read the object (messages), but the author.
    Everyone,
    /// The account holder only (security notices).
    Person(UserId),
    /// No one in person: only webhooks hear of it (an invitation: the invitee has its mail).
    Nobody,
}

/// An outbox row, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// What happened.
    pub event_type: EventType,
    /// The object it is about (for a message: the message).
    pub object: ObjectRef,
    /// The object's client, if any.
    pub client: Option<ClientId>,
    /// The object's project, if any.
    pub project: Option<ProjectId>,
    /// Who may hear of it.
    pub audience: Audience,
    /// For a message: the object its thread is on.
    pub thread: Option<ThreadSubject>,
}

/// A uuid field of the payload.
fn uuid(payload: &Value, field: &str) -> Option<Uuid> {
    payload.get(field)?.as_str()?.parse().ok()
}

/// A text field of the payload.
fn text<'a>(payload: &'a Value, field: &str) -> Option<&'a str> {
    payload.get(field)?.as_str()
}

/// Understands one outbox row; `None` when no one subscribes to what it announces.
#[must_use]
pub fn classify(event: &OutboxEvent) -> Option<Classified> {
    let payload = &event.payload;
    let client = uuid(payload, "client").map(ClientId::from_uuid);
    let project = uuid(payload, "project").map(ProjectId::from_uuid);
    let about = |kind: &str, field: &str| {
        uuid(payload, field).map(|id| ObjectRef {
            kind: kind.to_owned(),
            id,
        })
    };
    let (event_type, object, audience) = match event.kind.as_str() {
        "object.published" => {
            let kind = text(payload, "kind")?;
            let event_type = match kind {
                "milestone" => EventType::MilestonePublished,
                "update" => EventType::UpdatePublished,
                "document" => EventType::DocumentShared,
                _ => return None,
            };
            (event_type, about(kind, "id")?, Audience::Contacts)
        }
        "milestone.moved" if text(payload, "status") == Some("done") => (
            EventType::MilestoneCompleted,
            about("milestone", "milestone")?,
            Audience::Contacts,
        ),
        "document.version_added" => (
            EventType::DocumentVersionAdded,
            about("document", "document")?,
            Audience::Contacts,
        ),
        "approval.requested" => (
            EventType::ApprovalRequested,
            about("approval", "approval")?,
            Audience::Contacts,
        ),
        "approval.decided" => (
            EventType::ApprovalDecided,
            about("approval", "approval")?,
            Audience::Staff,
        ),
        "approval.due_soon" => (
            EventType::ApprovalDueSoon,
            about("approval", "approval")?,
            Audience::Contacts,
        ),
        "request.submitted" => (
            EventType::RequestSubmitted,
            about("request", "request")?,
            Audience::Staff,
        ),
        "request.moved" => (
            EventType::RequestAnswered,
            about("request", "request")?,
            Audience::Contacts,
        ),
        "message.posted" => (
            EventType::MessagePosted,
            about("message", "message")?,
            Audience::Everyone,
        ),
        "invoice.changed" if text(payload, "status") == Some("open") => (
            EventType::InvoiceIssued,
            about("invoice", "invoice")?,
            Audience::Contacts,
        ),
        "invoice.overdue" => (
            EventType::InvoiceOverdue,
            about("invoice", "invoice")?,
            Audience::Contacts,
        ),
        "invitation.sent" => (
            EventType::InvitationSent,
            about("invitation", "invitation")?,
            Audience::Nobody,
        ),
        kind @ ("security.new_device" | "security.password_changed" | "security.mfa_changed") => {
            let user = UserId::from_uuid(uuid(payload, "user")?);
            let event_type = kind.parse().ok()?;
            (event_type, about("user", "user")?, Audience::Person(user))
        }
        _ => return None,
    };
    let thread = if event_type == EventType::MessagePosted {
        Some(serde_json::from_value(payload.get("subject")?.clone()).ok()?)
    } else {
        None
    };
    Some(Classified {
        event_type,
        object,
        client,
        project,
        audience,
        thread,
    })
}

#[cfg(test)]
mod tests {
    use portal_core::model::OutboxStatus;
    use portal_core::{ApprovalId, OutboxEventId, TenantId};
    use serde_json::json;
    use time::OffsetDateTime;

    use super::*;

    fn row(kind: &str, payload: Value) -> OutboxEvent {
        OutboxEvent {
            id: OutboxEventId::new(),
            tenant: TenantId::new(),
            kind: kind.into(),
            payload,
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: OffsetDateTime::UNIX_EPOCH,
            last_error: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn published_objects_reach_contacts_by_kind() {
        let id = Uuid::now_v7();
        let client = ClientId::new();
        let event = row(
            "object.published",
            json!({ "kind": "milestone", "id": id, "client": client, "project": null }),
        );
        let classified = classify(&event).unwrap();
        assert_eq!(classified.event_type, EventType::MilestonePublished);
        assert_eq!(classified.object.id, id);
        assert_eq!(classified.client, Some(client));
        assert_eq!(classified.audience, Audience::Contacts);
        let task = row("object.published", json!({ "kind": "task", "id": id }));
        assert_eq!(classify(&task), None);
    }

    #[test]
    fn only_completed_milestones_and_issued_invoices_count() {
        let id = Uuid::now_v7();
        let done = row(
            "milestone.moved",
            json!({ "milestone": id, "status": "done" }),
        );
        assert_eq!(
            classify(&done).unwrap().event_type,
            EventType::MilestoneCompleted
        );
        let started = row(
            "milestone.moved",
            json!({ "milestone": id, "status": "in_progress" }),
        );
        assert_eq!(classify(&started), None);
        let draft = row(
            "invoice.changed",
            json!({ "invoice": id, "status": "draft" }),
        );
        assert_eq!(classify(&draft), None);
        let open = row(
            "invoice.changed",
            json!({ "invoice": id, "status": "open" }),
        );
        assert_eq!(
            classify(&open).unwrap().event_type,
            EventType::InvoiceIssued
        );
    }

    #[test]
    fn messages_carry_their_thread() {
        let approval = ApprovalId::new();
        let event = row(
            "message.posted",
            json!({
                "message": Uuid::now_v7(),
                "thread": Uuid::now_v7(),
                "client": ClientId::new(),
                "subject": ThreadSubject::Approval(approval),
                "shared": true,
            }),
        );
        let classified = classify(&event).unwrap();
        assert_eq!(classified.audience, Audience::Everyone);
        assert_eq!(classified.thread, Some(ThreadSubject::Approval(approval)));
    }

    #[test]
    fn decisions_and_submissions_go_to_staff_and_security_to_the_person() {
        let id = Uuid::now_v7();
        let decided = row("approval.decided", json!({ "approval": id }));
        assert_eq!(classify(&decided).unwrap().audience, Audience::Staff);
        let submitted = row("request.submitted", json!({ "request": id }));
        assert_eq!(classify(&submitted).unwrap().audience, Audience::Staff);
        let user = UserId::new();
        let security = row("security.password_changed", json!({ "user": user }));
        let classified = classify(&security).unwrap();
        assert_eq!(classified.audience, Audience::Person(user));
        assert_eq!(classified.event_type, EventType::SecurityPasswordChanged);
        let invited = row("invitation.sent", json!({ "invitation": id }));
        assert_eq!(classify(&invited).unwrap().audience, Audience::Nobody);
        assert_eq!(classify(&row("role.changed", json!({}))), None);
        assert_eq!(classify(&row("approval.requested", json!({}))), None);
    }
}
