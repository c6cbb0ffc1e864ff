//! The fuzz targets' checks over their committed seeds (`seeds/<target>/`), as a plain test:
//! `cargo test --manifest-path fuzz/Cargo.toml`. The seeds are written by the ignored test
//! `write_seeds` (`cargo test --manifest-path fuzz/Cargo.toml -- --ignored write_seeds`).

use std::fs;
use std::path::{Path, PathBuf};

use portal_core::model::EventType;
use portal_fuzz::{file_name, multipart, theme_css, tokens};
use uuid::Uuid;

/// A target's checks over one input.
type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 4] = [
    ("file_name", file_name::check),
    ("multipart", multipart::check),
    ("tokens", tokens::check),
    ("theme_css", theme_css::check),
];

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

#[test]
fn every_seed_passes_its_target_checks() {
    for (target, check) in TARGETS {
        let dir = seeds_dir().join(target);
        let mut count = 0;
        for entry in fs::read_dir(&dir).unwrap_or_else(|error| panic!("{dir:?}: {error}")) {
            let path = entry.unwrap().path();
            let data = fs::read(&path).unwrap();
            check(&data);
            count += 1;
        }
        assert!(count >= 3, "{target}: only {count} seeds");
    }
}

#[test]
fn the_token_seeds_are_genuine() {
    let dir = seeds_dir().join("tokens");
    let link = fs::read_to_string(dir.join("mail_link")).unwrap();
    let key = portal_auth::MailLinkKey::from_bytes(tokens::MAIL_LINK_KEY);
    assert!(key.verify(&link).is_ok());
    let header = fs::read_to_string(dir.join("webhook_signature")).unwrap();
    let at = time::OffsetDateTime::from_unix_timestamp(tokens::WEBHOOK_NOW).unwrap();
    assert_eq!(
        portal_fuzz::webhook_signature::verify(
            tokens::WEBHOOK_SECRET,
            &header,
            tokens::WEBHOOK_BODY,
            at,
            time::Duration::minutes(5)
        ),
        Ok(())
    );
}

/// A multipart body in the raw form of the `multipart` target: flags, file limit, piece size.
fn raw_form(flags: u8, file_limit: u16, piece: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(&file_limit.to_le_bytes());
    out.push(piece);
    out.extend_from_slice(body);
    out
}

fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let b = multipart::BOUNDARY;
    let upload = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntoken-1\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nQ1 report\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.7 body\r\n--b0unx\r\n\r\n--{b}\r\n\
         Content-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--{b}--\r\n"
    );
    // Headers that never end: 2 * 4 KiB * 20 bytes of `x` (the `FF FE x n` expansion).
    let mut endless = format!("--{b}\r\nContent-Disposition: form-data; name=\"").into_bytes();
    endless.extend_from_slice(&[0xFF, 0xFE, b'x', 19, 0xFF, 0xFE, b'x', 19]);
    // A file past the form's limit.
    let mut big = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n"
    )
    .into_bytes();
    big.extend_from_slice(&[0xFF, 0xFE, b'y', 255, 0xFF, 0xFE, b'y', 30]);
    big.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let token = "q0-Gd3tkmB6vPl9YxZ2aN4cRwE8sUfH1jLoTiVbKyMA";
    let api_key = format!("ptk_0123456789ab_{token}");
    let link = tokens::seed_mail_link(
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002),
        Some(EventType::MessagePosted),
    );
    let header = portal_fuzz::webhook_signature::sign(
        tokens::WEBHOOK_SECRET,
        tokens::WEBHOOK_NOW,
        tokens::WEBHOOK_BODY,
    );
    let rotated = format!(
        "t={},v1={},v1={}",
        tokens::WEBHOOK_NOW - 60,
        "0".repeat(64),
        header.rsplit_once("v1=").map_or("", |(_, hex)| hex)
    );
    vec![
        ("file_name", "plain", b"Quarterly report.pdf".to_vec()),
        ("file_name", "path", b"../../etc/passwd.txt".to_vec()),
        ("file_name", "windows", b"C:\\Users\\x\\boot.ini.txt".to_vec()),
        ("file_name", "bidi", "evil\u{202E}fdp.exe.txt".as_bytes().to_vec()),
        ("file_name", "nul", b"x.php\0.pdf".to_vec()),
        ("file_name", "dots", b"  .hidden.md. ".to_vec()),
        ("file_name", "quote", b"a%22b%22.csv".to_vec()),
        (
            "file_name",
            "long",
            format!("{}.docx", "é".repeat(140)).into_bytes(),
        ),
        ("multipart", "upload", raw_form(0, 4096, 7, upload.as_bytes())),
        ("multipart", "upload_whole", raw_form(2, 0, 0, upload.as_bytes())),
        ("multipart", "endless_headers", raw_form(0, 4096, 200, &endless)),
        ("multipart", "too_large", raw_form(0, 100, 255, &big)),
        ("multipart", "not_multipart", raw_form(12, 10, 3, b"just bytes")),
        (
            "multipart",
            "well_formed",
            [1_u8]
                .into_iter()
                .chain(*b"\x02csrf_token\x05tok-1title\x06Hello!\x08name.pdf\x10%PDF-1.7 content")
                .collect(),
        ),
        ("tokens", "session_token", token.as_bytes().to_vec()),
        ("tokens", "api_key", api_key.into_bytes()),
        ("tokens", "mail_link", link.into_bytes()),
        ("tokens", "mail_link_key", tokens::seed_key_text().into_bytes()),
        ("tokens", "webhook_signature", header.into_bytes()),
        ("tokens", "webhook_rotation", rotated.into_bytes()),
        (
            "theme_css",
            "brand",
            b"/* brand */\n.portal-header { border-bottom: 3px solid #f2a541; }\n\
              @media (max-width: 600px) { .a { display: none } .b:hover { color: red } }\n"
                .to_vec(),
        ),
        (
            "theme_css",
            "urls",
            b".a { background: url(\"https://cdn.acme.example/x.png\"), url(/img/y.png); \
              mask: url(#m) }\n@font-face { font-family: B; src: url(https://evil.example/f.woff2) }\n\
              .b { background-image: image-set(\"/a.png\" 1x, url(//evil.example/b.png) 2x) }\n"
                .to_vec(),
        ),
        (
            "theme_css",
            "hostile",
            b"@import url(https://evil.example/x.css);\n.a { width: expr/**/ession(alert(1)) }\n\
              .b { background: \\75rl(javascript:alert(1)); behavior: url(x.htc) }\n\
              .c { content: \"\\3c/style>\" } </style><script>alert(1)</script>\n"
                .to_vec(),
        ),
        (
            "theme_css",
            "nesting",
            b".card { & .title { font-weight: 700 } :root { --gap: 4px } } .open { color: red"
                .to_vec(),
        ),
    ]
}

/// Writes the seeds afresh; run it after changing the targets' input formats.
#[test]
#[ignore = "writes files; run by hand to regenerate the seeds"]
fn write_seeds() {
    for (target, name, data) in seeds() {
        let dir = seeds_dir().join(target);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(name), data).unwrap();
    }
}
