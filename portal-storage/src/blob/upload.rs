//! Resumable uploads: the id of a staged upload, its progress, and the checks every store runs.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};

use portal_core::TenantId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

use super::BlobError;

/// Length of the text form of an upload id: 128 bits as lowercase hex.
const ID_LEN: usize = 32;

/// The id of a resumable upload, chosen by the store in
/// [`BlobStore::begin_upload`](super::BlobStore::begin_upload): 122 random bits (a UUID v4) written
/// as 32 lowercase hex digits, so ids cannot be guessed or enumerated.
///
/// An id carries no authority and names nothing on its own: every method takes the caller's tenant
/// as well, and a store finds an upload only under the tenant that began it, so another tenant's id
/// answers [`BlobError::NotFound`] like one never issued. [`UploadId::parse`] accepts exactly the
/// text form, so an id taken from a URL can only ever name a file or object made of hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UploadId(u128);

impl UploadId {
    /// A fresh, random id.
    #[must_use]
    pub fn generate() -> Self {
        Self(Uuid::new_v4().as_u128())
    }

    /// Parses the strict text form: exactly 32 lowercase hex digits.
    ///
    /// # Errors
    /// [`BlobError::InvalidUploadId`] for anything else.
    pub fn parse(input: &str) -> Result<Self, BlobError> {
        let well_formed = input.len() == ID_LEN
            && input
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        if !well_formed {
            return Err(BlobError::InvalidUploadId);
        }
        u128::from_str_radix(input, 16)
            .map(Self)
            .map_err(|_| BlobError::InvalidUploadId)
    }

    /// The id as a UUID, the form the SQL stores keep it in.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) const fn as_uuid(self) -> Uuid {
        Uuid::from_u128(self.0)
    }

    /// The id a UUID from [`as_uuid`](Self::as_uuid) stands for.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid.as_u128())
    }
}

impl fmt::Display for UploadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for UploadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UploadId({self})")
    }
}

impl FromStr for UploadId {
    type Err = BlobError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl Serialize for UploadId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for UploadId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Where a resumable upload stands, as
/// [`BlobStore::upload_progress`](super::BlobStore::upload_progress) answers: what a client resumes
/// from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadProgress {
    /// The bytes staged so far, all kept: the offset of the next append.
    pub offset: u64,
    /// The declared length of the whole upload.
    pub length: u64,
}

impl UploadProgress {
    /// Whether every declared byte is staged, so the upload can be finished.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.offset == self.length
    }

    /// Refuses an append that does not start at the current offset.
    ///
    /// # Errors
    /// [`BlobError::OffsetMismatch`] naming both offsets.
    pub fn check_offset(&self, given: u64) -> Result<(), BlobError> {
        if given == self.offset {
            Ok(())
        } else {
            Err(BlobError::OffsetMismatch {
                expected: self.offset,
                given,
            })
        }
    }

    /// Counts the next chunk of an append; refuses it whole when it goes past the declared length.
    ///
    /// # Errors
    /// [`BlobError::BeyondLength`]: keep nothing of this chunk and stop reading.
    pub fn admit(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        self.offset = u64::try_from(chunk.len())
            .ok()
            .and_then(|len| self.offset.checked_add(len))
            .filter(|offset| *offset <= self.length)
            .ok_or(BlobError::BeyondLength {
                length: self.length,
            })?;
        Ok(())
    }

    /// Refuses to finish an upload that is not complete.
    ///
    /// # Errors
    /// [`BlobError::UploadIncomplete`] naming the offset and the declared length.
    pub fn check_complete(&self) -> Result<(), BlobError> {
        if self.is_complete() {
            Ok(())
        } else {
            Err(BlobError::UploadIncomplete {
                offset: self.offset,
                length: self.length,
            })
        }
    }
}

/// Refuses a declared length over the limit, before any byte is staged.
///
/// # Errors
/// [`BlobError::TooLarge`] naming the limit.
pub fn check_declared_length(length: u64, max_size: u64) -> Result<(), BlobError> {
    if length <= max_size {
        Ok(())
    } else {
        Err(BlobError::TooLarge { limit: max_size })
    }
}

/// The SHA-256 of the first `hashed` bytes of a staged upload: kept in memory between appends so
/// a finish need not read the staged bytes again. It may lag behind the staged bytes (after a
/// restart, or an append dropped between its write and its hash); the store then hashes the
/// missing bytes from its staging before going on.
#[derive(Clone, Debug, Default)]
pub(crate) struct StagedHash {
    hasher: Sha256,
    hashed: u64,
}

impl StagedHash {
    /// How many leading bytes are hashed.
    #[must_use]
    pub(crate) fn hashed(&self) -> u64 {
        self.hashed
    }

    /// Hashes the next staged bytes, which start at [`hashed`](Self::hashed).
    pub(crate) fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.hashed += chunk.len() as u64;
    }

    /// The digest of the bytes hashed.
    #[must_use]
    pub(crate) fn digest(&self) -> portal_core::state::Sha256Digest {
        portal_core::state::Sha256Digest::from_bytes(self.hasher.clone().finalize().into())
    }
}

