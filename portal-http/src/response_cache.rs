//! Answers to the hottest reads (the dashboard), kept per caller while the stores' change
//! stamp says nothing they were built from has changed.
//!
//! An answer is a pure function of the caller's scope, the tenant's data and the day (overdue
//! invoices). The scope is itself built from the tenant's data, so (tenant, who is asking, day)
//! plus the [`ChangeStamp`] taken *before* the reads pins the answer exactly: any counted write
//! to the tenant, or an ended session, moves the stamp and the next request builds afresh.
//! With stores that offer no stamps (PostgreSQL shared by replicas) nothing is cached.

use std::time::Duration;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use moka::sync::Cache;
use portal_core::{ApiKeyId, TenantId, UserId};
use portal_storage::ChangeStamp;
use time::Date;

use crate::extract::{Caller, CallerVia};

/// Which answer: the route, the tenant, who is asking and the day.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AnswerKey {
    route: &'static str,
    tenant: TenantId,
    asker: Asker,
    day: Date,
}

/// Who is asking: a user (by session or through the host's login: the same memberships, the
/// same scope) or an API key (its own, narrower scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Asker {
    User(UserId),
    ApiKey(ApiKeyId),
}

impl AnswerKey {
    /// The key of `route`'s answer to `caller` on `day`.
    pub(crate) fn new(route: &'static str, caller: &Caller, day: Date) -> Self {
        let asker = match &caller.via {
            CallerVia::Session(session) => Asker::User(session.session.user),
            CallerVia::Host(user) => Asker::User(*user),
            CallerVia::ApiKey(key) => Asker::ApiKey(key.id),
        };
        Self {
            route,
            tenant: caller.scope.tenant_id(),
            asker,
            day,
        }
    }
}

/// A serialised JSON answer and the stamp it was built under.
#[derive(Clone)]
struct Answer {
    stamp: ChangeStamp,
    json: Bytes,
}

/// Built answers, bounded by their total size. Clones share the entries.
#[derive(Clone)]
pub(crate) struct ResponseCache {
    answers: Cache<AnswerKey, Answer>,
}

impl ResponseCache {
    /// Holds up to `max_bytes` of answers, each at most `lifetime`; `None` when `max_bytes` is 0.
    pub(crate) fn new(max_bytes: u64, lifetime: Duration) -> Option<Self> {
        (max_bytes > 0).then(|| Self {
            answers: Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_key, answer: &Answer| {
                    u32::try_from(answer.json.len()).unwrap_or(u32::MAX)
                })
                .time_to_live(lifetime)
                .build(),
        })
    }

    /// The answer for `key` if it was built under `stamp`.
    pub(crate) fn get(&self, key: &AnswerKey, stamp: ChangeStamp) -> Option<Response> {
        self.answers
            .get(key)
            .filter(|answer| answer.stamp == stamp)
            .map(|answer| json_response(answer.json))
    }

    /// Keeps an answer built under `stamp` (taken before its reads).
    pub(crate) fn insert(&self, key: AnswerKey, stamp: ChangeStamp, json: Bytes) {
        self.answers.insert(key, Answer { stamp, json });
    }
}

/// A `200 application/json` response of already serialised JSON.
pub(crate) fn json_response(json: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response()
}
