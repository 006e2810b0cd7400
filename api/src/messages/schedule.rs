//! Messages that wait: sent later (`scheduled`) or held by the recipient's quiet hours
//! (`held_quiet_hours`). When a new outbound message leaves ([`plan`]); editing, cancelling
//! and sending one now while it waits; releasing it when it comes due (the outbox's first
//! step, [`release`]); and cancelling what waits for a customer who opted out.
//!
//! The outbox owns the schedule: the send job runs at the message's time, whatever the
//! horizon (Telnyx's own `send_at` reaches only five days), and the message row, locked,
//! decides; a restart or a second worker finds the same row and neither skips nor doubles it.

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::storage::{self, MessageChanges, MessageRow};
use super::{status, Dispatch, SendError, SmsText};
use crate::auth::Caller;
use crate::conversations::storage::{self as conversation_storage, ConversationRow};
use crate::ids::{MessageId, TenantId};
use crate::jobs::{self, JobError, JobKind};
use crate::realtime::events;
use crate::settings;
use crate::sms;
use crate::state::AppState;
use crate::wire::{FeedPayload, Message, MessageStatus, MessageType, UpdateMessage};

/// How far ahead a message may be scheduled.
pub const MAX_AHEAD_DAYS: i64 = 365;
/// A reply this soon after the customer's own message is never held by quiet hours.
const REPLY_WINDOW_HOURS: i64 = 24;

/// A requested `send_at`: in the future and at most a year ahead.
pub fn check_send_at(
    send_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, SendError> {
    if send_at <= now {
        return Err(SendError::InvalidSendAt(format!(
            "`send_at` ({}) is not in the future; leave it out to send now.",
            send_at.to_rfc3339()
        )));
    }
    if send_at > now + Duration::days(MAX_AHEAD_DAYS) {
        return Err(SendError::InvalidSendAt(format!(
            "`send_at` ({}) is more than a year ahead.",
            send_at.to_rfc3339()
        )));
    }
    Ok(send_at)
}

/// How a new outbound message starts out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub status: MessageStatus,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub held_until: Option<DateTime<Utc>>,
    pub quiet_hours_apply: bool,
    /// When its send job runs.
    pub run_at: DateTime<Utc>,
}

/// The plan for a message to `conversation`'s customer, sent `dispatch`.
pub async fn plan(
    conn: &mut AsyncPgConnection,
    conversation: &ConversationRow,
    dispatch: Dispatch,
    now: DateTime<Utc>,
) -> diesel::QueryResult<Plan> {
    let at_once = Plan {
        status: MessageStatus::Queued,
        scheduled_at: None,
        held_until: None,
        quiet_hours_apply: false,
        run_at: now,
    };
    Ok(match dispatch {
        Dispatch::Now => at_once,
        Dispatch::At(send_at) => Plan {
            status: MessageStatus::Scheduled,
            scheduled_at: Some(send_at),
            quiet_hours_apply: true,
            run_at: send_at,
            ..at_once
        },
        Dispatch::NowUnlessQuiet => match quiet_hold(conn, conversation, now).await? {
            Some(until) => Plan {
                status: MessageStatus::HeldQuietHours,
                held_until: Some(until),
                quiet_hours_apply: true,
                run_at: until,
                ..at_once
            },
            None => Plan {
                quiet_hours_apply: true,
                ..at_once
            },
        },
    })
}

/// Until when quiet hours hold a message to the conversation's customer at `at`; never a
/// reply within a day of the customer's own last message.
async fn quiet_hold(
    conn: &mut AsyncPgConnection,
    conversation: &ConversationRow,
    at: DateTime<Utc>,
) -> diesel::QueryResult<Option<DateTime<Utc>>> {
    let settings = settings::of_tenant(conn, conversation.tenant_id).await?;
    let Some(until) = settings.quiet_release(&conversation.phone_number, at) else {
        return Ok(None);
    };
    let last_heard =
        storage::last_inbound_at(conn, conversation.tenant_id, &conversation.phone_number).await?;
    if last_heard.is_some_and(|heard| at - heard < Duration::hours(REPLY_WINDOW_HOURS)) {
        return Ok(None);
    }
    Ok(Some(until))
}

