//! A tenant's custom CSS (`portal_core::css::sanitise_css`), checked against what its module
//! documentation promises, by a reader of its own over the same CSS tokenizer:
//!
//! - the output holds no `<` and no NUL (so never `</style`);
//! - no item (a rule, at-rule or declaration, at any depth) is an `@import`, `@charset` or
//!   `@namespace` rule, or a `behavior` / `-ms-behavior` / `-moz-binding` declaration;
//! - its decoded text, without case, white space or comments, holds no `expression(`,
//!   `javascript:`, `vbscript:` or `-moz-binding`;
//! - every `url(…)` target, and every string in `url(`, `src(`, `image(` or `image-set(`, when
//!   resolved as a browser resolves it against the portal's pages, stays on the portal's origin
//!   or is `https` on an allowed host without credentials; `url(` and `src(` hold nothing but
//!   one string, and `image(` / `image-set(` no `var(`, `env(` or `attr(`;
//! - the output nests no deeper than the tokenizer follows;
//! - sanitising the output again changes nothing and removes nothing;
//! - when nothing was removed the output is the input, with open blocks closed;
//! - every excerpt of what was removed is one line of at most 80 characters.

use cssparser::{Parser, Token};
use portal_core::css::sanitise_css;
use url::Url;

/// The hosts the look's logo and favicon are on.
pub const HOSTS: [&str; 2] = ["cdn.acme.example", "logo.acme.example"];

/// A page of the portal, where the CSS is used.
const PAGE: &str = "https://portal.example/acme/documents/";

/// Runs every check on one input.
pub fn check(data: &[u8]) {
    let css = String::from_utf8_lossy(data);
    let hosts: Vec<String> = HOSTS.iter().map(|host| (*host).to_owned()).collect();
    let once = sanitise_css(&css, &hosts);
    let out = &once.css;
    assert!(!out.contains(['<', '\0']), "{css:?} -> {out:?}");
    check_output(out, &css);
    let twice = sanitise_css(out, &hosts);
    assert_eq!(&twice.css, out, "not idempotent: {css:?}");
    assert!(
        twice.removed.is_empty(),
        "{css:?} -> {out:?}, then removed {:?}",
        twice.removed
    );
    if once.removed.is_empty() {
        let added = out.strip_prefix(css.as_ref()).unwrap_or_else(|| {
            panic!("nothing removed, yet changed: {css:?} -> {out:?}");
        });
        assert!(
            added.chars().all(|c| c == '}'),
            "{css:?} -> {out:?}: more than closing braces added"
        );
    }
    for removal in &once.removed {
        let excerpt = &removal.excerpt;
        assert!(excerpt.chars().count() <= 80, "{excerpt:?}");
        assert!(
            !excerpt.chars().any(|c| c.is_control() || c == '\u{2028}'),
            "{excerpt:?}"
        );
    }
}

/// What a string or function argument is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Text.
    Plain,
    /// The inside of `url(` or `src(`.
    Url,
    /// The inside of `image(` or `image-set(`.
    Images,
}

/// The walk over the output.
struct Reader<'a> {
    /// The input, for messages.
    input: &'a str,
    /// The decoded text, with item and block boundaries.
    text: String,
    /// The first two significant tokens of the current item.
    head: Vec<Token<'a>>,
}

fn check_output(out: &str, input: &str) {
    let mut parser = Parser::new(out);
    let mut reader = Reader {
        input,
        text: String::new(),
        head: Vec::new(),
    };
    reader.items(&mut parser);
    let folded: String = reader
        .text
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    for marker in ["expression(", "javascript:", "vbscript:", "-moz-binding"] {
        assert!(
            !folded.contains(marker),
            "{input:?} -> {out:?}: {marker} kept"
        );
    }
}

impl<'a> Reader<'a> {
    /// The items of a stylesheet or a rule's block.
    fn items(&mut self, parser: &mut Parser<'a>) {
        self.head.clear();
        loop {
            let Ok(token) = parser.next_including_whitespace_and_comments().cloned() else {
                break;
            };
            match token {
                Token::WhiteSpace(_) | Token::Comment(_) | Token::CDO | Token::CDC => {}
                Token::Semicolon => {
                    self.note(&token);
                    self.end_item();
                    self.text.push(';');
                }
                Token::CurlyBracketBlock => {
                    self.end_item();
                    self.text.push('{');
                    let nested = parser.parse_nested_block(|inner| {
                        self.items(inner);
                        Ok::<_, cssparser::ParseError<()>>(())
                    });
                    assert!(nested.is_ok(), "{:?}: nests too deep", self.input);
                    self.text.push('}');
                    self.head.clear();
                }
                token => self.token(parser, token, Context::Plain),
            }
        }
        self.end_item();
    }

