#![doc = include_str!("../README.md")]

mod read;
mod schema;
mod store;

pub use store::{CHUNK_SIZE, SqliteBlobStore};
