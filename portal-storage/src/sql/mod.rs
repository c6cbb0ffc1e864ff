//! The SQL backends: [`SqliteStore`] (feature `sqlite`, the embedded default) and
//! [`PostgresStore`] (feature `postgres`, for replicas).
//!
//! Both run the same queries: the store traits are implemented once, inside
//! `for_each_backend!`, which compiles the code once per enabled backend with `Db` and `Store`
//! bound to that backend's types. Queries use `$1`-style parameters, which both databases accept.
//! Where the dialects differ, each backend's module holds its variant.
//!
//! Every method runs in one transaction. Each backend opens it with
//! - `write(tenant)`: a write transaction (SQLite `BEGIN IMMEDIATE`, so writers queue instead of
//!   failing; PostgreSQL with the tenant set for row-level security),
//! - `read(tenant)`: a read transaction for one tenant,
//! - `global()`: for the few global methods (routing, login, sessions, the outbox dispatcher),
//! - `global_uncounted()`: a global write no cache can observe (see [`ChangeFeed`](crate::ChangeFeed)).
//!
//! Write transactions are `CountedTx`s: their commit tells the store's change counter.

/// Compiles the items once per enabled SQL backend, with `Db` (the sqlx database), `Conn` (its
/// connection, which helpers shared by reads and writes take) and `Store` (the backend's store
/// type) in scope.
macro_rules! for_each_backend {
    ($($item:tt)*) => {
        #[cfg(feature = "sqlite")]
        const _: () = {
            #[allow(unused_imports, reason = "not every block uses both names")]
            use $crate::sql::sqlite::{Conn, Db, SqliteStore as Store};
            $($item)*
        };
        #[cfg(feature = "postgres")]
        const _: () = {
            #[allow(unused_imports, reason = "not every block uses both names")]
            use $crate::sql::postgres::{Conn, Db, PostgresStore as Store};
            $($item)*
        };
    };
}

mod analytics;
mod audit;
mod chain;
mod client;
mod convert;
mod counted;
mod errors;
mod idempotency;
mod identity;
mod invitation;
mod lifecycle;
mod membership;
mod mfa;
mod notification;
mod outbox;
mod passkey;
#[cfg(feature = "postgres")]
mod postgres;
mod role;
mod session;
#[cfg(feature = "sqlite")]
mod sqlite;
mod tenant;
mod throttle;
mod uploads;
mod webhook;
// The work: projects and everything under them (migration 0002).
mod approval;
mod decision;
mod deliverable;
mod document;
mod invoice;
mod milestone;
mod project;
mod request;
mod share_link;
mod task;
mod thread;
mod update;
mod visibility;
mod work_convert;
// The work stores' tests run on SQLite, and on PostgreSQL too when both backends are built.
#[cfg(test)]
#[cfg(feature = "sqlite")]
mod work_fixture;
mod work_rules;
mod work_steps;

pub(crate) use errors::{backend, map_db_error};
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteStore, SqliteStoreConfig};
