#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod apply;
mod error;
pub mod export;
mod fields;
mod item;
mod source;

pub use apply::{Applied, Batch};
pub use error::SyncError;
pub use fields::MoneyBody;
pub use item::{
    ClientItem, ClientKind, DeliverableItem, DeliverableKind, InvoiceItem, InvoiceKind,
    MilestoneItem, MilestoneKind, ProjectItem, ProjectKind, SyncItem, SyncSchedule,
};
pub use source::{ItemFailure, Pull, RowError, SourceError, SyncReport, SyncSource, run_source};

/// The most items applied together: one call of the sync API, one chunk of a pulled source.
pub const MAX_BATCH_ITEMS: usize = 1_000;
