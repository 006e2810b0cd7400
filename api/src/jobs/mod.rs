//! The durable job table: work enqueued in the same transaction as the change that needs it,
//! claimed with `FOR UPDATE SKIP LOCKED` under a lease, retried with backoff. A worker that
//! dies mid-job loses nothing: its lease expires and another worker claims the job.

pub mod worker;

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Int4, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rand::Rng;
use uuid::Uuid;

use crate::db::schema::jobs;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Send an outbound message to Telnyx (the outbox).
    SendSms,
    /// Apply a delivery receipt that arrived before its message's Telnyx id was stored.
    ApplyReceipt,
    /// Generate and send the AI's reply to an inbound message.
    AiReply,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::SendSms => "send_sms",
            JobKind::ApplyReceipt => "apply_receipt",
            JobKind::AiReply => "ai_reply",
        }
    }

    pub fn parse(text: &str) -> Option<JobKind> {
        [JobKind::SendSms, JobKind::ApplyReceipt, JobKind::AiReply]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

pub struct NewJob {
    pub tenant_id: Option<Uuid>,
    pub kind: JobKind,
    pub payload: serde_json::Value,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
}

pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    job: NewJob,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::tenant_id.eq(job.tenant_id),
            jobs::kind.eq(job.kind.as_str()),
            jobs::payload.eq(job.payload),
            jobs::max_attempts.eq(job.max_attempts),
            jobs::run_at.eq(job.run_at),
            jobs::created_at.eq(now),
            jobs::updated_at.eq(now),
        ))
        .returning(jobs::id)
        .get_result(conn)
        .await
}

/// A job this worker holds until `locked_until`.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedJob {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub tenant_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: serde_json::Value,
    /// This claim's attempt number, starting at 1.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Integer)]
    pub max_attempts: i32,
}

impl ClaimedJob {
    pub fn is_last_attempt(&self) -> bool {
        self.attempts >= self.max_attempts
    }
}

