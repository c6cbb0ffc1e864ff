//! Stored values of the work records that [`convert`](super::convert) does not cover: visibility,
//! project status, task owners, thread subjects, money, schedules and the people who acted.
//!
//! As there, a stored value that breaks its rules is a backend error naming the column.

use portal_core::model::{ProjectStatus, TaskOwner, ThreadSubject};
use portal_core::{
    ApprovalId, Currency, DateRange, DeliverableId, DocumentId, Money, ProjectId, RequestId,
    TaskId, TenantScope, UserId, Visibility,
};
use time::Date;
use uuid::Uuid;

use super::convert::corrupt;
use crate::StoreResult;

/// The stored name of a visibility.
pub(super) const fn visibility_name(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Internal => "internal",
        Visibility::Shared => "shared",
    }
}

/// A visibility from its stored name.
pub(super) fn visibility(name: &str) -> StoreResult<Visibility> {
    match name {
        "internal" => Ok(Visibility::Internal),
        "shared" => Ok(Visibility::Shared),
        other => Err(corrupt(
            "visibility",
            format_args!("unknown visibility `{other}`"),
        )),
    }
}

/// A project status from its stored name.
pub(super) fn project_status(name: &str) -> StoreResult<ProjectStatus> {
    ProjectStatus::from_name(name)
        .ok_or_else(|| corrupt("status", format_args!("unknown project status `{name}`")))
}

/// The stored name of a task owner.
pub(super) const fn task_owner_name(owner: TaskOwner) -> &'static str {
    match owner {
        TaskOwner::Client => "client",
        TaskOwner::Team => "team",
    }
}

/// A task owner from its stored name.
pub(super) fn task_owner(name: &str) -> StoreResult<TaskOwner> {
    match name {
        "client" => Ok(TaskOwner::Client),
        "team" => Ok(TaskOwner::Team),
        other => Err(corrupt(
            "owner",
            format_args!("unknown task owner `{other}`"),
        )),
    }
}

/// A thread subject as its stored kind and id.
pub(super) const fn subject_parts(subject: ThreadSubject) -> (&'static str, Uuid) {
    match subject {
        ThreadSubject::Project(id) => ("project", *id.as_uuid()),
        ThreadSubject::Deliverable(id) => ("deliverable", *id.as_uuid()),
        ThreadSubject::Document(id) => ("document", *id.as_uuid()),
        ThreadSubject::Approval(id) => ("approval", *id.as_uuid()),
        ThreadSubject::Request(id) => ("request", *id.as_uuid()),
        ThreadSubject::Task(id) => ("task", *id.as_uuid()),
    }
}

/// A thread subject from its stored kind and id.
pub(super) fn subject(kind: &str, id: Uuid) -> StoreResult<ThreadSubject> {
    Ok(match kind {
        "project" => ThreadSubject::Project(ProjectId::from_uuid(id)),
        "deliverable" => ThreadSubject::Deliverable(DeliverableId::from_uuid(id)),
        "document" => ThreadSubject::Document(DocumentId::from_uuid(id)),
        "approval" => ThreadSubject::Approval(ApprovalId::from_uuid(id)),
        "request" => ThreadSubject::Request(RequestId::from_uuid(id)),
        "task" => ThreadSubject::Task(TaskId::from_uuid(id)),
        other => {
            return Err(corrupt(
                "subject_kind",
                format_args!("unknown subject kind `{other}`"),
            ));
        }
    })
}

/// Money from its amount and currency columns.
pub(super) fn money(amount_minor: i64, currency: &str) -> StoreResult<Money> {
    let currency = Currency::parse(currency).map_err(|error| corrupt("currency", error))?;
    Ok(Money::new(amount_minor, currency))
}

/// Optional money: both columns set, or neither.
pub(super) fn money_opt(
    amount_minor: Option<i64>,
    currency: Option<&str>,
) -> StoreResult<Option<Money>> {
    match (amount_minor, currency) {
        (Some(amount), Some(currency)) => money(amount, currency).map(Some),
        (None, None) => Ok(None),
        _ => Err(corrupt(
            "budget",
            "amount and currency must be set together",
        )),
    }
}

/// An optional date range from its two columns: both set, or neither.
pub(super) fn date_range(start: Option<Date>, end: Option<Date>) -> StoreResult<Option<DateRange>> {
    match (start, end) {
        (Some(start), Some(end)) => DateRange::new(start, end)
            .map(Some)
            .map_err(|error| corrupt("schedule", error)),
        (None, None) => Ok(None),
        _ => Err(corrupt("schedule", "start and end must be set together")),
    }
}

/// The person a record names (author, uploader, requester), stored as `NULL` when a background
/// job acted: the record then shows the nil id, which no user ever has, as the memory store does.
pub(super) fn person(id: Option<Uuid>) -> UserId {
    UserId::from_uuid(id.unwrap_or_else(Uuid::nil))
}

/// The stored form of the person acting through `scope`: `NULL` for a background job, so the
/// foreign key to the user table holds.
pub(super) fn acting_person(scope: &TenantScope) -> Option<Uuid> {
    scope.principal().user_id().map(|user| *user.as_uuid())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::StoreError;

    #[test]
    fn names_round_trip_and_unknown_ones_are_corrupt() {
        for v in [Visibility::Internal, Visibility::Shared] {
            assert_eq!(visibility(visibility_name(v)).unwrap(), v);
        }
        for o in [TaskOwner::Client, TaskOwner::Team] {
            assert_eq!(task_owner(task_owner_name(o)).unwrap(), o);
        }
        let id = Uuid::now_v7();
        for s in [
            ThreadSubject::Project(ProjectId::from_uuid(id)),
            ThreadSubject::Task(TaskId::from_uuid(id)),
        ] {
            let (kind, uuid) = subject_parts(s);
            assert_eq!(subject(kind, uuid).unwrap(), s);
        }
        assert!(matches!(visibility("public"), Err(StoreError::Backend(_))));
        assert!(matches!(
            project_status("lost"),
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(
            subject("invoice", id),
            Err(StoreError::Backend(_))
        ));
    }

    #[test]
    fn paired_columns_must_agree() {
        assert!(money_opt(Some(1), None).is_err());
        assert_eq!(money_opt(None, None).unwrap(), None);
        assert_eq!(
            money_opt(Some(150), Some("EUR"))
                .unwrap()
                .unwrap()
                .amount_minor,
            150
        );
        assert!(date_range(Some(date!(2026 - 01 - 02)), None).is_err());
        assert!(date_range(Some(date!(2026 - 01 - 02)), Some(date!(2026 - 01 - 01))).is_err());
        assert_eq!(person(None), UserId::from_uuid(Uuid::nil()));
    }
}