/// Each upload a process knows, by tenant and id, behind its own lock.
type LockMap<T> = HashMap<(TenantId, UploadId), Arc<tokio::sync::Mutex<T>>>;

/// The uploads a process is appending to, each behind a lock that only one request holds at a time:
/// a second append to the same upload while one is running is [`BlobError::UploadBusy`] rather
/// than a wait behind a connection that may never end.
#[derive(Debug)]
pub(crate) struct UploadLocks<T> {
    uploads: Mutex<LockMap<T>>,
}

impl<T> Default for UploadLocks<T> {
    fn default() -> Self {
        Self {
            uploads: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Send + 'static> UploadLocks<T> {
    fn map(&self) -> std::sync::MutexGuard<'_, LockMap<T>> {
        // The map is consistent after any panic (each change is one insert or remove).
        self.uploads.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many uploads are registered.
    pub(crate) fn len(&self) -> usize {
        self.map().len()
    }

    /// Registers a new upload.
    pub(crate) fn insert(&self, tenant: TenantId, upload: UploadId, state: T) {
        self.map()
            .insert((tenant, upload), Arc::new(tokio::sync::Mutex::new(state)));
    }

    /// Locks a registered upload: `NotFound` when there is none, `UploadBusy` when another
    /// request holds it.
    pub(crate) fn lock(
        &self,
        tenant: TenantId,
        upload: UploadId,
    ) -> Result<OwnedMutexGuard<T>, BlobError> {
        let entry = self
            .map()
            .get(&(tenant, upload))
            .cloned()
            .ok_or(BlobError::NotFound)?;
        entry.try_lock_owned().map_err(|_| BlobError::UploadBusy)
    }

    /// Locks an upload, registering it with `make` first when this process does not know it yet
    /// (its staging outlived a restart); the caller has checked that it exists.
    pub(crate) fn lock_or_insert_with(
        &self,
        tenant: TenantId,
        upload: UploadId,
        make: impl FnOnce() -> T,
    ) -> Result<OwnedMutexGuard<T>, BlobError> {
        let entry = self
            .map()
            .entry((tenant, upload))
            .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(make())))
            .clone();
        entry.try_lock_owned().map_err(|_| BlobError::UploadBusy)
    }

    /// Forgets an upload (finished, aborted or swept).
    pub(crate) fn remove(&self, tenant: TenantId, upload: UploadId) {
        self.map().remove(&(tenant, upload));
    }

    /// Forgets every upload `abandoned` picks, and answers how many went. An upload locked by a
    /// running request is never picked.
    pub(crate) fn remove_where(
        &self,
        mut abandoned: impl FnMut(&(TenantId, UploadId), &T) -> bool,
    ) -> u64 {
        let mut removed = 0;
        self.map().retain(|id, entry| match entry.try_lock() {
            Ok(state) if abandoned(id, &state) => {
                removed += 1;
                false
            }
            _ => true,
        });
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_and_only_the_strict_form_parses() {
        let id = UploadId::generate();
        let text = id.to_string();
        assert_eq!(text.len(), ID_LEN);
        assert_eq!(UploadId::parse(&text).unwrap(), id);
        assert_eq!(
            serde_json::from_str::<UploadId>(&serde_json::to_string(&id).unwrap()).unwrap(),
            id
        );
        assert_ne!(UploadId::generate(), id);
        for bad in [
            String::new(),
            "0".repeat(31),
            "0".repeat(33),
            "A".repeat(32),
            format!("../{}", "0".repeat(29)),
            format!("+{}", "0".repeat(31)),
            format!("{}/", "0".repeat(31)),
        ] {
            assert!(
                matches!(UploadId::parse(&bad), Err(BlobError::InvalidUploadId)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn progress_checks_offsets_lengths_and_completion() {
        let mut progress = UploadProgress {
            offset: 0,
            length: 5,
        };
        assert!(matches!(
            progress.check_offset(1),
            Err(BlobError::OffsetMismatch {
                expected: 0,
                given: 1
            })
        ));
        progress.admit(b"abc").unwrap();
        assert!(matches!(
            progress.check_complete(),
            Err(BlobError::UploadIncomplete {
                offset: 3,
                length: 5
            })
        ));
        assert!(matches!(
            progress.admit(b"def"),
            Err(BlobError::BeyondLength { length: 5 })
        ));
        assert_eq!(progress.offset, 3, "a refused chunk counts for nothing");
        progress.admit(b"de").unwrap();
        progress.check_complete().unwrap();
        assert!(matches!(
            check_declared_length(6, 5),
            Err(BlobError::TooLarge { limit: 5 })
        ));
    }

    #[test]
    fn a_staged_hash_equals_the_hash_of_the_whole() {
        let mut staged = StagedHash::default();
        staged.update(b"abc");
        staged.update(b"de");
        assert_eq!(staged.hashed(), 5);
        assert_eq!(
            staged.digest().to_hex(),
            // sha256("abcde")
            "36bbe50ed96841d10443bcb670d6554f0a34b761be67ec9c4a8ad2c0c44ca42c"
        );
    }
}