/// What the outbox does with a waiting message it was woken for.
#[derive(Debug)]
pub enum Release {
    /// Send it now: the row as it stands (`queued`).
    Go(Box<MessageRow>),
    /// Not yet: run again at this time.
    NotYet(DateTime<Utc>, &'static str),
    /// It was cancelled (by an agent, or by the customer's opt-out): nothing to send.
    Cancelled,
}

/// The outbox's first step for a message that waits: still early, now held by quiet hours,
/// cancelled by an opt-out, or released (`queued`, announced, counted as the conversation's
/// activity).
pub async fn release(state: &AppState, message_id: MessageId) -> Result<Release, JobError> {
    let now = state.clock.now();
    let mut conn = state.pool.get().await?;
    let release = conn
        .transaction::<_, diesel::result::Error, _>(async |conn| {
            let Some(message) = storage::find_for_update(conn, message_id).await? else {
                return Ok(Release::Cancelled);
            };
            match message.status() {
                MessageStatus::Cancelled => return Ok(Release::Cancelled),
                current if !status::is_waiting(current) => {
                    return Ok(Release::Go(Box::new(message)))
                }
                _ => {}
            }
            let due = match message.status() {
                MessageStatus::HeldQuietHours => message.held_until,
                _ => message.scheduled_at,
            };
            if let Some(due) = due.filter(|due| *due > now) {
                return Ok(Release::NotYet(due, "scheduled"));
            }
            let Some(conversation) =
                conversation_storage::find(conn, message.tenant_id, message.conversation_id)
                    .await?
            else {
                return Ok(Release::Cancelled);
            };
            if crate::opt_outs::storage::is_opted_out(
                conn,
                message.tenant_id,
                &conversation.phone_number,
            )
            .await?
            {
                cancel_row(conn, message, CancelledBy::OptOut, now).await?;
                return Ok(Release::Cancelled);
            }
            if message.quiet_hours_apply {
                if let Some(until) = quiet_hold(conn, &conversation, now).await? {
                    let changes = MessageChanges {
                        status: Some(MessageStatus::HeldQuietHours),
                        held_until: Some(Some(until)),
                        updated_at: Some(now),
                        ..Default::default()
                    };
                    let held = storage::update(conn, message.id, &changes).await?;
                    super::announce_status(conn, held, now).await?;
                    return Ok(Release::NotYet(
                        until,
                        "held for the recipient's quiet hours",
                    ));
                }
            }
            let queued = queue_waiting(conn, message, now).await?;
            Ok(Release::Go(Box::new(queued)))
        })
        .await?;
    Ok(release)
}

/// A waiting message leaves: `queued` for the outbox, announced, and (when it was scheduled)
/// the conversation's latest activity from now on.
async fn queue_waiting(
    conn: &mut AsyncPgConnection,
    message: MessageRow,
    now: DateTime<Utc>,
) -> diesel::QueryResult<MessageRow> {
    let was_scheduled = message.status() == MessageStatus::Scheduled;
    let changes = MessageChanges {
        status: Some(MessageStatus::Queued),
        held_until: Some(None),
        updated_at: Some(now),
        ..Default::default()
    };
    let queued = storage::update(conn, message.id, &changes).await?;
    if was_scheduled {
        let updated = conversation_storage::record_activity(
            conn,
            queued.conversation_id,
            &queued.text,
            queued.author,
            now,
        )
        .await?;
        // Only a customer who has not opted out gets here.
        let opted_out = false;
        events::record(
            conn,
            queued.tenant_id,
            FeedPayload::ConversationUpdated(updated.into_wire(opted_out)),
            now,
        )
        .await?;
    }
    super::announce_status(conn, queued.clone(), now).await?;
    Ok(queued)
}

/// Who cancelled a waiting message, as its error says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CancelledBy {
    Team,
    OptOut,
}

/// Marks a waiting message cancelled and announces it (inside the caller's transaction); its
/// send job finds it cancelled and ends.
async fn cancel_row(
    conn: &mut AsyncPgConnection,
    message: MessageRow,
    by: CancelledBy,
    now: DateTime<Utc>,
) -> diesel::QueryResult<MessageRow> {
    let (code, title) = match by {
        CancelledBy::Team => ("cancelled", "Cancelled before it was sent"),
        CancelledBy::OptOut => (
            "opted_out",
            "Cancelled: the customer opted out before it was due",
        ),
    };
    let changes = MessageChanges {
        status: Some(MessageStatus::Cancelled),
        held_until: Some(None),
        error_code: Some(Some(code.to_string())),
        error_title: Some(Some(title.to_string())),
        updated_at: Some(now),
        ..Default::default()
    };
    let cancelled = storage::update(conn, message.id, &changes).await?;
    // Settle the send job now rather than at the message's time.
    jobs::storage::reschedule_send(conn, cancelled.id, now, now).await?;
    super::announce_status(conn, cancelled.clone(), now).await?;
    Ok(cancelled)
}

/// Cancels everything still waiting for `phone` (inside the opt-out's transaction).
pub async fn cancel_waiting_for(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone: &str,
    now: DateTime<Utc>,
) -> diesel::QueryResult<usize> {
    let waiting = storage::waiting_for_phone_for_update(conn, tenant_id, phone).await?;
    let count = waiting.len();
    for message in waiting {
        cancel_row(conn, message, CancelledBy::OptOut, now).await?;
    }
    Ok(count)
}

/// Telnyx's error code for a recipient who texted STOP to the sending number.
pub const BLOCKED_BY_STOP: &str = "40300";

/// Telnyx refused a send with 40300: it knows of a STOP that never reached us. The number is
/// opted out here too and what waits for it is cancelled (inside the caller's transaction).
pub async fn opted_out_at_carrier(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    phone: &str,
    now: DateTime<Utc>,
) -> diesel::QueryResult<()> {
    crate::opt_outs::opt_out(conn, tenant_id, phone, "TELNYX 40300", now).await?;
    cancel_waiting_for(conn, tenant_id, phone, now).await?;
    Ok(())
}

