//! Messages: sending (validated, stored as `queued`, handed to the outbox in one
//! transaction), history, and the status a message moves through.

pub mod outbox;
pub mod pacing;
pub mod receipts;
pub mod routes;
pub mod schedule;
pub mod status;
pub mod storage;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use crate::auth::Caller;
use crate::conversations::storage::{
    self as conversation_storage, ConversationChanges, ConversationRow,
};
use crate::error::ApiError;
use crate::ids::{ConversationId, MediaId, MessageId, UserId};
use crate::jobs::{self, Job};
use crate::media::storage::{self as media_storage, MediaRow};
use crate::media::{MAX_MEDIA_PER_MESSAGE, MAX_MMS_BYTES};
use crate::opt_outs::{self, GuardError};
use crate::pagination::{page_from, Cursor};
use crate::phone_numbers;
use crate::realtime::events;
use crate::sms;
use crate::state::AppState;
use crate::wire::FeedPayload;
use crate::wire::{
    AiProvider, Author, Direction, Media, MediaStatus, Message, MessageStatus, MessageType, Page,
    SendMessage,
};
use storage::MessageRow;

pub use crate::sms::{MAX_SEGMENTS, MAX_TEXT_CHARS};

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("The message is empty; write something to send.")]
    EmptyText { field: &'static str },
    #[error("The message needs {segments} SMS segments; the limit is {MAX_SEGMENTS} (1,530 GSM-7 or 670 Unicode characters).")]
    TooLong { field: &'static str, segments: u32 },
    #[error("{0} has opted out (replied STOP): nothing can be sent until they reply START.")]
    OptedOut(String),
    #[error("The customer has another active conversation; write there instead.")]
    AnotherActive,
    #[error(
        "The tenant has no Telnyx number to send from; an admin adds one under phone numbers."
    )]
    NoSendingNumber,
    #[error("conversation not found")]
    ConversationNotFound,
    #[error("message not found")]
    MessageNotFound,
    #[error("{0}")]
    NotRetryable(String),
    #[error("An MMS carries 1 to {MAX_MEDIA_PER_MESSAGE} items; leave `media_ids` out to send text only.")]
    MediaCount,
    #[error("No uploaded item has the id {0}; upload it first (POST /api/v1/media).")]
    UnknownMedia(MediaId),
    #[error(
        "Item {0} cannot be sent: it is not stored (a customer's item that could not be fetched)."
    )]
    MediaUnavailable(MediaId),
    #[error("Pictures and files (MMS) reach only numbers in the US and Canada; {0} is not one.")]
    MmsNotSupported(String),
    #[error("The items add up to {0} bytes; an MMS carries at most {MAX_MMS_BYTES} (1 MB).")]
    MmsTooLarge(i64),
    #[error("{0}")]
    InvalidSendAt(String),
    #[error("Only a message that waits (scheduled, or held for quiet hours) can be changed, cancelled or sent now; this one is {0}.")]
    NotScheduled(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<GuardError> for SendError {
    fn from(error: GuardError) -> Self {
        match error {
            GuardError::OptedOut(phone) => SendError::OptedOut(phone),
            GuardError::Database(error) => error.into(),
        }
    }
}

impl From<SendError> for ApiError {
    fn from(error: SendError) -> Self {
        let message = error.to_string();
        match error {
            SendError::EmptyText { field } => ApiError::invalid("empty_message", field, message),
            SendError::TooLong { field, .. } => {
                ApiError::invalid("message_too_long", field, message)
            }
            SendError::OptedOut(_) => ApiError::conflict("opted_out", None, message),
            SendError::AnotherActive => {
                ApiError::conflict("conversation_closed", Some("status"), message)
            }
            SendError::NoSendingNumber => ApiError::conflict("no_sending_number", None, message),
            SendError::ConversationNotFound => ApiError::not_found("conversation"),
            SendError::MessageNotFound => ApiError::not_found("message"),
            SendError::NotRetryable(_) => ApiError::conflict("not_retryable", None, message),
            SendError::MediaCount => ApiError::invalid("invalid_media_ids", "media_ids", message),
            SendError::UnknownMedia(_) => ApiError::invalid("unknown_media", "media_ids", message),
            SendError::MediaUnavailable(_) => {
                ApiError::invalid("media_unavailable", "media_ids", message)
            }
            SendError::MmsNotSupported(_) => {
                ApiError::invalid("mms_not_supported", "media_ids", message)
            }
            SendError::MmsTooLarge(_) => ApiError::invalid("mms_too_large", "media_ids", message),
            SendError::InvalidSendAt(_) => ApiError::invalid("invalid_send_at", "send_at", message),
            SendError::NotScheduled(_) => ApiError::conflict("not_scheduled", None, message),
            SendError::Database(error) => error.into(),
            SendError::Api(error) => error,
        }
    }
}

/// A text Telnyx will take: not blank, at most ten segments. Requests are parsed into one
/// at the edge ([`SmsText::parse`]); nothing queues a message without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsText(String);

impl SmsText {
    /// A stored outbound message's text, which passed [`SmsText::parse`] when it was written.
    pub fn stored(row: &MessageRow) -> SmsText {
        SmsText(row.text.clone())
    }

    /// `field` names the request field in the error.
    pub fn parse(text: String, field: &'static str) -> Result<SmsText, SendError> {
        if text.trim().is_empty() {
            return Err(SendError::EmptyText { field });
        }
        let segments = sms::analyze(&text).segments;
        if segments > MAX_SEGMENTS {
            return Err(SendError::TooLong { field, segments });
        }
        Ok(SmsText(text))
    }

    /// The text of an MMS: empty is fine, anything else as [`SmsText::parse`].
    pub fn parse_optional(text: String, field: &'static str) -> Result<SmsText, SendError> {
        if text.trim().is_empty() {
            return Ok(SmsText(String::new()));
        }
        SmsText::parse(text, field)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an agent sends: a text, for an MMS the uploaded items (1 to 10, in order), and when
/// it is sent later the time asked for (checked against the clock by [`schedule::check_send_at`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub text: SmsText,
    pub media_ids: Vec<MediaId>,
    pub send_at: Option<DateTime<Utc>>,
}

impl TryFrom<SendMessage> for OutgoingMessage {
    type Error = SendError;

    fn try_from(request: SendMessage) -> Result<OutgoingMessage, SendError> {
        let send_at = request.send_at;
        match request.media_ids {
            None => Ok(OutgoingMessage {
                text: SmsText::parse(request.text, "text")?,
                media_ids: Vec::new(),
                send_at,
            }),
            Some(ids) if ids.is_empty() || ids.len() > MAX_MEDIA_PER_MESSAGE => {
                Err(SendError::MediaCount)
            }
            Some(ids) => Ok(OutgoingMessage {
                text: SmsText::parse_optional(request.text, "text")?,
                media_ids: ids,
                send_at,
            }),
        }
    }
}

/// The tenant's stored items `ids`, in their order: an id of another tenant (or of none) is
/// `UnknownMedia`, a customer's item that was never stored `MediaUnavailable`, and more than
/// Telnyx takes in one MMS `MmsTooLarge`.
pub async fn media_to_send(
    conn: &mut AsyncPgConnection,
    tenant_id: crate::ids::TenantId,
    ids: &[MediaId],
) -> Result<Vec<MediaRow>, SendError> {
    let found = media_storage::find_many_in_tenant(conn, tenant_id, ids).await?;
    let items: Vec<MediaRow> = ids
        .iter()
        .map(|id| {
            let row = found
                .iter()
                .find(|row| row.id == *id)
                .ok_or(SendError::UnknownMedia(*id))?;
            if row.status != MediaStatus::Stored {
                return Err(SendError::MediaUnavailable(*id));
            }
            Ok(row.clone())
        })
        .collect::<Result<_, _>>()?;
    let total: i64 = items.iter().map(|item| item.size).sum();
    if total > MAX_MMS_BYTES {
        return Err(SendError::MmsTooLarge(total));
    }
    Ok(items)
}

/// Messages as the API shows them, with the media of each MMS.
pub async fn to_wire(
    conn: &mut AsyncPgConnection,
    rows: Vec<MessageRow>,
) -> diesel::QueryResult<Vec<Message>> {
    let mms: Vec<MessageId> = rows
        .iter()
        .filter(|row| row.message_type == MessageType::Mms)
        .map(|row| row.id)
        .collect();
    let mut media = media_storage::of_messages(conn, &mms).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let items = media.remove(&row.id).unwrap_or_default();
            let mut message = Message::from(row);
            message.media = items.into_iter().map(Media::from).collect();
            message
        })
        .collect())
}

