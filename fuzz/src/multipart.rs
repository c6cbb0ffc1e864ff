//! The upload form's body, read the way the document pages read it (`form_body.rs` over axum's
//! multipart reader), with the boundary fixed.
//!
//! Two kinds of input, told apart by the first byte's lowest bit:
//!
//! - even: a raw body. Byte 1-2 the file limit (little endian), byte 3 the size of the pieces the
//!   body arrives in (0: one piece), bits 1-3 of byte 0 whether the file's reader stops after a
//!   piece and which `Content-Type` the request has; the rest is the body, where `FF FE b n`
//!   stands for `(n + 1) * 4 KiB` bytes `b`, so a short input can make a body past the limits.
//!   Checked: nothing panics, at most [`MAX_PARTS`] parts come out, a field's text is within its
//!   limit,
//!   before the file no more than [`BEFORE_FILE`] (and the piece in hand) of the body is read,
//!   the whole read stays within the file limit and [`BESIDES_FILE`], the drain within its own.
//! - odd: a well-formed form built from the rest ([`Form`], read with `arbitrary`): every field
//!   and the file come out exactly as written, however the body is cut, or the body is over
//!   the limit and the reading stops with "too large" after a prefix of what was written.
//!
//! One runtime serves every run; a body is at most [`MAX_BODY`] bytes, the file of a well-formed
//! form at most [`MAX_FILE`] unless the input asks for a file past the form's limit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use arbitrary::{Arbitrary, Unstructured};
use axum::body::{Body, Bytes};
use axum::extract::Request;
use futures_util::{StreamExt as _, stream};
use portal_http::fuzzing::upload_form::{
    BEFORE_FILE, BESIDES_FILE, Form as FormBody, FormError, MAX_PARTS,
};

/// The boundary every body is written with.
pub const BOUNDARY: &str = "b0undary";
/// A short field's limit, as the pages read the token and most fields.
const SHORT: usize = 256;
/// What is drained after the form, at most.
const DRAIN: u64 = 64 * 1024;
/// The largest body built: past the form's limit with any file limit a raw body has.
pub const MAX_BODY: usize = (1 << 20) + (160 << 10);
/// The largest file of a well-formed form, unless it is [`Form::huge`]: past [`BEFORE_FILE`].
pub const MAX_FILE: usize = 160 << 10;
/// The [`Form::huge`] that asks for a file past the form's limit.
const HUGE: u8 = 0xA5;
/// The most pieces a body is cut into (keeps one run short).
const MAX_PIECES: usize = 4096;

/// Runs every check on one input.
pub fn check(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let runtime = runtime();
    if flags & 1 == 0 {
        runtime.block_on(raw_body(flags, rest));
    } else if let Ok(form) = Form::arbitrary_take_rest(Unstructured::new(rest)) {
        runtime.block_on(well_formed(form));
    }
}

/// The runtime the form is read on, made once.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(
        || match tokio::runtime::Builder::new_current_thread().build() {
            Ok(runtime) => runtime,
            Err(error) => panic!("no runtime: {error}"),
        },
    )
}

/// A request with `body` cut in pieces (sizes cycled from `sizes`; none: one piece), counting
/// in `pulled` how much of it was handed out.
fn request(body: &[u8], sizes: &[usize], content_type: &str, pulled: &Arc<AtomicU64>) -> Request {
    let mut pieces = Vec::new();
    let mut rest = body;
    let least = body.len() / MAX_PIECES + 1;
    let mut sizes = sizes.iter().cycle();
    while !rest.is_empty() {
        let size = sizes
            .next()
            .map_or(rest.len(), |size| (*size).max(least))
            .min(rest.len());
        let (piece, tail) = rest.split_at(size);
        pieces.push(Bytes::copy_from_slice(piece));
        rest = tail;
    }
    let counter = Arc::clone(pulled);
    let stream = stream::iter(pieces).map(move |piece| {
        let size = u64::try_from(piece.len()).unwrap_or(u64::MAX);
        counter.fetch_add(size, Ordering::SeqCst);
        Ok::<_, std::io::Error>(piece)
    });
    let mut request = Request::new(Body::from_stream(stream));
    if let Ok(value) = content_type.parse() {
        request
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, value);
    }
    request
}

