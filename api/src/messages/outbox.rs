//! The outbox worker's step: hand one queued message to Telnyx.
//!
//! A message Telnyx accepted carries Telnyx's id and is never sent again, whatever happens to
//! the job afterwards. Retryable failures (429, 5xx, timeouts) wait with backoff; a refusal
//! (other 4xx) fails the message with Telnyx's own error.

use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::pacing::{self, Limits};
use super::schedule::{self, Release};
use super::status;
use super::storage::{self, MessageChanges, MessageRow};
use crate::conversations::storage as conversation_storage;
use crate::ids::MessageId;
use crate::jobs::{self, ClaimedJob, JobError, Outcome};
use crate::media::storage as media_storage;
use crate::opt_outs::{self, GuardError};
use crate::phone_numbers;
use crate::realtime::events;
use crate::state::AppState;
use crate::telnyx::client::SendError as TelnyxError;
use crate::telnyx::wire::SendMessageRequest;
use crate::wire::FeedPayload;
use crate::wire::{MessageStatus, MessageType};

/// The error shown on a message that could not be handed over.
struct Failure {
    code: String,
    title: String,
    detail: Option<String>,
}

/// The job is out of attempts: the message shows that it was not handed over, or, when the
/// last hand-over's outcome is unknown, that it may have been.
pub async fn give_up(
    state: &AppState,
    job: &ClaimedJob,
    message_id: MessageId,
    reason: &str,
) -> Result<(), JobError> {
    let mut conn = state.pool.get().await?;
    let Some(message) = storage::find(&mut conn, message_id).await? else {
        return Ok(());
    };
    if message.telnyx_message_id.is_some() || status::is_final(message.status()) {
        return Ok(());
    }
    let (status, failure) = match message.send_started_at {
        Some(_) => (
            MessageStatus::DeliveryUnconfirmed,
            Failure {
                code: "unconfirmed".into(),
                title: "Telnyx may have received the message; no receipt came".into(),
                detail: Some(format!("Not sent again, to avoid a duplicate: {reason}")),
            },
        ),
        None => (
            MessageStatus::SendingFailed,
            Failure {
                code: "telnyx_unavailable".into(),
                title: "The message could not be handed to Telnyx".into(),
                detail: Some(format!("Gave up after {} attempts: {reason}", job.attempts)),
            },
        ),
    };
    fail_message(state, &mut conn, message.id, status, failure).await
}

