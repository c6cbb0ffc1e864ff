//! The argon2id cost parameters.

/// Argon2id cost parameters. The default is OWASP's and the `argon2` crate's: 19,456 KiB of
/// memory, 2 iterations, 1 lane (SEC-01). Tests may pass cheaper ones; the default never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Argon2Config {
    /// Memory cost in KiB (`m`).
    pub memory_kib: u32,
    /// Number of passes over the memory (`t`).
    pub iterations: u32,
    /// Degree of parallelism, in lanes (`p`).
    pub parallelism: u32,
}

impl Argon2Config {
    /// The default memory cost, in KiB.
    pub const DEFAULT_MEMORY_KIB: u32 = 19_456;
    /// The default number of iterations.
    pub const DEFAULT_ITERATIONS: u32 = 2;
    /// The default parallelism.
    pub const DEFAULT_PARALLELISM: u32 = 1;

    /// The same parameters with memory cost `memory_kib`.
    #[must_use]
    pub const fn with_memory_kib(mut self, memory_kib: u32) -> Self {
        self.memory_kib = memory_kib;
        self
    }

    /// The same parameters with `iterations` passes.
    #[must_use]
    pub const fn with_iterations(mut self, iterations: u32) -> Self {
        self.iterations = iterations;
        self
    }

    /// The same parameters with `parallelism` lanes.
    #[must_use]
    pub const fn with_parallelism(mut self, parallelism: u32) -> Self {
        self.parallelism = parallelism;
        self
    }
}

impl Default for Argon2Config {
    fn default() -> Self {
        Self {
            memory_kib: Self::DEFAULT_MEMORY_KIB,
            iterations: Self::DEFAULT_ITERATIONS,
            parallelism: Self::DEFAULT_PARALLELISM,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_owasp_sec_01() {
        // SEC-01: m = 19456 KiB, t = 2, p = 1.
        let config = Argon2Config::default();
        assert_eq!(
            (config.memory_kib, config.iterations, config.parallelism),
            (19_456, 2, 1)
        );
    }

    #[test]
    fn builders_set_each_field() {
        let config = Argon2Config::default()
            .with_memory_kib(64)
            .with_iterations(1)
            .with_parallelism(2);
        assert_eq!(
            config,
            Argon2Config {
                memory_kib: 64,
                iterations: 1,
                parallelism: 2
            }
        );
    }
}
