//! Where `S3BlobStore` stages resumable uploads, and how it reads them back.
//!
//! An upload is a folder of objects, `[<prefix>/]uploads/<tenant uuid>/<upload id>/`:
//!
//! - `length-<n>`: the marker written when the upload begins; its name holds the declared length,
//!   so one listing tells everything about the upload.
//! - `<start>`: one object per staged chunk, named by its first byte's offset in 20 digits, so the
//!   names sort in order. Each is written whole with a single conditional PUT that fails when the
//!   name is taken, so two replicas appending at the same offset cannot both succeed.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};
use portal_core::TenantId;

use super::super::{BlobError, ByteStream, UploadId, UploadProgress, byte_stream};
use super::from_store;

/// The folder of every upload, under the store's prefix. Tenant folders are UUIDs, so the name
/// cannot clash with one.
const UPLOADS: &str = "uploads";
/// The start of the name of an upload's marker object.
const LENGTH_MARKER: &str = "length-";

/// The folder that holds every upload.
pub(super) fn uploads_root(prefix: &Path) -> Path {
    prefix.clone().join(UPLOADS)
}

/// The folder of one upload; both segments come from validated types.
pub(super) fn upload_folder(prefix: &Path, tenant: TenantId, upload: UploadId) -> Path {
    uploads_root(prefix)
        .join(tenant.to_string().as_str())
        .join(upload.to_string().as_str())
}

/// The marker that begins an upload of `length` bytes.
pub(super) fn length_marker(folder: &Path, length: u64) -> Path {
    folder
        .clone()
        .join(format!("{LENGTH_MARKER}{length}").as_str())
}

/// The object of the chunk that starts at `start`.
pub(super) fn chunk_object(folder: &Path, start: u64) -> Path {
    folder.clone().join(format!("{start:020}").as_str())
}

/// An upload as its listing shows it.
pub(super) struct StagedUpload {
    pub(super) progress: UploadProgress,
    /// The chunks that make up the staged bytes, in order, without gap.
    pub(super) chunks: Vec<Path>,
    /// Every object of the upload, the marker first.
    pub(super) objects: Vec<Path>,
}

/// Lists the upload in `folder`: `NotFound` when it has no marker (never begun, finished, aborted,
/// or another tenant's).
pub(super) async fn read(
    store: &dyn ObjectStore,
    folder: &Path,
) -> Result<StagedUpload, BlobError> {
    let mut metas: Vec<ObjectMeta> = store
        .list(Some(folder))
        .try_collect()
        .await
        .map_err(from_store)?;
    metas.sort_by(|a, b| a.location.cmp(&b.location));
    let mut length = None;
    let mut chunks = Vec::new();
    let mut objects = Vec::new();
    for meta in metas {
        let Some(name) = meta.location.filename() else {
            continue;
        };
        if let Some(declared) = name.strip_prefix(LENGTH_MARKER) {
            length = declared.parse::<u64>().ok();
            objects.insert(0, meta.location);
        } else if let Ok(start) = name.parse::<u64>() {
            chunks.push((start, meta.size, meta.location.clone()));
            objects.push(meta.location);
        } else {
            objects.push(meta.location);
        }
    }
    let length = length.ok_or(BlobError::NotFound)?;
    // The staged bytes end where the chunks stop following each other.
    let mut offset = 0;
    let mut in_order = Vec::new();
    for (start, size, location) in chunks {
        if start != offset {
            break;
        }
        offset += size;
        in_order.push(location);
    }
    Ok(StagedUpload {
        progress: UploadProgress { offset, length },
        chunks: in_order,
        objects,
    })
}

/// The staged bytes, streamed chunk object after chunk object.
pub(super) fn body(store: Arc<dyn ObjectStore>, chunks: Vec<Path>) -> ByteStream {
    let objects = futures_util::stream::iter(chunks).then(move |chunk| {
        let store = Arc::clone(&store);
        async move {
            let object = store.get(&chunk).await.map_err(io::Error::other)?;
            Ok::<_, io::Error>(object.into_stream().map_err(io::Error::other))
        }
    });
    byte_stream(objects.try_flatten())
}

/// Deletes objects of an upload, the marker first so the upload is gone at once. Best effort:
/// what a failure leaves is swept later.
pub(super) async fn discard(store: &dyn ObjectStore, objects: &[Path]) {
    for object in objects {
        let _ = store.delete(object).await;
    }
}

/// Every upload folder under `root` (over all tenants) that nothing was staged to for
/// `older_than`, with its objects.
pub(super) async fn idle_uploads(
    store: &dyn ObjectStore,
    root: &Path,
    older_than: Duration,
) -> Result<Vec<(TenantId, UploadId, Vec<Path>)>, BlobError> {
    let metas: Vec<ObjectMeta> = store
        .list(Some(root))
        .try_collect()
        .await
        .map_err(from_store)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let mut uploads: HashMap<(TenantId, UploadId), (Vec<Path>, i64)> = HashMap::new();
    for meta in metas {
        let Some(owner) = owner(root, &meta.location) else {
            continue;
        };
        let (objects, newest) = uploads.entry(owner).or_insert((Vec::new(), i64::MIN));
        *newest = (*newest).max(meta.last_modified.timestamp());
        objects.push(meta.location);
    }
    let older_than = i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX);
    Ok(uploads
        .into_iter()
        .filter(|(_, (_, newest))| now.saturating_sub(*newest) >= older_than)
        .map(|((tenant, upload), (mut objects, _))| {
            // The marker first, as `discard` wants.
            objects.sort_by_key(|object| {
                !object
                    .filename()
                    .is_some_and(|name| name.starts_with(LENGTH_MARKER))
            });
            (tenant, upload, objects)
        })
        .collect())
}

/// The tenant and upload an object under `root` belongs to.
fn owner(root: &Path, location: &Path) -> Option<(TenantId, UploadId)> {
    let mut parts = location.prefix_match(root)?;
    let tenant = uuid::Uuid::try_parse(parts.next()?.as_ref()).ok()?;
    let upload = UploadId::parse(parts.next()?.as_ref()).ok()?;
    Some((TenantId::from_uuid(tenant), upload))
}