/// The outbox step: hands the message to Telnyx unless it already has it.
pub async fn deliver(
    state: &AppState,
    job: &ClaimedJob,
    message_id: MessageId,
) -> Result<Outcome, JobError> {
    let mut conn = state.pool.get().await?;
    let Some(message) = storage::find(&mut conn, message_id).await? else {
        return Ok(Outcome::Failed("the message no longer exists".into()));
    };
    // A message that waits (sent later, or held by quiet hours) is released first.
    let message = if status::is_waiting(message.status()) {
        match schedule::release(state, message.id).await? {
            Release::Go(row) => *row,
            Release::NotYet(at, why) => return Ok(Outcome::Wait(at, why.into())),
            Release::Cancelled => return Ok(Outcome::Done),
        }
    } else {
        message
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
    let now = state.clock.now();
    if let Some(started) = message.send_started_at {
        // The last hand-over ended without an answer (a crash, a timeout): Telnyx may have
        // the message. Its receipt names our message (see `receipt_webhook_url`) and records
        // Telnyx's id; only when none comes in time is it sent again.
        let resend_at = started + in_doubt_wait(state);
        if now < resend_at {
            return Ok(Outcome::Wait(
                resend_at,
                "waiting for Telnyx's receipt of a hand-over whose outcome is unknown".into(),
            ));
        }
        tracing::warn!(message = %message.id, "no receipt for a hand-over in doubt; sending again");
    }
    let conversation =
        conversation_storage::find(&mut conn, message.tenant_id, message.conversation_id).await?;
    let Some(conversation) = conversation else {
        return Ok(Outcome::Failed("the conversation no longer exists".into()));
    };
    // The answer to STOP is the one text that goes to a number that opted out.
    let guard = if message.compliance_reply {
        Ok(())
    } else {
        opt_outs::ensure_can_text(&mut conn, message.tenant_id, &conversation.phone_number).await
    };
    if let Err(GuardError::Database(error)) = guard {
        return Err(error.into());
    }
    if let Err(GuardError::OptedOut(_)) = guard {
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
    // The number is chosen now, not when the message was queued: the tenant may have given
    // up the conversation's number since (and another tenant taken it).
    let Some(from) = phone_numbers::sending_number(
        &mut conn,
        message.tenant_id,
        &conversation.tenant_phone_number,
    )
    .await?
    else {
        let failure = Failure {
            code: "no_sending_number".into(),
            title: "No number to send from".into(),
            detail: Some(
                "The tenant has no Telnyx number any more; an admin adds one under phone numbers."
                    .into(),
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
        return Ok(Outcome::Failed(
            "the tenant has no number to send from".into(),
        ));
    };
    // Paced: the number and the account each keep to their rate. A slot reserved earlier
    // (the job waited for it) is used as it is.
    let slot = match message.send_slot_at {
        Some(slot) => slot,
        None => {
            let limits = Limits {
                number_rate: from.messages_per_second,
                account_rate: state.settings.telnyx.account_messages_per_second,
                burst: state.settings.telnyx.send_burst,
            };
            pacing::reserve(&mut conn, &from.number, limits, now).await?
        }
    };
    let wait = (slot - state.clock.now()).to_std().unwrap_or_default();
    if wait > MAX_PACING_SLEEP {
        let changes = MessageChanges {
            send_slot_at: Some(Some(slot)),
            ..Default::default()
        };
        storage::update(&mut conn, message.id, &changes).await?;
        return Ok(Outcome::Wait(
            slot,
            format!(
                "paced: {} sends {} a second",
                from.number, from.messages_per_second
            ),
        ));
    }
    if !wait.is_zero() {
        drop(conn);
        tokio::time::sleep(wait).await;
        conn = state.pool.get().await?;
    }
    let media_urls = media_urls(state, &mut conn, &message).await?;
    if !begin_hand_over(state, &mut conn, message.id).await? {
        // A receipt or another worker settled it meanwhile.
        return Ok(Outcome::Done);
    }
    drop(conn);

    let request = SendMessageRequest {
        from: from.number,
        to: conversation.phone_number.clone(),
        text: message.text.clone(),
        messaging_profile_id: from.messaging_profile_id,
        webhook_url: Some(receipt_webhook_url(&state.webhook_url(), message.id)),
        r#type: media_urls.as_ref().map(|_| "MMS".to_string()),
        media_urls,
        ..Default::default()
    };
    let result = state.telnyx.send_message(&request).await;
    let mut conn = state.pool.get().await?;
    match result {
        Ok(record) => {
            record_acceptance(state, &mut conn, message.id, &record.id).await?;
            Ok(Outcome::Done)
        }
        // An unreadable 2xx: Telnyx most likely took the message, so it is not sent again;
        // a receipt may still bring its id and real status.
        Err(error @ TelnyxError::InvalidResponse(_)) => {
            let failure = failure_of(&error, job);
            fail_message(
                state,
                &mut conn,
                message.id,
                MessageStatus::DeliveryUnconfirmed,
                failure,
            )
            .await?;
            Ok(Outcome::Failed(error.to_string()))
        }
        // The request went out and no answer came: wait for a receipt before sending again.
        Err(error) if error.outcome_unknown() => Ok(Outcome::RetryAt(
            state.clock.now() + in_doubt_wait(state),
            error.to_string(),
        )),
        // Telnyx asks us to slow down (429) or its queue for the number is full (40318):
        // nothing is wrong with the message, so it waits without spending an attempt.
        Err(error) if is_slow_down(&error) => {
            end_hand_over(state, &mut conn, message.id).await?;
            let wait = error.retry_after().unwrap_or(SLOW_DOWN_WAIT);
            let at = state.clock.now()
                + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(30));
            Ok(Outcome::Wait(at, error.to_string()))
        }
        Err(error) if error.is_retryable() && !job.is_last_attempt() => {
            end_hand_over(state, &mut conn, message.id).await?;
            let wait = jobs::backoff(job.attempts);
            let at = state.clock.now()
                + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(30));
            Ok(Outcome::RetryAt(at, error.to_string()))
        }
        Err(error) => {
            let failure = failure_of(&error, job);
            fail_message(
                state,
                &mut conn,
                message.id,
                MessageStatus::SendingFailed,
                failure,
            )
            .await?;
            if is_blocked_by_stop(&error) {
                carrier_opted_out(state, &mut conn, &message, &conversation.phone_number).await?;
            }
            Ok(Outcome::Failed(error.to_string()))
        }
    }
}

fn is_blocked_by_stop(error: &TelnyxError) -> bool {
    match error {
        TelnyxError::Rejected { errors, .. } => {
            errors.iter().any(|e| e.code == schedule::BLOCKED_BY_STOP)
        }
        _ => false,
    }
}

/// Telnyx knows of an opt-out we did not (the STOP reached Telnyx but not us): the number is
/// opted out here too, and what waits for it is cancelled.
async fn carrier_opted_out(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    message: &MessageRow,
    phone: &str,
) -> Result<(), JobError> {
    let now = state.clock.now();
    let tenant_id = message.tenant_id;
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        schedule::opted_out_at_carrier(conn, tenant_id, phone, now).await
    })
    .await?;
    Ok(())
}

