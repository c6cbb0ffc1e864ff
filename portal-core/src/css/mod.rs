//! A tenant's custom CSS, made safe to serve by rewriting rather than refusing.
//!
//! The CSS is read with a CSS Syntax Level 3 tokenizer ([`cssparser`], Servo's and Firefox's), so
//! comments, escapes and case are understood the way a browser understands them: `\75rl(`,
//! `EXPRESSION(` and `expr/**/ession(` are all seen for what they are. The stylesheet is split
//! into items — a rule, an at-rule or a declaration, up to its `;` or its `{…}` block — and every
//! item that does something dangerous is dropped whole; everything else is kept byte for byte.
//! Blocks are walked item by item, so one bad declaration costs only itself.
//!
//! Dropped:
//! - `@import`, `@charset` and `@namespace` rules;
//! - anything using `expression(`, `javascript:` or `vbscript:`, and `behavior` /
//!   `-ms-behavior` / `-moz-binding` declarations;
//! - any `url(…)`, `src(…)`, `image(…)` or `image-set(…)` whose target is not an `https` URL on
//!   one of the allowed hosts (the look's own logo and favicon hosts) or a path on the portal's
//!   own origin (starting with `/`, or a `#fragment`); also such a function whose target is not
//!   one plain string (a `var()` could bring in any URL);
//! - anything holding `<` (it could end a `<style>` element) or a NUL character;
//! - anything malformed: an unterminated string, URL, comment or function, a bad URL, an escape
//!   at the very end.
//!
//! A `{…}` block left open at the end is closed. Sanitising is idempotent: the output of
//! [`sanitise_css`] comes out of it again unchanged.

use std::fmt;

use cssparser::{ParseError, Parser, SourcePosition, ToCss as _, Token};
use url::Url;

/// The most characters an excerpt of removed CSS has.
const EXCERPT_CHARS: usize = 80;

/// A stand-in for the portal's own origin, to tell a same-origin path from one that leaves it.
const SAME_ORIGIN: &str = "https://same-origin.portal.invalid/";

/// Decoded text that marks script in CSS, compared without case, spaces or comments.
const SCRIPT_MARKERS: [&str; 4] = ["expression(", "javascript:", "vbscript:", "-moz-binding"];

/// Properties that attach behaviour (script) to elements.
const SCRIPT_PROPERTIES: [&str; 3] = ["behavior", "-ms-behavior", "-moz-binding"];

/// Custom CSS after [`sanitise_css`]: what is kept, and what was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanitisedCss {
    /// The CSS to store and serve.
    pub css: String,
    /// What was dropped, in order.
    pub removed: Vec<CssRemoval>,
}

/// One piece of CSS the sanitiser dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CssRemoval {
    /// Why.
    pub reason: CssRemovalReason,
    /// The start of what was dropped, white space collapsed, at most 80 characters.
    pub excerpt: String,
}

/// Why a piece of CSS was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CssRemovalReason {
    /// An `@import` rule: pages load no other stylesheets.
    Import,
    /// An `@charset` or `@namespace` rule.
    CharsetOrNamespace,
    /// Script: `expression(`, `javascript:`, `behavior`, `-moz-binding`.
    Script,
    /// A URL to another host, another scheme, or one that cannot be checked.
    Url,
    /// `<` or a NUL character.
    Markup,
    /// Unterminated or malformed CSS.
    Malformed,
}

impl CssRemovalReason {
    /// A stable code for APIs: `import`, `charset_or_namespace`, `script`, `url`, `markup` or
    /// `malformed`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::CharsetOrNamespace => "charset_or_namespace",
            Self::Script => "script",
            Self::Url => "url",
            Self::Markup => "markup",
            Self::Malformed => "malformed",
        }
    }
}

impl fmt::Display for CssRemovalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Import => "@import is not allowed",
            Self::CharsetOrNamespace => "@charset and @namespace are not allowed",
            Self::Script => "script in CSS is not allowed",
            Self::Url => {
                "only https URLs on the logo's or favicon's host, or paths on the portal itself, may be loaded"
            }
            Self::Markup => "`<` and NUL characters are not allowed",
            Self::Malformed => "unterminated or malformed CSS",
        })
    }
}

