//! The conformance suite of `portal-conformance`, run on every backend of this crate — memory
//! always, SQLite with the `sqlite` feature, PostgreSQL with the `postgres` feature and
//! `PORTAL_TEST_POSTGRES_URL`. A custom backend runs the same suite on its own `Stores`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failed harness step should stop the test loudly"
)]

mod harness;

mod memory {
    async fn harness() -> portal_conformance::Harness {
        portal_conformance::Harness::memory()
    }

    portal_conformance::stores_suite!(harness);
}

#[cfg(feature = "sqlite")]
mod sqlite {
    portal_conformance::stores_suite!(crate::harness::sqlite);
}

#[cfg(feature = "postgres")]
mod postgres {
    portal_conformance::stores_suite!(crate::harness::postgres);
}
