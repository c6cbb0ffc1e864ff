//! Driving the pages as a browser without script would: GET a form, keep its cookies, POST it
//! back urlencoded with the headers a browser adds to a same-origin form post. The submodules
//! hold what the page tests share beyond that: signing in (`login`), a signed-in browser with
//! its form token (`browser`), reading pages (`html`) and the seeded world (`world`).

#![allow(
    dead_code,
    unused_imports,
    reason = "each pages test file uses a different part of these helpers"
)]

mod browser;
mod html;
mod login;
pub mod multipart;
mod world;

use axum::body::Body;
use axum::http::{Request, header};

use crate::support::{Portal, Reply};

pub use crate::support::user_id;
pub use browser::{Browser, form_token};
pub use html::{
    assert_field_error, assert_shows, find_stylesheet, input_value, section, stylesheet,
};
pub use login::{open_form, post_login, second_factor_through_api, sign_in, totp};
pub use world::{audited, custom_contact, missing, seeded, seeded_with};

/// The session cookie's name with the default (secure) settings.
pub const SESSION: &str = "__Host-portal_session";
/// The pre-login CSRF cookie's name with the default (secure) settings.
pub const CSRF: &str = "__Host-portal_csrf";

/// A browser's cookies, as `name=value` pairs.
#[derive(Debug, Clone, Default)]
pub struct Jar(Vec<(String, String)>);

impl Jar {
    /// Takes in the `Set-Cookie`s of a reply (an empty value or `Max-Age=0` removes a cookie).
    pub fn update(&mut self, reply: &Reply) {
        for value in reply.headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.0.retain(|(existing, _)| existing != name);
            if !value.is_empty() && !text.contains("Max-Age=0") {
                self.0.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(existing, _)| existing == name)
            .map(|(_, value)| value.as_str())
    }

    /// The `Cookie` header.
    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A page GET with the jar's cookies and an optional `Accept-Language`.
pub async fn get(portal: &Portal, path: &str, jar: &Jar, language: Option<&str>) -> Reply {
    let mut request = Request::get(path).header(header::HOST, "portal.example.com");
    if !jar.0.is_empty() {
        request = request.header(header::COOKIE, jar.header());
    }
    if let Some(language) = language {
        request = request.header(header::ACCEPT_LANGUAGE, language);
    }
    portal.send(request.body(Body::empty()).unwrap()).await
}

/// A same-origin form POST as a browser sends it from a portal page: urlencoded, with
/// `Sec-Fetch-Site: same-origin` and — the pages' referrer policy being `no-referrer` —
/// `Origin: null`.
pub async fn post_form(portal: &Portal, path: &str, fields: &[(&str, &str)], jar: &Jar) -> Reply {
    post_form_with(
        portal,
        path,
        fields,
        jar,
        &[("origin", "null"), ("sec-fetch-site", "same-origin")],
    )
    .await
}

/// A form POST with the given fetch metadata headers.
pub async fn post_form_with(
    portal: &Portal,
    path: &str,
    fields: &[(&str, &str)],
    jar: &Jar,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = Request::post(path)
        .header(header::HOST, "portal.example.com")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if !jar.0.is_empty() {
        request = request.header(header::COOKIE, jar.header());
    }
    portal
        .send(request.body(Body::from(urlencoded(fields))).unwrap())
        .await
}

/// `a=1&b=2`, percent-encoded.
pub fn urlencoded(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A header of a reply as text; empty when it has none.
pub fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .map_or("", |value| value.to_str().unwrap())
}

/// The `Location` of a redirect.
pub fn location(reply: &Reply) -> &str {
    header(reply, header::LOCATION.as_str())
}
