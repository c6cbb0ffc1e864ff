//! An upload form's body, read with axum's [`Multipart`] (the `multer` crate): the parts in
//! order, each short field read whole within its own limit, then the file, handed on piece by
//! piece and never held whole.
//!
//! Two limits bound what is read. Until the file begins, the parser gets at most
//! [`BEFORE_FILE`] bytes of the body: `multer` holds a part's headers (and anything before the
//! first boundary) until they end and searches them again as more arrives, so without this a
//! body of endless headers would cost memory and time in proportion to the whole upload limit.
//! The whole body is limited through [`DefaultBodyLimit`] to the upload limit and
//! [`BESIDES_FILE`] more. The raw body stays within reach below the parser, so what the form
//! did not read can be drained before the answer goes out.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use axum::body::{Body, BodyDataStream, Bytes};
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest as _, Multipart, Request};
use axum::http::StatusCode;
use futures_util::{Stream, StreamExt as _, future, stream};
use tokio::sync::mpsc;

/// The most parts a form may have: an upload form has four or five.
pub(crate) const MAX_PARTS: usize = 16;
/// What may come before the file: the token, the short fields and every part's headers.
pub(crate) const BEFORE_FILE: u64 = 64 * 1024;
/// What the body may hold besides the file.
pub(crate) const BESIDES_FILE: u64 = 1024 * 1024;

/// Why an upload form's body could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Unreadable {
    /// The request is not `multipart/form-data` with a valid boundary.
    #[error("not a multipart/form-data body")]
    NotMultipart,
    /// A short field is longer than its limit.
    #[error("the form field {0:?} is too long")]
    FieldTooLong(String),
    /// The body is longer than the form may be.
    #[error("the form is too large")]
    TooLarge,
    /// The body does not follow the format, or broke off.
    #[error("the form could not be read: {0}")]
    Malformed(String),
}

impl From<MultipartError> for Unreadable {
    fn from(error: MultipartError) -> Self {
        // axum tells a body over the limit by its status: 413.
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::TooLarge
        } else {
            Self::Malformed(error.body_text())
        }
    }
}

/// An upload form's body, read part by part.
pub(crate) struct FormBody {
    parts: Multipart,
    raw: RawBody,
    /// Parts begun so far.
    count: usize,
}

impl std::fmt::Debug for FormBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormBody")
            .field("count", &self.count)
            .field("received", &self.raw.received())
            .finish_non_exhaustive()
    }
}

impl FormBody {
    /// The form `request` carries; its body may hold a file of `file_limit` bytes and little
    /// else. Refused unless it is `multipart/form-data` with a valid boundary.
    pub(crate) async fn open(request: Request, file_limit: u64) -> Result<Self, Unreadable> {
        let (head, body) = request.into_parts();
        let raw = RawBody::new(body);
        let mut request = Request::from_parts(head, Body::from_stream(raw.clone()));
        let limit = file_limit.saturating_add(BESIDES_FILE);
        // Replaces the router's limit for JSON bodies, which would refuse any file of size.
        DefaultBodyLimit::max(usize::try_from(limit).unwrap_or(usize::MAX)).apply(&mut request);
        let parts = Multipart::from_request(request, &())
            .await
            .map_err(|_| Unreadable::NotMultipart)?;
        Ok(Self {
            parts,
            raw,
            count: 0,
        })
    }

    /// The next part, skipping what is left of the one before; `None` after the last.
    pub(crate) async fn next_field(&mut self) -> Result<Option<Part<'_>>, Unreadable> {
        self.count += 1;
        if self.count > MAX_PARTS {
            return Err(Unreadable::Malformed("too many parts".to_owned()));
        }
        let parts = &mut self.parts;
        let field = before_file(&self.raw, async move { Ok(parts.next_field().await?) }).await?;
        Ok(field.map(|field| Part {
            field,
            raw: self.raw.clone(),
        }))
    }

    /// Reads and drops the rest of the body, up to `limit` more bytes, so an answer given before
    /// the whole upload arrived reaches a browser that is still sending (a server that stops
    /// reading makes many browsers report a reset connection instead of the page). Goes on
    /// below the parser, so a body it refused, or one over the form's limit, is drained too.
    pub(crate) async fn drain(self, limit: u64) {
        let Self { parts, mut raw, .. } = self;
        drop(parts);
        raw.lift_cap();
        let stop = raw.received().saturating_add(limit);
        while raw.received() < stop {
            match raw.next().await {
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            }
        }
    }
}

/// One part of the form.
#[derive(Debug)]
pub(crate) struct Part<'a> {
    field: Field<'a>,
    raw: RawBody,
}

