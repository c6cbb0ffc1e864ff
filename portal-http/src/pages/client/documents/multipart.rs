//! A streaming reader of `multipart/form-data` bodies (RFC 7578), as an HTML upload form sends
//! them: small text fields are read whole (with a limit each), a file part is handed on piece by
//! piece and never held whole. Only what a form sends is understood: one level of parts, each
//! with a `Content-Disposition: form-data; name="…"` header.

use std::pin::Pin;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt as _};

/// The longest header block of one part.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// The most parts a form may have before it is refused: upload forms have four or five.
const MAX_PARTS: usize = 16;
/// The longest boundary RFC 2046 allows.
const MAX_BOUNDARY_BYTES: usize = 70;

/// Why a body could not be read as a form.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MultipartError {
    /// The request is not `multipart/form-data` with a boundary.
    #[error("not a multipart/form-data body")]
    NotMultipart,
    /// The body does not follow the format.
    #[error("malformed multipart body: {0}")]
    Malformed(&'static str),
    /// A text field is longer than its limit.
    #[error("the form field is too long")]
    FieldTooLong,
    /// The body ended, or broke off, before the form did.
    #[error("the upload broke off")]
    Interrupted,
}

/// What a part's headers say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartHead {
    /// The form field's name.
    pub(crate) name: String,
    /// The file's name, for a file part (empty when no file was chosen).
    pub(crate) file_name: Option<String>,
}

/// Where the reader is in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Before the first boundary.
    Preamble,
    /// Just after a boundary: a part's headers, or the end, come next.
    Boundary,
    /// In a part's content.
    Content,
    /// After the closing boundary.
    End,
}

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, axum::Error>> + Send>>;

/// A form body, read part by part.
pub(crate) struct Multipart {
    body: Chunks,
    body_ended: bool,
    /// Read but not yet handed out. Starts with the CRLF the first boundary lacks, so every
    /// boundary is found the same way.
    buffer: BytesMut,
    /// `CRLF--boundary`.
    delimiter: Vec<u8>,
    position: Position,
    parts: usize,
    /// Bytes taken from the body so far.
    received: u64,
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart")
            .field("position", &self.position)
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

impl Multipart {
    /// The reader of a request with these headers and body; refused unless it is
    /// `multipart/form-data` with a valid boundary.
    pub(crate) fn new(headers: &HeaderMap, body: Body) -> Result<Self, MultipartError> {
        let boundary = boundary(headers).ok_or(MultipartError::NotMultipart)?;
        Ok(Self::from_stream(body.into_data_stream(), &boundary))
    }

    fn from_stream(
        body: impl Stream<Item = Result<Bytes, axum::Error>> + Send + 'static,
        boundary: &str,
    ) -> Self {
        let mut delimiter = b"\r\n--".to_vec();
        delimiter.extend_from_slice(boundary.as_bytes());
        Self {
            body: Box::pin(body),
            body_ended: false,
            buffer: BytesMut::from(&b"\r\n"[..]),
            delimiter,
            position: Position::Preamble,
            parts: 0,
            received: 0,
        }
    }

    /// The next part's head, skipping what is left of the current part; `None` after the last.
    pub(crate) async fn next_part(&mut self) -> Result<Option<PartHead>, MultipartError> {
        loop {
            match self.position {
                Position::End => return Ok(None),
                Position::Preamble | Position::Content => {
                    // Skips the preamble or the rest of the part, up to the next boundary.
                    while self.chunk().await?.is_some() {}
                }
                Position::Boundary => break,
            }
        }
        self.fill(2).await?;
        if self.buffer.starts_with(b"--") {
            self.position = Position::End;
            return Ok(None);
        }
        // Transport padding (RFC 2046) may follow the boundary before its line ends.
        let line_end = self.find(b"\r\n", MAX_HEADER_BYTES).await?;
        if !self.buffer[..line_end]
            .iter()
            .all(|byte| matches!(byte, b' ' | b'\t'))
        {
            return Err(MultipartError::Malformed("text after a boundary"));
        }
        let _ = self.buffer.split_to(line_end + 2);
        self.parts += 1;
        if self.parts > MAX_PARTS {
            return Err(MultipartError::Malformed("too many parts"));
        }
        let header_end = self.find(b"\r\n\r\n", MAX_HEADER_BYTES).await?;
        let block = self.buffer.split_to(header_end + 4);
        self.position = Position::Content;
        let text = std::str::from_utf8(&block[..header_end])
            .map_err(|_| MultipartError::Malformed("headers are not UTF-8"))?;
        part_head(text).map(Some)
    }

    /// The next piece of the current part's content; `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, MultipartError> {
        if !matches!(self.position, Position::Content | Position::Preamble) {
            return Ok(None);
        }
        loop {
            if let Some(at) = position_of(&self.buffer, &self.delimiter) {
                if at > 0 {
                    return Ok(Some(self.buffer.split_to(at).freeze()));
                }
                let _ = self.buffer.split_to(self.delimiter.len());
                self.position = Position::Boundary;
                return Ok(None);
            }
            // A delimiter may begin in the last bytes: hold those back until more arrive.
            let safe = self
                .buffer
                .len()
                .saturating_sub(self.delimiter.len().saturating_sub(1));
            if safe > 0 {
                return Ok(Some(self.buffer.split_to(safe).freeze()));
            }
            if !self.read().await? {
                return Err(MultipartError::Interrupted);
            }
        }
    }

