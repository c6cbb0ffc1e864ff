#![doc = include_str!("../README.md")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a conformance suite is a test: a failed step must stop it loudly"
)]

pub mod blob;
mod harness;
pub mod stores;
pub mod tamper;

pub use harness::{Harness, IntoHarness, Tamper};
