use async_trait::async_trait;
use portal_core::state::Sha256Digest;
use portal_core::{DomainError, Invalid, TenantScope};
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};

use crate::{StoreError, StoreResult};

/// The longest idempotency key, in characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// What [`IdempotencyStore::begin_idempotent`] found under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// Nothing (or only an expired record) was there: the caller now owns the key, recorded as
    /// in progress, and must [`complete`](IdempotencyStore::complete_idempotent) or
    /// [`abandon`](IdempotencyStore::abandon_idempotent) it.
    Started,
    /// The same request finished before: answer with its response again.
    Completed {
        /// The response's status code.
        status: u16,
        /// The response's body, byte for byte.
        body: Vec<u8>,
    },
    /// The same request is still running elsewhere.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// Idempotency keys: the first request under a key runs, a retry of it gets the stored response,
/// and a different request under the same key is refused. Records are keyed by (tenant, key) and
/// bound to the scope's tenant: another tenant's records are invisible and untouchable. Any scope
/// of the tenant may use them; what the request hash covers (the body, the caller, the route) is
/// the caller's choice. Records older than their time to live count as absent.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Claims `key` for a request with `request_hash`, or reports what holds it. An absent or
    /// expired (at `now`) record is replaced by an in-progress one living `ttl` from `now`:
    /// [`IdempotencyBegin::Started`]. Otherwise a record with another hash is
    /// [`Mismatch`](IdempotencyBegin::Mismatch), an in-progress one
    /// [`InProgress`](IdempotencyBegin::InProgress), a completed one its response. Atomic: of
    /// concurrent begins on one key exactly one is `Started`. A key that is not 1 to
    /// [`MAX_IDEMPOTENCY_KEY_CHARS`] printable ASCII characters, or a `ttl` that is not positive,
    /// is invalid (naming `idempotency_key` or `ttl`).
    async fn begin_idempotent(
        &self,
        scope: &TenantScope,
        key: &str,
        request_hash: &Sha256Digest,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> StoreResult<IdempotencyBegin>;

    /// Stores the response of the in-progress request under `key`; later begins with the same
    /// hash get it back. Not found if nothing is in progress under the key (never begun,
    /// abandoned, or swept); a conflict if it was completed already. A status outside
    /// 100–599 is invalid (naming `status`).
    async fn complete_idempotent(
        &self,
        scope: &TenantScope,
        key: &str,
        status: u16,
        body: Vec<u8>,
    ) -> StoreResult<()>;

    /// Deletes the in-progress record under `key`, so the request may be tried again; returns
    /// whether there was one. A completed record is left as it is.
    async fn abandon_idempotent(&self, scope: &TenantScope, key: &str) -> StoreResult<bool>;

    /// Deletes the records of every tenant expired at `now`; returns how many. Global: a
    /// maintenance sweep.
    async fn delete_expired_idempotent(&self, now: OffsetDateTime) -> StoreResult<u64>;
}

/// The digest a request is recognised by under its idempotency key: the SHA-256 of `parts`, each
/// length-prefixed so that no two different lists of parts hash alike.
pub fn idempotency_request_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Sha256Digest {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
        hasher.update(part);
    }
    Sha256Digest::from_bytes(hasher.finalize().into())
}

/// Checks an idempotency key: 1 to [`MAX_IDEMPOTENCY_KEY_CHARS`] printable ASCII characters
/// (space to `~`), as an HTTP header carries it.
pub fn check_idempotency_key(key: &str) -> StoreResult<()> {
    let refuse = |reason| {
        Err(StoreError::Invalid(DomainError::validation(
            "idempotency_key",
            reason,
        )))
    };
    if key.is_empty() {
        return refuse(Invalid::Empty);
    }
    if key.len() > MAX_IDEMPOTENCY_KEY_CHARS {
        return refuse(Invalid::TooLong {
            max: MAX_IDEMPOTENCY_KEY_CHARS,
        });
    }
    if !key.bytes().all(|byte| (b' '..=b'~').contains(&byte)) {
        return refuse(Invalid::Malformed("must be printable ASCII"));
    }
    Ok(())
}

/// Checks a time to live: positive.
pub(crate) fn check_ttl(ttl: Duration) -> StoreResult<()> {
    if ttl.is_positive() {
        Ok(())
    } else {
        Err(StoreError::Invalid(DomainError::validation(
            "ttl",
            Invalid::Malformed("must be positive"),
        )))
    }
}

/// Checks a response status: 100–599.
pub(crate) fn check_status(status: u16) -> StoreResult<()> {
    if (100..=599).contains(&status) {
        Ok(())
    } else {
        Err(StoreError::Invalid(DomainError::validation(
            "status",
            Invalid::Malformed("must be an HTTP status code"),
        )))
    }
}

/// A finished request's status code and body.
pub(crate) type StoredResponse = (u16, Vec<u8>);

/// How a begin resolves against the stored record's hash and response (`None`: in progress),
/// once the record is known to be unexpired.
pub(crate) fn resolve_begin(
    stored_hash: &Sha256Digest,
    request_hash: &Sha256Digest,
    response: Option<StoredResponse>,
) -> IdempotencyBegin {
    if stored_hash != request_hash {
        return IdempotencyBegin::Mismatch;
    }
    match response {
        Some((status, body)) => IdempotencyBegin::Completed { status, body },
        None => IdempotencyBegin::InProgress,
    }
}

/// The conflict of completing a completed record.
pub(crate) const ALREADY_COMPLETED: &str = "idempotent request already completed";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_printable_ascii() {
        assert!(check_idempotency_key("a").is_ok());
        assert!(check_idempotency_key(&"k".repeat(255)).is_ok());
        assert!(check_idempotency_key("order 42 / retry~").is_ok());
        for bad in ["", "tab\there", "new\nline", "clé", &"k".repeat(256)] {
            let refused = check_idempotency_key(bad);
            assert!(
                matches!(&refused, Err(StoreError::Invalid(error)) if error.field() == Some("idempotency_key")),
                "{bad:?}: {refused:?}"
            );
        }
    }

    #[test]
    fn request_hashes_frame_their_parts() {
        let ab: [&[u8]; 2] = [b"a", b"b"];
        let a_b: [&[u8]; 1] = [b"ab"];
        assert_ne!(idempotency_request_hash(ab), idempotency_request_hash(a_b));
        assert_eq!(idempotency_request_hash(ab), idempotency_request_hash(ab));
    }
}
