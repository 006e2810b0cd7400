//! Usage per tenant and day: messages and segments in and out, AI tokens. A report covers
//! whole UTC days, every day of its range (days without traffic count zero), and its totals.

pub mod routes;
pub mod storage;

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;

use crate::error::ApiError;
use crate::ids::TenantId;
use crate::wire::{Direction, Usage, UsageDay};
use storage::{MessageCount, TokenCount};

/// The longest range one report covers.
pub const MAX_DAYS: i64 = 366;

/// The days a report covers when the request leaves `from` out: this many before `to`.
const DEFAULT_DAYS_BEFORE: i64 = 29;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UsageError {
    #[error("`{field}` must be a date like 2026-11-25.")]
    NotADate { field: &'static str },
    #[error("`{field}` {}.", crate::timestamps::OUT_OF_RANGE)]
    OutOfRange { field: &'static str },
}

impl From<UsageError> for ApiError {
    fn from(error: UsageError) -> Self {
        let message = error.to_string();
        match error {
            UsageError::NotADate { field } | UsageError::OutOfRange { field } => {
                ApiError::bad_request("invalid_query", Some(field), message)
            }
        }
    }
}

/// The days a report covers, both included; `from` after `to` covers none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// The range a request asks for: `to` is today when absent, `from` 29 days before `to`;
    /// a range longer than `MAX_DAYS` ends `MAX_DAYS` days after `from`.
    pub fn requested(
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<DayRange, UsageError> {
        let to = match to {
            Some(text) => parse_day(text, "to")?,
            None => today,
        };
        let from = match from {
            Some(text) => parse_day(text, "from")?,
            None => to - chrono::Duration::days(DEFAULT_DAYS_BEFORE),
        };
        Ok(DayRange {
            from,
            to: covered_until(from, to),
        })
    }

    /// Every day of the range, oldest first.
    fn days(self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take_while(move |day| *day <= self.to)
    }

    /// From the start of `from` to the end of `to`, in UTC.
    fn instants(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = |day: NaiveDate| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        (
            midnight(self.from),
            midnight(self.to.succ_opt().unwrap_or(self.to)),
        )
    }
}

/// A day as a request gives it: `YYYY-MM-DD`, or an RFC 3339 time (its UTC day).
fn parse_day(text: &str, field: &'static str) -> Result<NaiveDate, UsageError> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| {
            DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc).date_naive())
        })
        .map_err(|_| UsageError::NotADate { field })?;
    if !crate::timestamps::is_storable_date(day) {
        return Err(UsageError::OutOfRange { field });
    }
    Ok(day)
}

/// The last day a report from `from` to `to` covers: at most `MAX_DAYS` days from `from`.
/// `from` after `to` is an empty report (every day between them: none).
fn covered_until(from: NaiveDate, to: NaiveDate) -> NaiveDate {
    to.min(from + chrono::Duration::days(MAX_DAYS - 1))
}

/// The report for the range's days.
pub async fn report(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    range: DayRange,
) -> diesel::QueryResult<Usage> {
    let (start, end) = range.instants();
    let messages = storage::messages_per_day(conn, tenant_id, start, end).await?;
    let tokens = storage::tokens_per_day(conn, tenant_id, start, end).await?;
    Ok(tally(range, &messages, &tokens))
}

fn empty_day(date: String) -> UsageDay {
    UsageDay {
        date,
        messages_in: 0,
        messages_out: 0,
        segments_in: 0,
        segments_out: 0,
        ai_prompt_tokens: 0,
        ai_completion_tokens: 0,
        ai_tokens: 0,
        mms_in: 0,
        mms_out: 0,
    }
}

/// Every day of the range with its counts (zero without traffic), and their totals; counts
/// of days outside the range are left out.
fn tally(range: DayRange, messages: &[MessageCount], tokens: &[TokenCount]) -> Usage {
    let mut days: Vec<UsageDay> = range.days().map(|day| empty_day(day.to_string())).collect();
    for count in messages {
        if let Some(day) = day_in(&mut days, range, count.day) {
            match count.direction {
                Direction::Inbound => {
                    day.messages_in += count.messages;
                    day.segments_in += count.segments;
                    day.mms_in += count.mms;
                }
                Direction::Outbound => {
                    day.messages_out += count.messages;
                    day.segments_out += count.segments;
                    day.mms_out += count.mms;
                }
            }
        }
    }
    for count in tokens {
        if let Some(day) = day_in(&mut days, range, count.day) {
            day.ai_prompt_tokens += count.prompt_tokens;
            day.ai_completion_tokens += count.completion_tokens;
            day.ai_tokens += count.prompt_tokens + count.completion_tokens;
        }
    }
    let mut totals = empty_day(format!("{}..{}", range.from, range.to));
    for day in &days {
        totals.messages_in += day.messages_in;
        totals.messages_out += day.messages_out;
        totals.segments_in += day.segments_in;
        totals.segments_out += day.segments_out;
        totals.mms_in += day.mms_in;
        totals.mms_out += day.mms_out;
        totals.ai_prompt_tokens += day.ai_prompt_tokens;
        totals.ai_completion_tokens += day.ai_completion_tokens;
        totals.ai_tokens += day.ai_tokens;
    }
    Usage {
        from: range.from.to_string(),
        to: range.to.to_string(),
        days,
        totals,
    }
}

