//! Business hours and quiet hours as rules over time: whether the business is open at an
//! instant, which closed period an instant falls in, and when quiet hours release a message.
//! Times are wall-clock times in a zone (chrono-tz), so a DST change moves them with the
//! clocks on the wall.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::wire::{BusinessHours, QuietHours};

const MINUTES_PER_DAY: u16 = 24 * 60;
/// More intervals than this in a day is a typing mistake, not a timetable.
const MAX_INTERVALS_PER_DAY: usize = 6;

/// Why hours cannot be used, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HoursError {
    pub field: String,
    pub message: String,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> HoursError {
    HoursError {
        field: field.into(),
        message: message.into(),
    }
}

/// Minutes since midnight of a `"HH:MM"` wall time; `"24:00"` (the end of the day) only when
/// `end_of_day` allows it.
pub fn parse_clock(text: &str, end_of_day: bool) -> Option<u16> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: u16 = hours.parse().ok()?;
    let minutes: u16 = minutes.parse().ok()?;
    let total = hours * 60 + minutes;
    let fits =
        minutes < 60 && (total < MINUTES_PER_DAY || (end_of_day && total == MINUTES_PER_DAY));
    fits.then_some(total)
}

/// `"HH:MM"` of minutes since midnight.
pub fn format_clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A time zone by its IANA name.
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// The instant a wall time of `date` (minutes after its midnight, up to 24:00) shows in
/// `zone`. A wall time the spring DST change skips is read as the same time an hour later;
/// one the autumn change repeats as its first occurrence.
pub fn local_instant(zone: Tz, date: NaiveDate, minutes: u16) -> DateTime<Utc> {
    let naive = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes));
    let resolved = zone.from_local_datetime(&naive).earliest().or_else(|| {
        zone.from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
    });
    match resolved {
        Some(instant) => instant.with_timezone(&Utc),
        // No zone skips two hours; read it as UTC rather than fail.
        None => naive.and_utc(),
    }
}

/// A week of opening hours: for each day from Monday, `(start, end)` minutes, sorted and
/// apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    days: [Vec<(u16, u16)>; 7],
}

impl Week {
    /// A week without opening hours.
    pub fn closed() -> Week {
        Week {
            days: Default::default(),
        }
    }

    /// The API's week, checked: well-formed times, each interval ending after it starts,
    /// intervals of a day not overlapping.
    pub fn parse(hours: &BusinessHours) -> Result<Week, HoursError> {
        let mut days: [Vec<(u16, u16)>; 7] = Default::default();
        for (index, (name, intervals)) in hours.days().into_iter().enumerate() {
            let field = format!("business_hours.{name}");
            if intervals.len() > MAX_INTERVALS_PER_DAY {
                return Err(invalid(
                    field,
                    format!("At most {MAX_INTERVALS_PER_DAY} intervals a day."),
                ));
            }
            let mut parsed = Vec::with_capacity(intervals.len());
            for [start, end] in intervals {
                let (Some(from), Some(to)) = (parse_clock(start, false), parse_clock(end, true))
                else {
                    return Err(invalid(
                        field,
                        format!("\"{start}\"–\"{end}\" is not a pair of times like \"09:00\"–\"17:00\" (24-hour, \"24:00\" for midnight at the end)."),
                    ));
                };
                if to <= from {
                    return Err(invalid(
                        field,
                        format!("{start}–{end} ends before it starts; split an overnight opening into two days."),
                    ));
                }
                parsed.push((from, to));
            }
            parsed.sort_unstable();
            if parsed.windows(2).any(|pair| pair[1].0 < pair[0].1) {
                return Err(invalid(field, "The intervals of a day overlap."));
            }
            days[index] = parsed;
        }
        Ok(Week { days })
    }

    /// Whether the business is open at `at` in `zone`.
    pub fn is_open(&self, zone: Tz, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&zone);
        let day = local.weekday().num_days_from_monday() as usize;
        let minute = (local.hour() * 60 + local.minute()) as u16;
        self.days[day]
            .iter()
            .any(|(start, end)| (*start..*end).contains(&minute))
    }

    /// The start of the closed period `at` falls in (when the last opening ended), or `None`
    /// when open. A week with no opening at all is one closed period that never began.
    pub fn closed_since(&self, zone: Tz, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(zone, at) {
            return None;
        }
        let today = at.with_timezone(&zone).date_naive();
        for back in 0..=8 {
            let date = today - Duration::days(back);
            let day = date.weekday().num_days_from_monday() as usize;
            let ended = self.days[day]
                .iter()
                .rev()
                .map(|(_, end)| local_instant(zone, date, *end))
                .find(|end| *end <= at);
            if let Some(ended) = ended {
                return Some(ended);
            }
        }
        Some(DateTime::<Utc>::UNIX_EPOCH)
    }
}

/// Quiet hours: `start` to `end` minutes of the local day, overnight when `end` < `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quiet {
    start: u16,
    end: u16,
}