/// One message as the API shows it (see [`to_wire`]).
pub async fn wire_of(
    conn: &mut AsyncPgConnection,
    row: MessageRow,
) -> diesel::QueryResult<Message> {
    let mut messages = to_wire(conn, vec![row]).await?;
    messages.pop().ok_or(diesel::result::Error::NotFound)
}

pub struct Outbound<'a> {
    pub conversation: &'a ConversationRow,
    pub text: &'a SmsText,
    pub author: Author,
    pub author_user_id: Option<UserId>,
    /// The writer's name as the team sees it (agents and API keys).
    pub author_name: Option<String>,
    /// Which provider wrote an AI message.
    pub ai_provider: Option<AiProvider>,
    /// The failed message this one sends again.
    pub retry_of: Option<MessageId>,
    /// Stored items to send as an MMS, in order (see [`media_to_send`]); empty for an SMS.
    pub media: &'a [MediaRow],
    /// When it leaves.
    pub dispatch: Dispatch,
    /// The answer to STOP, START or HELP: the one text the law lets go to a number that
    /// opted out.
    pub compliance_reply: bool,
}

/// When an outbound message leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// At once: a reply in a conversation (an agent's, the AI's, a retry).
    Now,
    /// At once unless the recipient's quiet hours hold it: a message that starts a
    /// conversation.
    NowUnlessQuiet,
    /// Sent later, at this time (then held by quiet hours like a start).
    At(DateTime<Utc>),
}

