//! Keyset pagination: every list takes a [`Page`] and returns [`Paged`] items.
//!
//! Ids are UUID v7, so they sort by creation. Lists return the newest first, and the cursor is the
//! last id returned: the next page holds the ids below it. No offsets, so a page costs the same
//! however deep it is.

use std::fmt;
use std::str::FromStr;

use portal_core::{DomainError, Invalid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a page ends: the id of the last item returned. Opaque to clients.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cursor(Uuid);

impl Cursor {
    /// The cursor after an item with this id.
    #[must_use]
    pub const fn after(id: Uuid) -> Self {
        Self(id)
    }

    /// The id the next page starts below.
    #[must_use]
    pub const fn id(&self) -> Uuid {
        self.0
    }
}

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cursor({self})")
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.simple())
    }
}

impl FromStr for Cursor {
    type Err = DomainError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Uuid::try_parse(input.trim()).map(Self).map_err(|_| {
            DomainError::validation("cursor", Invalid::Malformed("not a cursor from this list"))
        })
    }
}

impl Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Which page to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    limit: u32,
    after: Option<Cursor>,
}

impl Page {
    /// The most items a page may hold.
    pub const MAX_LIMIT: u32 = 200;
    /// The page size when none is asked for.
    pub const DEFAULT_LIMIT: u32 = 50;

    /// The first `limit` items (1 to 200).
    pub fn first(limit: u32) -> Result<Self, DomainError> {
        if limit == 0 {
            return Err(DomainError::validation(
                "limit",
                Invalid::TooShort { min: 1 },
            ));
        }
        if limit > Self::MAX_LIMIT {
            return Err(DomainError::validation(
                "limit",
                Invalid::TooLong {
                    max: Self::MAX_LIMIT as usize,
                },
            ));
        }
        Ok(Self { limit, after: None })
    }

    /// The same page size, continuing after `cursor`.
    #[must_use]
    pub const fn after(self, cursor: Option<Cursor>) -> Self {
        Self {
            after: cursor,
            ..self
        }
    }

    /// How many items at most.
    #[must_use]
    pub const fn limit(&self) -> u32 {
        self.limit
    }

    /// Where the page starts, if not at the beginning.
    #[must_use]
    pub const fn cursor(&self) -> Option<Cursor> {
        self.after
    }
}

impl Default for Page {
    fn default() -> Self {
        Self {
            limit: Self::DEFAULT_LIMIT,
            after: None,
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paged<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

impl<T> Paged<T> {
    /// Builds a page from up to `limit + 1` items fetched newest first: the extra item only
    /// says that another page exists.
    pub fn from_overfetch(mut items: Vec<T>, page: Page, id: impl Fn(&T) -> Uuid) -> Self {
        let limit = page.limit() as usize;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|item| Cursor::after(id(item)))
        } else {
            None
        };
        Self { items, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked() {
        assert!(Page::first(1).is_ok());
        assert!(Page::first(200).is_ok());
        assert_eq!(Page::first(0).unwrap_err().field(), Some("limit"));
        assert_eq!(Page::first(201).unwrap_err().field(), Some("limit"));
    }

    #[test]
    fn overfetch_sets_the_cursor() {
        let page = Page::first(2).unwrap();
        let ids: Vec<Uuid> = (0..3).map(|i| Uuid::from_u128(10 - i)).collect();
        let paged = Paged::from_overfetch(ids.clone(), page, |id| *id);
        assert_eq!(paged.items, ids[..2]);
        assert_eq!(paged.next, Some(Cursor::after(ids[1])));
        let last = Paged::from_overfetch(ids[..2].to_vec(), page, |id| *id);
        assert_eq!(last.next, None);
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = Cursor::after(Uuid::now_v7());
        assert_eq!(cursor.to_string().parse::<Cursor>().unwrap(), cursor);
        assert_eq!("x".parse::<Cursor>().unwrap_err().field(), Some("cursor"));
    }
}
