//! When to try a failed webhook delivery again: 30 s, 1 min, 2 min, … doubling, each wait at most
//! an hour, with ±10 % jitter so that deliveries failed together do not retry together; given up
//! once the next try would fall more than 24 hours after the event was first queued.

use rand::Rng as _;
use time::{Duration, OffsetDateTime};

/// The wait after the first failed attempt.
const FIRST_WAIT: Duration = Duration::seconds(30);
/// The longest single wait.
const MAX_WAIT: Duration = Duration::hours(1);
/// How long after first being queued a delivery may still be tried.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);
/// The jitter, as a fraction of the wait (±).
const JITTER: f64 = 0.10;

/// The wait before the next attempt after `attempts_so_far` failed ones, without jitter.
#[must_use]
pub fn base_wait(attempts_so_far: i32) -> Duration {
    // 30 s · 2^(n-1), capped; beyond 2^7 the cap applies anyway, so the shift never overflows.
    let doublings = attempts_so_far.saturating_sub(1).clamp(0, 7);
    let wait = FIRST_WAIT * (1_i32 << doublings);
    wait.min(MAX_WAIT)
}

/// When to try again after `attempts_so_far` failed attempts of a delivery first queued at
/// `first_queued`; `None` when that would fall later than 24 hours after `first_queued`: the
/// delivery is then dead.
#[must_use]
pub fn next_attempt(
    attempts_so_far: i32,
    first_queued: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let factor = rand::rng().random_range((1.0 - JITTER)..=(1.0 + JITTER));
    next_attempt_with_jitter(attempts_so_far, first_queued, now, factor)
}

/// [`next_attempt`] with the jitter factor given (between 0.9 and 1.1).
fn next_attempt_with_jitter(
    attempts_so_far: i32,
    first_queued: OffsetDateTime,
    now: OffsetDateTime,
    factor: f64,
) -> Option<OffsetDateTime> {
    let at = now + base_wait(attempts_so_far) * factor;
    (at <= first_queued + GIVE_UP_AFTER).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn waits_double_from_thirty_seconds_up_to_an_hour() {
        let waits: Vec<i64> = (1..=10).map(|n| base_wait(n).whole_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(base_wait(0), Duration::seconds(30));
        assert_eq!(base_wait(i32::MAX), Duration::hours(1));
    }

    #[test]
    fn the_jitter_stays_within_ten_percent() {
        let queued = datetime!(2026-03-01 12:00 UTC);
        let now = queued + Duration::minutes(5);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let at = next_attempt(3, queued, now).unwrap();
            let wait = (at - now).as_seconds_f64();
            assert!((108.0..=132.0).contains(&wait), "{wait}");
            seen.insert(at);
        }
        assert!(seen.len() > 1, "the jitter must vary");
        assert_eq!(
            next_attempt_with_jitter(3, queued, now, 0.9),
            Some(now + Duration::seconds(108))
        );
        assert_eq!(
            next_attempt_with_jitter(3, queued, now, 1.1),
            Some(now + Duration::seconds(132))
        );
    }

    #[test]
    fn a_delivery_is_dead_after_twenty_four_hours() {
        let queued = datetime!(2026-03-01 12:00 UTC);
        // Late on the first day, an hour's wait still fits.
        let now = queued + Duration::hours(22);
        assert!(next_attempt_with_jitter(12, queued, now, 1.1).is_some());
        // Half an hour before the end, a 54-minute wait does not.
        let now = queued + Duration::hours(23) + Duration::minutes(30);
        assert_eq!(next_attempt_with_jitter(12, queued, now, 0.9), None);
        assert_eq!(next_attempt(12, queued, queued + Duration::hours(25)), None);
    }

    #[test]
    fn the_whole_schedule_ends_within_a_day() {
        let queued = datetime!(2026-03-01 12:00 UTC);
        let mut now = queued;
        let mut attempts = 1;
        while let Some(at) = next_attempt_with_jitter(attempts, queued, now, 1.0) {
            assert!(at > now);
            now = at;
            attempts += 1;
        }
        assert!(now <= queued + GIVE_UP_AFTER);
        // 30 s + … + 1920 s ≈ 1 h 4 min, then hourly: about 30 attempts in a day.
        assert!((28..=32).contains(&attempts), "{attempts}");
    }
}