/// An MMS's items as links Telnyx can fetch without a bearer token: signed, expiring URLs
/// under `PARLEY_PUBLIC_URL`, made fresh for each hand-over. `None` for an SMS.
async fn media_urls(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    message: &MessageRow,
) -> Result<Option<Vec<String>>, JobError> {
    if message.message_type != MessageType::Mms {
        return Ok(None);
    }
    let now = state.clock.now();
    let items = media_storage::of_messages(conn, &[message.id])
        .await?
        .remove(&message.id)
        .unwrap_or_default();
    Ok(Some(
        items
            .iter()
            .map(|item| {
                format!(
                    "{}{}",
                    state.public_url.trim_end_matches('/'),
                    state.media_links.sign(item.id, now)
                )
            })
            .collect(),
    ))
}

/// The longest a send sleeps for its slot while holding a worker's slot; a later slot is
/// waited for as a postponed job.
const MAX_PACING_SLEEP: std::time::Duration = std::time::Duration::from_secs(1);
/// How long a send waits after 429 without `Retry-After`, or after 40318 (queue full).
const SLOW_DOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
/// Telnyx's error code for a sender's queue that is full.
pub const QUEUE_FULL: &str = "40318";

/// Telnyx asks us to send more slowly: 429, or a full queue (40318).
fn is_slow_down(error: &TelnyxError) -> bool {
    match error {
        TelnyxError::RateLimited { .. } => true,
        TelnyxError::Rejected { errors, .. } | TelnyxError::Server { errors, .. } => {
            errors.iter().any(|e| e.code == QUEUE_FULL)
        }
        _ => false,
    }
}

fn in_doubt_wait(state: &AppState) -> chrono::Duration {
    chrono::Duration::from_std(state.settings.send_in_doubt_wait)
        .unwrap_or(chrono::Duration::minutes(2))
}

/// Where Telnyx posts this message's receipts: our webhook, naming the message, so that a
/// receipt of a hand-over whose answer we never read still finds its message.
pub fn receipt_webhook_url(webhook_url: &str, message_id: MessageId) -> String {
    let separator = if webhook_url.contains('?') { '&' } else { '?' };
    format!("{webhook_url}{separator}{RECEIPT_PARAMETER}={message_id}")
}

/// The query parameter of [`receipt_webhook_url`].
pub const RECEIPT_PARAMETER: &str = "message_id";

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
    id: MessageId,
    allowed: impl Fn(&MessageRow) -> bool + Sync,
    changes: MessageChanges,
) -> Result<(), JobError> {
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
        super::announce_status(conn, updated, now).await
    })
    .await
    .map_err(JobError::from)
}

/// Records, before the request goes out, that a hand-over begins (the message is `sending`
/// and in doubt until its answer is recorded); false when the message no longer needs it.
async fn begin_hand_over(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    id: MessageId,
) -> Result<bool, JobError> {
    let now = state.clock.now();
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        let Some(current) = storage::find_for_update(conn, id).await? else {
            return Ok(false);
        };
        if current.telnyx_message_id.is_some() || status::is_final(current.status()) {
            return Ok(false);
        }
        let first = current.status() == MessageStatus::Queued;
        let changes = MessageChanges {
            status: first.then_some(MessageStatus::Sending),
            send_started_at: Some(Some(now)),
            // The slot is spent; a retry reserves a new one.
            send_slot_at: Some(None),
            updated_at: Some(now),
            ..Default::default()
        };
        let updated = storage::update(conn, id, &changes).await?;
        if first {
            let tenant_id = updated.tenant_id;
            let message = super::wire_of(conn, updated).await?;
            events::record(
                conn,
                tenant_id,
                FeedPayload::MessageStatusUpdated(message),
                now,
            )
            .await?;
        }
        Ok(true)
    })
    .await
    .map_err(JobError::from)
}

/// Telnyx answered that it did not take the message: it is no longer in doubt.
async fn end_hand_over(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    id: MessageId,
) -> Result<(), JobError> {
    let changes = MessageChanges {
        send_started_at: Some(None),
        updated_at: Some(state.clock.now()),
        ..Default::default()
    };
    storage::update(conn, id, &changes).await?;
    Ok(())
}

async fn record_acceptance(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    id: MessageId,
    telnyx_id: &str,
) -> Result<(), JobError> {
    let changes = MessageChanges {
        telnyx_message_id: Some(telnyx_id.to_string()),
        send_started_at: Some(None),
        ..Default::default()
    };
    change_message(state, conn, id, |_| true, changes).await
}

async fn fail_message(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    id: MessageId,
    status: MessageStatus,
    failure: Failure,
) -> Result<(), JobError> {
    // A refusal settles the doubt; an unconfirmed hand-over stays matchable to its receipt.
    let in_doubt = status == MessageStatus::DeliveryUnconfirmed;
    let changes = MessageChanges {
        status: Some(status),
        send_started_at: (!in_doubt).then_some(None),
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
