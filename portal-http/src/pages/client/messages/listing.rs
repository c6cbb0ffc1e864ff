//! Long lists on a page: the first items, and `?cursor=` for the ones after them — the API's
//! keyset paging, as links. A cursor that is not one is the branded 400, never a 500.

use portal_storage::{Cursor, Page};
use serde::Deserialize;

use crate::pages::page::PageError;

/// Which part of a list a page shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listing {
    /// The storage page.
    pub(crate) page: Page,
    continued: bool,
}

/// The query of a list page; everything else in it (a notice) is not this module's.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    cursor: Option<String>,
}

impl Listing {
    /// The part `query` asks for, `limit` items long.
    pub(crate) fn parse(query: Option<&str>, limit: u32) -> Result<Self, PageError> {
        let query: ListQuery = serde_html_form::from_str(query.unwrap_or_default())
            .map_err(|_| PageError::BadRequest)?;
        let cursor = query
            .cursor
            .as_deref()
            .filter(|cursor| !cursor.is_empty())
            .map(str::parse::<Cursor>)
            .transpose()
            .map_err(|_| PageError::BadRequest)?;
        Ok(Self {
            page: Page::first(limit)
                .map_err(PageError::internal)?
                .after(cursor),
            continued: cursor.is_some(),
        })
    }

    /// The first `limit` items.
    pub(crate) fn first(limit: u32) -> Result<Self, PageError> {
        Self::parse(None, limit)
    }

    /// Whether this part comes after the first.
    pub(crate) const fn is_continued(&self) -> bool {
        self.continued
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_continues_a_list_and_a_bad_one_is_a_bad_request() {
        let first = Listing::parse(Some("notice=notice-x"), 10).unwrap();
        assert!(!first.is_continued());
        assert_eq!(first.page.limit(), 10);
        let next = Listing::parse(Some("cursor=0190aaaabbbb7ccc8dddeeeeeeeeeeee"), 10).unwrap();
        assert!(next.is_continued());
        assert!(matches!(
            Listing::parse(Some("cursor=nope"), 10),
            Err(PageError::BadRequest)
        ));
        assert!(!Listing::parse(Some("cursor="), 10).unwrap().is_continued());
    }
}
