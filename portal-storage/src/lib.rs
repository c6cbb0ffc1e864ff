#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod page;
pub mod rules;
mod stores;
pub mod traits;

pub use error::{StoreError, StoreResult};
pub use page::{Cursor, Page, Paged};
pub use stores::{Backend, Stores};
pub use traits::*;

pub use portal_core::TenantScope;