impl Quiet {
    pub fn parse(hours: &QuietHours) -> Result<Quiet, HoursError> {
        let (Some(start), Some(end)) = (
            parse_clock(&hours.start, false),
            parse_clock(&hours.end, false),
        ) else {
            return Err(invalid(
                "quiet_hours",
                "Quiet hours are two times like \"21:00\" and \"08:00\" (24-hour).",
            ));
        };
        if start == end {
            return Err(invalid(
                "quiet_hours",
                "Quiet hours start and end at the same time; set two different times, or null for none.",
            ));
        }
        Ok(Quiet { start, end })
    }

    pub fn to_wire(self) -> QuietHours {
        QuietHours {
            start: format_clock(self.start),
            end: format_clock(self.end),
        }
    }

    pub fn start(self) -> u16 {
        self.start
    }

    pub fn end(self) -> u16 {
        self.end
    }

    pub fn from_minutes(start: u16, end: u16) -> Option<Quiet> {
        (start != end && start < MINUTES_PER_DAY && end < MINUTES_PER_DAY)
            .then_some(Quiet { start, end })
    }

    /// When quiet hours in `zone` that hold `at` end, or `None` when `at` is outside them.
    fn ends_after(self, zone: Tz, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&zone);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let date = local.date_naive();
        let overnight = self.end < self.start;
        let end_date = if overnight {
            if minute >= self.start {
                date + Duration::days(1)
            } else if minute < self.end {
                date
            } else {
                return None;
            }
        } else if (self.start..self.end).contains(&minute) {
            date
        } else {
            return None;
        };
        Some(local_instant(zone, end_date, self.end)).filter(|end| *end > at)
    }

    /// When a message due at `at` may leave a recipient who may be in any of `zones`: `None`
    /// when none of them is inside quiet hours, else the first instant none is (so a number
    /// whose area spans two zones waits for the later morning).
    pub fn release_at(self, zones: &[Tz], at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut release = at;
        // Each pass moves past one zone's quiet hours; a zone that falls quiet meanwhile is
        // caught by the next pass.
        for _ in 0..=zones.len() * 2 {
            let later = zones
                .iter()
                .filter_map(|zone| self.ends_after(*zone, release))
                .max();
            match later {
                Some(later) => release = later,
                None => break,
            }
        }
        (release > at).then_some(release)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Los_Angeles, New_York};
    use chrono_tz::Europe::London;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("test time")
            .with_timezone(&Utc)
    }

    fn weekdays_nine_to_five() -> Week {
        let day = vec![["09:00".to_string(), "17:00".to_string()]];
        Week::parse(&BusinessHours {
            mon: day.clone(),
            tue: day.clone(),
            wed: day.clone(),
            thu: day.clone(),
            fri: day,
            sat: vec![],
            sun: vec![],
        })
        .expect("valid week")
    }

    #[test]
    fn clock_times_are_strict() {
        assert_eq!(parse_clock("09:30", false), Some(570));
        assert_eq!(parse_clock("24:00", true), Some(1440));
        assert_eq!(parse_clock("24:00", false), None);
        for bad in [
            "9:30", "09:60", "25:00", "24:01", "0930", "", "ab:cd", "09:30:00",
        ] {
            assert_eq!(parse_clock(bad, true), None, "{bad}");
        }
        assert_eq!(format_clock(570), "09:30");
    }

    #[test]
    fn a_week_is_checked_day_by_day() {
        let mut hours = BusinessHours {
            tue: vec![["17:00".into(), "09:00".into()]],
            ..Default::default()
        };
        let error = Week::parse(&hours).expect_err("backwards");
        assert_eq!(error.field, "business_hours.tue");
        hours.tue = vec![
            ["09:00".into(), "13:00".into()],
            ["12:00".into(), "17:00".into()],
        ];
        assert!(Week::parse(&hours)
            .expect_err("overlap")
            .message
            .contains("overlap"));
        hours.tue = vec![
            ["13:00".into(), "17:00".into()],
            ["08:00".into(), "12:00".into()],
        ];
        assert!(Week::parse(&hours).is_ok(), "order does not matter");
        hours.wed = vec![["00:00".into(), "24:00".into()]];
        assert!(Week::parse(&hours).is_ok());
    }

    #[test]
    fn open_and_closed_in_the_zone_of_the_business() {
        let week = weekdays_nine_to_five();
        // Monday 2026-12-07, 09:30 in New York is 14:30 UTC.
        assert!(week.is_open(New_York, utc("2026-12-07T14:30:00Z")));
        assert!(
            !week.is_open(New_York, utc("2026-12-07T13:59:00Z")),
            "08:59"
        );
        assert!(
            !week.is_open(New_York, utc("2026-12-07T22:00:00Z")),
            "17:00 is closed"
        );
        // The same instant is 14:30 in London: open there too, but 06:30 in Los Angeles.
        assert!(week.is_open(London, utc("2026-12-07T14:30:00Z")));
        assert!(!week.is_open(Los_Angeles, utc("2026-12-07T14:30:00Z")));
        // Saturday.
        assert!(!week.is_open(New_York, utc("2026-12-05T15:00:00Z")));
    }

    #[test]
    fn a_closed_period_runs_from_closing_time_to_opening_time() {
        let week = weekdays_nine_to_five();
        let friday_close = utc("2026-12-04T22:00:00Z");
        // Friday evening, Saturday, Sunday and Monday early morning: one period.
        for at in [
            "2026-12-04T23:00:00Z",
            "2026-12-05T15:00:00Z",
            "2026-12-06T23:00:00Z",
            "2026-12-07T13:00:00Z",
        ] {
            assert_eq!(
                week.closed_since(New_York, utc(at)),
                Some(friday_close),
                "{at}"
            );
        }
        assert_eq!(
            week.closed_since(New_York, utc("2026-12-07T15:00:00Z")),
            None
        );
        // Monday evening starts the next one.
        assert_eq!(
            week.closed_since(New_York, utc("2026-12-08T02:00:00Z")),
            Some(utc("2026-12-07T22:00:00Z"))
        );
        let never = Week::parse(&BusinessHours::default()).expect("empty week");
        assert_eq!(
            never.closed_since(New_York, utc("2026-12-07T15:00:00Z")),
            Some(DateTime::<Utc>::UNIX_EPOCH)
        );
    }

    #[test]
    fn opening_hours_follow_the_wall_clock_across_dst() {
        let week = weekdays_nine_to_five();
        // New York moved to EDT on Sunday 2026-03-08: 09:00 is 13:00 UTC on the Monday,
        // 14:00 UTC the Friday before.
        assert!(week.is_open(New_York, utc("2026-03-09T13:00:00Z")));
        assert!(!week.is_open(New_York, utc("2026-03-06T13:00:00Z")));
        assert!(week.is_open(New_York, utc("2026-03-06T14:00:00Z")));
        // The closed period over that weekend began at Friday's 17:00 EST.
        assert_eq!(
            week.closed_since(New_York, utc("2026-03-09T12:30:00Z")),
            Some(utc("2026-03-06T22:00:00Z"))
        );
    }

    #[test]
    fn quiet_hours_hold_until_the_recipients_morning() {
        let quiet = Quiet::parse(&QuietHours {
            start: "21:00".into(),
            end: "08:00".into(),
        })
        .expect("valid");
        // 22:00 in New York (03:00 UTC): held until 08:00 there (13:00 UTC).
        assert_eq!(
            quiet.release_at(&[New_York], utc("2026-12-08T03:00:00Z")),
            Some(utc("2026-12-08T13:00:00Z"))
        );
        // 06:00 in New York: held until 08:00 the same day.
        assert_eq!(
            quiet.release_at(&[New_York], utc("2026-12-08T11:00:00Z")),
            Some(utc("2026-12-08T13:00:00Z"))
        );
        // Noon: not held.
        assert_eq!(
            quiet.release_at(&[New_York], utc("2026-12-08T17:00:00Z")),
            None
        );
        // The same instant in two zones: 22:00 in New York is 19:00 in Los Angeles, which
        // goes quiet at 21:00 before New York wakes, so the message waits for 08:00 there.
        assert_eq!(
            quiet.release_at(&[New_York, Los_Angeles], utc("2026-12-08T03:00:00Z")),
            Some(utc("2026-12-08T16:00:00Z"))
        );
    }

    #[test]
    fn quiet_hours_across_the_dst_change() {
        let quiet = Quiet::parse(&QuietHours {
            start: "21:00".into(),
            end: "08:00".into(),
        })
        .expect("valid");
        // Saturday 2026-03-07 22:00 EST (03:00 UTC Sunday); the clocks go forward that
        // night, so 08:00 on Sunday is EDT: 12:00 UTC, not 13:00.
        assert_eq!(
            quiet.release_at(&[New_York], utc("2026-03-08T03:00:00Z")),
            Some(utc("2026-03-08T12:00:00Z"))
        );
        // And back in November: 08:00 EST on Sunday 2026-11-01 is 13:00 UTC.
        assert_eq!(
            quiet.release_at(&[New_York], utc("2026-11-01T02:00:00Z")),
            Some(utc("2026-11-01T13:00:00Z"))
        );
        // A daytime window works too.
        let lunch = Quiet::parse(&QuietHours {
            start: "12:00".into(),
            end: "13:00".into(),
        })
        .expect("valid");
        assert_eq!(
            lunch.release_at(&[London], utc("2026-12-08T12:30:00Z")),
            Some(utc("2026-12-08T13:00:00Z"))
        );
        assert!(Quiet::parse(&QuietHours {
            start: "08:00".into(),
            end: "08:00".into(),
        })
        .is_err());
    }
}
