use proptest::prelude::*;

use super::*;

fn hosts() -> Vec<String> {
    vec!["cdn.acme.example".to_owned()]
}

fn sanitise(css: &str) -> SanitisedCss {
    sanitise_css(css, &hosts())
}

/// Sanitises `css`, checks that only `reason` was removed and returns the kept CSS.
fn kept_after_removing(css: &str, reason: CssRemovalReason) -> String {
    let result = sanitise(css);
    assert!(!result.removed.is_empty(), "nothing removed from {css:?}");
    for removal in &result.removed {
        assert_eq!(removal.reason, reason, "{css:?}: {:?}", result.removed);
    }
    result.css
}

#[test]
fn harmless_css_is_kept_byte_for_byte() {
    for css in [
        "",
        "nav > a { color: #123456; background: url(\"https://cdn.acme.example/x.png\") }",
        "/* brand */\n.portal-header { border-bottom: 3px solid #f2a541; }\n",
        "@media (max-width: 600px) { .a { display: none } .b:hover { color: red } }",
        "@font-face { font-family: Brand; src: url(/fonts/brand.woff2) format(\"woff2\"); }",
        ".a { background-image: image-set(\"/a.png\" 1x, url(https://CDN.acme.example/b.png) 2x); }",
        ".a { content: \"\\201C\"; mask: url(#shape); }",
        ".card { & .title { font-weight: 700 } }",
        ":root { --gap: 4px; --shadow: 0 1px 2px rgb(0 0 0 / 10%); }",
        ".a{color:red}.b{color:blue}",
        "a { color: red",
    ] {
        let result = sanitise(css);
        assert!(result.removed.is_empty(), "{css:?}: {:?}", result.removed);
        let expected = if css == "a { color: red" {
            "a { color: red}"
        } else {
            css
        };
        assert_eq!(result.css, expected);
    }
}

#[test]
fn imports_charsets_and_namespaces_are_dropped() {
    assert_eq!(
        kept_after_removing(
            "@import url(https://cdn.acme.example/x.css);\n.a { color: red }",
            CssRemovalReason::Import
        ),
        "\n.a { color: red }"
    );
    assert_eq!(
        kept_after_removing("@IMPORT 'x.css'; .a{}", CssRemovalReason::Import),
        " .a{}"
    );
    assert_eq!(
        kept_after_removing("@\\69mport 'x.css';", CssRemovalReason::Import),
        ""
    );
    // Browsers skip comments, `<!--` and `-->` before a rule.
    assert_eq!(
        kept_after_removing("--> /**/ @import 'x.css'; .a{}", CssRemovalReason::Import),
        " .a{}"
    );
    assert_eq!(
        kept_after_removing(
            "@charset \"utf-8\"; @namespace svg url(http://www.w3.org/2000/svg); .a{}",
            CssRemovalReason::CharsetOrNamespace
        )
        .trim(),
        ".a{}"
    );
    // Inside a block too.
    assert_eq!(
        kept_after_removing(
            "@media print { @import 'x.css'; .a { color: red } }",
            CssRemovalReason::Import
        ),
        "@media print { .a { color: red } }"
    );
}

#[test]
fn script_is_dropped_however_it_is_spelt() {
    for (css, kept) in [
        (
            ".a { width: expression(alert(1)); color: red }",
            ".a { color: red }",
        ),
        (
            ".a { width: EXPRESSION(alert(1)); color: red }",
            ".a { color: red }",
        ),
        (
            ".a { width: expr/**/ession(alert(1)); color: red }",
            ".a { color: red }",
        ),
        (
            ".a { width: \\65xpression(alert(1)); color: red }",
            ".a { color: red }",
        ),
        (
            ".a { width: expression (alert(1)); color: red }",
            ".a { color: red }",
        ),
        (
            ".a { behavior: url(x.htc); color: red }",
            ".a { color: red }",
        ),
        (
            ".a { BEHAVIOR : url(/x.htc); color: red }",
            ".a { color: red }",
        ),
        (
            ".a { beh\\61vior: url(/x.htc); color: red }",
            ".a { color: red }",
        ),
        (
            ".a { -moz-binding: url(/x.xml#x); color: red }",
            ".a { color: red }",
        ),
        (
            ".a { color: red; -ms-behavior: url(/x.htc) }",
            ".a { color: red;}",
        ),
        (
            ".a { content: \"javascript:alert(1)\"; color: red }",
            ".a { color: red }",
        ),
        (
            ".a { content: \"java\\73 cript:x\"; color: red }",
            ".a { color: red }",
        ),
        (
            ".a { --x: vbscript:msgbox; color: red }",
            ".a { color: red }",
        ),
    ] {
        assert_eq!(
            kept_after_removing(css, CssRemovalReason::Script),
            kept,
            "{css:?}"
        );
    }
    // A selector with the name is not a script.
    assert!(sanitise(".behavior-box { color: red }").removed.is_empty());
}

