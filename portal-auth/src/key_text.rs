//! The text form of the server's 32-byte keys (the TOTP sealing key, the mail-link key):
//! standard base64, as `openssl rand -base64 32` prints it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// Why a key's text could not be read; each key type names itself in its own error.
pub(crate) enum KeyTextError {
    /// Not standard base64.
    Encoding,
    /// Not 32 bytes; how many there were.
    Length(usize),
}

/// The 32 bytes of a key's base64 text (surrounding white space ignored).
pub(crate) fn decode(text: &str) -> Result<Zeroizing<[u8; 32]>, KeyTextError> {
    let decoded = Zeroizing::new(
        STANDARD
            .decode(text.trim())
            .map_err(|_| KeyTextError::Encoding)?,
    );
    let bytes: [u8; 32] = decoded
        .as_slice()
        .try_into()
        .map_err(|_| KeyTextError::Length(decoded.len()))?;
    Ok(Zeroizing::new(bytes))
}

/// A key's base64 text.
pub(crate) fn encode(key: &[u8; 32]) -> Zeroizing<String> {
    Zeroizing::new(STANDARD.encode(key))
}
