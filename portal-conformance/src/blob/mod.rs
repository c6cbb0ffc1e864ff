//! The blob suite: every [`BlobStore`] keeps bytes whole, serves ranges, keeps nothing of a put
//! that failed, was dropped or was too large, resumes uploads after an interrupted append, and never
//! crosses tenants.
//!
//! Implement [`BlobHarness`] for a fresh, empty store of your backend and generate the tests with
//! [`blob_suite!`](crate::blob_suite):
//!
//! ```
//! use portal_conformance::blob::BlobHarness;
//! use portal_storage::blob::MemoryBlobStore;
//!
//! struct Memory(MemoryBlobStore);
//!
//! impl BlobHarness for Memory {
//!     type Store = MemoryBlobStore;
//!
//!     async fn start() -> Option<Self> {
//!         Some(Self(MemoryBlobStore::new()))
//!     }
//!
//!     fn store(&self) -> &MemoryBlobStore {
//!         &self.0
//!     }
//!
//!     async fn leftovers(&self) -> Vec<String> {
//!         let blobs = (0..self.0.len()).map(|n| format!("blob {n}"));
//!         let uploads = (0..self.0.uploads_in_progress()).map(|n| format!("upload {n}"));
//!         blobs.chain(uploads).collect()
//!     }
//! }
//!
//! // In a test target: one `#[tokio::test]` per check.
//! // portal_conformance::blob_suite!(Memory);
//! ```

use portal_storage::blob::BlobStore;

pub mod bodies;
pub mod resumable;
pub mod suite;

/// A store under test, and a way to see everything it left behind.
#[allow(
    async_fn_in_trait,
    reason = "the suite awaits these on the test's own task; no `Send` bound is needed"
)]
pub trait BlobHarness: Sized {
    /// The store under test.
    type Store: BlobStore;

    /// A fresh, empty store; `None` when its backend is not available here (the checks return
    /// early — make that loud where the backend must run, as the PostgreSQL harness does under CI).
    async fn start() -> Option<Self>;

    /// The store under test.
    fn store(&self) -> &Self::Store;

    /// Every blob, file, object, staged resumable upload or upload in progress the store holds,
    /// named for a failure message. Empty for a fresh store: the suite checks that failed puts,
    /// aborted and swept uploads leave nothing behind.
    async fn leftovers(&self) -> Vec<String>;
}

/// Generates one `#[tokio::test]` per check of the blob suite, for the [`BlobHarness`] type given.
///
/// The calling crate needs `tokio` with the `macros` and `rt-multi-thread` features (a
/// dev-dependency is enough).
#[macro_export]
macro_rules! blob_suite {
    ($harness:ty) => {
        $crate::__blob_suite! { $harness; suite;
            round_trip,
            ranges,
            too_large_stops_reading_and_keeps_nothing,
            a_failing_body_keeps_nothing,
            a_dropped_put_keeps_nothing,
            another_tenant_sees_nothing,
            malicious_keys_are_invalid,
            delete_then_get_is_not_found,
        }
        $crate::__blob_suite! { $harness; resumable;
            an_upload_resumes_after_a_failed_append,
            a_dropped_append_leaves_a_resumable_upload,
            a_wrong_offset_is_refused,
            lengths_are_enforced,
            finishing_early_is_refused,
            abort_and_sweep_leave_nothing,
            another_tenants_upload_is_not_found,
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __blob_suite {
    ($harness:ty; $module:ident; $($check:ident),+ $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                if let Some(harness) =
                    <$harness as $crate::blob::BlobHarness>::start().await
                {
                    $crate::blob::$module::$check(&harness).await;
                }
            }
        )+
    };
}
