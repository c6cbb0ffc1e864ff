//! [`ProjectExportSource`]: a worked pull connector that reads a project-management tool's task
//! export — Asana's CSV export or its JSON task list — and feeds one client's projects,
//! milestones and deliverables.
//!
//! # The layouts
//!
//! **CSV** (Asana's "Export → CSV" of a project): a header row, then one task per row. The
//! columns read, by header name (order free, others ignored):
//!
//! | column | required | becomes |
//! | --- | --- | --- |
//! | `Task ID` | yes | the deliverable's external id (`<prefix>task:<Task ID>`) |
//! | `Name` | yes | the deliverable's title |
//! | `Section/Column` | yes | the milestone (blank: a milestone named `No section`) |
//! | `Projects` | yes | the project: the first name of the comma-separated list |
//! | `Due Date` | no | the deliverable's due day, `YYYY-MM-DD`; a milestone is due on its latest task's day |
//! | `Completed At` | no | read and checked (`YYYY-MM-DD`), kept on [`ExportTask`] |
//! | `Notes` | no | read, kept on [`ExportTask`] |
//!
//! A UTF-8 byte-order mark, quoted fields (with commas, quotes or line breaks) and short rows
//! are read as any spreadsheet writes them.
//!
//! **JSON** (Asana's task objects, as its API and JSON export give them): a list of task
//! objects, or `{"data": [...]}` around it. Fields read: `gid` (string or number), `name`,
//! `due_on` (`YYYY-MM-DD` or null), `completed_at` (RFC 3339 or `YYYY-MM-DD`, or null), `notes`,
//! and `memberships: [{"project": {"name"}, "section": {"name"}}]`, whose first entry names the
//! project and section.
//!
//! # The mapping
//!
//! Every project named becomes a project item of the client named in the config
//! (`<prefix>project:<project name>`), every section of a project a milestone
//! (`<prefix>section:<project name>/<section name>`, in order of first appearance, positions from
//! 1), every task a deliverable of its section's milestone. The items come in that order, so
//! parents precede children. The portal's deliverable and milestone status follows approvals,
//! not the source: a completed task is not marked done (the sync items carry no status), and
//! notes are not copied. A renamed section or project is a new milestone or project (the export
//! has no ids for them); a task keeps its identity through its `Task ID`.
//!
//! # Bad records
//!
//! A task that cannot be read — a blank `Task ID` or `Name`, no project, a bad date, a `Task ID`
//! seen before — is left out with a [`RowError`] naming its row and column;
//! the rest of the file is read all the same. Only an unreadable file or header, or a missing
//! required column, fails the whole pull.

mod csv_layout;
mod json_layout;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use time::Date;

use crate::{
    DeliverableItem, DeliverableKind, MilestoneItem, MilestoneKind, ProjectItem, ProjectKind, Pull,
    RowError, SourceError, SyncItem, SyncSource,
};

/// The milestone of tasks in no section.
pub const NO_SECTION: &str = "No section";

/// The layout of an export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportFormat {
    /// Asana's CSV export.
    Csv,
    /// Asana's JSON task objects.
    Json,
}

impl ExportFormat {
    /// The format told by a file's extension (`.csv`, `.json`, any case).
    #[must_use]
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// Where an export is and whose work it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectExportConfig {
    path: PathBuf,
    format: Option<ExportFormat>,
    client_external_id: String,
    id_prefix: String,
    name: String,
}

impl ProjectExportConfig {
    /// The export at `path`, whose projects belong to the client with `client_external_id`
    /// (synced before, by the sync API or another source). The format follows the extension,
    /// external ids start with `asana:`.
    pub fn new(path: impl Into<PathBuf>, client_external_id: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            format: None,
            client_external_id: client_external_id.into(),
            id_prefix: "asana:".to_owned(),
            name: "project-export".to_owned(),
        }
    }

    /// Reads the file as `format`, whatever its extension.
    #[must_use]
    pub const fn with_format(mut self, format: ExportFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// Starts every external id with `prefix`, so two tools (or two workspaces of one) never
    /// name the same object.
    #[must_use]
    pub fn with_id_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.id_prefix = prefix.into();
        self
    }

    /// The source's name in reports and logs.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The export file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The format to read: the given one, else the extension's.
    pub fn format(&self) -> Result<ExportFormat, SourceError> {
        self.format
            .or_else(|| ExportFormat::from_path(&self.path))
            .ok_or_else(|| SourceError::UnknownFormat {
                path: self.path.clone(),
            })
    }
}