impl Part<'_> {
    /// The form field's name; empty when the part has none.
    pub(crate) fn name(&self) -> &str {
        self.field.name().unwrap_or_default()
    }

    /// The file's name, for a file part (empty when no file was chosen).
    pub(crate) fn file_name(&self) -> Option<&str> {
        self.field.file_name()
    }

    /// The part's content as text, refused when longer than `limit` bytes: it is read piece by
    /// piece, so an over-long one is refused before it is held.
    pub(crate) async fn text(self, limit: usize) -> Result<String, Unreadable> {
        let Self { mut field, raw } = self;
        let read = async move {
            let mut content = Vec::new();
            while let Some(chunk) = field.chunk().await? {
                if content.len().saturating_add(chunk.len()) > limit {
                    return Err(Unreadable::FieldTooLong(
                        field.name().unwrap_or_default().to_owned(),
                    ));
                }
                content.extend_from_slice(&chunk);
            }
            String::from_utf8(content)
                .map_err(|_| Unreadable::Malformed("a field is not UTF-8".to_owned()))
        };
        before_file(&raw, read).await
    }

    /// Runs `consume` with this part — the file — as its body, handed on piece by piece as it
    /// arrives, and gives what it answered, with whether the part could be read. A part that
    /// cannot be read ends the body with an error, so `consume` sees a broken upload and stores
    /// nothing. When `consume` stops reading early, so does this; the rest is left to
    /// [`FormBody::drain`].
    pub(crate) async fn stream_file<F, T>(
        self,
        consume: impl FnOnce(Body) -> F,
    ) -> (Result<(), Unreadable>, T)
    where
        F: Future<Output = T>,
    {
        let Self { field, raw } = self;
        // The file is what the rest of the body is for.
        raw.lift_cap();
        // One piece in flight: the file is never held, however slowly `consume` reads.
        let (sender, receiver) = mpsc::channel(1);
        let body = Body::from_stream(stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|piece| (piece, receiver))
        }));
        future::join(pump(field, sender), consume(body)).await
    }
}

/// Runs `read`, part of the form before its file, refused as soon as it needs more of the body
/// than [`BEFORE_FILE`] allows.
async fn before_file<T>(
    raw: &RawBody,
    read: impl Future<Output = Result<T, Unreadable>>,
) -> Result<T, Unreadable> {
    let mut read = pin!(read);
    poll_fn(|cx| match read.as_mut().poll(cx) {
        // Waiting while the body is held back at the cap: waiting for what will not come.
        Poll::Pending if raw.at_cap() => Poll::Ready(Err(Unreadable::Malformed(
            "the parts before the file are too long".to_owned(),
        ))),
        polled => polled,
    })
    .await
}

/// Sends the part's pieces on until it ends, it breaks, or nobody reads them any more.
async fn pump(
    mut field: Field<'_>,
    sender: mpsc::Sender<Result<Bytes, io::Error>>,
) -> Result<(), Unreadable> {
    loop {
        match field.chunk().await {
            Ok(Some(piece)) => {
                if sender.send(Ok(piece)).await.is_err() {
                    return Ok(());
                }
            }
            Ok(None) => return Ok(()),
            Err(error) => {
                // The reader may be gone already; then there is no one to tell.
                let _ = sender
                    .send(Err(io::Error::other("the upload form could not be read")))
                    .await;
                return Err(error.into());
            }
        }
    }
}

/// The request's body, shared by the parser and the drain: it counts what was read and, until
/// the file begins, holds the parser back at [`BEFORE_FILE`] bytes.
#[derive(Clone)]
struct RawBody(Arc<Mutex<Raw>>);

impl std::fmt::Debug for RawBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawBody")
            .field("received", &self.received())
            .finish_non_exhaustive()
    }
}

struct Raw {
    chunks: BodyDataStream,
    /// Bytes handed out so far.
    received: u64,
    /// How far the body may be read; `None` once the file begins.
    cap: Option<u64>,
    /// What was read past the cap, handed out once it is lifted.
    held: Option<Bytes>,
    /// Whether a read waits at the cap.
    waiting: Option<Waker>,
}

impl RawBody {
    fn new(body: Body) -> Self {
        Self(Arc::new(Mutex::new(Raw {
            chunks: body.into_data_stream(),
            received: 0,
            cap: Some(BEFORE_FILE),
            held: None,
            waiting: None,
        })))
    }

    fn lock(&self) -> MutexGuard<'_, Raw> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Bytes read from the body so far.
    fn received(&self) -> u64 {
        self.lock().received
    }

    /// Whether a read is held back at the cap.
    fn at_cap(&self) -> bool {
        self.lock().waiting.is_some()
    }