/// The entry of `date` among the range's days, when the range holds it.
fn day_in(days: &mut [UsageDay], range: DayRange, date: NaiveDate) -> Option<&mut UsageDay> {
    usize::try_from((date - range.from).num_days())
        .ok()
        .and_then(|index| days.get_mut(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    fn range(from: &str, to: &str) -> DayRange {
        DayRange {
            from: day(from),
            to: day(to),
        }
    }

    fn messages(date: &str, direction: Direction, messages: i64, segments: i64) -> MessageCount {
        MessageCount {
            day: day(date),
            direction,
            messages,
            segments,
            mms: 0,
        }
    }

    fn tokens(date: &str, prompt_tokens: i64, completion_tokens: i64) -> TokenCount {
        TokenCount {
            day: day(date),
            prompt_tokens,
            completion_tokens,
        }
    }

    #[test]
    fn a_request_without_days_covers_the_thirty_days_to_today() {
        let today = day("2026-11-25");
        assert_eq!(
            DayRange::requested(None, None, today),
            Ok(range("2026-10-27", "2026-11-25"))
        );
        assert_eq!(
            DayRange::requested(None, Some("2026-03-01"), today),
            Ok(range("2026-01-31", "2026-03-01"))
        );
        // An RFC 3339 time stands for its UTC day.
        assert_eq!(
            DayRange::requested(Some("2026-11-01T23:30:00-05:00"), None, today),
            Ok(range("2026-11-02", "2026-11-25"))
        );
    }

    #[test]
    fn a_long_range_is_cut_and_a_reversed_one_is_empty() {
        let today = day("2026-11-25");
        let long = DayRange::requested(Some("2020-01-01"), Some("2026-11-01"), today);
        assert_eq!(long, Ok(range("2020-01-01", "2020-12-31")));
        assert_eq!(long.map(|r| r.days().count()), Ok(MAX_DAYS as usize));
        let reversed = DayRange::requested(Some("2026-12-01"), Some("2026-11-01"), today);
        assert_eq!(reversed.map(|r| r.days().count()), Ok(0));
    }

    #[test]
    fn bad_days_name_their_field() {
        let today = day("2026-11-25");
        let error = DayRange::requested(Some("2026-13-01"), None, today);
        assert_eq!(error, Err(UsageError::NotADate { field: "from" }));
        assert_eq!(
            error.unwrap_err().to_string(),
            "`from` must be a date like 2026-11-25."
        );
        // `to` is read first.
        assert_eq!(
            DayRange::requested(Some("soon"), Some("later"), today),
            Err(UsageError::NotADate { field: "to" })
        );
        assert_eq!(
            DayRange::requested(None, Some("0000-12-31"), today),
            Err(UsageError::OutOfRange { field: "to" })
        );
    }

    #[test]
    fn the_range_runs_from_the_first_midnight_to_the_one_after_the_last_day() {
        let (start, end) = range("2026-11-24", "2026-11-25").instants();
        assert_eq!(start.to_rfc3339(), "2026-11-24T00:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-11-26T00:00:00+00:00");
    }

    #[test]
    fn every_day_is_filled_and_counts_land_on_their_day() {
        let usage = tally(
            range("2026-11-23", "2026-11-25"),
            &[
                messages("2026-11-23", Direction::Outbound, 2, 3),
                messages("2026-11-23", Direction::Inbound, 1, 1),
                messages("2026-11-25", Direction::Inbound, 4, 5),
                // Outside the range: left out.
                messages("2026-11-22", Direction::Inbound, 9, 9),
                messages("2026-11-26", Direction::Outbound, 9, 9),
            ],
            &[tokens("2026-11-25", 100, 20), tokens("2026-11-20", 7, 7)],
        );
        assert_eq!(
            (usage.from.as_str(), usage.to.as_str()),
            ("2026-11-23", "2026-11-25")
        );
        let dates: Vec<&str> = usage.days.iter().map(|d| d.date.as_str()).collect();
        assert_eq!(dates, ["2026-11-23", "2026-11-24", "2026-11-25"]);
        let first = &usage.days[0];
        assert_eq!(
            (
                first.messages_out,
                first.segments_out,
                first.messages_in,
                first.segments_in
            ),
            (2, 3, 1, 1)
        );
        assert_eq!(usage.days[1], empty_day("2026-11-24".into()));
        let last = &usage.days[2];
        assert_eq!(
            (last.messages_in, last.segments_in, last.messages_out),
            (4, 5, 0)
        );
        assert_eq!(
            (
                last.ai_prompt_tokens,
                last.ai_completion_tokens,
                last.ai_tokens
            ),
            (100, 20, 120)
        );
        let totals = &usage.totals;
        assert_eq!(totals.date, "2026-11-23..2026-11-25");
        assert_eq!(
            (
                totals.messages_in,
                totals.messages_out,
                totals.segments_in,
                totals.segments_out
            ),
            (5, 2, 6, 3)
        );
        assert_eq!(
            (
                totals.ai_prompt_tokens,
                totals.ai_completion_tokens,
                totals.ai_tokens
            ),
            (100, 20, 120)
        );
    }

    #[test]
    fn an_empty_range_has_no_day_and_zero_totals() {
        let usage = tally(
            range("2026-12-01", "2026-11-01"),
            &[messages("2026-11-15", Direction::Inbound, 1, 1)],
            &[],
        );
        assert!(usage.days.is_empty());
        assert_eq!(usage.totals, empty_day("2026-12-01..2026-11-01".into()));
    }
}
