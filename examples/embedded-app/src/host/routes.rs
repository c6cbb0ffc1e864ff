//! Harbour's own pages: the home page, its sign-in and sign-out. Plain server-rendered HTML;
//! the portal's middleware (security headers, rate limit, cross-site refusal) does not run
//! here, only under the portal's mount point, so these answer with Harbour's own policy.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use portal_auth::password::Password;
use serde::Deserialize;

use super::Host;
use super::sessions::{SESSION_COOKIE, SESSION_LIFETIME, token_of};
use super::users::{HostRole, HostUser};
use crate::PORTAL_PATH;

/// Harbour's routes, with their state applied.
pub fn routes(host: Host) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .with_state(host)
}

/// The sign-in form's fields.
#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
}

async fn home(State(host): State<Host>, headers: HeaderMap) -> Html<String> {
    let signed_in = host
        .sessions
        .user_of(&headers)
        .and_then(|id| host.users.by_id(id));
    let body = match signed_in {
        Some(user) => signed_in_home(&host, user),
        None => "<p>Project management for Brightwater Studio.</p>\
                 <p><a href=\"/login\">Sign in</a></p>"
            .to_owned(),
    };
    page("Harbour", &body)
}

fn signed_in_home(host: &Host, user: &HostUser) -> String {
    // Guests see their own customer's shared projects; the team sees every project.
    let projects: String = host
        .workspace
        .projects
        .iter()
        .filter(|project| match &user.role {
            HostRole::Guest { customer, .. } => project.shared && &project.customer == customer,
            HostRole::Admin | HostRole::Member | HostRole::Contractor => true,
        })
        .map(|project| format!("<li>{}</li>", escape(&project.name)))
        .collect();
    format!(
        "<p>Signed in as {name} ({email}), {role}.</p>\
         <h2>Projects</h2><ul>{projects}</ul>\
         <h2>Client portal</h2>\
         <p>The portal's API answers with your Harbour sign-in:</p>\
         <ul><li><a href=\"{portal}/api/v1/me\">{portal}/api/v1/me</a>: who the portal takes you for</li>\
         <li><a href=\"{portal}/api/v1/dashboard\">{portal}/api/v1/dashboard</a>: where the work stands</li></ul>\
         <p>The portal's pages at <a href=\"{portal}/\">{portal}/</a> have their own sign-in \
         (a link sent to your address).</p>\
         <form method=\"post\" action=\"/logout\"><button>Sign out</button></form>",
        name = escape(&user.name),
        email = escape(&user.email),
        role = user.role.title(),
        portal = PORTAL_PATH,
    )
}

async fn login_form() -> Html<String> {
    page("Sign in to Harbour", &login_body(None))
}

async fn login(
    State(host): State<Host>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    if cross_site(&headers) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    let user = match host
        .users
        .sign_in(&form.email, Password::from(form.password))
        .await
    {
        Ok(Some(user)) => user,
        Ok(None) => {
            let body = login_body(Some("Wrong email or password."));
            return (StatusCode::UNAUTHORIZED, page("Sign in to Harbour", &body)).into_response();
        }
        Err(error) => {
            tracing::error!(%error, "checking a Harbour password failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // A new token at every sign-in; a session the browser brought along ends.
    if let Some(old) = token_of(&headers) {
        host.sessions.end(&old);
    }
    let token = match host.sessions.start(user.id) {
        Ok(token) => token,
        Err(error) => {
            tracing::error!(%error, "starting a Harbour session failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(host.secure_cookies)
        .max_age(SESSION_LIFETIME);
    (jar.add(cookie), Redirect::to("/")).into_response()
}

async fn logout(State(host): State<Host>, headers: HeaderMap, jar: CookieJar) -> Response {
    if cross_site(&headers) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    if let Some(token) = token_of(&headers) {
        host.sessions.end(&token);
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/")).into_response()
}

/// Whether the browser says the request comes from another site. With the `SameSite=Lax`
/// cookie this keeps other sites from signing people in or out; a real product also puts a
/// CSRF token in its forms, as the portal's pages do.
fn cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|site| site != "same-origin" && site != "none")
}

fn login_body(error: Option<&str>) -> String {
    let error = error
        .map(|text| format!("<p role=\"alert\">{}</p>", escape(text)))
        .unwrap_or_default();
    format!(
        "{error}<form method=\"post\" action=\"/login\">\
         <label>Email <input name=\"email\" type=\"email\" autocomplete=\"username\" required></label>\
         <label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <button>Sign in</button></form>"
    )
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>",
        title = escape(title),
    ))
}

/// Text for HTML element content and quoted attributes.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}
