//! Where to go after the password prompt: a path under the tenant's base, never anywhere else.
//! The redirect puts the base in front of it, so a path is all it can ever be; what is refused
//! here is what a browser would read as another host (`//evil`, `/\evil`) or as a way out of
//! the base (`/../x`), and anything with characters a path of ours never has.

/// The longest `next` accepted, in bytes.
const MAX_BYTES: usize = 512;

/// A checked path under the tenant's base, with its query: `/account`, `/projects/…?tab=x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NextPath(String);

impl NextPath {
    /// `raw` if it is a safe path under the base; `None` for anything else (the caller then
    /// goes to the overview).
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        let safe = raw.len() <= MAX_BYTES
            && raw.starts_with('/')
            && !raw.starts_with("//")
            && raw.bytes().all(allowed);
        if !safe {
            return None;
        }
        let path = raw.split(['?', '#']).next().unwrap_or_default();
        let escapes = path
            .split('/')
            .any(|segment| matches!(segment, "." | "..") || segment.contains('%'));
        // Back to the prompt itself would only ask again.
        let loops = path == super::confirm::PATH;
        (!escapes && !loops).then(|| Self(raw.to_owned()))
    }

    /// The overview, where a missing or unsafe `next` leads.
    pub(crate) fn overview() -> Self {
        Self("/".to_owned())
    }

    /// The path.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The path, owned.
    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

/// The bytes a path or query of ours is made of. No `\`, no control characters or spaces, and
/// no `:` so nothing can look like a scheme.
const fn allowed(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'/' | b'-' | b'_' | b'.' | b'~' | b'?' | b'=' | b'&' | b'%' | b'+'
        )
}

#[cfg(test)]
mod tests {
    use super::NextPath;

    fn parse(raw: &str) -> Option<String> {
        NextPath::parse(raw).map(NextPath::into_string)
    }

    #[test]
    fn paths_under_the_base_pass() {
        assert_eq!(parse("/").as_deref(), Some("/"));
        assert_eq!(parse("/account").as_deref(), Some("/account"));
        assert_eq!(
            parse("/account?notice=notice-x").as_deref(),
            Some("/account?notice=notice-x")
        );
        assert_eq!(
            parse("/projects/0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee").as_deref(),
            Some("/projects/0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee")
        );
    }

    #[test]
    fn nothing_that_leaves_the_base_passes() {
        for raw in [
            "",
            "account",
            "//evil.example",
            "//evil.example/account",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "/https://evil.example",
            "javascript:alert(1)",
            "/../other",
            "/account/../../x",
            "/./x",
            "/%2e%2e/x",
            "/%2F%2Fevil.example",
            "/a b",
            "/a\nb",
            "/a\"b",
            "/<script>",
            "/account/confirm",
            "/account/confirm?next=/x",
        ] {
            assert_eq!(parse(raw), None, "{raw:?}");
        }
        assert_eq!(parse(&format!("/{}", "a".repeat(600))), None);
    }
}