#[test]
fn urls_must_stay_on_the_portal_or_the_brands_hosts() {
    for css in [
        ".a { background: url(http://cdn.acme.example/x.png) }",
        ".a { background: url(https://evil.example/x.png) }",
        ".a { background: url( 'https://evil.example/x.png' ) }",
        ".a { background: url(//evil.example/x.png) }",
        ".a { background: url(\"/\\\\evil.example/x.png\") }",
        ".a { background: url(\"/\t/evil.example/x.png\") }",
        ".a { background: url(javascript:alert) }",
        ".a { background: url(data:image/png;base64,AAAA) }",
        ".a { background: url(x.png) }",
        ".a { background: url() }",
        ".a { background: url(https://user:pw@cdn.acme.example/x.png) }",
        ".a { background: url(https://cdn.acme.example.evil.example/x.png) }",
        ".a { background: \\75rl(https://evil.example/x.png) }",
        ".a { background: \\75 rl(https://evil.example/x.png) }",
        ".a { background: URL(https://evil.example/x.png) }",
        ".a { background: src(\"https://evil.example/x.png\") }",
        ".a { background: src(var(--u)) }",
        ".a { background: image-set(\"https://evil.example/x.png\" 1x) }",
        ".a { background: -webkit-image-set(url(https://evil.example/x.png) 1x) }",
        ".a { background: image-set(var(--u) 1x) }",
        ".a { background: image(\"https://evil.example/x.png\") }",
        ".a { cursor: url(https://evil.example/c.cur), auto }",
        "@font-face { src: url(https://fonts.evil.example/x.woff2) }",
        ".a { --u: url(https://evil.example/x.png) }",
    ] {
        let kept = kept_after_removing(css, CssRemovalReason::Url);
        assert!(!kept.contains("evil"), "{css:?} kept {kept:?}");
        assert!(!kept.contains("url("), "{css:?} kept {kept:?}");
    }
}

#[test]
fn markup_and_nul_are_dropped_wherever_they_are() {
    for (css, kept) in [
        ("</style><script>alert(1)</script>", ""),
        (
            ".a { content: \"</style>\"; color: red }",
            ".a { color: red }",
        ),
        (".a { color: red } /* </style> */", ".a { color: red }"),
        ("<!-- .a { color: red } -->", " -->"),
        (
            ".a { content: \"\\3c/style>\"; color: red }",
            ".a { color: red }",
        ),
        (".a { color: red\0 }", ".a {}"),
    ] {
        let result = sanitise(css);
        assert!(
            result
                .removed
                .iter()
                .all(|removal| removal.reason == CssRemovalReason::Markup),
            "{css:?}: {:?}",
            result.removed
        );
        assert!(!result.removed.is_empty(), "{css:?}");
        assert_eq!(result.css, kept, "{css:?}");
    }
}

#[test]
fn malformed_css_is_dropped_and_open_blocks_are_closed() {
    for (css, kept) in [
        (".a { color: red; content: \"open", ".a { color: red;}"),
        (
            ".a { color: red; content: \"open\n; color: blue }",
            ".a { color: red; color: blue }",
        ),
        (
            ".a { color: red; background: url(/x.png",
            ".a { color: red;}",
        ),
        (
            ".a { color: red; background: url(/x (y).png) }",
            ".a { color: red;}",
        ),
        (
            ".a { color: red; width: calc(1px + 2px",
            ".a { color: red;}",
        ),
        (".a { color: red } /* open", ".a { color: red }"),
        (".a { color: red; b: c\\", ".a { color: red;}"),
        (".a { color: red; content: \"x\\\"", ".a { color: red;}"),
    ] {
        let result = sanitise(css);
        assert!(
            result
                .removed
                .iter()
                .all(|removal| removal.reason == CssRemovalReason::Malformed),
            "{css:?}: {:?}",
            result.removed
        );
        assert!(!result.removed.is_empty(), "{css:?}");
        assert_eq!(result.css, kept, "{css:?}");
    }
}

