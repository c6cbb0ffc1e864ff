//! Asana's CSV export: a header row naming the columns, then one task per row.

use csv::StringRecord;
use time::Date;

use super::{Export, ExportTask};
use crate::{RowError, SourceError};

/// The columns read, as the header names them.
const TASK_ID: &str = "Task ID";
const NAME: &str = "Name";
const SECTION: &str = "Section/Column";
const PROJECTS: &str = "Projects";
const DUE_DATE: &str = "Due Date";
const COMPLETED_AT: &str = "Completed At";
const NOTES: &str = "Notes";

/// Where each column read sits in a row.
struct Columns {
    task_id: usize,
    name: usize,
    section: usize,
    projects: usize,
    due_date: Option<usize>,
    completed_at: Option<usize>,
    notes: Option<usize>,
}

impl Columns {
    fn find(header: &StringRecord) -> Result<Self, SourceError> {
        let optional = |column: &str| header.iter().position(|name| name.trim() == column);
        let required =
            |column: &'static str| optional(column).ok_or(SourceError::MissingColumn { column });
        Ok(Self {
            task_id: required(TASK_ID)?,
            name: required(NAME)?,
            section: required(SECTION)?,
            projects: required(PROJECTS)?,
            due_date: optional(DUE_DATE),
            completed_at: optional(COMPLETED_AT),
            notes: optional(NOTES),
        })
    }
}

/// Reads a CSV export; a bad row is left out with why, the others are read.
pub(super) fn parse(bytes: &[u8]) -> Result<Export, SourceError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let columns = Columns::find(reader.headers().map_err(SourceError::Csv)?)?;
    let mut export = Export::default();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let row = record.position().map_or(0, row_of);
                match task(&columns, row, &record) {
                    Ok(task) => export.tasks.push(task),
                    Err(error) => export.rejected.push(error),
                }
            }
            Err(error) => export.rejected.push(RowError::new(
                error.position().map_or(0, row_of),
                "",
                error.to_string(),
            )),
        }
    }
    Ok(export)
}

/// A record's row: the line it starts on, the header being line 1.
fn row_of(position: &csv::Position) -> usize {
    usize::try_from(position.line()).unwrap_or(usize::MAX)
}

/// The task of one row.
fn task(columns: &Columns, row: usize, record: &StringRecord) -> Result<ExportTask, RowError> {
    let cell = |index: usize| record.get(index).unwrap_or_default();
    let optional = |index: Option<usize>| index.map(cell).unwrap_or_default();
    let required = |index: usize, column: &str| {
        let text = cell(index);
        if text.is_empty() {
            Err(RowError::new(row, column, "is empty"))
        } else {
            Ok(text.to_owned())
        }
    };
    let project = cell(columns.projects)
        .split(',')
        .map(str::trim)
        .find(|name| !name.is_empty())
        .ok_or_else(|| RowError::new(row, PROJECTS, "names no project"))?;
    Ok(ExportTask {
        row,
        task_id: required(columns.task_id, TASK_ID)?,
        name: required(columns.name, NAME)?,
        project: project.to_owned(),
        section: Some(cell(columns.section))
            .filter(|text| !text.is_empty())
            .map(str::to_owned),
        due_on: day(row, DUE_DATE, optional(columns.due_date))?,
        completed_on: day(row, COMPLETED_AT, optional(columns.completed_at))?,
        notes: optional(columns.notes).to_owned(),
    })
}

