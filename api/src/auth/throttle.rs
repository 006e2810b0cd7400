//! Slows password guessing, in PostgreSQL so every instance shares the count. Each sign-in
//! attempt is counted before its password is checked, against its email and against its
//! client address, in one atomic statement: attempts still in flight count, so a burst of
//! concurrent guesses gets no more tries than a sequence. Over a limit, the attempt is refused
//! (429) without checking the password until the window passes. A successful sign-in clears
//! its email's count and gives its address the attempt back: the address limit counts
//! failures (and attempts in flight), so many people behind one address can sign in.
//!
//! Keys are stored as SHA-256 digests, so the table holds no emails or addresses, and rows of
//! windows that have passed are pruned (see `crate::retention`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::{Integer, Text, Timestamptz};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

/// Attempts per email within a window (failures, and attempts in flight).
pub const MAX_FAILURES: u32 = 10;
/// Failed (or in-flight) attempts per client address within a window, whatever the emails.
pub const MAX_PER_ADDRESS: u32 = 50;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

fn window() -> chrono::Duration {
    chrono::Duration::from_std(WINDOW).unwrap_or(chrono::Duration::minutes(15))
}

/// The two counters one attempt is counted against.
#[derive(Debug, Clone)]
pub struct AttemptKeys {
    email: String,
    address: String,
}

fn digest(scope: &str, value: &str) -> String {
    hex::encode(Sha256::digest(format!("{scope}:{value}").as_bytes()))
}

impl AttemptKeys {
    pub fn new(email: &str, client_address: &str) -> AttemptKeys {
        AttemptKeys {
            email: digest("email", &email.trim().to_lowercase()),
            address: digest("address", client_address.trim()),
        }
    }
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Text)]
    scope: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    window_start: DateTime<Utc>,
}

/// Counts one attempt against the email and the address. `Err(wait)` when either is over
/// its limit: refuse the attempt, and say how long until its window passes.
pub async fn count(
    conn: &mut AsyncPgConnection,
    keys: &AttemptKeys,
    now: DateTime<Utc>,
) -> diesel::QueryResult<Result<(), Duration>> {
    // One statement for both rows (always in this order, so concurrent attempts lock them in
    // the same order). SET reads the row as it was, so both CASEs see the old window.
    let counted: Vec<Counted> = diesel::sql_query(
        "INSERT INTO login_attempts AS a (scope, key, window_start, attempts)
         VALUES ('email', $1, $3, 1), ('address', $2, $3, 1)
         ON CONFLICT (scope, key) DO UPDATE SET
             window_start = CASE WHEN a.window_start <= $4 THEN EXCLUDED.window_start ELSE a.window_start END,
             attempts = CASE WHEN a.window_start <= $4 THEN 1 ELSE least(a.attempts + 1, 1000000) END
         RETURNING a.scope, a.attempts, a.window_start",
    )
    .bind::<Text, _>(&keys.email)
    .bind::<Text, _>(&keys.address)
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(now - window())
    .load(conn)
    .await?;
    let wait = counted
        .iter()
        .filter(|row| {
            let limit = if row.scope == "email" {
                MAX_FAILURES
            } else {
                MAX_PER_ADDRESS
            };
            row.attempts as i64 > limit as i64
        })
        .map(|row| {
            (row.window_start + window() - now)
                .to_std()
                .unwrap_or_default()
        })
        .max();
    Ok(match wait {
        Some(wait) => Err(wait.max(Duration::from_secs(1))),
        None => Ok(()),
    })
}

/// A successful sign-in: the email starts afresh, and the address gets this attempt back
/// (a busy office behind one address signs in freely; only failures use up its allowance).
pub async fn succeeded(
    conn: &mut AsyncPgConnection,
    keys: &AttemptKeys,
) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "WITH cleared AS (DELETE FROM login_attempts WHERE scope = 'email' AND key = $1)
         UPDATE login_attempts SET attempts = greatest(attempts - 1, 0)
          WHERE scope = 'address' AND key = $2",
    )
    .bind::<Text, _>(&keys.email)
    .bind::<Text, _>(&keys.address)
    .execute(conn)
    .await
    .map(|_| ())
}

/// An attempt that was counted but never checked (the server was busy) is given back.
pub async fn refund(conn: &mut AsyncPgConnection, keys: &AttemptKeys) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "UPDATE login_attempts SET attempts = greatest(attempts - 1, 0)
          WHERE (scope = 'email' AND key = $1) OR (scope = 'address' AND key = $2)",
    )
    .bind::<Text, _>(&keys.email)
    .bind::<Text, _>(&keys.address)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Deletes up to `limit` counters whose window has passed; answers how many.
pub async fn prune(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> diesel::QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM login_attempts WHERE ctid IN (
             SELECT ctid FROM login_attempts WHERE window_start <= $1 LIMIT $2)",
    )
    .bind::<Timestamptz, _>(now - window())
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .execute(conn)
    .await
}

/// The address a sign-in comes from: the peer's, or, behind a proxy we trust
/// (`PARLEY_TRUST_FORWARDED_FOR`), the last `X-Forwarded-For` hop: the one that proxy added.
/// Earlier hops are whatever the client chose to send, so they are never trusted.
pub fn client_address(
    peer: Option<&str>,
    forwarded_for: &[&str],
    trust_forwarded_for: bool,
) -> String {
    let forwarded = trust_forwarded_for
        .then(|| {
            forwarded_for
                .iter()
                .flat_map(|header| header.split(','))
                .map(str::trim)
                .rfind(|hop| !hop.is_empty())
        })
        .flatten();
    forwarded
        .or(peer)
        .map(str::to_string)
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_spaces_and_hide_the_values() {
        let a = AttemptKeys::new(" A@x.test ", "203.0.113.7");
        let b = AttemptKeys::new("a@x.TEST", "203.0.113.7");
        assert_eq!(a.email, b.email);
        assert_ne!(a.email, AttemptKeys::new("b@x.test", "203.0.113.7").email);
        assert!(!a.email.contains('@') && a.email.len() == 64);
        assert_ne!(
            a.address,
            AttemptKeys::new("a@x.test", "203.0.113.8").address
        );
    }

    #[test]
    fn the_forwarded_address_counts_only_when_trusted() {
        let forwarded = ["198.51.100.1, 203.0.113.7"];
        assert_eq!(
            client_address(Some("10.0.0.2"), &forwarded, false),
            "10.0.0.2"
        );
        assert_eq!(
            client_address(Some("10.0.0.2"), &forwarded, true),
            "203.0.113.7"
        );
        assert_eq!(client_address(Some("10.0.0.2"), &[], true), "10.0.0.2");
        assert_eq!(client_address(None, &[], false), "unknown");
    }
}
