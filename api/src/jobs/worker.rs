//! The background worker: claims due jobs and runs them in lanes (sends and receipts; AI
//! replies), each with its own slots, woken at once when work is enqueued and polling
//! otherwise (jobs enqueued by another instance, retries coming due). It is the one place
//! that knows which module handles which [`Job`].

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{storage, ClaimedJob, Job, JobError, JobKind, Outcome};
use crate::state::AppState;
use crate::{agent, media, messages};

/// How soon a job whose handler could not decide (database away) is tried again.
const TRANSIENT_RETRY: chrono::Duration = chrono::Duration::seconds(5);
/// The most jobs one claim takes (a lane with more free slots claims again at once).
const MAX_CLAIM: usize = 64;

pub fn worker_id() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// A lane runs some kinds of job with its own number of slots, so that one kind never waits
/// behind another: sends and receipts are quick and must not queue behind AI replies, which
/// spend seconds waiting for the model.
#[derive(Debug, Clone, Copy)]
pub struct Lane {
    pub name: &'static str,
    pub kinds: &'static [JobKind],
    pub slots: usize,
}

/// The lanes of one worker, sized by the settings.
pub fn lanes(state: &AppState) -> [Lane; 3] {
    [
        Lane {
            name: "sends",
            kinds: &[JobKind::SendSms, JobKind::ApplyReceipt],
            slots: state.settings.send_concurrency,
        },
        Lane {
            name: "ai",
            kinds: &[JobKind::AiReply],
            slots: state.settings.ai_concurrency,
        },
        // Downloads (customers' media from Telnyx) wait on the network, never on a send.
        Lane {
            name: "io",
            kinds: &[JobKind::FetchMedia],
            slots: state.settings.send_concurrency,
        },
    ]
}

/// Runs every lane until `shutdown`; the jobs in hand are finished first.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let worker = worker_id();
    tracing::info!(worker, "job worker started");
    let lanes =
        lanes(&state).map(|lane| run_lane(state.clone(), lane, worker.clone(), shutdown.clone()));
    futures_util::future::join_all(lanes).await;
    tracing::info!(worker, "job worker stopped");
}

/// Claims jobs whenever a slot is free and runs each in its own task: a finished job frees
/// its slot for the next at once (no batch waits for its slowest member).
async fn run_lane(state: AppState, lane: Lane, worker: String, shutdown: CancellationToken) {
    let slots = Arc::new(Semaphore::new(lane.slots.max(1)));
    let mut running = JoinSet::new();
    let mut wake = state.jobs_wake.subscribe(lane.kinds);
    // The sweep for jobs whose last attempt's worker died runs now and then, not per claim.
    let mut next_sweep = std::time::Instant::now();
    while !shutdown.is_cancelled() {
        while running.try_join_next().is_some() {}
        let free = slots.available_permits().min(MAX_CLAIM);
        if free == 0 {
            tokio::select! {
                _ = running.join_next() => {}
                _ = shutdown.cancelled() => {}
            }
            continue;
        }
        // A wake seen before this claim is answered by it.
        wake.mark_seen();
        let sweep = std::time::Instant::now() >= next_sweep;
        if sweep {
            next_sweep = std::time::Instant::now() + state.settings.worker_poll;
        }
        let claimed = match claim_batch(&state, lane.kinds, &worker, free as i64, sweep).await {
            Ok(jobs) => jobs,
            Err(error) => {
                tracing::warn!(lane = lane.name, %error, "cannot claim jobs; retrying");
                Vec::new()
            }
        };
        let full = claimed.len() == free;
        for job in claimed {
            // Never waits: the claim took no more jobs than there were free slots.
            let Ok(permit) = slots.clone().acquire_owned().await else {
                break;
            };
            let state = state.clone();
            let worker = worker.clone();
            running.spawn(async move {
                process(&state, job, &worker).await;
                drop(permit);
            });
        }
        if full {
            continue;
        }
        // Nothing more is due: a finished job makes nothing due either (its follow-ups and
        // retries wake the lane themselves), so only a wake or the poll claims again.
        tokio::select! {
            _ = wake.changed() => {}
            _ = tokio::time::sleep(state.settings.worker_poll) => {}
            _ = shutdown.cancelled() => {}
        }
    }
    while running.join_next().await.is_some() {}
}

async fn claim_batch(
    state: &AppState,
    kinds: &[JobKind],
    worker: &str,
    limit: i64,
    sweep: bool,
) -> Result<Vec<ClaimedJob>, JobError> {
    let now = state.clock.now();
    let abandoned = if sweep {
        let mut conn = state.pool.get().await?;
        storage::abandon_exhausted(&mut conn, kinds, now).await?
    } else {
        Vec::new()
    };
    for job in abandoned {
        tracing::warn!(
            job = job.id,
            "job abandoned: its last attempt's worker stopped"
        );
        give_up(state, &job, "its last attempt was interrupted").await;
    }
    let mut conn = state.pool.get().await?;
    Ok(storage::claim(
        &mut conn,
        kinds,
        worker,
        now,
        state.settings.job_lease,
        limit,
    )
    .await?)
}

