//! Pacing the outbox to Telnyx's limits: each sending number within its rate (long code,
//! toll-free, short code, or the rate set for it) and the account within its own. Slots are
//! reserved in PostgreSQL with the generic cell rate algorithm (one "theoretical arrival
//! time" per sender), so several instances keep to one schedule together. A sender may run
//! ahead of its rate by `PARLEY_SEND_BURST_MS` (5 s of its rate by default; Telnyx queues a
//! short excess), then keeps to it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::Bind as _;

/// The limits one send keeps to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The sending number's rate.
    pub number_rate: f64,
    /// The Telnyx account's rate.
    pub account_rate: f64,
    /// How far ahead of its rate a sender may run (a burst of `rate × burst` messages).
    pub burst: Duration,
}

/// The time between two messages at `rate` a second.
fn spacing(rate: f64) -> chrono::Duration {
    let micros = (1_000_000.0 / rate.max(f64::MIN_POSITIVE)).round();
    chrono::Duration::microseconds(micros.clamp(1.0, i64::MAX as f64) as i64)
}

/// When a message may leave, given the sender's theoretical arrival time after reserving
/// (`next_at`): GCRA allows it `burst` ahead of the schedule, never before `now`.
pub fn slot(
    next_at: DateTime<Utc>,
    rate: f64,
    burst: Duration,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let burst = chrono::Duration::from_std(burst).unwrap_or(chrono::Duration::zero());
    (next_at - spacing(rate) - burst).max(now)
}

#[derive(QueryableByName)]
struct Reserved {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Timestamptz)]
    next_at: DateTime<Utc>,
}

const ACCOUNT_KEY: &str = "account";

fn number_key(number: &str) -> String {
    format!("number:{number}")
}

/// Reserves the next slot of the number `from` and of the account (one statement); answers
/// when the message may leave: now, or later when a sender is ahead of its rate.
pub async fn reserve(
    conn: &mut AsyncPgConnection,
    from: &str,
    limits: Limits,
    now: DateTime<Utc>,
) -> diesel::QueryResult<DateTime<Utc>> {
    let number_spacing = spacing(limits.number_rate);
    let account_spacing = spacing(limits.account_rate);
    // Rows are locked in the order given (number, then account), the same in every
    // statement, so concurrent reservations cannot deadlock.
    let reserved: Vec<Reserved> = crate::db::prepared(
        "INSERT INTO send_pacing AS p (key, next_at)
              VALUES ($1, $3 + $4 * interval '1 microsecond'),
                     ($2, $3 + $5 * interval '1 microsecond')
         ON CONFLICT (key) DO UPDATE
                 SET next_at = GREATEST(p.next_at, $3) + (EXCLUDED.next_at - $3)
           RETURNING key, next_at",
    )
    .bind::<Text, _>(number_key(from))
    .bind::<Text, _>(ACCOUNT_KEY)
    .bind::<Timestamptz, _>(now)
    .bind::<BigInt, _>(number_spacing.num_microseconds().unwrap_or(i64::MAX))
    .bind::<BigInt, _>(account_spacing.num_microseconds().unwrap_or(i64::MAX))
    .load(conn)
    .await?;
    Ok(reserved
        .into_iter()
        .map(|row| {
            let rate = if row.key == ACCOUNT_KEY {
                limits.account_rate
            } else {
                limits.number_rate
            };
            slot(row.next_at, rate, limits.burst, now)
        })
        .max()
        .unwrap_or(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: f64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::microseconds((seconds * 1e6) as i64)
    }

    /// Replays GCRA as `reserve` runs it: `next_at = max(next_at, now) + spacing`.
    fn schedule(rate: f64, burst: f64, arrivals: &[f64]) -> Vec<f64> {
        let mut next_at: Option<DateTime<Utc>> = None;
        arrivals
            .iter()
            .map(|&arrival| {
                let now = at(arrival);
                let next = next_at.map_or(now, |next| next.max(now)) + spacing(rate);
                next_at = Some(next);
                let slot = slot(next, rate, Duration::from_secs_f64(burst), now);
                (slot - at(0.0)).num_microseconds().unwrap() as f64 / 1e6
            })
            .collect()
    }

    #[test]
    fn a_sender_bursts_then_keeps_its_rate() {
        // One a second with two seconds of burst: three at once, then one a second.
        let slots = schedule(1.0, 2.0, &[0.0; 6]);
        assert_eq!(slots, vec![0.0, 0.0, 0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn without_burst_sends_are_spaced_by_the_rate() {
        let slots = schedule(20.0, 0.0, &[0.0; 4]);
        assert_eq!(slots, vec![0.0, 0.05, 0.1, 0.15]);
    }

    #[test]
    fn an_idle_sender_starts_afresh() {
        let slots = schedule(1.0, 0.0, &[0.0, 0.0, 10.0]);
        assert_eq!(slots, vec![0.0, 1.0, 10.0]);
    }
}