/// The largest piece a body is cut into.
fn largest(body: &[u8], sizes: &[usize]) -> u64 {
    let least = body.len() / MAX_PIECES + 1;
    let largest = sizes
        .iter()
        .map(|size| (*size).max(least))
        .max()
        .unwrap_or(body.len())
        .min(body.len());
    u64::try_from(largest).unwrap_or(u64::MAX)
}

fn len(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

/// The file part's body, read to its end or, with `stop_early`, only its first piece: the
/// bytes and whether the body ended cleanly.
async fn collect(body: Body, stop_early: bool, limit: u64) -> (Vec<u8>, bool) {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(piece) = stream.next().await {
        match piece {
            Ok(piece) => {
                bytes.extend_from_slice(&piece);
                assert!(
                    len(&bytes) <= limit,
                    "the file's reader got {} bytes, over the form's limit {limit}",
                    bytes.len()
                );
                if stop_early {
                    return (bytes, true);
                }
            }
            Err(_) => return (bytes, false),
        }
    }
    (bytes, true)
}

/// The raw body of `rest`, `FF FE b n` expanded.
fn expand(rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(rest.len());
    let mut index = 0;
    while let Some(&byte) = rest.get(index) {
        match (byte, rest.get(index + 1..index + 4)) {
            (0xFF, Some(&[0xFE, fill, count])) => {
                let size = (usize::from(count) + 1) * 4096;
                body.resize(body.len() + size, fill);
                index += 4;
            }
            _ => {
                body.push(byte);
                index += 1;
            }
        }
        if body.len() >= MAX_BODY {
            body.truncate(MAX_BODY);
            break;
        }
    }
    body
}

/// Any body, read as the upload page reads it.
async fn raw_body(flags: u8, rest: &[u8]) {
    let [low, high, piece, body @ ..] = rest else {
        return;
    };
    let file_limit = u64::from(u16::from_le_bytes([*low, *high]));
    let sizes: Vec<usize> = if *piece == 0 {
        Vec::new()
    } else {
        vec![usize::from(*piece)]
    };
    let stop_early = flags & 2 != 0;
    let content_type = match (flags >> 2) & 3 {
        0 | 1 => format!("multipart/form-data; boundary={BOUNDARY}"),
        2 => format!("multipart/form-data; boundary=\"{BOUNDARY}\""),
        _ => "multipart/form-data".to_owned(),
    };
    let body = expand(body);
    let pulled = Arc::new(AtomicU64::new(0));
    let piece = largest(&body, &sizes);
    let request = request(&body, &sizes, &content_type, &pulled);
    let mut form = match FormBody::open(request, file_limit).await {
        Ok(form) => form,
        Err(error) => {
            assert_eq!(error, FormError::NotMultipart, "{content_type}");
            assert_eq!(pulled.load(Ordering::SeqCst), 0, "read a body it refused");
            return;
        }
    };
    let form_limit = file_limit + BESIDES_FILE;
    let mut parts = 0;
    let mut file_begun = false;
    let before_file = |pulled: &AtomicU64, file_begun: bool| {
        if !file_begun {
            let read = pulled.load(Ordering::SeqCst);
            assert!(
                read <= BEFORE_FILE + piece,
                "read {read} bytes before the file, over {BEFORE_FILE} and a piece of {piece}"
            );
        }
    };
    loop {
        let next = form.next_field().await;
        before_file(&pulled, file_begun);
        let part = match next {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(error) => {
                assert!(
                    !matches!(error, FormError::NotMultipart | FormError::FieldTooLong(_)),
                    "{error:?}"
                );
                break;
            }
        };
        parts += 1;
        assert!(parts <= MAX_PARTS, "part {parts} handed out");
        if part.name() == "file" {
            file_begun = true;
            let (read, (bytes, _)) = part
                .stream_file(|body| collect(body, stop_early, form_limit))
                .await;
            assert!(len(&bytes) <= form_limit);
            if read.is_err() {
                break;
            }
        } else {
            let name = part.name().to_owned();
            let text = part.text(SHORT).await;
            before_file(&pulled, file_begun);
            match text {
                Ok(text) => assert!(text.len() <= SHORT, "{name:?}: {} bytes", text.len()),
                Err(FormError::FieldTooLong(field)) => assert_eq!(field, name),
                Err(FormError::NotMultipart) => panic!("{name:?}: not multipart after opening"),
                Err(_) => break,
            }
        }
    }
    let read = pulled.load(Ordering::SeqCst);
    // The form's limit, and what the parser and the cap may have in hand.
    assert!(
        read <= form_limit + 2 * piece,
        "read {read} bytes, over the form's limit {form_limit} and two pieces of {piece}"
    );
    form.drain(DRAIN).await;
    let drained = pulled.load(Ordering::SeqCst);
    assert!(
        drained <= read + DRAIN + piece,
        "the drain read {} bytes, over its {DRAIN} and a piece",
        drained - read
    );
    if len(&body) + piece <= read + DRAIN {
        assert_eq!(drained, len(&body), "the drain stopped before the end");
    }
}

/// A form field: a name (letters, digits, `-` and `_`) and its text.
#[derive(Debug, Arbitrary)]
pub struct Field {
    name: String,
    value: String,
}

/// A well-formed upload form: fields, the file, fields after it.
#[derive(Debug, Arbitrary)]
pub struct Form {
    before: Vec<Field>,
    file_name: String,
    file: Vec<u8>,
    /// The file is `file` this many times and once more.
    repeat: u16,
    /// [`HUGE`]: the file may be past the form's limit.
    huge: u8,
    after: Vec<Field>,
    /// The file limit (then cut to 2 MiB).
    file_limit: u32,
    /// The sizes of the pieces the body arrives in, cycled (none: one piece).
    pieces: Vec<u16>,
}

/// One part as written and expected back.
struct Written {
    name: String,
    file_name: Option<String>,
    content: Vec<u8>,
}

fn field_name(name: &str) -> String {
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(32)
        .collect();
    if name.is_empty() || name == "file" {
        format!("f{name}")
    } else {
        name
    }
}

/// A file name a browser could write: no `"`, backslash or control character (browsers write
/// `"` and line breaks as `%22`, `%0D`, `%0A`).
fn file_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .take(300)
        .collect()
}

