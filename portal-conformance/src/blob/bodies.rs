//! Bodies and checks the blob suite is made of, for a backend's own extra tests.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use portal_storage::blob::{BlobRead, ByteStream, byte_stream};
use sha2::{Digest, Sha256};

/// A body of the given chunks.
pub fn body(chunks: &[&[u8]]) -> ByteStream {
    let chunks: Vec<io::Result<Bytes>> = chunks
        .iter()
        .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
        .collect();
    byte_stream(futures_util::stream::iter(chunks))
}

/// `count` chunks of `chunk` bytes each (a pattern that differs per chunk), counting how many the
/// store pulled.
pub fn counted_body(chunk: usize, count: usize, pulled: Arc<AtomicUsize>) -> ByteStream {
    byte_stream(futures_util::stream::iter(0..count).map(move |index| {
        pulled.fetch_add(1, Ordering::SeqCst);
        Ok(Bytes::from(pattern(index, chunk)))
    }))
}

/// `len` bytes of a pattern that differs for every `index`.
pub fn pattern(index: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|offset| (index.wrapping_mul(31).wrapping_add(offset.wrapping_mul(7)) % 251) as u8)
        .collect()
}

/// The SHA-256 of `data` in lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

/// Every byte of a read's body.
pub async fn read_all(read: BlobRead) -> Vec<u8> {
    let chunks: Vec<Bytes> = read.body.try_collect().await.unwrap();
    chunks.concat()
}
