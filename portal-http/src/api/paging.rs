//! Lists: `?limit=&cursor=` in, `{"items": [...], "next_cursor": …}` out, newest first.

use std::future::Future;

use portal_storage::{Cursor, Page, Paged, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// Which page of a list to return.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The storage page for a query that has its own `limit` and `cursor` next to filters.
    pub(crate) fn page_of(limit: Option<u32>, cursor: Option<String>) -> Result<Page, ApiError> {
        Self { limit, cursor }.page()
    }

    /// The storage page, or a 422 naming `limit` or `cursor`.
    pub fn page(&self) -> Result<Page, ApiError> {
        let page = match self.limit {
            Some(limit) => Page::first(limit)?,
            None => Page::default(),
        };
        let cursor = self
            .cursor
            .as_deref()
            .map(str::parse::<Cursor>)
            .transpose()?;
        Ok(page.after(cursor))
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageOf<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> PageOf<T> {
    /// A page of views made from a stored page.
    pub fn map<S>(paged: Paged<S>, view: impl FnMut(S) -> T) -> Self {
        Self {
            items: paged.items.into_iter().map(view).collect(),
            next_cursor: paged.next.map(|cursor| cursor.to_string()),
        }
    }
}

/// Every item of a store's list, page by page in the largest pages, up to `most` items (after
/// the page that reaches it): `fetch` asks the store for one page.
pub(crate) async fn every_item<T, F>(
    most: usize,
    mut fetch: impl FnMut(Page) -> F,
) -> Result<Vec<T>, ApiError>
where
    F: Future<Output = StoreResult<Paged<T>>>,
{
    let first = Page::first(Page::MAX_LIMIT)?;
    let mut items = Vec::new();
    let mut page = first;
    loop {
        let paged = fetch(page).await?;
        items.extend(paged.items);
        match paged.next {
            Some(cursor) if items.len() < most => page = first.after(Some(cursor)),
            _ => return Ok(items),
        }
    }
}
