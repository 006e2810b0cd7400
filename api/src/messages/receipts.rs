//! Delivery receipts (`message.sent`, `message.finalized`): move a message forward in its
//! status order, never backwards, whatever order or how often Telnyx delivers them.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::status;
use super::storage::{self, MessageChanges};
use crate::app::AppState;
use crate::jobs::worker::Outcome;
use crate::jobs::{self, ClaimedJob, JobKind, NewJob};
use crate::realtime::events::{self, EventType};
use crate::telnyx::wire::{describe_error_code, WebhookEvent};
use crate::wire::{Direction, Message, MessageStatus};

/// How long a receipt that came before its message's Telnyx id waits, at most.
const DEFERRED_ATTEMPTS: i32 = 12;

#[derive(Debug, PartialEq)]
pub enum ReceiptOutcome {
    Applied {
        tenant_id: Uuid,
        message_id: Uuid,
    },
    /// A late or repeated receipt: the message is already at or past this status.
    Unchanged {
        tenant_id: Uuid,
        message_id: Uuid,
    },
    /// No message carries this Telnyx id yet (the receipt overtook our own record of the send).
    Unknown,
}

/// Applies a receipt inside the caller's transaction. `sent_as` is the message id our
/// receipt URL named (see `outbox::receipt_webhook_url`): when no message carries the
/// receipt's Telnyx id yet, that message adopts it, provided it is still waiting for one and
/// the texts agree. So a hand-over whose answer we never read (a crash, a timeout) learns
/// its Telnyx id from the receipt instead of being sent twice.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    event: &WebhookEvent,
    sent_as: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<ReceiptOutcome, diesel::result::Error> {
    let payload = event.payload();
    let message = match storage::find_by_telnyx_id_for_update(conn, &payload.id).await? {
        Some(message) => message,
        None => match sent_as {
            Some(id) => match adopt(conn, id, event, now).await? {
                Some(message) => message,
                None => return Ok(ReceiptOutcome::Unknown),
            },
            None => return Ok(ReceiptOutcome::Unknown),
        },
    };
    let unchanged = ReceiptOutcome::Unchanged {
        tenant_id: message.tenant_id,
        message_id: message.id,
    };
    let Some(next) = payload
        .delivery_status()
        .and_then(|status| MessageStatus::parse(status.as_str()))
    else {
        return Ok(unchanged);
    };
    let current = message.status();
    if !status::may_advance(current, next) {
        return Ok(unchanged);
    }
    let mut changes = MessageChanges {
        status: Some(next.as_str().to_string()),
        updated_at: Some(now),
        ..Default::default()
    };
    if status::rank(next) >= status::rank(MessageStatus::Sent)
        && message.sent_at.is_none()
        && !status::is_failure(next)
    {
        changes.sent_at = Some(payload.sent_at_parsed().unwrap_or(now));
    }
    if next == MessageStatus::Delivered {
        changes.delivered_at = Some(payload.completed_at_parsed().unwrap_or(now));
    }
    if status::is_failure(next) || next == MessageStatus::DeliveryUnconfirmed {
        if let Some(error) = payload.errors.first() {
            let title = error
                .title
                .clone()
                .filter(|title| !title.is_empty())
                .or_else(|| describe_error_code(&error.code).map(str::to_string))
                .unwrap_or_else(|| "Delivery failed".to_string());
            changes.error_code = Some(Some(error.code.clone()));
            changes.error_title = Some(Some(title));
            changes.error_detail = Some(error.detail.clone());
        }
    }
    let updated = storage::update(conn, message.id, &changes).await?;
    events::record(
        conn,
        updated.tenant_id,
        EventType::MessageStatusUpdated,
        &Message::from(updated.clone()),
        now,
    )
    .await?;
    Ok(ReceiptOutcome::Applied {
        tenant_id: updated.tenant_id,
        message_id: updated.id,
    })
}

/// The outbound message `id` takes the receipt's Telnyx id, when it has none and its text is
/// the receipt's.
async fn adopt(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    event: &WebhookEvent,
    now: DateTime<Utc>,
) -> Result<Option<storage::MessageRow>, diesel::result::Error> {
    let payload = event.payload();
    let Some(message) = storage::find_for_update(conn, id).await? else {
        return Ok(None);
    };
    let same_text = payload
        .text
        .as_deref()
        .is_none_or(|text| text == message.text);
    if message.telnyx_message_id.is_some()
        || message.direction != Direction::Outbound.as_str()
        || !same_text
    {
        return Ok(None);
    }
    tracing::info!(message = %id, telnyx_id = %payload.id, "a receipt named the message whose hand-over was in doubt");
    let changes = MessageChanges {
        telnyx_message_id: Some(payload.id.clone()),
        send_started_at: Some(None),
        updated_at: Some(now),
        ..Default::default()
    };
    storage::update(conn, id, &changes).await.map(Some)
}

/// Keeps a receipt that came too early as a job, to apply once the send is recorded.
pub async fn defer(
    conn: &mut AsyncPgConnection,
    raw_event: &str,
    sent_as: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), diesel::result::Error> {
    jobs::enqueue(
        conn,
        NewJob {
            tenant_id: None,
            kind: JobKind::ApplyReceipt,
            payload: serde_json::json!({ "event": raw_event, "sent_as": sent_as }),
            max_attempts: DEFERRED_ATTEMPTS,
            run_at: now + chrono::Duration::seconds(1),
        },
        now,
    )
    .await
    .map(|_| ())
}

pub async fn apply_deferred(state: &AppState, job: &ClaimedJob) -> Outcome {
    let Some(raw) = job.payload.get("event").and_then(|value| value.as_str()) else {
        return Outcome::Failed("the deferred receipt has no event".into());
    };
    let event = match WebhookEvent::parse(raw.as_bytes()) {
        Ok(event) => event,
        Err(error) => return Outcome::Failed(error.to_string()),
    };
    let sent_as = job
        .payload
        .get("sent_as")
        .and_then(|value| value.as_str())
        .and_then(|id| id.parse().ok());
    let now = state.clock.now();
    let result = match state.pool.get().await {
        Ok(mut conn) => conn
            .transaction(async |conn| apply(conn, &event, sent_as, now).await)
            .await
            .map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    match result {
        Ok(ReceiptOutcome::Unknown) if !job.is_last_attempt() => {
            let wait = chrono::Duration::from_std(jobs::backoff(job.attempts))
                .unwrap_or(chrono::Duration::seconds(5));
            Outcome::RetryAt(
                now + wait,
                format!("no message has Telnyx id {} yet", event.message_id()),
            )
        }
        Ok(ReceiptOutcome::Unknown) => Outcome::Failed(format!(
            "no message ever had Telnyx id {}",
            event.message_id()
        )),
        Ok(_) => Outcome::Done,
        Err(error) => Outcome::RetryAt(now + chrono::Duration::seconds(5), error),
    }
}
