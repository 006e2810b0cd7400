//! The time zones a phone number is in, from its country code and leading digits (a North
//! American area code, say), by libphonenumber's maintained prefix table
//! (`api/data/phone_time_zones.txt`). Quiet hours are kept in the recipient's own time.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

const DATA: &str = include_str!("../data/phone_time_zones.txt");
/// Zones spread wider than this (a whole country like the US or Russia) say nothing useful
/// about one customer; the tenant's zone stands in.
const WIDEST_USEFUL_SPREAD_HOURS: i32 = 3;

struct Table {
    by_prefix: HashMap<&'static str, Vec<Tz>>,
    longest: usize,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut by_prefix = HashMap::new();
        for line in DATA.lines() {
            let Some((prefix, zones)) = line.split_once('|') else {
                continue;
            };
            if prefix.starts_with('#') || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let zones: Vec<Tz> = zones.split('&').filter_map(|z| z.parse().ok()).collect();
            if !zones.is_empty() {
                by_prefix.insert(prefix, zones);
            }
        }
        let longest = by_prefix.keys().map(|p| p.len()).max().unwrap_or(0);
        Table { by_prefix, longest }
    })
}

/// The zones of an E.164 number (`+12125550123`), or `None` when its prefix names none or
/// too many to be useful.
pub fn zones_of(e164: &str) -> Option<Vec<Tz>> {
    let digits = e164.strip_prefix('+').unwrap_or(e164);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let table = table();
    let zones = (1..=digits.len().min(table.longest))
        .rev()
        .find_map(|len| table.by_prefix.get(&digits[..len]))?;
    (spread_hours(zones) <= WIDEST_USEFUL_SPREAD_HOURS).then(|| zones.clone())
}

/// The customer's zone to show (the first of [`zones_of`]), as an IANA name.
pub fn display_zone(e164: &str) -> Option<String> {
    zones_of(e164).and_then(|zones| zones.first().map(|zone| zone.name().to_string()))
}

/// How many hours apart the zones' standard offsets are.
fn spread_hours(zones: &[Tz]) -> i32 {
    // January: standard time in the north, and the offsets that matter are far apart anyway.
    let reference: DateTime<Utc> = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    let offsets: Vec<i32> = zones
        .iter()
        .map(|zone| {
            zone.offset_from_utc_datetime(&reference.naive_utc())
                .fix()
                .local_minus_utc()
        })
        .collect();
    let (Some(min), Some(max)) = (offsets.iter().min(), offsets.iter().max()) else {
        return 0;
    };
    (max - min) / 3600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_codes_name_their_zone() {
        assert_eq!(
            zones_of("+12125550123"),
            Some(vec![chrono_tz::America::New_York])
        );
        assert_eq!(
            zones_of("+14155550123"),
            Some(vec![chrono_tz::America::Los_Angeles])
        );
        assert_eq!(
            zones_of("+14165550123"),
            Some(vec![chrono_tz::America::Toronto])
        );
        assert_eq!(
            display_zone("+13125550123").as_deref(),
            Some("America/Chicago")
        );
        assert_eq!(
            display_zone("+442079460123").as_deref(),
            Some("Europe/London")
        );
    }

    #[test]
    fn a_number_whose_prefix_spans_a_continent_has_no_zone() {
        // 555 is no area code: only the country is known, and the US spans many zones.
        assert_eq!(zones_of("+15555550123"), None);
        assert_eq!(zones_of("not a number"), None);
    }

    #[test]
    fn a_split_area_code_keeps_every_zone() {
        // Parts of Idaho (208) are on Mountain time, parts on Pacific.
        let zones = zones_of("+12082990000").expect("zones");
        assert!(!zones.is_empty());
    }
}
