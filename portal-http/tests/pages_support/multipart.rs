//! Multipart form posts, as a browser sends an upload form from a portal page.

use axum::body::Body;
use axum::http::{Request, header};

use super::Jar;
use crate::support::{Portal, Reply};

pub const BOUNDARY: &str = "----portal-test-boundary-7MA4YWxk";

/// One part of a multipart form: a field, or a file with its name.
pub enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

/// A `multipart/form-data` body as a browser writes it, parts in the given order.
pub fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Field(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                        .as_bytes(),
                );
            }
            Part::File(name, file, content) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(content);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A same-origin multipart form post, as a browser sends it from a portal page.
pub async fn post_multipart(portal: &Portal, path: &str, parts: &[Part<'_>], jar: &Jar) -> Reply {
    post_body(portal, path, multipart(parts), jar).await
}

/// A same-origin post of `body`, exactly as given, as a multipart form with [`BOUNDARY`].
pub async fn post_body(portal: &Portal, path: &str, body: Vec<u8>, jar: &Jar) -> Reply {
    let request = Request::post(path)
        .header(header::HOST, "portal.example.com")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, jar.header());
    portal.send(request.body(Body::from(body)).unwrap()).await
}