/// `css` with everything dangerous dropped (see the [module](self)); `allowed_hosts` are the
/// hosts `https` URLs may point to (lower case, as [`HttpsUrl::host`](crate::HttpsUrl::host)
/// gives them).
#[must_use]
pub fn sanitise_css(css: &str, allowed_hosts: &[String]) -> SanitisedCss {
    let mut parser = Parser::new(css);
    let mut sanitiser = Sanitiser {
        allowed_hosts,
        removed: Vec::new(),
        gave_up: false,
        gave_up_at: None,
    };
    let kept = sanitiser.items(&mut parser);
    SanitisedCss {
        css: kept,
        removed: sanitiser.removed,
    }
}

/// The walk over one stylesheet.
struct Sanitiser<'h> {
    allowed_hosts: &'h [String],
    removed: Vec<CssRemoval>,
    /// Set when the CSS nests deeper than the tokenizer follows: the rest is dropped.
    gave_up: bool,
    /// Where the record of what giving up dropped is.
    gave_up_at: Option<usize>,
}

/// How the strings in a function's arguments are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Plain values: strings are text.
    Plain,
    /// The argument of `url(` or `src(`: one string, a URL.
    UrlArgument,
    /// The arguments of `image-set(` or `image(`: strings are URLs.
    Images,
}

/// What one item holds, collected token by token.
#[derive(Debug, Default)]
struct Scan {
    /// The first reason found to drop the item.
    reason: Option<CssRemovalReason>,
    /// The decoded text of its tokens, without white space and comments.
    text: String,
    /// Its first two significant tokens, decoded and lower case, with whether each is an
    /// identifier: a declaration starts with a property name and a colon.
    head: Vec<(String, Head)>,
}

/// The kind of an item's first significant tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Head {
    Ident,
    AtKeyword,
    Colon,
    Other,
}

impl Scan {
    fn flag(&mut self, reason: CssRemovalReason) {
        self.reason.get_or_insert(reason);
    }

    fn significant(&mut self, text: &str, head: Head) {
        self.text.push_str(text);
        if self.head.len() < 2 {
            self.head.push((text.to_ascii_lowercase(), head));
        }
    }

    /// The checks on the whole item, once its tokens are read; `source` is its text.
    fn finish(&mut self, source: &str) {
        if source.contains(['<', '\0']) {
            self.flag(CssRemovalReason::Markup);
        }
        // The rule itself is the reason, whatever else is wrong inside it.
        if let Some((keyword, Head::AtKeyword)) = self.head.first() {
            match keyword.as_str() {
                "@import" => self.reason = Some(CssRemovalReason::Import),
                "@charset" | "@namespace" => {
                    self.reason = Some(CssRemovalReason::CharsetOrNamespace);
                }
                _ => {}
            }
        }
        if let [(property, Head::Ident), (_, Head::Colon)] = self.head.as_slice()
            && SCRIPT_PROPERTIES.contains(&property.as_str())
        {
            self.reason = Some(CssRemovalReason::Script);
        }
        let folded: String = self
            .text
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .flat_map(char::to_lowercase)
            .collect();
        if SCRIPT_MARKERS.iter().any(|marker| folded.contains(marker)) {
            self.flag(CssRemovalReason::Script);
        }
        if folded.contains('<') {
            self.flag(CssRemovalReason::Markup);
        }
        if ends_in_escape(source) {
            self.flag(CssRemovalReason::Malformed);
        }
    }
}

