//! Session lifetimes, login-throttle limits, the step-up window, and the lifetimes of share links,
//! invitations, login tokens and second-factor challenges.

use time::Duration;

/// Session timeouts and login throttling. The defaults follow SECURITY.md; every `with_*`
/// builder replaces one value (tests use them to make limits small).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthConfig {
    /// A session unused for longer than this is dead (SEC-18). Default: 30 minutes.
    pub idle_timeout: Duration,
    /// A session older than this is dead however active (SEC-18). Default: 12 hours.
    pub absolute_timeout: Duration,
    /// A session's last use is written at most this often. Default: 1 minute.
    pub session_touch_interval: Duration,
    /// Sessions kept checked in memory, while the stores' change stamps show nothing they
    /// depend on changed (only with stores that offer stamps). 0 turns the cache off.
    /// Default: 10 000.
    pub session_cache_capacity: u64,
    /// The window over which failures are counted, per account and per client address (SEC-10).
    /// Default: 1 hour. Counters restart when it ends, so there is no permanent lockout.
    pub failure_window: Duration,
    /// At most this many failed logins are evaluated per account per window (SEC-10); further
    /// attempts are refused unheard until the window ends. Default: 100.
    pub max_account_failures: u32,
    /// After this many failures of an account in the window, each failure blocks the account
    /// for `2^(failures - delay_after)` seconds (SEC-10). Default: 5.
    pub delay_after: u32,
    /// The growing delay never exceeds this. Default: 15 minutes.
    pub max_delay: Duration,
    /// At most this many failed logins are evaluated per client address per window, whatever
    /// the account; then the address waits for the window to end. Default: 300.
    pub max_ip_failures: u32,
    /// How long after the user last authenticated a session may still approve, change its
    /// email, password or MFA, or create API keys without re-authenticating (SEC-20).
    /// Default: 10 minutes.
    pub step_up_window: Duration,
    /// The longest a share link may live (SEC-14). Default: 90 days, which is also the most the
    /// store accepts, so this can only be lowered.
    pub share_link_max_lifetime: Duration,
    /// How long an invitation link works. Default: 7 days.
    pub invitation_lifetime: Duration,
    /// How long a password-reset or magic-link token works (SEC-21). Default: 10 minutes.
    pub login_token_lifetime: Duration,
    /// How long after the password (or magic link) the second factor may be entered.
    /// Default: 5 minutes.
    pub mfa_challenge_lifetime: Duration,
    /// Wrong TOTP or recovery codes allowed per user within one 30-second step; the next attempt
    /// waits for the step to end (SEC-23). Default: 4.
    pub max_mfa_failures_per_step: u32,
    /// Reset and magic-link mails sent per account per `failure_window`; further requests are
    /// answered alike but send nothing, so nobody can flood an inbox. Default: 5.
    pub max_login_mails: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::minutes(30),
            absolute_timeout: Duration::hours(12),
            session_touch_interval: Duration::minutes(1),
            session_cache_capacity: 10_000,
            failure_window: Duration::hours(1),
            max_account_failures: 100,
            delay_after: 5,
            max_delay: Duration::minutes(15),
            max_ip_failures: 300,
            step_up_window: Duration::minutes(10),
            share_link_max_lifetime: Duration::days(90),
            invitation_lifetime: Duration::days(7),
            login_token_lifetime: Duration::minutes(10),
            mfa_challenge_lifetime: Duration::minutes(5),
            max_mfa_failures_per_step: 4,
            max_login_mails: 5,
        }
    }
}

impl AuthConfig {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the idle timeout.
    #[must_use]
    pub const fn with_idle_timeout(self, idle_timeout: Duration) -> Self {
        Self {
            idle_timeout,
            ..self
        }
    }

    /// Sets the absolute timeout.
    #[must_use]
    pub const fn with_absolute_timeout(self, absolute_timeout: Duration) -> Self {
        Self {
            absolute_timeout,
            ..self
        }
    }

    /// Sets how often a session's last use is written (zero: on every use).
    #[must_use]
    pub const fn with_session_touch_interval(self, session_touch_interval: Duration) -> Self {
        Self {
            session_touch_interval,
            ..self
        }
    }

    /// Sets how many checked sessions are kept in memory (0: none).
    #[must_use]
    pub const fn with_session_cache_capacity(self, session_cache_capacity: u64) -> Self {
        Self {
            session_cache_capacity,
            ..self
        }
    }

    /// Sets the failure window.
    #[must_use]
    pub const fn with_failure_window(self, failure_window: Duration) -> Self {
        Self {
            failure_window,
            ..self
        }
    }