#[test]
fn a_bad_rule_prelude_drops_its_whole_block() {
    let result = sanitise(".a[data-x=\"<\"] { color: red } .b { color: blue }");
    assert_eq!(result.css, " .b { color: blue }");
    assert_eq!(result.removed.len(), 1);
    assert_eq!(result.removed[0].excerpt, ".a[data-x=\"<\"] { color: red }");
}

#[test]
fn only_the_bad_part_of_a_nested_block_goes() {
    let css = "@media screen { .a { color: red; background: url(https://evil.example/x) } \
               .b { color: blue } }";
    let result = sanitise(css);
    assert_eq!(
        result.css,
        "@media screen { .a { color: red;} .b { color: blue } }"
    );
    assert_eq!(result.removed.len(), 1);
    assert_eq!(
        result.removed[0].excerpt,
        "background: url(https://evil.example/x)"
    );
}

#[test]
fn deep_nesting_drops_the_rest() {
    let deep = format!(".a {{ color: red }} .b {}", "{".repeat(200));
    let result = sanitise(&deep);
    assert_eq!(result.css, ".a { color: red }");
    assert_eq!(result.removed.len(), 1, "{:?}", result.removed);
    assert!(result.removed[0].excerpt.starts_with(".b {{{"));
    let deep_function = format!(".a {{ color: red }} .b {{ width: {}", "calc(".repeat(200));
    let result = sanitise(&deep_function);
    assert!(
        result.css.starts_with(".a { color: red }"),
        "{}",
        result.css
    );
    assert!(!result.css.contains("calc"), "{}", result.css);
}

#[test]
fn excerpts_are_short_and_on_one_line() {
    let long = format!(
        "@import url(https://cdn.acme.example/{});\n\n  .a {{}}",
        "x".repeat(200)
    );
    let result = sanitise(&long);
    let excerpt = &result.removed[0].excerpt;
    assert!(excerpt.starts_with("@import url(https://cdn.acme.example/xxx"));
    assert_eq!(excerpt.chars().count(), 80);
    assert!(excerpt.ends_with('…'));
    assert_eq!(
        sanitise("@import\n\t'x';").removed[0].excerpt,
        "@import 'x';"
    );
}

#[test]
fn reasons_have_codes_and_messages() {
    for reason in [
        CssRemovalReason::Import,
        CssRemovalReason::CharsetOrNamespace,
        CssRemovalReason::Script,
        CssRemovalReason::Url,
        CssRemovalReason::Markup,
        CssRemovalReason::Malformed,
    ] {
        assert!(!reason.code().is_empty());
        assert!(!reason.to_string().is_empty());
    }
}

/// Pieces of CSS, friendly and hostile, that random stylesheets are made of.
const PIECES: &[&str] = &[
    ".a",
    " ",
    "\n",
    "{",
    "}",
    ";",
    ":",
    "color",
    "red",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "'",
    "\\",
    "/*",
    "*/",
    "url(",
    "https://cdn.acme.example/x.png",
    "https://evil.example/",
    "/x.png",
    "@import",
    "@media",
    "@charset",
    "expression(",
    "expr",
    "ession",
    "javascript:",
    "<",
    "\\75rl(",
    "\\3c",
    "behavior",
    "-moz-binding",
    "image-set(",
    "src(",
    "var(--x)",
    "#fff",
    "1px",
    ",",
    "!important",
    "&",
    "--x",
    "\0",
    "\u{feff}",
    "é",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever goes in, what comes out holds nothing dangerous and sanitises to itself.
    #[test]
    fn sanitising_is_safe_and_idempotent(
        picks in proptest::collection::vec(0..PIECES.len(), 0..40)
    ) {
        let css: String = picks.iter().map(|&index| PIECES[index]).collect();
        let once = sanitise(&css);
        prop_assert!(!once.css.contains('<'), "{:?} -> {:?}", css, once.css);
        prop_assert!(!once.css.contains('\0'), "{:?} -> {:?}", css, once.css);
        let twice = sanitise(&once.css);
        prop_assert_eq!(&twice.css, &once.css, "from {:?}", css);
        prop_assert!(twice.removed.is_empty(), "{:?} -> {:?}: {:?}", css, once.css, twice.removed);
    }
}
