//! Defences at the edge: security headers on every response, errors included (SEC-32), and
//! refusal of cross-site requests that would change state (SEC-31).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Middleware: the headers every response carries, errors included (SEC-32).
/// `Content-Security-Policy` and `Cache-Control` are set only when the handler did not set its
/// own (a download's policy is `sandbox`, a page's admits the portal's own scripts and styles,
/// and the pages' static assets may be cached); the rest always.
pub(crate) async fn security_headers(State(hsts): State<bool>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    let defaults = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    let always = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
    ];
    for (name, value) in always {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Middleware: a state-changing request must come from the portal's own pages or from a
/// non-browser client. `Sec-Fetch-Site` other than `same-origin`/`none`, or an `Origin` whose host
/// is not the request's, is refused with 403 before any handler runs. A refused HTML form to a
/// page gets the tenant's branded 403 page, anything else the API's JSON error; page forms also
/// need their CSRF token, which the page handlers check.
pub(crate) async fn refuse_cross_site(request: Request<Body>, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe {
        return next.run(request).await;
    }
    // The API keeps its own rule for every body; the form rule is for the pages.
    let form = is_form(&request) && !is_api(request.uri().path());
    let refused = if form {
        is_cross_site_form(&request)
    } else {
        is_cross_site(&request)
    };
    if refused {
        #[cfg(feature = "pages")]
        if form && let Some(page) = crate::pages::refused_form(&request) {
            return page;
        }
        return ApiError::CrossSite.into_response();
    }
    next.run(request).await
}

/// Whether a path (the tenant's part of it) is meant for the JSON API: any segment `api`. Pages
/// never use one, so an API URL aimed at the wrong place (another slug on a custom domain, say)
/// still gets the API's JSON answers.
pub(crate) fn is_api(path: &str) -> bool {
    path.split('/').any(|segment| segment == "api")
}

/// Whether the body is one an HTML form sends (the API reads only JSON, and answers 415 to
/// anything else).
fn is_form(request: &Request<Body>) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| {
            let media = media.trim();
            media.eq_ignore_ascii_case("application/x-www-form-urlencoded")
                || media.eq_ignore_ascii_case("multipart/form-data")
        })
}

/// [`is_cross_site`] for HTML forms, with one difference: a browser posts a form of a page whose
/// `Referrer-Policy` is `no-referrer` — every portal page — with `Origin: null`, so there a
/// `Sec-Fetch-Site: same-origin` (which no page can forge) vouches for the origin. `null` without
/// it is refused.
fn is_cross_site_form(request: &Request<Body>) -> bool {
    let headers = request.headers();
    let null_origin = headers
        .get(header::ORIGIN)
        .is_some_and(|origin| origin.as_bytes() == b"null");
    if null_origin {
        let same_origin = headers
            .get("sec-fetch-site")
            .is_some_and(|site| site.as_bytes() == b"same-origin");
        return !same_origin;
    }
    is_cross_site(request)
}

fn is_cross_site(request: &Request<Body>) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("cross-site");
        if site != "same-origin" && site != "none" {
            return true;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return true;
    };
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.split_once("://"))
        .map(|(_, rest)| rest);
    origin_host.is_none_or(|origin_host| !origin_host.eq_ignore_ascii_case(host))
}

/// Middleware: a request gets `request_timeout` (408 when it runs out), except file transfers —
/// raw uploads (`application/octet-stream`) and resumable uploads' parts
/// (`application/offset+octet-stream`), the pages' upload forms (`multipart/form-data`),
/// downloads and exports (a client's export reads all its records before the first byte) —
/// which get `transfer_timeout`.
pub(crate) async fn time_limit(
    State((request_timeout, transfer_timeout)): State<(std::time::Duration, std::time::Duration)>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let transfer = path.ends_with("/download")
        || path.ends_with("/export")
        || request
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| {
                let value = value.as_bytes();
                value.starts_with(b"application/octet-stream")
                    || value.starts_with(b"application/offset+octet-stream")
                    || value.starts_with(b"multipart/form-data")
            });
    let limit = if transfer {
        transfer_timeout
    } else {
        request_timeout
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, headers: &[(&str, &str)]) -> Request<Body> {
        let mut builder = Request::builder().method(method).uri("/api/v1/x");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_writes_are_recognised_sec_31() {
        let host = ("host", "portal.example.com");
        assert!(!is_cross_site(&request(Method::POST, &[host])));
        assert!(!is_cross_site(&request(
            Method::POST,
            &[host, ("origin", "https://portal.example.com")]
        )));
        assert!(!is_cross_site(&request(
            Method::POST,
            &[host, ("sec-fetch-site", "same-origin")]
        )));
        assert!(is_cross_site(&request(
            Method::POST,
            &[host, ("origin", "https://evil.example")]
        )));
        assert!(is_cross_site(&request(
            Method::POST,
            &[host, ("sec-fetch-site", "cross-site")]
        )));
        assert!(is_cross_site(&request(
            Method::POST,
            &[host, ("sec-fetch-site", "same-site")]
        )));
        assert!(is_cross_site(&request(
            Method::POST,
            &[host, ("origin", "null")]
        )));
        // The API's rule stands for `Origin: null`, whatever Sec-Fetch-Site says.
        assert!(is_cross_site(&request(
            Method::POST,
            &[host, ("origin", "null"), ("sec-fetch-site", "same-origin")]
        )));
    }

    #[test]
    fn api_paths_are_recognised() {
        assert!(is_api("/api/v1/me"));
        assert!(is_api("/api"));
        assert!(is_api("/globex/api/v1/me"));
        assert!(!is_api("/"));
        assert!(!is_api("/login"));
        assert!(!is_api("/apis"));
        assert!(!is_api("/assets/api.css"));
    }

    #[test]
    fn forms_are_recognised_and_checked_like_other_writes_sec_31() {
        let host = ("host", "portal.example.com");
        let form = ("content-type", "application/x-www-form-urlencoded");
        assert!(is_form(&request(Method::POST, &[form])));
        assert!(is_form(&request(
            Method::POST,
            &[("content-type", "multipart/form-data; boundary=x")]
        )));
        assert!(!is_form(&request(
            Method::POST,
            &[("content-type", "application/json")]
        )));
        assert!(!is_form(&request(Method::POST, &[])));

        let same = ("sec-fetch-site", "same-origin");
        assert!(!is_cross_site_form(&request(Method::POST, &[host, form])));
        assert!(!is_cross_site_form(&request(
            Method::POST,
            &[host, form, ("origin", "null"), same]
        )));
        assert!(!is_cross_site_form(&request(
            Method::POST,
            &[host, form, ("origin", "https://portal.example.com"), same]
        )));
        assert!(is_cross_site_form(&request(
            Method::POST,
            &[host, form, ("origin", "null")]
        )));
        assert!(is_cross_site_form(&request(
            Method::POST,
            &[
                host,
                form,
                ("origin", "null"),
                ("sec-fetch-site", "cross-site")
            ]
        )));
        assert!(is_cross_site_form(&request(
            Method::POST,
            &[host, form, ("origin", "https://evil.example"), same]
        )));
        assert!(is_cross_site_form(&request(
            Method::POST,
            &[host, form, ("sec-fetch-site", "same-site")]
        )));
    }
}