    /// Sets how many failures per account and window are evaluated.
    #[must_use]
    pub const fn with_max_account_failures(self, max_account_failures: u32) -> Self {
        Self {
            max_account_failures,
            ..self
        }
    }

    /// Sets after how many failures the growing delay starts (`u32::MAX`: never).
    #[must_use]
    pub const fn with_delay_after(self, delay_after: u32) -> Self {
        Self {
            delay_after,
            ..self
        }
    }

    /// Sets the longest growing delay.
    #[must_use]
    pub const fn with_max_delay(self, max_delay: Duration) -> Self {
        Self { max_delay, ..self }
    }

    /// Sets how many failures per client address and window are evaluated.
    #[must_use]
    pub const fn with_max_ip_failures(self, max_ip_failures: u32) -> Self {
        Self {
            max_ip_failures,
            ..self
        }
    }

    /// Sets the step-up window.
    #[must_use]
    pub const fn with_step_up_window(self, step_up_window: Duration) -> Self {
        Self {
            step_up_window,
            ..self
        }
    }

    /// Sets the longest share-link lifetime (values above 90 days are refused by the store).
    #[must_use]
    pub const fn with_share_link_max_lifetime(self, share_link_max_lifetime: Duration) -> Self {
        Self {
            share_link_max_lifetime,
            ..self
        }
    }

    /// Sets how long invitations work.
    #[must_use]
    pub const fn with_invitation_lifetime(self, invitation_lifetime: Duration) -> Self {
        Self {
            invitation_lifetime,
            ..self
        }
    }

    /// Sets how long reset and magic-link tokens work.
    #[must_use]
    pub const fn with_login_token_lifetime(self, login_token_lifetime: Duration) -> Self {
        Self {
            login_token_lifetime,
            ..self
        }
    }

    /// Sets how long a pending second factor may take.
    #[must_use]
    pub const fn with_mfa_challenge_lifetime(self, mfa_challenge_lifetime: Duration) -> Self {
        Self {
            mfa_challenge_lifetime,
            ..self
        }
    }

    /// Sets how many wrong codes one step allows.
    #[must_use]
    pub const fn with_max_mfa_failures_per_step(self, max_mfa_failures_per_step: u32) -> Self {
        Self {
            max_mfa_failures_per_step,
            ..self
        }
    }

    /// Sets how many reset and magic-link mails an account gets per window.
    #[must_use]
    pub const fn with_max_login_mails(self, max_login_mails: u32) -> Self {
        Self {
            max_login_mails,
            ..self
        }
    }

    /// The block after an account's `failures`-th failure in the window, if any:
    /// `2^(failures - delay_after)` seconds, capped at `max_delay`.
    #[must_use]
    pub fn delay_for(&self, failures: u32) -> Option<Duration> {
        let excess = failures.checked_sub(self.delay_after)?;
        let seconds = 1_i64.checked_shl(excess).filter(|s| *s > 0 && excess < 62);
        let delay = seconds.map_or(self.max_delay, Duration::seconds);
        Some(delay.min(self.max_delay))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_security_md_sec_10_sec_18() {
        let config = AuthConfig::default();
        assert_eq!(config.idle_timeout, Duration::minutes(30));
        assert_eq!(config.absolute_timeout, Duration::hours(12));
        assert_eq!(config.failure_window, Duration::hours(1));
        assert_eq!(config.max_account_failures, 100);
        assert_eq!(config.max_ip_failures, 300);
        assert_eq!(config.step_up_window, Duration::minutes(10));
        assert_eq!(config.share_link_max_lifetime, Duration::days(90));
        assert_eq!(config.invitation_lifetime, Duration::days(7));
        assert_eq!(config.login_token_lifetime, Duration::minutes(10));
        assert_eq!(config.max_mfa_failures_per_step, 4);
    }

    #[test]
    fn delay_grows_from_the_fifth_failure_and_is_capped_sec_10() {
        let config = AuthConfig::default();
        assert_eq!(config.delay_for(4), None);
        assert_eq!(config.delay_for(5), Some(Duration::seconds(1)));
        assert_eq!(config.delay_for(6), Some(Duration::seconds(2)));
        assert_eq!(config.delay_for(14), Some(Duration::seconds(512)));
        assert_eq!(config.delay_for(15), Some(Duration::minutes(15)));
        assert_eq!(config.delay_for(100), Some(Duration::minutes(15)));
        assert_eq!(config.delay_for(u32::MAX), Some(Duration::minutes(15)));
        assert_eq!(config.with_delay_after(u32::MAX).delay_for(99), None);
    }
}
