//! Usage per tenant and day: messages and segments in and out, AI tokens.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Date, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use actix_web::web;
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::{ErrorBody, Usage, UsageDay};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/usage").route(web::get().to(get)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// First day (`YYYY-MM-DD`, UTC); 29 days before `to` when absent.
    pub from: Option<String>,
    /// Last day, included; today when absent.
    pub to: Option<String>,
}

fn parse_day(text: &str, field: &'static str) -> Result<NaiveDate, ApiError> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| {
            DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc).date_naive())
        })
        .map_err(|_| {
            ApiError::bad_request(
                "invalid_query",
                Some(field),
                format!("`{field}` must be a date like 2026-11-25."),
            )
        })?;
    if !crate::timestamps::is_storable_date(day) {
        return Err(ApiError::bad_request(
            "invalid_query",
            Some(field),
            format!("`{field}` {}.", crate::timestamps::OUT_OF_RANGE),
        ));
    }
    Ok(day)
}

/// Per day: messages and segments in and out, and AI tokens. A report covers at most 366
/// days: a longer range ends 365 days after `from`, and `from` after `to` is an empty report;
/// the answer's `from` and `to` say which days it covers.
#[utoipa::path(get, operation_id = "get_usage", path = "/api/v1/usage", tag = "usage", params(UsageQuery),
    responses((status = 200, body = Usage), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<UsageQuery>,
) -> Result<web::Json<Usage>, ApiError> {
    let to = match &query.to {
        Some(text) => parse_day(text, "to")?,
        None => state.clock.now().date_naive(),
    };
    let from = match &query.from {
        Some(text) => parse_day(text, "from")?,
        None => to - chrono::Duration::days(29),
    };
    let to = covered_until(from, to);
    let mut conn = state.db().await?;
    Ok(web::Json(
        report(&mut conn, caller.tenant_id, from, to).await?,
    ))
}

/// The longest range one report covers.
pub const MAX_DAYS: i64 = 366;

/// The last day a report from `from` to `to` covers: at most `MAX_DAYS` days from `from`.
/// `from` after `to` is an empty report (every day between them: none).
fn covered_until(from: NaiveDate, to: NaiveDate) -> NaiveDate {
    to.min(from + chrono::Duration::days(MAX_DAYS - 1))
}

#[derive(QueryableByName)]
struct DayRow {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
    #[diesel(sql_type = Text)]
    direction: String,
    #[diesel(sql_type = BigInt)]
    messages: i64,
    #[diesel(sql_type = BigInt)]
    segments: i64,
}

#[derive(QueryableByName)]
struct TokenRow {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    prompt_tokens: i64,
    #[diesel(sql_type = BigInt)]
    completion_tokens: i64,
}

fn empty_day(date: NaiveDate) -> UsageDay {
    UsageDay {
        date: date.to_string(),
        messages_in: 0,
        messages_out: 0,
        segments_in: 0,
        segments_out: 0,
        ai_prompt_tokens: 0,
        ai_completion_tokens: 0,
        ai_tokens: 0,
    }
}

/// The report for `from..=to` (UTC days).
pub async fn report(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> diesel::QueryResult<Usage> {
    let start: DateTime<Utc> = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end: DateTime<Utc> = to
        .succ_opt()
        .unwrap_or(to)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let rows: Vec<DayRow> = diesel::sql_query(
        "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, direction, count(*) AS messages,
                coalesce(sum(segments), 0)::bigint AS segments
           FROM messages
          WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
            AND status NOT IN ('sending_failed')
          GROUP BY 1, 2",
    )
    .bind::<SqlUuid, _>(tenant_id)
    .bind::<Timestamptz, _>(start)
    .bind::<Timestamptz, _>(end)
    .load(conn)
    .await?;
    let tokens: Vec<TokenRow> = diesel::sql_query(
        "SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
                coalesce(sum(prompt_tokens), 0)::bigint AS prompt_tokens,
                coalesce(sum(completion_tokens), 0)::bigint AS completion_tokens
           FROM ai_generations
          WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
          GROUP BY 1",
    )
    .bind::<SqlUuid, _>(tenant_id)
    .bind::<Timestamptz, _>(start)
    .bind::<Timestamptz, _>(end)
    .load(conn)
    .await?;
    let mut days: Vec<UsageDay> = from
        .iter_days()
        .take_while(|day| *day <= to)
        .map(empty_day)
        .collect();
    let index = |date: NaiveDate| (date - from).num_days() as usize;
    for row in rows {
        if let Some(day) = days.get_mut(index(row.day)) {
            if row.direction == "inbound" {
                day.messages_in += row.messages;
                day.segments_in += row.segments;
            } else {
                day.messages_out += row.messages;
                day.segments_out += row.segments;
            }
        }
    }
    for row in tokens {
        if let Some(day) = days.get_mut(index(row.day)) {
            day.ai_prompt_tokens += row.prompt_tokens;
            day.ai_completion_tokens += row.completion_tokens;
            day.ai_tokens += row.prompt_tokens + row.completion_tokens;
        }
    }
    let mut totals = empty_day(to);
    totals.date = format!("{from}..{to}");
    for day in &days {
        totals.messages_in += day.messages_in;
        totals.messages_out += day.messages_out;
        totals.segments_in += day.segments_in;
        totals.segments_out += day.segments_out;
        totals.ai_prompt_tokens += day.ai_prompt_tokens;
        totals.ai_completion_tokens += day.ai_completion_tokens;
        totals.ai_tokens += day.ai_tokens;
    }
    Ok(Usage {
        from: from.to_string(),
        to: to.to_string(),
        days,
        totals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    /// Dates with any year (signed, many digits), month and day; RFC 3339 times; any text.
    fn day_like() -> impl Strategy<Value = String> {
        let year = prop_oneof![
            -300_000i64..300_000,
            -1i64..=1,
            9998i64..=10_001,
            Just(-262_144i64),
            Just(-262_143),
            Just(262_143),
        ];
        let date = (year, 0u32..14, 0u32..33).prop_map(|(y, m, d)| {
            let sign = match y {
                y if y < 0 => "-",
                y if y > 9999 => "+",
                _ => "",
            };
            format!("{sign}{:04}-{m:02}-{d:02}", y.abs())
        });
        let time = (
            date.clone(),
            0u32..25,
            prop_oneof![Just("Z"), Just("+23:59"), Just("-23:59")],
        )
            .prop_map(|(date, h, offset)| format!("{date}T{h:02}:00:00{offset}"));
        prop_oneof![date, time, ".{0,30}"]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// A usage day is in years 1..=9999 (so the report's date arithmetic and PostgreSQL
        /// never fail), or a 400 naming the field.
        #[test]
        fn days_are_storable_or_refused(text in day_like()) {
            match parse_day(&text, "to") {
                Ok(day) => {
                    prop_assert!((1..=9999).contains(&day.year()), "{text} read as {day}");
                    let _ = day - chrono::Duration::days(MAX_DAYS);
                }
                Err(error) => {
                    let body = error.body().error;
                    prop_assert_eq!(body.code.as_str(), "invalid_query");
                    prop_assert_eq!(body.field.as_deref(), Some("to"));
                }
            }
        }
    }
}