/// The tenant's waiting message `id`, locked; `NotScheduled` once it left or was cancelled.
async fn waiting_message(
    conn: &mut AsyncPgConnection,
    tenant_id: TenantId,
    id: MessageId,
) -> Result<MessageRow, SendError> {
    let message = storage::find_in_tenant_for_update(conn, tenant_id, id)
        .await?
        .ok_or(SendError::MessageNotFound)?;
    if !status::is_waiting(message.status()) {
        return Err(SendError::NotScheduled(
            message.status().as_str().to_string(),
        ));
    }
    Ok(message)
}

/// Changes a waiting message's text or time (a held message given a time is scheduled
/// again). Announced as `message.updated`.
pub async fn edit(
    state: &AppState,
    caller: &Caller,
    id: MessageId,
    update: UpdateMessage,
) -> Result<Message, SendError> {
    let now = state.clock.now();
    let send_at = update
        .send_at
        .map(|send_at| check_send_at(send_at, now))
        .transpose()?;
    let tenant_id = caller.tenant_id;
    let mut conn = state.db().await?;
    let message = conn
        .transaction::<_, SendError, _>(async |conn| {
            let message = waiting_message(conn, tenant_id, id).await?;
            let mut changes = MessageChanges {
                updated_at: Some(now),
                ..Default::default()
            };
            if let Some(text) = update.text {
                let text = if message.message_type == MessageType::Mms {
                    SmsText::parse_optional(text, "text")?
                } else {
                    SmsText::parse(text, "text")?
                };
                let info = sms::analyze(text.as_str());
                changes.encoding = Some(info.encoding);
                if message.message_type == MessageType::Sms {
                    changes.segments = Some(info.segments as i32);
                }
                changes.text = Some(text.as_str().to_string());
            }
            if let Some(send_at) = send_at {
                changes.status = Some(MessageStatus::Scheduled);
                changes.scheduled_at = Some(Some(send_at));
                changes.held_until = Some(None);
                changes.quiet_hours_apply = Some(true);
                jobs::storage::reschedule_send(conn, message.id, send_at, now).await?;
            }
            let updated = storage::update(conn, message.id, &changes).await?;
            let wire = super::wire_of(conn, updated).await?;
            events::record(
                conn,
                tenant_id,
                FeedPayload::MessageUpdated(wire.clone()),
                now,
            )
            .await?;
            Ok(wire)
        })
        .await?;
    state.jobs_wake.notify(JobKind::SendSms);
    Ok(message)
}

/// Cancels a waiting message; it stays in the history as `cancelled`.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    id: MessageId,
) -> Result<Message, SendError> {
    let now = state.clock.now();
    let tenant_id = caller.tenant_id;
    let mut conn = state.db().await?;
    let message = conn
        .transaction::<_, SendError, _>(async |conn| {
            let message = waiting_message(conn, tenant_id, id).await?;
            let cancelled = cancel_row(conn, message, CancelledBy::Team, now).await?;
            Ok(super::wire_of(conn, cancelled).await?)
        })
        .await?;
    state.jobs_wake.notify(JobKind::SendSms);
    Ok(message)
}

/// An admin sends a waiting message at once, past its time and the recipient's quiet hours.
pub async fn send_now(
    state: &AppState,
    caller: &Caller,
    id: MessageId,
) -> Result<Message, SendError> {
    caller.require_admin()?;
    let now = state.clock.now();
    let tenant_id = caller.tenant_id;
    let mut conn = state.db().await?;
    let message = conn
        .transaction::<_, SendError, _>(async |conn| {
            let message = waiting_message(conn, tenant_id, id).await?;
            let conversation = conversation_storage::find(conn, tenant_id, message.conversation_id)
                .await?
                .ok_or(SendError::ConversationNotFound)?;
            crate::opt_outs::ensure_can_text(conn, tenant_id, &conversation.phone_number).await?;
            // Quiet hours lifted for good: the outbox sends it as it is.
            let changes = MessageChanges {
                quiet_hours_apply: Some(false),
                ..Default::default()
            };
            let message = storage::update(conn, message.id, &changes).await?;
            let queued = queue_waiting(conn, message, now).await?;
            jobs::storage::reschedule_send(conn, queued.id, now, now).await?;
            Ok(super::wire_of(conn, queued).await?)
        })
        .await?;
    state.jobs_wake.notify(JobKind::SendSms);
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_at_is_in_the_future_and_within_a_year() {
        let now = Utc::now();
        assert!(check_send_at(now + Duration::minutes(5), now).is_ok());
        assert!(check_send_at(now + Duration::days(365), now).is_ok());
        assert!(matches!(
            check_send_at(now, now),
            Err(SendError::InvalidSendAt(_))
        ));
        assert!(matches!(
            check_send_at(now - Duration::minutes(1), now),
            Err(SendError::InvalidSendAt(_))
        ));
        assert!(matches!(
            check_send_at(now + Duration::days(366), now),
            Err(SendError::InvalidSendAt(_))
        ));
    }
}
