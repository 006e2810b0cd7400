//! The background worker: claims due jobs and runs them, woken at once when work is enqueued
//! and polling otherwise (jobs enqueued by another instance, retries coming due).

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use tokio_util::sync::CancellationToken;

use super::{ClaimedJob, JobKind};
use crate::app::AppState;
use crate::messages;

const BATCH: i64 = 16;

/// What a job handler decided.
#[derive(Debug)]
pub enum Outcome {
    Done,
    /// A failure worth another attempt at this time (when attempts are left).
    RetryAt(DateTime<Utc>, String),
    /// Nothing failed: the job waits for something outside it until this time, without
    /// spending an attempt.
    Wait(DateTime<Utc>, String),
    Failed(String),
}

pub fn worker_id() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Runs until `shutdown`; the job in hand is finished first.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let worker = worker_id();
    let kinds = [
        JobKind::SendSms.as_str(),
        JobKind::ApplyReceipt.as_str(),
        JobKind::AiReply.as_str(),
    ];
    tracing::info!(worker, "job worker started");
    while !shutdown.is_cancelled() {
        let claimed = match claim_batch(&state, &kinds, &worker).await {
            Ok(jobs) => jobs,
            Err(error) => {
                tracing::warn!(%error, "cannot claim jobs; retrying");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                _ = state.jobs_wake.notified() => {}
                _ = tokio::time::sleep(state.settings.worker_poll) => {}
                _ = shutdown.cancelled() => {}
            }
            continue;
        }
        join_all(claimed.into_iter().map(|job| process(&state, job, &worker))).await;
    }
    tracing::info!(worker, "job worker stopped");
}

async fn claim_batch(
    state: &AppState,
    kinds: &[&str],
    worker: &str,
) -> Result<Vec<ClaimedJob>, String> {
    let mut conn = state.pool.get().await.map_err(|e| e.to_string())?;
    let now = state.clock.now();
    let abandoned = super::abandon_exhausted(&mut conn, kinds, now)
        .await
        .map_err(|e| e.to_string())?;
    drop(conn);
    for job in abandoned {
        tracing::warn!(
            job = job.id,
            kind = job.kind,
            "job abandoned: its last attempt's worker stopped"
        );
        give_up(state, &job, "its last attempt was interrupted").await;
    }
    let mut conn = state.pool.get().await.map_err(|e| e.to_string())?;
    super::claim(
        &mut conn,
        kinds,
        worker,
        now,
        state.settings.job_lease,
        BATCH,
    )
    .await
    .map_err(|e| e.to_string())
}

async fn handle(state: &AppState, job: &ClaimedJob) -> Outcome {
    match JobKind::parse(&job.kind) {
        Some(JobKind::SendSms) => messages::outbox::deliver(state, job).await,
        Some(JobKind::ApplyReceipt) => messages::receipts::apply_deferred(state, job).await,
        Some(JobKind::AiReply) => crate::agent::reply::run(state, job).await,
        None => Outcome::Failed(format!("no handler for job kind {}", job.kind)),
    }
}

/// A job that will not run again: its handler shows why where people look.
async fn give_up(state: &AppState, job: &ClaimedJob, reason: &str) {
    let result = match JobKind::parse(&job.kind) {
        Some(JobKind::SendSms) => messages::outbox::give_up(state, job, reason).await,
        Some(JobKind::AiReply) => crate::agent::reply::give_up(state, job, reason).await,
        Some(JobKind::ApplyReceipt) | None => Ok(()),
    };
    if let Err(error) = result {
        tracing::warn!(job = job.id, %error, "cannot record that the job gave up");
    }
}

async fn process(state: &AppState, job: ClaimedJob, worker: &str) {
    // The claim is renewed while the handler works, so a slow send or AI call is never
    // taken over (and run twice) by another worker.
    let outcome = tokio::select! {
        outcome = handle(state, &job) => outcome,
        never = keep_lease(state, &job, worker) => match never {},
    };
    let outcome = match outcome {
        // Out of attempts: a retry becomes a failure.
        Outcome::RetryAt(_, error) if job.is_last_attempt() => {
            give_up(state, &job, &error).await;
            Outcome::Failed(error)
        }
        other => other,
    };
    if let Err(error) = settle(state, &job, worker, &outcome).await {
        // The lease will expire and the job will run again; handlers are idempotent.
        tracing::warn!(job = job.id, %error, "cannot record the job's outcome");
    }
}

/// Renews the job's lease every third of its length; never returns.
async fn keep_lease(state: &AppState, job: &ClaimedJob, worker: &str) -> std::convert::Infallible {
    let lease = state.settings.job_lease;
    loop {
        tokio::time::sleep(lease / 3).await;
        let lease_end = state.clock.now()
            + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30));
        let renewed = match state.pool.get().await {
            Ok(mut conn) => super::renew(&mut conn, job, worker, lease_end)
                .await
                .map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        match renewed {
            Ok(true) => {}
            Ok(false) => tracing::warn!(job = job.id, "the job's lease was lost while it ran"),
            Err(error) => tracing::warn!(job = job.id, %error, "cannot renew the job's lease"),
        }
    }
}

async fn settle(
    state: &AppState,
    job: &ClaimedJob,
    worker: &str,
    outcome: &Outcome,
) -> Result<(), String> {
    let mut conn = state.pool.get().await.map_err(|e| e.to_string())?;
    let now = state.clock.now();
    let held = match outcome {
        Outcome::Done => super::complete(&mut conn, job, worker, now).await,
        Outcome::RetryAt(at, error) => {
            tracing::info!(job = job.id, kind = job.kind, attempt = job.attempts, %error, retry_at = %at, "job will retry");
            super::retry_at(&mut conn, job, worker, *at, error, now).await
        }
        Outcome::Wait(at, reason) => {
            tracing::info!(job = job.id, kind = job.kind, %reason, until = %at, "job waits");
            super::postpone(&mut conn, job, worker, *at, reason, now).await
        }
        Outcome::Failed(error) => {
            tracing::warn!(job = job.id, kind = job.kind, attempt = job.attempts, %error, "job failed");
            super::fail(&mut conn, job, worker, error, now).await
        }
    }
    .map_err(|e| e.to_string())?;
    if !held {
        tracing::warn!(job = job.id, "lease lost before the job settled");
    }
    Ok(())
}
