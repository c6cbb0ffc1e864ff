//! The enrolment QR code, embedded in the page as inline SVG.
//!
//! Why inline: the code carries the new secret, which exists only in the answer to the setup
//! form (it is sealed in the store and never handed out again), so a separate `<img>` route could
//! not draw the same code later; and the pages' CSP allows no `data:` images. Inline SVG is
//! markup, not style: its `fill` attributes are presentation attributes, which `style-src` does
//! not govern, so it passes the CSP.
//!
//! Why sanitised: the SVG comes from `portal-auth` as a string, and a string is not trusted
//! into a page as markup. It is parsed against the little the QR renderer writes — an `svg` root
//! holding one `rect` and one `path`, a fixed set of attributes, values of digits, letters,
//! spaces, `#`, `.` and `-` — and written out afresh; anything else and no code is shown (the
//! secret in text still enrols).

/// The SVG namespace, the only `xmlns` accepted.
const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

/// The attributes each element may have; `svg`'s `width` and `height` are dropped on output,
/// the stylesheet sizes the code.
const ALLOWED: &[(&str, &[&str])] = &[
    (
        "svg",
        &[
            "xmlns",
            "version",
            "width",
            "height",
            "viewBox",
            "shape-rendering",
        ],
    ),
    ("rect", &["x", "y", "width", "height", "fill"]),
    ("path", &["fill", "d"]),
];

/// `svg` from the QR renderer, rewritten for the page — or `None` if it holds anything the
/// renderer does not write.
pub(super) fn sanitise(svg: &str) -> Option<String> {
    let mut rest = svg.trim();
    if let Some(prolog) = rest.strip_prefix("<?xml") {
        let end = prolog.find("?>")?;
        if prolog[..end].contains(['<', '>']) {
            return None;
        }
        rest = prolog[end + 2..].trim_start();
    }
    let mut out = String::with_capacity(rest.len() + 64);
    let mut open: Vec<&str> = Vec::new();
    let mut roots = 0;
    while !rest.is_empty() {
        rest = rest.strip_prefix('<')?;
        let end = rest.find('>')?;
        let tag = &rest[..end];
        rest = rest[end + 1..].trim_start();
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop()? != name.trim() {
                return None;
            }
            out.push_str("</");
            out.push_str(name.trim());
            out.push('>');
            continue;
        }
        let (tag, closed) = match tag.strip_suffix('/') {
            Some(tag) => (tag, true),
            None => (tag, false),
        };
        let (name, attributes) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        let allowed = ALLOWED
            .iter()
            .find_map(|(element, names)| (*element == name).then_some(*names))?;
        // `svg` is the one root and holds the rest; nothing else nests.
        match (name, open.as_slice()) {
            ("svg", []) if roots == 0 && !closed => roots += 1,
            ("rect" | "path", ["svg"]) if closed => {}
            _ => return None,
        }
        out.push('<');
        out.push_str(name);
        for (attribute, value) in parse_attributes(attributes)? {
            if !allowed.contains(&attribute) || !safe_value(attribute, value) {
                return None;
            }
            if name == "svg" && matches!(attribute, "width" | "height") {
                continue;
            }
            out.push_str(&format!(" {attribute}=\"{value}\""));
        }
        if name == "svg" {
            out.push_str(" class=\"account-qr__code\" aria-hidden=\"true\" focusable=\"false\"");
        }
        if closed {
            out.push_str("/>");
        } else {
            out.push('>');
            open.push(name);
        }
    }
    (roots == 1 && open.is_empty()).then_some(out)
}

/// `name="value"` pairs separated by whitespace; `None` for anything else.
fn parse_attributes(mut text: &str) -> Option<Vec<(&str, &str)>> {
    let mut attributes = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Some(attributes);
        }
        let (name, rest) = text.split_once("=\"")?;
        let (value, rest) = rest.split_once('"')?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-') {
            return None;
        }
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            return None;
        }
        attributes.push((name, value));
        text = rest;
    }
}

/// Whether an attribute's value is one the renderer writes: the namespace for `xmlns`; else
/// numbers, path commands, colours and keywords.
fn safe_value(attribute: &str, value: &str) -> bool {
    if attribute == "xmlns" {
        return value == SVG_NAMESPACE;
    }
    !value.is_empty()
        && value.len() <= 200_000
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'#' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::sanitise;

    /// What `qrcode`'s SVG renderer writes.
    const RENDERED: &str = concat!(
        r#"<?xml version="1.0" standalone="yes"?>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="232" height="232""#,
        r#" viewBox="0 0 232 232" shape-rendering="crispEdges">"#,
        r##"<rect x="0" y="0" width="232" height="232" fill="#fff"/>"##,
        r##"<path fill="#000" d="M32 32h56v8H32V32M96 32h8v8H96V32"/></svg>"##
    );

    #[test]
    fn the_renderers_svg_is_kept_without_its_size() {
        let svg = sanitise(RENDERED).unwrap();
        assert!(
            svg.starts_with(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 232 232\""
            ),
            "{svg}"
        );
        assert!(svg.contains("aria-hidden=\"true\""), "{svg}");
        assert!(
            svg.contains("<rect x=\"0\" y=\"0\" width=\"232\" height=\"232\" fill=\"#fff\"/>"),
            "{svg}"
        );
        assert!(
            svg.contains("d=\"M32 32h56v8H32V32M96 32h8v8H96V32\"/>"),
            "{svg}"
        );
        assert!(svg.ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("<?xml"));
        assert!(!svg.contains("width=\"232\" height=\"232\" viewBox"));
    }

    #[test]
    fn anything_the_renderer_does_not_write_is_refused() {
        let refused = [
            RENDERED.replace("<rect", "<script>alert(1)</script><rect"),
            RENDERED.replace("fill=\"#fff\"", "fill=\"#fff\" onload=\"alert(1)\""),
            RENDERED.replace("fill=\"#fff\"", "style=\"fill:red\""),
            RENDERED.replace("fill=\"#000\"", "fill=\"url(https://evil.example/x)\""),
            RENDERED.replace("http://www.w3.org/2000/svg", "https://evil.example"),
            RENDERED.replace("<rect", "<image href=\"https://evil.example\"/><rect"),
            RENDERED.replace("<rect", "<foreignObject/><rect"),
            RENDERED.replace("</svg>", "</svg><svg></svg>"),
            RENDERED.replace("</svg>", ""),
            RENDERED.replace("<path", "text<path"),
            RENDERED.replace("fill=\"#000\"", "fill='#000'"),
            RENDERED.replace("fill=\"#000\"", "fill=\"#000\"x=\"1\""),
            RENDERED.replace("<?xml version=\"1.0\"", "<?xml <svg>"),
            String::new(),
        ];
        for svg in &refused {
            assert_eq!(sanitise(svg), None, "{svg}");
        }
    }
}