    /// The current part's content as text, refused when longer than `limit` bytes.
    pub(crate) async fn text(&mut self, limit: usize) -> Result<String, MultipartError> {
        let mut content = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            if content.len() + chunk.len() > limit {
                return Err(MultipartError::FieldTooLong);
            }
            content.extend_from_slice(&chunk);
        }
        String::from_utf8(content).map_err(|_| MultipartError::Malformed("a field is not UTF-8"))
    }

    /// Reads and drops the rest of the body, up to `limit` more bytes, so an answer given before
    /// the whole upload arrived reaches a browser that is still sending (a server that stops
    /// reading makes many browsers report a reset connection instead of the page).
    pub(crate) async fn drain(&mut self, limit: u64) {
        self.buffer.clear();
        let stop = self.received.saturating_add(limit);
        while self.received < stop {
            match self.read().await {
                Ok(true) => self.buffer.clear(),
                Ok(false) | Err(_) => break,
            }
        }
    }

    /// Reads until the buffer holds at least `bytes`.
    async fn fill(&mut self, bytes: usize) -> Result<(), MultipartError> {
        while self.buffer.len() < bytes {
            if !self.read().await? {
                return Err(MultipartError::Interrupted);
            }
        }
        Ok(())
    }

    /// Reads until `needle` is in the buffer, within its first `limit` bytes; where it starts.
    async fn find(&mut self, needle: &[u8], limit: usize) -> Result<usize, MultipartError> {
        loop {
            if let Some(at) = position_of(&self.buffer, needle) {
                return Ok(at);
            }
            if self.buffer.len() > limit {
                return Err(MultipartError::Malformed("a part's headers are too long"));
            }
            if !self.read().await? {
                return Err(MultipartError::Interrupted);
            }
        }
    }

    /// Appends the body's next chunk to the buffer; `false` at the body's end.
    async fn read(&mut self) -> Result<bool, MultipartError> {
        if self.body_ended {
            return Ok(false);
        }
        match self.body.next().await {
            Some(Ok(chunk)) => {
                self.received = self
                    .received
                    .saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
                self.buffer.extend_from_slice(&chunk);
                Ok(true)
            }
            Some(Err(_)) => {
                self.body_ended = true;
                Err(MultipartError::Interrupted)
            }
            None => {
                self.body_ended = true;
                Ok(false)
            }
        }
    }
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut parameters = value.split(';');
    let media_type = parameters.next()?.trim();
    if !media_type.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = parameters.find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })?;
    let valid = !boundary.is_empty()
        && boundary.len() <= MAX_BOUNDARY_BYTES
        && boundary
            .bytes()
            .all(|byte| byte.is_ascii_graphic() || byte == b' ');
    valid.then_some(boundary)
}

/// The name and file name a part's header block gives.
fn part_head(headers: &str) -> Result<PartHead, MultipartError> {
    let disposition = headers
        .split("\r\n")
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-disposition")
                .then_some(value)
        })
        .ok_or(MultipartError::Malformed(
            "a part without Content-Disposition",
        ))?;
    let mut items = split_parameters(disposition).into_iter();
    if !items
        .next()
        .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("form-data"))
    {
        return Err(MultipartError::Malformed("a part that is not form-data"));
    }
    let mut name = None;
    let mut file_name = None;
    for item in items {
        let Some((key, value)) = item.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        match key.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(value),
            // Browsers write `"` in a file name as `%22` (the HTML standard's rule).
            "filename" => file_name = Some(value.replace("%22", "\"")),
            _ => {}
        }
    }
    let name = name.ok_or(MultipartError::Malformed("a part without a name"))?;
    Ok(PartHead { name, file_name })
}

