//! Login throttling per account and per client address (SEC-10), on top of [`ThrottleStore`].

use std::net::IpAddr;

use portal_core::TenantId;
use portal_core::model::ThrottleState;
use portal_storage::{StoreResult, ThrottleStore};
use time::{Duration, OffsetDateTime};

use crate::config::AuthConfig;

/// The throttle key of an account: `account:<tenant>:<normalised email>`.
pub(crate) fn account_key(tenant: TenantId, normalised_email: &str) -> String {
    format!("account:{tenant}:{normalised_email}")
}

/// The throttle key of a client address: `ip:<ip>`.
pub(crate) fn ip_key(ip: IpAddr) -> String {
    format!("ip:{ip}")
}

/// The keys of one login attempt.
pub(crate) struct Keys {
    pub(crate) account: String,
    pub(crate) ip: Option<String>,
}

/// How long until the attempt may be evaluated, if a key blocks it now.
pub(crate) async fn blocked(
    store: &dyn ThrottleStore,
    config: &AuthConfig,
    keys: &Keys,
    now: OffsetDateTime,
) -> StoreResult<Option<Duration>> {
    let mut wait = wait_for(
        store.throttle(&keys.account).await?,
        config.max_account_failures,
        config,
        now,
    );
    if let Some(ip) = &keys.ip {
        let ip_wait = wait_for(
            store.throttle(ip).await?,
            config.max_ip_failures,
            config,
            now,
        );
        wait = wait.max(ip_wait);
    }
    Ok(wait)
}

fn wait_for(
    state: Option<ThrottleState>,
    limit: u32,
    config: &AuthConfig,
    now: OffsetDateTime,
) -> Option<Duration> {
    let state = state?;
    let blocked = state.blocked_until.filter(|until| *until > now);
    let window_end = state.window_started_at + config.failure_window;
    let full = (state.failures >= limit && window_end > now).then_some(window_end);
    blocked.max(full).map(|until| until - now)
}

/// The counts an admitted attempt took, to settle once it has been evaluated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Admitted {
    account: ThrottleState,
    ip: Option<ThrottleState>,
}

/// Counts an attempt against both keys *before* it is evaluated, so attempts running side by
/// side cannot all pass the check before any failure is recorded (SEC-10: at most
/// `max_account_failures` evaluated per window, however many arrive at once). `Err` holds how
/// long to wait; a refused attempt's counts are taken back. Settle an admitted attempt with
/// [`settle_failure`] or [`settle_success`].
pub(crate) async fn admit(
    store: &dyn ThrottleStore,
    config: &AuthConfig,
    keys: &Keys,
    now: OffsetDateTime,
) -> StoreResult<Result<Admitted, Duration>> {
    if let Some(wait) = blocked(store, config, keys, now).await? {
        return Ok(Err(wait));
    }
    let window = config.failure_window;
    let account = store.record_failure(&keys.account, now, window).await?;
    if account.failures > config.max_account_failures {
        store.forgive_failure(&keys.account).await?;
        return Ok(Err(until_window_end(account, config, now)));
    }
    let ip = match &keys.ip {
        Some(ip) => {
            let state = store.record_failure(ip, now, window).await?;
            if state.failures > config.max_ip_failures {
                store.forgive_failure(ip).await?;
                store.forgive_failure(&keys.account).await?;
                return Ok(Err(until_window_end(state, config, now)));
            }
            Some(state)
        }
        None => None,
    };
    Ok(Ok(Admitted { account, ip }))
}

/// An admitted attempt failed: its counts stand, and the keys are blocked as they now deserve
/// (the growing delay, or the rest of the window once a limit is reached).
pub(crate) async fn settle_failure(
    store: &dyn ThrottleStore,
    config: &AuthConfig,
    keys: &Keys,
    admitted: Admitted,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let window = config.failure_window;
    let account = admitted.account;
    let delayed = config.delay_for(account.failures).map(|delay| now + delay);
    let full = (account.failures >= config.max_account_failures)
        .then_some(account.window_started_at + window);
    if let Some(until) = delayed.max(full) {
        store.block_until(&keys.account, until).await?;
    }
    if let (Some(ip), Some(state)) = (&keys.ip, admitted.ip)
        && state.failures >= config.max_ip_failures
    {
        store
            .block_until(ip, state.window_started_at + window)
            .await?;
    }
    Ok(())
}

/// An admitted attempt succeeded: the account starts afresh, and the address gets its count
/// back (only failures count against an address).
pub(crate) async fn settle_success(store: &dyn ThrottleStore, keys: &Keys) -> StoreResult<()> {
    store.clear_throttle(&keys.account).await?;
    if let Some(ip) = &keys.ip {
        store.forgive_failure(ip).await?;
    }
    Ok(())
}

/// How long until `state`'s window ends (at least a second: a client told to retry at once
/// would only be refused again).
fn until_window_end(state: ThrottleState, config: &AuthConfig, now: OffsetDateTime) -> Duration {
    (state.window_started_at + config.failure_window - now).max(Duration::SECOND)
}
