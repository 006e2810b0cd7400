//! Lists answer `{"data": [...], "next_cursor": "..." | null}` with `?limit=` (default 50,
//! max 200) and `?cursor=`. Cursors are opaque: the (time, id) of the last row served.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::ApiError;
use crate::wire::Page;

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Checks `?limit=` against the API's bounds.
pub fn page_size(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(limit) if (1..=MAX_PAGE).contains(&limit) => Ok(limit),
        Some(_) => Err(ApiError::bad_request(
            "invalid_query",
            Some("limit"),
            format!("`limit` must be between 1 and {MAX_PAGE}."),
        )),
    }
}

/// The position after which the next page starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    /// The position of a row; any typed id is one UUID.
    pub fn new(at: DateTime<Utc>, id: impl Into<Uuid>) -> Cursor {
        Cursor { at, id: id.into() }
    }
}

/// Microseconds since 1970 within the years 1 to 9999 (see `timestamps`), as a regular
/// expression: from -62135596800000000 (0001-01-01) to 253402300799999999 (9999-12-31,
/// the last microsecond), leading zeros allowed.
#[macro_export]
#[doc(hidden)]
macro_rules! storable_micros_pattern {
    () => {
        concat!(
            "(?:[0-9]{1,17}",
            "|(?:[01][0-9]{9}|2[0-4][0-9]{8}|25[0-2][0-9]{7}|253[0-3][0-9]{6}",
            "|25340[01][0-9]{4}|253402[0-2][0-9]{3}|253402300[0-7])[0-9]{8}",
            "|-(?:[0-9]{1,16}|[0-5][0-9]{16}|6[01][0-9]{15}|620[0-9]{14}|621[0-2][0-9]{13}",
            "|6213[0-4][0-9]{12}|62135[0-4][0-9]{11}|621355[0-8][0-9]{10}",
            "|6213559[0-5][0-9]{9}|62135596[0-7][0-9]{8}|62135596800000000))"
        )
    };
}

/// A cursor is `<microseconds since 1970>.<id as 32 hex digits>`: every string of this form is
/// a cursor the API accepts (its time lies within years 1 to 9999, as every time the API
/// gives out does), and no other.
pub const CURSOR_PATTERN: &str = concat!("^", storable_micros_pattern!(), "\\.[0-9a-f]{32}$");

/// Microseconds since 1970 as a cursor writes them: at most 18 digits, an optional `-`.
pub(crate) fn encode_micros(at: DateTime<Utc>) -> String {
    at.timestamp_micros().to_string()
}

/// Reads what [`encode_micros`] writes; times outside years 1 to 9999 are `None`.
pub(crate) fn decode_micros(text: &str) -> Option<DateTime<Utc>> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    // Years 1 to 9999 take at most 18 digits (17 before 1970).
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    crate::timestamps::storable(DateTime::from_timestamp_micros(text.parse().ok()?)?)
}

/// An id as a cursor writes it: 32 lower-case hex digits.
pub(crate) fn decode_id(text: &str) -> Option<Uuid> {
    if text.len() != 32 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    Uuid::try_parse(text).ok()
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", encode_micros(self.at), self.id.simple())
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let (at, id) = text.split_once('.')?;
        Some(Cursor {
            at: crate::timestamps::storable(decode_micros(at)?)?,
            id: decode_id(id)?,
        })
    }

    /// `?cursor=` read, or a 400 naming it.
    pub fn from_query(cursor: Option<&str>) -> Result<Option<Cursor>, ApiError> {
        Cursor::from_param(cursor, "cursor")
    }

    /// A cursor given as the query parameter `field`, or a 400 naming it.
    pub fn from_param(
        value: Option<&str>,
        field: &'static str,
    ) -> Result<Option<Cursor>, ApiError> {
        value
            .map(|text| {
                Cursor::decode(text).ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_cursor",
                        Some(field),
                        format!("The `{field}` cursor is not one this API gave out."),
                    )
                })
            })
            .transpose()
    }
}

/// Turns `limit + 1` rows read after the cursor into a page.
pub fn page_from<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> Cursor) -> Page<T> {
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|row| key(row).encode())
    } else {
        None
    };
    Page {
        data: rows,
        next_cursor,
    }
}

/// Pages a small, already ordered list in memory (a tenant's numbers, keys, assistants…).
/// `newest_first` says which way the list runs.
pub fn paginate<T>(
    rows: Vec<T>,
    query: &PageQuery,
    newest_first: bool,
    key: impl Fn(&T) -> Cursor,
) -> Result<Page<T>, ApiError> {
    let limit = page_size(query.limit)?;
    let cursor = Cursor::from_query(query.cursor.as_deref())?;
    let after = |row: &T| match cursor {
        None => true,
        Some(cursor) => {
            let k = key(row);
            if newest_first {
                (k.at, k.id) < (cursor.at, cursor.id)
            } else {
                (k.at, k.id) > (cursor.at, cursor.id)
            }
        }
    };
    let rows: Vec<T> = rows
        .into_iter()
        .filter(after)
        .take(limit as usize + 1)
        .collect();
    Ok(page_from(rows, limit, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_in_memory_both_ways() {
        let base = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let rows: Vec<Cursor> = (0..5)
            .map(|i| Cursor {
                at: base + chrono::Duration::seconds(i),
                id: Uuid::from_u128(i as u128),
            })
            .collect();
        let query = PageQuery {
            limit: Some(2),
            cursor: None,
        };
        let first = paginate(rows.clone(), &query, false, |c| *c).unwrap();
        assert_eq!(first.data.len(), 2);
        let next = PageQuery {
            limit: Some(2),
            cursor: first.next_cursor.clone(),
        };
        let second = paginate(rows.clone(), &next, false, |c| *c).unwrap();
        assert_eq!(second.data[0], rows[2]);
        let last = paginate(
            rows.clone(),
            &PageQuery {
                limit: Some(2),
                cursor: second.next_cursor,
            },
            false,
            |c| *c,
        )
        .unwrap();
        assert_eq!((last.data.len(), last.next_cursor), (1, None));
        let mut newest = rows.clone();
        newest.reverse();
        let page = paginate(newest, &query, true, |c| *c).unwrap();
        assert_eq!(page.data[0], rows[4]);
        assert!(paginate(
            rows,
            &PageQuery {
                limit: Some(0),
                cursor: None
            },
            false,
            |c| *c
        )
        .is_err());
    }
}
