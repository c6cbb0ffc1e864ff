//! Fuzz target `file_name`: the checks are in `portal_fuzz::file_name`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portal_fuzz::file_name::check(data));
