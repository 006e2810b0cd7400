//! What is kept, and for how long. Business records (conversations, messages, clients, opt-outs,
//! interactions) stay until they are deleted; operational records are pruned by age:
//!
//! | records | kept for | setting |
//! |---|---|---|
//! | webhook deliveries (bodies of signed ones only) | 30 days | `PARLEY_RETENTION_WEBHOOK_DAYS` |
//! | processed webhook event ids | the webhook retention, at least 3 days | (same) |
//! | finished jobs (done or failed) | 14 days after they finished | `PARLEY_RETENTION_JOBS_DAYS` |
//! | AI generation logs | 90 days | `PARLEY_RETENTION_AI_GENERATIONS_DAYS` |
//! | feed events | 168 hours | `PARLEY_EVENT_RETENTION_HOURS` |
//! | sign-in attempt counters | until their 15-minute window passes | |
//! | media no message carries (uploads never sent; items of deleted messages) | 1 day after upload | |
//!
//! A content in the media store goes with the last item that holds it.
//!
//! One task per instance runs a pass now and then; a pass deletes in bounded batches, each its
//! own short transaction, and an instance that finds another one pruning leaves it be.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Timestamptz};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio_util::sync::CancellationToken;

use crate::auth::throttle;
use crate::db::DbError;
use crate::media::storage as media_storage;
use crate::media::MediaError;
use crate::state::AppState;

/// How often each instance runs a pass.
pub const PASS_INTERVAL: Duration = Duration::from_secs(600);
/// Rows deleted per transaction, so a large backlog never holds locks for long.
const BATCH: i64 = 5000;
/// Held (per batch) by the instance that is pruning.
const LOCK_KEY: i64 = 0x7072_756e_6531; // "prune1"

/// Rows deleted by one pass, per kind.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pruned {
    pub webhook_deliveries: usize,
    pub processed_webhook_events: usize,
    pub finished_jobs: usize,
    pub ai_generations: usize,
    pub events: usize,
    pub login_attempts: usize,
    pub media: usize,
}

impl Pruned {
    pub fn total(&self) -> usize {
        self.webhook_deliveries
            + self.processed_webhook_events
            + self.finished_jobs
            + self.ai_generations
            + self.events
            + self.login_attempts
            + self.media
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    WebhookDeliveries,
    ProcessedWebhookEvents,
    FinishedJobs,
    AiGenerations,
    Events,
    LoginAttempts,
}

const KINDS: [Kind; 6] = [
    Kind::WebhookDeliveries,
    Kind::ProcessedWebhookEvents,
    Kind::FinishedJobs,
    Kind::AiGenerations,
    Kind::Events,
    Kind::LoginAttempts,
];

/// Deletes up to `limit` rows of `table` whose `column` is before `before` (and that meet
/// `condition`). The names are constants of this module, never input.
async fn delete_older(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    column: &'static str,
    condition: &'static str,
    before: DateTime<Utc>,
    limit: i64,
) -> diesel::QueryResult<usize> {
    diesel::sql_query(format!(
        "DELETE FROM {table} WHERE ctid IN (
             SELECT ctid FROM {table} WHERE {column} < $1 {condition} LIMIT $2)"
    ))
    .bind::<Timestamptz, _>(before)
    .bind::<BigInt, _>(limit)
    .execute(conn)
    .await
}

