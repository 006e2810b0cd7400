//! The background worker: claims due jobs and runs them, woken at once when work is enqueued
//! and polling otherwise (jobs enqueued by another instance, retries coming due).

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use tokio_util::sync::CancellationToken;

use super::{ClaimedJob, JobKind};
use crate::app::AppState;
use crate::messages;

/// How long a claim holds a job: longer than any single step (Telnyx's timeout is shorter).
pub const LEASE: Duration = Duration::from_secs(60);
const BATCH: i64 = 16;

/// What a job handler decided.
#[derive(Debug)]
pub enum Outcome {
    Done,
    RetryAt(DateTime<Utc>, String),
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
    super::claim(&mut conn, kinds, worker, state.clock.now(), LEASE, BATCH)
        .await
        .map_err(|e| e.to_string())
}

async fn process(state: &AppState, job: ClaimedJob, worker: &str) {
    let outcome = match JobKind::parse(&job.kind) {
        Some(JobKind::SendSms) => messages::outbox::deliver(state, &job).await,
        Some(JobKind::ApplyReceipt) => messages::receipts::apply_deferred(state, &job).await,
        Some(JobKind::AiReply) => crate::agent::reply::run(state, &job).await,
        None => Outcome::Failed(format!("no handler for job kind {}", job.kind)),
    };
    if let Err(error) = settle(state, &job, worker, &outcome).await {
        // The lease will expire and the job will run again; handlers are idempotent.
        tracing::warn!(job = job.id, %error, "cannot record the job's outcome");
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