/// One task of an export, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportTask {
    /// Where it is in the file (see [`RowError::row`]).
    pub row: usize,
    /// The tool's id of the task.
    pub task_id: String,
    /// Its name.
    pub name: String,
    /// The project it belongs to.
    pub project: String,
    /// Its section, if any.
    pub section: Option<String>,
    /// When it is due.
    pub due_on: Option<Date>,
    /// When it was completed.
    pub completed_on: Option<Date>,
    /// Its notes.
    pub notes: String,
}

/// An export file read: its tasks and the rows left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Export {
    /// The tasks, in the file's order.
    pub tasks: Vec<ExportTask>,
    /// The rows left out, each with why.
    pub rejected: Vec<RowError>,
}

impl Export {
    /// Reads an export held in memory.
    pub fn parse(format: ExportFormat, bytes: &[u8]) -> Result<Self, SourceError> {
        let mut export = match format {
            ExportFormat::Csv => csv_layout::parse(bytes)?,
            ExportFormat::Json => json_layout::parse(bytes)?,
        };
        export.drop_repeated_ids();
        Ok(export)
    }

    /// Leaves out a task whose id an earlier row had: one task, one deliverable.
    fn drop_repeated_ids(&mut self) {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut rejected = Vec::new();
        self.tasks.retain(|task| match seen.get(&task.task_id) {
            Some(first) => {
                rejected.push(RowError::new(
                    task.row,
                    "Task ID",
                    format!("repeats the task of row {first}"),
                ));
                false
            }
            None => {
                seen.insert(task.task_id.clone(), task.row);
                true
            }
        });
        self.rejected.append(&mut rejected);
        self.rejected.sort_by_key(|error| error.row);
    }
}

/// A pull connector over a project-management tool's export file (see the module docs for the
/// layouts and the mapping).
#[derive(Debug, Clone)]
pub struct ProjectExportSource {
    config: ProjectExportConfig,
}

impl ProjectExportSource {
    /// A source reading the export `config` names.
    #[must_use]
    pub const fn new(config: ProjectExportConfig) -> Self {
        Self { config }
    }

    /// Reads and checks the file, without mapping it to items.
    pub async fn read(&self) -> Result<Export, SourceError> {
        let format = self.config.format()?;
        let bytes =
            tokio::fs::read(&self.config.path)
                .await
                .map_err(|source| SourceError::Read {
                    path: self.config.path.clone(),
                    source,
                })?;
        Export::parse(format, &bytes)
    }

    /// The items of `tasks`: projects, then milestones, then deliverables.
    #[must_use]
    pub fn items(&self, tasks: &[ExportTask]) -> Vec<SyncItem> {
        let prefix = &self.config.id_prefix;
        let mut projects: Vec<&str> = Vec::new();
        // Per (project, section): its milestone item, built as tasks come.
        let mut milestones: Vec<MilestoneItem> = Vec::new();
        let mut milestone_of: HashMap<(&str, &str), usize> = HashMap::new();
        let mut positions: HashMap<&str, i32> = HashMap::new();
        let mut deliverables = Vec::with_capacity(tasks.len());
        for task in tasks {
            let project = task.project.as_str();
            if !projects.contains(&project) {
                projects.push(project);
            }
            let section = task.section.as_deref().unwrap_or(NO_SECTION);
            let slot = *milestone_of.entry((project, section)).or_insert_with(|| {
                let position = positions.entry(project).or_insert(0);
                *position += 1;
                milestones.push(MilestoneItem {
                    kind: MilestoneKind::Milestone,
                    external_id: format!("{prefix}section:{}/{section}", escape(project)),
                    project_external_id: Some(project_id(prefix, project)),
                    project_id: None,
                    title: section.to_owned(),
                    due_on: None,
                    position: *position,
                });
                milestones.len() - 1
            });
            if let (Some(due), Some(milestone)) = (task.due_on, milestones.get_mut(slot)) {
                milestone.due_on = Some(latest(milestone.due_on.as_deref(), due));
            }
            let milestone_external_id = milestones
                .get(slot)
                .map(|milestone| milestone.external_id.clone());
            deliverables.push(DeliverableItem {
                kind: DeliverableKind::Deliverable,
                external_id: format!("{prefix}task:{}", task.task_id),
                milestone_external_id,
                milestone_id: None,
                title: task.name.clone(),
                due_on: task.due_on.map(|day| day.to_string()),
            });
        }
        let projects = projects.into_iter().map(|name| {
            SyncItem::Project(ProjectItem {
                kind: ProjectKind::Project,
                external_id: project_id(prefix, name),
                client_external_id: Some(self.config.client_external_id.clone()),
                client_id: None,
                name: name.to_owned(),
                description: String::new(),
                status: None,
                schedule: None,
                budget: None,
            })
        });
        projects
            .chain(milestones.into_iter().map(SyncItem::Milestone))
            .chain(deliverables.into_iter().map(SyncItem::Deliverable))
            .collect()
    }
}

