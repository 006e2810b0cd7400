//! Time zones by their IANA names, through the browser's `Intl` (the wasm carries no zone
//! database: chrono-tz would add hundreds of kilobytes): the list of names, the wall time of an
//! instant in a zone, a zone's wall time back to UTC, and the words the scheduling UI shows.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc, Weekday,
};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// One formatter per zone: building one is the slow part of `Intl`.
    static FORMATTERS: RefCell<HashMap<String, Option<js_sys::Intl::DateTimeFormat>>> =
        RefCell::new(HashMap::new());
}

/// `new Intl.DateTimeFormat("en-US", options)`, or `None` when the browser refuses the
/// options (an unknown zone throws a RangeError, which must not cross into Rust).
fn formatter(options: &[(&str, &str)]) -> Option<js_sys::Intl::DateTimeFormat> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let object = js_sys::Object::new();
    for (key, value) in options {
        js_sys::Reflect::set(&object, &(*key).into(), &(*value).into()).ok()?;
    }
    let args = js_sys::Array::of2(&"en-US".into(), &object);
    js_sys::Reflect::construct(&constructor, &args)
        .ok()
        .map(JsCast::unchecked_into)
}

/// The numeric formatter of `zone` (cached).
fn numeric(zone: &str) -> Option<js_sys::Intl::DateTimeFormat> {
    FORMATTERS.with(|cache| {
        cache
            .borrow_mut()
            .entry(zone.to_string())
            .or_insert_with(|| {
                formatter(&[
                    ("timeZone", zone),
                    ("hourCycle", "h23"),
                    ("year", "numeric"),
                    ("month", "numeric"),
                    ("day", "numeric"),
                    ("hour", "numeric"),
                    ("minute", "numeric"),
                    ("second", "numeric"),
                ])
            })
            .clone()
    })
}

/// The `(type, value)` pairs of `formatToParts`.
fn parts(format: &js_sys::Intl::DateTimeFormat, at: DateTime<Utc>) -> Vec<(String, String)> {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    format
        .format_to_parts(&date)
        .iter()
        .filter_map(|part| {
            let kind = js_sys::Reflect::get(&part, &"type".into())
                .ok()?
                .as_string()?;
            let value = js_sys::Reflect::get(&part, &"value".into())
                .ok()?
                .as_string()?;
            Some((kind, value))
        })
        .collect()
}

/// Whether the browser knows `zone`.
pub fn is_known(zone: &str) -> bool {
    numeric(zone).is_some()
}

/// The wall time in `zone` at the instant `at` (to the second), or `None` for an unknown zone.
pub fn wall_time(zone: &str, at: DateTime<Utc>) -> Option<NaiveDateTime> {
    let format = numeric(zone)?;
    let parts = parts(&format, at);
    let field = |name: &str| -> Option<u32> {
        parts
            .iter()
            .find(|(kind, _)| kind == name)
            .and_then(|(_, value)| value.parse().ok())
    };
    let year = field("year")? as i32;
    let date = NaiveDate::from_ymd_opt(year, field("month")?, field("day")?)?;
    // Some engines still say 24 for midnight despite h23.
    let hour = field("hour")? % 24;
    let time = NaiveTime::from_hms_opt(hour, field("minute")?, field("second")?)?;
    Some(date.and_time(time))
}

/// The instant whose wall time in a zone is `wall`, given the zone's wall time at any instant
/// (`wall_at`). Offsets change at most twice a year, so two rounds settle it: a wall time
/// that a change skips (02:30 on a spring-forward night) lands an hour later, and one that
/// happens twice (autumn) is the first.
pub fn instant_of(
    wall: NaiveDateTime,
    wall_at: impl Fn(DateTime<Utc>) -> Option<NaiveDateTime>,
) -> Option<DateTime<Utc>> {
    let as_utc = wall.and_utc();
    let offset = wall_at(as_utc)? - wall;
    let guess = as_utc - offset;
    let offset_then = wall_at(guess)? - guess.naive_utc();
    if offset_then == offset {
        return Some(guess);
    }
    let second = as_utc - offset_then;
    if wall_at(second)? == wall {
        // Two instants may show this wall time: take the earlier.
        return Some(second.min(guess));
    }
    // Skipped by a change of offset: the same distance after it.
    Some(as_utc - offset.min(offset_then))
}

