//! Lists that go on for more than one page: the `cursor` of the query (the last item shown, as
//! the stores' keyset pagination has it) and the link to the next page. The query strings of the
//! list pages are read here too, so a malformed one is the branded 400, never a bare rejection.

use portal_storage::{Cursor, Page};
use serde::de::DeserializeOwned;

use super::super::super::page::PageError;

/// The query string of a list page as `T`; a string that does not fit is a 400.
pub(crate) fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, PageError> {
    serde_html_form::from_str(raw.unwrap_or_default()).map_err(|_| PageError::BadRequest)
}

/// The page of at most `limit` items after `cursor` (a blank one is the first page).
pub(crate) fn page(limit: u32, cursor: Option<&str>) -> Result<Page, PageError> {
    let first = Page::first(limit).map_err(PageError::internal)?;
    match cursor.map(str::trim).filter(|cursor| !cursor.is_empty()) {
        None => Ok(first),
        Some(cursor) => {
            let cursor: Cursor = cursor.parse().map_err(|_| PageError::BadRequest)?;
            Ok(first.after(Some(cursor)))
        }
    }
}

/// The link to the page after `next`, keeping the other parameters of `path` (already encoded).
pub(crate) fn next_link(path: &str, next: Option<Cursor>) -> Option<String> {
    let next = next?;
    let separator = if path.contains('?') { '&' } else { '?' };
    Some(format!("{path}{separator}cursor={next}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Listing {
        cursor: Option<String>,
        project: Option<String>,
    }

    #[test]
    fn queries_and_cursors_are_read_or_refused() {
        let listing: Listing = query(Some("project=abc&notice=notice-x")).unwrap();
        assert_eq!(listing.project.as_deref(), Some("abc"));
        assert_eq!(listing.cursor, None);
        let listing: Listing = query(None).unwrap();
        assert!(listing.project.is_none());
        assert!(page(20, Some("not a cursor")).is_err());
        assert!(page(20, Some("")).is_ok());
        let cursor = Cursor::after(uuid::Uuid::nil());
        assert!(page(20, Some(&cursor.to_string())).is_ok());
        assert_eq!(
            next_link("/acme/documents?project=p", Some(cursor)).unwrap(),
            format!("/acme/documents?project=p&cursor={cursor}")
        );
        assert_eq!(next_link("/acme/documents", None), None);
    }
}
