//! Harbour started over the memory store with cheap argon2 and a recording mailer, driven
//! through its router with `oneshot`: no sockets, no ports.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the harness"
)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, header};
use embedded_app::host::users::DEMO_PASSWORD;
use embedded_app::{EmbeddedApp, Setup};
use http_body_util::BodyExt as _;
use portal_auth::password::Argon2Config;
use portal_auth::{MailLinkKey, RecordingMailer, TotpKey};
use portal_storage::Stores;
use portal_storage::blob::MemoryBlobStore;
use time::OffsetDateTime;
use tower::ServiceExt as _;

/// Where the tests say Harbour is served.
pub const PUBLIC_URL: &str = "https://harbour.example";

/// Argon2 parameters cheap enough for tests; production keeps the defaults.
pub fn cheap() -> Argon2Config {
    Argon2Config::default()
        .with_memory_kib(256)
        .with_iterations(1)
}

/// What a test needs to start Harbour over `stores`.
pub fn setup(stores: Stores, mailer: RecordingMailer) -> Setup {
    Setup {
        stores,
        blobs: Arc::new(MemoryBlobStore::new()),
        mailer: Arc::new(mailer),
        argon2: cheap(),
        public_url: PUBLIC_URL.to_owned(),
        totp_key: TotpKey::generate().unwrap(),
        mail_link_key: MailLinkKey::generate().unwrap(),
        today: OffsetDateTime::now_utc().date(),
    }
}

/// Harbour, started.
pub struct Harbour {
    pub app: EmbeddedApp,
    pub stores: Stores,
    pub mailer: RecordingMailer,
}

impl Harbour {
    /// Harbour over a fresh memory store.
    pub async fn start() -> Self {
        Self::start_over(Stores::memory()).await
    }

    /// Harbour over `stores`, which may hold what an earlier start made.
    pub async fn start_over(stores: Stores) -> Self {
        let mailer = RecordingMailer::new();
        let app = embedded_app::start(setup(stores.clone(), mailer.clone()))
            .await
            .unwrap();
        Self {
            app,
            stores,
            mailer,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.router.clone().oneshot(request).await.unwrap();
        Reply::read(response).await
    }

    /// A GET from the browser, with Harbour's cookie if given.
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(path).header(header::HOST, "harbour.example");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Harbour's sign-in form, posted from Harbour's own page.
    pub async fn post_login(&self, email: &str, password: &str) -> Reply {
        let body = format!("email={email}&password={password}");
        let request = Request::post("/login")
            .header(header::HOST, "harbour.example")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// A form of one of the portal's pages, posted from that page, with `cookies`.
    pub async fn post_form(&self, path: &str, fields: &[(&str, String)], cookies: &str) -> Reply {
        let body = fields
            .iter()
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(path)
            .header(header::HOST, "harbour.example")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "null")
            .header("sec-fetch-site", "same-origin")
            .header(header::COOKIE, cookies)
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Signs in to Harbour and returns the `name=value` of Harbour's session cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        let reply = self.post_login(email, DEMO_PASSWORD).await;
        assert_eq!(reply.status, 303, "{}", reply.text);
        reply.cookie("harbour_session").unwrap()
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    async fn read(response: Response<Body>) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Self {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    /// The `name=value` of every cookie this reply sets.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| {
                value
                    .to_str()
                    .unwrap()
                    .split(';')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    /// The `name=value` of the cookie `name` this reply sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap())
            .find(|cookie| cookie.starts_with(&format!("{name}=")))
            .map(|cookie| cookie.split(';').next().unwrap().to_owned())
    }
}

/// The value of the form field `name` in `html`.
pub fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap();
    html[start..start + end].to_owned()
}

/// `text` percent-encoded for a form body.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
