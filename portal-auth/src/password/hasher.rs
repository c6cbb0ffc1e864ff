//! Argon2id hashing and verification on tokio's blocking pool, behind a bounded semaphore.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Error as PhcError, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use super::config::Argon2Config;
use super::error::PasswordError;
use super::policy::check_bytes;
use super::secret::Password;

/// The password behind the dummy hash that [`PasswordHasher::dummy_verify`] checks against. It
/// is public knowledge and protects nothing: the hash exists only to spend the same time.
const DUMMY_PASSWORD: &str = "portal-auth: dummy password for unknown users";

/// The outcome of checking a password against a stored hash.
///
/// Deliberately not `#[non_exhaustive]`: callers should match both arms, with no wildcard that
/// could let a future variant through as a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Verification {
    /// The password matches.
    Valid {
        /// The stored hash was made with weaker (or other) parameters than the configured ones:
        /// hash the password again and store the new hash (SEC-01).
        needs_rehash: bool,
    },
    /// The password does not match.
    Invalid,
}

impl Verification {
    /// Whether the password matched.
    #[must_use]
    pub const fn is_valid(self) -> bool {
        matches!(self, Self::Valid { .. })
    }
}

/// Hashes passwords with argon2id into PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), each
/// with its own random salt, and verifies passwords against them (SEC-01).
///
/// The work runs on tokio's blocking pool, at most `permits` hashes at a time (by default the
/// number of CPUs), so a flood of logins queues instead of starving the rest of the service.
/// Clones share the same limit. Every call refuses input over
/// [`PasswordPolicy::MAX_BYTES`](super::PasswordPolicy::MAX_BYTES) before doing any work.
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
    permits: Arc<Semaphore>,
    permit_count: usize,
    #[cfg(test)]
    probe: Arc<probe::Probe>,
}

struct Inner {
    config: Argon2Config,
    params: Params,
    dummy_hash: String,
    memory: MemoryPool,
}

/// Argon2's working memory (`m` KiB per hash), shared between the hashes of a burst: a hash
/// borrows a buffer and gives it back, and the last one out frees them all, so an idle service
/// holds none.
///
/// Each buffer reserves at least [`UNPOOLED_BYTES`]: glibc's allocator serves a block that large
/// straight from the kernel and returns it on free, whereas a freed 19 MiB block would stay in
/// the arena of whichever blocking thread used it — growing the process by `m` KiB per thread
/// that ever hashed. Only the `m` KiB in use are ever touched, so the rest of the reservation is
/// address space, not memory.
#[derive(Default)]
struct MemoryPool(Mutex<PoolState>);

/// Just over glibc's largest mmap threshold (32 MiB on 64-bit systems).
const UNPOOLED_BYTES: usize = 33 * 1024 * 1024;

#[derive(Default)]
struct PoolState {
    free: Vec<Vec<Block>>,
    in_use: usize,
}

impl MemoryPool {
    /// Runs `work` with at least `blocks` blocks of memory.
    fn with<T>(&self, blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
        let mut buffer = {
            let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            state.in_use += 1;
            state.free.pop().unwrap_or_default()
        };
        if buffer.len() < blocks {
            let reserve = blocks.max(UNPOOLED_BYTES / std::mem::size_of::<Block>());
            buffer.reserve_exact(reserve.saturating_sub(buffer.len()));
            buffer.resize(blocks, Block::default());
        }
        let result = work(&mut buffer);
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.in_use = state.in_use.saturating_sub(1);
        if state.in_use == 0 {
            state.free.clear();
        } else {
            state.free.push(buffer);
        }
        result
    }
}