    /// Records a significant token of the current item.
    fn note(&mut self, token: &Token<'a>) {
        if self.head.len() < 2 {
            self.head.push(token.clone());
        }
    }

    /// Checks the item that just ended.
    fn end_item(&mut self) {
        let head = std::mem::take(&mut self.head);
        if let Some(Token::AtKeyword(name)) = head.first() {
            let name = name.to_ascii_lowercase();
            assert!(
                !matches!(name.as_str(), "import" | "charset" | "namespace"),
                "{:?}: an @{name} rule kept",
                self.input
            );
        }
        if let [Token::Ident(property), Token::Colon] = head.as_slice() {
            let property = property.to_ascii_lowercase();
            assert!(
                !matches!(
                    property.as_str(),
                    "behavior" | "-ms-behavior" | "-moz-binding"
                ),
                "{:?}: a {property} declaration kept",
                self.input
            );
        }
    }

    /// One token of an item, and what it opens.
    fn token(&mut self, parser: &mut Parser<'a>, token: Token<'a>, context: Context) {
        let significant = !matches!(
            token,
            Token::WhiteSpace(_) | Token::Comment(_) | Token::CDO | Token::CDC
        );
        if significant {
            self.note(&token);
        }
        if context == Context::Url {
            assert!(
                matches!(
                    token,
                    Token::WhiteSpace(_) | Token::Comment(_) | Token::QuotedString(_)
                ),
                "{:?}: url( or src( holds {token:?}",
                self.input
            );
        }
        match &token {
            Token::WhiteSpace(_) | Token::Comment(_) | Token::CDO | Token::CDC => {}
            Token::QuotedString(value) => {
                if context != Context::Plain {
                    self.target(value);
                }
                self.text.push_str(value);
            }
            Token::UnquotedUrl(value) => {
                self.target(value);
                self.text.push_str("url(");
                self.text.push_str(value);
            }
            Token::Function(name) => {
                let lower = name.to_ascii_lowercase();
                let inner = match lower.as_str() {
                    "url" | "src" => Context::Url,
                    "image-set" | "-webkit-image-set" | "image" | "-webkit-image" => {
                        Context::Images
                    }
                    "var" | "env" | "attr" => {
                        assert!(
                            context != Context::Images,
                            "{:?}: {lower}( in an image list",
                            self.input
                        );
                        Context::Plain
                    }
                    _ => Context::Plain,
                };
                self.text.push_str(name);
                self.text.push('(');
                self.nested(parser, inner);
                self.text.push(')');
            }
            Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                self.text.push(match token {
                    Token::ParenthesisBlock => '(',
                    Token::SquareBracketBlock => '[',
                    _ => '{',
                });
                self.nested(parser, Context::Plain);
            }
            Token::Ident(value) => self.text.push_str(value),
            Token::AtKeyword(name) => {
                self.text.push('@');
                self.text.push_str(name);
            }
            Token::Hash(value) | Token::IDHash(value) => {
                self.text.push('#');
                self.text.push_str(value);
            }
            Token::Delim(c) => self.text.push(*c),
            Token::BadString(_) | Token::BadUrl(_) => {
                panic!("{:?}: malformed CSS kept: {token:?}", self.input);
            }
            other => {
                use cssparser::ToCss as _;
                self.text.push_str(&other.to_css_string());
            }
        }
    }

    /// The tokens of the function or block just opened.
    fn nested(&mut self, parser: &mut Parser<'a>, context: Context) {
        let nested = parser.parse_nested_block(|inner| {
            while let Ok(token) = inner.next_including_whitespace_and_comments().cloned() {
                self.token(inner, token, context);
            }
            Ok::<_, cssparser::ParseError<()>>(())
        });
        assert!(nested.is_ok(), "{:?}: nests too deep", self.input);
    }

    /// A URL the stylesheet would load: on the portal's origin, or `https` on an allowed host.
    fn target(&self, target: &str) {
        let Ok(page) = Url::parse(PAGE) else {
            panic!("{PAGE} is not a URL");
        };
        // A target the URL parser refuses loads nothing.
        let Ok(url) = page.join(target) else {
            return;
        };
        let same_origin = url.origin() == page.origin();
        let allowed_host = url.scheme() == "https"
            && url.username().is_empty()
            && url.password().is_none()
            && url.host_str().is_some_and(|host| {
                HOSTS
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(host))
            });
        assert!(
            same_origin || allowed_host,
            "{:?}: loads {target:?} ({url})",
            self.input
        );
    }
}