    /// Lets the rest of the body be read.
    fn lift_cap(&self) {
        let mut raw = self.lock();
        raw.cap = None;
        if let Some(waiting) = raw.waiting.take() {
            waiting.wake();
        }
    }
}

impl Stream for RawBody {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Locked only while polling, never across an await: the parser and the drain take
        // turns, never wait for each other.
        let mut raw = self.lock();
        let room = raw
            .cap
            .map_or(u64::MAX, |cap| cap.saturating_sub(raw.received));
        if room == 0 {
            raw.waiting = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let mut piece = match raw.held.take() {
            Some(piece) => piece,
            None => match raw.chunks.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(piece))) => piece,
                other => return other,
            },
        };
        if u64::try_from(piece.len()).unwrap_or(u64::MAX) > room {
            let rest = piece.split_off(usize::try_from(room).unwrap_or(usize::MAX));
            raw.held = Some(rest);
        }
        let size = u64::try_from(piece.len()).unwrap_or(u64::MAX);
        raw.received = raw.received.saturating_add(size);
        Poll::Ready(Some(Ok(piece)))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::header;

    use super::*;

    const BOUNDARY: &str = "----form7MA4YWxk";

    /// A form body as a browser writes it: `(name, file name, content)` in order.
    fn body(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, file, content) in parts {
            out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            let file = file.map_or(String::new(), |file| format!("; filename=\"{file}\""));
            out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n").as_bytes(),
            );
            out.extend_from_slice(content);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        out
    }

    /// A form request whose body arrives in pieces of `size` bytes.
    fn request(bytes: &[u8], size: usize) -> Request {
        let chunks: Vec<Result<Bytes, io::Error>> = bytes
            .chunks(size)
            .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
            .collect();
        Request::builder()
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from_stream(stream::iter(chunks)))
            .unwrap()
    }

    #[tokio::test]
    async fn fields_and_the_file_come_out_whole_however_the_body_is_cut() {
        // Content holding most of a delimiter, and CR LF pairs, must pass unharmed.
        let file: Vec<u8> = (0..5000_u32)
            .map(|n| u8::try_from(n % 251).unwrap())
            .chain(format!("\r\n--{}x\r\n\r\n--", &BOUNDARY[..10]).into_bytes())
            .collect();
        let bytes = body(&[
            ("csrf_token", None, b"token-1"),
            ("title", None, "Überblick \"Q1\"".as_bytes()),
            ("file", Some("report.pdf"), &file),
            ("after", None, b"ignored"),
        ]);
        for size in [1, 7, 64, 1000, bytes.len()] {
            let mut form = FormBody::open(request(&bytes, size), 10_000).await.unwrap();
            let token = form.next_field().await.unwrap().unwrap();
            assert_eq!(token.name(), "csrf_token");
            assert_eq!(token.text(256).await.unwrap(), "token-1");
            let title = form.next_field().await.unwrap().unwrap();
            assert_eq!(title.text(1024).await.unwrap(), "Überblick \"Q1\"");
            let field = form.next_field().await.unwrap().unwrap();
            assert_eq!(field.file_name(), Some("report.pdf"));
            let (read, received) = field
                .stream_file(
                    |body| async move { axum::body::to_bytes(body, usize::MAX).await.unwrap() },
                )
                .await;
            read.unwrap();
            assert_eq!(received.as_ref(), file.as_slice(), "pieces of {size}");
            form.drain(1024).await;
        }
    }

    #[tokio::test]
    async fn the_parts_before_the_file_get_a_bounded_share_of_the_body() {
        // Fields and a large file arriving as one piece: held back at the cap, then handed on.
        let file = vec![b'f'; 3 * usize::try_from(BEFORE_FILE).unwrap()];
        let bytes = body(&[("csrf_token", None, b"t"), ("file", Some("a.txt"), &file)]);
        let mut form = FormBody::open(request(&bytes, bytes.len()), 1 << 20)
            .await
            .unwrap();
        let token = form.next_field().await.unwrap().unwrap();
        assert_eq!(token.text(256).await.unwrap(), "t");
        assert!(form.raw.received() <= BEFORE_FILE);
        let field = form.next_field().await.unwrap().unwrap();
        let (read, received) = field
            .stream_file(|body| async move { axum::body::to_bytes(body, usize::MAX).await })
            .await;
        read.unwrap();
        assert_eq!(received.unwrap().as_ref(), file.as_slice());

        // A part whose headers never end is refused at the cap, not read on.
        let mut endless =
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"x").into_bytes();
        endless.resize(10 * usize::try_from(BEFORE_FILE).unwrap(), b'x');
        let mut form = FormBody::open(request(&endless, 1000), 1 << 20)
            .await
            .unwrap();
        assert!(matches!(
            form.next_field().await,
            Err(Unreadable::Malformed(_))
        ));
        assert_eq!(form.raw.received(), BEFORE_FILE);
        // So is a preamble without a boundary.
        let mut form = FormBody::open(request(&vec![b'-'; endless.len()], 1000), 1 << 20)
            .await
            .unwrap();
        assert!(form.next_field().await.is_err());
        assert_eq!(form.raw.received(), BEFORE_FILE);
        // The drain reads on past the cap.
        let raw = form.raw.clone();
        form.drain(u64::MAX).await;
        assert_eq!(raw.received(), u64::try_from(endless.len()).unwrap());
    }

    #[tokio::test]
    async fn a_short_field_over_its_limit_is_refused() {
        let long = vec![b'a'; 300];
        let bytes = body(&[("csrf_token", None, &long)]);
        let mut form = FormBody::open(request(&bytes, 16), 10_000).await.unwrap();
        let token = form.next_field().await.unwrap().unwrap();
        assert!(matches!(
            token.text(256).await,
            Err(Unreadable::FieldTooLong(name)) if name == "csrf_token"
        ));
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_too_large_and_still_drained() {
        let file = vec![b'x'; 4000];
        let bytes = body(&[("csrf_token", None, b"t"), ("file", Some("a.txt"), &file)]);
        let mut form = FormBody::open(request(&bytes, 100), 0).await.unwrap();
        // With a file limit of 0 the body may hold the allowance only: this one fits.
        let _ = form.next_field().await.unwrap().unwrap();
        let field = form.next_field().await.unwrap().unwrap();
        let (read, received) = field
            .stream_file(
                |body| async move { axum::body::to_bytes(body, usize::MAX).await.unwrap() },
            )
            .await;
        read.unwrap();
        assert_eq!(received.as_ref(), file.as_slice());

        // A file past the allowance: the parser stops there (reading ahead, it may find out at
        // any part), the drain reads on to the end.
        let big = vec![b'y'; 1024 * 1024 + 10];
        let bytes = body(&[("csrf_token", None, b"t"), ("file", Some("a.txt"), &big)]);
        let mut form = FormBody::open(request(&bytes, 4096), 0).await.unwrap();
        let error = loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    let (read, stored) = field
                        .stream_file(|body| async move {
                            axum::body::to_bytes(body, usize::MAX).await.is_ok()
                        })
                        .await;
                    if let Err(error) = read {
                        assert!(!stored, "the reader saw the body break");
                        break error;
                    }
                }
                Ok(None) => panic!("a body over the limit was read whole"),
                Err(error) => break error,
            }
        };
        assert!(matches!(error, Unreadable::TooLarge), "{error:?}");
        let raw = form.raw.clone();
        form.drain(u64::MAX).await;
        assert_eq!(raw.received(), u64::try_from(bytes.len()).unwrap());
    }

    #[tokio::test]
    async fn bodies_that_are_not_forms_are_refused() {
        let not_multipart = Request::builder()
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("csrf_token=x"))
            .unwrap();
        assert!(matches!(
            FormBody::open(not_multipart, 100).await,
            Err(Unreadable::NotMultipart)
        ));
        // The boundary named, but never written.
        let mut form = FormBody::open(request(b"just some bytes", 4), 100)
            .await
            .unwrap();
        assert!(matches!(
            form.next_field().await,
            Err(Unreadable::Malformed(_))
        ));
        // A part that breaks off.
        let bytes = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"a.txt\"\r\n\r\nhalf a fi"
        );
        let mut form = FormBody::open(request(bytes.as_bytes(), 5), 100)
            .await
            .unwrap();
        let field = form.next_field().await.unwrap().unwrap();
        let (read, _) = field
            .stream_file(|body| async move { axum::body::to_bytes(body, usize::MAX).await })
            .await;
        assert!(matches!(read, Err(Unreadable::Malformed(_))), "{read:?}");
    }

    #[tokio::test]
    async fn a_form_has_a_limited_number_of_parts() {
        let parts: Vec<(&str, Option<&str>, &[u8])> =
            (0..20).map(|_| ("x", None, &b"1"[..])).collect();
        let mut form = FormBody::open(request(&body(&parts), 64), 100)
            .await
            .unwrap();
        for _ in 0..MAX_PARTS {
            let field = form.next_field().await.unwrap().unwrap();
            field.text(8).await.unwrap();
        }
        assert!(matches!(
            form.next_field().await,
            Err(Unreadable::Malformed(_))
        ));
    }
}