#[async_trait]
impl SyncSource for ProjectExportSource {
    fn name(&self) -> &str {
        &self.config.name
    }

    async fn pull(&self) -> Result<Vec<SyncItem>, SourceError> {
        Ok(self.pull_report().await?.items)
    }

    async fn pull_report(&self) -> Result<Pull, SourceError> {
        let export = self.read().await?;
        for rejected in &export.rejected {
            tracing::warn!(source = %self.config.name, %rejected, "export row left out");
        }
        Ok(Pull {
            items: self.items(&export.tasks),
            rejected: export.rejected,
        })
    }
}

/// A project's external id.
fn project_id(prefix: &str, name: &str) -> String {
    format!("{prefix}project:{name}")
}

/// A project name as part of a section's external id: `/` and `%` escaped, so that
/// `a/b` + `c` and `a` + `b/c` stay two sections.
fn escape(name: &str) -> String {
    name.replace('%', "%25").replace('/', "%2F")
}

/// The later of a stored `YYYY-MM-DD` day and `day`.
fn latest(current: Option<&str>, day: Date) -> String {
    let day = day.to_string();
    match current {
        Some(current) if current >= day.as_str() => current.to_owned(),
        _ => day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_task_id_is_left_out_naming_the_first_row() {
        let export = Export::parse(
            ExportFormat::Csv,
            b"Task ID,Name,Section/Column,Projects\n1,A,S,P\n2,B,S,P\n1,C,S,P\n",
        )
        .unwrap();
        let names: Vec<_> = export.tasks.iter().map(|task| task.name.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(
            export.rejected,
            [RowError::new(4, "Task ID", "repeats the task of row 2")]
        );
    }

    #[test]
    fn sections_of_projects_with_slashes_keep_apart() {
        let export = Export::parse(
            ExportFormat::Csv,
            b"Task ID,Name,Section/Column,Projects\n1,A,c,a/b\n2,B,b/c,a\n",
        )
        .unwrap();
        let source = ProjectExportSource::new(
            ProjectExportConfig::new("x.csv", "crm-1").with_id_prefix("pm:"),
        );
        let ids: Vec<_> = source
            .items(&export.tasks)
            .iter()
            .map(|item| item.external_id().to_owned())
            .collect();
        assert_eq!(
            ids,
            [
                "pm:project:a/b",
                "pm:project:a",
                "pm:section:a%2Fb/c",
                "pm:section:a/b/c",
                "pm:task:1",
                "pm:task:2",
            ]
        );
    }

    #[test]
    fn the_format_follows_the_extension_unless_named() {
        let config = ProjectExportConfig::new("export.JSON", "crm-1");
        assert_eq!(config.format().unwrap(), ExportFormat::Json);
        let config = ProjectExportConfig::new("export.txt", "crm-1");
        assert!(matches!(
            config.format(),
            Err(SourceError::UnknownFormat { .. })
        ));
        assert_eq!(
            config.with_format(ExportFormat::Csv).format().unwrap(),
            ExportFormat::Csv
        );
    }
}