/// [`instant_of`] in `zone` as the browser knows it.
pub fn to_utc(zone: &str, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    instant_of(wall, |at| wall_time(zone, at))
}

/// Every zone name the browser knows (`Intl.supportedValuesOf`), with `UTC`.
pub fn names() -> Vec<String> {
    let mut names: Vec<String> =
        js_sys::Intl::supported_values_of(js_sys::Intl::SupportedValuesKey::TimeZone)
            .iter()
            .filter_map(|name| name.as_string())
            .collect();
    if !names.iter().any(|name| name == "UTC") {
        names.push("UTC".to_string());
    }
    names.sort();
    names
}

/// The zone the browser runs in (what a new tenant most likely means).
pub fn browser_zone() -> Option<String> {
    let format = formatter(&[])?;
    let options = format.resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()
}

/// The zone's name in words ("Eastern Time"), when the browser has one.
fn long_name(zone: &str) -> Option<String> {
    let format = formatter(&[("timeZone", zone), ("timeZoneName", "longGeneric")])
        .or_else(|| formatter(&[("timeZone", zone), ("timeZoneName", "long")]))?;
    parts(&format, crate::util::now())
        .into_iter()
        .find(|(kind, _)| kind == "timeZoneName")
        .map(|(_, value)| value)
}

/// "Eastern Time (America/New_York)": the zone as people say it, and as the settings name it.
pub fn zone_label(zone: &str) -> String {
    match long_name(zone) {
        Some(name) if name != zone => format!("{name} ({zone})"),
        _ => zone.to_string(),
    }
}

/// "Tue, Dec 2, 9:00 AM": a wall time as the scheduling UI shows it.
pub fn words(wall: NaiveDateTime) -> String {
    wall.format("%a, %b %-d, %-I:%M %p").to_string()
}

/// [`words`] for the instant `at` in `zone` (UTC when the zone is unknown).
pub fn words_in(zone: &str, at: DateTime<Utc>) -> String {
    words(wall_time(zone, at).unwrap_or(at.naive_utc()))
}

/// "08:00" (24 h), and the day in front when it is not the day of `today`
/// ("Wed 08:00").
pub fn clock_words(wall: NaiveDateTime, today: NaiveDate) -> String {
    if wall.date() == today {
        wall.format("%H:%M").to_string()
    } else {
        wall.format("%a %H:%M").to_string()
    }
}

/// The wall time of a `<input type="datetime-local">` value ("2026-12-02T09:00", seconds
/// ignored). Read by hand: chrono's parser would add its weight to the wasm for one format.
pub fn parse_local_input(value: &str) -> Option<NaiveDateTime> {
    let (date, time) = value.split_once('T')?;
    let mut date = date.splitn(3, '-').map(str::parse::<u32>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let mut time = time.split(':').map(str::parse::<u32>);
    let (hour, minute) = (time.next()?.ok()?, time.next()?.ok()?);
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some(date.and_time(NaiveTime::from_hms_opt(hour, minute, 0)?))
}

/// A wall time as a `<input type="datetime-local">` value.
pub fn local_input_value(wall: NaiveDateTime) -> String {
    wall.format("%Y-%m-%dT%H:%M").to_string()
}

/// A quick choice of the Send later menu.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub id: &'static str,
    pub label: &'static str,
    /// When it would leave, as a wall time in the tenant's zone.
    pub wall: NaiveDateTime,
}

/// 9:00 on a day.
fn nine(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default())
}

