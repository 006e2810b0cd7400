//! The job table's SQL: enqueue inside the caller's transaction, claim with
//! `FOR UPDATE SKIP LOCKED` under a lease, renew, settle.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Int4, Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{ClaimedJob, Job, JobKind, JobStatus};
use crate::db::schema::jobs;
use crate::db::Bind as _;
use crate::ids::TenantId;

/// Stores `job` to run at `run_at` (inside the caller's transaction, with the change that
/// needs it); answers its id.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    tenant_id: Option<TenantId>,
    job: &Job,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    let payload = job
        .payload()
        .map_err(|error| diesel::result::Error::SerializationError(Box::new(error)))?;
    diesel::insert_into(jobs::table)
        .values((
            jobs::tenant_id.eq(tenant_id),
            jobs::kind.eq(job.kind().as_str()),
            jobs::payload.eq(payload),
            jobs::max_attempts.eq(job.kind().max_attempts()),
            jobs::run_at.eq(run_at),
            jobs::created_at.eq(now),
            jobs::updated_at.eq(now),
        ))
        .returning(jobs::id)
        .get_result(conn)
        .await
}

/// A claimed row as stored; its payload is read into a [`Job`] by [`RawClaim::into_claim`].
#[derive(QueryableByName)]
struct RawClaim {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    tenant_id: Option<TenantId>,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Integer)]
    max_attempts: i32,
}

impl RawClaim {
    fn into_claim(self) -> ClaimedJob {
        ClaimedJob {
            id: self.id,
            tenant_id: self.tenant_id,
            job: Job::from_stored(&self.kind, self.payload),
            attempts: self.attempts,
            max_attempts: self.max_attempts,
        }
    }
}

/// Claims up to `limit` due jobs of these kinds: pending ones whose time has come, and
/// running ones whose worker's lease ran out, while they have attempts left (see
/// [`abandon_exhausted`] for the others).
pub async fn claim(
    conn: &mut AsyncPgConnection,
    kinds: &[JobKind],
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> QueryResult<Vec<ClaimedJob>> {
    let kinds: Vec<&str> = kinds.iter().map(|kind| kind.as_str()).collect();
    let lease_end = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(1));
    crate::db::prepared(
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
    .load::<RawClaim>(conn)
    .await
    .map(|rows| rows.into_iter().map(RawClaim::into_claim).collect())
}

/// Jobs whose last attempt's worker stopped (its lease ran out) are failed for good, so a
/// job that kills its worker every time cannot loop forever; answers them so that their
/// handlers can say so where it shows (a message, a conversation).
pub async fn abandon_exhausted(
    conn: &mut AsyncPgConnection,
    kinds: &[JobKind],
    now: DateTime<Utc>,
) -> QueryResult<Vec<ClaimedJob>> {
    let kinds: Vec<&str> = kinds.iter().map(|kind| kind.as_str()).collect();
    crate::db::prepared(
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
    .load::<RawClaim>(conn)
    .await
    .map(|rows| rows.into_iter().map(RawClaim::into_claim).collect())
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
            jobs::status.eq(JobStatus::Done),
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
    diesel::update(held_by!(job, worker).filter(jobs::status.eq(JobStatus::Running)))
        .set(jobs::locked_until.eq(lease_end))
        .execute(conn)
        .await
        .map(|count| count == 1)
}

/// Moves the waiting send of a message to `run_at` (a scheduled message's new time, or now);
/// false when no send of it waits (it is running, or settled).
pub async fn reschedule_send(
    conn: &mut AsyncPgConnection,
    message_id: crate::ids::MessageId,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(
        jobs::table
            .filter(jobs::kind.eq(JobKind::SendSms.as_str()))
            .filter(jobs::status.eq(JobStatus::Pending))
            .filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("payload->>'message_id' = ")
                    .bind::<Text, _>(message_id.to_string()),
            ),
    )
    .set((jobs::run_at.eq(run_at), jobs::updated_at.eq(now)))
    .execute(conn)
    .await
    .map(|count| count > 0)
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
            jobs::status.eq(JobStatus::Pending),
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
            jobs::status.eq(JobStatus::Pending),
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
            jobs::status.eq(JobStatus::Failed),
            jobs::locked_until.eq(None::<DateTime<Utc>>),
            jobs::last_error.eq(error),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|count| count == 1)
}

/// A tenant's jobs that are overdue (due for over five minutes and not done) and that
/// failed since `since`.
pub async fn health(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    now: DateTime<Utc>,
    since: DateTime<Utc>,
) -> QueryResult<(i64, i64)> {
    let overdue = jobs::table
        .filter(jobs::tenant_id.eq(tenant_id))
        .filter(jobs::status.eq_any([JobStatus::Pending, JobStatus::Running]))
        .filter(jobs::run_at.lt(now - chrono::Duration::minutes(5)))
        .count()
        .get_result(conn)
        .await?;
    let failed = jobs::table
        .filter(jobs::tenant_id.eq(tenant_id))
        .filter(jobs::status.eq(JobStatus::Failed))
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