async fn handle(state: &AppState, claimed: &ClaimedJob) -> Outcome {
    let job = match &claimed.job {
        Ok(job) => job,
        Err(error) => return Outcome::Failed(error.to_string()),
    };
    let result = match job {
        Job::SendSms { message_id } => messages::outbox::deliver(state, claimed, *message_id).await,
        Job::ApplyReceipt { event, sent_as } => {
            messages::receipts::apply_deferred(state, claimed, event, *sent_as).await
        }
        Job::AiReply {
            conversation_id,
            message_id,
        } => agent::reply::run(state, claimed, *conversation_id, *message_id).await,
        Job::FetchMedia { media_id } => media::fetch::run(state, claimed, *media_id).await,
    };
    // A handler that could not decide (the database is away) tries again shortly.
    result.unwrap_or_else(|error| {
        Outcome::RetryAt(state.clock.now() + TRANSIENT_RETRY, error.to_string())
    })
}

/// A job that will not run again: its handler shows why where people look.
async fn give_up(state: &AppState, claimed: &ClaimedJob, reason: &str) {
    let result = match &claimed.job {
        Ok(Job::SendSms { message_id }) => {
            messages::outbox::give_up(state, claimed, *message_id, reason).await
        }
        Ok(Job::AiReply {
            conversation_id, ..
        }) => agent::reply::give_up(state, claimed, *conversation_id, reason).await,
        Ok(Job::FetchMedia { media_id }) => media::fetch::give_up(state, *media_id, reason).await,
        Ok(Job::ApplyReceipt { .. }) | Err(_) => Ok(()),
    };
    if let Err(error) = result {
        tracing::warn!(job = claimed.id, %error, "cannot record that the job gave up");
    }
}

async fn process(state: &AppState, claimed: ClaimedJob, worker: &str) {
    // The claim is renewed while the handler works, so a slow send or AI call is never
    // taken over (and run twice) by another worker.
    let outcome = tokio::select! {
        outcome = handle(state, &claimed) => outcome,
        never = keep_lease(state, &claimed, worker) => match never {},
    };
    let outcome = match outcome {
        // Out of attempts: a retry becomes a failure.
        Outcome::RetryAt(_, error) if claimed.is_last_attempt() => {
            give_up(state, &claimed, &error).await;
            Outcome::Failed(error)
        }
        other => other,
    };
    if let Err(error) = settle(state, &claimed, worker, &outcome).await {
        // The lease will expire and the job will run again; handlers are idempotent.
        tracing::warn!(job = claimed.id, %error, "cannot record the job's outcome");
    }
    if let (Outcome::Wait(at, _) | Outcome::RetryAt(at, _), Ok(job)) = (&outcome, &claimed.job) {
        wake_at(state, job.kind(), *at);
    }
}

/// Wakes the lanes when a job postponed to `at` comes due, so that a paced send leaves on
/// its slot rather than at the next poll.
fn wake_at(state: &AppState, kind: JobKind, at: chrono::DateTime<chrono::Utc>) {
    let wait = (at - state.clock.now()).to_std().unwrap_or_default();
    state.jobs_wake.notify_in(kind, wait);
}

/// Renews the job's lease every third of its length; never returns.
async fn keep_lease(state: &AppState, job: &ClaimedJob, worker: &str) -> std::convert::Infallible {
    let lease = state.settings.job_lease;
    loop {
        tokio::time::sleep(lease / 3).await;
        let lease_end = state.clock.now()
            + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30));
        let renewed: Result<bool, JobError> = async {
            let mut conn = state.pool.get().await?;
            Ok(storage::renew(&mut conn, job, worker, lease_end).await?)
        }
        .await;
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
) -> Result<(), JobError> {
    let mut conn = state.pool.get().await?;
    let now = state.clock.now();
    let kind = job
        .job
        .as_ref()
        .map(|job| job.kind().as_str())
        .unwrap_or("unreadable");
    let held = match outcome {
        Outcome::Done => storage::complete(&mut conn, job, worker, now).await,
        Outcome::RetryAt(at, error) => {
            tracing::info!(job = job.id, kind, attempt = job.attempts, %error, retry_at = %at, "job will retry");
            storage::retry_at(&mut conn, job, worker, *at, error, now).await
        }
        Outcome::Wait(at, reason) => {
            tracing::info!(job = job.id, kind, %reason, until = %at, "job waits");
            storage::postpone(&mut conn, job, worker, *at, reason, now).await
        }
        Outcome::Failed(error) => {
            tracing::warn!(job = job.id, kind, attempt = job.attempts, %error, "job failed");
            storage::fail(&mut conn, job, worker, error, now).await
        }
    }?;
    if !held {
        tracing::warn!(job = job.id, "lease lost before the job settled");
    }
    Ok(())
}
