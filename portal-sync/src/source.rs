//! Pull connectors: a [`SyncSource`] reads another tool's data as sync items, and
//! [`run_source`] applies them through the same path as the sync API.

use std::path::PathBuf;

use async_trait::async_trait;
use portal_core::TenantScope;
use portal_core::model::AuditContext;
use portal_storage::Stores;

use crate::{Batch, MAX_BATCH_ITEMS, SyncError, SyncItem};

/// A pull connector: something that reads another tool's data (an export file, an API) and
/// answers it as sync items.
///
/// A source reads, never writes: [`run_source`] applies what it pulls, by the scope it is given,
/// so a source holds no scope and cannot reach the stores. Items come in dependency order — a
/// client before its projects, a project before its milestones, a milestone before its
/// deliverables — because an item names its parent by external id and the parent must exist
/// (from an earlier item or an earlier run) when the item is applied.
#[async_trait]
pub trait SyncSource: Send + Sync {
    /// A short name for logs and reports, e.g. `asana-export`.
    fn name(&self) -> &str;

    /// Reads the source's current state as items, in dependency order.
    async fn pull(&self) -> Result<Vec<SyncItem>, SourceError>;

    /// Reads like [`pull`](Self::pull) and also answers the records that could not be read, so
    /// a report can name them. Sources that refuse records one by one override it; the default
    /// has none.
    async fn pull_report(&self) -> Result<Pull, SourceError> {
        Ok(Pull {
            items: self.pull().await?,
            rejected: Vec::new(),
        })
    }
}

/// What a source read: the items to apply and the records it had to leave out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pull {
    /// The items, in dependency order.
    pub items: Vec<SyncItem>,
    /// The records left out, each with why.
    pub rejected: Vec<RowError>,
}

/// One record of a source that could not be read; the others are read all the same.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}, column `{column}`: {reason}")]
pub struct RowError {
    /// Where the record is: for a CSV file the line it starts on (the header is row 1), for a
    /// JSON list its place from 1.
    pub row: usize,
    /// The column (or JSON field) at fault; empty when the record as a whole is unreadable.
    pub column: String,
    /// What was wrong.
    pub reason: String,
}

impl RowError {
    /// A record refused for its `column`.
    pub fn new(row: usize, column: &str, reason: impl Into<String>) -> Self {
        Self {
            row,
            column: column.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Why a source could not be read or applied as a whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file's format is neither given nor told by its extension (`.csv`, `.json`).
    #[error("unknown export format of {}: name it or use a .csv or .json file", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The CSV file has no readable header row.
    #[error("unreadable CSV header")]
    Csv(#[source] csv::Error),
    /// The JSON file is not JSON.
    #[error("unreadable JSON")]
    Json(#[source] serde_json::Error),
    /// The JSON file is not a list of task objects (nor `{"data": [...]}`).
    #[error("the JSON export must be a list of task objects or {{\"data\": [...]}}")]
    NotAList,
    /// The header lacks a column the layout needs.
    #[error("the export has no `{column}` column")]
    MissingColumn {
        /// The column, as the header spells it.
        column: &'static str,
    },
    /// Applying stopped on a storage fault (not an item's own error): what was applied before
    /// stays, and a later run picks up the rest.
    #[error("applying the items failed")]
    Apply(#[source] SyncError),
    /// Any other failure of a source (a connector's own API call, say).
    #[error("the source failed")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What a run applied: counts, and each failure with why.
#[derive(Debug, Default)]
pub struct SyncReport {
    /// The source's name.
    pub source: String,
    /// Objects created.
    pub created: usize,
    /// Objects found by external id and updated (possibly unchanged).
    pub updated: usize,
    /// Items refused; [`failures`](Self::failures) says why.
    pub failed: usize,
    /// The batches the items were applied in (at most [`MAX_BATCH_ITEMS`] each).
    pub batches: usize,
    /// The refused items.
    pub failures: Vec<ItemFailure>,
    /// The source's records that never became items.
    pub rejected: Vec<RowError>,
}

/// One item that was not applied.
#[derive(Debug)]
pub struct ItemFailure {
    /// The item's place in the pulled list, from 0.
    pub index: usize,
    /// Its kind, e.g. `deliverable`.
    pub kind: &'static str,
    /// Its external id.
    pub external_id: String,
    /// Why.
    pub error: SyncError,
}

/// Pulls `source` and applies its items by `scope`, in batches of at most
/// [`MAX_BATCH_ITEMS`], exactly as the sync API applies a call's items: a failing item fails
/// alone, and running the same source again changes nothing that did not change at the source.
///
/// `scope` is the authority of the run: give it the scope an integration's API key would have
/// (the permissions of the sync API), not a system scope, so a source cannot write more than an
/// integration could. Audit events carry no address.
pub async fn run_source(
    source: &dyn SyncSource,
    stores: &Stores,
    scope: &TenantScope,
) -> Result<SyncReport, SourceError> {
    let pull = source.pull_report().await?;
    let mut report = SyncReport {
        source: source.name().to_owned(),
        rejected: pull.rejected,
        ..SyncReport::default()
    };
    let mut items = pull.items.into_iter().enumerate().peekable();
    while items.peek().is_some() {
        report.batches += 1;
        let mut batch = Batch::new(stores, scope, AuditContext::default());
        for (index, item) in items.by_ref().take(MAX_BATCH_ITEMS) {
            let (kind, external_id) = (item.kind(), item.external_id().to_owned());
            match batch.apply(item).await {
                Ok(applied) if applied.created => report.created += 1,
                Ok(_) => report.updated += 1,
                Err(error) if error.is_fault() => return Err(SourceError::Apply(error)),
                Err(error) => {
                    report.failed += 1;
                    report.failures.push(ItemFailure {
                        index,
                        kind,
                        external_id,
                        error,
                    });
                }
            }
        }
    }
    tracing::info!(
        source = %report.source,
        created = report.created,
        updated = report.updated,
        failed = report.failed,
        rejected = report.rejected.len(),
        "sync source applied"
    );
    Ok(report)
}
