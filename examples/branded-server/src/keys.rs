//! The server's secret keys: the one that seals TOTP secrets at rest, and the one that signs
//! one-click mail preference links.
//!
//! Each must live outside the database — a database dump alone must not open the secrets or
//! forge links — and must not change: a new TOTP key makes every enrolled user enrol again, a new
//! mail-link key retires every link in mail already sent. So each comes from the environment
//! (base64 of 32 bytes, e.g. `openssl rand -base64 32`), which is what a deployment with several
//! replicas uses, or else from a file in the data folder that the first start creates (readable
//! by the owner only).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use portal_auth::{MailLinkKey, TotpKey};
use zeroize::Zeroizing;

/// The environment variable holding the TOTP key.
pub const ENV_VAR: &str = "PORTAL_TOTP_KEY";

/// The TOTP key file's name inside the data folder.
pub const FILE_NAME: &str = "totp.key";

/// A 32-byte key kept in the environment or a file of its own.
pub trait StoredKey: Sized {
    /// What the key is, for messages ("TOTP key").
    const WHAT: &'static str;
    /// The environment variable holding it.
    const ENV_VAR: &'static str;
    /// Its file's name inside the data folder.
    const FILE_NAME: &'static str;

    /// Reads the base64 form.
    ///
    /// # Errors
    /// When the text is not base64 of 32 bytes.
    fn decode(text: &str) -> anyhow::Result<Self>;

    /// The base64 form.
    fn encode(&self) -> Zeroizing<String>;

    /// A new random key.
    ///
    /// # Errors
    /// When the system's random source fails.
    fn random() -> anyhow::Result<Self>;
}

impl StoredKey for TotpKey {
    const WHAT: &'static str = "TOTP key";
    const ENV_VAR: &'static str = ENV_VAR;
    const FILE_NAME: &'static str = FILE_NAME;

    fn decode(text: &str) -> anyhow::Result<Self> {
        Ok(Self::from_base64(text)?)
    }

    fn encode(&self) -> Zeroizing<String> {
        self.to_base64()
    }

    fn random() -> anyhow::Result<Self> {
        Ok(Self::generate()?)
    }
}

impl StoredKey for MailLinkKey {
    const WHAT: &'static str = "mail link key";
    const ENV_VAR: &'static str = "PORTAL_MAIL_LINK_KEY";
    const FILE_NAME: &'static str = "mail-link.key";

    fn decode(text: &str) -> anyhow::Result<Self> {
        Ok(Self::from_base64(text)?)
    }

    fn encode(&self) -> Zeroizing<String> {
        self.to_base64()
    }

    fn random() -> anyhow::Result<Self> {
        Ok(Self::generate()?)
    }
}

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

/// A key: from `from_env` (the value of its environment variable) if given, else from its file
/// in `data_dir`, which is created with a new random key if missing.
///
/// # Errors
/// A malformed key (naming where it came from), or a key file that cannot be read or written.
pub fn load_or_create<K: StoredKey>(
    data_dir: &Path,
    from_env: Option<&str>,
) -> anyhow::Result<(K, KeySource)> {
    if let Some(text) = from_env {
        let key = K::decode(text).with_context(|| format!("invalid {}", K::ENV_VAR))?;
        return Ok((key, KeySource::Environment));
    }
    let path = data_dir.join(K::FILE_NAME);
    if let Some(key) = read::<K>(&path)? {
        return Ok((key, KeySource::File(path)));
    }
    let key = K::random().with_context(|| format!("generating a {}", K::WHAT))?;
    match create(&path, &key) {
        Ok(()) => Ok((key, KeySource::Created(path))),
        // Another process started at the same moment and won: use its key.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            match read::<K>(&path)? {
                Some(key) => Ok((key, KeySource::File(path))),
                None => bail!("{} vanished while it was being created", path.display()),
            }
        }
        Err(error) => {
            Err(error).with_context(|| format!("cannot create the key file {}", path.display()))
        }
    }
}

/// The key in `path`, or `None` if there is no such file.
fn read<K: StoredKey>(path: &Path) -> anyhow::Result<Option<K>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            warn_if_readable_by_others(path);
            K::decode(text.trim())
                .map(Some)
                .with_context(|| format!("invalid {} in {}", K::WHAT, path.display()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => {
            Err(error).with_context(|| format!("cannot read the key file {}", path.display()))
        }
    }
}

/// Writes a new key file, failing if one exists; owner-only on unix, synced before use so a
/// crash cannot leave users enrolled under a key that was never stored.
fn create<K: StoredKey>(path: &Path, key: &K) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(key.encode().as_bytes())?;
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
            "a key file is readable by other users; run `chmod 600` on it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}
