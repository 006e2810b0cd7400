//! Which instants a client may send us. PostgreSQL's `timestamptz` spans 4713 BC to
//! 294276 AD and chrono's dates ±262,143 years, while arithmetic near either end overflows:
//! an API that accepted any of them would answer 500 or panic. Every client-given time (a
//! cursor, a date filter, a body field) must lie within years 1 to 9999, as RFC 3339 itself
//! requires; this module is the one place that says so. Pure: the SPA shares it.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

pub const FIRST_YEAR: i32 = 1;
pub const LAST_YEAR: i32 = 9999;

/// The sentence a client reads when a time is out of range.
pub const OUT_OF_RANGE: &str = "must lie between the years 1 and 9999";

pub fn is_storable_date(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

pub fn is_storable(at: &DateTime<Utc>) -> bool {
    is_storable_date(at.date_naive())
}

/// `Some(at)` when the instant is one we store; cursors and parsers use it.
pub fn storable(at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    is_storable(&at).then_some(at)
}

/// Deserialises an optional RFC 3339 instant within [`FIRST_YEAR`]..=[`LAST_YEAR`]; any other
/// value is an error that names the field (through serde's path).
pub fn deserialize_optional<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    match Option::<DateTime<Utc>>::deserialize(deserializer)? {
        Some(at) if !is_storable(&at) => {
            Err(serde::de::Error::custom(format!("the time {OUT_OF_RANGE}")))
        }
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert!(is_storable_date(day(1, 1, 1)));
        assert!(is_storable_date(day(9999, 12, 31)));
        assert!(!is_storable_date(day(0, 12, 31)));
        assert!(!is_storable_date(day(-5000, 1, 1)));
        assert!(!is_storable_date(day(10000, 1, 1)));
        assert!(storable(DateTime::<Utc>::MIN_UTC).is_none());
        assert!(storable(DateTime::<Utc>::MAX_UTC).is_none());
    }

    #[derive(Deserialize, Debug)]
    struct Body {
        #[serde(default, deserialize_with = "deserialize_optional")]
        at: Option<DateTime<Utc>>,
    }

    #[test]
    fn deserialises_only_storable_times() {
        let read = |json: &str| serde_json::from_str::<Body>(json).map(|b| b.at);
        assert!(read(r#"{"at": "2026-11-30T10:00:00Z"}"#).unwrap().is_some());
        assert!(read(r#"{"at": null}"#).unwrap().is_none());
        assert!(read("{}").unwrap().is_none());
        assert!(read(r#"{"at": "-5000-01-01T00:00:00Z"}"#).is_err());
        assert!(read(r#"{"at": "+10000-01-01T00:00:00Z"}"#).is_err());
    }
}