impl Form {
    fn parts(&self) -> Vec<Written> {
        let field = |field: &Field| Written {
            name: field_name(&field.name),
            file_name: None,
            content: field.value.as_bytes().to_vec(),
        };
        let mut file = Vec::new();
        if !self.file.is_empty() {
            let most = if self.huge == HUGE {
                MAX_BODY
            } else {
                MAX_FILE
            };
            let times = (usize::from(self.repeat) + 1).min(most / self.file.len() + 1);
            file = self.file.repeat(times);
        }
        let mut parts: Vec<Written> = self.before.iter().map(field).collect();
        parts.push(Written {
            name: "file".to_owned(),
            file_name: Some(file_name(&self.file_name)),
            content: file,
        });
        parts.extend(self.after.iter().map(field));
        parts.truncate(MAX_PARTS + 2);
        parts
    }
}

/// The body a browser writes for `parts`.
fn write(parts: &[Written]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let file = part
            .file_name
            .as_ref()
            .map_or(String::new(), |file| format!("; filename=\"{file}\""));
        out.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"{file}\r\n",
                part.name
            )
            .as_bytes(),
        );
        if part.file_name.is_some() {
            out.extend_from_slice(b"Content-Type: application/octet-stream\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&part.content);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|window| window == needle)
}

/// A well-formed form comes out as written, or stops with "too large" when over the limit.
async fn well_formed(form: Form) {
    let delimiter = format!("--{BOUNDARY}");
    // Content holding the delimiter is not this form any more. (The file repeats its bytes:
    // enough of them hold every window the whole file has.)
    let file_sample = form
        .file
        .repeat(delimiter.len() / form.file.len().max(1) + 2);
    if contains(&file_sample, delimiter.as_bytes())
        || form
            .before
            .iter()
            .chain(&form.after)
            .any(|field| contains(field.value.as_bytes(), delimiter.as_bytes()))
    {
        return;
    }
    let parts = form.parts();
    let body = write(&parts);
    if body.len() > MAX_BODY {
        return;
    }
    let file_limit = u64::from(form.file_limit % (2 << 20));
    let fits = len(&body) <= file_limit + BESIDES_FILE;
    let sizes: Vec<usize> = form
        .pieces
        .iter()
        .map(|size| usize::from(*size).max(1))
        .collect();
    let pulled = Arc::new(AtomicU64::new(0));
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let request = request(&body, &sizes, &content_type, &pulled);
    let mut reader = match FormBody::open(request, file_limit).await {
        Ok(reader) => reader,
        Err(error) => panic!("a form refused: {error:?}"),
    };
    let too_large = |error: &FormError, what: &str| {
        assert!(
            !fits && *error == FormError::TooLarge,
            "{what}: {error:?} (body {} bytes, fits: {fits})",
            body.len()
        );
    };
    for (index, written) in parts.iter().enumerate() {
        let part = match reader.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => panic!("part {index} of {} missing", parts.len()),
            Err(FormError::Malformed(why)) if index >= MAX_PARTS => {
                assert_eq!(why, "too many parts");
                return;
            }
            Err(error) => return too_large(&error, &format!("part {index}")),
        };
        assert!(index < MAX_PARTS, "part {index} handed out");
        assert_eq!(part.name(), written.name, "part {index}");
        assert_eq!(
            part.file_name(),
            written.file_name.as_deref(),
            "part {index}"
        );
        if written.file_name.is_some() {
            let limit = file_limit + BESIDES_FILE;
            let (read, (bytes, ended)) = part.stream_file(|body| collect(body, false, limit)).await;
            assert!(
                written.content.starts_with(&bytes),
                "the file's bytes differ from those written"
            );
            match read {
                Ok(()) => {
                    assert!(ended, "the file's body broke off, yet it was read");
                    assert_eq!(bytes.len(), written.content.len(), "the file is cut short");
                }
                Err(error) => {
                    assert!(!ended, "the reader was not told the file broke off");
                    return too_large(&error, "the file");
                }
            }
        } else {
            match part.text(SHORT).await {
                Ok(text) => {
                    assert!(written.content.len() <= SHORT);
                    assert_eq!(text.as_bytes(), written.content.as_slice(), "part {index}");
                }
                Err(FormError::FieldTooLong(name)) if written.content.len() > SHORT => {
                    assert_eq!(name, written.name);
                    return;
                }
                Err(error) => return too_large(&error, &format!("part {index}")),
            }
        }
    }
    match reader.next_field().await {
        // Read to the end: within the limit, but for the closing delimiter's line break.
        Ok(None) => assert!(
            len(&body) <= file_limit + BESIDES_FILE + 2,
            "a body of {} bytes over the limit {} read whole",
            body.len(),
            file_limit + BESIDES_FILE
        ),
        // The call after the last part counts as one too.
        Err(FormError::Malformed(why)) if parts.len() >= MAX_PARTS => {
            assert_eq!(why, "too many parts");
        }
        Ok(Some(part)) => panic!("a part {:?} after the last", part.name()),
        Err(error) => too_large(&error, "the end"),
    }
    reader.drain(DRAIN).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, value: &str) -> Field {
        Field {
            name: name.to_owned(),
            value: value.to_owned(),
        }
    }

    fn form(file: &[u8], repeat: u16, huge: u8, file_limit: u32, pieces: Vec<u16>) -> Form {
        Form {
            before: vec![field("csrf_token", "t"), field("title", "Q1 \"report\"")],
            file_name: "report.pdf".to_owned(),
            file: file.to_vec(),
            repeat,
            huge,
            after: vec![field("after", "x")],
            file_limit,
            pieces,
        }
    }

    #[test]
    fn a_form_comes_out_as_written_however_it_is_cut() {
        for pieces in [vec![], vec![1], vec![7, 300], vec![4096]] {
            runtime().block_on(well_formed(form(
                b"%PDF-1.7 \r\n--b0und",
                100,
                0,
                1 << 20,
                pieces,
            )));
        }
    }

    #[test]
    fn a_file_past_the_limit_stops_the_form_as_too_large() {
        // 1.1 MiB of file with a file limit of 1 KiB.
        runtime().block_on(well_formed(form(
            &[b'y'; 1024],
            1100,
            HUGE,
            1024,
            vec![4096],
        )));
    }

    #[test]
    fn parts_past_the_most_a_form_has_are_refused() {
        let mut many = form(b"x", 0, 0, 1 << 20, vec![64]);
        many.after = (0..MAX_PARTS)
            .map(|n| field(&format!("f{n}"), "1"))
            .collect();
        runtime().block_on(well_formed(many));
    }
}
