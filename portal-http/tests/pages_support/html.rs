//! Reading what a page shows.

/// The `value` of the input named `name` in a page.
pub fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap();
    html[start..start + end].to_owned()
}

/// The text of `html` from `start` on, up to the first of `ends` (or to the end of the page).
pub fn section<'a>(html: &'a str, start: &str, ends: &[&str]) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"));
    let rest = &html[from..];
    let end = ends
        .iter()
        .filter_map(|end| rest.find(end))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Asserts a form's field carries `message`, tied to it with `aria-describedby` and marked
/// `aria-invalid`.
pub fn assert_field_error(html: &str, id: &str, message: &str) {
    let error = format!("<p class=\"field__error\" id=\"{id}-error\">{message}");
    assert!(html.contains(&error), "no `{message}` at {id}: {html}");
    let input = html
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_else(|| panic!("no field {id}: {html}"));
    assert!(input.contains("aria-invalid=\"true\""), "{input}");
    assert!(
        input.contains(&format!("aria-describedby=\"{id}-error")),
        "{input}"
    );
}

/// The `href` of the stylesheet whose URL contains `part`, if the page links one.
pub fn find_stylesheet(html: &str, part: &str) -> Option<String> {
    html.split("<link rel=\"stylesheet\" href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .find(|href| href.contains(part))
}

/// The `href` of the stylesheet whose URL contains `part`.
pub fn stylesheet(html: &str, part: &str) -> String {
    find_stylesheet(html, part).unwrap_or_else(|| panic!("no stylesheet {part} in {html}"))
}

/// Asserts the page shows every one of `shown`.
pub fn assert_shows<S: AsRef<str>>(html: &str, shown: &[S]) {
    for shown in shown {
        let shown = shown.as_ref();
        assert!(html.contains(shown), "misses {shown}: {html}");
    }
}
