//! Requests per client address (GCRA, in this process): a flood from one address gets 429 with
//! `Retry-After` before it reaches a route. The address comes from [`ClientIp`], so a spoofed
//! `X-Forwarded-For` from an untrusted peer changes nothing (SEC-11).

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::RateLimit;
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::state::PortalState;

/// Forget idle addresses every this many checks, so memory follows the active clients only.
const SWEEP_EVERY: u64 = 10_000;

/// The per-address limiter.
pub(crate) struct AddressLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

impl AddressLimiter {
    pub(crate) fn new(rate: RateLimit) -> Self {
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(rate.per_second).allow_burst(rate.burst),
            ),
            checks: AtomicU64::new(0),
        }
    }

    /// `Ok`, or how many seconds (at least one) until `address` may ask again.
    fn check(&self, address: IpAddr) -> Result<(), u64> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&address).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

/// Middleware: refuses an address over its rate with 429.
pub(crate) async fn limit_rate(
    State(state): State<PortalState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(ClientIp(address)) = ClientIp::from_request_parts(&mut parts, &state).await;
    if let (Some(limiter), Some(address)) = (state.rate_limiter(), address)
        && let Err(retry_after) = limiter.check(address)
    {
        return ApiError::Throttled { retry_after }.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::num::NonZeroU32;

    use super::*;

    #[test]
    fn an_address_over_its_burst_waits_and_others_do_not() {
        let limiter = AddressLimiter::new(RateLimit {
            per_second: NonZeroU32::new(1).unwrap(),
            burst: NonZeroU32::new(3).unwrap(),
        });
        let noisy = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1));
        let quiet = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 2));
        for _ in 0..3 {
            assert!(limiter.check(noisy).is_ok());
        }
        assert_eq!(limiter.check(noisy), Err(1));
        assert!(limiter.check(quiet).is_ok());
    }
}