impl PasswordHasher {
    /// A hasher with these parameters and one permit per CPU but one (at least one).
    ///
    /// This hashes once, synchronously, to make the dummy hash for
    /// [`dummy_verify`](Self::dummy_verify): build the hasher at start-up, not per request.
    ///
    /// # Errors
    ///
    /// [`PasswordError::Hashing`] if argon2 refuses the parameters (for example a memory cost
    /// under 8 KiB per lane).
    pub fn new(config: Argon2Config) -> Result<Self, PasswordError> {
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .map_err(PasswordError::hashing)?;
        let memory = MemoryPool::default();
        let dummy_hash = hash_with(&params, &memory, DUMMY_PASSWORD)?;
        // One core is left to everything else: a login flood then saturates all but one core
        // and requests that hash nothing keep their latency.
        let permit_count = std::thread::available_parallelism()
            .map_or(1, NonZeroUsize::get)
            .saturating_sub(1);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                params,
                dummy_hash,
                memory,
            }),
            permits: Arc::new(Semaphore::new(clamp_permits(permit_count))),
            permit_count: clamp_permits(permit_count),
            #[cfg(test)]
            probe: Arc::default(),
        })
    }

    /// The same hasher allowing at most `permits` hashes at a time (at least 1). The clone gets
    /// its own limit.
    #[must_use]
    pub fn with_permits(mut self, permits: usize) -> Self {
        let permits = clamp_permits(permits);
        self.permits = Arc::new(Semaphore::new(permits));
        self.permit_count = permits;
        self
    }

    /// The configured parameters.
    #[must_use]
    pub fn config(&self) -> Argon2Config {
        self.inner.config
    }

    /// How many hashes may run at once.
    #[must_use]
    pub const fn permits(&self) -> usize {
        self.permit_count
    }

    /// Hashes `password` into a PHC string with a fresh random salt. This does not apply the
    /// [`PasswordPolicy`](super::PasswordPolicy): check new passwords with it first.
    ///
    /// # Errors
    ///
    /// [`PasswordError::TooManyBytes`] for input over 1 KiB (before any hashing), or
    /// [`PasswordError::Hashing`] if hashing failed.
    pub async fn hash(&self, password: Password) -> Result<String, PasswordError> {
        check_bytes(password.expose_secret())?;
        self.run(move |inner| hash_with(&inner.params, &inner.memory, password.expose_secret()))
            .await
    }

    /// Checks `password` against a stored PHC string, with the parameters recorded in it, and
    /// says whether the hash should be replaced because the configured parameters are stronger.
    ///
    /// # Errors
    ///
    /// [`PasswordError::TooManyBytes`] for input over 1 KiB (before any hashing),
    /// [`PasswordError::MalformedHash`] if `stored` is not an argon2 PHC string, or
    /// [`PasswordError::Hashing`] if the blocking task failed.
    pub async fn verify(
        &self,
        password: Password,
        stored: &str,
    ) -> Result<Verification, PasswordError> {
        check_bytes(password.expose_secret())?;
        let stored = stored.to_owned();
        self.run(move |inner| verify_with(inner, password.expose_secret(), &stored))
            .await
    }

    /// Spends the same work as [`verify`](Self::verify) against a hash made with the configured
    /// parameters, and always answers [`Verification::Invalid`]. Call it when the user is
    /// unknown (or disabled), so timing does not tell which (SEC-08).
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify); the dummy hash itself is never malformed.
    pub async fn dummy_verify(&self, password: Password) -> Result<Verification, PasswordError> {
        check_bytes(password.expose_secret())?;
        self.run(move |inner| {
            // The outcome is thrown away: only the work matters.
            let _outcome: Verification =
                verify_with(inner, password.expose_secret(), &inner.dummy_hash)?;
            Ok(Verification::Invalid)
        })
        .await
    }

    /// Runs `job` on the blocking pool once a permit is free. The permit moves into the task, so
    /// it is held until the hash is done even if the caller stops waiting.
    async fn run<T, F>(&self, job: F) -> Result<T, PasswordError>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, PasswordError> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(PasswordError::hashing)?;
        let inner = Arc::clone(&self.inner);
        #[cfg(test)]
        let probe = Arc::clone(&self.probe);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            #[cfg(test)]
            let _running = probe.enter();
            job(&inner)
        })
        .await
        .map_err(PasswordError::hashing)?
    }
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("config", &self.inner.config)
            .field("permits", &self.permit_count)
            .finish_non_exhaustive()
    }
}

