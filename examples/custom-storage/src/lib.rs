#![doc = include_str!("../README.md")]

mod read;
mod schema;
mod store;
mod upload;

pub use store::{CHUNK_SIZE, SqliteBlobStore};
