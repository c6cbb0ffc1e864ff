//! [`FsBlobStore`]: blobs as files under a root directory.

use std::collections::HashSet;
use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use futures_util::StreamExt;
use portal_core::TenantId;
use tokio::fs::{self, File, OpenOptions};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;
use uuid::Uuid;

use super::upload::{StagedHash, UploadLocks};
use super::{
    BlobError, BlobKey, BlobRead, BlobStore, ByteRange, ByteStream, PutTally, StoredBlob, UploadId,
    UploadProgress, byte_stream, check_declared_length, check_tenant,
};

/// The directory under the root that holds uploads in progress. Tenant directories are UUIDs, so
/// the name cannot clash with one.
const TMP_DIR: &str = ".tmp";
/// The directory under the root that holds resumable uploads, one directory each under the
/// tenant's. Unlike `.tmp`, it outlives a restart: that is the point of a resumable upload.
const UPLOADS_DIR: &str = ".uploads";
/// The file of an upload's staged bytes.
const UPLOAD_DATA: &str = "data";
/// The file of an upload's declared length, in decimal.
const UPLOAD_LENGTH: &str = "length";
/// The size of the chunks a read streams.
const READ_CHUNK: usize = 64 * 1024;

/// A [`BlobStore`] on the local file system: the default for one server.
///
/// Layout under the root:
///
/// ```text
/// <root>/.tmp/<random>            uploads in progress (removed on error and by `open`)
/// <root>/<tenant uuid>/<random>   committed blobs, one file each, never changed after the put
/// <root>/.uploads/<tenant uuid>/<upload id>/length   a resumable upload's declared length
/// <root>/.uploads/<tenant uuid>/<upload id>/data     its staged bytes, appended to
/// ```
///
/// A put writes `<root>/.tmp/<random>`, fsyncs it, renames it to `<root>/<tenant>/<random>` and
/// fsyncs that directory (and, the first time, the root that holds the tenant directory), so an
/// acknowledged put survives a crash. The rename is atomic, so a blob is either absent or whole.
///
/// An append writes to the end of the upload's `data` file and fsyncs it before it answers, also
/// when the body failed midway, so an acknowledged offset survives a crash and the bytes before a
/// dropped connection are kept. Finishing renames `data` into place like a put; the SHA-256 is kept
/// running in memory between appends (a finish reads nothing back) and rebuilt from `data` once
/// when the process does not have it, e.g. after a restart.
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
    /// The running hash of every upload this process appended to.
    uploads: UploadLocks<StagedHash>,
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
            uploads: UploadLocks::default(),
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

    /// The directory of an upload; both parts come from validated types, nothing a user wrote.
    fn upload_dir(&self, tenant: TenantId, upload: UploadId) -> PathBuf {
        self.root
            .join(UPLOADS_DIR)
            .join(tenant.to_string())
            .join(upload.to_string())
    }

    /// Locks an upload that exists (`NotFound` otherwise) and answers where it stands.
    async fn lock_upload(
        &self,
        tenant: TenantId,
        upload: UploadId,
    ) -> Result<LockedUpload, BlobError> {
        let dir = self.upload_dir(tenant, upload);
        // Checked before the lock, so ids that name nothing never take a place in memory.
        read_progress(&dir).await?;
        let staged = self
            .uploads
            .lock_or_insert_with(tenant, upload, StagedHash::default)?;
        match read_progress(&dir).await {
            Ok(progress) => Ok(LockedUpload {
                dir,
                staged,
                progress,
            }),
            Err(error) => {
                // Finished or aborted by another request meanwhile.
                drop(staged);
                self.uploads.remove(tenant, upload);
                Err(error)
            }
        }
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

    async fn begin_upload(
        &self,
        tenant: TenantId,
        length: u64,
        max_size: u64,
    ) -> Result<UploadId, BlobError> {
        check_declared_length(length, max_size)?;
        let upload = UploadId::generate();
        // Made whole in `.tmp` (which `open` clears), then renamed into place: an upload is either
        // absent or has both its files.
        let staging = self.tmp.join(Uuid::new_v4().simple().to_string());
        fs::create_dir(&staging).await?;
        write_synced(&staging.join(UPLOAD_LENGTH), length.to_string().as_bytes()).await?;
        write_synced(&staging.join(UPLOAD_DATA), b"").await?;
        sync_dir(&staging).await?;
        let target = self.upload_dir(tenant, upload);
        let parent = target.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&parent).await?;
        fs::rename(&staging, &target).await?;
        sync_dir(&parent).await?;
        sync_dir(&self.root.join(UPLOADS_DIR)).await?;
        sync_dir(&self.root).await?;
        Ok(upload)
    }

    async fn upload_progress(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<UploadProgress, BlobError> {
        read_progress(&self.upload_dir(tenant, *upload)).await
    }

    async fn append(
        &self,
        tenant: TenantId,
        upload: &UploadId,
        offset: u64,
        mut body: ByteStream,
    ) -> Result<u64, BlobError> {
        let LockedUpload {
            dir,
            mut staged,
            mut progress,
        } = self.lock_upload(tenant, *upload).await?;
        progress.check_offset(offset)?;
        let data = dir.join(UPLOAD_DATA);
        catch_up(&data, &mut staged, progress.offset).await?;
        // Chunks are written synchronously (into the page cache: microseconds for a chunk), not
        // through tokio's file, whose writes run on a blocking thread that outlives a dropped
        // append: the length on disk — the offset `upload_progress` reports — would then still
        // grow after the append was gone, and a client resuming from it would be refused.
        let mut file = OpenOptions::new()
            .append(true)
            .open(&data)
            .await
            .map_err(not_found)?
            .into_std()
            .await;
        let streamed = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                progress.admit(&chunk)?;
                std::io::Write::write_all(&mut file, &chunk)?;
                staged.update(&chunk);
            }
            Ok::<_, BlobError>(())
        }
        .await;
        // What was written is kept and made durable whether or not the body ended cleanly.
        File::from_std(file).sync_data().await?;
        streamed?;
        Ok(progress.offset)
    }

    async fn finish_upload(
        &self,
        tenant: TenantId,
        upload: &UploadId,
    ) -> Result<StoredBlob, BlobError> {
        let LockedUpload {
            dir,
            mut staged,
            progress,
        } = self.lock_upload(tenant, *upload).await?;
        progress.check_complete()?;
        let data = dir.join(UPLOAD_DATA);
        catch_up(&data, &mut staged, progress.offset).await?;
        // An append dropped before its fsync may have left bytes only in the page cache.
        File::open(&data).await?.sync_all().await?;

        let key = BlobKey::generate(tenant);
        let tenant_dir = self.ensure_tenant_dir(tenant).await?;
        let target = tenant_dir.join(key.random_part());
        fs::rename(&data, &target).await?;
        if let Err(error) = sync_dir(&tenant_dir).await {
            // Not durable, so not acknowledged: the bytes go back to the upload, to finish again.
            let _ = fs::rename(&target, &data).await;
            return Err(error);
        }
        remove_upload_dir(&dir).await?;
        self.uploads.remove(tenant, *upload);
        Ok(StoredBlob {
            key,
            sha256: staged.digest(),
            size: progress.length,
        })
    }

    async fn abort_upload(&self, tenant: TenantId, upload: &UploadId) -> Result<(), BlobError> {
        let locked = self.lock_upload(tenant, *upload).await?;
        remove_upload_dir(&locked.dir).await?;
        self.uploads.remove(tenant, *upload);
        Ok(())
    }

    async fn sweep_uploads(&self, older_than: Duration) -> Result<u64, BlobError> {
        let mut swept = 0;
        let mut tenants = match fs::read_dir(self.root.join(UPLOADS_DIR)).await {
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(0),
            listed => listed?,
        };
        while let Some(tenant_dir) = tenants.next_entry().await? {
            let Some(tenant) = tenant_dir
                .file_name()
                .to_str()
                .and_then(|name| Uuid::try_parse(name).ok())
                .map(TenantId::from_uuid)
            else {
                continue;
            };
            let mut uploads = fs::read_dir(tenant_dir.path()).await?;
            while let Some(entry) = uploads.next_entry().await? {
                let Some(upload) = entry
                    .file_name()
                    .to_str()
                    .and_then(|n| UploadId::parse(n).ok())
                else {
                    continue;
                };
                // An upload some request holds is in use, however old its last byte.
                let Ok(_staged) =
                    self.uploads
                        .lock_or_insert_with(tenant, upload, StagedHash::default)
                else {
                    continue;
                };
                let dir = entry.path();
                if idle_for(&dir).await? >= older_than {
                    remove_upload_dir(&dir).await?;
                    self.uploads.remove(tenant, upload);
                    swept += 1;
                }
            }
        }
        Ok(swept)
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

/// An upload this request holds: its directory, its running hash and where it stands.
struct LockedUpload {
    dir: PathBuf,
    staged: tokio::sync::OwnedMutexGuard<StagedHash>,
    progress: UploadProgress,
}

/// An upload's declared length and staged bytes; `NotFound` when it has no directory or no data.
async fn read_progress(dir: &Path) -> Result<UploadProgress, BlobError> {
    let length = fs::read_to_string(dir.join(UPLOAD_LENGTH))
        .await
        .map_err(not_found)?;
    let length = length
        .trim()
        .parse()
        .map_err(|error| BlobError::Io(io::Error::new(io::ErrorKind::InvalidData, error)))?;
    let offset = fs::metadata(dir.join(UPLOAD_DATA))
        .await
        .map_err(not_found)?
        .len();
    Ok(UploadProgress { offset, length })
}

/// Hashes the staged bytes the running hash lacks (all of them after a restart), reading the
/// staging one chunk at a time.
async fn catch_up(data: &Path, staged: &mut StagedHash, offset: u64) -> Result<(), BlobError> {
    if staged.hashed() > offset {
        *staged = StagedHash::default();
    }
    if staged.hashed() == offset {
        return Ok(());
    }
    let mut file = File::open(data).await.map_err(not_found)?;
    file.seek(SeekFrom::Start(staged.hashed())).await?;
    let mut rest = file.take(offset - staged.hashed());
    let mut buffer = vec![0; READ_CHUNK];
    loop {
        let read = rest.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        staged.update(&buffer[..read]);
    }
    if staged.hashed() == offset {
        Ok(())
    } else {
        Err(BlobError::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "staged upload shorter than its offset",
        )))
    }
}

/// How long nothing was staged to an upload: the age of its data file (or, when that is gone
/// after a finish cut short, of its directory).
async fn idle_for(dir: &Path) -> Result<Duration, BlobError> {
    let metadata = match fs::metadata(dir.join(UPLOAD_DATA)).await {
        Err(error) if error.kind() == io::ErrorKind::NotFound => fs::metadata(dir).await?,
        found => found?,
    };
    let modified = metadata.modified()?;
    Ok(SystemTime::now()
        .duration_since(modified)
        .unwrap_or(Duration::ZERO))
}

/// Removes an upload's directory; one already gone is fine.
async fn remove_upload_dir(dir: &Path) -> Result<(), BlobError> {
    match fs::remove_dir_all(dir).await {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error.into()),
        _ => Ok(()),
    }
}

/// Creates a file with `contents` and fsyncs it.
async fn write_synced(path: &Path, contents: &[u8]) -> Result<(), BlobError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await?;
    file.write_all(contents).await?;
    file.sync_all().await?;
    Ok(())
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
