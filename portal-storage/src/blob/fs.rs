//! [`FsBlobStore`]: blobs as files under a root directory.

use std::collections::HashSet;
use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use futures_util::StreamExt;
use portal_core::TenantId;
use tokio::fs::{self, File, OpenOptions};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;
use uuid::Uuid;

use super::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, PutTally, StoredBlob,
    byte_stream, check_tenant,
};

/// The directory under the root that holds uploads in progress. Tenant directories are UUIDs, so
/// the name cannot clash with one.
const TMP_DIR: &str = ".tmp";
/// The size of the chunks a read streams.
const READ_CHUNK: usize = 64 * 1024;

/// A [`BlobStore`] on the local file system: the default for one server.
///
/// Layout under the root:
///
/// ```text
/// <root>/.tmp/<random>            uploads in progress (removed on error and by `open`)
/// <root>/<tenant uuid>/<random>   committed blobs, one file each, never changed after the put
/// ```
///
/// A put writes `<root>/.tmp/<random>`, fsyncs it, renames it to `<root>/<tenant>/<random>` and
/// fsyncs that directory (and, the first time, the root that holds the tenant directory), so an
/// acknowledged put survives a crash. The rename is atomic, so a blob is either absent or whole.
///
/// The root belongs to one process: [`FsBlobStore::open`] removes whatever is left in `.tmp`, which
/// would include the uploads in progress of another process using the same root. Several server
/// replicas share blobs through `S3BlobStore` (feature `s3`) instead. Keep the root outside any
/// directory a web server serves.
#[derive(Debug)]
pub struct FsBlobStore {
    root: PathBuf,
    tmp: PathBuf,
    /// Tenants whose directory is known to exist with its entry in the root fsynced.
    durable_tenants: Mutex<HashSet<TenantId>>,
}

impl FsBlobStore {
    /// Opens (creating it when missing) the store under `root`, and removes the temporary files that
    /// a crashed or killed process left behind.
    ///
    /// # Errors
    /// [`BlobError::Io`] when the directories cannot be created or cleaned.
    pub async fn open(root: impl Into<PathBuf>) -> Result<Self, BlobError> {
        let root = root.into();
        let tmp = root.join(TMP_DIR);
        fs::create_dir_all(&tmp).await?;
        let mut stale = fs::read_dir(&tmp).await?;
        while let Some(entry) = stale.next_entry().await? {
            let path = entry.path();
            let removed = if entry.file_type().await?.is_dir() {
                fs::remove_dir_all(&path).await
            } else {
                fs::remove_file(&path).await
            };
            match removed {
                Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error.into()),
                _ => {}
            }
        }
        sync_dir(&root).await?;
        Ok(Self {
            root,
            tmp,
            durable_tenants: Mutex::new(HashSet::new()),
        })
    }

    /// The root directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn tenant_dir(&self, tenant: TenantId) -> PathBuf {
        self.root.join(tenant.to_string())
    }

    /// The file of a key, after checking the tenant. Both path parts come from a validated
    /// [`BlobKey`]: a UUID and 32 hex digits, nothing a user wrote.
    fn path_of(&self, tenant: TenantId, key: &BlobKey) -> Result<PathBuf, BlobError> {
        check_tenant(tenant, key)?;
        Ok(self.tenant_dir(key.tenant()).join(key.random_part()))
    }

    /// Makes sure the tenant's directory exists and its entry in the root is on disk.
    async fn ensure_tenant_dir(&self, tenant: TenantId) -> Result<PathBuf, BlobError> {
        let dir = self.tenant_dir(tenant);
        if self.is_durable(tenant) {
            return Ok(dir);
        }
        match fs::create_dir(&dir).await {
            Err(error) if error.kind() != io::ErrorKind::AlreadyExists => return Err(error.into()),
            _ => {}
        }
        sync_dir(&self.root).await?;
        self.durable_tenants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant);
        Ok(dir)
    }

    fn is_durable(&self, tenant: TenantId) -> bool {
        self.durable_tenants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&tenant)
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(
        &self,
        tenant: TenantId,
        mut body: ByteStream,
        max_size: u64,
    ) -> Result<StoredBlob, BlobError> {
        let key = BlobKey::generate(tenant);
        // Removes the temporary file on every way out but the commit: an error, or the future
        // dropped mid-stream. Declared before the file, so the file is closed first.
        let mut temp = TempPath::new(self.tmp.join(Uuid::new_v4().simple().to_string()));
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(temp.path())
            .await?;
        let mut tally = PutTally::new(max_size);
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            tally.add(&chunk)?;
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);

        let dir = self.ensure_tenant_dir(tenant).await?;
        let target = dir.join(key.random_part());
        fs::rename(temp.path(), &target).await?;
        temp.disarm();
        if let Err(error) = sync_dir(&dir).await {
            // Not durable, so not acknowledged: take the blob back rather than leave an orphan.
            let _ = fs::remove_file(&target).await;
            return Err(error);
        }
        Ok(tally.finish(key))
    }

    async fn get(
        &self,
        tenant: TenantId,
        key: &BlobKey,
        range: Option<ByteRange>,
    ) -> Result<BlobRead, BlobError> {
        let path = self.path_of(tenant, key)?;
        let mut file = File::open(&path).await.map_err(not_found)?;
        let metadata = file.metadata().await?;
        if !metadata.is_file() {
            return Err(BlobError::NotFound);
        }
        let size = metadata.len();
        let range = match range {
            Some(range) => range.resolve(size)?,
            None => 0..size,
        };
        if range.start > 0 {
            file.seek(SeekFrom::Start(range.start)).await?;
        }
        let reader = file.take(range.end - range.start);
        let body = byte_stream(ReaderStream::with_capacity(reader, READ_CHUNK));
        Ok(BlobRead { body, range, size })
    }

    async fn delete(&self, tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
        let path = self.path_of(tenant, key)?;
        fs::remove_file(&path).await.map_err(not_found)
    }
}

