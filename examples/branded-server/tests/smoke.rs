//! One real listener: the seeded demo served on port 0, a demo login over HTTP, and the session
//! cookie it returns recognised on the next request; and `--template-dir`, a template in the
//! folder replacing the built-in page of that name.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use branded_server::config::PortalConfig;
use branded_server::mail::FileMailer;
use branded_server::seed::{self, DEMO_PASSWORD};
use branded_server::templates::pages_config;
use portal_auth::password::{Argon2Config, PasswordHasher};
use portal_auth::{AuthConfig, Authenticator, MailSetup, PortalLinks, SystemClock, TotpKey};
use portal_http::{HttpConfig, PortalParts, PortalState};
use portal_storage::Stores;
use portal_storage::blob::MemoryBlobStore;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// Sends one HTTP/1.1 request and returns the status and the whole response.
async fn send(addr: SocketAddr, request: String) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response}"));
    (status, response)
}

/// The seeded demo served on port 0 with `config`, mail written to `mail_dir`; the address and
/// the server's task.
async fn serve_demo(
    config: HttpConfig,
    mail_dir: &Path,
) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let stores = Stores::memory();
    let blobs = Arc::new(MemoryBlobStore::new());
    let hasher = PasswordHasher::new(
        Argon2Config::default()
            .with_memory_kib(64)
            .with_iterations(1),
    )
    .unwrap();
    let portal = PortalConfig::bundled().unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    seed::seed(&stores, blobs.as_ref(), &hasher, &portal, today)
        .await
        .unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let links = PortalLinks::new(&format!("http://{addr}")).unwrap();
    let state = PortalState::new(PortalParts {
        authenticator: Authenticator::new(
            stores.clone(),
            hasher,
            AuthConfig::default(),
            Arc::new(SystemClock),
        ),
        stores,
        blobs,
        mail: MailSetup::new(Arc::new(FileMailer::new(mail_dir).unwrap()), links),
        totp_key: TotpKey::generate().unwrap(),
        config: config.with_insecure_dev_cookies(),
        host_identity: None,
    });
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            branded_server::app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    (addr, server)
}

/// A GET of `path`: the status and the whole response.
async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    send(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
    .await
}

#[tokio::test]
async fn a_demo_login_works_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, server) = serve_demo(HttpConfig::default(), dir.path()).await;

    let body = format!(r#"{{"email":"james@acme.example","password":"{DEMO_PASSWORD}"}}"#);
    let (status, response) = send(
        addr,
        format!(
            "POST /northwind/api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert_eq!(status, 200, "{response}");
    assert!(response.contains(r#""status":"signed_in""#), "{response}");
    let cookie = response
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie").then(|| {
                value
                    .trim()
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
        })
        .unwrap_or_else(|| panic!("no session cookie: {response}"));

    let (status, response) = send(
        addr,
        format!(
            "GET /northwind/api/v1/me HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
             Connection: close\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 200, "{response}");
    assert!(response.contains("James Porter"), "{response}");

    // Another tenant's path is not found, and says nothing more.
    let (status, _) = get(addr, "/globex/api/v1/me").await;
    assert_eq!(status, 404);
    server.abort();
}

const MARKER: &str = "sign-in page from the template directory";

#[tokio::test]
async fn a_template_in_the_directory_replaces_the_built_in_page() {
    let templates = tempfile::tempdir().unwrap();
    let mail = tempfile::tempdir().unwrap();
    std::fs::write(
        templates.path().join("login.html"),
        format!("<!doctype html>\n<title>{{{{ tenant.name }}}}</title>\n<p>{MARKER}</p>\n"),
    )
    .unwrap();
    let pages = pages_config(Some(templates.path())).unwrap();
    let (addr, server) = serve_demo(HttpConfig::default().with_pages(pages), mail.path()).await;

    let (status, body) = get(addr, "/northwind/login").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(MARKER), "{body}");
    // The template's variables are the page's: the tenant's name from the branding file.
    assert!(body.contains("<title>Northwind Studio</title>"), "{body}");

    // A page without a file in the folder stays built in.
    let (status, body) = get(addr, "/northwind/login/reset").await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(MARKER), "{body}");
    assert!(body.contains("Northwind Studio"), "{body}");
    server.abort();
}