/// `a; b="x;y"; c` split at the semicolons outside quotes.
fn split_parameters(value: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (at, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => {
                items.push(&value[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&value[start..]);
    items
}

/// A parameter's value without its quotes.
fn unquote(value: &str) -> String {
    value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(value)
        .to_owned()
}

/// Where `needle` first occurs in `haystack`.
fn position_of(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use futures_util::stream;

    use super::*;

    const BOUNDARY: &str = "----form7MA4YWxk";

    fn body(fields: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = b"preamble to ignore".to_vec();
        for (name, file, content) in fields {
            out.extend_from_slice(format!("\r\n--{BOUNDARY}\r\n").as_bytes());
            let file = file.map_or(String::new(), |file| format!("; filename=\"{file}\""));
            out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"{file}\r\n").as_bytes(),
            );
            if file.is_empty() {
                out.extend_from_slice(b"\r\n");
            } else {
                out.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
            }
            out.extend_from_slice(content);
        }
        out.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        out
    }

    /// A reader over `bytes` delivered in pieces of `size`.
    fn reader(bytes: &[u8], size: usize) -> Multipart {
        let chunks: Vec<Result<Bytes, axum::Error>> = bytes
            .chunks(size)
            .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
            .collect();
        Multipart::from_stream(stream::iter(chunks), BOUNDARY)
    }

    async fn read_all(mut form: Multipart) -> Vec<(PartHead, Vec<u8>)> {
        let mut parts = Vec::new();
        while let Some(head) = form.next_part().await.unwrap() {
            let mut content = Vec::new();
            while let Some(chunk) = form.chunk().await.unwrap() {
                content.extend_from_slice(&chunk);
            }
            parts.push((head, content));
        }
        parts
    }

    #[tokio::test]
    async fn fields_and_files_come_out_whole_however_the_body_is_cut() {
        // Content that holds most of a delimiter, and CR LF pairs, must pass unharmed.
        let tricky = format!("a\r\n--{}b\r\n\r\n--", &BOUNDARY[..10]).into_bytes();
        let file: Vec<u8> = (0..5000_u32).map(|n| (n % 251) as u8).collect();
        let bytes = body(&[
            ("csrf_token", None, b"token-1"),
            ("title", None, "Überblick \"Q1\"".as_bytes()),
            ("notes", None, &tricky),
            ("file", Some("report %22final%22.pdf"), &file),
            ("empty", None, b""),
        ]);
        for size in [1, 2, 3, 7, 64, 1000, bytes.len()] {
            let parts = read_all(reader(&bytes, size)).await;
            let names: Vec<_> = parts.iter().map(|(head, _)| head.name.as_str()).collect();
            assert_eq!(names, ["csrf_token", "title", "notes", "file", "empty"]);
            assert_eq!(parts[0].1, b"token-1");
            assert_eq!(parts[1].1, "Überblick \"Q1\"".as_bytes());
            assert_eq!(parts[2].1, tricky, "cut every {size}");
            assert_eq!(parts[3].1, file, "cut every {size}");
            assert_eq!(
                parts[3].0.file_name.as_deref(),
                Some("report \"final\".pdf")
            );
            assert_eq!(parts[1].0.file_name, None);
            assert!(parts[4].1.is_empty());
        }
    }

    #[tokio::test]
    async fn text_fields_have_a_limit_and_unread_parts_are_skipped() {
        let bytes = body(&[
            ("csrf_token", None, b"token"),
            ("file", Some("a.txt"), b"skipped content"),
            ("title", None, b"a long title"),
        ]);
        let mut form = reader(&bytes, 5);
        assert_eq!(form.next_part().await.unwrap().unwrap().name, "csrf_token");
        assert_eq!(form.text(16).await.unwrap(), "token");
        assert_eq!(form.next_part().await.unwrap().unwrap().name, "file");
        assert_eq!(form.next_part().await.unwrap().unwrap().name, "title");
        assert!(matches!(
            form.text(4).await,
            Err(MultipartError::FieldTooLong)
        ));
    }

    #[tokio::test]
    async fn a_body_that_breaks_off_or_is_not_a_form_is_refused() {
        let bytes = body(&[("file", Some("a.txt"), b"content")]);
        let cut = &bytes[..bytes.len() - 20];
        let mut form = reader(cut, 8);
        assert!(form.next_part().await.unwrap().is_some());
        let mut outcome = Ok(Some(Bytes::new()));
        while let Ok(Some(_)) = outcome {
            outcome = form.chunk().await;
        }
        assert!(matches!(outcome, Err(MultipartError::Interrupted)));

        let mut form = reader(b"\r\n--nope\r\n", 4);
        assert!(matches!(
            form.next_part().await,
            Err(MultipartError::Interrupted)
        ));

        let headers =
            format!("--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--{BOUNDARY}--");
        let mut form = reader(headers.as_bytes(), 4);
        assert!(matches!(
            form.next_part().await,
            Err(MultipartError::Malformed(_))
        ));
    }

    #[test]
    fn the_boundary_comes_from_the_content_type() {
        let headers = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            headers
        };
        assert_eq!(
            boundary(&headers("multipart/form-data; boundary=abc")).as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary(&headers("Multipart/Form-Data; charset=x; boundary=\"a b\"")).as_deref(),
            Some("a b")
        );
        assert_eq!(
            boundary(&headers("application/x-www-form-urlencoded")),
            None
        );
        assert_eq!(boundary(&headers("multipart/form-data")), None);
        assert_eq!(boundary(&headers("multipart/form-data; boundary=")), None);
        assert_eq!(boundary(&HeaderMap::new()), None);
    }

    #[test]
    fn dispositions_are_read_with_quotes() {
        let head = part_head("Content-Disposition: form-data; name=\"file\"; filename=\"a;b.pdf\"")
            .unwrap();
        assert_eq!(head.name, "file");
        assert_eq!(head.file_name.as_deref(), Some("a;b.pdf"));
        assert!(part_head("Content-Disposition: attachment; name=\"x\"").is_err());
        assert!(part_head("Content-Disposition: form-data").is_err());
    }
}