async fn delete_batch(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    kind: Kind,
    now: DateTime<Utc>,
) -> diesel::QueryResult<usize> {
    let retention = &state.settings.retention;
    match kind {
        Kind::WebhookDeliveries => {
            let before = now - retention.webhook_deliveries;
            delete_older(conn, "webhook_deliveries", "received_at", "", before, BATCH).await
        }
        Kind::ProcessedWebhookEvents => {
            let before = now - retention.processed_webhook_events;
            delete_older(
                conn,
                "processed_webhook_events",
                "processed_at",
                "",
                before,
                BATCH,
            )
            .await
        }
        Kind::FinishedJobs => {
            let before = now - retention.finished_jobs;
            let finished = "AND status IN ('done', 'failed')";
            delete_older(conn, "jobs", "updated_at", finished, before, BATCH).await
        }
        Kind::AiGenerations => {
            let before = now - retention.ai_generations;
            delete_older(conn, "ai_generations", "created_at", "", before, BATCH).await
        }
        Kind::Events => {
            let before = now - state.settings.event_retention;
            delete_older(conn, "events", "occurred_at", "", before, BATCH).await
        }
        Kind::LoginAttempts => throttle::prune(conn, now, BATCH).await,
    }
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// One batch in its own transaction, under the pruning lock; `None` when another instance
/// holds it.
async fn locked_batch(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    kind: Kind,
    now: DateTime<Utc>,
) -> diesel::QueryResult<Option<usize>> {
    conn.transaction::<Option<usize>, diesel::result::Error, _>(async |conn| {
        let lock: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
            .bind::<BigInt, _>(LOCK_KEY)
            .get_result(conn)
            .await?;
        if !lock.locked {
            return Ok(None);
        }
        delete_batch(conn, state, kind, now).await.map(Some)
    })
    .await
}

/// One pruning pass over every kind of record; `None` when another instance was pruning.
pub async fn prune_once(state: &AppState) -> Result<Option<Pruned>, DbError> {
    let now = state.clock.now();
    let mut conn = state.pool.get().await?;
    let mut pruned = Pruned::default();
    for kind in KINDS {
        loop {
            let Some(deleted) = locked_batch(&mut conn, state, kind, now).await? else {
                return Ok(None);
            };
            *match kind {
                Kind::WebhookDeliveries => &mut pruned.webhook_deliveries,
                Kind::ProcessedWebhookEvents => &mut pruned.processed_webhook_events,
                Kind::FinishedJobs => &mut pruned.finished_jobs,
                Kind::AiGenerations => &mut pruned.ai_generations,
                Kind::Events => &mut pruned.events,
                Kind::LoginAttempts => &mut pruned.login_attempts,
            } += deleted;
            if (deleted as i64) < BATCH || state.shutdown.is_cancelled() {
                break;
            }
        }
    }
    pruned.media = prune_media(state, &mut conn, now).await?;
    Ok(Some(pruned))
}

/// An upload waits this long to be sent before it is removed.
pub const UNSENT_MEDIA_GRACE: chrono::Duration = chrono::Duration::days(1);

/// Removes media no message carries (uploads never sent past [`UNSENT_MEDIA_GRACE`], and the
/// items of deleted messages, whose links went with them), then each content no item holds
/// any more from the store, under the content's lock (see `media::keep_bytes`).
async fn prune_media(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> Result<usize, DbError> {
    let mut removed = 0;
    loop {
        let hashes = conn
            .transaction::<Option<Vec<Option<String>>>, diesel::result::Error, _>(async |conn| {
                let lock: Locked =
                    diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
                        .bind::<BigInt, _>(LOCK_KEY)
                        .get_result(conn)
                        .await?;
                if !lock.locked {
                    return Ok(None);
                }
                media_storage::delete_unlinked(conn, now - UNSENT_MEDIA_GRACE, BATCH)
                    .await
                    .map(Some)
            })
            .await?;
        let Some(hashes) = hashes else {
            return Ok(removed);
        };
        let batch = hashes.len();
        removed += batch;
        let mut contents: Vec<String> = hashes.into_iter().flatten().collect();
        contents.sort();
        contents.dedup();
        for sha256 in contents {
            let result = conn
                .transaction::<_, MediaError, _>(async |conn| {
                    media_storage::lock_content(conn, &sha256).await?;
                    if !media_storage::content_in_use(conn, &sha256).await? {
                        state.media.delete(&sha256).await?;
                    }
                    Ok(())
                })
                .await;
            if let Err(error) = result {
                tracing::warn!(%error, sha256, "cannot remove a media content nothing holds");
            }
        }
        if (batch as i64) < BATCH || state.shutdown.is_cancelled() {
            return Ok(removed);
        }
    }
}

/// Runs a pass now and every [`PASS_INTERVAL`] until the instance stops.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(PASS_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.cancelled() => return,
        }
        match prune_once(&state).await {
            Ok(Some(pruned)) if pruned.total() > 0 => {
                tracing::info!(?pruned, "pruned records past their retention")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "cannot prune old records"),
        }
    }
}
