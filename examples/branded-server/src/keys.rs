//! The key that seals TOTP secrets at rest.
//!
//! It must live outside the database — a database dump alone must not open the secrets — and it
//! must never change, or every user enrolled in TOTP has to enrol again. So it comes from the
//! environment (`PORTAL_TOTP_KEY`, base64 of 32 bytes, e.g. `openssl rand -base64 32`), which is
//! what a deployment with several replicas uses, or else from a file in the data folder that the
//! first start creates (readable by the owner only).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use portal_auth::TotpKey;

/// The environment variable holding the key.
pub const ENV_VAR: &str = "PORTAL_TOTP_KEY";

/// The key file's name inside the data folder.
pub const FILE_NAME: &str = "totp.key";

/// Where the key came from, for the start-up log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The environment variable.
    Environment,
    /// An existing key file.
    File(PathBuf),
    /// A key file made just now.
    Created(PathBuf),
}

/// The TOTP key: from `from_env` (the value of [`ENV_VAR`]) if given, else from
/// `<data_dir>/totp.key`, which is created with a new random key if missing.
///
/// # Errors
/// A malformed key (naming where it came from), or a key file that cannot be read or written.
pub fn load_or_create(
    data_dir: &Path,
    from_env: Option<&str>,
) -> anyhow::Result<(TotpKey, KeySource)> {
    if let Some(text) = from_env {
        let key = TotpKey::from_base64(text).with_context(|| format!("invalid {ENV_VAR}"))?;
        return Ok((key, KeySource::Environment));
    }
    let path = data_dir.join(FILE_NAME);
    if let Some(key) = read(&path)? {
        return Ok((key, KeySource::File(path)));
    }
    let key = TotpKey::generate().context("generating a TOTP key")?;
    match create(&path, &key) {
        Ok(()) => Ok((key, KeySource::Created(path))),
        // Another process started at the same moment and won: use its key.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => match read(&path)? {
            Some(key) => Ok((key, KeySource::File(path))),
            None => bail!("{} vanished while it was being created", path.display()),
        },
        Err(error) => {
            Err(error).with_context(|| format!("cannot create the key file {}", path.display()))
        }
    }
}

/// The key in `path`, or `None` if there is no such file.
fn read(path: &Path) -> anyhow::Result<Option<TotpKey>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            warn_if_readable_by_others(path);
            TotpKey::from_base64(&text)
                .map(Some)
                .with_context(|| format!("invalid TOTP key in {}", path.display()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => {
            Err(error).with_context(|| format!("cannot read the key file {}", path.display()))
        }
    }
}

/// Writes a new key file, failing if one exists; owner-only on unix, synced before use so a
/// crash cannot leave users enrolled under a key that was never stored.
fn create(path: &Path, key: &TotpKey) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(key.to_base64().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(metadata) = std::fs::metadata(path)
        && metadata.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path = %path.display(),
            "the TOTP key file is readable by other users; run `chmod 600` on it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}