/// The Send later presets from the tenant's wall time `now`: in one hour (to the minute),
/// tomorrow at 9:00, and next Monday at 9:00 (a week on when today is Monday; left out when
/// tomorrow is Monday, as it says the same).
pub fn presets(now: NaiveDateTime) -> Vec<Preset> {
    let in_an_hour = now + Duration::hours(1);
    let in_an_hour = in_an_hour
        .date()
        .and_hms_opt(in_an_hour.hour(), in_an_hour.minute(), 0)
        .unwrap_or(in_an_hour);
    let tomorrow = now.date() + Duration::days(1);
    let mut presets = vec![
        Preset {
            id: "send-later-hour",
            label: "In 1 hour",
            wall: in_an_hour,
        },
        Preset {
            id: "send-later-tomorrow",
            label: "Tomorrow 9:00 AM",
            wall: nine(tomorrow),
        },
    ];
    if tomorrow.weekday() != Weekday::Mon {
        let days = 7 - now.date().weekday().num_days_from_monday() as i64;
        presets.push(Preset {
            id: "send-later-monday",
            label: "Monday 9:00 AM",
            wall: nine(now.date() + Duration::days(days)),
        });
    }
    presets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        parse_local_input(&text.replace(' ', "T")).expect("time")
    }

    /// New York's wall time, by the 2026 rules (DST from Mar 8 07:00 UTC to Nov 1 06:00 UTC).
    fn new_york(instant: DateTime<Utc>) -> Option<NaiveDateTime> {
        let start = at("2026-03-08 07:00").and_utc();
        let end = at("2026-11-01 06:00").and_utc();
        let hours = if instant >= start && instant < end {
            4
        } else {
            5
        };
        Some((instant - Duration::hours(hours)).naive_utc())
    }

    #[test]
    fn wall_times_convert_back_to_instants() {
        // Winter and summer.
        assert_eq!(
            instant_of(at("2026-12-02 09:00"), new_york),
            Some(at("2026-12-02 14:00").and_utc())
        );
        assert_eq!(
            instant_of(at("2026-07-01 09:00"), new_york),
            Some(at("2026-07-01 13:00").and_utc())
        );
        // 02:30 on the spring-forward night does not exist: an hour later.
        assert_eq!(
            instant_of(at("2026-03-08 02:30"), new_york),
            Some(at("2026-03-08 07:30").and_utc())
        );
        // 01:30 on the autumn night happens twice: the first.
        assert_eq!(
            instant_of(at("2026-11-01 01:30"), new_york),
            Some(at("2026-11-01 05:30").and_utc())
        );
        // UTC itself.
        assert_eq!(
            instant_of(at("2026-12-02 09:00"), |i| Some(i.naive_utc())),
            Some(at("2026-12-02 09:00").and_utc())
        );
    }

    #[test]
    fn presets_follow_the_calendar() {
        // Tuesday afternoon.
        let tuesday = presets(at("2026-12-01 14:37"));
        let walls: Vec<_> = tuesday.iter().map(|p| p.wall).collect();
        assert_eq!(
            walls,
            [
                at("2026-12-01 15:37"),
                at("2026-12-02 09:00"),
                at("2026-12-07 09:00")
            ]
        );
        // On a Monday, "Monday" is next week's.
        let monday = presets(at("2026-12-07 08:00"));
        assert_eq!(monday[2].wall, at("2026-12-14 09:00"));
        // On a Sunday, tomorrow is Monday: one preset says it.
        let sunday = presets(at("2026-12-06 20:00"));
        assert_eq!(sunday.len(), 2);
        assert_eq!(sunday[1].wall, at("2026-12-07 09:00"));
        // Late at night the hour runs into the next day.
        assert_eq!(
            presets(at("2026-12-01 23:30"))[0].wall,
            at("2026-12-02 00:30")
        );
    }

    #[test]
    fn words_read_like_a_calendar() {
        assert_eq!(words(at("2026-12-02 09:00")), "Wed, Dec 2, 9:00 AM");
        assert_eq!(words(at("2026-12-02 21:05")), "Wed, Dec 2, 9:05 PM");
        let today = at("2026-12-02 09:00").date();
        assert_eq!(clock_words(at("2026-12-02 08:00"), today), "08:00");
        assert_eq!(clock_words(at("2026-12-03 08:00"), today), "Thu 08:00");
        assert_eq!(
            parse_local_input("2026-12-02T09:00"),
            Some(at("2026-12-02 09:00"))
        );
        assert_eq!(
            local_input_value(at("2026-12-02 09:00")),
            "2026-12-02T09:00"
        );
        assert_eq!(
            parse_local_input("2026-12-02T09:00:30"),
            Some(at("2026-12-02 09:00"))
        );
        assert_eq!(parse_local_input("tomorrow"), None);
        assert_eq!(parse_local_input("2026-02-30T09:00"), None);
        assert_eq!(parse_local_input("2026-12-02T25:00"), None);
    }
}
