//! Fuzz target `theme_css`: the checks are in `portal_fuzz::theme_css`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portal_fuzz::theme_css::check(data));