/// Inside the caller's transaction: the message row (`queued`, or waiting as [`schedule::plan`]
/// says), its outbox job (due when it may leave) and the
/// conversation's activity; the feed's event goes into `feed`, which the caller records last
/// with its own (see [`crate::realtime::events::record_all`]). The conversation answers from
/// a number the tenant owns now (see [`phone_numbers::sending_number`]); none is
/// `NoSendingNumber`.
pub async fn queue_outbound(
    conn: &mut AsyncPgConnection,
    outbound: Outbound<'_>,
    now: DateTime<Utc>,
    feed: &mut Vec<FeedPayload>,
) -> Result<(MessageRow, ConversationRow), SendError> {
    let info = sms::analyze(outbound.text.as_str());
    let conversation = outbound.conversation;
    if !outbound.media.is_empty() && !crate::phone::takes_mms(&conversation.phone_number) {
        return Err(SendError::MmsNotSupported(
            conversation.phone_number.clone(),
        ));
    }
    if !outbound.compliance_reply {
        opt_outs::ensure_can_text(conn, conversation.tenant_id, &conversation.phone_number).await?;
    }
    let from = phone_numbers::sending_number(
        conn,
        conversation.tenant_id,
        &conversation.tenant_phone_number,
    )
    .await?
    .ok_or(SendError::NoSendingNumber)?;
    if from.number != conversation.tenant_phone_number {
        conversation_storage::update(
            conn,
            conversation.id,
            &ConversationChanges {
                tenant_phone_number: Some(from.number),
                updated_at: Some(now),
                ..Default::default()
            },
        )
        .await?;
    }
    let plan = schedule::plan(conn, conversation, outbound.dispatch, now).await?;
    let row = MessageRow {
        id: MessageId::random(),
        tenant_id: conversation.tenant_id,
        conversation_id: conversation.id,
        direction: Direction::Outbound,
        author: outbound.author,
        author_user_id: outbound.author_user_id,
        text: outbound.text.as_str().to_string(),
        encoding: info.encoding,
        // An MMS travels as one message whatever its text.
        segments: if outbound.media.is_empty() {
            info.segments as i32
        } else {
            1
        },
        status: plan.status,
        error_code: None,
        error_title: None,
        error_detail: None,
        telnyx_message_id: None,
        created_at: now,
        sent_at: None,
        delivered_at: None,
        updated_at: now,
        ai_provider: outbound.ai_provider,
        send_started_at: None,
        send_slot_at: None,
        author_name: outbound.author_name,
        retry_of: outbound.retry_of,
        message_type: if outbound.media.is_empty() {
            MessageType::Sms
        } else {
            MessageType::Mms
        },
        scheduled_at: plan.scheduled_at,
        held_until: plan.held_until,
        quiet_hours_apply: plan.quiet_hours_apply,
        compliance_reply: outbound.compliance_reply,
    };
    storage::insert(conn, &row).await?;
    let media_ids: Vec<MediaId> = outbound.media.iter().map(|item| item.id).collect();
    media_storage::link(conn, row.id, &media_ids).await?;
    let job = Job::SendSms { message_id: row.id };
    jobs::enqueue(conn, Some(conversation.tenant_id), &job, plan.run_at, now).await?;
    let content_types: Vec<&str> = outbound
        .media
        .iter()
        .map(|item| item.content_type.as_str())
        .collect();
    // A message sent later counts as activity when it leaves (see `schedule::release`).
    let updated = if plan.status == MessageStatus::Scheduled {
        conversation.clone()
    } else {
        conversation_storage::record_activity(
            conn,
            conversation.id,
            &crate::media::words::preview(outbound.text.as_str(), &content_types),
            outbound.author,
            now,
        )
        .await?
    };
    let mut message = Message::from(row.clone());
    message.media = outbound.media.iter().cloned().map(Media::from).collect();
    feed.push(FeedPayload::MessageCreated(message));
    Ok((row, updated))
}

