//! Fuzz target `tokens`: the checks are in `portal_fuzz::tokens`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portal_fuzz::tokens::check(data));
