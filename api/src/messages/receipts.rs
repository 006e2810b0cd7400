//! Delivery receipts (`message.sent`, `message.finalized`): move a message forward in its
//! status order, never backwards, whatever order or how often Telnyx delivers them.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::status;
use super::storage::{self, MessageChanges};
use crate::ids::{MessageId, TenantId};
use crate::jobs::{self, ClaimedJob, Job, JobError, Outcome};
use crate::state::AppState;
use crate::telnyx::wire::{describe_error_code, WebhookEvent};
use crate::wire::{Direction, MessageStatus};

#[derive(Debug, PartialEq)]
pub enum ReceiptOutcome {
    Applied {
        tenant_id: TenantId,
        message_id: MessageId,
    },
    /// A late or repeated receipt: the message is already at or past this status.
    Unchanged {
        tenant_id: TenantId,
        message_id: MessageId,
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
    sent_as: Option<MessageId>,
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
        status: Some(next),
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
    let blocked_by_stop = status::is_failure(next)
        && payload
            .errors
            .iter()
            .any(|error| error.code == super::schedule::BLOCKED_BY_STOP);
    let updated = storage::update(conn, message.id, &changes).await?;
    if blocked_by_stop {
        let conversation =
            crate::conversations::storage::find(conn, updated.tenant_id, updated.conversation_id)
                .await?;
        if let Some(conversation) = conversation {
            super::schedule::opted_out_at_carrier(
                conn,
                updated.tenant_id,
                &conversation.phone_number,
                now,
            )
            .await?;
        }
    }
    let applied = ReceiptOutcome::Applied {
        tenant_id: updated.tenant_id,
        message_id: updated.id,
    };
    super::announce_status(conn, updated, now).await?;
    Ok(applied)
}

/// The outbound message `id` takes the receipt's Telnyx id, when it has none and its text is
/// the receipt's.
async fn adopt(
    conn: &mut AsyncPgConnection,
    id: MessageId,
    event: &WebhookEvent,
    now: DateTime<Utc>,
) -> Result<Option<storage::MessageRow>, diesel::result::Error> {
    let payload = event.payload();
    let Some(message) = storage::find_for_update(conn, id).await? else {
        return Ok(None);
    };
    // The send's own record of this id committed while we waited for the row: it is the
    // message the receipt is about, and the receipt applies now rather than a second later.
    if message.telnyx_message_id.as_deref() == Some(payload.id.as_str()) {
        return Ok(Some(message));
    }
    let same_text = payload
        .text
        .as_deref()
        .is_none_or(|text| text == message.text);
    if message.telnyx_message_id.is_some() || message.direction != Direction::Outbound || !same_text
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

/// How long a receipt that came too early waits before it is tried again.
pub const DEFER: std::time::Duration = std::time::Duration::from_secs(1);

/// Keeps a receipt that came too early as a job, to apply once the send is recorded (its
/// caller wakes the receipts' lane after [`DEFER`]).
pub async fn defer(
    conn: &mut AsyncPgConnection,
    raw_event: &str,
    sent_as: Option<MessageId>,
    now: DateTime<Utc>,
) -> Result<(), diesel::result::Error> {
    let job = Job::ApplyReceipt {
        event: raw_event.to_string(),
        sent_as,
    };
    let due = now + chrono::Duration::from_std(DEFER).unwrap_or(chrono::Duration::seconds(1));
    jobs::enqueue(conn, None, &job, due, now).await?;
    Ok(())
}

/// The deferred receipt's job: applies it once its message carries Telnyx's id.
pub async fn apply_deferred(
    state: &AppState,
    job: &ClaimedJob,
    raw_event: &str,
    sent_as: Option<MessageId>,
) -> Result<Outcome, JobError> {
    let event = match WebhookEvent::parse(raw_event.as_bytes()) {
        Ok(event) => event,
        Err(error) => return Ok(Outcome::Failed(error.to_string())),
    };
    let now = state.clock.now();
    let mut conn = state.pool.get().await?;
    let outcome = conn
        .transaction(async |conn| apply(conn, &event, sent_as, now).await)
        .await?;
    Ok(match outcome {
        ReceiptOutcome::Unknown if !job.is_last_attempt() => Outcome::RetryAt(
            jobs::retry_time(now, job.attempts),
            format!("no message has Telnyx id {} yet", event.message_id()),
        ),
        ReceiptOutcome::Unknown => Outcome::Failed(format!(
            "no message ever had Telnyx id {}",
            event.message_id()
        )),
        _ => Outcome::Done,
    })
}