/// Announces a message's new status on the feed, in the caller's transaction. A failure of
/// the latest message the business sent also marks its conversation (`delivery_failed`, the
/// list's Failed chip), announced with it.
pub async fn announce_status(
    conn: &mut AsyncPgConnection,
    updated: MessageRow,
    now: DateTime<Utc>,
) -> diesel::QueryResult<()> {
    let (tenant_id, conversation_id, created_at) = (
        updated.tenant_id,
        updated.conversation_id,
        updated.created_at,
    );
    let failed = status::is_retryable(updated.status());
    let mut feed = vec![FeedPayload::MessageStatusUpdated(
        wire_of(conn, updated).await?,
    )];
    if failed {
        if let Some(conversation) =
            conversation_storage::mark_delivery_failed(conn, conversation_id, created_at, now)
                .await?
        {
            let opted_out =
                opt_outs::storage::is_opted_out(conn, tenant_id, &conversation.phone_number)
                    .await?;
            feed.push(FeedPayload::ConversationUpdated(
                conversation.into_wire(opted_out),
            ));
        }
    }
    events::record_all(conn, tenant_id, feed, now).await
}

/// The conversation's messages that wait to be sent (scheduled, held), soonest due first:
/// the thread shows them however far back they were written.
pub async fn waiting(
    state: &AppState,
    caller: &Caller,
    conversation_id: ConversationId,
    limit: i64,
) -> Result<Page<Message>, ApiError> {
    let mut conn = state.db().await?;
    conversation_storage::find(&mut conn, caller.tenant_id, conversation_id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let rows =
        storage::waiting_in_conversation(&mut conn, caller.tenant_id, conversation_id, limit)
            .await?;
    Ok(Page {
        data: to_wire(&mut conn, rows).await?,
        next_cursor: None,
    })
}

/// One page of a conversation's history, oldest first; `next_cursor` pages further back.
pub async fn history(
    state: &AppState,
    caller: &Caller,
    conversation_id: ConversationId,
    before: Option<&str>,
    limit: i64,
) -> Result<Page<Message>, ApiError> {
    let before = Cursor::from_param(before, "before")?;
    let mut conn = state.db().await?;
    conversation_storage::find(&mut conn, caller.tenant_id, conversation_id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let rows = storage::page_before(
        &mut conn,
        caller.tenant_id,
        conversation_id,
        before,
        limit + 1,
    )
    .await?;
    // Read newest first to find the page; shown oldest first.
    let mut page = page_from(rows, limit, |row| Cursor::new(row.created_at, row.id));
    page.data.reverse();
    Ok(Page {
        data: to_wire(&mut conn, page.data).await?,
        next_cursor: page.next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limits() {
        let parse = |text: String| SmsText::parse(text, "text");
        assert!(matches!(
            parse("  \n".into()),
            Err(SendError::EmptyText { field: "text" })
        ));
        assert!(parse("a".repeat(1530)).is_ok());
        assert!(matches!(
            parse("a".repeat(1531)),
            Err(SendError::TooLong { segments: 11, .. })
        ));
        assert!(parse("Ж".repeat(670)).is_ok());
        assert!(parse("Ж".repeat(671)).is_err());
        // A text is kept as written: whitespace is the sender's.
        assert_eq!(parse(" hi ".into()).unwrap().as_str(), " hi ");
    }
}
