//! Reading a blob back: one chunk at a time, so memory stays at one chunk whatever the size.

use std::io;
use std::ops::Range;

use bytes::Bytes;
use portal_storage::blob::{ByteStream, byte_stream};
use sqlx::SqlitePool;

/// Where a read stands: the next chunk to fetch and the bytes still to serve.
struct Cursor {
    pool: SqlitePool,
    key: String,
    seq: i64,
    range: Range<u64>,
}

/// Streams `range` of the blob under `key`, starting at chunk `first_seq` (the chunk holding
/// `range.start`).
pub(crate) fn chunks(
    pool: SqlitePool,
    key: String,
    first_seq: i64,
    range: Range<u64>,
) -> ByteStream {
    let cursor = Cursor {
        pool,
        key,
        seq: first_seq,
        range,
    };
    byte_stream(futures_util::stream::try_unfold(cursor, next_chunk))
}

async fn next_chunk(mut cursor: Cursor) -> io::Result<Option<(Bytes, Cursor)>> {
    if cursor.range.is_empty() {
        return Ok(None);
    }
    let row: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT start, data FROM file_store_chunk WHERE key = $1 AND seq = $2")
            .bind(&cursor.key)
            .bind(cursor.seq)
            .fetch_optional(&cursor.pool)
            .await
            .map_err(io::Error::other)?;
    // A chunk gone mid-read means the blob was deleted meanwhile: the body ends in an error
    // rather than silently short.
    let (start, data) = row.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "the blob was deleted during the read",
        )
    })?;
    let start = u64::try_from(start).map_err(io::Error::other)?;
    let end = start + data.len() as u64;
    let from = cursor.range.start.saturating_sub(start);
    let to = cursor.range.end.min(end) - start;
    let served = Bytes::from(data).slice(usize_of(from)?..usize_of(to)?);
    cursor.range.start = cursor.range.end.min(end);
    cursor.seq += 1;
    Ok(Some((served, cursor)))
}

fn usize_of(offset: u64) -> io::Result<usize> {
    usize::try_from(offset).map_err(io::Error::other)
}