impl Sanitiser<'_> {
    /// The items of a stylesheet or a `{…}` block, the safe ones kept.
    fn items(&mut self, parser: &mut Parser<'_>) -> String {
        let mut out = String::new();
        while !self.gave_up {
            let start = parser.position();
            let mut scan = Scan::default();
            // The kept inside of the item's block, and where its prelude ends.
            let mut block: Option<(SourcePosition, Option<String>)> = None;
            loop {
                let before = parser.position();
                let Ok(token) = parser.next_including_whitespace_and_comments().cloned() else {
                    break;
                };
                match token {
                    Token::Semicolon => {
                        scan.significant(";", Head::Other);
                        break;
                    }
                    Token::CurlyBracketBlock => {
                        scan.finish(parser.slice(start..before));
                        let inside = if scan.reason.is_some() {
                            self.skip_block(parser);
                            None
                        } else {
                            self.nested_items(parser)
                        };
                        block = Some((before, inside));
                        break;
                    }
                    token => self.token(parser, &token, before, &mut scan, Context::Plain),
                }
            }
            let end = parser.position();
            if end == start {
                break;
            }
            let source = parser.slice(start..end);
            match block {
                Some((prelude_end, Some(inside))) if scan.reason.is_none() && !self.gave_up => {
                    out.push_str(parser.slice(start..prelude_end));
                    out.push('{');
                    out.push_str(&inside);
                    out.push('}');
                }
                Some(_) => self.remove(scan.reason, source),
                None => {
                    scan.finish(source);
                    if scan.reason.is_none() && !self.gave_up {
                        out.push_str(source);
                    } else {
                        self.remove(scan.reason, source);
                    }
                }
            }
        }
        out
    }

    /// Records the removal of `source`, malformed if no other reason was found. Once the walk
    /// gave up, each enclosing item replaces the last record, so the outermost one stays.
    fn remove(&mut self, reason: Option<CssRemovalReason>, source: &str) {
        let removal = CssRemoval {
            reason: reason.unwrap_or(CssRemovalReason::Malformed),
            excerpt: excerpt(source),
        };
        if self.gave_up {
            if let Some(at) = self.gave_up_at {
                if let Some(slot) = self.removed.get_mut(at) {
                    *slot = removal;
                }
                return;
            }
            self.gave_up_at = Some(self.removed.len());
        }
        self.removed.push(removal);
    }

    /// The kept items of the `{…}` block just opened; `None` if it nests too deep.
    fn nested_items(&mut self, parser: &mut Parser<'_>) -> Option<String> {
        let result = parser.parse_nested_block(|inner| Ok::<_, ParseError<()>>(self.items(inner)));
        if result.is_err() {
            self.gave_up = true;
        }
        result.ok()
    }

    /// Reads past the block just opened.
    fn skip_block(&mut self, parser: &mut Parser<'_>) {
        let result = parser.parse_nested_block(|inner| {
            while inner.next_including_whitespace_and_comments().is_ok() {}
            Ok::<_, ParseError<()>>(())
        });
        if result.is_err() {
            self.gave_up = true;
        }
    }

    /// Looks at one token of an item (and into its block, if it opens one).
    fn token(
        &mut self,
        parser: &mut Parser<'_>,
        token: &Token<'_>,
        before: SourcePosition,
        scan: &mut Scan,
        context: Context,
    ) {
        let raw = parser.slice(before..parser.position());
        if context == Context::UrlArgument
            && !matches!(
                token,
                Token::WhiteSpace(_) | Token::Comment(_) | Token::QuotedString(_)
            )
        {
            scan.flag(CssRemovalReason::Url);
        }
        match token {
            // Browsers skip `<!--` and `-->` between rules like white space.
            Token::WhiteSpace(_) | Token::CDO | Token::CDC => {}
            Token::Comment(_) => {
                if !(raw.len() >= 4 && raw.ends_with("*/")) {
                    scan.flag(CssRemovalReason::Malformed);
                }
            }
            Token::BadString(_) | Token::BadUrl(_) => scan.flag(CssRemovalReason::Malformed),
            Token::QuotedString(value) => {
                if !closed_string(raw) {
                    scan.flag(CssRemovalReason::Malformed);
                }
                if context != Context::Plain && !self.url_allowed(value) {
                    scan.flag(CssRemovalReason::Url);
                }
                scan.significant(value, Head::Other);
            }
            Token::UnquotedUrl(value) => {
                if !closed_by(raw, ')') {
                    scan.flag(CssRemovalReason::Malformed);
                }
                if !self.url_allowed(value) {
                    scan.flag(CssRemovalReason::Url);
                }
                scan.significant(&format!("url({})", &**value), Head::Other);
            }
            Token::Function(name) => {
                let lower = name.to_ascii_lowercase();
                scan.significant(&format!("{}(", &**name), Head::Other);
                let inner = match lower.as_str() {
                    "url" | "src" => Context::UrlArgument,
                    "image-set" | "-webkit-image-set" | "image" | "-webkit-image" => {
                        Context::Images
                    }
                    // A value computed from elsewhere could be any URL.
                    "var" | "env" | "attr" if context == Context::Images => {
                        scan.flag(CssRemovalReason::Url);
                        Context::Plain
                    }
                    _ => Context::Plain,
                };
                self.nested_tokens(parser, scan, inner);
                scan.significant(")", Head::Other);
            }
            Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                scan.significant(raw, Head::Other);
                self.nested_tokens(parser, scan, Context::Plain);
            }
            Token::Ident(value) => scan.significant(value, Head::Ident),
            Token::AtKeyword(name) => scan.significant(&format!("@{}", &**name), Head::AtKeyword),
            Token::Hash(value) | Token::IDHash(value) => {
                scan.significant(&format!("#{}", &**value), Head::Other);
            }
            Token::Colon => scan.significant(":", Head::Colon),
            Token::Delim(c) => scan.significant(c.encode_utf8(&mut [0; 4]), Head::Other),
            other => scan.significant(&other.to_css_string(), Head::Other),
        }
    }

    /// Looks at every token of the function or block just opened, flagging one left open.
    fn nested_tokens(&mut self, parser: &mut Parser<'_>, scan: &mut Scan, context: Context) {
        let result = parser.parse_nested_block(|inner| {
            loop {
                let before = inner.position();
                let Ok(token) = inner.next_including_whitespace_and_comments().cloned() else {
                    break;
                };
                self.token(inner, &token, before, scan, context);
            }
            Ok::<_, ParseError<()>>(inner.position())
        });
        match result {
            // Nothing was consumed after the inside: the closing token is missing.
            Ok(inside_end) if parser.position() == inside_end => {
                scan.flag(CssRemovalReason::Malformed);
            }
            Ok(_) => {}
            Err(_) => {
                scan.flag(CssRemovalReason::Malformed);
                self.gave_up = true;
            }
        }
    }

    /// Whether a stylesheet may load `target`: an `https` URL on an allowed host, or a path or
    /// fragment on the portal's own origin.
    fn url_allowed(&self, target: &str) -> bool {
        // What a URL parser ignores: tabs and line breaks anywhere, spaces and controls around.
        let cleaned: String = target
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let cleaned = cleaned.trim_matches(|c: char| c <= ' ');
        if cleaned.starts_with('/') || cleaned.starts_with('#') {
            // `//host` and `/\host` leave the origin.
            if cleaned.starts_with("//") || cleaned.starts_with("/\\") {
                return false;
            }
            let Ok(origin) = Url::parse(SAME_ORIGIN) else {
                return false;
            };
            return origin
                .join(cleaned)
                .is_ok_and(|url| url.origin() == origin.origin());
        }
        Url::parse(cleaned).is_ok_and(|url| {
            url.scheme() == "https"
                && url.username().is_empty()
                && url.password().is_none()
                && url.host_str().is_some_and(|host| {
                    self.allowed_hosts
                        .iter()
                        .any(|allowed| allowed.eq_ignore_ascii_case(host))
                })
        })
    }
}

/// Whether a string token's text ends with the quote it starts with, unescaped.
fn closed_string(raw: &str) -> bool {
    raw.len() >= 2
        && raw
            .chars()
            .next()
            .is_some_and(|quote| closed_by(raw, quote))
}

/// Whether `raw` ends with `closer`, not escaped by a backslash.
fn closed_by(raw: &str, closer: char) -> bool {
    raw.strip_suffix(closer)
        .is_some_and(|body| !ends_in_escape(body))
}

/// Whether `text` ends in an odd run of backslashes: an escape with nothing to escape.
fn ends_in_escape(text: &str) -> bool {
    text.bytes().rev().take_while(|byte| *byte == b'\\').count() % 2 == 1
}

/// The start of `source`, white space collapsed and control characters blanked.
fn excerpt(source: &str) -> String {
    let collapsed = source
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if collapsed.chars().count() <= EXCERPT_CHARS {
        collapsed
    } else {
        let mut cut: String = collapsed.chars().take(EXCERPT_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests;
