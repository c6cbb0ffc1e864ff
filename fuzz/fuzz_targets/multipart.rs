//! Fuzz target `multipart`: the checks are in `portal_fuzz::multipart`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portal_fuzz::multipart::check(data));
