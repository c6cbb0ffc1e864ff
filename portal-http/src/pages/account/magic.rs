//! Magic sign-in links: `login/link` asks for one by email; `auth/magic?token=…`, the path the
//! mail links to, shows a button, and only its POST spends the token — mail scanners that fetch
//! every link would otherwise use it up before the person clicks. The link signs in like a
//! password: a person with a second factor still gives their code.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portal_auth::{AuthError, LoginOutcome, LoginToken};
use serde::{Deserialize, Serialize};

use super::super::login::{finish_sign_in, pre_login_page, second_step};
use super::super::page::PageRequest;
use super::ask::{self, AskFields, LinkKind};
use super::pre_login::{self, DeadLink, PreLoginForm};
use crate::error::ApiError;
use crate::extract::{ClientIp, UserAgent};
use crate::state::PortalState;

/// The redemption form's field.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RedeemFields {
    token: String,
}

/// The redemption page: the token its button posts.
#[derive(Debug, Serialize)]
struct MagicView {
    token: String,
}

/// `GET login/link`: the form that asks for a link.
pub(super) async fn ask_form(page: PageRequest, headers: HeaderMap) -> Response {
    ask::form(&page, &headers, LinkKind::MagicLink)
}

/// `POST login/link`: the same answer for every email (SEC-09).
pub(super) async fn ask(
    State(state): State<PortalState>,
    ip: ClientIp,
    form: PreLoginForm<AskFields>,
) -> Response {
    ask::submit(state, ip, form, LinkKind::MagicLink)
}

/// `GET login/link/sent`: "check your mail".
pub(super) async fn sent(page: PageRequest, headers: HeaderMap) -> Response {
    ask::sent(&page, &headers, LinkKind::MagicLink)
}

/// `GET auth/magic?token=…`: a button that signs in. Spends nothing.
pub(super) async fn form(
    page: PageRequest,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let token = pre_login::query_token(query.as_deref());
    if LoginToken::parse(&token).is_err() {
        return pre_login::dead_link(&page, &headers, DeadLink::Magic);
    }
    pre_login_page(
        &page,
        &headers,
        StatusCode::OK,
        "account/magic.html",
        MagicView { token },
    )
}

/// `POST auth/magic`: spends the token and signs in — or asks for the second factor. A used,
/// expired or unknown link gets the dead-link page.
pub(super) async fn redeem(
    State(state): State<PortalState>,
    ip: ClientIp,
    UserAgent(agent): UserAgent,
    form: PreLoginForm<RedeemFields>,
) -> Response {
    let PreLoginForm {
        page,
        headers,
        fields,
    } = form;
    let outcome = state
        .recovery()
        .redeem_magic_link(page.tenant.id, &fields.token, &ip.login_context(agent))
        .await;
    match outcome {
        Ok(LoginOutcome::SignedIn(success)) => {
            finish_sign_in(&state, &page, &headers, &success, None).await
        }
        Ok(LoginOutcome::SecondFactorRequired(challenge)) => {
            second_step(&page, &headers, &challenge, None)
        }
        Err(AuthError::InvalidLoginToken) => pre_login::dead_link(&page, &headers, DeadLink::Magic),
        Err(error) => page.error(ApiError::from(error).into()),
    }
}
