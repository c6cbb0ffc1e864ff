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

/// Counts the chunks of a body that are still alive, to prove a store holds one at a time: wrap
/// every chunk a generator makes with [`ChunkCensus::wrap`], then read
/// [`ChunkCensus::most_held`].
#[derive(Clone, Debug, Default)]
pub struct ChunkCensus {
    live: Arc<AtomicUsize>,
    most_held: Arc<AtomicUsize>,
}

impl ChunkCensus {
    /// Turns the next chunk into `Bytes` that count themselves alive until dropped, first noting
    /// how many earlier chunks the store still held when it asked for this one.
    pub fn wrap(&self, data: Vec<u8>) -> Bytes {
        self.most_held
            .fetch_max(self.live.load(Ordering::SeqCst), Ordering::SeqCst);
        self.live.fetch_add(1, Ordering::SeqCst);
        Bytes::from_owner(Tracked {
            data,
            live: Arc::clone(&self.live),
        })
    }

    /// The most earlier chunks the store held while asking for the next one: 0 when it drops each
    /// chunk before it reads another.
    pub fn most_held(&self) -> usize {
        self.most_held.load(Ordering::SeqCst)
    }

    /// How many chunks are alive now.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }
}

/// A chunk that counts how many of its kind are alive.
struct Tracked {
    data: Vec<u8>,
    live: Arc<AtomicUsize>,
}

impl AsRef<[u8]> for Tracked {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}
