//! Mapping database errors to [`StoreError`]: no database error text ever reaches a client.

use crate::StoreError;

/// Maps a database error: a unique violation is a conflict naming `what`, a foreign-key
/// violation means a referenced row is missing within the tenant (not found), anything else is
/// a backend failure that keeps its source for the logs.
pub(crate) fn map_db_error(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |error| match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::conflict(what),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        sqlx::Error::RowNotFound => StoreError::NotFound,
        _ => StoreError::backend(error),
    }
}

/// Any database error as a backend failure (reads, where no constraint can fire).
pub(crate) fn backend(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        other => StoreError::backend(other),
    }
}
