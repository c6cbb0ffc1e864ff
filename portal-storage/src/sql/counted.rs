//! [`CountedTx`]: a write transaction that tells the [`ChangeCounter`] once it has committed.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Database, Transaction};

use crate::changes::{ChangeCounter, Changed};

/// A write transaction. It derefs to the connection, as sqlx's own transaction does, so queries
/// run on `&mut *tx`; [`commit`](Self::commit) commits, then counts the change. Dropped
/// uncommitted, it rolls back and counts nothing.
pub(crate) struct CountedTx<DB: Database> {
    tx: Transaction<'static, DB>,
    changes: Arc<ChangeCounter>,
    changed: Changed,
}

impl<DB: Database> CountedTx<DB> {
    pub(crate) fn new(
        tx: Transaction<'static, DB>,
        changes: Arc<ChangeCounter>,
        changed: Changed,
    ) -> Self {
        Self {
            tx,
            changes,
            changed,
        }
    }

    /// Commits, then counts: a stamp taken after this returns sees the committed rows.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        self.changes.record(self.changed);
        Ok(())
    }
}

impl<DB: Database> Deref for CountedTx<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl<DB: Database> DerefMut for CountedTx<DB> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}