/// `NotFound` for a missing file, `Io` for the rest.
fn not_found(error: io::Error) -> BlobError {
    if error.kind() == io::ErrorKind::NotFound {
        BlobError::NotFound
    } else {
        BlobError::Io(error)
    }
}

/// Fsyncs a directory, so the entries created or renamed in it survive a crash.
async fn sync_dir(dir: &Path) -> Result<(), BlobError> {
    #[cfg(unix)]
    {
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
            .await
            .map_err(io::Error::other)??;
    }
    #[cfg(not(unix))]
    {
        // Windows cannot open a directory as a file; NTFS journals the rename itself.
        let _ = dir;
    }
    Ok(())
}

/// A temporary file that is removed when dropped, unless disarmed.
struct TempPath {
    path: PathBuf,
    armed: bool,
}

impl TempPath {
    fn new(path: PathBuf) -> Self {
        Self { path, armed: true }
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if self.armed {
            // Blocking, but one unlink; a leftover (e.g. after a crash) is removed by the next open.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[tokio::test]
    async fn open_removes_stale_temporary_files() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(TMP_DIR).join("dir")).unwrap();
        std::fs::write(root.path().join(TMP_DIR).join("half"), b"half a file").unwrap();
        std::fs::write(root.path().join(TMP_DIR).join("dir/x"), b"x").unwrap();
        let store = FsBlobStore::open(root.path()).await.unwrap();
        assert_eq!(store.root(), root.path());
        assert_eq!(
            std::fs::read_dir(root.path().join(TMP_DIR))
                .unwrap()
                .count(),
            0
        );
    }

    #[tokio::test]
    async fn a_blob_lands_under_its_tenant_and_random_part() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).await.unwrap();
        let tenant = TenantId::new();
        let body = byte_stream(futures_util::stream::iter([Ok(Bytes::from("abc"))]));
        let stored = store.put(tenant, body, 3).await.unwrap();
        let path = root
            .path()
            .join(tenant.to_string())
            .join(stored.key.random_part());
        assert_eq!(std::fs::read(path).unwrap(), b"abc");
        assert!(store.is_durable(tenant));
    }

    #[test]
    fn a_dropped_temp_path_removes_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let armed = dir.path().join("armed");
        let disarmed = dir.path().join("disarmed");
        std::fs::write(&armed, b"x").unwrap();
        std::fs::write(&disarmed, b"x").unwrap();
        drop(TempPath::new(armed.clone()));
        let mut keep = TempPath::new(disarmed.clone());
        keep.disarm();
        drop(keep);
        assert!(!armed.exists());
        assert!(disarmed.exists());
    }
}
