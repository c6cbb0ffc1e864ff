//! Asana's JSON task objects: a list of tasks, or `{"data": [...]}` around it.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::csv_layout::day;
use super::{Export, ExportTask};
use crate::{RowError, SourceError};

/// Reads a JSON export; a bad task is left out with why, the others are read.
pub(super) fn parse(bytes: &[u8]) -> Result<Export, SourceError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let document: Value = serde_json::from_slice(bytes).map_err(SourceError::Json)?;
    let tasks = match document {
        Value::Array(tasks) => tasks,
        Value::Object(mut object) => match object.remove("data") {
            Some(Value::Array(tasks)) => tasks,
            _ => return Err(SourceError::NotAList),
        },
        _ => return Err(SourceError::NotAList),
    };
    let mut export = Export::default();
    for (index, value) in tasks.iter().enumerate() {
        let row = index + 1;
        let task = match value {
            Value::Object(object) => task(row, object),
            _ => Err(RowError::new(row, "", "is not a task object")),
        };
        match task {
            Ok(task) => export.tasks.push(task),
            Err(error) => export.rejected.push(error),
        }
    }
    Ok(export)
}

/// The task of one object.
fn task(row: usize, object: &Map<String, Value>) -> Result<ExportTask, RowError> {
    let task_id = match object.get("gid") {
        Some(Value::String(text)) if !text.trim().is_empty() => text.trim().to_owned(),
        Some(Value::Number(number)) => number.to_string(),
        _ => return Err(RowError::new(row, "gid", "must be a non-empty string")),
    };
    let name = text(row, object, "name")?
        .filter(|name| !name.is_empty())
        .ok_or_else(|| RowError::new(row, "name", "must be a non-empty string"))?;
    let (project, section) = membership(row, object)?;
    let due_on = day(
        row,
        "due_on",
        &text(row, object, "due_on")?.unwrap_or_default(),
    )?;
    let completed_on = completed(row, text(row, object, "completed_at")?.unwrap_or_default())?;
    Ok(ExportTask {
        row,
        task_id,
        name,
        project,
        section,
        due_on,
        completed_on,
        notes: text(row, object, "notes")?.unwrap_or_default(),
    })
}

/// An optional string field, trimmed; `null` and absent are none.
fn text(row: usize, object: &Map<String, Value>, field: &str) -> Result<Option<String>, RowError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.trim().to_owned())),
        Some(_) => Err(RowError::new(row, field, "must be a string")),
    }
}

/// The project and section of the first membership.
fn membership(
    row: usize,
    object: &Map<String, Value>,
) -> Result<(String, Option<String>), RowError> {
    let name_of = |value: Option<&Value>| {
        value
            .and_then(|value| value.get("name"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
    };
    let first = object
        .get("memberships")
        .and_then(Value::as_array)
        .and_then(|memberships| memberships.first());
    let project = name_of(first.and_then(|first| first.get("project"))).ok_or_else(|| {
        RowError::new(
            row,
            "memberships",
            "names no project (memberships[0].project.name)",
        )
    })?;
    Ok((
        project,
        name_of(first.and_then(|first| first.get("section"))),
    ))
}

/// `completed_at`: an RFC 3339 moment (its UTC day) or a plain day.
fn completed(row: usize, text: String) -> Result<Option<time::Date>, RowError> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(moment) = OffsetDateTime::parse(&text, &Rfc3339) {
        return Ok(Some(moment.to_offset(time::UtcOffset::UTC).date()));
    }
    day(row, "completed_at", &text).map_err(|_| {
        RowError::new(
            row,
            "completed_at",
            format!("`{text}` is neither an RFC 3339 moment nor a day"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn task_json(extra: &str) -> String {
        format!(
            r#"{{"gid": "1201", "name": "Research report", "due_on": "2024-01-31",
                "completed_at": "2024-02-01T23:30:00-02:00", "notes": "Interviews",
                "memberships": [{{"project": {{"gid": "9", "name": "Website"}},
                                  "section": {{"gid": "8", "name": "Discovery"}}}}]{extra}}}"#
        )
    }

    #[test]
    fn a_good_list_and_a_data_envelope_read_alike() {
        let list = parse(format!("[{}]", task_json("")).as_bytes()).unwrap();
        let envelope = parse(format!(r#"{{"data": [{}]}}"#, task_json("")).as_bytes()).unwrap();
        assert_eq!(list, envelope);
        assert_eq!(list.rejected, []);
        assert_eq!(
            list.tasks,
            [ExportTask {
                row: 1,
                task_id: "1201".into(),
                name: "Research report".into(),
                project: "Website".into(),
                section: Some("Discovery".into()),
                due_on: Some(date!(2024 - 01 - 31)),
                // 23:30 at UTC-2 is the next day in UTC.
                completed_on: Some(date!(2024 - 02 - 02)),
                notes: "Interviews".into(),
            }]
        );
    }

    #[test]
    fn bad_tasks_are_left_out_by_field_and_the_rest_is_read() {
        let body = format!(
            r#"[{}, {{"gid": "2", "name": "B", "due_on": "31/01/2024",
                      "memberships": [{{"project": {{"name": "Website"}}}}]}},
                {{"gid": "3", "name": "C", "memberships": []}},
                {{"gid": "4", "name": 5, "memberships": [{{"project": {{"name": "W"}}}}]}},
                "not an object",
                {{"gid": 5, "name": "E, with a comma", "due_on": null,
                  "memberships": [{{"project": {{"name": "Website"}}, "section": null}}]}}]"#,
            task_json("")
        );
        let export = parse(body.as_bytes()).unwrap();
        let rejected: Vec<_> = export
            .rejected
            .iter()
            .map(|error| (error.row, error.column.as_str()))
            .collect();
        assert_eq!(
            rejected,
            [(2, "due_on"), (3, "memberships"), (4, "name"), (5, "")]
        );
        let names: Vec<_> = export.tasks.iter().map(|task| task.name.as_str()).collect();
        assert_eq!(names, ["Research report", "E, with a comma"]);
        assert_eq!(export.tasks[1].task_id, "5");
        assert_eq!(export.tasks[1].section, None);
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(format!("[{}]", task_json("")).as_bytes());
        assert_eq!(parse(&bytes).unwrap().tasks.len(), 1);
    }

    #[test]
    fn a_document_that_is_not_a_list_fails_the_file() {
        assert!(matches!(
            parse(b"{\"tasks\": []}"),
            Err(SourceError::NotAList)
        ));
        assert!(matches!(parse(b"[{"), Err(SourceError::Json(_))));
    }
}
