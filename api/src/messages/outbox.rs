//! The outbox worker's step: hand one queued message to Telnyx.
//!
//! A message Telnyx accepted carries Telnyx's id and is never sent again, whatever happens to
//! the job afterwards. Retryable failures (429, 5xx, timeouts) wait with backoff; a refusal
//! (other 4xx) fails the message with Telnyx's own error.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::status;
use super::storage::{self, MessageChanges, MessageRow};
use crate::app::AppState;
use crate::conversations::storage as conversation_storage;
use crate::jobs::worker::Outcome;
use crate::jobs::{self, ClaimedJob};
use crate::opt_outs;
use crate::phone_numbers;
use crate::realtime::events::{self, EventType};
use crate::telnyx::client::SendError as TelnyxError;
use crate::telnyx::wire::SendMessageRequest;
use crate::wire::{Message, MessageStatus};

#[derive(serde::Deserialize)]
struct Payload {
    message_id: Uuid,
}

/// The error shown on a message that could not be handed over.
struct Failure {
    code: String,
    title: String,
    detail: Option<String>,
}

pub async fn deliver(state: &AppState, job: &ClaimedJob) -> Outcome {
    match try_deliver(state, job).await {
        Ok(outcome) => outcome,
        // A database hiccup: try again soon; the message has not changed.
        Err(error) => Outcome::RetryAt(state.clock.now() + chrono::Duration::seconds(5), error),
    }
}

async fn try_deliver(state: &AppState, job: &ClaimedJob) -> Result<Outcome, String> {
    let payload: Payload =
        serde_json::from_value(job.payload.clone()).map_err(|e| e.to_string())?;
    let mut conn = state.pool.get().await.map_err(|e| e.to_string())?;
    let Some(message) = storage::find(&mut conn, payload.message_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(Outcome::Failed("the message no longer exists".into()));
    };
    if message.telnyx_message_id.is_some()
        || status::rank(message.status()) >= status::rank(MessageStatus::Sent)
    {
        // Telnyx already has it: never a second send.
        return Ok(Outcome::Done);
    }
    if status::is_final(message.status()) {
        return Ok(Outcome::Done);
    }
    let conversation =
        conversation_storage::find(&mut conn, message.tenant_id, message.conversation_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the conversation no longer exists")?;
    if opt_outs::storage::is_opted_out(&mut conn, message.tenant_id, &conversation.phone_number)
        .await
        .map_err(|e| e.to_string())?
    {
        let failure = Failure {
            code: "opted_out".into(),
            title: "Recipient opted out".into(),
            detail: Some(
                "The customer replied STOP before this message left; it was not sent.".into(),
            ),
        };
        fail_message(
            state,
            &mut conn,
            message.id,
            MessageStatus::SendingFailed,
            failure,
        )
        .await?;
        return Ok(Outcome::Failed("recipient opted out".into()));
    }
    let profile =
        phone_numbers::storage::find_by_number(&mut conn, &conversation.tenant_phone_number)
            .await
            .map_err(|e| e.to_string())?
            .and_then(|number| number.messaging_profile_id);
    mark_sending(state, &mut conn, &message).await?;
    drop(conn);

    let request = SendMessageRequest {
        from: conversation.tenant_phone_number.clone(),
        to: conversation.phone_number.clone(),
        text: message.text.clone(),
        messaging_profile_id: profile,
        webhook_url: Some(state.webhook_url()),
        ..Default::default()
    };
    let result = state.telnyx.send_message(&request).await;
    let mut conn = state.pool.get().await.map_err(|e| e.to_string())?;
    match result {
        Ok(record) => {
            record_acceptance(state, &mut conn, message.id, &record.id).await?;
            Ok(Outcome::Done)
        }
        Err(error) if error.is_retryable() && !job.is_last_attempt() => {
            let wait = match &error {
                TelnyxError::RateLimited {
                    retry_after: Some(after),
                } => (*after).max(jobs::backoff(job.attempts)),
                _ => jobs::backoff(job.attempts),
            };
            let at = state.clock.now()
                + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(30));
            Ok(Outcome::RetryAt(at, error.to_string()))
        }
        Err(error) => {
            // An unreadable 2xx: Telnyx most likely took the message, so it is not sent again.
            let status = match error {
                TelnyxError::InvalidResponse(_) => MessageStatus::DeliveryUnconfirmed,
                _ => MessageStatus::SendingFailed,
            };
            let failure = failure_of(&error, job);
            fail_message(state, &mut conn, message.id, status, failure).await?;
            Ok(Outcome::Failed(error.to_string()))
        }
    }
}

fn failure_of(error: &TelnyxError, job: &ClaimedJob) -> Failure {
    match error {
        TelnyxError::InvalidResponse(detail) => Failure {
            code: "unconfirmed".into(),
            title: "Telnyx's answer could not be read; the message was probably sent".into(),
            detail: Some(detail.clone()),
        },
        TelnyxError::Rejected { errors, status } => match errors.first() {
            Some(first) => Failure {
                code: first.code.clone(),
                title: first
                    .title
                    .clone()
                    .unwrap_or_else(|| format!("Telnyx refused the message (HTTP {status})")),
                detail: first.detail.clone(),
            },
            None => Failure {
                code: format!("http_{status}"),
                title: format!("Telnyx refused the message (HTTP {status})"),
                detail: None,
            },
        },
        other => Failure {
            code: "telnyx_unavailable".into(),
            title: "Telnyx did not accept the message".into(),
            detail: Some(format!("Gave up after {} attempts: {other}", job.attempts)),
        },
    }
}

/// Changes the locked message when `allowed` says its current state permits, and announces
/// the change on the feed, in one transaction.
async fn change_message(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    id: Uuid,
    allowed: impl Fn(&MessageRow) -> bool + Sync,
    changes: MessageChanges,
) -> Result<(), String> {
    let now = state.clock.now();
    let changes = MessageChanges {
        updated_at: Some(now),
        ..changes
    };
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        let Some(current) = storage::find_for_update(conn, id).await? else {
            return Ok(());
        };
        if !allowed(&current) {
            return Ok(());
        }
        let updated = storage::update(conn, id, &changes).await?;
        events::record(
            conn,
            updated.tenant_id,
            EventType::MessageStatusUpdated,
            &Message::from(updated),
            now,
        )
        .await?;
        Ok(())
    })
    .await
    .map_err(|e| e.to_string())
}

async fn mark_sending(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    message: &MessageRow,
) -> Result<(), String> {
    if message.status() != MessageStatus::Queued {
        return Ok(());
    }
    let changes = MessageChanges {
        status: Some(MessageStatus::Sending.as_str().into()),
        ..Default::default()
    };
    change_message(
        state,
        conn,
        message.id,
        |current| status::may_advance(current.status(), MessageStatus::Sending),
        changes,
    )
    .await
}

async fn record_acceptance(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    id: Uuid,
    telnyx_id: &str,
) -> Result<(), String> {
    let changes = MessageChanges {
        telnyx_message_id: Some(telnyx_id.to_string()),
        ..Default::default()
    };
    change_message(state, conn, id, |_| true, changes).await
}

async fn fail_message(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: MessageStatus,
    failure: Failure,
) -> Result<(), String> {
    let changes = MessageChanges {
        status: Some(status.as_str().into()),
        error_code: Some(Some(failure.code)),
        error_title: Some(Some(failure.title)),
        error_detail: Some(failure.detail),
        ..Default::default()
    };
    change_message(
        state,
        conn,
        id,
        |current| status::may_advance(current.status(), status),
        changes,
    )
    .await
}
