//! The checks behind the fuzz targets, one module per target. Each `check` takes the fuzzer's
//! bytes and panics (an assertion) when the code under test breaks a property it promises, so
//! the same checks run under libFuzzer (`fuzz_targets/`) and over the committed seeds in a plain
//! `cargo test` (`tests/seeds.rs`).

pub mod file_name;
pub mod multipart;
pub mod theme_css;
pub mod tokens;

/// `portal-notify`'s webhook signature module, compiled here from its own source file: the
/// module needs only `hmac`, `sha2`, `subtle`, `thiserror` and `time`, while the crate would bring its SMTP
/// and HTTPS clients (lettre, reqwest, rustls, aws-lc) into every fuzz build.
#[path = "../../portal-notify/src/webhook/signature.rs"]
pub mod webhook_signature;
