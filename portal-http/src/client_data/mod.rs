//! Acts on everything of one client at once, shared by the JSON API and the pages.
//!
//! - [`export`]: one client's records and files as a zip archive, streamed.

pub mod export;