/// An optional `YYYY-MM-DD` cell.
pub(super) fn day(row: usize, column: &str, text: &str) -> Result<Option<Date>, RowError> {
    if text.is_empty() {
        return Ok(None);
    }
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(Some)
    .map_err(|_| RowError::new(row, column, format!("`{text}` is not a day (YYYY-MM-DD)")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const HEADER: &str = "Task ID,Created At,Completed At,Last Modified,Name,Section/Column,Assignee,Assignee Email,Start Date,Due Date,Tags,Notes,Projects,Parent task\n";

    fn read(body: &str) -> Export {
        parse(format!("{HEADER}{body}").as_bytes()).unwrap()
    }

    #[test]
    fn a_good_file_gives_one_task_per_row() {
        let export = read(
            "1201,2024-01-02,2024-02-01,2024-02-01,Research report,Discovery,Ann,ann@example.com,,2024-01-31,,Interviews,Website,\n\
             1202,2024-01-02,,2024-01-03,Wireframes,,,,,,,,Website,\n",
        );
        assert_eq!(export.rejected, []);
        assert_eq!(
            export.tasks,
            [
                ExportTask {
                    row: 2,
                    task_id: "1201".into(),
                    name: "Research report".into(),
                    project: "Website".into(),
                    section: Some("Discovery".into()),
                    due_on: Some(date!(2024 - 01 - 31)),
                    completed_on: Some(date!(2024 - 02 - 01)),
                    notes: "Interviews".into(),
                },
                ExportTask {
                    row: 3,
                    task_id: "1202".into(),
                    name: "Wireframes".into(),
                    project: "Website".into(),
                    section: None,
                    due_on: None,
                    completed_on: None,
                    notes: String::new(),
                },
            ]
        );
    }

    #[test]
    fn a_missing_required_column_fails_the_file() {
        let error = parse(b"Task ID,Name,Projects\n1,A,Website\n").unwrap_err();
        assert!(
            matches!(
                error,
                SourceError::MissingColumn {
                    column: "Section/Column"
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn optional_columns_may_be_missing() {
        let export = parse(b"Name,Projects,Section/Column,Task ID\nA,Website,S,1\n").unwrap();
        assert_eq!(export.rejected, []);
        assert_eq!(export.tasks[0].task_id, "1");
        assert_eq!(export.tasks[0].due_on, None);
    }

    #[test]
    fn a_bad_date_leaves_out_its_row_only_naming_row_and_column() {
        let export = read(
            "1,,,,A,S,,,,31/01/2024,,,Website,\n\
             2,,not-a-day,,B,S,,,,,,,Website,\n\
             3,,,,C,S,,,,2024-02-30,,,Website,\n\
             4,,,,D,S,,,,2024-02-29,,,Website,\n",
        );
        assert_eq!(
            export.rejected,
            [
                RowError::new(2, "Due Date", "`31/01/2024` is not a day (YYYY-MM-DD)"),
                RowError::new(3, "Completed At", "`not-a-day` is not a day (YYYY-MM-DD)"),
                RowError::new(4, "Due Date", "`2024-02-30` is not a day (YYYY-MM-DD)"),
            ]
        );
        assert_eq!(export.tasks.len(), 1);
        assert_eq!(export.tasks[0].name, "D");
        assert_eq!(export.tasks[0].row, 5);
    }

    #[test]
    fn blank_ids_names_and_projects_are_refused_by_column() {
        let export = read(
            ",,,,A,S,,,,,,,Website,\n\
             2,,,,,S,,,,,,,Website,\n\
             3,,,,C,S,,,,,,, ,\n",
        );
        let columns: Vec<_> = export.rejected.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["Task ID", "Name", "Projects"]);
        assert!(export.tasks.is_empty());
    }

    #[test]
    fn quoted_commas_quotes_and_line_breaks_stay_in_their_cell() {
        let export = read(
            "7,,,,\"Logo, final \"\"v2\"\"\",\"Design, phase 1\",,,,,,\"line one\nline two\",\"Brand, Inc site, Intranet\",\n\
             8,,,,Next,S,,,,,,,Website,\n",
        );
        assert_eq!(export.rejected, []);
        let task = &export.tasks[0];
        assert_eq!(task.name, "Logo, final \"v2\"");
        assert_eq!(task.section.as_deref(), Some("Design, phase 1"));
        assert_eq!(task.notes, "line one\nline two");
        // A task in several projects belongs to the first one listed.
        assert_eq!(task.project, "Brand");
        // The next record starts on the line after the quoted line break.
        assert_eq!(export.tasks[1].row, 4);
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_column() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(b"Task ID,Name,Section/Column,Projects\n1,A,S,Website\n");
        let export = parse(&bytes).unwrap();
        assert_eq!(export.rejected, []);
        assert_eq!(export.tasks[0].task_id, "1");
    }

    #[test]
    fn a_short_row_reads_missing_cells_as_blank() {
        let export =
            parse(b"Task ID,Name,Section/Column,Projects,Due Date\n1,A,S,Website\n").unwrap();
        assert_eq!(export.rejected, []);
        assert_eq!(export.tasks[0].due_on, None);
    }
}