/// Claims up to `limit` due jobs of these kinds: pending ones whose time has come, and
/// running ones whose worker's lease ran out, while they have attempts left (see
/// [`abandon_exhausted`] for the others).
pub async fn claim(
    conn: &mut AsyncPgConnection,
    kinds: &[&str],
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> QueryResult<Vec<ClaimedJob>> {
    let lease_end = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(1));
    diesel::sql_query(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1,
                locked_until = $2, updated_at = $3
          WHERE id IN (
                SELECT id FROM jobs
                 WHERE kind = ANY($4)
                   AND attempts < max_attempts
                   AND ((status = 'pending' AND run_at <= $3)
                     OR (status = 'running' AND locked_until < $3))
                 ORDER BY run_at, id
                 LIMIT $5
                 FOR UPDATE SKIP LOCKED)
        RETURNING id, tenant_id, kind, payload, attempts, max_attempts",
    )
    .bind::<Text, _>(worker)
    .bind::<Timestamptz, _>(lease_end)
    .bind::<Timestamptz, _>(now)
    .bind::<Array<Text>, _>(kinds)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// Jobs whose last attempt's worker stopped (its lease ran out) are failed for good, so a
/// job that kills its worker every time cannot loop forever; answers them so that their
/// handlers can say so where it shows (a message, a conversation).
pub async fn abandon_exhausted(
    conn: &mut AsyncPgConnection,
    kinds: &[&str],
    now: DateTime<Utc>,
) -> QueryResult<Vec<ClaimedJob>> {
    diesel::sql_query(
        "UPDATE jobs SET status = 'failed', locked_until = NULL, updated_at = $1,
                last_error = 'gave up: the worker of its last attempt stopped before it finished'
          WHERE id IN (
                SELECT id FROM jobs
                 WHERE kind = ANY($2) AND status = 'running' AND locked_until < $1
                   AND attempts >= max_attempts
                 FOR UPDATE SKIP LOCKED)
        RETURNING id, tenant_id, kind, payload, attempts, max_attempts",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Array<Text>, _>(kinds)
    .load(conn)
    .await
}

/// Only the claim that holds the job may settle it: a worker whose lease expired and whose
/// job was claimed again changes nothing.
macro_rules! held_by {
    ($job:expr, $worker:expr) => {
        jobs::table.filter(
            jobs::id
                .eq($job.id)
                .and(jobs::locked_by.eq($worker))
                .and(jobs::attempts.eq($job.attempts)),
        )
    };
}

pub async fn complete(
    conn: &mut AsyncPgConnection,
    job: &ClaimedJob,
    worker: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(held_by!(job, worker))
        .set((
            jobs::status.eq("done"),
            jobs::locked_until.eq(None::<DateTime<Utc>>),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|count| count == 1)
}

/// Extends the claim while the job is being worked on; false when the lease was lost.
pub async fn renew(
    conn: &mut AsyncPgConnection,
    job: &ClaimedJob,
    worker: &str,
    lease_end: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(held_by!(job, worker).filter(jobs::status.eq("running")))
        .set(jobs::locked_until.eq(lease_end))
        .execute(conn)
        .await
        .map(|count| count == 1)
}

/// Runs the job again at `run_at` without spending an attempt: it waited for something
/// outside it (a receipt), it did not fail.
pub async fn postpone(
    conn: &mut AsyncPgConnection,
    job: &ClaimedJob,
    worker: &str,
    run_at: DateTime<Utc>,
    reason: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(held_by!(job, worker))
        .set((
            jobs::status.eq("pending"),
            jobs::attempts.eq(jobs::attempts - 1),
            jobs::run_at.eq(run_at),
            jobs::locked_until.eq(None::<DateTime<Utc>>),
            jobs::last_error.eq(reason),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|count| count == 1)
}

pub async fn retry_at(
    conn: &mut AsyncPgConnection,
    job: &ClaimedJob,
    worker: &str,
    run_at: DateTime<Utc>,
    error: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(held_by!(job, worker))
        .set((
            jobs::status.eq("pending"),
            jobs::run_at.eq(run_at),
            jobs::locked_until.eq(None::<DateTime<Utc>>),
            jobs::last_error.eq(error),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|count| count == 1)
}

pub async fn fail(
    conn: &mut AsyncPgConnection,
    job: &ClaimedJob,
    worker: &str,
    error: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(held_by!(job, worker))
        .set((
            jobs::status.eq("failed"),
            jobs::locked_until.eq(None::<DateTime<Utc>>),
            jobs::last_error.eq(error),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|count| count == 1)
}

/// Exponential backoff with full jitter: attempt 1 waits up to 2 s, then 4, 8… capped at 5 min.
pub fn backoff(attempt: i32) -> Duration {
    let exponent = attempt.clamp(1, 20) as u32;
    let ceiling_ms = (1000u64 << exponent.min(9)).min(300_000);
    let floor_ms = ceiling_ms / 2;
    Duration::from_millis(rand::thread_rng().gen_range(floor_ms..=ceiling_ms))
}

/// A tenant's jobs that are overdue (due for over five minutes and not done) and that
/// failed since `since`.
pub async fn health(
    conn: &mut AsyncPgConnection,
    tenant_id: Uuid,
    now: DateTime<Utc>,
    since: DateTime<Utc>,
) -> QueryResult<(i64, i64)> {
    let overdue = jobs::table
        .filter(jobs::tenant_id.eq(tenant_id))
        .filter(jobs::status.eq_any(["pending", "running"]))
        .filter(jobs::run_at.lt(now - chrono::Duration::minutes(5)))
        .count()
        .get_result(conn)
        .await?;
    let failed = jobs::table
        .filter(jobs::tenant_id.eq(tenant_id))
        .filter(jobs::status.eq("failed"))
        .filter(jobs::updated_at.ge(since))
        .count()
        .get_result(conn)
        .await?;
    Ok((overdue, failed))
}

/// Counts of jobs by kind and status (diagnostics and tests).
#[derive(Debug, QueryableByName)]
pub struct JobCount {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Int4)]
    pub count: i32,
}

pub async fn counts(conn: &mut AsyncPgConnection) -> QueryResult<Vec<JobCount>> {
    diesel::sql_query("SELECT kind, status, count(*)::int4 AS count FROM jobs GROUP BY kind, status ORDER BY kind, status")
        .load(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..30 {
            let wait = backoff(attempt);
            assert!(wait <= Duration::from_secs(300), "{attempt}: {wait:?}");
            assert!(wait >= Duration::from_millis(1000), "{attempt}: {wait:?}");
        }
        assert!(backoff(1) <= Duration::from_secs(2));
        assert!(backoff(12) >= Duration::from_secs(150));
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [JobKind::SendSms, JobKind::ApplyReceipt, JobKind::AiReply] {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
    }
}
