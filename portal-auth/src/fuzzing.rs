//! Thin wrappers over internals that the fuzz targets in `fuzz/` exercise. Present only with the
//! `fuzzing` feature and hidden from the documentation; not part of the crate's API.

/// The characters of an API key's visible prefix.
pub const API_KEY_PREFIX_ALPHABET: &[u8; 32] = crate::api_key::PREFIX_ALPHABET;

/// A presented API key (`ptk_<prefix>_<secret>`) split into its prefix and secret, if it has
/// that shape.
#[must_use]
pub fn split_api_key(presented: &str) -> Option<(&str, &str)> {
    crate::api_key::split(presented)
}