fn clamp_permits(permits: usize) -> usize {
    permits.clamp(1, Semaphore::MAX_PERMITS)
}

fn argon2id(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_with(
    params: &Params,
    memory: &MemoryPool,
    password: &str,
) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0_u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(PasswordError::hashing)?;
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = compute(
        &argon2id(params),
        params,
        memory,
        password,
        salt_bytes,
        output_len,
    )
    .map_err(PasswordError::hashing)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(PasswordError::hashing)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// argon2 of `password` with `salt` into `len` bytes, in pooled working memory.
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    memory: &MemoryPool,
    password: &str,
    salt: &[u8],
    len: usize,
) -> Result<Output, PhcError> {
    Output::init_with(len, |out| {
        memory
            .with(params.block_count(), |blocks| {
                argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, blocks)
            })
            .map_err(PhcError::from)
    })
}

fn verify_with(inner: &Inner, password: &str, stored: &str) -> Result<Verification, PasswordError> {
    let parsed = PasswordHash::new(stored).map_err(PasswordError::malformed)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(PasswordError::malformed)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(PasswordError::malformed)?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(PasswordError::malformed)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(PasswordError::malformed(PhcError::PhcStringField));
    };
    let mut salt_bytes = [0_u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(PasswordError::malformed)?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = compute(
        &argon2,
        &params,
        &inner.memory,
        password,
        salt_bytes,
        expected.len(),
    )
    .map_err(PasswordError::malformed)?;
    // `Output`'s equality is constant-time.
    if computed == expected {
        Ok(Verification::Valid {
            needs_rehash: needs_rehash(&inner.config, &parsed),
        })
    } else {
        Ok(Verification::Invalid)
    }
}

/// Whether a hash that verified was made with another algorithm or version, less memory, fewer
/// iterations or another parallelism than `config`.
fn needs_rehash(config: &Argon2Config, hash: &PasswordHash<'_>) -> bool {
    let Ok(params) = Params::try_from(hash) else {
        return true;
    };
    hash.algorithm != Algorithm::Argon2id.ident()
        || hash.version != Some(Version::V0x13 as u32)
        || params.m_cost() < config.memory_kib
        || params.t_cost() < config.iterations
        || params.p_cost() != config.parallelism
}

