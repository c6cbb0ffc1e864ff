#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod analytics;
pub mod blob;
mod changes;
mod error;
pub mod lifecycle;
mod memory;
mod page;
pub mod rules;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqlite", feature = "postgres"))))]
pub mod sql;
mod stores;
pub mod traits;

pub use changes::{ChangeFeed, ChangeStamp, NoChangeFeed};
pub use error::{StoreError, StoreResult};
pub use memory::MemoryStore;
pub use page::{Cursor, Page, Paged};
pub use stores::{Backend, Stores};
pub use traits::*;

pub use portal_core::TenantScope;
