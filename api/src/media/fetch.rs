//! The job that fetches a customer's picture or file (`Job::FetchMedia`) from Telnyx's
//! short-lived URL: a timeout, a size cap, retries with backoff for what may pass (timeouts,
//! 429, 5xx), and a check of the size and SHA-256 Telnyx declared. What cannot be fetched for
//! good leaves the item `unavailable` on its message, which is never lost. Either way the
//! message is announced again (`message.updated`).

use bytes::Bytes;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::StreamExt;

use super::storage::{self, MediaChanges, MediaRow};
use super::{allowed_type, sha256_hex, MediaError};
use crate::ids::MediaId;
use crate::jobs::{self, ClaimedJob, JobError, Outcome};
use crate::messages::{self, storage as message_storage};
use crate::realtime::events;
use crate::state::AppState;
use crate::wire::{FeedPayload, MediaStatus};

/// Why a fetch did not bring the bytes.
#[derive(Debug)]
enum Failure {
    /// Worth another attempt (a timeout, 429, 5xx, a store outage).
    Passing(String),
    /// Will not change (404 and the like, a size or hash that does not match).
    Lasting(String),
}

pub async fn run(
    state: &AppState,
    job: &ClaimedJob,
    media_id: MediaId,
) -> Result<Outcome, JobError> {
    let mut conn = state.pool.get().await?;
    let Some(item) = storage::find(&mut conn, media_id).await? else {
        return Ok(Outcome::Done);
    };
    if item.status != MediaStatus::Pending {
        return Ok(Outcome::Done);
    }
    drop(conn);
    let result = match item.source_url.clone() {
        None => Err(Failure::Lasting("Telnyx gave no URL for it".to_string())),
        Some(url) => download(state, &item, &url).await,
    };
    let result = match result {
        Ok((content_type, bytes)) => keep(state, &item, content_type, bytes).await,
        Err(failure) => Err(failure),
    };
    match result {
        Ok(()) => Ok(Outcome::Done),
        Err(Failure::Passing(reason)) if !job.is_last_attempt() => Ok(Outcome::RetryAt(
            jobs::retry_time(state.clock.now(), job.attempts),
            reason,
        )),
        Err(Failure::Passing(reason)) | Err(Failure::Lasting(reason)) => {
            give_up(state, media_id, &reason).await?;
            Ok(Outcome::Failed(reason))
        }
    }
}

/// GETs the URL, reading at most the cap (and no more than Telnyx declared).
async fn download(
    state: &AppState,
    item: &MediaRow,
    url: &str,
) -> Result<(Option<String>, Bytes), Failure> {
    let cap = state.settings.media.fetch_max_bytes;
    let response = state
        .media_http
        .get(url)
        .send()
        .await
        .map_err(|error| Failure::Passing(format!("fetching it failed: {error}")))?;
    let status = response.status();
    if status.as_u16() == 408 || status.as_u16() == 429 || status.is_server_error() {
        return Err(Failure::Passing(format!(
            "the carrier answered HTTP {status}"
        )));
    }
    if !status.is_success() {
        return Err(Failure::Lasting(format!(
            "the carrier answered HTTP {status}"
        )));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let declared = (item.size > 0).then_some(item.size as usize);
    let limit = declared.map_or(cap, |size| size.min(cap));
    let mut bytes = Vec::new();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|error| Failure::Passing(format!("reading it failed: {error}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(Failure::Lasting(match declared {
                Some(size) if size <= cap => {
                    format!("it is larger than the {size} bytes Telnyx declared")
                }
                _ => format!("it is larger than {cap} bytes"),
            }));
        }
        bytes.extend_from_slice(&chunk);
    }
    if let Some(size) = declared {
        if bytes.len() != size {
            return Err(Failure::Lasting(format!(
                "it has {} bytes; Telnyx declared {size}",
                bytes.len()
            )));
        }
    }
    Ok((content_type, Bytes::from(bytes)))
}

/// Checks the hash, keeps the bytes and marks the item stored, announcing its messages.
async fn keep(
    state: &AppState,
    item: &MediaRow,
    served_type: Option<String>,
    bytes: Bytes,
) -> Result<(), Failure> {
    let sha256 = sha256_hex(&bytes);
    if let Some(declared) = item.declared_sha256.as_deref() {
        if !declared.trim().eq_ignore_ascii_case(&sha256) {
            return Err(Failure::Lasting(format!(
                "its SHA-256 is {sha256}; Telnyx declared {declared}"
            )));
        }
    }
    // What Telnyx declared wins; else what the URL served, when it is a type we know.
    let content_type = if item.content_type.is_empty() {
        served_type
            .as_deref()
            .map(|served| allowed_type(served).map_or(served.to_string(), str::to_string))
            .unwrap_or_else(|| "application/octet-stream".to_string())
    } else {
        item.content_type.clone()
    };
    let now = state.clock.now();
    let changes = MediaChanges {
        status: Some(MediaStatus::Stored),
        content_type: Some(content_type),
        size: Some(bytes.len() as i64),
        sha256: Some(Some(sha256.clone())),
        source_url: Some(None),
        error: Some(None),
        updated_at: Some(now),
    };
    let mut conn = state
        .pool
        .get()
        .await
        .map_err(|error| Failure::Passing(error.to_string()))?;
    let store = &state.media;
    let result = conn
        .transaction::<_, MediaError, _>(async |conn| {
            storage::lock_content(conn, &sha256).await?;
            store.put_if_absent(&sha256, bytes).await?;
            if let Some(stored) = storage::settle_pending(conn, item.id, &changes).await? {
                announce(conn, &stored, now).await?;
            }
            Ok(())
        })
        .await;
    result.map_err(|error| Failure::Passing(error.to_string()))
}

/// The item cannot be fetched: it stays on its message as `unavailable`, with the reason.
pub async fn give_up(state: &AppState, media_id: MediaId, reason: &str) -> Result<(), JobError> {
    tracing::warn!(media = %media_id, %reason, "a customer's media is unavailable");
    let now = state.clock.now();
    let changes = MediaChanges {
        status: Some(MediaStatus::Unavailable),
        source_url: Some(None),
        error: Some(Some(reason.to_string())),
        updated_at: Some(now),
        ..Default::default()
    };
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        if let Some(item) = storage::settle_pending(conn, media_id, &changes).await? {
            announce(conn, &item, now).await?;
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// `message.updated` for each message that carries the item, in the caller's transaction.
/// The message row is locked before its items are read: two items of one message settled at
/// once are announced one after the other, so the later event sees both (not its sibling
/// still pending, as two snapshots taken side by side would).
async fn announce(
    conn: &mut AsyncPgConnection,
    item: &MediaRow,
    now: chrono::DateTime<chrono::Utc>,
) -> diesel::QueryResult<()> {
    let mut feed = Vec::new();
    for message_id in storage::messages_of(conn, item.id).await? {
        if let Some(row) = message_storage::find_for_update(conn, message_id).await? {
            feed.push(FeedPayload::MessageUpdated(
                messages::wire_of(conn, row).await?,
            ));
        }
    }
    if feed.is_empty() {
        return Ok(());
    }
    events::record_all(conn, item.tenant_id, feed, now).await
}
