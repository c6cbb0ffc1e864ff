//! The branding file: the bundled one is valid, every field is checked, and every error names
//! the key that is wrong.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use branded_server::config::{ConfigError, MAX_CUSTOM_CSS_BYTES, PortalConfig};

/// Every field with a valid value, as `(key, TOML value)`; `slug` is top-level, the rest belong
/// to `[branding]`.
const VALID: [(&str, &str); 10] = [
    ("slug", r#""northwind""#),
    ("display_name", r#""Northwind Studio""#),
    ("logo_url", r#""https://northwind.example/logo.svg""#),
    ("favicon_url", r#""https://northwind.example/favicon.png""#),
    ("primary_colour", r##""#1F3A5F""##),
    ("accent_colour", r##""#fa4""##),
    ("font", r#""Source Sans 3""#),
    ("custom_css", r#"".header { color: red; }""#),
    ("email_sender_name", r#""Northwind Studio""#),
    ("email_sender_address", r#""Hello@Northwind.example""#),
];

/// A file with `key` set to `value` (or left out when `value` is `None`).
fn file_with(key: &str, value: Option<&str>) -> String {
    let mut slug = String::new();
    let mut branding = String::from("[branding]\n");
    for (name, valid) in VALID {
        let value = if name == key { value } else { Some(valid) };
        let Some(value) = value else { continue };
        let line = format!("{name} = {value}\n");
        if name == "slug" {
            slug = line;
        } else {
            branding.push_str(&line);
        }
    }
    format!("{slug}\n{branding}")
}

fn valid_file() -> String {
    file_with("", None)
}

#[test]
fn the_bundled_file_is_valid() {
    let config = PortalConfig::bundled().unwrap();
    assert_eq!(config.slug.as_str(), "northwind");
    assert_eq!(config.branding.display_name.as_str(), "Northwind Studio");
    assert_eq!(config.branding.primary_colour.as_str(), "#1f3a5f");
    assert!(config.branding.logo_url.is_some());
    assert!(config.branding.email_sender_address.is_some());
}

#[test]
fn a_good_file_is_parsed_and_normalised() {
    let config = PortalConfig::parse(&valid_file()).unwrap();
    let branding = config.branding;
    assert_eq!(config.slug.as_str(), "northwind");
    assert_eq!(branding.primary_colour.as_str(), "#1f3a5f");
    assert_eq!(branding.accent_colour.as_str(), "#ffaa44");
    assert_eq!(
        branding.logo_url.unwrap().as_str(),
        "https://northwind.example/logo.svg"
    );
    assert_eq!(branding.font.as_deref(), Some("Source Sans 3"));
    assert_eq!(
        branding.custom_css.as_deref(),
        Some(".header { color: red; }")
    );
    assert_eq!(
        branding.email_sender_address.unwrap().as_str(),
        "hello@northwind.example"
    );
}

#[test]
fn optional_fields_may_be_left_out_or_blank() {
    for key in [
        "logo_url",
        "favicon_url",
        "font",
        "custom_css",
        "email_sender_name",
        "email_sender_address",
    ] {
        for value in [None, Some(r#""""#), Some(r#""   ""#)] {
            let config = PortalConfig::parse(&file_with(key, value))
                .unwrap_or_else(|e| panic!("{key} = {value:?}: {e}"));
            let b = &config.branding;
            let present = match key {
                "logo_url" => b.logo_url.is_some(),
                "favicon_url" => b.favicon_url.is_some(),
                "font" => b.font.is_some(),
                "custom_css" => b.custom_css.is_some(),
                "email_sender_name" => b.email_sender_name.is_some(),
                _ => b.email_sender_address.is_some(),
            };
            assert!(!present, "{key} = {value:?} should be absent");
        }
    }
}

#[test]
fn each_invalid_value_names_its_field() {
    let long_css = format!("\"{}\"", "a".repeat(MAX_CUSTOM_CSS_BYTES + 1));
    let cases: [(&str, &str, &str); 17] = [
        ("slug", r#""North Wind""#, "slug"),
        ("slug", r#""""#, "slug"),
        ("display_name", r#""   ""#, "branding.display_name"),
        (
            "display_name",
            r#""evil\u202Ename""#,
            "branding.display_name",
        ),
        (
            "logo_url",
            r#""http://northwind.example/logo.svg""#,
            "branding.logo_url",
        ),
        ("logo_url", r#""not a url""#, "branding.logo_url"),
        (
            "favicon_url",
            r#""ftp://northwind.example/f.ico""#,
            "branding.favicon_url",
        ),
        ("primary_colour", r#""blue""#, "branding.primary_colour"),
        ("accent_colour", r##""#12345""##, "branding.accent_colour"),
        ("font", r#""Inter; color: red""#, "branding.font"),
        (
            "custom_css",
            r#""</style><script>alert(1)</script>""#,
            "branding.custom_css",
        ),
        (
            "custom_css",
            r#""@import url(https://evil.example/x.css);""#,
            "branding.custom_css",
        ),
        ("custom_css", &long_css, "branding.custom_css"),
        (
            "custom_css",
            r#"".a { color: red }\u0000""#,
            "branding.custom_css",
        ),
        (
            "email_sender_name",
            r#""line\nbreak""#,
            "branding.email_sender_name",
        ),
        (
            "email_sender_address",
            r#""hello at northwind""#,
            "branding.email_sender_address",
        ),
        (
            "email_sender_address",
            r#""hello@localhost""#,
            "branding.email_sender_address",
        ),
    ];
    for (key, value, field) in cases {
        let error = PortalConfig::parse(&file_with(key, Some(value)))
            .expect_err(&format!("{key} = {value} was accepted"));
        assert_eq!(error.field(), Some(field), "{key} = {value}: {error}");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("invalid `{field}`: ")),
            "{message}"
        );
    }
}

#[test]
fn missing_unknown_and_mistyped_keys_are_named() {
    for required in ["slug", "display_name", "primary_colour", "accent_colour"] {
        let error = PortalConfig::parse(&file_with(required, None)).unwrap_err();
        assert!(matches!(error, ConfigError::Syntax(_)), "{error}");
        assert!(error.to_string().contains(required), "{error}");
    }

    let typo = valid_file().replace("primary_colour", "primary_color");
    let error = PortalConfig::parse(&typo).unwrap_err();
    assert!(error.to_string().contains("primary_color"), "{error}");

    let mistyped = file_with("font", Some("12"));
    let error = PortalConfig::parse(&mistyped).unwrap_err();
    assert!(error.to_string().contains("font"), "{error}");

    let error = PortalConfig::parse("slug = ").unwrap_err();
    assert!(matches!(error, ConfigError::Syntax(_)), "{error}");
}

#[test]
fn a_missing_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.toml");
    let error = PortalConfig::load(&path).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }));
    assert!(error.to_string().contains("nowhere.toml"), "{error}");
}

#[test]
fn a_file_on_disk_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portal.toml");
    std::fs::write(&path, valid_file()).unwrap();
    let config = PortalConfig::load(&path).unwrap();
    assert_eq!(config.branding.display_name.as_str(), "Northwind Studio");
}