#[cfg(test)]
mod probe {
    //! Counts the hashes running at once, to test the semaphore without timing.

    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, Default)]
    pub(super) struct Probe {
        running: AtomicUsize,
        pub(super) peak: AtomicUsize,
        pub(super) started: AtomicUsize,
    }

    pub(super) struct Running<'a>(&'a Probe);

    impl Probe {
        pub(super) fn enter(&self) -> Running<'_> {
            self.started.fetch_add(1, Ordering::SeqCst);
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(now, Ordering::SeqCst);
            Running(self)
        }
    }

    impl Drop for Running<'_> {
        fn drop(&mut self) {
            self.0.running.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;

    /// Cheap parameters for tests; the default is never changed for them.
    fn cheap() -> Argon2Config {
        Argon2Config::default()
            .with_memory_kib(256)
            .with_iterations(1)
    }

    fn cheap_hasher() -> PasswordHasher {
        PasswordHasher::new(cheap()).unwrap()
    }

    #[tokio::test]
    async fn default_hash_is_argon2id_owasp_phc_sec_01() {
        // SEC-01: argon2id, v=19, m=19456, t=2, p=1, PHC string, per-password salt.
        let hasher = PasswordHasher::new(Argon2Config::default()).unwrap();
        let first = hasher
            .hash(Password::from("violet harbour engine"))
            .await
            .unwrap();
        let second = hasher
            .hash(Password::from("violet harbour engine"))
            .await
            .unwrap();
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert_ne!(
            first, second,
            "two hashes of one password must differ (salt)"
        );
        let outcome = hasher
            .verify(Password::from("violet harbour engine"), &first)
            .await
            .unwrap();
        assert_eq!(
            outcome,
            Verification::Valid {
                needs_rehash: false
            }
        );
    }

    #[tokio::test]
    async fn wrong_password_is_invalid_sec_01() {
        // SEC-01
        let hasher = cheap_hasher();
        let stored = hasher
            .hash(Password::from("violet harbour engine"))
            .await
            .unwrap();
        let outcome = hasher
            .verify(Password::from("violet harbour engin"), &stored)
            .await
            .unwrap();
        assert_eq!(outcome, Verification::Invalid);
    }

    #[tokio::test]
    async fn long_password_is_not_truncated_sec_03() {
        // SEC-03: a 100-character password verifies; its 72-character prefix does not.
        let hasher = cheap_hasher();
        let long: String = ('a'..='z').cycle().take(100).collect();
        let stored = hasher.hash(Password::new(long.clone())).await.unwrap();
        let full = hasher
            .verify(Password::new(long.clone()), &stored)
            .await
            .unwrap();
        assert!(full.is_valid());
        let prefix: String = long.chars().take(72).collect();
        let cut = hasher.verify(Password::new(prefix), &stored).await.unwrap();
        assert_eq!(cut, Verification::Invalid);
    }

    #[tokio::test]
    async fn huge_input_is_refused_before_hashing_sec_03() {
        // SEC-03: 1 MiB is refused with TooManyBytes and never reaches argon2.
        let hasher = cheap_hasher();
        let huge = "a".repeat(1024 * 1024);
        let hashed = hasher.hash(Password::new(huge.clone())).await;
        assert!(matches!(
            hashed,
            Err(PasswordError::TooManyBytes { max: 1024 })
        ));
        let stored = hasher
            .hash(Password::from("violet harbour engine"))
            .await
            .unwrap();
        let verified = hasher.verify(Password::new(huge.clone()), &stored).await;
        assert!(matches!(
            verified,
            Err(PasswordError::TooManyBytes { max: 1024 })
        ));
        let dummy = hasher.dummy_verify(Password::new(huge)).await;
        assert!(matches!(
            dummy,
            Err(PasswordError::TooManyBytes { max: 1024 })
        ));
        // Only the one legitimate hash ran.
        assert_eq!(hasher.probe.started.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn weaker_stored_params_need_rehash_sec_01() {
        // SEC-01: rehash on upgrade. Hashed with cheap params, verified under the default.
        let stored = cheap_hasher()
            .hash(Password::from("violet harbour engine"))
            .await
            .unwrap();
        let hasher = PasswordHasher::new(Argon2Config::default()).unwrap();
        let outcome = hasher
            .verify(Password::from("violet harbour engine"), &stored)
            .await
            .unwrap();
        assert_eq!(outcome, Verification::Valid { needs_rehash: true });
        // A wrong password never asks for a rehash.
        let wrong = hasher
            .verify(Password::from("another password"), &stored)
            .await
            .unwrap();
        assert_eq!(wrong, Verification::Invalid);
    }

    #[tokio::test]
    async fn other_argon2_variant_needs_rehash_sec_01() {
        // SEC-01: an argon2i hash with the configured costs is still upgraded to argon2id.
        let config = cheap();
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .unwrap();
        let salt = SaltString::generate(&mut OsRng);
        let stored = argon2::password_hash::PasswordHasher::hash_password(
            &Argon2::new(Algorithm::Argon2i, Version::V0x13, params),
            b"violet harbour engine",
            &salt,
        )
        .unwrap()
        .to_string();
        let outcome = PasswordHasher::new(config)
            .unwrap()
            .verify(Password::from("violet harbour engine"), &stored)
            .await
            .unwrap();
        assert_eq!(outcome, Verification::Valid { needs_rehash: true });
    }

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_and_idle_memory_is_freed_sec_01() {
        let hasher = cheap_hasher().with_permits(2);
        let stored = hasher
            .hash(Password::from("violet harbour engine"))
            .await
            .unwrap();
        let parsed = PasswordHash::new(&stored).unwrap();
        let standard = argon2::password_hash::PasswordVerifier::verify_password(
            &Argon2::default(),
            b"violet harbour engine",
            &parsed,
        );
        assert!(
            standard.is_ok(),
            "the argon2 crate's own verifier accepts our hash"
        );
        let jobs: Vec<_> = (0..8)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash(Password::from("another one")).await })
            })
            .collect();
        for job in jobs {
            job.await.unwrap().unwrap();
        }
        let pool = hasher.inner.memory.0.lock().unwrap();
        assert_eq!(pool.in_use, 0);
        assert!(
            pool.free.is_empty(),
            "an idle hasher holds no argon2 memory"
        );
    }

    #[tokio::test]
    async fn malformed_stored_hash_is_an_error_sec_01() {
        // SEC-01: a corrupt stored hash is reported, never a panic and never Valid.
        let hasher = cheap_hasher();
        for stored in [
            "",
            "not a hash",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=oops,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$scrypt$ln=16,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        ] {
            let outcome = hasher
                .verify(Password::from("violet harbour engine"), stored)
                .await;
            assert!(
                matches!(outcome, Err(PasswordError::MalformedHash(_))),
                "{stored:?} gave {outcome:?}"
            );
        }
    }

    #[tokio::test]
    async fn dummy_verify_is_always_invalid_sec_08() {
        // SEC-08: the unknown-user path does real work and never succeeds, even with the
        // dummy password itself.
        let hasher = cheap_hasher();
        assert!(
            hasher
                .inner
                .dummy_hash
                .starts_with("$argon2id$v=19$m=256,t=1,p=1$")
        );
        for password in [DUMMY_PASSWORD, "violet harbour engine"] {
            let outcome = hasher.dummy_verify(Password::from(password)).await.unwrap();
            assert_eq!(outcome, Verification::Invalid);
        }
        assert_eq!(hasher.probe.started.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn default_dummy_hash_uses_configured_params_sec_08() {
        // SEC-08: the dummy hash costs what a real one does.
        let hasher = PasswordHasher::new(Argon2Config::default()).unwrap();
        assert!(
            hasher
                .inner
                .dummy_hash
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn at_most_permits_hashes_run_at_once() {
        // 8 concurrent hashes with 2 permits: the probe never sees more than 2 running.
        let hasher = PasswordHasher::new(cheap().with_memory_kib(4096))
            .unwrap()
            .with_permits(2);
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..8 {
            let hasher = hasher.clone();
            tasks.spawn(async move {
                hasher
                    .hash(Password::new(format!("password number {n}")))
                    .await
            });
        }
        while let Some(done) = tasks.join_next().await {
            assert!(done.unwrap().is_ok());
        }
        assert_eq!(hasher.probe.started.load(Ordering::SeqCst), 8);
        let peak = hasher.probe.peak.load(Ordering::SeqCst);
        assert!((1..=2).contains(&peak), "peak {peak}");
        assert_eq!(hasher.permits.available_permits(), 2);
    }

    #[test]
    fn invalid_params_are_an_error() {
        let refused = PasswordHasher::new(cheap().with_memory_kib(1));
        assert!(matches!(refused, Err(PasswordError::Hashing(_))));
    }

    #[test]
    fn permits_default_to_cpus_and_clamp_to_one() {
        let hasher = cheap_hasher();
        assert!(hasher.permits() >= 1);
        assert_eq!(hasher.with_permits(0).permits(), 1);
    }

    #[test]
    fn debug_shows_no_hash() {
        let shown = format!("{:?}", cheap_hasher());
        assert!(!shown.contains("$argon2"), "{shown}");
    }
}
